//! Payment plans: installments agreed with the customer. While the plan is current
//! the strategy pauses; the daily run breaks it when an installment is missed (after
//! grace) and cures the account when it is paid in full. A new plan replaces the
//! current one.

use chrono::NaiveDate;
use serde_json::json;

use super::{Result, ServiceError, Session, Tx};
use crate::domain::plan;
use crate::domain::{EventKind, Money, PlanStatus};
use crate::store::{ledger, plans};

/// The most installments a plan may have (five years of monthly payments).
pub const MAX_INSTALLMENTS: usize = 60;

impl Session {
    /// Checks installments: at least one, none in the past, in date order without
    /// two on a day, each above zero, and in all at most what the account owes.
    pub fn check_plan(&self, customer_id: &str, installments: &[(NaiveDate, Money)]) -> Result<()> {
        let as_of = self.as_of;
        if installments.is_empty() {
            return Err(ServiceError::Invalid(
                "a plan needs at least one installment (--installment DATE=AMOUNT)".into(),
            ));
        }
        if installments.len() > MAX_INSTALLMENTS {
            return Err(ServiceError::Invalid(format!(
                "a plan has at most {MAX_INSTALLMENTS} installments ({} given)",
                installments.len()
            )));
        }
        for (i, (date, amount)) in installments.iter().enumerate() {
            if *date < as_of {
                return Err(ServiceError::Invalid(format!(
                    "installment {} is dated {date}, before today ({as_of})",
                    i + 1
                )));
            }
            if !amount.is_positive() {
                return Err(ServiceError::Invalid(format!(
                    "installment {} ({date}) needs an amount above zero",
                    i + 1
                )));
            }
            if let Some((prev, _)) = i.checked_sub(1).and_then(|j| installments.get(j))
                && prev >= date
            {
                return Err(ServiceError::Invalid(format!(
                    "installment {} ({date}) is not after the one before ({prev}): give them in date order, one a day",
                    i + 1
                )));
            }
        }
        let total = plan::total(installments);
        let balance: Money = ledger::positions(self.store.conn(), customer_id, as_of)?
            .iter()
            .map(|i| i.balance)
            .sum();
        if total > balance {
            return Err(ServiceError::Invalid(format!(
                "the installments total {} but {customer_id} owes {}: a plan covers at most the open balance",
                total.grouped(),
                balance.grouped()
            )));
        }
        Ok(())
    }

    /// Agrees a payment plan (`arq plan`); a current plan is replaced by it.
    pub fn set_plan(
        &mut self,
        customer_id: &str,
        installments: &[(NaiveDate, Money)],
        note: &str,
    ) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        self.check_plan(&c.id, installments)?;
        let grace = self.grace_days(&c.id)?;
        let note = note.trim().to_string();
        self.write(|tx| write_plan(tx, &c.id, installments, grace, &note))
    }
}

/// Writes a plan and its event, cancelling the plan it replaces.
pub(super) fn write_plan(
    tx: &mut Tx<'_>,
    customer_id: &str,
    installments: &[(NaiveDate, Money)],
    grace_days: u32,
    note: &str,
) -> Result<i64> {
    let by = tx.actor.clone();
    let old = plans::current_plan(tx.conn, customer_id, tx.as_of)?;
    let id = plans::insert_plan(
        tx.conn,
        customer_id,
        tx.as_of,
        &by,
        grace_days,
        note,
        installments,
    )?;
    if let Some(old) = old
        && plans::end_plan(tx.conn, old.id, PlanStatus::Cancelled, tx.as_of)?
    {
        tx.event(
            EventKind::PlanCancelled,
            Some(customer_id),
            format!("payment plan #{} replaced by plan #{id}", old.id),
            json!({"plan_id": old.id, "replaced_by": id}),
        )?;
    }
    let total = plan::total(installments);
    let first = installments.first().map(|(d, _)| *d);
    let last = installments.last().map(|(d, _)| *d);
    let mut detail = match (first, last) {
        (Some(f), Some(l)) if installments.len() > 1 => format!(
            "payment plan #{id}: {} in {} installments, {f} to {l}",
            total.grouped(),
            installments.len()
        ),
        _ => format!(
            "payment plan #{id}: {} on {}",
            total.grouped(),
            first.map_or_else(String::new, |d| d.to_string())
        ),
    };
    if !note.is_empty() {
        detail.push_str(&format!(" — {note}"));
    }
    let list: Vec<serde_json::Value> = installments
        .iter()
        .map(|(d, m)| json!({"date": d, "amount": m}))
        .collect();
    tx.event(
        EventKind::PlanCreated,
        Some(customer_id),
        detail,
        json!({"plan_id": id, "total": total, "installments": list, "grace_days": grace_days}),
    )?;
    Ok(id)
}
