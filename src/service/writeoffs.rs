//! Write-offs: a collector asks for invoices to be written off; a supervisor approves
//! (the balance moves to written off, an allocation dated the approval day) or
//! rejects with a note. A supervisor's own request is approved as it is made.

use serde_json::json;

use super::{Result, ServiceError, Session, Tx, run};
use crate::domain::{EventKind, ItemAction, Money, Reason, WriteOffStatus};
use crate::store::ledger::{self, AllocationKind};
use crate::store::tasks;
use crate::store::writeoffs::{self, WriteOffRow};
use crate::strategy::Assignee;
use crate::strategy::engine::CureReason;

/// What a write-off request led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOffRequested {
    pub write_off_id: i64,
    /// The supervisor's approval item (none when a supervisor asked: approved at once).
    pub approval_item: Option<i64>,
    /// Written off now (a supervisor's own request).
    pub written_off: Option<Money>,
}

impl Session {
    /// Checks the invoices a write-off names: the account's, still open, not under an
    /// open dispute, not already waiting for a decision. Returns their balances.
    pub(super) fn check_write_off(
        &self,
        customer_id: &str,
        invoices: &[String],
    ) -> Result<Vec<(String, Money)>> {
        if invoices.is_empty() {
            return Err(ServiceError::Invalid(
                "name the invoices to write off (--invoice NO, once per invoice)".into(),
            ));
        }
        let conn = self.store.conn();
        let positions = ledger::positions(conn, customer_id, self.as_of)?;
        let pending = writeoffs::pending_invoices(conn, customer_id)?;
        let mut out: Vec<(String, Money)> = Vec::with_capacity(invoices.len());
        for no in invoices {
            let no = no.trim();
            if out.iter().any(|(n, _)| n == no) {
                continue;
            }
            let inv = positions
                .iter()
                .find(|i| i.invoice_no == no)
                .ok_or_else(|| {
                    ServiceError::NotFound(format!("customer {customer_id} has no invoice '{no}'"))
                })?;
            if !inv.balance.is_positive() {
                return Err(ServiceError::Invalid(format!(
                    "invoice {no} has nothing left to write off (balance {})",
                    inv.balance.grouped()
                )));
            }
            if inv.disputed_open().is_positive() {
                return Err(ServiceError::Invalid(format!(
                    "invoice {no} has an open dispute of {}: resolve it first (`arq dispute resolve`)",
                    inv.disputed_open().grouped()
                )));
            }
            if pending.iter().any(|p| p == no) {
                return Err(ServiceError::Invalid(format!(
                    "invoice {no} is already in a write-off waiting for a supervisor"
                )));
            }
            out.push((no.to_string(), inv.balance));
        }
        Ok(out)
    }

    /// Asks for invoices to be written off (`arq writeoff`). A collector's request
    /// becomes an approval item for supervisors; a supervisor's is approved at once.
    pub fn request_write_off(
        &mut self,
        customer_id: &str,
        invoices: &[String],
        note: &str,
    ) -> Result<WriteOffRequested> {
        let c = self.visible_customer(customer_id)?;
        let checked = self.check_write_off(&c.id, invoices)?;
        let approve_now = self.user.role.sees_everything();
        let note = note.trim().to_string();
        self.write(|tx| write_request(tx, &c.id, &checked, &note, approve_now))
    }
}

/// Records a request (and its approval item, or its approval when `approve_now`).
pub(super) fn write_request(
    tx: &mut Tx<'_>,
    customer_id: &str,
    invoices: &[(String, Money)],
    note: &str,
    approve_now: bool,
) -> Result<WriteOffRequested> {
    let by = tx.actor.clone();
    let numbers: Vec<String> = invoices.iter().map(|(n, _)| n.clone()).collect();
    let total: Money = invoices.iter().map(|(_, m)| *m).sum();
    let id = writeoffs::request(tx.conn, customer_id, &numbers, tx.as_of, &by, note)?;
    let listed = numbers.join(", ");
    let mut detail = format!("write-off #{id} requested: {} on {listed}", total.grouped());
    if !note.is_empty() {
        detail.push_str(&format!(" — {note}"));
    }
    tx.event(
        EventKind::WriteOffRequested,
        Some(customer_id),
        detail,
        json!({"write_off_id": id, "invoices": numbers, "total": total, "note": note}),
    )?;
    if approve_now {
        let w = writeoffs::get(tx.conn, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no write-off #{id}")))?;
        let done = approve(tx, &w, "")?;
        return Ok(WriteOffRequested {
            write_off_id: id,
            approval_item: None,
            written_off: Some(done),
        });
    }
    let text = format!(
        "approve write-off #{id}: {} on {listed} (asked by {by})",
        total.grouped()
    );
    let item = tasks::insert(
        tx.conn,
        &tasks::NewTask {
            customer_id,
            reason: Reason::Approval,
            action: ItemAction::ApproveWriteOff,
            assignee: Assignee::Supervisor,
            cycle_id: None,
            step_index: None,
            step_id: None,
            ref_id: Some(id),
            note: &text,
            due: tx.as_of,
            created_on: tx.as_of,
            created_by: &by,
        },
    )?;
    tx.event(
        EventKind::TaskCreated,
        Some(customer_id),
        format!("task #{item}: {text}"),
        json!({"task_id": item, "reason": Reason::Approval, "write_off_id": id}),
    )?;
    Ok(WriteOffRequested {
        write_off_id: id,
        approval_item: Some(item),
        written_off: None,
    })
}

/// Writes off what the request's invoices still owe, dated today, in the name of the
/// person in `tx`; an account with nothing left past due ends its cycle.
/// The requested invoices still owing on `as_of`, with their balance: what approving
/// the request writes off (an invoice paid since the request is left out).
pub(super) fn still_owing(
    conn: crate::store::db::Db<'_>,
    w: &WriteOffRow,
    as_of: chrono::NaiveDate,
) -> Result<Vec<(String, Money)>> {
    let positions = ledger::positions(conn, &w.customer_id, as_of)?;
    Ok(w.invoices
        .iter()
        .filter_map(|(no, _)| {
            let balance = positions.iter().find(|i| &i.invoice_no == no)?.balance;
            balance.is_positive().then(|| (no.clone(), balance))
        })
        .collect())
}

pub(super) fn approve(tx: &mut Tx<'_>, w: &WriteOffRow, note: &str) -> Result<Money> {
    let by = tx.actor.clone();
    if !writeoffs::decide(tx.conn, w.id, WriteOffStatus::Approved, tx.as_of, &by, note)? {
        return Err(ServiceError::Invalid(format!(
            "write-off #{} was already decided",
            w.id
        )));
    }
    let mut total = Money::ZERO;
    let mut parts = Vec::new();
    for (no, balance) in still_owing(tx.conn, w, tx.as_of)? {
        ledger::allocate(
            tx.conn,
            &no,
            &w.customer_id,
            tx.as_of,
            balance,
            AllocationKind::WriteOff,
            None,
        )?;
        writeoffs::set_amount(tx.conn, w.id, &no, balance)?;
        total += balance;
        parts.push(format!("{no} {}", balance.grouped()));
    }
    let mut detail = format!(
        "write-off #{} approved by {by}: {} written off ({})",
        w.id,
        total.grouped(),
        if parts.is_empty() {
            "nothing was left owing".to_string()
        } else {
            parts.join(", ")
        }
    );
    if !note.is_empty() {
        detail.push_str(&format!(" — {note}"));
    }
    tx.event(
        EventKind::WriteOffApproved,
        Some(&w.customer_id),
        detail,
        json!({"write_off_id": w.id, "approver": by, "total": total}),
    )?;
    run::settle(tx, &w.customer_id, CureReason::WrittenOff)?;
    Ok(total)
}

/// Refuses a request, with the reason.
pub(super) fn reject(tx: &mut Tx<'_>, w: &WriteOffRow, note: &str) -> Result<()> {
    let by = tx.actor.clone();
    if !writeoffs::decide(tx.conn, w.id, WriteOffStatus::Rejected, tx.as_of, &by, note)? {
        return Err(ServiceError::Invalid(format!(
            "write-off #{} was already decided",
            w.id
        )));
    }
    tx.event(
        EventKind::WriteOffRejected,
        Some(&w.customer_id),
        format!("write-off #{} rejected by {by} — {note}", w.id),
        json!({"write_off_id": w.id, "by": by, "note": note}),
    )?;
    Ok(())
}
