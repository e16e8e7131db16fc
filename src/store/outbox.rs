//! The outbox: messages the run rendered, waiting to be delivered.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
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

const COLUMNS: &str = "id, customer_id, channel, template, message_id, recipient, subject, body_text, body_html, created_on, status, attempts, last_error, sent_at";

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
    })
}

/// Queues a message. A message with the same Message-ID is never queued twice:
/// returns `None` when it already exists.
pub fn insert(conn: &Connection, m: &NewMessage<'_>) -> Result<Option<i64>> {
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
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

/// Messages, newest first; `status` filters (`pending`, `sent`, `cancelled`).
pub fn list(conn: &Connection, status: Option<&str>, limit: usize) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![status, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<OutboxRow>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

pub fn mark_sent(conn: &Connection, id: i64, at: &str) -> Result<()> {
    conn.prepare_cached("UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}

pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
    )?
    .execute(params![id, error])?;
    Ok(())
}

pub fn cancel(conn: &Connection, id: i64, why: &str) -> Result<()> {
    conn.prepare_cached("UPDATE outbox SET status = 'cancelled', last_error = ?2 WHERE id = ?1")?
        .execute(params![id, why])?;
    Ok(())
}

/// Pending messages for one customer (for cancelling on cure).
pub fn pending_for(conn: &Connection, customer_id: &str) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM outbox WHERE customer_id = ?1 AND status = 'pending'")?;
    let rows = stmt.query_map([customer_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
