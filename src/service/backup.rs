//! `arq backup FILE` and `arq restore FILE`: a consistent copy of the database taken
//! while others keep working, and putting one back. Both check the copy before they
//! finish: SQLite's integrity check, the keyed event chain, and the anchors up to
//! the copy's head. A backup that does not verify is removed; a file that does not
//! verify is never restored.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;

use super::audit::Head;
use super::{Result, ServiceError, Session};
use crate::domain::EventKind;
use crate::store::events::{self, Keys};
use crate::store::{Keying, StoreError, backup, integrity};

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub file: String,
    pub bytes: u64,
    pub events: u64,
    pub head: Option<Head>,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub file: String,
    /// The backup's head: the record as it is now restored.
    pub head: Option<Head>,
    /// Events the live database had beyond the backup, now gone.
    pub dropped: u64,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let v = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional();
    match v {
        Ok(v) => Ok(v),
        Err(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("no such table") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl Session {
    /// Checks a copy of this database: it is arq's, of this database, sound, its
    /// chain holds with this database's key, and it agrees with every anchor up to
    /// its head. Returns its event count and head.
    fn check_copy(&self, file: &Path, copy: &Connection) -> Result<(u64, Option<Head>)> {
        let refuse = |why: String| ServiceError::Invalid(format!("{}: {why}", file.display()));
        if meta(copy, "currency")?.is_none() {
            return Err(refuse("it is not an arq database".into()));
        }
        let here = self.store.meta("db_id")?;
        let there = meta(copy, "db_id")?;
        if here != there {
            return Err(refuse(format!(
                "it is a copy of another database ({}), not of this one ({})",
                there.as_deref().unwrap_or("one from before audit keys"),
                here.as_deref().unwrap_or("one from before audit keys")
            )));
        }
        let damage = integrity::integrity_check(copy)?;
        if !damage.is_empty() {
            return Err(refuse(format!(
                "the file is damaged: {}",
                damage.join("; ")
            )));
        }
        let keys = match self.store.keying() {
            Keying::Keyed(k) => Keys::Key(k),
            Keying::Legacy => Keys::None,
            Keying::Missing(p) => return Err(StoreError::Trust(events::missing_key(p)).into()),
        };
        let v = events::verify(copy, keys)?;
        if let Some((seq, why)) = v.broken_at {
            return Err(refuse(format!(
                "its event record is broken at event {seq}: {why}"
            )));
        }
        let head = v.head.map(|(seq, hash)| Head { seq, hash });
        if let Keying::Keyed(k) = self.store.keying() {
            let top = head.as_ref().map_or(0, |h| h.seq);
            for a in self.store.read_anchors(k)?.binding() {
                if a.seq == 0 || a.seq > top {
                    continue;
                }
                if events::hash_of(copy, a.seq)?.as_deref() != Some(a.hash.as_str()) {
                    return Err(refuse(format!(
                        "its event {} is not the one anchored by {} of {} at {}: it is not a faithful copy",
                        a.seq, a.what, a.by, a.at
                    )));
                }
            }
        }
        Ok((v.events, head))
    }

    /// Writes a consistent copy of the database to `dest` (supervisors and admins),
    /// checks it, and anchors its head. Other users may keep working meanwhile.
    pub fn backup(&mut self, dest: &Path) -> Result<BackupReport> {
        self.require_supervisor("back the database up")?;
        if same_file(dest, self.store.path()) {
            return Err(ServiceError::Invalid(format!(
                "{} is the database itself: back it up to another file",
                dest.display()
            )));
        }
        if dest.exists() {
            let old = backup::open_read_only(dest).map_err(|_| not_a_backup(dest))?;
            if meta(&old, "currency").ok().flatten().is_none() {
                return Err(not_a_backup(dest));
            }
        }
        backup::copy_to(self.store.sqlite_for("arq backup")?, dest)?;
        let checked = backup::open_read_only(dest)
            .map_err(ServiceError::from)
            .and_then(|c| self.check_copy(dest, &c));
        let (events, head) = match checked {
            Ok(x) => x,
            Err(e) => {
                let _ = std::fs::remove_file(dest);
                return Err(e);
            }
        };
        if let (Keying::Keyed(k), Some(h)) = (self.store.keying(), &head) {
            let at = events::timestamp(chrono::Utc::now());
            self.store
                .add_anchor(k, h.seq, &h.hash, &at, &self.user.name, "backup")?;
        }
        Ok(BackupReport {
            file: dest.display().to_string(),
            bytes: std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0),
            events,
            head,
        })
    }

    /// Puts the backup `src` back in place of the live database (admins). The
    /// backup is checked first; what was recorded after it is gone, and the restore
    /// itself is the first event after it.
    pub fn restore(&mut self, src: &Path) -> Result<RestoreReport> {
        self.require_admin("restore the database")?;
        if same_file(src, self.store.path()) {
            return Err(ServiceError::Invalid(format!(
                "{} is the database itself: name a backup file",
                src.display()
            )));
        }
        let copy = backup::open_read_only(src)?;
        let (_, head) = self.check_copy(src, &copy)?;
        let live_head = events::head(self.store.conn())?.map_or(0, |h| h.0);
        let top = head.as_ref().map_or(0, |h| h.seq);
        let dropped = u64::try_from(live_head - top).unwrap_or(0);
        self.store.restore_from(&copy)?;
        drop(copy);
        if let (Keying::Keyed(k), Some(h)) = (self.store.keying(), &head) {
            let at = events::timestamp(chrono::Utc::now());
            self.store
                .add_anchor(k, h.seq, &h.hash, &at, &self.user.name, "restore")?;
        }
        let file = src.display().to_string();
        let user_known = crate::store::users::get(self.store.conn(), &self.user.name)?.is_some();
        let actor = if user_known {
            self.user.name.clone()
        } else {
            super::SYSTEM_ACTOR.to_string()
        };
        self.write_as(&actor, |tx| {
            tx.event(
                EventKind::Restored,
                None,
                format!(
                    "database restored from {file} (its record ends at event {top}); {dropped} later events are gone"
                ),
                json!({"file": file, "head": top, "dropped": dropped}),
            )?;
            Ok(())
        })?;
        self.anchor("restored")?;
        Ok(RestoreReport {
            file,
            head,
            dropped,
        })
    }
}

fn not_a_backup(dest: &Path) -> ServiceError {
    ServiceError::Invalid(format!(
        "{} exists and is not an arq database: arq backup only replaces an earlier backup (choose another file)",
        dest.display()
    ))
}

/// Where a backup goes when the person names a directory: `<db name>-<date>.db` in it.
pub fn backup_file(dest: &Path, db: &Path, today: chrono::NaiveDate) -> PathBuf {
    if dest.is_dir() {
        let stem = db
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "arq".into());
        dest.join(format!("{stem}-{today}.db"))
    } else {
        dest.to_path_buf()
    }
}
