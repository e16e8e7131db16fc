//! The collection lifecycle after the phone call, through the real binary: write-offs
//! and their approval, agency placement and recall, promises that cannot lie, payment
//! plans, decisions on supervisor items, and reassignment.

mod common;

use common::Shop;
use predicates::prelude::*;
use serde_json::Value;

/// ana's customer C1 owing 600.00 past due since 2026-03-01 (plus a second, current
/// invoice of 400.00), with the default strategy's first run done on 2026-03-02.
fn shop() -> Shop {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ben");
    shop.invoice("INV-1", "C1", "2026-01-30", "2026-03-01", "600.00");
    shop.invoice("INV-2", "C1", "2026-02-20", "2026-04-20", "400.00");
    shop.invoice("INV-9", "C2", "2026-01-30", "2026-03-01", "250.00");
    run(&shop, "2026-03-02");
    shop
}

fn run(shop: &Shop, day: &str) -> Value {
    shop.json("admin", day, &["run", "--format", "json"])
}

fn account(shop: &Shop, user: &str, day: &str) -> Value {
    shop.json(user, day, &["account", "show", "C1", "--format", "json"])
}

fn queue(shop: &Shop, user: &str, day: &str) -> Vec<Value> {
    shop.json(user, day, &["queue", "--all", "--format", "json"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn events(v: &Value, kind: &str) -> Vec<Value> {
    v["events"]
        .as_array()
        .map(|e| e.iter().filter(|x| x["kind"] == kind).cloned().collect())
        .unwrap_or_default()
}

/// Every state table still agrees with the event record (`audit verify --deep`).
fn verifies_deeply(shop: &Shop, day: &str) {
    shop.arq("sam", day)
        .args(["audit", "verify", "--deep"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "every table agrees with the record",
        ));
}

/// The id of the first item in `items` on C1 with `action`.
fn item_of(items: &[Value], action: &str) -> i64 {
    items
        .iter()
        .find(|i| i["action"] == action && i["customer_id"] == "C1")
        .and_then(|i| i["item_id"].as_i64())
        .unwrap_or_else(|| panic!("no {action} item in {items:?}"))
}

#[test]
fn a_write_off_is_asked_for_approved_by_a_supervisor_and_ends_the_cycle() {
    let shop = shop();
    let day = "2026-03-10";
    // ana asks; it waits for a supervisor.
    shop.arq("ana", day)
        .args([
            "writeoff",
            "C1",
            "--invoice",
            "INV-1",
            "--note",
            "went out of business",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("waits for a supervisor"));
    let items = queue(&shop, "sam", day);
    let approval = item_of(&items, "approve_write_off");
    assert_eq!(
        items
            .iter()
            .find(|i| i["item_id"] == approval)
            .map(|i| i["reason"].clone()),
        Some(Value::from("approval"))
    );
    // A collector cannot approve it, not even her own.
    shop.arq("ana", day)
        .args(["approve", &approval.to_string()])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "only supervisors and admins can approve",
        ));
    assert_eq!(account(&shop, "ana", day)["balance"], "1000.00");

    // sam approves: the balance of INV-1 is written off, dated today, in his name.
    shop.arq("sam", day)
        .args(["approve", &approval.to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("600.00 written off"));
    let a = account(&shop, "sam", day);
    assert_eq!(a["balance"], "400.00");
    assert_eq!(a["past_due"], "0.00");
    assert_eq!(a["written_off"], "600.00");
    assert_eq!(
        a["step"],
        Value::Null,
        "the cycle ended with nothing past due"
    );
    let approved = events(&a, "write_off_approved");
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["by"], "sam");
    assert!(
        approved[0]["detail"]
            .as_str()
            .unwrap()
            .contains("approved by sam")
    );
    assert_eq!(events(&a, "cured").len(), 1);
    // The aging report keeps it apart.
    let aging = shop.json("sam", day, &["report", "aging", "--format", "json"]);
    assert_eq!(aging["written_off"], "600.00");
    assert_eq!(aging["total"], "650.00");
    // An approved item cannot be decided again.
    shop.arq("sam", day)
        .args(["reject", &approval.to_string(), "--note", "changed my mind"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is already approved by sam"));
    verifies_deeply(&shop, day);
}

#[test]
fn a_rejected_write_off_leaves_the_balance_and_says_why() {
    let shop = shop();
    let day = "2026-03-10";
    shop.arq("ana", day)
        .args(["writeoff", "C1", "--invoice", "INV-1"])
        .assert()
        .success();
    let approval = item_of(&queue(&shop, "sam", day), "approve_write_off");
    shop.arq("sam", day)
        .args(["reject", &approval.to_string()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--note"));
    shop.arq("sam", day)
        .args([
            "reject",
            &approval.to_string(),
            "--note",
            "they still order every month",
        ])
        .assert()
        .success();
    let a = account(&shop, "ana", day);
    assert_eq!(a["balance"], "1000.00");
    assert_eq!(a["written_off"], "0.00");
    let rejected = events(&a, "write_off_rejected");
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0]["detail"]
            .as_str()
            .unwrap()
            .contains("they still order every month")
    );
    // A write-off of a current invoice that is already waiting is refused.
    shop.arq("ana", day)
        .args(["writeoff", "C1", "--invoice", "INV-2"])
        .assert()
        .success();
    shop.arq("ana", day)
        .args(["writeoff", "C1", "--invoice", "INV-2"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already in a write-off waiting"));
    shop.arq("ana", day)
        .args(["writeoff", "C1", "--invoice", "INV-404"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no invoice 'INV-404'"));
}

#[test]
fn a_placed_account_leaves_the_queues_keeps_its_payments_and_comes_back_at_step_1() {
    let shop = shop();
    // By the call step ana has an item on C1.
    for day in ["2026-03-07", "2026-03-12"] {
        run(&shop, day);
    }
    assert!(
        queue(&shop, "sam", "2026-03-12")
            .iter()
            .any(|i| i["customer_id"] == "C1")
    );
    shop.arq("ana", "2026-03-12")
        .args(["agency", "place", "C1", "--agency", "Northline"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only supervisors"));
    shop.arq("sam", "2026-03-12")
        .args([
            "agency",
            "place",
            "C1",
            "--agency",
            "Northline Recovery",
            "--note",
            "six months silent",
        ])
        .assert()
        .success();
    let a = account(&shop, "ana", "2026-03-12");
    assert_eq!(a["agency"]["name"], "Northline Recovery");
    assert_eq!(a["agency"]["since"], "2026-03-12");
    assert!(
        a["status"]
            .as_str()
            .unwrap()
            .starts_with("at agency Northline Recovery")
    );
    assert_eq!(a["open_items"].as_array().map(Vec::len), Some(0));
    // Out of every queue, and the strategy does nothing while placed.
    for day in ["2026-03-12", "2026-03-20", "2026-04-30"] {
        run(&shop, day);
        assert!(
            !queue(&shop, "sam", day)
                .iter()
                .any(|i| i["customer_id"] == "C1"),
            "{day}"
        );
    }
    // A payment still counts, and is shown as recovered.
    shop.payment("P-1", "C1", "2026-04-02", "200.00", Some("INV-1"));
    let a = account(&shop, "ana", "2026-04-30");
    assert_eq!(a["balance"], "800.00");
    assert_eq!(a["agency"]["recovered"], "200.00");
    // Recalled: the next run starts again at step 1.
    shop.arq("sam", "2026-05-04")
        .args(["agency", "recall", "C1"])
        .assert()
        .success();
    run(&shop, "2026-05-04");
    let a = account(&shop, "ana", "2026-05-04");
    assert_eq!(a["agency"], Value::Null);
    assert_eq!(a["step"]["index"], 0);
    assert_eq!(a["step"]["done_on"], "2026-05-04");
    assert_eq!(events(&a, "agency_recalled").len(), 1);
    verifies_deeply(&shop, "2026-05-04");
}

#[test]
fn promises_cannot_promise_more_than_is_owed_and_one_replaces_the_other() {
    let shop = shop();
    let day = "2026-03-05";
    shop.arq("ana", day)
        .args(["log", "promise", "C1", "--amount", "1500", "--date", "+7"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("1,500.00").and(predicate::str::contains("1,000.00")));
    shop.arq("ana", day)
        .args(["log", "promise", "C1", "--amount", "0", "--date", "+7"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("above zero"));
    shop.arq("ana", day)
        .args(["log", "promise", "C1", "--amount", "300", "--date", "+7"])
        .assert()
        .success();
    shop.arq("ana", day)
        .args(["log", "promise", "C1", "--amount", "600", "--date", "+10"])
        .assert()
        .success();
    let a = account(&shop, "ana", day);
    let statuses: Vec<(String, String)> = a["promises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["amount"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("600.00".into(), "open".into()),
            ("300.00".into(), "replaced".into())
        ]
    );
    assert_eq!(events(&a, "promise_replaced").len(), 1);
    let id = a["promises"][0]["promise_id"].as_i64().unwrap();
    // Cancelled by its taker (a note is needed); ben may not cancel ana's promise.
    shop.arq("ana", day)
        .args(["promise", "cancel", &id.to_string()])
        .assert()
        .failure();
    shop.arq("ben", day)
        .args([
            "promise",
            "cancel",
            &id.to_string(),
            "--note",
            "wrong account",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no customer 'C1' you can see"));
    shop.arq("ana", day)
        .args([
            "promise",
            "cancel",
            &id.to_string(),
            "--note",
            "typed on the wrong account",
        ])
        .assert()
        .success();
    let a = account(&shop, "ana", day);
    assert_eq!(a["promises"][0]["status"], "cancelled");
    assert!(!a["status"].as_str().unwrap().starts_with("paused"));
    // Neither a replaced nor a cancelled promise is ever judged.
    for day in ["2026-03-20", "2026-03-25"] {
        let r = run(&shop, day);
        assert_eq!(r["promises"]["broken"], 0);
    }
    verifies_deeply(&shop, "2026-03-25");
}

#[test]
fn a_payment_plan_pauses_the_strategy_breaks_when_missed_and_a_kept_one_cures() {
    let shop = shop();
    let day = "2026-03-05";
    shop.arq("ana", day)
        .args([
            "plan",
            "C1",
            "--installment",
            "2026-03-10=300",
            "--installment",
            "2026-03-20=400",
        ])
        .assert()
        .success();
    // More than is owed, a date in the past, and dates out of order are refused.
    for bad in [
        vec![
            "--installment",
            "2026-03-10=900",
            "--installment",
            "2026-03-20=400",
        ],
        vec!["--installment", "2026-03-01=100"],
        vec![
            "--installment",
            "2026-03-20=100",
            "--installment",
            "2026-03-10=100",
        ],
        vec!["--installment", "soon=100"],
    ] {
        let mut args = vec!["plan", "C1"];
        args.extend(bad);
        shop.arq("ana", day).args(&args).assert().failure();
    }
    let a = account(&shop, "ana", day);
    assert_eq!(a["plans"][0]["status"], "current");
    assert_eq!(a["plans"][0]["installments"][0]["status"], "upcoming");
    assert_eq!(a["status"], "paused: payment plan current");
    // Another customer agrees a plan of everything it owes, in equal parts.
    shop.arq("ben", day)
        .args([
            "plan",
            "C2",
            "--parts",
            "2",
            "--first",
            "2026-03-10",
            "--every",
            "week",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("250.00 in 2 installments"));
    // C1 pays the first installment and misses the second; C2 pays both.
    shop.payment("P-1", "C1", "2026-03-10", "300.00", None);
    shop.payment("P-2", "C2", "2026-03-10", "125.00", None);
    shop.payment("P-3", "C2", "2026-03-17", "125.00", None);
    run(&shop, "2026-03-12");
    let r = run(&shop, "2026-03-18");
    assert_eq!(r["cured"], 1, "C2's plan is paid in full: cured");
    let c2 = shop.json(
        "ben",
        "2026-03-18",
        &["account", "show", "C2", "--format", "json"],
    );
    assert_eq!(c2["plans"][0]["status"], "completed");
    assert_eq!(c2["step"], Value::Null);
    // C1: broken once the second installment's grace has passed.
    let r = run(&shop, "2026-03-23");
    assert_eq!(r["tasks_created"].as_u64().map(|n| n >= 1), Some(true));
    let a = account(&shop, "ana", "2026-03-23");
    assert_eq!(a["plans"][0]["status"], "broken");
    assert_eq!(a["plans"][0]["installments"][0]["status"], "paid");
    assert_eq!(a["plans"][0]["installments"][1]["status"], "missed");
    assert!(
        queue(&shop, "sam", "2026-03-23")
            .iter()
            .any(|i| i["reason"] == "plan_broken" && i["customer_id"] == "C1")
    );
    verifies_deeply(&shop, "2026-03-23");
}

#[test]
fn supervisor_items_ask_for_a_decision() {
    let shop = shop();
    // Walk the default strategy until the escalation (a supervisor item).
    let mut escalation = None;
    for n in 0..40 {
        let day = (common::d("2026-03-03") + chrono::Duration::days(n)).to_string();
        run(&shop, &day);
        let items = queue(&shop, "sam", &day);
        // ana logs any call she is given, so the strategy moves on.
        if let Some(call) = items
            .iter()
            .find(|i| i["action"] == "call" && i["customer_id"] == "C1")
        {
            let _ = call;
            shop.arq("ana", &day)
                .args(["log", "call", "C1", "--outcome", "voicemail"])
                .assert()
                .success();
        }
        if let Some(e) = items
            .iter()
            .find(|i| i["action"] == "escalate" && i["customer_id"] == "C1")
        {
            escalation = Some((day, e["item_id"].as_i64().unwrap()));
            break;
        }
    }
    let (day, item) = escalation.unwrap_or_else(|| panic!("no escalation in 40 days"));
    let id = item.to_string();
    shop.arq("sam", &day)
        .args(["done", &id])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("asks for a decision")
                .and(predicate::str::contains("--decide")),
        );
    shop.arq("sam", &day)
        .args(["done", &id, "--decide", "continue"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--note"));
    shop.arq("sam", &day)
        .args(["done", &id, "--decide", "agency"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--agency"));
    // A plan decided at the review: item done, plan made, all in one.
    shop.arq("sam", &day)
        .args([
            "done",
            &id,
            "--decide",
            "plan",
            "--installment",
            "+14=500",
            "--note",
            "asked for time",
        ])
        .assert()
        .success();
    let a = account(&shop, "sam", &day);
    assert_eq!(a["plans"][0]["status"], "current");
    assert_eq!(events(&a, "decided").len(), 1);
    assert!(
        events(&a, "decided")[0]["detail"]
            .as_str()
            .unwrap()
            .contains("decided: payment plan of 500.00")
    );
}

#[test]
fn reassigned_items_move_with_the_account_and_the_event_names_them() {
    let shop = shop();
    shop.arq("ana", "2026-03-05")
        .args([
            "callback",
            "C1",
            "--date",
            "2026-03-09",
            "--note",
            "after the board meeting",
        ])
        .assert()
        .success();
    shop.arq("sam", "2026-03-05")
        .args(["assign", "C1", "--to", "ben"])
        .assert()
        .success();
    let ben = shop.json("ben", "2026-03-09", &["queue", "--format", "json"]);
    assert!(
        ben.as_array()
            .unwrap()
            .iter()
            .any(|i| i["customer_id"] == "C1" && i["reason"] == "callback")
    );
    let ana = shop.json("ana", "2026-03-09", &["queue", "--format", "json"]);
    assert!(
        !ana.as_array()
            .unwrap()
            .iter()
            .any(|i| i["customer_id"] == "C1")
    );
    let a = account(&shop, "ben", "2026-03-09");
    let assigned = events(&a, "assigned");
    let detail = assigned[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("assigned to ben (was ana) by sam"),
        "{detail}"
    );
    assert!(detail.contains("1 open item moved with it"), "{detail}");
}
