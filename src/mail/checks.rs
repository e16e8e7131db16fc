//! The checks a message passes just before it is delivered: a customer who has since
//! opted out, become white glove, been cured, promised to pay or agreed a plan — or a
//! message queued too long ago — gets nothing; the message is cancelled instead.

use crate::domain::{Channel, Customer};
use crate::service::{Result, Tx};
use crate::store::outbox::OutboxRow;
use crate::store::snapshot;
use crate::strategy::StrategyBook;
use crate::strategy::engine::strategy_for;

/// Why a message must not go out now, if it must not.
pub fn cancel_reason(
    tx: &Tx<'_>,
    row: &OutboxRow,
    c: &Customer,
    book: &StrategyBook,
    max_age: u32,
) -> Result<Option<String>> {
    let as_of = tx.as_of;
    let age = (as_of - row.created_on).num_days();
    if age > i64::from(max_age) {
        return Ok(Some(format!(
            "queued {age} days ago ({}) and never delivered: too late to send (mail.max_age_days = {max_age})",
            row.created_on
        )));
    }
    if c.opt_out.contains(row.channel) {
        return Ok(Some(format!("the customer opted out of {}", row.channel)));
    }
    if row.is_automatic() && c.white_glove {
        return Ok(Some(
            "white-glove customer: no automated contact".to_string(),
        ));
    }
    if !c.has_contact(row.channel) {
        let what = if row.channel == Channel::Email {
            "email address"
        } else {
            "phone number"
        };
        return Ok(Some(format!("no {what} on file for the customer any more")));
    }
    if !row.is_automatic() {
        return Ok(None);
    }
    let Some(a) = snapshot::load_one(tx.conn, &c.id, as_of)? else {
        return Ok(None);
    };
    let state = a.state(as_of);
    if a.cycle.as_ref().map(|cy| cy.id) != row.cycle_id {
        return Ok(Some(
            "the collection cycle that queued it has ended (the account was cured)".to_string(),
        ));
    }
    if let Some(strategy) = strategy_for(&state, book) {
        let past_due = state.figures.past_due;
        if past_due < strategy.threshold() {
            return Ok(Some(format!(
                "the account is no longer past due enough for reminders (past due {past_due}, strategy threshold {})",
                strategy.threshold()
            )));
        }
    }
    if a.promises.iter().any(|p| p.taken_on >= row.created_on) {
        return Ok(Some(
            "a promise to pay was taken after the reminder was queued".to_string(),
        ));
    }
    if a.plan
        .as_ref()
        .is_some_and(|p| p.created_on >= row.created_on)
    {
        return Ok(Some(
            "a payment plan was agreed after the reminder was queued".to_string(),
        ));
    }
    Ok(None)
}
