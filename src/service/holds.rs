//! Credit holds: set by hand, released by supervisors, listed for whoever takes orders.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::{AccountFigures, EventKind, ItemAction, ItemOutcome, Money};
use crate::store::{activity, customers, ledger, tasks};

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
                if t.action == ItemAction::ReleaseHold {
                    // One a colleague already closed stays as they closed it.
                    tasks::finish(tx.conn, t.id, as_of, &by, ItemOutcome::Approved, &note)?;
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
}
