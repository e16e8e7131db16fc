//! Today's queue: every open item due by the session's date, scored and ranked.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::{Result, Session};
use crate::domain::{AccountFigures, ItemAction, Money, Reason, Risk};
use crate::store::tasks::DueFilter;
use crate::store::{behaviour, customers, ledger, snapshot, strategies, tasks};
use crate::strategy::engine::strategy_of;
use crate::strategy::priority::{Factor, PaysLate, PriorityInput, score};
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
    pub action: ItemAction,
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

impl QueueItem {
    /// What the item asks of the person, in words, with the step it belongs to:
    /// `call (second call)`. A message step that could not go out by itself (the
    /// customer opted out of the channel, is white glove, or has no address for it)
    /// is a personal contact, and says so: `contact, not email (friendly)`.
    pub fn action_words(&self) -> String {
        let what = self.action.work().to_string();
        match &self.step {
            Some(step) if step != self.action.as_str() && step != "end" => {
                format!("{what} ({})", crate::domain::names::words(step))
            }
            _ => what,
        }
    }
}

impl Session {
    /// The ranked queue for `scope`, best first, at most `limit` items.
    pub fn queue(&self, scope: &QueueScope, limit: Option<usize>) -> Result<Vec<QueueItem>> {
        let me = &self.user;
        let filter = match scope {
            QueueScope::All => {
                self.require_supervisor("see every queue")?;
                DueFilter::All
            }
            QueueScope::Collector(n) => {
                self.known_user(n)?;
                if n != &me.name {
                    self.require_supervisor("see another collector's queue")?;
                }
                DueFilter::OwnedBy(n)
            }
            QueueScope::Mine if me.role.sees_everything() => DueFilter::Supervisor(&me.name),
            QueueScope::Mine => DueFilter::OwnedBy(&me.name),
        };
        let conn = self.store.conn();
        let as_of = self.as_of;
        let rows = tasks::due_items(conn, as_of, filter)?;
        let mut ids: Vec<&str> = rows.iter().map(|r| r.task.customer_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let facts = snapshot::scoring_facts(conn, &ids, as_of)?;
        // How each customer pays, as the latest daily close measured it (one query).
        let pays = behaviour::stored(conn, &snapshot::ids_json(ids.iter().copied()), as_of)?;
        let book = strategies::book(conn)?;
        let default_weights = PriorityWeights::default();
        let mut scored: HashMap<
            &str,
            (
                AccountFigures,
                &PriorityWeights,
                u32,
                Option<PaysLate>,
                Risk,
            ),
        > = HashMap::with_capacity(facts.len());
        for r in &rows {
            let id = r.task.customer_id.as_str();
            if scored.contains_key(id) {
                continue;
            }
            let Some(f) = facts.get(id) else { continue };
            let figures = AccountFigures::of(&f.invoices, as_of);
            let measured = pays.get(id);
            // Strategy assignment goes by the behaviour class when the shop gave no risk.
            let assigned = r.customer.clone().with_behaviour(measured.map(|b| b.class));
            let weights = strategy_of(
                &book,
                f.cycle_strategy.as_deref(),
                &assigned,
                figures.balance,
            )
            .map_or(&default_weights, |s| &s.priority);
            let late = measured.map(|b| PaysLate {
                invoices: b.history,
                average: b.avg_days_late.map(|d| d.round() as i32),
                expected: b.expected_days_late.round() as i32,
            });
            // The risk the score weighs is the one the account shows: the shop's, else
            // the learned class.
            let risk = assigned.risk;
            scored.insert(id, (figures, weights, f.broken_promises_90d, late, risk));
        }

        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let Some((figures, weights, broken, late, risk)) =
                scored.get(r.task.customer_id.as_str())
            else {
                continue;
            };
            let days_overdue = u32::try_from((as_of - r.task.due).num_days()).unwrap_or(0);
            let input = PriorityInput {
                collectible_past_due: figures.collectible_past_due,
                dpd: figures.dpd,
                risk: *risk,
                broken_promises_90d: *broken,
                reason: r.task.reason,
                days_overdue,
                pays: *late,
            };
            let s = score(&input, weights);
            let owner = match r.task.assignee {
                Assignee::Supervisor => Some("supervisor".to_string()),
                Assignee::Owner => r.customer.owner.clone(),
            };
            items.push(QueueItem {
                rank: 0,
                item_id: r.task.id,
                customer_id: r.task.customer_id.clone(),
                customer_name: r.customer.name.clone(),
                owner,
                reason: r.task.reason,
                action: r.task.action,
                step: r.task.step_id.clone(),
                due: r.task.due,
                days_overdue,
                collectible_past_due: figures.collectible_past_due,
                dpd: figures.dpd,
                score: s.total,
                note: r.task.note.clone(),
                factors: s.factors,
                risk: *risk,
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
