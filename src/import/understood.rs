//! What an import understood of a file, to show before anything is written
//! (`--dry-run`) and after: rows read and skipped (by reason), customers found,
//! invoices, credits and payments with their totals, and the file's own grand total
//! beside what was read. A report whose grand total differs from the rows read is
//! refused with both figures: a parent and child counted twice, a misread sign or
//! a transaction type left out shows up there.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, BuildHasherDefault};

use serde::Serialize;

use super::invoices::Line;
use super::report_items::{Item, ItemKind};
use super::source::Seen;
use super::values::{NumberFormat, parse_amount};
use super::{ImportError, ImportKind};
use crate::domain::Money;
use crate::fasthash::{FastHasher, FastSet};

/// What the import understood of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Understood {
    /// The sheet read, for a spreadsheet.
    pub sheet: Option<String>,
    /// How text dates were read, when arq chose it from the file.
    pub date_format: Option<String>,
    /// Data rows left out, by reason.
    pub skipped: BTreeMap<String, u64>,
    pub customers: u64,
    pub invoices: u64,
    /// Their open balances (their amounts when the file gives no balance).
    pub invoice_total: Money,
    pub credits: u64,
    pub credit_total: Money,
    pub payments: u64,
    pub payment_total: Money,
    /// Invoices less credits and payments: what the file says is owed.
    pub net_total: Money,
    /// The file's own grand total (block totals added up), when it has one.
    pub file_total: Option<Money>,
    /// Things the person should know (a date order chosen, a credit with nowhere
    /// to go).
    pub notes: Vec<String>,
}

/// Counts what the writer is handed, on the writer's thread.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    customers: FastSet<u64>,
    /// Invoice numbers seen, kept only for line-item files (a number repeats).
    numbers: Option<FastSet<u64>>,
    pub understood: Understood,
}

fn hash(s: &str) -> u64 {
    BuildHasherDefault::<FastHasher>::default().hash_one(s)
}

impl Tally {
    pub fn new(line_items: bool) -> Tally {
        Tally {
            numbers: line_items.then(FastSet::default),
            ..Tally::default()
        }
    }

    pub fn invoice(&mut self, l: &Line) {
        if let Some(seen) = &mut self.numbers
            && !seen.insert(hash(&l.no))
        {
            return;
        }
        self.customers.insert(hash(&l.customer));
        let u = &mut self.understood;
        u.invoices += 1;
        u.invoice_total += l.balance.unwrap_or(l.amount);
    }

    pub fn item(&mut self, i: &Item) {
        self.customers.insert(hash(&i.customer));
        let u = &mut self.understood;
        match i.kind {
            ItemKind::Credit => {
                u.credits += 1;
                u.credit_total += i.amount;
            }
            ItemKind::Payment => {
                u.payments += 1;
                u.payment_total += i.amount;
            }
        }
    }

    /// A payment of a payments file.
    pub fn payment(&mut self, customer: &str, amount: Money) {
        self.customers.insert(hash(customer));
        self.understood.payments += 1;
        self.understood.payment_total += amount;
    }

    /// A row of a customers file.
    pub fn customer(&mut self, id: &str) {
        self.customers.insert(hash(id));
    }

    pub fn skip(&mut self, reason: String) {
        *self.understood.skipped.entry(reason).or_default() += 1;
    }

    /// Adds what the reader saw, and checks the file's own total. `file` names the
    /// file in the error.
    pub fn finish(
        mut self,
        seen: Seen,
        number: NumberFormat,
        check: bool,
        kind: ImportKind,
        file: &str,
    ) -> Result<Understood, ImportError> {
        let u = &mut self.understood;
        u.customers = self.customers.len() as u64;
        u.net_total = u.invoice_total - u.credit_total - u.payment_total;
        let read = match kind {
            ImportKind::Invoices => Some(u.net_total),
            ImportKind::Payments => Some(u.payment_total),
            ImportKind::Customers => None,
        };
        u.sheet = seen.sheet;
        for (reason, n) in seen.skipped {
            *u.skipped.entry(reason).or_default() += n;
        }
        let mut total: Option<Money> = None;
        let mut last_line = 0;
        for (line, raw) in &seen.totals {
            // A total cell left blank (a formula saved without its value) says nothing.
            if let Some(v) = parse_amount(raw, number).map_err(|e| ImportError::Row {
                file: file.to_string(),
                line: *line,
                message: format!("the total row's figure '{raw}' {e}"),
            })? {
                total = Some(total.unwrap_or(Money::ZERO) + v);
                last_line = *line;
            }
        }
        u.file_total = total;
        if let (Some(t), Some(read)) = (total, read)
            && check
            && t != read
        {
            return Err(ImportError::TotalMismatch {
                file: file.to_string(),
                line: last_line,
                file_total: t,
                read_total: read,
                detail: self.understood.explain(),
            });
        }
        Ok(self.understood)
    }
}

impl Understood {
    /// What was read, in one sentence, for the total mismatch error.
    fn explain(&self) -> String {
        let mut parts = vec![format!(
            "{} invoices {}",
            self.invoices,
            self.invoice_total.grouped()
        )];
        if self.credits > 0 {
            parts.push(format!(
                "less {} credits {}",
                self.credits,
                self.credit_total.grouped()
            ));
        }
        if self.payments > 0 {
            parts.push(format!(
                "less {} payments {}",
                self.payments,
                self.payment_total.grouped()
            ));
        }
        let mut s = parts.join(", ");
        if !self.skipped.is_empty() {
            let skipped: Vec<String> = self
                .skipped
                .iter()
                .map(|(r, n)| format!("{n} × {r}"))
                .collect();
            s.push_str(&format!("; rows skipped: {}", skipped.join(", ")));
        }
        s
    }

    /// The lines `arq import` prints about a file of `kind`, after the counts.
    pub fn lines(&self, kind: ImportKind) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.sheet {
            out.push(format!("sheet '{s}'"));
        }
        if let Some(d) = &self.date_format {
            out.push(format!("dates read {d}"));
        }
        match kind {
            ImportKind::Customers => out.push(format!("{} customers", self.customers)),
            ImportKind::Payments => out.push(format!(
                "{} customers, {} payments totalling {}",
                self.customers,
                self.payments,
                self.payment_total.grouped()
            )),
            ImportKind::Invoices => out.push(format!(
                "{} customers, {} invoices totalling {}",
                self.customers,
                self.invoices,
                self.invoice_total.grouped()
            )),
        }
        if kind != ImportKind::Invoices {
            self.tail(&mut out, kind == ImportKind::Payments);
            return out;
        }
        if self.credits > 0 {
            out.push(format!(
                "{} credits totalling {} (applied oldest due first)",
                self.credits,
                self.credit_total.grouped()
            ));
        }
        if self.payments > 0 {
            out.push(format!(
                "{} unapplied payments totalling {} (applied oldest due first)",
                self.payments,
                self.payment_total.grouped()
            ));
        }
        if self.credits + self.payments > 0 {
            out.push(format!("owed after them: {}", self.net_total.grouped()));
        }
        self.tail(&mut out, true);
        out
    }

    /// The file's own total, the skip reasons and the notes.
    fn tail(&self, out: &mut Vec<String>, say_no_total: bool) {
        match self.file_total {
            Some(t) if t == self.net_total || t == self.payment_total => out.push(format!(
                "the file's own total {} matches what was read",
                t.grouped()
            )),
            Some(t) => out.push(format!(
                "the file's own total {} differs from what was read (not checked: check_total = false)",
                t.grouped()
            )),
            None if say_no_total => {
                out.push("the file gives no grand total to check against".to_string());
            }
            None => {}
        }
        for (reason, n) in &self.skipped {
            out.push(format!(
                "skipped {n} row{}: {reason}",
                if *n == 1 { "" } else { "s" }
            ));
        }
        out.extend(self.notes.iter().cloned());
    }
}
