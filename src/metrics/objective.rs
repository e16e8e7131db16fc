//! Objectives: which KPI, which way is better, and whether the trend reaches the
//! target by its date (a straight line through the recent weekly values).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::round;
use crate::domain::names::named_enum;

named_enum! {
    /// A KPI an objective can aim at.
    pub enum Kpi ("objective KPI") {
        Dso = "dso",
        Cei = "cei",
        PastDue91 = "past_due_91",
        PromiseKeptRate = "promise_kept_rate",
        CallsPerDay = "calls_per_day",
    }
}

impl Kpi {
    /// Whether a lower value is the better one.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Kpi::Dso | Kpi::PastDue91)
    }

    /// What it measures, for people.
    pub fn label(self) -> &'static str {
        match self {
            Kpi::Dso => "DSO (days, last 90 days)",
            Kpi::Cei => "CEI (%, last 30 days)",
            Kpi::PastDue91 => "past due 91+ days",
            Kpi::PromiseKeptRate => "promise-kept rate (%, last 30 days)",
            Kpi::CallsPerDay => "calls per working day (last 7 days)",
        }
    }
}

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Today's value already meets the target.
    Met,
    /// The trend reaches the target by its date.
    OnTrack,
    /// The trend does not reach it in time.
    OffTrack,
    /// Not enough values to draw a trend.
    Unknown,
}

/// The least-squares line through `points`, evaluated at `at`. `None` with fewer than
/// two distinct dates.
pub fn project(points: &[(NaiveDate, Decimal)], at: NaiveDate) -> Option<Decimal> {
    let (first, _) = points.first()?;
    let xs: Vec<Decimal> = points
        .iter()
        .map(|(d, _)| Decimal::from((*d - *first).num_days()))
        .collect();
    let n = Decimal::from(points.len());
    let mean_x = xs.iter().copied().sum::<Decimal>() / n;
    let mean_y = points.iter().map(|(_, y)| *y).sum::<Decimal>() / n;
    let mut sxx = Decimal::ZERO;
    let mut sxy = Decimal::ZERO;
    for (x, (_, y)) in xs.iter().zip(points) {
        sxx += (*x - mean_x) * (*x - mean_x);
        sxy += (*x - mean_x) * (*y - mean_y);
    }
    if sxx.is_zero() {
        return None;
    }
    let slope = sxy / sxx;
    let x = Decimal::from((at - *first).num_days());
    Some(round(mean_y + slope * (x - mean_x)))
}

/// Whether `now` meets `target`, else whether the trend's value at the objective's
/// date does.
pub fn standing(
    kpi: Kpi,
    now: Option<Decimal>,
    target: Decimal,
    projected: Option<Decimal>,
) -> Standing {
    let meets = |v: Decimal| {
        if kpi.lower_is_better() {
            v <= target
        } else {
            v >= target
        }
    };
    match (now, projected) {
        (Some(v), _) if meets(v) => Standing::Met,
        (_, Some(p)) if meets(p) => Standing::OnTrack,
        (_, Some(_)) => Standing::OffTrack,
        _ => Standing::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::parse_iso;

    fn d(s: &str) -> NaiveDate {
        parse_iso(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_straight_line_through_weekly_values() {
        // DSO falls one day a week: 50, 49, 48 → on the 4th week after the last, 44.
        let pts = [
            (d("2026-11-01"), dec("50")),
            (d("2026-11-08"), dec("49")),
            (d("2026-11-15"), dec("48")),
        ];
        assert_eq!(project(&pts, d("2026-12-13")), Some(dec("44.00")));
        assert_eq!(project(&pts[..1], d("2026-12-13")), None);
    }

    #[test]
    fn standing_depends_on_which_way_is_better() {
        // (kpi, now, target, projected, standing)
        let cases = [
            (Kpi::Dso, Some("40"), "45", Some("38"), Standing::Met),
            (Kpi::Dso, Some("50"), "45", Some("44"), Standing::OnTrack),
            (Kpi::Dso, Some("50"), "45", Some("47"), Standing::OffTrack),
            (Kpi::Cei, Some("70"), "80", Some("82"), Standing::OnTrack),
            (Kpi::Cei, Some("70"), "80", Some("75"), Standing::OffTrack),
            (Kpi::CallsPerDay, Some("55"), "50", None, Standing::Met),
            (Kpi::PastDue91, None, "1000", None, Standing::Unknown),
        ];
        for (kpi, now, target, projected, want) in cases {
            assert_eq!(
                standing(kpi, now.map(dec), dec(target), projected.map(dec)),
                want,
                "{kpi} {now:?}"
            );
        }
    }
}
