//! The small forms: a promise, a note, a callback, finishing an item, a hold or its
//! release, and assigning an account.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::super::widgets::field::Field;
use super::{Outcome, Request, render_fields, render_footer, tab_focus};
use crate::domain::dates::parse_user_date;
use crate::domain::{Channel, Money};

pub enum Kind {
    Promise {
        customer: String,
    },
    Note {
        customer: String,
    },
    Callback {
        customer: String,
    },
    Finish {
        item: i64,
    },
    Hold {
        customer: String,
    },
    Release {
        customer: String,
    },
    Assign {
        customer: String,
        users: Vec<String>,
        chosen: usize,
    },
    Send {
        customer: String,
        templates: Vec<String>,
        chosen: usize,
        channel: usize,
    },
    Confirmation {
        customer: String,
        promise_id: i64,
    },
}

/// The channels a person can send on, in the order the send form offers them.
pub const CHANNELS: [Channel; 3] = [Channel::Email, Channel::Letter, Channel::Sms];

pub struct SimpleForm {
    pub kind: Kind,
    pub title: String,
    pub question: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
}

impl SimpleForm {
    pub fn promise(customer: &str, name: &str, collectible: Money) -> SimpleForm {
        SimpleForm::new(
            Kind::Promise {
                customer: customer.into(),
            },
            format!("promise to pay · {customer} {name}"),
            None,
            vec![
                Field::new("Amount", &collectible.grouped(), false, ""),
                Field::new("Date", "+7", false, "YYYY-MM-DD, +7, fri"),
                Field::new("Note", "", true, ""),
            ],
        )
    }

    pub fn note(customer: &str, name: &str) -> SimpleForm {
        SimpleForm::new(
            Kind::Note {
                customer: customer.into(),
            },
            format!("note · {customer} {name}"),
            None,
            vec![Field::new("Note", "", true, "alt-⏎ new line")],
        )
    }

    pub fn callback(customer: &str, name: &str) -> SimpleForm {
        SimpleForm::new(
            Kind::Callback {
                customer: customer.into(),
            },
            format!("callback · {customer} {name}"),
            None,
            vec![
                Field::new("Date", "+1", false, "YYYY-MM-DD, +2, mon"),
                Field::new("Note", "", true, ""),
            ],
        )
    }

    pub fn finish(item: i64, what: &str) -> SimpleForm {
        SimpleForm::new(
            Kind::Finish { item },
            format!("finish item #{item}"),
            Some(format!("Mark #{item} done: {what}")),
            vec![Field::new("Note", "", true, "optional")],
        )
    }

    pub fn hold(customer: &str, name: &str) -> SimpleForm {
        SimpleForm::new(
            Kind::Hold {
                customer: customer.into(),
            },
            "credit hold".into(),
            Some(format!(
                "Put {customer} {name} on credit hold? Orders will be held."
            )),
            vec![Field::new("Reason", "", false, "")],
        )
    }

    pub fn release(customer: &str, name: &str) -> SimpleForm {
        SimpleForm::new(
            Kind::Release {
                customer: customer.into(),
            },
            "release credit hold".into(),
            Some(format!("Release the credit hold on {customer} {name}?")),
            vec![Field::new("Note", "", false, "optional")],
        )
    }

    pub fn assign(
        customer: &str,
        name: &str,
        users: Vec<String>,
        current: Option<&str>,
    ) -> SimpleForm {
        let chosen = current
            .and_then(|c| users.iter().position(|u| u == c))
            .unwrap_or(0);
        SimpleForm::new(
            Kind::Assign {
                customer: customer.into(),
                users,
                chosen,
            },
            format!("assign · {customer} {name}"),
            Some("Choose the collector with ↑ ↓, then ⏎.".into()),
            vec![],
        )
    }

    pub fn send(customer: &str, name: &str, templates: Vec<String>) -> SimpleForm {
        let chosen = templates
            .iter()
            .position(|t| t == "friendly_reminder")
            .unwrap_or(0);
        SimpleForm::new(
            Kind::Send {
                customer: customer.into(),
                templates,
                chosen,
                channel: 0,
            },
            format!("send now · {customer} {name}"),
            Some("Choose the template with ↑ ↓ and the channel with ← →, then ⏎.".into()),
            vec![],
        )
    }

    pub fn confirmation(customer: &str, promise_id: i64, to: &str) -> SimpleForm {
        SimpleForm::new(
            Kind::Confirmation {
                customer: customer.into(),
                promise_id,
            },
            "promise confirmation".into(),
            Some(format!("Send the promise confirmation to {to} now?")),
            vec![],
        )
    }

    fn new(kind: Kind, title: String, question: Option<String>, fields: Vec<Field>) -> SimpleForm {
        SimpleForm {
            kind,
            title,
            question,
            fields,
            focus: 0,
            error: None,
        }
    }

    pub fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter if !key.modifiers.contains(crossterm::event::KeyModifiers::ALT) => {
                return self.submit(as_of);
            }
            _ => {}
        }
        // The list forms: ↑ ↓ choose a row, ← → the channel.
        let (len, chosen, channel) = match &mut self.kind {
            Kind::Assign { users, chosen, .. } => (users.len(), chosen, None),
            Kind::Send {
                templates,
                chosen,
                channel,
                ..
            } => (templates.len(), chosen, Some(channel)),
            Kind::Confirmation { .. } => return Outcome::Keep,
            _ => return self.edit(key),
        };
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => *chosen = chosen.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                *chosen = (*chosen + 1).min(len.saturating_sub(1))
            }
            KeyCode::Home | KeyCode::Char('g') => *chosen = 0,
            KeyCode::End | KeyCode::Char('G') => *chosen = len.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') => {
                if let Some(c) = channel {
                    *c = (*c + 1) % CHANNELS.len();
                }
            }
            KeyCode::Left | KeyCode::Char('h') => {
                if let Some(c) = channel {
                    *c = (*c + CHANNELS.len() - 1) % CHANNELS.len();
                }
            }
            _ => {}
        }
        Outcome::Keep
    }

    /// Keys for the text forms.
    fn edit(&mut self, key: &KeyEvent) -> Outcome {
        if tab_focus(key, &mut self.focus, self.fields.len()) {
            return Outcome::Keep;
        }
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.handle(key);
        }
        Outcome::Keep
    }

    fn text(&self, i: usize) -> String {
        self.fields.get(i).map(Field::text).unwrap_or_default()
    }

    fn date(&mut self, i: usize, as_of: NaiveDate) -> Option<NaiveDate> {
        let field = self.fields.get_mut(i)?;
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

    fn submit(&mut self, as_of: NaiveDate) -> Outcome {
        self.error = None;
        let request = match &self.kind {
            Kind::Promise { customer } => {
                let customer = customer.clone();
                let amount = match crate::domain::parse_amount(&self.text(0)) {
                    Ok(m) if m.is_positive() => Some(m),
                    Ok(_) => {
                        self.fields[0].error = Some("the amount must be above 0.00".into());
                        None
                    }
                    Err(e) => {
                        self.fields[0].error = Some(e.to_string());
                        None
                    }
                };
                let date = self.date(1, as_of);
                let (Some(amount), Some(date)) = (amount, date) else {
                    return Outcome::Keep;
                };
                Request::Promise {
                    customer,
                    amount,
                    date,
                    note: self.text(2),
                }
            }
            Kind::Note { customer } => {
                let text = self.text(0);
                if text.is_empty() {
                    self.fields[0].error = Some("write something, or esc to cancel".into());
                    return Outcome::Keep;
                }
                Request::Note {
                    customer: customer.clone(),
                    text,
                }
            }
            Kind::Callback { customer } => {
                let customer = customer.clone();
                let Some(date) = self.date(0, as_of) else {
                    return Outcome::Keep;
                };
                Request::Callback {
                    customer,
                    date,
                    note: self.text(1),
                }
            }
            Kind::Finish { item } => Request::Finish {
                item: *item,
                note: self.text(0),
            },
            Kind::Hold { customer } => Request::Hold {
                customer: customer.clone(),
                reason: self.text(0),
            },
            Kind::Release { customer } => Request::Release {
                customer: customer.clone(),
                note: self.text(0),
            },
            Kind::Assign {
                customer,
                users,
                chosen,
            } => match users.get(*chosen) {
                Some(u) => Request::Assign {
                    customer: customer.clone(),
                    to: u.clone(),
                },
                None => return Outcome::Close,
            },
            Kind::Send {
                customer,
                templates,
                chosen,
                channel,
            } => match templates.get(*chosen) {
                Some(t) => Request::Send {
                    customer: customer.clone(),
                    template: t.clone(),
                    channel: CHANNELS[*channel % CHANNELS.len()],
                },
                None => return Outcome::Close,
            },
            Kind::Confirmation {
                customer,
                promise_id,
            } => Request::ConfirmPromise {
                customer: customer.clone(),
                promise_id: *promise_id,
            },
        };
        Outcome::Submit(request)
    }

    pub fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let list_h = match &self.kind {
            Kind::Assign { users, .. } => users.len() as u16,
            Kind::Send { templates, .. } => templates.len() as u16 + 2,
            _ => 0,
        };
        let fields_h: u16 = self.fields.iter().map(Field::height).sum();
        let q_h = u16::from(self.question.is_some()) * 2;
        let inner = super::frame(f, area, 64, q_h + fields_h + list_h + 4, &self.title, theme);
        if inner.height == 0 {
            return;
        }
        let mut y = inner.y;
        if let Some(q) = &self.question {
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
        if let Kind::Send { channel, .. } = &self.kind {
            let options: Vec<(String, String)> = CHANNELS
                .iter()
                .map(|c| (String::new(), c.to_string()))
                .collect();
            let line = super::choice_line("Channel", &options, Some(*channel), true, theme);
            f.render_widget(
                Paragraph::new(line),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 2;
        }
        let choices = match &self.kind {
            Kind::Assign { users, chosen, .. } => Some((users, *chosen)),
            Kind::Send {
                templates, chosen, ..
            } => Some((templates, *chosen)),
            _ => None,
        };
        if let Some((users, chosen)) = choices {
            for (i, u) in users.iter().enumerate() {
                if y >= inner.y + inner.height {
                    break;
                }
                let on = i == chosen;
                let line = Line::from(Span::styled(
                    format!("{}{u}", if on { "▶ " } else { "  " }),
                    if on { theme.selected } else { theme.base },
                ));
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
        }
        let fields: Vec<(&Field, bool)> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f, i == self.focus))
            .collect();
        render_fields(f, inner, y, &fields, theme);
        let keys = match self.kind {
            Kind::Confirmation { .. } => "⏎ send it · esc not now",
            Kind::Send { .. } => "⏎ send · ↑↓ template · ←→ channel · esc cancel",
            Kind::Assign { .. } => "⏎ assign · ↑↓ choose · esc cancel",
            _ => "⏎ save · tab field · esc cancel",
        };
        render_footer(f, inner, self.error.as_deref(), keys, theme);
    }
}
