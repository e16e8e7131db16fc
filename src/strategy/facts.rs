//! What the engine knows about one account as of a date: its figures and the facts
//! the store gathered (cycle, promises, plan, hold, open items …). One owned type,
//! [`AccountFacts`], filled by both the per-account and the bulk loader.

use chrono::NaiveDate;

use crate::domain::dates::add_days;
use crate::domain::names::named_enum;
use crate::domain::{AccountFigures, Customer, InvoicePosition, ItemAction, Money, Reason};

/// The collection cycle an account is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleState {
    pub id: i64,
    pub strategy_id: String,
    pub started_on: NaiveDate,
    /// The last step done in this cycle (indexes past the strategy's steps are rounds
    /// of its end rule).
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
    pub id: i64,
    pub since: NaiveDate,
    /// Set by a strategy step (released automatically on cure), not by a person.
    pub by_step: bool,
    /// Set because the account went over its credit limit (released when back under).
    pub over_limit: bool,
}

named_enum! {
    /// What the run remembers about an account between days, so a sign raises one
    /// item the day it appears rather than one a day.
    pub enum FlagKind ("account flag") {
        OverLimit = "over_limit",
        EarlyWarning = "early_warning",
    }
}

/// A flag raised by an earlier run and not cleared since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFlag {
    pub id: i64,
    pub kind: FlagKind,
    pub since: NaiveDate,
    pub detail: String,
}

/// An account handed to a collection agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub agency: String,
    pub since: NaiveDate,
}

/// An open queue item that is not a step task: a callback, a follow-up, an approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub id: i64,
    pub reason: Reason,
    pub action: ItemAction,
    /// What it is about: the dispute of a follow-up, the write-off of an approval, …
    pub ref_id: Option<i64>,
}

/// Everything besides the customer and its invoices that the engine judges by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFacts {
    pub cycle: Option<CycleState>,
    pub open_step_task: Option<OpenStepTask>,
    /// The latest response (payment, promise, dispute, call that reached someone)
    /// since the cycle began.
    pub last_response: Option<NaiveDate>,
    /// Promises not judged yet.
    pub promises: Vec<OpenPromise>,
    pub plan: Option<OpenPlan>,
    /// Payments dated on or before the day, at least those since the earliest open
    /// promise or plan.
    pub payments: Vec<(NaiveDate, Money)>,
    /// The latest day a promise or plan was found broken.
    pub resume_on: Option<NaiveDate>,
    pub hold: Option<HoldState>,
    pub placed: Option<Placement>,
    /// Open items other than step tasks.
    pub items: Vec<OpenItem>,
    /// Disputes open on the day.
    pub open_disputes: Vec<i64>,
    /// Reminders before the due date already done for invoices open on the day:
    /// (invoice number, the step's `days_before_due`).
    pub pre_due_done: Vec<(String, u32)>,
    /// Over-limit and early-warning flags open on the day.
    pub flags: Vec<OpenFlag>,
    /// Days promises were found broken, in the 365 days up to the day, oldest first.
    pub broken_promises: Vec<NaiveDate>,
    /// Days late (paid − due, 0 when paid early) of the customer's latest settled
    /// invoices, oldest first, at most [`DAYS_LATE_KEPT`]. A plain measure from the
    /// records; a payment-behaviour model may fill it with its own estimates later.
    pub days_late: Vec<i64>,
}

/// How many settled invoices' days late the store gives the engine.
pub const DAYS_LATE_KEPT: usize = 12;

impl AccountFacts {
    /// The open flag of this kind, if any.
    pub fn flag(&self, kind: FlagKind) -> Option<&OpenFlag> {
        self.flags.iter().find(|f| f.kind == kind)
    }

    /// A supervisor has already been asked to release the hold.
    pub fn release_pending(&self) -> bool {
        self.items
            .iter()
            .any(|i| i.action == ItemAction::ReleaseHold)
    }

    /// The earliest day payments matter for promises and plans.
    pub fn payments_from(&self) -> Option<NaiveDate> {
        let p = self.promises.iter().map(|p| p.taken_on).min();
        let q = self.plan.as_ref().map(|p| p.created_on);
        match (p, q) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The engine's view of one account as of a date.
#[derive(Debug, Clone)]
pub struct AccountState<'a> {
    pub customer: &'a Customer,
    pub figures: AccountFigures,
    pub facts: AccountFacts,
    /// Invoices open on the day (for reminders before the due date).
    pub invoices: &'a [InvoicePosition],
}
