//! The checks a message passes just before it is delivered: a customer who has since
//! opted out, become white glove, been cured or placed with an agency, promised to pay
//! or agreed a plan — or a reminder a later step has replaced, one queued too long
//! ago, or a reminder before the due date whose invoices are paid or due by now —
//! gets nothing; the message is cancelled instead.
//!
//! The checks are pure: the facts about every account of a batch of messages are read
//! with a few set queries (`store::snapshot::recheck_facts`, `outbox::cycle_messages`)
//! in the transaction that claims the batch.

use chrono::NaiveDate;

use crate::domain::{AccountFigures, Channel};
use crate::store::outbox::OutboxRow;
use crate::store::snapshot::RecheckFacts;
use crate::strategy::StrategyBook;
use crate::strategy::engine::strategy_of;

/// Why a message is cancelled instead of sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancel {
    /// A short code for reports: `too_old`, `opted_out`, `white_glove`, `no_contact`,
    /// `superseded`, `placed`, `cycle_ended`, `cured`, `disputed`, `promise`, `plan`,
    /// `no_longer_ahead`.
    pub kind: &'static str,
    pub why: String,
}

fn cancel(kind: &'static str, why: impl Into<String>) -> Option<Cancel> {
    Some(Cancel {
        kind,
        why: why.into(),
    })
}

/// A reminder before the due date goes out only while one of its invoices is still
/// open and not yet due: sent on the due date or later it would be wrong.
fn before_due(row: &OutboxRow, f: &RecheckFacts, as_of: NaiveDate) -> Option<Cancel> {
    let reminded: Vec<&str> = f
        .reminded
        .iter()
        .filter(|(id, _)| *id == row.id)
        .map(|(_, no)| no.as_str())
        .collect();
    if reminded.is_empty() {
        return None;
    }
    let still_ahead = f
        .invoices
        .iter()
        .any(|i| reminded.contains(&i.invoice_no.as_str()) && i.is_open() && i.due_date > as_of);
    if still_ahead {
        return None;
    }
    cancel(
        "no_longer_ahead",
        "a reminder before the due date, and its invoices are paid or due now",
    )
}

/// What else a re-check looks at besides the account.
pub struct Context<'a> {
    pub book: &'a StrategyBook,
    pub as_of: NaiveDate,
    pub max_age: u32,
}

/// Why a message must not go out now, if it must not. `later` is a message of a
/// later step of the same cycle that was not cancelled, if there is one.
pub fn cancel_reason(
    row: &OutboxRow,
    f: &RecheckFacts,
    later: Option<i64>,
    cx: &Context<'_>,
) -> Option<Cancel> {
    let (as_of, max_age) = (cx.as_of, cx.max_age);
    let c = &f.customer;
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
    let (Some(cycle_id), Some(_)) = (row.cycle_id, row.step_index) else {
        return before_due(row, f, as_of);
    };
    if let Some(later) = later {
        return cancel(
            "superseded",
            format!("a later step's message (#{later}) replaces it: one reminder at a time"),
        );
    }
    if let Some(p) = &f.placed {
        return cancel(
            "placed",
            format!("the account was placed with {} on {}", p.agency, p.since),
        );
    }
    if f.cycle.as_ref().map(|(id, _)| *id) != Some(cycle_id) {
        return cancel(
            "cycle_ended",
            "the collection cycle that queued it has ended (the account was cured)",
        );
    }
    let figures = AccountFigures::of(&f.invoices, as_of);
    let cycle_strategy = f.cycle.as_ref().map(|(_, s)| s.as_str());
    if let Some(strategy) = strategy_of(cx.book, cycle_strategy, c, figures.balance) {
        let past_due = figures.past_due;
        if past_due < strategy.threshold() {
            return cancel(
                "cured",
                format!(
                    "the account is no longer past due enough for reminders (past due {past_due}, strategy threshold {})",
                    strategy.threshold()
                ),
            );
        }
        // A reminder asks for what is past due; once that is disputed (a dispute
        // opened since it was queued), it would dun the customer for what is in
        // question.
        let collectible = figures.collectible_past_due;
        if collectible < strategy.threshold() {
            return cancel(
                "disputed",
                format!(
                    "what is past due is disputed now (undisputed past due {collectible}, strategy threshold {})",
                    strategy.threshold()
                ),
            );
        }
    }
    if f.promises_taken.iter().any(|t| *t >= row.created_on) {
        return cancel(
            "promise",
            "a promise to pay was taken after the reminder was queued",
        );
    }
    if f.plan_created.is_some_and(|p| p >= row.created_on) {
        return cancel(
            "plan",
            "a payment plan was agreed after the reminder was queued",
        );
    }
    None
}

/// Of a cycle's messages that were not cancelled — (step index, outbox id) — the one
/// of the latest step after `step`, if any.
pub fn later_message(messages: &[(i64, i64)], step: i64) -> Option<i64> {
    messages
        .iter()
        .filter(|(s, _)| *s > step)
        .max_by_key(|(s, id)| (*s, std::cmp::Reverse(*id)))
        .map(|(_, id)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_later_step_replaces_an_earlier_message() {
        type Case<'a> = (&'a [(i64, i64)], i64, Option<i64>);
        let cases: &[Case<'_>] = &[
            (&[], 0, None),
            (&[(0, 5)], 0, None),
            (&[(0, 5), (1, 9)], 0, Some(9)),
            (&[(0, 5), (1, 9), (2, 12)], 0, Some(12)),
            (&[(0, 5), (1, 9), (2, 12)], 2, None),
            (&[(3, 20), (1, 9)], 1, Some(20)),
        ];
        for (messages, step, want) in cases {
            assert_eq!(
                later_message(messages, *step),
                *want,
                "{messages:?} after {step}"
            );
        }
    }
}
