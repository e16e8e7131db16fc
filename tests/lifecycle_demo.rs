//! No account left behind, checked from outside on the small demo: through the real
//! binary, every account still past due above its strategy's threshold is at an
//! agency, paused, has an open item, or has its next step on a later date.

mod common;

use arq::domain::Money;
use arq::store::{Store, strategies};
use serde_json::Value;

const DAY: &str = "2026-11-20";

fn money(v: &Value) -> Money {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an amount: {v}"))
}

#[test]
fn every_past_due_account_has_an_owner_and_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let shop = common::Shop {
        dir,
        db: db.clone(),
    };
    let arq = |args: &[&str]| -> Value {
        let out = shop
            .arq("sam", DAY)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };
    shop.arq("sam", DAY)
        .args(["demo", "--no-tui", "--seed", "7"])
        .assert()
        .success();
    // Four months of simulated work (promises replaced, plans, write-offs) agree with
    // the event record, table by table.
    shop.arq("sam", DAY)
        .args(["audit", "verify", "--deep"])
        .assert()
        .success();

    let book = strategies::book(Store::open(&db).unwrap().conn()).unwrap();
    let queue = arq(&["queue", "--all", "--format", "json"]);
    let queued: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["customer_id"].as_str())
        .collect();
    let aging = arq(&["report", "aging", "--format", "json"]);
    let mut checked = 0;
    let mut exhausted = 0;
    for c in aging["customers"].as_array().unwrap() {
        let id = c["customer_id"].as_str().unwrap();
        let a = arq(&["account", "show", id, "--format", "json"]);
        let Some(strategy) = a["strategy"].as_str().and_then(|s| book.get(s)) else {
            continue;
        };
        let first = strategy.first();
        let owing = money(&a["collectible_past_due"]) >= first.min_past_due
            && a["dpd"].as_u64().unwrap_or(0) >= u64::from(first.min_days_past_due);
        if !owing {
            continue;
        }
        checked += 1;
        let status = a["status"].as_str().unwrap_or_default();
        let placed = !a["agency"].is_null();
        let paused = status.starts_with("paused");
        let has_item = !a["open_items"].as_array().unwrap().is_empty();
        let later_step = a["next_step"]["due"].as_str().is_some_and(|due| due > DAY);
        if a["step"]["index"].as_u64().unwrap_or(0) as usize >= strategy.steps.len() {
            exhausted += 1;
        }
        assert!(
            placed || paused || has_item || later_step,
            "{id} owes {} ({status}) but has no item and no later step: {a}",
            a["collectible_past_due"]
        );
        if has_item && !placed {
            assert!(
                queued.contains(&id)
                    || a["open_items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|i| i["due"].as_str().is_some_and(|d| d > DAY)),
                "{id} has an item due but is in no queue"
            );
        }
    }
    assert!(checked > 20, "only {checked} accounts past due");
    assert!(
        exhausted > 0,
        "the demo has accounts past their last step, reviewed by the end rule"
    );
}
