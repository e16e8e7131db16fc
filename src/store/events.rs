//! The record: an append-only table of events, each row carrying the SHA-256 of the
//! row before it. Triggers refuse UPDATE and DELETE; [`verify`] recomputes the chain
//! and so also catches a row edited behind arq's back (with the triggers dropped).

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Result;
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
    at: String,
}

/// Formats a timestamp the way events store it (UTC, microseconds).
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl EventLog {
    /// Starts appending; call inside a `BEGIN IMMEDIATE` transaction so the head
    /// cannot move under us.
    pub fn open(conn: &Connection, now: DateTime<Utc>) -> Result<EventLog> {
        let prev: Option<String> = conn
            .query_row(
                "SELECT hash FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(EventLog {
            prev: prev.unwrap_or_else(|| GENESIS.to_string()),
            at: timestamp(now),
        })
    }

    pub fn append(&mut self, conn: &Connection, ev: &NewEvent<'_>) -> Result<i64> {
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
        let hash = chain_hash(&self.prev, &fields);
        let mut stmt = conn.prepare_cached(
            "INSERT INTO events (at, on_date, kind, actor, customer_id, detail, data, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        stmt.execute(params![
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
        Ok(conn.last_insert_rowid())
    }
}

struct Fields<'a> {
    at: &'a str,
    on_date: &'a str,
    kind: &'a str,
    actor: &'a str,
    customer_id: &'a str,
    detail: &'a str,
    data: &'a str,
}

fn chain_hash(prev: &str, f: &Fields<'_>) -> String {
    let mut h = Sha256::new();
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
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub events: u64,
    /// The first event whose row does not match the chain, with why.
    pub broken_at: Option<(i64, String)>,
}

/// How many events there are.
pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
    Ok(n as u64)
}

/// Recomputes every hash in order.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, on_date, kind, actor, COALESCE(customer_id, ''), detail, data, prev_hash, hash FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0u64;
    let mut expected_seq = None;
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
            return Ok(Verification {
                events: count,
                broken_at: Some((seq, format!("events {want}..{} are missing", seq - 1))),
            });
        }
        if prev_hash != prev {
            return Ok(Verification {
                events: count,
                broken_at: Some((seq, "does not follow the event before it".into())),
            });
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
        if chain_hash(&prev, &fields) != hash {
            return Ok(Verification {
                events: count,
                broken_at: Some((seq, "its content was changed after it was recorded".into())),
            });
        }
        prev = hash;
        expected_seq = Some(seq + 1);
    }
    Ok(Verification {
        events: count,
        broken_at: None,
    })
}

fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
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
pub fn for_customer(
    conn: &Connection,
    customer_id: &str,
    as_of: NaiveDate,
    limit: usize,
) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, on_date, kind, actor, customer_id, detail, data FROM events
         WHERE customer_id = ?1 AND on_date <= ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![customer_id, as_of, limit as i64], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What one person recorded, dated on or before `as_of`, newest first.
pub fn by_actor(
    conn: &Connection,
    actor: &str,
    as_of: NaiveDate,
    limit: usize,
) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, on_date, kind, actor, customer_id, detail, data FROM events
         WHERE actor = ?1 AND on_date <= ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![actor, as_of, limit as i64], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Events of some kinds dated within `[from, to]`, oldest first.
pub fn between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    kinds: &[EventKind],
) -> Result<Vec<Event>> {
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
        store.write(|tx| {
            let mut log = EventLog::open(tx, Utc::now())?;
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

    #[test]
    fn the_chain_verifies_and_catches_edits_behind_our_back() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let path = dir.path().join("a.db");
        let mut store = Store::create(&path, "USD")?;
        record(&mut store, 3)?;
        record(&mut store, 2)?;
        let v = verify(store.conn())?;
        assert_eq!(
            v,
            Verification {
                events: 5,
                broken_at: None
            }
        );

        // Someone drops the trigger and edits a row with the sqlite3 shell.
        store.conn().execute_batch(
            "DROP TRIGGER events_no_update; UPDATE events SET detail = 'note 99' WHERE seq = 4;",
        )?;
        let v = verify(store.conn())?;
        assert_eq!(v.broken_at.map(|(seq, _)| seq), Some(4));

        // Deleting a row in the middle breaks the chain at the next one.
        let mut fresh = Store::create(&dir.path().join("b.db"), "USD")?;
        record(&mut fresh, 4)?;
        fresh
            .conn()
            .execute_batch("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 2;")?;
        let v = verify(fresh.conn())?;
        assert_eq!(v.broken_at.map(|(seq, _)| seq), Some(3));
        Ok(())
    }
}
