//! Every screen and form of the terminal app, at 80×24 and 160×48, as snapshots of
//! what a person sees (the small demo, seed 7, as of 2026-11-20).

mod tui_common;

use crossterm::event::KeyCode;
use tui_common::{app, copy, draw, press, type_text};

fn both(name: &str, a: &arq::tui::app::App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(a, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), draw(a, 160, 48));
}

#[test]
fn my_queue() {
    let c = copy();
    let a = app(&c.db, "ana");
    both("queue_ana", &a);
}

#[test]
fn a_wide_window_gives_the_spare_width_to_the_explanation() {
    let c = copy();
    let a = app(&c.db, "ana");
    let screen = draw(&a, 200, 30);
    // The explanation's headline fits on one line instead of wrapping at 40 columns.
    let first = a.queue().unwrap().items[0].clone();
    let headline = format!("│#1 {} — {}", first.customer_name, first.note);
    assert!(headline.chars().count() > 40, "{headline}");
    assert!(screen.contains(&headline), "{screen}");
    insta::assert_snapshot!("queue_ana_200x30", screen);
}

#[test]
fn a_supervisors_queue() {
    let c = copy();
    let a = app(&c.db, "sam");
    both("queue_sam", &a);
}

#[test]
fn account_screen() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Enter);
    both("account", &a);
}

#[test]
fn accounts_screen_sorted_and_filtered() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Tab);
    both("accounts_by_balance", &a);
    press(&mut a, KeyCode::Char('s'));
    insta::assert_snapshot!("accounts_by_dpd_80x24", draw(&a, 80, 24));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "dental");
    insta::assert_snapshot!("accounts_filtered_80x24", draw(&a, 80, 24));
}

#[test]
fn help_overlay() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('?'));
    both("help_queue", &a);
}

/// The help of the account and the accounts screens has longer entries: on a small
/// terminal they wrap under their text instead of losing their last words.
#[test]
fn help_entries_wrap_rather_than_cut() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('?'));
    // An entry whose text runs on to the next row, that row starting in the same
    // column as the text.
    let wraps_to = |screen: &str, first: &str, rest: &str| -> bool {
        let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
        let first: Vec<char> = first.chars().collect();
        rows.windows(2).any(|w| {
            (0..w[0].len().saturating_sub(first.len())).any(|x| {
                w[0][x..].starts_with(&first)
                    && w[1]
                        .get(x..)
                        .is_some_and(|r| r.starts_with(&rest.chars().collect::<Vec<_>>()))
            })
        })
    };
    let joined = |screen: String, first: &str, rest: &str| -> bool {
        screen.contains(&format!("{first} {rest}")) || wraps_to(&screen, first, rest)
    };
    let account = draw(&a, 80, 24);
    assert!(
        joined(account.clone(), "scroll the timeline /", "back"),
        "{account}"
    );
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('?'));
    let accounts = draw(&a, 80, 24);
    assert!(
        joined(accounts.clone(), "sort by balance / DPD /", "name"),
        "{accounts}"
    );
    // A short, wide window does not squeeze the entries into slivers of columns: each
    // keeps room for a few words beside its keys.
    let short = draw(&a, 100, 12);
    assert!(short.contains("hold / release"), "{short}");
    // With the height for it, the marks' meanings follow the keys.
    let taller = draw(&a, 100, 30);
    assert!(taller.contains("on credit hold"), "{taller}");
    // An entry that wraps keeps its rows in one column (the Outbox's "deliver pending
    // messages" once began a column with "messages").
    press(&mut a, KeyCode::Esc);
    while !draw(&a, 80, 24).contains("[Outbox]") {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Char('?'));
    let outbox = draw(&a, 80, 24);
    assert!(
        joined(outbox.clone(), "deliver pending", "messages"),
        "{outbox}"
    );
}

#[test]
fn call_wrap_up_form() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('c'));
    both("wrapup_empty", &a);
    press(&mut a, KeyCode::Char('r'));
    type_text(&mut a, "AP clerk says the run is Friday");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('p'));
    both("wrapup_promise", &a);
    // A date that is not a date is flagged in place.
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "someday");
    press(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("wrapup_bad_date_80x24", draw(&a, 80, 24));
}

/// A long note wraps in the field as it is typed: every word of it stays in sight
/// (it scrolled sideways, showing only its end).
#[test]
fn a_long_note_wraps_while_it_is_typed() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('r'));
    let note = "spoke with the bookkeeper who said the invoices were approved last week \
                and the payment run is on friday, she will email the remittance advice";
    type_text(&mut a, note);
    let screen = draw(&a, 80, 24);
    let shown: Vec<&str> = screen
        .lines()
        .flat_map(|l| l.split('│').nth(1))
        .flat_map(str::split_whitespace)
        .collect();
    let words: Vec<&str> = note.split_whitespace().collect();
    assert!(
        shown.windows(words.len()).any(|w| w == words.as_slice()),
        "the note is not whole on screen:\n{screen}"
    );
}

#[test]
fn the_small_forms() {
    let c = copy();
    let mut a = app(&c.db, "ana");
    for (key, name) in [
        ('p', "promise"),
        ('d', "dispute"),
        ('n', "note"),
        ('b', "callback"),
        ('f', "finish"),
        ('h', "hold"),
    ] {
        press(&mut a, KeyCode::Char(key));
        both(&format!("form_{name}"), &a);
        press(&mut a, KeyCode::Esc);
    }
    // Accounts is sam's fourth screen.
    let mut s = app(&c.db, "sam");
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::Char('a'));
    both("form_assign", &s);
}

#[test]
fn the_decision_and_plan_forms() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    // sam's best item is an account whose strategy is exhausted: `f` asks for a decision.
    press(&mut s, KeyCode::Char('f'));
    both("form_decision", &s);
    press(&mut s, KeyCode::Char('p'));
    both("form_decision_plan", &s);
    press(&mut s, KeyCode::Char('w'));
    insta::assert_snapshot!("form_decision_write_off_80x24", draw(&s, 80, 24));
    press(&mut s, KeyCode::Esc);
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Char('P'));
    both("form_plan", &a);
}

/// The supervisor's screens, in the order `Tab` reaches them.
#[test]
fn the_supervisors_screens() {
    let c = copy();
    let mut s = app(&c.db, "sam");
    for name in [
        "team",
        "approvals",
        "accounts_sam",
        "kpis",
        "strategies",
        "warnings",
    ] {
        press(&mut s, KeyCode::Tab);
        if name != "accounts_sam" {
            both(name, &s);
        }
    }
    // Warnings → Outbox → My queue → Team; Enter drills into the first collector.
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::Enter);
    both("collector", &s);
}

/// Team shows each collector's figures of DESIGN §6 (accounts touched, promises and
/// their amount, progress on the worklist, disputes opened and resolved among them),
/// the same as the activity report of the last 30 days says.
#[test]
fn team_shows_the_activity_reports_figures_for_each_collector() {
    let c = copy();
    let mut a = app(&c.db, "sam");
    press(&mut a, KeyCode::Tab);
    let screen = draw(&a, 240, 24);
    for title in [
        "touched",
        "promised 30d",
        "progress %",
        "disputes",
        "resolved",
        "open balance",
    ] {
        assert!(screen.contains(title), "no {title:?} in\n{screen}");
    }
    let s = tui_common::session(&c.db, "sam");
    let to = s.as_of();
    let from = to - chrono::Duration::days(29);
    let period =
        arq::report::activity::activity(&s, from, to, None).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = 0;
    for r in period
        .iter()
        .filter(|r| ["ana", "ben", "cleo"].contains(&r.user.as_str()))
    {
        // Each drawn line is quoted; a row starts with the selection mark's column.
        let line = screen
            .lines()
            .map(|l| l.trim_matches('"').chars().skip(2).collect::<String>())
            .find(|l| l.starts_with(&format!("{} ", r.user)))
            .unwrap_or_else(|| panic!("no row for {} in\n{screen}", r.user));
        let cells: Vec<&str> = line.split_whitespace().collect();
        let progress = r.progress.map_or_else(|| "—".into(), |d| d.to_string());
        for want in [
            r.promised_amount.grouped(),
            r.collected.grouped(),
            progress,
            r.disputes_opened.to_string(),
            r.disputes_resolved.to_string(),
        ] {
            assert!(cells.contains(&want.as_str()), "{want} not in {line:?}");
        }
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn the_supervisors_screens_in_monochrome() {
    let c = copy();
    let mut s = tui_common::app_with(
        &c.db,
        "sam",
        arq::tui::theme::Theme::mono(),
        arq::tui::keymap::Keymap::new(&Default::default()).unwrap(),
    );
    press(&mut s, KeyCode::Tab);
    insta::assert_snapshot!("team_mono_80x24", draw(&s, 80, 24));
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    insta::assert_snapshot!("kpis_mono_80x24", draw(&s, 80, 24));
}

#[test]
fn over_the_credit_limit_shows_on_the_account_and_in_the_accounts_list() {
    let c = copy();
    let mut a = app(&c.db, "sam");
    // Accounts, filtered to those over their limit: the flag is in the list.
    for _ in 0..3 {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "over limit");
    press(&mut a, KeyCode::Enter);
    let list = draw(&a, 160, 48);
    assert!(list.contains("▲limit"), "{list}");
    insta::assert_snapshot!("accounts_over_limit_160x48", list);
    // The first of them opened: the header says by how much.
    press(&mut a, KeyCode::Enter);
    let screen = draw(&a, 160, 48);
    assert!(screen.contains("▲ OVER CREDIT LIMIT"), "{screen}");
    insta::assert_snapshot!("account_over_limit_160x48", screen);
}

#[test]
fn a_note_with_escape_sequences_is_drawn_never_obeyed() {
    use arq::display::is_control;
    use arq::service::queue::QueueScope;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let c = copy();
    let mut s = tui_common::session(&c.db, "ana");
    let first = s
        .queue(&QueueScope::Mine, Some(1))
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
        .customer_id;
    s.log_note(
        &first,
        "paid\u{1b}]0;owned\u{7}\u{1b}[2J \u{202e}later\u{9b}31m",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(s);
    let mut a = app(&c.db, "ana");
    press(&mut a, KeyCode::Enter);
    // Through the gate the real terminal gets: nothing a terminal would act on.
    let mut t = Terminal::new(arq::tui::safe::Safe(TestBackend::new(160, 48)))
        .unwrap_or_else(|e| panic!("{e}"));
    t.draw(|f| arq::tui::view::draw(f, &a))
        .unwrap_or_else(|e| panic!("{e}"));
    let cells = t.backend().0.buffer().clone();
    let screen: String = cells.content().iter().map(|c| c.symbol()).collect();
    assert!(
        screen.contains("]0;owned"),
        "the note is not on the account screen"
    );
    assert!(!screen.chars().any(is_control), "{screen:?}");
}

/// Strategies → `t` on gentle → "in place of strict": the what-if of the last 60 days,
/// in colour and in monochrome (record ▒ and candidate █ differ by their symbols).
#[test]
fn the_what_if_of_a_strategy() {
    let c = copy();
    for (mono, name) in [(false, "whatif"), (true, "whatif_mono")] {
        let theme = if mono {
            arq::tui::theme::Theme::mono()
        } else {
            arq::tui::theme::Theme::dark()
        };
        let mut s = tui_common::app_with(
            &c.db,
            "sam",
            theme,
            arq::tui::keymap::Keymap::new(&Default::default()).unwrap(),
        );
        for _ in 0..5 {
            press(&mut s, KeyCode::Tab);
        }
        // white_glove, strict, gentle, standard: gentle is the third.
        press(&mut s, KeyCode::Down);
        press(&mut s, KeyCode::Down);
        press(&mut s, KeyCode::Char('t'));
        if !mono {
            insta::assert_snapshot!("form_try_80x24", draw(&s, 80, 24));
        }
        // "in place of white_glove", then strict. The frame before the replay says
        // it is under way (on a large shop it takes seconds).
        press(&mut s, KeyCode::Down);
        tui_common::press_only(&mut s, KeyCode::Enter);
        let waiting = draw(&s, 80, 24);
        assert!(
            waiting.contains("replaying the last 60 days with gentle"),
            "{waiting}"
        );
        s.run_pending();
        let screen = draw(&s, 80, 24);
        assert!(
            screen.contains("gentle on the accounts of strict"),
            "{screen}"
        );
        // The estimate's range stays on one row at every width tried.
        for (w, h) in [(80, 24), (100, 30), (160, 48)] {
            let shown = draw(&s, w, h);
            assert!(
                shown
                    .lines()
                    .any(|l| l.contains("range ") && l.contains(" to +")),
                "{w}×{h}:\n{shown}"
            );
        }
        if mono {
            insta::assert_snapshot!("whatif_mono_80x24", screen);
        } else {
            both(name, &s);
        }
        // Esc goes back to the strategies.
        press(&mut s, KeyCode::Esc);
        assert!(draw(&s, 80, 24).contains("[Strategies]"));
    }
}
