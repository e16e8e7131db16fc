//! Anchors: the head of the event chain (sequence and hash) written down outside the
//! database, in `<db>.anchors` beside it, one line per anchor, only ever appended to.
//! The daily run, `audit verify`, `backup` and `restore` add one. A record cut back
//! (its last events deleted) or rewritten (events edited and the chain recomputed)
//! no longer reaches or matches its anchors.
//!
//! A line is `arq-anchor v1 DB_ID SEQ HASH AT BY WHAT MAC`: `AT` a UTC timestamp,
//! `BY` the user, `WHAT` the command (`init`, `run`, `verify`, `backup`, `restore`),
//! `MAC` the keyed hash of everything before it, so a line cannot be forged without
//! the audit key. A `restore` line says the record was put back to that head on
//! purpose: anchors before it that lie beyond it are history, not damage.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::key::{AuditKey, sibling};
use super::{Result, StoreError};

const TAG: &str = "arq-anchor";
const VERSION: &str = "v1";

/// Where the anchors of the database at `db` are kept.
pub fn anchors_path(db: &Path) -> PathBuf {
    sibling(db, "anchors")
}

/// One recorded head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The line of the anchors file it is on (1-based).
    pub line: usize,
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub by: String,
    pub what: String,
}

/// An anchors file line arq cannot trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub why: String,
}

/// What an anchors file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors {
    pub anchors: Vec<Anchor>,
    pub bad: Vec<BadLine>,
    /// Whether the file exists at all.
    pub exists: bool,
}

impl Anchors {
    /// The anchors that still bind the record: those after the last `restore` line,
    /// and those before it up to the head it restored.
    pub fn binding(&self) -> Vec<&Anchor> {
        let mut out: Vec<&Anchor> = Vec::new();
        for a in &self.anchors {
            if a.what == "restore" {
                out.retain(|b| b.seq <= a.seq);
            }
            out.push(a);
        }
        out
    }
}

fn body(db_id: &str, seq: i64, hash: &str, at: &str, by: &str, what: &str) -> String {
    format!("{TAG} {VERSION} {db_id} {seq} {hash} {at} {by} {what}")
}

/// The anchor line for head (`seq`, `hash`), with its MAC. `by` and `what` are
/// single words (anything else is dropped from them).
pub fn line(key: &AuditKey, seq: i64, hash: &str, at: &str, by: &str, what: &str) -> String {
    let word = |s: &str| -> String {
        let w: String = s
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        if w.is_empty() { "-".to_string() } else { w }
    };
    let b = body(&key.db_id, seq, hash, &word(at), &word(by), &word(what));
    format!("{b} {}\n", key.mac.of(b.as_bytes()))
}

/// Appends an anchor for head (`seq`, `hash`) to the anchors beside the database at
/// `db`.
pub fn append(
    db: &Path,
    key: &AuditKey,
    seq: i64,
    hash: &str,
    at: &str,
    by: &str,
    what: &str,
) -> Result<()> {
    let line = line(key, seq, hash, at, by, what);
    let path = anchors_path(db);
    let fail = |e: std::io::Error| {
        StoreError::Trust(format!("cannot add to the anchors {}: {e}", path.display()))
    };
    // One write of one short line with O_APPEND: processes anchoring at the same
    // time never interleave their lines.
    let mut f = crate::files::append(&path).map_err(fail)?;
    f.write_all(line.as_bytes()).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    Ok(())
}

/// Reads every anchor for the database `key` belongs to, checking each line's MAC.
pub fn read(db: &Path, key: &AuditKey) -> Result<Anchors> {
    let path = anchors_path(db);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Anchors::default()),
        Err(e) => {
            return Err(StoreError::Trust(format!(
                "cannot read the anchors {}: {e}",
                path.display()
            )));
        }
    };
    Ok(parse_all(&bytes, key))
}

/// Every anchor in the text of an anchors file, each line's MAC checked.
pub fn parse_all(bytes: &[u8], key: &AuditKey) -> Anchors {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Anchors {
        exists: true,
        ..Anchors::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        match parse(raw, line, key) {
            Ok(a) => out.anchors.push(a),
            Err(why) => out.bad.push(BadLine { line, why }),
        }
    }
    out
}

fn parse(raw: &str, line: usize, key: &AuditKey) -> std::result::Result<Anchor, String> {
    let parts: Vec<&str> = raw.split(' ').collect();
    let [tag, version, db_id, seq, hash, at, by, what, mac] = parts[..] else {
        return Err("it is not an anchor line".into());
    };
    if tag != TAG || version != VERSION {
        return Err("it is not an anchor line".into());
    }
    if db_id != key.db_id {
        return Err(format!(
            "it belongs to another database ({db_id}, this one is {})",
            key.db_id
        ));
    }
    let signed = raw
        .rsplit_once(' ')
        .map(|(body, _)| body)
        .unwrap_or_default();
    if key.mac.of(signed.as_bytes()) != mac {
        return Err(
            "its MAC does not match: it was not written by arq with this database's key".into(),
        );
    }
    let seq: i64 = seq
        .parse()
        .map_err(|_| format!("'{seq}' is not an event number"))?;
    Ok(Anchor {
        line,
        seq,
        hash: hash.to_string(),
        at: at.to_string(),
        by: by.to_string(),
        what: what.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_append_read_back_and_refuse_forged_lines() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Trust(e.to_string()))?;
        let db = dir.path().join("shop.db");
        let key = AuditKey::generate("id1", 1, None)?;
        append(&db, &key, 3, "aa", "2026-01-01T00:00:00Z", "ana", "run")?;
        append(&db, &key, 9, "bb", "2026-01-02T00:00:00Z", "sam", "verify")?;
        append(
            &db,
            &key,
            5,
            "cc",
            "2026-01-03T00:00:00Z",
            "admin",
            "restore",
        )?;
        let mut f = crate::files::append(&anchors_path(&db))
            .map_err(|e| StoreError::Trust(e.to_string()))?;
        writeln!(f, "arq-anchor v1 id1 12 dd 2026 x run 00")
            .map_err(|e| StoreError::Trust(e.to_string()))?;
        let a = read(&db, &key)?;
        assert_eq!(a.anchors.len(), 3);
        assert_eq!(a.bad.len(), 1);
        assert_eq!(a.bad[0].line, 4);
        assert!(a.bad[0].why.contains("MAC"), "{:?}", a.bad);
        // The restore to 5 sets the anchor at 9 aside.
        let seqs: Vec<i64> = a.binding().iter().map(|a| a.seq).collect();
        assert_eq!(seqs, vec![3, 5]);
        // Another key reads the lines as foreign.
        let other = AuditKey::generate("id2", 1, None)?;
        assert_eq!(read(&db, &other)?.anchors.len(), 0);
        Ok(())
    }
}
