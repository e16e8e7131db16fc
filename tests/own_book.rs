//! Everyone sees only their own book: a collector's `holds`, `report aging` and
//! `outbox list` hold their own accounts only, and their `outbox send` delivers only
//! their own customers' messages. And a missing or early-exiting SMS command is a
//! failed delivery with a clear error, never a crash. All through the real binary.

mod common;

use arq::store::Store;
use common::Shop;
use serde_json::Value;

const DAY: &str = "2026-03-02";

/// C1 is ana's, C2 and C3 are ben's; all past due with email, C2 on hold.
fn shop() -> Shop {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ben");
    shop.customer("C3", "ben");
    shop.invoice("INV-1", "C1", "2026-01-02", "2026-02-01", "1250.00");
    shop.invoice("INV-2", "C2", "2026-01-02", "2026-02-01", "800.00");
    shop.invoice("INV-3", "C3", "2026-01-02", "2026-02-01", "900.00");
    shop.arq("sam", DAY)
        .args(["hold", "C2", "--reason", "stop shipping"])
        .assert()
        .success();
    shop.arq("ben", DAY)
        .args(["hold", "C3", "--reason", "ben's call"])
        .assert()
        .success();
    shop
}

fn customers_in(v: &Value, key: &str) -> Vec<String> {
    let list = if key.is_empty() { v } else { &v[key] };
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|r| r["customer_id"].as_str().unwrap_or_default().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn a_collectors_lists_hold_only_their_accounts() {
    let shop = shop();
    // The run queues a reminder for each account (and none for the held ones' owners to see).
    shop.arq("admin", DAY).args(["run"]).assert().success();

    let holds = shop.json("ana", DAY, &["holds", "--format", "json"]);
    assert!(customers_in(&holds, "").is_empty(), "{holds}");
    let holds = shop.json("ben", DAY, &["holds", "--format", "json"]);
    assert_eq!(customers_in(&holds, ""), ["C2", "C3"]);
    let holds = shop.json("sam", DAY, &["holds", "--format", "json"]);
    assert_eq!(customers_in(&holds, ""), ["C2", "C3"]);

    let aging = shop.json("ana", DAY, &["report", "aging", "--format", "json"]);
    assert_eq!(customers_in(&aging, "customers"), ["C1"]);
    assert_eq!(aging["total"], "1250.00");
    let aging = shop.json("sam", DAY, &["report", "aging", "--format", "json"]);
    assert_eq!(customers_in(&aging, "customers"), ["C1", "C2", "C3"]);
    shop.arq("ana", DAY)
        .args(["report", "aging", "--collector", "ben"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("only supervisors and admins"));

    let out = shop.json("ana", DAY, &["outbox", "list", "--format", "json"]);
    assert_eq!(customers_in(&out, ""), ["C1"], "{out}");
    let out = shop.json("sam", DAY, &["outbox", "list", "--format", "json"]);
    assert!(customers_in(&out, "").len() >= 2, "{out}");
    // The table and CSV forms say the same.
    let table = shop
        .arq("ana", DAY)
        .args(["outbox", "list"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("C1") && !text.contains("C2") && !text.contains("C3"),
        "{text}"
    );
}

#[test]
fn a_collectors_send_delivers_only_their_own_customers_messages() {
    let shop = shop();
    shop.arq("admin", DAY)
        .args(["run", "--format", "json"])
        .assert()
        .success();
    // Put back what the run delivered, so there is something to send.
    let store = Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let c = store.conn();
    let queued: i64 = c
        .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(queued >= 2, "{queued}");
    c.execute("UPDATE outbox SET status = 'pending', sent_at = NULL", [])
        .unwrap_or_else(|e| panic!("{e}"));
    let before: i64 = c
        .query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));

    let r = shop.json("ana", DAY, &["outbox", "send", "--format", "json"]);
    let touched = customers_in(&r, "messages");
    assert_eq!(touched, ["C1"], "{r}");

    // Nobody else's message changed, and every event ana's send wrote is about C1.
    let others: Vec<String> = c
        .prepare("SELECT status FROM outbox WHERE customer_id <> 'C1'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(others.iter().all(|s| s == "pending"), "{others:?}");
    let written: Vec<(String, Option<String>)> = c
        .prepare("SELECT actor, customer_id FROM events WHERE seq > ?1")
        .and_then(|mut s| {
            s.query_map([before], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!written.is_empty());
    assert!(
        written
            .iter()
            .all(|(a, c)| a == "ana" && c.as_deref() == Some("C1")),
        "{written:?}"
    );
    // Ben's own send then delivers his.
    let r = shop.json("ben", DAY, &["outbox", "send", "--format", "json"]);
    let touched = customers_in(&r, "messages");
    assert!(touched.iter().all(|c| c == "C2" || c == "C3"), "{r}");
}

fn sms_shop(command: &str) -> (Shop, i64) {
    let shop = shop();
    std::fs::create_dir_all(shop.config_path().parent().unwrap_or(&shop.db))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        shop.config_path(),
        format!("[sms]\ncommand = \"{command}\"\ntimeout = 20\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut s = shop.session("admin", DAY);
    let id = s
        .write(|tx| {
            let body = "Please pay. ".repeat(30_000);
            let m = arq::store::outbox::NewMessage {
                customer_id: "C1",
                channel: arq::domain::Channel::Sms,
                template: "sms_reminder",
                message_id: "<sms.c1@test>",
                recipient: "+15550100",
                subject: "reminder",
                body_text: &body,
                body_html: None,
                created_on: common::d(DAY),
                created_by: "admin",
                cycle_id: None,
                step_index: None,
            };
            Ok(arq::store::outbox::insert(tx.conn, &m)?.unwrap_or(0))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let c = store.conn();
    c.execute(
        "UPDATE customers SET phone = '+15550100' WHERE id = 'C1'",
        [],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (shop, id)
}

fn after_failed_send(shop: &Shop, id: i64, want: &str) {
    let out = shop
        .arq("admin", DAY)
        .args(["outbox", "send", "--id", &id.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A clear error and exit status 1: not killed by a signal (SIGPIPE is 141).
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("1 message was not delivered"), "{stderr}");
    assert!(stdout.contains(want), "{stdout}");
    let store = Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let c = store.conn();
    let (status, attempts, error): (String, i64, String) = c
        .query_row(
            "SELECT status, attempts, last_error FROM outbox WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.contains(want), "{error}");
    let failed: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind = 'mail_failed' AND customer_id = 'C1'",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed, 1);
    // Nothing half-written: the record still verifies, nothing is left 'sending'.
    shop.arq("admin", DAY)
        .args(["audit", "verify"])
        .assert()
        .success();
}

#[test]
fn a_missing_sms_command_is_a_failed_delivery_that_stays_pending() {
    let (shop, id) = sms_shop("/nonexistent/sms-gateway --to $ARQ_SMS_TO");
    after_failed_send(&shop, id, "the command was not found");
}

#[test]
fn an_sms_command_that_exits_without_reading_is_a_failed_delivery_not_a_crash() {
    let (shop, id) = sms_shop("exit 0");
    after_failed_send(&shop, id, "exited without reading the whole message");
}
