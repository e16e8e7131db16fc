//! Customers (accounts) and their owners.

use super::db::{Db, Row};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql, params};

use super::Result;
use crate::domain::Customer;

pub(crate) const COLUMNS: &str = "id, name, email, phone, segment, risk, owner, credit_limit, opt_out, white_glove, strategy, risk_set";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        phone: r.get(3)?,
        segment: r.get(4)?,
        risk: r.get(5)?,
        owner: r.get(6)?,
        credit_limit: r.get(7)?,
        opt_out: r.get(8)?,
        white_glove: r.get(9)?,
        strategy: r.get(10)?,
        risk_set: r.get(11)?,
    })
}

/// One customer, with its payment-behaviour class applied to its risk when the shop
/// gave none ([`Customer::with_behaviour`]).
pub fn get<'c>(conn: impl Into<Db<'c>>, id: &str) -> Result<Option<Customer>> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT class FROM customer_behaviour WHERE customer_id = ?1) FROM customers WHERE id = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| Ok(from_row(r)?.with_behaviour(r.get(12)?)))
        .optional()?)
}

/// Every customer as stored (its risk the one the shop gave, `normal` when none), or
/// only those owned by `owner`, ordered by id.
pub fn list<'c>(conn: impl Into<Db<'c>>, owner: Option<&str>) -> Result<Vec<Customer>> {
    let conn: Db<'c> = conn.into();
    let sql = match owner {
        Some(_) => format!("SELECT {COLUMNS} FROM customers WHERE owner = ?1 ORDER BY id"),
        None => format!("SELECT {COLUMNS} FROM customers ORDER BY id"),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = match owner {
        Some(o) => stmt
            .query_map([o], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => stmt
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows)
}

pub fn count<'c>(conn: impl Into<Db<'c>>) -> Result<u64> {
    let conn: Db<'c> = conn.into();
    Ok(conn.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get::<_, i64>(0))? as u64)
}

/// The customer's fields in [`COLUMNS`] order, for binding.
fn bound(c: &Customer) -> [&dyn ToSql; 12] {
    [
        &c.id,
        &c.name,
        &c.email,
        &c.phone,
        &c.segment,
        &c.risk,
        &c.owner,
        &c.credit_limit,
        &c.opt_out,
        &c.white_glove,
        &c.strategy,
        &c.risk_set,
    ]
}

/// Inserts a customer.
pub fn insert<'c>(conn: impl Into<Db<'c>>, c: &Customer, created_on: NaiveDate) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let sql = format!(
        "INSERT INTO customers ({COLUMNS}, created_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    );
    let created: &dyn ToSql = &created_on;
    conn.prepare_cached(&sql)?
        .execute(bound(c).into_iter().chain([created]).collect::<Vec<_>>())?;
    Ok(())
}

/// Replaces everything about a customer but its id (and address).
pub fn update<'c>(conn: impl Into<Db<'c>>, c: &Customer) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, email = ?3, phone = ?4, segment = ?5, risk = ?6, owner = ?7, credit_limit = ?8,
             opt_out = ?9, white_glove = ?10, strategy = ?11, risk_set = ?12 WHERE id = ?1",
    )?
    .execute(bound(c))?;
    Ok(())
}

pub fn set_owner<'c>(conn: impl Into<Db<'c>>, id: &str, owner: Option<&str>) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("UPDATE customers SET owner = ?2 WHERE id = ?1")?
        .execute(params![id, owner])?;
    Ok(())
}

/// Every customer id, for imports that check many rows against them.
pub fn ids<'c>(conn: impl Into<Db<'c>>) -> Result<std::collections::HashSet<String>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare("SELECT id FROM customers")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every customer that has a collector, as (id, collector).
pub fn owners<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<(String, String)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT id, owner FROM customers INDEXED BY customers_owner WHERE owner IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn exists<'c>(conn: impl Into<Db<'c>>, id: &str) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .exists([id])?)
}

/// A customer's postal address (lines separated by newlines), for letters.
pub fn address<'c>(conn: impl Into<Db<'c>>, id: &str) -> Result<Option<String>> {
    let conn: Db<'c> = conn.into();
    Ok(conn
        .prepare_cached("SELECT address FROM customers WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .filter(|a| !a.trim().is_empty()))
}

/// Sets (or, with `None`, clears) a customer's postal address.
pub fn set_address<'c>(conn: impl Into<Db<'c>>, id: &str, address: Option<&str>) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached("UPDATE customers SET address = ?2 WHERE id = ?1")?
        .execute(params![id, address])?;
    Ok(())
}
