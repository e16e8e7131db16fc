//! Today's queue: every open item due by the session's date, scored and ranked.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::{Result, ServiceError, Session};
use crate::domain::{AccountFigures, Money, Reason, Risk};
use crate::store::tasks::QueueRow;
use crate::store::{activity, customers, ledger, snapshot, strategies, tasks};
use crate::strategy::engine::strategy_for;
use crate::strategy::priority::{Factor, PriorityInput, score};
use crate::strategy::{Assignee, PriorityWeights};

/// Whose queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueScope {
    /// The user's own: a collector's accounts; for supervisors also every supervisor
    /// item and the items of unassigned accounts.
    Mine,
    /// One collector's items (supervisors, or the collector themself).
    Collector(String),
    /// Everything (supervisors).
    All,
}

fn two_places<S: Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    let mut d = *d;
    d.rescale(2);
    s.collect_str(&d)
}

/// One ranked queue item (DESIGN §5 `queue --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub rank: usize,
    pub item_id: i64,
    pub customer_id: String,
    pub customer_name: String,
    /// The collector who owns the item, `supervisor` for supervisor items.
    pub owner: Option<String>,
    pub reason: Reason,
    pub action: String,
    pub step: Option<String>,
    pub due: NaiveDate,
    pub days_overdue: u32,
    pub collectible_past_due: Money,
    pub dpd: u32,
    #[serde(serialize_with = "two_places")]
    pub score: Decimal,
    pub note: String,
    #[serde(skip)]
    pub factors: Vec<Factor>,
    #[serde(skip)]
    pub risk: Risk,
}

struct AccountFacts {
    figures: AccountFigures,
    risk: Risk,
    broken_90d: u32,
    weights: PriorityWeights,
}

impl Session {
    /// The ranked queue for `scope`, best first, at most `limit` items.
    pub fn queue(&self, scope: &QueueScope, limit: Option<usize>) -> Result<Vec<QueueItem>> {
        let me = &self.user;
        match scope {
            QueueScope::All => self.require_supervisor("see every queue")?,
            QueueScope::Collector(n) if n != &me.name => {
                self.require_supervisor("see another collector's queue")?
            }
            _ => {}
        }
        let conn = self.store.conn();
        let as_of = self.as_of;
        let in_scope = |r: &QueueRow| -> bool {
            let owner_item = r.task.assignee == Assignee::Owner;
            match scope {
                QueueScope::All => true,
                QueueScope::Collector(n) => owner_item && r.owner.as_deref() == Some(n.as_str()),
                QueueScope::Mine if me.role.sees_everything() => {
                    !owner_item || r.owner.is_none() || r.owner.as_deref() == Some(me.name.as_str())
                }
                QueueScope::Mine => owner_item && r.owner.as_deref() == Some(me.name.as_str()),
            }
        };
        let rows: Vec<QueueRow> = tasks::due_items(conn, as_of)?
            .into_iter()
            .filter(in_scope)
            .collect();

        let book = strategies::book(conn)?;
        let mut facts: HashMap<String, AccountFacts> = HashMap::new();
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let cid = r.task.customer_id.clone();
            if !facts.contains_key(&cid) {
                let data = snapshot::load_one(conn, &cid, as_of)?
                    .ok_or_else(|| ServiceError::NoCustomer(cid.clone()))?;
                let state = data.state(as_of);
                let weights = strategy_for(&state, &book)
                    .map(|s| s.priority.clone())
                    .unwrap_or_default();
                let f = AccountFacts {
                    figures: state.figures,
                    risk: data.customer.risk,
                    broken_90d: activity::broken_promises_90d(conn, &cid, as_of)?,
                    weights,
                };
                facts.insert(cid.clone(), f);
            }
            let Some(f) = facts.get(&cid) else { continue };
            let days_overdue = u32::try_from((as_of - r.task.due).num_days()).unwrap_or(0);
            let input = PriorityInput {
                collectible_past_due: f.figures.collectible_past_due,
                dpd: f.figures.dpd,
                risk: f.risk,
                broken_promises_90d: f.broken_90d,
                reason: r.task.reason,
                days_overdue,
            };
            let s = score(&input, &f.weights);
            let owner = match r.task.assignee {
                Assignee::Supervisor => Some("supervisor".to_string()),
                Assignee::Owner => r.owner.clone(),
            };
            items.push(QueueItem {
                rank: 0,
                item_id: r.task.id,
                customer_id: cid,
                customer_name: r.customer_name,
                owner,
                reason: r.task.reason,
                action: r.task.action,
                step: r.task.step_id,
                due: r.task.due,
                days_overdue,
                collectible_past_due: f.figures.collectible_past_due,
                dpd: f.figures.dpd,
                score: s.total,
                note: r.task.note,
                factors: s.factors,
                risk: f.risk,
            });
        }
        // Best first; ties by account id, then item id, so the order is stable.
        items.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.customer_id.cmp(&b.customer_id))
                .then_with(|| a.item_id.cmp(&b.item_id))
        });
        if let Some(n) = limit {
            items.truncate(n);
        }
        for (i, it) in items.iter_mut().enumerate() {
            it.rank = i + 1;
        }
        Ok(items)
    }

    /// How many customers exist (for headers and empty states).
    pub fn customer_count(&self) -> Result<u64> {
        Ok(customers::count(self.store.conn())?)
    }

    /// One account's invoices as of the session's date (settled ones included).
    pub fn invoices(&self, customer_id: &str) -> Result<Vec<crate::domain::InvoicePosition>> {
        let c = self.visible_customer(customer_id)?;
        Ok(ledger::positions(self.store.conn(), &c.id, self.as_of)?)
    }

    /// Figures of one account as of the session's date.
    pub fn figures(&self, customer_id: &str) -> Result<AccountFigures> {
        let c = self.visible_customer(customer_id)?;
        Ok(AccountFigures::of(
            &ledger::positions(self.store.conn(), &c.id, self.as_of)?,
            self.as_of,
        ))
    }
}
