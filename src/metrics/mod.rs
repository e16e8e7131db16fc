//! The supervisor's figures as pure functions over dated totals (DESIGN §6): DSO,
//! BPDSO, ADD, CEI, the promise-kept rate, and where an objective's trend is heading.
//! The SQL that gathers the totals lives in `store::figures`; this module only counts.

pub mod objective;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::Money;

/// The totals one period's KPIs are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    /// Days in the period (to − from + 1).
    pub days: i64,
    /// Open balance as of the day before the period.
    pub ar_begin: Money,
    /// Open balance as of the period's last day.
    pub ar_end: Money,
    /// Not yet due as of the last day.
    pub current_end: Money,
    /// Invoices issued in the period.
    pub credit_sales: Money,
}

/// DSO, BPDSO, ADD (days) and CEI (percent), `None` where undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Kpis {
    pub dso: Option<Decimal>,
    pub bpdso: Option<Decimal>,
    pub add: Option<Decimal>,
    pub cei: Option<Decimal>,
}

/// Rounds a figure for people: two places.
pub fn round(d: Decimal) -> Decimal {
    let mut r = d.round_dp(2);
    r.rescale(2);
    r
}

/// DESIGN §6: DSO = AR_end / credit sales × days; BPDSO = current_end / credit sales
/// × days; ADD = DSO − BPDSO (all undefined without credit sales); CEI = (AR_begin +
/// sales − AR_end) / (AR_begin + sales − current_end) × 100 (undefined when the
/// denominator is zero).
pub fn kpis(p: &Period) -> Kpis {
    let sales = p.credit_sales.decimal();
    let days = Decimal::from(p.days);
    let (dso, bpdso) = if sales.is_zero() {
        (None, None)
    } else {
        (
            Some(p.ar_end.decimal() / sales * days),
            Some(p.current_end.decimal() / sales * days),
        )
    };
    let add = match (dso, bpdso) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let begin_plus_sales = p.ar_begin.decimal() + sales;
    let denominator = begin_plus_sales - p.current_end.decimal();
    let cei = if denominator.is_zero() {
        None
    } else {
        Some((begin_plus_sales - p.ar_end.decimal()) / denominator * Decimal::from(100))
    };
    Kpis {
        dso: dso.map(round),
        bpdso: bpdso.map(round),
        add: add.map(round),
        cei: cei.map(round),
    }
}

/// Promise-kept rate in percent: kept / (kept + partially kept + broken).
pub fn kept_rate(kept: u64, partial: u64, broken: u64) -> Option<Decimal> {
    let judged = kept + partial + broken;
    (judged > 0).then(|| round(Decimal::from(kept) * Decimal::from(100) / Decimal::from(judged)))
}

/// `part` as a percent of `whole`, undefined for nothing.
pub fn percent(part: Money, whole: Money) -> Option<Decimal> {
    whole
        .is_positive()
        .then(|| round(part.decimal() * Decimal::from(100) / whole.decimal()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn kpis_follow_the_formulas_of_design_6() {
        // (days, AR begin, AR end, current end, sales, DSO, BPDSO, ADD, CEI)
        let cases = [
            // 30 days; 10,000 open at the start, 30,000 sold, 12,000 open at the end of
            // which 9,000 not yet due:
            // DSO = 12,000 / 30,000 × 30 = 12; BPDSO = 9,000 / 30,000 × 30 = 9; ADD = 3;
            // CEI = (10,000 + 30,000 − 12,000) / (10,000 + 30,000 − 9,000) × 100 = 90.32
            (
                30,
                "10000",
                "12000",
                "9000",
                "30000",
                Some("12.00"),
                Some("9.00"),
                Some("3.00"),
                Some("90.32"),
            ),
            // nothing sold: DSO undefined, CEI still defined
            (
                30,
                "5000",
                "4000",
                "0",
                "0",
                None,
                None,
                None,
                Some("20.00"),
            ),
            // nothing at all: every figure undefined
            (30, "0", "0", "0", "0", None, None, None, None),
            // everything collected: CEI 100
            (
                7,
                "700",
                "0",
                "0",
                "300",
                Some("0.00"),
                Some("0.00"),
                Some("0.00"),
                Some("100.00"),
            ),
        ];
        for (days, b, e, c, s, dso, bpdso, add, cei) in cases {
            let k = kpis(&Period {
                from: None,
                days,
                ar_begin: m(b),
                ar_end: m(e),
                current_end: m(c),
                credit_sales: m(s),
            });
            assert_eq!(k.dso, dso.map(dec), "dso {b} {e} {s}");
            assert_eq!(k.bpdso, bpdso.map(dec));
            assert_eq!(k.add, add.map(dec));
            assert_eq!(k.cei, cei.map(dec), "cei {b} {e} {c} {s}");
        }
    }

    #[test]
    fn the_kept_rate_counts_only_judged_promises() {
        assert_eq!(kept_rate(3, 1, 0), Some(dec("75.00")));
        assert_eq!(kept_rate(1, 1, 1), Some(dec("33.33")));
        assert_eq!(kept_rate(0, 0, 0), None);
    }
}
