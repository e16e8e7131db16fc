//! What-if (`arq strategy try`): a candidate equal to the current strategy replays the
//! record exactly, every step on every day; a stricter one on a small shop makes the
//! calls and holds counted here by hand; the database is never written.

mod common;

use std::collections::BTreeSet;

use arq::config::Config;
use arq::demo::{self, DemoOptions, Size};
use arq::progress::Silent;
use arq::service::whatif::{Accounts, TryRequest};
use arq::service::{Session, noon_utc};
use arq::store::Store;
use common::d;

fn demo_shop(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("demo.db");
    let opts = DemoOptions {
        size: Size::Small,
        seed: 7,
        today: d("2026-11-20"),
        history_days: 120,
    };
    demo::build(&path, &opts, &Config::default(), &Silent).unwrap_or_else(|e| panic!("demo: {e}"));
    path
}

fn session(path: &std::path::Path, user: &str, as_of: &str) -> Session {
    let store = Store::open(path).unwrap_or_else(|e| panic!("{e}"));
    Session::open(store, user, d(as_of), noon_utc(d(as_of)), Config::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The lines of one world that the other lacks, at most a few.
fn missing(a: &[String], b: &[String]) -> Vec<String> {
    let b: BTreeSet<&String> = b.iter().collect();
    a.iter()
        .filter(|l| !b.contains(l))
        .take(12)
        .cloned()
        .collect()
}

#[test]
fn the_current_strategy_tried_on_the_demo_replays_every_step_of_every_day() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = demo_shop(dir.path());
    let mut s = session(&db, "sam", "2026-11-20");
    for id in ["standard", "gentle", "strict"] {
        let (_, source) = s.strategy(id).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join(format!("{id}.toml"));
        std::fs::write(&file, source).unwrap_or_else(|e| panic!("{e}"));
        let w = s
            .try_strategy_file(
                &file,
                &TryRequest {
                    from: d("2026-09-21"),
                    to: d("2026-11-20"),
                    accounts: Accounts::AsLoaded,
                },
                &Silent,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let actual: Vec<String> = w.actual_log.iter().map(|h| h.to_string()).collect();
        let candidate: Vec<String> = w.candidate_log.iter().map(|h| h.to_string()).collect();
        assert!(
            actual.len() > 500,
            "{id}: the period has work to replay ({})",
            actual.len()
        );
        assert!(
            actual == candidate,
            "{id}: the record did but the replay did not:\n{}\nthe replay did but the record did not:\n{}",
            missing(&actual, &candidate).join("\n"),
            missing(&candidate, &actual).join("\n"),
        );
        assert_eq!(w.actual, w.candidate, "{id}");
        assert!(w.followed_candidate > 0, "{id}");
    }
}

const MILD: &str = r#"
[strategy]
id = "mild"
name = "Mild"
rank = 10
grace_days = 2
business_days = false

[strategy.end]
action = "review"
every_days = 60

[[step]]
id = "friendly"
action = "email"
template = "friendly_reminder"
min_past_due = "200.00"
min_days_past_due = 1
"#;

const FIRM: &str = r#"
[strategy]
id = "firm"
name = "Firm"
rank = 10
grace_days = 2
business_days = false

[strategy.end]
action = "review"
every_days = 60

[[step]]
id = "friendly"
action = "email"
template = "friendly_reminder"
min_past_due = "200.00"
min_days_past_due = 1

[[step]]
id = "call"
action = "call"
wait_days = 3

[[step]]
id = "hold"
action = "credit_hold"
wait_days = 2
"#;

/// `strategy try FILE --from 2026-10-01 --customers IDS`, then `more`.
fn try_firm<'a>(file: &'a str, ids: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "strategy",
        "try",
        file,
        "--from",
        "2026-10-01",
        "--customers",
        ids,
    ];
    args.extend_from_slice(more);
    args
}

#[test]
fn a_stricter_strategy_makes_the_calls_and_holds_counted_by_hand_and_writes_nothing() {
    let shop = common::Shop::new("2026-09-01");
    let mild = shop.dir.path().join("mild.toml");
    let firm = shop.dir.path().join("firm.toml");
    std::fs::write(&mild, MILD).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&firm, FIRM).unwrap_or_else(|e| panic!("{e}"));
    shop.session("admin", "2026-09-01")
        .load_strategy(&mild)
        .unwrap_or_else(|e| panic!("{e}"));
    for id in ["A", "B", "C"] {
        let mut c = arq::domain::Customer::named(id, &format!("{id} Trading Co"));
        c.owner = Some("ana".into());
        c.email = Some(format!("ap@{}.example", id.to_ascii_lowercase()));
        c.strategy = Some("mild".into());
        shop.put_customer(&c);
    }
    // A is 11 days past due on the 1st; B comes due on the 5th; C owes too little.
    shop.invoice("A-1", "A", "2026-08-21", "2026-09-20", "1000.00");
    shop.invoice("B-1", "B", "2026-09-05", "2026-10-05", "500.00");
    shop.invoice("C-1", "C", "2026-08-01", "2026-09-01", "100.00");
    let mut day = d("2026-10-01");
    while day <= d("2026-10-14") {
        shop.session("admin", &day.to_string())
            .run_day(false)
            .unwrap_or_else(|e| panic!("{e}"));
        day += chrono::Duration::days(1);
    }
    let ids = shop.dir.path().join("ids.txt");
    std::fs::write(&ids, "# the three accounts\nA\nB\nC\n").unwrap_or_else(|e| panic!("{e}"));
    let before = shop.fingerprint();
    let (f, i) = (firm.display().to_string(), ids.display().to_string());
    let w = shop.json(
        "sam",
        "2026-10-14",
        &try_firm(&f, &i, &["--to", "2026-10-14", "--format", "json"]),
    );
    assert_eq!(
        shop.fingerprint(),
        before,
        "the shop's database is unchanged"
    );
    // The record (mild): A's email on the 1st, B's on the 6th (its first day past due).
    // The candidate (firm): the same emails; A's call on the 4th (1st + 3), worked the
    // next day as nobody did it in the record, so A's hold on the 7th (5th + 2); B's
    // call on the 9th, worked the 10th, hold on the 12th. C stays under 200.00.
    let pick = |world: &str, k: &str| {
        w[world][k]
            .as_u64()
            .unwrap_or_else(|| panic!("{world}.{k}: {w}"))
    };
    for (k, actual, candidate) in [
        ("steps", 2, 6),
        ("emails", 2, 2),
        ("calls", 0, 2),
        ("holds", 0, 2),
        ("tasks", 0, 2),
        ("escalations", 0, 0),
        ("customers_contacted", 2, 2),
    ] {
        assert_eq!(
            (pick("actual", k), pick("candidate", k)),
            (actual, candidate),
            "{k}"
        );
    }
    assert_eq!(w["strategy"], "firm");
    assert_eq!(w["accounts"], 3);
    assert_eq!(w["from"], "2026-10-01");
    let ana = w["per_collector"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["user"] == "ana"))
        .unwrap_or_else(|| panic!("ana: {w}"));
    assert_eq!(
        (
            ana["actual_peak_day"].as_u64(),
            ana["candidate_peak_day"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert!(
        w["estimated"]["error_note"]
            .as_str()
            .is_some_and(|n| n.contains("estimate"))
    );
    for k in ["collected_delta", "dso_delta"] {
        assert!(w["estimated"].get(k).is_some(), "{k}");
    }

    // The table says which figures are certain and which are estimated.
    let out = shop
        .arq("sam", "2026-10-14")
        .args(try_firm(&f, &i, &[]))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "Certain",
        "Estimated — not a record",
        "credit holds set",
        "calls to make",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // CSV has its header row.
    let out = shop
        .arq("sam", "2026-10-14")
        .args(try_firm(&f, &i, &["--format", "csv"]))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("figure,kind,actual,candidate,change\n")
    );

    // A collector may not; a period after the last close and an unknown id are refused.
    let refused = |user: &str, args: &[&str], want: &str| {
        let out = shop
            .arq(user, "2026-10-14")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(want),
            "{args:?}: {err}"
        );
    };
    refused("ana", &["strategy", "try", &f], "supervisor");
    refused(
        "sam",
        &["strategy", "try", &f, "--to", "2026-10-20"],
        "after the last daily close",
    );
    std::fs::write(&ids, "A\nZZ\n").unwrap_or_else(|e| panic!("{e}"));
    refused("sam", &try_firm(&f, &i, &[]), "ids.txt:2: no customer 'ZZ'");
    refused(
        "sam",
        &["strategy", "try", &f, "--accounts-of", "nope"],
        "no strategy 'nope'",
    );
}
