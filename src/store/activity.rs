//! What collectors record about an account: calls, promises, disputes, payment plans
//! and credit holds. Every query that answers "as of a date" ignores rows dated after it.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Result;
use crate::domain::{CallOutcome, DisputeReason, DisputeStatus, Money, PromiseStatus};
use crate::strategy::engine::{HoldState, OpenPromise};

// ---------------------------------------------------------------- calls

pub struct NewCall<'a> {
    pub customer_id: &'a str,
    pub on_date: NaiveDate,
    pub at: &'a str,
    pub by: &'a str,
    pub outcome: CallOutcome,
    pub note: &'a str,
}

pub fn insert_call<'c>(conn: impl Into<Db<'c>>, c: &NewCall<'_>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("INSERT INTO calls (customer_id, on_date, at, by, outcome, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![c.customer_id, c.on_date, c.at, c.by, c.outcome, c.note])?;
    Ok(conn.last_insert_rowid()?)
}

/// A call as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallRow {
    pub id: i64,
    pub on_date: NaiveDate,
    pub at: String,
    pub by: String,
    pub outcome: CallOutcome,
    pub note: String,
}

/// The newest call on the account (0 when there is none).
pub fn last_call_id<'c>(conn: impl Into<Db<'c>>, customer_id: &str) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM calls WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?)
}

/// The account's calls recorded after call `after`, oldest first.
pub fn calls_after<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    after: i64,
) -> Result<Vec<CallRow>> {
    let conn: Db<'c> = conn.into();
    let mut st = conn.prepare_cached(
        "SELECT id, on_date, at, by, outcome, note FROM calls WHERE customer_id = ?1 AND id > ?2 ORDER BY id",
    )?;
    let rows = st.query_map(params![customer_id, after], |r| {
        Ok(CallRow {
            id: r.get(0)?,
            on_date: r.get(1)?,
            at: r.get(2)?,
            by: r.get(3)?,
            outcome: r.get(4)?,
            note: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------- promises

/// A promise as shown on the account screen, with its status as of the date asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromiseRow {
    pub promise_id: i64,
    pub amount: Money,
    pub date: NaiveDate,
    pub status: PromiseStatus,
    pub taken_on: NaiveDate,
    pub taken_by: String,
    pub note: String,
}

pub struct NewPromise<'a> {
    pub customer_id: &'a str,
    pub amount: Money,
    pub date: NaiveDate,
    pub taken_on: NaiveDate,
    pub by: &'a str,
    pub note: &'a str,
    pub grace_days: u32,
}

pub fn insert_promise<'c>(conn: impl Into<Db<'c>>, p: &NewPromise<'_>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO promises (customer_id, amount, date, taken_on, taken_by, note, grace_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![p.customer_id, p.amount, p.date, p.taken_on, p.by, p.note, p.grace_days])?;
    Ok(conn.last_insert_rowid()?)
}

/// Promises taken by `as_of` and not yet judged as of then.
pub fn open_promises<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<OpenPromise>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id, amount, date, taken_on, grace_days FROM promises
         WHERE customer_id = ?1 AND taken_on <= ?2 AND (evaluated_on IS NULL OR evaluated_on > ?2) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![customer_id, as_of], |r| {
        Ok(OpenPromise {
            id: r.get(0)?,
            amount: r.get(1)?,
            date: r.get(2)?,
            taken_on: r.get(3)?,
            grace_days: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_promise_verdict<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    status: PromiseStatus,
    paid: Money,
    on: NaiveDate,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE promises SET status = ?2, paid = ?3, evaluated_on = ?4 WHERE id = ?1",
    )?
    .execute(params![id, status, paid, on])?;
    Ok(())
}

/// Closes a promise that is still open as replaced or cancelled; false, changing
/// nothing, when it was no longer open.
pub fn close_promise<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    status: PromiseStatus,
    on: NaiveDate,
    by: &str,
    note: &str,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE promises SET status = ?2, evaluated_on = ?3, closed_by = ?4, close_note = ?5
             WHERE id = ?1 AND evaluated_on IS NULL",
        )?
        .execute(params![id, status, on, by, note])?;
    Ok(changed == 1)
}

/// Who holds a promise: (customer, taker, still open).
pub fn promise_owner<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
) -> Result<Option<(String, String, bool)>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached(
            "SELECT customer_id, taken_by, evaluated_on IS NULL FROM promises WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// A customer's promises taken by `as_of`, newest first, with their status then.
pub fn promises_for<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<PromiseRow>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id, amount, date, CASE WHEN evaluated_on IS NOT NULL AND evaluated_on <= ?2 THEN status ELSE 'open' END,
                taken_on, taken_by, note
         FROM promises WHERE customer_id = ?1 AND taken_on <= ?2 ORDER BY taken_on DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![customer_id, as_of], |r| {
        Ok(PromiseRow {
            promise_id: r.get(0)?,
            amount: r.get(1)?,
            date: r.get(2)?,
            status: r.get(3)?,
            taken_on: r.get(4)?,
            taken_by: r.get(5)?,
            note: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Promises found broken within the 90 days up to `as_of`.
pub fn broken_promises_90d<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<u32> {
    let conn: Db<'c> = conn.into();
    let from = as_of - chrono::Duration::days(89);
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM promises WHERE customer_id = ?1 AND status = 'broken' AND evaluated_on BETWEEN ?2 AND ?3",
        )?
        .query_row(params![customer_id, from, as_of], |r| r.get(0))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

// ---------------------------------------------------------------- disputes

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisputeRow {
    pub dispute_id: i64,
    pub customer_id: String,
    pub invoice_no: String,
    pub amount: Money,
    pub reason: DisputeReason,
    pub status: DisputeStatus,
    pub note: String,
    pub opened_on: NaiveDate,
    pub follow_up: Option<NaiveDate>,
}

pub struct NewDispute<'a> {
    pub customer_id: &'a str,
    pub invoice_no: &'a str,
    pub amount: Money,
    pub reason: DisputeReason,
    pub note: &'a str,
    pub follow_up: Option<NaiveDate>,
    pub opened_on: NaiveDate,
    pub by: &'a str,
}

pub fn insert_dispute<'c>(conn: impl Into<Db<'c>>, d: &NewDispute<'_>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO disputes (customer_id, invoice_no, amount, reason, note, follow_up, opened_on, opened_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![d.customer_id, d.invoice_no, d.amount, d.reason, d.note, d.follow_up, d.opened_on, d.by])?;
    Ok(conn.last_insert_rowid()?)
}

const DISPUTE_COLUMNS: &str = "id, customer_id, invoice_no, amount, reason,
    CASE WHEN resolved_on IS NOT NULL AND resolved_on <= ?2 THEN status ELSE 'open' END, note, opened_on, follow_up";

fn dispute_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<DisputeRow> {
    Ok(DisputeRow {
        dispute_id: r.get(0)?,
        customer_id: r.get(1)?,
        invoice_no: r.get(2)?,
        amount: r.get(3)?,
        reason: r.get(4)?,
        status: r.get(5)?,
        note: r.get(6)?,
        opened_on: r.get(7)?,
        follow_up: r.get(8)?,
    })
}

/// One dispute with its status as of `as_of`.
pub fn get_dispute<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    as_of: NaiveDate,
) -> Result<Option<DisputeRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!("SELECT {DISPUTE_COLUMNS} FROM disputes WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, as_of], dispute_from_row)
        .optional()?)
}

/// A customer's disputes opened by `as_of`, newest first.
pub fn disputes_for<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<DisputeRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {DISPUTE_COLUMNS} FROM disputes WHERE customer_id = ?1 AND opened_on <= ?2 ORDER BY opened_on DESC, id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![customer_id, as_of], dispute_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every dispute open as of `as_of`, oldest first.
pub fn open_disputes<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate) -> Result<Vec<DisputeRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {DISPUTE_COLUMNS} FROM disputes WHERE opened_on <= ?2 AND (resolved_on IS NULL OR resolved_on > ?2)
         ORDER BY opened_on, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    // The shared column list reads the date from ?2; ?1 is unused here.
    let rows = stmt.query_map(params![0, as_of], dispute_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The ids of one account's disputes open as of `as_of`.
pub fn open_dispute_ids<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<i64>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM disputes WHERE customer_id = ?1 AND opened_on <= ?2 AND (resolved_on IS NULL OR resolved_on > ?2)
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![customer_id, as_of], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (customer, dispute id) of every dispute open as of `as_of`.
pub fn open_dispute_ids_all<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<Vec<(String, i64)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, id FROM disputes WHERE opened_on <= ?1 AND (resolved_on IS NULL OR resolved_on > ?1)
         ORDER BY id",
    )?;
    let rows = stmt.query_map([as_of], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records a dispute's resolution; false, changing nothing, when it was already resolved.
pub fn resolve_dispute<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    status: DisputeStatus,
    credited: Money,
    on: NaiveDate,
    by: &str,
    note: &str,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE disputes SET status = ?2, credited = ?3, resolved_on = ?4, resolved_by = ?5, resolution_note = ?6
             WHERE id = ?1 AND resolved_on IS NULL",
        )?
        .execute(params![id, status, credited, on, by, note])?;
    Ok(changed == 1)
}

// ---------------------------------------------------------------- holds

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldRow {
    pub hold_id: i64,
    pub customer_id: String,
    pub set_on: NaiveDate,
    pub set_by: String,
    pub reason: String,
    pub by_step: bool,
    pub over_limit: bool,
}

impl HoldRow {
    pub fn state(&self) -> HoldState {
        HoldState {
            id: self.hold_id,
            since: self.set_on,
            by_step: self.by_step,
            over_limit: self.over_limit,
        }
    }
}

const HOLD_COLUMNS: &str = "id, customer_id, set_on, set_by, reason, by_step, over_limit";

fn hold_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<HoldRow> {
    Ok(HoldRow {
        hold_id: r.get(0)?,
        customer_id: r.get(1)?,
        set_on: r.get(2)?,
        set_by: r.get(3)?,
        reason: r.get(4)?,
        by_step: r.get(5)?,
        over_limit: r.get(6)?,
    })
}

/// The hold in force on `as_of`, if any.
pub fn active_hold<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<HoldRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM holds WHERE customer_id = ?1 AND set_on <= ?2
         AND (released_on IS NULL OR released_on > ?2) ORDER BY set_on DESC, id DESC LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![customer_id, as_of], hold_from_row)
        .optional()?)
}

/// Every hold in force on `as_of`, oldest first.
pub fn active_holds<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate) -> Result<Vec<HoldRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {HOLD_COLUMNS} FROM holds WHERE set_on <= ?1 AND (released_on IS NULL OR released_on > ?1) ORDER BY set_on, customer_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([as_of], hold_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_hold<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    on: NaiveDate,
    by: &str,
    reason: &str,
    by_step: bool,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("INSERT INTO holds (customer_id, set_on, set_by, reason, by_step) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![customer_id, on, by, reason, by_step])?;
    Ok(conn.last_insert_rowid()?)
}

/// Marks a hold as standing (also) for a strategy step or for the credit limit, so the
/// run releases it only when neither holds any more.
pub fn mark_hold<'c>(
    conn: impl Into<Db<'c>>,
    hold_id: i64,
    by_step: bool,
    over_limit: bool,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE holds SET by_step = MAX(by_step, ?2), over_limit = MAX(over_limit, ?3) WHERE id = ?1",
    )?
    .execute(params![hold_id, by_step, over_limit])?;
    Ok(())
}

/// Releases a hold; false, changing nothing, when it was already released.
pub fn release_hold<'c>(
    conn: impl Into<Db<'c>>,
    hold_id: i64,
    on: NaiveDate,
    by: &str,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE holds SET released_on = ?2, released_by = ?3 WHERE id = ?1 AND released_on IS NULL",
        )?
        .execute(params![hold_id, on, by])?;
    Ok(changed == 1)
}

// ---------------------------------------------------------------- responses

/// The latest response dated on or before `as_of`: a payment, a promise, a dispute,
/// or a call that reached the customer (DESIGN §2).
pub fn last_response<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let conn: Db<'c> = conn.into();
    let d = conn
        .prepare_cached(
            "SELECT MAX(d) FROM (
                SELECT MAX(date) AS d FROM payments WHERE customer_id = ?1 AND date <= ?2
                UNION ALL SELECT MAX(taken_on) FROM promises WHERE customer_id = ?1 AND taken_on <= ?2
                UNION ALL SELECT MAX(opened_on) FROM disputes WHERE customer_id = ?1 AND opened_on <= ?2
                UNION ALL SELECT MAX(on_date) FROM calls WHERE customer_id = ?1 AND on_date <= ?2
                          AND outcome IN ('reached', 'refused')) AS touched",
        )?
        .query_row(params![customer_id, as_of], |r| r.get::<_, Option<NaiveDate>>(0))?;
    Ok(d)
}

/// The latest day, on or before `as_of`, a promise or plan was found broken.
pub fn last_broken<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let conn: Db<'c> = conn.into();
    let d = conn
        .prepare_cached(
            "SELECT MAX(d) FROM (
                SELECT MAX(evaluated_on) AS d FROM promises WHERE customer_id = ?1 AND status = 'broken' AND evaluated_on <= ?2
                UNION ALL SELECT MAX(ended_on) FROM plans WHERE customer_id = ?1 AND status = 'broken' AND ended_on <= ?2) AS broken",
        )?
        .query_row(params![customer_id, as_of], |r| r.get::<_, Option<NaiveDate>>(0))?;
    Ok(d)
}
