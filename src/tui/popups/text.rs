//! What the text forms share: how keys split into cancel / save / editing, moving
//! between named fields, drawing a question above the fields, and reading amounts
//! and dates from a field with the reason in place when they do not parse.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::super::widgets::field::Field;
use super::{Form, FormKey, Outcome, keys, render_fields, render_footer, tab_focus};
use crate::domain::Money;
use crate::domain::dates::parse_user_date;

/// What a key means to a form before its fields see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Cancel,
    Save,
    Edit,
}

/// `Esc` cancels; `Enter` saves unless `Alt` is held (a new line in a note).
pub fn press(key: &KeyEvent) -> Press {
    match key.code {
        KeyCode::Esc => Press::Cancel,
        KeyCode::Enter if !key.modifiers.contains(KeyModifiers::ALT) => Press::Save,
        _ => Press::Edit,
    }
}

/// The parts every text form has besides its fields.
pub struct Head {
    pub title: String,
    /// What the form asks, above the fields.
    pub question: Option<String>,
    /// Which field has the keys (its place in the form's field order).
    pub focus: usize,
    pub error: Option<String>,
}

impl Head {
    pub fn new(title: String, question: Option<String>) -> Head {
        Head {
            title,
            question,
            focus: 0,
            error: None,
        }
    }
}

/// A form of named text fields: it lists them in focus order and turns them into a
/// request. Every such type is a [`Form`].
pub trait TextForm {
    fn head(&self) -> &Head;
    /// The head and the fields in focus order, for editing.
    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>);
    /// The fields in focus order, for drawing.
    fn fields(&self) -> Vec<&Field>;
    /// Validates the fields (reasons go into them) and makes the request.
    fn submit(&mut self, as_of: NaiveDate) -> Outcome;
    fn keys(&self) -> &'static [FormKey] {
        TEXT_KEYS
    }
}

const TEXT_KEYS: &[FormKey] = &[keys::SAVE, keys::FIELD, keys::CANCEL];

impl<T: TextForm> Form for T {
    fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        match press(key) {
            Press::Cancel => Outcome::Close,
            Press::Save => {
                self.parts().0.error = None;
                self.submit(as_of)
            }
            Press::Edit => {
                let (head, mut fields) = self.parts();
                edit(key, head, &mut fields);
                Outcome::Keep
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        draw(
            f,
            area,
            theme,
            self.head(),
            &self.fields(),
            TextForm::keys(self),
        );
    }

    fn set_error(&mut self, message: String) {
        self.parts().0.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        TextForm::keys(self)
    }
}

/// Passes an editing key to the focused field, or moves focus on Tab.
pub fn edit(key: &KeyEvent, head: &mut Head, fields: &mut [&mut Field]) {
    if tab_focus(key, &mut head.focus, fields.len()) {
        return;
    }
    if let Some(f) = fields.get_mut(head.focus) {
        f.handle(key);
    }
}

/// Draws a text form: its question, its fields in order, the error and its keys.
pub fn draw(
    f: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    head: &Head,
    fields: &[&Field],
    keys: &[FormKey],
) {
    let fields_h: u16 = fields.iter().map(|x| x.height()).sum();
    let q_h = u16::from(head.question.is_some()) * 2;
    let inner = super::frame(f, area, 64, q_h + fields_h + 4, &head.title, theme);
    if inner.height == 0 {
        return;
    }
    let mut y = inner.y;
    if let Some(q) = &head.question {
        f.render_widget(
            Paragraph::new(q.clone()).wrap(Wrap { trim: true }),
            Rect {
                y,
                height: 2.min(inner.height),
                ..inner
            },
        );
        y += 2;
    }
    let shown: Vec<(&Field, bool)> = fields
        .iter()
        .enumerate()
        .map(|(i, x)| (*x, i == head.focus))
        .collect();
    render_fields(f, inner, y, &shown, theme);
    render_footer(f, inner, head.error.as_deref(), keys, theme);
}

/// An amount above zero from a field, or the reason in the field.
pub fn amount(field: &mut Field) -> Option<Money> {
    match crate::domain::parse_amount(&field.text()) {
        Ok(m) if m.is_positive() => Some(m),
        Ok(_) => {
            field.error = Some("the amount must be above 0.00".into());
            None
        }
        Err(e) => {
            field.error = Some(e.to_string());
            None
        }
    }
}

/// A date from today on from a field (`2026-12-01`, `+7`, `fri`), or the reason in
/// the field.
pub fn future_date(field: &mut Field, as_of: NaiveDate) -> Option<NaiveDate> {
    match parse_user_date(&field.text(), as_of) {
        Ok(d) if d >= as_of => Some(d),
        Ok(d) => {
            field.error = Some(format!("{d} is before today ({as_of})"));
            None
        }
        Err(e) => {
            field.error = Some(e.to_string());
            None
        }
    }
}
