//! Collection cycles and the steps done in them.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use crate::strategy::Action;
use crate::strategy::engine::{CycleState, DoneStep};

/// How a step was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// By the daily run.
    Auto,
    /// By a person finishing its task.
    Task,
    /// Not done: the customer cannot be contacted that way and the strategy says skip.
    Skipped,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Auto => "auto",
            How::Task => "task",
            How::Skipped => "skipped",
        }
    }
}

/// The cycle an account is in as of `as_of`, with its last step done by then.
pub fn open_cycle<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<CycleState>> {
    let conn: Db<'c> = conn.into();
    let row = conn
        .prepare_cached(
            "SELECT id, strategy_id, started_on FROM cycles
             WHERE customer_id = ?1 AND started_on <= ?2 AND (ended_on IS NULL OR ended_on > ?2)
             ORDER BY started_on DESC, id DESC LIMIT 1",
        )?
        .query_row(params![customer_id, as_of], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, NaiveDate>(2)?,
            ))
        })
        .optional()?;
    let Some((id, strategy_id, started_on)) = row else {
        return Ok(None);
    };
    Ok(Some(CycleState {
        id,
        strategy_id,
        started_on,
        last_step: last_step(conn, id, as_of)?,
    }))
}

/// The last step done in a cycle on or before `as_of`.
pub fn last_step<'c>(
    conn: impl Into<Db<'c>>,
    cycle_id: i64,
    as_of: NaiveDate,
) -> Result<Option<DoneStep>> {
    let conn: Db<'c> = conn.into();
    let row = conn
        .prepare_cached(
            "SELECT step_index, done_on FROM steps_done WHERE cycle_id = ?1 AND done_on <= ?2
             ORDER BY step_index DESC LIMIT 1",
        )?
        .query_row(params![cycle_id, as_of], |r| {
            Ok(DoneStep {
                index: r.get::<_, i64>(0)? as usize,
                done_on: r.get(1)?,
            })
        })
        .optional()?;
    Ok(row)
}

/// The id of the step last done (for display), if any.
pub fn last_step_id<'c>(
    conn: impl Into<Db<'c>>,
    cycle_id: i64,
    as_of: NaiveDate,
) -> Result<Option<String>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT step_id FROM steps_done WHERE cycle_id = ?1 AND done_on <= ?2 ORDER BY step_index DESC LIMIT 1")?
        .query_row(params![cycle_id, as_of], |r| r.get(0))
        .optional()?)
}

pub fn start<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    strategy_id: &str,
    on: NaiveDate,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO cycles (customer_id, strategy_id, started_on) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![customer_id, strategy_id, on])?;
    Ok(conn.last_insert_rowid()?)
}

pub fn end<'c>(conn: impl Into<Db<'c>>, cycle_id: i64, on: NaiveDate, reason: &str) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("UPDATE cycles SET ended_on = ?2, end_reason = ?3 WHERE id = ?1")?
        .execute(params![cycle_id, on, reason])?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn record_step<'c>(
    conn: impl Into<Db<'c>>,
    cycle_id: i64,
    customer_id: &str,
    index: usize,
    step_id: &str,
    action: Action,
    on: NaiveDate,
    how: How,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    // The version of the cycle's strategy in force that day.
    conn.prepare_cached(
        "INSERT INTO steps_done (cycle_id, customer_id, step_index, step_id, action, done_on, how, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE((SELECT MAX(v.version) FROM strategy_versions v
             WHERE v.strategy_id = (SELECT strategy_id FROM cycles WHERE id = ?1) AND v.loaded_on <= ?6), 1))",
    )?
    .execute(params![cycle_id, customer_id, index as i64, step_id, action, on, how.as_str()])?;
    Ok(())
}

/// The accounts in a collection cycle on `as_of`.
pub fn customers_in_cycle<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<std::collections::HashSet<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id FROM cycles WHERE started_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1)",
    )?;
    let rows = stmt.query_map([as_of], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
