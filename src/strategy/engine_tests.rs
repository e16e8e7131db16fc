//! The rules of DESIGN §2 as tables of cases, plus a small day-by-day simulator that
//! applies decisions the way the daily run does, for the multi-day paths and properties.

#![allow(clippy::type_complexity)] // tables of cases

use super::*;
use crate::domain::dates::parse_iso;
use crate::domain::{AccountFigures, InvoicePosition};
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
        cycle: None,
        open_step_task: None,
        last_response: None,
        promises: vec![],
        plan: None,
        payments: vec![],
        resume_on: None,
        hold: None,
        release_pending: false,
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
        ((4, "2026-03-30"), None, "2026-06-30", None), // the strategy has no step left
    ];
    for ((index, done), response, as_of, want) in cases {
        let as_of = d(as_of);
        let mut s = state(&c, figures(as_of, "2026-03-01", 500, 0));
        s.cycle = cycle(Some((index, done)));
        s.last_response = response.map(d);
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
    s.cycle = cycle(Some((0, "2026-03-10")));
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
            s.cycle = cycle(Some(l));
        }
        if on_hold {
            s.hold = Some(HoldState {
                since: d("2026-03-01"),
                by_step: false,
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
        s.cycle = cycle(Some((3, "2026-03-25")));
        s.hold = Some(HoldState {
            since: d("2026-03-25"),
            by_step,
        });
        s.release_pending = pending;
        s.open_step_task = Some(OpenStepTask {
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
        s.cycle = cycle(Some((0, "2026-03-10")));
        s.promises = promise.into_iter().collect();
        s.plan = plan;
        if task {
            s.open_step_task = Some(OpenStepTask {
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
        s.cycle = cycle(Some((1, "2026-03-15")));
        s.promises = vec![p.clone()];
        s.payments = payments
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
    s.cycle = cycle(Some((1, "2026-03-28")));
    s.last_response = Some(d("2026-03-31"));
    s.promises = vec![OpenPromise {
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
        s.cycle = cycle(Some((1, "2026-03-15")));
        s.plan = Some(plan.clone());
        s.payments = payments
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
        s.cycle = cycle(Some((0, "2026-03-06")));
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
            self.state.cycle = None;
            self.state.open_step_task = None;
            if cure.hold == HoldOnCure::Release {
                self.state.hold = None;
            }
            self.cured += 1;
        }
        if let Some(id) = &dec.start_cycle {
            self.state.cycle = Some(CycleState {
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
                    self.state.hold = Some(HoldState {
                        since: as_of,
                        by_step: true,
                    })
                }
                StepOutcome::Task { .. } => {
                    self.state.open_step_task = Some(OpenStepTask {
                        task_id: self.next_task,
                        step_index: step.index,
                    });
                    self.tasks.push((self.next_task, step.index, as_of));
                    self.next_task += 1;
                }
                _ => {}
            }
            if step.outcome.done_now()
                && let Some(c) = self.state.cycle.as_mut()
            {
                c.last_step = Some(DoneStep {
                    index: step.index,
                    done_on: as_of,
                });
            }
        }
        self.state
            .promises
            .retain(|p| !dec.promises.iter().any(|v| v.promise_id == p.id));
        dec
    }

    /// A person finishes the open step task (for a call, logging the call).
    fn finish_task(&mut self, on: NaiveDate, response: bool) {
        if let Some(t) = self.state.open_step_task.take()
            && let Some(c) = self.state.cycle.as_mut()
        {
            c.last_step = Some(DoneStep {
                index: t.step_index,
                done_on: on,
            });
        }
        if response {
            self.state.last_response = Some(on);
        }
    }

    fn pay(&mut self, on: NaiveDate, amount: i64) {
        self.balance -= amount;
        self.state.payments.push((on, Money::from_major(amount)));
        self.state.last_response = Some(on);
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
        sim.state.hold, None,
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
}
