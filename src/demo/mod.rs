//! `arq demo`: a deterministic demo shop. Customers and a year of invoices are
//! generated from a seed; the last ~120 days are lived through day by day with the
//! real engine and simulated collectors, so queues, timelines, promises, disputes
//! and holds look like a shop that has used arq for months.

mod names;
pub mod rng;
mod sim;
mod world;

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::config::Config;
use crate::domain::{EventKind, Role};
use crate::import::bulk;
use crate::progress::{Progress, Unit};
use crate::service::{Result, ServiceError, noon_utc, setup};
use crate::store::db::Db;
use crate::store::{self, Durability, Store, customers, ledger};
use rng::Rng;
use sim::{Payee, Planned, Sim};
pub use world::{ADMIN, COLLECTORS, SUPERVISOR};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// About 300 customers.
    Small,
    /// 100,000 customers and about 1,000,000 invoices.
    Large,
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub size: Size,
    pub seed: u64,
    /// The last simulated day (the demo's "today").
    pub today: NaiveDate,
    pub history_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub customers: usize,
    pub invoices: usize,
    pub payments: usize,
    pub days: i64,
    pub events: u64,
}

/// Refuses to replace anything but an earlier demo database.
fn clear(path: &Path) -> Result<()> {
    if path.exists() {
        let is_demo = Store::open(path)
            .ok()
            .and_then(|s| s.meta("demo").ok().flatten())
            .is_some();
        if !is_demo {
            return Err(ServiceError::Invalid(format!(
                "{} exists and is not a demo database: arq demo only replaces its own demos (choose another --db)",
                path.display()
            )));
        }
        for suffix in ["", "-wal", "-shm", ".key", ".anchors"] {
            let p = format!("{}{suffix}", path.display());
            if Path::new(&p).exists() {
                std::fs::remove_file(&p)
                    .map_err(|e| ServiceError::Invalid(format!("cannot replace {p}: {e}")))?;
            }
        }
    }
    Ok(())
}

/// Builds the demo database at `path`. `progress` hears about each phase.
pub fn build(
    path: &Path,
    opts: &DemoOptions,
    config: &Config,
    progress: &dyn Progress,
) -> Result<DemoSummary> {
    clear(path)?;
    let (n_customers, mean_gap, capacity) = match opts.size {
        Size::Small => (300, 18, 2),
        Size::Large => (100_000, 40, 150),
    };
    let start = opts.today - Duration::days(opts.history_days);
    let rng = Rng::new(opts.seed);

    progress.phase("creating the shop", None, Unit::Days);
    // The audit key comes from the seed, so one seed builds one record, hash for hash.
    let mut admin = setup::init_with(
        path,
        "USD",
        ADMIN,
        start,
        noon_utc(start),
        config.clone(),
        Some(&opts.seed.to_le_bytes()),
    )?;
    admin.store().set_durability(Durability::Bulk)?;
    admin.write(|tx| Ok(store::put_meta(tx.conn, "demo", &opts.seed.to_string())?))?;
    for u in COLLECTORS {
        admin.add_user(u, Role::Collector)?;
    }
    admin.add_user(SUPERVISOR, Role::Supervisor)?;

    let mut people_rng = rng.fork(1);
    let demo_customers = world::customers(&mut people_rng, n_customers);
    let history_from = start - Duration::days(300);
    let mut invoice_rng = rng.fork(2);
    let invoices = world::invoices(
        &mut invoice_rng,
        &demo_customers,
        history_from,
        opts.today,
        mean_gap,
    );

    progress.phase("writing the history", None, Unit::Days);
    let n_invoices = invoices.len();
    // The history is written once and then dropped; the period's invoices are kept by
    // the day they are issued.
    let (before, period): (Vec<world::DemoInvoice>, Vec<world::DemoInvoice>) =
        invoices.into_iter().partition(|i| i.issue_date < start);
    let mut history_payments = 0;
    // Like a bulk import: the ledger's secondary indexes are built once at the end
    // instead of updated a million times (with the connection's own page cache: a
    // bulk import's larger one would raise the build's peak memory by 200 MiB).
    admin.write(|tx| {
        let deferred = match tx.conn {
            Db::Lite(conn) => Some(bulk::defer_indexes(conn)?),
            Db::Pg(_) => None,
        };
        for c in &demo_customers {
            customers::insert(tx.conn, &c.customer, history_from)?;
            if let Some(owner) = &c.customer.owner {
                tx.event(
                    EventKind::Assigned,
                    Some(&c.customer.id),
                    format!("assigned to {owner}"),
                    serde_json::json!({"to": owner, "from": null}),
                )?;
            }
        }
        for inv in &before {
            let paid_before_start = inv.pays_on.filter(|p| *p < start);
            ledger::insert_invoice(
                tx.conn,
                &ledger::InvoiceRow {
                    invoice_no: inv.invoice_no.clone(),
                    customer_id: demo_customers[inv.customer].customer.id.clone(),
                    issue_date: inv.issue_date,
                    due_date: inv.due_date,
                    amount: inv.amount,
                    balance: inv.amount,
                },
            )?;
            if let Some(on) = paid_before_start {
                history_payments += 1;
                ledger::record_payment(
                    tx.conn,
                    &ledger::PaymentRow {
                        payment_id: format!("H-{history_payments:07}"),
                        customer_id: demo_customers[inv.customer].customer.id.clone(),
                        date: on,
                        amount: inv.amount,
                        invoice_no: Some(inv.invoice_no.clone()),
                        source: "demo".into(),
                    },
                )?;
            }
        }
        let detail = format!(
            "demo history: {} customers, {} invoices, {history_payments} payments before {start}",
            demo_customers.len(),
            before.len()
        );
        tx.event(
            EventKind::Import,
            None,
            detail,
            serde_json::json!({"customers": demo_customers.len(), "invoices": before.len()}),
        )?;
        if let (Some(d), Db::Lite(conn)) = (deferred, tx.conn) {
            d.rebuild(conn)?;
        }
        Ok(())
    })?;
    let n_customers = demo_customers.len();
    // The simulated days need each customer's id and manner of paying, no more.
    let payers: Vec<Payee> = demo_customers
        .into_iter()
        .map(|c| Payee {
            id: c.customer.id,
            payer: c.payer,
        })
        .collect();
    let mut sim = Sim {
        by_id: payers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect::<HashMap<_, _>>(),
        customers: payers,
        planned: Default::default(),
        rng: rng.fork(3),
        payments: 0,
        capacity,
    };
    for inv in before.iter().chain(&period) {
        if let Some(on) = inv.pays_on.filter(|p| *p >= start) {
            let invoice_no = inv.names_invoice.then(|| inv.invoice_no.clone());
            sim.plan(
                on,
                Planned {
                    customer: inv.customer,
                    invoice_no,
                    amount: inv.amount,
                },
            );
        }
    }

    drop(before);
    // Everyone works on the admin's connection, taking turns (one page cache, not
    // one per simulated person).
    let mut s = admin;

    let mut by_day: HashMap<NaiveDate, Vec<world::DemoInvoice>> = HashMap::new();
    for inv in period {
        by_day.entry(inv.issue_date).or_default().push(inv);
    }
    let mut day = start;
    progress.phase(
        "simulating",
        Some(opts.history_days.max(0) as u64 + 1),
        Unit::Days,
    );
    while day <= opts.today {
        s.set_as_of(day, noon_utc(day));
        let issued = by_day.remove(&day).unwrap_or_default();
        sim.issue(&mut s, &issued)?;
        drop(issued);
        sim.receive(&mut s)?;
        // The day's work comes before the day's close, as in a shop that runs
        // `arq run` in the evening: collectors work what earlier closes put in their
        // queues, and the close sees everything dated that day (which is what a
        // what-if replay of the day assumes, `whatif`). Nobody works weekends, and
        // the last day is left for the person opening the demo.
        if day < opts.today && !crate::domain::dates::is_weekend(day) {
            for collector in COLLECTORS {
                // Now and then a collector is out for the day.
                if !sim.rng.chance(30) {
                    s = s.as_user(collector)?;
                    sim.work_queue(&mut s)?;
                }
            }
            // The supervisor reviews escalations and approvals once a week, on Mondays.
            if day.weekday() == chrono::Weekday::Mon {
                s = s.as_user(SUPERVISOR)?;
                sim.supervise(&mut s)?;
            }
            s = s.as_user(ADMIN)?;
        }
        s.run_day(false)?;
        sim.react_to_reminders(&s)?;
        day += Duration::days(1);
        progress.advance(1);
    }
    progress.finish();
    let events = s.event_count()?;
    s.anchor("demo")?;
    s.store().set_durability(Durability::Full)?;
    Ok(DemoSummary {
        customers: n_customers,
        invoices: n_invoices,
        payments: history_payments + sim.payments,
        days: opts.history_days + 1,
        events,
    })
}
