//! What a collector records says what happened, and the keys do what they say:
//! a callback's wording follows the call's outcome, Ctrl-C cancels a form before it
//! quits, and a key bound to two actions in `[keys]` is refused.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the message

mod common;
mod tui_common;

use arq::domain::{CallOutcome, Reason};
use arq::service::calls::FollowUp;
use crossterm::event::{KeyCode, KeyModifiers};

#[test]
fn a_callback_after_no_answer_says_no_answer_not_as_agreed() {
    let shop = common::Shop::new("2026-01-01");
    let cases = [
        (CallOutcome::NoAnswer, "call again: no answer on 2026-02-10"),
        (
            CallOutcome::Voicemail,
            "call again: left a voicemail on 2026-02-10",
        ),
        (
            CallOutcome::WrongNumber,
            "call again: wrong number on 2026-02-10, check the number first",
        ),
        (
            CallOutcome::Refused,
            "call again: refused to talk on 2026-02-10",
        ),
        (CallOutcome::Reached, "call back as agreed"),
    ];
    for (n, (outcome, want)) in cases.iter().enumerate() {
        let id = format!("C{n}");
        shop.customer(&id, "ana");
        shop.invoice(&format!("I{n}"), &id, "2026-01-01", "2026-01-31", "900.00");
        let mut s = shop.session("ana", "2026-02-10");
        let done = s
            .wrap_up(
                &id,
                None,
                *outcome,
                "",
                &FollowUp::Callback {
                    date: common::d("2026-02-12"),
                },
            )
            .unwrap();
        assert!(done.callback_id.is_some());
        // The item the collector finds in the queue on the day.
        let queue = shop
            .session("ana", "2026-02-12")
            .queue(&arq::service::queue::QueueScope::Mine, None)
            .unwrap();
        let item = queue
            .iter()
            .find(|i| i.customer_id == id && i.reason == Reason::Callback)
            .unwrap_or_else(|| panic!("{outcome}: no callback item"));
        assert_eq!(item.note, *want, "{outcome}");
        // And the account's timeline.
        let view = shop.session("ana", "2026-02-12").account(&id, 10).unwrap();
        assert!(
            view.events
                .iter()
                .any(|e| e.detail.ends_with(&format!(": {want}"))),
            "{outcome}: {:?}",
            view.events
        );
        if *outcome != CallOutcome::Reached {
            assert!(
                !view.events.iter().any(|e| e.detail.contains("as agreed")),
                "{outcome}"
            );
        }
    }
    // A callback scheduled on its own, without a note, claims no agreement either.
    shop.customer("CX", "ana");
    let mut s = shop.session("ana", "2026-02-10");
    s.schedule_callback("CX", common::d("2026-02-12"), "")
        .unwrap();
    let view = shop.session("ana", "2026-02-12").account("CX", 10).unwrap();
    assert_eq!(view.open_items[0].note, "call back");
}

fn ctrl_c(a: &mut arq::tui::app::App) {
    tui_common::press_with(a, KeyCode::Char('c'), KeyModifiers::CONTROL);
}

#[test]
fn ctrl_c_cancels_a_form_and_a_second_one_quits() {
    let c = tui_common::copy();
    let mut a = tui_common::app(&c.db, "ana");
    let before = tui_common::count(&c.db, "events");
    for open in ['c', 'p', 'n', 'b', 'd'] {
        tui_common::press(&mut a, KeyCode::Char(open));
        assert_eq!(a.popups.len(), 1, "{open} opens a form");
        if open == 'c' {
            tui_common::press(&mut a, KeyCode::Char('v'));
        }
        tui_common::type_text(&mut a, "half typed");
        ctrl_c(&mut a);
        assert!(a.popups.is_empty(), "{open}: ctrl-c cancels the form");
        assert!(!a.quit, "{open}: the first ctrl-c only cancels");
        let screen = tui_common::draw(&a, 120, 30);
        assert!(
            screen.contains("cancelled, nothing saved (ctrl-c again quits)"),
            "{screen}"
        );
    }
    // Help over the queue goes the same way.
    tui_common::press(&mut a, KeyCode::Char('?'));
    ctrl_c(&mut a);
    assert!(a.popups.is_empty() && !a.quit);
    assert_eq!(
        tui_common::count(&c.db, "events"),
        before,
        "nothing written"
    );
    ctrl_c(&mut a);
    assert!(a.quit, "the second ctrl-c quits");
}

#[test]
fn a_key_bound_to_two_actions_is_refused_naming_both() {
    let shop = common::Shop::new("2026-01-01");
    let config = shop.config_path();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    // Without the refusal, `c` would silently stop starting a call wrap-up.
    std::fs::write(&config, "[keys]\nrefresh = \"c\"\n").unwrap();
    let out = shop.arq("ana", "2026-01-01").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("config [keys]: 'c' would do both call and refresh"),
        "{stderr}"
    );
    // Two actions given one key.
    std::fs::write(&config, "[keys]\npromise = \"x\"\nnote = \"x\"\n").unwrap();
    let out = shop.arq("ana", "2026-01-01").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'x' would do both promise and note"),
        "{stderr}"
    );
    // A swap is fine: the app then only wants a terminal.
    std::fs::write(&config, "[keys]\ncall = \"r\"\nrefresh = \"R\"\n").unwrap();
    let out = shop.arq("ana", "2026-01-01").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}
