//! Prevention walked through the real binary: the default strategy replaced by one
//! with a reminder a week before
//! the due date (white glove skipped), the ladder after the due date as usual, the
//! credit limit crossed once (one item, an automatic hold) and left again (released),
//! and the parser's error for a negative `min_days_past_due`.

mod common;

use common::Shop;
use serde_json::Value;

const STRATEGY: &str = r#"
[strategy]
id = "standard"
name = "Standard, reminding ahead"
default = true

[strategy.credit]
hold_over_limit = true

[[step]]
id = "week_ahead"
action = "email"
template = "before_due_reminder"
days_before_due = 7

[[step]]
id = "friendly"
action = "email"
template = "friendly_reminder"
min_past_due = "100.00"
min_days_past_due = 1

[[step]]
id = "serious"
action = "email"
template = "serious_reminder"
wait_days = 5
"#;

fn run(shop: &Shop, day: &str) -> Value {
    shop.json("admin", day, &["run", "--format", "json"])
}

fn import(shop: &Shop, day: &str, kind: &str, csv: &str) {
    let path = shop.dir.path().join(format!("{kind}-{day}.csv"));
    std::fs::write(&path, csv).unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", day)
        .args(["import", kind, &path.display().to_string()])
        .assert()
        .success();
}

fn outbox(shop: &Shop, day: &str) -> Vec<Value> {
    shop.json("admin", day, &["outbox", "list", "--format", "json"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn account(shop: &Shop, day: &str, id: &str) -> Value {
    shop.json("admin", day, &["account", "show", id, "--format", "json"])
}

#[test]
fn a_reminder_before_the_due_date_then_the_ladder_then_the_credit_limit() {
    let shop = Shop::new("2026-01-01");
    let file = shop.dir.path().join("ahead.toml");
    std::fs::write(&file, STRATEGY).unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", "2026-02-01")
        .args(["strategy", "load", &file.display().to_string()])
        .assert()
        .success();
    import(
        &shop,
        "2026-02-01",
        "customers",
        "customer_id,name,email,collector,credit_limit,white_glove\n\
         C1,Acme Tools,ap@acme.example,ana,1000.00,no\n\
         C2,Glove Corp,ap@glove.example,ana,,yes\n",
    );
    import(
        &shop,
        "2026-02-01",
        "invoices",
        "invoice_no,customer_id,issue_date,due_date,amount\n\
         INV-1,C1,2026-02-18,2026-03-20,500.00\n\
         INV-2,C2,2026-02-18,2026-03-20,500.00\n",
    );

    // Eight days ahead: nothing. Seven: the courtesy note for C1, none for white-glove C2.
    assert_eq!(run(&shop, "2026-03-12")["auto_actions"], 0);
    let r = run(&shop, "2026-03-13");
    assert_eq!(
        (
            r["auto_actions"].as_u64(),
            r["steps_done"].as_u64(),
            r["cycles_started"].as_u64()
        ),
        (Some(1), Some(0), Some(0)),
        "{r}"
    );
    let out = outbox(&shop, "2026-03-13");
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["template"], "before_due_reminder");
    assert_eq!(out[0]["recipient"], "ap@acme.example");
    assert_eq!(out[0]["status"], "sent");
    let id = out[0]["id"].to_string();
    let shown = shop
        .arq("admin", "2026-03-13")
        .args(["outbox", "show", &id])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("Coming due soon: 500.00 USD"), "{text}");
    assert!(text.contains("INV-1"), "{text}");
    assert!(text.contains("Due in"), "{text}");
    assert!(text.contains("7 days"), "{text}");
    // Not a step: the account is in no cycle, and the next days send nothing more.
    assert_eq!(account(&shop, "2026-03-13", "C1")["step"], Value::Null);
    for day in ["2026-03-14", "2026-03-20"] {
        assert_eq!(run(&shop, day)["auto_actions"], 0, "{day}");
    }
    // The day after the due date the ladder starts at its first step, as usual.
    let r = run(&shop, "2026-03-21");
    assert_eq!(r["cycles_started"], 2, "{r}"); // C2 too: white glove is still collected
    assert_eq!(account(&shop, "2026-03-21", "C1")["step"]["id"], "friendly");
    assert!(
        outbox(&shop, "2026-03-21")
            .iter()
            .any(|m| m["template"] == "friendly_reminder" && m["customer_id"] == "C1")
    );

    // A new invoice takes C1 over its limit of 1,000.00: one item, a hold.
    import(
        &shop,
        "2026-03-22",
        "invoices",
        "invoice_no,customer_id,issue_date,due_date,amount\nINV-3,C1,2026-03-22,2026-04-21,600.00\n",
    );
    run(&shop, "2026-03-22");
    let a = account(&shop, "2026-03-22", "C1");
    assert_eq!(a["over_limit"], true);
    assert_eq!(a["on_hold"], true);
    assert_eq!(account(&shop, "2026-03-22", "C2")["over_limit"], false);
    let over_limit_items = |day: &str| -> usize {
        shop.json("ana", day, &["queue", "--format", "json"])
            .as_array()
            .map_or(0, |q| {
                q.iter().filter(|i| i["action"] == "over_limit").count()
            })
    };
    assert_eq!(over_limit_items("2026-03-22"), 1);
    let holds = shop.json("ana", "2026-03-22", &["holds", "--format", "json"]);
    assert_eq!(holds[0]["customer_id"], "C1");
    assert_eq!(holds[0]["held_for"], "credit limit");
    assert_eq!(holds[0]["over_limit"], true);
    let csv = shop
        .arq("ana", "2026-03-22")
        .args(["holds", "--format", "csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(
        csv.lines().next().is_some_and(|h| h.contains("held_for")),
        "{csv}"
    );
    assert!(csv.contains("credit limit"), "{csv}");

    // Still over the next day: no second item.
    run(&shop, "2026-03-23");
    assert_eq!(over_limit_items("2026-03-23"), 1);

    // Paid down under the limit: the hold is released and the item closed.
    import(
        &shop,
        "2026-03-24",
        "payments",
        "payment_id,customer_id,date,amount,invoice_no\nP1,C1,2026-03-24,300.00,INV-3\n",
    );
    let r = run(&shop, "2026-03-24");
    assert_eq!(r["holds_released"], 1, "{r}");
    let a = account(&shop, "2026-03-24", "C1");
    assert_eq!(
        (a["over_limit"].clone(), a["on_hold"].clone()),
        (Value::Bool(false), Value::Bool(false))
    );
    assert_eq!(over_limit_items("2026-03-24"), 0);
    assert_eq!(
        shop.json("ana", "2026-03-24", &["holds", "--format", "json"]),
        serde_json::json!([])
    );
}

#[test]
fn a_negative_min_days_past_due_is_refused_naming_the_position_once() {
    let shop = Shop::new("2026-01-01");
    let file = shop.dir.path().join("early.toml");
    std::fs::write(
        &file,
        "[strategy]\nid = \"early\"\n\n[[step]]\nid = \"f\"\naction = \"email\"\ntemplate = \"friendly_reminder\"\nmin_days_past_due = -7\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = shop
        .arq("admin", "2026-01-01")
        .args(["strategy", "check", &file.display().to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("early.toml:8:21: min_days_past_due"), "{err}");
    assert!(err.contains("days_before_due = 7"), "{err}");
    assert_eq!(err.matches("early.toml").count(), 1, "{err}");
    assert_eq!(err.matches(":8:21").count(), 1, "{err}");
}

#[test]
fn supervisors_list_early_warnings_and_collectors_may_not() {
    let shop = Shop::new("2026-01-01");
    import(
        &shop,
        "2026-01-02",
        "customers",
        "customer_id,name,email,collector\nC1,Acme Tools,ap@acme.example,ana\n",
    );
    // Six invoices paid: the first three on time, the last three three weeks late.
    let mut inv = String::from("invoice_no,customer_id,issue_date,due_date,amount\n");
    let mut pay = String::from("payment_id,customer_id,date,amount,invoice_no\n");
    for (n, (due, paid)) in [
        ("2026-01-10", "2026-01-10"),
        ("2026-01-20", "2026-01-19"),
        ("2026-01-30", "2026-01-30"),
        ("2026-02-10", "2026-03-03"),
        ("2026-02-20", "2026-03-13"),
        ("2026-03-01", "2026-03-22"),
    ]
    .iter()
    .enumerate()
    {
        inv.push_str(&format!("I{n},C1,2026-01-02,{due},50.00\n"));
        pay.push_str(&format!("P{n},C1,{paid},50.00,I{n}\n"));
    }
    // And one not yet due.
    inv.push_str("I9,C1,2026-03-01,2026-04-05,400.00\n");
    import(&shop, "2026-01-02", "invoices", &inv);
    import(&shop, "2026-03-25", "payments", &pay);

    run(&shop, "2026-03-25");
    let w = shop.json("sam", "2026-03-25", &["warnings", "--format", "json"]);
    assert_eq!(w.as_array().map(Vec::len), Some(1), "{w}");
    assert_eq!(w[0]["customer_id"], "C1");
    assert_eq!(w[0]["next_due"], "2026-04-05");
    let reason = w[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason == "paying later: 21 days late on average on the last 3 invoices, 0 before",
        "{reason}"
    );
    let q = shop.json("ana", "2026-03-25", &["queue", "--format", "json"]);
    let check_ins: Vec<&Value> = q
        .as_array()
        .map(|q| q.iter().filter(|i| i["action"] == "check_in").collect())
        .unwrap_or_default();
    assert_eq!(check_ins.len(), 1, "{q}");
    assert_eq!(check_ins[0]["reason"], "callback");
    assert_eq!(
        account(&shop, "2026-03-25", "C1")["early_warning"]["reason"],
        Value::String(reason.to_string())
    );
    // The next day: the warning stays, no second item.
    run(&shop, "2026-03-26");
    let q = shop.json("ana", "2026-03-26", &["queue", "--format", "json"]);
    assert_eq!(
        q.as_array().map_or(0, |q| q
            .iter()
            .filter(|i| i["action"] == "check_in")
            .count()),
        1
    );
    // Collectors are refused the supervisors' list.
    shop.arq("ana", "2026-03-26")
        .args(["warnings"])
        .assert()
        .failure();
}

#[test]
fn a_reminder_before_the_due_date_not_delivered_by_then_is_cancelled_not_sent_late() {
    let shop = Shop::new("2026-01-01");
    let file = shop.dir.path().join("ahead.toml");
    std::fs::write(&file, STRATEGY).unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", "2026-02-01")
        .args(["strategy", "load", &file.display().to_string()])
        .assert()
        .success();
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-02-18", "2026-03-20", "500.00");
    // The run queues the reminder (the service's run does not deliver) …
    let r = shop
        .session("admin", "2026-03-13")
        .run_day(false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.mail_queued, 1);
    // … and nobody delivers it until the due date: then it is cancelled, not sent.
    let out = shop
        .arq("admin", "2026-03-20")
        .args(["outbox", "send", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let m = outbox(&shop, "2026-03-20");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["template"], "before_due_reminder");
    assert_eq!(m[0]["status"], "cancelled", "{m:?}");
}
