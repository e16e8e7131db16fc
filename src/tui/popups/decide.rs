//! Decisions a supervisor takes: what to do with an escalation, agency, write-off
//! review or exhausted-strategy item (write off, agency, plan, continue), and approving
//! or rejecting an approval item — each with the account's figures in view. Also the
//! write-off request a collector makes, which shares the invoice checklist.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::super::widgets::field::Field;
use super::plan::{self, PlanFields};
use super::text::{self, Press};
use super::{
    Form, FormKey, Outcome, Picks, Request, choice_line, keys, render_fields, render_footer,
    wrap_lines,
};
use crate::domain::{Decide, Money};
use crate::service::items::ItemDecision;

/// An open invoice offered for a write-off.
#[derive(Debug, Clone)]
pub struct Writable {
    pub invoice_no: String,
    pub due_date: NaiveDate,
    pub balance: Money,
}

/// Invoices to tick: ↑ ↓ move, space ticks or unticks.
pub struct Checklist {
    pub rows: Vec<(Writable, bool)>,
    pub cursor: usize,
}

impl Checklist {
    /// The invoices past due on `as_of` ticked: what is written off is the debt that
    /// went bad, not an invoice still running its terms (which the person may tick).
    pub fn past_due(rows: Vec<Writable>, as_of: NaiveDate) -> Checklist {
        Checklist {
            rows: rows
                .into_iter()
                .map(|w| {
                    let on = w.due_date < as_of;
                    (w, on)
                })
                .collect(),
            cursor: 0,
        }
    }

    fn handle(&mut self, key: &KeyEvent) {
        let n = self.rows.len();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(n.saturating_sub(1))
            }
            KeyCode::Char(' ' | 'x') => {
                if let Some(r) = self.rows.get_mut(self.cursor) {
                    r.1 = !r.1;
                }
            }
            _ => {}
        }
    }

    pub fn ticked(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|(_, on)| *on)
            .map(|(w, _)| w.invoice_no.clone())
            .collect()
    }

    fn total(&self) -> Money {
        self.rows
            .iter()
            .filter(|(_, on)| *on)
            .map(|(w, _)| w.balance)
            .sum()
    }

    /// Rows the list takes (at most eight invoices, then a total).
    fn height(&self) -> u16 {
        self.rows.len().min(8) as u16 + 1
    }

    fn draw(
        &self,
        f: &mut Frame<'_>,
        inner: Rect,
        mut y: u16,
        focused: bool,
        theme: &Theme,
    ) -> u16 {
        let first = self.cursor.saturating_sub(7);
        for (i, (w, on)) in self.rows.iter().enumerate().skip(first).take(8) {
            if y >= inner.y + inner.height {
                return y;
            }
            let here = focused && i == self.cursor;
            let line = Line::from(vec![
                Span::styled(
                    format!(
                        "{}[{}] ",
                        if here { "▶ " } else { "  " },
                        if *on { "x" } else { " " }
                    ),
                    if here { theme.selected } else { theme.base },
                ),
                Span::styled(
                    format!("{:<16} due {} ", w.invoice_no, w.due_date),
                    theme.base,
                ),
                Span::styled(format!("{:>14}", w.balance.grouped()), theme.money),
            ]);
            f.render_widget(
                Paragraph::new(line),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 1;
        }
        if y < inner.y + inner.height {
            let n = self.rows.len();
            let ticked = self.rows.iter().filter(|(_, on)| *on).count();
            let mut parts = vec![
                Span::styled(format!("    ticked {ticked} of {n}: "), theme.dim),
                Span::styled(self.total().grouped(), theme.title),
            ];
            // More invoices than rows: which ones show, and that ↑↓ reach the rest.
            if n > 8 {
                parts.push(Span::styled(
                    format!(" · showing {}–{} (↑↓)", first + 1, (first + 8).min(n)),
                    theme.dim,
                ));
            }
            let line = Line::from(parts);
            f.render_widget(
                Paragraph::new(line),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 1;
        }
        y
    }
}

/// Draws wrapped lines of context (what the item is, the account's figures).
fn context(f: &mut Frame<'_>, inner: Rect, y: u16, lines: &[Line<'static>], h: u16) -> u16 {
    f.render_widget(
        Paragraph::new(lines.to_vec()),
        Rect {
            y,
            height: h.min((inner.y + inner.height).saturating_sub(y)),
            ..inner
        },
    );
    y + h
}

const DECISIONS: [(char, Decide, &str); 4] = [
    ('w', Decide::WriteOff, "write off"),
    ('a', Decide::Agency, "agency"),
    ('p', Decide::Plan, "plan"),
    ('c', Decide::Continue, "continue"),
];

/// Focus stops of the decision form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Choice,
    Invoices,
    Agency,
    Plan(usize),
    Note,
}

/// Finishing an escalation, agency, write-off review or exhausted-strategy item.
pub struct DecisionForm {
    item: i64,
    title: String,
    about: Vec<Line<'static>>,
    choice: Decide,
    invoices: Checklist,
    agency: Field,
    plan: PlanFields,
    note: Field,
    focus: Stop,
    error: Option<String>,
    as_of: NaiveDate,
    /// Letters typed on the choice that may yet turn out to be the note's text.
    picks: Picks<Decide>,
}

/// Said when letters typed on a choice turned out to be text and went to the note.
const DECIDE_TYPED: &str =
    "your text went to the note: Decide is a choice (w write off, a agency, p plan, c continue)";
const APPROVE_TYPED: &str = "your text went to the note: Decide is a choice (a approve, r reject)";

impl DecisionForm {
    pub fn new(
        item: i64,
        title: String,
        about: Vec<Line<'static>>,
        invoices: Vec<Writable>,
        owed: Money,
        as_of: NaiveDate,
    ) -> DecisionForm {
        DecisionForm {
            item,
            title,
            about,
            choice: Decide::Continue,
            invoices: Checklist::past_due(invoices, as_of),
            agency: Field::new("Agency", "", false, "collection agency or attorney"),
            plan: PlanFields::new(owed),
            note: Field::new("Note", "", true, "why (needed to continue)"),
            focus: Stop::Choice,
            error: None,
            as_of,
            picks: Picks::default(),
        }
    }

    fn stops(&self) -> Vec<Stop> {
        let mut s = vec![Stop::Choice];
        match self.choice {
            Decide::WriteOff => s.push(Stop::Invoices),
            Decide::Agency => s.push(Stop::Agency),
            Decide::Plan => s.extend((0..plan::PLAN_STOPS).map(Stop::Plan)),
            Decide::Continue => {}
        }
        s.push(Stop::Note);
        s
    }

    fn submit(&mut self) -> Outcome {
        let decision = match self.choice {
            Decide::WriteOff => {
                let invoices = self.invoices.ticked();
                if invoices.is_empty() {
                    self.error = Some("tick at least one invoice (space)".into());
                    return Outcome::Keep;
                }
                ItemDecision::WriteOff { invoices }
            }
            Decide::Agency => {
                let agency = self.agency.text();
                if agency.is_empty() {
                    self.agency.error = Some("name the agency or attorney".into());
                    return Outcome::Keep;
                }
                ItemDecision::Agency { agency }
            }
            Decide::Plan => match self.plan.installments(self.as_of) {
                Some(installments) => ItemDecision::Plan { installments },
                None => return Outcome::Keep,
            },
            Decide::Continue => {
                if self.note.text().is_empty() {
                    self.note.error = Some("say why collection goes on as it is".into());
                    self.focus = Stop::Note;
                    return Outcome::Keep;
                }
                ItemDecision::Continue
            }
        };
        Outcome::Submit(Request::Decide {
            item: self.item,
            decision,
            note: self.note.text(),
        })
    }
}

const DECISION_KEYS: &[FormKey] = &[keys::SAVE, keys::FIELD, keys::CHANGE, keys::CANCEL];

impl Form for DecisionForm {
    fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        self.as_of = as_of;
        match text::press(key) {
            Press::Cancel => return Outcome::Close,
            // ⏎ on the choice of a plan or a write-off goes to its terms first (the
            // prefilled installments, the ticked invoices): they are saved by a second
            // ⏎, once the supervisor has had them in front of them.
            Press::Save
                if self.focus == Stop::Choice
                    && matches!(self.choice, Decide::Plan | Decide::WriteOff) =>
            {
                self.error = None;
                self.focus = match self.choice {
                    Decide::Plan => Stop::Plan(0),
                    _ => Stop::Invoices,
                };
                return Outcome::Keep;
            }
            Press::Save => {
                self.error = None;
                return self.submit();
            }
            Press::Edit => {}
        }
        let stops = self.stops();
        let mut pos = stops.iter().position(|s| *s == self.focus).unwrap_or(0);
        if super::tab_focus(key, &mut pos, stops.len()) {
            self.focus = stops[pos];
            self.picks.clear();
            return Outcome::Keep;
        }
        match self.focus {
            Stop::Choice => {
                let i = DECISIONS
                    .iter()
                    .position(|(_, d, _)| *d == self.choice)
                    .unwrap_or(0);
                let n = DECISIONS.len();
                let letter = super::typed_char(key);
                match letter.map(|c| (c, DECISIONS.iter().find(|(k, _, _)| *k == c))) {
                    Some((c, Some((_, d, _)))) => {
                        self.picks.picked(c, self.choice);
                        self.choice = *d;
                    }
                    Some((c, None)) => {
                        if let Some(before) = self.picks.into_note(c, &mut self.note) {
                            self.choice = before;
                        }
                        self.focus = Stop::Note;
                        self.error = Some(DECIDE_TYPED.into());
                    }
                    None => {
                        self.picks.clear();
                        self.choice = match key.code {
                            KeyCode::Right => DECISIONS[(i + 1) % n].1,
                            KeyCode::Left => DECISIONS[(i + n - 1) % n].1,
                            _ => self.choice,
                        };
                    }
                }
                self.note.hint = if self.choice == Decide::Continue {
                    "why (needed to continue)".into()
                } else {
                    "optional".into()
                };
            }
            Stop::Invoices => self.invoices.handle(key),
            Stop::Agency => {
                self.agency.handle(key);
            }
            Stop::Plan(p) => self.plan.handle(key, p),
            Stop::Note => {
                self.note.handle(key);
            }
        }
        Outcome::Keep
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let w = super::inner_width(area, 72);
        let about = wrap_lines(&self.about, w);
        let about_h = about.len() as u16 + 1;
        let preview = self.plan.preview(self.as_of).map_or(2, |l| l.len());
        let part = match self.choice {
            Decide::WriteOff => self.invoices.height(),
            Decide::Agency => self.agency.height(w),
            Decide::Plan => self.plan.height(preview, w),
            Decide::Continue => 0,
        };
        let h = about_h + 2 + part + self.note.height(w);
        let inner = super::form_frame(
            f,
            area,
            72,
            h,
            &self.title,
            self.error.as_deref(),
            DECISION_KEYS,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let mut y = context(f, inner, inner.y, &about, about_h);
        let options: Vec<(String, String)> = DECISIONS
            .iter()
            .map(|(k, _, w)| (k.to_string(), (*w).to_string()))
            .collect();
        let chosen = DECISIONS.iter().position(|(_, d, _)| *d == self.choice);
        if y < inner.y + inner.height {
            f.render_widget(
                Paragraph::new(choice_line(
                    "Decide",
                    &options,
                    chosen,
                    self.focus == Stop::Choice,
                    theme,
                )),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 2;
        }
        y = match self.choice {
            Decide::WriteOff => {
                self.invoices
                    .draw(f, inner, y, self.focus == Stop::Invoices, theme)
            }
            Decide::Agency => render_fields(
                f,
                inner,
                y,
                &[(&self.agency, self.focus == Stop::Agency)],
                theme,
            ),
            Decide::Plan => {
                let focus = match self.focus {
                    Stop::Plan(p) => Some(p),
                    _ => None,
                };
                let bottom = super::above_footer_and_note(
                    inner,
                    self.error.as_deref(),
                    DECISION_KEYS,
                    &self.note,
                );
                self.plan
                    .draw(f, inner, y, bottom, focus, self.as_of, theme)
            }
            Decide::Continue => y,
        };
        render_fields(
            f,
            inner,
            y,
            &[(&self.note, self.focus == Stop::Note)],
            theme,
        );
        render_footer(f, inner, self.error.as_deref(), DECISION_KEYS, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        DECISION_KEYS
    }
}

/// Approving or rejecting an approval item (a write-off, a hold release).
pub struct ApprovalForm {
    item: i64,
    title: String,
    about: Vec<Line<'static>>,
    approve: bool,
    note: Field,
    focus: usize,
    error: Option<String>,
    picks: Picks<bool>,
}

impl ApprovalForm {
    pub fn new(item: i64, title: String, about: Vec<Line<'static>>) -> ApprovalForm {
        ApprovalForm {
            item,
            title,
            about,
            approve: true,
            note: Field::new("Note", "", true, "needed to reject"),
            focus: 0,
            error: None,
            picks: Picks::default(),
        }
    }
}

const APPROVAL_KEYS: &[FormKey] = &[keys::SAVE, keys::FIELD, keys::CHANGE, keys::CANCEL];

impl Form for ApprovalForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => return Outcome::Close,
            Press::Save => {
                self.error = None;
                let note = self.note.text();
                if !self.approve && note.is_empty() {
                    self.note.error = Some("say why it is rejected".into());
                    self.focus = 1;
                    return Outcome::Keep;
                }
                return Outcome::Submit(if self.approve {
                    Request::Approve {
                        item: self.item,
                        note,
                    }
                } else {
                    Request::Reject {
                        item: self.item,
                        note,
                    }
                });
            }
            Press::Edit => {}
        }
        if super::tab_focus(key, &mut self.focus, 2) {
            self.picks.clear();
            return Outcome::Keep;
        }
        if self.focus == 0 {
            let before = self.approve;
            match (super::typed_char(key), key.code) {
                (Some(c @ ('a' | 'r' | ' ')), _) => {
                    self.picks.picked(c, before);
                    self.approve = match c {
                        'a' => true,
                        'r' => false,
                        _ => !before,
                    };
                }
                (Some(c), _) => {
                    if let Some(before) = self.picks.into_note(c, &mut self.note) {
                        self.approve = before;
                    }
                    self.focus = 1;
                    self.error = Some(APPROVE_TYPED.into());
                }
                (None, KeyCode::Left | KeyCode::Right) => {
                    self.picks.clear();
                    self.approve = !before;
                }
                _ => self.picks.clear(),
            }
        } else {
            self.note.handle(key);
        }
        Outcome::Keep
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let w = super::inner_width(area, 72);
        let about = wrap_lines(&self.about, w);
        let about_h = about.len() as u16 + 1;
        let h = about_h + 2 + self.note.height(w);
        let inner = super::form_frame(
            f,
            area,
            72,
            h,
            &self.title,
            self.error.as_deref(),
            APPROVAL_KEYS,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let mut y = context(f, inner, inner.y, &about, about_h);
        let options = [
            ("a".to_string(), "approve".to_string()),
            ("r".to_string(), "reject".to_string()),
        ];
        if y < inner.y + inner.height {
            f.render_widget(
                Paragraph::new(choice_line(
                    "Decide",
                    &options,
                    Some(usize::from(!self.approve)),
                    self.focus == 0,
                    theme,
                )),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 2;
        }
        render_fields(f, inner, y, &[(&self.note, self.focus == 1)], theme);
        render_footer(f, inner, self.error.as_deref(), APPROVAL_KEYS, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        APPROVAL_KEYS
    }
}

/// A collector's write-off request: which invoices, and why.
pub struct WriteOffForm {
    customer: String,
    title: String,
    invoices: Checklist,
    note: Field,
    focus: usize,
    error: Option<String>,
}

impl WriteOffForm {
    pub fn new(customer: &str, name: &str, invoices: Vec<Writable>) -> WriteOffForm {
        WriteOffForm {
            customer: customer.into(),
            title: format!("write-off request · {customer} {name}"),
            invoices: Checklist {
                rows: invoices.into_iter().map(|w| (w, false)).collect(),
                cursor: 0,
            },
            note: Field::new("Note", "", true, "why it cannot be collected"),
            focus: 0,
            error: None,
        }
    }
}

const WRITE_OFF_KEYS: &[FormKey] = &[keys::SAVE, keys::FIELD, keys::TICK, keys::CANCEL];

impl Form for WriteOffForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => return Outcome::Close,
            Press::Save => {
                self.error = None;
                let invoices = self.invoices.ticked();
                if invoices.is_empty() {
                    self.error = Some("tick the invoices to write off (space)".into());
                    return Outcome::Keep;
                }
                return Outcome::Submit(Request::WriteOff {
                    customer: self.customer.clone(),
                    invoices,
                    note: self.note.text(),
                });
            }
            Press::Edit => {}
        }
        if super::tab_focus(key, &mut self.focus, 2) {
            return Outcome::Keep;
        }
        if self.focus == 0 {
            self.invoices.handle(key);
        } else {
            self.note.handle(key);
        }
        Outcome::Keep
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let w = super::inner_width(area, 72);
        let h = 2 + self.invoices.height() + self.note.height(w);
        let inner = super::form_frame(
            f,
            area,
            72,
            h,
            &self.title,
            self.error.as_deref(),
            WRITE_OFF_KEYS,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let q = [Line::from(Span::styled(
            "A supervisor approves before anything is written off.",
            theme.dim,
        ))];
        let y = context(f, inner, inner.y, &q, 2);
        let y = self.invoices.draw(f, inner, y, self.focus == 0, theme);
        render_fields(f, inner, y, &[(&self.note, self.focus == 1)], theme);
        render_footer(f, inner, self.error.as_deref(), WRITE_OFF_KEYS, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        WRITE_OFF_KEYS
    }
}
