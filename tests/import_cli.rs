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
        .stderr(predicate::str::contains("no preset named 'sage'"));
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
