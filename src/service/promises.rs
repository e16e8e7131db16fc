//! Promises that cannot lie: above zero and at most what the account owes, one open
//! promise per account (a new one replaces it), and withdrawn only by its taker or a
//! supervisor. The CLI, the wrap-up and the terminal app's form all pass through
//! [`Session::check_promise`].

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::{Result, ServiceError, Session, Tx, non_empty};
use crate::domain::{EventKind, Money, PromiseStatus};
use crate::store::{activity, ledger};

impl Session {
    /// Refuses a promise the account cannot keep honestly: nothing, more than the
    /// open balance, a date in the past or more than a year away.
    pub fn check_promise(&self, customer_id: &str, amount: Money, date: NaiveDate) -> Result<()> {
        let as_of = self.as_of;
        if !amount.is_positive() {
            return Err(ServiceError::Invalid(format!(
                "a promise needs an amount above zero (got {})",
                amount.grouped()
            )));
        }
        let balance: Money = ledger::positions(self.store.conn(), customer_id, as_of)?
            .iter()
            .map(|i| i.balance)
            .sum();
        if amount > balance {
            return Err(ServiceError::Invalid(format!(
                "a promise of {} is more than {customer_id} owes ({} open): promise at most the open balance",
                amount.grouped(),
                balance.grouped()
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
        Ok(())
    }

    /// Records a promise to pay `amount` by `date`; the strategy pauses while it is
    /// open. An open promise on the account is replaced by this one.
    pub fn take_promise(
        &mut self,
        customer_id: &str,
        amount: Money,
        date: NaiveDate,
        note: &str,
    ) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        self.check_promise(&c.id, amount, date)?;
        let grace = self.grace_days(&c.id)?;
        let note = note.trim().to_string();
        self.write(|tx| write_promise(tx, &c.id, amount, date, &note, grace))
    }

    /// Withdraws a promise taken by mistake (its taker or a supervisor). It stays in
    /// the record as `cancelled` and does not count in the kept rate.
    pub fn cancel_promise(&mut self, promise_id: i64, note: &str) -> Result<()> {
        let note = non_empty("--note (why the promise is cancelled)", note)?.to_string();
        let (customer, taker, open) = activity::promise_owner(self.store.conn(), promise_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no promise #{promise_id}")))?;
        self.visible_customer(&customer)?;
        if taker != self.user.name {
            self.require_supervisor(&format!("cancel a promise {taker} took"))?;
        }
        if !open {
            return Err(ServiceError::Invalid(format!(
                "promise #{promise_id} is no longer open: only an open promise can be cancelled"
            )));
        }
        self.write(|tx| {
            let by = tx.actor.clone();
            if !activity::close_promise(
                tx.conn,
                promise_id,
                PromiseStatus::Cancelled,
                tx.as_of,
                &by,
                &note,
            )? {
                return Err(ServiceError::Invalid(format!(
                    "promise #{promise_id} was closed meanwhile"
                )));
            }
            tx.event(
                EventKind::PromiseCancelled,
                Some(&customer),
                format!("promise #{promise_id} cancelled — {note}"),
                json!({"promise_id": promise_id, "note": note}),
            )?;
            Ok(())
        })
    }
}

/// Writes a promise and its event; an open promise on the account is replaced.
pub(super) fn write_promise(
    tx: &mut Tx<'_>,
    customer_id: &str,
    amount: Money,
    date: NaiveDate,
    note: &str,
    grace_days: u32,
) -> Result<i64> {
    let by = tx.actor.clone();
    let open = activity::open_promises(tx.conn, customer_id, tx.as_of)?;
    let p = activity::NewPromise {
        customer_id,
        amount,
        date,
        taken_on: tx.as_of,
        by: &by,
        note,
        grace_days,
    };
    let id = activity::insert_promise(tx.conn, &p)?;
    for old in open {
        let why = format!("replaced by promise #{id}");
        if activity::close_promise(
            tx.conn,
            old.id,
            PromiseStatus::Replaced,
            tx.as_of,
            &by,
            &why,
        )? {
            tx.event(
                EventKind::PromiseReplaced,
                Some(customer_id),
                format!(
                    "promise #{} ({} by {}) {why}",
                    old.id,
                    old.amount.grouped(),
                    old.date
                ),
                json!({"promise_id": old.id, "replaced_by": id}),
            )?;
        }
    }
    let mut detail = format!("promise #{id}: {} by {date}", amount.grouped());
    if !note.is_empty() {
        detail.push_str(&format!(" — {note}"));
    }
    tx.event(
        EventKind::Promise,
        Some(customer_id),
        detail,
        json!({"promise_id": id, "amount": amount, "date": date, "grace_days": grace_days}),
    )?;
    Ok(id)
}
