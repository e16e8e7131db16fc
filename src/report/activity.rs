//! `report activity` and the Team screen: per person, what they did in a period and
//! where their book stands (DESIGN §6 "Activity per user" and "Team").

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::period::Scope;
use crate::domain::{Money, Role};
use crate::metrics;
use crate::service::{Result, ServiceError, Session};
use crate::store::figures::{self, Whose};
use crate::store::{customers, users};

/// One person's row.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRow {
    pub user: String,
    pub role: Role,
    pub calls: u64,
    pub contacts: u64,
    pub accounts_touched: u64,
    pub promises: u64,
    pub promised_amount: Money,
    pub promises_kept_rate: Option<Decimal>,
    pub collected: Money,
    pub tasks_due: u64,
    pub tasks_done: u64,
    pub tasks_overdue: u64,
    pub oldest_overdue: Option<NaiveDate>,
    /// Accounts the person owns and their open balance at the period's end.
    pub accounts: u64,
    pub open_balance: Money,
    /// What was collectible past due on their accounts when the period began.
    pub worklist: Money,
    /// (promised + collected) ÷ worklist, in percent.
    pub progress: Option<Decimal>,
    pub disputes_opened: u64,
    pub disputes_resolved: u64,
}

/// Every collector, and every other user who did something in the period, ordered by
/// name; or one named person.
pub fn activity(
    s: &Session,
    from: NaiveDate,
    to: NaiveDate,
    collector: Option<&str>,
) -> Result<Vec<ActivityRow>> {
    s.require_supervisor("read everyone's activity")?;
    if to < from {
        return Err(ServiceError::Invalid(format!(
            "--from {from} is after --to {to}"
        )));
    }
    let scope = Scope::new(s, collector)?;
    let conn = s.store().conn();
    let done = figures::activity(conn, from, to)?;
    // Who owned each account on any day of the period: the moves after its start, read
    // once for the items, the money and the book at its end.
    let owners = figures::Owners::after(conn, from)?;
    let work = figures::workload(conn, from, to, &owners)?;
    let collected = figures::collected_by_owner(conn, from, to, &owners)?;
    // The book at both ends of the period, the first on a second connection beside
    // the last (each reads every open invoice of the shop).
    let before = from - Duration::days(1);
    let (start, end) = match s.store().reader()? {
        Some(reader) => std::thread::scope(|scope| {
            let far = scope.spawn(move || figures::book_as_of(&reader, before, Whose::Shop));
            let end = figures::book_as_of(conn, to, Whose::Shop);
            let start = far.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            Ok::<_, ServiceError>((start?, end?))
        })?,
        None => (
            figures::book_as_of(conn, before, Whose::Shop)?,
            figures::book_as_of(conn, to, Whose::Shop)?,
        ),
    };
    // Accounts owned at the period's end (moves after it taken back), their balance
    // then and what was collectible past due at the start.
    let mut owned: HashMap<String, (u64, Money, Money)> = HashMap::new();
    for (id, now) in customers::owners(conn)? {
        let Some(owner) = owners.on(&id, to, Some(now)) else {
            continue;
        };
        let e = owned.entry(owner).or_default();
        e.0 += 1;
        if let Some((aging, _)) = end.by_customer.get(&id) {
            e.1 += aging.total();
        }
        if let Some((aging, disputed)) = start.by_customer.get(&id) {
            e.2 += (aging.total() - aging.current - *disputed).max(Money::ZERO);
        }
    }
    let mut rows = Vec::new();
    for u in users::list(conn)? {
        if scope.collector().is_some_and(|c| c != u.name) {
            continue;
        }
        let a = done.get(&u.name).cloned().unwrap_or_default();
        let queue = if u.role == Role::Collector {
            u.name.as_str()
        } else {
            "supervisor"
        };
        let w = work.get(queue).cloned().unwrap_or_default();
        let (accounts, open_balance, worklist) = owned.get(&u.name).copied().unwrap_or_default();
        let collected = collected.get(&u.name).copied().unwrap_or_default();
        let idle = a == figures::Activity::default() && accounts == 0;
        if idle && u.role != Role::Collector && scope.collector().is_none() {
            continue;
        }
        rows.push(ActivityRow {
            user: u.name,
            role: u.role,
            calls: a.calls,
            contacts: a.contacts,
            accounts_touched: a.accounts_touched,
            promises: a.promises,
            promised_amount: a.promised_amount,
            promises_kept_rate: metrics::kept_rate(a.kept, a.partially_kept, a.broken),
            collected,
            tasks_due: w.due,
            tasks_done: a.items_done,
            tasks_overdue: w.overdue,
            oldest_overdue: w.oldest_overdue,
            accounts,
            open_balance,
            worklist,
            progress: metrics::percent(a.promised_amount + collected, worklist),
            disputes_opened: a.disputes_opened,
            disputes_resolved: a.disputes_resolved,
        });
    }
    Ok(rows)
}
