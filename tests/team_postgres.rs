//! Team mode on a real PostgreSQL server (DESIGN §4): `arq db copy` moves the small
//! demo to a server and back with every account and a verified record, and the
//! server itself keeps each collector to their own accounts and every role away
//! from changing the record (`psql` as the arq users' own roles).
//!
//! The server is the one `ARQ_TEST_PG` names (`.ci/run` starts a throwaway cluster,
//! see `scripts/pg-cluster.sh`); each test works in a database of its own. Without
//! the variable these tests say so and do nothing, unless `ARQ_TEST_PG_REQUIRED` is
//! set, as it is in CI.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

const DAY: &str = "2026-11-20";

/// Roles are the cluster's, not one database's: tests that create them go one at a time.
static ROLES: Mutex<()> = Mutex::new(());

/// A database of its own on the test server, dropped at the end.
struct Scratch {
    server: String,
    name: String,
}

impl Scratch {
    fn new(tag: &str) -> Option<Scratch> {
        let server = match std::env::var("ARQ_TEST_PG") {
            Ok(s) if !s.is_empty() => s,
            _ => {
                assert!(
                    std::env::var_os("ARQ_TEST_PG_REQUIRED").is_none(),
                    "ARQ_TEST_PG is not set, and these tests are required here"
                );
                eprintln!("ARQ_TEST_PG is not set: the PostgreSQL tests did nothing");
                return None;
            }
        };
        let name = format!("arq_{tag}_{}", std::process::id());
        psql(
            &server,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        psql(&server, &format!("CREATE DATABASE {name}"));
        Some(Scratch { server, name })
    }

    /// The database's URL, as `user`.
    fn url_as(&self, user: &str) -> String {
        let rest = self.server.split_once('@').map_or("", |(_, r)| r);
        let host = rest.rsplit_once('/').map_or(rest, |(h, _)| h);
        format!("postgres://{user}@{host}/{}", self.name)
    }

    fn owner_url(&self) -> String {
        let user = self
            .server
            .trim_start_matches("postgres://")
            .split(['@', ':'])
            .next()
            .unwrap_or("postgres")
            .to_string();
        self.url_as(&user)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = arq::store::pg::remove_shop(&self.server, &self.name);
    }
}

/// Runs `sql` through `psql` at `url`; panics when it fails.
fn psql(url: &str, sql: &str) -> String {
    let out = psql_try(url, sql);
    match out {
        Ok(s) => s,
        Err(e) => panic!("psql {url}: {sql}: {e}"),
    }
}

/// Runs `sql` through `psql` at `url`: its output, or its error.
fn psql_try(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-XqAt", "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("psql: {e}"));
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn arq(shop: &common::Shop, db: &str, user: &str) -> assert_cmd::Command {
    shop.arq_at(db, user, DAY)
}

/// The next day's.
fn arq_next_day(shop: &common::Shop, db: &str, user: &str) -> assert_cmd::Command {
    shop.arq_at(db, user, "2026-11-21")
}

fn demo() -> common::Shop {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("demo.db");
    let shop = common::Shop { dir, db };
    shop.arq("admin", DAY)
        .args(["demo", "--no-tui", "--seed", "7"])
        .assert()
        .success();
    shop
}

/// The small demo, copied to `pg`'s database by its admin.
fn demo_on_server(pg: &Scratch) -> common::Shop {
    let shop = demo();
    arq(&shop, &shop.db.display().to_string(), "admin")
        .args(["db", "copy", "--to", &pg.owner_url()])
        .assert()
        .success();
    shop
}

fn account_json(shop: &common::Shop, db: &Path, id: &str) -> Value {
    let out = arq(shop, &db.display().to_string(), "admin")
        .args(["account", "show", id, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn customers(shop: &common::Shop) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let mut stmt = conn
        .prepare("SELECT id, COALESCE(owner, '') FROM customers ORDER BY id")
        .unwrap_or_else(|e| panic!("{e}"));
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or_else(|e| panic!("{e}"))
        .collect::<rusqlite::Result<_>>()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_shop_copied_to_a_server_and_back_shows_every_account_the_same_and_verifies() {
    let Some(pg) = Scratch::new("round_trip") else {
        return;
    };
    let _roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    let shop = demo();
    let file = shop.db.display().to_string();
    let server = pg.owner_url();

    let out = arq(&shop, &file, "admin")
        .args(["db", "copy", "--to", &server, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let there: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(there["tables"], 30);
    let events: i64 = psql(&server, "SELECT COUNT(*) FROM events")
        .parse()
        .unwrap_or_default();
    assert!(events > 1000, "{events} events on the server");
    assert_eq!(there["events"].as_i64(), Some(events));

    // A second copy into the same database is refused and changes nothing.
    arq(&shop, &file, "admin")
        .args(["db", "copy", "--to", &server])
        .assert()
        .failure()
        .stderr(predicates::str::contains("already holds an arq shop"));
    assert_eq!(
        psql(&server, "SELECT COUNT(*) FROM events")
            .parse::<i64>()
            .ok(),
        Some(events)
    );

    let back = shop.dir.path().join("back.db");
    let out = arq(&shop, &server, "admin")
        .args(["db", "copy", "--to", &back.display().to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Record head on the copy, verified"), "{said}");
    // The same copy as one CSV row with its header, into another new file.
    let csv_copy = shop.dir.path().join("csv.db");
    let out = arq(&shop, &server, "admin")
        .args([
            "db",
            "copy",
            "--to",
            &csv_copy.display().to_string(),
            "--format",
            "csv",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("from,to,tables,rows,events,head"),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains(",30,"), "{text}");
    // Never over an existing file.
    arq(&shop, &server, "admin")
        .args(["db", "copy", "--to", &back.display().to_string()])
        .assert()
        .failure()
        .stderr(predicates::str::contains("exists"));

    arq(&shop, &back.display().to_string(), "admin")
        .args(["audit", "verify"])
        .assert()
        .success();
    let all = customers(&shop);
    assert!(all.len() >= 300, "{} customers", all.len());
    for (id, _) in &all {
        assert_eq!(
            account_json(&shop, &shop.db, id),
            account_json(&shop, &back, id),
            "account {id}"
        );
    }
}

#[test]
fn the_server_keeps_each_collector_to_their_accounts_and_the_record_unchanged() {
    let Some(pg) = Scratch::new("rls") else {
        return;
    };
    let _roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    let shop = demo_on_server(&pg);
    let owner = pg.owner_url();
    let all = customers(&shop);
    let of = |who: &str| all.iter().filter(|(_, o)| o == who).count();
    let bens = all
        .iter()
        .find(|(_, o)| o == "ben")
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("ben has no accounts"));

    // ana sees her own accounts, and only what hangs off them.
    let ana = pg.url_as("ana");
    assert_eq!(
        psql(&ana, "SELECT COUNT(*) FROM customers"),
        of("ana").to_string()
    );
    assert_eq!(
        psql(
            &ana,
            &format!("SELECT COUNT(*) FROM customers WHERE id = '{bens}'")
        ),
        "0"
    );
    for table in ["invoices", "events", "calls", "tasks", "promises"] {
        assert_eq!(
            psql(
                &ana,
                &format!("SELECT COUNT(*) FROM {table} WHERE customer_id = '{bens}'")
            ),
            "0",
            "{table}"
        );
    }
    // Her change to ben's account changes nothing; her new row on it is refused.
    let name = psql(
        &owner,
        &format!("SELECT name FROM customers WHERE id = '{bens}'"),
    );
    assert_eq!(
        psql(
            &ana,
            &format!("UPDATE customers SET name = 'taken' WHERE id = '{bens}' RETURNING id")
        ),
        ""
    );
    assert_eq!(
        psql(
            &owner,
            &format!("SELECT name FROM customers WHERE id = '{bens}'")
        ),
        name
    );
    let refused = psql_try(
        &ana,
        &format!(
            "INSERT INTO calls (customer_id, on_date, at, by, outcome) VALUES ('{bens}', '{DAY}', now(), 'ana', 'reached')"
        ),
    );
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("row-level security")),
        "{refused:?}"
    );
    // An event she writes on her own account says she wrote it.
    let forged = psql_try(
        &ana,
        &format!(
            "INSERT INTO events (seq, at, on_date, kind, actor, customer_id, detail, data, prev_hash, hash)
             VALUES (999999, now(), '{DAY}', 'call', 'sam', (SELECT id FROM customers LIMIT 1), 'x', '{{}}', 'x', 'x')"
        ),
    );
    assert!(
        forged
            .as_ref()
            .is_err_and(|e| e.contains("row-level security")),
        "{forged:?}"
    );
    // Nor may she move one of her accounts to ben.
    let hers = all
        .iter()
        .find(|(_, o)| o == "ana")
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    assert!(
        psql_try(
            &ana,
            &format!("UPDATE customers SET owner = 'ben' WHERE id = '{hers}'")
        )
        .is_err()
    );
    // A supervisor reaches every account.
    assert_eq!(
        psql(&pg.url_as("sam"), "SELECT COUNT(*) FROM customers"),
        all.len().to_string()
    );
    // Nobody of arq's changes or removes an event; the server's record is as copied.
    let events = psql(&owner, "SELECT COUNT(*) FROM events");
    for who in ["ana", "sam", "admin"] {
        let url = pg.url_as(who);
        for sql in [
            "UPDATE events SET detail = 'rewritten' WHERE seq = 1",
            "DELETE FROM events WHERE seq = 1",
        ] {
            let r = psql_try(&url, sql);
            assert!(
                r.as_ref().is_err_and(|e| e.contains("permission denied")),
                "{who}: {sql}: {r:?}"
            );
        }
    }
    assert_eq!(psql(&owner, "SELECT COUNT(*) FROM events"), events);
    // The audit key stays with the owner.
    assert!(psql_try(&pg.url_as("admin"), "SELECT COUNT(*) FROM arq_files").is_err());
}

#[test]
fn collectors_and_a_supervisor_work_one_shop_on_the_server_as_their_own_roles() {
    let Some(pg) = Scratch::new("team") else {
        return;
    };
    let _roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    let shop = demo_on_server(&pg);
    let all = customers(&shop);
    let hers = |who: &str| {
        all.iter()
            .find(|(_, o)| o == who)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("{who} has no accounts"))
    };
    let (anas, bens) = (hers("ana"), hers("ben"));
    let (ana, ben, sam) = (pg.url_as("ana"), pg.url_as("ben"), pg.url_as("sam"));

    // Each collector logs on their own account, connected as their own role; the
    // record's head may be another collector's event, which neither can read.
    arq(&shop, &ben, "ben")
        .args(["log", "call", &bens, "--outcome", "voicemail"])
        .assert()
        .success();
    arq(&shop, &ana, "ana")
        .args([
            "log",
            "call",
            &anas,
            "--outcome",
            "reached",
            "--note",
            "will pay friday",
        ])
        .assert()
        .success();
    arq(&shop, &ana, "ana")
        .args([
            "log",
            "promise",
            &anas,
            "--amount",
            "100",
            "--date",
            "2026-11-27",
        ])
        .assert()
        .success();
    // Her role works as her and no other user.
    arq(&shop, &ana, "sam")
        .args(["queue"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "you are connected to the server as ana",
        ));
    // ana cannot reach ben's account: for her it does not exist.
    arq(&shop, &ana, "ana")
        .args(["log", "call", &bens, "--outcome", "reached"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!("no customer '{bens}'")));
    // The supervisor sees both calls; the daily run closes the day on the server.
    let a = arq(&shop, &sam, "sam")
        .args(["account", "show", &anas, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let a: Value = serde_json::from_slice(&a.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(a["events"].to_string().contains("will pay friday"), "{a}");
    let data = shop.dir.path().join("sam-data");
    arq_next_day(&shop, &sam, "sam")
        .env("XDG_DATA_HOME", &data)
        .args(["run"])
        .assert()
        .success();
    assert!(
        std::fs::read_dir(data.join("arq").join("outbox")).is_ok_and(|d| d.count() > 0),
        "the run's reminders were written to the supervisor's data dir"
    );
    // Every event chains, whoever wrote it.
    arq_next_day(&shop, &pg.owner_url(), "admin")
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicates::str::contains("the chain is intact"));

    // A new collector: a login role with the password the admin gave through the
    // environment; what she may reach follows the accounts assigned to her.
    arq(&shop, &pg.owner_url(), "admin")
        .env("ARQ_USER_PASSWORD", "s3cret'$arq$pw")
        .args(["user", "add", "dora", "--role", "collector"])
        .assert()
        .success();
    let dora = pg.url_as("dora");
    assert_eq!(psql(&dora, "SELECT COUNT(*) FROM customers"), "0");
    arq(&shop, &sam, "sam")
        .args(["assign", &bens, "--to", "dora"])
        .assert()
        .success();
    assert_eq!(psql(&dora, "SELECT COUNT(*) FROM customers"), "1");
    assert_eq!(
        psql(
            &pg.owner_url(),
            "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'dora'"
        ),
        "t"
    );
    arq(&shop, &pg.owner_url(), "admin")
        .args(["user", "role", "dora", "--role", "supervisor"])
        .assert()
        .success();
    assert_eq!(
        psql(&dora, "SELECT COUNT(*) FROM customers"),
        all.len().to_string()
    );
}

#[test]
fn sixteen_collectors_logging_at_once_while_the_run_goes_lose_nothing() {
    let Some(pg) = Scratch::new("busy") else {
        return;
    };
    let _roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    let shop = demo_on_server(&pg);
    let owner = pg.owner_url();
    let calls_before: i64 = psql(&owner, "SELECT COUNT(*) FROM calls")
        .parse()
        .unwrap_or_default();
    let all = customers(&shop);
    // Sixteen calls on sixteen accounts, each logged by the account's collector as
    // their own role, all started at once beside the supervisor's daily run.
    let picks: Vec<(String, String)> = ["ana", "ben", "cleo"]
        .iter()
        .flat_map(|who| all.iter().filter(move |(_, o)| o == who).take(6))
        .take(16)
        .cloned()
        .collect();
    assert_eq!(picks.len(), 16);
    let bin = assert_cmd::cargo::cargo_bin("arq");
    let spawn = |user: &str, args: &[&str]| {
        Command::new(&bin)
            .env_remove("ARQ_DB")
            .env_remove("ARQ_USER")
            .env_remove("ARQ_CONFIG")
            .env_remove("ARQ_AS_OF")
            .env("XDG_CONFIG_HOME", shop.dir.path().join("config"))
            .env("XDG_DATA_HOME", shop.dir.path().join("data"))
            .args([
                "--db",
                &pg.url_as(user),
                "--user",
                user,
                "--as-of",
                "2026-11-21",
            ])
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let mut children = vec![("the run".to_string(), spawn("sam", &["run"]))];
    for (i, (id, owner)) in picks.iter().enumerate() {
        let note = format!("busy call {i}");
        children.push((
            format!("{owner} on {id}"),
            spawn(
                owner,
                &["log", "call", id, "--outcome", "reached", "--note", &note],
            ),
        ));
    }
    for (what, child) in children {
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        psql(&owner, "SELECT COUNT(*) FROM calls")
            .parse::<i64>()
            .ok(),
        Some(calls_before + 16)
    );
    assert_eq!(
        psql(
            &owner,
            "SELECT COUNT(*) FROM calls WHERE note LIKE 'busy call %'"
        ),
        "16"
    );
    assert_eq!(
        psql(
            &owner,
            "SELECT COUNT(*) FROM runs WHERE as_of = '2026-11-21'"
        ),
        "1"
    );
    arq_next_day(&shop, &owner, "admin")
        .args(["audit", "verify"])
        .assert()
        .success();
}

#[test]
fn a_server_on_the_network_is_reached_over_tls_it_can_prove() {
    let Some(pg) = Scratch::new("tls") else {
        return;
    };
    let Some(ca) = std::env::var_os("PGSSLROOTCERT") else {
        assert!(
            std::env::var_os("ARQ_TEST_PG_REQUIRED").is_none(),
            "PGSSLROOTCERT names the test cluster's certificate in CI"
        );
        eprintln!("PGSSLROOTCERT is not set: the TLS test did nothing");
        return;
    };
    let shop = common::Shop {
        db: std::path::PathBuf::new(),
        dir: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
    };
    let url = format!("{}?sslmode=require", pg.owner_url());
    // Without the shop's CA the server's certificate proves nothing: refused.
    arq(&shop, &url, "admin")
        .env_remove("PGSSLROOTCERT")
        .arg("init")
        .assert()
        .failure()
        .stderr(predicates::str::contains("cannot connect"));
    // With it, the connection is TLS (sslmode=require) and the shop is made.
    arq(&shop, &url, "admin")
        .env("PGSSLROOTCERT", &ca)
        .arg("init")
        .assert()
        .success();
    arq(&shop, &url, "admin")
        .env("PGSSLROOTCERT", &ca)
        .args(["audit", "verify"])
        .assert()
        .success();
}

#[test]
fn two_shops_on_one_cluster_keep_their_people_apart() {
    let (Some(a), Some(b)) = (Scratch::new("shop_a"), Scratch::new("shop_b")) else {
        return;
    };
    let _roles = ROLES.lock().unwrap_or_else(|e| e.into_inner());
    let shop = demo_on_server(&a);
    // Shop B starts empty, with its own admin only.
    arq(&shop, &b.owner_url(), "admin")
        .arg("init")
        .assert()
        .success();
    // Yuri administers shop A.
    arq(&shop, &a.owner_url(), "admin")
        .env("ARQ_USER_PASSWORD", "yuri-pw")
        .args(["user", "add", "yuri", "--role", "admin"])
        .assert()
        .success();
    let customers_a = psql(&a.owner_url(), "SELECT COUNT(*) FROM customers");
    assert_eq!(
        psql(&a.url_as("yuri"), "SELECT COUNT(*) FROM customers"),
        customers_a
    );
    // In shop B he is nobody: the server does not let him in, nor ana and sam, who
    // work in shop A only.
    for who in ["yuri", "ana", "sam"] {
        let err = psql_try(&b.url_as(who), "SELECT COUNT(*) FROM customers")
            .expect_err("a user of shop A connected to shop B");
        assert!(
            err.contains("permission denied for database"),
            "{who}: {err}"
        );
    }
    // Each shop's groups are its own.
    let groups = |pg: &Scratch| {
        psql(
            &pg.owner_url(),
            "SELECT string_agg(name, ',' ORDER BY role) FROM arq_groups",
        )
    };
    assert_eq!(
        groups(&a),
        format!("{0}_arq_admin,{0}_arq_collector,{0}_arq_supervisor", a.name)
    );
    assert_eq!(
        groups(&b),
        format!("{0}_arq_admin,{0}_arq_collector,{0}_arq_supervisor", b.name)
    );
    // Added to shop B as a collector, yuri is a collector there and an admin in A.
    arq(&shop, &b.owner_url(), "admin")
        .args(["user", "add", "yuri", "--role", "collector"])
        .assert()
        .success();
    assert_eq!(
        psql(&b.url_as("yuri"), "SELECT COUNT(*) FROM customers"),
        "0"
    );
    assert_eq!(
        psql(&a.url_as("yuri"), "SELECT COUNT(*) FROM customers"),
        customers_a
    );
}
