//! Dated totals for the supervisor's reports: balances by age as of a day, credit sales,
//! collections and write-offs in a period, and what each person did. Every query reads
//! the dated records, so any past period gives the same figures it gave then.

use std::collections::HashMap;

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::params;

use super::Result;
use super::snapshot::{self, Scope};
use super::sql::{date_at, text_at};
use crate::domain::{Aging, Money};
use crate::fasthash::{FastMap, FastSet};

/// Whose accounts a figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    Shop,
    /// The accounts a user owns now.
    Owner(&'a str),
}

impl Whose<'_> {
    /// ` AND {column} IN (the owner's accounts)`, or nothing for the whole shop.
    fn clause(self, column: &str, param: usize) -> String {
        match self {
            Whose::Shop => String::new(),
            Whose::Owner(_) => {
                format!(" AND {column} IN (SELECT id FROM customers WHERE owner = ?{param})")
            }
        }
    }
}

/// Runs a one-number query with `?1` and `?2` the period and `?3` the owner.
fn sum<'c>(
    conn: impl Into<Db<'c>>,
    sql: &str,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(sql)?;
    let m: Option<Money> = match whose {
        Whose::Shop => stmt.query_row(params![from, to], |r| r.get(0))?,
        Whose::Owner(o) => stmt.query_row(params![from, to, o], |r| r.get(0))?,
    };
    Ok(m.unwrap_or_default())
}

/// Open balances by age as of a day (positive balances, as the aging report shows
/// them), plus the disputed and collectible past-due parts, per customer.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub aging: Aging,
    pub by_customer: HashMap<String, (Aging, Money)>,
}

/// The ids of the accounts `whose` covers, or `None` for the whole shop.
fn owned<'c>(conn: impl Into<Db<'c>>, whose: Whose<'_>) -> Result<Option<FastSet<String>>> {
    let conn: Db<'c> = conn.into();
    let Whose::Owner(o) = whose else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached("SELECT id FROM customers WHERE owner = ?1")?;
    let ids = stmt.query_map([o], |r| r.get(0))?;
    Ok(Some(ids.collect::<rusqlite::Result<_>>()?))
}

/// Every open invoice as of `as_of`, by age, for `whose` accounts.
pub fn book_as_of<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate, whose: Whose<'_>) -> Result<Book> {
    let conn: Db<'c> = conn.into();
    let mine = owned(conn, whose)?;
    let keep = |cid: &str| mine.as_ref().is_none_or(|m| m.contains(cid));
    let mut book = Book::default();
    snapshot::open_positions(conn, as_of, Scope::Only(&keep), &mut |cid, inv| {
        if !inv.is_open() {
            return;
        }
        let dpd = inv.days_past_due(as_of);
        book.aging.add(dpd, inv.balance);
        let entry = book.by_customer.entry(cid.to_string()).or_default();
        entry.0.add(dpd, inv.balance);
        if dpd > 0 {
            entry.1 += inv.disputed_open();
        }
    })?;
    Ok(book)
}

/// The aging on a date of `whose` accounts: [`book_as_of`] without the per-customer
/// split (one pass over the open invoices, nothing kept per customer), for the daily
/// snapshot and the two ends of a report's period.
pub fn aging_as_of<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    whose: Whose<'_>,
) -> Result<Aging> {
    let conn: Db<'c> = conn.into();
    let mine = owned(conn, whose)?;
    let keep = |cid: &str| mine.as_ref().is_none_or(|m| m.contains(cid));
    let scope = if mine.is_some() {
        Scope::Only(&keep)
    } else {
        Scope::All
    };
    let mut aging = Aging::default();
    snapshot::open_positions(conn, as_of, scope, &mut |_, inv| {
        if inv.is_open() {
            aging.add(inv.days_past_due(as_of), inv.balance);
        }
    })?;
    Ok(aging)
}

/// Invoices issued in the period. Read by the period's range (for one collector's
/// accounts the planner would otherwise walk every invoice each of their customers
/// ever had, looking each one up).
pub fn credit_sales<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT SUM(amount) FROM invoices INDEXED BY invoices_issued WHERE issue_date BETWEEN ?1 AND ?2{}",
        whose.clause("customer_id", 3)
    );
    sum(conn, &sql, from, to, whose)
}

/// Payments dated in the period, read by the period's range (as [`credit_sales`]).
pub fn collected<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT SUM(amount) FROM payments INDEXED BY payments_date WHERE date BETWEEN ?1 AND ?2{}",
        whose.clause("customer_id", 3)
    );
    sum(conn, &sql, from, to, whose)
}

/// Written off in the period.
pub fn written_off<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT SUM(amount) FROM allocations WHERE kind = 'write_off' AND date BETWEEN ?1 AND ?2{}",
        whose.clause("customer_id", 3)
    );
    sum(conn, &sql, from, to, whose)
}

/// Paid in the period on accounts that were at an agency on the payment's day.
pub fn recovered_by_agencies<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        // Placements are few: each one's payments, by customer and date.
        "SELECT SUM(p.amount) FROM placements a CROSS JOIN payments p INDEXED BY payments_customer ON p.customer_id = a.customer_id
         WHERE p.date BETWEEN ?1 AND ?2 AND p.date >= a.placed_on AND (a.recalled_on IS NULL OR p.date < a.recalled_on){}",
        whose.clause("p.customer_id", 3)
    );
    sum(conn, &sql, from, to, whose)
}

/// Promises judged in the period: (kept, partially kept, broken).
pub fn promise_verdicts<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
) -> Result<(u64, u64, u64)> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT status, COUNT(*) FROM promises WHERE evaluated_on BETWEEN ?1 AND ?2
         AND status IN ('kept', 'partially_kept', 'broken'){} GROUP BY status",
        whose.clause("customer_id", 3)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &crate::store::db::Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?));
    let rows: Vec<(String, i64)> = match whose {
        Whose::Shop => stmt
            .query_map(params![from, to], map)?
            .collect::<rusqlite::Result<_>>()?,
        Whose::Owner(o) => stmt
            .query_map(params![from, to, o], map)?
            .collect::<rusqlite::Result<_>>()?,
    };
    let mut out = (0, 0, 0);
    for (status, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match status.as_str() {
            "kept" => out.0 = n,
            "partially_kept" => out.1 = n,
            _ => out.2 = n,
        }
    }
    Ok(out)
}

/// What one person did in a period (DESIGN §6 "Activity per user" and "Team").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub calls: u64,
    /// Calls that reached the customer (reached or refused).
    pub contacts: u64,
    /// Accounts worked, once per account and day.
    pub accounts_touched: u64,
    /// Promises taken and not withdrawn by the period's end.
    pub promises: u64,
    pub promised_amount: Money,
    /// Verdicts in the period on promises this person took.
    pub kept: u64,
    pub partially_kept: u64,
    pub broken: u64,
    pub items_done: u64,
    pub disputes_opened: u64,
    pub disputes_resolved: u64,
}

/// Per person: what each did in the period, read with one grouped query per kind.
pub fn activity<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, Activity>> {
    let conn: Db<'c> = conn.into();
    let mut out: HashMap<String, Activity> = HashMap::new();
    let mut each =
        |sql: &str,
         f: &mut dyn FnMut(&mut Activity, &crate::store::db::Row<'_>) -> rusqlite::Result<()>|
         -> Result<()> {
            let mut stmt = conn.prepare_cached(sql)?;
            let mut rows = stmt.query(params![from, to])?;
            while let Some(r) = rows.next()? {
                let who: String = r.get(0)?;
                f(out.entry(who).or_default(), &r)?;
            }
            Ok(())
        };
    let n = |r: &crate::store::db::Row<'_>, i: usize| -> rusqlite::Result<u64> {
        Ok(u64::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
    };
    each(
        "SELECT by, COUNT(*), SUM(CASE WHEN outcome IN ('reached', 'refused') THEN 1 ELSE 0 END) FROM calls WHERE on_date BETWEEN ?1 AND ?2 GROUP BY by",
        &mut |a, r| {
            a.calls = n(r, 1)?;
            a.contacts = n(r, 2)?;
            Ok(())
        },
    )?;
    each(
        "SELECT actor, COUNT(DISTINCT customer_id || '|' || on_date) FROM events
         WHERE on_date BETWEEN ?1 AND ?2 AND customer_id IS NOT NULL AND kind IN (
             'call', 'note', 'promise', 'promise_cancelled', 'dispute_opened', 'dispute_resolved', 'callback',
             'task_done', 'decided', 'plan_created', 'write_off_requested', 'write_off_approved',
             'write_off_rejected', 'hold_set', 'hold_released', 'agency_placed', 'agency_recalled', 'mail_queued')
         GROUP BY actor",
        &mut |a, r| {
            a.accounts_touched = n(r, 1)?;
            Ok(())
        },
    )?;
    each(
        "SELECT taken_by, COUNT(*), SUM(amount) FROM promises WHERE taken_on BETWEEN ?1 AND ?2
         AND NOT (status IN ('replaced', 'cancelled') AND evaluated_on <= ?2) GROUP BY taken_by",
        &mut |a, r| {
            a.promises = n(r, 1)?;
            a.promised_amount = r.get(2)?;
            Ok(())
        },
    )?;
    each(
        "SELECT taken_by, SUM(CASE WHEN status = 'kept' THEN 1 ELSE 0 END),
                SUM(CASE WHEN status = 'partially_kept' THEN 1 ELSE 0 END),
                SUM(CASE WHEN status = 'broken' THEN 1 ELSE 0 END)
         FROM promises WHERE evaluated_on BETWEEN ?1 AND ?2 AND status IN ('kept', 'partially_kept', 'broken')
         GROUP BY taken_by",
        &mut |a, r| {
            a.kept = n(r, 1)?;
            a.partially_kept = n(r, 2)?;
            a.broken = n(r, 3)?;
            Ok(())
        },
    )?;
    each(
        "SELECT done_by, COUNT(*) FROM tasks WHERE done_on BETWEEN ?1 AND ?2 AND done_by IS NOT NULL
         AND outcome IN ('done', 'approved', 'rejected') GROUP BY done_by",
        &mut |a, r| {
            a.items_done = n(r, 1)?;
            Ok(())
        },
    )?;
    each(
        "SELECT opened_by, COUNT(*) FROM disputes WHERE opened_on BETWEEN ?1 AND ?2 GROUP BY opened_by",
        &mut |a, r| {
            a.disputes_opened = n(r, 1)?;
            Ok(())
        },
    )?;
    each(
        "SELECT resolved_by, COUNT(*) FROM disputes WHERE resolved_on BETWEEN ?1 AND ?2 AND resolved_by IS NOT NULL
         GROUP BY resolved_by",
        &mut |a, r| {
            a.disputes_resolved = n(r, 1)?;
            Ok(())
        },
    )?;
    Ok(out)
}

/// Queue items by whose queue they are in: a collector's (owner items of the accounts
/// they own) or `supervisor` (supervisor items).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workload {
    /// Items due in the period.
    pub due: u64,
    /// Items open at the period's end whose due date had passed.
    pub overdue: u64,
    pub oldest_overdue: Option<NaiveDate>,
}

pub fn workload<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    owners: &Owners,
) -> Result<HashMap<String, Workload>> {
    let conn: Db<'c> = conn.into();
    let mut out: HashMap<String, Workload> = HashMap::new();
    // A supervisor's item is the supervisors'; an owner's is the collector's who owned
    // the account on its due day (open at the period's end: on that day). `owners`
    // holds the moves after `from`.
    let whose = |r: &crate::store::db::Row<'_>, day: NaiveDate| -> Result<Option<String>> {
        Ok(if r.get::<_, bool>(0)? {
            Some("supervisor".to_string())
        } else {
            owners.on(text_at(r, 1)?, day, r.get(2)?)
        })
    };
    let mut stmt = conn.prepare_cached(
        "SELECT t.assignee = 'supervisor', t.customer_id, c.owner, t.due
         FROM tasks t JOIN customers c ON c.id = t.customer_id
         WHERE t.due BETWEEN ?1 AND ?2 AND t.created_on <= ?2",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        if let Some(w) = whose(&r, date_at(&r, 3)?)? {
            out.entry(w).or_default().due += 1;
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT t.assignee = 'supervisor', t.customer_id, c.owner, t.due
         FROM tasks t JOIN customers c ON c.id = t.customer_id
         WHERE t.due < ?1 AND t.created_on <= ?1 AND (t.done_on IS NULL OR t.done_on > ?1)",
    )?;
    let mut rows = stmt.query(params![to])?;
    while let Some(r) = rows.next()? {
        if let Some(w) = whose(&r, to)? {
            let due = date_at(&r, 3)?;
            let e = out.entry(w).or_default();
            e.overdue += 1;
            e.oldest_overdue = Some(e.oldest_overdue.map_or(due, |o| o.min(due)));
        }
    }
    Ok(out)
}

/// Who owned an account at the end of a past day. An account moved later keeps its
/// past with its owner then, so a report of a past period reads the same before and
/// after a move. The owner on a day is the one an account was moved away from by its
/// first move after that day, or the owner now when it has not moved since: only the
/// moves after a day are read (from the record, where every assignment is). A first
/// assignment that names no earlier owner (a customer created by an import or the
/// demo, an owner found when an older file was first keyed) says who the account
/// belonged to from the start.
pub struct Owners {
    moved_from: FastMap<String, Vec<(NaiveDate, Option<String>)>>,
}

impl Owners {
    /// The moves dated after `day`: enough for any day from `day` on.
    pub fn after<'c>(conn: impl Into<Db<'c>>, day: NaiveDate) -> Result<Owners> {
        let conn: Db<'c> = conn.into();
        let mut moved_from: FastMap<String, Vec<(NaiveDate, Option<String>)>> = FastMap::default();
        let mut stmt = conn.prepare_cached(
            "SELECT customer_id, on_date, data FROM events INDEXED BY events_date
             WHERE on_date > ?1 AND kind = 'assigned' AND customer_id IS NOT NULL
             ORDER BY on_date, seq",
        )?;
        let mut rows = stmt.query([day])?;
        while let Some(r) = rows.next()? {
            let data: serde_json::Value = serde_json::from_str(text_at(&r, 2)?).unwrap_or_default();
            let was = data["from"]
                .as_str()
                .or_else(|| data["to"].as_str())
                .map(str::to_string);
            moved_from
                .entry(text_at(&r, 0)?.to_string())
                .or_default()
                .push((date_at(&r, 1)?, was));
        }
        Ok(Owners { moved_from })
    }

    /// The accounts `user` owned at the end of `day` that have moved since (`day` at
    /// or after the day these moves were read after).
    pub fn moved_away_from(&self, user: &str, day: NaiveDate) -> Vec<String> {
        let mut ids: Vec<String> = self
            .moved_from
            .iter()
            .filter(|(_, moves)| {
                moves
                    .iter()
                    .find(|(on, _)| *on > day)
                    .is_some_and(|(_, was)| was.as_deref() == Some(user))
            })
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Who owned `customer` at the end of `day`, given its owner `now`.
    pub fn on(&self, customer: &str, day: NaiveDate, now: Option<String>) -> Option<String> {
        match self
            .moved_from
            .get(customer)
            .and_then(|moves| moves.iter().find(|(on, _)| *on > day))
        {
            Some((_, was)) => was.clone(),
            None => now,
        }
    }
}

/// Money paid in the period, by the collector who owned the account at the end of the
/// payment's day ([`Owners`], holding the moves after `from`): payments dated before a
/// first assignment go to the owner it names.
pub fn collected_by_owner<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    owners: &Owners,
) -> Result<HashMap<String, Money>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT p.customer_id, p.date, p.amount, c.owner FROM payments p JOIN customers c ON c.id = p.customer_id
         WHERE p.date BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    let mut out: HashMap<String, Money> = HashMap::new();
    while let Some(r) = rows.next()? {
        let owner = owners.on(text_at(&r, 0)?, date_at(&r, 1)?, r.get(3)?);
        if let Some(owner) = owner {
            *out.entry(owner).or_default() += r.get::<_, Money>(2)?;
        }
    }
    Ok(out)
}

/// Calls made in the period, and how many reached the customer, by one person or all.
pub fn calls<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<&str>,
) -> Result<(u64, u64)> {
    let conn: Db<'c> = conn.into();
    let who = if by.is_some() { " AND by = ?3" } else { "" };
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome IN ('reached', 'refused') THEN 1 ELSE 0 END), 0) FROM calls WHERE on_date BETWEEN ?1 AND ?2{who}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &crate::store::db::Row<'_>| {
        Ok((
            u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
        ))
    };
    Ok(match by {
        Some(b) => stmt.query_row(params![from, to, b], map)?,
        None => stmt.query_row(params![from, to], map)?,
    })
}

/// Calls in the period, per day (for calls per working day), of one person or all.
pub fn calls_per_day<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<&str>,
) -> Result<Vec<(NaiveDate, u64)>> {
    let conn: Db<'c> = conn.into();
    let who = if by.is_some() { " AND by = ?3" } else { "" };
    let sql = format!(
        "SELECT on_date, COUNT(*) FROM calls WHERE on_date BETWEEN ?1 AND ?2{who} GROUP BY on_date"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &crate::store::db::Row<'_>| {
        Ok((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
    };
    let rows = match by {
        Some(b) => stmt
            .query_map(params![from, to, b], map)?
            .collect::<rusqlite::Result<_>>()?,
        None => stmt
            .query_map(params![from, to], map)?
            .collect::<rusqlite::Result<_>>()?,
    };
    Ok(rows)
}

/// One row of the funnel: a strategy's step (and version) reached in the period, and
/// how many of those cycles were cured before the next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelRow {
    pub strategy: String,
    pub version: i64,
    pub index: usize,
    pub step: String,
    pub reached: u64,
    pub cured_before_next: u64,
}

pub fn funnel<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FunnelRow>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT c.strategy_id, s.version, s.step_index, s.step_id, COUNT(*),
                SUM(CASE WHEN c.end_reason = 'cured' AND c.ended_on <= ?2 AND NOT EXISTS (
                    SELECT 1 FROM steps_done n WHERE n.cycle_id = s.cycle_id AND n.step_index > s.step_index)
                    THEN 1 ELSE 0 END)
         FROM steps_done s JOIN cycles c ON c.id = s.cycle_id
         WHERE s.done_on BETWEEN ?1 AND ?2
         GROUP BY c.strategy_id, s.version, s.step_index, s.step_id
         ORDER BY c.strategy_id, s.version, s.step_index",
    )?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok(FunnelRow {
            strategy: r.get(0)?,
            version: r.get(1)?,
            index: r.get::<_, i64>(2)? as usize,
            step: r.get(3)?,
            reached: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            cured_before_next: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Accounts standing at each step on a day: (strategy, index of the last step done,
/// accounts) over the cycles open then. Index `None`: the cycle has started and its
/// first step is not done yet.
pub fn standing<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<Vec<(String, Option<usize>, u64)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT c.strategy_id, (SELECT MAX(s.step_index) FROM steps_done s WHERE s.cycle_id = c.id AND s.done_on <= ?1),
                COUNT(*)
         FROM cycles c WHERE c.started_on <= ?1 AND (c.ended_on IS NULL OR c.ended_on > ?1)
         GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([as_of], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, Option<i64>>(1)?.map(|i| i as usize),
            u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
