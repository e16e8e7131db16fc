//! One body, two backends: the seam's statements and values on SQLite and on a real
//! PostgreSQL server (when `ARQ_TEST_PG` names one), against arq's own schemas.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Backend, Db, PgConn};
use crate::domain::{Money, Role};
use crate::store::{Store, pg, users};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a day")
}

/// A scratch database on the test server and a connection to it (`None` when no
/// server is named).
fn on_server(tag: &str) -> Option<(pg::Scratch, PgConn)> {
    let scratch = pg::Scratch::new(tag)?;
    let conn = PgConn::new(pg::connect(&scratch.url).expect("connect"));
    Some((scratch, conn))
}

/// What either backend must do alike.
fn scenario(db: Db<'_>) {
    let at = "2026-11-21T12:00:00.123456Z";
    users::insert(db, "ana", Role::Collector, at).expect("insert a user");
    users::insert(db, "sam", Role::Supervisor, at).expect("insert a user");
    users::set_role(db, "ana", Role::Supervisor).expect("a new role");
    let ana = users::get(db, "ana").expect("read").expect("ana");
    assert_eq!(ana.role, Role::Supervisor);
    assert!(users::get(db, "nobody").expect("read").is_none());
    let names: Vec<String> = users::list(db)
        .expect("list")
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["ana", "sam"]);
    // A moment comes back exactly as written.
    let created: String = db
        .query_row(
            "SELECT created_at FROM users WHERE name = ?1",
            ["ana"],
            |r| r.get(0),
        )
        .expect("created_at");
    assert_eq!(created, at);

    db.execute(
        "INSERT INTO customers (id, name, owner, created_on) VALUES (?1, ?2, ?3, ?4)",
        params!["C1", "Acme", "ana", day("2026-01-05")],
    )
    .expect("a customer");
    for (no, due, amount) in [
        ("I1", "2026-02-01", "100.10"),
        ("I2", "2026-03-01", "20.05"),
    ] {
        let amount: Money = amount.parse().expect("money");
        db.execute(
            "INSERT INTO invoices (invoice_no, customer_id, issue_date, due_date, amount, balance)
             VALUES (?1, 'C1', '2026-01-05', ?2, ?3, ?3)",
            params![no, due, amount],
        )
        .expect("an invoice");
    }
    // Days compare as days, sums of money are money, truth is 0 or 1.
    let (open, total, late): (i64, Money, i64) = db
        .query_row(
            "SELECT COUNT(*), SUM(balance), MIN(due_date) < ?1 FROM invoices INDEXED BY invoices_open
             WHERE balance <> 0 AND customer_id = ?2",
            params![day("2026-02-15"), "C1"],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("aggregates");
    assert_eq!(
        (open, total, late),
        (2, "120.15".parse().expect("money"), 1)
    );
    let due: Vec<NaiveDate> = db
        .prepare_cached("SELECT due_date FROM invoices WHERE customer_id = ?1 ORDER BY due_date")
        .expect("prepare")
        .query_map(["C1"], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("days");
    assert_eq!(due, [day("2026-02-01"), day("2026-03-01")]);
    // A generated key, and a statement that keeps what is already there.
    db.execute(
        "INSERT INTO allocations (invoice_no, customer_id, date, amount, kind) VALUES ('I1', 'C1', ?1, 1000, 'payment')",
        [day("2026-02-03")],
    )
    .expect("an allocation");
    let id = db.last_insert_rowid().expect("the new id");
    let kind: Option<String> = db
        .query_row("SELECT kind FROM allocations WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .expect("read");
    assert_eq!(kind.as_deref(), Some("payment"));
    let added = db
        .execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            ["currency", "EUR"],
        )
        .expect("or ignore");
    assert_eq!(added, 0, "the currency is there already");
    let missing = db
        .query_row("SELECT value FROM meta WHERE key = ?1", ["nothing"], |r| {
            r.get::<_, String>(0)
        })
        .optional()
        .expect("no row is not an error");
    assert!(missing.is_none());
    let mut rows = db
        .prepare("SELECT invoice_no, balance FROM invoices ORDER BY invoice_no")
        .expect("prepare");
    let mut rows = rows.query([]).expect("query");
    let mut seen = Vec::new();
    while let Some(r) = rows.next().expect("next") {
        seen.push((
            r.get::<_, String>(0).expect("no"),
            r.get::<_, Money>(1).expect("balance"),
        ));
    }
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].1, "20.05".parse().expect("money"));
}

#[test]
fn the_same_statements_and_values_on_sqlite_and_postgresql() {
    let store = Store::in_memory("USD").expect("an in-memory store");
    let lite = store.conn();
    assert_eq!(lite.backend(), Backend::Sqlite);
    scenario(lite);

    let Some((_scratch, conn)) = on_server("seam") else {
        return;
    };
    conn.batch("INSERT INTO meta (key, value) VALUES ('currency', 'USD')")
        .expect("a currency");
    let server = Db::from(&conn);
    assert_eq!(server.backend(), Backend::Postgres);
    scenario(server);
}

#[test]
fn a_server_error_reaches_the_user_as_the_servers_words() {
    let Some((_scratch, conn)) = on_server("errors") else {
        return;
    };
    let db = Db::from(&conn);
    let e = db
        .execute(
            "INSERT INTO users (name, role, created_at) VALUES (?1, 'boss', now())",
            ["x"],
        )
        .expect_err("a role the schema does not know");
    let e = crate::store::StoreError::from(e);
    assert!(
        matches!(&e, crate::store::StoreError::Postgres(m) if m.contains("users_role_check")),
        "{e}"
    );
    // Text is never sent as the bytes of another type: the server reads it as the
    // type it wants, or refuses it, the same on a statement's first run (sent
    // unprepared) as on later ones (prepared).
    let read = "SELECT 1 WHERE CAST(5 AS INTEGER) = ?1";
    for run in ["first", "second", "third"] {
        let five = db.query_row(read, ["5"], |r| r.get::<_, i64>(0));
        assert_eq!(five.ok(), Some(1), "{run} run");
        let word = db.query_row(read, ["five"], |r| r.get::<_, i64>(0));
        assert!(word.is_err(), "{run} run: {word:?}");
        // Bytes, a day and a moment come back as they went.
        let bytes = vec![0u8, 1, 0x5c, 0xff];
        let back = db.query_row("SELECT CAST(?1 AS BYTEA)", [&bytes], |r| {
            r.get::<_, Vec<u8>>(0)
        });
        assert_eq!(back.ok(), Some(bytes), "{run} run");
        let day = db.query_row(
            "SELECT CAST(?1 AS DATE), CAST(?2 AS TIMESTAMPTZ)",
            ["2026-02-28", "2026-03-01T09:30:00.250000Z"],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        );
        assert_eq!(
            day.ok(),
            Some(("2026-02-28".into(), "2026-03-01T09:30:00.250000Z".into())),
            "{run} run"
        );
    }
}

#[test]
fn a_write_committed_on_one_connection_is_heard_on_another() {
    let Some(scratch) = pg::Scratch::new("notify") else {
        return;
    };
    let setup = PgConn::new(pg::connect(&scratch.url).expect("connect"));
    setup
        .batch("INSERT INTO meta (key, value) VALUES ('currency', 'USD')")
        .expect("a currency");
    let watcher = Store::open_server(&scratch.url).expect("the watcher");
    let mut writer = Store::open_server(&scratch.url).expect("the writer");
    let before = watcher.data_version().expect("a version");
    assert_eq!(watcher.data_version().expect("a version"), before);
    // A rolled-back write is not a change.
    writer
        .transact(false, |tx| crate::store::put_meta(tx, "demo", "1"))
        .expect("a dry run");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(watcher.data_version().expect("a version"), before);
    writer
        .write(|tx| crate::store::put_meta(tx, "demo", "1"))
        .expect("a write");
    let mut now = before;
    for _ in 0..100 {
        now = watcher.data_version().expect("a version");
        if now != before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_ne!(now, before, "the watcher heard of the write");
}

#[test]
fn rows_appended_together_are_read_next_and_go_with_a_rollback() {
    let Some((_scratch, conn)) = on_server("defer") else {
        return;
    };
    let db = Db::from(&conn);
    const BULK: &str = "INSERT INTO meta (key, value)
         SELECT r.key, r.value FROM json_to_recordset(CAST(CAST(?1 AS TEXT) AS json))
         AS r(key TEXT, value TEXT)";
    let count = || -> i64 {
        db.query_row("SELECT COUNT(*) FROM meta WHERE key LIKE 'k%'", [], |r| {
            r.get(0)
        })
        .expect("a count")
    };
    // Queued rows are there for the very next read, in the order given.
    conn.batch("BEGIN").expect("begin");
    for i in 0..3 {
        conn.defer(
            BULK,
            serde_json::json!({"key": format!("k{i}"), "value": "v"}),
        )
        .expect("queued");
    }
    assert_eq!(count(), 3);
    // Rows still queued when the transaction is rolled back go with it.
    conn.defer(BULK, serde_json::json!({"key": "k9", "value": "v"}))
        .expect("queued");
    conn.rollback().expect("rollback");
    assert_eq!(count(), 0);
    // A queued row the server refuses fails the next statement, in its own words.
    conn.defer(BULK, serde_json::json!({"key": "k1", "value": null}))
        .expect("queued");
    let e = db
        .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
        .expect_err("the queued row is refused");
    let e = crate::store::StoreError::from(e);
    assert!(e.to_string().contains("null value"), "{e}");
}

#[test]
fn opening_a_server_database_that_is_no_shop_says_so_and_changes_nothing() {
    let Some((scratch, owner)) = on_server("noshop") else {
        return;
    };
    // The schema is there but no shop was started in it (no currency).
    let e = Store::open_server(&scratch.url).err().expect("no shop yet");
    assert!(e.to_string().contains("holds no arq shop"), "{e}");
    // A database arq never touched (no schema table) is refused and left as it is.
    owner.batch("DROP TABLE arq_schema").expect("drop");
    let e = Store::open_server(&scratch.url).err().expect("not arq's");
    assert!(e.to_string().contains("holds no arq shop"), "{e}");
    let left: Vec<Vec<rusqlite::types::Value>> = owner
        .query(
            &owner
                .prepare("SELECT 1 FROM pg_tables WHERE tablename = 'arq_schema'")
                .expect("prepare"),
            &[],
        )
        .expect("query");
    assert!(left.is_empty(), "opening created the schema table again");
}
