//! The rules of DESIGN §2 as tables of cases, plus a small day-by-day simulator that
//! applies decisions the way the daily run does, for the multi-day paths and properties.

#![allow(clippy::type_complexity)] // tables of cases

use super::*;
use crate::domain::dates::parse_iso;
use crate::domain::{AccountFigures, Channel, InvoicePosition, ItemAction};
use crate::strategy::parse::parse_strategy;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    parse_iso(s).unwrap_or_else(|e| panic!("{e}"))
}

const CLASSIC: &str = r#"
[strategy]
id = "classic"
default = true
grace_days = 2

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
id = "call"
action = "call"
wait_days = 5

[[step]]
id = "hold"
action = "credit_hold"
wait_days = 3

[[step]]
id = "escalate"
action = "escalate"
wait_days = 7
"#;

fn book_with(extra: &str) -> StrategyBook {
    let src = CLASSIC.replace("grace_days = 2", &format!("grace_days = 2\n{extra}"));
    StrategyBook::new(vec![
        parse_strategy("classic.toml", &src, &|_| true).unwrap_or_else(|e| panic!("{e}")),
    ])
}

fn book() -> StrategyBook {
    book_with("")
}

/// One invoice due `due`, owing `balance`, with `disputed` under dispute.
fn figures(as_of: NaiveDate, due: &str, balance: i64, disputed: i64) -> AccountFigures {
    let inv = InvoicePosition {
        invoice_no: "INV-1".into(),
        issue_date: d("2026-01-01"),
        due_date: d(due),
        amount: Money::from_major(balance),
        balance: Money::from_major(balance),
        disputed: Money::from_major(disputed),
    };
    AccountFigures::of([&inv], as_of)
}

fn state<'a>(c: &'a Customer, f: AccountFigures) -> AccountState<'a> {
    AccountState {
        customer: c,
        figures: f,
        facts: AccountFacts::default(),
        invoices: &[],
    }
}

fn cycle(last: Option<(usize, &str)>) -> Option<CycleState> {
    Some(CycleState {
        id: 7,
        strategy_id: "classic".into(),
        started_on: d("2026-03-02"),
        last_step: last.map(|(index, on)| DoneStep {
            index,
            done_on: d(on),
        }),
    })
}

fn step_id(dec: &Decision) -> Option<&str> {
    dec.step.as_ref().map(|s| s.step_id.as_str())
}

#[test]
fn entry_needs_threshold_and_days_past_due() {
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-03-10");
    // (due date, balance, disputed, expected first step)
    let cases = [
        ("2026-03-09", 100, 0, Some("friendly")), // exactly at the threshold, 1 day late
        ("2026-03-09", 99, 0, None),              // below the threshold
        ("2026-03-10", 500, 0, None),             // due today: not past due
        ("2026-03-09", 300, 250, None),           // disputes bring it below: paused
        ("2026-02-01", 5000, 0, Some("friendly")), // long overdue still starts at step 1
    ];
    for (due, balance, disputed, want) in cases {
        let dec = decide(
            &state(&c, figures(as_of, due, balance, disputed)),
            &book(),
            as_of,
        );
        assert_eq!(
            step_id(&dec),
            want,
            "due {due} balance {balance} disputed {disputed}"
        );
        assert_eq!(dec.start_cycle.is_some(), want.is_some());
    }
}

#[test]
fn later_steps_wait_from_the_last_step_or_response() {
    let c = Customer::named("C1", "Acme");
    // (last step, last response, as_of, expected step)
    let cases = [
        ((0, "2026-03-10"), None, "2026-03-14", None),
        ((0, "2026-03-10"), None, "2026-03-15", Some("serious")),
        ((0, "2026-03-10"), Some("2026-03-12"), "2026-03-15", None), // a response restarts the wait
        (
            (0, "2026-03-10"),
            Some("2026-03-12"),
            "2026-03-17",
            Some("serious"),
        ),
        (
            (0, "2026-03-10"),
            Some("2026-03-01"),
            "2026-03-15",
            Some("serious"),
        ), // an older response does nothing
        ((1, "2026-03-15"), None, "2026-03-20", Some("call")),
        ((3, "2026-03-23"), None, "2026-03-30", Some("escalate")),
        // after the last step: the end rule's review, every 14 days by default
        ((4, "2026-03-30"), None, "2026-04-12", None),
        ((4, "2026-03-30"), None, "2026-04-13", Some("end")),
        ((4, "2026-03-30"), None, "2026-06-30", Some("end")), // long after: at once
        ((5, "2026-04-13"), None, "2026-04-27", Some("end")), // the next round
        ((5, "2026-04-13"), Some("2026-04-20"), "2026-04-27", None), // a response waits
    ];
    for ((index, done), response, as_of, want) in cases {
        let as_of = d(as_of);
        let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
        s.facts.cycle = cycle(Some((index, done)));
        s.facts.last_response = response.map(d);
        let dec = decide(&s, &book(), as_of);
        assert_eq!(
            step_id(&dec),
            want,
            "last {index}@{done} response {response:?} on {as_of}"
        );
    }
}

#[test]
fn catch_up_takes_only_one_step() {
    // Rule 1: the run was skipped for a month; only the next step happens.
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-04-30");
    let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
    s.facts.cycle = cycle(Some((0, "2026-03-10")));
    let dec = decide(&s, &book(), as_of);
    assert_eq!(step_id(&dec), Some("serious"));
    // The following wait counts from the day it was actually done.
    let done = CycleState {
        last_step: Some(DoneStep {
            index: 1,
            done_on: as_of,
        }),
        ..cycle(None).unwrap_or_else(|| unreachable!())
    };
    assert_eq!(
        next_due(
            &done,
            None,
            None,
            book().all().first().unwrap_or_else(|| unreachable!())
        ),
        Some((2, d("2026-05-05")))
    );
}

#[test]
fn step_outcomes_by_action_and_customer() {
    let as_of = d("2026-03-20");
    let mut white = Customer::named("W", "White Glove Ltd");
    white.white_glove = true;
    let mut no_email = Customer::named("N", "No Email Inc");
    no_email.opt_out.insert(Channel::Email);
    let mut plain = Customer::named("P", "Plain Co");
    plain.email = Some("ap@plain.test".into());
    let no_address = Customer::named("X", "No Address Co");
    // (customer, last step index, fallback rule, on hold, expected outcome kind)
    let cases: Vec<(&Customer, Option<(usize, &str)>, &str, bool, &str)> = vec![
        (&plain, None, "", false, "mail"),
        (&no_address, None, "", false, "task"), // no email on file
        (&white, None, "", false, "task"),
        (&no_email, None, "", false, "task"),
        (&no_email, None, "skip", false, "skipped"),
        (&white, Some((0, "2026-03-10")), "skip", false, "skipped"),
        (&plain, Some((1, "2026-03-10")), "", false, "task"), // call
        (&white, Some((2, "2026-03-10")), "", false, "hold"), // holds are not contact
        (&plain, Some((2, "2026-03-10")), "", true, "already"),
        (&plain, Some((3, "2026-03-10")), "", false, "escalation"),
    ];
    for (c, last, fallback, on_hold, want) in cases {
        let src = if fallback.is_empty() {
            CLASSIC.to_string()
        } else {
            CLASSIC
                .replace(
                    "template = \"friendly_reminder\"",
                    "template = \"friendly_reminder\"\nfallback = \"skip\"",
                )
                .replace(
                    "template = \"serious_reminder\"",
                    "template = \"serious_reminder\"\nfallback = \"skip\"",
                )
        };
        let book = StrategyBook::new(vec![
            parse_strategy("c.toml", &src, &|_| true).unwrap_or_else(|e| panic!("{e}")),
        ]);
        let mut s = state(c, figures(as_of, "2026-03-01", 500, 0));
        if let Some(l) = last {
            s.facts.cycle = cycle(Some(l));
        }
        if on_hold {
            s.facts.hold = Some(HoldState {
                id: 1,
                since: d("2026-03-01"),
                by_step: false,
                over_limit: false,
            });
        }
        let dec = decide(&s, &book, as_of);
        let got = match dec.step.map(|s| s.outcome) {
            Some(StepOutcome::Mail { .. }) => "mail",
            Some(StepOutcome::Task {
                reason: Reason::Escalation,
                ..
            }) => "escalation",
            Some(StepOutcome::Task { .. }) => "task",
            Some(StepOutcome::Skipped { .. }) => "skipped",
            Some(StepOutcome::SetHold) => "hold",
            Some(StepOutcome::AlreadyOnHold) => "already",
            None => "none",
        };
        assert_eq!(got, want, "{} last {last:?} fallback {fallback:?}", c.id);
    }
}

#[test]
fn cure_ends_the_cycle_and_handles_the_hold() {
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-04-01");
    // (balance, disputed, hold by step, release rule, release already asked, cured?, hold outcome)
    let cases = [
        (99, 0, true, "auto", false, true, HoldOnCure::Release),
        (
            99,
            0,
            true,
            "approval",
            false,
            true,
            HoldOnCure::AskApproval,
        ),
        (99, 0, true, "approval", true, true, HoldOnCure::Keep),
        (0, 0, false, "auto", false, true, HoldOnCure::Keep), // a hold set by a person stays
        (100, 0, true, "auto", false, false, HoldOnCure::Keep),
        // disputed amounts count for cure: this account is paused, not cured
        (300, 250, true, "auto", false, false, HoldOnCure::Keep),
    ];
    for (balance, disputed, by_step, release, pending, cured, hold) in cases {
        let book = book_with(&format!("release = \"{release}\""));
        let mut s = state(&c, figures(as_of, "2026-03-01", balance, disputed));
        s.facts.cycle = cycle(Some((3, "2026-03-25")));
        s.facts.hold = Some(HoldState {
            id: 1,
            since: d("2026-03-25"),
            by_step,
            over_limit: false,
        });
        if pending {
            s.facts.items.push(OpenItem {
                id: 45,
                reason: Reason::Approval,
                action: ItemAction::ReleaseHold,
                ref_id: Some(1),
            });
        }
        s.facts.open_step_task = Some(OpenStepTask {
            task_id: 44,
            step_index: 4,
        });
        let dec = decide(&s, &book, as_of);
        assert_eq!(
            dec.cure.is_some(),
            cured,
            "balance {balance} disputed {disputed}"
        );
        if let Some(cure) = &dec.cure {
            assert_eq!(
                cure.hold, hold,
                "balance {balance} release {release} pending {pending}"
            );
            assert_eq!(cure.cancel_task, Some(44));
            assert!(dec.step.is_none());
            let asks = dec.tasks.iter().any(|t| t.reason == Reason::Approval);
            assert_eq!(asks, hold == HoldOnCure::AskApproval);
        }
    }
}

#[test]
fn pauses_stop_steps_but_keep_the_cycle() {
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-04-01");
    let promise = OpenPromise {
        id: 1,
        amount: Money::from_major(200),
        date: d("2026-03-30"),
        taken_on: d("2026-03-20"),
        grace_days: 2,
    };
    let plan = OpenPlan {
        id: 2,
        created_on: d("2026-03-20"),
        grace_days: 2,
        installments: vec![
            (d("2026-04-15"), Money::from_major(250)),
            (d("2026-05-15"), Money::from_major(250)),
        ],
    };
    // (promise, plan, disputed, open task, expected pause)
    let cases = [
        (
            Some(promise.clone()),
            None,
            0,
            false,
            Some(Pause::Promise {
                through: d("2026-04-01"),
            }),
        ),
        (None, Some(plan.clone()), 0, false, Some(Pause::Plan)),
        (None, None, 450, false, Some(Pause::Dispute)),
        (None, None, 0, true, Some(Pause::WaitingForTask)),
        (None, None, 0, false, None),
    ];
    for (promise, plan, disputed, task, want) in cases {
        let mut s = state(&c, figures(as_of, "2026-03-01", 500, disputed));
        s.facts.cycle = cycle(Some((0, "2026-03-10")));
        s.facts.promises = promise.into_iter().collect();
        s.facts.plan = plan;
        if task {
            s.facts.open_step_task = Some(OpenStepTask {
                task_id: 9,
                step_index: 1,
            });
        }
        let dec = decide(&s, &book(), as_of);
        assert_eq!(dec.paused, want);
        assert_eq!(dec.step.is_some(), want.is_none(), "{want:?}");
        assert!(dec.cure.is_none());
    }
}

#[test]
fn promises_are_judged_after_their_grace() {
    let c = Customer::named("C1", "Acme");
    let p = OpenPromise {
        id: 5,
        amount: Money::from_major(300),
        date: d("2026-03-30"),
        taken_on: d("2026-03-20"),
        grace_days: 2,
    };
    // (as_of, payments, expected verdict)
    let cases: Vec<(&str, Vec<(&str, i64)>, Option<PromiseStatus>)> = vec![
        ("2026-04-01", vec![], None), // still open through date + grace
        (
            "2026-04-02",
            vec![("2026-03-31", 300)],
            Some(PromiseStatus::Kept),
        ),
        (
            "2026-04-02",
            vec![("2026-03-25", 100), ("2026-04-01", 250)],
            Some(PromiseStatus::Kept),
        ),
        (
            "2026-04-02",
            vec![("2026-03-31", 120)],
            Some(PromiseStatus::PartiallyKept),
        ),
        ("2026-04-02", vec![], Some(PromiseStatus::Broken)),
        (
            "2026-04-02",
            vec![("2026-03-19", 300)],
            Some(PromiseStatus::Broken),
        ), // paid before it was taken
        (
            "2026-04-02",
            vec![("2026-04-02", 300)],
            Some(PromiseStatus::Broken),
        ), // paid after the grace
    ];
    for (as_of, payments, want) in cases {
        let as_of = d(as_of);
        let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
        s.facts.cycle = cycle(Some((1, "2026-03-15")));
        s.facts.promises = vec![p.clone()];
        s.facts.payments = payments
            .iter()
            .map(|(on, m)| (d(on), Money::from_major(*m)))
            .collect();
        let dec = decide(&s, &book(), as_of);
        assert_eq!(
            dec.promises.first().map(|v| v.status),
            want,
            "{as_of} {payments:?}"
        );
    }
}

#[test]
fn a_broken_promise_resumes_the_strategy_at_once() {
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-04-02");
    let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
    // serious reminder done on 03-28; promise taken 03-31 restarts the wait to 04-05 ...
    s.facts.cycle = cycle(Some((1, "2026-03-28")));
    s.facts.last_response = Some(d("2026-03-31"));
    s.facts.promises = vec![OpenPromise {
        id: 5,
        amount: Money::from_major(300),
        date: d("2026-03-31"),
        taken_on: d("2026-03-31"),
        grace_days: 1,
    }];
    let dec = decide(&s, &book(), as_of);
    // ... but it is broken on 04-02: the owner gets a high-priority item and the call is due now.
    assert_eq!(
        dec.promises.first().map(|v| v.status),
        Some(PromiseStatus::Broken)
    );
    assert!(
        dec.tasks
            .iter()
            .any(|t| t.reason == Reason::BrokenPromise && t.due == as_of && t.ref_id == Some(5))
    );
    assert_eq!(step_id(&dec), Some("call"));
}

#[test]
fn plans_break_on_a_missed_installment() {
    let c = Customer::named("C1", "Acme");
    let plan = OpenPlan {
        id: 3,
        created_on: d("2026-03-20"),
        grace_days: 2,
        installments: vec![
            (d("2026-04-01"), Money::from_major(100)),
            (d("2026-05-01"), Money::from_major(100)),
        ],
    };
    // (as_of, payments, expected)
    let cases: Vec<(&str, Vec<(&str, i64)>, &str)> = vec![
        ("2026-04-03", vec![], "current"),
        ("2026-04-04", vec![], "broken"),
        ("2026-04-04", vec![("2026-04-02", 100)], "current"),
        ("2026-05-04", vec![("2026-04-02", 100)], "broken"),
        ("2026-04-20", vec![("2026-04-02", 200)], "completed"),
    ];
    for (as_of, payments, want) in cases {
        let as_of = d(as_of);
        let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
        s.facts.cycle = cycle(Some((1, "2026-03-15")));
        s.facts.plan = Some(plan.clone());
        s.facts.payments = payments
            .iter()
            .map(|(on, m)| (d(on), Money::from_major(*m)))
            .collect();
        let dec = decide(&s, &book(), as_of);
        let got = match &dec.plan {
            Some(PlanVerdict::Broken { .. }) => "broken",
            Some(PlanVerdict::Completed { .. }) => "completed",
            None => "current",
        };
        assert_eq!(got, want, "{as_of}");
        assert_eq!(
            dec.tasks.iter().any(|t| t.reason == Reason::PlanBroken),
            want == "broken"
        );
        assert_eq!(dec.paused == Some(Pause::Plan), want == "current");
    }
}

#[test]
fn business_days_wait_on_weekdays_and_hold_mail_at_weekends() {
    let mut c = Customer::named("C1", "Acme");
    c.email = Some("ap@acme.test".into());
    let book = book_with("business_days = true");
    // first reminder on Friday 2026-03-06; 5 business days later is Friday 03-13
    let cases = [("2026-03-12", None), ("2026-03-13", Some("serious"))];
    for (as_of, want) in cases {
        let as_of = d(as_of);
        let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
        s.facts.cycle = cycle(Some((0, "2026-03-06")));
        assert_eq!(step_id(&decide(&s, &book, as_of)), want, "{as_of}");
    }
    // a delinquency found on Saturday starts the cycle but mails on Monday
    let sat = d("2026-03-07");
    let dec = decide(&state(&c, figures(sat, "2026-03-01", 500, 0)), &book, sat);
    assert!(dec.start_cycle.is_some());
    assert_eq!(dec.step, None);
    assert_eq!(dec.paused, Some(Pause::Weekend));
}

/// Applies decisions to a state the way the service does: the smallest possible
/// daily run, so the engine's multi-day behaviour can be tested without a database.
struct Sim<'c> {
    state: AccountState<'c>,
    balance: i64,
    mails: Vec<(NaiveDate, String)>,
    tasks: Vec<(i64, usize, NaiveDate)>,
    cured: usize,
    next_task: i64,
}

impl<'c> Sim<'c> {
    fn new(c: &'c Customer, balance: i64) -> Sim<'c> {
        let f = figures(d("2026-03-01"), "2026-03-01", balance, 0);
        Sim {
            state: state(c, f),
            balance,
            mails: vec![],
            tasks: vec![],
            cured: 0,
            next_task: 1,
        }
    }

    fn run(&mut self, book: &StrategyBook, as_of: NaiveDate) -> Decision {
        self.state.figures = figures(as_of, "2026-03-01", self.balance, 0);
        let dec = decide(&self.state, book, as_of);
        if let Some(cure) = &dec.cure {
            self.state.facts.cycle = None;
            self.state.facts.open_step_task = None;
            if cure.hold == HoldOnCure::Release {
                self.state.facts.hold = None;
            }
            self.cured += 1;
        }
        if let Some(id) = &dec.start_cycle {
            self.state.facts.cycle = Some(CycleState {
                id: 1,
                strategy_id: id.clone(),
                started_on: as_of,
                last_step: None,
            });
        }
        if let Some(step) = &dec.step {
            match &step.outcome {
                StepOutcome::Mail { template, .. } => self.mails.push((as_of, template.clone())),
                StepOutcome::SetHold => {
                    self.state.facts.hold = Some(HoldState {
                        id: 1,
                        since: as_of,
                        by_step: true,
                        over_limit: false,
                    })
                }
                StepOutcome::Task { .. } => {
                    self.state.facts.open_step_task = Some(OpenStepTask {
                        task_id: self.next_task,
                        step_index: step.index,
                    });
                    self.tasks.push((self.next_task, step.index, as_of));
                    self.next_task += 1;
                }
                _ => {}
            }
            if step.outcome.done_now()
                && let Some(c) = self.state.facts.cycle.as_mut()
            {
                c.last_step = Some(DoneStep {
                    index: step.index,
                    done_on: as_of,
                });
            }
        }
        self.state
            .facts
            .promises
            .retain(|p| !dec.promises.iter().any(|v| v.promise_id == p.id));
        dec
    }

    /// A person finishes the open step task (for a call, logging the call).
    fn finish_task(&mut self, on: NaiveDate, response: bool) {
        if let Some(t) = self.state.facts.open_step_task.take()
            && let Some(c) = self.state.facts.cycle.as_mut()
        {
            c.last_step = Some(DoneStep {
                index: t.step_index,
                done_on: on,
            });
        }
        if response {
            self.state.facts.last_response = Some(on);
        }
    }

    fn pay(&mut self, on: NaiveDate, amount: i64) {
        self.balance -= amount;
        self.state
            .facts
            .payments
            .push((on, Money::from_major(amount)));
        self.state.facts.last_response = Some(on);
    }
}

#[test]
fn the_seed_example_end_to_end() {
    // friendly at the threshold → 5 days → serious → 5 days → call task → call logged
    // → 3 days → hold → payment → cure and release.
    let mut c = Customer::named("C1", "Acme");
    c.email = Some("ap@acme.test".into());
    let book = book();
    let mut sim = Sim::new(&c, 100);
    let day = |n: i64| d("2026-03-02") + chrono::Duration::days(n);
    let mut log = vec![];
    for n in 0..=20 {
        if n == 12 {
            sim.finish_task(day(n), false); // a voicemail: not a response
        }
        if n == 18 {
            sim.pay(day(n), 100);
        }
        let dec = sim.run(&book, day(n));
        if let Some(s) = &dec.step {
            log.push(format!("{} {}", n, s.step_id));
        }
        if dec.cure.is_some() {
            log.push(format!("{n} cured"));
        }
    }
    assert_eq!(
        log,
        vec!["0 friendly", "5 serious", "10 call", "15 hold", "18 cured"]
    );
    assert_eq!(sim.mails.len(), 2);
    assert_eq!(
        sim.state.facts.hold, None,
        "the automatic hold is released on cure"
    );
    // the next delinquency starts again at step 1
    sim.balance = 250;
    let dec = sim.run(&book, day(30));
    assert_eq!(step_id(&dec), Some("friendly"));
}

proptest! {
    /// Rules 1 and 2 over random histories: each run does at most one step, and a second
    /// run on the same day changes nothing.
    #[test]
    fn one_step_per_run_and_idempotent_days(
        gaps in proptest::collection::vec(0i64..12, 1..25),
        pays in proptest::collection::vec(0i64..150, 25),
        finish in proptest::collection::vec(any::<bool>(), 25),
        white_glove in any::<bool>(),
    ) {
        let mut c = Customer::named("C1", "Acme");
        c.email = Some("ap@acme.test".into());
        c.white_glove = white_glove;
        let book = book();
        let mut sim = Sim::new(&c, 400);
        let mut today = d("2026-03-02");
        for (i, gap) in gaps.iter().enumerate() {
            today += chrono::Duration::days(*gap);
            if finish[i] {
                sim.finish_task(today, i % 3 == 0);
            }
            if pays[i] > 100 {
                sim.pay(today, pays[i] - 100);
            }
            let steps_before = sim.mails.len() + sim.tasks.len();
            let first = sim.run(&book, today);
            let steps_after = sim.mails.len() + sim.tasks.len();
            prop_assert!(steps_after - steps_before <= 1);
            let again = sim.run(&book, today);
            prop_assert!(again.is_empty(), "second run on {today} did {again:?} after {first:?}");
        }
    }

    /// No account left behind: after any run, an account whose collectible past due is
    /// at or above the threshold, not paused and not placed, is in a cycle with an open
    /// item or a step due on a later day — also long after its last written step.
    #[test]
    fn no_account_is_left_behind(
        gaps in proptest::collection::vec(1i64..20, 5..40),
        finish in proptest::collection::vec(any::<bool>(), 40),
        end in prop_oneof![Just(""), Just("action = \"repeat\"\nevery_days = 10"), Just("every_days = 3")],
    ) {
        let mut c = Customer::named("C1", "Acme");
        c.email = Some("ap@acme.test".into());
        let book = if end.is_empty() { book() } else { book_with(&format!("[strategy.end]\n{end}")) };
        let strategy = book.get("classic").cloned();
        let mut sim = Sim::new(&c, 900);
        let mut today = d("2026-03-02");
        for (i, gap) in gaps.iter().enumerate() {
            today += chrono::Duration::days(*gap);
            if finish[i] {
                sim.finish_task(today, false);
            }
            let dec = sim.run(&book, today);
            if dec.paused.is_some() {
                continue;
            }
            let Some(cy) = sim.state.facts.cycle.clone() else {
                prop_assert!(false, "owes 900 on {today} but is in no cycle");
                continue;
            };
            let waiting = sim.state.facts.open_step_task.is_some();
            let next = strategy.as_ref().and_then(|st| next_due(&cy, sim.state.facts.last_response, None, st));
            prop_assert!(
                waiting || next.is_some_and(|(_, due)| due > today),
                "on {today}: no open item and next step {next:?}"
            );
        }
    }
}

#[test]
fn after_the_last_step_the_end_rule_keeps_the_account_in_a_queue() {
    let c = Customer::named("C1", "Acme");
    // (end rule, last step index and day, as_of, past due, expected: step id,
    //  action, reason of its task (None: done at once), end round)
    let cases: [(
        &str,
        (usize, &str),
        &str,
        i64,
        Option<(&str, Action, Option<Reason>)>,
    ); 7] = [
        // review (the default): a supervisor's decision item, reason escalation
        (
            "",
            (4, "2026-03-30"),
            "2026-04-13",
            500,
            Some(("end", Action::Review, Some(Reason::Escalation))),
        ),
        ("", (4, "2026-03-30"), "2026-04-12", 500, None),
        (
            "action = \"review\"\nevery_days = 30",
            (4, "2026-03-30"),
            "2026-04-28",
            500,
            None,
        ),
        (
            "action = \"review\"\nevery_days = 30",
            (4, "2026-03-30"),
            "2026-04-29",
            500,
            Some(("end", Action::Review, Some(Reason::Escalation))),
        ),
        // repeat: the last step (an escalation) again
        (
            "action = \"repeat\"\nevery_days = 7",
            (4, "2026-03-30"),
            "2026-04-06",
            500,
            Some(("escalate", Action::Escalate, Some(Reason::Escalation))),
        ),
        (
            "action = \"repeat\"\nevery_days = 7",
            (6, "2026-04-13"),
            "2026-04-20",
            500,
            Some(("escalate", Action::Escalate, Some(Reason::Escalation))),
        ),
        // cured in between: the cycle ends instead
        ("", (4, "2026-03-30"), "2026-04-13", 50, None),
    ];
    for (end, (index, done), as_of, owed, want) in cases {
        let as_of = d(as_of);
        let book = if end.is_empty() {
            book()
        } else {
            book_with(&format!("[strategy.end]\n{end}"))
        };
        let mut s = state(&c, figures(as_of, "2026-03-01", owed, 0));
        s.facts.cycle = cycle(Some((index, done)));
        let dec = decide(&s, &book, as_of);
        let got = dec.step.as_ref().map(|st| {
            let reason = match &st.outcome {
                StepOutcome::Task { reason, .. } => Some(*reason),
                _ => None,
            };
            (st.step_id.as_str(), st.action, reason)
        });
        assert_eq!(
            got, want,
            "end {end:?}, last {index}@{done}, on {as_of}, owed {owed}"
        );
        if let Some(st) = &dec.step {
            assert_eq!(st.index, index + 1);
            assert!(st.end_round.is_some());
            if let StepOutcome::Task { assignee, .. } = &st.outcome {
                assert_eq!(*assignee, Assignee::Supervisor);
            }
        }
        assert_eq!(
            dec.cure.is_some(),
            owed < 100,
            "cure when below the threshold"
        );
    }
}

#[test]
fn a_skipped_run_catches_up_one_end_round_at_a_time() {
    // The run did not happen for 60 days after the last step: one review item, not four.
    let c = Customer::named("C1", "Acme");
    let book = book();
    let mut sim = Sim::new(&c, 500);
    sim.state.facts.cycle = cycle(Some((4, "2026-03-30")));
    let dec = sim.run(&book, d("2026-05-29"));
    assert_eq!(step_id(&dec), Some("end"));
    // While the review item is open nothing more happens.
    let dec = sim.run(&book, d("2026-06-20"));
    assert_eq!(dec.step, None);
    assert_eq!(dec.paused, Some(Pause::WaitingForTask));
    // The supervisor decides to go on: the next round is 14 days after that.
    sim.finish_task(d("2026-06-20"), false);
    assert_eq!(sim.run(&book, d("2026-07-03")).step, None);
    assert_eq!(step_id(&sim.run(&book, d("2026-07-04"))), Some("end"));
}

#[test]
fn stale_items_are_closed_with_their_reason() {
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-04-10");
    let item = |id, reason, action, ref_id| OpenItem {
        id,
        reason,
        action,
        ref_id,
    };
    // (past due, on hold, open disputes, in a cycle, placed, the open item, closed?)
    let release = item(1, Reason::Approval, ItemAction::ReleaseHold, Some(9));
    let follow = item(2, Reason::DisputeFollowUp, ItemAction::FollowUp, Some(5));
    let callback = item(3, Reason::Callback, ItemAction::Call, None);
    let write_off = item(4, Reason::Approval, ItemAction::ApproveWriteOff, Some(8));
    let cases = [
        (0, true, vec![], false, false, &release, None),
        (
            500,
            true,
            vec![],
            false,
            false,
            &release,
            Some("past due again"),
        ),
        (
            0,
            false,
            vec![],
            false,
            false,
            &release,
            Some("already released"),
        ),
        (0, false, vec![5], false, false, &follow, None),
        (
            0,
            false,
            vec![],
            false,
            false,
            &follow,
            Some("dispute was resolved"),
        ),
        (500, false, vec![], true, false, &callback, None),
        (50, false, vec![], true, false, &callback, Some("cured")),
        (
            500,
            false,
            vec![],
            true,
            true,
            &callback,
            Some("placed with"),
        ),
        (500, false, vec![], false, false, &write_off, None),
        (
            0,
            false,
            vec![],
            false,
            false,
            &write_off,
            Some("nothing is left"),
        ),
    ];
    for (owed, held, disputes, cycling, placed, it, want) in cases {
        let mut s = state(&c, figures(as_of, "2026-03-01", owed, 0));
        s.facts.items = vec![it.clone()];
        s.facts.open_disputes = disputes;
        if held {
            s.facts.hold = Some(HoldState {
                id: 9,
                since: d("2026-03-20"),
                by_step: true,
                over_limit: false,
            });
        }
        if cycling {
            s.facts.cycle = cycle(Some((1, "2026-04-01")));
        }
        if placed {
            s.facts.placed = Some(Placement {
                agency: "Northline".into(),
                since: d("2026-04-01"),
            });
        }
        let dec = decide(&s, &book(), as_of);
        let closed = dec.stale.iter().find(|x| x.item_id == it.id);
        match want {
            None => assert!(closed.is_none(), "{it:?} owed {owed}: {closed:?}"),
            Some(why) => assert!(
                closed.is_some_and(|x| x.why.contains(why)),
                "{it:?} owed {owed}: {:?}",
                dec.stale
            ),
        }
    }
}

#[test]
fn a_placed_account_takes_no_step_and_starts_no_cycle() {
    let c = Customer::named("C1", "Acme");
    let as_of = d("2026-04-10");
    for cycling in [false, true] {
        let mut s = state(&c, figures(as_of, "2026-01-01", 5_000, 0));
        if cycling {
            s.facts.cycle = cycle(Some((1, "2026-03-01")));
        }
        s.facts.placed = Some(Placement {
            agency: "Northline".into(),
            since: d("2026-04-01"),
        });
        let dec = decide(&s, &book(), as_of);
        assert_eq!(dec.step, None);
        assert_eq!(dec.start_cycle, None);
        assert_eq!(dec.cure, None);
        assert_eq!(dec.paused, Some(Pause::Placed));
    }
}

#[test]
fn a_completed_plan_cures_and_a_missed_installment_breaks_it() {
    let c = Customer::named("C1", "Acme");
    let plan = OpenPlan {
        id: 3,
        created_on: d("2026-04-01"),
        grace_days: 2,
        installments: vec![
            (d("2026-04-10"), Money::from_major(300)),
            (d("2026-04-20"), Money::from_major(300)),
        ],
    };
    // (as_of, payments, past due left, expected: cured, broken follow-up, paused)
    let cases = [
        (
            "2026-04-11",
            vec![("2026-04-09", 300)],
            5_000,
            false,
            false,
            true,
        ),
        ("2026-04-13", vec![], 5_000, false, true, false), // 04-10 + 2 days grace passed
        (
            "2026-04-21",
            vec![("2026-04-09", 300), ("2026-04-19", 300)],
            5_000,
            true,
            false,
            false,
        ),
        (
            "2026-04-21",
            vec![("2026-04-09", 600)],
            5_000,
            true,
            false,
            false,
        ), // early is fine
    ];
    for (as_of, paid, owed, cured, broken, paused) in cases {
        let as_of = d(as_of);
        let mut s = state(&c, figures(as_of, "2026-01-01", owed, 0));
        s.facts.cycle = cycle(Some((1, "2026-03-20")));
        s.facts.plan = Some(plan.clone());
        s.facts.payments = paid
            .iter()
            .map(|(day, m)| (d(day), Money::from_major(*m)))
            .collect();
        let dec = decide(&s, &book(), as_of);
        assert_eq!(
            dec.cure.as_ref().map(|c| c.reason),
            cured.then_some(CureReason::PlanCompleted),
            "{as_of}"
        );
        assert_eq!(
            dec.tasks.iter().any(|t| t.reason == Reason::PlanBroken),
            broken,
            "{as_of}"
        );
        assert_eq!(dec.paused == Some(Pause::Plan), paused, "{as_of}");
        if broken {
            assert!(
                dec.step.is_some(),
                "a broken plan resumes the strategy at once"
            );
        }
    }
}
