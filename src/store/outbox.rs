//! The outbox: messages the run (or a person) queued, and where each delivery stands.
//!
//! Statuses: `pending` (waiting, or failed and waiting for the next send), `sending`
//! (claimed by a send; if it stays so, the delivery is in doubt), `sent`, `cancelled`.
//! Every change of status is one short statement so a send never holds the write lock
//! while it talks to a server.

use super::db::{Db, Row};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Result;
use crate::domain::Channel;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub customer_id: String,
    pub channel: Channel,
    pub template: String,
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_on: NaiveDate,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub created_by: String,
    /// The cycle and step that queued it; `None` for a message a person queued.
    pub cycle_id: Option<i64>,
    pub step_index: Option<i64>,
    /// When a send claimed it (status `sending`).
    pub claimed_at: Option<String>,
}

impl OutboxRow {
    /// Queued by a strategy step (not by a person).
    pub fn is_automatic(&self) -> bool {
        self.cycle_id.is_some()
    }
}

pub struct NewMessage<'a> {
    pub customer_id: &'a str,
    pub channel: Channel,
    pub template: &'a str,
    pub message_id: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: Option<&'a str>,
    pub created_on: NaiveDate,
    pub created_by: &'a str,
    pub cycle_id: Option<i64>,
    pub step_index: Option<usize>,
}

/// The statuses a message can have.
pub const STATUSES: &[&str] = &["pending", "sending", "sent", "cancelled"];

const COLUMNS: &str = "id, customer_id, channel, template, message_id, recipient, subject, body_text, body_html, created_on, status, attempts, last_error, sent_at, created_by, cycle_id, step_index, claimed_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        channel: r.get(2)?,
        template: r.get(3)?,
        message_id: r.get(4)?,
        recipient: r.get(5)?,
        subject: r.get(6)?,
        body_text: r.get(7)?,
        body_html: r.get(8)?,
        created_on: r.get(9)?,
        status: r.get(10)?,
        attempts: r.get(11)?,
        last_error: r.get(12)?,
        sent_at: r.get(13)?,
        created_by: r.get(14)?,
        cycle_id: r.get(15)?,
        step_index: r.get(16)?,
        claimed_at: r.get(17)?,
    })
}

/// Queues a message. A message with the same Message-ID is never queued twice:
/// returns `None` when it already exists.
pub fn insert<'c>(conn: impl Into<Db<'c>>, m: &NewMessage<'_>) -> Result<Option<i64>> {
    let conn: Db<'c> = conn.into();
    let n = conn
        .prepare_cached(
            "INSERT INTO outbox (customer_id, channel, template, message_id, recipient, subject, body_text, body_html,
                                 created_on, created_by, cycle_id, step_index)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (message_id) DO NOTHING",
        )?
        .execute(params![
            m.customer_id,
            m.channel,
            m.template,
            m.message_id,
            m.recipient,
            m.subject,
            m.body_text,
            m.body_html,
            m.created_on,
            m.created_by,
            m.cycle_id,
            m.step_index.map(|i| i as i64)
        ])?;
    if n != 1 {
        return Ok(None);
    }
    Ok(Some(conn.last_insert_rowid()?))
}

/// The id the next inserted message will get (call inside the write transaction
/// that inserts it; rows are never deleted, so ids are never reused).
pub fn next_id<'c>(conn: impl Into<Db<'c>>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    Ok(
        conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM outbox", [], |r| {
            r.get(0)
        })?,
    )
}

/// Messages, newest first; `status` filters (`pending`, `sending`, `sent`, `cancelled`).
/// How many messages are pending (of `owner`'s customers, or all), and the day the
/// oldest of them was queued.
pub fn pending_summary<'c>(
    conn: impl Into<Db<'c>>,
    owner: Option<&str>,
) -> Result<(u64, Option<NaiveDate>)> {
    let conn: Db<'c> = conn.into();
    let read = |r: &super::db::Row<'_>| Ok((r.get::<_, i64>(0)?, r.get(1)?));
    let (n, oldest): (i64, Option<NaiveDate>) = match owner {
        None => conn.query_row(
            "SELECT COUNT(*), MIN(created_on) FROM outbox WHERE status = 'pending'",
            [],
            read,
        )?,
        Some(owner) => conn.query_row(
            "SELECT COUNT(*), MIN(o.created_on) FROM outbox o
             WHERE o.status = 'pending'
               AND o.customer_id IN (SELECT id FROM customers WHERE owner = ?1)",
            [owner],
            read,
        )?,
    };
    Ok((n.max(0) as u64, oldest))
}

pub fn list<'c>(
    conn: impl Into<Db<'c>>,
    status: Option<&str>,
    limit: usize,
) -> Result<Vec<OutboxRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![status, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Messages of the customers `owner` is assigned, newest first (a collector's list).
pub fn list_for_owner<'c>(
    conn: impl Into<Db<'c>>,
    status: Option<&str>,
    owner: &str,
    limit: usize,
) -> Result<Vec<OutboxRow>> {
    let conn: Db<'c> = conn.into();
    let cols: Vec<String> = COLUMNS.split(", ").map(|c| format!("o.{c}")).collect();
    let sql = format!(
        "SELECT {} FROM outbox o JOIN customers c ON c.id = o.customer_id
         WHERE c.owner = ?2 AND (CAST(?1 AS TEXT) IS NULL OR o.status = ?1) ORDER BY o.id DESC LIMIT ?3",
        cols.join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![status, owner, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One customer's messages, newest first.
pub fn for_customer<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    limit: usize,
) -> Result<Vec<OutboxRow>> {
    let conn: Db<'c> = conn.into();
    let sql =
        format!("SELECT {COLUMNS} FROM outbox WHERE customer_id = ?1 ORDER BY id DESC LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![customer_id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Messages in `status`, oldest first (`sending` ones are few: claims in flight and
/// deliveries in doubt).
pub fn with_status<'c>(conn: impl Into<Db<'c>>, status: &str) -> Result<Vec<OutboxRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE status = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([status], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest pending message's id (0 when none is pending): a send delivers what
/// was pending when it started, not what is queued while it runs.
pub fn last_pending_id<'c>(conn: impl Into<Db<'c>>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM outbox WHERE status = 'pending'")?
        .query_row([], |r| r.get(0))?)
}

/// How many messages are pending with ids up to `upto`.
pub fn count_pending<'c>(conn: impl Into<Db<'c>>, upto: i64) -> Result<u64> {
    let conn: Db<'c> = conn.into();
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND id <= ?1")?
        .query_row([upto], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Up to `limit` pending messages with ids in `(after, upto]`, oldest first: one page
/// of a send, read through the pending index.
pub fn pending_page<'c>(
    conn: impl Into<Db<'c>>,
    after: i64,
    upto: i64,
    limit: usize,
) -> Result<Vec<OutboxRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![after, upto, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Of the messages whose ids are in the JSON array `ids`, those still pending, with
/// their attempts so far (read in the transaction that claims them).
pub fn still_pending<'c>(conn: impl Into<Db<'c>>, ids: &str) -> Result<Vec<(i64, i64)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id, attempts FROM outbox WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) AND status = 'pending'",
    )?;
    let rows = stmt.query_map([ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Claims the pending messages whose ids are in the JSON array `ids`
/// (`pending` → `sending`); returns how many it claimed.
pub fn claim_all<'c>(conn: impl Into<Db<'c>>, ids: &str, at: &str) -> Result<usize> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached(
            "UPDATE outbox SET status = 'sending', claimed_at = ?2
             WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) AND status = 'pending'",
        )?
        .execute(params![ids, at])?)
}

/// For the cycles whose ids are in the JSON array `cycles`, every message that was
/// not cancelled: (cycle, step index, outbox id). Re-checks tell from these whether a
/// later step's message replaced an earlier one.
pub fn cycle_messages<'c>(conn: impl Into<Db<'c>>, cycles: &str) -> Result<Vec<(i64, i64, i64)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT cycle_id, step_index, id FROM outbox INDEXED BY outbox_cycle
         WHERE cycle_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?1)) AND step_index IS NOT NULL AND status <> 'cancelled'",
    )?;
    let rows = stmt.query_map([cycles], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get<'c>(conn: impl Into<Db<'c>>, id: i64) -> Result<Option<OutboxRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// The transport accepted the message (delivered to `recipient`).
pub fn mark_sent<'c>(conn: impl Into<Db<'c>>, id: i64, at: &str, recipient: &str) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, recipient = ?3, attempts = attempts + 1, last_error = NULL
         WHERE id = ?1",
    )?
    .execute(params![id, at, recipient])?;
    Ok(())
}

/// The message certainly did not go out: back to pending, for the next send.
pub fn mark_failed<'c>(conn: impl Into<Db<'c>>, id: i64, error: &str) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?2, claimed_at = NULL
         WHERE id = ?1 AND status IN ('pending', 'sending')",
    )?
    .execute(params![id, error])?;
    Ok(())
}

/// The message may or may not have gone out: it stays `sending` until a person decides.
pub fn mark_in_doubt<'c>(conn: impl Into<Db<'c>>, id: i64, error: &str) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1 AND status = 'sending'",
    )?
    .execute(params![id, error])?;
    Ok(())
}

/// An in-doubt message goes back to pending (a person checked it did not arrive).
pub fn requeue<'c>(conn: impl Into<Db<'c>>, id: i64, note: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET status = 'pending', claimed_at = NULL, last_error = ?2 WHERE id = ?1 AND status = 'sending'",
        )?
        .execute(params![id, note])?;
    Ok(n == 1)
}

/// Cancels a message that has not been sent; false when it was already sent or cancelled.
pub fn cancel<'c>(conn: impl Into<Db<'c>>, id: i64, why: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET status = 'cancelled', last_error = ?2, claimed_at = NULL
             WHERE id = ?1 AND status IN ('pending', 'sending')",
        )?
        .execute(params![id, why])?;
    Ok(n == 1)
}

/// Cancels a message that has not been sent, without saying whether it was: on a
/// server the cancellations of one send go to it together (one round trip).
pub fn cancel_unsent<'c>(conn: impl Into<Db<'c>>, id: i64, why: &str) -> Result<()> {
    match conn.into() {
        Db::Pg(server) => Ok(server.defer(
            "UPDATE outbox SET status = 'cancelled', last_error = r.why, claimed_at = NULL
             FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS json)) AS r(id BIGINT, why TEXT)
             WHERE outbox.id = r.id AND outbox.status IN ('pending', 'sending')",
            serde_json::json!({"id": id, "why": why}),
        )?),
        conn => cancel(conn, id, why).map(|_| ()),
    }
}

/// Pending messages queued by strategy steps for one customer (cancelled on cure;
/// a confirmation a person queued still goes out).
pub fn pending_for<'c>(conn: impl Into<Db<'c>>, customer_id: &str) -> Result<Vec<i64>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM outbox WHERE customer_id = ?1 AND status = 'pending' AND cycle_id IS NOT NULL",
    )?;
    let rows = stmt.query_map([customer_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
