//! The demo shop's customers, invoices and how each customer pays.

use chrono::{Duration, NaiveDate};

use super::names::{customer_name, email_for};
use super::rng::Rng;
use crate::domain::{Channel, ChannelSet, Customer, Money, Risk};

pub const COLLECTORS: [&str; 3] = ["ana", "ben", "cleo"];
pub const SUPERVISOR: &str = "sam";
pub const ADMIN: &str = "admin";

/// How a customer behaves when money is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payer {
    /// Pays around the due date.
    Prompt,
    /// Pays weeks late, reminders or not.
    Slow,
    /// Pays soon after being reminded or called.
    Responsive,
    /// Rarely pays; promises and breaks them.
    Deadbeat,
    /// Pays, but disputes invoices when called.
    Disputer,
}

impl Payer {
    /// Percent of promises this payer keeps.
    pub fn keeps_promises(self) -> u32 {
        match self {
            Payer::Prompt => 95,
            Payer::Slow => 65,
            Payer::Responsive => 85,
            Payer::Deadbeat => 20,
            Payer::Disputer => 60,
        }
    }
}

pub struct DemoCustomer {
    pub customer: Customer,
    pub payer: Payer,
}

/// An invoice with the day its customer will pay it unprompted (if ever).
pub struct DemoInvoice {
    pub invoice_no: String,
    pub customer: usize,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub pays_on: Option<NaiveDate>,
    /// Whether the payment names the invoice (else it is applied oldest first).
    pub names_invoice: bool,
}

pub fn customers(rng: &mut Rng, n: usize) -> Vec<DemoCustomer> {
    let width = if n >= 100_000 { 6 } else { 5 };
    (0..n)
        .map(|i| {
            let name = customer_name(rng, i);
            let mut c = Customer::named(&format!("C-{:0width$}", i + 1), &name);
            c.owner = Some(COLLECTORS[i % COLLECTORS.len()].to_string());
            c.risk = match rng.range(0, 99) {
                0..=24 => Risk::Low,
                25..=79 => Risk::Normal,
                _ => Risk::High,
            };
            // The shop gave the low and high classes; the others follow how they pay.
            c.risk_set = c.risk != Risk::Normal;
            c.segment = Some(
                match rng.range(0, 99) {
                    0..=4 => "key",
                    5..=59 => "retail",
                    _ => "wholesale",
                }
                .to_string(),
            );
            if rng.chance(92) {
                c.email = Some(email_for(&name, i + 1));
            }
            if rng.chance(95) {
                c.phone = Some(format!(
                    "+1 555 {:03} {:04}",
                    rng.range(100, 999),
                    rng.range(0, 9999)
                ));
            }
            if rng.chance(5) {
                c.opt_out.insert(Channel::Email);
            }
            if rng.chance(2) {
                c.opt_out = ChannelSet::parse("email;sms").unwrap_or_default();
            }
            c.white_glove = rng.chance(3);
            c.credit_limit = Some(Money::from_major(rng.range(5, 100) * 1000));
            let payer = match rng.range(0, 99) {
                0..=34 => Payer::Prompt,
                35..=64 => Payer::Slow,
                65..=81 => Payer::Responsive,
                82..=91 => Payer::Deadbeat,
                _ => Payer::Disputer,
            };
            DemoCustomer { customer: c, payer }
        })
        .collect()
}

/// Every invoice from `from` to `to`, with unprompted payment days, in issue order.
pub fn invoices(
    rng: &mut Rng,
    customers: &[DemoCustomer],
    from: NaiveDate,
    to: NaiveDate,
    mean_gap: i64,
) -> Vec<DemoInvoice> {
    let mut out = Vec::new();
    for (ci, dc) in customers.iter().enumerate() {
        let mut day = from + Duration::days(rng.range(0, mean_gap));
        while day <= to {
            let terms = *rng.pick(&[30, 30, 30, 15, 45, 60]);
            let due = day + Duration::days(terms);
            let base = match dc.customer.segment.as_deref() {
                Some("key") => rng.range(2_000, 40_000),
                Some("wholesale") => rng.range(400, 15_000),
                _ => rng.range(60, 2_500),
            };
            let amount = Money::from_minor(base * 100 + rng.range(0, 99));
            let late = match dc.payer {
                Payer::Prompt => Some(rng.range(-6, 6)),
                Payer::Slow => Some(rng.range(8, 45)),
                Payer::Responsive => rng.chance(55).then(|| rng.range(25, 70)),
                Payer::Deadbeat => rng.chance(50).then(|| rng.range(60, 160)),
                Payer::Disputer => Some(rng.range(5, 50)),
            };
            out.push(DemoInvoice {
                invoice_no: String::new(),
                customer: ci,
                issue_date: day,
                due_date: due,
                amount,
                pays_on: late.map(|l| due + Duration::days(l)).filter(|p| *p > day),
                names_invoice: rng.chance(85),
            });
            day += Duration::days(rng.range(mean_gap / 2, mean_gap * 3 / 2).max(1));
        }
    }
    out.sort_by(|a, b| {
        a.issue_date
            .cmp(&b.issue_date)
            .then(a.customer.cmp(&b.customer))
    });
    for (i, inv) in out.iter_mut().enumerate() {
        inv.invoice_no = format!("INV-{:07}", i + 1);
    }
    out
}
