//! How an open database's events are hashed: with its audit key (found beside it),
//! plainly (a database from an arq without keys, until its first check gives it
//! one), or not at all (the key is missing: nothing can be recorded).

use std::path::PathBuf;

use rusqlite::OptionalExtension;

use super::db::Db;
use super::{Result, Store, StoreError, anchor, key, put_meta};

/// How this database's events are hashed.
#[derive(Debug, Clone)]
pub enum Keying {
    /// With its audit key.
    Keyed(Box<key::AuditKey>),
    /// A database from an arq without keys (plain SHA-256) until the first
    /// `arq run` or `arq audit verify` gives it one.
    Legacy,
    /// The database has a key, but its key file (this path) is missing or belongs to
    /// another database: nothing can be recorded.
    Missing(PathBuf),
}

impl Store {
    /// The key this database's events are hashed with, as found beside it.
    pub(super) fn load_keying(&self) -> Result<Keying> {
        let Some(db_id) = self.meta("db_id")? else {
            return Ok(Keying::Legacy);
        };
        if let Db::Pg(_) = self.conn() {
            // On a server the key is the owner's row, handed to arq's roles.
            let body: Option<Vec<u8>> =
                self.conn()
                    .query_row("SELECT arq_audit_key()", [], |r| r.get(0))?;
            return Store::server_keying(Some(db_id), body, &self.path);
        }
        let path = key::key_path(&self.path);
        Ok(match key::AuditKey::load(&path)? {
            Some(k) if k.db_id == db_id => Keying::Keyed(Box::new(k)),
            _ => Keying::Missing(path),
        })
    }

    /// The keying of a server's shop from its `db_id` and the key the server keeps
    /// (`arq_audit_key()`).
    pub(super) fn server_keying(
        db_id: Option<String>,
        body: Option<Vec<u8>>,
        path: &std::path::Path,
    ) -> Result<Keying> {
        let Some(db_id) = db_id else {
            return Ok(Keying::Legacy);
        };
        Ok(match body {
            Some(b) => match key::AuditKey::parse(&b, "kept on the server")? {
                k if k.db_id == db_id => Keying::Keyed(Box::new(k)),
                _ => Keying::Missing(path.to_path_buf()),
            },
            None => Keying::Missing(path.to_path_buf()),
        })
    }

    /// Appends an anchor for head (`seq`, `hash`): to the anchors file beside a
    /// SQLite database, or to the server's.
    pub fn add_anchor(
        &self,
        key: &key::AuditKey,
        seq: i64,
        hash: &str,
        at: &str,
        by: &str,
        what: &str,
    ) -> Result<()> {
        match self.conn() {
            Db::Lite(_) => anchor::append(&self.path, key, seq, hash, at, by, what),
            db @ Db::Pg(_) => {
                let line = anchor::line(key, seq, hash, at, by, what);
                db.query_row("SELECT 1 FROM arq_add_anchor(?1)", [line], |_| Ok(()))?;
                Ok(())
            }
        }
    }

    /// Every anchor of this database, each line's MAC checked.
    pub fn read_anchors(&self, key: &key::AuditKey) -> Result<anchor::Anchors> {
        match self.conn() {
            Db::Lite(_) => anchor::read(&self.path, key),
            db @ Db::Pg(_) => {
                let body: Option<Vec<u8>> =
                    db.query_row("SELECT arq_anchors()", [], |r| r.get(0))?;
                Ok(match body {
                    Some(b) => anchor::parse_all(&b, key),
                    None => anchor::Anchors::default(),
                })
            }
        }
    }

    /// Picks up the key another process gave this database since it was opened.
    pub fn refresh_keying(&mut self) -> Result<()> {
        if matches!(self.keying, Keying::Legacy) && self.meta("db_id")?.is_some() {
            self.keying = self.load_keying()?;
        }
        Ok(())
    }

    /// How this database's events are hashed.
    pub fn keying(&self) -> &Keying {
        &self.keying
    }

    /// Gives a database from an arq without keys its audit key: events from the next
    /// one on are keyed. Returns whether it did (false when it had a key already).
    pub fn ensure_keyed(&mut self) -> Result<bool> {
        if !matches!(self.keying, Keying::Legacy) {
            return Ok(false);
        }
        if let Db::Pg(_) = self.conn() {
            return Err(StoreError::Trust(
                "this shop came to the server without an audit key: give it one on its SQLite file \
                 (`arq audit verify` there) and copy it again"
                    .into(),
            ));
        }
        let db_id = key::hex(&key::random_bytes(16)?);
        let path = self.path.clone();
        let k = self.write(|tx| {
            let next: i64 =
                tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM events", [], |r| {
                    r.get(0)
                })?;
            if tx
                .query_row("SELECT 1 FROM meta WHERE key = 'db_id'", [], |_| Ok(()))
                .optional()?
                .is_some()
            {
                return Ok(None);
            }
            let k = key::AuditKey::generate(&db_id, next, None)?;
            put_meta(tx, "db_id", &db_id)?;
            put_meta(tx, "keyed_from", &next.to_string())?;
            // A key file left by an upgrade that did not commit is set aside, not reused.
            let key_file = key::key_path(&path);
            if key_file.exists() {
                let aside = key::sibling(
                    &path,
                    &format!("key.unused-{}", key::hex(&key::random_bytes(4)?)),
                );
                std::fs::rename(&key_file, &aside).map_err(|e| {
                    StoreError::Trust(format!("cannot set aside {}: {e}", key_file.display()))
                })?;
            }
            // The key is written inside the transaction: if it cannot be, nothing is kept.
            k.save(&key_file)?;
            Ok::<_, StoreError>(Some(k))
        })?;
        self.keying = match k {
            Some(k) => Keying::Keyed(Box::new(k)),
            // Another process keyed it meanwhile.
            None => self.load_keying()?,
        };
        Ok(true)
    }
}
