//! Whose figures a report covers (the shop, or one collector's accounts), and the
//! totals of a period — from the daily snapshots when every day needed is there and
//! the whole shop is asked for (quick, for trend lines), else from the dated records.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::domain::{Aging, Money};
use crate::metrics::Period;
use crate::service::{Result, ServiceError, Session};
use crate::store::figures::{self, Whose};
use crate::store::{kpi_daily, users};

/// The shop, or one collector (who must exist).
pub struct Scope {
    collector: Option<String>,
}

impl Scope {
    pub fn new(s: &Session, collector: Option<&str>) -> Result<Scope> {
        if let Some(c) = collector
            && users::get(s.store().conn(), c)?.is_none()
        {
            return Err(ServiceError::NotFound(format!(
                "no user '{c}' (see `arq user list`)"
            )));
        }
        Ok(Scope {
            collector: collector.map(str::to_string),
        })
    }

    pub fn collector(&self) -> Option<&str> {
        self.collector.as_deref()
    }

    pub fn whose(&self) -> Whose<'_> {
        match &self.collector {
            Some(c) => Whose::Owner(c),
            None => Whose::Shop,
        }
    }
}

/// A period's totals and the aging at its end.
pub struct Totals {
    pub period: Period,
    pub end: Aging,
}

/// The shop's totals of `from..=to` from the daily snapshots, when they cover every
/// day needed (the day before the period and each day of it).
pub fn from_snapshots(s: &Session, from: NaiveDate, to: NaiveDate) -> Result<Option<Totals>> {
    let days = (to - from).num_days() + 1;
    let before = from - Duration::days(1);
    let snaps = kpi_daily::between(s.store().conn(), before, to)?;
    if snaps.len() as i64 != days + 1 {
        return Ok(None);
    }
    let by_day: HashMap<NaiveDate, &kpi_daily::Day> = snaps.iter().map(|d| (d.day, d)).collect();
    let (Some(b), Some(e)) = (by_day.get(&before), by_day.get(&to)) else {
        return Ok(None);
    };
    let sales: Money = snaps
        .iter()
        .filter(|d| d.day >= from)
        .map(|d| d.credit_sales)
        .sum();
    Ok(Some(Totals {
        period: Period {
            from: Some(from),
            days,
            ar_begin: b.aging.total(),
            ar_end: e.aging.total(),
            current_end: e.aging.current,
            credit_sales: sales,
        },
        end: e.aging,
    }))
}

/// The totals of `from..=to`. With `quick`, the shop's daily snapshots are used when
/// they cover every day needed.
pub fn period(
    s: &Session,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose<'_>,
    quick: bool,
) -> Result<Totals> {
    if quick
        && whose == Whose::Shop
        && let Some(t) = from_snapshots(s, from, to)?
    {
        return Ok(t);
    }
    let conn = s.store().conn();
    let days = (to - from).num_days() + 1;
    // The aging needs no split by customer; the period's first day is read on a
    // second connection beside its last (the far end adds back everything paid
    // since, the costlier of the two on a large shop).
    let before = from - Duration::days(1);
    let (begin, end) = match s.store().reader()? {
        Some(reader) => std::thread::scope(|scope| {
            let far = scope.spawn(move || figures::aging_as_of(&reader, before, whose));
            let end = figures::aging_as_of(conn, to, whose);
            let begin = far.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            Ok::<_, ServiceError>((begin?, end?))
        })?,
        None => (
            figures::aging_as_of(conn, before, whose)?,
            figures::aging_as_of(conn, to, whose)?,
        ),
    };
    Ok(Totals {
        period: Period {
            from: Some(from),
            days,
            ar_begin: begin.total(),
            ar_end: end.total(),
            current_end: end.current,
            credit_sales: figures::credit_sales(conn, from, to, whose)?,
        },
        end,
    })
}
