//! Payment behaviour learned from the shop's own dated records (DESIGN §2 "Payment
//! behaviour (predicted)"): per customer, how late it pays and its behaviour class;
//! per open invoice, when it is expected to be paid and how likely it is to be paid
//! more than 30 days late, judged on the fact that it is still open on the date.
//!
//! Pure: `store::behaviour` gathers the inputs as of a date; [`fit`] learns the shop's
//! pattern from them and [`estimate_with`] applies it to customers (the two together:
//! [`estimate`]). No clock, no I/O, no randomness: the same records give the same
//! figures. Amounts are only compared, never turned into `f64`; days and
//! probabilities are `f64`. docs/PREDICTION.md explains the method in plain words.

pub mod evaluate;
mod fit;
pub mod predict;
pub mod survival;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use crate::domain::{Money, Risk};

pub use fit::{Feature, Shift, ShopModel, fit};
pub use predict::{Contribution, CustomerEstimate, Estimates, InvoiceEstimate, estimate_with};

/// An invoice paid by the date: its balance reached zero through payments (credits
/// may have helped; write-offs are not payments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaidInvoice {
    pub issued: NaiveDate,
    pub due: NaiveDate,
    /// The day the balance reached zero.
    pub paid_on: NaiveDate,
    pub amount: Money,
    /// A dispute was opened on it before it was paid.
    pub disputed: bool,
    /// Something was paid on it before the day it was settled (paid in parts).
    pub partly_paid: bool,
}

impl PaidInvoice {
    /// Days after the due date it was paid (negative: early).
    pub fn days_late(&self) -> i64 {
        (self.paid_on - self.due).num_days()
    }
}

/// An invoice open on the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub invoice_no: String,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub amount: Money,
    pub balance: Money,
    /// A dispute was opened on it by the date.
    pub disputed: bool,
    /// Part of it was paid by the date.
    pub partly_paid: bool,
}

/// One customer's records as of the date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerHistory {
    pub id: String,
    pub name: String,
    pub owner: Option<String>,
    pub paid: Vec<PaidInvoice>,
    pub open: Vec<OpenInvoice>,
    /// The days this customer's promises were found broken, by the date.
    pub broken_promises: Vec<NaiveDate>,
}

/// Everything the estimates are learned from, as of one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub as_of: NaiveDate,
    pub customers: Vec<CustomerHistory>,
}

/// One customer's row of `report risk` (DESIGN §5), also the account's `behaviour`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CustomerRow {
    pub customer_id: String,
    pub name: String,
    /// Settled invoices it was learned from.
    pub history: u32,
    /// Their plain average days late (`null` without any), one decimal.
    pub avg_days_late: Option<f64>,
    /// When its next invoice is expected to be paid, in days after the due date.
    pub expected_days_late: f64,
    pub class: Risk,
}

/// Days for people and reports: one decimal.
pub fn days1(d: f64) -> f64 {
    (d * 10.0).round() / 10.0
}

/// The daily run measures payment behaviour afresh when the kept measure is this many
/// days old (or newer than the run's day, or missing): how customers pay moves slowly,
/// and a full measure reads every invoice (docs/PREDICTION.md, "Cost").
pub const REMEASURE_DAYS: i64 = 7;

/// Whether a run on `as_of` measures again, given the day of the kept measure.
pub fn measure_due(kept: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    match kept {
        None => true,
        Some(k) => k > as_of || (as_of - k).num_days() >= REMEASURE_DAYS,
    }
}

/// Fits the shop's pattern on `inputs` and estimates every customer and open invoice
/// in them, with the features arq keeps ([`Feature::KEPT`]).
pub fn estimate(inputs: &Inputs) -> Estimates {
    let model = fit(inputs, Feature::KEPT);
    estimate_with(&model, inputs)
}
