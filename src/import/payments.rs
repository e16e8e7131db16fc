//! Importing payments: each new payment is stored and applied (to its invoice when
//! it names one, then oldest due first) with one `payment` event. A payment id arq
//! already has is left alone, so the same file can be imported again.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::json;

use super::ImportError;
use super::columns::payment as col;
use super::mapping::Mapping;
use super::source::Row;
use super::values::parse_amount;
use crate::domain::{EventKind, Money};
use crate::service::Tx;
use crate::store::ledger::{self, PaymentRow};

/// One payment row, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub line: u64,
    pub id: String,
    pub customer: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub invoice: Option<String>,
}

/// Reads one row (on the reader thread); `customers` are the ids arq knows.
pub(crate) fn parse(
    row: &Row<'_>,
    m: &Mapping,
    customers: &HashSet<String>,
) -> Result<Option<Line>, ImportError> {
    let required = |c: usize, what: &str| -> Result<&str, ImportError> {
        let v = row.cell(c);
        if v.is_empty() {
            return Err(row.error(c, format!("is empty: every payment needs {what}")));
        }
        Ok(v)
    };
    let id = required(col::ID, "an id")?;
    let customer = required(col::CUSTOMER, "a customer")?;
    if !customers.contains(customer) {
        return Err(row.error(
            col::CUSTOMER,
            "is not a known customer: import it first (customers.csv or invoices.csv)",
        ));
    }
    let date = row.date_in(col::DATE, required(col::DATE, "a date")?)?;
    let amount = parse_amount(required(col::AMOUNT, "an amount")?, m.number)
        .map_err(|e| row.error(col::AMOUNT, e))?
        .unwrap_or(Money::ZERO);
    if amount.is_negative() {
        return Err(row.error(
            col::AMOUNT,
            "is negative: refunds and credit notes are not payments",
        ));
    }
    if amount.is_zero() {
        return Err(row.error(col::AMOUNT, "is zero: a payment must be above zero"));
    }
    let invoice = Some(row.cell(col::INVOICE))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Some(Line {
        line: row.line,
        id: id.to_string(),
        customer: customer.to_string(),
        date,
        amount,
        invoice,
    }))
}

/// What writing payments did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub recorded: u64,
    pub unchanged: u64,
}

/// Writes payment rows inside the import's transaction.
pub(crate) struct Writer<'a, 'b> {
    tx: &'a mut Tx<'b>,
    file: String,
    labels: Vec<String>,
    seen: HashMap<String, u64>,
    pub counts: Counts,
}

impl<'a, 'b> Writer<'a, 'b> {
    pub fn new(tx: &'a mut Tx<'b>, file: String, labels: Vec<String>) -> Self {
        Writer {
            tx,
            file,
            labels,
            seen: HashMap::new(),
            counts: Counts::default(),
        }
    }

    fn cell_error(&self, l: &Line, c: usize, value: &str, message: String) -> ImportError {
        ImportError::Cell {
            file: self.file.clone(),
            line: l.line,
            column: self.labels[c].clone(),
            value: value.to_string(),
            message,
        }
    }

    pub fn write(&mut self, l: Line) -> Result<(), ImportError> {
        if let Some(&first) = self.seen.get(&l.id) {
            return Err(self.cell_error(
                &l,
                col::ID,
                &l.id,
                format!("is already on line {first}: each payment may appear once"),
            ));
        }
        self.seen.insert(l.id.clone(), l.line);
        let conn = self.tx.conn;
        if let Some(no) = &l.invoice {
            match ledger::get_invoice(conn, no)?.map(|i| (i.customer_id, i.issue_date)) {
                None => {
                    return Err(self.cell_error(
                        &l,
                        col::INVOICE,
                        no,
                        "is not a known invoice: import the invoices first, or leave the cell empty to apply the payment oldest due first".into(),
                    ));
                }
                Some((owner, _)) if owner != l.customer => {
                    return Err(self.cell_error(
                        &l,
                        col::INVOICE,
                        no,
                        format!("is an invoice of customer {owner}, not of {}", l.customer),
                    ));
                }
                Some((_, issued)) if l.date < issued => {
                    return Err(self.cell_error(
                        &l,
                        col::DATE,
                        &l.date.to_string(),
                        format!(
                            "is before invoice {no} was issued ({issued}): a payment of it cannot come first; check the date or leave the invoice cell empty"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        // A payment already recorded is the same payment again (a file imported twice)
        // only when it says the same; one that says otherwise is refused, naming what
        // is recorded: an import never changes money already applied.
        if let Some((customer, date, amount)) = ledger::stored_payment(conn, &l.id)? {
            let differs = [
                (
                    customer != l.customer,
                    col::CUSTOMER,
                    l.customer.clone(),
                    "customer",
                ),
                (date != l.date, col::DATE, l.date.to_string(), "date"),
                (
                    amount != l.amount,
                    col::AMOUNT,
                    l.amount.grouped(),
                    "amount",
                ),
            ];
            if let Some((_, c, value, what)) = differs.into_iter().find(|d| d.0) {
                return Err(self.cell_error(
                    &l,
                    c,
                    &value,
                    format!(
                        "differs from payment {} as recorded ({what}: {} from {customer} on {date}): an import does not change a recorded payment; give a correction its own payment id",
                        l.id,
                        amount.grouped()
                    ),
                ));
            }
            self.counts.unchanged += 1;
            return Ok(());
        }
        let p = PaymentRow {
            payment_id: l.id,
            customer_id: l.customer,
            date: l.date,
            amount: l.amount,
            invoice_no: l.invoice,
            source: "import".to_string(),
        };
        let unapplied = ledger::record_payment(conn, &p)?;
        let applied = ledger::payment_allocations(conn, &p.payment_id)?;
        let mut detail = format!("payment {}: {}", p.payment_id, p.amount.grouped());
        if !applied.is_empty() {
            let to: Vec<&str> = applied.iter().map(|(no, _)| no.as_str()).collect();
            detail.push_str(&format!(" applied to {}", to.join(", ")));
        }
        if unapplied.is_positive() {
            detail.push_str(&format!(
                " ({unapplied} unapplied: a credit on the account)"
            ));
        }
        let shares: Vec<serde_json::Value> = applied
            .iter()
            .map(|(no, amount)| json!({"invoice_no": no, "amount": amount}))
            .collect();
        self.tx.event(
            EventKind::Payment,
            Some(&p.customer_id),
            detail,
            json!({"payment_id": p.payment_id, "amount": p.amount, "date": p.date, "invoice_no": p.invoice_no,
                   "applied": shares, "unapplied": unapplied, "source": "import", "file": self.file}),
        )?;
        self.counts.recorded += 1;
        Ok(())
    }
}
