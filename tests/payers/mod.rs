//! A second payer model for measuring the payment estimates (docs/PREDICTION.md,
//! "Evaluation data"), different from the demo's five payer types: "habit and drift".
//! It writes `customers.csv`, `invoices.csv` and `payments.csv` in arq's generic CSV
//! format, so the history goes in through the ordinary import.
//!
//! - Each customer has a habit: 45 % disciplined (usual lateness ≈ N(2, 3) days), 35 %
//!   relaxed (exponential, mean 20), 20 % strugglers (40 + exponential, mean 30).
//! - Invoice to invoice, lateness is skewed to the right: usual + spread × (E − 1), E
//!   exponential with mean 1, spread uniform 2–15 days per customer.
//! - A quarter of the customers drift: their usual lateness moves 0.5–3 days per 30
//!   days, up or down (never below −5).
//! - Three in ten pay in a monthly batch: on the 25th on or after the day they would
//!   have paid.
//! - Invoices over three times the customer's usual amount are paid 10 days later.
//! - Some invoices are never paid (2 % of the disciplined, 8 % of the relaxed, 25 % of
//!   the strugglers'); 15 % of the paid ones are paid in two parts.
//!
//! Deterministic: a seed gives the same files.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let (u, v) = (1.0 - self.unit(), self.unit());
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// What was written.
#[allow(dead_code)] // the example prints every field; the tests read `end`
pub struct History {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub invoices: usize,
    pub payments: usize,
}

/// Writes a history of `customers` customers from `start` for `days` days into `dir`.
pub fn write(dir: &Path, seed: u64, customers: usize, start: NaiveDate, days: i64) -> History {
    let mut rng = Rng(seed);
    let end = start + Duration::days(days);
    let mut cust = String::from("customer_id,name\n");
    let mut inv = String::from("invoice_no,customer_id,issue_date,due_date,amount\n");
    let mut pay = String::from("payment_id,customer_id,date,amount,invoice_no\n");
    let (mut n_inv, mut n_pay) = (0usize, 0usize);
    for c in 0..customers {
        let id = format!("H-{c:05}");
        let _ = writeln!(cust, "{id},Habit {c} Ltd");
        let kind = rng.unit();
        let (mut usual, never) = if kind < 0.45 {
            (rng.normal(2.0, 3.0), 0.02)
        } else if kind < 0.80 {
            (rng.exp(20.0), 0.08)
        } else {
            (40.0 + rng.exp(30.0), 0.25)
        };
        let spread = rng.range(2.0, 15.0);
        let drift = if rng.chance(0.25) {
            rng.range(0.5, 3.0) * if rng.chance(0.5) { 1.0 } else { -1.0 } / 30.0
        } else {
            0.0
        };
        let batch = rng.chance(0.3);
        let terms = [15i64, 30, 30, 45, 60][(rng.next() % 5) as usize];
        let typical_amount = rng.range(200.0, 20_000.0);
        let gap = rng.range(7.0, 45.0);
        let mut day = start + Duration::days(rng.range(0.0, gap) as i64);
        let mut last = day;
        while day < end {
            usual = (usual + drift * (day - last).num_days() as f64).max(-5.0);
            last = day;
            n_inv += 1;
            let no = format!("HI-{n_inv:07}");
            let due = day + Duration::days(terms);
            let big = rng.chance(0.08);
            let amount = typical_amount
                * if big {
                    rng.range(3.5, 6.0)
                } else {
                    rng.range(0.5, 1.5)
                };
            let cents = (amount * 100.0).round() as i64;
            let _ = writeln!(
                inv,
                "{no},{id},{day},{due},{}.{:02}",
                cents / 100,
                cents % 100
            );
            if !rng.chance(never) {
                let mut late = usual + spread * (rng.exp(1.0) - 1.0);
                if big {
                    late += 10.0;
                }
                let mut on = due + Duration::days(late.round() as i64);
                if on <= day {
                    on = day + Duration::days(1);
                }
                if batch {
                    while on.day() != 25 {
                        on += Duration::days(1);
                    }
                }
                if on <= end {
                    if rng.chance(0.15) {
                        let first = day + Duration::days(((on - day).num_days() * 6 / 10).max(1));
                        let part = cents * 4 / 10;
                        n_pay += 1;
                        let _ = writeln!(
                            pay,
                            "HP-{n_pay:07},{id},{first},{}.{:02},{no}",
                            part / 100,
                            part % 100
                        );
                        let rest = cents - part;
                        n_pay += 1;
                        let _ = writeln!(
                            pay,
                            "HP-{n_pay:07},{id},{on},{}.{:02},{no}",
                            rest / 100,
                            rest % 100
                        );
                    } else {
                        n_pay += 1;
                        let _ = writeln!(
                            pay,
                            "HP-{n_pay:07},{id},{on},{}.{:02},{no}",
                            cents / 100,
                            cents % 100
                        );
                    }
                }
            }
            day += Duration::days(rng.range(gap * 0.5, gap * 1.5).max(1.0) as i64);
        }
    }
    for (name, text) in [
        ("customers.csv", cust),
        ("invoices.csv", inv),
        ("payments.csv", pay),
    ] {
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    History {
        start,
        end,
        invoices: n_inv,
        payments: n_pay,
    }
}
