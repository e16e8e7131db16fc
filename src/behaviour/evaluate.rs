//! Measuring the estimates against what happened (docs/PREDICTION.md): everything
//! after a cutoff is hidden, the invoices open on the cutoff are predicted, and the
//! predictions are compared with the days those invoices were actually paid — mean
//! absolute error of days late, and the area under the ROC curve (AUC) for "paid more
//! than 30 days late", for the model and for two baselines: the customer's plain
//! average days late so far, and "pays on the due date".
//!
//! Both baselines are given the one fact anyone knows on the cutoff: an invoice still
//! open then is paid no earlier than the next day.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Estimates, Inputs};

/// What became of an invoice open on the cutoff, seen from the end of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actual {
    /// Paid in full on this day.
    Paid(NaiveDate),
    /// Not paid by the end: still open, or closed without payment (written off,
    /// credited).
    Unpaid,
}

/// A figure for the model and each baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Compared {
    pub model: Option<f64>,
    pub customer_average: Option<f64>,
    pub due_date: Option<f64>,
}

/// The scores of one cutoff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub cutoff: NaiveDate,
    /// The end of the history the outcomes are read from.
    pub end: NaiveDate,
    /// Invoices open on the cutoff.
    pub open: u64,
    /// Of those, paid by the end: the invoices the error is measured on.
    pub paid: u64,
    /// Mean absolute error, in days late.
    pub mae: Compared,
    /// Invoices not yet 30 days past due on the cutoff whose answer is known by the
    /// end (paid, or unpaid more than 30 days after their due date): the AUC's.
    pub judged: u64,
    /// Of those, paid more than 30 days late or not at all.
    pub late: u64,
    pub auc: Compared,
}

/// One open invoice's predictions and outcome.
struct Case {
    due: NaiveDate,
    open_days: i64,
    model_days: f64,
    model_p: f64,
    average_days: f64,
    actual: Actual,
}

/// Scores the `estimates` made on `inputs` (both as of the cutoff) against `actual`
/// (by invoice number; an invoice missing from it was not paid) as of `end`.
pub fn score(
    estimates: &Estimates,
    inputs: &Inputs,
    actual: &HashMap<String, Actual>,
    end: NaiveDate,
) -> Scores {
    let averages = customer_averages(inputs);
    let cases: Vec<Case> = estimates
        .invoices
        .iter()
        .map(|e| Case {
            due: e.due_date,
            open_days: e.days_past_due,
            model_days: e.expected_days_late as f64,
            model_p: e.p_late_30,
            average_days: averages.get(e.customer).copied().unwrap_or(0.0),
            actual: actual.get(&e.invoice_no).copied().unwrap_or(Actual::Unpaid),
        })
        .collect();
    let floor = |c: &Case, days: f64| days.max(c.open_days as f64 + 1.0);

    let paid: Vec<(&Case, f64)> = cases
        .iter()
        .filter_map(|c| match c.actual {
            Actual::Paid(on) => Some((c, (on - c.due).num_days() as f64)),
            Actual::Unpaid => None,
        })
        .collect();
    let mae = |f: &dyn Fn(&Case) -> f64| -> Option<f64> {
        (!paid.is_empty())
            .then(|| paid.iter().map(|(c, a)| (f(c) - a).abs()).sum::<f64>() / paid.len() as f64)
    };

    // "Paid more than 30 days late" is known on the cutoff for invoices already 30
    // days past due (they are), so only the others are judged.
    let judged: Vec<(&Case, bool)> = cases
        .iter()
        .filter(|c| c.open_days < 30)
        .filter_map(|c| match c.actual {
            Actual::Paid(on) => Some((c, (on - c.due).num_days() > 30)),
            Actual::Unpaid if (end - c.due).num_days() > 30 => Some((c, true)),
            Actual::Unpaid => None,
        })
        .collect();
    let auc_of = |f: &dyn Fn(&Case) -> f64| -> Option<f64> {
        auc(&judged
            .iter()
            .map(|(c, late)| (f(c), *late))
            .collect::<Vec<_>>())
    };

    Scores {
        cutoff: estimates.as_of,
        end,
        open: cases.len() as u64,
        paid: paid.len() as u64,
        mae: Compared {
            model: mae(&|c| c.model_days),
            customer_average: mae(&|c| floor(c, c.average_days)),
            due_date: mae(&|c| floor(c, 0.0)),
        },
        judged: judged.len() as u64,
        late: judged.iter().filter(|(_, l)| *l).count() as u64,
        auc: Compared {
            model: auc_of(&|c| c.model_p),
            customer_average: auc_of(&|c| floor(c, c.average_days)),
            due_date: auc_of(&|c| floor(c, 0.0)),
        },
    }
}

/// Each customer's plain average days late on the cutoff; the shop's plain average
/// for a customer without paid invoices (0 when nobody has paid yet).
fn customer_averages(inputs: &Inputs) -> Vec<f64> {
    let (mut n, mut sum) = (0u64, 0i64);
    for c in &inputs.customers {
        for p in &c.paid {
            n += 1;
            sum += p.days_late();
        }
    }
    let shop = if n > 0 { sum as f64 / n as f64 } else { 0.0 };
    inputs
        .customers
        .iter()
        .map(|c| {
            if c.paid.is_empty() {
                shop
            } else {
                c.paid.iter().map(|p| p.days_late() as f64).sum::<f64>() / c.paid.len() as f64
            }
        })
        .collect()
}

/// The area under the ROC curve of `score` for the positives (`true`): the chance a
/// positive scores above a negative, ties counting half (Mann–Whitney). `None` without
/// both kinds.
pub fn auc(cases: &[(f64, bool)]) -> Option<f64> {
    let pos = cases.iter().filter(|c| c.1).count() as f64;
    let neg = cases.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let mut sorted: Vec<(f64, bool)> = cases.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Average ranks (1-based) over ties; the positives' rank sum gives U.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += avg_rank * sorted[i..j].iter().filter(|c| c.1).count() as f64;
        i = j;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand() {
        let cases = [
            // perfect ranking
            (
                vec![(0.1, false), (0.2, false), (0.8, true), (0.9, true)],
                1.0,
            ),
            // reversed
            (
                vec![(0.9, false), (0.8, false), (0.2, true), (0.1, true)],
                0.0,
            ),
            // all tied: a coin
            (
                vec![(0.5, false), (0.5, true), (0.5, false), (0.5, true)],
                0.5,
            ),
            // one of four pairs wrong: 3/4
            (
                vec![(0.1, false), (0.6, false), (0.5, true), (0.9, true)],
                0.75,
            ),
        ];
        for (c, want) in cases {
            let got = auc(&c).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-12, "{c:?}: {got}");
        }
        assert_eq!(auc(&[(0.1, true)]), None);
    }
}
