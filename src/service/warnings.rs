//! Early warnings for supervisors (DESIGN §2 "Prevention"): accounts not yet past due
//! whose customer's payments are slipping, with the reason and the owner's item.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Result, Session};
use crate::domain::{AccountFigures, ItemAction, Money};
use crate::store::{customers, ledger, prevention, tasks};

/// One account with an open early warning.
#[derive(Debug, Clone, Serialize)]
pub struct WarningLine {
    pub customer_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub since: NaiveDate,
    pub reason: String,
    pub balance: Money,
    pub past_due: Money,
    /// The next due date of an open invoice not yet due.
    pub next_due: Option<NaiveDate>,
    /// The owner's open "check in" item, if it is still open.
    pub item_id: Option<i64>,
}

impl Session {
    /// Accounts with an early warning open on the session's date, oldest first
    /// (supervisors: the whole shop).
    pub fn warnings(&self) -> Result<Vec<WarningLine>> {
        self.require_supervisor("see the early warnings")?;
        let conn = self.store.conn();
        let as_of = self.as_of;
        let mut out = Vec::new();
        for w in prevention::open_warnings(conn, as_of)? {
            let Some(c) = customers::get(conn, &w.customer_id)? else {
                continue;
            };
            let positions = ledger::positions(conn, &c.id, as_of)?;
            let f = AccountFigures::of(&positions, as_of);
            let next_due = positions
                .iter()
                .filter(|i| i.is_open() && i.due_date >= as_of)
                .map(|i| i.due_date)
                .min();
            let item_id = tasks::open_for_customer(conn, &c.id, as_of)?
                .into_iter()
                .find(|t| t.action == ItemAction::CheckIn)
                .map(|t| t.id);
            out.push(WarningLine {
                customer_id: c.id,
                name: c.name,
                owner: c.owner,
                since: w.since,
                reason: w.detail,
                balance: f.balance,
                past_due: f.past_due,
                next_due,
                item_id,
            });
        }
        Ok(out)
    }
}
