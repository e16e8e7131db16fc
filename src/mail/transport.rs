//! Delivering one message: the [`Transport`] every channel implements, what a
//! delivery can come to, and where the file-writing transports put their files.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::Config;
use crate::paths;
use crate::store::outbox::OutboxRow;

/// One message on its way out, with the customer's contact details as they are now.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub row: &'a OutboxRow,
    /// The address, number or (letters) name it goes to.
    pub to: &'a str,
    pub customer_name: &'a str,
    /// Postal address lines (letters), if known.
    pub address: Option<&'a str>,
    pub as_of: NaiveDate,
}

/// What one delivery came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server, gateway or disk accepted it; the text says where it went.
    Delivered(String),
    /// It certainly did not go out: it stays pending and the next send retries.
    Failed(String),
    /// It may have gone out (the connection broke after the message was handed
    /// over, or the SMS command timed out): never retried without a person.
    InDoubt(String),
}

/// A way to deliver messages of one channel.
pub trait Transport {
    /// `file`, `smtp`, `sms command`, `letter`: for reports and events.
    fn name(&self) -> &'static str;

    fn deliver(&mut self, m: &Outgoing<'_>) -> Outcome;

    /// Delivering the same message again has no further effect (its file is named by
    /// its outbox id and Message-ID and is not written twice), so a delivery left in
    /// doubt by a stopped process can safely be tried again.
    fn idempotent(&self) -> bool {
        false
    }

    /// Makes what this transport delivered since the last call durable (files on
    /// disk); called before a batch's outcomes are recorded. An error turns those
    /// deliveries into failures, and the next send delivers them again.
    fn settle(&mut self) -> Result<(), String> {
        Ok(())
    }

    /// Ends the session with the server, if any.
    fn finish(&mut self) {}
}

/// Where the file transport and letters write: `[mail] dir` (relative to the config
/// file's directory), else `outbox/` beside the database `db` — the data directory's
/// `outbox/` for the default database, and never one shared by two databases, whose
/// numbered files would collide.
pub fn outbox_dir(config: &Config, db: &Path) -> PathBuf {
    match &config.mail.dir {
        Some(d) if d.is_relative() => config
            .dir
            .as_ref()
            .map_or_else(|| d.clone(), |base| base.join(d)),
        Some(d) => d.clone(),
        // Beside a database file; a server's shop writes to this machine's data dir.
        None => match db.parent() {
            Some(dir)
                if db != Path::new(":memory:")
                    && !crate::store::pg::is_url(&db.to_string_lossy()) =>
            {
                dir.join("outbox")
            }
            _ => paths::data_dir().join("outbox"),
        },
    }
}

/// A file-name-safe form of `s` (letters, digits, `.`, `_`, `-`).
pub fn safe_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.trim_matches('.').chars().take(80).collect()
}

/// The local part of a Message-ID (`<arq.c5.s0@shop.example>` → `arq.c5.s0`).
pub fn message_id_local(message_id: &str) -> &str {
    let inner = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    inner.split('@').next().unwrap_or(inner)
}

/// Writes `bytes` to `path` all at once: a temporary file in the same directory,
/// flushed to disk, then renamed, so a reader never sees half a message. Files and
/// folders are private (or the shared group's, see `files`).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    crate::files::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut f = crate::files::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Writes `bytes` to `path` all at once (a temporary file, then a rename, so a reader
/// never sees half a message) without waiting for the disk: [`make_durable`] does that
/// for a whole batch of files at once.
pub fn write_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, bytes).or_else(|e| {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(e);
        }
        std::fs::create_dir_all(dir)?;
        std::fs::write(&tmp, bytes)
    });
    written?;
    std::fs::rename(&tmp, path)
}

/// Waits until the files written into `dir` (`files`) are on disk, with the directory
/// entries naming them. On Linux one `syncfs` of the folder's file system does it for
/// a batch of any size; elsewhere each file and then the folder is synced.
pub fn make_durable(dir: &Path, files: &[PathBuf]) -> std::io::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let d = std::fs::File::open(dir)?;
        // SAFETY: `d` is an open descriptor for as long as the call runs; syncfs only
        // reads it.
        if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    for f in files {
        std::fs::File::open(f)?.sync_all()?;
    }
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_message_ids_split() {
        assert_eq!(message_id_local("<arq.c5.s0@shop.example>"), "arq.c5.s0");
        assert_eq!(safe_name("C/00 1:x"), "C_00_1_x");
        let mut cfg = Config::default();
        cfg.mail.dir = Some(PathBuf::from("out"));
        cfg.dir = Some(PathBuf::from("/etc/arq"));
        let db = Path::new("/srv/shop/arq.db");
        assert_eq!(outbox_dir(&cfg, db), PathBuf::from("/etc/arq/out"));
        cfg.mail.dir = None;
        assert_eq!(outbox_dir(&cfg, db), PathBuf::from("/srv/shop/outbox"));
        assert_eq!(
            outbox_dir(&cfg, Path::new("arq.db")),
            PathBuf::from("outbox")
        );
        assert_eq!(
            outbox_dir(&cfg, Path::new("postgres://sam@db.example/shop")),
            paths::data_dir().join("outbox")
        );
    }
}
