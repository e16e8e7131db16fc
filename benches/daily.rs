//! DESIGN §9 on the large demo (100,000 customers, about a million invoices):
//! - the next day's `arq run` as a user or cron runs it — the release binary, the
//!   whole command, delivery of the day's messages by the file transport included,
//!   on a fresh copy of the demo each time, the day after the demo's first run (a
//!   steady day: `steady_db`) — against a bare SQL aggregate that reads the same
//!   rows (goal: within 2×);
//! - one collector's queue (goal: under 100 ms).
//!
//! The large demo is built once (a few minutes) and kept in `target/bench-data/`.
//! `ARQ_BENCH_SIZE=small` uses the small demo instead, for a quick look.

#[path = "common/mod.rs"]
mod common;
#[path = "common/shop.rs"]
mod shop;

use std::time::Duration;

use arq::service::queue::QueueScope;
use arq::store::Store;
use chrono::NaiveDate;
use common::{demo_db, session, today};
use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Reads, with plain aggregate queries, every row the run's snapshot reads.
fn bare_sql(store: &Store, as_of: NaiveDate) -> i64 {
    let queries = [
        "SELECT COUNT(*) + SUM(LENGTH(name)) FROM customers",
        "SELECT COUNT(*) + SUM(balance) % 7 FROM invoices WHERE balance <> 0 AND issue_date <= ?1",
        "SELECT COUNT(*) FROM disputes WHERE opened_on <= ?1 AND (resolved_on IS NULL OR resolved_on > ?1)",
        "SELECT COUNT(*) FROM cycles WHERE started_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1)",
        "SELECT COUNT(*) FROM cycles c CROSS JOIN steps_done s ON s.cycle_id = c.id WHERE c.started_on <= ?1 AND (c.ended_on IS NULL OR c.ended_on > ?1)",
        "SELECT COUNT(*) FROM tasks WHERE done_on IS NULL AND created_on <= ?1",
        "SELECT COUNT(*) FROM promises WHERE taken_on <= ?1 AND (evaluated_on IS NULL OR evaluated_on > ?1)",
        "SELECT COUNT(*) FROM holds WHERE set_on <= ?1 AND (released_on IS NULL OR released_on > ?1)",
        "SELECT COUNT(DISTINCT customer_id) FROM payments WHERE date BETWEEN date(?1, '-120 days') AND ?1",
    ];
    queries
        .iter()
        .map(|q| {
            let mut stmt = store
                .conn()
                .prepare(q)
                .unwrap_or_else(|e| panic!("{q}: {e}"));
            let n = if q.contains("?1") {
                stmt.query_row([as_of], |r| r.get::<_, i64>(0))
            } else {
                stmt.query_row([], |r| r.get::<_, i64>(0))
            };
            n.unwrap_or_else(|e| panic!("{q}: {e}"))
        })
        .sum()
}

/// The demo after the `arq run` of the day after it ends, made once beside it. The
/// demo's simulated days queue reminders that nobody sends, so the first run after
/// the build delivers or cancels all of them (about 86,000 messages on the large
/// demo, most of them stale): a day like no other. The day after that is a steady one.
fn steady_db(demo: &std::path::Path, first_day: NaiveDate) -> std::path::PathBuf {
    let path = demo.with_extension("steady.db");
    let done = demo.with_extension("steady.done");
    if !done.exists() {
        eprintln!(
            "running the demo's first day into {} (once)…",
            path.display()
        );
        shop::copy_db(demo, &path);
        let mut run = shop::arq(&path, &first_day.to_string());
        run.args(["run"]);
        shop::ok(run);
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir.join("outbox"));
        }
        let _ = std::fs::write(&done, "");
    }
    path
}

fn bench(c: &mut Criterion) {
    let path = demo_db();
    let tomorrow = today() + chrono::Duration::days(1);
    let mut group = c.benchmark_group("daily");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(20));

    // The next day's run as the user runs it, on a fresh copy of the demo each time
    // (a run is kept: running the same day twice would do nothing the second time).
    // A steady day: the demo after its first run, whose delivery clears what the
    // simulated days queued (see `steady_db`).
    let steady = steady_db(&path, tomorrow);
    let tomorrow = tomorrow + chrono::Duration::days(1);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let work = tmp.path().join("arq.db");
    let day = tomorrow.to_string();
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("run_next_day_command", |b| {
        b.iter_batched(
            || {
                shop::copy_db(&steady, &work);
                let _ = std::fs::remove_dir_all(tmp.path().join("outbox"));
                work.clone()
            },
            |db| {
                let mut run = shop::arq(&db, &day);
                run.args(["run"]);
                shop::ok(run);
                db
            },
            BatchSize::PerIteration,
        )
    });
    group.sampling_mode(SamplingMode::Auto);

    let store = Store::open(&steady).unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("bare_sql_same_rows", |b| {
        b.iter(|| bare_sql(&store, tomorrow))
    });

    let ana = session(&path, "ana", today());
    group.bench_function("queue_ana", |b| {
        b.iter(|| {
            ana.queue(&QueueScope::Mine, None)
                .unwrap_or_else(|e| panic!("queue: {e}"))
                .len()
        })
    });
    // A fresh process opens the database and reads the queue: what `arq queue` costs.
    group.bench_function("queue_ana_cold_connection", |b| {
        b.iter(|| {
            session(&path, "ana", today())
                .queue(&QueueScope::Mine, None)
                .unwrap_or_else(|e| panic!("queue: {e}"))
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
