//! The estimated figures: how much more (or less) cash the candidate would have
//! collected, and what that does to DSO. Payments in the past happened under the old
//! strategy, so this needs an assumption, stated in the output: a contact more (or
//! fewer) changes payments as contacts changed them before the period, for customers of
//! the same payment-behaviour class (`behaviour`, docs/PREDICTION.md).
//!
//! The measure, per class, over the contacts of the window before the period: the
//! share followed by a payment within [`WINDOW_DAYS`] days, less the share preceded by
//! one in the same number of days (the customer's own pace without that contact); times
//! the average amount paid after a contact. Its error is the binomial standard error
//! of the two shares; the range given is two of them.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::domain::{Money, Risk};

/// Days after (and before) a contact in which a payment counts as its answer.
pub const WINDOW_DAYS: i64 = 7;

/// Days before the period whose contacts are measured.
pub const LEARN_DAYS: i64 = 180;

/// How customers of one behaviour class answered contacts (or holds) before the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Response {
    /// How many contacts (or holds).
    pub contacts: u64,
    /// Followed by a payment within the window.
    pub paid_after: u64,
    /// Preceded by a payment within the window.
    pub paid_before: u64,
    /// Paid within the window after the contacts (all of them).
    pub amount_after: Money,
}

impl Response {
    /// (the change in the chance of a payment a contact makes, the average payment
    /// that follows one, the variance of the change).
    fn lift(&self) -> Option<(f64, Decimal, f64)> {
        if self.contacts == 0 || self.paid_after == 0 {
            return None;
        }
        let n = self.contacts as f64;
        let after = self.paid_after as f64 / n;
        let before = self.paid_before as f64 / n;
        let var = (after * (1.0 - after) + before * (1.0 - before)) / n;
        let avg = self.amount_after.decimal() / Decimal::from(self.paid_after);
        Some((after - before, avg, var))
    }
}

/// What the candidate does more or less of that moves payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lever {
    /// A message queued or a call to make.
    Contact,
    /// A credit hold set.
    Hold,
}

/// One lever on one class: how customers answered it, and how many more of it the
/// candidate used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassInput {
    pub lever: Lever,
    pub class: Risk,
    pub response: Response,
    /// The candidate's count minus the record's, for customers of this class.
    pub delta: i64,
}

/// DESIGN §5 `strategy try`: `estimated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimated {
    /// Cash collected in the candidate's world minus the record's (estimate).
    pub collected_delta: Money,
    /// The range at two standard errors of the measured answer to a contact.
    pub collected_low: Money,
    pub collected_high: Money,
    /// DSO at the period's end, candidate minus record, in days (estimate; none
    /// without credit sales in the period).
    pub dso_delta: Option<Decimal>,
    /// Contacts and holds before the period the estimate learned from.
    pub measured_contacts: u64,
    pub measured_holds: u64,
    pub error_note: String,
}

/// The estimate from each class's answer to contacts; `credit_sales` and `days` are
/// the period's (DSO = AR_end / credit sales × days, so collecting more by X lowers it
/// by X / credit sales × days).
pub fn estimate(classes: &[ClassInput], credit_sales: Money, days: i64) -> Estimated {
    let mut delta = Decimal::ZERO;
    let mut var = 0.0;
    let (mut measured, mut holds) = (0, 0);
    for c in classes {
        match c.lever {
            Lever::Contact => measured += c.response.contacts,
            Lever::Hold => holds += c.response.contacts,
        }
        let Some((lift, avg, v)) = c.response.lift() else {
            continue;
        };
        let k = Decimal::from(c.delta);
        let lift_d = Decimal::from_f64_retain(lift).unwrap_or_default();
        delta += k * lift_d * avg;
        let scale = (c.delta as f64) * avg.to_f64().unwrap_or(0.0);
        var += scale * scale * v;
    }
    let spread = Decimal::from_f64_retain(2.0 * var.sqrt()).unwrap_or_default();
    let collected_delta = Money::round_from(delta);
    let dso_delta = (credit_sales.is_positive() && days > 0).then(|| {
        crate::metrics::round(
            -collected_delta.decimal() / credit_sales.decimal() * Decimal::from(days),
        )
    });
    let error_note = format!(
        "estimate, not a record: payments in the past happened under the old strategy. \
         Each contact or credit hold more (or fewer) is assumed to change payments as they did \
         in the {LEARN_DAYS} days before the period for customers of the same payment-behaviour \
         class ({measured} contacts and {holds} holds measured; a payment within {WINDOW_DAYS} \
         days after one, against one within {WINDOW_DAYS} days before). The range is two standard errors of \
         that measure; the classes come from the payment model, whose measured error is in \
         docs/PREDICTION.md."
    );
    Estimated {
        collected_delta,
        collected_low: Money::round_from(delta - spread),
        collected_high: Money::round_from(delta + spread),
        dso_delta,
        measured_contacts: measured,
        measured_holds: holds,
        error_note,
    }
}
