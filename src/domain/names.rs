//! The closed vocabularies of the domain (roles, reasons, outcomes, …), each with the
//! exact spelling used on the command line, in JSON and in the database.

/// Declares a fieldless enum whose variants have one stable text spelling.
/// Generates `as_str`, `ALL`, `Display`, `FromStr` (error lists the accepted words)
/// and `Serialize` as that text.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
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

/// A word that is not one of a vocabulary's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a {what} (use one of {choices})")]
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
