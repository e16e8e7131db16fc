//! Generated accounting exports for the scale benchmarks: `customers.csv` (with
//! email addresses, so first-step reminders go out by email) and `invoices.csv`, one
//! customer per ten invoices, issued over 420 days before 2026-03-01, a share of
//! them already paid (balance 0) and one in ten of the rest partly paid.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, NaiveDate};

/// The day the generated shop is imported and first run.
pub const AS_OF: &str = "2026-03-01";

/// Sizes of the scaling series (`ARQ_BENCH_SIZES=10000,100000,1000000`).
pub fn sizes(default: &[usize]) -> Vec<usize> {
    std::env::var("ARQ_BENCH_SIZES")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|s| s.trim().replace('_', "").parse().ok())
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

/// Writes `invoices.csv` with `n` invoices, `paid_pct` percent of them paid.
pub fn invoices(path: &Path, n: usize, paid_pct: u64) -> std::io::Result<()> {
    let customers = (n / 10).max(1);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "invoice_no,customer_id,issue_date,due_date,amount,balance,currency"
    )?;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut line = String::with_capacity(96);
    for i in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let amount = 1_000 + seed % 2_500_000; // cents: 10.00 .. 25,010.00
        let balance = if (seed >> 20) % 100 < paid_pct {
            0
        } else if (seed >> 8).is_multiple_of(10) {
            amount / 3
        } else {
            amount
        };
        let issue = start + Duration::days((i % 420) as i64);
        let due = issue + Duration::days(30);
        line.clear();
        let _ = writeln!(
            line,
            "INV-{i:07},C{:06},{issue},{due},{}.{:02},{}.{:02},USD",
            i % customers,
            amount / 100,
            amount % 100,
            balance / 100,
            balance % 100
        );
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// Writes `customers.csv` for the invoices of [`invoices`] with `n` invoices.
pub fn customers(path: &Path, n: usize) -> std::io::Result<()> {
    let customers = (n / 10).max(1);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "customer_id,name,email,phone")?;
    for c in 0..customers {
        writeln!(
            out,
            "C{c:06},Customer {c} Ltd,ap{c}@example.com,+1 555 {:03} {:04}",
            c % 1000,
            c % 10_000
        )?;
    }
    out.flush()
}

/// The release `arq` binary cargo built for this benchmark.
pub fn arq_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_arq"))
}

/// `arq` on `db` as admin on [`AS_OF`] (or `as_of`), with an empty config whose mail
/// goes to `outbox/` beside the database (the default file transport).
pub fn arq(db: &Path, as_of: &str) -> Command {
    let mut cmd = Command::new(arq_bin());
    let dir = db.parent().unwrap_or_else(|| Path::new("."));
    let config = dir.join("bench-config.toml");
    if !config.exists() {
        let _ = std::fs::write(&config, "");
    }
    cmd.env_remove("ARQ_DB")
        .env_remove("ARQ_USER")
        .env_remove("ARQ_AS_OF")
        .args([
            "--db",
            &db.display().to_string(),
            "--user",
            "admin",
            "--as-of",
            as_of,
        ])
        .args(["--config", &config.display().to_string()]);
    cmd
}

/// Runs a command to its end, panicking with its stderr when it fails.
pub fn ok(mut cmd: Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A new database with the shop's customers imported (and no invoices yet).
pub fn init_with_customers(db: &Path, customers_csv: &Path) {
    remove_db(db);
    let mut init = arq(db, AS_OF);
    init.args(["init"]);
    ok(init);
    let mut c = arq(db, AS_OF);
    c.args(["import", "customers", &customers_csv.display().to_string()]);
    ok(c);
}

/// Removes a database with its WAL files, audit key and anchors.
pub fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm", ".key", ".anchors"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// Copies a database (checkpointed, so one file) with its audit key and anchors to
/// `to`, replacing what was there, and waits until the copy is on disk: otherwise
/// the measured command shares the disk with the copy's write-back (a large demo is
/// 1.6 GB).
pub fn copy_db(from: &Path, to: &Path) {
    remove_db(to);
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    for suffix in [".key", ".anchors"] {
        let side = format!("{}{suffix}", from.display());
        if Path::new(&side).exists() {
            std::fs::copy(&side, format!("{}{suffix}", to.display()))
                .unwrap_or_else(|e| panic!("copy {side}: {e}"));
        }
    }
    let _ = Command::new("sync").status();
}

/// Whether the `sqlite3` command-line shell is installed (the import baseline).
pub fn have_sqlite3() -> bool {
    Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}
