//! `arq backup` while eight processes write: the copy is consistent and its keyed
//! chain verifies; `arq restore` of it gives the same `account show` for every
//! account as the copy itself, and the record carries on from there.

mod common;

use std::process::{Command, Stdio};

use arq::store::events::{self, Keys};
use arq::store::key::{AuditKey, key_path};
use common::Shop;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

const DAY: &str = "2026-03-02";
const ACCOUNTS: usize = 8;

fn arq_bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("arq")
}

fn shop() -> Shop {
    let shop = Shop::new("2026-01-01");
    for i in 0..ACCOUNTS {
        let id = format!("C{i}");
        shop.customer(&id, if i % 2 == 0 { "ana" } else { "ben" });
        shop.invoice(
            &format!("INV-{i}"),
            &id,
            "2026-01-02",
            "2026-02-01",
            "500.00",
        );
    }
    shop
}

fn base(shop: &Shop, db: &std::path::Path, user: &str) -> Command {
    let mut c = Command::new(arq_bin());
    c.env_remove("ARQ_DB")
        .env_remove("ARQ_USER")
        .env_remove("ARQ_CONFIG")
        .env_remove("ARQ_AS_OF")
        .env("XDG_CONFIG_HOME", shop.dir.path().join("config"))
        .env("XDG_DATA_HOME", shop.dir.path().join("data"))
        .args([
            "--db",
            &db.display().to_string(),
            "--user",
            user,
            "--as-of",
            DAY,
        ]);
    c
}

fn accounts(shop: &Shop, db: &std::path::Path) -> Vec<Value> {
    (0..ACCOUNTS)
        .map(|i| {
            let out = base(shop, db, "admin")
                .args(["account", "show", &format!("C{i}"), "--format", "json"])
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

#[test]
fn a_backup_taken_while_eight_processes_write_verifies_and_restores_exactly() {
    let shop = shop();
    let db = shop.db.clone();
    // Eight writers: calls, notes and promises on their own accounts, as fast as they can.
    let writers: Vec<std::process::Child> = (0..8)
        .map(|w| {
            let user = if w % 2 == 0 { "ana" } else { "ben" };
            let script = format!(
                "for k in $(seq 1 12); do \
                   '{bin}' --db '{db}' --user {user} --as-of {DAY} log note C{w} \"note $k from writer {w}\" || exit 1; \
                   '{bin}' --db '{db}' --user {user} --as-of {DAY} log call C{w} --outcome voicemail || exit 1; \
                 done",
                bin = arq_bin().display(),
                db = db.display(),
            );
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .env("XDG_CONFIG_HOME", shop.dir.path().join("config"))
                .env("XDG_DATA_HOME", shop.dir.path().join("data"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let backup = shop.dir.path().join("backups").join("shop-copy.db");
    let out = base(&shop, &db, "admin")
        .args(["backup", &backup.display().to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("chain and anchors verified"), "{said}");
    for w in writers {
        let out = w.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The copy is one consistent moment: its keyed chain verifies with the live key.
    let key = AuditKey::load(&key_path(&db))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no key"));
    let copy = Connection::open_with_flags(&backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("{e}"));
    let v = events::verify(&copy, Keys::Key(&key)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.broken_at, None);
    let copy_head = v.head.clone().unwrap_or_default().0;
    let copy_notes: i64 = copy
        .query_row("SELECT COUNT(*) FROM events WHERE kind = 'note'", [], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    drop(copy);
    assert!(
        said.contains(&format!("Record head (anchored): {copy_head}:")),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.unwrap_or(0), 0o600);
    }
    let live_notes = shop.count("events WHERE kind = 'note'");
    assert_eq!(live_notes, 8 * 12);
    assert!(
        copy_notes < live_notes,
        "the backup should be taken mid-way"
    );

    // What the copy shows, read from a scratch copy of it.
    let scratch = shop.dir.path().join("scratch.db");
    std::fs::copy(&backup, &scratch).unwrap_or_else(|e| panic!("{e}"));
    let want = accounts(&shop, &scratch);

    let out = base(&shop, &db, "admin")
        .args(["restore", &backup.display().to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("events recorded after that backup are gone"),
        "{said}"
    );
    assert_eq!(accounts(&shop, &db), want);

    // The record carries on from the backup, and verifies, deep.
    let out = base(&shop, &db, "ana")
        .args(["log", "note", "C0", "after the restore"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = base(&shop, &db, "sam")
        .args(["audit", "verify", "--deep"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(shop.count("events WHERE kind = 'restored'"), 1);
}

#[test]
fn restore_refuses_a_copy_of_another_database_or_one_that_does_not_verify() {
    let shop = shop();
    let other = Shop::new("2026-01-01");
    let foreign = other.dir.path().join("other-backup.db");
    other
        .arq("admin", DAY)
        .args(["backup", &foreign.display().to_string()])
        .assert()
        .success();
    shop.arq("admin", DAY)
        .args(["restore", &foreign.display().to_string()])
        .assert()
        .failure()
        .stderr(predicates::str::contains("is a copy of another database"));

    let mine = shop.dir.path().join("mine.db");
    shop.arq("admin", DAY)
        .args(["backup", &mine.display().to_string()])
        .assert()
        .success();
    // Tamper with the backup: rewrite an event's text.
    let c = Connection::open(&mine).unwrap_or_else(|e| panic!("{e}"));
    c.execute_batch("DROP TRIGGER events_no_update; UPDATE events SET detail = 'x' WHERE seq = 3;")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(c);
    shop.arq("admin", DAY)
        .args(["restore", &mine.display().to_string()])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "event record is broken at event 3",
        ));
    // Collectors neither back up nor restore; supervisors back up only.
    shop.arq("ana", DAY)
        .args(["backup", "/tmp/never.db"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("only supervisors and admins"));
    shop.arq("sam", DAY)
        .args(["restore", &mine.display().to_string()])
        .assert()
        .failure()
        .stderr(predicates::str::contains("only admins"));
    // A backup never lands on something that is not a backup.
    let precious = shop.dir.path().join("notes.txt");
    std::fs::write(&precious, "keep me").unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", DAY)
        .args(["backup", &precious.display().to_string()])
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not an arq database"));
    assert_eq!(
        std::fs::read_to_string(&precious).unwrap_or_default(),
        "keep me"
    );
}
