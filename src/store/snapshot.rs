//! Everything the engine needs about accounts as of a date, loaded either for one
//! account (after a collector's action, for the account screen) or for all accounts at
//! once with a handful of set queries (for the daily run over 100k accounts).
//! Both paths fill the engine's one input type, [`AccountFacts`], and must agree; a
//! test holds them to it.

use std::collections::HashMap;

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::params;

use super::prevention::{self, Who};
use super::sql::{date_at, text_at};
use super::{Result, activity, customers, cycles, days_late_kept, ledger, placements, plans};
use crate::domain::{AccountFigures, Customer, InvoicePosition, Money};
use crate::fasthash::FastMap;
use crate::strategy::engine::{
    AccountFacts, AccountState, CycleState, DoneStep, OpenItem, OpenPromise, OpenStepTask,
    Placement,
};

/// One account's engine inputs as of a date.
#[derive(Debug, Clone)]
pub struct AccountData {
    pub customer: Customer,
    /// Invoices issued by the date whose balance then was not zero, in due order.
    pub invoices: Vec<InvoicePosition>,
    pub facts: AccountFacts,
}

impl AccountData {
    pub fn figures(&self, as_of: NaiveDate) -> AccountFigures {
        AccountFigures::of(&self.invoices, as_of)
    }

    /// The engine's view of this account.
    pub fn state(&self, as_of: NaiveDate) -> AccountState<'_> {
        AccountState {
            customer: &self.customer,
            figures: self.figures(as_of),
            facts: self.facts.clone(),
            invoices: &self.invoices,
        }
    }
}

/// One account as of `as_of`.
pub fn load_one<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<AccountData>> {
    let conn: Db<'c> = conn.into();
    let Some(customer) = customers::get(conn, customer_id)? else {
        return Ok(None);
    };
    let invoices = ledger::positions(conn, customer_id, as_of)?
        .into_iter()
        .filter(|i| !i.balance.is_zero())
        .collect();
    let mut f = AccountFacts {
        cycle: cycles::open_cycle(conn, customer_id, as_of)?,
        promises: activity::open_promises(conn, customer_id, as_of)?,
        plan: plans::current_plan(conn, customer_id, as_of)?,
        resume_on: activity::last_broken(conn, customer_id, as_of)?,
        hold: activity::active_hold(conn, customer_id, as_of)?.map(|h| h.state()),
        placed: placements::placement(conn, customer_id, as_of)?,
        open_disputes: activity::open_dispute_ids(conn, customer_id, as_of)?,
        ..AccountFacts::default()
    };
    for t in open_tasks(conn, Some(customer_id), as_of)? {
        t.add_to(&mut f);
    }
    if let Some(c) = &f.cycle {
        f.last_response =
            activity::last_response(conn, customer_id, as_of)?.filter(|d| *d >= c.started_on);
    }
    if let Some(from) = f.payments_from() {
        f.payments = ledger::payments_between(conn, customer_id, from, as_of)?;
    }
    let who = Who::One(customer_id);
    f.flags = prevention::open_flags(conn, who, as_of)?
        .into_iter()
        .map(|(_, flag)| flag)
        .collect();
    f.pre_due_done = prevention::pre_due_done(conn, who, as_of)?
        .into_iter()
        .map(|(_, no, days)| (no, days))
        .collect();
    f.broken_promises = prevention::broken_promises(conn, who, as_of)?
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    f.days_late = prevention::days_late(conn, who, as_of)?
        .into_iter()
        .flat_map(|(_, v)| v)
        .collect();
    Ok(Some(AccountData {
        customer,
        invoices,
        facts: f,
    }))
}

/// An open queue item as the engine sees it.
struct OpenTask {
    customer_id: String,
    item: OpenItem,
    step_index: Option<usize>,
}

impl OpenTask {
    /// A step task pauses the cycle (the latest one counts); any other item may go stale.
    fn add_to(self, f: &mut AccountFacts) {
        match self.step_index {
            Some(step_index) => {
                if f.open_step_task.is_none_or(|t| self.item.id > t.task_id) {
                    f.open_step_task = Some(OpenStepTask {
                        task_id: self.item.id,
                        step_index,
                    });
                }
            }
            None => f.items.push(self.item),
        }
    }
}

/// Items open as of `as_of` (created by then, not finished by then), of one account
/// or of all, oldest first.
fn open_tasks<'c>(
    conn: impl Into<Db<'c>>,
    customer: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<OpenTask>> {
    let conn: Db<'c> = conn.into();
    let who = if customer.is_some() {
        " AND customer_id = ?2"
    } else {
        ""
    };
    let mut out = Vec::new();
    for open in ["done_on IS NULL", "done_on > ?1"] {
        let sql = format!(
            "SELECT id, customer_id, reason, action, ref_id, step_index FROM tasks
             WHERE {open} AND created_on <= ?1{who} ORDER BY id"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = match customer {
            Some(c) => stmt.query(params![as_of, c])?,
            None => stmt.query(params![as_of])?,
        };
        while let Some(r) = rows.next()? {
            out.push(OpenTask {
                customer_id: r.get(1)?,
                item: OpenItem {
                    id: r.get(0)?,
                    reason: r.get(2)?,
                    action: r.get(3)?,
                    ref_id: r.get(4)?,
                },
                step_index: r.get::<_, Option<i64>>(5)?.map(|i| i as usize),
            });
        }
    }
    Ok(out)
}

/// From how many accounts the bulk load reads days late with one scan of the money
/// applied rather than the set query per account list.
const SCAN_DAYS_LATE_FROM: usize = 20_000;

/// One account's facts and invoices before its customer row is read.
#[derive(Default)]
struct Pending {
    invoices: Vec<InvoicePosition>,
    facts: AccountFacts,
}

/// Pending accounts by customer id: a small map of ids to slots in a vector, so
/// growing it moves ids and numbers, not whole accounts.
#[derive(Default)]
struct Slots {
    at: FastMap<String, u32>,
    parts: Vec<Pending>,
}

impl Slots {
    fn entry(&mut self, id: String) -> &mut Pending {
        let n = self.parts.len() as u32;
        let i = *self.at.entry(id).or_insert(n) as usize;
        if i == self.parts.len() {
            self.parts.push(Pending::default());
        }
        &mut self.parts[i]
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Pending> {
        let i = *self.at.get(id)? as usize;
        self.parts.get_mut(i)
    }

    fn facts(&mut self, id: &str) -> Option<&mut AccountFacts> {
        self.get_mut(id).map(|p| &mut p.facts)
    }

    fn take(&mut self, id: &str) -> Option<Pending> {
        let i = *self.at.get(id)? as usize;
        self.parts.get_mut(i).map(std::mem::take)
    }
}

/// How far the bulk load reaches beyond the accounts in collection, for prevention.
#[derive(Debug, Clone, Copy)]
pub struct Reach {
    /// Invoices coming due within this many days (the book's longest reminder before
    /// the due date, [`crate::strategy::StrategyBook::look_ahead`]).
    pub ahead: u32,
    /// The previous run's day: accounts with money applied or invoices issued after it
    /// may show a new warning sign. `None` (no earlier run): every account with
    /// something open.
    pub since: Option<NaiveDate>,
    /// Every account with an open invoice as well (a what-if replay carries them from
    /// day to day, as they age into the strategy).
    pub all_open: bool,
    /// Whether the days late kept between closes may be brought up to date (the
    /// close's write transaction) or only read.
    pub days_late: days_late_kept::Keep,
}

/// The accounts the engine may act on as of `as_of`, ordered by customer id, read with
/// set queries only: those with a past-due invoice, in a cycle, with an open promise
/// or plan, or with an open item; for prevention, those with an open flag, over their
/// credit limit, with a promise broken in the last 90 days, with activity since the
/// last run, or with an invoice coming due within `reach.ahead` days. For every other
/// account the engine has nothing to judge, cure, close or start (its decision is
/// empty), so at 100,000 accounts the run does not build them at all.
/// Also returns how many accounts there are in all.
pub fn load_all<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    reach: Reach,
) -> Result<(Vec<AccountData>, u64)> {
    let conn: Db<'c> = conn.into();
    // Cycles open on the date (open now, or ended after it), with their last step done
    // by then: covering indexes, and a cycle's steps are one seek in `steps_done`.
    let mut cycles: Vec<(String, CycleState)> = Vec::new();
    let mut cycle_at: FastMap<i64, u32> = FastMap::default();
    for (from, still_open) in [
        ("cycles c INDEXED BY cycles_open", "c.ended_on IS NULL"),
        ("cycles c INDEXED BY cycles_ended", "c.ended_on > ?1"),
    ] {
        let sql = format!(
            "SELECT c.id, c.customer_id, c.strategy_id, c.started_on FROM {from} WHERE {still_open} AND c.started_on <= ?1"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            cycle_at.insert(id, cycles.len() as u32);
            cycles.push((
                r.get(1)?,
                CycleState {
                    id,
                    strategy_id: r.get(2)?,
                    started_on: date_at(&r, 3)?,
                    last_step: None,
                },
            ));
        }
        let sql = format!(
            "SELECT s.cycle_id, s.step_index, s.done_on FROM {from} CROSS JOIN steps_done s ON s.cycle_id = c.id
             WHERE {still_open} AND c.started_on <= ?1 AND s.done_on <= ?1"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let step = DoneStep {
                index: r.get::<_, i64>(1)? as usize,
                done_on: date_at(&r, 2)?,
            };
            if let Some((_, c)) = cycle_at
                .get(&r.get::<_, i64>(0)?)
                .and_then(|&i| cycles.get_mut(i as usize))
                && c.last_step.is_none_or(|l| step.index > l.index)
            {
                c.last_step = Some(step);
            }
        }
    }
    let mut promises: Vec<(String, OpenPromise)> = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT id, customer_id, amount, date, taken_on, grace_days FROM promises
             WHERE taken_on <= ?1 AND (evaluated_on IS NULL OR evaluated_on > ?1) ORDER BY id",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let p = OpenPromise {
                id: r.get(0)?,
                amount: r.get(2)?,
                date: date_at(&r, 3)?,
                taken_on: date_at(&r, 4)?,
                grace_days: r.get(5)?,
            };
            promises.push((r.get(1)?, p));
        }
    }
    let plan_ids: Vec<String> = conn
        .prepare("SELECT DISTINCT customer_id FROM plans WHERE created_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1)")?
        .query_map([as_of], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let tasks = open_tasks(conn, None, as_of)?;

    // The accounts that matter: past due (by today's balance, or with a payment after
    // the day — a superset is harmless), in a cycle, with an open promise or plan, or
    // with an open item.
    // With every open account wanted, the open invoices below bring these in anyway.
    let past_due: Vec<String> = if reach.all_open {
        Vec::new()
    } else {
        conn.prepare(PAST_DUE_OR_PAID_SINCE)?
            .query_map([as_of], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let room = past_due.len() + cycles.len() + promises.len() + plan_ids.len() + tasks.len();
    let mut parts = Slots {
        at: FastMap::with_capacity_and_hasher(room, Default::default()),
        parts: Vec::with_capacity(room),
    };
    for cid in past_due {
        parts.entry(cid);
    }
    // Over the limit, active, coming due: all have an open invoice, so with every open
    // account wanted only the flagged and the recently broken are still to add.
    let open_ones = if reach.all_open {
        Vec::new()
    } else {
        let mut v = prevention::over_limit_ids(conn, as_of)?;
        v.extend(prevention::active_since(conn, reach.since, as_of)?);
        if reach.ahead > 0 {
            v.extend(prevention::coming_due(conn, as_of, reach.ahead)?);
        }
        v
    };
    for cid in prevention::flagged_ids(conn, as_of)?
        .into_iter()
        .chain(prevention::recently_broken(conn, as_of, 90)?)
        .chain(open_ones)
    {
        parts.entry(cid);
    }
    // Every open invoice, read once: its account joins, and its position is kept.
    let mut every_open: Option<Vec<(String, InvoicePosition)>> = None;
    if reach.all_open {
        let mut v: Vec<(String, InvoicePosition)> = Vec::new();
        open_positions(conn, as_of, Scope::All, &mut |cid, inv| {
            v.push((cid.to_string(), inv))
        })?;
        for (cid, _) in &v {
            if parts.get_mut(cid).is_none() {
                parts.entry(cid.clone());
            }
        }
        every_open = Some(v);
    }
    for (cid, c) in cycles {
        parts.entry(cid).facts.cycle = Some(c);
    }
    for (cid, p) in promises {
        parts.entry(cid).facts.promises.push(p);
    }
    for cid in plan_ids {
        let plan = plans::current_plan(conn, &cid, as_of)?;
        parts.entry(cid).facts.plan = plan;
    }
    for t in tasks {
        let cid = t.customer_id.clone();
        t.add_to(&mut parts.entry(cid).facts);
    }
    if let Some(v) = every_open {
        for (cid, inv) in v {
            if let Some(p) = parts.get_mut(&cid) {
                p.invoices.push(inv);
            }
        }
    } else {
        let at = &parts.at;
        let slots = &mut parts.parts;
        let wanted = |cid: &str| at.contains_key(cid);
        open_positions(conn, as_of, Scope::Only(&wanted), &mut |cid, inv| {
            if let Some(p) = at.get(cid).and_then(|&i| slots.get_mut(i as usize)) {
                p.invoices.push(inv);
            }
        })?;
    }

    // The latest response since each account's cycle began: the rows since the earliest
    // open cycle, reduced here (a GROUP BY would sort them all first).
    if let Some(from) = parts
        .parts
        .iter()
        .filter_map(|p| p.facts.cycle.as_ref().map(|c| c.started_on))
        .min()
    {
        let mut stmt = conn.prepare(
            "SELECT customer_id, date FROM payments WHERE date BETWEEN ?1 AND ?2
             UNION ALL SELECT customer_id, taken_on FROM promises WHERE taken_on BETWEEN ?1 AND ?2
             UNION ALL SELECT customer_id, opened_on FROM disputes WHERE opened_on BETWEEN ?1 AND ?2
             UNION ALL SELECT customer_id, on_date FROM calls WHERE on_date BETWEEN ?1 AND ?2 AND outcome IN ('reached', 'refused')",
        )?;
        let mut rows = stmt.query(params![from, as_of])?;
        while let Some(r) = rows.next()? {
            let Some(f) = parts.facts(text_at(&r, 0)?) else {
                continue;
            };
            let Some(started) = f.cycle.as_ref().map(|c| c.started_on) else {
                continue;
            };
            let d = date_at(&r, 1)?;
            if d >= started && f.last_response.is_none_or(|l| d > l) {
                f.last_response = Some(d);
            }
        }
    }

    {
        let mut stmt = conn.prepare(
            "SELECT customer_id, evaluated_on FROM promises WHERE status = 'broken' AND evaluated_on <= ?1
             UNION ALL SELECT customer_id, ended_on FROM plans WHERE status = 'broken' AND ended_on <= ?1",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let Some(f) = parts.facts(text_at(&r, 0)?) else {
                continue;
            };
            let d = date_at(&r, 1)?;
            if f.resume_on.is_none_or(|x| d > x) {
                f.resume_on = Some(d);
            }
        }
    }

    for h in activity::active_holds(conn, as_of)? {
        if let Some(f) = parts.facts(h.customer_id.as_str()) {
            f.hold = Some(h.state());
        }
    }
    for (cid, p) in placements::placements(conn, as_of)? {
        if let Some(f) = parts.facts(&cid) {
            f.placed = Some(p);
        }
    }
    for (cid, id) in activity::open_dispute_ids_all(conn, as_of)? {
        if let Some(f) = parts.facts(&cid) {
            f.open_disputes.push(id);
        }
    }

    {
        // Most of the shop: every row, kept below when its account is wanted.
        let ids = if reach.all_open {
            String::new()
        } else {
            ids_json(parts.at.keys().map(String::as_str))
        };
        let who = if reach.all_open {
            Who::All
        } else {
            Who::Ids(&ids)
        };
        for (cid, flag) in prevention::open_flags(conn, who, as_of)? {
            if let Some(f) = parts.facts(&cid) {
                f.flags.push(flag);
            }
        }
        for (cid, no, days) in prevention::pre_due_done(conn, who, as_of)? {
            if let Some(f) = parts.facts(&cid) {
                f.pre_due_done.push((no, days));
            }
        }
        for (cid, day) in prevention::broken_promises(conn, who, as_of)? {
            if let Some(f) = parts.facts(&cid) {
                f.broken_promises.push(day);
            }
        }
        // Most of the shop (a replay's first day): one scan instead of the set query.
        let days_late = if parts.parts.len() > SCAN_DAYS_LATE_FROM {
            let at = &parts.at;
            days_late_kept::days_late(conn, as_of, &|cid| at.contains_key(cid), reach.days_late)?
        } else {
            prevention::days_late(conn, who, as_of)?
        };
        for (cid, days) in days_late {
            if let Some(f) = parts.facts(&cid) {
                f.days_late = days;
            }
        }
    }

    for (cid, &i) in &parts.at {
        let Some(p) = parts.parts.get_mut(i as usize) else {
            continue;
        };
        if let Some(from) = p.facts.payments_from() {
            p.facts.payments = ledger::payments_between(conn, cid, from, as_of)?;
        }
        p.invoices.sort_by(|x, y| {
            x.due_date
                .cmp(&y.due_date)
                .then_with(|| x.invoice_no.cmp(&y.invoice_no))
        });
    }

    // The customers last, only those that matter, in id order.
    let mut out = Vec::with_capacity(parts.parts.len());
    // With the behaviour class the latest close measured, for a customer the shop gave
    // no risk (`Customer::with_behaviour`).
    let sql = format!(
        "SELECT {}, b.class FROM customers LEFT JOIN customer_behaviour b ON b.customer_id = customers.id ORDER BY customers.id",
        customers::COLUMNS
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut total = 0;
    while let Some(r) = rows.next()? {
        total += 1;
        if let Some(p) = parts.take(text_at(&r, 0)?) {
            out.push(AccountData {
                customer: customers::from_row(&r)?.with_behaviour(r.get(12)?),
                invoices: p.invoices,
                facts: p.facts,
            });
        }
    }
    Ok((out, total))
}

/// Which accounts a set query covers: all; those whose ids are in a JSON array (bound
/// once and expanded by SQLite's `json_each`, so any number of ids is one query — for
/// a few accounts); or those a test in Rust keeps (for many: one scan, no seeks).
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    All,
    Ids(&'a str),
    Only(&'a dyn Fn(&str) -> bool),
}

impl Scope<'_> {
    /// ` AND {column} IN (…)` for a list of ids, nothing otherwise.
    fn clause(self, column: &str) -> String {
        match self {
            Scope::All | Scope::Only(_) => String::new(),
            Scope::Ids(_) => format!(" AND {column} IN (SELECT value FROM json_each(?2))"),
        }
    }

    /// Whether a row of this account is wanted (the SQL already kept it for a list).
    fn keeps(self, customer_id: &str) -> bool {
        match self {
            Scope::Only(f) => f(customer_id),
            Scope::All | Scope::Ids(_) => true,
        }
    }

    fn query<'s>(
        self,
        stmt: &'s mut crate::store::db::Statement<'_>,
        as_of: NaiveDate,
    ) -> rusqlite::Result<crate::store::db::Rows<'s>> {
        match self {
            Scope::All | Scope::Only(_) => stmt.query(params![as_of]),
            Scope::Ids(ids) => stmt.query(params![as_of, ids]),
        }
    }
}

/// A JSON array of ids, for [`Scope::Ids`].
pub fn ids_json<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::Array(
        ids.into_iter()
            .map(|s| serde_json::Value::String(s.to_string()))
            .collect(),
    )
    .to_string()
}

/// A JSON array of numbers (outbox or cycle ids), for `json_each`.
pub fn numbers_json(ids: impl IntoIterator<Item = i64>) -> String {
    let mut out = String::from("[");
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

/// Customers with an invoice past due on `?1`, or money applied after it, from
/// covering indexes (by the date index the planner would look up every invoice).
pub(crate) const PAST_DUE_OR_PAID_SINCE: &str = "SELECT DISTINCT customer_id FROM invoices
     INDEXED BY invoices_open WHERE balance <> 0 AND due_date < ?1 AND issue_date <= ?1
     UNION SELECT DISTINCT customer_id FROM allocations INDEXED BY allocations_date WHERE date > ?1";

/// Invoices paid off now that had money applied after `?1` and were issued by then,
/// by the day of their latest allocation.
pub(crate) const PAID_OFF_SINCE: &str =
    "SELECT customer_id, invoice_no, issue_date, due_date, amount, balance
     FROM invoices INDEXED BY invoices_settled
     WHERE balance = 0 AND last_allocated_on > ?1 AND issue_date <= ?1";

/// The open invoices issued by a date (`?1`), read from their covering index.
pub(crate) const OPEN_INVOICES: &str =
    "SELECT customer_id, invoice_no, issue_date, due_date, amount, balance FROM invoices
     INDEXED BY invoices_open WHERE balance <> 0 AND issue_date <= ?1";

/// Every invoice issued by `as_of` whose balance then was not zero, with its open
/// disputed amount, handed to `sink` with its customer id (in no particular order).
pub fn open_positions<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    scope: Scope<'_>,
    sink: &mut dyn FnMut(&str, InvoicePosition),
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let mut disputed: FastMap<String, Money> = FastMap::default();
    {
        // Disputes are few: all of them, unless a list of accounts is asked for.
        let sql = format!(
            "SELECT invoice_no, SUM(amount) FROM disputes WHERE opened_on <= ?1 AND (resolved_on IS NULL OR resolved_on > ?1){}
             GROUP BY invoice_no",
            scope.clause("customer_id")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = scope.query(&mut stmt, as_of)?;
        while let Some(r) = rows.next()? {
            disputed.insert(r.get(0)?, r.get(1)?);
        }
    }
    // Allocations dated after the day are added back (by date: usually none at all),
    // summed here rather than grouped (and so sorted) by SQLite.
    let mut later: FastMap<String, Money> = FastMap::default();
    {
        // By date, whatever the scope: as of today there are none.
        let mut stmt = conn.prepare_cached(
            "SELECT invoice_no, amount FROM allocations INDEXED BY allocations_date WHERE date > ?1",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let amount: Money = r.get(1)?;
            match later.get_mut(text_at(&r, 0)?) {
                Some(sum) => *sum += amount,
                None => {
                    later.insert(r.get(0)?, amount);
                }
            }
        }
    }
    let read = |r: &crate::store::db::Row<'_>| -> rusqlite::Result<(String, InvoicePosition)> {
        Ok((
            r.get(0)?,
            InvoicePosition {
                invoice_no: r.get(1)?,
                issue_date: date_at(r, 2)?,
                due_date: date_at(r, 3)?,
                amount: r.get(4)?,
                balance: r.get(5)?,
                disputed: Money::ZERO,
            },
        ))
    };
    let mut seen_later = 0usize;
    {
        // Only the small covering index of open invoices: left to itself, the planner
        // may walk every invoice ever issued by issue date (`invoices_issued`) and look
        // each one up in the table, which on a shop with a long history costs as much
        // as the rest of the daily run.
        let sql = format!("{OPEN_INVOICES}{}", scope.clause("customer_id"));
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = scope.query(&mut stmt, as_of)?;
        while let Some(r) = rows.next()? {
            if !scope.keeps(text_at(&r, 0)?) {
                continue;
            }
            let (cid, mut inv) = read(&r)?;
            if let Some(add) = later.get(&inv.invoice_no) {
                inv.balance += *add;
                seen_later += 1;
            }
            if inv.balance.is_zero() {
                continue;
            }
            inv.disputed = disputed.get(&inv.invoice_no).copied().unwrap_or_default();
            sink(&cid, inv);
        }
    }
    // Invoices paid off now that had money applied after the day were still open on
    // it (the open invoices above had theirs added back). They are found by the day of
    // their latest allocation in one range of a small index, in order, rather than
    // looked up one by one (hundreds of thousands twelve weeks back on a large shop).
    if later.len() > seen_later {
        let sql = format!("{PAID_OFF_SINCE}{}", scope.clause("customer_id"));
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = scope.query(&mut stmt, as_of)?;
        while let Some(r) = rows.next()? {
            if !scope.keeps(text_at(&r, 0)?) {
                continue;
            }
            let (cid, mut inv) = read(&r)?;
            inv.balance += later.get(&inv.invoice_no).copied().unwrap_or_default();
            if inv.balance.is_zero() {
                continue;
            }
            inv.disputed = disputed.get(&inv.invoice_no).copied().unwrap_or_default();
            sink(&cid, inv);
        }
    }
    Ok(())
}

/// What the queue needs to score the items of one account, besides the account itself.
#[derive(Debug, Clone, Default)]
pub struct ScoringFacts {
    pub invoices: Vec<InvoicePosition>,
    /// The strategy of the cycle the account is in, if any.
    pub cycle_strategy: Option<String>,
    pub broken_promises_90d: u32,
}

/// Scoring facts for a set of accounts as of `as_of`, with a handful of set queries.
pub fn scoring_facts<'c>(
    conn: impl Into<Db<'c>>,
    ids: &[&str],
    as_of: NaiveDate,
) -> Result<HashMap<String, ScoringFacts>> {
    let conn: Db<'c> = conn.into();
    let json = ids_json(ids.iter().copied());
    let scope = Scope::Ids(&json);
    let mut out: HashMap<String, ScoringFacts> = ids
        .iter()
        .map(|id| (id.to_string(), ScoringFacts::default()))
        .collect();
    open_positions(conn, as_of, scope, &mut |cid, inv| {
        if let Some(f) = out.get_mut(cid) {
            f.invoices.push(inv);
        }
    })?;
    {
        let sql = format!(
            "SELECT customer_id, strategy_id FROM cycles WHERE started_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1){}
             ORDER BY started_on, id",
            scope.clause("customer_id")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = scope.query(&mut stmt, as_of)?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(0)?;
            if let Some(f) = out.get_mut(&cid) {
                f.cycle_strategy = Some(r.get(1)?);
            }
        }
    }
    {
        // Few promises are broken in 90 days: read them all rather than probe per account.
        let mut stmt = conn.prepare_cached(
            "SELECT customer_id, COUNT(*) FROM promises WHERE status = 'broken' AND evaluated_on <= ?1
             AND evaluated_on >= ?2 GROUP BY customer_id",
        )?;
        let mut rows = stmt.query([as_of, as_of - chrono::Duration::days(89)])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(0)?;
            if let Some(f) = out.get_mut(&cid) {
                f.broken_promises_90d = u32::try_from(r.get::<_, i64>(1)?).unwrap_or(u32::MAX);
            }
        }
    }
    Ok(out)
}

/// What the re-checks before a delivery need to know about one account now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecheckFacts {
    pub customer: Customer,
    /// Postal address lines, when known (letters).
    pub address: Option<String>,
    /// Invoices issued by the date whose balance then was not zero.
    pub invoices: Vec<InvoicePosition>,
    /// The cycle the account is in: (id, strategy).
    pub cycle: Option<(i64, String)>,
    /// When each open promise was taken.
    pub promises_taken: Vec<NaiveDate>,
    /// When the current payment plan was agreed.
    pub plan_created: Option<NaiveDate>,
    /// The agency the account is placed with, if it is.
    pub placed: Option<Placement>,
    /// Reminders before the due date waiting for delivery: (outbox id, invoice).
    pub reminded: Vec<(i64, String)>,
}

impl RecheckFacts {
    /// The same facts from one account's full engine inputs.
    pub fn of(a: &AccountData, address: Option<String>) -> RecheckFacts {
        RecheckFacts {
            customer: a.customer.clone(),
            address,
            invoices: a.invoices.clone(),
            cycle: a
                .facts
                .cycle
                .as_ref()
                .map(|c| (c.id, c.strategy_id.clone())),
            promises_taken: a.facts.promises.iter().map(|p| p.taken_on).collect(),
            plan_created: a.facts.plan.as_ref().map(|p| p.created_on),
            placed: a.facts.placed.clone(),
            // Message-scoped: read by `recheck_facts` for the messages waiting.
            reminded: Vec::new(),
        }
    }
}

/// Re-check facts for the accounts `ids` as of `as_of`, with one set query per kind
/// of fact, whatever the number of accounts (a batch of deliveries asks about a few
/// hundred at once). Accounts that do not exist are left out.
pub fn recheck_facts<'c>(
    conn: impl Into<Db<'c>>,
    ids: &[&str],
    as_of: NaiveDate,
) -> Result<HashMap<String, RecheckFacts>> {
    let conn: Db<'c> = conn.into();
    let json = ids_json(ids.iter().copied());
    let scope = Scope::Ids(&json);
    let mut out: HashMap<String, RecheckFacts> = HashMap::with_capacity(ids.len());
    {
        let sql = format!(
            "SELECT {}, address FROM customers WHERE id IN (SELECT value FROM json_each(?1))",
            customers::COLUMNS
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([&json])?;
        while let Some(r) = rows.next()? {
            let customer = customers::from_row(&r)?;
            // After the customer's columns (`customers::COLUMNS`, 12 of them).
            let address = r
                .get::<_, Option<String>>(12)?
                .filter(|a| !a.trim().is_empty());
            out.insert(
                customer.id.clone(),
                RecheckFacts {
                    customer,
                    address,
                    invoices: Vec::new(),
                    cycle: None,
                    promises_taken: Vec::new(),
                    plan_created: None,
                    placed: None,
                    reminded: Vec::new(),
                },
            );
        }
    }
    open_positions(conn, as_of, scope, &mut |cid, inv| {
        if let Some(f) = out.get_mut(cid) {
            f.invoices.push(inv);
        }
    })?;
    for f in out.values_mut() {
        f.invoices.sort_by(|x, y| {
            x.due_date
                .cmp(&y.due_date)
                .then_with(|| x.invoice_no.cmp(&y.invoice_no))
        });
    }
    // The latest cycle open on the date, as `cycles::open_cycle` picks it.
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, id, strategy_id FROM cycles WHERE customer_id IN (SELECT value FROM json_each(?2))
         AND started_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1) ORDER BY started_on, id",
    )?;
    let mut rows = stmt.query(params![as_of, json])?;
    while let Some(r) = rows.next()? {
        if let Some(f) = out.get_mut(text_at(&r, 0)?) {
            f.cycle = Some((r.get(1)?, r.get(2)?));
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, taken_on FROM promises WHERE customer_id IN (SELECT value FROM json_each(?2))
         AND taken_on <= ?1 AND (evaluated_on IS NULL OR evaluated_on > ?1) ORDER BY id",
    )?;
    let mut rows = stmt.query(params![as_of, json])?;
    while let Some(r) = rows.next()? {
        if let Some(f) = out.get_mut(text_at(&r, 0)?) {
            f.promises_taken.push(date_at(&r, 1)?);
        }
    }
    // The newest plan current on the date, as `activity::current_plan` picks it.
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, created_on FROM plans WHERE customer_id IN (SELECT value FROM json_each(?2))
         AND created_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1) ORDER BY id",
    )?;
    let mut rows = stmt.query(params![as_of, json])?;
    while let Some(r) = rows.next()? {
        if let Some(f) = out.get_mut(text_at(&r, 0)?) {
            f.plan_created = Some(date_at(&r, 1)?);
        }
    }
    // The newest placement not recalled by the date, as `placements::placement` picks it.
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, agency, placed_on FROM placements WHERE customer_id IN (SELECT value FROM json_each(?2))
         AND placed_on <= ?1 AND (recalled_on IS NULL OR recalled_on > ?1) ORDER BY id",
    )?;
    let mut rows = stmt.query(params![as_of, json])?;
    while let Some(r) = rows.next()? {
        if let Some(f) = out.get_mut(text_at(&r, 0)?) {
            f.placed = Some(Placement {
                agency: r.get(1)?,
                since: date_at(&r, 2)?,
            });
        }
    }
    // The invoices of reminders before the due date still waiting for delivery.
    let mut stmt = conn.prepare_cached(
        "SELECT r.customer_id, r.outbox_id, r.invoice_no FROM pre_due_reminders r
         JOIN outbox o ON o.id = r.outbox_id
         WHERE r.customer_id IN (SELECT value FROM json_each(?1)) AND o.status IN ('pending', 'sending')
         ORDER BY r.id",
    )?;
    let mut rows = stmt.query([&json])?;
    while let Some(r) = rows.next()? {
        if let Some(f) = out.get_mut(text_at(&r, 0)?) {
            f.reminded.push((r.get(1)?, r.get(2)?));
        }
    }
    Ok(out)
}
