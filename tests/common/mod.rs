//! A small shop on a real temporary database, for tests of the services and the
//! binary. Data goes in through the same store functions the import uses.

#![allow(dead_code)]

use std::path::PathBuf;

use arq::config::Config;
use arq::domain::dates::parse_iso;
use arq::domain::{Customer, EventKind, Money, Role};
use arq::service::{Session, noon_utc, setup};
use arq::store::Store;
use arq::store::ledger::{self, InvoiceRow, PaymentRow};
use chrono::NaiveDate;

pub fn d(s: &str) -> NaiveDate {
    parse_iso(s).unwrap_or_else(|e| panic!("{e}"))
}

pub fn m(s: &str) -> Money {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Where a new shop lives: a file in the test's directory, or, when
/// `ARQ_TEST_BACKEND=postgres`, a new database of its own on the server `ARQ_TEST_PG`
/// names (the same test body on the other backend; `.ci/run` runs the backend-neutral
/// tests both ways).
pub fn place(dir: &tempfile::TempDir) -> PathBuf {
    static SHOPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if std::env::var("ARQ_TEST_BACKEND").as_deref() != Ok("postgres") {
        return dir.path().join("shop.db");
    }
    let server = std::env::var("ARQ_TEST_PG")
        .unwrap_or_else(|_| panic!("ARQ_TEST_BACKEND=postgres needs ARQ_TEST_PG"));
    let name = format!(
        "arq_it_{}_{}",
        std::process::id(),
        SHOPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let mut admin =
        postgres::Client::connect(&server, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    PathBuf::from(format!("{base}/{name}"))
}

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

/// A shop on the server goes when its test ends, as its directory does (hundreds of
/// left-over databases filled a CI disk).
impl Drop for Shop {
    fn drop(&mut self) {
        forget(&self.db);
    }
}

/// Removes a shop [`place`] put on the server (a file goes with its directory).
pub fn forget(db: &std::path::Path) {
    let url = db.to_string_lossy().into_owned();
    let (Ok(server), Some((_, name))) = (std::env::var("ARQ_TEST_PG"), url.rsplit_once('/')) else {
        return;
    };
    if arq::store::pg::is_url(&url) {
        let _ = arq::store::pg::remove_shop(&server, name);
    }
}

/// Where a test's own shop lives ([`place`]), removed from the server when dropped.
pub struct Place {
    pub path: PathBuf,
}

impl Place {
    pub fn new(dir: &tempfile::TempDir) -> Place {
        Place { path: place(dir) }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        forget(&self.path);
    }
}

impl Shop {
    /// A database created on `start` by `admin`, with collectors ana and ben and
    /// supervisor sam.
    pub fn new(start: &str) -> Shop {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = place(&dir);
        let mut s = setup::init(
            &db,
            "USD",
            "admin",
            d(start),
            noon_utc(d(start)),
            Config::default(),
        )
        .unwrap_or_else(|e| panic!("init: {e}"));
        for (u, r) in [
            ("ana", Role::Collector),
            ("ben", Role::Collector),
            ("sam", Role::Supervisor),
        ] {
            s.add_user(u, r).unwrap_or_else(|e| panic!("{e}"));
        }
        Shop { dir, db }
    }

    pub fn session(&self, user: &str, as_of: &str) -> Session {
        let store = Store::open(&self.db).unwrap_or_else(|e| panic!("{e}"));
        Session::open(store, user, d(as_of), noon_utc(d(as_of)), Config::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A customer owned by `owner`, with an email address.
    pub fn customer(&self, id: &str, owner: &str) {
        let mut c = Customer::named(id, &format!("{id} Trading Co"));
        c.owner = Some(owner.to_string());
        c.email = Some(format!("ap@{}.example", id.to_ascii_lowercase()));
        self.put_customer(&c);
    }

    /// Stores a customer as an import does: with an `assigned` event when it has
    /// an owner.
    pub fn put_customer(&self, c: &Customer) {
        let mut s = self.session("admin", "2026-01-01");
        s.write(|tx| {
            arq::store::customers::insert(tx.conn, c, d("2026-01-01"))?;
            if let Some(o) = &c.owner {
                tx.event(
                    EventKind::Assigned,
                    Some(&c.id),
                    format!("assigned to {o}"),
                    serde_json::json!({"to": o, "from": null}),
                )?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn invoice(&self, no: &str, customer: &str, issue: &str, due: &str, amount: &str) {
        let mut s = self.session("admin", issue);
        let row = InvoiceRow {
            invoice_no: no.into(),
            customer_id: customer.into(),
            issue_date: d(issue),
            due_date: d(due),
            amount: m(amount),
            balance: m(amount),
        };
        s.write(|tx| Ok(ledger::insert_invoice(tx.conn, &row)?))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn payment(
        &self,
        id: &str,
        customer: &str,
        date: &str,
        amount: &str,
        invoice: Option<&str>,
    ) {
        let mut s = self.session("admin", date);
        let row = PaymentRow {
            payment_id: id.into(),
            customer_id: customer.into(),
            date: d(date),
            amount: m(amount),
            invoice_no: invoice.map(str::to_string),
            source: "test".into(),
        };
        s.write(|tx| {
            ledger::record_payment(tx.conn, &row)?;
            tx.event(
                EventKind::Payment,
                Some(customer),
                format!("payment {id}"),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The real binary, pointed at this shop as `user` on `as_of`.
    pub fn arq(&self, user: &str, as_of: &str) -> assert_cmd::Command {
        self.arq_at(&self.db.display().to_string(), user, as_of)
    }

    /// The real binary with this shop's config and data directories, pointed at `db`
    /// (another file, or a server's URL).
    pub fn arq_at(&self, db: &str, user: &str, as_of: &str) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("arq").unwrap_or_else(|e| panic!("{e}"));
        cmd.env_remove("ARQ_DB")
            .env_remove("ARQ_USER")
            .env_remove("ARQ_CONFIG")
            .env_remove("ARQ_AS_OF");
        cmd.env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"));
        cmd.args(["--db", db, "--user", user, "--as-of", as_of]);
        cmd
    }

    /// Runs the binary and parses its JSON output.
    pub fn json(&self, user: &str, as_of: &str, args: &[&str]) -> serde_json::Value {
        let out = self
            .arq(user, as_of)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "arq {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Counts rows in a table.
    pub fn count(&self, table: &str) -> i64 {
        let store = Store::open(&self.db).unwrap_or_else(|e| panic!("{e}"));
        store
            .conn()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Shop {
    /// A digest of every row of every table: equal before and after means nothing
    /// was written.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.db)
    }

    /// A session with a config of the test's own (mail transports, shop details).
    pub fn session_with(&self, user: &str, as_of: &str, config: Config) -> Session {
        let store = Store::open(&self.db).unwrap_or_else(|e| panic!("{e}"));
        Session::open(store, user, d(as_of), noon_utc(d(as_of)), config)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Where the binary (`Shop::arq`) reads its config file.
    pub fn config_path(&self) -> PathBuf {
        self.dir
            .path()
            .join("config")
            .join("arq")
            .join("config.toml")
    }

    /// Where the binary's data directory is.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data").join("arq")
    }
}

/// A digest of every row of every table (of a file, or of a database on a server).
pub fn fingerprint(db: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let url = db.display().to_string();
    if arq::store::pg::is_url(&url) {
        return server_fingerprint(&url);
    }
    let c = rusqlite::Connection::open(db).unwrap_or_else(|e| panic!("{e}"));
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut h = Sha256::new();
    for t in tables {
        let mut stmt = c
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .unwrap_or_else(|e| panic!("{e}"));
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap_or_else(|e| panic!("{e}"));
        h.update(t.as_bytes());
        while let Some(r) = rows.next().unwrap_or_else(|e| panic!("{e}")) {
            for i in 0..n {
                let v: rusqlite::types::Value = r.get(i).unwrap_or(rusqlite::types::Value::Null);
                h.update(format!("{v:?}|").as_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn server_fingerprint(url: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut c = arq::store::pg::connect(url).unwrap_or_else(|e| panic!("{e}"));
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut h = Sha256::new();
    for t in tables {
        let rows: String = c
            .query_one(
                &format!(
                    "SELECT COALESCE(string_agg(x::text, E'\\n' ORDER BY x::text), '') FROM \"{t}\" AS x"
                ),
                &[],
            )
            .unwrap_or_else(|e| panic!("{t}: {e}"))
            .get(0);
        h.update(t.as_bytes());
        h.update(rows.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
