//! The supervisor's reports against figures computed by hand (DESIGN §6), through the
//! real binary: KPIs of a period, activity of two collectors, the funnel across a
//! strategy version change, objectives, and who may read them.

mod common;

use common::Shop;
use predicates::prelude::*;
use serde_json::Value;

/// A small portfolio whose March figures are worked out in the comments below.
fn portfolio() -> Shop {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ben");
    // Before the period: 1,000.00 open on 2026-02-28.
    shop.invoice("INV-1", "C1", "2026-02-10", "2026-03-12", "1000.00");
    // Credit sales in March: 2,000.00 + 500.00.
    shop.invoice("INV-2", "C1", "2026-03-05", "2026-04-04", "2000.00");
    shop.invoice("INV-3", "C2", "2026-03-20", "2026-03-25", "500.00");
    // After the period: not in March's figures.
    shop.invoice("INV-4", "C2", "2026-04-02", "2026-05-02", "800.00");
    shop.payment("P1", "C1", "2026-03-15", "600.00", Some("INV-1"));
    shop.payment("P2", "C2", "2026-03-28", "200.00", Some("INV-3"));
    shop.payment("P3", "C1", "2026-04-05", "400.00", Some("INV-1"));

    // ana: a promise of 500 by 03-15 (kept by P1), then 300 by 03-22 (broken).
    shop.arq("ana", "2026-03-10")
        .args(["log", "call", "C1", "--outcome", "reached"])
        .assert()
        .success();
    shop.arq("ana", "2026-03-10")
        .args([
            "log",
            "promise",
            "C1",
            "--amount",
            "500",
            "--date",
            "2026-03-15",
        ])
        .assert()
        .success();
    run(&shop, "2026-03-18");
    shop.arq("ana", "2026-03-20")
        .args(["log", "call", "C1", "--outcome", "voicemail"])
        .assert()
        .success();
    shop.arq("ana", "2026-03-20")
        .args([
            "log",
            "promise",
            "C1",
            "--amount",
            "300",
            "--date",
            "2026-03-22",
        ])
        .assert()
        .success();
    run(&shop, "2026-03-25");
    // ben: 300 by 03-28, of which P2 paid 200: partially kept.
    shop.arq("ben", "2026-03-26")
        .args(["log", "call", "C2", "--outcome", "reached"])
        .assert()
        .success();
    shop.arq("ben", "2026-03-26")
        .args([
            "log",
            "promise",
            "C2",
            "--amount",
            "300",
            "--date",
            "2026-03-28",
        ])
        .assert()
        .success();
    run(&shop, "2026-03-31");
    shop
}

fn run(shop: &Shop, day: &str) -> Value {
    shop.json("admin", day, &["run", "--format", "json"])
}

#[test]
fn kpis_of_a_period_match_the_hand_computed_figures() {
    let shop = portfolio();
    // Read well after the period: later payments and invoices must not count.
    let k = shop.json(
        "sam",
        "2026-04-10",
        &[
            "report",
            "kpi",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "json",
        ],
    );
    // AR_begin 1,000; sales 2,500; AR_end = 400 (INV-1) + 2,000 (INV-2) + 300 (INV-3)
    // = 2,700, of which 2,000 not yet due (INV-2, due 04-04). 31 days.
    assert_eq!(k["days"], 31);
    assert_eq!(k["ar_begin"], "1000.00");
    assert_eq!(k["credit_sales"], "2500.00");
    assert_eq!(k["ar_end"], "2700.00");
    assert_eq!(k["current_end"], "2000.00");
    // DSO = 2,700 / 2,500 × 31 = 33.48; BPDSO = 2,000 / 2,500 × 31 = 24.80; ADD = 8.68
    assert_eq!(k["dso"], "33.48");
    assert_eq!(k["bpdso"], "24.80");
    assert_eq!(k["add"], "8.68");
    // CEI = (1,000 + 2,500 − 2,700) / (1,000 + 2,500 − 2,000) × 100 = 800 / 1,500 = 53.33
    assert_eq!(k["cei"], "53.33");
    // One kept, one partially kept, one broken.
    assert_eq!(k["promises"]["kept"], 1);
    assert_eq!(k["promises"]["partially_kept"], 1);
    assert_eq!(k["promises"]["broken"], 1);
    assert_eq!(k["promise_kept_rate"], "33.33");
    assert_eq!(k["collected"], "800.00");
    assert_eq!(
        (k["calls"].as_u64(), k["contacts"].as_u64()),
        (Some(3), Some(2))
    );

    // One collector's accounts: ana holds C1 only.
    let a = shop.json(
        "sam",
        "2026-04-10",
        &[
            "report",
            "kpi",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--collector",
            "ana",
            "--format",
            "json",
        ],
    );
    // AR_begin 1,000; sales 2,000; AR_end 2,400, of which 2,000 current.
    assert_eq!(a["ar_end"], "2400.00");
    // CEI = (1,000 + 2,000 − 2,400) / (1,000 + 2,000 − 2,000) × 100 = 60.00
    assert_eq!(a["cei"], "60.00");

    // The same in CSV: a header and one row.
    let out = shop
        .arq("sam", "2026-04-10")
        .args([
            "report",
            "kpi",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let dso = headers.iter().position(|h| h == "dso").unwrap();
    assert_eq!(&rows[0][dso], "33.48");
}

#[test]
fn before_and_after_windows_have_equal_length() {
    let shop = portfolio();
    let c = shop.json(
        "sam",
        "2026-03-31",
        &[
            "report",
            "kpi",
            "--compare",
            "2026-03-16",
            "--format",
            "json",
        ],
    );
    assert_eq!(c["window_days"], 16);
    assert_eq!(c["before"]["from"], "2026-02-28");
    assert_eq!(c["before"]["to"], "2026-03-15");
    assert_eq!(c["after"]["from"], "2026-03-16");
    assert_eq!(c["after"]["to"], "2026-03-31");
    // Sales after: INV-3 (03-20); before: INV-2 (03-05).
    assert_eq!(c["after"]["credit_sales"], "500.00");
    assert_eq!(c["before"]["credit_sales"], "2000.00");
}

#[test]
fn activity_counts_what_each_collector_did() {
    let shop = portfolio();
    let rows = shop.json(
        "sam",
        "2026-03-31",
        &[
            "report",
            "activity",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "json",
        ],
    );
    let row = |u: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["user"] == u)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {u}: {rows}"))
    };
    let ana = row("ana");
    assert_eq!(
        (ana["calls"].as_u64(), ana["contacts"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(ana["promises"], 2);
    assert_eq!(ana["promised_amount"], "800.00");
    // One kept, one broken.
    assert_eq!(ana["promises_kept_rate"], "50.00");
    assert_eq!(ana["collected"], "600.00");
    assert_eq!(ana["accounts"], 1);
    let ben = row("ben");
    assert_eq!(
        (ben["calls"].as_u64(), ben["contacts"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(ben["promises"], 1);
    assert_eq!(ben["promises_kept_rate"], "0.00");
    assert_eq!(ben["collected"], "200.00");
    // ana touched C1 on two days; ben C2 on one.
    assert_eq!(ana["accounts_touched"], 2);
    assert_eq!(ben["accounts_touched"], 1);

    // An unknown collector is an error, not an empty report.
    shop.arq("sam", "2026-03-31")
        .args(["report", "activity", "--collector", "nobody"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no user 'nobody'"));
}

/// An account moved to another collector keeps its past: what was paid while ana owned
/// it stays hers in every report of that time, what is paid after the move is ben's,
/// and a report of a past month reads the same before and after the move.
#[test]
fn money_collected_stays_with_whoever_owned_the_account_that_day() {
    let shop = Shop::new("2026-03-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-03-01", "2026-03-10", "1000.00");
    shop.payment("P1", "C1", "2026-03-05", "300.00", Some("INV-1"));
    let collected = |from: &str, to: &str, as_of: &str| -> (String, String) {
        let rows = shop.json(
            "sam",
            as_of,
            &[
                "report", "activity", "--from", from, "--to", to, "--format", "json",
            ],
        );
        let of = |u: &str| {
            rows.as_array()
                .and_then(|r| r.iter().find(|r| r["user"] == u))
                .map(|r| r["collected"].as_str().unwrap_or_default().to_string())
                .unwrap_or_else(|| panic!("no row for {u}: {rows}"))
        };
        (of("ana"), of("ben"))
    };
    let early_march = collected("2026-03-01", "2026-03-10", "2026-03-14");
    assert_eq!(early_march, ("300.00".into(), "0.00".into()));

    shop.arq("sam", "2026-03-15")
        .args(["assign", "C1", "--to", "ben"])
        .assert()
        .success();
    shop.payment("P2", "C1", "2026-03-20", "200.00", Some("INV-1"));

    assert_eq!(
        collected("2026-03-01", "2026-03-10", "2026-03-31"),
        early_march,
        "a past period reads the same after the account moved"
    );
    assert_eq!(
        collected("2026-03-01", "2026-03-31", "2026-03-31"),
        ("300.00".into(), "200.00".into())
    );
    // A payment on the day of the move goes to the collector the account was moved
    // to (the day's figures are as of its end).
    shop.arq("sam", "2026-03-25")
        .args(["assign", "C1", "--to", "ana"])
        .assert()
        .success();
    shop.payment("P3", "C1", "2026-03-25", "50.00", Some("INV-1"));
    assert_eq!(
        collected("2026-03-01", "2026-03-31", "2026-03-31"),
        ("350.00".into(), "200.00".into())
    );
}

/// A customer created by an import names its first owner ("from" nobody): money paid
/// before the import day (a payments file going back further) is that owner's, as it
/// was before collections followed the moves.
#[test]
fn money_paid_before_a_customer_was_imported_is_its_first_owners() {
    let shop = Shop::new("2026-03-01");
    let csv = shop.dir.path().join("customers.csv");
    std::fs::write(
        &csv,
        "customer_id,name,email,collector\nC9,Backdated Ltd,ap@backdated.example,ana\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    shop.arq("admin", "2026-03-20")
        .args(["import", "customers", &csv.display().to_string()])
        .assert()
        .success();
    shop.invoice("INV-9", "C9", "2026-03-01", "2026-03-10", "900.00");
    shop.payment("P9", "C9", "2026-03-05", "400.00", Some("INV-9"));
    let rows = shop.json(
        "sam",
        "2026-03-31",
        &[
            "report",
            "activity",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "json",
        ],
    );
    let ana = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["user"] == "ana"))
        .unwrap_or_else(|| panic!("no row for ana: {rows}"));
    assert_eq!(ana["collected"], "400.00", "{rows}");
}

#[test]
fn the_funnel_separates_strategy_versions() {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ana");
    shop.invoice("INV-1", "C1", "2026-01-01", "2026-02-01", "500.00");
    shop.invoice("INV-2", "C2", "2026-01-01", "2026-02-20", "500.00");
    run(&shop, "2026-02-02"); // C1: friendly under version 1
    // A changed default strategy: longer waits. It is version 2 from 2026-02-10.
    let src = arq::assets::STRATEGIES
        .iter()
        .find(|(f, _)| f.contains("default"))
        .map(|(_, s)| s.replace("wait_days = 5", "wait_days = 9"))
        .unwrap();
    let file = shop.dir.path().join("standard.toml");
    std::fs::write(&file, src).unwrap();
    shop.arq("admin", "2026-02-10")
        .args(["strategy", "load", &file.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "— version 2, in force from 2026-02-10",
        ));
    // Loading the same file again is no new version, and says so.
    shop.arq("admin", "2026-02-10")
        .args(["strategy", "load", &file.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "— unchanged: version 2 stays in force",
        ));
    run(&shop, "2026-02-21"); // C2: friendly under version 2; C1: serious under version 2
    shop.payment("P1", "C1", "2026-02-22", "500.00", None);
    run(&shop, "2026-02-23"); // C1 cured after its second step
    let f = shop.json(
        "sam",
        "2026-02-28",
        &[
            "report",
            "funnel",
            "--from",
            "2026-02-01",
            "--to",
            "2026-02-28",
            "--format",
            "json",
        ],
    );
    let rows: Vec<(String, i64, String, u64, u64)> = f
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["strategy"].as_str().unwrap().to_string(),
                r["version"].as_i64().unwrap(),
                r["step"].as_str().unwrap().to_string(),
                r["reached"].as_u64().unwrap(),
                r["cured_before_next"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("standard".into(), 1, "friendly".into(), 1, 0),
            ("standard".into(), 2, "friendly".into(), 1, 0),
            ("standard".into(), 2, "serious".into(), 1, 1),
        ]
    );
    let versions = shop.count("strategy_versions WHERE strategy_id = 'standard'");
    assert_eq!(versions, 2);
}

#[test]
fn an_objective_keeps_its_baseline_and_follows_the_trend() {
    let shop = portfolio();
    shop.arq("sam", "2026-03-31")
        .args([
            "objective",
            "add",
            "--kpi",
            "calls_per_day",
            "--target",
            "2",
            "--by",
            "2026-05-29",
            "--collector",
            "ana",
        ])
        .assert()
        .success();
    shop.arq("sam", "2026-03-31")
        .args([
            "objective",
            "add",
            "--kpi",
            "dso",
            "--target",
            "30",
            "--by",
            "2026-03-01",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not after today"));
    // ana calls three times a day for a week.
    for day in [
        "2026-04-01",
        "2026-04-02",
        "2026-04-03",
        "2026-04-06",
        "2026-04-07",
    ] {
        for _ in 0..3 {
            shop.arq("ana", day)
                .args(["log", "call", "C1", "--outcome", "no-answer"])
                .assert()
                .success();
        }
    }
    let o = shop.json(
        "sam",
        "2026-04-07",
        &["report", "objectives", "--format", "json"],
    );
    let o = &o[0];
    assert_eq!(o["kpi"], "calls_per_day");
    assert_eq!(o["collector"], "ana");
    assert_eq!(o["baseline_on"], "2026-03-31");
    // On 03-31 ana had made no call in the week before it.
    assert_eq!(o["baseline"], "0.00");
    // Fifteen calls over the five working days to 04-07.
    assert_eq!(o["current"], "3.00");
    assert_eq!(o["standing"], "met");
    shop.arq("sam", "2026-04-07")
        .args(["objective", "remove", "1"])
        .assert()
        .success();
    let o = shop.json(
        "sam",
        "2026-04-07",
        &["objective", "list", "--format", "json"],
    );
    assert_eq!(o.as_array().map(Vec::len), Some(0));
}

#[test]
fn collectors_cannot_read_the_supervisors_reports() {
    let shop = portfolio();
    for args in [
        vec!["report", "kpi"],
        vec!["report", "activity"],
        vec!["report", "funnel"],
        vec!["report", "objectives"],
        vec![
            "objective",
            "add",
            "--kpi",
            "dso",
            "--target",
            "30",
            "--by",
            "2026-12-31",
        ],
        vec!["objective", "remove", "1"],
    ] {
        shop.arq("ana", "2026-03-31")
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains("only supervisors and admins"));
    }
}

#[test]
fn the_daily_run_keeps_a_snapshot_that_agrees_with_the_records() {
    let shop = portfolio();
    let store = arq::store::Store::open(&shop.db).unwrap();
    let (open, current): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT open_balance, current FROM kpi_daily WHERE day = '2026-03-31'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((open, current), (270_000, 200_000));
}

/// Money that moves after the day's close (a write-off approved, a payment imported)
/// takes the day's figures again, so the KPI screen's today agrees with `report aging`.
#[test]
fn money_moved_after_the_close_takes_the_days_figures_again() {
    let shop = portfolio();
    let day = "2026-03-31";
    let snapshot = || -> (i64, i64) {
        let store = arq::store::Store::open(&shop.db).unwrap();
        store
            .conn()
            .query_row(
                "SELECT open_balance, written_off FROM kpi_daily WHERE day = ?1",
                [day],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(snapshot(), (270_000, 0));
    // sam writes off what is left of INV-3 (300.00) after the close.
    shop.arq("sam", day)
        .args([
            "writeoff",
            "C2",
            "--invoice",
            "INV-3",
            "--note",
            "small balance",
        ])
        .assert()
        .success();
    assert_eq!(snapshot(), (240_000, 30_000));
    let aging = shop.json("sam", day, &["report", "aging", "--format", "json"]);
    assert_eq!(aging["total"], "2400.00", "{aging}");
}

/// `report kpi` as a table lines its figures up in one column, whatever their unit
/// (days, %, money): each ends where the others end.
#[test]
fn the_kpi_table_lines_up_its_figures() {
    let shop = portfolio();
    let out = shop
        .arq("sam", "2026-03-31")
        .args([
            "report",
            "kpi",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // Where the first figure on a row ends (a run of digits, commas and a point).
    let end_of_figure = |label: &str| -> usize {
        let line = text
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in\n{text}"));
        let rest = &line[label.len()..];
        let start = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or_else(|| panic!("no figure on {line}"));
        let len = rest[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(rest.len() - start);
        line[..label.len() + start + len].chars().count()
    };
    let at = end_of_figure("DSO");
    for label in ["CEI", "promise-kept rate", "collected", "open at the end"] {
        assert_eq!(end_of_figure(label), at, "{label}:\n{text}");
    }
}
