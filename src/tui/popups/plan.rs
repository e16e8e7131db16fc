//! A payment plan: N equal parts of a total, every week or month from a date, with the
//! installments it makes shown as they are typed. [`PlanFields`] is also the plan part
//! of the decision form.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::super::widgets::field::Field;
use super::text::{self, Press};
use super::{Form, FormKey, Outcome, Request, choice_line, keys, render_fields, render_footer};
use crate::domain::Money;
use crate::domain::plan::{Every, equal_parts};

/// How many installments a plan may have.
const HOW_MANY: std::ops::RangeInclusive<u32> = 1..=60;

/// Total, parts, interval and first date: what generates the installments.
pub struct PlanFields {
    pub total: Field,
    pub parts: Field,
    pub every: Every,
    pub first: Field,
}

/// The fields of [`PlanFields`] in focus order (the interval is a choice, not text).
pub const TOTAL: usize = 0;
pub const PARTS: usize = 1;
pub const EVERY: usize = 2;
pub const FIRST: usize = 3;
pub const PLAN_STOPS: usize = 4;

impl PlanFields {
    pub fn new(total: Money) -> PlanFields {
        PlanFields {
            total: Field::new("Total", &total.grouped(), false, ""),
            parts: Field::new("Installments", "3", false, "how many equal parts"),
            every: Every::Month,
            first: Field::new("First on", "+7", false, "YYYY-MM-DD, +7, fri"),
        }
    }

    /// Passes a key to the part of the plan at `focus`.
    pub fn handle(&mut self, key: &KeyEvent, focus: usize) {
        match focus {
            // Whether the total splits into the installments is said under them: a
            // new total takes that back until it is checked again.
            TOTAL if self.total.handle(key) => self.parts.error = None,
            PARTS => {
                self.parts.handle(key);
            }
            EVERY => {
                if matches!(
                    key.code,
                    KeyCode::Left | KeyCode::Right | KeyCode::Char(' ' | 'w' | 'm')
                ) {
                    self.every = match (key.code, self.every) {
                        (KeyCode::Char('w'), _) => Every::Week,
                        (KeyCode::Char('m'), _) => Every::Month,
                        (_, Every::Week) => Every::Month,
                        (_, Every::Month) => Every::Week,
                    };
                }
            }
            FIRST => {
                self.first.handle(key);
            }
            _ => {}
        }
    }

    /// The installments the fields make, without touching the fields.
    pub fn preview(&self, as_of: NaiveDate) -> Option<Vec<(NaiveDate, Money)>> {
        self.schedule(as_of).ok()
    }

    /// The installments, or why the fields make none yet (shown where the schedule
    /// would be, so an amount like "1,2,3" does not make it vanish without a word).
    fn schedule(&self, as_of: NaiveDate) -> Result<Vec<(NaiveDate, Money)>, String> {
        let total =
            crate::domain::parse_amount(&self.total.text()).map_err(|e| format!("Total: {e}"))?;
        let parts = self
            .parts
            .text()
            .parse::<u32>()
            .ok()
            .filter(|n| HOW_MANY.contains(n))
            .ok_or_else(|| "Parts: a whole number from 1 to 60".to_string())?;
        let first = crate::domain::dates::parse_user_date(&self.first.text(), as_of)
            .map_err(|e| format!("First: {e}"))?;
        equal_parts(total, parts, self.every, first).ok_or_else(|| {
            format!(
                "{} cannot be split into {parts} parts of at least 0.01",
                total.grouped()
            )
        })
    }

    /// The installments, or the reasons in the fields.
    pub fn installments(&mut self, as_of: NaiveDate) -> Option<Vec<(NaiveDate, Money)>> {
        let total = text::amount(&mut self.total);
        let parts = match self.parts.text().parse::<u32>() {
            Ok(n) if HOW_MANY.contains(&n) => Some(n),
            _ => {
                self.parts.error = Some("a whole number from 1 to 60".into());
                None
            }
        };
        let first = text::future_date(&mut self.first, as_of);
        let (total, parts, first) = (total?, parts?, first?);
        let list = equal_parts(total, parts, self.every, first);
        if list.is_none() {
            self.parts.error = Some(format!(
                "{} cannot be split into {parts} parts of at least 0.01",
                total.grouped()
            ));
        }
        list
    }

    /// Rows [`PlanFields::draw`] takes with `preview` installments listed.
    pub fn height(&self, preview: usize, width: u16) -> u16 {
        self.total.height(width)
            + self.parts.height(width)
            + 1
            + self.first.height(width)
            + 1
            + u16::try_from(preview).unwrap_or(u16::MAX)
    }

    /// Draws the fields from `y` and the installments they make, the list ending above
    /// row `bottom` (what the form shows under it stays in view); returns the next row.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        f: &mut Frame<'_>,
        inner: Rect,
        mut y: u16,
        bottom: u16,
        focus: Option<usize>,
        as_of: NaiveDate,
        theme: &Theme,
    ) -> u16 {
        y = render_fields(
            f,
            inner,
            y,
            &[
                (&self.total, focus == Some(TOTAL)),
                (&self.parts, focus == Some(PARTS)),
            ],
            theme,
        );
        if y < inner.y + inner.height {
            let options = [
                ("w".to_string(), "week".to_string()),
                ("m".to_string(), "month".to_string()),
            ];
            let chosen = match self.every {
                Every::Week => 0,
                Every::Month => 1,
            };
            f.render_widget(
                Paragraph::new(choice_line(
                    "Every",
                    &options,
                    Some(chosen),
                    focus == Some(EVERY),
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
        y = render_fields(f, inner, y, &[(&self.first, focus == Some(FIRST))], theme);
        let rows = usize::from(bottom.min(inner.y + inner.height).saturating_sub(y));
        let lines = match self.schedule(as_of) {
            Ok(list) => installment_lines(&list, rows, theme),
            Err(why) => crate::display::wrap(
                &format!("no schedule yet — {why}"),
                usize::from(inner.width).saturating_sub(4).max(10),
            )
            .into_iter()
            .take(rows)
            .map(|l| Line::from(Span::styled(format!("    {l}"), theme.dim)))
            .collect(),
        };
        for line in lines {
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

/// The installments in `rows` rows at most: every one when they fit; else the first
/// ones, how many are left out, and the last (it takes the rounding), so that no
/// amount shown is cut and the plan's end can be read.
fn installment_lines(
    list: &[(NaiveDate, Money)],
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let one = |i: usize| {
        let (d, m) = &list[i];
        Line::from(vec![
            Span::styled(format!("    {:>2}. {d} ", i + 1), theme.dim),
            Span::styled(format!("{:>14}", m.grouped()), theme.money),
        ])
    };
    if list.len() <= rows {
        return (0..list.len()).map(one).collect();
    }
    match rows {
        0 => Vec::new(),
        1 => vec![Line::from(Span::styled(
            format!(
                "    {} installments (a taller window lists them)",
                list.len()
            ),
            theme.dim,
        ))],
        _ => {
            let first = rows - 2;
            let mut lines: Vec<Line<'static>> = (0..first).map(one).collect();
            lines.push(Line::from(Span::styled(
                format!("    … {} more", list.len() - first - 1),
                theme.dim,
            )));
            lines.push(one(list.len() - 1));
            lines
        }
    }
}

/// The plan form: the generator, a note, and the installments it will record.
pub struct PlanForm {
    customer: String,
    title: String,
    plan: PlanFields,
    note: Field,
    focus: usize,
    error: Option<String>,
    as_of: NaiveDate,
}

const NOTE: usize = PLAN_STOPS;

impl PlanForm {
    pub fn new(customer: &str, name: &str, total: Money, as_of: NaiveDate) -> PlanForm {
        PlanForm {
            customer: customer.into(),
            title: format!("payment plan · {customer} {name}"),
            plan: PlanFields::new(total),
            note: Field::new("Note", "", true, ""),
            focus: TOTAL,
            error: None,
            as_of,
        }
    }
}

const PLAN_KEYS: &[FormKey] = &[keys::SAVE, keys::FIELD, keys::CHANGE, keys::CANCEL];

impl Form for PlanForm {
    fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        self.as_of = as_of;
        match text::press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => {
                self.error = None;
                match self.plan.installments(as_of) {
                    Some(installments) => Outcome::Submit(Request::Plan {
                        customer: self.customer.clone(),
                        installments,
                        note: self.note.text(),
                    }),
                    None => Outcome::Keep,
                }
            }
            Press::Edit => {
                if super::tab_focus(key, &mut self.focus, PLAN_STOPS + 1) {
                    return Outcome::Keep;
                }
                if self.focus == NOTE {
                    self.note.handle(key);
                } else {
                    self.plan.handle(key, self.focus);
                }
                Outcome::Keep
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let shown = self.plan.preview(self.as_of).map_or(2, |l| l.len());
        let w = super::inner_width(area, 64);
        let h = self.plan.height(shown, w) + self.note.height(w);
        let inner = super::form_frame(
            f,
            area,
            64,
            h,
            &self.title,
            self.error.as_deref(),
            PLAN_KEYS,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let bottom =
            super::above_footer_and_note(inner, self.error.as_deref(), PLAN_KEYS, &self.note);
        let y = self.plan.draw(
            f,
            inner,
            inner.y,
            bottom,
            Some(self.focus),
            self.as_of,
            theme,
        );
        render_fields(f, inner, y, &[(&self.note, self.focus == NOTE)], theme);
        render_footer(f, inner, self.error.as_deref(), PLAN_KEYS, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        PLAN_KEYS
    }
}
