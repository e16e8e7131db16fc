//! The replay's own rules, as tables: how the candidate's items learn when they were
//! worked, and what the tallies count.

use chrono::NaiveDate;

use super::tally::{figures, per_collector, weeks};
use super::*;
use crate::domain::{Channel, ItemAction, Reason};
use crate::strategy::model::Assignee;

fn d(s: &str) -> NaiveDate {
    crate::domain::dates::parse_iso(s).unwrap_or_else(|e| panic!("{e}"))
}

fn record_item(id: i64, action: ItemAction, step: Option<usize>, worked: Option<WorkedOn>) -> Item {
    Item {
        id,
        reason: Reason::Step,
        action,
        ref_id: None,
        step: step.map(|i| (i, format!("s{i}"))),
        assignee: Assignee::Owner,
        worked,
    }
}

#[test]
fn a_candidate_item_is_worked_when_the_records_own_was_else_the_next_day() {
    let worked = WorkedOn {
        on: d("2026-10-07"),
        approved: false,
    };
    let record = Record::new(
        vec![
            RecordTask {
                customer: "C1".into(),
                created_on: d("2026-10-05"),
                item: record_item(10, ItemAction::Call, Some(2), Some(worked)),
            },
            RecordTask {
                customer: "C1".into(),
                created_on: d("2026-10-06"),
                item: record_item(11, ItemAction::Call, Some(3), None),
            },
        ],
        vec![],
    );
    // (customer, day, action, step index, expected)
    let cases = [
        (
            "C1",
            "2026-10-05",
            ItemAction::Call,
            Some(2),
            Counterpart::ByPerson(worked),
        ),
        (
            "C1",
            "2026-10-06",
            ItemAction::Call,
            Some(3),
            Counterpart::Untouched,
        ),
        // another step, another day, another account: no counterpart
        (
            "C1",
            "2026-10-05",
            ItemAction::Call,
            Some(3),
            Counterpart::Missing,
        ),
        (
            "C1",
            "2026-10-04",
            ItemAction::Call,
            Some(2),
            Counterpart::Missing,
        ),
        (
            "C2",
            "2026-10-05",
            ItemAction::Call,
            Some(2),
            Counterpart::Missing,
        ),
        (
            "C1",
            "2026-10-05",
            ItemAction::Letter,
            Some(2),
            Counterpart::Missing,
        ),
    ];
    for (c, day, action, step, want) in cases {
        assert_eq!(
            record.task_like(c, d(day), action, step),
            want,
            "{c} {day} {action} {step:?}"
        );
    }
    assert!(record.is_run_item(10) && record.is_run_item(11) && !record.is_run_item(12));
}

#[test]
fn a_step_task_closed_by_a_person_records_the_step_that_day() {
    let mut t = Track {
        cycle: Some(crate::strategy::engine::CycleState {
            id: 1,
            strategy_id: "standard".into(),
            started_on: d("2026-10-01"),
            last_step: None,
        }),
        step_task: Some(record_item(
            -1,
            ItemAction::Call,
            Some(2),
            Some(WorkedOn {
                on: d("2026-10-08"),
                approved: false,
            }),
        )),
        ..Track::default()
    };
    let mut out = Vec::new();
    t.work("C1", d("2026-10-07"), &mut out);
    assert!(
        out.is_empty() && t.step_task.is_some(),
        "not yet worked on the 7th"
    );
    t.work("C1", d("2026-10-09"), &mut out);
    assert!(t.step_task.is_none());
    let last = t.cycle.as_ref().and_then(|c| c.last_step);
    assert_eq!(
        last.map(|s| (s.index, s.done_on)),
        Some((2, d("2026-10-08")))
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].to_string(), "2026-10-08 C1 step 2 s2 (call, task)");
}

#[test]
fn the_tallies_count_each_kind_once() {
    let h = |day: &str, c: &str, what: What| Happened::new(d(day), c, what);
    let task = |action, reason, assignee| What::Task {
        action,
        reason,
        assignee,
    };
    let actual = vec![
        h("2026-10-01", "A", What::Message(Channel::Email)),
        h(
            "2026-10-01",
            "A",
            task(ItemAction::Call, Reason::Step, Assignee::Owner),
        ),
        h("2026-10-02", "B", What::Message(Channel::Letter)),
        h("2026-10-09", "B", What::HoldSet),
    ];
    let candidate = vec![
        h("2026-10-01", "A", What::Message(Channel::Email)),
        h(
            "2026-10-01",
            "A",
            task(ItemAction::Call, Reason::Step, Assignee::Owner),
        ),
        h(
            "2026-10-01",
            "B",
            task(ItemAction::Call, Reason::Step, Assignee::Owner),
        ),
        h(
            "2026-10-01",
            "C",
            task(ItemAction::Call, Reason::Step, Assignee::Owner),
        ),
        h(
            "2026-10-03",
            "B",
            task(
                ItemAction::Escalate,
                Reason::Escalation,
                Assignee::Supervisor,
            ),
        ),
        h("2026-10-03", "B", What::HoldSet),
        h("2026-10-04", "B", What::HoldReleased),
    ];
    let a = figures(&actual);
    assert_eq!(
        (
            a.emails,
            a.letters,
            a.calls,
            a.holds,
            a.tasks,
            a.customers_contacted,
            a.contacts,
            a.most_contacts
        ),
        (1, 1, 1, 1, 1, 2, 3, 2)
    );
    let c = figures(&candidate);
    assert_eq!(
        (
            c.calls,
            c.escalations,
            c.holds,
            c.holds_released,
            c.tasks,
            c.customers_contacted
        ),
        (3, 1, 1, 1, 4, 3)
    );
    let owner = |cid: &str| Some(if cid == "C" { "ben" } else { "ana" }.to_string());
    let load = per_collector(
        &actual,
        &candidate,
        &owner,
        &|_| 1,
        d("2026-10-01"),
        d("2026-10-10"),
    );
    let ana = load
        .iter()
        .find(|l| l.user == "ana")
        .unwrap_or_else(|| panic!("ana"));
    // ana: 1 item on the 1st in the record, 2 in the candidate's (A and B), capacity 1
    assert_eq!(
        (
            ana.actual_peak_day,
            ana.candidate_peak_day,
            ana.actual_days_over,
            ana.candidate_days_over
        ),
        (1, 2, 0, 1)
    );
    assert_eq!((ana.actual_avg_day, ana.candidate_avg_day), (0.1, 0.2));
    assert!(
        load.iter()
            .any(|l| l.user == tally::SUPERVISORS && l.candidate_total == 1)
    );
    let w = weeks(&actual, &candidate, d("2026-10-01"), d("2026-10-10"));
    assert_eq!(w.len(), 2);
    assert_eq!(
        (w[0].actual.calls, w[0].candidate.calls, w[0].actual.mail),
        (1, 3, 2)
    );
    assert_eq!((w[1].actual.holds, w[1].to), (1, d("2026-10-10")));
}

#[test]
fn the_overlay_can_be_laid_on_the_same_facts_day_after_day() {
    let mut t = Track::default();
    t.items
        .push(record_item(-3, ItemAction::ReleaseHold, None, None));
    let mut facts = crate::strategy::engine::AccountFacts::default();
    // a person's callback (kept), the record's own approval (gives way)
    for (id, action) in [(7, ItemAction::Call), (9, ItemAction::ReleaseHold)] {
        facts.items.push(crate::strategy::engine::OpenItem {
            id,
            reason: Reason::Callback,
            action,
            ref_id: None,
        });
    }
    for _ in 0..3 {
        t.overlay(&mut facts, &|id| id == 9, None);
    }
    let ids: Vec<i64> = facts.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![7, -3]);
}
