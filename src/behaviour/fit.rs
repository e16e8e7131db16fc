//! Learning the shop's pattern from its records as of a date: the shop's average
//! lateness (what a short history is pulled toward), how much customers differ from
//! one another and how much one customer's invoices vary (which together say how far
//! a short history is trusted), the effect of each kept feature, and the survival
//! curve of invoices measured on each customer's own clock.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::survival::{Curve, Observation};
use super::{CustomerHistory, Inputs, OpenInvoice, PaidInvoice};
use crate::domain::Money;

/// A payment this many days old counts half as much as one made on the date.
pub const HALF_LIFE_DAYS: f64 = 180.0;
/// Days late are clipped to this range, so one odd record cannot drag a customer.
pub const LATE_MIN: f64 = -60.0;
pub const LATE_MAX: f64 = 365.0;
/// No customer is more regular than this (days), whatever its history says.
pub const MIN_SPREAD: f64 = 2.0;
/// The shop's average counts as at least this many invoices in a customer's typical
/// lateness, however different customers are (measured on both evaluation sources:
/// 0.25 beat 0.05, 0.5, 1 and 2; docs/PREDICTION.md).
pub const MIN_PRIOR_WEIGHT: f64 = 0.25;
/// A customer's own spread counts as much as this many invoices of the shop's.
const SPREAD_PRIOR: f64 = 3.0;
/// The spread assumed when the history cannot tell (days).
const DEFAULT_SD: f64 = 10.0;
/// A feature is learned only from at least this many paid invoices with it (and as
/// many without), and used only when its effect is this many standard errors clear.
const FEATURE_MIN_INVOICES: u64 = 20;
const FEATURE_MIN_T: f64 = 3.0;
/// A broken promise counts for the invoices of the following days.
pub const BROKEN_PROMISE_DAYS: i64 = 90;

/// A candidate fact about an invoice that may move its payment day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// A dispute was opened on the invoice.
    Disputed,
    /// Part of the invoice was paid before the rest.
    PartlyPaid,
    /// The invoice is more than twice the customer's usual amount.
    LargeInvoice,
    /// The customer broke a promise in the 90 days before.
    BrokenPromise,
}

impl Feature {
    /// Every candidate, in a fixed order.
    pub const ALL: &'static [Feature] = &[
        Feature::Disputed,
        Feature::PartlyPaid,
        Feature::LargeInvoice,
        Feature::BrokenPromise,
    ];

    /// The features arq uses: those that measurably helped (docs/PREDICTION.md,
    /// "Features": a large invoice helped on one evaluation source and cost nothing on
    /// the other; the others changed nothing or made the error worse).
    pub const KEPT: &'static [Feature] = &[Feature::LargeInvoice];

    fn index(self) -> usize {
        match self {
            Feature::Disputed => 0,
            Feature::PartlyPaid => 1,
            Feature::LargeInvoice => 2,
            Feature::BrokenPromise => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Disputed => "disputed",
            Feature::PartlyPaid => "partly_paid",
            Feature::LargeInvoice => "large_invoice",
            Feature::BrokenPromise => "broken_promise",
        }
    }

    /// For people: "disputed invoice".
    pub fn words(self) -> &'static str {
        match self {
            Feature::Disputed => "disputed invoice",
            Feature::PartlyPaid => "partly paid",
            Feature::LargeInvoice => "over twice the usual amount",
            Feature::BrokenPromise => "broke a promise in the last 90 days",
        }
    }
}

impl std::str::FromStr for Feature {
    type Err = String;
    fn from_str(s: &str) -> Result<Feature, String> {
        Feature::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s.trim().replace('-', "_"))
            .ok_or_else(|| {
                let names: Vec<&str> = Feature::ALL.iter().map(|f| f.as_str()).collect();
                format!("'{s}' is not a feature (use one of {})", names.join(", "))
            })
    }
}

/// What one feature does to the payment day, as learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    pub feature: Feature,
    /// Days added to the customer's typical lateness when an invoice has the feature.
    pub days: f64,
    /// Paid invoices with the feature in the history.
    pub invoices: u64,
    /// The effect over its standard error.
    pub t: f64,
    /// Whether the effect was clear enough to use (else `days` is not applied).
    pub used: bool,
}

/// The shop's pattern as of a date: everything the estimates need besides the
/// customer's own records. Small, printable, and serializable so it can be kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopModel {
    pub as_of: NaiveDate,
    /// Paid invoices learned from.
    pub invoices: u64,
    /// Invoices open on the date (they shape the curve for as long as they were open).
    pub open: u64,
    /// The shop's average days late, recent payments counting more.
    pub mean_days_late: f64,
    /// How much one customer's invoices vary around its own typical lateness (days).
    pub within_sd: f64,
    /// How much customers' typical lateness differs from one customer to another (days).
    pub between_sd: f64,
    /// How many invoices the shop's average counts as, in a customer's estimate:
    /// `within_sd² / between_sd²`.
    pub prior_weight: f64,
    pub shifts: Vec<Shift>,
    pub curve: Curve,
}

impl ShopModel {
    /// Days added for the features an invoice has.
    pub(super) fn shift(&self, x: &[bool; 4]) -> f64 {
        self.shifts
            .iter()
            .filter(|s| s.used && x[s.feature.index()])
            .map(|s| s.days)
            .sum()
    }

    /// The used shifts that apply to `x`, for explanations.
    pub(super) fn shifts_for<'a>(&'a self, x: &'a [bool; 4]) -> impl Iterator<Item = &'a Shift> {
        self.shifts
            .iter()
            .filter(move |s| s.used && x[s.feature.index()])
    }
}

/// Days late of a paid invoice, clipped.
pub(super) fn late(p: &PaidInvoice) -> f64 {
    (p.days_late() as f64).clamp(LATE_MIN, LATE_MAX)
}

/// How much a payment made on `on` counts as of `as_of`.
pub(super) fn weight(on: NaiveDate, as_of: NaiveDate) -> f64 {
    let age = (as_of - on).num_days().max(0) as f64;
    0.5f64.powf(age / HALF_LIFE_DAYS)
}

/// Sums over a customer's paid invoices, and over its open invoices counted as late
/// (see [`with_late_open`]; they move the typical lateness, not the spread).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Sums {
    pub n: u32,
    pub w: f64,
    pub sum: f64,
    pub sum2: f64,
    pub plain: f64,
    pub plain2: f64,
    pub late_open: u32,
    pub open_sum: f64,
}

impl Sums {
    pub fn add(&mut self, late: f64, w: f64) {
        self.n += 1;
        self.w += w;
        self.sum += w * late;
        self.sum2 += w * late * late;
        self.plain += late;
        self.plain2 += late * late;
    }

    pub fn of(c: &CustomerHistory, as_of: NaiveDate) -> Sums {
        let mut s = Sums::default();
        for p in &c.paid {
            s.add(late(p), weight(p.paid_on, as_of));
        }
        s
    }

    /// The plain average, `None` without history.
    pub fn average(&self) -> Option<f64> {
        (self.n > 0).then(|| self.plain / f64::from(self.n))
    }

    /// The sums without one paid invoice (`late` days, weight `w`).
    pub fn without(&self, late: f64, w: f64) -> Sums {
        Sums {
            n: self.n.saturating_sub(1),
            w: self.w - w,
            sum: self.sum - w * late,
            sum2: self.sum2 - w * late * late,
            plain: self.plain - late,
            plain2: self.plain2 - late * late,
            ..*self
        }
    }
}

/// The customer's typical lateness: its recency-weighted average (open invoices
/// already late counted at weight 1) pulled toward the shop's `mean` as if the shop's
/// figure were `k` more invoices.
pub(super) fn location(mean: f64, k: f64, s: &Sums) -> f64 {
    (s.sum + s.open_sum + k * mean) / (s.w + f64::from(s.late_open) + k)
}

/// The customer's spread: its own (weighted) standard deviation pulled toward the
/// shop's `within_sd`, never below [`MIN_SPREAD`].
pub(super) fn spread(s: &Sums, within_sd: f64) -> f64 {
    let own = if s.w > 0.0 {
        let m = s.sum / s.w;
        (s.sum2 / s.w - m * m).max(0.0)
    } else {
        0.0
    };
    let n = f64::from(s.n);
    ((n * own + SPREAD_PRIOR * within_sd * within_sd) / (n + SPREAD_PRIOR))
        .sqrt()
        .max(MIN_SPREAD)
}

/// The customer's usual invoice amount (the middle one), when it has three or more.
pub(super) fn usual_amount(c: &CustomerHistory) -> Option<Money> {
    let mut amounts: Vec<Money> = c
        .paid
        .iter()
        .map(|p| p.amount)
        .chain(c.open.iter().map(|o| o.amount))
        .collect();
    if amounts.len() < 3 {
        return None;
    }
    amounts.sort_unstable();
    amounts.get(amounts.len() / 2).copied()
}

fn large(amount: Money, usual: Option<Money>) -> bool {
    usual.is_some_and(|u| u.is_positive() && amount > u + u)
}

fn broke_before(c: &CustomerHistory, day: NaiveDate) -> bool {
    c.broken_promises
        .iter()
        .any(|&b| b <= day && (day - b).num_days() < BROKEN_PROMISE_DAYS)
}

/// The features of a paid invoice, as they stood before it was paid.
pub(super) fn paid_features(
    c: &CustomerHistory,
    p: &PaidInvoice,
    usual: Option<Money>,
) -> [bool; 4] {
    [
        p.disputed,
        p.partly_paid,
        large(p.amount, usual),
        broke_before(c, p.paid_on),
    ]
}

/// The features of an open invoice as of `as_of`.
pub(super) fn open_features(
    c: &CustomerHistory,
    o: &OpenInvoice,
    usual: Option<Money>,
    as_of: NaiveDate,
) -> [bool; 4] {
    [
        o.disputed,
        o.partly_paid,
        large(o.amount, usual),
        broke_before(c, as_of),
    ]
}

/// Days past due on `as_of` (negative before the due date).
pub(super) fn days_open(o: &OpenInvoice, as_of: NaiveDate) -> f64 {
    (as_of - o.due).num_days() as f64
}

/// The day (in days late) by which an invoice `d` days past due and still open is
/// as likely paid as not, among invoices that are paid at all; `loc` and `s` are its
/// typical lateness and spread.
pub(super) fn conditional_median(curve: &Curve, loc: f64, s: f64, d: f64) -> f64 {
    let s0 = curve.survival((d + 0.5 - loc) / s);
    let floor = curve.never_paid();
    let z = if s0 - floor > 1e-9 {
        curve.quantile(floor + (s0 - floor) / 2.0)
    } else {
        None
    };
    let at = match z {
        Some(z) => loc + s * z,
        // The history has no invoice this late on this clock that was paid afterwards.
        None => d + 1.0 + s,
    };
    at.max(d + 1.0).clamp(LATE_MIN, LATE_MAX.max(d + 1.0))
}

/// The probability an invoice `d` days past due and still open is paid more than
/// `days` days late (or never).
pub(super) fn p_later_than(curve: &Curve, loc: f64, s: f64, d: f64, days: f64) -> f64 {
    if d >= days {
        return 1.0;
    }
    let s0 = curve.survival((d + 0.5 - loc) / s);
    if s0 < 1e-12 {
        return 1.0;
    }
    (curve.survival((days + 0.5 - loc) / s) / s0).clamp(0.0, 1.0)
}

/// A customer's sums with its open invoices that are already later than its typical
/// lateness counted too, each at the day it would be paid by (the conditional
/// median): a customer whose invoices sit unpaid is judged on that, not only on what
/// it paid.
pub(super) fn with_late_open(
    model: &ShopModel,
    c: &CustomerHistory,
    paid: Sums,
    usual: Option<Money>,
    as_of: NaiveDate,
) -> Sums {
    let loc = location(model.mean_days_late, model.prior_weight, &paid);
    let s = spread(&paid, model.within_sd);
    let mut out = paid;
    for o in &c.open {
        let d = days_open(o, as_of);
        let shift = model.shift(&open_features(c, o, usual, as_of));
        if d <= loc + shift {
            continue;
        }
        let at = conditional_median(&model.curve, loc + shift, s, d) - shift;
        out.open_sum += at.clamp(LATE_MIN, LATE_MAX);
        out.late_open += 1;
    }
    out
}

/// Learns the shop's pattern from `inputs`, with the candidate `features` allowed.
pub fn fit(inputs: &Inputs, features: &[Feature]) -> ShopModel {
    let as_of = inputs.as_of;
    let sums: Vec<Sums> = inputs
        .customers
        .iter()
        .map(|c| Sums::of(c, as_of))
        .collect();
    let (w, sum, n) = sums.iter().fold((0.0, 0.0, 0u64), |(w, s, n), x| {
        (w + x.w, s + x.sum, n + u64::from(x.n))
    });
    let mean = if w > 0.0 { sum / w } else { 0.0 };
    let (within_sd, between_sd) = variance_components(&sums);
    let prior_weight =
        (within_sd * within_sd / (between_sd * between_sd)).clamp(MIN_PRIOR_WEIGHT, 30.0);
    let open = inputs.customers.iter().map(|c| c.open.len() as u64).sum();
    let mut model = ShopModel {
        as_of,
        invoices: n,
        open,
        mean_days_late: mean,
        within_sd,
        between_sd,
        prior_weight,
        shifts: Vec::new(),
        curve: Curve::normal(),
    };
    let usual: Vec<Option<Money>> = inputs.customers.iter().map(usual_amount).collect();
    model.shifts = learn_shifts(&model, inputs, &sums, &usual, features);
    // The curve on the customers' clocks from their payments alone: an invoice's
    // outlook starts from how its customer has paid (counting open invoices in the
    // typical lateness as well measured worse, docs/PREDICTION.md).
    model.curve = learn_curve(&model, inputs, &sums, &usual);
    model
}

/// The pooled spread of invoices around their customer's average, and the spread of
/// customers' true averages around the shop's (moments, as in a one-way random
/// effects model).
fn variance_components(sums: &[Sums]) -> (f64, f64) {
    let (mut ss, mut df) = (0.0, 0.0);
    for s in sums.iter().filter(|s| s.n >= 2) {
        let n = f64::from(s.n);
        ss += (s.plain2 - s.plain * s.plain / n).max(0.0);
        df += n - 1.0;
    }
    let within = if df > 0.0 {
        (ss / df).sqrt().max(MIN_SPREAD)
    } else {
        DEFAULT_SD
    };
    let means: Vec<(f64, f64)> = sums
        .iter()
        .filter(|s| s.n >= 1)
        .map(|s| (s.plain / f64::from(s.n), f64::from(s.n)))
        .collect();
    if means.len() < 2 {
        return (within, DEFAULT_SD);
    }
    let m = means.len() as f64;
    let grand = means.iter().map(|x| x.0).sum::<f64>() / m;
    let observed = means.iter().map(|x| (x.0 - grand).powi(2)).sum::<f64>() / (m - 1.0);
    let noise = means.iter().map(|x| within * within / x.1).sum::<f64>() / m;
    let between = (observed - noise).max(1.0).sqrt();
    (within, between)
}

/// Each paid invoice's lateness against its customer's typical lateness computed
/// without it (so the invoice does not explain itself), with its features.
fn residuals(
    model: &ShopModel,
    inputs: &Inputs,
    sums: &[Sums],
    usual: &[Option<Money>],
    each: &mut dyn FnMut(f64, f64, [bool; 4]),
) {
    for ((c, s), u) in inputs.customers.iter().zip(sums).zip(usual) {
        let sd = spread(s, model.within_sd);
        for p in &c.paid {
            let l = late(p);
            let w = weight(p.paid_on, inputs.as_of);
            let loc = location(model.mean_days_late, model.prior_weight, &s.without(l, w));
            each(l - loc, sd, paid_features(c, p, *u));
        }
    }
}

/// Least squares of the residuals on an intercept and the allowed features; a
/// feature is used when it is common enough and its effect clear.
fn learn_shifts(
    model: &ShopModel,
    inputs: &Inputs,
    sums: &[Sums],
    usual: &[Option<Money>],
    features: &[Feature],
) -> Vec<Shift> {
    let mut counts = [0u64; 4];
    let mut total = 0u64;
    residuals(model, inputs, sums, usual, &mut |_, _, x| {
        total += 1;
        for (i, on) in x.iter().enumerate() {
            counts[i] += u64::from(*on);
        }
    });
    let fitted: Vec<Feature> = features
        .iter()
        .copied()
        .filter(|f| {
            let n = counts[f.index()];
            n >= FEATURE_MIN_INVOICES && total - n >= FEATURE_MIN_INVOICES
        })
        .collect();
    let p = fitted.len() + 1;
    let mut xtx = vec![vec![0.0; p]; p];
    let mut xty = vec![0.0; p];
    let mut yy = 0.0;
    residuals(model, inputs, sums, usual, &mut |r, _, x| {
        let mut row = Vec::with_capacity(p);
        row.push(1.0);
        row.extend(fitted.iter().map(|f| f64::from(u8::from(x[f.index()]))));
        for i in 0..p {
            xty[i] += row[i] * r;
            for j in 0..p {
                xtx[i][j] += row[i] * row[j];
            }
        }
        yy += r * r;
    });
    let solved = invert(&xtx).map(|inv| {
        let beta: Vec<f64> = (0..p)
            .map(|i| (0..p).map(|j| inv[i][j] * xty[j]).sum())
            .collect();
        // Residual variance: y'y − β'X'y over the degrees of freedom.
        let fit_ss: f64 = (0..p).map(|i| beta[i] * xty[i]).sum();
        let dof = (total as f64 - p as f64).max(1.0);
        let s2 = ((yy - fit_ss) / dof).max(0.0);
        (beta, inv, s2)
    });
    features
        .iter()
        .map(|&f| {
            let at = fitted.iter().position(|&g| g == f).map(|i| i + 1);
            let (days, t) = match (&solved, at) {
                (Some((beta, inv, s2)), Some(i)) => {
                    let se = (s2 * inv[i][i]).max(0.0).sqrt();
                    (beta[i], if se > 0.0 { beta[i] / se } else { 0.0 })
                }
                _ => (0.0, 0.0),
            };
            Shift {
                feature: f,
                days,
                invoices: counts[f.index()],
                t,
                used: at.is_some() && t.abs() >= FEATURE_MIN_T,
            }
        })
        .collect()
}

/// Kaplan–Meier on the customers' clocks: paid invoices at their standardized
/// lateness, open ones censored where they stand on the date.
fn learn_curve(
    model: &ShopModel,
    inputs: &Inputs,
    sums: &[Sums],
    usual: &[Option<Money>],
) -> Curve {
    let mut obs = Vec::with_capacity((model.invoices + model.open) as usize);
    let mut paid_x: Vec<(f64, f64, [bool; 4])> = Vec::new();
    residuals(model, inputs, sums, usual, &mut |r, sd, x| {
        paid_x.push((r, sd, x))
    });
    for (r, sd, x) in paid_x {
        obs.push(Observation {
            z: (r - model.shift(&x)) / sd,
            paid: true,
        });
    }
    for ((c, s), u) in inputs.customers.iter().zip(sums).zip(usual) {
        let loc = location(model.mean_days_late, model.prior_weight, s);
        let sd = spread(s, model.within_sd);
        for o in &c.open {
            let x = open_features(c, o, *u, inputs.as_of);
            let d = days_open(o, inputs.as_of);
            obs.push(Observation {
                z: (d + 0.5 - loc - model.shift(&x)) / sd,
                paid: false,
            });
        }
    }
    Curve::fit(&mut obs)
}

/// The inverse of a small symmetric matrix (Gauss–Jordan with pivoting), `None` when
/// it is singular.
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))?;
        if m[pivot][col].abs() < 1e-9 {
            return None;
        }
        m.swap(col, pivot);
        let p = m[col][col];
        for v in m[col].iter_mut() {
            *v /= p;
        }
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            let f = row[col];
            if r != col && f != 0.0 {
                for (v, p) in row.iter_mut().zip(&pivot_row) {
                    *v -= f * p;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}
