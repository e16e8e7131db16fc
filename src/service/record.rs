//! What a collector records about an account: calls, notes, promises, callbacks and
//! disputes. Each is one transaction with its events.

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::items::finish_task;
use super::{Result, ServiceError, Session, non_empty};
use crate::domain::{
    CallOutcome, DisputeOutcome, DisputeReason, DisputeStatus, EventKind, Money, Reason,
};
use crate::store::ledger::{self, AllocationKind};
use crate::store::{activity, snapshot, strategies, tasks};
use crate::strategy::Assignee;
use crate::strategy::engine::strategy_for;

/// Days to the first follow-up of a dispute when none is given.
pub const DISPUTE_FOLLOW_UP_DAYS: i64 = 7;

/// What logging a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLogged {
    pub call_id: i64,
    /// Queue items the call finished.
    pub finished: Vec<i64>,
}

impl Session {
    /// Logs a call. It finishes the account's due `call` step task (whatever the
    /// outcome) and, when `item` names one of the account's open items (the one the
    /// collector was working in the terminal app), that item too.
    pub fn log_call(
        &mut self,
        customer_id: &str,
        outcome: CallOutcome,
        note: &str,
        item: Option<i64>,
    ) -> Result<CallLogged> {
        let c = self.visible_customer(customer_id)?;
        let note = note.trim().to_string();
        let as_of = self.as_of;
        self.write(|tx| {
            let call_id = activity::insert_call(
                tx.conn,
                &activity::NewCall {
                    customer_id: &c.id,
                    on_date: as_of,
                    at: &tx.at(),
                    by: &tx.actor.clone(),
                    outcome,
                    note: &note,
                },
            )?;
            let detail = if note.is_empty() {
                format!("call: {outcome}")
            } else {
                format!("call: {outcome} — {note}")
            };
            tx.event(
                EventKind::Call,
                Some(&c.id),
                detail,
                json!({"call_id": call_id, "outcome": outcome, "note": note}),
            )?;
            let mut finished = Vec::new();
            for t in tasks::open_for_customer(tx.conn, &c.id, as_of)? {
                let is_call_step = t.step_index.is_some() && t.action == "call" && t.due <= as_of;
                let is_item = item == Some(t.id) && t.reason != Reason::Approval;
                if is_call_step || is_item {
                    finish_task(tx, &t, &format!("call logged: {outcome}"))?;
                    finished.push(t.id);
                }
            }
            Ok(CallLogged { call_id, finished })
        })
    }

    /// Adds a free-text note to the account's timeline.
    pub fn log_note(&mut self, customer_id: &str, text: &str) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        let text = non_empty("the note", text)?.to_string();
        self.write(|tx| {
            tx.event(
                EventKind::Note,
                Some(&c.id),
                format!("note: {text}"),
                json!({"text": text}),
            )
        })
    }

    /// Records a promise to pay `amount` by `date`; the strategy pauses while it is open.
    pub fn take_promise(
        &mut self,
        customer_id: &str,
        amount: Money,
        date: NaiveDate,
        note: &str,
    ) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        let as_of = self.as_of;
        if !amount.is_positive() {
            return Err(ServiceError::Invalid(format!(
                "a promise needs an amount above zero (got {amount})"
            )));
        }
        if date < as_of {
            return Err(ServiceError::Invalid(format!(
                "the promise date {date} is before today ({as_of})"
            )));
        }
        if date > as_of + Duration::days(366) {
            return Err(ServiceError::Invalid(format!(
                "the promise date {date} is more than a year away: use a payment plan"
            )));
        }
        let grace_days = self.grace_days(&c.id)?;
        let note = note.trim().to_string();
        self.write(|tx| {
            let id = activity::insert_promise(
                tx.conn,
                &activity::NewPromise {
                    customer_id: &c.id,
                    amount,
                    date,
                    taken_on: as_of,
                    by: &tx.actor.clone(),
                    note: &note,
                    grace_days,
                },
            )?;
            let mut detail = format!("promise #{id}: {amount} by {date}");
            if !note.is_empty() {
                detail.push_str(&format!(" — {note}"));
            }
            tx.event(
                EventKind::Promise,
                Some(&c.id),
                detail,
                json!({"promise_id": id, "amount": amount, "date": date, "grace_days": grace_days}),
            )?;
            Ok(id)
        })
    }

    /// The grace days of the strategy the account follows.
    fn grace_days(&self, customer_id: &str) -> Result<u32> {
        let conn = self.store.conn();
        let book = strategies::book(conn)?;
        let data = snapshot::load_one(conn, customer_id, self.as_of)?
            .ok_or_else(|| ServiceError::NoCustomer(customer_id.to_string()))?;
        Ok(strategy_for(&data.state(self.as_of), &book).map_or(2, |s| s.grace_days))
    }

    /// Schedules a callback: a queue item for the owner on `date`.
    pub fn schedule_callback(
        &mut self,
        customer_id: &str,
        date: NaiveDate,
        note: &str,
    ) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        let as_of = self.as_of;
        if date < as_of {
            return Err(ServiceError::Invalid(format!(
                "the callback date {date} is before today ({as_of})"
            )));
        }
        let note = note.trim().to_string();
        self.write(|tx| {
            let text = if note.is_empty() {
                "call back as agreed".to_string()
            } else {
                note.clone()
            };
            let id = tasks::insert(
                tx.conn,
                &tasks::NewTask {
                    customer_id: &c.id,
                    reason: Reason::Callback,
                    action: "call",
                    assignee: Assignee::Owner,
                    cycle_id: None,
                    step_index: None,
                    step_id: None,
                    ref_id: None,
                    note: &text,
                    due: date,
                    created_on: as_of,
                    created_by: &tx.actor.clone(),
                },
            )?;
            tx.event(
                EventKind::Callback,
                Some(&c.id),
                format!("callback #{id} on {date}: {text}"),
                json!({"task_id": id, "date": date}),
            )?;
            Ok(id)
        })
    }

    /// Opens a dispute on one invoice. The amount defaults to what is not yet disputed
    /// of the invoice's balance; a follow-up item appears on `follow_up` (default: a week).
    pub fn open_dispute(
        &mut self,
        customer_id: &str,
        invoice_no: &str,
        reason: DisputeReason,
        amount: Option<Money>,
        note: &str,
        follow_up: Option<NaiveDate>,
    ) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        let as_of = self.as_of;
        let inv = ledger::positions(self.store.conn(), &c.id, as_of)?
            .into_iter()
            .find(|i| i.invoice_no == invoice_no)
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "customer {} has no invoice '{invoice_no}' as of {as_of}",
                    c.id
                ))
            })?;
        let open = (inv.balance - inv.disputed_open()).max(Money::ZERO);
        if !open.is_positive() {
            return Err(ServiceError::Invalid(format!(
                "invoice {invoice_no} has nothing left to dispute (balance {}, disputed {})",
                inv.balance,
                inv.disputed_open()
            )));
        }
        let amount = amount.unwrap_or(open);
        if !amount.is_positive() || amount > open {
            return Err(ServiceError::Invalid(format!(
                "the disputed amount must be above 0.00 and at most {open} (the undisputed balance of {invoice_no})"
            )));
        }
        let follow_up = follow_up.unwrap_or(as_of + Duration::days(DISPUTE_FOLLOW_UP_DAYS));
        if follow_up < as_of {
            return Err(ServiceError::Invalid(format!(
                "the follow-up date {follow_up} is before today ({as_of})"
            )));
        }
        let note = note.trim().to_string();
        self.write(|tx| {
            let by = tx.actor.clone();
            let id = activity::insert_dispute(
                tx.conn,
                &activity::NewDispute { customer_id: &c.id, invoice_no, amount, reason, note: &note, follow_up: Some(follow_up), opened_on: as_of, by: &by },
            )?;
            let detail = format!("dispute #{id} on {invoice_no}: {amount} ({reason}){}", if note.is_empty() { String::new() } else { format!(" — {note}") });
            tx.event(EventKind::DisputeOpened, Some(&c.id), detail, json!({"dispute_id": id, "invoice_no": invoice_no, "amount": amount, "reason": reason}))?;
            let text = format!("follow up dispute #{id} on {invoice_no} ({reason})");
            let task = tasks::insert(
                tx.conn,
                &tasks::NewTask {
                    customer_id: &c.id,
                    reason: Reason::DisputeFollowUp,
                    action: "follow_up",
                    assignee: Assignee::Owner,
                    cycle_id: None,
                    step_index: None,
                    step_id: None,
                    ref_id: Some(id),
                    note: &text,
                    due: follow_up,
                    created_on: as_of,
                    created_by: &by,
                },
            )?;
            tx.event(EventKind::TaskCreated, Some(&c.id), format!("task #{task}: {text} on {follow_up}"), json!({"task_id": task, "reason": Reason::DisputeFollowUp}))?;
            Ok(id)
        })
    }

    /// Resolves a dispute. `valid` credits the disputed amount, `partial` credits
    /// `amount`, `invalid` makes it collectible again. Credits need a supervisor.
    pub fn resolve_dispute(
        &mut self,
        dispute_id: i64,
        outcome: DisputeOutcome,
        amount: Option<Money>,
        note: &str,
    ) -> Result<Money> {
        let as_of = self.as_of;
        let d = activity::get_dispute(self.store.conn(), dispute_id, as_of)?
            .ok_or_else(|| ServiceError::NotFound(format!("no dispute #{dispute_id}")))?;
        let c = self.visible_customer(&d.customer_id)?;
        if d.status != DisputeStatus::Open {
            return Err(ServiceError::Invalid(format!(
                "dispute #{dispute_id} is already resolved ({})",
                d.status
            )));
        }
        if outcome != DisputeOutcome::Invalid {
            self.require_supervisor("resolve a dispute with a credit")?;
        }
        let balance = ledger::get_invoice(self.store.conn(), &d.invoice_no)?
            .map_or(Money::ZERO, |i| i.balance)
            .max(Money::ZERO);
        let (status, credit) = match outcome {
            DisputeOutcome::Valid => (DisputeStatus::Valid, d.amount.min(balance)),
            DisputeOutcome::Invalid => (DisputeStatus::Invalid, Money::ZERO),
            DisputeOutcome::Partial => {
                let a = amount.ok_or_else(|| {
                    ServiceError::Invalid(
                        "a partial resolution needs --amount (the part credited)".into(),
                    )
                })?;
                if !a.is_positive() || a > d.amount {
                    return Err(ServiceError::Invalid(format!(
                        "the credited part must be above 0.00 and at most {} (the disputed amount)",
                        d.amount
                    )));
                }
                (DisputeStatus::Partial, a.min(balance))
            }
        };
        let note = note.trim().to_string();
        self.write(|tx| {
            let by = tx.actor.clone();
            if credit.is_positive() {
                ledger::allocate(tx.conn, &d.invoice_no, &c.id, as_of, credit, AllocationKind::Credit, None)?;
            }
            activity::resolve_dispute(tx.conn, dispute_id, status, credit, as_of, &by, &note)?;
            let detail = format!("dispute #{dispute_id} on {} resolved {status}: {credit} credited", d.invoice_no);
            tx.event(EventKind::DisputeResolved, Some(&c.id), detail, json!({"dispute_id": dispute_id, "outcome": status, "credited": credit, "note": note}))?;
            for t in tasks::open_for_customer(tx.conn, &c.id, as_of)? {
                if t.reason == Reason::DisputeFollowUp && t.ref_id == Some(dispute_id) {
                    finish_task(tx, &t, "dispute resolved")?;
                }
            }
            Ok(credit)
        })
    }
}
