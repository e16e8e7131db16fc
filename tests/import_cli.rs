//! Importing through the real binary: summaries, errors that name the line, column
//! and value, nothing half-written, roles.

mod common;

use common::Shop;
use predicates::prelude::*;

fn write(shop: &Shop, name: &str, body: &str) -> String {
    let p = shop.dir.path().join(name);
    std::fs::write(&p, body).unwrap_or_else(|e| panic!("{e}"));
    p.display().to_string()
}

#[test]
fn import_summaries_and_reimport() {
    let shop = Shop::new("2026-01-01");
    let customers = write(
        &shop,
        "customers.csv",
        "\u{feff}customer_id,name,collector,risk\r\n0042,Acme Tools,ana,high\r\n0043,Bolt & Nut,ben,low\r\n",
    );
    shop.arq("admin", "2026-03-01")
        .args(["import", "customers", &customers])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Imported: 2 customers rows")
                .and(predicate::str::contains("created 2")),
        );
    // Leading zeros are kept.
    shop.arq("ana", "2026-03-01")
        .args(["account", "show", "0042"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0042 — Acme Tools"));

    let invoices = write(
        &shop,
        "invoices.csv",
        "invoice_no,customer_id,issue_date,due_date,amount,balance\n00017,0042,2026-01-15,2026-02-14,\"1,250.00\",1000.00\nX-9,0099,2026-01-20,2026-02-19,80,80\n",
    );
    let out = shop.json(
        "admin",
        "2026-03-01",
        &["import", "invoices", &invoices, "--format", "json"],
    );
    assert_eq!(out["created"], 2);
    assert_eq!(out["customers_created"], 1);
    assert_eq!(out["balance_payments"], 1);
    let a = shop.json(
        "admin",
        "2026-03-01",
        &["account", "show", "0042", "--format", "json"],
    );
    assert_eq!(a["balance"], "1000.00");
    // The same file again changes nothing.
    let events = shop.count("events");
    let again = shop.json(
        "admin",
        "2026-03-01",
        &["import", "invoices", &invoices, "--format", "json"],
    );
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(shop.count("events"), events);
}

#[test]
fn a_bad_row_names_where_and_writes_nothing() {
    let shop = Shop::new("2026-01-01");
    let invoices = write(
        &shop,
        "bad.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nA-1,C1,2026-01-01,2026-01-31,10.00\nA-2,C1,2026-01-01,31/01/2026,10.00\n",
    );
    shop.arq("admin", "2026-03-01")
        .args(["import", "invoices", &invoices])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("bad.csv:3")
                .and(predicate::str::contains("due_date"))
                .and(predicate::str::contains("31/01/2026")),
        );
    assert_eq!(shop.count("invoices"), 0);
    assert_eq!(shop.count("customers"), 0);

    let foreign = write(
        &shop,
        "eur.csv",
        "invoice_no,customer_id,issue_date,due_date,amount,currency\nA-1,C1,2026-01-01,2026-01-31,10.00,EUR\n",
    );
    shop.arq("admin", "2026-03-01")
        .args(["import", "invoices", &foreign])
        .assert()
        .failure()
        .stderr(predicate::str::contains("EUR"));

    let who = write(
        &shop,
        "who.csv",
        "customer_id,name,collector\nC1,Acme,zoe\n",
    );
    shop.arq("admin", "2026-03-01")
        .args(["import", "customers", &who])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("who.csv:2")
                .and(predicate::str::contains("zoe"))
                .and(predicate::str::contains("arq user add zoe")),
        );

    let fine = write(&shop, "fine.csv", "customer_id,name\nC1,Acme\n");
    shop.arq("ana", "2026-03-01")
        .args(["import", "customers", &fine])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only admins can import"));
    shop.arq("admin", "2026-03-01")
        .args(["import", "customers", &fine, "--preset", "sage"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("invalid value 'sage' for '--preset")
                .and(predicate::str::contains("qbo-open-invoices")),
        );
    shop.arq("admin", "2026-03-01")
        .args(["import", "customers", &fine, "--snapshot"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--snapshot"));
    shop.arq("admin", "2026-03-01")
        .args(["import", "customers", "/nonexistent.csv"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/nonexistent.csv"));
    assert_eq!(shop.count("customers"), 0);
}

#[test]
fn help_lists_every_preset() {
    let out = assert_cmd::Command::cargo_bin("arq")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["import", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&out.stdout);
    for (name, _) in arq::import::presets() {
        assert!(
            help.contains(name),
            "{name} missing from `arq import --help`"
        );
    }
}

/// A file big enough for the bulk path (indexes rebuilt at the end, a rollback
/// journal while nobody else has the database open) leaves the same database an
/// ordinary import would: every row, every index, WAL mode, a clean integrity check.
#[test]
fn a_bulk_load_leaves_a_whole_database() {
    use std::fmt::Write as _;
    let shop = Shop::new("2026-01-01");
    let mut csv = String::from("invoice_no,customer_id,issue_date,due_date,amount,balance\n");
    let n = 180_000;
    for i in 0..n {
        let balance = if i % 10 == 0 { "40.00" } else { "120.00" };
        let _ = writeln!(
            csv,
            "INV-{i:07},C{:05},2026-01-{:02},2026-02-{:02},120.00,{balance}",
            i % 5000,
            i % 28 + 1,
            i % 28 + 1
        );
    }
    assert!(
        csv.len() > 8 << 20,
        "the file must be big enough for the bulk path"
    );
    let path = write(&shop, "big.csv", &csv);
    // Someone else has the database open during the first load: it stays in WAL mode.
    let other = arq::store::Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let out = shop.json(
        "admin",
        "2026-03-01",
        &["import", "invoices", &path, "--format", "json"],
    );
    drop(other);
    assert_eq!(out["created"], n);
    assert_eq!(out["customers_created"], 5000);
    assert_eq!(out["balance_payments"], n / 10);

    let store = arq::store::Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let q = |sql: &str| -> String {
        store
            .conn()
            .query_row(sql, [], |r| r.get::<_, String>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(q("PRAGMA integrity_check"), "ok");
    assert_eq!(q("PRAGMA journal_mode"), "wal");
    assert_eq!(
        q("SELECT CAST(SUM(balance) AS TEXT) FROM invoices"),
        format!("{}", (n / 10) * 4000 + (n - n / 10) * 12000)
    );
    assert_eq!(
        q(
            "SELECT CAST(COUNT(*) AS TEXT) FROM sqlite_master WHERE type = 'index' AND name = 'invoices_customer'"
        ),
        "1"
    );
    drop(store);

    // A second big file into a database nobody else has open takes the exclusive path.
    let mut more = String::from("invoice_no,customer_id,issue_date,due_date,amount\n");
    for i in 0..n {
        let _ = writeln!(
            more,
            "NEW-{i:07},D{:05},2026-01-05,2026-02-05,10.00",
            i % 3000
        );
    }
    let path = write(&shop, "more.csv", &more);
    let out = shop.json(
        "admin",
        "2026-03-02",
        &["import", "invoices", &path, "--format", "json"],
    );
    assert_eq!(out["created"], n);
    let store = arq::store::Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let q = |sql: &str| -> String {
        store
            .conn()
            .query_row(sql, [], |r| r.get::<_, String>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(q("PRAGMA integrity_check"), "ok");
    assert_eq!(q("PRAGMA journal_mode"), "wal");
    assert_eq!(
        q("SELECT CAST(COUNT(*) AS TEXT) FROM invoices"),
        format!("{}", 2 * n)
    );
    assert_eq!(
        q("SELECT CAST(COUNT(*) AS TEXT) FROM pragma_foreign_key_check"),
        "0"
    );
}
