//! Files nobody else should read, screens nothing can hijack: what arq creates is
//! 0600/0700 under the usual umask (0660/0770 for a shared group), text from outside
//! reaches a terminal with its control characters shown, a closed pipe ends arq
//! quietly, and an invalid config.toml is refused by every command alike.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Shop;

const DAY: &str = "2026-03-02";

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The binary run through `sh` with umask 022, as from a usual login.
fn arq_022(dir: &Path, args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022; exec '{}' {args}",
            assert_cmd::cargo::cargo_bin("arq").display()
        ))
        .env_remove("ARQ_DB")
        .env_remove("ARQ_CONFIG")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("ARQ_USER", "admin")
        .env("ARQ_AS_OF", DAY)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(unix)]
#[test]
fn what_arq_creates_is_private_under_umask_022() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = arq_022(dir.path(), "init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = dir.path().join("data").join("arq");
    let db = data.join("arq.db");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&data.join("arq.db.key")), 0o600);
    assert_eq!(mode(&data.join("arq.db.anchors")), 0o600);
    // SQLite makes -wal and -shm with the database's mode while it is open.
    let c = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE scratch (x); DROP TABLE scratch;")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode(&data.join("arq.db-wal")), 0o600);
    assert_eq!(mode(&data.join("arq.db-shm")), 0o600);
    drop(c);

    // Outbox mail written by the run: private files in a private folder.
    let shop_dir = dir.path().join("shop");
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-01-02", "2026-02-01", "900.00");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022; exec '{}' --db '{}' --user admin --as-of {DAY} run",
            assert_cmd::cargo::cargo_bin("arq").display(),
            shop.db.display()
        ))
        .env("XDG_CONFIG_HOME", shop_dir.join("config"))
        .env("XDG_DATA_HOME", shop_dir.join("data"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outbox = shop.dir.path().join("outbox");
    assert_eq!(mode(&outbox), 0o700);
    let emls: Vec<_> = std::fs::read_dir(&outbox)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(
        emls.iter()
            .any(|p| p.extension().is_some_and(|e| e == "eml")),
        "{emls:?}"
    );
    for p in emls.iter().filter(|p| p.is_file()) {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }
}

#[cfg(unix)]
#[test]
fn a_shared_group_setting_makes_files_0660_and_dirs_0770() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("config").join("arq");
    std::fs::create_dir_all(&cfg).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(cfg.join("config.toml"), "[files]\nsharing = \"group\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = arq_022(dir.path(), "init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = dir.path().join("data").join("arq");
    assert_eq!(mode(&data), 0o770);
    assert_eq!(mode(&data.join("arq.db")), 0o660);
    assert_eq!(mode(&data.join("arq.db.key")), 0o660);
    let backup = dir.path().join("b.db");
    let out = arq_022(dir.path(), &format!("backup '{}'", backup.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&backup), 0o660);
}

#[cfg(unix)]
#[test]
fn a_world_readable_database_from_before_is_closed_to_others_on_open() {
    use std::os::unix::fs::PermissionsExt;
    let shop = Shop::new("2026-01-01");
    std::fs::set_permissions(&shop.db, std::fs::Permissions::from_mode(0o644))
        .unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", DAY).args(["queue"]).assert().success();
    assert_eq!(mode(&shop.db), 0o640);
}

#[test]
fn a_note_with_escape_sequences_is_shown_not_obeyed() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    let note = "paid\u{1b}]0;owned\u{7}\u{1b}[2J in full\u{9b}31m";
    shop.arq("ana", DAY)
        .args(["log", "note", "C1", note])
        .assert()
        .success();
    for args in [
        vec!["account", "show", "C1"],
        vec!["account", "show", "C1", "--format", "json"],
    ] {
        let out = shop
            .arq("ana", DAY)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success());
        for c in text.chars() {
            assert!(
                c == '\n' || !arq::display::is_control(c),
                "{args:?}: a live {c:?} in {text:?}"
            );
        }
        if args.contains(&"json") {
            // JSON keeps the note exactly.
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let details: Vec<&str> = v["events"]
                .as_array()
                .map(|a| a.iter().filter_map(|e| e["detail"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                details.contains(&format!("note: {note}").as_str()),
                "{details:?}"
            );
        } else {
            assert!(text.contains("paid␛]0;owned␇␛[2J in full"), "{text}");
        }
    }
    // An id with control characters is refused, and the error shows it safely.
    let out = shop
        .arq("ana", DAY)
        .args(["account", "show", "C1\u{1b}[2J"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("C1␛[2J") && !err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    let mut s = shop.session("ana", DAY);
    for i in 0..600 {
        s.log_note(
            "C1",
            &format!("note number {i}: {}", "many words ".repeat(20)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("arq"))
        .env("XDG_CONFIG_HOME", shop.dir.path().join("config"))
        .env("XDG_DATA_HOME", shop.dir.path().join("data"))
        .args([
            "--db",
            &shop.db.display().to_string(),
            "--user",
            "ana",
            "--as-of",
            DAY,
        ])
        .args(["account", "show", "C1", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = [0u8; 10];
    child
        .stdout
        .take()
        .map(|mut o| o.read_exact(&mut first))
        .unwrap_or_else(|| panic!("no stdout"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A config file every command refuses, with the same message; and `[keys]` entries
/// the terminal app refuses, which every other command names as a warning and goes
/// on (a nightly `arq run` must not stop over a key of the app), at the line that
/// holds the entry — `call = "p"` clashes with the default key of promise, which is
/// in no line of the file.
#[test]
fn an_invalid_config_is_named_by_every_command_with_the_same_message() {
    let shop = Shop::new("2026-01-01");
    std::fs::create_dir_all(shop.config_path().parent().unwrap_or(&shop.db))
        .unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        (
            "[ui]\ntheme = 'neon'\n",
            "config.toml:2:9: [ui] theme: 'neon' is not a theme",
            true,
        ),
        (
            "[keys]\nfrobnicate = \"x\"\n",
            "config.toml:2:1: config [keys]: 'frobnicate' is not an action",
            false,
        ),
        (
            "[keys]\ncall = \"x\"\npromise = \"x\"\n",
            "config.toml:3:1: config [keys]: 'x' would do both call and promise on the same screen",
            false,
        ),
        (
            "# keys\n[keys]\ncall = \"p\"\n",
            "config.toml:3:1: config [keys]: 'p' would do both",
            false,
        ),
        ("[colours]\nx = 1\n", "unknown field `colours`", true),
    ];
    for (config, want, refused) in cases {
        std::fs::write(shop.config_path(), config).unwrap_or_else(|e| panic!("{e}"));
        let mut seen = None;
        for args in [
            vec!["queue"],
            vec!["holds"],
            vec!["strategy", "list"],
            vec!["audit", "verify"],
            vec!["outbox", "list"],
            vec!["run", "--dry-run"],
            vec!["report", "aging"],
        ] {
            let out = shop
                .arq("admin", DAY)
                .args(&args)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            assert_eq!(
                !out.status.success(),
                refused,
                "{args:?} on {config:?}: {err}"
            );
            assert!(err.contains(want), "{args:?}: {err}");
            // Refused: the whole message; warned: the warning's line (the command's
            // own output follows it).
            let message = if refused {
                err.clone()
            } else {
                assert!(err.starts_with("warning: "), "{args:?}: {err}");
                err.lines().next().unwrap_or_default().to_string()
            };
            if let Some(first) = &seen {
                assert_eq!(&message, first, "{args:?}");
            }
            seen = Some(message);
        }
    }
}
