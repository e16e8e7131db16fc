//! Invoices, payments and allocations: the dated records balances come from.
//!
//! `invoices.balance` caches amount − every allocation; a balance as of an earlier
//! date adds back the allocations dated after it, so any past day replays exactly.

use std::collections::{HashMap, HashSet};

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Result;
use crate::domain::account::allocate_oldest_first;
use crate::domain::{InvoicePosition, Money};

/// An invoice as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    pub invoice_no: String,
    pub customer_id: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Money,
    /// Balance after every allocation, whatever its date.
    pub balance: Money,
}

/// Why an allocation changed a balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationKind {
    Payment,
    /// A credit note, e.g. from a dispute resolved as valid.
    Credit,
    WriteOff,
    /// A correction from an import (negative raises the balance).
    Adjustment,
}

impl AllocationKind {
    fn as_str(self) -> &'static str {
        match self {
            AllocationKind::Payment => "payment",
            AllocationKind::Credit => "credit",
            AllocationKind::WriteOff => "write_off",
            AllocationKind::Adjustment => "adjustment",
        }
    }
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub payment_id: String,
    pub customer_id: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub invoice_no: Option<String>,
    pub source: String,
}

const INVOICE_COLUMNS: &str = "invoice_no, customer_id, issue_date, due_date, amount, balance";

fn invoice_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<InvoiceRow> {
    Ok(InvoiceRow {
        invoice_no: r.get(0)?,
        customer_id: r.get(1)?,
        issue_date: r.get(2)?,
        due_date: r.get(3)?,
        amount: r.get(4)?,
        balance: r.get(5)?,
    })
}

pub fn get_invoice<'c>(conn: impl Into<Db<'c>>, invoice_no: &str) -> Result<Option<InvoiceRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE invoice_no = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([invoice_no], invoice_from_row)
        .optional()?)
}

/// Every known invoice by number: (customer, amount, current balance). For imports.
pub fn invoice_index<'c>(
    conn: impl Into<Db<'c>>,
) -> Result<HashMap<String, (String, Money, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare("SELECT invoice_no, customer_id, amount, balance FROM invoices")?;
    let mut rows = stmt.query([])?;
    let mut map = HashMap::new();
    while let Some(r) = rows.next()? {
        map.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
    }
    Ok(map)
}

pub fn insert_invoice<'c>(conn: impl Into<Db<'c>>, inv: &InvoiceRow) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let sql = format!("INSERT INTO invoices ({INVOICE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    conn.prepare_cached(&sql)?.execute(params![
        inv.invoice_no,
        inv.customer_id,
        inv.issue_date,
        inv.due_date,
        inv.amount,
        inv.balance
    ])?;
    Ok(())
}

/// Records that `amount` of an invoice was settled on `date` (or, negative, re-opened).
pub fn allocate<'c>(
    conn: impl Into<Db<'c>>,
    invoice_no: &str,
    customer_id: &str,
    date: NaiveDate,
    amount: Money,
    kind: AllocationKind,
    payment_id: Option<&str>,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO allocations (invoice_no, customer_id, date, amount, kind, payment_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![invoice_no, customer_id, date, amount, kind.as_str(), payment_id])?;
    conn.prepare_cached(
        "UPDATE invoices SET balance = balance - ?2,
                last_allocated_on = max(COALESCE(last_allocated_on, ?3), ?3)
         WHERE invoice_no = ?1",
    )?
    .execute(params![invoice_no, amount, date])?;
    Ok(())
}

/// A stored payment's customer, date and amount.
pub fn stored_payment<'c>(
    conn: impl Into<Db<'c>>,
    payment_id: &str,
) -> Result<Option<(String, NaiveDate, Money)>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT customer_id, date, amount FROM payments WHERE payment_id = ?1")?
        .query_row([payment_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

pub fn payment_exists<'c>(conn: impl Into<Db<'c>>, payment_id: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT 1 FROM payments WHERE payment_id = ?1")?
        .exists([payment_id])?)
}

/// Stores a payment and applies it: to its invoice first when it names one, then to
/// the customer's open invoices oldest due first. Returns what stayed unapplied
/// (a credit on the account).
pub fn record_payment<'c>(conn: impl Into<Db<'c>>, p: &PaymentRow) -> Result<Money> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO payments (payment_id, customer_id, date, amount, invoice_no, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![p.payment_id, p.customer_id, p.date, p.amount, p.invoice_no, p.source])?;
    let mut left = p.amount;
    if let Some(no) = &p.invoice_no
        && let Some(inv) = get_invoice(conn, no)?
        && inv.balance.is_positive()
    {
        let share = left.min(inv.balance);
        allocate(
            conn,
            no,
            &p.customer_id,
            p.date,
            share,
            AllocationKind::Payment,
            Some(&p.payment_id),
        )?;
        left -= share;
    }
    if left.is_positive() {
        let open = open_invoices(conn, &p.customer_id)?;
        // Invoices issued by the payment's date come first; later ones only take what is left.
        for issued_by_then in [true, false] {
            let pool: Vec<(NaiveDate, &str, Money)> = open
                .iter()
                .filter(|i| (i.issue_date <= p.date) == issued_by_then)
                .map(|i| (i.due_date, i.invoice_no.as_str(), i.balance))
                .collect();
            let (shares, rest) = allocate_oldest_first(left, &pool);
            for (i, share) in shares {
                allocate(
                    conn,
                    pool[i].1,
                    &p.customer_id,
                    p.date,
                    share,
                    AllocationKind::Payment,
                    Some(&p.payment_id),
                )?;
            }
            left = rest;
        }
    }
    Ok(left)
}

/// A customer's invoices with a positive current balance.
pub fn open_invoices<'c>(conn: impl Into<Db<'c>>, customer_id: &str) -> Result<Vec<InvoiceRow>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE customer_id = ?1 AND balance > 0 ORDER BY due_date, invoice_no"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([customer_id], invoice_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One customer's invoices as of a date (issued by then), with balances and open
/// disputed amounts as of that date. Includes settled invoices (balance 0).
pub fn positions<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<InvoicePosition>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT i.invoice_no, i.issue_date, i.due_date, i.amount,
                i.balance + COALESCE((SELECT SUM(a.amount) FROM allocations a WHERE a.invoice_no = i.invoice_no AND a.date > ?2), 0),
                COALESCE((SELECT SUM(d.amount) FROM disputes d WHERE d.invoice_no = i.invoice_no AND d.opened_on <= ?2
                          AND (d.resolved_on IS NULL OR d.resolved_on > ?2)), 0)
         FROM invoices i WHERE i.customer_id = ?1 AND i.issue_date <= ?2 ORDER BY i.due_date, i.invoice_no",
    )?;
    let rows = stmt.query_map(params![customer_id, as_of], |r| {
        Ok(InvoicePosition {
            invoice_no: r.get(0)?,
            issue_date: r.get(1)?,
            due_date: r.get(2)?,
            amount: r.get(3)?,
            balance: r.get(4)?,
            disputed: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A customer's payments dated within `[from, to]`, oldest first.
pub fn payments_between<'c>(
    conn: impl Into<Db<'c>>,
    customer_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT date, amount FROM payments WHERE customer_id = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY date, payment_id",
    )?;
    let rows = stmt.query_map(params![customer_id, from, to], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Money received within `[from, to]`, per customer.
pub fn collected_by_customer<'c>(
    conn: impl Into<Db<'c>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, Money>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached("SELECT customer_id, SUM(amount) FROM payments WHERE date BETWEEN ?1 AND ?2 GROUP BY customer_id")?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Money>(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The customer an invoice belongs to, if the invoice exists.
pub fn invoice_customer<'c>(conn: impl Into<Db<'c>>, invoice_no: &str) -> Result<Option<String>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT customer_id FROM invoices WHERE invoice_no = ?1")?
        .query_row([invoice_no], |r| r.get(0))
        .optional()?)
}

/// What an import needs to know about one stored invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownInvoice {
    pub customer_id: String,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub balance: Money,
}

/// Every stored invoice by number, read in one pass (imports compare against this
/// instead of looking each row up).
pub fn known_invoices<'c>(conn: impl Into<Db<'c>>) -> Result<HashMap<String, KnownInvoice>> {
    let conn: Db<'c> = conn.into();
    let mut stmt =
        conn.prepare("SELECT invoice_no, customer_id, due_date, amount, balance FROM invoices")?;
    let mut rows = stmt.query([])?;
    let mut map = HashMap::new();
    while let Some(r) = rows.next()? {
        map.insert(
            r.get(0)?,
            KnownInvoice {
                customer_id: r.get(1)?,
                due_date: r.get(2)?,
                amount: r.get(3)?,
                balance: r.get(4)?,
            },
        );
    }
    Ok(map)
}

/// Whether any payment id starts with `prefix`.
pub fn has_payment_ids_from<'c>(conn: impl Into<Db<'c>>, prefix: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let end = format!("{prefix}\u{10ffff}");
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM payments WHERE payment_id >= ?1 AND payment_id < ?2 LIMIT 1",
        )?
        .exists(params![prefix, end])?)
}

/// How many invoices are stored (counted over the smallest index).
pub fn invoice_count_estimate<'c>(conn: impl Into<Db<'c>>) -> Result<u64> {
    let conn: Db<'c> = conn.into();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM invoices", [], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

pub fn set_due_date<'c>(conn: impl Into<Db<'c>>, invoice_no: &str, due: NaiveDate) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("UPDATE invoices SET due_date = ?2 WHERE invoice_no = ?1")?
        .execute(params![invoice_no, due])?;
    Ok(())
}

/// Every invoice with a positive current balance: (invoice, customer, balance).
pub fn open_balances<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<(String, String, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT invoice_no, customer_id, balance FROM invoices WHERE balance > 0 ORDER BY invoice_no",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The invoices a payment was applied to, and how much went to each.
pub fn payment_allocations<'c>(
    conn: impl Into<Db<'c>>,
    payment_id: &str,
) -> Result<Vec<(String, Money)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_no, amount FROM allocations WHERE payment_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([payment_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `YYYY-MM-DD` written into a buffer, without a format string or an allocation
/// (bulk inserts bind millions of dates).
struct IsoDate([u8; 10]);

impl IsoDate {
    fn new(d: NaiveDate) -> IsoDate {
        use chrono::Datelike;
        let y = d.year().clamp(0, 9999) as u32;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let (m, day) = (d.month(), d.day());
        IsoDate([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
}

/// A new invoice for [`InvoiceBatch`], borrowed from the caller's row.
#[derive(Debug, Clone, Copy)]
pub struct NewInvoice<'a> {
    pub invoice_no: &'a str,
    pub customer_id: &'a str,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Money,
}

/// What was paid on a new invoice before arq knew it.
#[derive(Debug, Clone, Copy)]
pub struct PaidBefore<'a> {
    pub payment_id: &'a str,
    pub date: NaiveDate,
    pub amount: Money,
    pub source: &'a str,
}

/// Inserts many new invoices through statements prepared once (imports of whole
/// ledgers). An invoice partly paid before arq knew it is stored with the payment
/// that explains the difference: the same payment, allocation and balance that
/// [`record_payment`] would leave, in three inserts instead of six statements.
pub struct InvoiceBatch<'c> {
    invoice: crate::store::db::Statement<'c>,
    payment: crate::store::db::Statement<'c>,
    allocation: crate::store::db::Statement<'c>,
    /// On a server the rows are queued on the connection and go in bulk (a nightly
    /// load row by row held collectors' writes past the busy timeout); the numbers
    /// stored and queued answer "there already", as `INSERT OR IGNORE` does on a file.
    server: Option<(&'c crate::store::db::PgConn, HashSet<String>)>,
}

/// The bulk statements of [`InvoiceBatch`] on a server: each takes its rows as one
/// JSON array.
const INVOICES_ON_SERVER: &str = "INSERT INTO invoices (invoice_no, customer_id, issue_date, due_date, amount, balance, last_allocated_on)
     SELECT r.invoice_no, r.customer_id, r.issue_date, r.due_date, r.amount, r.balance, r.last_allocated_on
     FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS json))
          AS r(invoice_no TEXT, customer_id TEXT, issue_date DATE, due_date DATE, amount BIGINT,
               balance BIGINT, last_allocated_on DATE)";
const PAYMENTS_ON_SERVER: &str = "INSERT INTO payments (payment_id, customer_id, date, amount, invoice_no, source)
     SELECT r.payment_id, r.customer_id, r.date, r.amount, r.invoice_no, r.source
     FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS json))
          AS r(payment_id TEXT, customer_id TEXT, date DATE, amount BIGINT, invoice_no TEXT, source TEXT)";
const ALLOCATIONS_ON_SERVER: &str =
    "INSERT INTO allocations (invoice_no, customer_id, date, amount, kind, payment_id)
     SELECT r.invoice_no, r.customer_id, r.date, r.amount, 'payment', r.payment_id
     FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS json))
          AS r(invoice_no TEXT, customer_id TEXT, date DATE, amount BIGINT, payment_id TEXT)";

impl<'c> InvoiceBatch<'c> {
    /// `stored`: the numbers of the invoices already stored (the import has read
    /// them), which a server needs to answer "there already" without a look-up.
    pub fn new<'n>(
        conn: impl Into<Db<'c>>,
        stored: impl Iterator<Item = &'n String>,
    ) -> Result<InvoiceBatch<'c>> {
        let conn: Db<'c> = conn.into();
        Ok(InvoiceBatch {
            // The only uniqueness rule on invoices is the number: a repeat is reported,
            // not an error.
            invoice: conn.prepare(
                "INSERT OR IGNORE INTO invoices (invoice_no, customer_id, issue_date, due_date, amount, balance, last_allocated_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            payment: conn.prepare(
                "INSERT INTO payments (payment_id, customer_id, date, amount, invoice_no, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            allocation: conn.prepare(
                "INSERT INTO allocations (invoice_no, customer_id, date, amount, kind, payment_id) VALUES (?1, ?2, ?3, ?4, 'payment', ?5)",
            )?,
            server: match conn {
                // Every number there is (the write lock keeps it so) and every number
                // queued: what `INSERT OR IGNORE` would find.
                Db::Pg(server) => Some((server, stored.cloned().collect())),
                Db::Lite(_) => None,
            },
        })
    }

    /// [`InvoiceBatch::insert`] on a server: the rows queued, invoice before payment
    /// before allocation (the order they go in).
    fn queue(
        server: &crate::store::db::PgConn,
        inv: &NewInvoice<'_>,
        balance: Money,
        paid: Option<(&PaidBefore<'_>, &str)>,
    ) -> Result<()> {
        server.defer(
            INVOICES_ON_SERVER,
            serde_json::json!({
                "invoice_no": inv.invoice_no, "customer_id": inv.customer_id,
                "issue_date": IsoDate::new(inv.issue_date).as_str(),
                "due_date": IsoDate::new(inv.due_date).as_str(),
                "amount": inv.amount.to_minor(), "balance": balance.to_minor(),
                "last_allocated_on": paid.map(|(_, date)| date),
            }),
        )?;
        if let Some((p, date)) = paid {
            server.defer(
                PAYMENTS_ON_SERVER,
                serde_json::json!({
                    "payment_id": p.payment_id, "customer_id": inv.customer_id, "date": date,
                    "amount": p.amount.to_minor(), "invoice_no": inv.invoice_no, "source": p.source,
                }),
            )?;
            server.defer(
                ALLOCATIONS_ON_SERVER,
                serde_json::json!({
                    "invoice_no": inv.invoice_no, "customer_id": inv.customer_id, "date": date,
                    "amount": p.amount.to_minor(), "payment_id": p.payment_id,
                }),
            )?;
        }
        Ok(())
    }

    /// Inserts `inv` with balance `amount` less what was `paid` (which must not
    /// exceed the amount). Returns false, writing nothing, when an invoice with that
    /// number exists already.
    pub fn insert(&mut self, inv: &NewInvoice<'_>, paid: Option<&PaidBefore<'_>>) -> Result<bool> {
        let settled = paid.map_or(Money::ZERO, |p| p.amount);
        let (issue, due) = (IsoDate::new(inv.issue_date), IsoDate::new(inv.due_date));
        let paid_on = paid.map(|p| IsoDate::new(p.date));
        if let Some((server, queued)) = &mut self.server {
            if !queued.insert(inv.invoice_no.to_string()) {
                return Ok(false);
            }
            let paid = paid.zip(paid_on.as_ref().map(IsoDate::as_str));
            Self::queue(server, inv, inv.amount - settled, paid)?;
            return Ok(true);
        }
        let inserted = self.invoice.execute(params![
            inv.invoice_no,
            inv.customer_id,
            issue.as_str(),
            due.as_str(),
            inv.amount,
            inv.amount - settled,
            paid_on.as_ref().map(IsoDate::as_str)
        ])?;
        if inserted == 0 {
            return Ok(false);
        }
        if let (Some(p), Some(date)) = (paid, &paid_on) {
            let date = date.as_str();
            self.payment.execute(params![
                p.payment_id,
                inv.customer_id,
                date,
                p.amount,
                inv.invoice_no,
                p.source
            ])?;
            self.allocation.execute(params![
                inv.invoice_no,
                inv.customer_id,
                date,
                p.amount,
                p.payment_id
            ])?;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    #[test]
    fn iso_dates_are_written_by_hand() {
        for (y, m, d) in [(2026, 3, 1), (1999, 12, 31), (2024, 2, 29), (33, 1, 9)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
            assert_eq!(
                IsoDate::new(date).as_str(),
                date.format("%Y-%m-%d").to_string()
            );
        }
    }
}
