//! Payment behaviour through the real binary and real databases: `report risk` in the
//! shape of DESIGN §5, a replay as of a past day that ignores later payments, the
//! daily run keeping each customer's class for strategies and the queue's factor, and
//! the evaluation on the "habit and drift" payer history (tests/payers), where the
//! estimates must beat both baselines.

mod common;
mod payers;

use arq::service::queue::QueueScope;
use common::{Shop, d};
use serde_json::Value;

/// A shop where ana's C1 pays about 40 days late and C2 about on time, each with six
/// paid invoices, one open invoice each, and C1's last payment after 2026-05-20.
fn shop(with_late_payment: bool) -> Shop {
    let s = Shop::new("2026-01-01");
    s.customer("C1", "ana");
    s.customer("C2", "ana");
    for i in 0..6u32 {
        let issue = d("2026-01-01") + chrono::Duration::days(i64::from(i) * 14);
        let due = issue + chrono::Duration::days(30);
        for (c, late) in [("C1", 40 + i64::from(i % 3)), ("C2", i64::from(i % 3))] {
            let no = format!("{c}-{i}");
            s.invoice(&no, c, &issue.to_string(), &due.to_string(), "1000.00");
            let paid = due + chrono::Duration::days(late);
            if paid <= d("2026-05-20") || with_late_payment {
                s.payment(
                    &format!("P-{no}"),
                    c,
                    &paid.to_string(),
                    "1000.00",
                    Some(&no),
                );
            }
        }
    }
    s.invoice("C1-OPEN", "C1", "2026-05-01", "2026-05-31", "500.00");
    s.invoice("C2-OPEN", "C2", "2026-05-01", "2026-05-31", "500.00");
    s
}

fn customer<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["customers"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["customer_id"] == id))
        .unwrap_or_else(|| panic!("no {id} in {r}"))
}

#[test]
fn report_risk_has_the_design_shape_and_ranks_the_late_payer_later() {
    let s = shop(true);
    // The day before the open invoices fall due.
    let r = s.json("sam", "2026-05-30", &["report", "risk", "--format", "json"]);
    assert_eq!(r["as_of"], "2026-05-30");
    let c1 = customer(&r, "C1");
    let keys: Vec<&str> = c1
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut want = vec![
        "customer_id",
        "name",
        "history",
        "avg_days_late",
        "expected_days_late",
        "class",
    ];
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(c1["history"], 6);
    assert_eq!(c1["avg_days_late"], 41.0);
    assert_eq!(c1["class"], "high");
    assert_eq!(customer(&r, "C2")["avg_days_late"], 1.0);
    let inv = r["invoices"].as_array().cloned().unwrap_or_default();
    assert_eq!(inv.len(), 2);
    let of = |no: &str| {
        inv.iter()
            .find(|i| i["invoice_no"] == no)
            .cloned()
            .unwrap_or_default()
    };
    let (late, prompt) = (of("C1-OPEN"), of("C2-OPEN"));
    for key in [
        "invoice_no",
        "customer_id",
        "due_date",
        "balance",
        "expected_pay_date",
        "expected_days_late",
        "p_late_30",
    ] {
        assert!(late.get(key).is_some(), "{key} missing in {late}");
    }
    assert_eq!(late["balance"], "500.00");
    assert!(late["expected_pay_date"].as_str() > prompt["expected_pay_date"].as_str());
    assert!(late["p_late_30"].as_f64() > Some(0.7), "{late}");
    assert!(prompt["p_late_30"].as_f64() < Some(0.3), "{prompt}");

    // CSV: a header, two customer rows and two invoice rows.
    let out = s
        .arq("sam", "2026-05-30")
        .args(["report", "risk", "--format", "csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("kind,customer_id,name,history"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("customer,")).count(),
        2
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("invoice,")).count(),
        2
    );
}

#[test]
fn a_replay_as_of_a_past_day_ignores_later_payments() {
    // The same shop with and without the payments made after 2026-05-20.
    let with = shop(true);
    let without = shop(false);
    let args = ["report", "risk", "--format", "json"];
    let a = with.json("sam", "2026-05-20", &args);
    let b = without.json("sam", "2026-05-20", &args);
    assert_eq!(a, b);
    // And later on they differ: the late payments count once made.
    assert_ne!(
        with.json("sam", "2026-06-10", &args),
        without.json("sam", "2026-06-10", &args)
    );
}

#[test]
fn the_daily_run_keeps_the_class_for_strategies_and_the_queue_explains_it() {
    let s = shop(true);
    // Before any run the account says it is not measured yet.
    let a = s.json(
        "ana",
        "2026-07-15",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(a["behaviour"], Value::Null);
    s.arq("sam", "2026-07-15").args(["run"]).assert().success();
    let a = s.json(
        "ana",
        "2026-07-15",
        &["account", "show", "C1", "--format", "json"],
    );
    assert_eq!(a["behaviour"]["class"], "high");
    assert_eq!(a["behaviour"]["history"], 6);
    // No risk was given, so the learned class is the one strategies go by.
    assert_eq!(a["risk"], "high");
    let table = s
        .arq("ana", "2026-07-15")
        .args(["account", "show", "C1"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("41 days late on average (6 invoices)"),
        "{text}"
    );
    assert!(text.contains("risk high (learned)"), "{text}");

    // The queue's priority explains the behaviour factor, and it weighs: C1 (41 days
    // late) scores above what it would without it.
    s.arq("ana", "2026-07-15")
        .args([
            "callback",
            "C1",
            "--date",
            "2026-07-15",
            "--note",
            "call back",
        ])
        .assert()
        .success();
    let q = s
        .session("ana", "2026-07-15")
        .queue(&QueueScope::Mine, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let item = q
        .iter()
        .find(|i| i.customer_id == "C1")
        .unwrap_or_else(|| panic!("no C1 item in {q:?}"));
    let f = item
        .factors
        .iter()
        .find(|f| f.name == "payment behaviour")
        .unwrap_or_else(|| panic!("{:?}", item.factors));
    assert!(
        f.why.contains("pays 41 days late on average, 6 invoices"),
        "{f:?}"
    );
    assert!(f.value > rust_decimal::Decimal::ONE, "{f:?}");
    // The risk the score weighs is the one the account shows: the learned class.
    assert_eq!(item.risk.to_string(), "high");
    let r = item
        .factors
        .iter()
        .find(|f| f.name == "risk")
        .unwrap_or_else(|| panic!("{:?}", item.factors));
    assert!(r.why.contains("high risk"), "{r:?}");
    assert!(r.value > rust_decimal::Decimal::ONE, "{r:?}");
}

/// The cutoffs the evaluation is reported on (docs/PREDICTION.md).
const HABIT_CUTOFFS: [&str; 3] = ["2025-09-30", "2025-12-31", "2026-03-31"];

#[test]
fn on_the_habit_and_drift_history_the_estimates_beat_both_baselines() {
    let s = Shop::new("2025-01-01");
    let h = payers::write(s.dir.path(), 12, 400, d("2025-01-01"), 540);
    let end = h.end.to_string();
    for kind in ["customers", "invoices", "payments"] {
        let file = s.dir.path().join(format!("{kind}.csv"));
        s.arq("admin", &end)
            .args(["import", kind, &file.display().to_string()])
            .assert()
            .success();
    }
    let mut args = vec!["report", "risk", "--evaluate", "--format", "json"];
    for c in HABIT_CUTOFFS {
        args.extend(["--cutoff", c]);
    }
    let e = s.json("sam", &end, &args);
    let cutoffs = e["cutoffs"].as_array().cloned().unwrap_or_default();
    assert_eq!(cutoffs.len(), HABIT_CUTOFFS.len());
    for c in &cutoffs {
        let f = |k: &str, w: &str| c[k][w].as_f64().unwrap_or(f64::NAN);
        let mae = f("mae", "model");
        assert!(
            mae < f("mae", "customer_average") && mae < f("mae", "due_date"),
            "MAE {c}"
        );
        let auc = f("auc", "model");
        assert!(auc > 0.75, "AUC {c}");
        assert!(
            auc > f("auc", "customer_average") && auc > f("auc", "due_date"),
            "AUC {c}"
        );
        assert!(c["paid"].as_u64() > Some(500), "{c}");
    }
}
