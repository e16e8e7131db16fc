//! The day-by-day simulation: invoices are issued, customers pay (or not), the real
//! daily run does its steps, and simulated collectors and a supervisor work their
//! queues through the same services the terminal app uses.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::rng::Rng;
use super::world::{DemoInvoice, Payer};
use crate::domain::plan::{Every, equal_parts};
use crate::domain::{CallOutcome, DisputeOutcome, DisputeReason, EventKind, ItemAction, Money};
use crate::service::items::ItemDecision;
use crate::service::queue::QueueScope;
use crate::service::{Result, ServiceError, Session};
use crate::store::ledger::{self, InvoiceRow, PaymentRow};
use crate::store::{activity, events};

/// A payment a customer will make on some day.
#[derive(Debug, Clone)]
pub struct Planned {
    pub customer: usize,
    pub invoice_no: Option<String>,
    pub amount: Money,
}

/// A customer as the simulated days know it.
pub struct Payee {
    pub id: String,
    pub payer: Payer,
}

pub struct Sim {
    pub customers: Vec<Payee>,
    pub by_id: HashMap<String, usize>,
    pub planned: BTreeMap<NaiveDate, Vec<Planned>>,
    pub rng: Rng,
    pub payments: usize,
    /// Items a collector works per day.
    pub capacity: usize,
}

impl Sim {
    pub fn plan(&mut self, day: NaiveDate, p: Planned) {
        self.planned.entry(day).or_default().push(p);
    }

    /// Writes the invoices issued on `day` (no events: like an import, they are bulk data).
    pub fn issue(&mut self, s: &mut Session, invoices: &[DemoInvoice]) -> Result<()> {
        if invoices.is_empty() {
            return Ok(());
        }
        let customers = &self.customers;
        s.write(|tx| {
            for inv in invoices {
                ledger::insert_invoice(
                    tx.conn,
                    &InvoiceRow {
                        invoice_no: inv.invoice_no.clone(),
                        customer_id: customers[inv.customer].id.clone(),
                        issue_date: inv.issue_date,
                        due_date: inv.due_date,
                        amount: inv.amount,
                        balance: inv.amount,
                    },
                )?;
            }
            Ok(())
        })
    }

    /// Receives the payments planned for the session's day.
    pub fn receive(&mut self, s: &mut Session) -> Result<()> {
        let day = s.as_of();
        let Some(list) = self.planned.remove(&day) else {
            return Ok(());
        };
        let customers = &self.customers;
        let mut n = self.payments;
        s.write(|tx| {
            for p in list {
                let cid = &customers[p.customer].id;
                // Never pay more than is owed: what was planned may have been settled already.
                let owed = match &p.invoice_no {
                    Some(no) => {
                        ledger::get_invoice(tx.conn, no)?.map_or(Money::ZERO, |i| i.balance)
                    }
                    None => ledger::open_invoices(tx.conn, cid)?
                        .iter()
                        .map(|i| i.balance)
                        .sum(),
                };
                let amount = p.amount.min(owed);
                if !amount.is_positive() {
                    continue;
                }
                n += 1;
                let payment_id = format!("P-{n:07}");
                ledger::record_payment(
                    tx.conn,
                    &PaymentRow {
                        payment_id: payment_id.clone(),
                        customer_id: cid.clone(),
                        date: day,
                        amount,
                        invoice_no: p.invoice_no.clone(),
                        source: "demo".into(),
                    },
                )?;
                let on = p
                    .invoice_no
                    .as_deref()
                    .map_or(String::new(), |no| format!(" for {no}"));
                tx.event(
                    EventKind::Payment,
                    Some(cid),
                    format!("payment {payment_id}: {}{on}", amount.grouped()),
                    json!({"payment_id": payment_id, "amount": amount}),
                )?;
            }
            Ok(())
        })?;
        self.payments = n;
        Ok(())
    }

    /// Responsive customers pay within a week of a reminder.
    pub fn react_to_reminders(&mut self, s: &Session) -> Result<()> {
        let day = s.as_of();
        let mailed = events::between(s.store().conn(), day, day, &[EventKind::MailQueued])?;
        for e in mailed {
            let Some(ci) = e
                .customer_id
                .as_ref()
                .and_then(|c| self.by_id.get(c))
                .copied()
            else {
                continue;
            };
            let payer = self.customers[ci].payer;
            let pays = match payer {
                Payer::Responsive => self.rng.chance(70),
                Payer::Slow | Payer::Disputer => self.rng.chance(25),
                Payer::Prompt => self.rng.chance(80),
                Payer::Deadbeat => self.rng.chance(5),
            };
            if pays {
                let f = s.figures(&self.customers[ci].id)?;
                let on = day + Duration::days(self.rng.range(2, 8));
                self.plan(
                    on,
                    Planned {
                        customer: ci,
                        invoice_no: None,
                        amount: f.past_due,
                    },
                );
            }
        }
        Ok(())
    }

    /// A collector works the best items of their queue.
    pub fn work_queue(&mut self, s: &mut Session) -> Result<()> {
        let items = s.queue(&QueueScope::Mine, Some(self.capacity))?;
        for item in items {
            let Some(&ci) = self.by_id.get(&item.customer_id) else {
                continue;
            };
            let payer = self.customers[ci].payer;
            match item.action {
                ItemAction::Call => {
                    // An earlier call today may have finished it (the account's call
                    // steps): the call is then logged on the account alone.
                    let open = s.item_closed(item.item_id)?.is_none();
                    let item_id = open.then_some(item.item_id);
                    self.call(s, ci, payer, item_id, item.collectible_past_due)?;
                }
                ItemAction::FollowUp => {
                    s.finish_item(item.item_id, "asked the customer for documents")?;
                }
                a if a.is_approval() || a.needs_decision() => {}
                _ => {
                    let note = if item.note.starts_with("contact by preferred channel") {
                        "called instead"
                    } else {
                        "done"
                    };
                    s.finish_item(item.item_id, note)?;
                }
            }
        }
        Ok(())
    }

    fn call(
        &mut self,
        s: &mut Session,
        ci: usize,
        payer: Payer,
        item: Option<i64>,
        owed: Money,
    ) -> Result<()> {
        let day = s.as_of();
        let cid = self.customers[ci].id.clone();
        let outcome = match self.rng.range(0, 99) {
            0..=49 => CallOutcome::Reached,
            50..=74 => CallOutcome::Voicemail,
            75..=94 => CallOutcome::NoAnswer,
            95..=97 => CallOutcome::WrongNumber,
            _ => CallOutcome::Refused,
        };
        let note = match outcome {
            CallOutcome::Reached => *self.rng.pick(&[
                "spoke with AP",
                "spoke with the owner",
                "AP clerk checking",
                "talked to bookkeeper",
            ]),
            CallOutcome::Voicemail => "left a message",
            CallOutcome::NoAnswer => "no answer",
            CallOutcome::WrongNumber => "number no longer in service",
            CallOutcome::Refused => "customer refused to discuss",
        };
        s.log_call(&cid, outcome, note, item)?;
        if outcome != CallOutcome::Reached || !owed.is_positive() {
            let again = match outcome {
                CallOutcome::Voicemail => self
                    .rng
                    .chance(50)
                    .then_some("try again after the voicemail"),
                CallOutcome::NoAnswer => self
                    .rng
                    .chance(70)
                    .then_some("no answer: try another time of day"),
                _ => None,
            };
            if let (Some(note), true) = (again, owed.is_positive()) {
                let next = crate::domain::dates::add_days(day, self.rng.range(1, 3) as u32, true);
                s.schedule_callback(&cid, next, note)?;
            }
            return Ok(());
        }
        if payer == Payer::Disputer && self.rng.chance(50) {
            let oldest = s
                .invoices(&cid)?
                .into_iter()
                .find(|i| i.is_past_due(day) && i.disputed_open().is_zero());
            if let Some(inv) = oldest {
                let reason = *self.rng.pick(&[
                    DisputeReason::Pricing,
                    DisputeReason::Quantity,
                    DisputeReason::Damaged,
                    DisputeReason::NotReceived,
                ]);
                s.open_dispute(
                    &cid,
                    &inv.invoice_no,
                    reason,
                    None,
                    "customer says the invoice is wrong",
                    None,
                )?;
                return Ok(());
            }
        }
        if self.rng.chance(75) {
            let date = day + Duration::days(self.rng.range(3, 10));
            s.take_promise(&cid, owed, date, "promised on the phone")?;
            if self.rng.chance(payer.keeps_promises()) {
                let partial = self.rng.chance(15);
                let amount = if partial {
                    Money::round_from(owed.decimal() / rust_decimal::Decimal::from(2))
                } else {
                    owed
                };
                let on = date - Duration::days(self.rng.range(0, 3));
                self.plan(
                    on.max(day + Duration::days(1)),
                    Planned {
                        customer: ci,
                        invoice_no: None,
                        amount,
                    },
                );
            }
        } else {
            s.schedule_callback(
                &cid,
                day + Duration::days(self.rng.range(2, 5)),
                "customer asked to call back",
            )?;
        }
        Ok(())
    }

    /// The supervisor works escalations and approvals and settles old disputes.
    pub fn supervise(&mut self, s: &mut Session) -> Result<()> {
        let day = s.as_of();
        for item in s.queue(&QueueScope::Mine, Some(self.capacity / 2 + 3))? {
            if item.owner.as_deref() != Some("supervisor") {
                continue;
            }
            match item.action {
                ItemAction::ReleaseHold => {
                    s.approve_item(item.item_id, "paid up: released")?;
                }
                ItemAction::ApproveWriteOff => {
                    if self.rng.chance(80) {
                        s.approve_item(item.item_id, "small balance, not worth chasing")?;
                    } else {
                        s.reject_item(item.item_id, "keep collecting: the customer still orders")?;
                    }
                }
                a if a.needs_decision() => self.decide(s, &item)?,
                _ => {
                    s.finish_item(item.item_id, "reviewed with the collector")?;
                }
            }
        }
        for d in activity::open_disputes(s.store().conn(), day)? {
            if (day - d.opened_on).num_days() < 10 {
                continue;
            }
            let third = Money::round_from(d.amount.decimal() / rust_decimal::Decimal::from(3));
            let (outcome, amount) = match self.rng.range(0, 99) {
                0..=34 => (DisputeOutcome::Valid, None),
                35..=49 => (DisputeOutcome::Partial, Some(third)),
                _ => (DisputeOutcome::Invalid, None),
            };
            s.resolve_dispute(
                d.dispute_id,
                outcome,
                amount,
                "checked delivery notes and pricing",
            )?;
        }
        Ok(())
    }
}

impl Sim {
    /// The supervisor's decision on an escalation, agency, write-off review or
    /// exhausted-strategy item: small balances are written off, large old ones go to
    /// the agency, some customers get a plan, the rest go on.
    fn decide(&mut self, s: &mut Session, item: &crate::service::queue::QueueItem) -> Result<()> {
        let owed = item.collectible_past_due;
        let day = s.as_of();
        let small = owed < Money::from_major(1_500);
        let late = item.dpd > 90;
        let roll = self.rng.range(0, 99);
        let decision = match item.action {
            ItemAction::Escalate if roll < 25 && owed.is_positive() => plan_for(owed, day),
            ItemAction::Escalate => ItemDecision::Continue,
            _ if small && late && roll < 70 => ItemDecision::WriteOff {
                invoices: Vec::new(),
            },
            ItemAction::Agency | ItemAction::Review if late && roll < 60 => ItemDecision::Agency {
                agency: "Northline Recovery".into(),
            },
            _ if roll < 20 && owed.is_positive() => plan_for(owed, day),
            _ => ItemDecision::Continue,
        };
        let note = match &decision {
            ItemDecision::Continue => "reviewed with the collector: keep going",
            ItemDecision::WriteOff { .. } => "uncollectible small balance",
            ItemDecision::Agency { .. } => "no response for months",
            ItemDecision::Plan { .. } => "customer asked for time",
        };
        match s.decide_item(item.item_id, &decision, note) {
            Ok(_) => Ok(()),
            // Nothing left to write off (disputed, say): go on instead.
            Err(ServiceError::Invalid(_) | ServiceError::NotFound(_)) => s
                .decide_item(item.item_id, &ItemDecision::Continue, note)
                .map(|_| ()),
            Err(e) => Err(e),
        }
    }
}

/// Three monthly installments of what is owed, from next week.
fn plan_for(owed: Money, day: NaiveDate) -> ItemDecision {
    let installments =
        equal_parts(owed, 3, Every::Month, day + Duration::days(7)).unwrap_or_default();
    ItemDecision::Plan { installments }
}
