//! The daily runs that were done, with their summaries.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::Result;

/// The latest date a daily run was done for.
pub fn last_as_of(conn: &Connection) -> Result<Option<NaiveDate>> {
    Ok(conn.query_row("SELECT MAX(as_of) FROM runs", [], |r| r.get(0))?)
}

pub fn insert(
    conn: &Connection,
    as_of: NaiveDate,
    at: &str,
    by: &str,
    summary: &str,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO runs (as_of, at, by, summary) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![as_of, at, by, summary])?;
    Ok(())
}
