//! Accounts placed with a collection agency or attorney, and recalled.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use crate::strategy::engine::Placement;

pub fn place<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    agency: &str,
    on: NaiveDate,
    by: &str,
    note: &str,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO placements (customer_id, agency, placed_on, placed_by, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![customer_id, agency, on, by, note])?;
    Ok(conn.last_insert_rowid()?)
}

/// Ends the open placement; false when there was none.
pub fn recall<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    on: NaiveDate,
    by: &str,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let changed = conn
        .prepare_cached(
            "UPDATE placements SET recalled_on = ?2, recalled_by = ?3 WHERE customer_id = ?1 AND recalled_on IS NULL",
        )?
        .execute(params![customer_id, on, by])?;
    Ok(changed == 1)
}

/// The placement in force on `as_of`, if any.
pub fn placement<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Option<Placement>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached(
            "SELECT agency, placed_on FROM placements WHERE customer_id = ?1 AND placed_on <= ?2
             AND (recalled_on IS NULL OR recalled_on > ?2) ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![customer_id, as_of], |r| {
            Ok(Placement {
                agency: r.get(0)?,
                since: r.get(1)?,
            })
        })
        .optional()?)
}

/// Every placement in force on `as_of`, by customer.
pub fn placements<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<Vec<(String, Placement)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, agency, placed_on FROM placements WHERE placed_on <= ?1
         AND (recalled_on IS NULL OR recalled_on > ?1) ORDER BY customer_id",
    )?;
    let rows = stmt.query_map([as_of], |r| {
        Ok((
            r.get(0)?,
            Placement {
                agency: r.get(1)?,
                since: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
