//! Prevention as tables of cases: reminders before the due date, the credit limit's
//! crossing and hold, early warnings; and a few days lived through to show the
//! ladder going on after the due date.

#![allow(clippy::type_complexity)] // tables of cases

use chrono::NaiveDate;

use super::*;
use crate::domain::dates::parse_iso;
use crate::domain::{AccountFigures, Channel, ChannelSet, Customer, InvoicePosition};
use crate::strategy::StrategyBook;
use crate::strategy::engine::{
    AccountFacts, CycleState, Decision, DoneStep, HoldState, OpenFlag, OpenItem, StepOutcome,
    decide,
};
use crate::strategy::parse::parse_strategy;

fn d(s: &str) -> NaiveDate {
    parse_iso(s).unwrap_or_else(|e| panic!("{e}"))
}

const STRATEGY: &str = r#"
[strategy]
id = "prevent"
default = true

[[step]]
id = "before_due"
action = "email"
template = "before_due_reminder"
days_before_due = 7

[[step]]
id = "friendly"
action = "email"
template = "friendly_reminder"
min_past_due = "100.00"
min_days_past_due = 1

[[step]]
id = "serious"
action = "email"
template = "serious_reminder"
wait_days = 5

[[step]]
id = "hold"
action = "credit_hold"
wait_days = 3
"#;

fn book_with(extra: &str) -> StrategyBook {
    let src = STRATEGY.replace("default = true", &format!("default = true\n{extra}"));
    StrategyBook::new(vec![
        parse_strategy("prevent.toml", &src, &|_| true).unwrap_or_else(|e| panic!("{e}")),
    ])
}

fn customer() -> Customer {
    let mut c = Customer::named("C1", "Acme");
    c.email = Some("ap@acme.test".into());
    c
}

fn invoice(no: &str, due: &str, balance: i64) -> InvoicePosition {
    InvoicePosition {
        invoice_no: no.into(),
        issue_date: d("2026-02-01"),
        due_date: d(due),
        amount: Money::from_major(balance),
        balance: Money::from_major(balance),
        disputed: Money::ZERO,
    }
}

/// The engine's view of `c` with these invoices and facts.
fn state<'a>(
    c: &'a Customer,
    invoices: &'a [InvoicePosition],
    facts: AccountFacts,
    as_of: NaiveDate,
) -> AccountState<'a> {
    AccountState {
        customer: c,
        figures: AccountFigures::of(invoices, as_of),
        facts,
        invoices,
    }
}

fn pre_due_step(dec: &Decision) -> Option<(&str, u32, Vec<&str>)> {
    dec.pre_due.as_ref().map(|p| {
        (
            p.step_id.as_str(),
            p.days_before_due,
            p.invoices.iter().map(String::as_str).collect(),
        )
    })
}

#[test]
fn a_reminder_goes_out_seven_days_before_the_due_date_once() {
    let c = customer();
    let inv = [invoice("INV-1", "2026-03-20", 500)];
    let book = book_with("");
    // (as_of, already reminded 7 days ahead, expected)
    let cases = [
        ("2026-03-12", false, false), // 8 days ahead: not yet
        ("2026-03-13", false, true),  // due − 7
        ("2026-03-13", true, false),  // done already: never twice
        ("2026-03-16", false, true),  // a run skipped: caught up while still before due
        ("2026-03-19", false, true),  // the day before: still ahead
        ("2026-03-20", false, false), // the due date itself: too late to remind ahead
        ("2026-03-21", false, false), // past due: the ladder's business, not a courtesy
    ];
    for (day, done, want) in cases {
        let mut facts = AccountFacts::default();
        if done {
            facts.pre_due_done.push(("INV-1".into(), 7));
        }
        let as_of = d(day);
        let dec = decide(&state(&c, &inv, facts, as_of), &book, as_of);
        assert_eq!(dec.pre_due.is_some(), want, "{day} done={done}");
        if want {
            assert_eq!(pre_due_step(&dec), Some(("before_due", 7, vec!["INV-1"])));
            let p = dec
                .pre_due
                .as_ref()
                .unwrap_or_else(|| panic!("no reminder"));
            assert_eq!(p.channel, Channel::Email);
            assert_eq!(p.template, "before_due_reminder");
            assert!(dec.start_cycle.is_none() && dec.step.is_none(), "{day}");
        }
    }
}

#[test]
fn no_reminder_for_white_glove_opted_out_unreachable_or_small_amounts() {
    let as_of = d("2026-03-13");
    let inv = [invoice("INV-1", "2026-03-20", 500)];
    let small = [invoice("INV-1", "2026-03-20", 99)];
    let book = book_with("");
    let mut white = customer();
    white.white_glove = true;
    let mut opted = customer();
    opted.opt_out = ChannelSet::parse("email").unwrap_or_else(|e| panic!("{e}"));
    let mut no_mail = customer();
    no_mail.email = None;
    let plain = customer();
    let cases: [(&str, &Customer, &[InvoicePosition], bool); 5] = [
        ("plain", &plain, &inv, true),
        ("white glove", &white, &inv, false),
        ("opted out of email", &opted, &inv, false),
        ("no email address", &no_mail, &inv, false),
        ("below the strategy's threshold", &plain, &small, false),
    ];
    for (what, c, invoices, want) in cases {
        let dec = decide(
            &state(c, invoices, AccountFacts::default(), as_of),
            &book,
            as_of,
        );
        assert_eq!(dec.pre_due.is_some(), want, "{what}");
        // Skipped means skipped: no task for a person either.
        assert!(
            dec.tasks.is_empty() && dec.step.is_none(),
            "{what}: {dec:?}"
        );
    }
}

#[test]
fn one_reminder_covers_every_invoice_in_reach_and_the_shortest_lead_wins() {
    let c = customer();
    let book = StrategyBook::new(vec![
        parse_strategy(
            "two.toml",
            &STRATEGY.replace(
                "[[step]]\nid = \"friendly\"",
                "[[step]]\nid = \"last_call\"\naction = \"email\"\ntemplate = \"before_due_reminder\"\ndays_before_due = 2\n\n[[step]]\nid = \"friendly\"",
            ),
            &|_| true,
        )
        .unwrap_or_else(|e| panic!("{e}")),
    ]);
    let inv = [
        invoice("A", "2026-03-14", 300), // 1 day ahead
        invoice("B", "2026-03-18", 300), // 5 days ahead
        invoice("C", "2026-03-30", 300), // 17 days ahead: out of reach
    ];
    let as_of = d("2026-03-13");
    // (done, expected step and invoices)
    let cases: [(&[(&str, u32)], Option<(&str, u32, Vec<&str>)>); 4] = [
        (&[], Some(("last_call", 2, vec!["A"]))),
        (&[("A", 2)], Some(("before_due", 7, vec!["B"]))),
        (&[("A", 7)], Some(("last_call", 2, vec!["A"]))),
        (&[("A", 2), ("B", 7)], None),
    ];
    for (done, want) in cases {
        let facts = AccountFacts {
            pre_due_done: done.iter().map(|(n, k)| ((*n).to_string(), *k)).collect(),
            ..AccountFacts::default()
        };
        let dec = decide(&state(&c, &inv, facts, as_of), &book, as_of);
        assert_eq!(pre_due_step(&dec), want, "done {done:?}");
    }
}

/// Lives through the days around a due date the way the daily run would.
#[test]
fn the_ladder_goes_on_after_the_due_date_as_usual() {
    let c = customer();
    let inv = [invoice("INV-1", "2026-03-20", 500)];
    let book = book_with("");
    let mut facts = AccountFacts::default();
    let mut log = Vec::new();
    for day in 10..=30 {
        let as_of = d(&format!("2026-03-{day:02}"));
        let dec = decide(&state(&c, &inv, facts.clone(), as_of), &book, as_of);
        if let Some(p) = &dec.pre_due {
            for no in &p.invoices {
                facts.pre_due_done.push((no.clone(), p.days_before_due));
            }
            log.push((day, p.step_id.clone()));
        }
        if let Some(id) = &dec.start_cycle {
            facts.cycle = Some(CycleState {
                id: 1,
                strategy_id: id.clone(),
                started_on: as_of,
                last_step: None,
            });
        }
        if let Some(step) = &dec.step {
            assert!(matches!(
                step.outcome,
                StepOutcome::Mail { .. } | StepOutcome::SetHold
            ));
            if let Some(cy) = facts.cycle.as_mut() {
                cy.last_step = Some(DoneStep {
                    index: step.index,
                    done_on: as_of,
                });
            }
            log.push((day, step.step_id.clone()));
        }
    }
    // The courtesy note 7 days ahead; the first step the day after the due date (its
    // own entry conditions, not a wait after the courtesy note); then the usual waits.
    assert_eq!(
        log,
        vec![
            (13, "before_due".to_string()),
            (21, "friendly".to_string()),
            (26, "serious".to_string()),
            (29, "hold".to_string()),
        ]
    );
}

fn limited(limit: i64) -> Customer {
    let mut c = customer();
    c.credit_limit = Some(Money::from_major(limit));
    c
}

fn flag(kind: FlagKind) -> OpenFlag {
    OpenFlag {
        id: 9,
        kind,
        since: d("2026-03-01"),
        detail: "earlier".into(),
    }
}

/// Days lived through with the balance moving around a limit of 1,000: the item comes
/// the day it crosses, not each day it stays over, and again only after it went back
/// under and crossed again.
#[test]
fn crossing_the_credit_limit_makes_one_item_not_one_a_day() {
    let c = limited(1000);
    let book = book_with("");
    let mut facts = AccountFacts::default();
    let balances = [900, 1000, 1200, 1300, 1250, 800, 950, 1100, 1100];
    let mut items = Vec::new();
    for (n, bal) in balances.iter().enumerate() {
        let as_of = d("2026-03-01") + chrono::Days::new(n as u64);
        // Not due before April: the limit is about what is open, due or not.
        let inv = [invoice("INV-1", "2026-04-30", *bal)];
        let dec = decide(&state(&c, &inv, facts.clone(), as_of), &book, as_of);
        for t in &dec.tasks {
            assert_eq!(t.action, ItemAction::OverLimit);
            assert_eq!(t.assignee, Assignee::Owner);
            assert!(t.note.contains("over the credit limit"), "{}", t.note);
            items.push(*bal);
        }
        for f in &dec.flags {
            match f {
                FlagChange::Raise { kind, .. } => facts.flags.push(OpenFlag {
                    id: n as i64,
                    ..flag(*kind)
                }),
                FlagChange::Clear { flag_id, .. } => facts.flags.retain(|f| f.id != *flag_id),
            }
        }
        assert!(
            dec.limit_hold.is_none(),
            "no hold unless the strategy says so"
        );
    }
    assert_eq!(items, vec![1200, 1100]);
}

#[test]
fn an_automatic_hold_over_the_limit_and_its_release_back_under() {
    let c = limited(1000);
    let holds = book_with("[strategy.credit]\nhold_over_limit = true");
    let no_holds = book_with("");
    let as_of = d("2026-03-10");
    let hold = |by_step, over_limit| HoldState {
        id: 4,
        since: d("2026-03-01"),
        by_step,
        over_limit,
    };
    let in_cycle = Some(CycleState {
        id: 1,
        strategy_id: "prevent".into(),
        started_on: d("2026-03-01"),
        last_step: Some(DoneStep {
            index: 2,
            done_on: d("2026-03-05"),
        }),
    });
    // (case, book, balance, flag open, hold, in a cycle, expected)
    let cases: [(&str, &StrategyBook, i64, bool, Option<HoldState>, bool, Option<LimitHold>); 8] = [
        ("crosses: held", &holds, 1500, false, None, false, Some(LimitHold::Set {
            reason: "over credit limit: balance 1,500.00 is over the credit limit of 1,000.00 by 500.00".into(),
        })),
        ("crosses, strategy does not hold", &no_holds, 1500, false, None, false, None),
        ("stays over: nothing new", &holds, 1500, true, Some(hold(false, true)), false, None),
        ("crosses while the ladder holds it: marked", &holds, 1500, false, Some(hold(true, false)), true, Some(LimitHold::Mark { hold_id: 4 })),
        ("crosses while held by hand: left alone", &holds, 1500, false, Some(hold(false, false)), false, None),
        ("back under: released", &holds, 900, true, Some(hold(false, true)), false, Some(LimitHold::Release { hold_id: 4 })),
        ("back under but the ladder's hold stands", &holds, 900, true, Some(hold(true, true)), true, None),
        ("back under, a hand-set hold stays", &holds, 900, true, Some(hold(false, false)), false, None),
    ];
    for (what, book, balance, flagged, hold, cycle, want) in cases {
        // Past due enough to be in a cycle where the case says so; otherwise not yet due.
        let due = if cycle { "2026-02-01" } else { "2026-04-30" };
        let inv = [invoice("INV-1", due, balance)];
        let facts = AccountFacts {
            flags: if flagged {
                vec![flag(FlagKind::OverLimit)]
            } else {
                vec![]
            },
            hold,
            cycle: if cycle { in_cycle.clone() } else { None },
            ..AccountFacts::default()
        };
        let dec = decide(&state(&c, &inv, facts, as_of), book, as_of);
        assert_eq!(dec.limit_hold, want, "{what}");
    }
}

#[test]
fn back_under_the_limit_clears_the_flag_and_closes_the_item() {
    let c = limited(1000);
    let as_of = d("2026-03-10");
    let inv = [invoice("INV-1", "2026-04-30", 400)];
    let facts = AccountFacts {
        flags: vec![flag(FlagKind::OverLimit)],
        items: vec![OpenItem {
            id: 31,
            reason: Reason::Callback,
            action: ItemAction::OverLimit,
            ref_id: None,
        }],
        ..AccountFacts::default()
    };
    let dec = decide(&state(&c, &inv, facts, as_of), &book_with(""), as_of);
    assert!(
        matches!(&dec.flags[..], [FlagChange::Clear { flag_id: 9, why }] if why.contains("back under"))
    );
    assert_eq!(dec.stale.len(), 1);
    assert_eq!(dec.stale[0].item_id, 31);
}

#[test]
fn warning_signs() {
    let rule = WarningRule::default();
    let as_of = d("2026-06-30");
    // (broken promises, days late oldest first, expected sign starts with)
    let cases: [(&[&str], &[i64], Option<&str>); 8] = [
        (&[], &[], None),
        (&["2026-06-10"], &[], Some("first broken promise")),
        (&["2026-01-10"], &[], None), // more than 90 days ago
        (&["2025-12-01", "2026-06-10"], &[], None), // not the first in a year
        (
            &["2025-05-01", "2026-06-10"],
            &[],
            Some("first broken promise"),
        ), // the other one is over a year old
        (
            &[],
            &[0, 2, 1, 12, 14, 10],
            Some("paying later: 12 days late"),
        ), // +11
        (&[], &[0, 2, 1, 10, 11, 12], Some("paying later")), // +10 exactly
        (&[], &[0, 2, 1, 9, 11, 12], None), // +9.7: below the rise
    ];
    for (broken, late, want) in cases {
        let broken: Vec<NaiveDate> = broken.iter().map(|s| d(s)).collect();
        let got = warning_sign(&rule, &broken, late, as_of);
        match want {
            None => assert_eq!(got, None, "{broken:?} {late:?}"),
            Some(w) => assert!(
                got.as_deref().is_some_and(|g| g.starts_with(w)),
                "{broken:?} {late:?}: {got:?}"
            ),
        }
    }
    // Too short a history says nothing; the latest invoices are the ones compared.
    assert_eq!(days_late_means(&[30, 40, 50, 60, 70], 3), None);
    assert_eq!(
        days_late_means(&[90, 0, 0, 0, 6, 6, 6], 3),
        Some((Decimal::from(6), Decimal::ZERO))
    );
}

#[test]
fn an_early_warning_makes_one_check_in_item_while_nothing_is_past_due() {
    let c = customer();
    let as_of = d("2026-03-10");
    let book = book_with("");
    let slipping = vec![0, 1, 0, 15, 18, 20];
    // (case, the open invoice's due date, flag already open, check-in item, flag change)
    let cases = [
        (
            "something open, a sign, no flag",
            Some("2026-03-20"),
            false,
            true,
            Some("raise"),
        ),
        (
            "flag already open: no second item",
            Some("2026-05-30"),
            true,
            false,
            None,
        ),
        (
            "nothing open: nothing to check in about",
            None,
            false,
            false,
            None,
        ),
        (
            "past due: the strategy takes over",
            Some("2026-03-01"),
            true,
            false,
            Some("clear"),
        ),
    ];
    for (what, due, flagged, item, change) in cases {
        let inv: Vec<InvoicePosition> = due
            .map(|due| invoice("INV-1", due, 500))
            .into_iter()
            .collect();
        let facts = AccountFacts {
            days_late: slipping.clone(),
            flags: if flagged {
                vec![flag(FlagKind::EarlyWarning)]
            } else {
                vec![]
            },
            ..AccountFacts::default()
        };
        let dec = decide(&state(&c, &inv, facts, as_of), &book, as_of);
        let check_ins: Vec<&NewTask> = dec
            .tasks
            .iter()
            .filter(|t| t.action == ItemAction::CheckIn)
            .collect();
        assert_eq!(check_ins.len(), usize::from(item), "{what}");
        if item {
            assert!(
                check_ins[0].note.contains("paying later"),
                "{what}: {}",
                check_ins[0].note
            );
        }
        let got = dec.flags.first().map(|f| match f {
            FlagChange::Raise { kind, .. } => {
                assert_eq!(*kind, FlagKind::EarlyWarning);
                "raise"
            }
            FlagChange::Clear { .. } => "clear",
        });
        assert_eq!(got, change, "{what}");
    }
    // The sign gone, the flag is cleared.
    let inv = [invoice("INV-1", "2026-03-20", 500)];
    let facts = AccountFacts {
        days_late: vec![0, 0, 0, 0, 0, 0],
        flags: vec![flag(FlagKind::EarlyWarning)],
        ..AccountFacts::default()
    };
    let dec = decide(&state(&c, &inv, facts, as_of), &book, as_of);
    assert!(matches!(&dec.flags[..], [FlagChange::Clear { why, .. }] if why.contains("went away")));
    // Switched off in the strategy: no warnings.
    let off = book_with("[strategy.warning]\nenabled = false");
    let facts = AccountFacts {
        days_late: slipping.clone(),
        ..AccountFacts::default()
    };
    assert!(decide(&state(&c, &inv, facts, as_of), &off, as_of).is_empty());
}

#[test]
fn strategy_files_with_steps_before_the_due_date() {
    let parse = |src: &str| {
        parse_strategy("s.toml", src, &|t| t != "nope")
            .map_err(|e| e.to_string())
            .map(|s| (s.pre_due.len(), s.steps.len(), s.credit.hold_over_limit))
    };
    let head = "[strategy]\nid = \"s\"\n";
    let ladder = "[[step]]\nid = \"f\"\naction = \"email\"\ntemplate = \"friendly_reminder\"\n";
    let pre = "[[step]]\nid = \"p\"\naction = \"email\"\ntemplate = \"before_due_reminder\"\ndays_before_due = 7\n";
    // (file, Ok((pre-due steps, ladder steps, hold over limit)) or the error's start)
    let cases: Vec<(String, Result<(usize, usize, bool), &str>)> = vec![
        (format!("{head}{pre}{ladder}"), Ok((1, 1, false))),
        (
            format!("{head}{pre}enabled = false\n{ladder}"),
            Ok((0, 1, false)),
        ),
        (
            format!("{head}[strategy.credit]\nhold_over_limit = true\n{ladder}"),
            Ok((0, 1, true)),
        ),
        (
            format!("{head}{ladder}{pre}"),
            Err("s.toml:11:19: a step before the due date (days_before_due) must come before"),
        ),
        (
            format!("{head}{pre}"),
            Err("s.toml:1:1: a strategy needs at least one [[step]] past due"),
        ),
        (
            format!("{head}{}{ladder}", pre.replace("= 7", "= 0")),
            Err("s.toml:7:19: days_before_due must be a whole number from 1 to 60, not 0"),
        ),
        (
            format!("{head}{}{ladder}", pre.replace("\"email\"", "\"call\"")),
            Err("s.toml:5:10: a step before the due date is a courtesy reminder"),
        ),
        (
            format!("{head}{}wait_days = 3\n{ladder}", pre),
            Err("s.toml:8:13: a step before the due date has no wait_days"),
        ),
        (
            format!(
                "{head}{}{ladder}",
                pre.replace("before_due_reminder", "nope")
            ),
            Err("s.toml:6:12: template 'nope' does not exist"),
        ),
        (
            format!("{head}{ladder}enabled = false\n"),
            Err("s.toml:7:11: only a step before the due date"),
        ),
        (
            format!("{head}{ladder}min_days_past_due = -7\n"),
            Err(
                "s.toml:7:21: min_days_past_due must be a whole number from 0 to 3650, not -7; \
                 a reminder before the due date is a step of its own, written first: days_before_due = 7",
            ),
        ),
    ];
    for (src, want) in cases {
        let got = parse(&src);
        match want {
            Ok(w) => assert_eq!(got, Ok(w), "{src}"),
            Err(start) => {
                let e = got.err().unwrap_or_else(|| panic!("accepted:\n{src}"));
                assert!(e.starts_with(start), "{src}\n→ {e}");
                // The position is named once, at the start.
                assert_eq!(e.matches("s.toml").count(), 1, "{e}");
                assert!(!e.contains("line "), "{e}");
            }
        }
    }
}

/// The day a cycle is cured, an invoice coming due gets its reminder in the same run,
/// so running the day again changes nothing.
#[test]
fn a_cure_and_a_reminder_before_the_due_date_on_the_same_day() {
    let c = customer();
    let book = book_with("");
    let as_of = d("2026-03-13");
    let inv = [invoice("INV-2", "2026-03-20", 500)];
    let facts = AccountFacts {
        cycle: Some(CycleState {
            id: 3,
            strategy_id: "prevent".into(),
            started_on: d("2026-02-01"),
            last_step: Some(DoneStep {
                index: 0,
                done_on: d("2026-02-01"),
            }),
        }),
        ..AccountFacts::default()
    };
    let dec = decide(&state(&c, &inv, facts, as_of), &book, as_of);
    assert!(dec.cure.is_some());
    assert_eq!(pre_due_step(&dec), Some(("before_due", 7, vec!["INV-2"])));
    // The rerun: out of the cycle, the reminder recorded.
    let facts = AccountFacts {
        pre_due_done: vec![("INV-2".into(), 7)],
        ..AccountFacts::default()
    };
    assert!(decide(&state(&c, &inv, facts, as_of), &book, as_of).is_empty());
}
