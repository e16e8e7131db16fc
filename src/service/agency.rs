//! Placing an account with a collection agency or attorney, and recalling it. A
//! placed account leaves its strategy and every queue; payments are still recorded
//! (and shown as recovered by the agency); a recall brings it back at step 1.

use serde_json::json;

use super::{Result, ServiceError, Session, Tx, non_empty};
use crate::domain::{EventKind, ItemOutcome, Money};
use crate::store::{cycles, ledger, outbox, placements, tasks};

impl Session {
    /// Places an account with an agency (supervisors).
    pub fn place_with_agency(&mut self, customer_id: &str, agency: &str, note: &str) -> Result<()> {
        self.require_supervisor("place accounts with an agency")?;
        let c = self.visible_customer(customer_id)?;
        let agency = non_empty("--agency", agency)?.to_string();
        if let Some(p) = placements::placement(self.store.conn(), &c.id, self.as_of)? {
            return Err(ServiceError::Invalid(format!(
                "{} is already at {} since {}: recall it first (`arq agency recall {}`)",
                c.id, p.agency, p.since, c.id
            )));
        }
        let note = note.trim().to_string();
        self.write(|tx| write_placement(tx, &c.id, &agency, &note))
    }

    /// Brings a placed account back into collection (supervisors): the next run
    /// starts it at step 1 if it is still past due.
    pub fn recall_from_agency(&mut self, customer_id: &str, note: &str) -> Result<()> {
        self.require_supervisor("recall accounts from an agency")?;
        let c = self.visible_customer(customer_id)?;
        let as_of = self.as_of;
        let p = placements::placement(self.store.conn(), &c.id, as_of)?.ok_or_else(|| {
            ServiceError::Invalid(format!("{} is not placed with an agency", c.id))
        })?;
        let recovered: Money = ledger::payments_between(self.store.conn(), &c.id, p.since, as_of)?
            .into_iter()
            .map(|(_, m)| m)
            .sum();
        let note = note.trim().to_string();
        self.write(|tx| {
            let by = tx.actor.clone();
            if !placements::recall(tx.conn, &c.id, as_of, &by)? {
                return Err(ServiceError::Invalid(format!(
                    "{} was recalled meanwhile",
                    c.id
                )));
            }
            let mut detail = format!(
                "recalled from {} (placed {}; {} recovered meanwhile): back to step 1",
                p.agency,
                p.since,
                recovered.grouped()
            );
            if !note.is_empty() {
                detail.push_str(&format!(" — {note}"));
            }
            tx.event(
                EventKind::AgencyRecalled,
                Some(&c.id),
                detail,
                json!({"agency": p.agency, "since": p.since, "recovered": recovered}),
            )?;
            Ok(())
        })
    }
}

/// Records a placement: the cycle ends, open items close, pending mail is cancelled.
pub(super) fn write_placement(
    tx: &mut Tx<'_>,
    customer_id: &str,
    agency: &str,
    note: &str,
) -> Result<()> {
    let as_of = tx.as_of;
    let by = tx.actor.clone();
    placements::place(tx.conn, customer_id, agency, as_of, &by, note)?;
    if let Some(cy) = cycles::open_cycle(tx.conn, customer_id, as_of)? {
        cycles::end(tx.conn, cy.id, as_of, "placed")?;
    }
    let why = format!("account placed with {agency}");
    for t in tasks::open_for_customer(tx.conn, customer_id, as_of)? {
        if tasks::finish(tx.conn, t.id, as_of, &by, ItemOutcome::Cancelled, &why)? {
            tx.event(
                EventKind::ItemClosedStale,
                Some(customer_id),
                format!("item #{} closed: {why}", t.id),
                json!({"task_id": t.id, "why": why}),
            )?;
        }
    }
    for id in outbox::pending_for(tx.conn, customer_id)? {
        outbox::cancel(tx.conn, id, "the account was placed with an agency")?;
    }
    let mut detail = format!("placed with {agency}");
    if !note.is_empty() {
        detail.push_str(&format!(" — {note}"));
    }
    tx.event(
        EventKind::AgencyPlaced,
        Some(customer_id),
        detail,
        json!({"agency": agency, "note": note}),
    )?;
    Ok(())
}
