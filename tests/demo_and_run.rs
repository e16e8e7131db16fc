//! The demo shop and the daily run over it: deterministic by seed, the bulk snapshot
//! agrees with the per-account one, a second run on the same day changes nothing,
//! and a dry run leaves the database as it was.

mod common;

use arq::config::Config;
use arq::demo::{self, DemoOptions, Size};
use arq::store::Store;
use arq::store::{behaviour, snapshot};
use arq::strategy::engine::decide;
use common::d;

fn build(dir: &std::path::Path, name: &str, seed: u64) -> std::path::PathBuf {
    let path = dir.join(name);
    let opts = DemoOptions {
        size: Size::Small,
        seed,
        today: d("2026-11-20"),
        history_days: 120,
    };
    demo::build(&path, &opts, &Config::default(), &arq::progress::Silent)
        .unwrap_or_else(|e| panic!("demo: {e}"));
    path
}

/// The small demo (seed 7) built into a new temporary folder, opened.
fn open_demo(name: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = build(dir.path(), name, 7);
    let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    (dir, store)
}

fn head_hash(path: &std::path::Path) -> String {
    let s = Store::open(path).unwrap_or_else(|e| panic!("{e}"));
    s.conn()
        .query_row(
            "SELECT hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn counts(path: &std::path::Path) -> Vec<i64> {
    let s = Store::open(path).unwrap_or_else(|e| panic!("{e}"));
    [
        "events",
        "tasks",
        "outbox",
        "steps_done",
        "cycles",
        "promises",
        "holds",
        "payments",
        "allocations",
        "runs",
    ]
    .iter()
    .map(|t| {
        s.conn()
            .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .collect()
}

#[test]
fn the_demo_is_deterministic_and_the_run_is_consistent() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let a = build(dir.path(), "a.db", 7);
    let b = build(dir.path(), "b.db", 7);
    let c = build(dir.path(), "c.db", 8);
    // Same seed, same shop, down to the last event's hash.
    assert_eq!(head_hash(&a), head_hash(&b));
    assert_ne!(head_hash(&a), head_hash(&c));
    // The history is written with the ledger's indexes and triggers set aside, as a
    // bulk import does: every one of them is back, as a new database defines it.
    let schema = |conn: arq::store::db::Db<'_>| -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let fresh = Store::in_memory("USD").unwrap_or_else(|e| panic!("{e}"));
    let demo = Store::open(&a).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema(demo.conn()), schema(fresh.conn()));

    // It has what a demo needs: queue items for every collector, holds, promises, disputes.
    let store = Store::open(&a).unwrap_or_else(|e| panic!("{e}"));
    let n = |sql: &str| -> i64 {
        store
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(n("SELECT COUNT(*) FROM customers"), 300);
    for user in ["ana", "ben", "cleo"] {
        assert!(
            n(&format!(
                "SELECT COUNT(*) FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE t.done_on IS NULL AND c.owner = '{user}'"
            )) > 5,
            "{user}"
        );
    }
    assert!(n("SELECT COUNT(*) FROM holds WHERE released_on IS NULL") > 0);
    assert!(n("SELECT COUNT(*) FROM promises WHERE status = 'broken'") > 0);
    assert!(n("SELECT COUNT(*) FROM promises WHERE status = 'kept'") > 0);
    assert!(n("SELECT COUNT(*) FROM disputes") > 0);
    drop(store);

    // The bulk snapshot (the run's) and the per-account one (the screens') agree, for
    // today and for a replayed past day.
    let store = Store::open(&a).unwrap_or_else(|e| panic!("{e}"));
    let conn = store.conn();
    let book = arq::store::strategies::book(conn).unwrap_or_else(|e| panic!("{e}"));
    for day in ["2026-11-20", "2026-09-15"] {
        let as_of = d(day);
        let (all, total) = snapshot::load_all(
            conn,
            as_of,
            snapshot::Reach {
                ahead: book.look_ahead(),
                // The demo runs every day.
                since: as_of.pred_opt(),
                all_open: false,
                days_late: arq::store::days_late_kept::Keep::Read,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(total, 300);
        // Today's run leaves the quiet accounts out. A replayed past day takes in every
        // account with money applied after it (a superset), so nearly all of them.
        let most = if day == "2026-11-20" { 299 } else { 300 };
        assert!(
            all.len() > 30 && all.len() <= most,
            "{} accounts matter on {day}",
            all.len()
        );
        // The accounts the bulk load leaves out are those the engine has nothing to do for.
        let loaded: std::collections::HashSet<&str> =
            all.iter().map(|a| a.customer.id.as_str()).collect();
        for c in arq::store::customers::list(conn, None).unwrap_or_else(|e| panic!("{e}")) {
            if loaded.contains(c.id.as_str()) {
                continue;
            }
            let one = snapshot::load_one(conn, &c.id, as_of)
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("missing"));
            let d = decide(&one.state(as_of), &book, as_of);
            assert!(
                d.is_empty() && d.paused.is_none(),
                "{} was left out but the engine would act: {d:?}",
                c.id
            );
        }
        // The queue's scoring facts (set queries over a list of ids) agree too.
        let ids: Vec<&str> = all.iter().map(|a| a.customer.id.as_str()).collect();
        let facts = snapshot::scoring_facts(conn, &ids, as_of).unwrap_or_else(|e| panic!("{e}"));
        for a in &all {
            let f = facts
                .get(&a.customer.id)
                .unwrap_or_else(|| panic!("no facts for {}", a.customer.id));
            let mut inv = f.invoices.clone();
            inv.sort_by(|x, y| {
                x.due_date
                    .cmp(&y.due_date)
                    .then_with(|| x.invoice_no.cmp(&y.invoice_no))
            });
            assert_eq!(
                inv, a.invoices,
                "{} scoring invoices on {day}",
                a.customer.id
            );
            assert_eq!(
                f.cycle_strategy.as_deref(),
                a.facts.cycle.as_ref().map(|c| c.strategy_id.as_str()),
                "{}",
                a.customer.id
            );
        }
        for bulk in &all {
            let one = snapshot::load_one(conn, &bulk.customer.id, as_of)
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("missing"));
            assert_eq!(
                bulk.invoices, one.invoices,
                "{} invoices on {day}",
                bulk.customer.id
            );
            assert_eq!(bulk.facts, one.facts, "{} facts on {day}", bulk.customer.id);
            assert_eq!(
                decide(&bulk.state(as_of), &book, as_of),
                decide(&one.state(as_of), &book, as_of),
                "{}",
                bulk.customer.id
            );
        }
    }
    drop(store);

    // The demo ends with today's run done: running today again changes nothing.
    let before = counts(&a);
    let mut admin = common::Shop {
        dir: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
        db: a.clone(),
    }
    .session("admin", "2026-11-20");
    let again = admin.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            again.steps_done,
            again.tasks_created,
            again.auto_actions,
            again.cured
        ),
        (0, 0, 0, 0)
    );
    let mut after = counts(&a);
    // (only the run itself is recorded)
    after[9] -= 1;
    assert_eq!(before, after);

    // A dry run of tomorrow reports work and keeps none of it.
    admin.set_as_of(d("2026-11-21"), arq::service::noon_utc(d("2026-11-21")));
    let before = counts(&a);
    let dry = admin.run_day(true).unwrap_or_else(|e| panic!("{e}"));
    assert!(dry.dry_run);
    assert!(
        dry.steps_done + dry.tasks_created + dry.promises.kept + dry.promises.broken > 0,
        "{dry:?}"
    );
    assert_eq!(counts(&a), before);
    let real = admin.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (real.steps_done, real.tasks_created, real.cured),
        (dry.steps_done, dry.tasks_created, dry.cured)
    );

    // A run for a day before the last one is refused.
    admin.set_as_of(d("2026-11-19"), arq::service::noon_utc(d("2026-11-19")));
    let err = admin
        .run_day(false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("already done for 2026-11-21"), "{err}");
}

/// Days late of settled invoices, read by the set query and by the one-pass scan the
/// bulk load uses for most of the shop, agree for every customer on every date tried.
#[test]
fn days_late_by_scan_agrees_with_the_set_query() {
    let (_dir, store) = open_demo("scan.db");
    let conn = store.conn();
    let json = every_customer(conn);
    let mut compared = 0;
    for day in ["2026-08-01", "2026-09-15", "2026-10-31", "2026-11-20"] {
        let by_query = arq::store::prevention::days_late(
            conn,
            arq::store::prevention::Who::Ids(&json),
            d(day),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let by_scan = arq::store::prevention::days_late_scan(conn, d(day), &|_| true)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(by_query, by_scan, "{day}");
        // Customer by customer (the kept lists' way), for every second customer.
        let mut ids: Vec<String> = serde_json::from_str::<Vec<String>>(&json)
            .unwrap_or_default()
            .into_iter()
            .step_by(2)
            .collect();
        ids.sort();
        let by_customer = arq::store::prevention::days_late_of(conn, d(day), &ids)
            .unwrap_or_else(|e| panic!("{e}"));
        let expected: Vec<_> = by_scan
            .iter()
            .filter(|(c, _)| ids.binary_search(c).is_ok())
            .cloned()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(by_customer, expected, "{day}");
        compared += by_scan.len();
    }
    assert!(
        compared > 300,
        "customers with settled invoices compared: {compared}"
    );
}

/// Who is over their credit limit, read in one pass beside every limit, is the same
/// set as counting each customer's open invoices one by one, on every date tried.
#[test]
fn customers_over_their_limit_are_those_counted_one_by_one() {
    let (_dir, store) = open_demo("limits.db");
    let conn = store.conn();
    let (mut over, mut within) = (0, 0);
    for day in ["2026-08-01", "2026-09-15", "2026-10-31", "2026-11-20"] {
        let mut fast =
            arq::store::prevention::over_limit_ids(conn, d(day)).unwrap_or_else(|e| panic!("{e}"));
        fast.sort();
        let mut stmt = conn
            .prepare(
                "SELECT c.id, c.credit_limit < (SELECT COALESCE(SUM(i.balance), 0) FROM invoices i
                   WHERE i.customer_id = c.id AND i.balance <> 0 AND i.issue_date <= ?1)
                 FROM customers c WHERE c.credit_limit IS NOT NULL ORDER BY c.id",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let counted: Vec<(String, bool)> = stmt
            .query_map([day], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .unwrap_or_else(|e| panic!("{e}"));
        let slow: Vec<String> = counted
            .iter()
            .filter(|(_, is_over)| *is_over)
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(fast, slow, "{day}");
        over += slow.len();
        within += counted.len() - slow.len();
    }
    assert!(over > 0 && within > 0, "over: {over}, within: {within}");
}

/// The scan reads most invoices from the settled-invoice index and the irregular ones
/// (written off, money taken back, paid again) from their allocations: each kind, on
/// days before and after its money moved, agrees with the set query and with the
/// days counted by hand.
#[test]
fn days_late_of_written_off_and_reopened_invoices_agree_with_the_set_query() {
    use arq::store::ledger::{self, AllocationKind};
    use arq::store::prevention::{self, Who};
    let shop = common::Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    // An allocation: date, amount, kind.
    type Money<'a> = &'a [(&'a str, &'a str, AllocationKind)];
    // (invoice, due date, its allocations)
    let cases: &[(&str, &str, Money)] = &[
        (
            "I1",
            "2026-01-31",
            &[("2026-02-10", "100", AllocationKind::Payment)],
        ),
        (
            "I2",
            "2026-01-31",
            &[
                ("2026-02-05", "60", AllocationKind::Payment),
                ("2026-02-20", "40", AllocationKind::WriteOff),
            ],
        ),
        (
            "I3",
            "2026-02-15",
            &[
                ("2026-02-20", "100", AllocationKind::Payment),
                ("2026-03-01", "-30", AllocationKind::Adjustment),
            ],
        ),
        (
            "I4",
            "2026-02-28",
            &[("2026-03-10", "100", AllocationKind::Payment)],
        ),
        (
            "I5",
            "2026-02-20",
            &[
                ("2026-02-20", "100", AllocationKind::Payment),
                ("2026-03-01", "-30", AllocationKind::Adjustment),
                ("2026-03-03", "30", AllocationKind::Credit),
            ],
        ),
        (
            "I6",
            "2026-02-01",
            &[("2026-02-12", "100", AllocationKind::Payment)],
        ),
        (
            "I7",
            "2026-02-11",
            &[("2026-02-12", "100", AllocationKind::Payment)],
        ),
    ];
    for (no, due, money) in cases {
        shop.invoice(no, "C1", "2026-01-01", due, "100");
        let mut s = shop.session("admin", "2026-01-01");
        s.write(|tx| {
            for (on, amount, kind) in *money {
                ledger::allocate(tx.conn, no, "C1", d(on), common::m(amount), *kind, None)?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let store = Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let conn = store.conn();
    // Oldest settled first: I1 (10 days), I6 and I7 (same day, by number: 11, 1), then
    // I3 until money was taken back, I5 once it was paid again, I4 after its payment;
    // I2 is never paid in full.
    let expected: &[(&str, &[i64])] = &[
        ("2026-02-11", &[10]),
        ("2026-02-25", &[10, 11, 1, 5, 0]),
        ("2026-03-05", &[10, 11, 1, 11]),
        ("2026-03-15", &[10, 11, 1, 11, 10]),
    ];
    for (day, days) in expected {
        let by_query =
            prevention::days_late(conn, Who::One("C1"), d(day)).unwrap_or_else(|e| panic!("{e}"));
        let by_scan =
            prevention::days_late_scan(conn, d(day), &|_| true).unwrap_or_else(|e| panic!("{e}"));
        let by_customer = prevention::days_late_of(conn, d(day), &["C1".to_string()])
            .unwrap_or_else(|e| panic!("{e}"));
        let want = vec![("C1".to_string(), days.to_vec())];
        assert_eq!(by_query, want, "set query, {day}");
        assert_eq!(by_scan, want, "scan, {day}");
        assert_eq!(by_customer, want, "by customer, {day}");
        // The behaviour measure's whole-shop read sums the same money the same way.
        let one = behaviour::load(conn, d(day), behaviour::Whose::Ids(r#"["C1"]"#))
            .unwrap_or_else(|e| panic!("{e}"));
        let all =
            behaviour::load(conn, d(day), behaviour::Whose::All).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one, all, "behaviour inputs, {day}");
    }
}

/// The behaviour measure reads the whole shop in two passes (the money applied, then
/// the invoices); a list of every customer goes through the per-invoice join. On the
/// demo they give the same inputs on every date tried.
#[test]
fn behaviour_inputs_of_the_whole_shop_agree_with_the_join() {
    let (_dir, store) = open_demo("behaviour.db");
    let conn = store.conn();
    let json = every_customer(conn);
    for day in ["2026-08-01", "2026-10-31", "2026-11-20"] {
        let joined = behaviour::load(conn, d(day), behaviour::Whose::Ids(&json))
            .unwrap_or_else(|e| panic!("{e}"));
        let scanned =
            behaviour::load(conn, d(day), behaviour::Whose::All).unwrap_or_else(|e| panic!("{e}"));
        let paid: usize = scanned.customers.iter().map(|c| c.paid.len()).sum();
        let open: usize = scanned.customers.iter().map(|c| c.open.len()).sum();
        assert!(paid > 1000 && open > 100, "{day}: {paid} paid, {open} open");
        assert_eq!(joined, scanned, "{day}");
    }
}

#[test]
fn demo_refuses_to_replace_a_real_database() {
    let shop = common::Shop::new("2026-01-01");
    let opts = DemoOptions {
        size: Size::Small,
        seed: 1,
        today: d("2026-11-20"),
        history_days: 120,
    };
    let err = demo::build(&shop.db, &opts, &Config::default(), &arq::progress::Silent)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("is not a demo database"), "{err}");
    assert!(shop.db.exists());
}

/// The aging of a past day, as reports read it (open invoices now, money applied
/// since added back, invoices paid off since found by their latest allocation), is
/// the ledger's on that day counted the long way: every invoice issued by then, less
/// what was applied to it by then.
#[test]
fn the_aging_of_a_past_day_is_the_ledger_counted_the_long_way() {
    use arq::domain::{Aging, Money};
    use arq::store::figures::{Whose, aging_as_of, book_as_of};
    use std::collections::HashMap;
    let (_dir, store) = open_demo("aging.db");
    let conn = store.conn();
    // (number, issued, due, amount, the customer's collector)
    type Invoice = (String, String, String, Money, String);
    let invoices: Vec<Invoice> = conn
        .prepare(
            "SELECT i.invoice_no, i.issue_date, i.due_date, i.amount, c.owner
             FROM invoices i JOIN customers c ON c.id = i.customer_id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let allocations: Vec<(String, String, Money)> = conn
        .prepare("SELECT invoice_no, date, amount FROM allocations")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut paid_off_since = 0;
    for day in [
        "2026-07-25",
        "2026-08-14",
        "2026-09-03",
        "2026-09-30",
        "2026-10-17",
        "2026-11-05",
        "2026-11-19",
        "2026-11-20",
    ] {
        let mut applied: HashMap<&str, Money> = HashMap::new();
        let mut applied_later: HashMap<&str, Money> = HashMap::new();
        for (no, date, amount) in &allocations {
            let by = if date.as_str() <= day {
                &mut applied
            } else {
                &mut applied_later
            };
            *by.entry(no.as_str()).or_default() += *amount;
        }
        let (mut shop, mut ben) = (Aging::default(), Aging::default());
        for (no, _, due, amount, owner) in invoices.iter().filter(|i| i.1.as_str() <= day) {
            let balance = *amount - applied.get(no.as_str()).copied().unwrap_or_default();
            let now = balance - applied_later.get(no.as_str()).copied().unwrap_or_default();
            if now.is_zero() && !balance.is_zero() {
                paid_off_since += 1;
            }
            if balance.is_positive() {
                let dpd = u32::try_from((d(day) - d(due)).num_days()).unwrap_or(0);
                shop.add(dpd, balance);
                if owner == "ben" {
                    ben.add(dpd, balance);
                }
            }
        }
        let got = |whose| aging_as_of(conn, d(day), whose).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got(Whose::Shop), shop, "shop aging on {day}");
        assert_eq!(got(Whose::Owner("ben")), ben, "ben's aging on {day}");
        let book = book_as_of(conn, d(day), Whose::Owner("ben")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.aging, ben, "ben's book on {day}");
        assert_ne!(ben, shop, "{day}");
    }
    assert!(
        paid_off_since > 100,
        "invoices open on a day tried and paid off since: {paid_off_since}"
    );
}

/// The demo's people take turns on one connection: a session handed to another user
/// has that user's rights and no more, and an unknown name is refused.
#[test]
fn a_session_handed_to_another_user_works_with_their_rights() {
    let shop = common::Shop::new("2026-01-01");
    let sam = shop.session("sam", "2026-01-02");
    let mut ana = sam.as_user("ana").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ana.user().name, "ana");
    assert_eq!(ana.as_of(), d("2026-01-02"));
    let err = ana
        .run_day(true)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("supervisor"), "{err}");
    let mut sam = ana.as_user("sam").unwrap_or_else(|e| panic!("{e}"));
    assert!(sam.run_day(true).is_ok());
    let err = sam
        .as_user("nobody")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("nobody"), "{err}");
}

/// Every customer's id, as the JSON list a read for a list of accounts takes.
fn every_customer(conn: arq::store::db::Db<'_>) -> String {
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM customers")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{e}"));
    snapshot::ids_json(ids.iter().map(String::as_str))
}

/// The days late kept from one close to the next (`days_late_kept`) are the scan's,
/// customer for customer, through every kind of change to the money: a payment, a
/// backdated one, a write-off, a corrected due date, a row dated after the day read,
/// a kept list spoiled by hand, and a day before the lists were kept.
#[test]
fn days_late_kept_between_closes_are_the_scans_through_every_change() {
    use arq::store::days_late_kept::{Keep, days_late};
    use arq::store::ledger::{self, AllocationKind};
    use arq::store::prevention::days_late_scan;
    let (_dir, mut store) = open_demo("kept.db");
    let count = |store: &Store, sql: &str| -> i64 {
        store
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    // Kept (or read) and scanned on `day` agree; returns how many customers have days.
    let agree = |store: &mut Store, day: &str, keep: Keep| -> usize {
        let kept = store
            .write(|tx| days_late(tx, d(day), &|_| true, keep))
            .unwrap_or_else(|e: arq::store::StoreError| panic!("{e}"));
        let scanned =
            days_late_scan(store.conn(), d(day), &|_| true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, scanned, "{day}, {keep:?}");
        scanned.len()
    };
    let dirty = "SELECT COUNT(*) FROM days_late_dirty";
    // The demo named every customer it paid; the first close keeps the whole shop.
    assert!(count(&store, dirty) > 100);
    assert!(agree(&mut store, "2026-11-20", Keep::Write) > 250);
    assert_eq!(count(&store, dirty), 0);
    assert!(count(&store, "SELECT COUNT(*) FROM days_late_kept") > 250);
    // A day before the lists were kept is scanned.
    agree(&mut store, "2026-10-31", Keep::Write);

    // Four customers' money moves; the triggers name exactly them.
    let open: Vec<(String, String, i64)> = {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT invoice_no, customer_id, balance FROM invoices
                 WHERE balance > 0 AND issue_date <= '2026-10-01'
                 GROUP BY customer_id ORDER BY customer_id LIMIT 3",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(open.len(), 3);
    let settled: (String, String) = store
        .conn()
        .query_row(
            "SELECT invoice_no, customer_id FROM invoices WHERE balance = 0 AND customer_id > ?1
             ORDER BY customer_id LIMIT 1",
            [&open[2].1],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let money = |minor: i64| arq::domain::Money::from_minor(minor);
    change(&mut store, |tx| {
        // Paid today, paid back in October (recorded today), written off.
        let moves = [
            ("2026-11-21", AllocationKind::Payment),
            ("2026-10-05", AllocationKind::Payment),
            ("2026-11-21", AllocationKind::WriteOff),
        ];
        for ((no, cid, bal), (on, kind)) in open.iter().zip(moves) {
            ledger::allocate(tx, no, cid, d(on), money(*bal), kind, None)?;
        }
        // An import corrects a settled invoice's due date.
        tx.execute(
            "UPDATE invoices SET due_date = date(due_date, '-20 days') WHERE invoice_no = ?1",
            [&settled.0],
        )?;
        Ok(())
    });
    assert_eq!(count(&store, dirty), 4);
    // Read: the named customers are computed, nothing is kept.
    agree(&mut store, "2026-11-21", Keep::Read);
    assert_eq!(count(&store, dirty), 4);
    agree(&mut store, "2026-11-21", Keep::Write);
    assert_eq!(count(&store, dirty), 0);

    // An invoice issued and paid a month ahead: kept lists would miss it on that day,
    // so nothing is kept while it lies ahead, and the day itself sees it.
    let later = &open[0].1;
    change(&mut store, |tx| {
        ledger::insert_invoice(
            tx,
            &ledger::InvoiceRow {
                invoice_no: "AHEAD-1".into(),
                customer_id: later.clone(),
                issue_date: d("2026-12-10"),
                due_date: d("2026-12-12"),
                amount: money(5_000),
                balance: money(5_000),
            },
        )?;
        let paid = d("2026-12-20");
        ledger::allocate(
            tx,
            "AHEAD-1",
            later,
            paid,
            money(5_000),
            AllocationKind::Payment,
            None,
        )?;
        Ok(())
    });
    agree(&mut store, "2026-11-22", Keep::Write);
    assert_eq!(count(&store, dirty), 1);
    agree(&mut store, "2026-12-20", Keep::Write);
    assert_eq!(count(&store, dirty), 0);

    // A list spoiled by hand is computed again, not trusted.
    change(&mut store, |tx| {
        tx.execute(
            "UPDATE days_late_kept SET days = 'x' WHERE customer_id = ?1",
            [&settled.1],
        )?;
        Ok(())
    });
    agree(&mut store, "2026-12-21", Keep::Read);
}

/// A change to the file in one write transaction; the test stops on a failure.
fn change(
    store: &mut Store,
    f: impl FnOnce(arq::store::db::Db<'_>) -> Result<(), arq::store::StoreError>,
) {
    store.write(f).unwrap_or_else(|e| panic!("{e}"));
}

/// A report of a past period reads the same after an account moves on (DESIGN §6:
/// "any past period can be reported exactly"): the items due and overdue, the accounts
/// owned and their balance stay with the collector who had the account then, and so
/// does a collector's queue on a past day. They followed the account to its new owner.
#[test]
fn a_past_periods_activity_stays_with_whoever_owned_the_account() {
    use arq::report::activity::activity;
    let (dir, _store) = open_demo("moves.db");
    let db = dir.path().join("moves.db");
    let sam = |as_of: &str| {
        let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        arq::service::Session::open(
            store,
            "sam",
            d(as_of),
            arq::service::noon_utc(d(as_of)),
            Config::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let (from, to) = (d("2026-11-01"), d("2026-11-19"));
    let figures = |s: &arq::service::Session| {
        activity(s, from, to, None)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|r| {
                (
                    r.user,
                    r.tasks_due,
                    r.tasks_overdue,
                    r.oldest_overdue,
                    r.accounts,
                    r.open_balance,
                    r.worklist,
                    r.collected,
                )
            })
            .collect::<Vec<_>>()
    };
    let s = sam("2026-11-20");
    let before = figures(&s);
    // ana's queue as it was on the period's last day, and cleo's.
    let queue_on = |user: &str| {
        let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let day = d("2026-11-19");
        let mut items: Vec<(i64, Option<String>)> = arq::service::Session::open(
            store,
            user,
            day,
            arq::service::noon_utc(day),
            Config::default(),
        )
        .and_then(|s| s.queue(&arq::service::queue::QueueScope::Mine, None))
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|i| (i.item_id, i.owner))
        .collect();
        items.sort();
        items
    };
    let queues = (queue_on("ana"), queue_on("cleo"));
    // Every account of ana's with an item due in the period goes to cleo.
    let moved: Vec<String> = {
        let conn = s.store().conn();
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT t.customer_id FROM tasks t JOIN customers c ON c.id = t.customer_id
                 WHERE c.owner = 'ana' AND t.assignee = 'owner' AND t.due BETWEEN '2026-11-01' AND '2026-11-19'
                 ORDER BY 1",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| r.get(0))
            .and_then(|r| r.collect())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(!moved.is_empty());
    let mut s = s;
    s.assign(&moved, "cleo").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(figures(&sam("2026-11-20")), before);
    assert_eq!((queue_on("ana"), queue_on("cleo")), queues);
    // The day of the move is the new owner's.
    let now = activity(&sam("2026-11-20"), d("2026-11-20"), d("2026-11-20"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let accounts = |u: &str| now.iter().find(|r| r.user == u).map(|r| r.accounts);
    let then = activity(&sam("2026-11-20"), from, to, None).unwrap_or_else(|e| panic!("{e}"));
    let then_accounts = |u: &str| then.iter().find(|r| r.user == u).map(|r| r.accounts);
    assert_eq!(
        accounts("cleo")
            .zip(then_accounts("cleo"))
            .map(|(a, b)| a - b),
        Some(moved.len() as u64)
    );
}
