//! The screens: each holds its own state, reloads itself from the services, and
//! draws itself.

pub mod account;
pub mod accounts;
pub mod outbox;
pub mod queue;
