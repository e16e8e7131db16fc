//! What-if (`arq strategy try`): a candidate equal to the current strategy replays the
//! record exactly, every step on every day; a stricter one on a small shop makes the
//! calls and holds counted here by hand; the database is never written.

mod common;

use std::collections::BTreeSet;

use arq::config::Config;
use arq::demo::{self, DemoOptions, Size};
use arq::progress::Silent;
use arq::service::whatif::{Accounts, TryRequest};
use arq::service::{Session, noon_utc};
use arq::store::Store;
use common::d;

fn demo_shop(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("demo.db");
    let opts = DemoOptions {
        size: Size::Small,
        seed: 7,
        today: d("2026-11-20"),
        history_days: 120,
    };
    demo::build(&path, &opts, &Config::default(), &Silent).unwrap_or_else(|e| panic!("demo: {e}"));
    path
}

fn session(path: &std::path::Path, user: &str, as_of: &str) -> Session {
    let store = Store::open(path).unwrap_or_else(|e| panic!("{e}"));
    Session::open(store, user, d(as_of), noon_utc(d(as_of)), Config::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The lines of one world that the other lacks, at most a few.
fn missing(a: &[String], b: &[String]) -> Vec<String> {
    let b: BTreeSet<&String> = b.iter().collect();
    a.iter()
        .filter(|l| !b.contains(l))
        .take(12)
        .cloned()
        .collect()
}

#[test]
fn the_current_strategy_tried_on_the_demo_replays_every_step_of_every_day() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = demo_shop(dir.path());
    let mut s = session(&db, "sam", "2026-11-20");
    for id in ["standard", "gentle", "strict"] {
        let (_, source) = s.strategy(id).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join(format!("{id}.toml"));
        std::fs::write(&file, source).unwrap_or_else(|e| panic!("{e}"));
        let w = s
            .try_strategy(
                &TryRequest {
                    file,
                    from: d("2026-09-21"),
                    to: d("2026-11-20"),
                    accounts: Accounts::AsLoaded,
                },
                &Silent,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let actual: Vec<String> = w.actual_log.iter().map(|h| h.to_string()).collect();
        let candidate: Vec<String> = w.candidate_log.iter().map(|h| h.to_string()).collect();
        assert!(
            actual.len() > 500,
            "{id}: the period has work to replay ({})",
            actual.len()
        );
        assert!(
            actual == candidate,
            "{id}: the record did but the replay did not:\n{}\nthe replay did but the record did not:\n{}",
            missing(&actual, &candidate).join("\n"),
            missing(&candidate, &actual).join("\n"),
        );
        assert_eq!(w.actual, w.candidate, "{id}");
        assert!(w.followed_candidate > 0, "{id}");
    }
}
