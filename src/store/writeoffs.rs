//! Write-off requests and their decisions. The written-off balance itself is an
//! allocation of kind `write_off` dated the approval day (see `ledger`).

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use crate::domain::{Money, WriteOffStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOffRow {
    pub id: i64,
    pub customer_id: String,
    pub requested_on: NaiveDate,
    pub requested_by: String,
    pub note: String,
    pub status: WriteOffStatus,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    /// (invoice, amount written off once approved)
    pub invoices: Vec<(String, Option<Money>)>,
}

pub fn request<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    invoices: &[String],
    on: NaiveDate,
    by: &str,
    note: &str,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO write_offs (customer_id, requested_on, requested_by, note) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![customer_id, on, by, note])?;
    let id = conn.last_insert_rowid()?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO write_off_invoices (write_off_id, invoice_no) VALUES (?1, ?2)",
    )?;
    for no in invoices {
        stmt.execute(params![id, no])?;
    }
    Ok(id)
}

pub fn get<'c>(conn: impl Into<Db<'c>>, id: i64) -> Result<Option<WriteOffRow>> {
    let conn: Db<'c> = conn.into();
    let row = conn
        .prepare_cached(
            "SELECT id, customer_id, requested_on, requested_by, note, status, decided_on, decided_by
             FROM write_offs WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(WriteOffRow {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                requested_on: r.get(2)?,
                requested_by: r.get(3)?,
                note: r.get(4)?,
                status: r.get(5)?,
                decided_on: r.get(6)?,
                decided_by: r.get(7)?,
                invoices: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut w) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_no, amount FROM write_off_invoices WHERE write_off_id = ?1 ORDER BY invoice_no",
    )?;
    w.invoices = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(w))
}

/// Invoices of an account in a request that is still waiting for a decision.
pub fn pending_invoices<'c>(conn: impl Into<Db<'c>>, customer_id: &str) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT i.invoice_no FROM write_offs w JOIN write_off_invoices i ON i.write_off_id = w.id
         WHERE w.customer_id = ?1 AND w.status = 'requested' ORDER BY i.invoice_no",
    )?;
    let rows = stmt.query_map([customer_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records the decision on a request still waiting for one; false when it was decided.
pub fn decide<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    status: WriteOffStatus,
    on: NaiveDate,
    by: &str,
    note: &str,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE write_offs SET status = ?2, decided_on = ?3, decided_by = ?4, decision_note = ?5
             WHERE id = ?1 AND status = 'requested'",
        )?
        .execute(params![id, status, on, by, note])?;
    Ok(changed == 1)
}

/// Records how much of an invoice an approved request wrote off.
pub fn set_amount<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    invoice_no: &str,
    amount: Money,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE write_off_invoices SET amount = ?3 WHERE write_off_id = ?1 AND invoice_no = ?2",
    )?
    .execute(params![id, invoice_no, amount])?;
    Ok(())
}

/// What was written off from an account's invoices, as of a day.
pub fn written_off<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    let m: Option<Money> = conn
        .prepare_cached(
            "SELECT SUM(amount) FROM allocations WHERE customer_id = ?1 AND kind = 'write_off' AND date <= ?2",
        )?
        .query_row(params![customer_id, as_of], |r| r.get(0))?;
    Ok(m.unwrap_or_default())
}

/// What was written off up to a day, by customer.
pub fn written_off_by_customer<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<std::collections::HashMap<String, Money>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, SUM(amount) FROM allocations WHERE kind = 'write_off' AND date <= ?1 GROUP BY customer_id",
    )?;
    let rows = stmt.query_map([as_of], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
