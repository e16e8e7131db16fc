//! What the engine decides for one account on one day: the parts the daily run
//! applies, each on its own (`service/run.rs` has one function per part).

use chrono::NaiveDate;

use super::facts::FlagKind;
use super::model::{Action, Assignee};
use crate::domain::{Channel, ItemAction, Money, PromiseStatus, Reason};

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

/// Why a cycle ends in a cure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CureReason {
    /// The past-due balance fell below the strategy's threshold.
    PaidDown,
    /// The payment plan was paid in full.
    PlanCompleted,
    /// A write-off left nothing past due above the threshold.
    WrittenOff,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cure {
    pub cycle_id: i64,
    pub reason: CureReason,
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
    /// Which round of the strategy's end rule this is (1, 2, …), rather than a
    /// written step.
    pub end_round: Option<usize>,
    pub outcome: StepOutcome,
}

/// A queue item the run creates that is not a step task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub reason: Reason,
    pub action: ItemAction,
    pub due: NaiveDate,
    pub assignee: Assignee,
    pub note: String,
    pub ref_id: Option<i64>,
}

/// An open item whose reason no longer holds, closed with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleItem {
    pub item_id: i64,
    pub why: String,
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
    /// At a collection agency: out of the strategy until recalled.
    Placed,
}

/// A courtesy reminder before the due date, sent today for these invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreDueTaken {
    pub strategy_id: String,
    pub step_id: String,
    pub days_before_due: u32,
    pub channel: Channel,
    pub template: String,
    /// The invoices it reminds of (open, coming due within `days_before_due`).
    pub invoices: Vec<String>,
}

/// A flag raised (the day a sign appears) or cleared (the day it goes away).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagChange {
    Raise { kind: FlagKind, detail: String },
    Clear { flag_id: i64, why: String },
}

/// What happens to the credit hold because of the credit limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitHold {
    /// Put the account on hold: it went over its limit.
    Set { reason: String },
    /// The ladder's hold is on already: it now also stands for the limit.
    Mark { hold_id: i64 },
    /// Back under the limit: the hold set for it is released.
    Release { hold_id: i64 },
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
    pub stale: Vec<StaleItem>,
    pub paused: Option<Pause>,
    pub pre_due: Option<PreDueTaken>,
    pub flags: Vec<FlagChange>,
    pub limit_hold: Option<LimitHold>,
}

impl Decision {
    pub fn is_empty(&self) -> bool {
        let Decision {
            promises,
            plan,
            cure,
            start_cycle,
            step,
            tasks,
            stale,
            paused: _,
            pre_due,
            flags,
            limit_hold,
        } = self;
        promises.is_empty()
            && plan.is_none()
            && cure.is_none()
            && start_cycle.is_none()
            && step.is_none()
            && tasks.is_empty()
            && stale.is_empty()
            && pre_due.is_none()
            && flags.is_empty()
            && limit_hold.is_none()
    }

    /// Closes an item as stale, once.
    pub(super) fn close(&mut self, item_id: i64, why: impl Into<String>) {
        if !self.stale.iter().any(|s| s.item_id == item_id) {
            self.stale.push(StaleItem {
                item_id,
                why: why.into(),
            });
        }
    }
}
