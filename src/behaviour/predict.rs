//! Applying the shop's pattern to customers: each customer's typical lateness,
//! spread, class and the chance a new invoice is paid more than 30 days late; each
//! open invoice's expected payment day and its chance of being paid more than 30 days
//! late, given how long it has already been open. Every figure comes with the parts
//! it adds up from, in days, so it can be explained.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::fit::{
    ShopModel, Sums, conditional_median, days_open, location, open_features, p_later_than, spread,
    usual_amount, with_late_open,
};
use super::{CustomerHistory, Inputs};
use crate::domain::{Money, Risk};

/// A customer is high risk when a new invoice of theirs is more likely than this to be
/// paid more than 30 days late (or never).
pub const HIGH_RISK_P_LATE_30: f64 = 0.4;
/// A customer is low risk when a new invoice is expected within this many days of its
/// due date and is unlikely (below [`LOW_RISK_P_LATE_30`]) to be more than 30 days late.
pub const LOW_RISK_DAYS: f64 = 5.0;
pub const LOW_RISK_P_LATE_30: f64 = 0.05;
/// Below this many invoices to judge by (paid, or open and already late) a customer
/// stays `normal`: not enough history for a class.
pub const MIN_EVIDENCE: u32 = 3;

/// One part of an estimate, in days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub name: &'static str,
    pub days: f64,
    pub why: String,
}

/// How a customer pays, as of the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerEstimate {
    pub customer_id: String,
    /// Paid invoices it was learned from.
    pub history: u32,
    /// The plain average days late of those invoices (`None` without history).
    pub avg_days_late: Option<f64>,
    /// Open invoices already later than usual, counted as late.
    pub late_open: u32,
    /// Its typical lateness: recent payments counting more, pulled toward the shop's
    /// average as far as its history is short.
    pub typical_days_late: f64,
    /// How much its invoices vary around that (days).
    pub spread: f64,
    /// When a new invoice of its is expected to be paid, in days late.
    pub expected_days_late: f64,
    /// The chance a new invoice is paid more than 30 days late (or never).
    pub p_late_30: f64,
    pub class: Risk,
    /// `expected_days_late` as the sum of its parts.
    pub factors: Vec<Contribution>,
}

/// One open invoice's outlook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceEstimate {
    /// The customer's position in the inputs (and in `Estimates::customers`).
    #[serde(skip)]
    pub customer: usize,
    pub invoice_no: String,
    pub customer_id: String,
    pub due_date: NaiveDate,
    pub balance: Money,
    /// Days past due on the date (negative: not yet due).
    pub days_past_due: i64,
    /// The day by which it is as likely paid as not (if it is paid at all), in days late.
    pub expected_days_late: i64,
    pub expected_pay_date: NaiveDate,
    /// The chance it is paid more than 30 days after its due date, or never.
    pub p_late_30: f64,
    /// `expected_days_late` as the sum of its parts.
    pub factors: Vec<Contribution>,
}

/// Everything estimated as of one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimates {
    pub as_of: NaiveDate,
    pub model: ShopModel,
    /// In the order of the inputs.
    pub customers: Vec<CustomerEstimate>,
    /// Every open invoice, customer by customer in input order.
    pub invoices: Vec<InvoiceEstimate>,
}

/// Rounds days for people: `23`, `-2`, `4.5`.
pub fn days_text(d: f64) -> String {
    let r = (d * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Estimates every customer and open invoice of `inputs` with a fitted `model` (which
/// may have been fitted on more customers than these, or kept from an earlier day).
pub fn estimate_with(model: &ShopModel, inputs: &Inputs) -> Estimates {
    let as_of = inputs.as_of;
    let mut customers = Vec::with_capacity(inputs.customers.len());
    let mut invoices = Vec::new();
    for (i, c) in inputs.customers.iter().enumerate() {
        let (est, mut inv) = customer(model, c, i, as_of);
        customers.push(est);
        invoices.append(&mut inv);
    }
    Estimates {
        as_of,
        model: model.clone(),
        customers,
        invoices,
    }
}

fn customer(
    model: &ShopModel,
    c: &CustomerHistory,
    index: usize,
    as_of: NaiveDate,
) -> (CustomerEstimate, Vec<InvoiceEstimate>) {
    let usual = usual_amount(c);
    let paid = Sums::of(c, as_of);
    let mean = model.mean_days_late;
    let k = model.prior_weight;
    let own = location(mean, k, &paid);
    let sums = with_late_open(model, c, paid, usual, as_of);
    let loc = location(mean, k, &sums);
    let sd = spread(&paid, model.within_sd);

    let mut factors = vec![Contribution {
        name: "shop average",
        days: mean,
        why: format!("the shop pays {} days late on average", days_text(mean)),
    }];
    factors.push(Contribution {
        name: "own history",
        days: own - mean,
        why: match paid.average() {
            Some(avg) => format!(
                "pays {} days late on average, {} invoice{}; recent ones count more, and the \
                 shop's average counts as {} more",
                days_text(avg),
                paid.n,
                if paid.n == 1 { "" } else { "s" },
                days_text(k)
            ),
            None => "no paid invoice yet: the shop's average".to_string(),
        },
    });
    if sums.late_open > 0 {
        factors.push(Contribution {
            name: "unpaid invoices",
            days: loc - own,
            why: format!(
                "{} open invoice{} already later than usual",
                sums.late_open,
                if sums.late_open == 1 { "" } else { "s" }
            ),
        });
    }
    let expected = conditional_median(&model.curve, loc, sd, f64::NEG_INFINITY);
    factors.push(Contribution {
        name: "shape",
        days: expected - loc,
        why: format!(
            "how the shop's invoices spread around a customer's typical day (± {} days for this one)",
            days_text(sd)
        ),
    });
    let p30 = p_later_than(&model.curve, loc, sd, f64::NEG_INFINITY, 30.0);
    let evidence = paid.n + sums.late_open;
    let class = if evidence < MIN_EVIDENCE {
        Risk::Normal
    } else if p30 > HIGH_RISK_P_LATE_30 {
        Risk::High
    } else if expected <= LOW_RISK_DAYS && p30 < LOW_RISK_P_LATE_30 {
        Risk::Low
    } else {
        Risk::Normal
    };

    let mut invoices = Vec::with_capacity(c.open.len());
    for o in &c.open {
        let x = open_features(c, o, usual, as_of);
        let shift = model.shift(&x);
        let d = days_open(o, as_of);
        // From how the customer has paid (`own`); that this invoice is still open is
        // the conditional part below.
        let at = conditional_median(&model.curve, own + shift, sd, d);
        let days = at.round() as i64;
        let mut parts = vec![Contribution {
            name: "customer",
            days: own,
            why: "how late the customer pays (its own history and the shop's average)".to_string(),
        }];
        for s in model.shifts_for(&x) {
            parts.push(Contribution {
                name: s.feature.as_str(),
                days: s.days,
                why: s.feature.words().to_string(),
            });
        }
        parts.push(Contribution {
            name: "still open",
            days: at - own - shift,
            why: if d > 0.0 {
                format!("unpaid {} days after its due date", d as i64)
            } else {
                "not yet due: the shop's spread around the typical day".to_string()
            },
        });
        invoices.push(InvoiceEstimate {
            customer: index,
            invoice_no: o.invoice_no.clone(),
            customer_id: c.id.clone(),
            due_date: o.due,
            balance: o.balance,
            days_past_due: d as i64,
            expected_days_late: days,
            expected_pay_date: o.due + Duration::days(days),
            p_late_30: p_later_than(&model.curve, own + shift, sd, d, 30.0),
            factors: parts,
        });
    }
    let est = CustomerEstimate {
        customer_id: c.id.clone(),
        history: paid.n,
        avg_days_late: paid.average(),
        late_open: sums.late_open,
        typical_days_late: loc,
        spread: sd,
        expected_days_late: expected,
        p_late_30: p30,
        class,
        factors,
    };
    (est, invoices)
}
