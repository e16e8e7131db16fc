//! The daily runs that were done, with their summaries.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::params;

use super::Result;

/// The latest date a daily run was done for.
pub fn last_as_of<'c>(conn: impl Into<Db<'c>>) -> Result<Option<NaiveDate>> {
    let conn: Db<'c> = conn.into();
    Ok(conn.query_row("SELECT MAX(as_of) FROM runs", [], |r| r.get(0))?)
}

pub fn insert<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    at: &str,
    by: &str,
    summary: &str,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("INSERT INTO runs (as_of, at, by, summary) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![as_of, at, by, summary])?;
    Ok(())
}
