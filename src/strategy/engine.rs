//! The strategy engine: one account, its strategy and a date in; what the daily run
//! must do out. Pure: no SQL, no clock, no I/O.
//!
//! Order of evaluation for one account and one `as_of`:
//! 1. open promises and the payment plan whose grace has passed get their verdict;
//! 2. an account at an agency does nothing more (its open items are closed);
//! 3. an account in a cycle whose past due (disputes included) fell below the first
//!    step's `min_past_due`, or whose payment plan was paid in full, is cured (rule 3);
//! 4. open items whose reason no longer holds are closed (stale);
//! 5. open promises, a current plan, or disputes that bring the collectible past due
//!    below the threshold pause the account (rule 4);
//! 6. otherwise at most one step is taken (rule 1): the first step when the entry
//!    conditions hold, else the next step once its wait has passed. After the last
//!    written step come the rounds of the strategy's end rule, so an account still
//!    past due always has a next step. An account outside a cycle may get a courtesy
//!    reminder before an invoice comes due instead;
//! 7. then, unless placed: the credit limit (crossed or back under) and early warnings
//!    (`prevention.rs`).

use chrono::NaiveDate;

use super::book::StrategyBook;
use super::model::{Action, Assignee, Fallback, Release, Step, Strategy};
use super::prevention;
use crate::domain::dates::{add_days, is_weekend};
use crate::domain::{Customer, ItemAction, Money, PromiseStatus, Reason};

pub use super::decision::{
    Cure, CureReason, Decision, FlagChange, HoldOnCure, LimitHold, NewTask, Pause, PlanVerdict,
    PreDueTaken, PromiseVerdict, StaleItem, StepOutcome, StepTaken,
};
pub use super::facts::{
    AccountFacts, AccountState, CycleState, DAYS_LATE_KEPT, DoneStep, FlagKind, HoldState,
    OpenFlag, OpenItem, OpenPlan, OpenPromise, OpenStepTask, Placement,
};

/// The strategy an account follows right now: its cycle's, else its assignment.
pub fn strategy_for<'b>(state: &AccountState<'_>, book: &'b StrategyBook) -> Option<&'b Strategy> {
    let cycle_strategy = state.facts.cycle.as_ref().map(|c| c.strategy_id.as_str());
    strategy_of(book, cycle_strategy, state.customer, state.figures.balance)
}

/// The strategy of the account's cycle when it is in one (and it still exists), else
/// the one assignment gives.
pub fn strategy_of<'b>(
    book: &'b StrategyBook,
    cycle_strategy: Option<&str>,
    customer: &Customer,
    balance: Money,
) -> Option<&'b Strategy> {
    cycle_strategy
        .and_then(|id| book.get(id))
        .or_else(|| book.assign(customer, balance))
}

/// Decides what the run does for one account on `as_of`.
pub fn decide(state: &AccountState<'_>, book: &StrategyBook, as_of: NaiveDate) -> Decision {
    let mut out = Decision::default();
    let Some(strategy) = strategy_for(state, book) else {
        return out;
    };
    ladder(state, strategy, as_of, &mut out);
    if out.paused != Some(Pause::Placed) {
        prevention::credit_limit(state, strategy, as_of, &mut out);
        let in_cycle =
            (state.facts.cycle.is_some() && out.cure.is_none()) || out.start_cycle.is_some();
        prevention::early_warning(state, strategy, as_of, in_cycle, &mut out);
    }
    out
}

/// The collection ladder (steps 1–6 above), and a reminder before the due date for an
/// account outside a cycle.
fn ladder(state: &AccountState<'_>, strategy: &Strategy, as_of: NaiveDate, out: &mut Decision) {
    let facts = &state.facts;

    let (promise_open_through, promise_broken) = evaluate_promises(facts, as_of, out);
    let (plan_current, plan_broken) = evaluate_plan(facts, as_of, out);

    if let Some(p) = &facts.placed {
        for item in &facts.items {
            out.close(
                item.id,
                format!("account placed with {} on {}", p.agency, p.since),
            );
        }
        out.paused = Some(Pause::Placed);
        return;
    }

    let figures = &state.figures;
    let threshold = strategy.threshold();
    let plan_completed = matches!(out.plan, Some(PlanVerdict::Completed { .. }));
    let cure_reason = match (&facts.cycle, plan_completed) {
        (None, _) => None,
        (Some(_), _) if figures.past_due < threshold => Some(CureReason::PaidDown),
        (Some(_), true) => Some(CureReason::PlanCompleted),
        (Some(_), false) => None,
    };

    if cure_reason.is_none() {
        follow_up_broken(&out.promises, out.plan.as_ref(), as_of, &mut out.tasks);
    }
    close_stale(state, strategy, out);

    if let (Some(cycle), Some(reason)) = (&facts.cycle, cure_reason) {
        cure(state, strategy, cycle, reason, as_of, out);
        // Out of the cycle now: a reminder before the due date is judged today as a
        // rerun of the day would judge it (so a rerun changes nothing).
        let paused = promise_open_through.is_some()
            || plan_current
            || (figures.disputed_past_due.is_positive()
                && figures.collectible_past_due < threshold);
        if !paused {
            out.pre_due = prevention::pre_due(state, strategy, as_of);
        }
        return;
    }

    // Rule 4: pauses.
    if let Some(through) = promise_open_through {
        out.paused = Some(Pause::Promise { through });
        return;
    }
    if plan_current {
        out.paused = Some(Pause::Plan);
        return;
    }
    if figures.disputed_past_due.is_positive() && figures.collectible_past_due < threshold {
        out.paused = Some(Pause::Dispute);
        return;
    }

    match &facts.cycle {
        None => {
            let first = strategy.first();
            if figures.collectible_past_due >= first.min_past_due
                && figures.dpd >= first.min_days_past_due
            {
                out.start_cycle = Some(strategy.id.clone());
                take_step(state, strategy, 0, as_of, out);
            } else {
                out.pre_due = prevention::pre_due(state, strategy, as_of);
            }
        }
        Some(cycle) => {
            if facts.open_step_task.is_some() {
                out.paused = Some(Pause::WaitingForTask);
                return;
            }
            let resume_on = if promise_broken || plan_broken {
                Some(as_of)
            } else {
                facts.resume_on
            };
            if let Some((index, due)) = next_due(cycle, facts.last_response, resume_on, strategy)
                && due <= as_of
            {
                take_step(state, strategy, index, as_of, out);
            }
        }
    }
}

/// Broken promises and plans are followed up by the owner the day they are found.
fn follow_up_broken(
    promises: &[PromiseVerdict],
    plan: Option<&PlanVerdict>,
    as_of: NaiveDate,
    tasks: &mut Vec<NewTask>,
) {
    for v in promises {
        if v.status == PromiseStatus::Broken {
            tasks.push(NewTask {
                reason: Reason::BrokenPromise,
                action: ItemAction::Call,
                due: as_of,
                assignee: Assignee::Owner,
                note: "promise to pay broken: nothing was paid".to_string(),
                ref_id: Some(v.promise_id),
            });
        }
    }
    if let Some(PlanVerdict::Broken {
        plan_id,
        installment_due,
        short,
    }) = plan
    {
        tasks.push(NewTask {
            reason: Reason::PlanBroken,
            action: ItemAction::Call,
            due: as_of,
            assignee: Assignee::Owner,
            note: format!(
                "payment plan broken: installment due {installment_due} is {} short",
                short.grouped()
            ),
            ref_id: Some(*plan_id),
        });
    }
}

/// Rule 3: the cycle ends; an automatic hold is released (or its release asked for),
/// the open step task is cancelled, and items that chased the debt are closed.
fn cure(
    state: &AccountState<'_>,
    strategy: &Strategy,
    cycle: &CycleState,
    reason: CureReason,
    as_of: NaiveDate,
    out: &mut Decision,
) {
    let facts = &state.facts;
    // A hold that also stands for the credit limit stays while the account is over it.
    let over_limit = state
        .customer
        .credit_limit
        .is_some_and(|l| state.figures.balance > l);
    let hold = match facts.hold {
        Some(h) if h.by_step && !(h.over_limit && over_limit) => match strategy.release {
            Release::Auto => HoldOnCure::Release,
            Release::Approval if !facts.release_pending() => HoldOnCure::AskApproval,
            Release::Approval => HoldOnCure::Keep,
        },
        _ => HoldOnCure::Keep,
    };
    if hold == HoldOnCure::AskApproval {
        out.tasks.push(NewTask {
            reason: Reason::Approval,
            action: ItemAction::ReleaseHold,
            due: as_of,
            assignee: Assignee::Supervisor,
            note: "account cured: approve the credit-hold release".to_string(),
            ref_id: facts.hold.map(|h| h.id),
        });
    }
    for item in &facts.items {
        if matches!(
            item.reason,
            Reason::Callback | Reason::BrokenPromise | Reason::PlanBroken
        ) && !matches!(item.action, ItemAction::OverLimit | ItemAction::CheckIn)
        {
            out.close(item.id, "account cured");
        }
    }
    out.cure = Some(Cure {
        cycle_id: cycle.id,
        reason,
        cancel_task: facts.open_step_task.map(|t| t.task_id),
        hold,
    });
}

/// Items whose reason no longer holds: a release approval for an account past due
/// again (or no longer on hold), a follow-up of a dispute that was resolved, a
/// write-off approval for an account with nothing left to write off.
fn close_stale(state: &AccountState<'_>, strategy: &Strategy, out: &mut Decision) {
    let facts = &state.facts;
    let f = &state.figures;
    for item in &facts.items {
        match item.action {
            ItemAction::ReleaseHold if facts.hold.is_none() => {
                out.close(item.id, "the credit hold was already released");
            }
            ItemAction::ReleaseHold if f.past_due >= strategy.threshold() => out.close(
                item.id,
                format!("the account is past due again ({})", f.past_due.grouped()),
            ),
            ItemAction::FollowUp
                if item
                    .ref_id
                    .is_some_and(|d| !facts.open_disputes.contains(&d)) =>
            {
                out.close(item.id, "the dispute was resolved");
            }
            ItemAction::ApproveWriteOff if !f.balance.is_positive() => {
                out.close(
                    item.id,
                    "nothing is left to write off: the account was paid",
                );
            }
            _ => {}
        }
    }
}

/// The next step of a cycle and the day it is due. There always is one: after the
/// last written step come the rounds of the end rule. A step done on a day is never
/// followed by another on the same day.
pub fn next_due(
    cycle: &CycleState,
    last_response: Option<NaiveDate>,
    resume_on: Option<NaiveDate>,
    strategy: &Strategy,
) -> Option<(usize, NaiveDate)> {
    let Some(last) = cycle.last_step else {
        return Some((0, cycle.started_on));
    };
    let index = last.index + 1;
    let step = strategy.step_at(index)?;
    let base = match last_response {
        Some(r) if r > last.done_on => r,
        _ => last.done_on,
    };
    let mut due = add_days(base, step.wait_days, strategy.business_days);
    if let Some(r) = resume_on
        && r > last.done_on
    {
        due = due.min(r);
    }
    let earliest = add_days(last.done_on, 1, false);
    Some((index, due.max(earliest)))
}

fn take_step(
    state: &AccountState<'_>,
    strategy: &Strategy,
    index: usize,
    as_of: NaiveDate,
    out: &mut Decision,
) {
    let Some(step) = strategy.step_at(index) else {
        return;
    };
    let on_hold = state.facts.hold.is_some();
    let Some(outcome) = step_outcome(state.customer, strategy, &step, on_hold, as_of) else {
        out.paused = Some(Pause::Weekend);
        return;
    };
    out.step = Some(StepTaken {
        strategy_id: strategy.id.clone(),
        index,
        step_id: step.id.clone(),
        action: step.action,
        end_round: strategy
            .is_end_round(index)
            .then(|| index + 1 - strategy.steps.len()),
        outcome,
    });
}

/// What doing `step` means for this customer today; `None` when it must wait for a weekday.
fn step_outcome(
    c: &Customer,
    strategy: &Strategy,
    step: &Step,
    on_hold: bool,
    as_of: NaiveDate,
) -> Option<StepOutcome> {
    if step.is_auto() {
        if let Some(channel) = step.action.auto_channel() {
            if !c.accepts_automatic(channel) {
                let why = if c.white_glove {
                    "white-glove customer: no automated contact".to_string()
                } else {
                    format!("customer opted out of {channel}")
                };
                return Some(match step.fallback {
                    Fallback::Skip => StepOutcome::Skipped { why },
                    Fallback::Manual => StepOutcome::Task {
                        assignee: Assignee::Owner,
                        reason: Reason::Step,
                        note: format!(
                            "contact by preferred channel instead of {} ({why})",
                            step.label()
                        ),
                    },
                });
            }
            if !c.has_contact(channel) {
                return Some(StepOutcome::Task {
                    assignee: Assignee::Owner,
                    reason: Reason::Step,
                    note: format!(
                        "no {channel} contact on file: reach the customer another way instead of {}",
                        step.label()
                    ),
                });
            }
            if strategy.business_days && is_weekend(as_of) {
                return None;
            }
            return Some(StepOutcome::Mail {
                channel,
                template: step.template.clone().unwrap_or_default(),
            });
        }
        if step.action == Action::CreditHold {
            return Some(if on_hold {
                StepOutcome::AlreadyOnHold
            } else {
                StepOutcome::SetHold
            });
        }
    }
    let reason = if matches!(step.action, Action::Escalate | Action::Review) {
        Reason::Escalation
    } else {
        Reason::Step
    };
    let note = step.text.clone().unwrap_or_else(|| default_task_text(step));
    Some(StepOutcome::Task {
        assignee: step.assignee,
        reason,
        note,
    })
}

fn default_task_text(step: &Step) -> String {
    match step.action {
        Action::Call => "call the customer about the past-due balance".into(),
        Action::Email => "send the reminder email".into(),
        Action::Letter => "send the reminder letter".into(),
        Action::Sms => "send the reminder text message".into(),
        Action::CreditHold => "put the account on credit hold".into(),
        Action::Escalate => "escalated: review the account and decide the next action".into(),
        Action::Agency => "review turnover to a collection agency".into(),
        Action::WriteOffReview => "review the account for write-off".into(),
        Action::Task => format!("do step '{}'", step.id),
        Action::Review => "strategy exhausted: decide how to proceed".into(),
    }
}

/// Evaluates promises whose grace has passed. Returns the last day a still-open
/// promise is open, and whether one was found broken.
fn evaluate_promises(
    state: &AccountFacts,
    as_of: NaiveDate,
    out: &mut Decision,
) -> (Option<NaiveDate>, bool) {
    let mut open_through: Option<NaiveDate> = None;
    let mut broken = false;
    for p in &state.promises {
        let through = p.open_through();
        if as_of <= through {
            open_through = Some(open_through.map_or(through, |t| t.max(through)));
            continue;
        }
        let paid: Money = state
            .payments
            .iter()
            .filter(|(d, _)| *d >= p.taken_on && *d <= through)
            .map(|(_, m)| *m)
            .sum();
        let status = if paid >= p.amount {
            PromiseStatus::Kept
        } else if paid.is_positive() {
            PromiseStatus::PartiallyKept
        } else {
            broken = true;
            PromiseStatus::Broken
        };
        out.promises.push(PromiseVerdict {
            promise_id: p.id,
            status,
            paid,
        });
    }
    (open_through, broken)
}

/// Evaluates the payment plan. Returns (still current, broken today).
fn evaluate_plan(state: &AccountFacts, as_of: NaiveDate, out: &mut Decision) -> (bool, bool) {
    let Some(plan) = &state.plan else {
        return (false, false);
    };
    let paid_between = |to: NaiveDate| -> Money {
        state
            .payments
            .iter()
            .filter(|(d, _)| *d >= plan.created_on && *d <= to)
            .map(|(_, m)| *m)
            .sum()
    };
    let mut owed = Money::ZERO;
    for (due, amount) in &plan.installments {
        owed += *amount;
        let deadline = add_days(*due, plan.grace_days, false);
        if deadline >= as_of {
            break;
        }
        let paid = paid_between(deadline);
        if paid < owed {
            out.plan = Some(PlanVerdict::Broken {
                plan_id: plan.id,
                installment_due: *due,
                short: owed - paid,
            });
            return (false, true);
        }
    }
    let total: Money = plan.installments.iter().map(|(_, m)| *m).sum();
    if paid_between(as_of) >= total {
        out.plan = Some(PlanVerdict::Completed { plan_id: plan.id });
        return (false, false);
    }
    (true, false)
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
