//! Prevention's tables and inputs: the flags the run raises and clears (over the
//! credit limit, early warning), reminders before the due date, and what the engine
//! judges early warnings by (broken promises, days late of settled invoices).
//! Every read is as of a date, for one account or for a list of accounts.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use super::sql::{date_at, text_at};
use crate::domain::Money;
use crate::domain::dates::add_days;
use crate::fasthash::{FastMap, FastSet};
use crate::strategy::engine::{DAYS_LATE_KEPT, FlagKind, OpenFlag};

/// Whose rows a read covers: one account, the accounts in a JSON array of ids, or all.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    One(&'a str),
    Ids(&'a str),
    /// Every account (the caller keeps the rows it wants).
    All,
}

impl Who<'_> {
    fn clause(self, column: &str) -> String {
        match self {
            Who::One(_) => format!("{column} = ?2"),
            Who::Ids(_) => format!("{column} IN (SELECT value FROM json_each(?2))"),
            // Binds ?2 like the others, and keeps every row.
            Who::All => "?2 = ?2".to_string(),
        }
    }

    fn arg(&self) -> &str {
        match self {
            Who::One(s) | Who::Ids(s) => s,
            Who::All => "",
        }
    }
}

/// Flags open on `as_of`, as (customer id, flag), by customer and kind.
pub fn open_flags<'c>(
    conn: impl Into<Db<'c>>,
    who: Who<'_>,
    as_of: NaiveDate,
) -> Result<Vec<(String, OpenFlag)>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT customer_id, id, kind, raised_on, detail FROM account_flags
         WHERE raised_on <= ?1 AND (cleared_on IS NULL OR cleared_on > ?1) AND {}
         ORDER BY customer_id, kind, id",
        who.clause("customer_id")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![as_of, who.arg()], |r| {
        Ok((
            r.get(0)?,
            OpenFlag {
                id: r.get(1)?,
                kind: r.get(2)?,
                since: date_at(r, 3)?,
                detail: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every customer with a flag of this kind open on `as_of`.
pub fn flagged_ids<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM account_flags
         WHERE raised_on <= ?1 AND (cleared_on IS NULL OR cleared_on > ?1)",
    )?;
    let rows = stmt.query_map([as_of], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn raise_flag<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    kind: FlagKind,
    on: NaiveDate,
    detail: &str,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO account_flags (customer_id, kind, raised_on, detail) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![customer_id, kind, on, detail])?;
    Ok(conn.last_insert_rowid()?)
}

/// Clears a flag; false when it was already cleared.
pub fn clear_flag<'c>(conn: impl Into<Db<'c>>, id: i64, on: NaiveDate, why: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let n = conn
        .prepare_cached(
            "UPDATE account_flags SET cleared_on = ?2, cleared_why = ?3 WHERE id = ?1 AND cleared_on IS NULL",
        )?
        .execute(params![id, on, why])?;
    Ok(n == 1)
}

/// An open early-warning flag, for the supervisors' list.
#[derive(Debug, Clone)]
pub struct WarningRow {
    pub customer_id: String,
    pub since: NaiveDate,
    pub detail: String,
}

/// Early warnings open on `as_of`, oldest first.
pub fn open_warnings<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate) -> Result<Vec<WarningRow>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, raised_on, detail FROM account_flags
         WHERE kind = 'early_warning' AND raised_on <= ?1 AND (cleared_on IS NULL OR cleared_on > ?1)
         ORDER BY raised_on, customer_id",
    )?;
    let rows = stmt.query_map([as_of], |r| {
        Ok(WarningRow {
            customer_id: r.get(0)?,
            since: date_at(r, 1)?,
            detail: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reminders before the due date done by `as_of`: (customer, invoice, days before due).
pub fn pre_due_done<'c>(
    conn: impl Into<Db<'c>>,
    who: Who<'_>,
    as_of: NaiveDate,
) -> Result<Vec<(String, String, u32)>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT customer_id, invoice_no, days_before_due FROM pre_due_reminders
         WHERE done_on <= ?1 AND {} ORDER BY customer_id, invoice_no, days_before_due",
        who.clause("customer_id")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![as_of, who.arg()], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A reminder before the due date, recorded per invoice.
pub struct PreDueRecord<'a> {
    pub customer_id: &'a str,
    pub invoice_no: &'a str,
    pub strategy_id: &'a str,
    pub step_id: &'a str,
    pub days_before_due: u32,
    pub done_on: NaiveDate,
    pub outbox_id: Option<i64>,
}

pub fn record_pre_due<'c>(conn: impl Into<Db<'c>>, r: &PreDueRecord<'_>) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO pre_due_reminders (customer_id, invoice_no, strategy_id, step_id, days_before_due, done_on, outbox_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        r.customer_id,
        r.invoice_no,
        r.strategy_id,
        r.step_id,
        r.days_before_due,
        r.done_on,
        r.outbox_id
    ])?;
    Ok(conn.last_insert_rowid()?)
}

/// Names the message that carried the reminders recorded from row `first` on.
pub fn link_outbox<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    first: i64,
    outbox_id: i64,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE pre_due_reminders SET outbox_id = ?3 WHERE customer_id = ?1 AND id >= ?2 AND outbox_id IS NULL",
    )?
    .execute(params![customer_id, first, outbox_id])?;
    Ok(())
}

/// The invoices a reminder before the due date (by its outbox message) reminded of.
pub fn reminded_by<'c>(conn: impl Into<Db<'c>>, outbox_id: i64) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_no FROM pre_due_reminders WHERE outbox_id = ?1 ORDER BY invoice_no",
    )?;
    let rows = stmt.query_map([outbox_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Days promises were found broken in the 365 days up to `as_of`: (customer, day).
pub fn broken_promises<'c>(
    conn: impl Into<Db<'c>>,
    who: Who<'_>,
    as_of: NaiveDate,
) -> Result<Vec<(String, NaiveDate)>> {
    let conn: Db<'c> = conn.into();
    let from = as_of - chrono::Days::new(364);
    let sql = format!(
        "SELECT customer_id, evaluated_on FROM promises
         WHERE status = 'broken' AND evaluated_on BETWEEN ?3 AND ?1 AND {}
         ORDER BY customer_id, evaluated_on, id",
        who.clause("customer_id")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![as_of, who.arg(), from], |r| {
        Ok((r.get(0)?, date_at(r, 1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Days late of each customer's latest settled invoices (at most [`DAYS_LATE_KEPT`],
/// oldest first): invoices paid (payments and credits; a write-off is not a payment)
/// in full by `as_of`; days late = the day the last of it was paid − the due date, 0
/// when paid early. It changes only on a day money is applied, which is what lets the
/// daily run look only at accounts with activity since its last day.
pub fn days_late<'c>(
    conn: impl Into<Db<'c>>,
    who: Who<'_>,
    as_of: NaiveDate,
) -> Result<Vec<(String, Vec<i64>)>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT customer_id, days FROM (
             SELECT customer_id, days, settled, invoice_no,
                    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY settled DESC, invoice_no DESC) AS n
             FROM (
                 SELECT i.customer_id, i.invoice_no, MAX(a.date) AS settled,
                        {days} AS days
                 FROM invoices i INDEXED BY invoices_customer
                 JOIN allocations a INDEXED BY allocations_invoice ON a.invoice_no = i.invoice_no
                 WHERE {} AND i.issue_date <= ?1
                   AND a.date <= ?1 AND a.kind <> 'write_off'
                 GROUP BY i.invoice_no
                 HAVING SUM(a.amount) >= i.amount
             ) AS settled_invoices
         ) AS ranked WHERE n <= {DAYS_LATE_KEPT} ORDER BY customer_id, settled, invoice_no",
        who.clause("i.customer_id"),
        days = conn.pick(
            "MAX(0, CAST(julianday(MAX(a.date)) - julianday(i.due_date) AS INTEGER))",
            "GREATEST(0, MAX(a.date) - i.due_date)",
        ),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![as_of, who.arg()])?;
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let cid: String = r.get(0)?;
        let days: i64 = r.get(1)?;
        match out.last_mut() {
            Some((c, v)) if *c == cid => v.push(days),
            _ => out.push((cid, vec![days])),
        }
    }
    Ok(out)
}

/// The same as [`days_late`] for many customers at once, without reading the money
/// applied: an invoice whose balance is zero and whose money only ever went one way
/// (no write-off, nothing taken back) was paid in full on the day of its latest
/// allocation, so its days late are in `invoices_settled` (one range of a covering
/// index). The few other invoices, named by `allocations_irregular`, are read the long
/// way. On a million invoices this reads about a third of what a pass over the money
/// applied and every invoice did; tests hold the two reads to the same answer.
pub fn days_late_scan<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Vec<i64>)>> {
    settled_days_late(conn.into(), as_of, Whose::Shop(wanted))
}

/// [`days_late_scan`] for a few customers (sorted ids): their settled invoices by
/// customer instead of the whole shop's index range; the same answer for them.
pub fn days_late_of<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    ids: &[String],
) -> Result<Vec<(String, Vec<i64>)>> {
    settled_days_late(conn.into(), as_of, Whose::Of(ids))
}

/// Whose settled invoices [`settled_days_late`] reads.
enum Whose<'a> {
    /// The whole shop's, in one range of `invoices_settled`, kept for `wanted`.
    Shop(&'a dyn Fn(&str) -> bool),
    /// These customers' (sorted), one seek each.
    Of(&'a [String]),
}

fn settled_days_late(
    conn: Db<'_>,
    as_of: NaiveDate,
    which: Whose<'_>,
) -> Result<Vec<(String, Vec<i64>)>> {
    let irregular: FastSet<String> = conn
        .prepare(IRREGULAR)?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let listed = |cid: &str| match &which {
        Whose::Shop(wanted) => wanted(cid),
        Whose::Of(ids) => ids.binary_search_by(|id| id.as_str().cmp(cid)).is_ok(),
    };
    let mut kept = LatestSettled::default();
    let take = |kept: &mut LatestSettled, r: &super::db::Row<'_>| -> Result<()> {
        let Some(at) = kept.customer(text_at(r, 0)?, &listed) else {
            return Ok(());
        };
        let no = text_at(r, 1)?;
        if !irregular.is_empty() && irregular.contains(no) {
            return Ok(());
        }
        kept.push(at, date_at(r, 3)?, no, date_at(r, 2)?);
        Ok(())
    };
    match &which {
        Whose::Shop(_) => {
            let mut stmt = conn.prepare(SETTLED_BY)?;
            let mut rows = stmt.query([as_of])?;
            while let Some(r) = rows.next()? {
                take(&mut kept, &r)?;
            }
        }
        Whose::Of(ids) => {
            let mut stmt = conn.prepare(SETTLED_OF)?;
            for cid in ids.iter() {
                let mut rows = stmt.query(params![cid, as_of])?;
                while let Some(r) = rows.next()? {
                    take(&mut kept, &r)?;
                }
            }
        }
    }
    let wanted = &listed;
    let mut invoice = conn.prepare(
        "SELECT customer_id, due_date, amount FROM invoices WHERE invoice_no = ?1 AND issue_date <= ?2",
    )?;
    let mut money = conn.prepare(
        "SELECT date, amount FROM allocations INDEXED BY allocations_invoice
         WHERE invoice_no = ?1 AND date <= ?2 AND kind <> 'write_off'",
    )?;
    for no in irregular {
        let Some((cid, due, amount)) = invoice
            .query_row(params![no, as_of], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    date_at(r, 1)?,
                    r.get::<_, Money>(2)?,
                ))
            })
            .optional()?
        else {
            continue;
        };
        let Some(at) = kept.customer(&cid, wanted) else {
            continue;
        };
        let mut paid: Option<(Money, NaiveDate)> = None;
        let mut rows = money.query(params![no, as_of])?;
        while let Some(r) = rows.next()? {
            let (day, part): (NaiveDate, Money) = (date_at(&r, 0)?, r.get(1)?);
            paid = Some(paid.map_or((part, day), |(sum, last)| (sum + part, last.max(day))));
        }
        if let Some((sum, last)) = paid
            && sum >= amount
        {
            kept.push(at, last, &no, due);
        }
    }
    Ok(kept.finish())
}

/// Each wanted customer's latest settled invoices while [`days_late_scan`] reads them:
/// one lookup of the customer per row, invoice numbers side by side in one string
/// (they only order invoices settled on the same day), and each customer's list cut
/// back to its latest [`DAYS_LATE_KEPT`] whenever it grows long.
#[derive(Default)]
struct LatestSettled {
    /// Customer id → its list in `lists`, or `None` when the caller does not want it.
    at: FastMap<String, Option<u32>>,
    ids: Vec<String>,
    lists: Vec<Vec<Settled>>,
    numbers: String,
}

/// One settled invoice: paid off on `last`, its number `numbers[from..to]`.
#[derive(Clone, Copy)]
struct Settled {
    last: NaiveDate,
    from: u32,
    to: u32,
    days: i64,
}

impl LatestSettled {
    /// The list of customer `cid`, if it is wanted (asking `wanted` once per customer).
    fn customer(&mut self, cid: &str, wanted: &dyn Fn(&str) -> bool) -> Option<u32> {
        if let Some(at) = self.at.get(cid) {
            return *at;
        }
        let at = wanted(cid).then(|| {
            self.ids.push(cid.to_string());
            self.lists.push(Vec::new());
            (self.lists.len() - 1) as u32
        });
        self.at.insert(cid.to_string(), at);
        at
    }

    fn push(&mut self, at: u32, last: NaiveDate, no: &str, due: NaiveDate) {
        let from = self.numbers.len() as u32;
        self.numbers.push_str(no);
        let to = self.numbers.len() as u32;
        let days = (last - due).num_days().max(0);
        let numbers = &self.numbers;
        let Some(list) = self.lists.get_mut(at as usize) else {
            return;
        };
        list.push(Settled {
            last,
            from,
            to,
            days,
        });
        // Whatever comes later is at least as late, so an invoice with `DAYS_LATE_KEPT`
        // later ones before it can never be among the latest: drop it.
        if list.len() >= 4 * DAYS_LATE_KEPT {
            Self::latest_first(list, numbers);
            list.truncate(DAYS_LATE_KEPT);
        }
    }

    /// Sorts latest first: by the day paid off, then by invoice number.
    fn latest_first(list: &mut [Settled], numbers: &str) {
        let key = |s: &Settled| (s.last, numbers.get(s.from as usize..s.to as usize));
        list.sort_unstable_by(|a, b| key(b).cmp(&key(a)));
    }

    /// Days late of each wanted customer with a settled invoice, oldest first, at most
    /// [`DAYS_LATE_KEPT`]; by customer id.
    fn finish(self) -> Vec<(String, Vec<i64>)> {
        let LatestSettled {
            ids,
            mut lists,
            numbers,
            ..
        } = self;
        let mut out: Vec<(String, Vec<i64>)> = ids
            .into_iter()
            .zip(lists.iter_mut())
            .filter(|(_, list)| !list.is_empty())
            .map(|(cid, list)| {
                Self::latest_first(list, &numbers);
                let days = list.iter().take(DAYS_LATE_KEPT).rev().map(|s| s.days);
                (cid, days.collect())
            })
            .collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// The invoices [`days_late_scan`] reads the long way: written off, with money taken
/// back, or with more applied than owed.
pub(crate) const IRREGULAR: &str =
    "SELECT invoice_no FROM allocations INDEXED BY allocations_irregular WHERE kind = 'write_off' OR amount < 0
     UNION SELECT invoice_no FROM invoices INDEXED BY invoices_open WHERE balance <> 0 AND balance < 0";

/// Invoices issued by `?1` and paid off by then, with the day of their latest
/// allocation (one range of a covering index, no lookup per invoice).
pub(crate) const SETTLED_BY: &str = "SELECT customer_id, invoice_no, due_date, last_allocated_on
     FROM invoices INDEXED BY invoices_settled
     WHERE balance = 0 AND last_allocated_on <= ?1 AND issue_date <= ?1";

/// One customer's invoices paid off by `?2` (as [`SETTLED_BY`] reads the shop's).
pub(crate) const SETTLED_OF: &str = "SELECT customer_id, invoice_no, due_date, last_allocated_on
     FROM invoices INDEXED BY invoices_customer
     WHERE customer_id = ?1 AND balance = 0 AND last_allocated_on <= ?2 AND issue_date <= ?2";

/// Customers with a promise found broken in the `days` days up to `as_of`.
pub fn recently_broken<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    days: u64,
) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let from = as_of - chrono::Days::new(days.saturating_sub(1));
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM promises WHERE status = 'broken' AND evaluated_on BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt.query_map(params![from, as_of], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Customers whose records moved after `since` up to `as_of`: money applied (or taken
/// back) or an invoice issued — what can change a warning sign. Without `since` (no
/// earlier run), every customer with something open.
pub fn active_since<'c>(
    conn: impl Into<Db<'c>>,
    since: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let mut out = Vec::new();
    let Some(since) = since else {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT customer_id FROM invoices WHERE balance <> 0 AND issue_date <= ?1",
        )?;
        let rows = stmt.query_map([as_of], |r| r.get(0))?;
        for r in rows {
            out.push(r?);
        }
        return Ok(out);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM allocations INDEXED BY allocations_date
         WHERE date > ?1 AND date <= ?2 AND kind <> 'write_off'
         UNION SELECT customer_id FROM invoices WHERE issue_date > ?1 AND issue_date <= ?2",
    )?;
    let rows = stmt.query_map(params![since, as_of], |r| r.get(0))?;
    for r in rows {
        out.push(r?);
    }
    Ok(out)
}

/// Customers with an open invoice issued by `as_of` coming due within `ahead` days
/// (today included).
pub fn coming_due<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    ahead: u32,
) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let to = add_days(as_of, ahead, false);
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM invoices
         WHERE balance <> 0 AND due_date BETWEEN ?1 AND ?2 AND issue_date <= ?1",
    )?;
    let rows = stmt.query_map(params![as_of, to], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Money open on each customer's invoices issued by a day, in customer order: one
/// ordered pass over the open invoices' own index (left to itself, the planner walks
/// every invoice ever issued by date: 4.7 s on a million).
pub(crate) const OPEN_BY_CUSTOMER: &str = "SELECT customer_id, CAST(SUM(balance) AS BIGINT)
     FROM invoices INDEXED BY invoices_open
     WHERE balance <> 0 AND issue_date <= ?1
     GROUP BY customer_id";

/// Customers with a credit limit whose open balance (as of the latest record, of
/// invoices issued by `as_of`) is above it. With the accounts that have allocations
/// after the day, a superset of those over their limit on the day.
///
/// The limits are read in one go and the open money in one pass beside them: a seek
/// into the open invoices for each customer with a limit (every one of the large
/// demo's 100,000) cost two to three times as much, every run.
pub fn over_limit_ids<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let limits: FastMap<String, Money> = conn
        .prepare_cached("SELECT id, credit_limit FROM customers WHERE credit_limit IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut over = Vec::new();
    if limits.is_empty() {
        return Ok(over);
    }
    let mut stmt = conn.prepare_cached(OPEN_BY_CUSTOMER)?;
    let mut rows = stmt.query([as_of])?;
    while let Some(r) = rows.next()? {
        let cid = text_at(&r, 0)?;
        if let Some(limit) = limits.get(cid)
            && r.get::<_, Money>(1)? > *limit
        {
            over.push(cid.to_string());
        }
    }
    Ok(over)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Invoices arrive in the order of the day they were paid off (as the index gives
    /// them), several on one day in no order of number; the list cut back as it grows
    /// must keep the same latest invoices a full sort does.
    #[test]
    fn the_latest_settled_survive_cutting_back() {
        let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        for per_day in [1_usize, 3, 7, 60] {
            let mut kept = LatestSettled::default();
            let mut all: Vec<(NaiveDate, String, i64)> = Vec::new();
            let at = kept.customer("C1", &|_| true).unwrap_or(u32::MAX);
            assert_eq!(kept.customer("C2", &|_| false), None);
            for d in 0..40_i64 {
                let last = day0 + chrono::Duration::days(d);
                for k in 0..per_day {
                    // Numbers out of order within the day.
                    let no = format!("INV-{d:03}-{:02}", (k * 13 + 3) % per_day);
                    let due = day0 + chrono::Duration::days(d - (k as i64 % 5) * 3);
                    kept.push(at, last, &no, due);
                    all.push((last, no, (last - due).num_days().max(0)));
                }
            }
            all.sort();
            let want: Vec<i64> = all
                .iter()
                .skip(all.len().saturating_sub(DAYS_LATE_KEPT))
                .map(|(_, _, days)| *days)
                .collect();
            let got = kept.finish();
            assert_eq!(got, vec![("C1".to_string(), want)], "{per_day} a day");
        }
    }
}
