//! `arq db copy --to URL|PATH`: moving a shop from its SQLite file to a PostgreSQL
//! server (DESIGN §4, "Team mode") and back, every row, with its audit key and
//! anchors, and the record verified on the side written.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::audit::{AuditOptions, Head};
use super::{Result, ServiceError, Session};
use crate::config::Config;
use crate::progress::Progress;
use crate::store::pg::{self, copy};
use crate::store::{Keying, Store, anchor, events, key};

/// What a copy moved.
#[derive(Debug, Clone, Serialize)]
pub struct CopyReport {
    pub from: String,
    pub to: String,
    pub tables: usize,
    pub rows: u64,
    pub events: u64,
    /// The record's head as it is on the side written.
    pub head: Option<Head>,
}

/// The names the key and the anchors travel under.
const KEY: &str = "key";
const ANCHORS: &str = "anchors";

fn head(h: Option<(i64, String)>) -> Option<Head> {
    h.map(|(seq, hash)| Head { seq, hash })
}

impl Session {
    /// Copies this shop to the empty PostgreSQL database at `url` (admins): the
    /// record is verified first, the copy is one transaction on the server, and the
    /// server's head must be this file's.
    pub fn copy_to_server(&mut self, url: &str, progress: &dyn Progress) -> Result<CopyReport> {
        self.require_admin("copy the shop to a server")?;
        if self.store.is_memory() {
            return Err(ServiceError::Invalid(
                "an in-memory database has nothing to copy".into(),
            ));
        }
        let path = self.store.path().to_path_buf();
        let mut files = Vec::new();
        for (name, file) in [
            (KEY, key::key_path(&path)),
            (ANCHORS, anchor::anchors_path(&path)),
        ] {
            match std::fs::read(&file) {
                Ok(body) => files.push((name.to_string(), body)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ServiceError::Invalid(format!(
                        "cannot read {}: {e}",
                        file.display()
                    )));
                }
            }
        }
        let mut client = pg::connect(url)?;
        // The record is verified in the same moment of the file that is copied, and
        // the server commits only when its head is that moment's head.
        let key = match self.store.keying() {
            Keying::Keyed(k) => Some((**k).clone()),
            Keying::Missing(_) => {
                return Err(ServiceError::Invalid(
                    "the audit key of this database is missing: put it back before copying".into(),
                ));
            }
            Keying::Legacy => None,
        };
        let copied = self.store.read(|tx| {
            let keys = key.as_ref().map_or(events::Keys::None, events::Keys::Key);
            let v = events::verify(tx, keys)?;
            if let Some((seq, why)) = &v.broken_at {
                return Err(ServiceError::Invalid(format!(
                    "the event record is broken at event {seq} ({why}): run `arq audit verify` and repair it before copying"
                )));
            }
            Ok(copy::to_server(tx, &mut client, &files, v.head.clone(), progress)?)
        })?;
        Ok(CopyReport {
            from: path.display().to_string(),
            to: pg::redact(url),
            tables: copied.tables,
            rows: copied.rows,
            events: copied.events,
            head: head(copied.head),
        })
    }
}

/// Where a copy from a server is written, and where it is built until it is whole.
struct Destination {
    file: PathBuf,
    partial: PathBuf,
    key: PathBuf,
    anchors: PathBuf,
}

impl Destination {
    fn new(file: &Path) -> Result<Destination> {
        let d = Destination {
            file: file.to_path_buf(),
            partial: key::sibling(file, "partial"),
            key: key::key_path(file),
            anchors: anchor::anchors_path(file),
        };
        for p in [&d.file, &d.key, &d.anchors] {
            if p.exists() {
                return Err(ServiceError::Invalid(format!(
                    "{} exists: copy into a new file (arq never writes over a database or its key)",
                    p.display()
                )));
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", d.partial.display()));
        }
        Ok(d)
    }

    /// Removes whatever this copy wrote.
    fn discard(&self) {
        for p in [&self.file, &self.key, &self.anchors] {
            let _ = std::fs::remove_file(p);
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.partial.display()));
        }
    }
}

/// How the copy from a server is checked once it is a file: as `user`, on `as_of`.
pub struct CopyCheck<'a> {
    pub user: &'a str,
    pub as_of: NaiveDate,
    pub now: DateTime<Utc>,
    pub config: Config,
}

/// Copies the shop on the server at `url` into the new SQLite file `dest`, with its
/// key and anchors beside it, then checks it as `arq audit verify` does. Nothing is
/// left behind when any of it fails.
pub fn copy_from_server(
    url: &str,
    dest: &Path,
    check: CopyCheck<'_>,
    progress: &dyn Progress,
) -> Result<CopyReport> {
    let d = Destination::new(dest)?;
    let result = build_from_server(url, &d, check, progress);
    if result.is_err() {
        d.discard();
    }
    result
}

fn build_from_server(
    url: &str,
    d: &Destination,
    check: CopyCheck<'_>,
    progress: &dyn Progress,
) -> Result<CopyReport> {
    let mut client = pg::connect(url)?;
    let (copied, files) = {
        let mut store = Store::create_bare(&d.partial)?;
        copy::to_file(
            &mut client,
            store.sqlite_mut().ok_or_else(|| {
                ServiceError::Invalid("a copy from a server is written to a file".into())
            })?,
            progress,
        )?
    };
    for (name, body) in &files {
        let to = match name.as_str() {
            KEY => &d.key,
            ANCHORS => &d.anchors,
            _ => continue,
        };
        crate::files::create_new(to)
            .and_then(|mut f| std::io::Write::write_all(&mut f, body))
            .map_err(|e| ServiceError::Invalid(format!("cannot write {}: {e}", to.display())))?;
    }
    std::fs::rename(&d.partial, &d.file).map_err(|e| {
        ServiceError::Invalid(format!(
            "cannot move the copy into place at {}: {e}",
            d.file.display()
        ))
    })?;
    let store = Store::open(&d.file)?;
    let mut session = Session::open(store, check.user, check.as_of, check.now, check.config)?;
    let report = session.audit(&AuditOptions::default())?;
    if let Some(p) = report.problems.first() {
        return Err(ServiceError::Invalid(format!(
            "the copy does not verify ({}): it was removed",
            p.what
        )));
    }
    Ok(CopyReport {
        from: pg::redact(url),
        to: d.file.display().to_string(),
        tables: copied.tables,
        rows: copied.rows,
        events: copied.events,
        head: head(copied.head),
    })
}
