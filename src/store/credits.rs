//! Credits read from an accounting report (credit memos, credit notes, refunds):
//! allocations of kind `credit` whose `ref` names the credit, applied to the
//! customer's open invoices oldest due first on the credit's date. A credit is not
//! money received, so it has no row in `payments` and never counts as collected.

use std::collections::HashMap;

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::params;

use super::Result;
use super::ledger::{self, AllocationKind};
use crate::domain::Money;
use crate::domain::account::allocate_oldest_first;

/// Has a credit with this reference been applied before?
pub fn exists<'c>(conn: impl Into<Db<'c>>, reference: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT 1 FROM allocations WHERE kind = 'credit' AND ref = ?1 LIMIT 1")?
        .exists([reference])?)
}

/// Applies a credit of `amount` to the customer's open invoices, those issued by
/// `date` first, oldest due first. Returns the shares as (invoice, amount) and
/// what found nothing open to go to.
pub fn apply<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    date: NaiveDate,
    amount: Money,
    reference: &str,
) -> Result<(Vec<(String, Money)>, Money)> {
    let conn: Db<'c> = conn.into();
    let open = ledger::open_invoices(conn, customer_id)?;
    let mut left = amount;
    let mut applied = Vec::new();
    for issued_by_then in [true, false] {
        let pool: Vec<(NaiveDate, &str, Money)> = open
            .iter()
            .filter(|i| (i.issue_date <= date) == issued_by_then)
            .map(|i| (i.due_date, i.invoice_no.as_str(), i.balance))
            .collect();
        let (shares, rest) = allocate_oldest_first(left, &pool);
        for (i, share) in shares {
            ledger::allocate(
                conn,
                pool[i].1,
                customer_id,
                date,
                share,
                AllocationKind::Credit,
                None,
            )?;
            conn.prepare_cached("UPDATE allocations SET ref = ?1 WHERE id = last_insert_rowid()")?
                .execute([reference])?;
            applied.push((pool[i].1.to_string(), share));
        }
        left = rest;
    }
    Ok((applied, left))
}

/// Per invoice, how much of its balance the given credits (by reference) and
/// payments (by id) took, counting of each item at most `open`, what is still
/// open of it (a report lists only that part as unapplied; the rest the accounting
/// system has applied itself, so the invoice balances it shows include it). The
/// latest allocations of an item count first.
pub fn taken_by<'c>(
    conn: impl Into<Db<'c>>,
    credits: &[(String, Money)],
    payments: &[(String, Money)],
) -> Result<HashMap<String, Money>> {
    let conn: Db<'c> = conn.into();
    let mut out: HashMap<String, Money> = HashMap::new();
    let mut by_credit = conn.prepare_cached(
        "SELECT invoice_no, amount FROM allocations WHERE kind = 'credit' AND ref = ?1 ORDER BY id DESC",
    )?;
    let mut by_payment = conn.prepare_cached(
        "SELECT invoice_no, amount FROM allocations WHERE payment_id = ?1 ORDER BY id DESC",
    )?;
    for (stmt, items) in [(&mut by_credit, credits), (&mut by_payment, payments)] {
        for (id, open) in items {
            let rows = stmt.query_map(params![id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Money>(1)?))
            })?;
            let mut left = *open;
            for row in rows {
                let (no, amount) = row?;
                let share = amount.min(left);
                if !share.is_positive() {
                    break;
                }
                *out.entry(no).or_insert(Money::ZERO) += share;
                left -= share;
            }
        }
    }
    Ok(out)
}
