//! `report funnel`: per strategy, version and step, the accounts that reached the step
//! in the period and how many were cured before the next one. Rounds of a strategy's
//! end rule are one row, "after the last step".

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::metrics;
use crate::service::{Result, ServiceError, Session};
use crate::store::{figures, strategies};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunnelRow {
    pub strategy: String,
    pub version: i64,
    pub step: String,
    pub index: usize,
    pub reached: u64,
    pub cured_before_next: u64,
    pub cure_rate: Option<Decimal>,
}

pub fn funnel(s: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<FunnelRow>> {
    s.require_supervisor("read the step funnel")?;
    if to < from {
        return Err(ServiceError::Invalid(format!(
            "--from {from} is after --to {to}"
        )));
    }
    let conn = s.store().conn();
    let book = strategies::book(conn)?;
    let mut out: Vec<FunnelRow> = Vec::new();
    for r in figures::funnel(conn, from, to)? {
        let last = book.get(&r.strategy).map(|st| st.steps.len());
        let (index, step) = match last {
            Some(n) if r.index >= n => (n, "after the last step".to_string()),
            _ => (r.index, r.step),
        };
        match out
            .iter_mut()
            .find(|x| x.strategy == r.strategy && x.version == r.version && x.index == index)
        {
            Some(x) => {
                x.reached += r.reached;
                x.cured_before_next += r.cured_before_next;
            }
            None => out.push(FunnelRow {
                strategy: r.strategy,
                version: r.version,
                step,
                index,
                reached: r.reached,
                cured_before_next: r.cured_before_next,
                cure_rate: None,
            }),
        }
    }
    for x in &mut out {
        x.cure_rate = (x.reached > 0).then(|| {
            metrics::round(
                Decimal::from(x.cured_before_next) * Decimal::from(100) / Decimal::from(x.reached),
            )
        });
    }
    Ok(out)
}
