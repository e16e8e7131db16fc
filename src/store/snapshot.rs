//! Everything the engine needs about accounts as of a date, loaded either for one
//! account (after a collector's action, for the account screen) or for all accounts at
//! once with a handful of set queries (for the daily run over 100k accounts).
//! Both paths must give the engine the same inputs; a test holds them to it.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::activity::{self, HoldRow};
use super::{Result, customers, cycles, ledger};
use crate::domain::{AccountFigures, Customer, InvoicePosition, Money};
use crate::strategy::engine::{
    AccountState, CycleState, DoneStep, OpenPlan, OpenPromise, OpenStepTask,
};

/// One account's engine inputs as of a date.
#[derive(Debug, Clone)]
pub struct AccountData {
    pub customer: Customer,
    /// Invoices issued by the date whose balance then was not zero.
    pub invoices: Vec<InvoicePosition>,
    pub cycle: Option<CycleState>,
    pub open_step_task: Option<OpenStepTask>,
    /// The latest response since the current cycle started (none outside a cycle).
    pub last_response: Option<NaiveDate>,
    pub promises: Vec<OpenPromise>,
    pub plan: Option<OpenPlan>,
    /// Payments since the earliest open promise or plan began.
    pub payments: Vec<(NaiveDate, Money)>,
    pub resume_on: Option<NaiveDate>,
    pub hold: Option<HoldRow>,
    pub release_pending: bool,
}

impl AccountData {
    fn new(customer: Customer) -> AccountData {
        AccountData {
            customer,
            invoices: Vec::new(),
            cycle: None,
            open_step_task: None,
            last_response: None,
            promises: Vec::new(),
            plan: None,
            payments: Vec::new(),
            resume_on: None,
            hold: None,
            release_pending: false,
        }
    }

    pub fn figures(&self, as_of: NaiveDate) -> AccountFigures {
        AccountFigures::of(&self.invoices, as_of)
    }

    /// The engine's view of this account.
    pub fn state(&self, as_of: NaiveDate) -> AccountState<'_> {
        AccountState {
            customer: &self.customer,
            figures: self.figures(as_of),
            cycle: self.cycle.clone(),
            open_step_task: self.open_step_task,
            last_response: self.last_response,
            promises: self.promises.clone(),
            plan: self.plan.clone(),
            payments: self.payments.clone(),
            resume_on: self.resume_on,
            hold: self.hold.as_ref().map(HoldRow::state),
            release_pending: self.release_pending,
        }
    }

    /// The earliest day payments matter for promises and plans.
    fn payments_from(&self) -> Option<NaiveDate> {
        let p = self.promises.iter().map(|p| p.taken_on).min();
        let q = self.plan.as_ref().map(|p| p.created_on);
        match (p, q) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// One account as of `as_of`.
pub fn load_one(
    conn: &Connection,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<AccountData>> {
    let Some(customer) = customers::get(conn, customer_id)? else {
        return Ok(None);
    };
    let mut a = AccountData::new(customer);
    a.invoices = ledger::positions(conn, customer_id, as_of)?
        .into_iter()
        .filter(|i| !i.balance.is_zero())
        .collect();
    a.cycle = cycles::open_cycle(conn, customer_id, as_of)?;
    a.open_step_task = open_step_task(conn, customer_id, as_of)?;
    a.release_pending = release_pending(conn, customer_id, as_of)?;
    if let Some(c) = &a.cycle {
        a.last_response =
            activity::last_response(conn, customer_id, as_of)?.filter(|d| *d >= c.started_on);
    }
    a.promises = activity::open_promises(conn, customer_id, as_of)?;
    a.plan = activity::current_plan(conn, customer_id, as_of)?;
    if let Some(from) = a.payments_from() {
        a.payments = ledger::payments_between(conn, customer_id, from, as_of)?;
    }
    a.resume_on = activity::last_broken(conn, customer_id, as_of)?;
    a.hold = activity::active_hold(conn, customer_id, as_of)?;
    Ok(Some(a))
}

fn open_step_task(
    conn: &Connection,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<OpenStepTask>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, step_index FROM tasks WHERE customer_id = ?1 AND step_index IS NOT NULL AND created_on <= ?2
         AND (done_on IS NULL OR done_on > ?2) ORDER BY id DESC LIMIT 1",
    )?;
    let mut rows = stmt.query(params![customer_id, as_of])?;
    match rows.next()? {
        Some(r) => Ok(Some(OpenStepTask {
            task_id: r.get(0)?,
            step_index: r.get::<_, i64>(1)? as usize,
        })),
        None => Ok(None),
    }
}

fn release_pending(conn: &Connection, customer_id: &str, as_of: NaiveDate) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM tasks WHERE customer_id = ?1 AND action = 'release_hold' AND created_on <= ?2
             AND (done_on IS NULL OR done_on > ?2)",
        )?
        .exists(params![customer_id, as_of])?)
}

/// Every account as of `as_of`, ordered by customer id, with set queries only.
pub fn load_all(conn: &Connection, as_of: NaiveDate) -> Result<Vec<AccountData>> {
    let mut accounts: Vec<AccountData> = customers::list(conn, None)?
        .into_iter()
        .map(AccountData::new)
        .collect();
    let index: HashMap<String, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.customer.id.clone(), i))
        .collect();
    let at = |id: &str| index.get(id).copied();

    open_positions(conn, as_of, Scope::All, &mut |cid, inv| {
        if let Some(i) = at(cid) {
            accounts[i].invoices.push(inv);
        }
    })?;
    for a in accounts.iter_mut() {
        a.invoices.sort_by(|x, y| {
            x.due_date
                .cmp(&y.due_date)
                .then_with(|| x.invoice_no.cmp(&y.invoice_no))
        });
    }

    // Cycles open on the date, with their last step done by then.
    let mut cycle_of: HashMap<i64, usize> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT id, customer_id, strategy_id, started_on FROM cycles
             WHERE started_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1) ORDER BY started_on, id",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(1)?;
            if let Some(i) = at(&cid) {
                let id: i64 = r.get(0)?;
                accounts[i].cycle = Some(CycleState {
                    id,
                    strategy_id: r.get(2)?,
                    started_on: r.get(3)?,
                    last_step: None,
                });
                cycle_of.insert(id, i);
            }
        }
        let mut stmt = conn.prepare(
            // Open cycles first, then their steps by index (not every step ever done).
            "SELECT s.cycle_id, s.step_index, s.done_on FROM cycles c CROSS JOIN steps_done s ON s.cycle_id = c.id
             WHERE c.started_on <= ?1 AND (c.ended_on IS NULL OR c.ended_on > ?1) AND s.done_on <= ?1",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let cycle_id: i64 = r.get(0)?;
            let step = DoneStep {
                index: r.get::<_, i64>(1)? as usize,
                done_on: r.get(2)?,
            };
            if let Some(c) = cycle_of
                .get(&cycle_id)
                .and_then(|&i| accounts[i].cycle.as_mut())
                && c.last_step.is_none_or(|l| step.index > l.index)
            {
                c.last_step = Some(step);
            }
        }
    }

    // Open tasks: step tasks and pending release approvals.
    for sql in [
        "SELECT id, customer_id, step_index, action FROM tasks WHERE done_on IS NULL AND created_on <= ?1
         AND (step_index IS NOT NULL OR action = 'release_hold')",
        "SELECT id, customer_id, step_index, action FROM tasks WHERE done_on > ?1 AND created_on <= ?1
         AND (step_index IS NOT NULL OR action = 'release_hold')",
    ] {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(1)?;
            let Some(i) = at(&cid) else { continue };
            let id: i64 = r.get(0)?;
            if let Some(step_index) = r.get::<_, Option<i64>>(2)? {
                let keep = accounts[i].open_step_task.is_none_or(|t| id > t.task_id);
                if keep {
                    accounts[i].open_step_task = Some(OpenStepTask { task_id: id, step_index: step_index as usize });
                }
            }
            if r.get::<_, String>(3)? == "release_hold" {
                accounts[i].release_pending = true;
            }
        }
    }

    // The latest response since the earliest open cycle began.
    if let Some(from) = accounts
        .iter()
        .filter_map(|a| a.cycle.as_ref().map(|c| c.started_on))
        .min()
    {
        let mut stmt = conn.prepare(
            "SELECT customer_id, MAX(d) FROM (
                SELECT customer_id, date AS d FROM payments WHERE date BETWEEN ?1 AND ?2
                UNION ALL SELECT customer_id, taken_on FROM promises WHERE taken_on BETWEEN ?1 AND ?2
                UNION ALL SELECT customer_id, opened_on FROM disputes WHERE opened_on BETWEEN ?1 AND ?2
                UNION ALL SELECT customer_id, on_date FROM calls WHERE on_date BETWEEN ?1 AND ?2 AND outcome IN ('reached', 'refused'))
             GROUP BY customer_id",
        )?;
        let mut rows = stmt.query(params![from, as_of])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(0)?;
            let Some(i) = at(&cid) else { continue };
            let d: NaiveDate = r.get(1)?;
            let a = &mut accounts[i];
            if a.cycle.as_ref().is_some_and(|c| d >= c.started_on) {
                a.last_response = Some(d);
            }
        }
    }

    {
        let mut stmt = conn.prepare(
            "SELECT id, customer_id, amount, date, taken_on, grace_days FROM promises
             WHERE taken_on <= ?1 AND (evaluated_on IS NULL OR evaluated_on > ?1) ORDER BY id",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(1)?;
            let Some(i) = at(&cid) else { continue };
            accounts[i].promises.push(OpenPromise {
                id: r.get(0)?,
                amount: r.get(2)?,
                date: r.get(3)?,
                taken_on: r.get(4)?,
                grace_days: r.get(5)?,
            });
        }
    }

    {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT customer_id FROM plans WHERE created_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1)",
        )?;
        let ids: Vec<String> = stmt
            .query_map([as_of], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for cid in ids {
            if let Some(i) = at(&cid) {
                accounts[i].plan = activity::current_plan(conn, &cid, as_of)?;
            }
        }
    }

    for a in accounts.iter_mut() {
        if let Some(from) = a.payments_from() {
            a.payments = ledger::payments_between(conn, &a.customer.id, from, as_of)?;
        }
    }

    {
        let mut stmt = conn.prepare(
            "SELECT customer_id, MAX(d) FROM (
                SELECT customer_id, evaluated_on AS d FROM promises WHERE status = 'broken' AND evaluated_on <= ?1
                UNION ALL SELECT customer_id, ended_on FROM plans WHERE status = 'broken' AND ended_on <= ?1)
             GROUP BY customer_id",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(0)?;
            if let Some(i) = at(&cid) {
                accounts[i].resume_on = r.get(1)?;
            }
        }
    }

    for h in activity::active_holds(conn, as_of)? {
        if let Some(i) = at(&h.customer_id) {
            accounts[i].hold = Some(h);
        }
    }
    Ok(accounts)
}

/// Which accounts a set query covers: all, or those whose ids are in a JSON array
/// (bound once and expanded by SQLite's `json_each`, so any number of ids is one query).
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Ids(&'a str),
}

impl Scope<'_> {
    /// ` AND {column} IN (…)` for a filtered scope, nothing for all.
    fn clause(self, column: &str) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Ids(_) => format!(" AND {column} IN (SELECT value FROM json_each(?2))"),
        }
    }

    fn query<'s>(
        self,
        stmt: &'s mut rusqlite::Statement<'_>,
        as_of: NaiveDate,
    ) -> rusqlite::Result<rusqlite::Rows<'s>> {
        match self {
            Scope::All => stmt.query(params![as_of]),
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

/// Every invoice issued by `as_of` whose balance then was not zero, with its open
/// disputed amount, handed to `sink` with its customer id (in no particular order).
pub fn open_positions(
    conn: &Connection,
    as_of: NaiveDate,
    scope: Scope<'_>,
    sink: &mut dyn FnMut(&str, InvoicePosition),
) -> Result<()> {
    let mut disputed: HashMap<String, Money> = HashMap::new();
    {
        // Disputes are few: all of them, whatever the scope.
        let mut stmt = conn.prepare_cached(
            "SELECT invoice_no, SUM(amount) FROM disputes WHERE opened_on <= ?1 AND (resolved_on IS NULL OR resolved_on > ?1)
             GROUP BY invoice_no",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            disputed.insert(r.get(0)?, r.get(1)?);
        }
    }
    // Allocations dated after the day are added back (by date: usually none at all).
    let mut later: HashMap<String, Money> = HashMap::new();
    {
        // By date, whatever the scope: as of today there are none.
        let mut stmt = conn.prepare_cached(
            "SELECT invoice_no, SUM(amount) FROM allocations INDEXED BY allocations_date WHERE date > ?1 GROUP BY invoice_no",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            later.insert(r.get(0)?, r.get(1)?);
        }
    }
    let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(String, InvoicePosition)> {
        Ok((
            r.get(0)?,
            InvoicePosition {
                invoice_no: r.get(1)?,
                issue_date: r.get(2)?,
                due_date: r.get(3)?,
                amount: r.get(4)?,
                balance: r.get(5)?,
                disputed: Money::ZERO,
            },
        ))
    };
    let mut seen_later = std::collections::HashSet::new();
    {
        let sql = format!(
            "SELECT customer_id, invoice_no, issue_date, due_date, amount, balance FROM invoices
             WHERE balance <> 0 AND issue_date <= ?1{}",
            scope.clause("customer_id")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = scope.query(&mut stmt, as_of)?;
        while let Some(r) = rows.next()? {
            let (cid, mut inv) = read(r)?;
            if let Some(add) = later.get(&inv.invoice_no) {
                inv.balance += *add;
                seen_later.insert(inv.invoice_no.clone());
            }
            if inv.balance.is_zero() {
                continue;
            }
            inv.disputed = disputed.get(&inv.invoice_no).copied().unwrap_or_default();
            sink(&cid, inv);
        }
    }
    // Invoices settled after the day were still open on it.
    for (no, add) in &later {
        if seen_later.contains(no) {
            continue;
        }
        let Some(row) = super::ledger::get_invoice(conn, no)? else {
            continue;
        };
        let balance = row.balance + *add;
        if row.issue_date > as_of || balance.is_zero() {
            continue;
        }
        let inv = InvoicePosition {
            invoice_no: row.invoice_no,
            issue_date: row.issue_date,
            due_date: row.due_date,
            amount: row.amount,
            balance,
            disputed: disputed.get(no).copied().unwrap_or_default(),
        };
        sink(&row.customer_id, inv);
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
pub fn scoring_facts(
    conn: &Connection,
    ids: &[&str],
    as_of: NaiveDate,
) -> Result<HashMap<String, ScoringFacts>> {
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
             AND evaluated_on >= date(?1, '-89 days') GROUP BY customer_id",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(0)?;
            if let Some(f) = out.get_mut(&cid) {
                f.broken_promises_90d = u32::try_from(r.get::<_, i64>(1)?).unwrap_or(u32::MAX);
            }
        }
    }
    Ok(out)
}
