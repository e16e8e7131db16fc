//! Loaded strategies, kept as their TOML source so `strategy show` prints what was
//! loaded and the engine always reads through the same validation.

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Result, StoreError};
use crate::strategy::{Strategy, StrategyBook, parse_strategy};

/// One stored strategy file.
#[derive(Debug, Clone)]
pub struct StoredStrategy {
    pub id: String,
    pub file: String,
    pub source: String,
}

pub fn list<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<StoredStrategy>> {
    let conn: Db<'c> = conn.into();
    let mut stmt =
        conn.prepare_cached("SELECT id, file, source FROM strategies ORDER BY rank, id")?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredStrategy {
            id: r.get(0)?,
            file: r.get(1)?,
            source: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores a validated strategy (replacing one with the same id).
pub fn put<'c>(
    conn: impl Into<Db<'c>>,
    s: &Strategy,
    source: &str,
    file: &str,
    at: &str,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.execute(
        "INSERT INTO strategies (id, name, rank, is_default, source, file, loaded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, rank = excluded.rank, is_default = excluded.is_default,
             source = excluded.source, file = excluded.file, loaded_at = excluded.loaded_at",
        params![s.id, s.name, s.rank, s.is_default, source, file, at],
    )?;
    Ok(())
}

/// Parses every stored strategy into a book. Template names are not re-checked here:
/// they were checked when the strategy was loaded.
pub fn book<'c>(conn: impl Into<Db<'c>>) -> Result<StrategyBook> {
    let conn: Db<'c> = conn.into();
    let mut out = Vec::new();
    for s in list(conn)? {
        let parsed = parse_strategy(&s.file, &s.source, &|_| true)
            .map_err(|e| StoreError::Corrupt(format!("stored strategy '{}': {e}", s.id)))?;
        out.push(parsed);
    }
    Ok(StrategyBook::new(out))
}

/// One version of a strategy: the number, the day it was loaded and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub strategy_id: String,
    pub version: i64,
    pub loaded_on: NaiveDate,
    pub loaded_by: String,
}

/// Records a new version when `source` differs from the latest one (or there is
/// none); returns the version now in force and whether it is new.
pub fn add_version<'c>(
    conn: impl Into<Db<'c>>,
    id: &str,
    source: &str,
    on: NaiveDate,
    by: &str,
) -> Result<(i64, bool)> {
    let conn: Db<'c> = conn.into();
    let latest: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT version, source FROM strategy_versions WHERE strategy_id = ?1 ORDER BY version DESC LIMIT 1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match latest {
        Some((v, old)) if old == source => Ok((v, false)),
        other => {
            let v = other.map_or(1, |(v, _)| v + 1);
            conn.prepare_cached(
                "INSERT INTO strategy_versions (strategy_id, version, loaded_on, loaded_by, source) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, v, on, by, source])?;
            Ok((v, true))
        }
    }
}

/// Every version of every strategy, oldest first.
pub fn versions<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<Version>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT strategy_id, version, loaded_on, loaded_by FROM strategy_versions ORDER BY strategy_id, version",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Version {
            strategy_id: r.get(0)?,
            version: r.get(1)?,
            loaded_on: r.get(2)?,
            loaded_by: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
