//! The collector's desk while other people (other processes) work the same accounts:
//! the app says what happened, the cursor stays where the person left it, and a key
//! never records on an account the person did not choose. Saving says what others
//! did meanwhile; filters, messages and markers never leave a person guessing.

#![allow(clippy::unwrap_used)] // tests may unwrap: a failure is the message

mod tui_common;

use arq::domain::CallOutcome;
use arq::tui::app::{App, Msg};
use arq::tui::screens::ScreenId;
use crossterm::event::{KeyCode, KeyModifiers};
use tui_common::{app, copy, count, draw, press, press_with, session, type_text};

/// The customer and item under the queue's cursor.
fn selected(a: &App) -> (String, i64) {
    a.queue()
        .and_then(|q| q.selected())
        .map(|i| (i.customer_id.clone(), i.item_id))
        .unwrap()
}

fn status(a: &App) -> String {
    a.status
        .as_ref()
        .map(|(m, _)| m.clone())
        .unwrap_or_default()
}

/// The screen as one string with the lines joined, so a message wrapped over
/// several lines reads as one.
fn joined(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches('"').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text inside a form's frame (between its `│`s), lines joined: a message
/// wrapped inside the form reads as one.
fn inside_box(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| {
            let mut parts = l.split('│');
            parts.next()?;
            let inside = parts.next()?;
            parts.next().map(|_| inside.trim().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn an_account_reassigned_away_closes_and_the_next_keys_record_nothing() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    let (customer, _) = selected(&a);
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.account().map(|x| x.view.customer_id.clone()),
        Some(customer.clone())
    );
    let calls = count(&c.db, "calls");

    // sam moves the account to ben from his own terminal.
    session(&c.db, "sam")
        .assign(std::slice::from_ref(&customer), "ben")
        .unwrap();
    a.update(Msg::Tick);

    // The account screen closes, and the footer says why and where the cursor is.
    assert!(a.account().is_none());
    let said = status(&a);
    assert!(
        said.contains(&customer) && said.contains("no longer among your accounts"),
        "{said}"
    );
    let (now_on, _) = selected(&a);
    assert_ne!(now_on, customer);
    assert!(
        said.contains(&now_on) && said.contains("did not choose"),
        "{said}"
    );
    // The cursor stays on the row the person left (now the next item).
    assert_eq!(a.queue().unwrap().list.selected, 0);
    // The whole message, at 80×24: what happened, and what to do.
    let screen = joined(&draw(&a, 80, 24));
    assert!(screen.contains("no longer among your accounts"), "{screen}");
    assert!(
        !screen.contains("ben"),
        "who has it now is not told: {screen}"
    );
    assert!(screen.contains("before recording anything."), "{screen}");

    // The keys that followed in the field (`c r ⏎`) record nothing on that account.
    press(&mut a, KeyCode::Char('c'));
    assert!(
        a.popups.is_empty(),
        "no form opens on a row the person did not pick"
    );
    assert!(status(&a).contains("nothing recorded"), "{}", status(&a));
    press(&mut a, KeyCode::Char('r'));
    press(&mut a, KeyCode::Char('c'));
    assert!(a.popups.is_empty(), "a refresh does not choose the row");
    press(&mut a, KeyCode::Enter);
    assert_eq!(count(&c.db, "calls"), calls);
    // `⏎` opened the row: opening it is choosing it, and the keys work again.
    assert_eq!(
        a.account().map(|x| x.view.customer_id.clone()),
        Some(now_on)
    );
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('c'));
    assert_eq!(a.popups.len(), 1);
}

#[test]
fn a_row_that_changes_under_the_cursor_must_be_chosen_again() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    let (customer, _) = selected(&a);
    let notes = count(&c.db, "events WHERE kind = 'note'");
    session(&c.db, "sam")
        .assign(std::slice::from_ref(&customer), "cleo")
        .unwrap();
    a.update(Msg::Tick);
    let (now_on, _) = selected(&a);
    assert_ne!(now_on, customer);
    assert_eq!(a.queue().unwrap().list.selected, 2, "the cursor stays put");
    assert!(status(&a).contains(&now_on), "{}", status(&a));
    for key in ['n', 'p', 'b', 'd', 'h', 'f', 'm', 'P', 'w'] {
        press(&mut a, KeyCode::Char(key));
        assert!(a.popups.is_empty(), "{key} opened a form on {now_on}");
    }
    assert_eq!(count(&c.db, "events WHERE kind = 'note'"), notes);
    // Moving is choosing: down and back up, and the keys work again.
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Up);
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(a.popups.len(), 1);
    press(&mut a, KeyCode::Esc);
    // Refresh (`r`) after someone else's change holds the row the same way.
    let mut b = app(&c.db, "ana");
    let (first, _) = selected(&b);
    session(&c.db, "sam")
        .assign(std::slice::from_ref(&first), "cleo")
        .unwrap();
    press(&mut b, KeyCode::Char('r'));
    press(&mut b, KeyCode::Char('n'));
    assert!(b.popups.is_empty());
}

#[test]
fn an_item_finished_by_someone_else_while_the_wrap_up_is_open_is_refused_whole() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    let (customer, item) = selected(&a);
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    type_text(&mut a, "spoke with AP, paying Friday");
    // sam finishes the same item from his terminal meanwhile.
    session(&c.db, "sam")
        .finish_item(item, "handled it myself")
        .unwrap();
    // The app notices (the queue's row under the form changes).
    a.update(Msg::Tick);
    let (calls, events) = (count(&c.db, "calls"), count(&c.db, "events"));
    press(&mut a, KeyCode::Enter);
    // Nothing is recorded, and the form says why, whole, at 80×24.
    assert_eq!(count(&c.db, "calls"), calls);
    assert_eq!(count(&c.db, "events"), events);
    assert_eq!(a.popups.len(), 1, "the form stays open");
    let screen = joined(&draw(&a, 80, 24));
    for words in [
        format!("item #{item} is already finished by sam on 2026-11-20"),
        "nothing was recorded".to_string(),
        format!("⏎ logs your call on {customer} without the item"),
    ] {
        assert!(screen.contains(&words), "{words}: {screen}");
    }
    // A second ⏎ logs the call on the account alone; sam's finish stands.
    press(&mut a, KeyCode::Enter);
    assert!(a.popups.is_empty(), "{:?}", a.status);
    assert_eq!(count(&c.db, "calls"), calls + 1);
    assert_eq!(
        count(
            &c.db,
            &format!(
                "tasks WHERE id = {item} AND done_by = 'sam' AND done_note = 'handled it myself'"
            )
        ),
        1
    ); // The person's own save moved the queue on to the next item: theirs to work.
    press(&mut a, KeyCode::Char('c'));
    assert_eq!(a.popups.len(), 1, "{:?}", a.status);
}

#[test]
fn a_wrap_up_saved_after_another_call_on_the_account_names_that_call() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    // An item another person's call does not finish (any call finishes a due call
    // step, which is the case of the test above): the first that is not one.
    let at = a
        .queue()
        .and_then(|q| {
            q.shown.iter().position(|&i| {
                let item = &q.items[i];
                !(item.step.is_some() && item.action == arq::domain::ItemAction::Call)
            })
        })
        .unwrap();
    for _ in 0..at {
        press(&mut a, KeyCode::Down);
    }
    let (customer, _) = selected(&a);
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    type_text(&mut a, "AP will pay Friday");
    // Someone else logs a call on the same account while ana types.
    session(&c.db, "sam")
        .log_call(
            &customer,
            CallOutcome::NoAnswer,
            "tried the main line",
            None,
        )
        .unwrap();
    let calls = count(&c.db, "calls");
    press(&mut a, KeyCode::Enter);
    let said = status(&a);
    assert_eq!(
        count(&c.db, "calls"),
        calls + 1,
        "ana's call is logged too: {said}\n{}",
        draw(&a, 80, 24)
    );
    assert!(
        said.contains("Meanwhile sam logged a call on 2026-11-20") && said.contains("no answer"),
        "{said}"
    );
    // A wrap-up with nobody else calling says nothing of the kind.
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('v'));
    press(&mut a, KeyCode::Enter);
    assert!(!status(&a).contains("Meanwhile"), "{}", status(&a));
}

#[test]
fn long_messages_wrap_in_forms_and_in_the_footer() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    // A wrap-up saved without an outcome: the whole list of outcomes is shown.
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Enter);
    let screen = inside_box(&draw(&a, 80, 24));
    assert!(
        screen.contains("w wrong number, x refused"),
        "the outcome message is cut: {screen}"
    );
    press(&mut a, KeyCode::Esc);

    // A collector pressing `f` on a supervisor's item: refused before any form, and
    // the footer shows the whole reason.
    let s = app(&c.db, "sam");
    let (customer, _) = selected(&s);
    let owner = session(&c.db, "sam")
        .account(&customer, 0)
        .unwrap()
        .owner
        .unwrap();
    let mut b = app(&c.db, &owner);
    press(&mut b, KeyCode::Tab);
    press(&mut b, KeyCode::Char('/'));
    type_text(&mut b, &customer);
    press(&mut b, KeyCode::Enter);
    press(&mut b, KeyCode::Enter);
    press(&mut b, KeyCode::Char('f'));
    assert!(b.popups.is_empty(), "no form for a supervisor's item");
    let said = status(&b);
    assert!(
        said.ends_with("only supervisors and admins finish it"),
        "{said}"
    );
    let screen = joined(&draw(&b, 80, 24));
    assert!(
        screen.contains("only supervisors and admins finish it"),
        "the footer cut the reason: {screen}"
    );
}

#[test]
fn a_filter_that_matched_only_the_saved_item_goes_away() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    let (customer, item) = selected(&a);
    let others = a
        .queue()
        .unwrap()
        .items
        .iter()
        .filter(|i| i.customer_id != customer)
        .count();
    assert!(others > 0);
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, &customer);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('v'));
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        count(
            &c.db,
            &format!("tasks WHERE id = {item} AND done_on IS NOT NULL")
        ),
        1
    );
    // The list is not left empty behind a filter nobody sees: the filter is gone,
    // the queue shows its other items and the footer says so.
    let q = a.queue().unwrap();
    assert!(q.filter.is_empty(), "filter still on: {:?}", q.filter.text);
    assert!(q.shown.len() >= others, "{} shown", q.shown.len());
    assert!(status(&a).contains("cleared"), "{}", status(&a));
    let screen = draw(&a, 80, 24);
    let next = q.selected().map(|i| i.customer_id.clone()).unwrap();
    assert!(screen.contains(&next), "{screen}");
}

#[test]
fn a_filter_that_matches_nothing_says_so_in_the_list() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "no such customer anywhere");
    press(&mut a, KeyCode::Enter);
    let screen = joined(&draw(&a, 80, 24));
    assert!(
        screen.contains("nothing here matches the filter “no such customer anywhere”"),
        "{screen}"
    );
}

#[test]
fn the_queue_says_contact_when_a_message_cannot_go_out_by_itself() {
    let c = copy();
    let a = app(&c.db, "ana");
    let q = a.queue().unwrap();
    let stand_ins: Vec<_> = q
        .items
        .iter()
        .filter(|i| i.action == arq::domain::ItemAction::Email)
        .collect();
    assert!(
        !stand_ins.is_empty(),
        "the demo queue has email steps left to ana"
    );
    let screen = draw(&a, 160, 48);
    for i in &stand_ins {
        // The customer cannot be emailed automatically (opted out, white glove or no
        // address): the item is a personal contact.
        let view = session(&c.db, "ana").account(&i.customer_id, 0).unwrap();
        assert!(
            view.opt_out.iter().any(|o| o == "email") || view.white_glove || view.email.is_none(),
            "{}",
            i.customer_id
        );
        let row = screen
            .lines()
            .find(|l| l.contains(&i.customer_id))
            .unwrap_or_else(|| panic!("{} not on screen", i.customer_id));
        assert!(row.contains("contact, not email"), "{row}");
        assert!(!row.contains("email (friendly)"), "{row}");
    }
}

#[test]
fn the_accounts_flags_have_a_legend_and_help_lists_them() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    while s.context() != ScreenId::Accounts {
        press(&mut s, KeyCode::Tab);
    }
    let screen = draw(&s, 120, 40);
    assert!(screen.contains(" flags"), "{screen}");
    assert!(screen.contains("● "), "{screen}");
    assert!(
        screen.contains("● = in a collection cycle · ⚑hold = on credit hold"),
        "{screen}"
    );
    // At 80 columns the flags stay as their marks alone (the owner and the
    // collectible amount make way), with their legend.
    let narrow = draw(&s, 80, 24);
    assert!(narrow.contains(" flags"), "{narrow}");
    assert!(narrow.contains("in a collection cycle"), "{narrow}");
    assert!(
        !narrow.contains("⚑hold ") || narrow.contains("⚑hold = on"),
        "{narrow}"
    );
    assert!(narrow.lines().skip(2).any(|l| l.contains('●')), "{narrow}");
    press(&mut s, KeyCode::Char('?'));
    let help = draw(&s, 120, 40);
    assert!(help.contains("Marks"), "{help}");
    assert!(help.contains("in a collection cycle"), "{help}");
    assert!(help.contains("on credit hold"), "{help}");
}

#[test]
fn a_note_of_several_lines_keeps_its_lines_in_the_timeline() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "AP moved to a new office");
    press_with(&mut a, KeyCode::Enter, KeyModifiers::ALT);
    type_text(&mut a, "send statements to the new address");
    press(&mut a, KeyCode::Enter);
    assert!(a.popups.is_empty(), "{:?}", a.status);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = draw(&a, w, h);
        let lines: Vec<&str> = screen.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("note: AP moved to a new office"))
            .unwrap_or_else(|| panic!("{screen}"));
        let first = lines[at];
        let next = lines[at + 1];
        // The second line sits under the text of the first, not run into it.
        // Columns, not bytes: the rows hold `▶`, `─` and `█`.
        let col = first[..first.find("note:").unwrap()].chars().count();
        let under: String = next
            .chars()
            .skip(col)
            .take("send statements".len())
            .collect();
        assert_eq!(under, "send statements", "{w}×{h}:\n{screen}");
        assert!(!first.contains("officesend"), "{screen}");
    }
}

/// Every money amount in `text` (`1,234.56`), and whether some number is cut (`83,8…`).
fn amounts(text: &str) -> (Vec<String>, bool) {
    let mut found = Vec::new();
    let mut cut = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit()
            || (i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '-'))
        {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == ',' || chars[i] == '.') {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let token = token.trim_end_matches(['.', ',']).to_string();
        if chars.get(i) == Some(&'…') {
            cut = true;
        }
        let money = token.rsplit_once('.').is_some_and(|(whole, cents)| {
            cents.len() == 2
                && whole
                    .split(',')
                    .enumerate()
                    .all(|(n, g)| !g.is_empty() && g.len() <= 3 && (n == 0 || g.len() == 3))
        });
        if money {
            found.push(token);
        }
    }
    (found, cut)
}

/// Opens `customer` from the Accounts screen.
fn open(a: &mut App, customer: &str) {
    while a.context() != ScreenId::Accounts {
        press(a, KeyCode::Tab);
    }
    press(a, KeyCode::Char('/'));
    type_text(a, customer);
    press(a, KeyCode::Enter);
    press(a, KeyCode::Enter);
    assert_eq!(
        a.account().map(|x| x.view.customer_id.as_str()),
        Some(customer)
    );
}

/// Checks that every figure of the account is on screen whole, that no number is
/// cut, and that every amount on screen is one the account has somewhere.
fn figures_whole(a: &App, screen: &str) {
    let v = &a.account().unwrap().view;
    // The header's queue total is checked on its own (`the_header_total_is_whole`).
    let (header, body) = screen.split_once('\n').unwrap();
    assert!(!amounts(header).1, "the header cuts a number: {header}");
    let (on_screen, cut) = amounts(body);
    assert!(!cut, "a number is cut:\n{screen}");
    let mut must = vec![v.balance, v.past_due, v.collectible_past_due];
    if !v.disputed.is_zero() {
        must.push(v.disputed);
    }
    must.extend(v.aging.buckets().iter().map(|(_, m)| *m));
    for m in must {
        assert!(
            on_screen.contains(&m.grouped()),
            "{} missing:\n{screen}",
            m.grouped()
        );
    }
    // Any amount on screen is one of the account's (figures, invoices, promises,
    // plans, disputes) or one its timeline and items state.
    let mut known: Vec<String> = must_all(v);
    for e in &v.events {
        known.extend(amounts(&e.detail).0);
    }
    for i in &v.open_items {
        known.extend(amounts(&i.note).0);
    }
    for m in &on_screen {
        assert!(
            known.contains(m),
            "{m} on screen is none of the account's:\n{screen}"
        );
    }
}

fn must_all(v: &arq::service::account::AccountView) -> Vec<String> {
    let mut all = vec![
        v.balance,
        v.past_due,
        v.collectible_past_due,
        v.disputed,
        v.written_off,
    ];
    all.extend(v.aging.buckets().iter().map(|(_, m)| *m));
    for i in &v.invoices {
        all.extend([i.amount, i.balance, i.disputed]);
    }
    // The credit limit, and by how much the balance is over it.
    if let Some(limit) = v.credit_limit {
        all.extend([limit, v.balance - limit]);
    }
    all.extend(v.promises.iter().map(|p| p.amount));
    all.extend(v.disputes.iter().map(|d| d.amount));
    for p in &v.plans {
        all.push(p.total);
        all.extend(p.installments.iter().map(|i| i.amount));
    }
    all.iter().map(|m| m.grouped()).collect()
}

/// The demo account with the largest 91+ bucket, and the one with the most invoices.
fn big_accounts(db: &std::path::Path) -> (String, String) {
    let s = session(db, "sam");
    let lines = s.accounts().unwrap();
    let views: Vec<_> = lines
        .iter()
        .map(|l| s.account(&l.customer_id, 0).unwrap())
        .collect();
    let oldest = views
        .iter()
        .max_by_key(|v| v.aging.d91_plus)
        .map(|v| v.customer_id.clone())
        .unwrap();
    let most = views
        .iter()
        .max_by_key(|v| v.invoices.len())
        .map(|v| v.customer_id.clone())
        .unwrap();
    (oldest, most)
}

#[test]
fn at_80x24_every_amount_on_the_account_screen_is_whole() {
    let c = copy();
    let (oldest, _) = big_accounts(&c.db);
    let mut s = app(&c.db, "sam");
    open(&mut s, &oldest);
    let screen = draw(&s, 80, 24);
    figures_whole(&s, &screen);
    insta::assert_snapshot!("account_oldest_80x24", screen);
    // The same account wide.
    let screen = draw(&s, 120, 40);
    figures_whole(&s, &screen);
    insta::assert_snapshot!("account_oldest_120x40", screen);
}

#[test]
fn at_80x24_the_header_total_is_whole() {
    let c = copy();
    for user in ["ana", "ben", "sam"] {
        let a = app(&c.db, user);
        let total = a.queue().unwrap().collectible().grouped();
        for w in [80, 100, 120] {
            let screen = draw(&a, w, 24);
            let header = screen.lines().next().unwrap();
            let (on_screen, cut) = amounts(header);
            assert!(!cut, "{user} at {w}: {header}");
            assert!(on_screen.contains(&total), "{user} at {w}: {header}");
        }
        // Narrow: the current tab, compactly; the total is left out before it is cut.
        let header = draw(&a, 60, 24).lines().next().unwrap().to_string();
        assert!(header.contains("[My queue]"), "{header}");
        assert!(!amounts(&header).1, "{header}");
    }
}

#[test]
fn with_many_invoices_the_timeline_stays_reachable() {
    let c = copy();
    let (_, most) = big_accounts(&c.db);
    let mut s = app(&c.db, "sam");
    open(&mut s, &most);
    let n = s.account().unwrap().view.invoices.len();
    assert!(n >= 8, "{most} has {n} invoices");
    let screen = draw(&s, 80, 24);
    figures_whole(&s, &screen);
    assert!(
        screen.contains(" timeline"),
        "no timeline at 80×24:\n{screen}"
    );
    insta::assert_snapshot!("account_many_invoices_80x24", screen);
    // `t` gives the timeline the movement keys: it scrolls, one entry at a time, and
    // takes the rows the invoices had, so long entries can be read.
    let events = s.account().unwrap().view.events.clone();
    assert!(events.len() > 5);
    press(&mut s, KeyCode::Char('t'));
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("↑↓ scroll"), "{screen}");
    let fourth = &events[3].detail;
    let shown = screen
        .lines()
        .skip_while(|l| !l.contains(" timeline"))
        .nth(1)
        .unwrap();
    assert!(
        shown.contains(&fourth.chars().take(20).collect::<String>()),
        "{fourth:?} not first:\n{screen}"
    );
    // To the end: the scrolling stops with the oldest entry on the last row, not on
    // an empty timeline.
    press(&mut s, KeyCode::End);
    let screen = draw(&s, 80, 24);
    let last = &events[events.len() - 1].detail;
    let rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains(" timeline"))
        .skip(1)
        .take_while(|l| !l.contains("help"))
        .collect();
    // Entries scroll whole, so the last page is as full as whole entries make it: at
    // least half its rows (not the oldest entry alone above empty rows).
    let filled = rows
        .iter()
        .filter(|l| !l.trim_matches('"').trim().is_empty())
        .count();
    assert!(
        rows.len() >= 4 && filled * 2 >= rows.len(),
        "the timeline ran past its end:\n{screen}"
    );
    assert!(
        screen.contains(&last.chars().take(20).collect::<String>()),
        "{last:?} not shown at the end:\n{screen}"
    );
    // `t` again: the keys move the invoices, and the timeline shows its newest again.
    press(&mut s, KeyCode::Char('t'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.account().unwrap().invoices.selected, 1);
    let screen = draw(&s, 80, 24);
    let first = &events[0].detail;
    assert!(
        screen.contains(&first.chars().take(20).collect::<String>()),
        "{first:?} not back on top:\n{screen}"
    );
}

#[test]
fn at_120_columns_the_invoice_table_keeps_the_dispute_flag_and_a_gap() {
    let c = copy();
    let mut s = session(&c.db, "sam");
    // An account with a past-due invoice, which sam disputes in part.
    let (disputed, invoice) = s
        .accounts()
        .unwrap()
        .into_iter()
        .map(|l| s.account(&l.customer_id, 0).unwrap())
        .find_map(|v| {
            let i = v
                .invoices
                .iter()
                .find(|i| i.dpd > 0 && i.disputed.is_zero())?;
            Some((v.customer_id.clone(), i.invoice_no.clone()))
        })
        .unwrap();
    s.open_dispute(
        &disputed,
        &invoice,
        arq::domain::DisputeReason::Pricing,
        None,
        "the price is wrong",
        None,
    )
    .unwrap();
    let mut a = app(&c.db, "sam");
    open(&mut a, &disputed);
    let screen = draw(&a, 120, 40);
    assert!(screen.contains("disputed"), "{screen}");
    assert!(screen.contains("⚑ "), "{screen}");
    figures_whole(&a, &screen);
    // The left side never runs into the timeline: the two columns before it are
    // blank on every row below its rule.
    let lines: Vec<Vec<char>> = screen
        .lines()
        .map(|l| l.trim_matches('"').chars().collect())
        .collect();
    let rule = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains(" timeline "))
        .unwrap();
    let x = lines[rule]
        .iter()
        .collect::<String>()
        .find(" timeline ")
        .map(|b| lines[rule].iter().collect::<String>()[..b].chars().count())
        .unwrap();
    for l in &lines[rule..lines.len() - 1] {
        assert_eq!(l.get(x - 1), Some(&' '), "{}", l.iter().collect::<String>());
    }
}
