//! Objectives and how they stand: the value at the start (baseline), today's, the
//! target, and where the last eight weeks' trend reaches by the objective's date.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::Serialize;

use super::period::{Scope, period};
use crate::metrics::objective::{Kpi, Standing, project, standing};
use crate::metrics::{self, round};
use crate::service::{Result, Session};
use crate::store::figures::{self, Whose};
use crate::store::objectives;

/// An objective as it stands on the session's date.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveLine {
    pub id: i64,
    pub kpi: Kpi,
    pub collector: Option<String>,
    pub target: Decimal,
    pub by: NaiveDate,
    pub baseline: Option<Decimal>,
    pub baseline_on: NaiveDate,
    pub current: Option<Decimal>,
    /// Where the trend of the last eight weeks reaches by the objective's date.
    pub projected: Option<Decimal>,
    pub standing: Standing,
    /// Weekly values, oldest first (for gauges and sparklines).
    pub trend: Vec<(NaiveDate, Decimal)>,
}

/// The value of a KPI as of `on`, for the shop or one collector. Trends read the
/// shop's daily snapshots when they cover the window (`quick`).
pub fn value(
    s: &Session,
    kpi: Kpi,
    on: NaiveDate,
    collector: Option<&str>,
    quick: bool,
) -> Result<Option<Decimal>> {
    let conn = s.store().conn();
    let whose = match collector {
        Some(c) => Whose::Owner(c),
        None => Whose::Shop,
    };
    Ok(match kpi {
        Kpi::Dso => {
            metrics::kpis(&period(s, on - Duration::days(89), on, whose, quick)?.period).dso
        }
        Kpi::Cei => {
            metrics::kpis(&period(s, on - Duration::days(29), on, whose, quick)?.period).cei
        }
        Kpi::PastDue91 => {
            let t = period(s, on, on, whose, quick)?;
            Some(t.end.d91_plus.decimal())
        }
        Kpi::PromiseKeptRate => {
            let from = on - Duration::days(29);
            let (k, p, b) = match collector {
                // A collector's rate is of the promises they took.
                Some(c) => figures::activity(conn, from, on)?
                    .get(c)
                    .map_or((0, 0, 0), |a| (a.kept, a.partially_kept, a.broken)),
                None => figures::promise_verdicts(conn, from, on, Whose::Shop)?,
            };
            metrics::kept_rate(k, p, b)
        }
        Kpi::CallsPerDay => {
            let from = on - Duration::days(6);
            let calls: u64 = figures::calls_per_day(conn, from, on, collector)?
                .iter()
                .map(|(_, n)| n)
                .sum();
            let working = (0..7)
                .map(|i| from + Duration::days(i))
                .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
                .count();
            Some(round(Decimal::from(calls) / Decimal::from(working.max(1))))
        }
    })
}

/// Every objective in force, with its standing.
pub fn objectives(s: &Session) -> Result<Vec<ObjectiveLine>> {
    s.require_supervisor("read objectives")?;
    let as_of = s.as_of();
    let mut out = Vec::new();
    for o in objectives::active(s.store().conn(), as_of)? {
        Scope::new(s, o.collector.as_deref())?;
        let mut trend = Vec::new();
        for w in (0..8).rev() {
            let on = as_of - Duration::weeks(w);
            if let Some(v) = value(s, o.kpi, on, o.collector.as_deref(), true)? {
                trend.push((on, v));
            }
        }
        let current = trend.last().filter(|(d, _)| *d == as_of).map(|(_, v)| *v);
        let projected = project(&trend, o.by);
        out.push(ObjectiveLine {
            id: o.id,
            kpi: o.kpi,
            collector: o.collector,
            target: o.target,
            by: o.by,
            baseline: o.baseline,
            baseline_on: o.baseline_on,
            current,
            projected,
            standing: standing(o.kpi, current, o.target, projected),
            trend,
        });
    }
    Ok(out)
}
