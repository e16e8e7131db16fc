//! One table of typed amounts, run through every place a person types one: the
//! command line (`arq log promise --amount`) and the terminal app's forms (the
//! promise form and the call wrap-up). The same text gives the same amount, or is
//! refused everywhere with a message quoting exactly what was typed.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the message

mod common;
mod tui_common;

use crossterm::event::KeyCode;

/// (typed, the amount saved in cents, or the start of the refusal).
const CASES: &[(&str, Result<i64, &str>)] = &[
    ("25.52", Ok(2552)),
    ("1250", Ok(125_000)),
    ("1,250.50", Ok(125_050)),
    ("12,500", Ok(1_250_000)),
    ("$1,234.56", Ok(123_456)),
    ("25,52", Err("'25,52' is ambiguous")),
    ("2.552,34", Err("'2.552,34' is ambiguous")),
    ("1.500", Err("'1.500' is ambiguous")),
    ("12,5", Err("'12,5' is ambiguous")),
    ("1,2345", Err("'1,2345' is not an amount")),
    ("12.3456", Err("'12.3456' has more than two decimal places")),
    ("12,50x", Err("'12,50x' is not an amount")),
];

fn cents(s: &str) -> i64 {
    common::m(s).to_minor()
}

#[test]
fn the_command_line_reads_amounts_by_the_table() {
    let shop = common::Shop::new("2026-01-01");
    for (n, (typed, want)) in CASES.iter().enumerate() {
        let id = format!("C{n}");
        shop.customer(&id, "ana");
        shop.invoice(
            &format!("I{n}"),
            &id,
            "2026-01-01",
            "2026-01-31",
            "50000.00",
        );
        let out = shop
            .arq("ana", "2026-02-15")
            .args(["log", "promise", &id, "--amount", typed, "--date", "+3"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let account = shop.json(
            "ana",
            "2026-02-15",
            &["account", "show", &id, "--format", "json"],
        );
        let promises = account["promises"].as_array().cloned().unwrap_or_default();
        match want {
            Ok(want) => {
                assert!(out.status.success(), "{typed}: {stderr}");
                assert_eq!(promises.len(), 1, "{typed}");
                let saved = promises[0]["amount"].as_str().unwrap_or_default();
                assert_eq!(cents(saved), *want, "{typed} was saved as {saved}");
            }
            Err(msg) => {
                assert!(!out.status.success(), "{typed} was accepted");
                assert!(stderr.contains(msg), "{typed}: {stderr}");
                assert!(promises.is_empty(), "{typed}: nothing is recorded");
            }
        }
    }
}

/// Opens a form on the selected queue item with its amount field focused.
type Opener = dyn Fn(&mut arq::tui::app::App);

/// Types `typed` into the amount of the form `open` leaves focused, saves, and
/// says what happened: the newest promise's amount on the account, or the screen.
fn through_form(open: &Opener, typed: &str) -> (Option<i64>, String) {
    let c = tui_common::copy();
    let mut a = tui_common::app(&c.db, "ana");
    let customer = a
        .queue()
        .unwrap()
        .selected()
        .map(|i| i.customer_id.clone())
        .unwrap_or_else(|| panic!("empty queue"));
    let before = tui_common::count(&c.db, "promises");
    open(&mut a);
    tui_common::type_text(&mut a, typed);
    tui_common::press(&mut a, KeyCode::Enter);
    let screen = tui_common::draw(&a, 160, 40);
    if tui_common::count(&c.db, "promises") == before {
        return (None, screen);
    }
    let view = tui_common::session(&c.db, "ana")
        .account(&customer, 5)
        .unwrap();
    let newest = view.promises.iter().max_by_key(|p| p.promise_id).unwrap();
    (Some(newest.amount.to_minor()), screen)
}

#[test]
fn the_forms_read_amounts_by_the_same_table() {
    let promise_form = |a: &mut arq::tui::app::App| tui_common::press(a, KeyCode::Char('p'));
    let wrap_up = |a: &mut arq::tui::app::App| {
        tui_common::press(a, KeyCode::Char('c'));
        tui_common::press(a, KeyCode::Char('r'));
        tui_common::press(a, KeyCode::Tab);
        tui_common::press(a, KeyCode::Char('p'));
        tui_common::press(a, KeyCode::Tab);
    };
    let forms: [(&str, &Opener); 2] = [("promise form", &promise_form), ("wrap-up", &wrap_up)];
    for (form, open) in forms {
        for (typed, want) in CASES {
            let (saved, screen) = through_form(open, typed);
            match want {
                Ok(want) => assert_eq!(saved, Some(*want), "{form}, {typed}:\n{screen}"),
                Err(msg) => {
                    assert_eq!(saved, None, "{form}: {typed} was saved");
                    assert!(screen.contains(msg), "{form}, {typed}:\n{screen}");
                }
            }
        }
    }
}
