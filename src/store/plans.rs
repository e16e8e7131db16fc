//! Payment plans and their installments. Every "as of" query ignores rows dated after
//! the day, so a past day replays exactly.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use crate::domain::{Money, PlanStatus};
use crate::strategy::engine::OpenPlan;

pub fn insert_plan<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    on: NaiveDate,
    by: &str,
    grace_days: u32,
    note: &str,
    installments: &[(NaiveDate, Money)],
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO plans (customer_id, created_on, created_by, grace_days, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![customer_id, on, by, grace_days, note])?;
    let id = conn.last_insert_rowid()?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO plan_installments (plan_id, seq, due, amount) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, (due, amount)) in installments.iter().enumerate() {
        stmt.execute(params![id, i as i64 + 1, due, amount])?;
    }
    Ok(id)
}

fn installments<'c>(conn: impl Into<Db<'c>>, plan_id: i64) -> Result<Vec<(NaiveDate, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT due, amount FROM plan_installments WHERE plan_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([plan_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The plan current as of `as_of`, if any.
pub fn current_plan<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<OpenPlan>> {
    let conn: Db<'c> = conn.into();
    let row = conn
        .prepare_cached(
            "SELECT id, created_on, grace_days FROM plans WHERE customer_id = ?1 AND created_on <= ?2
             AND (ended_on IS NULL OR ended_on > ?2) ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![customer_id, as_of], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, NaiveDate>(1)?, r.get::<_, u32>(2)?))
        })
        .optional()?;
    let Some((id, created_on, grace_days)) = row else {
        return Ok(None);
    };
    Ok(Some(OpenPlan {
        id,
        created_on,
        grace_days,
        installments: installments(conn, id)?,
    }))
}

/// Ends a plan that is still current: broken, completed or cancelled. Returns false,
/// changing nothing, when it had already ended.
pub fn end_plan<'c>(
    conn: impl Into<Db<'c>>,
    id: i64,
    status: PlanStatus,
    on: NaiveDate,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE plans SET status = ?2, ended_on = ?3 WHERE id = ?1 AND ended_on IS NULL",
        )?
        .execute(params![id, status, on])?;
    Ok(changed == 1)
}

/// A plan as it stood on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub plan_id: i64,
    pub status: PlanStatus,
    pub created_on: NaiveDate,
    pub created_by: String,
    pub grace_days: u32,
    pub note: String,
    pub installments: Vec<(NaiveDate, Money)>,
}

/// An account's plans made by `as_of`, newest first, each with its status then.
pub fn plans_for<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<PlanRow>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id, CASE WHEN ended_on IS NOT NULL AND ended_on <= ?2 THEN status ELSE 'current' END,
                created_on, created_by, grace_days, note
         FROM plans WHERE customer_id = ?1 AND created_on <= ?2 ORDER BY id DESC",
    )?;
    let rows = stmt
        .query_map(params![customer_id, as_of], |r| {
            Ok(PlanRow {
                plan_id: r.get(0)?,
                status: r.get(1)?,
                created_on: r.get(2)?,
                created_by: r.get(3)?,
                grace_days: r.get(4)?,
                note: r.get(5)?,
                installments: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for mut p in rows {
        p.installments = installments(conn, p.plan_id)?;
        out.push(p);
    }
    Ok(out)
}

/// The customer of a plan.
pub fn plan_customer<'c>(conn: impl Into<Db<'c>>, plan_id: i64) -> Result<Option<String>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT customer_id FROM plans WHERE id = ?1")?
        .query_row([plan_id], |r| r.get(0))
        .optional()?)
}
