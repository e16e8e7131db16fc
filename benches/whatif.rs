//! DESIGN §9 / issue 15: `arq strategy try` replaying 90 days of the large demo
//! (100,000 customers) under a candidate strategy — the release binary, the whole
//! command, JSON out (goal: under 30 s) — and the database file unchanged afterwards
//! (its SHA-256 before and after every run is compared; a difference fails the bench).
//!
//! The candidate is the shipped `standard` strategy with its courtesy reminder before
//! the due date switched on, tried as `strategy load` would load it, on every account.
//! `ARQ_BENCH_SIZE=small` uses the small demo instead, for a quick look.

#[path = "common/mod.rs"]
mod common;
#[path = "common/shop.rs"]
mod shop;

use std::path::Path;
use std::time::Duration;

use common::{demo_db, session, today};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use sha2::Digest;

fn sha(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sha2::Sha256::digest(bytes).to_vec()
}

fn bench(c: &mut Criterion) {
    let db = demo_db();
    // Open once (migrations, if any) and leave the file checkpointed, so that the only
    // thing the measured commands could change is the shop's data.
    drop(session(&db, "sam", today()));
    let candidate = db.with_file_name("candidate-before-due.toml");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/strategies/default.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &candidate,
        shipped.replace("enabled = false", "enabled = true"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let to = today();
    let from = to - chrono::Duration::days(89);
    let before = sha(&db);

    let mut group = c.benchmark_group("whatif");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("strategy_try_90_days", |b| {
        b.iter(|| {
            let mut cmd = shop::arq(&db, &to.to_string());
            cmd.args([
                "strategy",
                "try",
                &candidate.display().to_string(),
                "--from",
                &from.to_string(),
                "--to",
                &to.to_string(),
                "--format",
                "json",
            ]);
            shop::ok(cmd);
        })
    });
    group.finish();
    assert!(sha(&db) == before, "the what-if changed the database file");
    eprintln!("whatif: database file unchanged (SHA-256 equal before and after)");
}

criterion_group!(benches, bench);
criterion_main!(benches);
