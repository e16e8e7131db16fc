//! `arq audit verify --deep`: every state table checked against what the record
//! says. The events are read once and replayed into what the tables must hold —
//! payments and how they were applied, credits and adjustments, each customer's
//! collector, each user's role, calls, promises, holds and disputes — and every row
//! that disagrees, or that the record never mentions, is named.
//!
//! Ledger rows that arrive in bulk (invoices from an import, payments an import
//! infers from a lower balance, a demo's history) carry no event of their own; they
//! are checked against each other instead: an invoice's balance is its amount less
//! its allocations, and such a payment is applied in full.

mod ledger;
mod people;
mod replay;

use crate::store::db::Db;
use serde::Serialize;

use super::Result;

/// One row that does not agree with the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The table the row is in (or should be in).
    pub table: &'static str,
    /// The row's key: `P-0001`, `INV-1001`, `#12`, a user or customer id.
    pub row: String,
    pub what: String,
    /// The event that says otherwise, when one does.
    pub event: Option<i64>,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.table, self.row, self.what)?;
        if let Some(seq) = self.event {
            write!(f, " (event {seq})")?;
        }
        Ok(())
    }
}

pub(super) struct Found(Vec<Disagreement>);

impl Found {
    fn add(
        &mut self,
        table: &'static str,
        row: impl Into<String>,
        what: impl Into<String>,
        event: Option<i64>,
    ) {
        self.0.push(Disagreement {
            table,
            row: row.into(),
            what: what.into(),
            event,
        });
    }
}

/// Adds "FIELD is X, the record says Y" to `out` when the record says otherwise.
pub(super) fn differs<T: PartialEq + std::fmt::Display>(
    out: &mut Vec<String>,
    field: &str,
    table_value: T,
    record: Option<T>,
) {
    if let Some(want) = record
        && want != table_value
    {
        out.push(format!("{field} is {table_value}, the record says {want}"));
    }
}

/// An optional text for a sentence.
pub(super) fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(none)".to_string())
}

/// Checks every state table against the record; an empty list means they agree.
pub fn check<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<Disagreement>> {
    let conn: Db<'c> = conn.into();
    let mut f = Found(Vec::new());
    let mut r = replay::replay(conn, &mut f)?;
    ledger::balances(conn, &mut f)?;
    ledger::credits_and_adjustments(conn, &r, &mut f)?;
    ledger::payments(conn, &mut r, &mut f)?;
    people::owners(conn, &r, &mut f)?;
    people::roles(conn, &r, &mut f)?;
    people::calls(conn, &mut r, &mut f)?;
    people::promises(conn, &mut r, &mut f)?;
    people::holds(conn, &mut r, &mut f)?;
    people::disputes(conn, &mut r, &mut f)?;
    Ok(f.0)
}

/// Customers whose collector the record does not explain: (customer, collector).
/// A database keyed for the first time records these as found, so that later
/// checks start from a known state.
pub fn unexplained_owners<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<(String, String)>> {
    let conn: Db<'c> = conn.into();
    let mut f = Found(Vec::new());
    let r = replay::replay(conn, &mut f)?;
    let mut out = Vec::new();
    let mut stmt =
        conn.prepare("SELECT id, owner FROM customers WHERE owner IS NOT NULL ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let owner: String = row.get(1)?;
        if r.owners
            .get(&id)
            .is_none_or(|(_, w)| w.as_deref() != Some(owner.as_str()))
        {
            out.push((id, owner));
        }
    }
    Ok(out)
}
