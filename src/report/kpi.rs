//! `report kpi`: DSO, BPDSO, ADD, CEI and the promise-kept rate for a period, with the
//! totals they come from (DESIGN §6), and the same before and after a date over two
//! windows of equal length (`--compare`).

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::period::{Scope, period};
use crate::domain::Money;
use crate::metrics::{self, Kpis};
use crate::service::run::PromiseCounts;
use crate::service::{Result, ServiceError, Session};
use crate::store::figures;
use crate::store::strategies;

#[derive(Debug, Clone, Serialize)]
pub struct KpiReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    pub collector: Option<String>,
    #[serde(flatten)]
    pub kpis: Kpis,
    pub promise_kept_rate: Option<Decimal>,
    pub ar_begin: Money,
    pub ar_end: Money,
    pub current_end: Money,
    pub past_due_end: Money,
    pub d91_plus_end: Money,
    pub credit_sales: Money,
    pub collected: Money,
    pub written_off: Money,
    pub recovered_by_agencies: Money,
    pub promises: PromiseCounts,
    pub calls: u64,
    pub contacts: u64,
}

/// The KPIs of `from..=to` for the shop or one collector's accounts (supervisors).
pub fn kpi(
    s: &Session,
    from: NaiveDate,
    to: NaiveDate,
    collector: Option<&str>,
) -> Result<KpiReport> {
    s.require_supervisor("read the KPIs")?;
    let scope = Scope::new(s, collector)?;
    compute(s, from, to, &scope, false)
}

/// The KPIs of `from..=to`; with `quick`, from the daily snapshots when they cover it.
pub(super) fn compute(
    s: &Session,
    from: NaiveDate,
    to: NaiveDate,
    scope: &Scope,
    quick: bool,
) -> Result<KpiReport> {
    if to < from {
        return Err(ServiceError::Invalid(format!(
            "--from {from} is after --to {to}"
        )));
    }
    let conn = s.store().conn();
    let whose = scope.whose();
    let p = period(s, from, to, whose, quick)?;
    let (kept, partially_kept, broken) = figures::promise_verdicts(conn, from, to, whose)?;
    let (calls_n, contacts_n) = figures::calls(conn, from, to, scope.collector())?;
    Ok(KpiReport {
        from,
        to,
        days: p.period.days,
        collector: scope.collector().map(str::to_string),
        kpis: metrics::kpis(&p.period),
        promise_kept_rate: metrics::kept_rate(kept, partially_kept, broken),
        ar_begin: p.period.ar_begin,
        ar_end: p.period.ar_end,
        current_end: p.period.current_end,
        past_due_end: p.end.total() - p.end.current,
        d91_plus_end: p.end.d91_plus,
        credit_sales: p.period.credit_sales,
        collected: figures::collected(conn, from, to, whose)?,
        written_off: figures::written_off(conn, from, to, whose)?,
        recovered_by_agencies: figures::recovered_by_agencies(conn, from, to, whose)?,
        promises: PromiseCounts {
            kept,
            partially_kept,
            broken,
        },
        calls: calls_n,
        contacts: contacts_n,
    })
}

/// Before and after a date over windows of equal length.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub compare: NaiveDate,
    pub window_days: i64,
    /// Strategy versions that took effect on the date (why one compares there).
    pub versions: Vec<String>,
    pub before: KpiReport,
    pub after: KpiReport,
}

/// `report kpi --compare D`: from D to the session's date, against as many days just
/// before D.
pub fn compare(s: &Session, on: NaiveDate, collector: Option<&str>) -> Result<Comparison> {
    compare_with(s, on, collector, false)
}

pub(super) fn compare_with(
    s: &Session,
    on: NaiveDate,
    collector: Option<&str>,
    quick: bool,
) -> Result<Comparison> {
    s.require_supervisor("read the KPIs")?;
    let scope = Scope::new(s, collector)?;
    let to = s.as_of();
    if on > to {
        return Err(ServiceError::Invalid(format!(
            "--compare {on} is after the report date {to}: nothing after it to compare"
        )));
    }
    let days = (to - on).num_days() + 1;
    let after = compute(s, on, to, &scope, quick)?;
    let before = compute(
        s,
        on - Duration::days(days),
        on - Duration::days(1),
        &scope,
        quick,
    )?;
    let versions = strategies::versions(s.store().conn())?
        .into_iter()
        .filter(|v| v.loaded_on == on && v.version > 1)
        .map(|v| format!("{} v{}", v.strategy_id, v.version))
        .collect();
    Ok(Comparison {
        compare: on,
        window_days: days,
        versions,
        before,
        after,
    })
}
