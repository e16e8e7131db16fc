//! The KPI screen's figures in one read: today's aging, the last 30 days' KPIs, twelve
//! weekly points of past due, DSO and CEI (from the daily snapshots, so they draw at
//! once), the objectives, and before/after the latest strategy version.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::kpi::{Comparison, KpiReport, compare_with, compute};
use super::objectives::{ObjectiveLine, objectives};
use super::period::{Scope, from_snapshots, period};
use crate::domain::{Aging, Money};
use crate::metrics;
use crate::service::{Result, Session};
use crate::store::figures::Whose;
use crate::store::strategies;

/// One week's point of the trend lines; `None` where the daily runs left gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeekPoint {
    pub day: NaiveDate,
    pub past_due: Option<Money>,
    pub dso: Option<Decimal>,
    pub cei: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiBoard {
    pub as_of: NaiveDate,
    pub aging: Aging,
    pub last30: KpiReport,
    pub weeks: Vec<WeekPoint>,
    pub objectives: Vec<ObjectiveLine>,
    /// The latest strategy version after the first, and the figures around it.
    pub version: Option<(String, Comparison)>,
}

pub fn board(s: &Session) -> Result<KpiBoard> {
    s.require_supervisor("read the KPIs")?;
    let as_of = s.as_of();
    let shop = Scope::new(s, None)?;
    let last30 = compute(s, as_of - Duration::days(29), as_of, &shop, true)?;
    let aging = period(s, as_of, as_of, Whose::Shop, true)?.end;
    let mut weeks = Vec::with_capacity(12);
    for w in (0..12).rev() {
        let day = as_of - Duration::weeks(w);
        let today = from_snapshots(s, day, day)?;
        let dso = from_snapshots(s, day - Duration::days(89), day)?;
        let cei = from_snapshots(s, day - Duration::days(29), day)?;
        weeks.push(WeekPoint {
            day,
            past_due: today.map(|t| t.end.total() - t.end.current),
            dso: dso.and_then(|t| metrics::kpis(&t.period).dso),
            cei: cei.and_then(|t| metrics::kpis(&t.period).cei),
        });
    }
    let version = strategies::versions(s.store().conn())?
        .into_iter()
        .filter(|v| v.version > 1 && v.loaded_on <= as_of)
        .max_by_key(|v| v.loaded_on)
        .map(|v| -> Result<(String, Comparison)> {
            let label = format!("{} v{} ({})", v.strategy_id, v.version, v.loaded_on);
            Ok((label, compare_with(s, v.loaded_on, None, true)?))
        })
        .transpose()?;
    Ok(KpiBoard {
        as_of,
        aging,
        last30,
        weeks,
        objectives: objectives(s)?,
        version,
    })
}
