//! Importing invoices: new invoices are inserted (with their customers when those are
//! unknown); for known invoices the file's balance is reconciled against arq's by
//! dated records — a lower balance is a payment dated the import's as-of date, a
//! higher one an adjustment — and a changed due date is applied. `--snapshot` closes
//! open invoices the file no longer lists.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::ImportError;
use super::columns::invoice as col;
use super::mapping::Mapping;
use super::source::Row;
use super::values::parse_amount;
use crate::domain::{Customer, EventKind, Money};
use crate::fasthash::FastSet;
use crate::service::Tx;
use crate::store::customers;
use crate::store::ledger::{
    self, AllocationKind, InvoiceBatch, KnownInvoice, NewInvoice, PaidBefore, PaymentRow,
};

/// One invoice row, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub line: u64,
    pub no: String,
    pub customer: String,
    pub name: Option<String>,
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub amount: Money,
    /// `None` when the file has no balance column.
    pub balance: Option<Money>,
}

fn required<'r>(row: &'r Row<'_>, c: usize, what: &str) -> Result<&'r str, ImportError> {
    let v = row.cell(c);
    if v.is_empty() {
        return Err(row.error(c, format!("is empty: every invoice needs {what}")));
    }
    Ok(v)
}

fn date(row: &Row<'_>, c: usize) -> Result<NaiveDate, ImportError> {
    let v = required(row, c, "a date here")?;
    row.date_in(c, v)
}

/// Reads one row (on the reader thread). `None`: a row the mapping skips (a credit
/// note when `skip_negative` is set).
pub(crate) fn parse(
    row: &Row<'_>,
    m: &Mapping,
    currency: &str,
) -> Result<Option<Line>, ImportError> {
    let no = required(row, col::NO, "a number")?;
    let customer = required(row, col::CUSTOMER, "a customer")?;
    let raw_amount = required(row, col::AMOUNT, "an amount")?;
    let amount = parse_amount(raw_amount, m.number)
        .map_err(|e| row.error(col::AMOUNT, e))?
        .unwrap_or(Money::ZERO);
    let balance = if row.has(col::BALANCE) {
        // A blank balance is zero: reports leave zero cells empty.
        Some(
            parse_amount(row.cell(col::BALANCE), m.number)
                .map_err(|e| row.error(col::BALANCE, e))?
                .unwrap_or(Money::ZERO),
        )
    } else {
        None
    };
    let negative = amount.is_negative() || balance.is_some_and(Money::is_negative);
    if negative && m.rows.skip_negative {
        return Ok(None);
    }
    if amount.is_negative() {
        return Err(row.error(
            col::AMOUNT,
            "is negative: credit notes are not invoices (leave them out of the file)",
        ));
    }
    if let Some(b) = balance {
        if b.is_negative() {
            return Err(row.error(
                col::BALANCE,
                "is negative: an invoice balance cannot be below zero",
            ));
        }
        if b > amount {
            return Err(row.error(
                col::BALANCE,
                format!("is more than the invoice amount {amount}"),
            ));
        }
    }
    let file_currency = row.cell(col::CURRENCY);
    if !file_currency.is_empty() && !file_currency.eq_ignore_ascii_case(currency) {
        return Err(row.error(
            col::CURRENCY,
            format!(
                "is not this database's currency {currency}: arq keeps one currency per database, so invoices in {} are refused (leave them out of the file)",
                file_currency.to_ascii_uppercase()
            ),
        ));
    }
    let issue = date(row, col::ISSUE)?;
    let due = date(row, col::DUE)?;
    if due < issue {
        return Err(row.error(
            col::DUE,
            format!("is before the issue date {issue}: an invoice cannot fall due before it is issued (are the two date columns swapped?)"),
        ));
    }
    let name = Some(row.cell(col::NAME))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Some(Line {
        line: row.line,
        no: no.to_string(),
        customer: customer.to_string(),
        name,
        issue,
        due,
        amount,
        balance,
    }))
}

/// What writing invoices did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Line-item rows folded into an invoice already read.
    pub merged: u64,
    pub customers_created: u64,
    pub balance_payments: u64,
    pub adjustments: u64,
    pub closed: u64,
}

/// Writes invoice rows inside the import's transaction.
pub(crate) struct Writer<'a, 'b> {
    tx: &'a mut Tx<'b>,
    file: String,
    labels: Vec<String>,
    group_lines: bool,
    batch: InvoiceBatch<'b>,
    customers: FastSet<String>,
    known: HashMap<String, KnownInvoice>,
    /// The previous row's invoice number (line items follow each other).
    last: String,
    /// Every invoice number of the file, kept only for `--snapshot`.
    seen: Option<FastSet<String>>,
    /// Whether an earlier import left payments with ids like ours (then each new
    /// id is checked; otherwise the invoice number makes it unique).
    ids_may_collide: bool,
    /// Per invoice, what the credits and payments the file still lists as open took
    /// of its balance: the file's balance does not count them (`report_items`).
    pub listed_items: HashMap<String, Money>,
    pub counts: Counts,
}

impl<'a, 'b> Writer<'a, 'b> {
    /// Reads what arq already knows: every customer id and every invoice.
    pub fn new(
        tx: &'a mut Tx<'b>,
        file: String,
        labels: Vec<String>,
        group_lines: bool,
        snapshot: bool,
    ) -> Result<Self, ImportError> {
        let customers = customers::ids(tx.conn)?.into_iter().collect();
        let known = ledger::known_invoices(tx.conn)?;
        let batch = InvoiceBatch::new(tx.conn, known.keys())?;
        let ids_may_collide = ledger::has_payment_ids_from(tx.conn, "import:")?;
        Ok(Writer {
            batch,
            tx,
            file,
            labels,
            group_lines,
            customers,
            known,
            last: String::new(),
            seen: snapshot.then(FastSet::default),
            ids_may_collide,
            listed_items: HashMap::new(),
            counts: Counts::default(),
        })
    }

    pub fn write(&mut self, l: Line) -> Result<(), ImportError> {
        if self.group_lines && l.no == self.last {
            self.counts.merged += 1;
            return Ok(());
        }
        let fresh = match self.known.remove(&l.no) {
            None => self.create(&l)?,
            Some(k) => {
                self.reconcile(&l, &k)?;
                true
            }
        };
        if !fresh {
            // The number was inserted from an earlier row of this file.
            if self.group_lines {
                self.counts.merged += 1;
                return Ok(());
            }
            return Err(ImportError::Cell {
                file: self.file.clone(),
                line: l.line,
                column: self.labels[col::NO].clone(),
                value: l.no.clone(),
                message: "is on an earlier line too: each invoice may appear once (a file of line items needs group_lines = true in its mapping)".to_string(),
            });
        }
        if let Some(seen) = &mut self.seen {
            seen.insert(l.no.clone());
        }
        self.last = l.no;
        Ok(())
    }

    /// Inserts a new invoice; false when an earlier row of the file inserted it.
    fn create(&mut self, l: &Line) -> Result<bool, ImportError> {
        let conn = self.tx.conn;
        let as_of = self.tx.as_of;
        if !self.customers.contains(l.customer.as_str()) {
            let name = l.name.as_deref().unwrap_or(&l.customer);
            customers::insert(conn, &Customer::named(&l.customer, name), as_of)?;
            self.customers.insert(l.customer.clone());
            self.counts.customers_created += 1;
        }
        let inv = NewInvoice {
            invoice_no: &l.no,
            customer_id: &l.customer,
            issue_date: l.issue,
            due_date: l.due,
            amount: l.amount,
        };
        let inserted = match l.balance {
            Some(b) if b < l.amount => {
                let base = format!("import:{}:{as_of}", l.no);
                let payment_id = if self.ids_may_collide {
                    free_payment_id(conn, &base)?
                } else {
                    base
                };
                let paid = PaidBefore {
                    payment_id: &payment_id,
                    date: as_of,
                    amount: l.amount - b,
                    source: "import",
                };
                let inserted = self.batch.insert(&inv, Some(&paid))?;
                self.counts.balance_payments += u64::from(inserted);
                inserted
            }
            _ => self.batch.insert(&inv, None)?,
        };
        self.counts.created += u64::from(inserted);
        Ok(inserted)
    }

    fn reconcile(&mut self, l: &Line, k: &KnownInvoice) -> Result<(), ImportError> {
        let listed = self.listed_items.get(&l.no).copied().unwrap_or(Money::ZERO);
        let k = &KnownInvoice {
            balance: k.balance + listed,
            ..k.clone()
        };
        if k.customer_id != l.customer {
            return Err(ImportError::Cell {
                file: self.file.clone(),
                line: l.line,
                column: self.labels[col::CUSTOMER].clone(),
                value: l.customer.clone(),
                message: format!(
                    "is not the customer of invoice {}: arq has it under customer {}",
                    l.no, k.customer_id
                ),
            });
        }
        let mut changed = false;
        if l.due != k.due_date {
            ledger::set_due_date(self.tx.conn, &l.no, l.due)?;
            self.tx.event(
                EventKind::Adjustment,
                Some(&l.customer),
                format!("invoice {}: due date {} → {} (import {})", l.no, k.due_date, l.due, self.file),
                json!({"invoice_no": l.no, "field": "due_date", "from": k.due_date, "to": l.due, "file": self.file}),
            )?;
            changed = true;
        }
        if let Some(b) = l.balance
            && b != k.balance
        {
            if b < k.balance {
                let paid = k.balance - b;
                let payment_id = self.pay(&l.no, &l.customer, paid, "import")?;
                self.tx.event(
                    EventKind::Payment,
                    Some(&l.customer),
                    format!(
                        "payment {payment_id}: {} applied to {} (balance {} → {} in import {})",
                        paid.grouped(),
                        l.no,
                        k.balance.grouped(),
                        b.grouped(),
                        self.file
                    ),
                    json!({"payment_id": payment_id, "amount": paid, "invoice_no": l.no, "source": "import", "file": self.file}),
                )?;
                self.counts.balance_payments += 1;
            } else {
                let raised = b - k.balance;
                ledger::allocate(
                    self.tx.conn,
                    &l.no,
                    &l.customer,
                    self.tx.as_of,
                    -raised,
                    AllocationKind::Adjustment,
                    None,
                )?;
                self.tx.event(
                    EventKind::Adjustment,
                    Some(&l.customer),
                    format!(
                        "invoice {}: balance {} → {b} (raised by {raised} in import {})",
                        l.no, k.balance, self.file
                    ),
                    json!({"invoice_no": l.no, "field": "balance", "from": k.balance, "to": b, "file": self.file}),
                )?;
                self.counts.adjustments += 1;
            }
            changed = true;
        }
        if changed {
            self.counts.updated += 1;
        } else {
            self.counts.unchanged += 1;
        }
        Ok(())
    }

    /// Records a payment of `amount` on invoice `no` dated the import's as-of date,
    /// with a stable id (`import:INV-1:2026-03-01`, `:2` … when one exists already).
    fn pay(
        &mut self,
        no: &str,
        customer: &str,
        amount: Money,
        source: &str,
    ) -> Result<String, ImportError> {
        let conn = self.tx.conn;
        let payment_id = free_payment_id(conn, &format!("{source}:{no}:{}", self.tx.as_of))?;
        ledger::record_payment(
            conn,
            &PaymentRow {
                payment_id: payment_id.clone(),
                customer_id: customer.to_string(),
                date: self.tx.as_of,
                amount,
                invoice_no: Some(no.to_string()),
                source: source.to_string(),
            },
        )?;
        Ok(payment_id)
    }

    /// `--snapshot`: closes every open invoice the file did not list, by a payment
    /// of its balance dated the import's as-of date.
    pub fn close_absent(&mut self) -> Result<(), ImportError> {
        let listed = self.seen.take().unwrap_or_default();
        for (no, customer, balance) in ledger::open_balances(self.tx.conn)? {
            if listed.contains(&no) {
                continue;
            }
            let payment_id = self.pay(&no, &customer, balance, "snapshot")?;
            self.tx.event(
                EventKind::Payment,
                Some(&customer),
                format!(
                    "payment {payment_id}: {} closes {no}, absent from the open-invoice snapshot {}",
                    balance.grouped(),
                    self.file
                ),
                json!({"payment_id": payment_id, "amount": balance, "invoice_no": no, "source": "snapshot", "file": self.file}),
            )?;
            self.counts.closed += 1;
        }
        Ok(())
    }
}

/// `base` (`import:INV-1:2026-03-01`), or `base:2`, `base:3` … when that payment id
/// is taken (a second change of the same invoice on the same day).
fn free_payment_id(conn: crate::store::db::Db<'_>, base: &str) -> Result<String, ImportError> {
    let mut payment_id = base.to_string();
    let mut n = 1;
    while ledger::payment_exists(conn, &payment_id)? {
        n += 1;
        payment_id = format!("{base}:{n}");
    }
    Ok(payment_id)
}
