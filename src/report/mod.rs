//! Reports read from the dated records: the aging, the supervisor's KPIs, activity per
//! person (the Team figures), the step funnel, objectives and payment behaviour (risk). Each assembles totals the
//! store gathers with the formulas in `metrics`.

pub mod activity;
pub mod aging;
pub mod board;
pub mod funnel;
pub mod kpi;
pub mod objectives;
mod period;
pub mod risk;

pub use aging::{AgingReport, aging};
pub use period::Scope;
