//! The seed example of DESIGN §2 walked through the real binary, day by day:
//! friendly reminder at the threshold → 5 days → serious → 5 days → call task →
//! call logged → 3 days → credit hold → payment → cure and release.

mod common;

use common::Shop;
use predicates::prelude::*;
use serde_json::Value;

fn run(shop: &Shop, day: &str) -> Value {
    shop.json("admin", day, &["run", "--format", "json"])
}

fn step_of(shop: &Shop, day: &str) -> Value {
    shop.json("ana", day, &["account", "show", "C1", "--format", "json"])["step"].clone()
}

/// Writes a CSV file in the shop's directory and imports it through the binary.
fn import(shop: &Shop, day: &str, kind: &str, csv: &str) {
    let path = shop.dir.path().join(format!("{kind}-{day}.csv"));
    std::fs::write(&path, csv).unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", day)
        .args(["import", kind, &path.display().to_string()])
        .assert()
        .success();
}

#[test]
fn the_seed_example_day_by_day() {
    let shop = Shop::new("2026-01-01");
    import(
        &shop,
        "2026-02-01",
        "customers",
        "customer_id,name,email,collector\nC1,Acme Tools,ap@c1.example,ana\n",
    );
    // Exactly the threshold (100.00), one day past due on 2026-03-02.
    import(
        &shop,
        "2026-02-01",
        "invoices",
        "invoice_no,customer_id,issue_date,due_date,amount\nINV-1,C1,2026-01-30,2026-03-01,100.00\n",
    );

    // Day 0: the friendly reminder goes to the outbox.
    let r = run(&shop, "2026-03-02");
    assert_eq!(
        (
            r["steps_done"].as_u64(),
            r["auto_actions"].as_u64(),
            r["tasks_created"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(r["evaluated"], 1);
    let out = shop.json(
        "admin",
        "2026-03-02",
        &["outbox", "list", "--format", "json"],
    );
    assert_eq!(out[0]["template"], "friendly_reminder");
    assert_eq!(out[0]["recipient"], "ap@c1.example");
    // `arq run` delivers at its end (the file transport by default).
    assert_eq!(out[0]["status"], "sent");
    assert_eq!(
        step_of(&shop, "2026-03-02"),
        serde_json::json!({"id": "friendly", "index": 0, "done_on": "2026-03-02"})
    );

    // Running the same day again changes nothing.
    let again = run(&shop, "2026-03-02");
    assert_eq!(
        (again["steps_done"].as_u64(), again["auto_actions"].as_u64()),
        (Some(0), Some(0))
    );

    // Day 4: still waiting; day 5: the serious reminder.
    assert_eq!(run(&shop, "2026-03-06")["steps_done"], 0);
    assert_eq!(run(&shop, "2026-03-07")["steps_done"], 1);
    assert_eq!(step_of(&shop, "2026-03-07")["id"], "serious");

    // Day 10: the call becomes a task in ana's queue.
    let r = run(&shop, "2026-03-12");
    assert_eq!(
        (r["tasks_created"].as_u64(), r["steps_done"].as_u64()),
        (Some(1), Some(0))
    );
    let q = shop.json("ana", "2026-03-12", &["queue", "--format", "json"]);
    assert_eq!(q.as_array().map(Vec::len), Some(1));
    assert_eq!(q[0]["reason"], "step");
    assert_eq!(q[0]["action"], "call");
    assert_eq!(q[0]["step"], "call");
    assert_eq!(q[0]["customer_id"], "C1");
    assert_eq!(q[0]["collectible_past_due"], "100.00");
    assert_eq!(q[0]["dpd"], 11);
    // ben sees nothing of ana's.
    assert_eq!(
        shop.json("ben", "2026-03-12", &["queue", "--format", "json"]),
        serde_json::json!([])
    );

    // Day 12: ana calls and gets the voicemail; the call task is done, the step with it.
    shop.arq("ana", "2026-03-14")
        .args([
            "log",
            "call",
            "C1",
            "--outcome",
            "voicemail",
            "--note",
            "left a message",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("finished item"));
    assert_eq!(
        shop.json("ana", "2026-03-14", &["queue", "--format", "json"]),
        serde_json::json!([])
    );
    assert_eq!(step_of(&shop, "2026-03-14")["id"], "call");

    // 3 days after the call: the credit hold.
    assert_eq!(run(&shop, "2026-03-16")["steps_done"], 0);
    let r = run(&shop, "2026-03-17");
    assert_eq!(r["auto_actions"], 1);
    shop.arq("ana", "2026-03-17")
        .args(["holds"])
        .assert()
        .success()
        .stdout(predicate::str::contains("C1"));
    assert_eq!(
        shop.json(
            "ana",
            "2026-03-17",
            &["account", "show", "C1", "--format", "json"]
        )["on_hold"],
        true
    );

    // A payment cures the account: the cycle ends and the hold is released.
    import(
        &shop,
        "2026-03-20",
        "payments",
        "payment_id,customer_id,date,amount,invoice_no\nP-1,C1,2026-03-20,100.00,INV-1\n",
    );
    let r = run(&shop, "2026-03-20");
    assert_eq!(r["cured"], 1);
    let a = shop.json(
        "ana",
        "2026-03-20",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(a["on_hold"], false);
    assert_eq!(a["step"], Value::Null);
    assert_eq!(a["balance"], "0.00");
    shop.arq("ana", "2026-03-20")
        .args(["holds"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No account is on credit hold"));

    // Replaying an earlier day still shows the account as it was then.
    let then = shop.json(
        "ana",
        "2026-03-18",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(then["on_hold"], true);
    assert_eq!(then["past_due"], "100.00");
    assert_eq!(then["step"]["id"], "hold");

    shop.arq("admin", "2026-03-20")
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("chain is intact"));
}

#[test]
fn roles_are_refused_for_the_wrong_user() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-01-30", "2026-03-01", "500.00");
    let day = "2026-03-02";
    let refused = |user: &str, args: &[&str], says: &str| {
        shop.arq(user, day)
            .args(args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    };
    // Another collector's account is no customer to ben, in the words of one that
    // does not exist: who owns it is not told (it said "assigned to ana").
    for id in ["C1", "C404"] {
        let said = format!(
            "no customer '{id}' you can see (ids are in `arq queue` and `arq report aging`; a collector sees her own accounts only)"
        );
        refused("ben", &["account", "show", id], &said);
        refused("ben", &["log", "call", id, "--outcome", "reached"], &said);
    }
    refused(
        "ana",
        &["run"],
        "only supervisors and admins can run the daily close",
    );
    refused(
        "ana",
        &["release", "C1"],
        "only supervisors and admins can release credit holds",
    );
    refused(
        "ana",
        &["assign", "C1", "--to", "ben"],
        "only supervisors and admins can assign accounts",
    );
    refused(
        "ana",
        &["queue", "--all"],
        "only supervisors and admins can see every queue",
    );
    refused(
        "ana",
        &["queue", "--collector", "ben"],
        "only supervisors and admins",
    );
    refused(
        "sam",
        &["user", "add", "zoe", "--role", "collector"],
        "only admins can add users",
    );
    refused(
        "nobody",
        &["queue"],
        "unknown user 'nobody': an admin can add you with `arq user add nobody --role collector`",
    );
    refused(
        "ana",
        &["account", "show", "C9"],
        "no customer 'C9' you can see (ids are in `arq queue`",
    );
    // A supervisor may do all of it.
    shop.arq("sam", day)
        .args(["account", "show", "C1"])
        .assert()
        .success();
    shop.arq("sam", day)
        .args(["assign", "C1", "--to", "ben"])
        .assert()
        .success()
        .stdout("1 account assigned to ben\n");
    shop.arq("ben", day)
        .args(["account", "show", "C1"])
        .assert()
        .success();
    refused(
        "ana",
        &["account", "show", "C1"],
        "no customer 'C1' you can see",
    );
}

#[test]
fn an_error_says_its_cause_once() {
    let shop = Shop::new("2026-01-01");
    let missing = shop.dir.path().join("missing.toml");
    let bad = shop.dir.path().join("bad.toml");
    std::fs::write(&bad, "[strategy]\nid = \"x\"\nname = 3\n").unwrap_or_else(|e| panic!("{e}"));
    for (args, cause) in [
        (
            vec!["--config", &*missing.to_string_lossy(), "queue"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            "No such file",
        ),
        (
            vec![
                "strategy".to_string(),
                "check".to_string(),
                bad.display().to_string(),
            ],
            "invalid type",
        ),
    ] {
        let out = shop
            .arq("admin", "2026-03-02")
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
    }
}

#[test]
fn bad_arguments_are_clear_errors() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-01-30", "2026-03-01", "500.00");
    let day = "2026-03-02";
    let refused = |args: &[&str], says: &str| {
        shop.arq("ana", day)
            .args(args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    };
    refused(
        &["log", "call", "C1", "--outcome", "shouted"],
        "'shouted' is not a call outcome",
    );
    // `--limit 0` said "Nothing due" of a queue with items in it.
    refused(
        &["queue", "--limit", "0"],
        "'0' is not a count: give a whole number, 1 or more",
    );
    refused(
        &["objective", "add", "--kpi", "foo"],
        "'foo' is not an objective KPI",
    );
    // A missed close is run for yesterday by name (or -1); a date that is none says
    // what is.
    let yesterday = chrono::Local::now().date_naive() - chrono::Duration::days(1);
    for typed in ["yesterday", "-1"] {
        shop.arq("admin", typed)
            .args(["run", "--dry-run", "--format", "json"])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "\"as_of\": \"{yesterday}\""
            )));
    }
    shop.arq("admin", "someday")
        .args(["queue"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "'someday' is not a day: use YYYY-MM-DD, today, yesterday, tomorrow",
        ));
    refused(
        &["log", "promise", "C1", "--amount", "abc", "--date", "+3"],
        "'abc' is not an amount",
    );
    // A negative amount is read as one (not as an unknown option, whose tip to write
    // `-- -5` would not work) and refused for what it is.
    refused(
        &["log", "promise", "C1", "--amount", "-5", "--date", "+3"],
        "a promise needs an amount above zero (got -5.00)",
    );
    refused(
        &[
            "log", "promise", "C1", "--amount", "50", "--date", "someday",
        ],
        "--date: 'someday' is not a date",
    );
    refused(
        &[
            "log",
            "promise",
            "C1",
            "--amount",
            "50",
            "--date",
            "2026-03-01",
        ],
        "before today",
    );
    refused(
        &["log", "promise", "C1", "--amount", "0", "--date", "+3"],
        "above zero",
    );
    refused(
        &[
            "log",
            "dispute",
            "C1",
            "--invoice",
            "INV-9",
            "--reason",
            "pricing",
        ],
        "no invoice 'INV-9'",
    );
    refused(
        &[
            "log",
            "dispute",
            "C1",
            "--invoice",
            "INV-1",
            "--reason",
            "pricing",
            "--amount",
            "900",
        ],
        "at most 500.00",
    );
    refused(&["log", "note", "C1", "  "], "the note is empty");
    refused(&["done", "999"], "no queue item #999");
    shop.arq("ana", "31/12/2026")
        .args(["queue"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a date"));
    let missing = shop.dir.path().join("missing.db");
    assert_cmd::Command::cargo_bin("arq")
        .unwrap_or_else(|e| panic!("{e}"))
        .args([
            "--db",
            &missing.display().to_string(),
            "--user",
            "ana",
            "queue",
        ])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("no arq database at")
                .and(predicate::str::contains("arq init")),
        );
}

/// An account past due above its strategy's threshold that no close has seen yet says
/// its cycle starts at the next run (it said "below the strategy's threshold"); one
/// past due below the threshold says so.
#[test]
fn an_account_not_yet_in_its_cycle_says_when_it_starts() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ana");
    shop.invoice("INV-1", "C1", "2026-01-30", "2026-03-01", "5000.00");
    shop.invoice("INV-2", "C2", "2026-01-30", "2026-03-01", "5.00");
    let status = |id: &str| {
        shop.json(
            "ana",
            "2026-03-02",
            &["account", "show", id, "--format", "json"],
        )["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        status("C1"),
        "past due: its collection cycle starts at the next daily run"
    );
    assert_eq!(status("C2"), "past due, below the strategy's threshold");
    run(&shop, "2026-03-02");
    assert!(
        status("C1").starts_with("in collection"),
        "{}",
        status("C1")
    );
}

#[test]
fn promises_and_disputes_pause_and_broken_promises_come_back() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-01-30", "2026-03-01", "400.00");
    shop.invoice("INV-2", "C1", "2026-01-30", "2026-03-01", "100.00");
    run(&shop, "2026-03-02");
    // A promise taken on day 1 pauses the strategy through its date + 2 grace days.
    shop.arq("ana", "2026-03-03")
        .args([
            "log",
            "promise",
            "C1",
            "--amount",
            "500",
            "--date",
            "2026-03-06",
        ])
        .assert()
        .success();
    let a = shop.json(
        "ana",
        "2026-03-03",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(a["status"], "paused: promise open through 2026-03-08");
    assert_eq!(a["promises"][0]["status"], "open");
    for day in ["2026-03-07", "2026-03-08"] {
        assert_eq!(run(&shop, day)["steps_done"], 0, "{day}");
    }
    // Nothing paid: broken the day after the grace; the serious reminder is due at once
    // and a broken-promise item lands in ana's queue.
    let r = run(&shop, "2026-03-09");
    assert_eq!(
        r["promises"],
        serde_json::json!({"kept": 0, "partially_kept": 0, "broken": 1})
    );
    assert_eq!(r["steps_done"], 1);
    let q = shop.json("ana", "2026-03-09", &["queue", "--format", "json"]);
    assert_eq!(q[0]["reason"], "broken_promise");

    // A dispute on the larger invoice brings the collectible below the threshold: paused.
    shop.arq("ana", "2026-03-09")
        .args([
            "log",
            "dispute",
            "C1",
            "--invoice",
            "INV-1",
            "--reason",
            "damaged",
            "--note",
            "pallet crushed",
        ])
        .assert()
        .success();
    let a = shop.json(
        "ana",
        "2026-03-09",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(a["disputed"], "400.00");
    assert_eq!(a["collectible_past_due"], "100.00");
    assert_eq!(a["invoices"][0]["disputed"], "400.00");
    assert_eq!(a["disputes"][0]["reason"], "damaged");
    // (100.00 collectible is still at the threshold, so the account keeps going.)
    // Resolving it as valid needs a supervisor; the credit cures nothing yet.
    shop.arq("ana", "2026-03-10")
        .args(["dispute", "resolve", "1", "--outcome", "valid"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only supervisors"));
    shop.arq("sam", "2026-03-10")
        .args(["dispute", "resolve", "1", "--outcome", "valid"])
        .assert()
        .success()
        .stdout(predicate::str::contains("credited 400.00"));
    let a = shop.json(
        "ana",
        "2026-03-10",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(a["balance"], "100.00");
    assert_eq!(a["disputes"][0]["status"], "valid");
    // The dispute's follow-up item was closed with it.
    assert!(
        a["open_items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i["reason"] != "dispute_follow_up"))
    );
}
