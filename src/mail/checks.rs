//! The checks a message passes just before it is delivered: a customer who has since
//! opted out, become white glove, been cured, promised to pay or agreed a plan — or a
//! reminder a later step has replaced, one queued too long ago, or a reminder before
//! the due date whose invoices are paid or due by now — gets nothing; the message is
//! cancelled instead.

use crate::domain::{Channel, Customer};
use crate::service::{Result, Tx};
use crate::store::outbox::{self, OutboxRow};
use crate::store::{ledger, prevention, snapshot};
use crate::strategy::StrategyBook;
use crate::strategy::engine::strategy_for;

/// Why a message is cancelled instead of sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancel {
    /// A short code for reports: `too_old`, `opted_out`, `white_glove`, `no_contact`,
    /// `superseded`, `cycle_ended`, `cured`, `promise`, `plan`, `no_longer_ahead`.
    pub kind: &'static str,
    pub why: String,
}

fn cancel(kind: &'static str, why: impl Into<String>) -> Result<Option<Cancel>> {
    Ok(Some(Cancel {
        kind,
        why: why.into(),
    }))
}

/// A reminder before the due date goes out only while one of its invoices is still
/// open and not yet due: sent on the due date or later it would be wrong.
fn before_due(tx: &Tx<'_>, row: &OutboxRow, c: &Customer) -> Result<Option<Cancel>> {
    let reminded = prevention::reminded_by(tx.conn, row.id)?;
    if reminded.is_empty() {
        return Ok(None);
    }
    let as_of = tx.as_of;
    let still_ahead = ledger::positions(tx.conn, &c.id, as_of)?
        .iter()
        .any(|i| reminded.contains(&i.invoice_no) && i.is_open() && i.due_date > as_of);
    if still_ahead {
        return Ok(None);
    }
    cancel(
        "no_longer_ahead",
        "a reminder before the due date, and its invoices are paid or due now",
    )
}

/// Why a message must not go out now, if it must not.
pub fn cancel_reason(
    tx: &Tx<'_>,
    row: &OutboxRow,
    c: &Customer,
    book: &StrategyBook,
    max_age: u32,
) -> Result<Option<Cancel>> {
    let as_of = tx.as_of;
    let age = (as_of - row.created_on).num_days();
    if age > i64::from(max_age) {
        return cancel(
            "too_old",
            format!(
                "queued {age} days ago ({}) and never delivered: too late to send (mail.max_age_days = {max_age})",
                row.created_on
            ),
        );
    }
    if c.opt_out.contains(row.channel) {
        return cancel(
            "opted_out",
            format!("the customer opted out of {}", row.channel),
        );
    }
    if row.is_automatic() && c.white_glove {
        return cancel("white_glove", "white-glove customer: no automated contact");
    }
    if !c.has_contact(row.channel) {
        let what = if row.channel == Channel::Email {
            "email address"
        } else {
            "phone number"
        };
        return cancel(
            "no_contact",
            format!("no {what} on file for the customer any more"),
        );
    }
    let (Some(cycle_id), Some(step)) = (row.cycle_id, row.step_index) else {
        return before_due(tx, row, c);
    };
    if let Some(later) = outbox::later_step(tx.conn, cycle_id, step)? {
        return cancel(
            "superseded",
            format!("a later step's message (#{later}) replaces it: one reminder at a time"),
        );
    }
    let Some(a) = snapshot::load_one(tx.conn, &c.id, as_of)? else {
        return Ok(None);
    };
    let state = a.state(as_of);
    if let Some(p) = &a.facts.placed {
        return cancel(
            "placed",
            format!("the account was placed with {} on {}", p.agency, p.since),
        );
    }
    if a.facts.cycle.as_ref().map(|cy| cy.id) != Some(cycle_id) {
        return cancel(
            "cycle_ended",
            "the collection cycle that queued it has ended (the account was cured)",
        );
    }
    if let Some(strategy) = strategy_for(&state, book) {
        let past_due = state.figures.past_due;
        if past_due < strategy.threshold() {
            return cancel(
                "cured",
                format!(
                    "the account is no longer past due enough for reminders (past due {past_due}, strategy threshold {})",
                    strategy.threshold()
                ),
            );
        }
    }
    if a.facts
        .promises
        .iter()
        .any(|p| p.taken_on >= row.created_on)
    {
        return cancel(
            "promise",
            "a promise to pay was taken after the reminder was queued",
        );
    }
    if a.facts
        .plan
        .as_ref()
        .is_some_and(|p| p.created_on >= row.created_on)
    {
        return cancel(
            "plan",
            "a payment plan was agreed after the reminder was queued",
        );
    }
    Ok(None)
}
