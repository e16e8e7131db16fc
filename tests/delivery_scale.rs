#![allow(clippy::unwrap_used)] // a test: a failed unwrap is a failed test
//! Delivery costs the same per message however large the outbox is: SQLite's own
//! counters (statements run, virtual-machine steps, rows walked by full scans) are
//! read through the connection's profile hook while a send delivers 100 and then
//! 10,000 pending reminders. No timing: a per-message query that walked the outbox
//! would show up as steps that grow with it.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;

use arq::config::{Config, Transport};
use arq::import::{ImportKind, ImportOptions, import_file};
use arq::mail::send;
use arq::service::Session;
use common::Shop;
use rusqlite::StatementStatus;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

const DAY: &str = "2026-03-02";

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    statements: u64,
    vm_steps: u64,
    fullscan_steps: u64,
}

thread_local! {
    static COUNTS: RefCell<Counts> = RefCell::default();
    /// The counters SQLite keeps per prepared statement are cumulative: remember the
    /// last value seen for each so only the difference is added.
    /// Keyed by SQL text: the statements a send runs are prepared once and cached.
    static SEEN: RefCell<HashMap<String, (i32, i32)>> = RefCell::default();
}

fn on_trace(e: TraceEvent<'_>) {
    if let TraceEvent::Profile(stmt, _) = e {
        let key = stmt.sql().into_owned();
        let vm = stmt.get_status(StatementStatus::VmStep);
        let scan = stmt.get_status(StatementStatus::FullscanStep);
        let (dvm, dscan) = SEEN.with(|s| {
            let mut s = s.borrow_mut();
            let (lvm, lscan) = s.get(&key).copied().unwrap_or((0, 0));
            // A statement prepared anew starts counting from zero again.
            s.insert(key, (vm, scan));
            let d = |now: i32, last: i32| if now >= last { now - last } else { now };
            (d(vm, lvm), d(scan, lscan))
        });
        COUNTS.with(|c| {
            let mut c = c.borrow_mut();
            c.statements += 1;
            c.vm_steps += dvm as u64;
            c.fullscan_steps += dscan as u64;
        });
    }
}

/// A shop whose `n` accounts are each past due with one invoice, and whose daily run
/// has queued one reminder for each.
fn shop_with_pending(n: usize) -> (Shop, Session) {
    let shop = Shop::new("2026-01-01");
    let dir = shop.dir.path();
    let mut customers = String::from("customer_id,name,email\n");
    let mut invoices = String::from("invoice_no,customer_id,issue_date,due_date,amount\n");
    for i in 0..n {
        customers.push_str(&format!("C{i:05},Customer {i},ap{i}@example.com\n"));
        invoices.push_str(&format!(
            "INV-{i:05},C{i:05},2026-01-05,2026-02-04,{}.00\n",
            500 + i % 700
        ));
    }
    for (name, text) in [("customers.csv", &customers), ("invoices.csv", &invoices)] {
        let mut f = std::fs::File::create(dir.join(name)).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }
    let mut config = Config::default();
    config.mail.transport = Transport::File;
    config.mail.dir = Some(dir.join("out"));
    let mut admin = shop.session_with("admin", DAY, config);
    for (kind, name) in [
        (ImportKind::Customers, "customers.csv"),
        (ImportKind::Invoices, "invoices.csv"),
    ] {
        import_file(&mut admin, kind, &dir.join(name), &ImportOptions::default()).unwrap();
    }
    let run = admin.run_day(false).unwrap();
    assert_eq!(run.mail_queued as usize, n);
    (shop, admin)
}

/// What one send of every pending message costs, per message.
fn per_message(n: usize) -> (f64, f64, u64) {
    let (_shop, mut admin) = shop_with_pending(n);
    COUNTS.with(|c| *c.borrow_mut() = Counts::default());
    SEEN.with(|s| s.borrow_mut().clear());
    admin
        .store()
        .sqlite()
        .expect("a SQLite shop")
        .trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(on_trace));
    let r = send::send_pending(&mut admin).unwrap();
    admin
        .store()
        .sqlite()
        .expect("a SQLite shop")
        .trace_v2(TraceEventCodes::empty(), None);
    assert_eq!(r.sent as usize, n, "{:?}", r.messages.first());
    let c = COUNTS.with(|c| *c.borrow());
    (
        c.statements as f64 / n as f64,
        c.vm_steps as f64 / n as f64,
        c.fullscan_steps,
    )
}

#[test]
fn delivery_costs_the_same_per_message_at_100_and_10_000_pending() {
    let (small_stmts, small_steps, small_scans) = per_message(100);
    let (large_stmts, large_steps, large_scans) = per_message(10_000);
    eprintln!(
        "per message: {small_stmts:.2} statements, {small_steps:.0} VM steps at 100; \
         {large_stmts:.2} statements, {large_steps:.0} VM steps at 10,000; full-scan steps {small_scans} / {large_scans}"
    );
    // A handful of statements per message (record + event), plus a fixed number per
    // batch of 256: bounded, and not more for a larger outbox.
    assert!(large_stmts <= 4.0, "{large_stmts} statements per message");
    assert!(
        large_stmts <= small_stmts + 0.5,
        "{small_stmts} → {large_stmts}"
    );
    // The work SQLite does per message does not grow with the outbox (a walk over
    // the outbox per message would make it ~100 times larger).
    assert!(
        large_steps <= small_steps * 1.5,
        "VM steps per message grew from {small_steps:.0} to {large_steps:.0}"
    );
    assert!(
        (large_scans as f64) <= (small_scans as f64 + 1.0) * 100.0 * 1.5,
        "full-scan steps grew faster than the outbox: {small_scans} → {large_scans}"
    );
}
