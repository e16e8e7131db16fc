//! What the payment-behaviour estimates learn from, as of a date (`behaviour::Inputs`):
//! every customer's invoices paid by then — with the day the balance reached zero,
//! from the dated allocations — and those open then, which of them were disputed, and
//! the customer's broken promises. One pass over the invoices and their allocations,
//! never a query per customer; records dated after the day are ignored, so any past
//! day gives what it gave then.
//!
//! Not learned from: invoices closed without a payment (written off, credited), and
//! invoices settled by a balance an import reconciled (payment ids `import:NO:…`,
//! `snapshot:NO:…`): arq only knows they were paid by the day of that import.

use std::collections::HashMap;

use super::db::Db;
use chrono::NaiveDate;
use rusqlite::params;

use super::Result;
use super::snapshot::ids_json;
use super::sql::{date_at, text_at};
use crate::behaviour::evaluate::Actual;
use crate::behaviour::{CustomerHistory, Inputs, OpenInvoice, PaidInvoice};
use crate::domain::{Money, Risk};
use crate::fasthash::FastMap;

/// Whose records to gather.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    /// Every customer.
    All,
    /// The customers a collector owns.
    Owner(&'a str),
    /// These customers (a JSON array of ids, see `snapshot::ids_json`).
    Ids(&'a str),
}

impl Whose<'_> {
    /// ` AND {column} IN (…)` as parameter `?2`, or nothing.
    fn clause(self, column: &str) -> String {
        match self {
            Whose::All => String::new(),
            Whose::Owner(_) => {
                format!(" AND {column} IN (SELECT id FROM customers WHERE owner = ?2)")
            }
            Whose::Ids(_) => format!(" AND {column} IN (SELECT value FROM json_each(?2))"),
        }
    }

    fn query<'s>(
        self,
        stmt: &'s mut crate::store::db::Statement<'_>,
        as_of: NaiveDate,
    ) -> rusqlite::Result<crate::store::db::Rows<'s>> {
        match self {
            Whose::All => stmt.query(params![as_of]),
            Whose::Owner(v) | Whose::Ids(v) => stmt.query(params![as_of, v]),
        }
    }
}

/// Per invoice issued by `?1`: what its allocations dated by `?1` add up to, the day
/// of the last one, what payments brought and when the first came, and whether a
/// write-off or a balance reconciled by an import took part. `{scope}` narrows it.
fn ledger_sql(scope: &str) -> String {
    format!(
        "SELECT i.customer_id, i.invoice_no, i.issue_date, i.due_date, i.amount,
                COALESCE(SUM(a.amount), 0), MAX(a.date),
                COALESCE(SUM(CASE WHEN a.kind = 'payment' THEN a.amount END), 0),
                MIN(CASE WHEN a.kind = 'payment' THEN a.date END),
                COALESCE(MAX(CASE WHEN a.kind = 'write_off' THEN 1 ELSE 0 END), 0),
                COALESCE(MAX(CASE WHEN a.kind = 'payment' AND (a.payment_id LIKE 'import:' || i.invoice_no || ':%'
                                                  OR a.payment_id LIKE 'snapshot:' || i.invoice_no || ':%') THEN 1 ELSE 0 END), 0)
         FROM invoices i LEFT JOIN allocations a ON a.invoice_no = i.invoice_no AND a.date <= ?1
         WHERE i.issue_date <= ?1{scope}
         GROUP BY i.invoice_no"
    )
}

/// Every invoice issued by `as_of` with its ledger as of that day, in invoice order:
/// what [`ledger_sql`] gives, read as two passes over the tables (the money applied,
/// summed by invoice here, then the invoices) instead of a seek into the allocations
/// for each of a million invoices — for the whole shop, a third of the time.
fn every_ledger<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
    each: &mut dyn FnMut(&str, &str, Ledger),
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let mut money: FastMap<Box<str>, Applied> = FastMap::default();
    {
        // The whole table in its own order (the date index would send a lookup per
        // row for the payment id); the constant prefixes spare most rows the pattern
        // built from their invoice number.
        let sql = format!(
            "SELECT invoice_no, date, amount, kind,
                    CASE WHEN kind = 'payment' AND (payment_id LIKE 'import:%' OR payment_id LIKE 'snapshot:%')
                          AND (payment_id LIKE 'import:' || invoice_no || ':%'
                               OR payment_id LIKE 'snapshot:' || invoice_no || ':%') THEN 1 ELSE 0 END
             FROM allocations {} WHERE date <= ?1",
            conn.pick("NOT INDEXED", "")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            let no = text_at(&r, 0)?;
            let (day, amount): (NaiveDate, i64) = (date_at(&r, 1)?, r.get(2)?);
            let kind = text_at(&r, 3)?;
            let reconciled = r.get::<_, i64>(4)? != 0;
            let a = match money.get_mut(no) {
                Some(a) => a,
                None => money.entry(no.into()).or_default(),
            };
            a.add(day, amount, kind, reconciled);
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, invoice_no, issue_date, due_date, amount FROM invoices
         WHERE issue_date <= ?1 ORDER BY invoice_no",
    )?;
    let mut rows = stmt.query([as_of])?;
    while let Some(r) = rows.next()? {
        let no = text_at(&r, 1)?;
        let a = money.remove(no).unwrap_or_default();
        let l = Ledger {
            issued: date_at(&r, 2)?,
            due: date_at(&r, 3)?,
            amount: r.get(4)?,
            allocated: Money::from_minor(a.allocated),
            last_on: a.last_on,
            paid: Money::from_minor(a.paid),
            first_paid: a.first_paid,
            written_off: a.written_off,
            reconciled: a.reconciled,
        };
        each(text_at(&r, 0)?, no, l);
    }
    Ok(())
}

/// The money applied to one invoice by a day, as [`ledger_sql`] sums it (in minor
/// units: a million of these are held at once on a large shop).
#[derive(Default)]
struct Applied {
    allocated: i64,
    last_on: Option<NaiveDate>,
    paid: i64,
    first_paid: Option<NaiveDate>,
    written_off: bool,
    reconciled: bool,
}

impl Applied {
    fn add(&mut self, day: NaiveDate, amount: i64, kind: &str, reconciled: bool) {
        self.allocated = self.allocated.saturating_add(amount);
        self.last_on = Some(self.last_on.map_or(day, |d| d.max(day)));
        match kind {
            "payment" => {
                self.paid = self.paid.saturating_add(amount);
                self.first_paid = Some(self.first_paid.map_or(day, |d| d.min(day)));
            }
            "write_off" => self.written_off = true,
            _ => {}
        }
        self.reconciled |= reconciled;
    }
}

/// One invoice's ledger as of the day.
struct Ledger {
    issued: NaiveDate,
    due: NaiveDate,
    amount: Money,
    allocated: Money,
    last_on: Option<NaiveDate>,
    paid: Money,
    first_paid: Option<NaiveDate>,
    written_off: bool,
    reconciled: bool,
}

/// What an invoice was on the day.
enum State {
    Paid(NaiveDate),
    Open(Money),
    /// Closed without a payment arq can date: not learned from.
    Other,
}

impl Ledger {
    fn read(r: &crate::store::db::Row<'_>) -> rusqlite::Result<Ledger> {
        Ok(Ledger {
            issued: date_at(r, 2)?,
            due: date_at(r, 3)?,
            amount: r.get(4)?,
            allocated: r.get(5)?,
            last_on: match r.get_ref(6)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(date_at(r, 6)?),
            },
            paid: r.get(7)?,
            first_paid: match r.get_ref(8)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(date_at(r, 8)?),
            },
            written_off: r.get::<_, i64>(9)? != 0,
            reconciled: r.get::<_, i64>(10)? != 0,
        })
    }

    fn state(&self) -> State {
        let balance = self.amount - self.allocated;
        if balance.is_positive() {
            return State::Open(balance);
        }
        match self.last_on {
            Some(on)
                if self.amount.is_positive()
                    && self.paid.is_positive()
                    && !self.written_off
                    && !self.reconciled =>
            {
                State::Paid(on)
            }
            _ => State::Other,
        }
    }
}

/// The records of `whose` customers as of `as_of`, customers in id order.
pub fn load<'c>(conn: impl Into<Db<'c>>, as_of: NaiveDate, whose: Whose<'_>) -> Result<Inputs> {
    let conn: Db<'c> = conn.into();
    let mut customers: Vec<CustomerHistory> = Vec::new();
    let mut at: FastMap<String, usize> = FastMap::default();
    {
        let sql = match whose {
            Whose::All => "SELECT id, name, owner FROM customers ORDER BY id",
            Whose::Owner(_) => "SELECT id, name, owner FROM customers WHERE owner = ?1 ORDER BY id",
            Whose::Ids(_) => {
                "SELECT id, name, owner FROM customers WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"
            }
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = match whose {
            Whose::All => stmt.query([])?,
            Whose::Owner(v) | Whose::Ids(v) => stmt.query([v])?,
        };
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            at.insert(id.clone(), customers.len());
            customers.push(CustomerHistory {
                id,
                name: r.get(1)?,
                owner: r.get(2)?,
                ..CustomerHistory::default()
            });
        }
    }
    let disputed = first_disputes(conn, as_of)?;
    let mut each = |cid: &str, no: &str, l: Ledger| {
        let Some(&ci) = at.get(cid) else {
            return;
        };
        let dispute = disputed.get(no).copied();
        let c = &mut customers[ci];
        match l.state() {
            State::Paid(on) => c.paid.push(PaidInvoice {
                issued: l.issued,
                due: l.due,
                paid_on: on,
                amount: l.amount,
                disputed: dispute.is_some_and(|d| d <= on),
                partly_paid: l.first_paid.is_some_and(|f| f < on),
            }),
            State::Open(balance) => c.open.push(OpenInvoice {
                invoice_no: no.to_string(),
                issued: l.issued,
                due: l.due,
                amount: l.amount,
                balance,
                disputed: dispute.is_some(),
                partly_paid: l.paid.is_positive(),
            }),
            State::Other => {}
        }
    };
    match whose {
        Whose::All => every_ledger(conn, as_of, &mut each)?,
        _ => {
            let mut stmt = conn.prepare_cached(&ledger_sql(&whose.clause("i.customer_id")))?;
            let mut rows = whose.query(&mut stmt, as_of)?;
            while let Some(r) = rows.next()? {
                each(text_at(&r, 0)?, text_at(&r, 1)?, Ledger::read(&r)?);
            }
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT customer_id, evaluated_on FROM promises WHERE status = 'broken' AND evaluated_on <= ?1",
        )?;
        let mut rows = stmt.query([as_of])?;
        while let Some(r) = rows.next()? {
            if let Some(&ci) = at.get(text_at(&r, 0)?) {
                customers[ci].broken_promises.push(date_at(&r, 1)?);
            }
        }
    }
    for c in &mut customers {
        c.open.sort_by(|a, b| {
            a.due
                .cmp(&b.due)
                .then_with(|| a.invoice_no.cmp(&b.invoice_no))
        });
        c.broken_promises.sort_unstable();
    }
    Ok(Inputs { as_of, customers })
}

/// The day each invoice's first dispute was opened, by the day.
fn first_disputes<'c>(
    conn: impl Into<Db<'c>>,
    as_of: NaiveDate,
) -> Result<FastMap<String, NaiveDate>> {
    let conn: Db<'c> = conn.into();
    let mut out = FastMap::default();
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_no, MIN(opened_on) FROM disputes WHERE opened_on <= ?1 GROUP BY invoice_no",
    )?;
    let mut rows = stmt.query([as_of])?;
    while let Some(r) = rows.next()? {
        out.insert(r.get(0)?, date_at(&r, 1)?);
    }
    Ok(out)
}

/// What became of `invoices` by `end`: paid on a day, or not (still open, or closed
/// without a payment). For the evaluation.
pub fn outcomes<'c>(
    conn: impl Into<Db<'c>>,
    end: NaiveDate,
    invoices: &[&str],
) -> Result<HashMap<String, Actual>> {
    let conn: Db<'c> = conn.into();
    let json = ids_json(invoices.iter().copied());
    let sql = ledger_sql(" AND i.invoice_no IN (SELECT value FROM json_each(?2))");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params![end, json])?;
    let mut out = HashMap::with_capacity(invoices.len());
    while let Some(r) = rows.next()? {
        let actual = match Ledger::read(&r)?.state() {
            State::Paid(on) => Actual::Paid(on),
            State::Open(_) | State::Other => Actual::Unpaid,
        };
        out.insert(r.get(1)?, actual);
    }
    Ok(out)
}

/// The latest day anything was recorded in the ledger (invoices issued, money
/// allocated): the end of the history an evaluation reads outcomes from.
pub fn last_record<'c>(conn: impl Into<Db<'c>>) -> Result<Option<NaiveDate>> {
    let conn: Db<'c> = conn.into();
    let d: Option<String> = conn.query_row(
        "SELECT MAX(d) FROM (SELECT MAX(date) AS d FROM allocations UNION ALL SELECT MAX(issue_date) FROM invoices) AS latest",
        [],
        |r| r.get(0),
    )?;
    Ok(d.and_then(|s| crate::domain::dates::parse_iso(&s).ok()))
}

/// One customer's behaviour as the latest daily close measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub as_of: NaiveDate,
    pub history: u32,
    pub avg_days_late: Option<f64>,
    pub expected_days_late: f64,
    pub p_late_30: f64,
    pub class: crate::domain::Risk,
}

/// Keeps `estimates` as every customer's current behaviour (replacing what an earlier
/// close kept) and the fitted shop model, in the caller's transaction.
pub fn save<'c>(
    conn: impl Into<Db<'c>>,
    estimates: &crate::behaviour::Estimates,
    at: &str,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.execute("DELETE FROM customer_behaviour", [])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO customer_behaviour (customer_id, as_of, history, avg_days_late, expected_days_late, p_late_30, class)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &estimates.customers {
        stmt.execute(params![
            c.customer_id,
            estimates.as_of,
            c.history,
            c.avg_days_late,
            c.expected_days_late,
            c.p_late_30,
            c.class
        ])?;
    }
    // The classes that changed (or are new) join the history.
    conn.execute(
        "INSERT INTO behaviour_classes (customer_id, as_of, class)
         SELECT b.customer_id, b.as_of, b.class FROM customer_behaviour b
         WHERE b.class IS DISTINCT FROM (SELECT h.class FROM behaviour_classes h
                                         WHERE h.customer_id = b.customer_id AND h.as_of < b.as_of
                                         ORDER BY h.as_of DESC LIMIT 1)
         ON CONFLICT (customer_id, as_of) DO UPDATE SET class = excluded.class",
        [],
    )?;
    let model = serde_json::to_string(&estimates.model).unwrap_or_default();
    conn.execute("DELETE FROM behaviour_model", [])?;
    conn.execute(
        "INSERT INTO behaviour_model (as_of, fitted_at, model) VALUES (?1, ?2, ?3)",
        params![estimates.as_of, at, model],
    )?;
    Ok(())
}

/// The kept behaviour of `ids` (a JSON array, see `snapshot::ids_json`), when it was
/// measured on or before `as_of` (a replay of an earlier day does not see a later
/// measure).
pub fn stored<'c>(
    conn: impl Into<Db<'c>>,
    ids_json: &str,
    as_of: NaiveDate,
) -> Result<HashMap<String, Stored>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, as_of, history, avg_days_late, expected_days_late, p_late_30, class
         FROM customer_behaviour WHERE customer_id IN (SELECT value FROM json_each(?1)) AND as_of <= ?2",
    )?;
    let mut rows = stmt.query(params![ids_json, as_of])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        out.insert(
            r.get(0)?,
            Stored {
                as_of: date_at(&r, 1)?,
                history: r.get(2)?,
                avg_days_late: r.get(3)?,
                expected_days_late: r.get(4)?,
                p_late_30: r.get(5)?,
                class: r.get(6)?,
            },
        );
    }
    Ok(out)
}

/// One customer's kept behaviour, whenever it was measured.
pub fn stored_one<'c>(
    conn: impl Into<Db<'c>>,
    id: &str,
    as_of: NaiveDate,
) -> Result<Option<Stored>> {
    let conn: Db<'c> = conn.into();
    Ok(stored(conn, &ids_json([id]), as_of)?.remove(id))
}

/// The day of the measure the latest daily run kept, if any.
pub fn kept_as_of<'c>(conn: impl Into<Db<'c>>) -> Result<Option<NaiveDate>> {
    let conn: Db<'c> = conn.into();
    let d: Option<String> =
        conn.query_row("SELECT MAX(as_of) FROM behaviour_model", [], |r| r.get(0))?;
    Ok(d.and_then(|s| crate::domain::dates::parse_iso(&s).ok()))
}

/// The behaviour class history of every customer measured by `to`: (customer id, day
/// the class took effect, class), in customer and day order.
pub fn class_history<'c>(
    conn: impl Into<Db<'c>>,
    to: NaiveDate,
) -> Result<Vec<(String, NaiveDate, Risk)>> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT customer_id, as_of, class FROM behaviour_classes WHERE as_of <= ?1 ORDER BY customer_id, as_of",
    )?;
    let mut rows = stmt.query([to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, date_at(&r, 1)?, r.get(2)?));
    }
    Ok(out)
}
