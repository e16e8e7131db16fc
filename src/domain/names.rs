//! The closed vocabularies of the domain (roles, reasons, outcomes, …), each with the
//! exact spelling used on the command line, in JSON and in the database.

/// Declares a fieldless enum whose variants have one stable text spelling.
/// Generates `as_str`, `ALL`, `NAMES`, `words`, `Display`, `FromStr` (error lists the
/// accepted words) and `Serialize` as that text.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The spellings, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// For people (tables, screens): `partially kept`, `no answer`. JSON, CSV
            /// and the database keep the spelling of `as_str`.
            pub fn words(self) -> String {
                $crate::domain::names::words(self.as_str())
            }

            /// The accepted spellings, for error messages: `a|b|c`.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join("|")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::names::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // The exact spelling first (what arq itself writes), without allocating.
                $(if s == $text { return Ok($name::$variant); })+
                let t = $crate::domain::names::fold(s);
                $(if t == $crate::domain::names::fold($text) { return Ok($name::$variant); })+
                Err($crate::domain::names::UnknownName {
                    what: $what,
                    value: s.to_string(),
                    choices: Self::choices(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;

/// Spelling-insensitive form of a name: case, `-`, `_` and spaces do not matter.
pub fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A code as people read it: underscores and hyphens become spaces
/// (`partially_kept` → `partially kept`, `no-answer` → `no answer`).
pub fn words(code: &str) -> String {
    code.replace(['_', '-'], " ")
}

/// "an" before a vowel ("an objective KPI", "an item action"), else "a".
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A word that is not one of a vocabulary's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not {} {what} (use one of {choices})", article(.what))]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub choices: String,
}

named_enum! {
    /// What a user may do (DESIGN §2 "Users and roles").
    pub enum Role ("role") { Collector = "collector", Supervisor = "supervisor", Admin = "admin" }
}

impl Role {
    /// Supervisors and admins see and act on every account.
    pub fn sees_everything(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

named_enum! {
    /// A customer's risk class; weights the priority score.
    pub enum Risk ("risk class") { Low = "low", Normal = "normal", High = "high" }
}

named_enum! {
    /// A way to reach a customer; customers may opt out of any of them.
    pub enum Channel ("channel") { Email = "email", Sms = "sms", Phone = "phone", Letter = "letter" }
}

named_enum! {
    /// Why an item is in a queue (DESIGN §5 `queue --format json`).
    pub enum Reason ("queue reason") {
        Step = "step",
        BrokenPromise = "broken_promise",
        Callback = "callback",
        DisputeFollowUp = "dispute_follow_up",
        PlanBroken = "plan_broken",
        Approval = "approval",
        Escalation = "escalation",
    }
}

named_enum! {
    /// How a call ended.
    pub enum CallOutcome ("call outcome") {
        Reached = "reached",
        Voicemail = "voicemail",
        NoAnswer = "no-answer",
        WrongNumber = "wrong-number",
        Refused = "refused",
    }
}

impl CallOutcome {
    /// A call counts as a response when it reached the customer (DESIGN §2).
    /// A refusal was still a conversation with the customer.
    pub fn is_response(self) -> bool {
        matches!(self, CallOutcome::Reached | CallOutcome::Refused)
    }
}

named_enum! {
    /// Why a customer disputes an invoice.
    pub enum DisputeReason ("dispute reason") {
        Pricing = "pricing",
        Quantity = "quantity",
        Damaged = "damaged",
        NotReceived = "not-received",
        DuplicateBilling = "duplicate-billing",
        UnauthorizedDeduction = "unauthorized-deduction",
        Other = "other",
    }
}

named_enum! {
    /// Where a promise to pay stands.
    pub enum PromiseStatus ("promise status") {
        Open = "open",
        Kept = "kept",
        PartiallyKept = "partially_kept",
        Broken = "broken",
        /// A newer promise took its place (it does not count in the kept rate).
        Replaced = "replaced",
        /// Taken by mistake and withdrawn (it does not count in the kept rate).
        Cancelled = "cancelled",
    }
}

named_enum! {
    /// Where a payment plan stands.
    pub enum PlanStatus ("plan status") {
        Current = "current",
        Broken = "broken",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

named_enum! {
    /// Where a write-off request stands.
    pub enum WriteOffStatus ("write-off status") {
        Requested = "requested",
        Approved = "approved",
        Rejected = "rejected",
    }
}

named_enum! {
    /// How a queue item was closed.
    pub enum ItemOutcome ("item outcome") {
        Done = "done",
        Cancelled = "cancelled",
        Approved = "approved",
        Rejected = "rejected",
    }
}

named_enum! {
    /// What a queue item asks a person to do. The first nine are the strategy step
    /// actions (same spelling); the rest come from the lifecycle.
    pub enum ItemAction ("item action") {
        Email = "email",
        Letter = "letter",
        Sms = "sms",
        Call = "call",
        CreditHold = "credit_hold",
        Escalate = "escalate",
        Agency = "agency",
        WriteOffReview = "write_off_review",
        Task = "task",
        /// Every step of the strategy is done and the account is still past due.
        Review = "review",
        /// Follow up an open dispute.
        FollowUp = "follow_up",
        /// Approve (or not) releasing a credit hold after a cure.
        ReleaseHold = "release_hold",
        /// Approve (or reject) a collector's write-off request.
        ApproveWriteOff = "approve_write_off",
        /// The account went over its credit limit: review orders, talk to the customer.
        OverLimit = "over_limit",
        /// Early warning: not yet past due, but the customer's payments are slipping.
        CheckIn = "check_in",
    }
}

impl ItemAction {
    /// Finishing this item asks for a decision: write off, agency, plan or continue.
    pub fn needs_decision(self) -> bool {
        matches!(
            self,
            ItemAction::Escalate
                | ItemAction::Agency
                | ItemAction::WriteOffReview
                | ItemAction::Review
        )
    }

    /// Approved or rejected rather than done.
    pub fn is_approval(self) -> bool {
        matches!(self, ItemAction::ReleaseHold | ItemAction::ApproveWriteOff)
    }

    /// What the item asks for, for people (`write-off review`, `strategy exhausted`).
    pub fn label(self) -> &'static str {
        match self {
            ItemAction::CreditHold => "credit hold",
            ItemAction::WriteOffReview => "write-off review",
            ItemAction::Review => "strategy exhausted",
            ItemAction::FollowUp => "follow up",
            ItemAction::ReleaseHold => "approve release",
            ItemAction::ApproveWriteOff => "approve write-off",
            ItemAction::OverLimit => "over credit limit",
            ItemAction::CheckIn => "check in",
            other => other.as_str(),
        }
    }

    /// What the item asks a person to do, in words. A message step only becomes an
    /// item when it could not go out by itself (the customer opted out of the
    /// channel, is white glove, or has no address for it): the person contacts the
    /// customer their own way, so it reads `contact, not email`, never `email`.
    pub fn work(self) -> &'static str {
        match self {
            ItemAction::Email => "contact, not email",
            ItemAction::Sms => "contact, not sms",
            ItemAction::Letter => "contact, not letter",
            other => other.label(),
        }
    }
}

named_enum! {
    /// What a supervisor decides when finishing an escalation, agency, write-off
    /// review or exhausted-strategy item.
    pub enum Decide ("decision") {
        WriteOff = "writeoff",
        Agency = "agency",
        Plan = "plan",
        Continue = "continue",
    }
}

named_enum! {
    /// Where a dispute stands; the last three are resolutions.
    pub enum DisputeStatus ("dispute status") {
        Open = "open",
        Valid = "valid",
        Invalid = "invalid",
        Partial = "partial",
    }
}

named_enum! {
    /// How a dispute was resolved (`arq dispute resolve --outcome`).
    pub enum DisputeOutcome ("dispute outcome") { Valid = "valid", Invalid = "invalid", Partial = "partial" }
}

named_enum! {
    /// Every kind of event in the record (DESIGN §5).
    pub enum EventKind ("event kind") {
        Import = "import",
        Payment = "payment",
        StepDone = "step_done",
        MailQueued = "mail_queued",
        MailSent = "mail_sent",
        MailFailed = "mail_failed",
        MailCancelled = "mail_cancelled",
        TaskCreated = "task_created",
        TaskDone = "task_done",
        Call = "call",
        Note = "note",
        Promise = "promise",
        PromiseKept = "promise_kept",
        PromisePartiallyKept = "promise_partially_kept",
        PromiseBroken = "promise_broken",
        DisputeOpened = "dispute_opened",
        DisputeResolved = "dispute_resolved",
        Callback = "callback",
        HoldSet = "hold_set",
        HoldReleased = "hold_released",
        Assigned = "assigned",
        Cured = "cured",
        PlanCreated = "plan_created",
        PlanBroken = "plan_broken",
        PlanCompleted = "plan_completed",
        WriteOffRequested = "write_off_requested",
        WriteOffApproved = "write_off_approved",
        Escalated = "escalated",
        CycleStarted = "cycle_started",
        UserAdded = "user_added",
        RoleChanged = "role_changed",
        Restored = "restored",
        StrategyLoaded = "strategy_loaded",
        CustomerChanged = "customer_changed",
        Adjustment = "adjustment",
        PromiseReplaced = "promise_replaced",
        PromiseCancelled = "promise_cancelled",
        PlanCancelled = "plan_cancelled",
        WriteOffRejected = "write_off_rejected",
        AgencyPlaced = "agency_placed",
        AgencyRecalled = "agency_recalled",
        ItemClosedStale = "item_closed_stale",
        /// Over the credit limit, or an early warning: raised the day the sign appears.
        FlagRaised = "flag_raised",
        FlagCleared = "flag_cleared",
        /// A courtesy reminder before the due date was queued.
        PreDueReminder = "pre_due_reminder",
        Decided = "decided",
        ObjectiveSet = "objective_set",
        ObjectiveRemoved = "objective_removed",
        StrategyVersion = "strategy_version",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_read_words_not_codes() {
        assert_eq!(PromiseStatus::PartiallyKept.words(), "partially kept");
        assert_eq!(Reason::DisputeFollowUp.words(), "dispute follow up");
        assert_eq!(CallOutcome::NoAnswer.words(), "no answer");
        assert_eq!(CallOutcome::NAMES.len(), CallOutcome::ALL.len());
    }

    #[test]
    fn a_refused_word_is_named_with_its_article() {
        let err = |what| UnknownName {
            what,
            value: "foo".into(),
            choices: "x|y".into(),
        };
        assert_eq!(
            err("objective KPI").to_string(),
            "'foo' is not an objective KPI (use one of x|y)"
        );
        assert_eq!(
            err("role").to_string(),
            "'foo' is not a role (use one of x|y)"
        );
    }

    #[test]
    fn spellings_round_trip_and_errors_list_choices() {
        for r in Reason::ALL {
            assert_eq!(r.as_str().parse::<Reason>(), Ok(*r));
        }
        assert_eq!(
            "No-Answer".parse::<CallOutcome>(),
            Ok(CallOutcome::NoAnswer)
        );
        let err = "shouted"
            .parse::<CallOutcome>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            err,
            "'shouted' is not a call outcome (use one of reached|voicemail|no-answer|wrong-number|refused)"
        );
    }
}
