//! Disputing an invoice: pick the invoice, the reason, the amount (the undisputed
//! balance unless changed), a note and the day to follow it up (a week unless changed).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::super::widgets::field::Field;
use super::{Form, FormKey, Outcome, Request, keys, render_fields, render_footer, tab_focus};
use crate::domain::{DisputeReason, Money};

/// An invoice that can be disputed: number, balance, what is not yet disputed.
#[derive(Debug, Clone)]
pub struct Disputable {
    pub invoice_no: String,
    pub balance: Money,
    pub open: Money,
}

pub struct DisputeForm {
    pub customer: String,
    pub title: String,
    pub invoices: Vec<Disputable>,
    pub invoice: usize,
    pub reason: usize,
    pub amount: Field,
    amount_edited: bool,
    pub note: Field,
    pub follow_up: Field,
    pub focus: usize,
    pub error: Option<String>,
}

const INVOICE: usize = 0;
const REASON: usize = 1;
const AMOUNT: usize = 2;
const NOTE: usize = 3;
const FOLLOW_UP: usize = 4;

impl DisputeForm {
    pub fn new(
        customer: &str,
        name: &str,
        invoices: Vec<Disputable>,
        preferred: Option<&str>,
    ) -> DisputeForm {
        let invoice = preferred
            .and_then(|p| invoices.iter().position(|i| i.invoice_no == p))
            .unwrap_or(0);
        let amount = invoices.get(invoice).map_or(Money::ZERO, |i| i.open);
        DisputeForm {
            customer: customer.to_string(),
            title: format!("dispute · {customer} {name}"),
            invoices,
            invoice,
            reason: 0,
            amount: Field::new(
                "Amount",
                &amount.to_string(),
                false,
                "defaults to the undisputed balance",
            ),
            amount_edited: false,
            note: Field::new("Note", "", true, ""),
            follow_up: Field::new(
                "Follow up",
                "",
                false,
                "a date, +N or a weekday; empty: in a week",
            ),
            focus: INVOICE,
            error: None,
        }
    }

    fn on_key(&mut self, key: &KeyEvent, as_of: chrono::NaiveDate) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter if !key.modifiers.contains(crossterm::event::KeyModifiers::ALT) => {
                return self.submit(as_of);
            }
            _ => {}
        }
        if tab_focus(key, &mut self.focus, 5) {
            return Outcome::Keep;
        }
        let step = |i: usize, n: usize, code: KeyCode| -> usize {
            match code {
                KeyCode::Up | KeyCode::Left | KeyCode::Char('k') if n > 0 => (i + n - 1) % n,
                KeyCode::Down | KeyCode::Right | KeyCode::Char('j') if n > 0 => (i + 1) % n,
                _ => i,
            }
        };
        match self.focus {
            INVOICE => {
                self.invoice = step(self.invoice, self.invoices.len(), key.code);
                // What was said about the last invoice's amount is not about this one.
                self.amount.error = None;
                if !self.amount_edited
                    && let Some(i) = self.invoices.get(self.invoice)
                {
                    self.amount.set_text(&i.open.to_string());
                }
            }
            REASON => self.reason = step(self.reason, DisputeReason::ALL.len(), key.code),
            AMOUNT if self.amount.handle(key) => self.amount_edited = true,
            NOTE => {
                self.note.handle(key);
            }
            FOLLOW_UP => {
                self.follow_up.handle(key);
            }
            _ => {}
        }
        Outcome::Keep
    }

    fn submit(&mut self, as_of: chrono::NaiveDate) -> Outcome {
        let Some(inv) = self.invoices.get(self.invoice) else {
            self.error = Some("this account has no open invoice to dispute".into());
            return Outcome::Keep;
        };
        // An emptied amount is the default the field names: the undisputed balance.
        let typed = self.amount.text();
        let amount = match crate::domain::parse_amount(&typed) {
            _ if typed.trim().is_empty() => inv.open,
            Ok(m) if m.is_positive() && m <= inv.open => m,
            Ok(_) => {
                self.amount.error = Some(format!(
                    "between 0.01 and {} (the undisputed balance)",
                    inv.open.grouped()
                ));
                return Outcome::Keep;
            }
            Err(e) => {
                self.amount.error = Some(e.to_string());
                return Outcome::Keep;
            }
        };
        let typed = self.follow_up.text();
        let follow_up = if typed.trim().is_empty() {
            None
        } else {
            match crate::domain::dates::parse_user_date(&typed, as_of) {
                Ok(d) if d < as_of => {
                    self.follow_up.error = Some(format!("{d} is before today ({as_of})"));
                    self.focus = FOLLOW_UP;
                    return Outcome::Keep;
                }
                Ok(d) => Some(d),
                Err(e) => {
                    self.follow_up.error = Some(e.to_string());
                    self.focus = FOLLOW_UP;
                    return Outcome::Keep;
                }
            }
        };
        let reason = DisputeReason::ALL
            .get(self.reason)
            .copied()
            .unwrap_or(DisputeReason::Other);
        Outcome::Submit(Request::Dispute {
            customer: self.customer.clone(),
            invoice: inv.invoice_no.clone(),
            reason,
            amount: Some(amount),
            note: self.note.text(),
            follow_up,
        })
    }

    fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let shown = self.invoices.len().min(6) as u16;
        let w = super::inner_width(area, 70);
        let inner = super::form_frame(
            f,
            area,
            70,
            shown + 3 + self.amount.height(w) + self.note.height(w) + self.follow_up.height(w),
            &self.title,
            self.error.as_deref(),
            DISPUTE_KEYS,
            theme,
        );
        if inner.height == 0 {
            return;
        }
        let mut y = inner.y;
        let label = |text: &str, focused: bool| {
            Span::styled(
                format!("{}{text}", if focused { "▶ " } else { "  " }),
                if focused {
                    theme.field_focus
                } else {
                    theme.dim
                },
            )
        };
        f.render_widget(
            Paragraph::new(Line::from(label("Invoice", self.focus == INVOICE))),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
        y += 1;
        let first = self.invoice.saturating_sub(5);
        for (i, inv) in self.invoices.iter().enumerate().skip(first).take(6) {
            if y >= inner.y + inner.height {
                break;
            }
            let on = i == self.invoice;
            let text = format!(
                "{}{:<16} balance {:>12}  undisputed {:>12}",
                if on { "  ▶ " } else { "    " },
                inv.invoice_no,
                inv.balance.grouped(),
                inv.open.grouped()
            );
            f.render_widget(
                Paragraph::new(Span::styled(
                    text,
                    if on { theme.selected } else { theme.base },
                )),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 1;
        }
        if y < inner.y + inner.height {
            let mut spans = vec![label("Reason   ", self.focus == REASON)];
            let r = DisputeReason::ALL
                .get(self.reason)
                .copied()
                .unwrap_or(DisputeReason::Other);
            spans.push(Span::styled(format!("◀ {r} ▶"), theme.selected));
            f.render_widget(
                Paragraph::new(Line::from(spans)),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 2;
        }
        render_fields(
            f,
            inner,
            y,
            &[
                (&self.amount, self.focus == AMOUNT),
                (&self.note, self.focus == NOTE),
                (&self.follow_up, self.focus == FOLLOW_UP),
            ],
            theme,
        );
        render_footer(f, inner, self.error.as_deref(), DISPUTE_KEYS, theme);
    }
}

const DISPUTE_KEYS: &[FormKey] = &[keys::SAVE, keys::FIELD, keys::PICK, keys::CANCEL];

impl Form for DisputeForm {
    fn handle(&mut self, key: &KeyEvent, as_of: chrono::NaiveDate) -> Outcome {
        self.on_key(key, as_of)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        self.view(f, area, theme);
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    fn keys(&self) -> &'static [FormKey] {
        DISPUTE_KEYS
    }
}
