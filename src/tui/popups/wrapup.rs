//! The call wrap-up: the outcome with one key, a note, and optionally a promise or a
//! callback. `Enter` saves it all in one transaction; `Esc` writes nothing.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::super::widgets::field::Field;
use super::{
    Form, FormKey, Outcome, Picks, Request, choice_line, keys, message_rows, render_fields,
    render_footer, render_message, tab_focus,
};
use crate::domain::dates::parse_user_date;
use crate::domain::{CallOutcome, Money};
use crate::service::calls::FollowUp;

const OUTCOMES: [(char, CallOutcome); 5] = [
    ('r', CallOutcome::Reached),
    ('v', CallOutcome::Voicemail),
    ('n', CallOutcome::NoAnswer),
    ('w', CallOutcome::WrongNumber),
    ('x', CallOutcome::Refused),
];

/// What a letter that is not a choice, typed on a choice, is told.
const OUTCOME_IS_A_CHOICE: &str = "Outcome is a choice, not text: r reached, v voicemail, n no answer, w wrong number, x refused (then the note)";
const THEN_TYPED: &str =
    "your text went to the note: Then is a choice (p promise, b callback, - nothing)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Nothing,
    Promise,
    Callback,
}

pub struct WrapUpForm {
    pub customer: String,
    pub title: String,
    pub item: Option<i64>,
    pub outcome: Option<CallOutcome>,
    pub note: Field,
    pub next: Next,
    pub amount: Field,
    pub date: Field,
    pub focus: usize,
    pub error: Option<String>,
    outcome_error: Option<String>,
    /// The account's newest call when the form opened.
    seen_call: i64,
    /// Letters typed on *Then* that may yet turn out to be the note's text.
    picks: Picks<Next>,
    /// The account's open promise, which a promise taken here replaces.
    replaces: Option<String>,
}

// Focus positions.
const OUTCOME: usize = 0;
const NOTE: usize = 1;
const NEXT: usize = 2;
const AMOUNT: usize = 3;
const DATE: usize = 4;

impl WrapUpForm {
    pub fn new(
        customer: &str,
        name: &str,
        item: Option<i64>,
        collectible: Money,
        seen_call: i64,
        replaces: Option<&str>,
    ) -> WrapUpForm {
        WrapUpForm {
            customer: customer.to_string(),
            title: format!("call wrap-up · {customer} {name}"),
            item,
            outcome: None,
            note: Field::new("Note", "", true, "alt-⏎ new line"),
            next: Next::Nothing,
            amount: Field::new("Amount", &collectible.grouped(), false, ""),
            date: Field::new("Date", "+7", false, "YYYY-MM-DD, +7, fri"),
            focus: OUTCOME,
            error: None,
            outcome_error: None,
            seen_call,
            picks: Picks::default(),
            replaces: replaces.map(str::to_string),
        }
    }

    /// The follow-up's date starts at its kind's default (+2 for a callback, +7 for a
    /// promise) until the person types their own.
    fn fit_date_default(&mut self) {
        let default_date = if self.next == Next::Callback {
            "+2"
        } else {
            "+7"
        };
        if matches!(self.date.text().as_str(), "+2" | "+7") {
            self.date.set_text(default_date);
        }
    }

    /// The focus positions in use (the amount and date only with a follow-up).
    fn stops(&self) -> Vec<usize> {
        match self.next {
            Next::Nothing => vec![OUTCOME, NOTE, NEXT],
            Next::Promise => vec![OUTCOME, NOTE, NEXT, AMOUNT, DATE],
            Next::Callback => vec![OUTCOME, NOTE, NEXT, DATE],
        }
    }

    fn on_key(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter
                if !(self.focus == NOTE
                    && key.modifiers.contains(crossterm::event::KeyModifiers::ALT)) =>
            {
                return self.submit(as_of);
            }
            _ => {}
        }
        let stops = self.stops();
        let mut pos = stops.iter().position(|&s| s == self.focus).unwrap_or(0);
        if tab_focus(key, &mut pos, stops.len()) {
            self.focus = stops[pos];
            // A hint about typing on a choice is done with once the cursor moves.
            self.picks.clear();
            if self.error.as_deref() == Some(THEN_TYPED) {
                self.error = None;
            }
            if self.outcome_error.as_deref() == Some(OUTCOME_IS_A_CHOICE) {
                self.outcome_error = None;
            }
            return Outcome::Keep;
        }
        match self.focus {
            OUTCOME => {
                if let KeyCode::Char(c) = key.code
                    && let Some((_, o)) =
                        OUTCOMES.iter().find(|(k, _)| *k == c.to_ascii_lowercase())
                {
                    self.outcome = Some(*o);
                    self.outcome_error = None;
                    self.focus = NOTE;
                } else if let KeyCode::Char(_) = key.code {
                    self.outcome_error = Some(OUTCOME_IS_A_CHOICE.into());
                } else if matches!(key.code, KeyCode::Left | KeyCode::Right) {
                    let i = self
                        .outcome
                        .and_then(|o| OUTCOMES.iter().position(|(_, x)| *x == o));
                    let n = OUTCOMES.len();
                    let next = match (key.code, i) {
                        (KeyCode::Right, Some(i)) => (i + 1) % n,
                        (KeyCode::Left, Some(i)) => (i + n - 1) % n,
                        _ => 0,
                    };
                    self.outcome = Some(OUTCOMES[next].1);
                }
            }
            NOTE => {
                self.note.handle(key);
            }
            NEXT => {
                // Text typed here (a Tab too many after the outcome moved on to the
                // note) was meant for the note: it goes there, with the letters before
                // it that picked something, and those picks are taken back.
                match super::typed_char(key) {
                    Some(c @ ('p' | 'b' | '-' | ' ')) => self.picks.picked(c, self.next),
                    Some(c) => {
                        if let Some(before) = self.picks.into_note(c, &mut self.note) {
                            self.next = before;
                            self.fit_date_default();
                        }
                        self.focus = NOTE;
                        self.error = Some(THEN_TYPED.into());
                        return Outcome::Keep;
                    }
                    None => self.picks.clear(),
                }
                self.next = match (key.code, self.next) {
                    (KeyCode::Char('p'), _) => Next::Promise,
                    (KeyCode::Char('b'), _) => Next::Callback,
                    (KeyCode::Char('-'), _) => Next::Nothing,
                    (KeyCode::Right | KeyCode::Char(' '), Next::Nothing)
                    | (KeyCode::Left, Next::Callback) => Next::Promise,
                    (KeyCode::Right | KeyCode::Char(' '), Next::Promise)
                    | (KeyCode::Left, Next::Nothing) => Next::Callback,
                    (KeyCode::Right | KeyCode::Char(' '), Next::Callback)
                    | (KeyCode::Left, Next::Promise) => Next::Nothing,
                    (_, n) => n,
                };
                self.fit_date_default();
            }
            AMOUNT => {
                self.amount.handle(key);
            }
            DATE => {
                self.date.handle(key);
            }
            _ => {}
        }
        Outcome::Keep
    }

    fn submit(&mut self, as_of: NaiveDate) -> Outcome {
        self.error = None;
        let mut ok = true;
        let outcome = match self.outcome {
            Some(o) => Some(o),
            None => {
                self.outcome_error = Some("choose how the call went: r reached, v voicemail, n no answer, w wrong number, x refused".into());
                self.focus = OUTCOME;
                ok = false;
                None
            }
        };
        let date = if self.next == Next::Nothing {
            None
        } else {
            match parse_user_date(&self.date.text(), as_of) {
                Ok(d) if d >= as_of => Some(d),
                Ok(d) => {
                    self.date.error = Some(format!("{d} is before today ({as_of})"));
                    ok = false;
                    None
                }
                Err(e) => {
                    self.date.error = Some(e.to_string());
                    ok = false;
                    None
                }
            }
        };
        let amount = if self.next == Next::Promise {
            match crate::domain::parse_amount(&self.amount.text()) {
                Ok(m) if m.is_positive() => Some(m),
                Ok(_) => {
                    self.amount.error = Some("the amount must be above 0.00".into());
                    ok = false;
                    None
                }
                Err(e) => {
                    self.amount.error = Some(e.to_string());
                    ok = false;
                    None
                }
            }
        } else {
            None
        };
        let (Some(outcome), true) = (outcome, ok) else {
            return Outcome::Keep;
        };
        let follow = match (self.next, amount, date) {
            (Next::Promise, Some(amount), Some(date)) => FollowUp::Promise { amount, date },
            (Next::Callback, _, Some(date)) => FollowUp::Callback { date },
            _ => FollowUp::None,
        };
        Outcome::Submit(Request::WrapUp {
            customer: self.customer.clone(),
            item: self.item,
            outcome,
            note: self.note.text(),
            follow,
            seen_call: self.seen_call,
        })
    }

    fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let w = super::inner_width(area, 76);
        let outcome_error_h = message_rows(self.outcome_error.as_deref(), w);
        let fields_h = 1
            + outcome_error_h
            + self.note.height(w)
            + 1
            + match self.next {
                Next::Nothing => 0,
                Next::Promise => {
                    message_rows(self.replaces.as_deref(), w)
                        + self.amount.height(w)
                        + self.date.height(w)
                }
                Next::Callback => self.date.height(w),
            };
        let inner = super::form_frame(
            f,
            area,
            76,
            fields_h + 1,
            &self.title,
            self.error.as_deref(),
            WRAP_UP_KEYS,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let options: Vec<(String, String)> = OUTCOMES
            .iter()
            .map(|(k, o)| (k.to_string(), o.to_string()))
            .collect();
        let chosen = self
            .outcome
            .and_then(|o| OUTCOMES.iter().position(|(_, x)| *x == o));
        let mut y = inner.y;
        f.render_widget(
            Paragraph::new(choice_line(
                "Outcome",
                &options,
                chosen,
                self.focus == OUTCOME,
                theme,
            )),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
        y += 1;
        if let Some(e) = &self.outcome_error {
            y = message_below(f, inner, y, outcome_error_h, e, theme);
        }
        y = render_fields(f, inner, y, &[(&self.note, self.focus == NOTE)], theme);
        if y < inner.y + inner.height {
            let next = [
                ("-".to_string(), "nothing".to_string()),
                ("p".to_string(), "promise".to_string()),
                ("b".to_string(), "callback".to_string()),
            ];
            let chosen = match self.next {
                Next::Nothing => 0,
                Next::Promise => 1,
                Next::Callback => 2,
            };
            f.render_widget(
                Paragraph::new(choice_line(
                    "Then",
                    &next,
                    Some(chosen),
                    self.focus == NEXT,
                    theme,
                )),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 1;
        }
        match self.next {
            Next::Promise => {
                if let Some(r) = &self.replaces {
                    y = message_below(f, inner, y, message_rows(Some(r), w), r, theme);
                }
                render_fields(
                    f,
                    inner,
                    y,
                    &[
                        (&self.amount, self.focus == AMOUNT),
                        (&self.date, self.focus == DATE),
                    ],
                    theme,
                );
            }
            Next::Callback => {
                render_fields(f, inner, y, &[(&self.date, self.focus == DATE)], theme);
            }
            Next::Nothing => {}
        }
        render_footer(f, inner, self.error.as_deref(), WRAP_UP_KEYS, theme);
    }
}

/// Draws `text` in `rows` rows from `y` (fewer when the form ends first); returns the
/// row after it.
fn message_below(
    f: &mut Frame<'_>,
    inner: Rect,
    y: u16,
    rows: u16,
    text: &str,
    theme: &Theme,
) -> u16 {
    let h = rows.min((inner.y + inner.height).saturating_sub(y));
    render_message(
        f,
        Rect {
            y,
            height: h,
            ..inner
        },
        text,
        theme,
    );
    y + h
}

const WRAP_UP_KEYS: &[FormKey] = &[keys::SAVE_NEXT, keys::FIELD, keys::NEW_LINE, keys::CANCEL];

impl Form for WrapUpForm {
    fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        self.on_key(key, as_of)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        self.view(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        WRAP_UP_KEYS
    }

    fn forget_item(&mut self) -> bool {
        self.item.take().is_some()
    }
}
