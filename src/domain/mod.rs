//! The pure vocabulary of collections: money, dates, accounts, and the closed sets of
//! names (roles, reasons, outcomes). No SQL, no clock, no I/O.

pub mod account;
pub mod amount;
pub mod customer;
pub mod dates;
pub mod money;
pub mod names;
pub mod plan;
pub mod user;

pub use account::{AccountFigures, Aging, InvoicePosition};
pub use amount::{AmountError, NumberFormat, parse_amount};
pub use customer::{ChannelSet, Customer};
pub use money::Money;
pub use names::{
    CallOutcome, Channel, Decide, DisputeOutcome, DisputeReason, DisputeStatus, EventKind,
    ItemAction, ItemOutcome, PlanStatus, PromiseStatus, Reason, Risk, Role, WriteOffStatus,
};
pub use user::User;

/// The name events (and rows' `created_by`, `done_by` …) use for what the daily close
/// did by itself.
pub const SYSTEM_ACTOR: &str = "arq";
