//! Prevention (DESIGN §2 "Prevention"): courtesy reminders before the due date, the
//! credit limit, and early warnings for accounts not yet past due. Pure, like the rest
//! of the engine; `engine::decide` calls these and the run applies what they decide.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::decision::{Decision, FlagChange, LimitHold, NewTask, PreDueTaken};
use super::facts::{AccountState, FlagKind};
use super::model::{Assignee, Strategy, WarningRule};
use crate::domain::dates::is_weekend;
use crate::domain::{ItemAction, Money, Reason};

/// Days the broken-promise sign looks back: a promise broken within them, and no
/// other broken in the year before, is a *first* broken promise.
pub const BROKEN_PROMISE_DAYS: i64 = 90;
pub const BROKEN_PROMISE_YEAR: i64 = 365;

/// The courtesy reminder due today, if any. Called only for an account outside a
/// cycle that nothing pauses. One message a run: the step with the shortest lead that
/// some open invoice has reached and not yet had (or a shorter one). It covers every
/// invoice that step applies to, when together they reach the strategy's threshold.
/// White-glove, opted-out and unreachable customers are skipped (nothing is sent,
/// no task is made: it is a courtesy, not a collection step).
pub fn pre_due(
    state: &AccountState<'_>,
    strategy: &Strategy,
    as_of: NaiveDate,
) -> Option<PreDueTaken> {
    if strategy.pre_due.is_empty() {
        return None;
    }
    let done = |invoice: &str| -> Option<u32> {
        state
            .facts
            .pre_due_done
            .iter()
            .filter(|(no, _)| no == invoice)
            .map(|(_, d)| *d)
            .min()
    };
    // (invoice, lead in days, undisputed open amount)
    let coming: Vec<(&str, i64, Money, Option<u32>)> = state
        .invoices
        .iter()
        .filter(|i| i.balance.is_positive() && i.due_date > as_of)
        .map(|i| {
            (
                i.invoice_no.as_str(),
                (i.due_date - as_of).num_days(),
                i.balance - i.disputed,
                done(&i.invoice_no),
            )
        })
        .filter(|(_, _, open, _)| open.is_positive())
        .collect();
    let applies = |days: u32, lead: i64, done: Option<u32>| {
        lead <= i64::from(days) && done.is_none_or(|d| d > days)
    };
    // Steps are longest lead first: the last that applies to anything is the most urgent.
    let step = strategy.pre_due.iter().rev().find(|s| {
        coming
            .iter()
            .any(|(_, lead, _, done)| applies(s.days_before_due, *lead, *done))
    })?;
    let covered: Vec<&(&str, i64, Money, Option<u32>)> = coming
        .iter()
        .filter(|(_, lead, _, done)| applies(step.days_before_due, *lead, *done))
        .collect();
    let total: Money = covered.iter().map(|(_, _, open, _)| *open).sum();
    if total < strategy.threshold() {
        return None;
    }
    let channel = step.action.auto_channel()?;
    let c = state.customer;
    if !c.accepts_automatic(channel) || !c.has_contact(channel) {
        return None;
    }
    if strategy.business_days && is_weekend(as_of) {
        return None;
    }
    Some(PreDueTaken {
        strategy_id: strategy.id.clone(),
        step_id: step.id.clone(),
        days_before_due: step.days_before_due,
        channel,
        template: step.template.clone().unwrap_or_default(),
        invoices: covered.iter().map(|(no, ..)| (*no).to_string()).collect(),
    })
}

/// The credit limit: the day the open balance goes above it, a flag, one item for the
/// owner and (with `hold_over_limit`) a credit hold; the day it is back under, the flag
/// is cleared, the item closed and the hold set for it released.
pub fn credit_limit(
    state: &AccountState<'_>,
    strategy: &Strategy,
    as_of: NaiveDate,
    out: &mut Decision,
) {
    let facts = &state.facts;
    let balance = state.figures.balance;
    let limit = state.customer.credit_limit;
    let over = limit.is_some_and(|l| balance > l);
    match (over, facts.flag(FlagKind::OverLimit), limit) {
        (true, None, Some(limit)) => {
            let detail = format!(
                "balance {} is over the credit limit of {} by {}",
                balance.grouped(),
                limit.grouped(),
                (balance - limit).grouped()
            );
            out.flags.push(FlagChange::Raise {
                kind: FlagKind::OverLimit,
                detail: detail.clone(),
            });
            out.tasks.push(NewTask {
                reason: Reason::Callback,
                action: ItemAction::OverLimit,
                due: as_of,
                assignee: Assignee::Owner,
                note: format!("over credit limit: {detail}; review open orders with the customer"),
                ref_id: None,
            });
            if strategy.credit.hold_over_limit {
                out.limit_hold = match facts.hold {
                    None => Some(LimitHold::Set {
                        reason: format!("over credit limit: {detail}"),
                    }),
                    Some(h) if h.by_step && !h.over_limit => {
                        Some(LimitHold::Mark { hold_id: h.id })
                    }
                    Some(_) => None,
                };
            }
        }
        (false, Some(flag), _) => {
            let why = match limit {
                Some(l) => format!(
                    "back under the credit limit ({} of {})",
                    balance.grouped(),
                    l.grouped()
                ),
                None => "the customer has no credit limit any more".to_string(),
            };
            out.flags.push(FlagChange::Clear {
                flag_id: flag.id,
                why: why.clone(),
            });
            for item in facts
                .items
                .iter()
                .filter(|i| i.action == ItemAction::OverLimit)
            {
                out.close(item.id, why.clone());
            }
            // The ladder's own hold stays while the account is in its cycle.
            if let Some(h) = facts.hold
                && h.over_limit
                && !(h.by_step && facts.cycle.is_some())
            {
                out.limit_hold = Some(LimitHold::Release { hold_id: h.id });
            }
        }
        _ => {}
    }
}

/// Early warnings: an account outside a collection cycle with something open, whose
/// customer shows a warning sign, gets a flag and one "check in" item for its owner.
/// The flag stays while the sign does (one item, not one per invoice); it is cleared
/// (and the item closed) when the account goes into a cycle — its strategy takes
/// over — or the sign goes away.
pub fn early_warning(
    state: &AccountState<'_>,
    strategy: &Strategy,
    as_of: NaiveDate,
    in_cycle: bool,
    out: &mut Decision,
) {
    let facts = &state.facts;
    let sign = if strategy.warning.enabled && !in_cycle {
        warning_sign(
            &strategy.warning,
            &facts.broken_promises,
            &facts.days_late,
            as_of,
        )
    } else {
        None
    };
    match (sign, facts.flag(FlagKind::EarlyWarning)) {
        (Some(_), None) if !state.figures.balance.is_positive() => {}
        (Some(detail), None) => {
            out.flags.push(FlagChange::Raise {
                kind: FlagKind::EarlyWarning,
                detail: detail.clone(),
            });
            // A broken promise already put an item in the owner's queue: no second one.
            let followed = facts
                .items
                .iter()
                .any(|i| i.reason == Reason::BrokenPromise)
                || out.tasks.iter().any(|t| t.reason == Reason::BrokenPromise);
            if !followed {
                out.tasks.push(NewTask {
                    reason: Reason::Callback,
                    action: ItemAction::CheckIn,
                    due: as_of,
                    assignee: Assignee::Owner,
                    note: format!("check in before anything is past due: {detail}"),
                    ref_id: None,
                });
            }
        }
        (None, Some(flag)) => {
            let why = if in_cycle {
                "the account is past due: its strategy takes over".to_string()
            } else if !strategy.warning.enabled {
                "early warnings are off in the strategy".to_string()
            } else {
                "the warning sign went away".to_string()
            };
            out.flags.push(FlagChange::Clear {
                flag_id: flag.id,
                why: why.clone(),
            });
            for item in facts
                .items
                .iter()
                .filter(|i| i.action == ItemAction::CheckIn)
            {
                out.close(item.id, why.clone());
            }
        }
        _ => {}
    }
}

/// The warning sign, in words, if the customer shows one as of `as_of`:
/// - a first broken promise: one promise found broken in the last
///   [`BROKEN_PROMISE_DAYS`] days and no other in the [`BROKEN_PROMISE_YEAR`] days up
///   to today;
/// - paying later: the mean days late of the latest `last_invoices` settled invoices
///   is at least `days_late_rise` above the mean of the `last_invoices` before them.
pub fn warning_sign(
    rule: &WarningRule,
    broken: &[NaiveDate],
    days_late: &[i64],
    as_of: NaiveDate,
) -> Option<String> {
    if rule.broken_promise {
        let in_year: Vec<&NaiveDate> = broken
            .iter()
            .filter(|d| **d <= as_of && (as_of - **d).num_days() < BROKEN_PROMISE_YEAR)
            .collect();
        if let [only] = in_year.as_slice()
            && (as_of - **only).num_days() < BROKEN_PROMISE_DAYS
        {
            return Some(format!("first broken promise (found broken on {only})"));
        }
    }
    let (recent, earlier) = days_late_means(days_late, rule.last_invoices)?;
    if recent - earlier >= Decimal::from(rule.days_late_rise) {
        return Some(format!(
            "paying later: {} days late on average on the last {n} invoices, {} before",
            recent.round_dp(1).normalize(),
            earlier.round_dp(1).normalize(),
            n = rule.last_invoices
        ));
    }
    None
}

/// The mean days late of the latest `n` settled invoices and of the `n` before them,
/// when there are at least `2n` (oldest first in `days_late`).
pub fn days_late_means(days_late: &[i64], n: u32) -> Option<(Decimal, Decimal)> {
    let n = n as usize;
    if n == 0 || days_late.len() < 2 * n {
        return None;
    }
    let tail = &days_late[days_late.len() - 2 * n..];
    let (earlier, recent) = tail.split_at(n);
    let mean = |xs: &[i64]| Decimal::from(xs.iter().sum::<i64>()) / Decimal::from(n as i64);
    Some((mean(recent), mean(earlier)))
}

#[cfg(test)]
#[path = "prevention_tests.rs"]
mod tests;
