//! DESIGN §9, the first day of a large shop, measured as the user runs it (the
//! release binary, whole command, delivery by the default file transport included):
//! - `first_run/N`: `arq run` right after importing N invoices (70 % paid) for N/10
//!   customers; nearly every account starts its cycle and gets its first reminder
//!   (goal: under 30 s for 100,000 accounts, cost per account flat across sizes);
//! - `delivery/N`: `arq outbox send` with N reminders pending (throughput in
//!   messages per second must not fall from 1,000 to 60,000).
//!
//! Every iteration starts from a copy of the same imported database.
//! `ARQ_BENCH_SIZES` sets the invoice counts of the first-run series (default
//! 10000,100000,1000000); `ARQ_BENCH_PENDING` the delivery sizes (default 1000,60000).

#[path = "common/shop.rs"]
mod shop;

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

/// An imported shop of `n` invoices (`paid_pct` paid), kept as a template.
fn imported(dir: &Path, n: usize, paid_pct: u64) -> PathBuf {
    let customers = dir.join(format!("customers-{n}.csv"));
    let invoices = dir.join(format!("invoices-{n}-{paid_pct}.csv"));
    shop::customers(&customers, n).unwrap_or_else(|e| panic!("{e}"));
    shop::invoices(&invoices, n, paid_pct).unwrap_or_else(|e| panic!("{e}"));
    let db = dir.join(format!("template-{n}-{paid_pct}.db"));
    shop::init_with_customers(&db, &customers);
    let mut imp = shop::arq(&db, shop::AS_OF);
    imp.args(["import", "invoices", &invoices.display().to_string()]);
    shop::ok(imp);
    db
}

/// A fresh copy of `template` at `work`, with an empty outbox folder.
fn fresh(template: &Path, work: &Path) -> PathBuf {
    shop::copy_db(template, work);
    let outbox = work
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("outbox");
    let _ = std::fs::remove_dir_all(&outbox);
    // Removing the last iteration's ~96,000 mail files leaves the disk busy writing
    // back for seconds; a shop's first run starts on a quiet disk, so the measured
    // run starts after the write-back (outside the measured time).
    let _ = std::process::Command::new("sync").status();
    work.to_path_buf()
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let dir = tmp.path();
    let work = dir.join("work").join("arq.db");
    let _ = std::fs::create_dir_all(work.parent().unwrap_or(dir));

    let mut group = c.benchmark_group("first_run");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    for n in shop::sizes(&[10_000, 100_000, 1_000_000]) {
        let template = imported(dir, n, 70);
        group.throughput(Throughput::Elements((n / 10) as u64));
        group.measurement_time(Duration::from_secs((n as u64 / 10_000).clamp(5, 300)));
        group.bench_function(format!("{}", n / 10), |b| {
            b.iter_batched(
                || fresh(&template, &work),
                |db| {
                    let mut run = shop::arq(&db, shop::AS_OF);
                    run.args(["run"]);
                    shop::ok(run);
                    db
                },
                BatchSize::PerIteration,
            );
        });
        shop::remove_db(&template);
    }
    group.finish();

    let mut group = c.benchmark_group("delivery");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    let pending: Vec<usize> = std::env::var("ARQ_BENCH_PENDING")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|s| s.trim().replace('_', "").parse().ok())
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![1_000, 60_000]);
    for n in pending {
        // n accounts, every one past due: the first run queues one reminder each
        // (and delivers them); the template then has them pending again.
        let template = imported(dir, n * 10, 0);
        let mut run = shop::arq(&template, shop::AS_OF);
        run.args(["run"]);
        shop::ok(run);
        // Back to pending: the same messages, undelivered.
        let conn = rusqlite::Connection::open(&template).unwrap_or_else(|e| panic!("{e}"));
        let queued = conn
            .execute(
                "UPDATE outbox SET status = 'pending', sent_at = NULL, claimed_at = NULL, attempts = 0",
                [],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        drop(conn);
        eprintln!("delivery/{n}: {queued} messages pending");
        group.throughput(Throughput::Elements(queued as u64));
        group.measurement_time(Duration::from_secs((n as u64 / 1_000).clamp(5, 300)));
        group.bench_function(format!("{n}"), |b| {
            b.iter_batched(
                || fresh(&template, &work),
                |db| {
                    let mut send = shop::arq(&db, shop::AS_OF);
                    send.args(["outbox", "send", "--format", "json"]);
                    shop::ok(send);
                    db
                },
                BatchSize::PerIteration,
            );
        });
        shop::remove_db(&template);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
