//! One account as of the session's date: position, strategy and step, holds,
//! promises, disputes, open items and the timeline (DESIGN §5 `account show`).

use chrono::NaiveDate;
use serde::Serialize;

use super::{Result, ServiceError, Session};
use crate::domain::plan::{self, Installment};
use crate::domain::{Aging, ItemAction, Money, PlanStatus, Risk};
use crate::store::activity::{self, DisputeRow, PromiseRow};
use crate::store::{
    behaviour, cycles, events, ledger, plans, snapshot, strategies, tasks, writeoffs,
};
use crate::strategy::Assignee;
use crate::strategy::engine::{FlagKind, Pause, decide, next_due, strategy_for};

#[derive(Debug, Clone, Serialize)]
pub struct StepRef {
    pub id: String,
    pub index: usize,
    pub done_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLine {
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub balance: Money,
    pub dpd: u32,
    pub disputed: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventLine {
    pub at: String,
    pub on_date: NaiveDate,
    pub kind: crate::domain::EventKind,
    pub by: String,
    pub detail: String,
    /// The account, when the line is not on an account's own timeline.
    #[serde(skip_serializing)]
    pub customer_id: Option<String>,
}

impl From<crate::store::events::Event> for EventLine {
    fn from(e: crate::store::events::Event) -> EventLine {
        EventLine {
            at: e.at,
            on_date: e.on_date,
            kind: e.kind,
            by: e.actor,
            detail: e.detail,
            customer_id: e.customer_id,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HoldInfo {
    pub since: NaiveDate,
    pub reason: String,
    pub set_by: String,
    pub by_step: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub id: String,
    pub action: String,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenItem {
    pub item_id: i64,
    pub reason: crate::domain::Reason,
    pub action: ItemAction,
    pub assignee: Assignee,
    pub due: NaiveDate,
    pub note: String,
}

/// Where the account is placed (DESIGN §5 `agency`).
#[derive(Debug, Clone, Serialize)]
pub struct AgencyInfo {
    pub name: String,
    pub since: NaiveDate,
    /// Paid since the placement: recovered by the agency.
    pub recovered: Money,
}

/// A payment plan and each installment's state (DESIGN §5 `plans`).
#[derive(Debug, Clone, Serialize)]
pub struct PlanLine {
    pub plan_id: i64,
    pub status: PlanStatus,
    pub created_on: NaiveDate,
    pub total: Money,
    pub installments: Vec<Installment>,
}

/// Everything the account screen and `account show` present.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub customer_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub strategy: Option<String>,
    pub step: Option<StepRef>,
    pub on_hold: bool,
    pub balance: Money,
    pub past_due: Money,
    pub collectible_past_due: Money,
    pub disputed: Money,
    pub dpd: u32,
    pub aging: Aging,
    pub invoices: Vec<InvoiceLine>,
    pub promises: Vec<PromiseRow>,
    pub disputes: Vec<DisputeRow>,
    pub events: Vec<EventLine>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub segment: Option<String>,
    pub risk: Risk,
    pub opt_out: Vec<String>,
    pub white_glove: bool,
    pub hold: Option<HoldInfo>,
    /// Where the account stands, in words.
    pub status: String,
    pub next_step: Option<NextStep>,
    pub open_items: Vec<OpenItem>,
    pub agency: Option<AgencyInfo>,
    pub plans: Vec<PlanLine>,
    /// Written off by approved write-offs, as of the day.
    pub written_off: Money,
    /// The open balance is above the customer's credit limit.
    pub over_limit: bool,
    pub credit_limit: Option<Money>,
    /// An early warning open on the day: why the customer looks like slipping.
    pub early_warning: Option<EarlyWarning>,
    /// How the customer pays, as the latest daily close measured it (`null` before one).
    pub behaviour: Option<crate::behaviour::CustomerRow>,
    /// The chance its next invoice is paid more than 30 days late (with `behaviour`).
    #[serde(skip)]
    pub behaviour_p_late_30: Option<f64>,
    /// Whether the shop gave the risk class (else `risk` is the behaviour class).
    #[serde(skip)]
    pub risk_set: bool,
}

/// An open early warning (DESIGN §2 "Prevention").
#[derive(Debug, Clone, Serialize)]
pub struct EarlyWarning {
    pub since: NaiveDate,
    pub reason: String,
}

impl Session {
    /// The account as of the session's date; `events` limits the timeline.
    pub fn account(&self, customer_id: &str, event_limit: usize) -> Result<AccountView> {
        let c = self.visible_customer(customer_id)?;
        let conn = self.store.conn();
        let as_of = self.as_of;
        let data = snapshot::load_one(conn, &c.id, as_of)?
            .ok_or_else(|| ServiceError::NoCustomer(c.id.clone()))?;
        let state = data.state(as_of);
        let f = state.figures;
        let book = strategies::book(conn)?;
        let strategy = strategy_for(&state, &book);

        let facts = &data.facts;
        let step = match &facts.cycle {
            Some(cy) => match (cy.last_step, cycles::last_step_id(conn, cy.id, as_of)?) {
                (Some(l), Some(id)) => Some(StepRef {
                    id,
                    index: l.index,
                    done_on: l.done_on,
                }),
                _ => None,
            },
            None => None,
        };
        let next_step = match (&facts.cycle, strategy) {
            (Some(cy), Some(s)) => {
                next_due(cy, facts.last_response, facts.resume_on, s).and_then(|(i, due)| {
                    s.step_at(i).map(|st| NextStep {
                        id: st.id.clone(),
                        action: if s.is_end_round(i) {
                            format!("{} again", st.action)
                        } else {
                            st.action.to_string()
                        },
                        due,
                    })
                })
            }
            _ => None,
        };
        let decision = decide(&state, &book, as_of);
        let status = match (decision.paused, &facts.cycle, &next_step) {
            (Some(Pause::Placed), _, _) => match &facts.placed {
                Some(p) => format!("at agency {} since {}", p.agency, p.since),
                None => "at an agency".to_string(),
            },
            (Some(Pause::Promise { through }), _, _) => {
                format!("paused: promise open through {through}")
            }
            (Some(Pause::Plan), _, _) => "paused: payment plan current".to_string(),
            (Some(Pause::Dispute), _, _) => {
                "paused: disputes bring the collectible past due below the threshold".to_string()
            }
            (Some(Pause::WaitingForTask), _, _) => "waiting: a step task is open".to_string(),
            (Some(Pause::Weekend), _, _) => "waiting: no automatic mail at weekends".to_string(),
            (None, Some(_), Some(n)) if n.id == "end" => {
                format!("every step done: supervisor review due {}", n.due)
            }
            (None, Some(_), Some(n)) => {
                format!("in collection: next {} ({}) due {}", n.id, n.action, n.due)
            }
            (None, Some(_), None) => "in collection: every step done".to_string(),
            // Past due enough for its strategy, but no close has run since: the next
            // one starts its cycle (it said "below the threshold").
            (None, None, _) if decision.start_cycle.is_some() => {
                "past due: its collection cycle starts at the next daily run".to_string()
            }
            (None, None, _) if f.collectible_past_due.is_positive() => {
                "past due, below the strategy's threshold".to_string()
            }
            (None, None, _) => "current".to_string(),
        };

        let invoices = data
            .invoices
            .iter()
            .filter(|i| i.is_open())
            .map(|i| InvoiceLine {
                invoice_no: i.invoice_no.clone(),
                issue_date: i.issue_date,
                due_date: i.due_date,
                amount: i.amount,
                balance: i.balance,
                dpd: i.days_past_due(as_of),
                disputed: i.disputed_open(),
            })
            .collect();
        let events = events::for_customer(conn, &c.id, as_of, event_limit)?
            .into_iter()
            .map(EventLine::from)
            .collect();
        let open_items = tasks::open_for_customer(conn, &c.id, as_of)?
            .into_iter()
            .map(|t| OpenItem {
                item_id: t.id,
                reason: t.reason,
                action: t.action,
                assignee: t.assignee,
                due: t.due,
                note: t.note,
            })
            .collect();
        let agency = match &facts.placed {
            Some(p) => Some(AgencyInfo {
                name: p.agency.clone(),
                since: p.since,
                recovered: ledger::payments_between(conn, &c.id, p.since, as_of)?
                    .into_iter()
                    .map(|(_, m)| m)
                    .sum(),
            }),
            None => None,
        };
        let mut plan_lines = Vec::new();
        for p in plans::plans_for(conn, &c.id, as_of)? {
            let paid: Money = ledger::payments_between(conn, &c.id, p.created_on, as_of)?
                .into_iter()
                .map(|(_, m)| m)
                .sum();
            plan_lines.push(PlanLine {
                plan_id: p.plan_id,
                status: p.status,
                created_on: p.created_on,
                total: plan::total(&p.installments),
                installments: plan::states(&p.installments, paid, p.grace_days, as_of),
            });
        }
        let hold = activity::active_hold(conn, &c.id, as_of)?;
        let measured = behaviour::stored_one(conn, &c.id, as_of)?;
        Ok(AccountView {
            customer_id: c.id.clone(),
            name: c.name.clone(),
            owner: c.owner.clone(),
            strategy: strategy.map(|s| s.id.clone()),
            step,
            on_hold: hold.is_some(),
            balance: f.balance,
            past_due: f.past_due,
            collectible_past_due: f.collectible_past_due,
            disputed: f.disputed,
            dpd: f.dpd,
            aging: f.aging,
            invoices,
            promises: activity::promises_for(conn, &c.id, as_of)?,
            disputes: activity::disputes_for(conn, &c.id, as_of)?,
            events,
            email: c.email.clone(),
            phone: c.phone.clone(),
            segment: c.segment.clone(),
            risk: c.risk,
            opt_out: c.opt_out.iter().map(|ch| ch.to_string()).collect(),
            white_glove: c.white_glove,
            hold: hold.as_ref().map(|h| HoldInfo {
                since: h.set_on,
                reason: h.reason.clone(),
                set_by: h.set_by.clone(),
                by_step: h.by_step,
            }),
            status,
            next_step,
            open_items,
            agency,
            plans: plan_lines,
            written_off: writeoffs::written_off(conn, &c.id, as_of)?,
            over_limit: c.is_over_limit(f.balance),
            credit_limit: c.credit_limit,
            early_warning: data
                .facts
                .flag(FlagKind::EarlyWarning)
                .map(|w| EarlyWarning {
                    since: w.since,
                    reason: w.detail.clone(),
                }),
            behaviour_p_late_30: measured.as_ref().map(|b| b.p_late_30),
            behaviour: measured.map(|b| crate::behaviour::CustomerRow {
                customer_id: c.id.clone(),
                name: c.name.clone(),
                history: b.history,
                avg_days_late: b.avg_days_late.map(crate::behaviour::days1),
                expected_days_late: crate::behaviour::days1(b.expected_days_late),
                class: b.class,
            }),
            risk_set: c.risk_set,
        })
    }
}

/// One line of the Accounts screen.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLine {
    pub customer_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub balance: Money,
    pub past_due: Money,
    pub collectible_past_due: Money,
    pub dpd: u32,
    pub on_hold: bool,
    pub in_collection: bool,
    /// The open balance is above the customer's credit limit.
    pub over_limit: bool,
    /// An early warning is open on the account.
    pub early_warning: bool,
}

impl Session {
    /// Every account the user may see, with its position as of the session's date,
    /// ordered by id. Set queries only, so 100,000 accounts stay quick.
    pub fn accounts(&self) -> Result<Vec<AccountLine>> {
        let conn = self.store.conn();
        let as_of = self.as_of;
        let owner = (!self.user.role.sees_everything()).then_some(self.user.name.as_str());
        let list = crate::store::customers::list(conn, owner)?;
        let mut index: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(list.len());
        for (i, c) in list.iter().enumerate() {
            index.insert(c.id.as_str(), i);
        }
        let mut invoices: Vec<Vec<crate::domain::InvoicePosition>> = vec![Vec::new(); list.len()];
        snapshot::open_positions(conn, as_of, snapshot::Scope::All, &mut |cid, inv| {
            if let Some(&i) = index.get(cid) {
                invoices[i].push(inv);
            }
        })?;
        let held: std::collections::HashSet<String> = activity::active_holds(conn, as_of)?
            .into_iter()
            .map(|h| h.customer_id)
            .collect();
        let cycling = cycles::customers_in_cycle(conn, as_of)?;
        let warned: std::collections::HashSet<String> =
            crate::store::prevention::open_warnings(conn, as_of)?
                .into_iter()
                .map(|w| w.customer_id)
                .collect();
        Ok(list
            .into_iter()
            .zip(invoices)
            .map(|(c, inv)| {
                let f = crate::domain::AccountFigures::of(&inv, as_of);
                AccountLine {
                    on_hold: held.contains(&c.id),
                    in_collection: cycling.contains(&c.id),
                    over_limit: c.is_over_limit(f.balance),
                    early_warning: warned.contains(&c.id),
                    customer_id: c.id,
                    name: c.name,
                    owner: c.owner,
                    balance: f.balance,
                    past_due: f.past_due,
                    collectible_past_due: f.collectible_past_due,
                    dpd: f.dpd,
                }
            })
            .collect())
    }
}
