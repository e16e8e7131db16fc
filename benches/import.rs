//! DESIGN §9: importing 1,000,000 invoices for 100,000 customers must be faster than
//! `sqlite3`'s `.import` of the same CSV into a fresh table. Both load the same
//! generated file into a fresh database file; `ARQ_BENCH_INVOICES` sets the number
//! of invoices (default 1,000,000). `scripts/bench.sh` runs this and prints the ratio.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use arq::config::Config;
use arq::import::{ImportKind, ImportOptions, import_file};
use arq::service::setup::init;
use arq::service::{Session, noon_utc};
use chrono::{Duration as Days, NaiveDate};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

// The same allocator as the `arq` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn invoices_wanted() -> usize {
    std::env::var("ARQ_BENCH_INVOICES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// A deterministic open-invoice export: `n` invoices for `n / 10` customers, one in
/// ten partly paid (so the import records that many dated payments too).
fn generate(path: &Path, n: usize) -> std::io::Result<()> {
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
        let balance = if seed.is_multiple_of(10) {
            amount / 3
        } else {
            amount
        };
        let issue = start + Days::days((i % 420) as i64);
        let due = issue + Days::days(30);
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

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    csv: PathBuf,
    n: usize,
}

fn fixture() -> Fixture {
    let n = invoices_wanted();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let dir = tmp.path().to_path_buf();
    let csv = dir.join("invoices.csv");
    generate(&csv, n).unwrap_or_else(|e| panic!("generate {}: {e}", csv.display()));
    Fixture {
        _dir: tmp,
        dir,
        csv,
        n,
    }
}

/// A fresh database path (the previous one removed with its WAL files, audit key and
/// anchors).
fn fresh_path(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm", ".key", ".anchors"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

fn fresh_session(dir: &Path) -> Session {
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
    let path = fresh_path(dir, "arq.db");
    init(
        &path,
        "USD",
        "admin",
        as_of,
        noon_utc(as_of),
        Config::default(),
    )
    .unwrap_or_else(|e| panic!("init: {e}"))
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));

    group.bench_function(format!("arq_{}", f.n), |b| {
        b.iter_batched(
            || fresh_session(&f.dir),
            |mut session| {
                let s = import_file(
                    &mut session,
                    ImportKind::Invoices,
                    &f.csv,
                    &ImportOptions::default(),
                )
                .unwrap_or_else(|e| panic!("import: {e}"));
                assert_eq!(s.created as usize, f.n);
                session
            },
            BatchSize::PerIteration,
        );
    });

    group.bench_function(format!("sqlite3_{}", f.n), |b| {
        b.iter_batched(
            || fresh_path(&f.dir, "plain.db"),
            |path| {
                let status = Command::new("sqlite3")
                    .arg(&path)
                    .arg(format!(".import --csv {} invoices", f.csv.display()))
                    .status()
                    .unwrap_or_else(|e| {
                        panic!("sqlite3 (install it with apt-get install -y sqlite3): {e}")
                    });
                assert!(status.success(), "sqlite3 .import failed");
                path
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
