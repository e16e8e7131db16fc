//! The demo database the benchmarks run against, built on first use and kept in
//! `target/bench-data/` (the large demo takes a few minutes to build).
//! `ARQ_BENCH_SIZE=small` uses the small demo for a quick look.

#![allow(dead_code)]

use std::path::PathBuf;

use arq::config::Config;
use arq::demo::{self, DemoOptions, Size};
use arq::service::{Session, noon_utc};
use arq::store::Store;
use chrono::NaiveDate;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

pub fn demo_db() -> PathBuf {
    let small = std::env::var("ARQ_BENCH_SIZE").is_ok_and(|s| s == "small");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(if small {
        "demo-small-7.db"
    } else {
        "demo-large-7.db"
    });
    let built = path.with_extension("done");
    if !built.exists() {
        eprintln!("building the demo at {} (once)…", path.display());
        let opts = DemoOptions {
            size: if small { Size::Small } else { Size::Large },
            seed: 7,
            today: today(),
            history_days: 120,
        };
        demo::build(&path, &opts, &Config::default(), &arq::progress::Silent)
            .unwrap_or_else(|e| panic!("demo: {e}"));
        let _ = std::fs::write(&built, "");
    }
    path
}

pub fn session(path: &std::path::Path, user: &str, as_of: NaiveDate) -> Session {
    let store = Store::open(path).unwrap_or_else(|e| panic!("{e}"));
    Session::open(store, user, as_of, noon_utc(as_of), Config::default())
        .unwrap_or_else(|e| panic!("{e}"))
}
