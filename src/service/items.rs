//! Finishing queue items, credit holds, and assigning accounts.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{Result, ServiceError, Session, Tx};
use crate::domain::{AccountFigures, EventKind, Money, Reason};
use crate::store::cycles::{self, How};
use crate::store::tasks::{self, TaskRow};
use crate::store::{activity, customers, ledger, users};
use crate::strategy::{Action, Assignee};

/// Closes an open item as done; a step task also records its step as done today.
pub(crate) fn finish_task(tx: &mut Tx<'_>, t: &TaskRow, note: &str) -> Result<()> {
    let by = tx.actor.clone();
    if !tasks::finish(tx.conn, t.id, tx.as_of, &by, "done", note)? {
        return Err(ServiceError::Invalid(format!(
            "item #{} is already finished",
            t.id
        )));
    }
    let detail = if note.is_empty() {
        format!("task #{} done: {}", t.id, t.note)
    } else {
        format!("task #{} done: {} — {note}", t.id, t.note)
    };
    tx.event(
        EventKind::TaskDone,
        Some(&t.customer_id),
        detail,
        json!({"task_id": t.id, "reason": t.reason}),
    )?;
    if let (Some(cycle_id), Some(index), Some(step_id)) =
        (t.cycle_id, t.step_index, t.step_id.as_deref())
    {
        let action: Action = t.action.parse().unwrap_or(Action::Task);
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

/// An account on credit hold, for whoever takes orders.
#[derive(Debug, Clone, Serialize)]
pub struct HoldLine {
    pub customer_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub since: NaiveDate,
    pub reason: String,
    pub set_by: String,
    pub balance: Money,
    pub past_due: Money,
}

impl Session {
    /// The item, if it exists and the user may work it.
    fn workable_item(&self, item_id: i64) -> Result<TaskRow> {
        let t = tasks::get(self.store.conn(), item_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no queue item #{item_id}")))?;
        self.visible_customer(&t.customer_id)?;
        if t.assignee == Assignee::Supervisor {
            self.require_supervisor("finish supervisor items")?;
        }
        if t.created_on > self.as_of || t.done_on.is_some_and(|d| d <= self.as_of) {
            let when = t.done_on.map_or(String::new(), |d| format!(" on {d}"));
            return Err(ServiceError::Invalid(format!(
                "queue item #{item_id} is not open (it was {}{when})",
                t.outcome.as_deref().unwrap_or("created later")
            )));
        }
        Ok(t)
    }

    /// Finishes a queue item (`arq done`).
    pub fn finish_item(&mut self, item_id: i64, note: &str) -> Result<TaskRow> {
        let t = self.workable_item(item_id)?;
        if t.reason == Reason::Approval {
            return Err(ServiceError::Invalid(format!(
                "queue item #{item_id} asks for an approval: release the hold with `arq release {}`",
                t.customer_id
            )));
        }
        let note = note.trim().to_string();
        self.write(|tx| finish_task(tx, &t, &note))?;
        Ok(t)
    }

    /// Puts an account on credit hold by hand.
    pub fn set_hold(&mut self, customer_id: &str, reason: &str) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        let as_of = self.as_of;
        if let Some(h) = activity::active_hold(self.store.conn(), &c.id, as_of)? {
            return Err(ServiceError::Invalid(format!(
                "{} is already on hold since {} ({})",
                c.id, h.set_on, h.reason
            )));
        }
        let reason = if reason.trim().is_empty() {
            "set by hand".to_string()
        } else {
            reason.trim().to_string()
        };
        self.write(|tx| {
            let by = tx.actor.clone();
            let id = activity::set_hold(tx.conn, &c.id, as_of, &by, &reason, false)?;
            tx.event(
                EventKind::HoldSet,
                Some(&c.id),
                format!("credit hold set: {reason}"),
                json!({"hold_id": id, "reason": reason}),
            )?;
            Ok(id)
        })
    }

    /// Releases an account's credit hold (supervisors), approving any pending release item.
    pub fn release_hold(&mut self, customer_id: &str, note: &str) -> Result<()> {
        self.require_supervisor("release credit holds")?;
        let c = self.visible_customer(customer_id)?;
        let as_of = self.as_of;
        let h = activity::active_hold(self.store.conn(), &c.id, as_of)?
            .ok_or_else(|| ServiceError::Invalid(format!("{} is not on hold", c.id)))?;
        let note = note.trim().to_string();
        self.write(|tx| {
            let by = tx.actor.clone();
            if !activity::release_hold(tx.conn, h.hold_id, as_of, &by)? {
                return Err(ServiceError::Invalid(format!(
                    "{}'s credit hold was already released",
                    c.id
                )));
            }
            for t in tasks::open_for_customer(tx.conn, &c.id, as_of)? {
                if t.action == "release_hold" {
                    // One a colleague already closed stays as they closed it.
                    tasks::finish(tx.conn, t.id, as_of, &by, "approved", &note)?;
                }
            }
            let detail = if note.is_empty() {
                "credit hold released".to_string()
            } else {
                format!("credit hold released — {note}")
            };
            tx.event(
                EventKind::HoldReleased,
                Some(&c.id),
                detail,
                json!({"hold_id": h.hold_id}),
            )?;
            Ok(())
        })
    }

    /// Accounts on hold as of the session's date: a collector sees their own
    /// accounts, supervisors and admins every account.
    pub fn holds(&self) -> Result<Vec<HoldLine>> {
        let conn = self.store.conn();
        let mut out = Vec::new();
        for h in activity::active_holds(conn, self.as_of)? {
            let Some(c) = customers::get(conn, &h.customer_id)? else {
                continue;
            };
            if !self.user.may_see(&c) {
                continue;
            }
            let f = AccountFigures::of(&ledger::positions(conn, &c.id, self.as_of)?, self.as_of);
            out.push(HoldLine {
                customer_id: c.id,
                name: c.name,
                owner: c.owner,
                since: h.set_on,
                reason: h.reason,
                set_by: h.set_by,
                balance: f.balance,
                past_due: f.past_due,
            });
        }
        Ok(out)
    }

    /// Assigns accounts to a user (supervisors). All or nothing.
    pub fn assign(&mut self, customer_ids: &[String], to: &str) -> Result<usize> {
        self.require_supervisor("assign accounts")?;
        if users::get(self.store.conn(), to)?.is_none() {
            return Err(ServiceError::NotFound(format!(
                "no user '{to}': add them first with `arq user add {to} --role collector`"
            )));
        }
        let mut found = Vec::with_capacity(customer_ids.len());
        for id in customer_ids {
            let c = customers::get(self.store.conn(), id)?
                .ok_or_else(|| ServiceError::NoCustomer(id.clone()))?;
            found.push(c);
        }
        self.write(|tx| {
            for c in &found {
                customers::set_owner(tx.conn, &c.id, Some(to))?;
                let was = c
                    .owner
                    .as_deref()
                    .map_or(String::new(), |o| format!(" (was {o})"));
                tx.event(
                    EventKind::Assigned,
                    Some(&c.id),
                    format!("assigned to {to}{was}"),
                    json!({"to": to, "from": c.owner}),
                )?;
            }
            Ok(found.len())
        })
    }
}

impl Session {
    /// Outbox messages for the accounts the user may see, newest first.
    pub fn outbox(&self, status: Option<&str>) -> Result<Vec<crate::store::outbox::OutboxRow>> {
        use crate::store::outbox::STATUSES;
        if let Some(st) = status
            && !STATUSES.contains(&st)
        {
            return Err(ServiceError::Invalid(format!(
                "--status: '{st}' is not one of {}",
                STATUSES.join(", ")
            )));
        }
        let conn = self.store.conn();
        if self.user.role.sees_everything() {
            return Ok(crate::store::outbox::list(conn, status, 10_000)?);
        }
        Ok(crate::store::outbox::list_for_owner(
            conn,
            status,
            &self.user.name,
            10_000,
        )?)
    }
}
