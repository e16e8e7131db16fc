//! The record: an append-only table of events, each row carrying the hash of the row
//! before it. Triggers refuse UPDATE, DELETE and INSERT OR REPLACE; [`verify`]
//! recomputes the chain and so also catches a row edited behind arq's back (with the
//! triggers dropped). The hash is keyed with the database's audit key
//! ([`super::key`], kept outside the file), so a chain recomputed without the key
//! does not verify; events recorded before a database had a key keep their plain
//! SHA-256. Truncation is caught by the anchors ([`super::anchor`]).

use super::db::Db;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::key::{AuditKey, Mac, hex};
use super::{Keying, Result, StoreError};
use crate::domain::EventKind;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event about to be recorded.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The business date it belongs to (the run's or the action's as-of date).
    pub on_date: NaiveDate,
    pub kind: EventKind,
    pub actor: &'a str,
    pub customer_id: Option<&'a str>,
    /// One line for people: "called: reached — will pay Friday".
    pub detail: String,
    /// The same facts for programs.
    pub data: serde_json::Value,
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub on_date: NaiveDate,
    pub kind: EventKind,
    pub actor: String,
    pub customer_id: Option<String>,
    pub detail: String,
    pub data: String,
}

/// Appends events inside one write transaction, keeping the chain's head in memory.
pub struct EventLog {
    prev: String,
    /// The number the next event takes: one after the head. Numbered here, not by
    /// the database, so a transaction that rolled back leaves no gap (a server's
    /// sequence would move on regardless).
    next: i64,
    at: String,
    mac: Option<Mac>,
}

/// Formats a timestamp the way events store it (UTC, microseconds).
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl EventLog {
    /// Starts appending; call inside a `BEGIN IMMEDIATE` transaction so the head
    /// cannot move under us. A database whose key is missing takes no new events.
    pub fn open<'c>(
        conn: impl Into<Db<'c>>,
        keying: &Keying,
        now: DateTime<Utc>,
    ) -> Result<EventLog> {
        let conn: Db<'c> = conn.into();
        let mac = match keying {
            Keying::Keyed(k) => Some(k.mac.clone()),
            Keying::Legacy => {
                // Another arq may have given the database its key since this one
                // opened it: a plain hash after that would read as a forgery.
                let keyed = conn
                    .query_row("SELECT 1 FROM meta WHERE key = 'db_id'", [], |_| Ok(()))
                    .optional()?
                    .is_some();
                if keyed {
                    return Err(StoreError::Trust(
                        "this database was given its audit key by another arq a moment ago: do it again".into(),
                    ));
                }
                None
            }
            Keying::Missing(path) => return Err(StoreError::Trust(missing_key(path))),
        };
        // On a server a collector may not read every event; the head comes from a
        // function that may (and the write lock keeps it where it is).
        let head: Option<(i64, String)> = conn
            .query_row(
                conn.pick(
                    "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                    "SELECT seq, hash FROM arq_chain_head()",
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (last, prev) = head.unwrap_or_else(|| (0, GENESIS.to_string()));
        Ok(EventLog {
            next: last + 1,
            prev,
            at: timestamp(now),
            mac,
        })
    }

    pub fn append<'c>(&mut self, conn: impl Into<Db<'c>>, ev: &NewEvent<'_>) -> Result<i64> {
        let conn: Db<'c> = conn.into();
        let data = ev.data.to_string();
        let on_date = ev.on_date.format("%Y-%m-%d").to_string();
        let fields = Fields {
            at: &self.at,
            on_date: &on_date,
            kind: ev.kind.as_str(),
            actor: ev.actor,
            customer_id: ev.customer_id.unwrap_or(""),
            detail: &ev.detail,
            data: &data,
        };
        let hash = chain_hash(self.mac.as_ref(), &self.prev, &fields);
        let seq = self.next;
        if let Db::Pg(server) = conn {
            // On a server the events of one transaction go together (one round trip).
            server.defer(
                APPEND_ON_SERVER,
                serde_json::json!({
                    "seq": seq, "at": self.at, "on_date": on_date, "kind": ev.kind.as_str(),
                    "actor": ev.actor, "customer_id": ev.customer_id, "detail": ev.detail,
                    "data": data, "prev_hash": self.prev, "hash": hash,
                }),
            )?;
            self.prev = hash;
            self.next += 1;
            return Ok(seq);
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO events (seq, at, on_date, kind, actor, customer_id, detail, data, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        stmt.execute(params![
            seq,
            self.at,
            on_date,
            ev.kind,
            ev.actor,
            ev.customer_id,
            ev.detail,
            data,
            self.prev,
            hash
        ])?;
        self.prev = hash;
        self.next += 1;
        Ok(seq)
    }
}

/// Appends the events queued on a server connection, given as one JSON array.
const APPEND_ON_SERVER: &str = "INSERT INTO events (seq, at, on_date, kind, actor, customer_id, detail, data, prev_hash, hash)
     SELECT r.seq, r.at, r.on_date, r.kind, r.actor, r.customer_id, r.detail, r.data, r.prev_hash, r.hash
     FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS json))
          AS r(seq BIGINT, at TIMESTAMPTZ, on_date DATE, kind TEXT, actor TEXT, customer_id TEXT,
               detail TEXT, data TEXT, prev_hash TEXT, hash TEXT)
     ORDER BY r.seq";

struct Fields<'a> {
    at: &'a str,
    on_date: &'a str,
    kind: &'a str,
    actor: &'a str,
    customer_id: &'a str,
    detail: &'a str,
    data: &'a str,
}

/// What an event with no key to write it must say.
pub fn missing_key(path: &std::path::Path) -> String {
    format!(
        "the audit key {} of this database is missing, so nothing can be recorded: put the key file back (from where you keep its copy); see README \"The record\"",
        path.display()
    )
}

/// The hash of an event: keyed (HMAC-SHA-256) when `mac` is given, else plain SHA-256.
fn chain_hash(mac: Option<&Mac>, prev: &str, f: &Fields<'_>) -> String {
    let mut h = match mac {
        Some(m) => m.start(),
        None => Sha256::new(),
    };
    for part in [
        prev,
        f.at,
        f.on_date,
        f.kind,
        f.actor,
        f.customer_id,
        f.detail,
        f.data,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    match mac {
        Some(m) => m.finish(h),
        None => hex(&h.finalize()),
    }
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub events: u64,
    /// The first event whose row does not match the chain, with why.
    pub broken_at: Option<(i64, String)>,
    /// The last event's number and hash (`None` for an empty record).
    pub head: Option<(i64, String)>,
}

/// How many events there are.
pub fn count<'c>(conn: impl Into<Db<'c>>) -> Result<u64> {
    let conn: Db<'c> = conn.into();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
    Ok(n as u64)
}

/// The last event's number and hash.
pub fn head<'c>(conn: impl Into<Db<'c>>) -> Result<Option<(i64, String)>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .query_row(
            conn.pick(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                "SELECT seq, hash FROM arq_chain_head()",
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The hash of event `seq`, if there is one.
pub fn hash_of<'c>(conn: impl Into<Db<'c>>, seq: i64) -> Result<Option<String>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT hash FROM events WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

/// How the chain's hashes are checked.
#[derive(Debug, Clone, Copy)]
pub enum Keys<'a> {
    /// Events from `keyed_from` on are keyed with this key.
    Key(&'a AuditKey),
    /// The database has a key that is not here: events from this number on can be
    /// checked for their links only.
    Absent(i64),
    /// A database from before keys: plain SHA-256 throughout.
    None,
}

/// Recomputes every hash in order.
pub fn verify<'c>(conn: impl Into<Db<'c>>, keys: Keys<'_>) -> Result<Verification> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT seq, at, on_date, kind, actor, COALESCE(customer_id, ''), detail, data, prev_hash, hash FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0u64;
    let mut expected_seq = None;
    let broken = |count, seq, why: String| Verification {
        events: count,
        broken_at: Some((seq, why)),
        head: None,
    };
    let mut last_seq = None;
    while let Some(r) = rows.next()? {
        count += 1;
        let seq: i64 = r.get(0)?;
        let cols: [String; 9] = [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
        ];
        let [
            at,
            on_date,
            kind,
            actor,
            customer_id,
            detail,
            data,
            prev_hash,
            hash,
        ] = cols;
        if let Some(want) = expected_seq
            && seq != want
        {
            return Ok(broken(
                count,
                seq,
                format!("events {want}..{} are missing", seq - 1),
            ));
        }
        if prev_hash != prev {
            return Ok(broken(
                count,
                seq,
                "does not follow the event before it".into(),
            ));
        }
        let fields = Fields {
            at: &at,
            on_date: &on_date,
            kind: &kind,
            actor: &actor,
            customer_id: &customer_id,
            detail: &detail,
            data: &data,
        };
        let (mac, checkable) = match keys {
            Keys::Key(k) if seq >= k.keyed_from => (Some(&k.mac), true),
            Keys::Absent(from) if seq >= from => (None, false),
            _ => (None, true),
        };
        if checkable && chain_hash(mac, &prev, &fields) != hash {
            let why = if mac.is_some() && chain_hash(None, &prev, &fields) == hash {
                "its hash was not made with this database's audit key: the event was written or re-chained outside arq"
            } else {
                "its content was changed after it was recorded"
            };
            return Ok(broken(count, seq, why.into()));
        }
        prev = hash;
        expected_seq = Some(seq + 1);
        last_seq = Some(seq);
    }
    Ok(Verification {
        events: count,
        broken_at: None,
        head: last_seq.map(|s| (s, prev)),
    })
}

fn event_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        seq: r.get(0)?,
        at: r.get(1)?,
        on_date: r.get(2)?,
        kind: r.get(3)?,
        actor: r.get(4)?,
        customer_id: r.get(5)?,
        detail: r.get(6)?,
        data: r.get(7)?,
    })
}

/// An account's events dated on or before `as_of`, newest first.
pub fn for_customer<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
    limit: usize,
) -> Result<Vec<Event>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, on_date, kind, actor, customer_id, detail, data FROM events
         WHERE customer_id = ?1 AND on_date <= ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![customer_id, as_of, limit as i64], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What one person recorded, dated on or before `as_of`, newest first.
pub fn by_actor<'c>(
    conn: impl Into<Db<'c>>,
    actor: &str,
    as_of: NaiveDate,
    limit: usize,
) -> Result<Vec<Event>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, on_date, kind, actor, customer_id, detail, data FROM events
         WHERE actor = ?1 AND on_date <= ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![actor, as_of, limit as i64], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Events of some kinds dated within `[from, to]`, oldest first.
pub fn between<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    kinds: &[EventKind],
) -> Result<Vec<Event>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, on_date, kind, actor, customer_id, detail, data FROM events
         WHERE on_date BETWEEN ?1 AND ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![from, to], event_from_row)?;
    let mut out = Vec::new();
    for e in rows {
        let e = e?;
        if kinds.is_empty() || kinds.contains(&e.kind) {
            out.push(e);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreError};

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default()
    }

    fn record(store: &mut Store, n: usize) -> Result<()> {
        let keying = store.keying().clone();
        store.write(|tx| {
            let mut log = EventLog::open(tx, &keying, Utc::now())?;
            for i in 0..n {
                log.append(
                    tx,
                    &NewEvent {
                        on_date: day(),
                        kind: EventKind::Note,
                        actor: "ana",
                        customer_id: None,
                        detail: format!("note {i}"),
                        data: serde_json::json!({ "i": i }),
                    },
                )?;
            }
            Ok::<_, StoreError>(())
        })
    }

    fn check(store: &Store) -> Result<Verification> {
        let keys = match store.keying() {
            Keying::Keyed(k) => Keys::Key(k),
            _ => Keys::None,
        };
        verify(store.conn(), keys)
    }

    #[test]
    fn the_chain_verifies_and_catches_edits_behind_our_back() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let path = dir.path().join("a.db");
        let mut store = Store::create(&path, "USD")?;
        record(&mut store, 3)?;
        record(&mut store, 2)?;
        let v = check(&store)?;
        assert_eq!(v.events, 5);
        assert_eq!(v.broken_at, None);
        assert_eq!(v.head.as_ref().map(|h| h.0), Some(5));

        // Someone drops the trigger and edits a row with the sqlite3 shell.
        store.conn().execute_batch(
            "DROP TRIGGER events_no_update; UPDATE events SET detail = 'note 99' WHERE seq = 4;",
        )?;
        let v = check(&store)?;
        assert_eq!(v.broken_at.map(|(seq, _)| seq), Some(4));

        // Deleting a row in the middle breaks the chain at the next one.
        let mut fresh = Store::create(&dir.path().join("b.db"), "USD")?;
        record(&mut fresh, 4)?;
        fresh
            .conn()
            .execute_batch("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 2;")?;
        let v = check(&fresh)?;
        assert_eq!(v.broken_at.map(|(seq, _)| seq), Some(3));
        Ok(())
    }

    #[test]
    fn a_chain_recomputed_without_the_key_does_not_verify() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut store = Store::create(&dir.path().join("a.db"), "USD")?;
        record(&mut store, 3)?;
        // Rewrite event 2 and re-chain it and event 3 with plain SHA-256, as someone
        // who read this file but has no key would.
        store
            .conn()
            .execute_batch("DROP TRIGGER events_no_update;")?;
        let rows: Vec<(i64, [String; 7])> = store
            .conn()
            .prepare("SELECT seq, at, on_date, kind, actor, COALESCE(customer_id, ''), detail, data FROM events ORDER BY seq")?
            .query_map([], |r| {
                Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?]))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut prev = hash_of(store.conn(), 1)?.unwrap_or_default();
        for (seq, c) in rows.iter().skip(1) {
            let detail = if *seq == 2 { "forged" } else { c[5].as_str() };
            let f = Fields {
                at: &c[0],
                on_date: &c[1],
                kind: &c[2],
                actor: &c[3],
                customer_id: &c[4],
                detail,
                data: &c[6],
            };
            let h = chain_hash(None, &prev, &f);
            store.conn().execute(
                "UPDATE events SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
                params![seq, detail, prev, h],
            )?;
            prev = h;
        }
        let v = check(&store)?;
        let (seq, why) = v.broken_at.unwrap_or_default();
        assert_eq!(seq, 2);
        assert!(why.contains("audit key"), "{why}");
        // Without the key, only the links are checked, and they hold.
        assert_eq!(verify(store.conn(), Keys::Absent(1))?.broken_at, None);
        Ok(())
    }
}
