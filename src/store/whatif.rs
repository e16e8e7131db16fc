//! The reads a what-if replay needs (`whatif`, `service/whatif.rs`): what the record's
//! closes made in a period and what people did with it, what actually happened, which
//! accounts to replay, and how customers answered contacts before the period. Reads
//! only: a replay never writes to the shop's database.

use super::db::Db;
use chrono::{Duration, NaiveDate};
use rusqlite::params;

use super::Result;
use super::sql::{date_at, text_at};
use crate::domain::{
    Channel, InvoicePosition, ItemAction, ItemOutcome, Money, Reason, Risk, SYSTEM_ACTOR,
};
use crate::fasthash::{FastMap, FastSet};
use crate::strategy::{Action, Assignee};
use crate::whatif::estimate::{LEARN_DAYS, Lever, Response, WINDOW_DAYS};
use crate::whatif::{Happened, How, Item, RecordHold, RecordTask, What, WorkedOn};

/// Items the record's closes made that were open at some time in `from..=to`, with
/// when a person closed them. Promise and plan follow-ups are left out (both worlds
/// share them).
pub fn run_tasks<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RecordTask>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, created_on, reason, action, ref_id, step_index, step_id, assignee,
                done_on, done_by, outcome
         FROM tasks WHERE created_by = ?1 AND created_on <= ?3 AND (done_on IS NULL OR done_on >= ?2)
           AND reason NOT IN ('broken_promise', 'plan_broken')",
    )?;
    let mut rows = stmt.query(params![SYSTEM_ACTOR, from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let done_on: Option<NaiveDate> = r.get(9)?;
        let done_by: Option<String> = r.get(10)?;
        let outcome: Option<ItemOutcome> = r.get(11)?;
        let worked = match (done_on, done_by) {
            (Some(on), Some(by)) if by != SYSTEM_ACTOR => Some(WorkedOn {
                on,
                approved: outcome == Some(ItemOutcome::Approved),
            }),
            _ => None,
        };
        let step = match (r.get::<_, Option<i64>>(6)?, r.get::<_, Option<String>>(7)?) {
            (Some(i), Some(id)) => Some((i as usize, id)),
            _ => None,
        };
        out.push(RecordTask {
            customer: r.get(1)?,
            created_on: date_at(&r, 2)?,
            item: Item {
                id: r.get(0)?,
                reason: r.get(3)?,
                action: r.get(4)?,
                ref_id: r.get(5)?,
                step,
                assignee: r.get(8)?,
                worked,
            },
        });
    }
    Ok(out)
}

/// Holds the record's closes set that were on at some time in `from..=to`, with the day
/// a person released them.
pub fn run_holds<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RecordHold>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, set_on, released_on, released_by FROM holds
         WHERE set_by = ?1 AND set_on <= ?3 AND (released_on IS NULL OR released_on >= ?2)",
    )?;
    let mut rows = stmt.query(params![SYSTEM_ACTOR, from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let released: Option<NaiveDate> = r.get(3)?;
        let by: Option<String> = r.get(4)?;
        out.push(RecordHold {
            id: r.get(0)?,
            customer: r.get(1)?,
            set_on: date_at(&r, 2)?,
            released_by_person: released
                .filter(|_| by.as_deref().is_some_and(|b| b != SYSTEM_ACTOR)),
        });
    }
    Ok(out)
}

/// What the record's closes (and people closing step tasks) did in `from..=to`, for
/// the accounts `keep` keeps.
pub fn happened<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<Happened>> {
    let conn: Db<'c> = conn.into();
    let mut out = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT done_on, customer_id, step_index, step_id, action, how FROM steps_done
             WHERE done_on BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let cid = text_at(&r, 1)?;
            if !keep(cid) {
                continue;
            }
            let how: String = r.get(5)?;
            out.push(Happened::new(
                date_at(&r, 0)?,
                cid,
                What::Step {
                    index: r.get::<_, i64>(2)? as usize,
                    step_id: r.get(3)?,
                    action: r.get::<_, Action>(4)?,
                    how: How::parse(&how).unwrap_or(How::Auto),
                },
            ));
        }
    }
    {
        let mut stmt = conn.prepare(
            "SELECT created_on, customer_id, channel FROM outbox
             WHERE created_by = ?1 AND created_on BETWEEN ?2 AND ?3",
        )?;
        let mut rows = stmt.query(params![SYSTEM_ACTOR, from, to])?;
        while let Some(r) = rows.next()? {
            let cid = text_at(&r, 1)?;
            if keep(cid) {
                let channel: Channel = r.get(2)?;
                out.push(Happened::new(date_at(&r, 0)?, cid, What::Message(channel)));
            }
        }
    }
    {
        let mut stmt = conn.prepare(
            "SELECT created_on, customer_id, action, reason, assignee FROM tasks
             WHERE created_by = ?1 AND created_on BETWEEN ?2 AND ?3",
        )?;
        let mut rows = stmt.query(params![SYSTEM_ACTOR, from, to])?;
        while let Some(r) = rows.next()? {
            let cid = text_at(&r, 1)?;
            if keep(cid) {
                let what = What::Task {
                    action: r.get::<_, ItemAction>(2)?,
                    reason: r.get::<_, Reason>(3)?,
                    assignee: r.get::<_, Assignee>(4)?,
                };
                out.push(Happened::new(date_at(&r, 0)?, cid, what));
            }
        }
    }
    {
        let mut stmt = conn.prepare(
            "SELECT set_on, customer_id, 0 FROM holds WHERE set_by = ?1 AND set_on BETWEEN ?2 AND ?3
             UNION ALL
             SELECT released_on, customer_id, 1 FROM holds
             WHERE set_by = ?1 AND released_on BETWEEN ?2 AND ?3",
        )?;
        let mut rows = stmt.query(params![SYSTEM_ACTOR, from, to])?;
        while let Some(r) = rows.next()? {
            let cid = text_at(&r, 1)?;
            if keep(cid) {
                let what = if r.get::<_, i64>(2)? == 0 {
                    What::HoldSet
                } else {
                    What::HoldReleased
                };
                out.push(Happened::new(date_at(&r, 0)?, cid, what));
            }
        }
    }
    Ok(out)
}

/// Customers of a segment.
pub(crate) fn segment<'c>(conn: impl Into<Db<'c>>, segment: &str) -> Result<FastSet<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare("SELECT id FROM customers WHERE segment = ?1")?;
    let ids = stmt
        .query_map([segment], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Which of `ids` are not customers.
pub fn unknown_customers<'c, 'a>(conn: impl Into<Db<'c>>, ids: &[&'a str]) -> Result<Vec<&'a str>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?;
    let mut out = Vec::new();
    for id in ids {
        if !stmt.exists([id])? {
            out.push(*id);
        }
    }
    Ok(out)
}

/// Customers with a cycle of `strategy` open at some time in `from..=to`.
pub(crate) fn cycles_of<'c>(
    conn: impl Into<Db<'c>>,
    strategy: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<FastSet<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT DISTINCT customer_id FROM cycles
         WHERE strategy_id = ?1 AND started_on <= ?3 AND (ended_on IS NULL OR ended_on >= ?2)",
    )?;
    let ids = stmt
        .query_map(params![strategy, from, to], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Every customer's owner.
pub(crate) fn owners<'c>(conn: impl Into<Db<'c>>) -> Result<FastMap<String, Option<String>>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare("SELECT id, owner FROM customers")?;
    let map = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(map)
}

/// Invoices issued in `from..=to`: (customer id, amount).
pub fn issued<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT customer_id, amount FROM invoices INDEXED BY invoices_issued WHERE issue_date BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt
        .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How customers answered contacts (messages the closes queued, calls logged) and the
/// credit holds the closes set, in the [`LEARN_DAYS`] days before `from`, by the
/// behaviour class `class` gives them.
pub(crate) fn responses<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    class: &dyn Fn(&str) -> Risk,
) -> Result<FastMap<(Lever, Risk), Response>> {
    let conn: Db<'c> = conn.into();
    let start = from - Duration::days(LEARN_DAYS);
    // A day `?N` days after `c.d`, in each dialect.
    let shifted = |n: u8| {
        conn.pick(
            &format!("date(c.d, ?{n} || ' days')"),
            &format!("(c.d + CAST(?{n} AS INTEGER))"),
        )
        .to_string()
    };
    let mut stmt = conn.prepare(&format!(
        "WITH lever (cid, d, hold) AS (
             SELECT customer_id, created_on, 0 FROM outbox WHERE created_by = ?1 AND created_on >= ?2 AND created_on < ?3
             UNION ALL
             SELECT customer_id, on_date, 0 FROM calls WHERE on_date >= ?2 AND on_date < ?3
             UNION ALL
             SELECT customer_id, set_on, 1 FROM holds WHERE set_by = ?1 AND set_on >= ?2 AND set_on < ?3)
         SELECT c.cid, c.hold,
                (SELECT COALESCE(SUM(p.amount), 0) FROM payments p
                  WHERE p.customer_id = c.cid AND p.date > c.d AND p.date <= {after}),
                EXISTS (SELECT 1 FROM payments p
                  WHERE p.customer_id = c.cid AND p.date < c.d AND p.date >= {before})
         FROM lever c",
        after = shifted(4),
        before = shifted(5),
    ))?;
    let (after, before) = (WINDOW_DAYS, -WINDOW_DAYS);
    let mut rows = stmt.query(params![SYSTEM_ACTOR, start, from, after, before])?;
    let mut out: FastMap<(Lever, Risk), Response> = FastMap::default();
    while let Some(r) = rows.next()? {
        let lever = if r.get::<_, i64>(1)? == 1 {
            Lever::Hold
        } else {
            Lever::Contact
        };
        let paid: Money = r.get(2)?;
        let e = out.entry((lever, class(text_at(&r, 0)?))).or_default();
        e.contacts += 1;
        if paid.is_positive() {
            e.paid_after += 1;
            e.amount_after += paid;
        }
        if r.get::<_, bool>(3)? {
            e.paid_before += 1;
        }
    }
    Ok(out)
}

/// Event kinds of a person's work that change what the engine judges an account by:
/// promises, disputes, a person's holds, plans, agencies, write-offs, the customer's
/// own data. (Calls count through [`reached_on`]; a person's own items, notes and mail
/// change nothing the replay counts.)
const FACT_EVENTS: &str = "'promise', 'promise_replaced', 'promise_cancelled', 'dispute_opened', \
     'dispute_resolved', 'hold_set', 'hold_released', 'plan_created', 'plan_cancelled', \
     'agency_placed', 'agency_recalled', 'write_off_approved', 'customer_changed', 'adjustment', \
     'restored', 'decided'";

/// Accounts whose facts people changed on `day` (see [`FACT_EVENTS`]).
pub(crate) fn touched<'c>(conn: impl Into<Db<'c>>, day: NaiveDate) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT DISTINCT customer_id FROM events INDEXED BY events_date
         WHERE on_date = ?1 AND kind IN ({FACT_EVENTS}) AND actor <> ?2 AND customer_id IS NOT NULL"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map(params![day, SYSTEM_ACTOR], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Customers a call reached (or who refused) on `day`: a response.
pub(crate) fn reached_on<'c>(conn: impl Into<Db<'c>>, day: NaiveDate) -> Result<Vec<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM calls INDEXED BY calls_date
         WHERE on_date = ?1 AND outcome IN ('reached', 'refused')",
    )?;
    let ids = stmt
        .query_map([day], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Invoices issued on `day`, as positions before any money (customer id, position).
pub(crate) fn issued_on<'c>(
    conn: impl Into<Db<'c>>,
    day: NaiveDate,
) -> Result<Vec<(String, InvoicePosition)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, invoice_no, issue_date, due_date, amount FROM invoices INDEXED BY invoices_issued
         WHERE issue_date = ?1",
    )?;
    let mut rows = stmt.query([day])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let amount: Money = r.get(4)?;
        out.push((
            r.get(0)?,
            InvoicePosition {
                invoice_no: r.get(1)?,
                issue_date: date_at(&r, 2)?,
                due_date: date_at(&r, 3)?,
                amount,
                balance: amount,
                disputed: Money::ZERO,
            },
        ));
    }
    Ok(out)
}

/// Money applied to an invoice on a day.
pub(crate) struct Applied {
    pub customer: String,
    pub invoice: String,
    pub amount: Money,
    /// A write-off (which does not count as paying the invoice).
    pub write_off: bool,
}

/// Money applied to invoices on `day`, in the order it was recorded.
pub(crate) fn applied_on<'c>(conn: impl Into<Db<'c>>, day: NaiveDate) -> Result<Vec<Applied>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, invoice_no, amount, kind = 'write_off' FROM allocations INDEXED BY allocations_date
         WHERE date = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([day], |r| {
            Ok(Applied {
                customer: r.get(0)?,
                invoice: r.get(1)?,
                amount: r.get(2)?,
                write_off: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Payments dated `day`: (customer id, amount).
pub(crate) fn paid_on<'c>(conn: impl Into<Db<'c>>, day: NaiveDate) -> Result<Vec<(String, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, amount FROM payments INDEXED BY payments_date WHERE date = ?1",
    )?;
    let rows = stmt
        .query_map([day], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Each customer's latest response (payment, promise, dispute, a call that reached
/// someone) on or before `as_of`.
pub(crate) fn latest_responses<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<FastMap<String, NaiveDate>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT customer_id, MAX(d) FROM (
             SELECT customer_id, date AS d FROM payments WHERE date <= ?1
             UNION ALL SELECT customer_id, taken_on FROM promises WHERE taken_on <= ?1
             UNION ALL SELECT customer_id, opened_on FROM disputes WHERE opened_on <= ?1
             UNION ALL SELECT customer_id, on_date FROM calls WHERE on_date <= ?1 AND outcome IN ('reached', 'refused')) AS touched
         GROUP BY customer_id",
    )?;
    let mut rows = stmt.query([as_of])?;
    let mut out = FastMap::default();
    while let Some(r) = rows.next()? {
        out.insert(r.get(0)?, date_at(&r, 1)?);
    }
    Ok(out)
}
