//! What a validated strategy is: its steps, entry conditions, waits and priority weights.

use rust_decimal::Decimal;

use crate::domain::names::named_enum;
use std::borrow::Cow;

use crate::domain::{Channel, ItemAction, Money, Reason, Risk};

named_enum! {
    /// What a step does (DESIGN §2).
    pub enum Action ("step action") {
        Email = "email",
        Letter = "letter",
        Sms = "sms",
        Call = "call",
        CreditHold = "credit_hold",
        Escalate = "escalate",
        Agency = "agency",
        WriteOffReview = "write_off_review",
        Task = "task",
        /// What `[strategy.end] action = "review"` puts in a supervisor's queue when
        /// every step is done (not written in `[[step]]`s).
        Review = "review",
    }
}

impl Action {
    /// The channel of a contact action that the daily run can perform by itself.
    pub fn auto_channel(self) -> Option<Channel> {
        match self {
            Action::Email => Some(Channel::Email),
            Action::Letter => Some(Channel::Letter),
            Action::Sms => Some(Channel::Sms),
            _ => None,
        }
    }

    /// Whether `mode = "auto"` makes sense for this action.
    pub fn can_be_auto(self) -> bool {
        self.auto_channel().is_some() || self == Action::CreditHold
    }

    /// Actions that only a supervisor may carry out.
    pub fn needs_supervisor(self) -> bool {
        matches!(
            self,
            Action::Escalate | Action::Agency | Action::WriteOffReview | Action::Review
        )
    }

    /// The step action a queue item stands for, if it is a step's item.
    pub fn of_item(item: ItemAction) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.item() == item)
    }

    /// The queue item a step of this action makes.
    pub fn item(self) -> ItemAction {
        match self {
            Action::Email => ItemAction::Email,
            Action::Letter => ItemAction::Letter,
            Action::Sms => ItemAction::Sms,
            Action::Call => ItemAction::Call,
            Action::CreditHold => ItemAction::CreditHold,
            Action::Escalate => ItemAction::Escalate,
            Action::Agency => ItemAction::Agency,
            Action::WriteOffReview => ItemAction::WriteOffReview,
            Action::Task => ItemAction::Task,
            Action::Review => ItemAction::Review,
        }
    }

    /// Actions whose text is rendered from a template.
    pub fn uses_template(self) -> bool {
        self.auto_channel().is_some()
    }
}

named_enum! {
    /// Who performs a step: the daily run, or a person through a task.
    pub enum Mode ("step mode") { Auto = "auto", Manual = "manual" }
}

named_enum! {
    /// Whose queue a step's task goes to.
    pub enum Assignee ("assignee") { Owner = "owner", Supervisor = "supervisor" }
}

named_enum! {
    /// What an automatic contact step does for a customer who cannot be contacted that way.
    pub enum Fallback ("fallback") { Manual = "manual", Skip = "skip" }
}

named_enum! {
    /// What happens to an automatic credit hold when the account is cured.
    pub enum Release ("release rule") { Auto = "auto", Approval = "approval" }
}

named_enum! {
    /// What happens when every step is done and the account is still past due.
    pub enum EndAction ("end action") { Review = "review", Repeat = "repeat" }
}

/// `[strategy.end]`: no account leaves the queues while it is still past due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndRule {
    pub action: EndAction,
    /// Days between two rounds (and from the last step to the first round).
    pub every_days: u32,
}

impl Default for EndRule {
    fn default() -> Self {
        EndRule {
            action: EndAction::Review,
            every_days: 14,
        }
    }
}

/// One step of a strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    pub action: Action,
    pub mode: Mode,
    pub template: Option<String>,
    /// Entry conditions; meaningful on the first step only.
    pub min_past_due: Money,
    pub min_days_past_due: u32,
    /// Days after the previous step (and the last response) before this one is due.
    pub wait_days: u32,
    pub assignee: Assignee,
    pub fallback: Fallback,
    /// Free text for the task (what to do), shown in the queue.
    pub text: Option<String>,
    /// A courtesy step before the due date: sent this many days before an invoice
    /// comes due (0 for the steps of the ladder, which start once past due).
    pub days_before_due: u32,
}

impl Step {
    pub fn is_auto(&self) -> bool {
        self.mode == Mode::Auto
    }

    /// A short label for queues: `call`, `email (friendly_reminder)`.
    pub fn label(&self) -> String {
        match &self.template {
            Some(t) => format!("{} ({t})", self.action),
            None => self.action.to_string(),
        }
    }
}

/// Which customers a strategy applies to; every given field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliesTo {
    pub segments: Vec<String>,
    pub risk: Vec<Risk>,
    pub min_balance: Option<Money>,
}

/// The weights of the priority score (DESIGN §2 "The workqueue").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityWeights {
    pub risk_low: Decimal,
    pub risk_normal: Decimal,
    pub risk_high: Decimal,
    /// Multiplier per broken promise in the last 90 days (score × (1 + this × n)).
    pub broken_promise: Decimal,
    /// Days past due that double the age factor (score × (1 + DPD / this)).
    pub dpd_divisor: Decimal,
    /// Added per day an item is overdue.
    pub overdue_bonus_per_day: Decimal,
    pub reason: Vec<(Reason, Decimal)>,
    /// Multiplier per 30 days the customer is expected to pay late (score × (1 + this ×
    /// days / 30), days between 0 and 60): payment behaviour, docs/PREDICTION.md.
    pub behaviour: Decimal,
}

impl Default for PriorityWeights {
    fn default() -> Self {
        PriorityWeights {
            risk_low: Decimal::new(8, 1),
            risk_normal: Decimal::ONE,
            risk_high: Decimal::new(15, 1),
            broken_promise: Decimal::new(5, 1),
            dpd_divisor: Decimal::from(30),
            overdue_bonus_per_day: Decimal::from(10),
            behaviour: Decimal::new(25, 2),
            reason: vec![
                (Reason::Step, Decimal::ONE),
                (Reason::BrokenPromise, Decimal::new(15, 1)),
                (Reason::Callback, Decimal::new(12, 1)),
                (Reason::DisputeFollowUp, Decimal::ONE),
                (Reason::PlanBroken, Decimal::new(15, 1)),
                (Reason::Approval, Decimal::ONE),
                (Reason::Escalation, Decimal::new(12, 1)),
            ],
        }
    }
}

impl PriorityWeights {
    pub fn risk(&self, r: Risk) -> Decimal {
        match r {
            Risk::Low => self.risk_low,
            Risk::Normal => self.risk_normal,
            Risk::High => self.risk_high,
        }
    }

    pub fn reason(&self, r: Reason) -> Decimal {
        self.reason
            .iter()
            .find(|(k, _)| *k == r)
            .map_or(Decimal::ONE, |(_, w)| *w)
    }

    pub fn set_reason(&mut self, r: Reason, w: Decimal) {
        match self.reason.iter_mut().find(|(k, _)| *k == r) {
            Some(slot) => slot.1 = w,
            None => self.reason.push((r, w)),
        }
    }
}

/// `[strategy.credit]`: what the strategy does when an account's open balance goes
/// above the customer's credit limit. The owner always gets one item the day it crosses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreditRule {
    /// Put the account on credit hold while it is over its limit; released when it is
    /// back under (unless the ladder's own hold step has been reached since).
    pub hold_over_limit: bool,
}

/// `[strategy.warning]`: early warnings for accounts not yet past due whose customer's
/// payment behaviour worsens. Either sign raises one "check in" item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarningRule {
    /// Off: no early warnings for customers of this strategy.
    pub enabled: bool,
    /// A first broken promise (none other in the year before) is a warning sign.
    pub broken_promise: bool,
    /// How many of the latest settled invoices are compared with as many before them.
    pub last_invoices: u32,
    /// A rise of at least this many days late on average is a warning sign.
    pub days_late_rise: u32,
}

impl Default for WarningRule {
    fn default() -> Self {
        WarningRule {
            enabled: true,
            broken_promise: true,
            last_invoices: 3,
            days_late_rise: 10,
        }
    }
}

/// A validated strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strategy {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub rank: i64,
    pub grace_days: u32,
    pub business_days: bool,
    pub release: Release,
    pub applies_to: Option<AppliesTo>,
    /// Courtesy steps before the due date (`days_before_due`), longest lead first.
    /// They are not part of the ladder: no cycle, no wait, no cure.
    pub pre_due: Vec<Step>,
    /// The ladder, from the first step past due.
    pub steps: Vec<Step>,
    pub end: EndRule,
    pub credit: CreditRule,
    pub warning: WarningRule,
    pub priority: PriorityWeights,
}

impl Strategy {
    /// The first step: its entry conditions define delinquency and cure.
    pub fn first(&self) -> &Step {
        // Validation guarantees at least one step.
        &self.steps[0]
    }

    /// The cure threshold and entry threshold: the first step's `min_past_due`.
    pub fn threshold(&self) -> Money {
        self.first().min_past_due
    }

    /// A step written in the file.
    pub fn step(&self, index: usize) -> Option<&Step> {
        self.steps.get(index)
    }

    /// The step at `index`, where indexes past the last written step are the rounds
    /// of the end rule: a supervisor's review, or the last step again, each
    /// `every_days` after the one before. There is always a next one.
    pub fn step_at(&self, index: usize) -> Option<Cow<'_, Step>> {
        if let Some(s) = self.steps.get(index) {
            return Some(Cow::Borrowed(s));
        }
        let last = self.steps.last()?;
        let mut step = match self.end.action {
            EndAction::Repeat => last.clone(),
            EndAction::Review => Step {
                id: "end".into(),
                action: Action::Review,
                mode: Mode::Manual,
                template: None,
                min_past_due: last.min_past_due,
                min_days_past_due: 0,
                wait_days: 0,
                assignee: Assignee::Supervisor,
                fallback: Fallback::Manual,
                text: Some(
                    "strategy exhausted: every step is done and the account is still past due; \
                     decide: write off, agency, payment plan or continue"
                        .into(),
                ),
                days_before_due: 0,
            },
        };
        step.wait_days = self.end.every_days;
        Some(Cow::Owned(step))
    }

    /// Whether `index` is a round of the end rule rather than a written step.
    pub fn is_end_round(&self, index: usize) -> bool {
        index >= self.steps.len()
    }

    /// How far ahead of today reminders before the due date look at invoices.
    pub fn look_ahead(&self) -> u32 {
        self.pre_due
            .iter()
            .map(|s| s.days_before_due)
            .max()
            .unwrap_or(0)
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }
}
