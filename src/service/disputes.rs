//! Disputes: opening one on an invoice (with its follow-up item) and resolving it,
//! with a credit when it was valid.

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::items::finish_task;
use super::{Result, ServiceError, Session};
use crate::domain::{
    DisputeOutcome, DisputeReason, DisputeStatus, EventKind, ItemAction, Money, Reason,
};
use crate::store::ledger::{self, AllocationKind};
use crate::store::{activity, tasks};
use crate::strategy::Assignee;

/// Days to the first follow-up of a dispute when none is given.
pub const DISPUTE_FOLLOW_UP_DAYS: i64 = 7;

impl Session {
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
            let detail = format!("dispute #{id} on {invoice_no}: {} ({reason}){}", amount.grouped(), if note.is_empty() { String::new() } else { format!(" — {note}") });
            tx.event(EventKind::DisputeOpened, Some(&c.id), detail, json!({"dispute_id": id, "invoice_no": invoice_no, "amount": amount, "reason": reason}))?;
            let text = format!("follow up dispute #{id} on {invoice_no} ({reason})");
            let task = tasks::insert(
                tx.conn,
                &tasks::NewTask {
                    customer_id: &c.id,
                    reason: Reason::DisputeFollowUp,
                    action: ItemAction::FollowUp,
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
            if !activity::resolve_dispute(tx.conn, dispute_id, status, credit, as_of, &by, &note)? {
                return Err(ServiceError::Invalid(format!("dispute #{dispute_id} is already resolved")));
            }
            if credit.is_positive() {
                ledger::allocate(tx.conn, &d.invoice_no, &c.id, as_of, credit, AllocationKind::Credit, None)?;
            }
            let detail = format!("dispute #{dispute_id} on {} resolved {status}: {} credited", d.invoice_no, credit.grouped());
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
