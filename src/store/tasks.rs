//! Queue items ("tasks"): step tasks, callbacks, follow-ups and approvals.

use super::db::{Db, Row};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use crate::domain::{Customer, ItemAction, ItemOutcome, Reason};
use crate::strategy::Assignee;

/// A stored queue item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: i64,
    pub customer_id: String,
    pub reason: Reason,
    /// What to do: a step action (`call`, `email`, …), `follow_up`, `release_hold`, …
    pub action: ItemAction,
    pub assignee: Assignee,
    pub cycle_id: Option<i64>,
    pub step_index: Option<usize>,
    pub step_id: Option<String>,
    pub ref_id: Option<i64>,
    pub note: String,
    pub due: NaiveDate,
    pub created_on: NaiveDate,
    pub created_by: String,
    pub done_on: Option<NaiveDate>,
    pub done_by: Option<String>,
    pub outcome: Option<ItemOutcome>,
}

/// A queue item about to be created.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub customer_id: &'a str,
    pub reason: Reason,
    pub action: ItemAction,
    pub assignee: Assignee,
    pub cycle_id: Option<i64>,
    pub step_index: Option<usize>,
    pub step_id: Option<&'a str>,
    pub ref_id: Option<i64>,
    pub note: &'a str,
    pub due: NaiveDate,
    pub created_on: NaiveDate,
    pub created_by: &'a str,
}

const COLUMNS: &str = "id, customer_id, reason, action, assignee, cycle_id, step_index, step_id, ref_id, note, due, created_on, created_by, done_on, outcome, done_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        reason: r.get(2)?,
        action: r.get(3)?,
        assignee: r.get(4)?,
        cycle_id: r.get(5)?,
        step_index: r.get::<_, Option<i64>>(6)?.map(|i| i as usize),
        step_id: r.get(7)?,
        ref_id: r.get(8)?,
        note: r.get(9)?,
        due: r.get(10)?,
        created_on: r.get(11)?,
        created_by: r.get(12)?,
        done_on: r.get(13)?,
        done_by: r.get(15)?,
        outcome: r.get(14)?,
    })
}

pub fn insert<'c>(conn: impl Into<Db<'c>>, t: &NewTask<'_>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO tasks (customer_id, reason, action, assignee, cycle_id, step_index, step_id, ref_id, note, due, created_on, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        t.customer_id,
        t.reason,
        t.action,
        t.assignee,
        t.cycle_id,
        t.step_index.map(|i| i as i64),
        t.step_id,
        t.ref_id,
        t.note,
        t.due,
        t.created_on,
        t.created_by
    ])?;
    Ok(conn.last_insert_rowid()?)
}

pub fn get<'c>(conn: impl Into<Db<'c>>, id: i64) -> Result<Option<TaskRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// Closes an item: `done`, `cancelled`, `approved` or `rejected`. Returns false, changing
/// nothing, when it was already closed (whatever date a caller looks at it as of).
pub fn finish<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    on: NaiveDate,
    by: &str,
    outcome: ItemOutcome,
    note: &str,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE tasks SET done_on = ?2, done_by = ?3, outcome = ?4, done_note = ?5 WHERE id = ?1 AND done_on IS NULL",
        )?
        .execute(params![id, on, by, outcome, note])?;
    Ok(changed == 1)
}

/// An account's items open as of `as_of` (created by then, not finished by then),
/// whatever their due date, soonest due first.
pub fn open_for_customer<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<TaskRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM tasks WHERE customer_id = ?1 AND created_on <= ?2 AND (done_on IS NULL OR done_on > ?2)
         ORDER BY due, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![customer_id, as_of], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A queue item together with its account's name and owner.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub task: TaskRow,
    /// The account, with the fields the queue shows and scores by (name, owner, risk as
    /// the shop gave it, segment, strategy override); its other fields are left empty.
    pub customer: Customer,
}

/// Whose items [`due_items`] returns.
#[derive(Debug, Clone, Copy)]
pub enum DueFilter<'a> {
    All,
    /// Owner items on the accounts this user owns.
    OwnedBy(&'a str),
    /// A supervisor's view: supervisor items, plus owner items on accounts this user
    /// owns or that nobody owns.
    Supervisor(&'a str),
}

/// Every item due on or before `as_of` and open then, for `filter`.
pub fn due_items<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    filter: DueFilter<'_>,
) -> Result<Vec<QueueRow>> {
    let conn: Db<'c> = conn.into();
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // Open items come from the covering partial index by due date and are matched to
    // the accounts afterwards (CROSS JOIN keeps SQLite from walking every task of every
    // account instead); only the items that match are read from the table.
    let (join, clause, who) = match filter {
        DueFilter::All => ("JOIN customers c ON c.id = t.customer_id", "", None),
        DueFilter::OwnedBy(u) => (
            "CROSS JOIN customers c INDEXED BY customers_owner ON c.owner = ?2 AND c.id = t.customer_id",
            " AND t.assignee = 'owner'",
            Some(u),
        ),
        DueFilter::Supervisor(u) => (
            "CROSS JOIN customers c ON c.id = t.customer_id",
            " AND (t.assignee = 'supervisor' OR c.owner IS NULL OR c.owner = ?2)",
            Some(u),
        ),
    };
    let sql = format!(
        "SELECT {cols}, c.name, c.owner, c.risk, c.segment, c.strategy, c.risk_set FROM tasks t INDEXED BY tasks_open {join}
         WHERE t.done_on IS NULL AND t.due <= ?1 AND t.created_on <= ?1{clause}
         UNION ALL
         SELECT {cols}, c.name, c.owner, c.risk, c.segment, c.strategy, c.risk_set FROM tasks t {join}
         WHERE t.done_on > ?1 AND t.due <= ?1 AND t.created_on <= ?1{clause}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &Row<'_>| {
        Ok(QueueRow {
            task: from_row(r)?,
            customer: {
                let mut c = Customer::named(&r.get::<_, String>(1)?, &r.get::<_, String>(16)?);
                c.owner = r.get(17)?;
                c.risk = r.get(18)?;
                c.segment = r.get(19)?;
                c.strategy = r.get(20)?;
                c.risk_set = r.get(21)?;
                c
            },
        })
    };
    let mut rows = match who {
        Some(u) => stmt
            .query_map(params![as_of, u], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => stmt
            .query_map(params![as_of], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    if let DueFilter::OwnedBy(u) = filter {
        owned_then(
            conn,
            as_of,
            u,
            &mut rows,
            &sql.replace(join, ACCOUNT_JOIN),
            &map,
        )?;
    }
    Ok(rows)
}

/// One account's items, in place of a collector's accounts in [`due_items`].
const ACCOUNT_JOIN: &str = "JOIN customers c ON c.id = t.customer_id AND c.id = ?2";

/// A collector's queue on a past day holds the accounts they owned then: those moved
/// to them since are taken out, those moved away from them since are read back (by
/// the moves in the record, as a past period's activity is), owner as then.
fn owned_then(
    conn: Db<'_>,
    as_of: NaiveDate,
    user: &str,
    rows: &mut Vec<QueueRow>,
    one_account: &str,
    map: &dyn Fn(&Row<'_>) -> rusqlite::Result<QueueRow>,
) -> Result<()> {
    let owners = super::figures::Owners::after(conn, as_of)?;
    rows.retain(|r| {
        owners
            .on(&r.customer.id, as_of, r.customer.owner.clone())
            .as_deref()
            == Some(user)
    });
    let mut stmt = conn.prepare_cached(one_account)?;
    for id in owners.moved_away_from(user, as_of) {
        for row in stmt.query_map(params![as_of, id], map)? {
            let mut row = row?;
            row.customer.owner = Some(user.to_string());
            rows.push(row);
        }
    }
    Ok(())
}
