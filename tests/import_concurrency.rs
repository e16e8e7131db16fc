#![allow(clippy::unwrap_used)] // a test: a failed unwrap is a failed test
//! A nightly bulk import does not lock collectors out: while `arq import invoices`
//! loads a file large enough for the bulk path, collectors keep reading their queue
//! and accounts and keep writing notes through the real binary. None of their
//! commands fails: reads go on in WAL mode, writes wait for the import's commit. On a
//! server (the PostgreSQL pass) the same: the import's rows go in bulk, so it holds
//! the write lock for less than the busy timeout.

mod common;

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Shop;

const DAY: &str = "2026-03-05";

fn arq(shop: &Shop, user: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("arq"));
    cmd.env_remove("ARQ_DB")
        .env_remove("ARQ_USER")
        .env_remove("ARQ_CONFIG")
        .env_remove("ARQ_AS_OF")
        .env("XDG_CONFIG_HOME", shop.dir.path().join("config"))
        .env("XDG_DATA_HOME", shop.dir.path().join("data"))
        .args(["--db", &shop.db.display().to_string()])
        .args(["--user", user, "--as-of", DAY])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn running(child: &mut Child) -> bool {
    matches!(child.try_wait(), Ok(None))
}

#[test]
fn collectors_read_and_write_while_a_bulk_import_runs() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C-ANA", "ana");
    shop.invoice("INV-A1", "C-ANA", "2026-01-10", "2026-02-09", "1200.00");
    shop.customer("C-BEN", "ben");
    shop.invoice("INV-B1", "C-BEN", "2026-01-10", "2026-02-09", "800.00");
    // About 9 MB: above the size at which an invoice file is bulk-loaded.
    let path = shop.dir.path().join("invoices.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(
            f,
            "invoice_no,customer_id,issue_date,due_date,amount,balance,currency"
        )
        .unwrap();
        for i in 0..170_000 {
            let paid = if i % 10 < 7 { "0.00" } else { "410.50" };
            writeln!(
                f,
                "N-{i:07},K{:05},2026-01-0{},2026-02-0{},410.50,{paid},USD",
                i % 15_000,
                1 + i % 9,
                1 + i % 9
            )
            .unwrap();
        }
    }
    assert!(std::fs::metadata(&path).unwrap().len() > 8 << 20);

    let mut import = arq(
        &shop,
        "admin",
        &["import", "invoices", &path.display().to_string()],
    )
    .spawn()
    .unwrap();
    let started = Instant::now();
    let mut during = 0;
    let mut failures: Vec<String> = Vec::new();
    let mut notes = 0;
    let mut check = |out: Output, what: &str| {
        if !out.status.success() {
            failures.push(format!("{what}: {}", String::from_utf8_lossy(&out.stderr)));
        }
    };
    // Collectors work until the import is over (and at least a few rounds).
    let mut round = 0;
    while round < 3 || running(&mut import) {
        if started.elapsed() > Duration::from_secs(240) {
            break;
        }
        let overlapping = running(&mut import);
        let (user, customer) = if round % 2 == 0 {
            ("ana", "C-ANA")
        } else {
            ("ben", "C-BEN")
        };
        let reads = [
            arq(&shop, user, &["queue", "--format", "json"])
                .output()
                .unwrap(),
            arq(
                &shop,
                user,
                &["account", "show", customer, "--format", "json"],
            )
            .output()
            .unwrap(),
        ];
        // Reads never wait for the import: count the rounds whose reads finished
        // while it still ran. (A write waits for the import's commit, so a round
        // counted after its note would depend on how the import's time splits
        // between parsing and holding the write lock.)
        if overlapping && running(&mut import) {
            during += 1;
        }
        for out in reads {
            check(out, &format!("{user} reading"));
        }
        let note = format!("note {round} during the import");
        let out = arq(&shop, user, &["log", "note", customer, &note])
            .output()
            .unwrap();
        notes += 1;
        check(out, &format!("{user} writing a note"));
        round += 1;
    }
    let out = import.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        failures.is_empty(),
        "collectors' commands failed: {failures:#?}"
    );
    assert!(
        during > 0,
        "no collector read finished while the import ran ({round} rounds)"
    );
    assert_eq!(shop.count("invoices"), 170_002);
    let store = arq::store::Store::open(&shop.db).unwrap();
    let n: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM events WHERE kind = 'note'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, notes);
    // A file stays in WAL mode (a server has no such setting).
    if !arq::store::pg::is_url(&shop.db.display().to_string()) {
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
