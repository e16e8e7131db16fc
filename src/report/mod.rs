//! Reports read from the dated records: aging now; activity, KPIs and the step
//! funnel build on the same pieces.

pub mod aging;

pub use aging::{AgingReport, aging};
