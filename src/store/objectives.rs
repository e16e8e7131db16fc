//! Objectives supervisors set: a KPI, a target and a date, for the shop or a collector.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;

use super::Result;
use crate::metrics::objective::Kpi;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveRow {
    pub id: i64,
    pub kpi: Kpi,
    pub target: Decimal,
    pub by: NaiveDate,
    pub collector: Option<String>,
    pub baseline: Option<Decimal>,
    pub baseline_on: NaiveDate,
    pub created_by: String,
}

fn decimal(r: &crate::store::db::Row<'_>, i: usize) -> rusqlite::Result<Option<Decimal>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| s.parse().ok()))
}

pub fn insert<'c>(conn: impl Into<Db<'c>>, o: &ObjectiveRow) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO objectives (kpi, target, by_date, collector, baseline, baseline_on, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        o.kpi.as_str(),
        o.target.to_string(),
        o.by,
        o.collector,
        o.baseline.map(|b| b.to_string()),
        o.baseline_on,
        o.created_by
    ])?;
    Ok(conn.last_insert_rowid()?)
}

const COLUMNS: &str = "id, kpi, target, by_date, collector, baseline, baseline_on, created_by";

fn from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<ObjectiveRow> {
    let kpi: String = r.get(1)?;
    Ok(ObjectiveRow {
        id: r.get(0)?,
        kpi: kpi.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?,
        target: decimal(r, 2)?.unwrap_or_default(),
        by: r.get(3)?,
        collector: r.get(4)?,
        baseline: decimal(r, 5)?,
        baseline_on: r.get(6)?,
        created_by: r.get(7)?,
    })
}

/// Objectives set by `as_of` and not removed by then.
pub fn active<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate) -> Result<Vec<ObjectiveRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM objectives WHERE baseline_on <= ?1 AND (removed_on IS NULL OR removed_on > ?1) ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([as_of], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get<'c>(conn: impl Into<Db<'c>>, id: i64) -> Result<Option<ObjectiveRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM objectives WHERE id = ?1 AND removed_on IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// Removes an objective; false when there was none to remove.
pub fn remove<'c>(conn: impl Into<Db<'c>>, id: i64, on: NaiveDate, by: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let n = conn
        .prepare_cached(
            "UPDATE objectives SET removed_on = ?2, removed_by = ?3 WHERE id = ?1 AND removed_on IS NULL",
        )?
        .execute(params![id, on, by])?;
    Ok(n == 1)
}
