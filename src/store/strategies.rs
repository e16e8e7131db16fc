//! Loaded strategies, kept as their TOML source so `strategy show` prints what was
//! loaded and the engine always reads through the same validation.

use rusqlite::{Connection, params};

use super::{Result, StoreError};
use crate::strategy::{Strategy, StrategyBook, parse_strategy};

/// One stored strategy file.
#[derive(Debug, Clone)]
pub struct StoredStrategy {
    pub id: String,
    pub file: String,
    pub source: String,
}

pub fn list(conn: &Connection) -> Result<Vec<StoredStrategy>> {
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
pub fn put(conn: &Connection, s: &Strategy, source: &str, file: &str, at: &str) -> Result<()> {
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
pub fn book(conn: &Connection) -> Result<StrategyBook> {
    let mut out = Vec::new();
    for s in list(conn)? {
        let parsed = parse_strategy(&s.file, &s.source, &|_| true)
            .map_err(|e| StoreError::Corrupt(format!("stored strategy '{}': {e}", s.id)))?;
        out.push(parsed);
    }
    Ok(StrategyBook::new(out))
}
