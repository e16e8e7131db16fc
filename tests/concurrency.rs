//! Several people on one database at once: many `arq` processes log calls at the
//! same moment; every call is recorded, none fails with "database is locked", and
//! the event chain stays whole.

mod common;

use std::process::{Command, Stdio};

use common::Shop;

#[test]
fn many_processes_log_calls_at_once() {
    let shop = Shop::new("2026-01-01");
    for c in ["C1", "C2", "C3", "C4"] {
        shop.customer(c, if c == "C1" || c == "C3" { "ana" } else { "ben" });
        shop.invoice(&format!("INV-{c}"), c, "2026-01-30", "2026-03-01", "900.00");
    }
    let bin = assert_cmd::cargo::cargo_bin("arq");
    let db = shop.db.display().to_string();
    let mut children = Vec::new();
    for i in 0..24 {
        let (customer, user) = match i % 4 {
            0 => ("C1", "ana"),
            1 => ("C2", "ben"),
            2 => ("C3", "ana"),
            _ => ("C4", "ben"),
        };
        let child = Command::new(&bin)
            .args([
                "--db",
                &db,
                "--user",
                user,
                "--as-of",
                "2026-03-05",
                "log",
                "call",
                customer,
                "--outcome",
                "reached",
            ])
            .args(["--note", &format!("call {i}")])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        children.push(child);
    }
    // A daily run joins in, as cron would.
    let run = Command::new(&bin)
        .args([
            "--db",
            &db,
            "--user",
            "admin",
            "--as-of",
            "2026-03-05",
            "run",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    children.push(run);
    for child in children {
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a process failed: {err}");
        assert!(!err.contains("locked"), "{err}");
    }
    assert_eq!(shop.count("calls"), 24);
    assert_eq!(shop.count("events WHERE kind = 'call'"), 24);
    let v = shop
        .session("admin", "2026-03-05")
        .audit_verify()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.broken_at, None);
}
