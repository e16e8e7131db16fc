//! DESIGN §9: importing invoices must be faster than `sqlite3`'s `.import` of the same
//! CSV into a fresh table, also when most invoices arrive already paid, with a cost
//! per row that stays flat from 10,000 to 1,000,000 invoices. Each size is measured
//! against its baseline in the same run: `import_generic` (one in ten partly paid)
//! and `import_paid` (70 % paid, balance 0), each `arq` and `sqlite3`, throughput in
//! rows. `ARQ_BENCH_SIZES` sets the series (default 10000,100000,1000000).
//! `scripts/perf.sh` runs it and prints the ratios.

#[path = "common/shop.rs"]
mod shop;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use arq::config::Config;
use arq::import::{ImportKind, ImportOptions, import_file};
use arq::service::setup::init;
use arq::service::{Session, noon_utc};
use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

// The same allocator as the `arq` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn fresh_session(dir: &Path) -> Session {
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
    let path = dir.join("arq.db");
    shop::remove_db(&path);
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
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let dir = tmp.path().to_path_buf();
    let sqlite3 = shop::have_sqlite3();
    if !sqlite3 {
        eprintln!(
            "sqlite3 is not installed: the .import baseline is skipped (apt-get install -y sqlite3)"
        );
    }
    for (profile, paid_pct) in [("generic", 0), ("paid", 70)] {
        let mut group = c.benchmark_group(format!("import_{profile}"));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        for n in shop::sizes(&[10_000, 100_000, 1_000_000]) {
            let csv: PathBuf = dir.join(format!("invoices-{profile}-{n}.csv"));
            shop::invoices(&csv, n, paid_pct).unwrap_or_else(|e| panic!("generate: {e}"));
            group.throughput(Throughput::Elements(n as u64));
            group.measurement_time(Duration::from_secs((n as u64 / 50_000).clamp(5, 40)));
            group.bench_function(format!("arq/{n}"), |b| {
                b.iter_batched(
                    || fresh_session(&dir),
                    |mut session| {
                        let s = import_file(
                            &mut session,
                            ImportKind::Invoices,
                            &csv,
                            &ImportOptions::default(),
                        )
                        .unwrap_or_else(|e| panic!("import: {e}"));
                        assert_eq!(s.created as usize, n);
                        session
                    },
                    BatchSize::PerIteration,
                );
            });
            if sqlite3 {
                group.bench_function(format!("sqlite3/{n}"), |b| {
                    b.iter_batched(
                        || {
                            let p = dir.join("plain.db");
                            shop::remove_db(&p);
                            p
                        },
                        |path| {
                            let status = Command::new("sqlite3")
                                .arg(&path)
                                .arg(format!(".import --csv {} invoices", csv.display()))
                                .status()
                                .unwrap_or_else(|e| panic!("sqlite3: {e}"));
                            assert!(status.success(), "sqlite3 .import failed");
                            path
                        },
                        BatchSize::PerIteration,
                    );
                });
            }
            let _ = std::fs::remove_file(&csv);
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
