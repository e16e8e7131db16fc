//! The shop's figures as of each daily run, kept so trend lines draw at once.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::params;

use super::Result;
use crate::domain::{Aging, Money};

/// One day's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub aging: Aging,
    pub credit_sales: Money,
    pub collected: Money,
    pub written_off: Money,
}

/// Stores (or replaces) a day's figures.
pub fn put<'c>(conn: impl Into<Db<'c>>, d: &Day, at: &str) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let a = &d.aging;
    conn.prepare_cached(
        "INSERT INTO kpi_daily (day, open_balance, current, d1_30, d31_60, d61_90, d91_plus, credit_sales,
             collected, written_off, taken_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (day) DO UPDATE SET open_balance = excluded.open_balance, current = excluded.current,
             d1_30 = excluded.d1_30, d31_60 = excluded.d31_60, d61_90 = excluded.d61_90,
             d91_plus = excluded.d91_plus, credit_sales = excluded.credit_sales,
             collected = excluded.collected, written_off = excluded.written_off, taken_at = excluded.taken_at",
    )?
    .execute(params![
        d.day,
        a.total(),
        a.current,
        a.d1_30,
        a.d31_60,
        a.d61_90,
        a.d91_plus,
        d.credit_sales,
        d.collected,
        d.written_off,
        at
    ])?;
    Ok(())
}

/// Whether `day`'s figures were taken (its daily close has run).
pub fn taken<'c>(conn: impl Into<Db<'c>>, day: NaiveDate) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT 1 FROM kpi_daily WHERE day = ?1")?
        .exists([day])?)
}

/// The stored days from `from` to `to`, in order (days without a run are missing).
pub fn between<'c>(conn: impl Into<Db<'c>>, from: NaiveDate, to: NaiveDate) -> Result<Vec<Day>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT day, current, d1_30, d31_60, d61_90, d91_plus, credit_sales, collected, written_off
         FROM kpi_daily WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
    )?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok(Day {
            day: r.get(0)?,
            aging: Aging {
                current: r.get(1)?,
                d1_30: r.get(2)?,
                d31_60: r.get(3)?,
                d61_90: r.get(4)?,
                d91_plus: r.get(5)?,
            },
            credit_sales: r.get(6)?,
            collected: r.get(7)?,
            written_off: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
