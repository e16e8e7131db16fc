//! Credits and payments in an open-items report. A report lists, beside open
//! invoices, credit memos and payments not yet applied in the accounting system
//! (negative rows). They are not negative invoices: each becomes a dated credit
//! (a credit memo, a credit note, a refund) or a dated payment, applied to the
//! customer's open invoices oldest due first, with an id made from the row so that
//! re-importing the file finds it again. While a report still lists an item, the
//! invoice balances it shows do not include it: re-importing compares each invoice
//! with its balance before the listed items were applied, so nothing changes.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::json;

use super::ImportError;
use super::columns::invoice as col;
use super::invoices::{self, Line};
use super::mapping::Mapping;
use super::source::Row;
use super::values::parse_amount;
use crate::domain::{Customer, EventKind, Money};
use crate::service::Tx;
use crate::store::ledger::{self, PaymentRow};
use crate::store::{credits, customers};

/// What a row of an open-items report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ItemKind {
    Credit,
    Payment,
}

impl ItemKind {
    fn as_str(self) -> &'static str {
        match self {
            ItemKind::Credit => "credit",
            ItemKind::Payment => "payment",
        }
    }
}

/// A credit or payment row, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub line: u64,
    pub kind: ItemKind,
    /// The document number, when the row has one.
    pub number: Option<String>,
    pub customer: String,
    pub name: Option<String>,
    pub date: NaiveDate,
    /// What is still open of it (positive).
    pub amount: Money,
}

/// One row of an invoice file, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed {
    Invoice(Line),
    Item(Item),
    /// A data row left out, and why.
    Skip(String),
}

fn in_list(list: &[String], value: &str) -> bool {
    list.iter().any(|t| t.trim().eq_ignore_ascii_case(value))
}

/// Sorts and reads one row of an invoice file (on the reader thread).
pub(crate) fn route(row: &Row<'_>, m: &Mapping, currency: &str) -> Result<Parsed, ImportError> {
    let rules = &m.rows;
    let kind = match row.txn_type() {
        Some(t) if in_list(&rules.invoice_types, t) => None,
        Some(t) if in_list(&rules.credit_types, t) => Some(ItemKind::Credit),
        Some(t) if in_list(&rules.payment_types, t) => Some(ItemKind::Payment),
        Some("") => return Ok(Parsed::Skip("no transaction type".to_string())),
        Some(t) => return Ok(Parsed::Skip(format!("transaction type '{t}'"))),
        None => None,
    };
    let kind = match kind {
        Some(k) => Some(k),
        None if rules.negative_credit && open_figure(row, m)?.is_some_and(Money::is_negative) => {
            Some(ItemKind::Credit)
        }
        None => None,
    };
    match kind {
        Some(k) => item(row, m, k),
        None => Ok(match invoices::parse(row, m, currency)? {
            Some(l) => Parsed::Invoice(l),
            None => Parsed::Skip("negative amount or balance (a credit note)".to_string()),
        }),
    }
}

/// The row's open figure: its balance, else its amount (`None` when blank).
fn open_figure(row: &Row<'_>, m: &Mapping) -> Result<Option<Money>, ImportError> {
    let c = if row.has(col::BALANCE) {
        col::BALANCE
    } else {
        col::AMOUNT
    };
    parse_amount(row.cell(c), m.number).map_err(|e| row.error(c, e))
}

fn item(row: &Row<'_>, m: &Mapping, kind: ItemKind) -> Result<Parsed, ImportError> {
    let open = open_figure(row, m)?.unwrap_or(Money::ZERO);
    if open.is_zero() {
        return Ok(Parsed::Skip(format!(
            "{} with nothing left open",
            kind.as_str()
        )));
    }
    let c = if row.has(col::BALANCE) {
        col::BALANCE
    } else {
        col::AMOUNT
    };
    if open.is_positive() {
        return Err(row.error(
            c,
            format!(
                "is positive, but this row is a {}: what is open of a credit or payment is negative in a report (check the type column and the sign)",
                kind.as_str()
            ),
        ));
    }
    let customer = row.cell(col::CUSTOMER);
    if customer.is_empty() {
        return Err(row.error(
            col::CUSTOMER,
            format!("is empty: every {} needs a customer", kind.as_str()),
        ));
    }
    if row.cell(col::ISSUE).is_empty() {
        return Err(row.error(
            col::ISSUE,
            format!("is empty: every {} needs its date", kind.as_str()),
        ));
    }
    let date = row.date(col::ISSUE)?;
    let number = Some(row.cell(col::NO))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let name = Some(row.cell(col::NAME))
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Parsed::Item(Item {
        line: row.line,
        kind,
        number,
        customer: customer.to_string(),
        name,
        date,
        amount: -open,
    }))
}

/// Gives each item of a file its id: `credit:CM-7` or `payment:1201` from its
/// number, else `payment:Acme:2026-05-03` (`…:2` for a second one that day).
#[derive(Debug, Default)]
pub(crate) struct Ids {
    seen: HashMap<String, u32>,
}

impl Ids {
    pub fn id(&mut self, i: &Item) -> String {
        let base = match &i.number {
            Some(n) => format!("{}:{n}", i.kind.as_str()),
            None => format!("{}:{}:{}", i.kind.as_str(), i.customer, i.date),
        };
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}:{n}") }
    }
}

/// The items a file lists, by id with what is open of each, split by kind (for
/// [`credits::taken_by`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Listed {
    pub credits: Vec<(String, Money)>,
    pub payments: Vec<(String, Money)>,
}

impl Listed {
    pub fn add(&mut self, kind: ItemKind, id: String, open: Money) {
        match kind {
            ItemKind::Credit => self.credits.push((id, open)),
            ItemKind::Payment => self.payments.push((id, open)),
        }
    }
}

/// What recording the items did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub credits: u64,
    pub payments: u64,
    pub unchanged: u64,
    pub customers_created: u64,
}

/// Records the items of a file, after its invoices (so that a credit listed before
/// a customer's invoices still finds them).
pub(crate) struct Writer {
    file: String,
    items: Vec<(String, Item)>,
    ids: Ids,
    /// Notes for the summary (credits with nothing open to go to).
    pub notes: Vec<String>,
    /// Why items were not recorded (counted with the skipped rows).
    pub unrecorded: Vec<String>,
    pub counts: Counts,
}

impl Writer {
    pub fn new(file: String) -> Writer {
        Writer {
            file,
            items: Vec::new(),
            ids: Ids::default(),
            notes: Vec::new(),
            unrecorded: Vec::new(),
            counts: Counts::default(),
        }
    }

    pub fn push(&mut self, item: Item) {
        let id = self.ids.id(&item);
        self.items.push((id, item));
    }

    /// Writes every item held: new ones are recorded and applied; known ones are
    /// left as they are.
    pub fn finish(&mut self, tx: &mut Tx<'_>) -> Result<(), ImportError> {
        let mut known_customers: HashSet<String> = customers::ids(tx.conn)?.into_iter().collect();
        for (id, item) in std::mem::take(&mut self.items) {
            if !known_customers.contains(&item.customer) {
                let name = item.name.as_deref().unwrap_or(&item.customer);
                customers::insert(tx.conn, &Customer::named(&item.customer, name), tx.as_of)?;
                known_customers.insert(item.customer.clone());
                self.counts.customers_created += 1;
            }
            match item.kind {
                ItemKind::Credit => self.credit(tx, &id, &item)?,
                ItemKind::Payment => self.payment(tx, &id, &item)?,
            }
        }
        Ok(())
    }

    fn credit(&mut self, tx: &mut Tx<'_>, id: &str, i: &Item) -> Result<(), ImportError> {
        if credits::exists(tx.conn, id)? {
            self.counts.unchanged += 1;
            return Ok(());
        }
        let (applied, left) = credits::apply(tx.conn, &i.customer, i.date, i.amount, id)?;
        if applied.is_empty() {
            self.notes.push(format!(
                "line {}: credit {id} of {} for {} found no open invoice to go to and was not recorded",
                i.line,
                i.amount.grouped(),
                i.customer
            ));
            self.unrecorded
                .push("credit with no open invoice to go to".to_string());
            return Ok(());
        }
        if left.is_positive() {
            self.notes.push(format!(
                "line {}: credit {id}: {} of {} found no open invoice to go to",
                i.line,
                left.grouped(),
                i.amount.grouped()
            ));
        }
        let to: Vec<&str> = applied.iter().map(|(no, _)| no.as_str()).collect();
        let shares: Vec<serde_json::Value> = applied
            .iter()
            .map(|(no, amount)| json!({"invoice_no": no, "amount": amount}))
            .collect();
        tx.event(
            EventKind::Adjustment,
            Some(&i.customer),
            format!(
                "{id}: {} credited to {} (dated {}, import {})",
                (i.amount - left).grouped(),
                to.join(", "),
                i.date,
                self.file
            ),
            json!({"credit": id, "amount": i.amount - left, "date": i.date, "applied": shares,
                   "unapplied": left, "source": "import", "file": self.file}),
        )?;
        self.counts.credits += 1;
        Ok(())
    }

    fn payment(&mut self, tx: &mut Tx<'_>, id: &str, i: &Item) -> Result<(), ImportError> {
        if ledger::payment_exists(tx.conn, id)? {
            self.counts.unchanged += 1;
            return Ok(());
        }
        let p = PaymentRow {
            payment_id: id.to_string(),
            customer_id: i.customer.clone(),
            date: i.date,
            amount: i.amount,
            invoice_no: None,
            source: "import".to_string(),
        };
        let unapplied = ledger::record_payment(tx.conn, &p)?;
        let applied = ledger::payment_allocations(tx.conn, id)?;
        let mut detail = format!("payment {id}: {}", i.amount.grouped());
        if !applied.is_empty() {
            let to: Vec<&str> = applied.iter().map(|(no, _)| no.as_str()).collect();
            detail.push_str(&format!(" applied to {}", to.join(", ")));
        }
        if unapplied.is_positive() {
            detail.push_str(&format!(
                " ({} unapplied: a credit on the account)",
                unapplied.grouped()
            ));
        }
        let shares: Vec<serde_json::Value> = applied
            .iter()
            .map(|(no, amount)| json!({"invoice_no": no, "amount": amount}))
            .collect();
        tx.event(
            EventKind::Payment,
            Some(&i.customer),
            detail,
            json!({"payment_id": id, "amount": i.amount, "date": i.date, "applied": shares,
                   "unapplied": unapplied, "source": "import", "file": self.file}),
        )?;
        self.counts.payments += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind, number: Option<&str>, customer: &str) -> Item {
        Item {
            line: 1,
            kind,
            number: number.map(str::to_string),
            customer: customer.to_string(),
            name: None,
            date: NaiveDate::from_ymd_opt(2026, 5, 3).unwrap_or_default(),
            amount: Money::from_major(10),
        }
    }

    #[test]
    fn ids_come_from_the_number_else_customer_and_date() {
        let mut ids = Ids::default();
        let got: Vec<String> = [
            item(ItemKind::Credit, Some("CM-7"), "Acme"),
            item(ItemKind::Payment, None, "Acme"),
            item(ItemKind::Payment, None, "Acme"),
            item(ItemKind::Credit, None, "Acme"),
            item(ItemKind::Payment, Some("1201"), "Bolt"),
        ]
        .iter()
        .map(|i| ids.id(i))
        .collect();
        assert_eq!(
            got,
            [
                "credit:CM-7",
                "payment:Acme:2026-05-03",
                "payment:Acme:2026-05-03:2",
                "credit:Acme:2026-05-03",
                "payment:1201",
            ]
        );
    }
}
