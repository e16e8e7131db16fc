//! Days late kept from one close to the next (migration 0012). The whole shop's days
//! late ([`prevention::days_late_scan`]) read every settled invoice of the shop each
//! day, although they change only for customers whose invoices or money moved. The
//! lists are kept in `days_late_kept`; triggers name every customer whose invoices or
//! allocations change in `days_late_dirty`; a close reads the kept lists, computes the
//! named customers again from their own invoices ([`prevention::days_late_of`]), and
//! keeps what it computed. The answer is the scan's, customer for customer (tests hold it).
//!
//! On a server (team mode) nothing is kept: the scan runs as before.

use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use super::db::Db;
use super::prevention;
use super::sql::text_at;
use crate::fasthash::FastMap;

/// The tables of migration 0012: derived, so not copied between backends.
pub const TABLES: [&str; 3] = ["days_late_kept", "days_late_dirty", "days_late_filled"];

/// Above this many named customers (and a quarter of those kept), the shop is scanned
/// whole and every list kept again: after a large import, say.
const RESCAN_FROM: u64 = 2_000;

/// Whether a read may bring the kept lists up to date (inside a write transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Read only: named customers are computed, nothing is written.
    Read,
    /// Write what was computed, so the next close starts from it.
    Write,
}

/// What the kept lists can answer for `as_of`.
struct State {
    /// The latest day the lists were brought up to date, if they were.
    filled: Option<NaiveDate>,
    /// The latest day any invoice or allocation of the shop is dated.
    latest_row: Option<NaiveDate>,
    dirty: u64,
    kept: u64,
}

fn state(conn: Db<'_>) -> Result<State> {
    let day = |sql: &str| -> Result<Option<NaiveDate>> {
        Ok(conn
            .query_row(sql, [], |r| r.get::<_, Option<NaiveDate>>(0))
            .optional()?
            .flatten())
    };
    let count = |sql: &str| -> Result<u64> {
        Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))?.max(0) as u64)
    };
    let latest_row =
        day("SELECT MAX(date) FROM allocations")?.max(day("SELECT MAX(issue_date) FROM invoices")?);
    Ok(State {
        filled: day("SELECT MAX(as_of) FROM days_late_filled")?,
        latest_row,
        dirty: count("SELECT COUNT(*) FROM days_late_dirty")?,
        kept: count("SELECT COUNT(*) FROM days_late_kept")?,
    })
}

/// The days late of every `wanted` customer as of `as_of`, as
/// [`prevention::days_late_scan`] gives them (customers with none are left out).
pub fn days_late<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    wanted: &dyn Fn(&str) -> bool,
    keep: Keep,
) -> Result<Vec<(String, Vec<i64>)>> {
    let conn: Db<'c> = conn.into();
    if matches!(conn, Db::Pg(_)) {
        return prevention::days_late_scan(conn, as_of, wanted);
    }
    let st = state(conn)?;
    // Lists kept now hold for later days only when nothing in the shop is dated
    // after `as_of` (a row dated later, already there, would join them then).
    let may_write = keep == Keep::Write && st.latest_row.is_none_or(|d| d <= as_of);
    let usable = st.filled.is_some_and(|f| f <= as_of);
    if !usable || st.dirty > RESCAN_FROM.max(st.kept / 4) {
        if !may_write {
            return prevention::days_late_scan(conn, as_of, wanted);
        }
        let all = prevention::days_late_scan(conn, as_of, &|_| true)?;
        conn.execute_batch(
            "DELETE FROM days_late_kept; DELETE FROM days_late_dirty; DELETE FROM days_late_filled;",
        )?;
        write_lists(
            conn,
            as_of,
            all.iter().map(|(c, d)| (c.as_str(), d.as_slice())),
        )?;
        conn.execute("INSERT INTO days_late_filled (as_of) VALUES (?1)", [as_of])?;
        return Ok(all.into_iter().filter(|(c, _)| wanted(c)).collect());
    }

    let dirty: Vec<String> = conn
        .prepare("SELECT customer_id FROM days_late_dirty ORDER BY customer_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut fresh: FastMap<String, Vec<i64>> = FastMap::default();
    if !dirty.is_empty() {
        fresh.extend(prevention::days_late_of(conn, as_of, &dirty)?);
    }
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT customer_id, days FROM days_late_kept")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let cid = text_at(&r, 0)?;
            if !wanted(cid) || dirty.binary_search_by(|d| d.as_str().cmp(cid)).is_ok() {
                continue;
            }
            match parse(text_at(&r, 1)?) {
                Some(days) => out.push((cid.to_string(), days)),
                None => unreadable.push(cid.to_string()),
            }
        }
    }
    if !unreadable.is_empty() {
        unreadable.sort_unstable();
        out.extend(prevention::days_late_of(conn, as_of, &unreadable)?);
    }
    if may_write && !dirty.is_empty() {
        let mut gone = conn.prepare("DELETE FROM days_late_kept WHERE customer_id = ?1")?;
        for cid in &dirty {
            if !fresh.contains_key(cid) {
                gone.execute([cid])?;
            }
        }
        write_lists(
            conn,
            as_of,
            fresh.iter().map(|(c, d)| (c.as_str(), d.as_slice())),
        )?;
        conn.execute("DELETE FROM days_late_dirty", [])?;
    }
    if may_write {
        conn.execute("UPDATE days_late_filled SET as_of = ?1", [as_of])?;
    }
    out.extend(fresh.into_iter().filter(|(c, _)| wanted(c)));
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn write_lists<'a>(
    conn: Db<'_>,
    as_of: NaiveDate,
    lists: impl Iterator<Item = (&'a str, &'a [i64])>,
) -> Result<()> {
    let mut put = conn.prepare(
        "INSERT OR REPLACE INTO days_late_kept (customer_id, as_of, days) VALUES (?1, ?2, ?3)",
    )?;
    let mut text = String::new();
    for (cid, days) in lists {
        text.clear();
        for (i, d) in days.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let _ = write!(text, "{d}");
        }
        put.execute(params![cid, as_of, text])?;
    }
    Ok(())
}

/// A kept list ("12,0,3"), or `None` when it is not one (a file edited by hand): the
/// customer is then computed again rather than trusted.
fn parse(text: &str) -> Option<Vec<i64>> {
    text.split(',').map(|d| d.parse().ok()).collect()
}
