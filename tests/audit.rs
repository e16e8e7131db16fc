//! The record proves itself: each way of tampering with the event record or the
//! state tables behind arq's back — cutting events from the end, forging an event
//! with a correctly chained hash, rewriting and re-chaining, editing or deleting state
//! rows — makes `arq audit verify` (with `--deep` for the tables) fail and name the
//! event, the anchor or the row. The binary is run as a person would.

mod common;

use std::path::Path;

use arq::domain::{CallOutcome, EventKind};
use arq::store::ledger::{self, PaymentRow};
use common::{Shop, d, m};
use predicates::prelude::PredicateBooleanExt;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

/// A shop with some history: calls, a promise, a hold, a payment, `notes` notes, and
/// an anchor from `audit verify`.
fn shop() -> Shop {
    shop_with(20)
}

fn shop_with(notes: usize) -> Shop {
    let shop = Shop::new("2026-03-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ben");
    shop.invoice("INV-1", "C1", "2026-01-01", "2026-01-31", "500.00");
    shop.invoice("INV-2", "C2", "2026-01-05", "2026-02-04", "800.00");
    let mut s = shop.session("ana", "2026-03-02");
    s.log_call("C1", CallOutcome::Reached, "will pay", None)
        .unwrap_or_else(|e| panic!("{e}"));
    s.take_promise("C1", m("200.00"), d("2026-03-09"), "")
        .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..notes {
        s.log_note("C1", &format!("note {i}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut sam = shop.session("sam", "2026-03-02");
    sam.set_hold("C2", "no pay")
        .unwrap_or_else(|e| panic!("{e}"));
    // A payment recorded the way an import records one: with its event.
    let mut admin = shop.session("admin", "2026-03-02");
    admin
        .write(|tx| {
            let p = PaymentRow {
                payment_id: "P-1".into(),
                customer_id: "C2".into(),
                date: d("2026-03-02"),
                amount: m("300.00"),
                invoice_no: Some("INV-2".into()),
                source: "import".into(),
            };
            ledger::record_payment(tx.conn, &p)?;
            tx.event(
                EventKind::Payment,
                Some("C2"),
                "payment P-1: 300.00 applied to INV-2",
                serde_json::json!({"payment_id": "P-1", "amount": "300.00", "date": "2026-03-02",
                                   "invoice_no": "INV-2", "applied": [{"invoice_no": "INV-2", "amount": "300.00"}],
                                   "unapplied": "0.00"}),
            )?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // The person checks the record once: that writes an anchor.
    shop.arq("admin", "2026-03-02")
        .args(["audit", "verify"])
        .assert()
        .success();
    shop
}

fn sql(shop: &Shop, batch: &str) {
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    c.execute_batch(batch)
        .unwrap_or_else(|e| panic!("{batch}: {e}"));
}

fn max_seq(shop: &Shop) -> i64 {
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    c.query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `arq audit verify [args]` as sam; returns (success, stdout + stderr).
fn verify(shop: &Shop, args: &[&str]) -> (bool, String) {
    let out = shop
        .arq("sam", "2026-03-02")
        .args(["audit", "verify"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn fails_naming(shop: &Shop, args: &[&str], names: &[&str]) -> String {
    let (ok, text) = verify(shop, args);
    assert!(!ok, "audit verify passed:\n{text}");
    for n in names {
        assert!(text.contains(n), "missing {n:?} in:\n{text}");
    }
    text
}

/// The plain SHA-256 chain hash, as someone who read arq's source but has no key
/// would compute it.
fn plain_hash(prev: &str, parts: &[String]) -> String {
    let mut h = Sha256::new();
    for p in std::iter::once(prev.to_string()).chain(parts.iter().cloned()) {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn fields(c: &Connection, seq: i64) -> Vec<String> {
    c.query_row(
        "SELECT at, on_date, kind, actor, COALESCE(customer_id, ''), detail, data FROM events WHERE seq = ?1",
        [seq],
        |r| (0..7).map(|i| r.get::<_, String>(i)).collect(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_fresh_record_verifies_and_anchors_its_head() {
    let shop = shop();
    let (ok, text) = verify(&shop, &["--deep"]);
    assert!(ok, "{text}");
    assert!(text.contains("chain is intact (keyed)"), "{text}");
    assert!(
        text.contains("every table agrees with the record"),
        "{text}"
    );
    let head = max_seq(&shop);
    assert!(
        text.contains(&format!("Record head (anchored): {head}:")),
        "{text}"
    );
    let anchors = std::fs::read_to_string(format!("{}.anchors", shop.db.display()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(anchors.lines().count() >= 3, "{anchors}");
    // The verdict is a field of the JSON as it is a column of the CSV (it was the
    // CSV's alone).
    let (ok, text) = verify(&shop, &["--format", "json"]);
    assert!(ok, "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["ok"], true, "{text}");
    let (_, csv) = verify(&shop, &["--format", "csv"]);
    assert!(csv.starts_with("ok,"), "{csv}");
}

#[test]
fn cutting_the_last_event_is_named_by_its_anchor() {
    let shop = shop();
    let head = max_seq(&shop);
    sql(
        &shop,
        &format!("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = {head};"),
    );
    fails_naming(
        &shop,
        &[],
        &[
            &format!("event {head} is missing"),
            &format!("the record ends at event {}", head - 1),
            ".anchors:",
        ],
    );
}

#[test]
fn cutting_many_events_is_named_by_its_anchor() {
    let shop = shop_with(520);
    let head = max_seq(&shop);
    sql(
        &shop,
        &format!(
            "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq > {};",
            head - 500
        ),
    );
    fails_naming(
        &shop,
        &[],
        &[
            &format!("event {head} is missing"),
            &format!("the record ends at event {}", head - 500),
        ],
    );
}

#[test]
fn cutting_every_event_is_named_by_its_anchor() {
    let shop = shop();
    let head = max_seq(&shop);
    sql(&shop, "DROP TRIGGER events_no_delete; DELETE FROM events;");
    fails_naming(
        &shop,
        &[],
        &[
            &format!("event {head} is missing"),
            "the record ends at event 0",
        ],
    );
}

#[test]
fn a_forged_event_with_a_correctly_chained_hash_is_named() {
    let shop = shop();
    let head = max_seq(&shop);
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let prev: String = c
        .query_row("SELECT hash FROM events WHERE seq = ?1", [head], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut forged = fields(&c, head);
    forged[2] = "payment".into();
    forged[5] = "payment X-1: 500.00 applied to INV-1".into();
    let hash = plain_hash(&prev, &forged);
    c.execute(
        "INSERT INTO events (at, on_date, kind, actor, customer_id, detail, data, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            forged[0], forged[1], forged[2], forged[3], forged[4], forged[5], forged[6], prev, hash
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(c);
    fails_naming(
        &shop,
        &[],
        &[
            &format!("broken at event {}", head + 1),
            "not made with this database's audit key",
        ],
    );
}

#[test]
fn an_event_rewritten_and_re_chained_without_the_key_is_named() {
    let shop = shop();
    let head = max_seq(&shop);
    let target = head - 10;
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    c.execute_batch("DROP TRIGGER events_no_update;")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut prev: String = c
        .query_row(
            "SELECT hash FROM events WHERE seq = ?1",
            [target - 1],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    for seq in target..=head {
        let mut f = fields(&c, seq);
        if seq == target {
            f[5] = "note: nothing to see".into();
        }
        let h = plain_hash(&prev, &f);
        c.execute(
            "UPDATE events SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            params![seq, f[5], prev, h],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        prev = h;
    }
    drop(c);
    let text = fails_naming(
        &shop,
        &[],
        &[
            &format!("broken at event {target}"),
            "audit key",
            &format!("event {head} is not the event anchored"),
        ],
    );
    assert!(text.contains(".anchors:"), "{text}");
}

#[test]
fn a_head_kept_elsewhere_catches_a_rewrite_of_the_anchors_too() {
    let shop = shop();
    let (ok, text) = verify(&shop, &[]);
    assert!(ok, "{text}");
    let head_line = text
        .lines()
        .find(|l| l.starts_with("Record head"))
        .unwrap_or_else(|| panic!("{text}"));
    let kept = head_line.rsplit(' ').next().unwrap_or_default().to_string();
    // Someone cuts the record and throws the anchors file away.
    let head = max_seq(&shop);
    sql(
        &shop,
        &format!(
            "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq > {};",
            head - 3
        ),
    );
    std::fs::remove_file(format!("{}.anchors", shop.db.display()))
        .unwrap_or_else(|e| panic!("{e}"));
    fails_naming(
        &shop,
        &["--head", &kept],
        &[
            "anchors file",
            "is missing",
            &format!("event {head} of the head you kept"),
        ],
    );
    // A forged anchor line is named by its line.
    std::fs::write(
        format!("{}.anchors", shop.db.display()),
        "arq-anchor v1 x 1 00 2026 x run 00\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fails_naming(&shop, &[], &[".anchors:1: this anchor cannot be trusted"]);
}

#[test]
fn insert_or_replace_cannot_overwrite_an_event() {
    let shop = shop();
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let err = c
        .execute(
            "INSERT OR REPLACE INTO events (seq, at, on_date, kind, actor, detail, data, prev_hash, hash)
             VALUES (3, 't', '2026-01-01', 'note', 'x', 'forged', '{}', '', '')",
            [],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("append-only"), "{err}");
    let detail: String = c
        .query_row("SELECT detail FROM events WHERE seq = 3", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(detail, "forged");
}

#[test]
fn state_table_edits_are_each_named_by_the_deep_check() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "payment amount",
            "UPDATE payments SET amount = 99900 WHERE payment_id = 'P-1';",
            &["payments P-1: amount is 999.00, the record says 300.00 (event"],
        ),
        (
            "invoice balance",
            "UPDATE invoices SET balance = 1 WHERE invoice_no = 'INV-1';",
            &["invoices INV-1: balance is 0.01", "500.00"],
        ),
        (
            "a customer's collector",
            "UPDATE customers SET owner = 'ben' WHERE id = 'C1';",
            &["customers C1: collector is ben, the record last assigned it to ana"],
        ),
        (
            "a user's role",
            "UPDATE users SET role = 'admin' WHERE name = 'ana';",
            &["users ana: role is admin, the record says collector"],
        ),
        (
            "a call deleted",
            "DELETE FROM calls;",
            &["calls #1: is recorded but missing from the table (event"],
        ),
        (
            "a promise changed",
            "UPDATE promises SET amount = 1;",
            &["promises #1: amount is 0.01, the record says 200.00"],
        ),
        (
            "a hold released behind arq's back",
            "UPDATE holds SET released_on = '2026-03-02', released_by = 'ana';",
            &["holds #1: it is released 2026-03-02, the record says not released"],
        ),
        (
            "an invoice's latest allocation misdated",
            "UPDATE invoices SET last_allocated_on = '2020-01-01' WHERE invoice_no = 'INV-2';",
            &[
                "invoices INV-2: its latest allocation is noted as 2020-01-01, but the allocations say 2026-",
            ],
        ),
        (
            "an allocation moved",
            "UPDATE allocations SET amount = amount - 100 WHERE payment_id = 'P-1';",
            &[
                "invoices INV-2: balance is 500.00, but its amount 800.00 less its allocations 299.00 is 501.00",
                "payments P-1: it is applied as [299.00 to INV-2], the record says [300.00 to INV-2]",
            ],
        ),
    ];
    for (what, edit, names) in cases {
        let shop = shop();
        let (ok, text) = verify(&shop, &["--deep"]);
        assert!(ok, "{what}: before: {text}");
        sql(&shop, edit);
        // The chain itself is intact: only the deep check sees it.
        let (plain_ok, plain) = verify(&shop, &[]);
        assert!(plain_ok, "{what}: {plain}");
        let text = fails_naming(&shop, &["--deep"], names);
        assert!(text.contains("disagree"), "{what}: {text}");
    }
}

#[test]
fn the_deep_check_is_for_supervisors() {
    let shop = shop();
    shop.arq("ana", "2026-03-02")
        .args(["audit", "verify", "--deep"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("only supervisors and admins"));
}

/// `arq run` on 2026-03-03, which must fail: what it said.
fn refused_run(shop: &Shop) -> String {
    let out = shop
        .arq("admin", "2026-03-03")
        .arg("run")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes 4 KB of garbage over the start of `table`'s root page.
fn damage(path: &Path, table: &str) {
    use std::io::{Seek, SeekFrom, Write};
    let (root, page): (i64, i64) = Connection::open(path)
        .and_then(|c| {
            Ok((
                c.query_row(
                    "SELECT rootpage FROM sqlite_master WHERE name = ?1",
                    [table],
                    |r| r.get(0),
                )?,
                c.query_row("PRAGMA page_size", [], |r| r.get(0))?,
            ))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{e}"));
    f.seek(SeekFrom::Start(((root - 1) * page) as u64))
        .unwrap_or_else(|e| panic!("{e}"));
    f.write_all(&[0xA5; 4096]).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_damaged_file_fails_the_check_and_the_run_refuses_it() {
    let shop = shop();
    // Put everything in the main file, then break 4 KB of it.
    sql(&shop, "PRAGMA wal_checkpoint(TRUNCATE);");
    damage(&shop.db, "events");
    let (ok, text) = verify(&shop, &[]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("integrity") || text.contains("malformed"),
        "{text}"
    );
    let err = refused_run(&shop);
    assert!(
        err.contains("damaged") || err.contains("malformed"),
        "{err}"
    );
}

/// The run checks the file beside its close: damage in a table the close does not
/// read (the supervisors' objectives) is still found, and nothing of the close is kept.
#[test]
fn damage_the_run_does_not_read_is_found_before_its_close_is_kept() {
    let shop = shop();
    sql(&shop, "PRAGMA wal_checkpoint(TRUNCATE);");
    damage(&shop.db, "objectives");
    let err = refused_run(&shop);
    assert!(err.contains("is damaged"), "{err}");
    let runs: i64 = Connection::open(&shop.db)
        .and_then(|c| {
            c.query_row(
                "SELECT count(*) FROM runs WHERE as_of = '2026-03-03'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs, 0, "the close of a damaged file was kept");
}

#[test]
fn the_run_refuses_a_record_cut_behind_its_last_anchor() {
    let shop = shop();
    let head = max_seq(&shop);
    sql(
        &shop,
        &format!(
            "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq > {};",
            head - 2
        ),
    );
    shop.arq("admin", "2026-03-03")
        .arg("run")
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!(
            "no longer matches its latest anchor (event {head}"
        )));
}

#[test]
fn a_missing_key_stops_writes_and_is_reported() {
    let shop = shop();
    let key = format!("{}.key", shop.db.display());
    std::fs::rename(&key, format!("{key}.away")).unwrap_or_else(|e| panic!("{e}"));
    shop.arq("ana", "2026-03-02")
        .args(["log", "note", "C1", "hello"])
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("audit key").and(predicates::str::contains("is missing")),
        );
    fails_naming(&shop, &[], &["audit key", "is missing"]);
    // Reading still works.
    shop.arq("ana", "2026-03-02")
        .args(["account", "show", "C1"])
        .assert()
        .success();
}

#[test]
fn an_empty_or_foreign_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap_or_else(|e| panic!("{e}"));
    let foreign = dir.path().join("other.db");
    {
        let c = Connection::open(&foreign).unwrap_or_else(|e| panic!("{e}"));
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for (path, why) in [(&empty, "0 bytes"), (&foreign, "no arq tables")] {
        let before = std::fs::read(path).unwrap_or_default();
        let mut cmd = assert_cmd::Command::cargo_bin("arq").unwrap_or_else(|e| panic!("{e}"));
        cmd.env("XDG_CONFIG_HOME", dir.path().join("c"))
            .env("XDG_DATA_HOME", dir.path().join("d"))
            .args(["--db", &path.display().to_string(), "--user", "x", "queue"])
            .assert()
            .failure()
            .stderr(predicates::str::contains("is not an arq database"))
            .stderr(predicates::str::contains(why))
            .stderr(predicates::str::contains("left exactly as it was"));
        assert_eq!(std::fs::read(path).unwrap_or_default(), before, "{path:?}");
        assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    }
    let mode: String = Connection::open(&foreign)
        .and_then(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
        .unwrap_or_default();
    assert_eq!(mode, "delete");
}

#[test]
fn a_role_change_is_recorded_with_who_made_it_and_add_never_changes_a_role() {
    let shop = shop();
    shop.arq("admin", "2026-03-02")
        .args(["user", "add", "ana", "--role", "admin"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "user ana already exists (a collector)",
        ))
        .stderr(predicates::str::contains("arq user role ana --role admin"));
    shop.arq("sam", "2026-03-02")
        .args(["user", "role", "ana", "--role", "supervisor"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("only admins can change roles"));
    shop.arq("admin", "2026-03-02")
        .args(["user", "role", "ana", "--role", "supervisor"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "ana is now a supervisor (was a collector)",
        ));
    shop.arq("admin", "2026-03-02")
        .args(["user", "role", "admin", "--role", "collector"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("only admin"));
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let (actor, data): (String, String) = c
        .query_row(
            "SELECT actor, data FROM events WHERE kind = 'role_changed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(actor, "admin");
    let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
    assert_eq!(v["from"], "collector");
    assert_eq!(v["to"], "supervisor");
    assert_eq!(v["by"], "admin");
    // The deep check follows the change.
    let (ok, text) = verify(&shop, &["--deep"]);
    assert!(ok, "{text}");
}

/// Turns the shop into what an arq without audit keys left: plain SHA-256 hashes, no
/// key, no anchors, and a customer whose collector no event explains.
fn make_legacy(shop: &Shop) {
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    c.execute_batch(
        "DROP TRIGGER events_no_update;
         DELETE FROM meta WHERE key IN ('db_id', 'keyed_from');
         INSERT INTO customers (id, name, owner, created_on) VALUES ('OLD', 'Old Customer', 'ben', '2025-01-01');",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let head = max_seq(shop);
    let mut prev = "0".repeat(64);
    for seq in 1..=head {
        let f = fields(&c, seq);
        let h = plain_hash(&prev, &f);
        c.execute(
            "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            params![seq, prev, h],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        prev = h;
    }
    c.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN SELECT RAISE(ABORT, 'the event record is append-only: events cannot be changed'); END;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for ext in ["key", "anchors"] {
        std::fs::remove_file(format!("{}.{ext}", shop.db.display()))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_database_from_before_keys_is_keyed_at_its_first_check_and_then_protected() {
    let shop = shop();
    make_legacy(&shop);
    let legacy_head = max_seq(&shop);
    // A collector's look changes nothing; a supervisor's check keys the database.
    let (ok, text) = {
        let out = shop
            .arq("ana", "2026-03-02")
            .args(["audit", "verify"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    assert!(ok && text.contains("(unkeyed)"), "{text}");
    assert!(!Path::new(&format!("{}.key", shop.db.display())).exists());
    let (ok, text) = verify(&shop, &["--deep"]);
    assert!(ok, "{text}");
    assert!(text.contains("had no audit key: it has one now"), "{text}");
    assert!(
        text.contains(&format!("keyed from event {}", legacy_head + 1)),
        "{text}"
    );
    // The collector OLD had is recorded as found.
    let c = Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let found: String = c
        .query_row(
            "SELECT detail FROM events WHERE kind = 'assigned' AND customer_id = 'OLD'",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        found,
        "assigned to ben (as found when the record was first keyed)"
    );
    drop(c);
    // New events are keyed: a forged plain-hash append is caught, and so is an edit
    // of an old event.
    shop.arq("ana", "2026-03-02")
        .args(["log", "note", "C1", "after keying"])
        .assert()
        .success();
    let (ok, text) = verify(&shop, &[]);
    assert!(ok, "{text}");
    sql(
        &shop,
        "DROP TRIGGER events_no_update; UPDATE events SET detail = 'changed' WHERE seq = 3;",
    );
    fails_naming(
        &shop,
        &[],
        &["broken at event 3", "changed after it was recorded"],
    );
}
