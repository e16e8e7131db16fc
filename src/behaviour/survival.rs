//! The shop's survival curve on each customer's own clock: how likely an invoice is
//! still unpaid at a given *standardized* lateness `z = (days late − typical) / spread`.
//! Estimated with Kaplan–Meier, so invoices still open on the date count for as long
//! as they have been open (censored) instead of being left out, and kept on a fixed
//! grid so a fitted curve is small, printable and can be stored.

use serde::{Deserialize, Serialize};

/// The grid: `z` from `Z_MIN` to `Z_MAX`, `PER_UNIT` points per unit.
pub const Z_MIN: f64 = -8.0;
pub const Z_MAX: f64 = 16.0;
const PER_UNIT: f64 = 20.0;

fn points() -> usize {
    ((Z_MAX - Z_MIN) * PER_UNIT).round() as usize + 1
}

fn z_at(i: usize) -> f64 {
    Z_MIN + i as f64 / PER_UNIT
}

/// One invoice as the curve sees it: its standardized lateness, and whether it was
/// paid then (`true`) or was still unpaid then (`false`: it was open at least that long).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub z: f64,
    pub paid: bool,
}

/// `P(Z > z)` on the grid: 1 on the left, falling as invoices are paid; where it
/// flattens out above zero, some invoices are never paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// Survival at each grid point.
    pub s: Vec<f64>,
}

impl Curve {
    /// Kaplan–Meier over `obs`. Without any payment the curve is the standard
    /// normal's, so a shop without history still gets a sensible shape.
    pub fn fit(obs: &mut [Observation]) -> Curve {
        if !obs.iter().any(|o| o.paid) {
            return Curve::normal();
        }
        // Payments before censorings at the same z (the usual KM convention).
        obs.sort_by(|a, b| a.z.total_cmp(&b.z).then(b.paid.cmp(&a.paid)));
        let mut s = Vec::with_capacity(points());
        let mut at_risk = obs.len() as f64;
        let mut surv = 1.0;
        let mut k = 0;
        for i in 0..points() {
            let g = z_at(i);
            while k < obs.len() && obs[k].z <= g {
                // All observations tied at this z, payments first.
                let z = obs[k].z;
                let mut paid = 0.0;
                let mut gone = 0.0;
                while k < obs.len() && obs[k].z == z {
                    if obs[k].paid {
                        paid += 1.0;
                    }
                    gone += 1.0;
                    k += 1;
                }
                if at_risk > 0.0 {
                    surv *= 1.0 - paid / at_risk;
                }
                at_risk -= gone;
            }
            s.push(surv);
        }
        Curve { s }
    }

    /// The standard normal survival function on the grid.
    pub fn normal() -> Curve {
        Curve {
            s: (0..points())
                .map(|i| 1.0 - std_normal_cdf(z_at(i)))
                .collect(),
        }
    }

    /// `P(Z > z)`, linear between grid points; 1 left of the grid, the last value
    /// (the share never paid) right of it.
    pub fn survival(&self, z: f64) -> f64 {
        let Some(&last) = self.s.last() else {
            return 1.0;
        };
        if z.is_nan() || z <= Z_MIN {
            return 1.0;
        }
        if z >= Z_MAX {
            return last;
        }
        let x = (z - Z_MIN) * PER_UNIT;
        let i = x.floor() as usize;
        let f = x - i as f64;
        let a = self.s.get(i).copied().unwrap_or(last);
        let b = self.s.get(i + 1).copied().unwrap_or(last);
        a + (b - a) * f
    }

    /// The smallest `z` where the survival falls to `target`, or `None` when it never
    /// does on the grid (too many such invoices are never paid).
    pub fn quantile(&self, target: f64) -> Option<f64> {
        if target >= 1.0 {
            return Some(Z_MIN);
        }
        let i = self.s.iter().position(|&v| v <= target)?;
        if i == 0 {
            return Some(Z_MIN);
        }
        let (a, b) = (self.s[i - 1], self.s[i]);
        let f = if a > b { (a - target) / (a - b) } else { 0.0 };
        Some(z_at(i - 1) + f / PER_UNIT)
    }

    /// The share of invoices never paid, as far as the history shows.
    pub fn never_paid(&self) -> f64 {
        self.s.last().copied().unwrap_or(0.0)
    }
}

/// The standard normal CDF (Abramowitz–Stegun 7.1.26 for erf; error below 1.5e-7).
pub fn std_normal_cdf(x: f64) -> f64 {
    let t = x / std::f64::consts::SQRT_2;
    let sign = if t < 0.0 { -1.0 } else { 1.0 };
    let t = t.abs();
    let p = 0.327_591_1;
    let (a1, a2, a3, a4, a5) = (
        0.254_829_592,
        -0.284_496_736,
        1.421_413_741,
        -1.453_152_027,
        1.061_405_429,
    );
    let k = 1.0 / (1.0 + p * t);
    let y = 1.0 - (((((a5 * k + a4) * k) + a3) * k + a2) * k + a1) * k * (-t * t).exp();
    0.5 * (1.0 + sign * y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(z: &[(f64, bool)]) -> Vec<Observation> {
        z.iter().map(|&(z, paid)| Observation { z, paid }).collect()
    }

    #[test]
    fn kaplan_meier_by_hand() {
        // Four invoices: paid at -1 and 1, one unpaid when last seen at 0, one paid at 2.
        // S(-1) = 3/4; at 0 one leaves unpaid (2 at risk remain); S(1) = 3/4 × 1/2;
        // S(2) = 0.
        let mut o = obs(&[(-1.0, true), (0.0, false), (1.0, true), (2.0, true)]);
        let c = Curve::fit(&mut o);
        let cases = [
            (-2.0, 1.0),
            (-1.0, 0.75),
            (0.5, 0.75),
            (1.0, 0.375),
            (1.5, 0.375),
            (2.0, 0.0),
            (20.0, 0.0),
        ];
        for (z, want) in cases {
            assert!(
                (c.survival(z) - want).abs() < 1e-9,
                "S({z}) = {}",
                c.survival(z)
            );
        }
        assert_eq!(c.never_paid(), 0.0);
    }

    #[test]
    fn invoices_never_paid_leave_a_plateau_and_no_quantile() {
        // Half paid at 0, half still open far to the right.
        let mut o = obs(&[(0.0, true), (0.0, true), (10.0, false), (10.0, false)]);
        let c = Curve::fit(&mut o);
        assert!((c.never_paid() - 0.5).abs() < 1e-9);
        assert!(c.quantile(0.6).is_some());
        assert_eq!(c.quantile(0.4), None);
    }

    #[test]
    fn without_payments_the_curve_is_normal() {
        let c = Curve::fit(&mut obs(&[(1.0, false)]));
        assert!((c.survival(0.0) - 0.5).abs() < 1e-6);
        let median = c.quantile(0.5).unwrap_or(f64::NAN);
        assert!(median.abs() < 0.01, "{median}");
        assert!((std_normal_cdf(1.0) - 0.841_344_7).abs() < 1e-6);
    }
}
