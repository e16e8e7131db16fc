//! A dispute resolved, an item finished or a hold released stays as it was closed:
//! working "as of" an earlier day, when the record still looked open, cannot close
//! it a second time (which would credit an invoice twice or rewrite history).

mod common;

use arq::domain::{DisputeOutcome, DisputeReason};
use common::{Shop, d, m};

fn shop() -> Shop {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-01-05", "2026-02-04", "500.00");
    shop
}

#[test]
fn a_dispute_resolved_later_cannot_be_resolved_again_as_of_an_earlier_day() {
    let shop = shop();
    let id = shop
        .session("ana", "2026-03-02")
        .open_dispute(
            "C1",
            "INV-1",
            DisputeReason::Pricing,
            Some(m("100.00")),
            "",
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let credited = shop
        .session("sam", "2026-03-10")
        .resolve_dispute(id, DisputeOutcome::Partial, Some(m("10.00")), "")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(credited, m("10.00"));

    let err = shop
        .session("sam", "2026-03-05")
        .resolve_dispute(id, DisputeOutcome::Valid, None, "")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("already resolved"), "{err}");
    assert_eq!(shop.count("allocations"), 1);
    let s = shop.session("sam", "2026-03-10");
    let view = s.account("C1", 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.balance, m("490.00"));
}

#[test]
fn a_finished_item_cannot_be_finished_again_as_of_an_earlier_day() {
    let shop = shop();
    let item = shop
        .session("ana", "2026-03-02")
        .schedule_callback("C1", d("2026-03-04"), "call back")
        .unwrap_or_else(|e| panic!("{e}"));
    shop.session("ana", "2026-03-06")
        .finish_item(item, "spoke to them")
        .unwrap_or_else(|e| panic!("{e}"));
    let events = shop.count("events");

    let err = shop
        .session("ana", "2026-03-05")
        .finish_item(item, "again")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("already finished"), "{err}");
    assert_eq!(shop.count("events"), events);
}

#[test]
fn a_released_hold_cannot_be_released_again_as_of_an_earlier_day() {
    let shop = shop();
    shop.session("ana", "2026-03-02")
        .set_hold("C1", "no payment")
        .unwrap_or_else(|e| panic!("{e}"));
    shop.session("sam", "2026-03-10")
        .release_hold("C1", "")
        .unwrap_or_else(|e| panic!("{e}"));

    let err = shop
        .session("sam", "2026-03-05")
        .release_hold("C1", "")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("already released"), "{err}");
    // Replaying the days between still shows the hold as it was.
    let then = shop.session("sam", "2026-03-08");
    assert!(
        then.account("C1", 0)
            .unwrap_or_else(|e| panic!("{e}"))
            .on_hold
    );
}

#[test]
fn a_collector_cannot_close_a_supervisors_item_by_logging_a_call() {
    use arq::domain::{CallOutcome, Reason};
    use arq::store::tasks::{self, NewTask};
    use arq::strategy::Assignee;

    let shop = shop();
    let mut sam = shop.session("sam", "2026-03-02");
    let item = sam
        .write(|tx| {
            Ok(tasks::insert(
                tx.conn,
                &NewTask {
                    customer_id: "C1",
                    reason: Reason::Step,
                    action: arq::domain::ItemAction::Escalate,
                    assignee: Assignee::Supervisor,
                    cycle_id: None,
                    step_index: None,
                    step_id: None,
                    ref_id: None,
                    note: "pass to the agency",
                    due: d("2026-03-02"),
                    created_on: d("2026-03-02"),
                    created_by: "sam",
                },
            )?)
        })
        .unwrap_or_else(|e| panic!("{e}"));

    let err = shop
        .session("ana", "2026-03-02")
        .log_call("C1", CallOutcome::Reached, "", Some(item))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("only supervisors"), "{err}");
    assert_eq!(shop.count("calls"), 0);
    sam.log_call("C1", CallOutcome::Reached, "", Some(item))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shop.count("calls"), 1);
}
