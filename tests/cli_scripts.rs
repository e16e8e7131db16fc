//! The command line as a script writer uses it, on the small demo: every `--format`
//! honoured (CSV parsed back, always with its header) or refused, unknown users
//! named, words for people and codes for scripts, `--help` that describes
//! everything, completions and a man page.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the message

mod tui_common;

use std::collections::BTreeSet;
use std::path::Path;

use arq::cli::Cli;
use clap::CommandFactory;
use serde_json::Value;

struct Demo {
    copy: tui_common::Copy,
    config: std::path::PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let copy = tui_common::copy();
        let config = copy.dir.path().join("config.toml");
        // Mail goes to files beside the copy, never into the user's data directory.
        let outbox = copy.dir.path().join("outbox");
        std::fs::write(
            &config,
            format!("[mail]\ndir = {:?}\n", outbox.display().to_string()),
        )
        .unwrap();
        Demo { copy, config }
    }

    fn arq(&self, user: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = assert_cmd::Command::cargo_bin("arq").unwrap();
        cmd.env_remove("ARQ_DB")
            .env_remove("ARQ_USER")
            .env_remove("ARQ_CONFIG")
            .env_remove("ARQ_AS_OF")
            .env("XDG_DATA_HOME", self.copy.dir.path().join("data"))
            .args(["--db", &self.copy.db.display().to_string()])
            .args(["--config", &self.config.display().to_string()])
            .args(["--user", user]);
        if !args.contains(&"--as-of") {
            cmd.args(["--as-of", tui_common::DAY]);
        }
        cmd.args(args);
        cmd.output().unwrap()
    }

    fn ok(&self, user: &str, args: &[&str]) -> String {
        let out = self.arq(user, args);
        assert!(
            out.status.success(),
            "arq {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, user: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(user, args)).unwrap()
    }

    fn refused(&self, user: &str, args: &[&str]) -> String {
        let out = self.arq(user, args);
        assert!(!out.status.success(), "arq {args:?} was accepted");
        String::from_utf8(out.stderr).unwrap()
    }
}

/// CSV text → (header, rows), every row as long as the header.
fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{header:?} {row:?}");
    }
    (header, rows)
}

fn column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|r| r[i].as_str()).collect()
}

/// Every command that takes `--format`, as a path of subcommand names.
fn commands_with_format() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut BTreeSet<String>) {
        for sub in cmd.get_subcommands() {
            let here = format!("{path} {}", sub.get_name()).trim().to_string();
            if sub.get_arguments().any(|a| a.get_id() == "format") {
                out.insert(here.clone());
            }
            walk(sub, &here, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&Cli::command(), "", &mut out);
    out
}

#[test]
fn every_format_is_honoured_or_refused_and_csv_has_a_header() {
    let d = Demo::new();
    let mut tested = BTreeSet::new();
    let mut check = |path: &str, user: &str, args: &[&str], want_header: &[&str]| {
        tested.insert(path.to_string());
        let text = d.ok(user, args);
        let (header, rows) = parse_csv(&text);
        assert_eq!(header, want_header, "{path}");
        (header, rows)
    };

    // queue: the same items, best first, as the JSON.
    let (h, rows) = check(
        "queue",
        "sam",
        &["queue", "--all", "--format", "csv"],
        &[
            "rank",
            "item_id",
            "customer_id",
            "customer_name",
            "owner",
            "reason",
            "action",
            "step",
            "due",
            "days_overdue",
            "collectible_past_due",
            "dpd",
            "score",
            "note",
        ],
    );
    let json = d.json("sam", &["queue", "--all", "--format", "json"]);
    let ids: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].to_string())
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(column(&h, &rows, "item_id"), ids);
    // Codes, not words, for scripts.
    assert!(column(&h, &rows, "action").contains(&"release_hold"));
    // An empty queue still has its header.
    let text = d.ok(
        "ana",
        &["queue", "--format", "csv", "--as-of", "2020-01-01"],
    );
    assert_eq!(parse_csv(&text).1.len(), 0);
    assert!(text.starts_with("rank,item_id,"), "{text}");

    // report aging: one row per customer, the totals those of the JSON.
    let (h, rows) = check(
        "report aging",
        "sam",
        &["report", "aging", "--format", "csv"],
        &[
            "customer_id",
            "name",
            "owner",
            "total",
            "current",
            "d1_30",
            "d31_60",
            "d61_90",
            "d91_plus",
        ],
    );
    let json = d.json("sam", &["report", "aging", "--format", "json"]);
    let total: i64 = column(&h, &rows, "total")
        .iter()
        .map(|t| arq::domain::parse_amount(t).unwrap().to_minor())
        .sum();
    let want = arq::domain::parse_amount(json["total"].as_str().unwrap())
        .unwrap()
        .to_minor();
    assert_eq!(total, want);

    check(
        "holds",
        "ana",
        &["holds", "--format", "csv"],
        &[
            "customer_id",
            "name",
            "owner",
            "since",
            "reason",
            "set_by",
            "balance",
            "past_due",
            "held_for",
            "credit_limit",
            "over_limit",
        ],
    );
    check(
        "warnings",
        "sam",
        &["warnings", "--format", "csv"],
        &[
            "customer_id",
            "name",
            "owner",
            "since",
            "reason",
            "balance",
            "past_due",
            "next_due",
            "item_id",
        ],
    );
    // strategy try: one row per figure, certain ones with both worlds, the estimate's
    // change only; the JSON's certain figures are the same numbers.
    let strict = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/strategies/strict.toml");
    let try_args = [
        "strategy",
        "try",
        strict,
        "--accounts-of",
        "gentle",
        "--from",
        "2026-10-22",
    ];
    let csv_args: Vec<&str> = try_args
        .iter()
        .copied()
        .chain(["--format", "csv"])
        .collect();
    let (h, rows) = check(
        "strategy try",
        "sam",
        &csv_args,
        &["figure", "kind", "actual", "candidate", "change"],
    );
    let json_args: Vec<&str> = try_args
        .iter()
        .copied()
        .chain(["--format", "json"])
        .collect();
    let w = d.json("sam", &json_args);
    let calls = rows
        .iter()
        .find(|r| r[0] == "calls to make")
        .unwrap_or_else(|| panic!("{h:?} {rows:?}"));
    assert_eq!(calls[2], w["actual"]["calls"].to_string());
    assert_eq!(calls[3], w["candidate"]["calls"].to_string());
    assert!(
        rows.iter()
            .any(|r| r[0] == "collected" && r[1] == "estimated")
    );
    let table = d.ok("sam", &try_args);
    assert!(
        table.contains("Certain") && table.contains("Estimated"),
        "{table}"
    );
    let (h, rows) = check(
        "outbox list",
        "sam",
        &["outbox", "list", "--format", "csv"],
        &[
            "id",
            "created_on",
            "customer_id",
            "channel",
            "template",
            "recipient",
            "subject",
            "status",
            "attempts",
            "last_error",
        ],
    );
    assert!(!rows.is_empty());
    assert!(
        column(&h, &rows, "status")
            .iter()
            .all(|s| ["pending", "sending", "sent", "cancelled"].contains(s))
    );
    check(
        "template list",
        "ana",
        &["template", "list", "--format", "csv"],
        &["template", "has_html", "source"],
    );

    // import: a one-row summary.
    let file = d.copy.dir.path().join("customers.csv");
    std::fs::write(&file, "customer_id,name\nNEW-1,New Customer Ltd\n").unwrap();
    let (h, rows) = check(
        "import",
        "admin",
        &[
            "import",
            "customers",
            &file.display().to_string(),
            "--dry-run",
            "--format",
            "csv",
        ],
        &[
            "kind",
            "file",
            "preset",
            "dry_run",
            "rows",
            "created",
            "updated",
            "unchanged",
            "merged_rows",
            "customers_created",
            "payments_recorded",
            "credits_recorded",
            "balance_payments",
            "adjustments",
            "closed_by_snapshot",
            "skipped_rows",
        ],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(column(&h, &rows, "created"), ["1"]);

    // run: a one-row summary with the delivery that ends it.
    let (h, rows) = check(
        "run",
        "admin",
        &["run", "--format", "csv"],
        &[
            "as_of",
            "dry_run",
            "evaluated",
            "steps_done",
            "cycles_started",
            "auto_actions",
            "mail_queued",
            "holds_set",
            "tasks_created",
            "promises_kept",
            "promises_partially_kept",
            "promises_broken",
            "cured",
            "holds_released",
            "sent",
            "failed",
            "in_doubt",
            "cancelled",
            "delivery_error",
        ],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(column(&h, &rows, "as_of"), [tui_common::DAY]);
    assert_ne!(column(&h, &rows, "evaluated"), ["0"]);

    // outbox send: one row per message it dealt with.
    check(
        "outbox send",
        "admin",
        &["outbox", "send", "--format", "csv"],
        &[
            "outbox_id",
            "customer_id",
            "channel",
            "to",
            "result",
            "detail",
            "reason",
        ],
    );

    // The supervisor's reports.
    check(
        "report activity",
        "sam",
        &["report", "activity", "--format", "csv"],
        &[
            "user",
            "role",
            "calls",
            "contacts",
            "accounts_touched",
            "promises",
            "promised_amount",
            "promises_kept_rate",
            "collected",
            "tasks_due",
            "tasks_done",
            "tasks_overdue",
            "oldest_overdue",
            "accounts",
            "open_balance",
            "worklist",
            "progress",
            "disputes_opened",
            "disputes_resolved",
        ],
    );
    let (h, rows) = check(
        "report kpi",
        "sam",
        &["report", "kpi", "--format", "csv"],
        &[
            "from",
            "to",
            "days",
            "collector",
            "dso",
            "bpdso",
            "add",
            "cei",
            "promise_kept_rate",
            "ar_begin",
            "ar_end",
            "current_end",
            "past_due_end",
            "d91_plus_end",
            "credit_sales",
            "collected",
            "written_off",
            "recovered_by_agencies",
            "promises_kept",
            "promises_partially_kept",
            "promises_broken",
            "calls",
            "contacts",
        ],
    );
    assert_eq!(column(&h, &rows, "to"), [tui_common::DAY]);
    check(
        "report funnel",
        "sam",
        &["report", "funnel", "--format", "csv"],
        &[
            "strategy",
            "version",
            "step",
            "index",
            "reached",
            "cured_before_next",
            "cure_rate",
        ],
    );
    check(
        "report risk",
        "sam",
        &["report", "risk", "--format", "csv"],
        &[
            "kind",
            "customer_id",
            "name",
            "history",
            "avg_days_late",
            "expected_days_late",
            "class",
            "invoice_no",
            "due_date",
            "balance",
            "expected_pay_date",
            "p_late_30",
        ],
    );
    let objectives = [
        "id",
        "kpi",
        "collector",
        "baseline_on",
        "baseline",
        "current",
        "target",
        "by",
        "projected",
        "standing",
    ];
    check(
        "report objectives",
        "sam",
        &["report", "objectives", "--format", "csv"],
        &objectives,
    );
    check(
        "objective list",
        "sam",
        &["objective", "list", "--format", "csv"],
        &objectives,
    );

    // audit verify: one row, the verdict and its counts.
    let (_, rows) = check(
        "audit verify",
        "sam",
        &["audit", "verify", "--format", "csv"],
        &[
            "ok",
            "events",
            "keyed",
            "anchors_checked",
            "head",
            "anchored",
            "problems",
            "disagreements",
        ],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "true", "{rows:?}");

    // db copy needs a PostgreSQL server: its CSV row is checked in tests/team_postgres.rs.
    tested.insert("db copy".to_string());

    // account show is not one table: csv is refused, naming what it can give.
    tested.insert("account show".to_string());
    let customer = ids_customer(&d);
    let err = d.refused("ana", &["account", "show", &customer, "--format", "csv"]);
    assert!(
        err.contains("invalid value 'csv'") && err.contains("[possible values: table, json]"),
        "{err}"
    );
    assert!(
        d.json("ana", &["account", "show", &customer, "--format", "json"])["customer_id"]
            .is_string()
    );

    assert_eq!(
        tested,
        commands_with_format(),
        "every command with --format is checked here"
    );
}

/// A customer on ana's queue.
fn ids_customer(d: &Demo) -> String {
    let q = d.json("ana", &["queue", "--format", "json", "--limit", "1"]);
    q[0]["customer_id"].as_str().unwrap().to_string()
}

#[test]
fn an_unknown_user_is_an_error_naming_them() {
    let d = Demo::new();
    for args in [
        &["queue", "--collector", "nobody"][..],
        &["report", "aging", "--collector", "nobody"],
        &[
            "report",
            "aging",
            "--collector",
            "nobody",
            "--format",
            "json",
        ],
    ] {
        let err = d.refused("sam", args);
        assert!(err.contains("no user 'nobody'"), "{args:?}: {err}");
    }
    // A known collector with nothing due is no error.
    assert!(
        d.ok(
            "sam",
            &["queue", "--collector", "ben", "--as-of", "2020-01-01"]
        )
        .contains("Nothing due on 2020-01-01 for ben.")
    );
    // `report aging --from` meant nothing: it is refused, saying what to use.
    let err = d.refused("sam", &["report", "aging", "--from", "2026-01-01"]);
    assert!(
        err.contains("takes no --from") && err.contains("--to"),
        "{err}"
    );
}

/// Looks up one row for a fixture through the store (the test's own setup).
fn first(db: &Path, sql: &str) -> String {
    let s = arq::store::Store::open(db).unwrap();
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn tables_speak_words_and_json_keeps_codes() {
    let d = Demo::new();
    let queue = d.ok("sam", &["queue", "--all"]);
    for code in [
        "release_hold",
        "write_off_review",
        "broken_promise",
        "dispute_follow_up",
    ] {
        assert!(!queue.contains(code), "{code} in:\n{queue}");
    }
    assert!(queue.contains("approve release"), "{queue}");
    // Each action is shown whole, in words, with its step.
    let json = d.json("sam", &["queue", "--all", "--format", "json"]);
    let items = json.as_array().unwrap();
    assert!(items.iter().any(|i| i["action"] == "release_hold"));
    for i in items {
        let words = |v: &Value| v.as_str().unwrap_or_default().replace('_', " ");
        // What the item asks for, in the words people read (`strategy exhausted`); a
        // message step left to a person is a personal contact (`contact, not email`).
        let label = i["action"]
            .as_str()
            .and_then(|a| a.parse::<arq::domain::ItemAction>().ok())
            .map(|a| match a.as_str() {
                "email" | "sms" | "letter" => format!("contact, not {a}"),
                _ => a.label().to_string(),
            })
            .unwrap_or_else(|| words(&i["action"]));
        let action = match i["step"].as_str() {
            Some(step) if step != i["action"] && step != "end" => {
                format!("{label} ({})", words(&i["step"]))
            }
            _ => label,
        };
        let line = queue
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(&i["item_id"].to_string()))
            .unwrap_or_else(|| panic!("item {} not in:\n{queue}", i["item_id"]));
        assert!(line.contains(&format!("  {action}  ")), "{action}: {line}");
    }

    let customer = first(
        &d.copy.db,
        "SELECT customer_id FROM promises WHERE status = 'partially_kept' LIMIT 1",
    );
    let shown = d.ok("sam", &["account", "show", &customer]);
    assert!(shown.contains("— partially kept (taken"), "{shown}");
    assert!(!shown.contains("partially_kept"), "{shown}");
    let json = d.json("sam", &["account", "show", &customer, "--format", "json"]);
    assert!(
        json["promises"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["status"] == "partially_kept")
    );

    let customer = first(
        &d.copy.db,
        "SELECT customer_id FROM tasks WHERE action = 'release_hold' AND done_on IS NULL LIMIT 1",
    );
    let shown = d.ok("sam", &["account", "show", &customer]);
    assert!(!shown.contains("release_hold"), "{shown}");
    assert!(!shown.contains("(release"), "{shown}");
}

#[test]
fn a_note_with_line_breaks_keeps_the_account_layout() {
    let d = Demo::new();
    let customer = ids_customer(&d);
    // `--note` like the other commands; the positional form still works.
    d.ok(
        "ana",
        &[
            "log",
            "note",
            &customer,
            "--note",
            "AP clerk on leave\nask for Maria\nafter the 3rd",
        ],
    );
    d.ok("ana", &["log", "note", &customer, "positional form"]);
    let err = d.refused("ana", &["log", "note", &customer]);
    assert!(err.contains("required"), "{err}");

    let shown = d.ok("ana", &["account", "show", &customer]);
    let lines: Vec<&str> = shown.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("note: AP clerk on leave"))
        .unwrap_or_else(|| panic!("{shown}"));
    let col = lines[at].find("note:").unwrap();
    // The next lines continue the note under its first line, not at the margin.
    for (next, text) in [(at + 1, "ask for Maria"), (at + 2, "after the 3rd")] {
        assert_eq!(lines[next].trim_start(), text, "{shown}");
        assert_eq!(lines[next].find(text), Some(col), "{shown}");
    }
    assert!(lines[at + 3].trim_start().starts_with("20"), "{shown}");
}

#[test]
fn help_describes_every_option_and_lists_allowed_values() {
    let d = Demo::new();
    let help = d.ok("ana", &["log", "call", "--help"]);
    assert!(help.contains("How the call ended"), "{help}");
    assert!(
        help.contains("[possible values: reached, voicemail, no-answer, wrong-number, refused]"),
        "{help}"
    );
    let help = d.ok("ana", &["log", "--help"]);
    for line in [
        "call     A call and how it went",
        "note     A note on the account's timeline",
    ] {
        assert!(help.contains(line), "{help}");
    }
    let help = d.ok("ana", &["user", "add", "--help"]);
    assert!(
        help.contains("[possible values: collector, supervisor, admin]"),
        "{help}"
    );
    // Spellings scripts already use keep working.
    d.ok(
        "ana",
        &["log", "call", &ids_customer(&d), "--outcome", "No_Answer"],
    );
}

#[test]
fn shell_completions_and_a_man_page() {
    let d = Demo::new();
    let bash = d.ok("ana", &["completions", "bash"]);
    assert!(
        bash.contains("_arq()") && bash.contains("complete -F _arq"),
        "{bash}"
    );
    assert!(
        d.ok("ana", &["completions", "zsh"])
            .starts_with("#compdef arq")
    );
    let fish = d.ok("ana", &["completions", "fish"]);
    assert!(fish.contains("complete -c arq"), "{fish}");
    // Completions know the closed values.
    assert!(fish.contains("no-answer"), "{fish}");
    let err = d.refused("ana", &["completions", "powershell7"]);
    assert!(
        err.contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{err}"
    );

    let man = d.ok("ana", &["man"]);
    assert!(man.contains(".TH arq 1"), "{man}");
    assert!(man.contains(".SS \"arq log promise\""), "{man}");
    // Neither needs a database.
    let out = assert_cmd::Command::cargo_bin("arq")
        .unwrap()
        .args(["--db", "/nonexistent/arq.db", "man"])
        .output()
        .unwrap();
    assert!(out.status.success());
}
