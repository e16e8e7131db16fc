//! Finishing queue items: plain items are done; escalation, agency, write-off review
//! and exhausted-strategy items need a decision (write off, agency, plan, continue);
//! approval items are approved or rejected by supervisors.

use chrono::NaiveDate;
use serde_json::json;

use super::{Result, ServiceError, Session, Tx, agency, non_empty, plans, writeoffs};
use crate::domain::{Decide, EventKind, ItemAction, ItemOutcome, Money};
use crate::store::cycles::{self, How};
use crate::store::tasks::{self, TaskRow};
use crate::store::writeoffs as stored_writeoffs;
use crate::strategy::{Action, Assignee};

/// What a supervisor decides when finishing a decision item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemDecision {
    /// Write off these invoices (all of the account's open ones when empty).
    WriteOff { invoices: Vec<String> },
    /// Place the account with this agency.
    Agency { agency: String },
    /// Agree these installments.
    Plan {
        installments: Vec<(NaiveDate, Money)>,
    },
    /// Go on with the strategy (the note says why).
    Continue,
}

impl ItemDecision {
    pub fn kind(&self) -> Decide {
        match self {
            ItemDecision::WriteOff { .. } => Decide::WriteOff,
            ItemDecision::Agency { .. } => Decide::Agency,
            ItemDecision::Plan { .. } => Decide::Plan,
            ItemDecision::Continue => Decide::Continue,
        }
    }
}

/// Closes an open item as done; a step task also records its step as done today.
pub(crate) fn finish_task(tx: &mut Tx<'_>, t: &TaskRow, note: &str) -> Result<()> {
    close_task(tx, t, ItemOutcome::Done, note)
}

/// How a closed item was closed, by whom and when: `finished by sam on 2026-11-20`.
pub fn closed_words(t: &TaskRow) -> String {
    let how = t.outcome.map_or("finished", |o| match o {
        ItemOutcome::Done => "finished",
        ItemOutcome::Cancelled => "closed",
        ItemOutcome::Approved => "approved",
        ItemOutcome::Rejected => "rejected",
    });
    let by = t
        .done_by
        .as_deref()
        .map_or(String::new(), |b| format!(" by {b}"));
    let on = t.done_on.map_or(String::new(), |d| format!(" on {d}"));
    format!("{how}{by}{on}")
}

/// The refusal for working an item someone already closed: nothing is recorded.
pub(crate) fn already_closed(t: &TaskRow) -> ServiceError {
    ServiceError::Invalid(format!(
        "item #{} is already {}: nothing was recorded",
        t.id,
        closed_words(t)
    ))
}

/// Closes an open item with `outcome`; a step task records its step as done today.
fn close_task(tx: &mut Tx<'_>, t: &TaskRow, outcome: ItemOutcome, note: &str) -> Result<()> {
    let by = tx.actor.clone();
    if !tasks::finish(tx.conn, t.id, tx.as_of, &by, outcome, note)? {
        return Err(match tasks::get(tx.conn, t.id)? {
            Some(now) => already_closed(&now),
            None => ServiceError::NotFound(format!("no queue item #{}", t.id)),
        });
    }
    let verb = match outcome {
        ItemOutcome::Done => "done",
        ItemOutcome::Cancelled => "cancelled",
        ItemOutcome::Approved => "approved",
        ItemOutcome::Rejected => "rejected",
    };
    let detail = if note.is_empty() {
        format!("task #{} {verb}: {}", t.id, t.note)
    } else {
        format!("task #{} {verb}: {} — {note}", t.id, t.note)
    };
    tx.event(
        EventKind::TaskDone,
        Some(&t.customer_id),
        detail,
        json!({"task_id": t.id, "reason": t.reason, "outcome": outcome}),
    )?;
    if let (Some(cycle_id), Some(index), Some(step_id)) =
        (t.cycle_id, t.step_index, t.step_id.as_deref())
    {
        let action = Action::of_item(t.action).unwrap_or(Action::Task);
        cycles::record_step(
            tx.conn,
            cycle_id,
            &t.customer_id,
            index,
            step_id,
            action,
            tx.as_of,
            How::Task,
        )?;
        tx.event(
            EventKind::StepDone,
            Some(&t.customer_id),
            format!("step {step_id} ({action}) done"),
            json!({"step": step_id, "index": index, "how": How::Task.as_str(), "task_id": t.id}),
        )?;
    }
    Ok(())
}

impl Session {
    /// The item, if it exists, is open, and the user may work it.
    pub(super) fn workable_item(&self, item_id: i64) -> Result<TaskRow> {
        let t = tasks::get(self.store.conn(), item_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no queue item #{item_id}")))?;
        self.visible_customer(&t.customer_id)?;
        if t.assignee == Assignee::Supervisor {
            self.require_supervisor("finish supervisor items")?;
        }
        if t.done_on.is_some_and(|d| d <= self.as_of) {
            return Err(already_closed(&t));
        }
        if t.created_on > self.as_of {
            return Err(ServiceError::Invalid(format!(
                "queue item #{item_id} is not open (it was created later, on {})",
                t.created_on
            )));
        }
        Ok(t)
    }

    /// How an item was closed (`finished by sam on 2026-11-20`), or `None` while it
    /// is open: what the terminal app tells a person whose item someone else closed.
    pub fn item_closed(&self, item_id: i64) -> Result<Option<String>> {
        Ok(tasks::get(self.store.conn(), item_id)?
            .filter(|t| t.done_on.is_some())
            .map(|t| closed_words(&t)))
    }

    /// Finishes a queue item (`arq done`). Items that need a decision or an approval
    /// say which command takes it.
    pub fn finish_item(&mut self, item_id: i64, note: &str) -> Result<TaskRow> {
        let t = self.workable_item(item_id)?;
        if t.action.is_approval() {
            return Err(ServiceError::Invalid(format!(
                "queue item #{item_id} ({}) asks for an approval: `arq approve {item_id}` or `arq reject {item_id} --note TEXT`",
                t.action.label()
            )));
        }
        if t.action.needs_decision() {
            return Err(ServiceError::Invalid(format!(
                "queue item #{item_id} ({}) asks for a decision: `arq done {item_id} --decide {}` (with --invoice, --agency, --installment or --note)",
                t.action.label(),
                Decide::choices()
            )));
        }
        let note = note.trim().to_string();
        self.write(|tx| finish_task(tx, &t, &note))?;
        Ok(t)
    }

    /// Finishes a decision item with the decision, all in one transaction: the item
    /// is done, the decision recorded, and the write-off, placement or plan made.
    pub fn decide_item(
        &mut self,
        item_id: i64,
        decision: &ItemDecision,
        note: &str,
    ) -> Result<TaskRow> {
        let t = self.workable_item(item_id)?;
        if !t.action.needs_decision() {
            return Err(ServiceError::Invalid(format!(
                "queue item #{item_id} ({}) needs no decision: finish it with `arq done {item_id}`",
                t.action.label()
            )));
        }
        let cid = t.customer_id.clone();
        let note = note.trim().to_string();
        let words = match decision {
            ItemDecision::WriteOff { invoices } => {
                let invoices = if invoices.is_empty() {
                    activity_open_invoices(self, &cid)?
                } else {
                    invoices.clone()
                };
                let checked = self.check_write_off(&cid, &invoices)?;
                let approve_now = self.user.role.sees_everything();
                let total: Money = checked.iter().map(|(_, m)| *m).sum();
                let words = format!("write off {} ({})", total.grouped(), invoices.join(", "));
                return self.write(|tx| {
                    record_decision(tx, &t, Decide::WriteOff, &words, &note)?;
                    writeoffs::write_request(tx, &cid, &checked, &note, approve_now)?;
                    Ok(t.clone())
                });
            }
            ItemDecision::Agency { agency } => {
                self.require_supervisor("place accounts with an agency")?;
                let agency = non_empty("--agency", agency)?.to_string();
                if let Some(p) =
                    crate::store::placements::placement(self.store.conn(), &cid, self.as_of)?
                {
                    return Err(ServiceError::Invalid(format!(
                        "{cid} is already at {} since {}",
                        p.agency, p.since
                    )));
                }
                let words = format!("place with {agency}");
                return self.write(|tx| {
                    record_decision(tx, &t, Decide::Agency, &words, &note)?;
                    agency::write_placement(tx, &cid, &agency, &note)?;
                    Ok(t.clone())
                });
            }
            ItemDecision::Plan { installments } => {
                self.check_plan(&cid, installments)?;
                let grace = self.grace_days(&cid)?;
                let total: Money = installments.iter().map(|(_, m)| *m).sum();
                let words = format!(
                    "payment plan of {} in {} installments",
                    total.grouped(),
                    installments.len()
                );
                return self.write(|tx| {
                    record_decision(tx, &t, Decide::Plan, &words, &note)?;
                    plans::write_plan(tx, &cid, installments, grace, &note)?;
                    Ok(t.clone())
                });
            }
            ItemDecision::Continue => {
                non_empty("--note (why collection goes on as it is)", &note)?;
                "continue with the strategy".to_string()
            }
        };
        self.write(|tx| {
            record_decision(tx, &t, Decide::Continue, &words, &note)?;
            Ok(t.clone())
        })
    }

    /// Approves an approval item (supervisors): a write-off is written off, a hold
    /// release releases the hold.
    pub fn approve_item(&mut self, item_id: i64, note: &str) -> Result<String> {
        self.require_supervisor("approve")?;
        let t = self.workable_item(item_id)?;
        let note = note.trim().to_string();
        match t.action {
            ItemAction::ApproveWriteOff => {
                let w = self.write_off_of(&t)?;
                self.write(|tx| {
                    let total = writeoffs::approve(tx, &w, &note)?;
                    close_task(tx, &t, ItemOutcome::Approved, &note)?;
                    Ok(format!(
                        "write-off #{} approved: {} written off on {}",
                        w.id,
                        total.grouped(),
                        w.customer_id
                    ))
                })
            }
            ItemAction::ReleaseHold => {
                self.release_hold(&t.customer_id, &note)?;
                Ok(format!("{}: credit hold released", t.customer_id))
            }
            other => Err(ServiceError::Invalid(format!(
                "queue item #{item_id} ({}) is not an approval{}",
                other.label(),
                if other.needs_decision() {
                    format!(": decide with `arq done {item_id} --decide ...`")
                } else {
                    format!(": finish it with `arq done {item_id}`")
                }
            ))),
        }
    }

    /// Rejects an approval item with the reason (supervisors): a write-off is not
    /// made; a hold stays in place.
    pub fn reject_item(&mut self, item_id: i64, note: &str) -> Result<String> {
        self.require_supervisor("reject")?;
        let t = self.workable_item(item_id)?;
        let note = non_empty("--note (why it is rejected)", note)?.to_string();
        match t.action {
            ItemAction::ApproveWriteOff => {
                let w = self.write_off_of(&t)?;
                self.write(|tx| {
                    writeoffs::reject(tx, &w, &note)?;
                    close_task(tx, &t, ItemOutcome::Rejected, &note)?;
                    Ok(format!("write-off #{} rejected", w.id))
                })
            }
            ItemAction::ReleaseHold => self.write(|tx| {
                close_task(tx, &t, ItemOutcome::Rejected, &note)?;
                tx.event(
                    EventKind::Decided,
                    Some(&t.customer_id),
                    format!("credit-hold release rejected: the hold stays — {note}"),
                    json!({"task_id": t.id, "note": note}),
                )?;
                Ok(format!("{}: the credit hold stays", t.customer_id))
            }),
            other => Err(ServiceError::Invalid(format!(
                "queue item #{item_id} ({}) is not an approval",
                other.label()
            ))),
        }
    }

    /// What approving a write-off item would write off today (supervisors): the
    /// requested invoices' balance now, which may be less than when it was asked for.
    pub fn write_off_now(&self, item_id: i64) -> Result<Money> {
        self.require_supervisor("see write-offs waiting for approval")?;
        let t = self.workable_item(item_id)?;
        let w = self.write_off_of(&t)?;
        Ok(
            super::writeoffs::still_owing(self.store.conn(), &w, self.as_of)?
                .into_iter()
                .map(|(_, m)| m)
                .sum(),
        )
    }

    fn write_off_of(&self, t: &TaskRow) -> Result<stored_writeoffs::WriteOffRow> {
        let id = t
            .ref_id
            .ok_or_else(|| ServiceError::NotFound(format!("item #{} names no write-off", t.id)))?;
        stored_writeoffs::get(self.store.conn(), id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no write-off #{id}")))
    }
}

/// The account's open invoices, for a write-off decision that names none.
fn activity_open_invoices(s: &Session, customer_id: &str) -> Result<Vec<String>> {
    Ok(
        crate::store::ledger::positions(s.store.conn(), customer_id, s.as_of)?
            .into_iter()
            .filter(|i| i.balance.is_positive() && i.disputed_open().is_zero())
            .map(|i| i.invoice_no)
            .collect(),
    )
}

/// Finishes a decision item and records what was decided.
fn record_decision(
    tx: &mut Tx<'_>,
    t: &TaskRow,
    decide: Decide,
    words: &str,
    note: &str,
) -> Result<()> {
    let text = if note.is_empty() {
        format!("decided: {words}")
    } else {
        format!("decided: {words} — {note}")
    };
    close_task(tx, t, ItemOutcome::Done, &text)?;
    tx.event(
        EventKind::Decided,
        Some(&t.customer_id),
        format!("{} #{}: {text}", t.action.label(), t.id),
        json!({"task_id": t.id, "decision": decide, "note": note}),
    )?;
    Ok(())
}
