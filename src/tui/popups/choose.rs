//! Forms that pick from a list rather than take text: assigning an account to a
//! collector, sending a template now on a channel, and confirming a promise by email.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::text::{self, Press};
use super::{Form, FormKey, Outcome, Request, choice_line, keys, render_footer};
use crate::display::wrap;
use crate::domain::Channel;
use crate::service::whatif::Accounts;

/// The channels a person can send on, in the order the send form offers them.
pub const CHANNELS: [Channel; 3] = [Channel::Email, Channel::Letter, Channel::Sms];

/// A row chosen with ↑ ↓ (and Home / End) from `len` rows.
fn choose(key: &KeyEvent, chosen: &mut usize, len: usize) {
    let last = len.saturating_sub(1);
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => *chosen = chosen.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *chosen = (*chosen + 1).min(last),
        KeyCode::Home | KeyCode::Char('g') => *chosen = 0,
        KeyCode::End | KeyCode::Char('G') => *chosen = last,
        _ => {}
    }
}

/// Draws a chooser: the question, optional lines under it, the rows, the keys.
struct Chooser<'a> {
    title: &'a str,
    question: &'a str,
    above: Vec<Line<'static>>,
    rows: &'a [String],
    chosen: usize,
    error: Option<&'a str>,
    keys: &'a [FormKey],
    /// Lines under the rows (a preview of the chosen one), while there is room.
    below: Vec<Line<'static>>,
}

impl Chooser<'_> {
    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let above = self.above.len() as u16;
        let rows = self.rows.len() as u16;
        let w = super::inner_width(area, 64);
        let question = wrap(self.question, usize::from(w).max(1));
        let q_h = question.len() as u16 + 1;
        let inner = super::form_frame(
            f,
            area,
            64,
            q_h + above + rows + self.below.len() as u16,
            self.title,
            self.error,
            self.keys,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let foot = super::footer_rows(self.error, self.keys, inner.width);
        let mut y = inner.y;
        let line = |y: u16| Rect {
            y,
            height: 1,
            ..inner
        };
        f.render_widget(
            Paragraph::new(question.into_iter().map(Line::from).collect::<Vec<_>>()),
            Rect {
                y,
                height: q_h.min(inner.height),
                ..inner
            },
        );
        y += q_h;
        for l in &self.above {
            if y >= inner.y + inner.height {
                break;
            }
            f.render_widget(Paragraph::new(l.clone()), line(y));
            y += 1;
        }
        // Rows scroll so the chosen one stays in view above what is below them and
        // the keys line; what is below keeps at most half the room.
        let left = usize::from((inner.y + inner.height).saturating_sub(y + foot));
        let room = left.saturating_sub(self.below.len().min(left / 2)).max(1);
        // Rows that need less than their share leave the rest to what is below.
        let below = self
            .below
            .len()
            .min(left.saturating_sub(self.rows.len().min(room)));
        let first = self.chosen.saturating_sub(room - 1);
        for (i, r) in self.rows.iter().enumerate().skip(first).take(room) {
            let on = i == self.chosen;
            let text = Line::from(Span::styled(
                format!("{}{r}", if on { "▶ " } else { "  " }),
                if on { theme.selected } else { theme.base },
            ));
            f.render_widget(Paragraph::new(text), line(y));
            y += 1;
        }
        for l in self.below.iter().take(below) {
            f.render_widget(Paragraph::new(l.clone()), line(y));
            y += 1;
        }
        render_footer(f, inner, self.error, self.keys, theme);
    }
}

/// Assigning an account to a collector (supervisors).
pub struct AssignForm {
    customer: String,
    title: String,
    users: Vec<String>,
    chosen: usize,
    error: Option<String>,
}

impl AssignForm {
    pub fn new(customer: &str, name: &str, users: Vec<String>, current: Option<&str>) -> Self {
        let chosen = current
            .and_then(|c| users.iter().position(|u| u == c))
            .unwrap_or(0);
        AssignForm {
            customer: customer.into(),
            title: format!("assign · {customer} {name}"),
            users,
            chosen,
            error: None,
        }
    }
}

const ASSIGN_KEYS: &[FormKey] = &[keys::ASSIGN, keys::CHOOSE, keys::CANCEL];

impl Form for AssignForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => match self.users.get(self.chosen) {
                Some(u) => Outcome::Submit(Request::Assign {
                    customer: self.customer.clone(),
                    to: u.clone(),
                }),
                None => Outcome::Close,
            },
            Press::Edit => {
                choose(key, &mut self.chosen, self.users.len());
                Outcome::Keep
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        Chooser {
            title: &self.title,
            question: "Choose the collector with ↑ ↓, then ⏎.",
            above: Vec::new(),
            rows: &self.users,
            chosen: self.chosen,
            error: self.error.as_deref(),
            keys: ASSIGN_KEYS,
            below: Vec::new(),
        }
        .draw(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        ASSIGN_KEYS
    }
}

/// Sending a message now: which template, on which channel.
pub struct SendForm {
    customer: String,
    title: String,
    templates: Vec<String>,
    chosen: usize,
    channel: usize,
    error: Option<String>,
    /// Said above the choice when nothing on the account is past due (a reminder would
    /// list invoices not yet due and a past-due total of 0.00).
    caution: Option<String>,
    /// Each template rendered for the account (`None` when it could not be).
    previews: Vec<Option<crate::mail::Rendered>>,
}

impl SendForm {
    /// `reachable`: whether the customer takes messages on a channel (not opted out, an
    /// address to send to); the first such channel is chosen to begin with.
    pub fn new(
        customer: &str,
        name: &str,
        templates: Vec<(String, Option<crate::mail::Rendered>)>,
        reachable: &dyn Fn(Channel) -> bool,
        caution: Option<String>,
    ) -> SendForm {
        let (templates, previews): (Vec<String>, Vec<_>) = templates.into_iter().unzip();
        let chosen = templates
            .iter()
            .position(|t| t == "friendly_reminder")
            .unwrap_or(0);
        SendForm {
            customer: customer.into(),
            title: format!("send now · {customer} {name}"),
            templates,
            chosen,
            channel: CHANNELS.iter().position(|c| reachable(*c)).unwrap_or(0),
            error: None,
            caution,
            previews,
        }
    }

    /// The chosen template as the customer would get it: subject, the first lines of
    /// the text (wrapped, never cut), and for a text message its length.
    fn preview(&self, width: usize, theme: &Theme) -> Vec<Line<'static>> {
        const BODY_ROWS: usize = 4;
        let Some(Some(r)) = self.previews.get(self.chosen) else {
            return vec![Line::from(Span::styled("(no preview)", theme.dim))];
        };
        let sms = CHANNELS[self.channel % CHANNELS.len()] == Channel::Sms;
        let mut head = "preview".to_string();
        if sms {
            head.push_str(&format!(" · {} characters", r.text.trim().chars().count()));
        }
        let mut out = vec![Line::from(""), Line::from(Span::styled(head, theme.dim))];
        // The warning, unless the refusal in the footer already says it.
        if sms
            && self.error.is_none()
            && let Some(why) = crate::mail::compose::too_long_for_sms(&r.text)
        {
            out.extend(
                wrap(&why, width)
                    .into_iter()
                    .map(|l| Line::from(Span::styled(l, theme.warn))),
            );
        }
        if !sms {
            out.extend(
                wrap(&format!("Subject: {}", r.subject), width)
                    .into_iter()
                    .map(|l| Line::from(Span::styled(l, theme.title))),
            );
        }
        // Prose lines joined into paragraphs, indented lines (an invoice table) kept as
        // they are; each wrapped to the form.
        let body: Vec<String> = preview_lines(&r.text)
            .iter()
            .flat_map(|p| wrap(p, width))
            .collect();
        let more = body.len().saturating_sub(BODY_ROWS);
        out.extend(body.into_iter().take(BODY_ROWS).map(Line::from));
        if more > 0 {
            out.push(Line::from(Span::styled(
                format!("… {more} more line{}", if more == 1 { "" } else { "s" }),
                theme.dim,
            )));
        }
        out
    }
}

/// A message's text for a preview: consecutive prose lines joined (the template's own
/// line breaks fall where the form's width does not), indented lines — a table of
/// invoices — one each, blank lines dropped.
fn preview_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prose = String::new();
    for line in text.lines() {
        let indented = line.starts_with([' ', '\t']);
        if line.trim().is_empty() || indented {
            if !prose.is_empty() {
                out.push(std::mem::take(&mut prose));
            }
            if indented {
                out.push(line.trim_end().to_string());
            }
            continue;
        }
        if !prose.is_empty() {
            prose.push(' ');
        }
        prose.push_str(line.trim());
    }
    if !prose.is_empty() {
        out.push(prose);
    }
    out
}

#[cfg(test)]
mod preview_tests {
    use super::preview_lines;

    #[test]
    fn prose_is_joined_and_a_table_keeps_its_rows() {
        let text = "Dear Acme,\n\nWe hope all is well. Our records show\nthat these are past due:\n\n  Invoice  Due\n  INV-1    2026-01-01\n\nThank you.";
        assert_eq!(
            preview_lines(text),
            vec![
                "Dear Acme,",
                "We hope all is well. Our records show that these are past due:",
                "  Invoice  Due",
                "  INV-1    2026-01-01",
                "Thank you.",
            ]
        );
    }
}

const SEND_KEYS: &[FormKey] = &[keys::SEND, keys::TEMPLATE, keys::CHANNEL, keys::CANCEL];

impl Form for SendForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => match self.templates.get(self.chosen) {
                Some(t) => Outcome::Submit(Request::Send {
                    customer: self.customer.clone(),
                    template: t.clone(),
                    channel: CHANNELS[self.channel % CHANNELS.len()],
                }),
                None => Outcome::Close,
            },
            Press::Edit => {
                // A refusal was about the choice before this one.
                self.error = None;
                let n = CHANNELS.len();
                match key.code {
                    KeyCode::Right | KeyCode::Char('l') => self.channel = (self.channel + 1) % n,
                    KeyCode::Left | KeyCode::Char('h') => self.channel = (self.channel + n - 1) % n,
                    _ => choose(key, &mut self.chosen, self.templates.len()),
                }
                Outcome::Keep
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let options: Vec<(String, String)> = CHANNELS
            .iter()
            .map(|c| (String::new(), c.to_string()))
            .collect();
        const HOW: &str = "Choose the template with ↑ ↓ and the channel with ← →, then ⏎.";
        let question = match &self.caution {
            Some(c) => format!("{c} {HOW}"),
            None => HOW.to_string(),
        };
        Chooser {
            title: &self.title,
            question: &question,
            above: vec![
                choice_line("Channel", &options, Some(self.channel), true, theme),
                Line::from(""),
            ],
            rows: &self.templates,
            chosen: self.chosen,
            error: self.error.as_deref(),
            keys: SEND_KEYS,
            below: self.preview(usize::from(super::inner_width(area, 64)).max(10), theme),
        }
        .draw(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        SEND_KEYS
    }
}

/// What a confirmation confirms.
enum Confirms {
    Promise(i64),
    Plan(i64),
}

/// Offered right after a promise or a plan: send its confirmation now?
pub struct ConfirmForm {
    customer: String,
    what: Confirms,
    to: String,
    error: Option<String>,
}

impl ConfirmForm {
    pub fn promise(customer: &str, promise_id: i64, to: &str) -> ConfirmForm {
        ConfirmForm {
            customer: customer.into(),
            what: Confirms::Promise(promise_id),
            to: to.into(),
            error: None,
        }
    }

    pub fn plan(customer: &str, plan_id: i64, to: &str) -> ConfirmForm {
        ConfirmForm {
            customer: customer.into(),
            what: Confirms::Plan(plan_id),
            to: to.into(),
            error: None,
        }
    }
}

const CONFIRM_KEYS: &[FormKey] = &[keys::SEND_IT, keys::NOT_NOW];

impl Form for ConfirmForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => Outcome::Submit(match self.what {
                Confirms::Promise(promise_id) => Request::ConfirmPromise {
                    customer: self.customer.clone(),
                    promise_id,
                },
                Confirms::Plan(plan_id) => Request::ConfirmPlan {
                    customer: self.customer.clone(),
                    plan_id,
                },
            }),
            Press::Edit => Outcome::Keep,
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let (title, what) = match self.what {
            Confirms::Promise(_) => ("promise confirmation", "promise"),
            Confirms::Plan(_) => ("plan confirmation", "payment plan"),
        };
        Chooser {
            title,
            question: &format!("Send the {what} confirmation to {} now?", self.to),
            above: Vec::new(),
            rows: &[],
            chosen: 0,
            error: self.error.as_deref(),
            keys: CONFIRM_KEYS,
            below: Vec::new(),
        }
        .draw(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        CONFIRM_KEYS
    }
}

/// Asked before the pending messages go out (supervisors, Outbox): how many, and how
/// long the oldest has waited. Each is checked against its account as it goes, so
/// one its account no longer calls for is cancelled, not sent.
pub struct DeliverForm {
    pending: usize,
    /// The day the oldest pending message was queued, and how many days ago that was.
    oldest: Option<(NaiveDate, i64)>,
    error: Option<String>,
}

impl DeliverForm {
    pub fn new(pending: usize, oldest: Option<NaiveDate>, today: NaiveDate) -> DeliverForm {
        DeliverForm {
            pending,
            oldest: oldest.map(|d| (d, (today - d).num_days())),
            error: None,
        }
    }
}

const DELIVER_KEYS: &[FormKey] = &[keys::SEND, keys::NOT_NOW];

impl Form for DeliverForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => Outcome::Submit(Request::Deliver),
            Press::Edit => Outcome::Keep,
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let n = self.pending;
        let question = format!(
            "Deliver {n} pending message{} now?",
            if n == 1 { "" } else { "s" }
        );
        let mut above = Vec::new();
        if let Some((day, age)) = self.oldest {
            let waited = match age {
                i64::MIN..=0 => "today".to_string(),
                1 => "yesterday".to_string(),
                d => format!("{d} days ago"),
            };
            let style = if age > 1 { theme.warn } else { theme.dim };
            above.push(Line::from(Span::styled(
                format!("oldest queued {day} ({waited})"),
                style,
            )));
        }
        let width = usize::from(super::inner_width(area, 64)).max(10);
        above.extend(
            wrap(
                "Each is checked against its account first: a message the account no longer calls for (paid, promised, too old) is cancelled, not sent.",
                width,
            )
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim))),
        );
        Chooser {
            title: "deliver",
            question: &question,
            above,
            rows: &[],
            chosen: 0,
            error: self.error.as_deref(),
            keys: DELIVER_KEYS,
            below: Vec::new(),
        }
        .draw(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        DELIVER_KEYS
    }
}

/// An account a bulk reassignment moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moving {
    pub customer: String,
    pub balance: crate::domain::Money,
    /// Items due on it (they move with it).
    pub items: usize,
}

/// Moving several accounts to another collector, with what moves shown first.
pub struct BulkAssignForm {
    title: String,
    summary: String,
    moving: Vec<Moving>,
    users: Vec<String>,
    chosen: usize,
    error: Option<String>,
}

impl BulkAssignForm {
    pub fn new(from: &str, what: &str, moving: Vec<Moving>, users: Vec<String>) -> BulkAssignForm {
        let balance: crate::domain::Money = moving.iter().map(|m| m.balance).sum();
        let items: usize = moving.iter().map(|m| m.items).sum();
        BulkAssignForm {
            title: format!("reassign {from}'s accounts"),
            summary: format!(
                "Move {what}: {} account{}, balance {}, {items} item{} due — to:",
                moving.len(),
                if moving.len() == 1 { "" } else { "s" },
                balance.grouped(),
                if items == 1 { "" } else { "s" },
            ),
            moving,
            users,
            chosen: 0,
            error: None,
        }
    }
}

const BULK_KEYS: &[FormKey] = &[keys::ASSIGN, keys::CHOOSE, keys::CANCEL];

impl BulkAssignForm {
    /// Which accounts move (a mark set on the wrong row shows here before it counts):
    /// the first few by id with their balance, then how many more.
    fn which(&self, theme: &Theme) -> Vec<Line<'static>> {
        const SHOWN: usize = 5;
        let mut out = vec![
            Line::from(""),
            Line::from(Span::styled("moving:", theme.dim)),
        ];
        let shown = if self.moving.len() > SHOWN + 1 {
            SHOWN
        } else {
            self.moving.len()
        };
        out.extend(self.moving.iter().take(shown).map(|m| {
            Line::from(vec![
                Span::raw(format!("  {:<10}", m.customer)),
                Span::styled(m.balance.grouped(), theme.money),
            ])
        }));
        let more = self.moving.len() - shown;
        if more > 0 {
            out.push(Line::from(Span::styled(
                format!("  … {more} more"),
                theme.dim,
            )));
        }
        out
    }
}

impl Form for BulkAssignForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => match self.users.get(self.chosen) {
                Some(u) => Outcome::Submit(Request::AssignMany {
                    customers: self.moving.iter().map(|m| m.customer.clone()).collect(),
                    to: u.clone(),
                }),
                None => Outcome::Close,
            },
            Press::Edit => {
                choose(key, &mut self.chosen, self.users.len());
                Outcome::Keep
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        Chooser {
            title: &self.title,
            question: &self.summary,
            above: Vec::new(),
            rows: &self.users,
            chosen: self.chosen,
            error: self.error.as_deref(),
            keys: BULK_KEYS,
            below: self.which(theme),
        }
        .draw(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        BULK_KEYS
    }
}

/// Trying a strategy on the past: on which accounts (supervisors).
pub struct TryForm {
    strategy: String,
    title: String,
    question: String,
    /// (what the row says, the accounts it stands for)
    rows: Vec<(String, Accounts)>,
    labels: Vec<String>,
    chosen: usize,
    error: Option<String>,
}

impl TryForm {
    /// `others`: the other loaded strategies, whose accounts the candidate may take.
    pub fn new(strategy: &str, others: &[String], from: NaiveDate, to: NaiveDate) -> TryForm {
        let mut rows: Vec<(String, Accounts)> = others
            .iter()
            .map(|o| {
                (
                    format!("in place of {o}, on its accounts"),
                    Accounts::Of(o.clone()),
                )
            })
            .collect();
        rows.push((
            "on its own accounts (a check: nothing changes)".to_string(),
            Accounts::Of(strategy.to_string()),
        ));
        let labels = rows.iter().map(|(l, _)| l.clone()).collect();
        TryForm {
            strategy: strategy.into(),
            title: format!("try {strategy} on the past"),
            question: format!(
                "Replay {from} – {to} with {strategy} and set it beside what happened. Nothing is written. Which accounts?"
            ),
            rows,
            labels,
            chosen: 0,
            error: None,
        }
    }
}

const TRY_KEYS: &[FormKey] = &[keys::TRY, keys::CHOOSE, keys::CANCEL];

impl Form for TryForm {
    fn handle(&mut self, key: &KeyEvent, _as_of: NaiveDate) -> Outcome {
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => match self.rows.get(self.chosen) {
                Some((_, accounts)) => Outcome::Submit(Request::TryStrategy {
                    strategy: self.strategy.clone(),
                    accounts: accounts.clone(),
                }),
                None => Outcome::Close,
            },
            Press::Edit => {
                choose(key, &mut self.chosen, self.rows.len());
                Outcome::Keep
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        Chooser {
            title: &self.title,
            question: &self.question,
            above: Vec::new(),
            rows: &self.labels,
            chosen: self.chosen,
            error: self.error.as_deref(),
            keys: TRY_KEYS,
            below: Vec::new(),
        }
        .draw(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        TRY_KEYS
    }
}
