//! The explainable priority score of a queue item (DESIGN §2 "The workqueue"):
//!
//! `score = collectible_past_due × (1 + DPD / 30) × risk_weight
//!          × (1 + 0.5 × broken promises in the last 90 days)
//!          × (1 + 0.25 × expected days late / 30) × reason_weight
//!          + overdue_days × bonus_per_day`
//!
//! The payment-behaviour factor (expected days late between 0 and 60, from how the
//! customer has paid: docs/PREDICTION.md) is 1 when arq has no estimate yet.
//! Every factor is kept so a collector can see why an item is where it is.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::model::PriorityWeights;
use crate::domain::{Money, Reason, Risk};

/// What the score of one item depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityInput {
    pub collectible_past_due: Money,
    pub dpd: u32,
    pub risk: Risk,
    pub broken_promises_90d: u32,
    pub reason: Reason,
    pub days_overdue: u32,
    /// How the customer pays, when the daily run has measured it.
    pub pays: Option<PaysLate>,
}

/// How late a customer pays (whole days), for the priority factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaysLate {
    /// Paid invoices it was learned from.
    pub invoices: u32,
    /// Their plain average days late (`None` without any).
    pub average: Option<i32>,
    /// When its next invoice is expected to be paid, in days late.
    pub expected: i32,
}

impl PaysLate {
    /// "pays 23 days late on average, 14 invoices".
    pub fn words(&self) -> String {
        let late = |d: i32| match d {
            0 => "on the due date".to_string(),
            d if d < 0 => format!("{} days early", -d),
            d => format!("{d} days late"),
        };
        match self.average {
            Some(avg) => format!(
                "pays {} on average, {} invoice{}",
                late(avg),
                self.invoices,
                if self.invoices == 1 { "" } else { "s" }
            ),
            None => format!("no paid invoice yet: expected {}", late(self.expected)),
        }
    }
}

/// One factor of the score, as shown on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub name: &'static str,
    /// The factor's value (an amount for the base and the bonus, a multiplier otherwise).
    pub value: Decimal,
    /// Why it has that value, for people.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Rounded to two places.
    pub total: Decimal,
    pub factors: Vec<Factor>,
}

fn two_places(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

fn trimmed(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Scores one item with the weights of the account's strategy.
pub fn score(input: &PriorityInput, w: &PriorityWeights) -> Score {
    let base = input.collectible_past_due.decimal().max(Decimal::ZERO);
    let age = Decimal::ONE + Decimal::from(input.dpd) / w.dpd_divisor;
    let risk = w.risk(input.risk);
    let broken = Decimal::ONE + w.broken_promise * Decimal::from(input.broken_promises_90d);
    let reason = w.reason(input.reason);
    let bonus = Decimal::from(input.days_overdue) * w.overdue_bonus_per_day;
    let late_days = input.pays.map_or(0, |p| p.expected.clamp(0, 60));
    let behaviour = Decimal::ONE + w.behaviour * Decimal::from(late_days) / Decimal::from(30);
    let total = two_places(base * age * risk * broken * behaviour * reason + bonus);
    let factors = vec![
        Factor {
            name: "collectible past due",
            value: two_places(base),
            why: "undisputed past-due balance".into(),
        },
        Factor {
            name: "age",
            value: trimmed(age),
            why: format!("1 + {} DPD / {}", input.dpd, w.dpd_divisor.normalize()),
        },
        Factor {
            name: "risk",
            value: trimmed(risk),
            why: format!("{} risk", input.risk),
        },
        Factor {
            name: "broken promises",
            value: trimmed(broken),
            why: format!(
                "1 + {} × {} broken in 90 days",
                w.broken_promise.normalize(),
                input.broken_promises_90d
            ),
        },
        Factor {
            name: "payment behaviour",
            value: trimmed(behaviour),
            why: match input.pays {
                Some(p) if p.average.is_some() && p.expected != p.average.unwrap_or(0) => {
                    format!("{} (expected {})", p.words(), p.expected)
                }
                Some(p) => p.words(),
                None => "not measured yet (the daily run measures it)".to_string(),
            },
        },
        Factor {
            name: "reason",
            value: trimmed(reason),
            why: input.reason.to_string(),
        },
        Factor {
            name: "overdue bonus",
            value: two_places(bonus),
            why: format!(
                "{} {} overdue × {}",
                input.days_overdue,
                if input.days_overdue == 1 {
                    "day"
                } else {
                    "days"
                },
                w.overdue_bonus_per_day.normalize()
            ),
        },
    ];
    Score { total, factors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(
        cpd: i64,
        dpd: u32,
        risk: Risk,
        broken: u32,
        reason: Reason,
        overdue: u32,
    ) -> PriorityInput {
        PriorityInput {
            collectible_past_due: Money::from_major(cpd),
            dpd,
            risk,
            broken_promises_90d: broken,
            reason,
            days_overdue: overdue,
            pays: None,
        }
    }

    fn paying(
        mut i: PriorityInput,
        invoices: u32,
        average: Option<i32>,
        expected: i32,
    ) -> PriorityInput {
        i.pays = Some(PaysLate {
            invoices,
            average,
            expected,
        });
        i
    }

    #[test]
    fn the_formula_with_default_weights() {
        let w = PriorityWeights::default();
        let cases = [
            // 1000 × (1 + 30/30) × 1 × 1 × 1 + 0
            (input(1000, 30, Risk::Normal, 0, Reason::Step, 0), "2000.00"),
            // 1000 × 1 × 1.5 × 1 × 1 + 0
            (input(1000, 0, Risk::High, 0, Reason::Step, 0), "1500.00"),
            // 1000 × 1 × 0.8 × (1 + 0.5 × 2) × 1 + 0
            (input(1000, 0, Risk::Low, 2, Reason::Step, 0), "1600.00"),
            // 1000 × 1 × 1 × 1 × 1.5 + 3 × 10
            (
                input(1000, 0, Risk::Normal, 0, Reason::BrokenPromise, 3),
                "1530.00",
            ),
            // 100 × (1 + 10/30) = 133.333… rounds to 133.33
            (input(100, 10, Risk::Normal, 0, Reason::Step, 0), "133.33"),
            (input(0, 0, Risk::Normal, 0, Reason::Callback, 2), "20.00"),
            // 1000 × 1 × 1 × 1 × (1 + 0.25 × 30/30) × 1
            (
                paying(
                    input(1000, 0, Risk::Normal, 0, Reason::Step, 0),
                    8,
                    Some(28),
                    30,
                ),
                "1250.00",
            ),
            // expected days late count up to 60: 1000 × (1 + 0.25 × 2)
            (
                paying(
                    input(1000, 0, Risk::Normal, 0, Reason::Step, 0),
                    8,
                    Some(90),
                    95,
                ),
                "1500.00",
            ),
            // paying early is not rewarded below 1
            (
                paying(
                    input(1000, 0, Risk::Normal, 0, Reason::Step, 0),
                    8,
                    Some(-4),
                    -3,
                ),
                "1000.00",
            ),
        ];
        for (i, want) in cases {
            assert_eq!(score(&i, &w).total.to_string(), want, "{i:?}");
        }
    }

    #[test]
    fn the_explanation_lists_every_factor() {
        let s = score(
            &paying(
                input(1000, 45, Risk::High, 1, Reason::Callback, 2),
                14,
                Some(23),
                21,
            ),
            &PriorityWeights::default(),
        );
        let shown: Vec<String> = s
            .factors
            .iter()
            .map(|f| format!("{}={} ({})", f.name, f.value, f.why))
            .collect();
        assert_eq!(
            shown,
            vec![
                "collectible past due=1000.00 (undisputed past-due balance)",
                "age=2.5 (1 + 45 DPD / 30)",
                "risk=1.5 (high risk)",
                "broken promises=1.5 (1 + 0.5 × 1 broken in 90 days)",
                "payment behaviour=1.175 (pays 23 days late on average, 14 invoices (expected 21))",
                "reason=1.2 (callback)",
                "overdue bonus=20.00 (2 days overdue × 10)",
            ]
        );
        // 1000 × 2.5 × 1.5 × 1.5 × 1.175 × 1.2 + 20
        assert_eq!(s.total.to_string(), "7951.25");
    }

    /// One day is a day, not "1 days"; none and several are days.
    #[test]
    fn the_overdue_bonus_counts_its_days_in_words() {
        for (days, said) in [
            (0, "0 days overdue"),
            (1, "1 day overdue"),
            (3, "3 days overdue"),
        ] {
            let s = score(
                &input(100, 10, Risk::Normal, 0, Reason::Step, days),
                &PriorityWeights::default(),
            );
            let why = s
                .factors
                .iter()
                .find(|f| f.name == "overdue bonus")
                .map(|f| f.why.clone())
                .unwrap_or_default();
            assert!(why.starts_with(said), "{why}");
        }
    }
}
