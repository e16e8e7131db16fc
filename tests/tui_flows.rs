//! Scripted flows through the terminal app: keys in, what the database recorded out.

mod tui_common;

use arq::tui::app::Msg;
use arq::tui::keymap::Keymap;
use arq::tui::screens::accounts::AccountsScreen;
use arq::tui::screens::queue::QueueScreen;
use arq::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::style::Modifier;
use tui_common::{
    app, app_with, buffer, copy, count, draw, press, press_with, select_first_not_on_hold, session,
    type_text,
};

#[test]
fn a_wrap_up_with_a_promise_pauses_the_strategy_and_moves_on() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    let first = a
        .queue()
        .unwrap()
        .selected()
        .map(|i| (i.customer_id.clone(), i.item_id))
        .unwrap_or_else(|| panic!("empty queue"));
    // The call also finishes the account's other due call items; the next item is the
    // best one left.
    let next = a
        .queue()
        .unwrap()
        .items
        .iter()
        .find(|i| i.customer_id != first.0 || i.action != arq::domain::ItemAction::Call)
        .map(|i| i.item_id);
    let before = count(&c.db, "events");

    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    type_text(&mut a, "AP will pay Friday");
    press_with(&mut a, KeyCode::Enter, KeyModifiers::ALT);
    type_text(&mut a, "second line");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "500");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "+5");
    press(&mut a, KeyCode::Enter);
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(m, err)| !err && m.contains("promise #")),
        "{:?}",
        a.status
    );
    // The form closes; a promise confirmation is offered when the customer has email.
    if !a.popups.is_empty() {
        assert!(draw(&a, 100, 30).contains("Send the promise confirmation"));
        press(&mut a, KeyCode::Esc);
    }
    assert!(a.popups.is_empty(), "the form closes on save");
    let (customer, item) = first;
    let note: String = {
        let s = arq::store::Store::open(&c.db).unwrap_or_else(|e| panic!("{e}"));
        s.conn()
            .query_row(
                "SELECT note FROM calls WHERE customer_id = ?1 ORDER BY id DESC LIMIT 1",
                [&customer],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(note, "AP will pay Friday\nsecond line");
    assert_eq!(
        count(
            &c.db,
            &format!(
                "promises WHERE customer_id = '{customer}' AND amount = 50000 AND date = '2026-11-25'"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &c.db,
            &format!("tasks WHERE id = {item} AND done_on = '2026-11-20'")
        ),
        1
    );
    assert!(count(&c.db, "events") >= before + 3);
    // The account's strategy is paused by the promise.
    let view = session(&c.db, "ana")
        .account(&customer, 5)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        view.status.starts_with("paused: promise open through"),
        "{}",
        view.status
    );
    // The queue moved on: the next item is selected.
    assert_eq!(a.queue().unwrap().list.selected, 0);
    assert_eq!(a.queue().unwrap().selected().map(|i| i.item_id), next);
    assert!(!a.queue().unwrap().items.iter().any(|i| i.item_id == item));
}

#[test]
fn escape_writes_nothing() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    let before = count(&c.db, "events");
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('v'));
    type_text(&mut a, "left a message");
    press(&mut a, KeyCode::Esc);
    assert!(a.popups.is_empty());
    assert_eq!(count(&c.db, "events"), before);
    // The same for the other forms.
    for key in ['p', 'd', 'n', 'b', 'f', 'h'] {
        press(&mut a, KeyCode::Char(key));
        assert_eq!(a.popups.len(), 1, "{key}");
        if key == 'h' {
            // The hold's reason may be left empty: the form says what is then kept.
            let screen = draw(&a, 100, 30);
            assert!(
                screen.contains("optional: else \"set by hand\""),
                "{screen}"
            );
        }
        press(&mut a, KeyCode::Esc);
    }
    assert_eq!(count(&c.db, "events"), before);
}

#[test]
fn forms_show_what_is_wrong_in_place() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    // No outcome chosen.
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Enter);
    assert!(draw(&a, 100, 30).contains("choose how the call went"));
    press(&mut a, KeyCode::Esc);
    // A promise date in the past and an amount that is not one.
    press(&mut a, KeyCode::Char('p'));
    type_text(&mut a, "12,50x");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2026-01-01");
    press(&mut a, KeyCode::Enter);
    let screen = draw(&a, 100, 30);
    assert!(screen.contains("is not an amount"), "{screen}");
    assert!(screen.contains("2026-01-01 is before today"), "{screen}");
    assert_eq!(a.popups.len(), 1);
}

/// The outcome's letter moves on to the note; a Tab out of habit then lands on "Then",
/// a choice. Text typed there was meant for the note: it goes there (a space used to
/// pick "promise"), the form says so, nothing is chosen, and ⏎ saves the call with it.
#[test]
fn text_typed_on_then_goes_to_the_note() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "hello there");
    let screen = draw(&a, 100, 30);
    assert!(screen.contains("your text went to the note"), "{screen}");
    assert!(screen.contains("hello there"), "{screen}");
    assert!(screen.contains("●- nothing"), "{screen}");
    assert!(!screen.contains("Amount"), "{screen}");
    let calls = count(&c.db, "calls");
    press(&mut a, KeyCode::Enter);
    assert!(a.popups.is_empty(), "{}", draw(&a, 100, 30));
    assert_eq!(count(&c.db, "calls"), calls + 1);
    let note: String = session(&c.db, "ana")
        .store()
        .conn()
        .query_row("SELECT note FROM calls ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(note, "hello there");
    // A letter on the outcome is named: there is no outcome yet to save a note with.
    press(&mut a, KeyCode::Char('c'));
    type_text(&mut a, "q");
    assert!(
        draw(&a, 100, 30).contains("Outcome is a choice, not text"),
        "{}",
        draw(&a, 100, 30)
    );
}

/// Text on "Then" whose letters are choices ("pay by friday": p, then b) picks no
/// follow-up: the letters that picked are taken back and go to the note with the
/// rest, and ⏎ records the call alone — no promise, no callback.
#[test]
fn text_with_choice_letters_typed_on_then_picks_nothing() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "pay by friday");
    let screen = draw(&a, 100, 30);
    assert!(screen.contains("●- nothing"), "{screen}");
    assert!(screen.contains("pay by friday"), "{screen}");
    let (calls, promises, tasks) = (
        count(&c.db, "calls"),
        count(&c.db, "promises"),
        count(&c.db, "tasks"),
    );
    press(&mut a, KeyCode::Enter);
    assert!(a.popups.is_empty(), "the call is saved");
    assert_eq!(
        (
            count(&c.db, "calls"),
            count(&c.db, "promises"),
            count(&c.db, "tasks")
        ),
        (calls + 1, promises, tasks),
        "the call alone was recorded"
    );
    // On the next account the choice keys choose as before.
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('b'));
    assert!(
        draw(&a, 100, 30).contains("●b callback"),
        "{}",
        draw(&a, 100, 30)
    );
}

/// A supervisor who types a note on the decision's choice ("will pay next week": its
/// letters include w for write-off, a for agency and p for plan) decides nothing by
/// it: the text goes to the note, the choice stays "continue", and ⏎ continues — no
/// write-off (it wrote the account off, the last `w` having picked write-off).
#[test]
fn a_note_typed_on_the_decision_choice_writes_nothing_off() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    press(&mut s, KeyCode::Char('f'));
    type_text(&mut s, "will pay next week");
    let screen = draw(&s, 100, 40);
    assert!(screen.contains("●c continue"), "{screen}");
    assert!(screen.contains("will pay next week"), "{screen}");
    assert!(screen.contains("your text went to the note"), "{screen}");
    let written_off = count(&c.db, "write_offs");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Enter);
    assert_eq!(
        count(&c.db, "write_offs"),
        written_off,
        "nothing written off"
    );
    // The choice keys still choose when pressed on their own.
    press(&mut s, KeyCode::Char('f'));
    press(&mut s, KeyCode::Char('w'));
    assert!(
        draw(&s, 100, 40).contains("●w write off"),
        "{}",
        draw(&s, 100, 40)
    );
}

/// After a rejection asked for its reason, a Tab back to the choice and a typed reason
/// ("still orders monthly": its space used to flip the choice to approve) stay a
/// rejection, with the reason as its note.
#[test]
fn a_reason_typed_on_the_approval_choice_stays_a_rejection() {
    use arq::tui::screens::ScreenId;
    use arq::tui::screens::approvals::ApprovalsScreen;
    let c = copy();
    let mut ana = session(&c.db, "ana");
    let cid: String = ana
        .store()
        .conn()
        .query_row(
            "SELECT i.customer_id FROM invoices i JOIN customers c ON c.id = i.customer_id
             WHERE c.owner = 'ana' AND i.balance > 0 AND i.due_date < '2026-11-01'
               AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.customer_id = c.id AND t.done_on IS NULL)
             ORDER BY i.customer_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let number: String = ana
        .store()
        .conn()
        .query_row(
            "SELECT invoice_no FROM invoices WHERE customer_id = ?1 AND balance > 0 AND due_date < '2026-11-01' ORDER BY invoice_no LIMIT 1",
            [&cid],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let item = ana
        .request_write_off(&cid, &[number], "small balance")
        .unwrap_or_else(|e| panic!("{e}"))
        .approval_item
        .unwrap_or_else(|| panic!("no approval item"));
    let mut s = app(&c.db, "sam");
    while s.context() != ScreenId::Approvals {
        press(&mut s, KeyCode::Tab);
    }
    let pos = s
        .find::<ApprovalsScreen>()
        .and_then(|a| a.items.iter().position(|i| i.item_id == item))
        .unwrap_or_else(|| panic!("item #{item} is not in Approvals"));
    for _ in 0..pos {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Char('f'));
    press(&mut s, KeyCode::Char('r'));
    press(&mut s, KeyCode::Enter);
    let asked = draw(&s, 100, 40);
    assert!(asked.contains("say why it is rejected"), "{asked}");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "still orders monthly");
    let screen = draw(&s, 100, 40);
    assert!(screen.contains("●r reject"), "{screen}");
    assert!(screen.contains("still orders monthly"), "{screen}");
    let approved = || {
        session(&c.db, "sam")
            .store()
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM write_offs WHERE status = 'approved'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let before = approved();
    press(&mut s, KeyCode::Enter);
    assert!(s.popups.is_empty(), "{}", draw(&s, 100, 40));
    assert_eq!(approved(), before, "nothing approved");
}

/// On a collector's page `a` with nothing marked moves every account shown, not the
/// row under the cursor: the preview says that none is marked before anything moves.
#[test]
fn a_move_with_nothing_marked_says_it_takes_every_account_shown() {
    let c = copy();
    let mut a = app(&c.db, "sam");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Enter);
    let before = count(&c.db, "events WHERE kind = 'assigned'");
    press(&mut a, KeyCode::Char('a'));
    let screen = draw(&a, 120, 40);
    assert!(
        screen.contains("every account shown (none is marked; space marks one)"),
        "{screen}"
    );
    press(&mut a, KeyCode::Esc);
    assert_eq!(count(&c.db, "events WHERE kind = 'assigned'"), before);
}

/// The dispute form's amount "defaults to the undisputed balance": emptied, it is that
/// balance; an amount out of range names the range as every other amount is shown, and
/// what was said about one invoice goes away when another is chosen.
#[test]
fn a_dispute_amount_left_empty_is_the_undisputed_balance() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    press(&mut a, KeyCode::Char('d'));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "99999999");
    press(&mut a, KeyCode::Enter);
    let screen = draw(&a, 100, 30);
    let range = screen
        .lines()
        .find_map(|l| l.split("between 0.01 and ").nth(1))
        .map(|r| r.split_whitespace().next().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no range named:\n{screen}"));
    assert!(
        range.contains(',') || range.len() < 7,
        "the range is grouped like every amount: {range}"
    );
    press_with(&mut a, KeyCode::BackTab, KeyModifiers::SHIFT);
    press_with(&mut a, KeyCode::BackTab, KeyModifiers::SHIFT);
    press(&mut a, KeyCode::Down);
    assert!(!draw(&a, 100, 30).contains("between 0.01 and"));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    for _ in 0..20 {
        press(&mut a, KeyCode::Backspace);
    }
    let before = count(&c.db, "disputes");
    press(&mut a, KeyCode::Enter);
    let screen = draw(&a, 100, 30);
    assert_eq!(count(&c.db, "disputes"), before + 1, "{screen}");
    assert_eq!(
        count(
            &c.db,
            "disputes d JOIN invoices i ON i.invoice_no = d.invoice_no WHERE d.id = (SELECT MAX(id) FROM disputes) AND d.amount = i.balance"
        ),
        1,
        "the dispute is for the undisputed balance"
    );
}

/// A promise taken on an account that has an open one replaces it: both the promise
/// form and the wrap-up's promise say so, with the open promise's number and terms,
/// before anything is saved.
#[test]
fn a_second_promise_says_which_open_promise_it_replaces() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    press(&mut a, KeyCode::Char('p'));
    assert!(
        !draw(&a, 100, 30).contains("replaces open promise"),
        "{}",
        draw(&a, 100, 30)
    );
    type_text(&mut a, "1000");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "+7");
    press(&mut a, KeyCode::Enter);
    let promise: i64 = session(&c.db, "ana")
        .store()
        .conn()
        .query_row(
            "SELECT MAX(id) FROM promises WHERE status = 'open'",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    while !a.popups.is_empty() {
        press(&mut a, KeyCode::Esc);
    }
    press(&mut a, KeyCode::Char('p'));
    let screen = draw(&a, 100, 30);
    let said = format!("This replaces open promise #{promise}: 1,000.00 by 2026-11-27.");
    assert!(screen.contains(&said), "{screen}");
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('p'));
    let screen = draw(&a, 120, 40);
    assert!(
        screen.contains(&format!(
            "replaces open promise #{promise}: 1,000.00 by 2026-11-27"
        )),
        "{screen}"
    );
}

/// A supervisor deciding to write an exhausted account off is offered its past-due
/// invoices ticked, not one still within its terms: the ticked total is the past due
/// the form shows above it, and the list says how many invoices there are in all.
#[test]
fn a_write_off_decision_ticks_the_past_due_invoices() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    press(&mut s, KeyCode::Char('f'));
    press(&mut s, KeyCode::Char('w'));
    let screen = draw(&s, 100, 40);
    let after = |label: &str| -> String {
        screen
            .lines()
            .find_map(|l| l.split(label).nth(1))
            .map(|r| {
                r.trim_start_matches([' ', ':'])
                    .split([' ', '│'])
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .unwrap_or_else(|| panic!("no '{label}':\n{screen}"))
    };
    let past_due = after("past due ");
    let ticked = screen
        .lines()
        .find_map(|l| l.split("ticked ").nth(1))
        .and_then(|r| r.split(": ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no ticked total:\n{screen}"))
        .to_string();
    assert_eq!(ticked, past_due, "{screen}");
    assert!(screen.contains(" of "), "{screen}");
}

/// Every form names the account it acts on, finishing an item too.
#[test]
fn the_finish_form_names_the_account() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    let customer = a
        .queue()
        .and_then(|q| q.selected().map(|i| i.customer_id.clone()))
        .unwrap_or_default();
    press(&mut a, KeyCode::Char('f'));
    let screen = draw(&a, 120, 40);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("finish item #") && l.contains(&customer)),
        "{screen}"
    );
}

/// Sending a message now to a customer who opted out of email starts on a channel the
/// customer takes, not on email (which would only be refused).
#[test]
fn send_now_starts_on_a_channel_the_customer_takes() {
    let c = copy();
    let opted_out: String = session(&c.db, "sam")
        .store()
        .conn()
        .query_row(
            "SELECT id FROM customers WHERE opt_out LIKE '%email%' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("the demo has a customer opted out of email: {e}"));
    let mut a = app(&c.db, "sam");
    while !draw(&a, 120, 40).contains("[Accounts]") {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, &opted_out);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('m'));
    let screen = draw(&a, 120, 40);
    assert!(screen.contains("send now"), "{screen}");
    let channels = screen
        .lines()
        .find(|l| l.contains("Channel"))
        .unwrap_or_else(|| panic!("no channel choice:\n{screen}"));
    assert!(channels.contains("○ email"), "{channels}");
    assert!(channels.contains('●'), "{channels}");
}

/// The KPI screen's headline is over the last 30 days; its DSO trend reads 90 days to
/// each point. Both say their window, so the two DSO figures are not taken for one.
#[test]
fn the_kpi_trends_name_their_windows() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    while !draw(&s, 160, 48).contains("[KPIs]") {
        press(&mut s, KeyCode::Tab);
    }
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = draw(&s, w, h);
        assert!(screen.contains("30 days"), "{w}x{h}\n{screen}");
        assert!(
            screen.contains("DSO 90d") || screen.contains("DSO, 90 days"),
            "{w}x{h}\n{screen}"
        );
    }
}

/// A popup opened over a row of wide characters (a Japanese name) keeps its left border
/// on that row as a terminal shows it, at every width: the frames are written as the
/// app writes them (the list, then the popup over it) and read back by a terminal
/// emulator, which is where a border cell "covered" by the second half of a wide
/// character went missing.
#[test]
fn a_popup_keeps_its_border_over_wide_characters_on_a_terminal() {
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    let c = copy();
    let mut a = app(&c.db, "sam");
    while !draw(&a, 120, 40).contains("[Accounts]") {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "フーズ");
    press(&mut a, KeyCode::Enter);
    /// What the app writes to its terminal, kept to be read back.
    #[derive(Clone, Default)]
    struct Written(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Written {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let n = |v: u16| std::num::NonZeroU16::new(v).unwrap_or(std::num::NonZeroU16::MIN);
    let mut crossed = 0;
    for w in 60..=130_u16 {
        let h = 12;
        let written = Written::default();
        let mut t = Terminal::with_options(
            CrosstermBackend::new(written.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        t.draw(|f| arq::tui::view::draw(f, &a))
            .unwrap_or_else(|e| panic!("{e}"));
        press(&mut a, KeyCode::Char('h'));
        t.draw(|f| arq::tui::view::draw(f, &a))
            .unwrap_or_else(|e| panic!("{e}"));
        press(&mut a, KeyCode::Esc);
        drop(t);
        let mut screen = vt100::Parser::new(n(h), n(w), 0);
        screen.process(&written.0.borrow());
        let s = screen.screen();
        let cell = |x: u16, y: u16| s.cell(y, x).map(|c| c.contents()).unwrap_or_default();
        let Some((left, top)) = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .find(|&(x, y)| cell(x, y) == "┌")
        else {
            panic!("no popup at {w} columns:\n{}", s.contents());
        };
        let bottom = (top + 1..h).find(|&y| cell(left, y) == "└").unwrap_or(h);
        let name_row = (top + 1..bottom).find(|&y| s.contents_between(y, 0, y, w).contains('大'));
        for y in top + 1..bottom {
            assert_eq!(
                cell(left, y),
                "│",
                "{w} columns, row {y}:\n{}",
                s.contents()
            );
        }
        if name_row.is_some() && left > 0 {
            crossed += 1;
        }
    }
    assert!(crossed > 0, "the name was never beside a popup's edge");
}

/// Deciding on a plan (or a write-off) puts its terms in front of the supervisor before
/// anything is saved: ⏎ on the choice goes to the prefilled installments, and only a
/// second ⏎ there records the plan.
#[test]
fn a_plan_decision_shows_its_terms_before_it_is_saved() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    let plans = count(&c.db, "plans");
    press(&mut s, KeyCode::Char('f'));
    press(&mut s, KeyCode::Char('p'));
    press(&mut s, KeyCode::Enter);
    assert_eq!(count(&c.db, "plans"), plans, "nothing saved by the first ⏎");
    assert_eq!(s.popups.len(), 1);
    let screen = draw(&s, 100, 40);
    assert!(
        screen.lines().any(|l| l.contains("▶ Total")),
        "the cursor is on the plan's terms:\n{screen}"
    );
    press(&mut s, KeyCode::Enter);
    assert_eq!(count(&c.db, "plans"), plans + 1, "{:?}", s.status);
}

/// Sending a message now to an account with nothing past due says so before a
/// reminder goes out that would announce a past-due total of 0.00.
#[test]
fn send_now_says_when_nothing_is_past_due() {
    let c = copy();
    let current: String = session(&c.db, "sam")
        .store()
        .conn()
        .query_row(
            "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id AND i.balance > 0)
               AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id AND i.balance <> 0 AND i.due_date < '2026-11-20')
             ORDER BY c.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("the demo has an account with nothing past due: {e}"));
    let mut a = app(&c.db, "sam");
    while !draw(&a, 120, 40).contains("[Accounts]") {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, &current);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('m'));
    let screen = draw(&a, 120, 40);
    assert!(
        screen.contains(&format!("Nothing on {current} is past due")),
        "{screen}"
    );
}

#[test]
fn dispute_note_callback_finish_and_hold_are_recorded() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    let customer = a
        .queue()
        .unwrap()
        .selected()
        .map(|i| i.customer_id.clone())
        .unwrap_or_default();
    // Dispute the first invoice, reason two steps to the right (damaged? quantity), half the amount.
    press(&mut a, KeyCode::Char('d'));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "100");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "two cartons short");
    // The follow-up day: a word that is no date is refused in place, nothing saved.
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "someday");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.popups.len(), 1);
    assert!(draw(&a, 100, 30).contains("'someday' is not a date"));
    assert_eq!(
        count(&c.db, &format!("disputes WHERE customer_id = '{customer}'")),
        0
    );
    for _ in 0.."someday".len() {
        press(&mut a, KeyCode::Backspace);
    }
    type_text(&mut a, "+3");
    press(&mut a, KeyCode::Enter);
    assert!(a.popups.is_empty(), "{:?}", a.status);
    assert_eq!(
        count(
            &c.db,
            &format!(
                "disputes WHERE customer_id = '{customer}' AND reason = 'quantity' AND amount = 10000 AND follow_up = '2026-11-23'"
            )
        ),
        1
    );
    // A note, a callback and a hold.
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "asked for a statement");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('b'));
    type_text(&mut a, "mon");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('h'));
    type_text(&mut a, "orders over limit");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        count(
            &c.db,
            &format!(
                "events WHERE customer_id = '{customer}' AND kind = 'note' AND detail = 'note: asked for a statement'"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &c.db,
            &format!(
                "tasks WHERE customer_id = '{customer}' AND reason = 'callback' AND due = '2026-11-23'"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &c.db,
            &format!(
                "holds WHERE customer_id = '{customer}' AND released_on IS NULL AND reason = 'orders over limit'"
            )
        ),
        1
    );
    // A collector cannot release the hold.
    press(&mut a, KeyCode::Char('h'));
    assert!(a.popups.is_empty());
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(m, err)| *err && m.contains("only supervisors"))
    );
    // Finishing the selected item.
    let item = a
        .queue()
        .unwrap()
        .selected()
        .map(|i| i.item_id)
        .unwrap_or_default();
    press(&mut a, KeyCode::Char('f'));
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        count(
            &c.db,
            &format!("tasks WHERE id = {item} AND outcome = 'done'")
        ),
        1
    );
}

#[test]
fn a_collector_sees_only_their_accounts_and_a_supervisor_assigns() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Tab);
    let accounts = a
        .find::<AccountsScreen>()
        .unwrap_or_else(|| panic!("accounts not loaded"));
    assert!(!accounts.lines.is_empty());
    assert!(
        accounts
            .lines
            .iter()
            .all(|l| l.owner.as_deref() == Some("ana"))
    );
    // Filter as you type.
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "juniper foods");
    let shown = a.find::<AccountsScreen>().map_or(0, |x| x.shown.len());
    assert_eq!(shown, 1);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.account().map(|x| x.view.customer_id.as_str()),
        Some("C-00148")
    );

    // sam moves that account to ben (Accounts is his fourth screen).
    let mut s = app(&c.db, "sam");
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "C-00148");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('a'));
    press(&mut s, KeyCode::Down); // ana → ben (users in name order: ana, ben, cleo, sam)
    press(&mut s, KeyCode::Enter);
    assert_eq!(
        count(&c.db, "customers WHERE id = 'C-00148' AND owner = 'ben'"),
        1
    );

    // ana's open app notices at the next tick and leaves the account she may no longer see.
    a.update(Msg::Tick);
    assert!(a.account().is_none());
    assert!(
        a.find::<AccountsScreen>()
            .is_some_and(|x| x.lines.iter().all(|l| l.customer_id != "C-00148"))
    );
}

#[test]
fn other_peoples_changes_appear_without_losing_a_half_typed_form() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Enter);
    let customer = a
        .account()
        .map(|x| x.view.customer_id.clone())
        .unwrap_or_default();
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "half a thought");
    // sam adds a note to the same account from another process.
    session(&c.db, "sam")
        .log_note(&customer, "supervisor looked at this")
        .unwrap_or_else(|e| panic!("{e}"));
    a.update(Msg::Tick);
    assert!(a.account().is_some_and(|x| {
        x.view
            .events
            .iter()
            .any(|e| e.detail.contains("supervisor looked at this"))
    }));
    let screen = draw(&a, 100, 30);
    assert!(screen.contains("half a thought"), "{screen}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        count(
            &c.db,
            &format!("events WHERE customer_id = '{customer}' AND detail = 'note: half a thought'")
        ),
        1
    );
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    draw(&a, 100, 30); // lays the list out
    // Row 4 of the list is at screen row 1 (header) + 1 (column titles) + 3.
    a.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: 5,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(a.queue().unwrap().list.selected, 3);
    a.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 5,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(a.queue().unwrap().list.selected, 6);
}

#[test]
fn keys_can_be_remapped() {
    let c = copy();
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("call".to_string(), "C".to_string());
    let km = Keymap::new(&keys).unwrap_or_else(|e| panic!("{e}"));
    let mut a = app_with(&c.db, "ana", Theme::dark(), km);
    press(&mut a, KeyCode::Char('c'));
    assert!(a.popups.is_empty());
    press(&mut a, KeyCode::Char('C'));
    assert_eq!(a.popups.len(), 1);
    press(&mut a, KeyCode::Esc);
    assert!(
        draw(&a, 100, 30).contains("C call wrap-up"),
        "the footer follows the keymap"
    );
}

#[test]
fn the_monochrome_theme_keeps_the_selection_visible() {
    let c = copy();
    let a = app_with(
        &c.db,
        "ana",
        Theme::mono(),
        Keymap::new(&Default::default()).unwrap_or_else(|e| panic!("{e}")),
    );
    let buf = buffer(&a, 100, 30);
    // The selected row (screen row 2) starts with the marker and is bold and underlined,
    // with no colour at all anywhere.
    assert_eq!(buf[(0, 2)].symbol(), "▶");
    assert!(
        buf[(10, 2)]
            .modifier
            .contains(Modifier::BOLD | Modifier::UNDERLINED)
    );
    assert!(!buf[(10, 3)].modifier.contains(Modifier::UNDERLINED));
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset);
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
}

#[test]
fn any_size_renders_without_a_panic() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    for (w, h) in [
        (1, 1),
        (2, 2),
        (10, 3),
        (20, 5),
        (40, 10),
        (80, 24),
        (300, 100),
    ] {
        draw(&a, w, h);
    }
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('c'));
    for (w, h) in [(1, 1), (10, 3), (30, 8), (300, 100)] {
        draw(&a, w, h);
    }
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('?'));
    for (w, h) in [(1, 1), (10, 3), (300, 100)] {
        draw(&a, w, h);
    }
}

#[test]
fn wide_characters_line_up() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('s')); // by name: the CJK names sort last
    press(&mut a, KeyCode::End);
    let screen = draw(&a, 100, 30);
    // Every line is exactly 100 columns wide, wide characters counted twice.
    for line in screen.lines() {
        let inner = line.trim_start_matches('"').split('"').next().unwrap_or("");
        assert_eq!(arq::display::width(inner), 100, "{line}");
    }
    assert!(
        screen.contains('東') || screen.contains('大') || screen.contains('서'),
        "{screen}"
    );
}

#[test]
fn a_promise_offers_its_confirmation_and_sends_it() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    // The first item whose account has an email address on file.
    let with_email = a
        .queue()
        .unwrap()
        .shown
        .iter()
        .position(|&i| {
            session(&c.db, "ana")
                .account(&a.queue().unwrap().items[i].customer_id, 0)
                .is_ok_and(|v| v.email.is_some() && !v.opt_out.iter().any(|o| o == "email"))
        })
        .unwrap_or_else(|| panic!("no account with email in the queue"));
    a.find_mut::<QueueScreen>().unwrap().list.selected = with_email;
    let customer = a
        .queue()
        .unwrap()
        .selected()
        .map(|i| i.customer_id.clone())
        .unwrap_or_default();
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.popups.len(), 1, "the confirmation is offered");
    assert!(draw(&a, 100, 30).contains("Send the promise confirmation"));
    press(&mut a, KeyCode::Enter);
    assert!(a.popups.is_empty());
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(m, err)| !err && m.starts_with("email sent to ap@")),
        "{:?}",
        a.status
    );
    assert_eq!(
        count(
            &c.db,
            &format!(
                "outbox WHERE customer_id = '{customer}' AND template = 'promise_confirmation' AND status = 'sent'"
            )
        ),
        1
    );
    let files: Vec<String> = walk(c.dir.path());
    assert!(
        files.iter().any(|f| f.ends_with(".eml")),
        "the file transport wrote the message next to the database: {files:?}"
    );
}

#[test]
fn any_template_can_be_sent_from_the_account_and_the_outbox_shows_it() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Enter);
    let customer = a
        .account()
        .map(|x| x.view.customer_id.clone())
        .unwrap_or_default();
    press(&mut a, KeyCode::Char('m'));
    insta::assert_snapshot!("form_send_80x24", draw(&a, 80, 24));
    // The letter channel, the first template in the list.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Home);
    press(&mut a, KeyCode::Enter);
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(m, err)| !err && m.starts_with("letter sent")),
        "{:?}",
        a.status
    );
    assert_eq!(
        count(
            &c.db,
            &format!(
                "outbox WHERE customer_id = '{customer}' AND channel = 'letter' AND status = 'sent'"
            )
        ),
        1
    );
    // The outbox screen lists it, newest first.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    let first = a
        .find::<arq::tui::screens::outbox::OutboxScreen>()
        .and_then(|o| o.selected())
        .map(|r| {
            (
                r.customer_id.clone(),
                r.channel.to_string(),
                r.status.clone(),
            )
        });
    assert_eq!(
        first,
        Some((customer, "letter".to_string(), "sent".to_string()))
    );
    insta::assert_snapshot!("outbox_80x24", draw(&a, 80, 24));
}

/// Every file under `dir`, recursively.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

/// A plan longer than the window: the first installments, how many are left out, and
/// the last (which takes any rounding) are shown, and the note below stays in view,
/// on a small terminal and a large one.
#[test]
fn a_long_plan_shows_its_last_installment_and_the_note_on_a_small_terminal() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    press(&mut a, KeyCode::Char('P'));
    type_text(&mut a, "2400.05");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "24");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('w'));
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = draw(&a, w, h);
        assert!(screen.contains(" 1. "), "{w}x{h}\n{screen}");
        assert!(
            screen.contains("24. "),
            "{w}x{h}: the last installment\n{screen}"
        );
        assert!(screen.contains("100.05"), "{w}x{h}: its amount\n{screen}");
        assert!(screen.contains("Note"), "{w}x{h}: the note\n{screen}");
        if h == 24 {
            assert!(
                screen.contains("more"),
                "{w}x{h}: what is left out\n{screen}"
            );
        }
    }
}

/// A total too small to split says so under the installments; once the total is
/// changed to one that splits, the message goes (it stayed beside the new schedule).
#[test]
fn a_plan_forgets_a_split_refusal_once_the_total_splits() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    press(&mut a, KeyCode::Char('P'));
    type_text(&mut a, "0.02");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "3");
    press(&mut a, KeyCode::BackTab);
    press(&mut a, KeyCode::Enter);
    let refused = draw(&a, 100, 40);
    assert!(
        refused.contains("cannot be split into 3 parts"),
        "{refused}"
    );
    for _ in 0.."0.02".len() {
        press(&mut a, KeyCode::Backspace);
    }
    type_text(&mut a, "99999");
    let screen = draw(&a, 100, 40);
    assert!(screen.contains("33,333.00"), "{screen}");
    assert!(!screen.contains("cannot be split"), "{screen}");
}

#[test]
fn a_plan_is_recorded_from_its_form_and_a_decision_from_the_item() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    select_first_not_on_hold(&mut a, &c.db);
    let customer = a
        .queue()
        .unwrap()
        .selected()
        .map(|i| i.customer_id.clone())
        .unwrap();
    // Four weekly parts of 1,000.00 from a week on. A total that is no amount says so
    // where the schedule would be, instead of the schedule vanishing.
    press(&mut a, KeyCode::Char('P'));
    type_text(&mut a, "1,2,3");
    let screen = draw(&a, 100, 40);
    assert!(screen.contains("no schedule yet — Total: "), "{screen}");
    for _ in 0.."1,2,3".len() {
        press(&mut a, KeyCode::Backspace);
    }
    type_text(&mut a, "1000");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "4");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('w'));
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "+7");
    assert!(
        draw(&a, 100, 40).contains("2026-12-18"),
        "the fourth part is shown"
    );
    press(&mut a, KeyCode::Enter);
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(m, e)| !e && m.contains("1,000.00 in 4 installments")),
        "{:?}",
        a.status
    );
    // The plan confirmation is offered when the customer has email; not now.
    if !a.popups.is_empty() {
        assert!(draw(&a, 100, 30).contains("payment plan confirmation"));
        press(&mut a, KeyCode::Esc);
    }
    assert_eq!(
        count(
            &c.db,
            &format!(
                "plan_installments i JOIN plans p ON p.id = i.plan_id WHERE p.customer_id = '{customer}' AND i.amount = 25000"
            )
        ),
        4
    );
    let view = session(&c.db, "ana").account(&customer, 5).unwrap();
    assert_eq!(view.status, "paused: payment plan current");

    // sam finishes his first item with a decision: continue, which needs a note.
    let mut s = app(&c.db, "sam");
    let item = s.queue().unwrap().selected().map(|i| i.item_id).unwrap();
    press(&mut s, KeyCode::Char('f'));
    press(&mut s, KeyCode::Char('c'));
    press(&mut s, KeyCode::Enter);
    assert!(draw(&s, 100, 40).contains("say why collection goes on"));
    type_text(
        &mut s,
        "customer is selling a building; check again in two weeks",
    );
    press(&mut s, KeyCode::Enter);
    assert!(s.popups.is_empty(), "{:?}", s.status);
    assert_eq!(
        count(
            &c.db,
            &format!(
                "tasks WHERE id = {item} AND outcome = 'done' AND done_note LIKE 'decided: continue%'"
            )
        ),
        1
    );
    assert_eq!(
        count(
            &c.db,
            &format!("events WHERE kind = 'decided' AND data LIKE '%\"task_id\":{item}%'")
        ),
        1
    );
}

#[test]
fn a_collector_is_not_offered_a_supervisors_item() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    let item = s.queue().unwrap().selected().cloned().unwrap();
    // ana opens that account from Accounts as its owner would … but she is not sam:
    // the supervisor's item is refused before any form opens.
    let owner = item.customer_id.clone();
    let view = session(&c.db, "sam").account(&owner, 0).unwrap();
    let who = view.owner.clone().unwrap();
    let mut a = app(&c.db, &who);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, &owner);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('f'));
    assert!(a.popups.is_empty(), "no form for a supervisor's item");
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(m, e)| *e && m.contains("supervisor")),
        "{:?}",
        a.status
    );
    s.update(Msg::Tick);
}

#[test]
fn collectors_get_no_supervisor_screens_and_the_services_refuse_them() {
    use arq::tui::screens::ScreenId;
    let c = copy();
    let a = app(&c.db, "ana");
    let tabs: Vec<ScreenId> = a.tabs.iter().map(|t| t.id).collect();
    assert_eq!(
        tabs,
        vec![ScreenId::Queue, ScreenId::Accounts, ScreenId::Outbox]
    );
    let s = session(&c.db, "ana");
    for id in [
        ScreenId::Team,
        ScreenId::Approvals,
        ScreenId::Kpis,
        ScreenId::Strategies,
    ] {
        let err = id.load(&s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("only supervisors and admins"), "{id:?}: {err}");
    }
    assert!(s.timeline_of("ben", 10).is_err());
}

/// The app's first frame is on the terminal before the first tab is read (on a large
/// shop that read takes a few hundred milliseconds); no key is read until the tab is
/// there, so a key typed ahead acts on what the person then sees.
#[test]
fn the_first_frame_comes_before_the_queue_and_keys_wait_for_it() {
    use arq::tui::app::App;
    use crossterm::event::{Event, KeyEvent};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let c = copy();
    let keymap = Keymap::new(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut a = App::opening(session(&c.db, "ana"), keymap, Theme::dark())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        a.queue().is_none(),
        "nothing is read before the first frame"
    );
    let first = draw(&a, 100, 30);
    assert!(first.contains("My queue"), "{first}");
    assert!(first.contains("reading My queue…"), "{first}");

    // The event loop as the terminal runs it: one key typed ahead (`j`, down a row),
    // then `q`. Each frame drawn is kept.
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap_or_else(|e| panic!("{e}"));
    let mut keys = vec![KeyCode::Char('q'), KeyCode::Char('j')];
    let mut next = |_| {
        Ok(keys
            .pop()
            .map(|k| Event::Key(KeyEvent::new(k, KeyModifiers::NONE))))
    };
    arq::tui::event_loop(&mut terminal, &mut a, &mut next, &|| false)
        .unwrap_or_else(|e| panic!("{e}"));
    let q = a.queue().unwrap_or_else(|| panic!("the queue was read"));
    // The same key on an app opened the old way (queue read first).
    let mut b = app(&c.db, "ana");
    press(&mut b, KeyCode::Char('j'));
    let want = b.queue().and_then(|q| q.selected()).map(|i| i.item_id);
    assert!(want.is_some());
    assert_eq!(
        q.selected().map(|i| i.item_id),
        want,
        "the key typed ahead moved down the loaded queue"
    );
    assert!(a.quit);
    assert!(a.status.is_none(), "{:?}", a.status);
}

/// Moving to a tab not read yet draws a frame that names it before reading it (the
/// Team tab reads the whole shop); the tab is on show once read.
#[test]
fn a_tab_not_read_yet_is_named_before_it_is_read() {
    use arq::tui::screens::team::TeamScreen;
    let c = copy();
    let mut s = app(&c.db, "sam");
    tui_common::press_only(&mut s, KeyCode::Tab);
    assert!(
        s.find::<TeamScreen>().is_none(),
        "not read before the frame"
    );
    let frame = draw(&s, 100, 30);
    assert!(frame.contains("[Team]"), "{frame}");
    assert!(frame.contains("reading Team…"), "{frame}");
    s.run_pending();
    assert!(s.find::<TeamScreen>().is_some());
    let frame = draw(&s, 100, 30);
    assert!(!frame.contains("reading Team…"), "{frame}");
    assert!(frame.contains("collector"), "{frame}");
    // Back and forth again: read once, shown at once.
    press(&mut s, KeyCode::BackTab);
    tui_common::press_only(&mut s, KeyCode::Tab);
    assert!(!draw(&s, 100, 30).contains("reading"), "read once");
}

/// A write-off waiting for approval shows what approving it would write off now, not
/// only the account's balance: after a payment on one of its invoices, less.
#[test]
fn approvals_show_what_a_write_off_would_write_off_now() {
    use arq::tui::screens::ScreenId;
    use arq::tui::screens::approvals::ApprovalsScreen;
    let c = copy();
    let mut ana = session(&c.db, "ana");
    let (cid, invoices): (String, Vec<(String, i64)>) = {
        let reader = session(&c.db, "sam");
        let conn = reader.store().conn();
        let cid: String = conn
            .query_row(
                "SELECT i.customer_id FROM invoices i JOIN customers c ON c.id = i.customer_id
                 WHERE c.owner = 'ana' AND i.balance > 0 AND i.due_date < '2026-11-01'
                   AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.customer_id = c.id AND d.resolved_on IS NULL)
                 GROUP BY i.customer_id HAVING COUNT(*) >= 2 ORDER BY i.customer_id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let mut stmt = conn
            .prepare("SELECT invoice_no, balance FROM invoices WHERE customer_id = ?1 AND balance > 0 AND due_date < '2026-11-01' ORDER BY invoice_no LIMIT 2")
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt
            .query_map([&cid], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|r| r.collect())
            .unwrap_or_else(|e| panic!("{e}"));
        (cid, rows)
    };
    let numbers: Vec<String> = invoices.iter().map(|(n, _)| n.clone()).collect();
    let asked = ana
        .request_write_off(&cid, &numbers, "small balances")
        .unwrap_or_else(|e| panic!("{e}"));
    let item = asked
        .approval_item
        .unwrap_or_else(|| panic!("no approval item"));
    let both: i64 = invoices.iter().map(|(_, b)| b).sum();
    let grouped = |minor: i64| arq::domain::Money::from_minor(minor).grouped();

    let mut s = app(&c.db, "sam");
    let shown = |s: &mut arq::tui::app::App| -> String {
        while s.context() != ScreenId::Approvals {
            press(s, KeyCode::Tab);
        }
        let pos = s
            .find::<ApprovalsScreen>()
            .and_then(|a| a.items.iter().position(|i| i.item_id == item))
            .unwrap_or_else(|| panic!("item #{item} is not in Approvals"));
        for _ in 0..pos {
            press(s, KeyCode::Down);
        }
        draw(s, 160, 48)
    };
    let screen = shown(&mut s);
    let line = screen
        .lines()
        .find(|l| l.contains("to write off"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains(&grouped(both)), "{line}");

    // The first invoice is paid meanwhile: approving now writes off the second alone.
    let mut admin = session(&c.db, "admin");
    admin
        .write(|tx| {
            arq::store::ledger::allocate(
                tx.conn,
                &invoices[0].0,
                &cid,
                tx.as_of,
                arq::domain::Money::from_minor(invoices[0].1),
                arq::store::ledger::AllocationKind::Payment,
                None,
            )?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut s = app(&c.db, "sam");
    let screen = shown(&mut s);
    let line = screen
        .lines()
        .find(|l| l.contains("to write off"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains(&grouped(invoices[1].1)), "{line}");
}

/// At 160 columns Approvals has room for every name whole beside the account.
#[test]
fn approvals_names_are_whole_on_a_wide_terminal() {
    use arq::tui::screens::ScreenId;
    use arq::tui::screens::approvals::ApprovalsScreen;
    let c = copy();
    let mut s = app(&c.db, "sam");
    while s.context() != ScreenId::Approvals {
        press(&mut s, KeyCode::Tab);
    }
    let screen = draw(&s, 160, 48);
    let names: Vec<String> = s
        .find::<ApprovalsScreen>()
        .map(|a| {
            a.items
                .iter()
                .take(40)
                .map(|i| i.customer_name.clone())
                .collect()
        })
        .unwrap_or_default();
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        assert!(screen.contains(&name), "{name} cut:\n{screen}");
    }
}

/// `S` on the Outbox asks first, naming how many messages would go and how long the
/// oldest has waited; Esc sends nothing, Enter delivers.
#[test]
fn delivering_the_outbox_asks_first_and_names_the_oldest() {
    use arq::tui::screens::ScreenId;
    let c = copy();
    let pending = || count(&c.db, "outbox WHERE status = 'pending'");
    let before = pending();
    assert!(before > 0);
    // A collector's delivery takes her own customers' messages only.
    let hers = count(
        &c.db,
        "outbox o WHERE o.status = 'pending' AND o.customer_id IN (SELECT id FROM customers WHERE owner = 'ana')",
    );
    let (n, _) = session(&c.db, "ana")
        .pending_mail()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        hers > 0 && hers < before && n == hers as u64,
        "{n} {hers} {before}"
    );
    let mut s = app(&c.db, "sam");
    while s.context() != ScreenId::Outbox {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::Char('S'));
    let screen = draw(&s, 100, 30);
    assert!(
        screen.contains(&format!("Deliver {before} pending messages now?")),
        "{screen}"
    );
    assert!(screen.contains("oldest queued 2026-"), "{screen}");
    // The explanation is whole, wrapped in the popup, at 80 columns too.
    for w in [80, 100] {
        let shown = draw(&s, w, 30);
        // The popup's inside, row by row, between its side borders.
        let inside: Vec<&str> = shown
            .lines()
            .filter_map(|l| {
                let (a, b) = (l.find('│')?, l.rfind('│')?);
                (b > a).then(|| l[a + '│'.len_utf8()..b].trim())
            })
            .collect();
        let text = inside.join(" ");
        assert!(text.contains("too old) is cancelled, not sent."), "{shown}");
    }
    press(&mut s, KeyCode::Esc);
    assert_eq!(pending(), before);
    press(&mut s, KeyCode::Char('S'));
    press(&mut s, KeyCode::Enter);
    assert_eq!(pending(), 0);
    assert!(draw(&s, 100, 30).contains("delivered:"));
    // A cancelled message says so, and why, below the list (the column has room for
    // the start of the reason only).
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "cancelled");
    press(&mut s, KeyCode::Enter);
    let screen = draw(&s, 100, 30);
    assert!(screen.contains("cancelled, not sent: "), "{screen}");
    // Nothing left: the key says so instead of asking.
    press(&mut s, KeyCode::Char('S'));
    assert!(s.popups.is_empty());
    assert!(draw(&s, 100, 30).contains("nothing is pending"));
}

/// Send now shows the chosen template as the customer would get it, and will not send a
/// letter by text message: the preview counts a text message's characters, warns when
/// it is a letter, and the send is refused with nothing queued.
#[test]
fn send_now_previews_the_message_and_keeps_letters_out_of_text_messages() {
    let c = copy();
    // A customer with a phone number, not opted out of text messages.
    let cid: String = session(&c.db, "sam")
        .store()
        .conn()
        .query_row(
            "SELECT id FROM customers WHERE phone IS NOT NULL AND phone <> ''
               AND opt_out NOT LIKE '%sms%' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let mut a = app(&c.db, "sam");
    while !draw(&a, 120, 40).contains("[Accounts]") {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, &cid);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('m'));
    let screen = draw(&a, 120, 40);
    assert!(screen.contains("preview"), "{screen}");
    assert!(screen.contains("Subject: "), "{screen}");
    // Move the channel to sms (email → sms is one step right when email is chosen).
    while !draw(&a, 120, 40)
        .lines()
        .any(|l| l.contains("Channel") && l.contains("● sms"))
    {
        press(&mut a, KeyCode::Right);
    }
    let screen = draw(&a, 120, 40);
    assert!(screen.contains("is a letter (at most 320)"), "{screen}");
    let queued = count(&c.db, "outbox");
    press(&mut a, KeyCode::Enter);
    assert_eq!(count(&c.db, "outbox"), queued);
    assert!(
        draw(&a, 120, 40).contains("choose a template written for text messages"),
        "the refusal is shown in the form"
    );
    // The text-message template: short, no warning; it goes.
    let names = session(&c.db, "sam")
        .templates()
        .map(|t| t.names())
        .unwrap_or_default();
    let at = names
        .iter()
        .position(|n| n == "sms_reminder")
        .unwrap_or_else(|| panic!("{names:?}"));
    let from = names
        .iter()
        .position(|n| n == "friendly_reminder")
        .unwrap_or(0);
    for _ in from..at {
        press(&mut a, KeyCode::Down);
    }
    for _ in at..from {
        press(&mut a, KeyCode::Up);
    }
    let screen = draw(&a, 120, 40);
    assert!(screen.contains("▶ sms_reminder"), "{screen}");
    assert!(!screen.contains("is a letter"), "{screen}");
    assert!(screen.contains("preview · "), "{screen}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(count(&c.db, "outbox"), queued + 1);
}

/// At 160 columns the Strategies list has room for every strategy's name whole.
#[test]
fn strategy_names_are_whole_on_a_wide_terminal() {
    use arq::tui::screens::ScreenId;
    use arq::tui::screens::strategies::StrategiesScreen;
    let c = copy();
    let mut s = app(&c.db, "sam");
    while s.context() != ScreenId::Strategies {
        press(&mut s, KeyCode::Tab);
    }
    let screen = draw(&s, 160, 48);
    let names: Vec<String> = s
        .find::<StrategiesScreen>()
        .map(|x| x.strategies.iter().map(|st| st.name.clone()).collect())
        .unwrap_or_default();
    assert!(names.iter().any(|n| n.chars().count() > 22), "{names:?}");
    for name in names {
        assert!(screen.contains(&name), "{name} cut:\n{screen}");
    }
}
