//! SQLite's own checks of the file: `PRAGMA quick_check` (every page and record is
//! well-formed; what `arq run` does before it works) and `PRAGMA integrity_check`
//! (also every index against its table; what `arq audit verify` does).

use super::db::Db;

use super::Result;

/// What SQLite found wrong; empty when the file is sound. At most `limit` problems.
fn check(conn: Db<'_>, pragma: &str, limit: u32) -> Result<Vec<String>> {
    // A server keeps its own files (and checks its own pages); there is no file of
    // arq's to check.
    let Db::Lite(conn) = conn else {
        return Ok(Vec::new());
    };
    let run = || -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare(&format!("PRAGMA {pragma}({limit})"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            let line = r?;
            if line != "ok" {
                out.push(line);
            }
        }
        Ok(out)
    };
    match run() {
        Ok(v) => Ok(v),
        // A file damaged badly enough makes the check itself fail: that is its answer.
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ) =>
        {
            Ok(vec![e.to_string()])
        }
        Err(e) => Err(e.into()),
    }
}

/// `PRAGMA quick_check`: pages and records, not indexes against tables.
pub fn quick_check<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<String>> {
    check(conn.into(), "quick_check", 20)
}

/// `PRAGMA integrity_check`: everything `quick_check` does, and indexes.
pub fn integrity_check<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<String>> {
    check(conn.into(), "integrity_check", 100)
}
