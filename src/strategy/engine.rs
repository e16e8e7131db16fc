//! The strategy engine: one account, its strategy and a date in; what the daily run
//! must do out. Pure: no SQL, no clock, no I/O.
//!
//! Order of evaluation for one account and one `as_of`:
//! 1. open promises and the payment plan whose grace has passed get their verdict;
//! 2. an account in a cycle whose past due (disputes included) fell below the first
//!    step's `min_past_due` is cured (rule 3);
//! 3. open promises, a current plan, or disputes that bring the collectible past due
//!    below the threshold pause the account (rule 4);
//! 4. otherwise at most one step is taken (rule 1): the first step when the entry
//!    conditions hold, else the next step once its wait has passed.

use chrono::NaiveDate;

use super::book::StrategyBook;
use super::model::{Action, Assignee, Fallback, Step, Strategy};
use crate::domain::dates::{add_days, is_weekend};
use crate::domain::{AccountFigures, Channel, Customer, Money, PromiseStatus, Reason};

/// The collection cycle an account is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleState {
    pub id: i64,
    pub strategy_id: String,
    pub started_on: NaiveDate,
    /// The last step done in this cycle.
    pub last_step: Option<DoneStep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoneStep {
    pub index: usize,
    pub done_on: NaiveDate,
}

/// A task for a manual step that nobody has finished yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenStepTask {
    pub task_id: i64,
    pub step_index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPromise {
    pub id: i64,
    pub amount: Money,
    pub date: NaiveDate,
    pub taken_on: NaiveDate,
    pub grace_days: u32,
}

impl OpenPromise {
    /// The last day the promise is open.
    pub fn open_through(&self) -> NaiveDate {
        add_days(self.date, self.grace_days, false)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPlan {
    pub id: i64,
    pub created_on: NaiveDate,
    pub grace_days: u32,
    /// (due date, amount), in date order.
    pub installments: Vec<(NaiveDate, Money)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldState {
    pub since: NaiveDate,
    /// Set by a strategy step (released automatically on cure), not by a person.
    pub by_step: bool,
}

/// Everything the engine needs to know about one account as of a date.
#[derive(Debug, Clone)]
pub struct AccountState<'a> {
    pub customer: &'a Customer,
    pub figures: AccountFigures,
    pub cycle: Option<CycleState>,
    pub open_step_task: Option<OpenStepTask>,
    /// The latest response (payment, promise, dispute, call that reached someone).
    pub last_response: Option<NaiveDate>,
    /// Promises not evaluated yet.
    pub promises: Vec<OpenPromise>,
    pub plan: Option<OpenPlan>,
    /// Payments dated on or before `as_of`, at least those since the earliest open
    /// promise or plan.
    pub payments: Vec<(NaiveDate, Money)>,
    /// The latest day a promise or plan was found broken.
    pub resume_on: Option<NaiveDate>,
    pub hold: Option<HoldState>,
    /// A supervisor has already been asked to release the hold.
    pub release_pending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseVerdict {
    pub promise_id: i64,
    pub status: PromiseStatus,
    pub paid: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanVerdict {
    Broken {
        plan_id: i64,
        installment_due: NaiveDate,
        short: Money,
    },
    Completed {
        plan_id: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldOnCure {
    Keep,
    Release,
    AskApproval,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cure {
    pub cycle_id: i64,
    pub cancel_task: Option<i64>,
    pub hold: HoldOnCure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// An automatic contact: render the template and queue the message.
    Mail { channel: Channel, template: String },
    /// An automatic credit hold.
    SetHold,
    /// The step is a credit hold but the account is already on hold.
    AlreadyOnHold,
    /// A task for a person; the step is done when the task is finished.
    Task {
        assignee: Assignee,
        reason: Reason,
        note: String,
    },
    /// The step was skipped (an opted-out channel with `fallback = "skip"`).
    Skipped { why: String },
}

impl StepOutcome {
    /// Whether the step counts as done today (a task is done when it is finished).
    pub fn done_now(&self) -> bool {
        !matches!(self, StepOutcome::Task { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTaken {
    pub strategy_id: String,
    pub index: usize,
    pub step_id: String,
    pub action: Action,
    pub outcome: StepOutcome,
}

/// A queue item the run creates that is not a step task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub reason: Reason,
    pub due: NaiveDate,
    pub assignee: Assignee,
    pub note: String,
    pub ref_id: Option<i64>,
}

/// Why an account did not move today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    Promise {
        through: NaiveDate,
    },
    Plan,
    Dispute,
    /// A manual step's task is waiting for a person.
    WaitingForTask,
    /// Business-day strategies send no automatic mail at weekends.
    Weekend,
}

/// What the daily run does for one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub promises: Vec<PromiseVerdict>,
    pub plan: Option<PlanVerdict>,
    pub cure: Option<Cure>,
    /// A new cycle starts with this strategy (its first step is in `step`).
    pub start_cycle: Option<String>,
    pub step: Option<StepTaken>,
    pub tasks: Vec<NewTask>,
    pub paused: Option<Pause>,
}

impl Decision {
    pub fn is_empty(&self) -> bool {
        self.promises.is_empty()
            && self.plan.is_none()
            && self.cure.is_none()
            && self.start_cycle.is_none()
            && self.step.is_none()
            && self.tasks.is_empty()
    }
}

/// The strategy an account follows right now: its cycle's, else its assignment.
pub fn strategy_for<'b>(state: &AccountState<'_>, book: &'b StrategyBook) -> Option<&'b Strategy> {
    let cycle_strategy = state.cycle.as_ref().map(|c| c.strategy_id.as_str());
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

    let (promise_open_through, promise_broken) = evaluate_promises(state, as_of, &mut out);
    let (plan_current, plan_broken) = evaluate_plan(state, as_of, &mut out);
    let mut resume_on = state.resume_on;
    if promise_broken || plan_broken {
        resume_on = Some(as_of);
    }

    let figures = &state.figures;
    let threshold = strategy.threshold();
    let cured_now = state.cycle.is_some() && figures.past_due < threshold;

    // Broken promises and plans are followed up by the owner, unless the account is
    // no longer delinquent.
    if !cured_now {
        for v in &out.promises {
            if v.status == PromiseStatus::Broken {
                out.tasks.push(NewTask {
                    reason: Reason::BrokenPromise,
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
        }) = &out.plan
        {
            out.tasks.push(NewTask {
                reason: Reason::PlanBroken,
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

    if let Some(cycle) = &state.cycle
        && cured_now
    {
        let hold = match state.hold {
            Some(h) if h.by_step => match strategy.release {
                super::model::Release::Auto => HoldOnCure::Release,
                super::model::Release::Approval if !state.release_pending => {
                    HoldOnCure::AskApproval
                }
                super::model::Release::Approval => HoldOnCure::Keep,
            },
            _ => HoldOnCure::Keep,
        };
        if hold == HoldOnCure::AskApproval {
            out.tasks.push(NewTask {
                reason: Reason::Approval,
                due: as_of,
                assignee: Assignee::Supervisor,
                note: "account cured: approve the credit-hold release".to_string(),
                ref_id: None,
            });
        }
        out.cure = Some(Cure {
            cycle_id: cycle.id,
            cancel_task: state.open_step_task.map(|t| t.task_id),
            hold,
        });
        return out;
    }

    // Rule 4: pauses.
    if let Some(through) = promise_open_through {
        out.paused = Some(Pause::Promise { through });
        return out;
    }
    if plan_current {
        out.paused = Some(Pause::Plan);
        return out;
    }
    if figures.disputed_past_due.is_positive() && figures.collectible_past_due < threshold {
        out.paused = Some(Pause::Dispute);
        return out;
    }

    match &state.cycle {
        None => {
            let first = strategy.first();
            if figures.collectible_past_due >= first.min_past_due
                && figures.dpd >= first.min_days_past_due
            {
                out.start_cycle = Some(strategy.id.clone());
                take_step(state, strategy, 0, as_of, &mut out);
            }
        }
        Some(cycle) => {
            if state.open_step_task.is_some() {
                out.paused = Some(Pause::WaitingForTask);
                return out;
            }
            if let Some((index, due)) = next_due(cycle, state.last_response, resume_on, strategy)
                && due <= as_of
            {
                take_step(state, strategy, index, as_of, &mut out);
            }
        }
    }
    out
}

/// The next step of a cycle and the day it is due, if the strategy has one left.
/// A step done on a day is never followed by another on the same day.
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
    let step = strategy.step(index)?;
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
    let Some(step) = strategy.step(index) else {
        return;
    };
    let outcome = match step_outcome(state.customer, strategy, step, state.hold.is_some(), as_of) {
        Some(o) => o,
        None => {
            out.paused = Some(Pause::Weekend);
            return;
        }
    };
    out.step = Some(StepTaken {
        strategy_id: strategy.id.clone(),
        index,
        step_id: step.id.clone(),
        action: step.action,
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
    let reason = if step.action == Action::Escalate {
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
    }
}

/// Evaluates promises whose grace has passed. Returns the last day a still-open
/// promise is open, and whether one was found broken.
fn evaluate_promises(
    state: &AccountState<'_>,
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
fn evaluate_plan(state: &AccountState<'_>, as_of: NaiveDate, out: &mut Decision) -> (bool, bool) {
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
