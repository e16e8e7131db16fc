//! Popups on a stack over the screens: help, and the small forms that record work.
//! A form never writes: it validates in place and hands back a [`Request`], which the
//! app carries out through the services; a refusal comes back into the form.

pub mod choose;
pub mod decide;
pub mod dispute;
pub mod help;
pub mod plan;
pub mod record;
pub mod text;
pub mod wrapup;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use super::widgets::field::Field;
use crate::display::wrap;
use crate::domain::{CallOutcome, DisputeReason, Money};
use crate::service::calls::FollowUp;

/// Something to record (or, for a what-if, to work out), as the user asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    WrapUp {
        customer: String,
        item: Option<i64>,
        outcome: CallOutcome,
        note: String,
        follow: FollowUp,
        /// The account's newest call when the form opened: calls after it were
        /// logged by someone else while the person typed, and saving says so.
        seen_call: i64,
    },
    Promise {
        customer: String,
        amount: Money,
        date: NaiveDate,
        note: String,
    },
    Dispute {
        customer: String,
        invoice: String,
        reason: DisputeReason,
        amount: Option<Money>,
        note: String,
        /// `None`: a week from today.
        follow_up: Option<NaiveDate>,
    },
    Note {
        customer: String,
        text: String,
    },
    Callback {
        customer: String,
        date: NaiveDate,
        note: String,
    },
    Finish {
        item: i64,
        note: String,
    },
    Hold {
        customer: String,
        reason: String,
    },
    Release {
        customer: String,
        note: String,
    },
    Assign {
        customer: String,
        to: String,
    },
    /// Render a template for the customer now, queue it and deliver it.
    Send {
        customer: String,
        template: String,
        channel: crate::domain::Channel,
    },
    /// Send the confirmation of a promise just taken.
    ConfirmPromise {
        customer: String,
        promise_id: i64,
    },
    /// Deliver every pending message (supervisors).
    Deliver,
    /// A payment plan.
    Plan {
        customer: String,
        installments: Vec<(NaiveDate, Money)>,
        note: String,
    },
    /// Send the confirmation of a plan just agreed.
    ConfirmPlan {
        customer: String,
        plan_id: i64,
    },
    /// Finish a decision item with its decision.
    Decide {
        item: i64,
        decision: crate::service::items::ItemDecision,
        note: String,
    },
    Approve {
        item: i64,
        note: String,
    },
    Reject {
        item: i64,
        note: String,
    },
    /// Several accounts to another collector.
    AssignMany {
        customers: Vec<String>,
        to: String,
    },
    /// A collector's write-off request.
    WriteOff {
        customer: String,
        invoices: Vec<String>,
        note: String,
    },
    /// Try a loaded strategy on the past (supervisors): nothing is recorded, the
    /// comparison opens as a screen.
    TryStrategy {
        strategy: String,
        accounts: crate::service::whatif::Accounts,
    },
}

/// What a key did to a popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Keep,
    Close,
    Submit(Request),
}

/// A form: named fields that validate in place and hand back a [`Request`].
pub trait Form {
    fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome;
    fn draw(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme);
    /// A refusal from the services, shown in the form.
    fn set_error(&mut self, message: String);
    /// The keys this form understands, for its bottom line.
    fn keys(&self) -> &'static [FormKey];
    /// The queue item the form would finish was closed by someone else: let go of
    /// it, so the next save records the rest on the account alone. Whether the form
    /// had one.
    fn forget_item(&mut self) -> bool {
        false
    }
}

/// A key a form understands: shown on the form's bottom line (short) and in help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormKey {
    pub key: &'static str,
    pub what: &'static str,
    pub help: &'static str,
}

/// Every form key, once: forms list the ones they take, help lists them all.
#[rustfmt::skip]
pub mod keys {
    use super::FormKey;

    pub const SAVE: FormKey = FormKey { key: "⏎", what: "save", help: "save" };
    pub const SAVE_NEXT: FormKey = FormKey { key: "⏎", what: "save & next", help: "save, then the next item" };
    pub const FIELD: FormKey = FormKey { key: "tab", what: "field", help: "next field; ⇧tab: back" };
    pub const NEW_LINE: FormKey = FormKey { key: "alt-⏎", what: "new line", help: "new line in a note" };
    pub const CHOOSE: FormKey = FormKey { key: "↑↓", what: "choose", help: "choose a row" };
    pub const CHANGE: FormKey = FormKey { key: "←→", what: "change", help: "change a choice" };
    pub const CANCEL: FormKey = FormKey { key: "esc", what: "cancel", help: "cancel, write nothing" };
    pub const SEND: FormKey = FormKey { key: "⏎", what: "send", help: "send" };
    pub const SEND_IT: FormKey = FormKey { key: "⏎", what: "send it", help: "send" };
    pub const ASSIGN: FormKey = FormKey { key: "⏎", what: "assign", help: "assign to the chosen person" };
    pub const TEMPLATE: FormKey = FormKey { key: "↑↓", what: "template", help: "choose a template" };
    pub const CHANNEL: FormKey = FormKey { key: "←→", what: "channel", help: "choose a channel" };
    pub const TICK: FormKey = FormKey { key: "space", what: "tick", help: "tick or untick a row" };
    pub const PICK: FormKey = FormKey { key: "↑↓ ←→", what: "choose", help: "change a choice" };
    pub const NOT_NOW: FormKey = FormKey { key: "esc", what: "not now", help: "close without sending" };
    pub const TRY: FormKey = FormKey { key: "⏎", what: "replay", help: "replay the period (writes nothing)" };

    /// What the help overlay lists under "In forms".
    pub const HELP: &[FormKey] = &[SAVE_NEXT, NEW_LINE, FIELD, CHOOSE, CHANGE, CANCEL];
}

pub enum Popup {
    Help(help::Help),
    Form(Box<dyn Form>),
}

impl Popup {
    pub fn form(f: impl Form + 'static) -> Popup {
        Popup::Form(Box::new(f))
    }

    pub fn handle(&mut self, key: &KeyEvent, as_of: NaiveDate) -> Outcome {
        match self {
            Popup::Help(_) => Outcome::Close,
            Popup::Form(f) => f.handle(key, as_of),
        }
    }

    /// A refusal from the services, shown in the form.
    pub fn set_error(&mut self, message: String) {
        if let Popup::Form(f) = self {
            f.set_error(message);
        }
    }

    /// See [`Form::forget_item`].
    pub fn forget_item(&mut self) -> bool {
        match self {
            Popup::Form(f) => f.forget_item(),
            Popup::Help(_) => false,
        }
    }

    /// Whether this popup is a form (keys go to it, not to the screen).
    pub fn is_form(&self) -> bool {
        matches!(self, Popup::Form(_))
    }

    pub fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        match self {
            Popup::Help(h) => h.view(f, area, theme),
            Popup::Form(form) => form.draw(f, area, theme),
        }
    }
}

/// A centered box of the given size inside `area` (shrunk to fit), cleared and framed.
pub fn frame(
    f: &mut Frame<'_>,
    area: Rect,
    width: u16,
    height: u16,
    title: &str,
    theme: &Theme,
) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    keep_edges_clear(f.buffer_mut(), r);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// A wide character (a Japanese name, two columns) that the popup's edge would cut in
/// half is blanked: a terminal draws it over both its columns, so the popup's border
/// cell under its second half would never show. Likewise the second half of one whose
/// first half the popup covers.
fn keep_edges_clear(buf: &mut ratatui::buffer::Buffer, r: Rect) {
    let area = buf.area;
    for y in r.top()..r.bottom() {
        if r.x > area.x {
            let cell = &mut buf[(r.x - 1, y)];
            if crate::display::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
        if r.right() < area.right() {
            let cell = &mut buf[(r.right(), y)];
            if cell.symbol().is_empty() {
                cell.set_symbol(" ");
            }
        }
    }
}

/// The width inside a form's frame of `width` drawn in `area`.
pub fn inner_width(area: Rect, width: u16) -> u16 {
    width.min(area.width).saturating_sub(2)
}

/// A form's frame, tall enough for `body` rows and its footer (the error, wrapped,
/// and the keys) at the width it gets: the box grows with a long message.
#[allow(clippy::too_many_arguments)]
pub fn form_frame(
    f: &mut Frame<'_>,
    area: Rect,
    width: u16,
    body: u16,
    title: &str,
    error: Option<&str>,
    keys: &[FormKey],
    theme: &Theme,
) -> Rect {
    let foot = footer_rows(error, keys, inner_width(area, width));
    frame(f, area, width, body + foot + 2, title, theme)
}

fn keys_line(keys: &[FormKey]) -> String {
    keys.iter()
        .map(|k| format!("{} {}", k.key, k.what))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The rows of a form's footer at `width`: its error wrapped (one row kept even
/// without one, so the form does not jump) and its keys.
pub fn footer_rows(error: Option<&str>, keys: &[FormKey], width: u16) -> u16 {
    let w = usize::from(width).max(1);
    let error = error.map_or(1, |e| wrap(e, w).len());
    (error.max(1) + wrap(&keys_line(keys), w).len()) as u16
}

/// The rows a form's body may use above its footer and a note field that follows a
/// list: the footer as drawn now (an error only when there is one), and the note's
/// label with its first line (a list gives up rows before the note disappears).
pub fn above_footer_and_note(
    inner: Rect,
    error: Option<&str>,
    keys: &[FormKey],
    note: &Field,
) -> u16 {
    let w = usize::from(inner.width).max(1);
    let footer = error.map_or(0, |e| wrap(e, w).len()) + wrap(&keys_line(keys), w).len();
    (inner.y + inner.height)
        .saturating_sub(footer as u16)
        .saturating_sub(note.height(inner.width).min(2))
}

/// Rows a message takes under a field or a choice, indented, at `width`.
pub fn message_rows(message: Option<&str>, width: u16) -> u16 {
    message.map_or(0, |m| {
        wrap(m, usize::from(width.saturating_sub(4)).max(1)).len() as u16
    })
}

/// Lines wrapped to `width` at spaces, each piece in its line's first style: a line
/// of figures moves to the next row whole instead of being cut.
pub fn wrap_lines(lines: &[Line<'static>], width: u16) -> Vec<Line<'static>> {
    let w = usize::from(width).max(1);
    lines
        .iter()
        .flat_map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            let style = l.spans.first().map(|s| s.style).unwrap_or_default();
            wrap(&text, w)
                .into_iter()
                .map(move |t| Line::from(Span::styled(t, style)))
        })
        .collect()
}

/// Draws a message under a field or a choice, indented and wrapped.
pub fn render_message(f: &mut Frame<'_>, area: Rect, message: &str, theme: &Theme) {
    let lines: Vec<Line<'static>> = wrap(message, usize::from(area.width.saturating_sub(4)).max(1))
        .into_iter()
        .map(|l| Line::from(Span::styled(format!("    {l}"), theme.bad)))
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// The letters typed on a choice field since the cursor came to it, each of which
/// picked something, and what the choice was before the first. When a letter that is
/// no choice follows, they were the start of text meant for the note (typed one
/// field too early or late): [`Picks::into_note`] takes the choice back and moves
/// the text, so a sentence never picks a decision letter by letter ("will pay next
/// week" on a decision picked write-off, its last `w`).
#[derive(Debug)]
pub struct Picks<T> {
    before: Option<T>,
    typed: String,
}

impl<T> Default for Picks<T> {
    fn default() -> Self {
        Picks {
            before: None,
            typed: String::new(),
        }
    }
}

impl<T: Copy> Picks<T> {
    /// `c` picked something on the choice, which was `before`.
    pub fn picked(&mut self, c: char, before: T) {
        self.before.get_or_insert(before);
        self.typed.push(c);
    }

    /// A key that is neither a choice letter nor text (an arrow, Tab): what was picked
    /// stays picked.
    pub fn clear(&mut self) {
        self.before = None;
        self.typed.clear();
    }

    /// `c` is no choice letter: the letters before it were text too. Returns what the
    /// choice was before them (to put back), and appends them and `c` to `note`.
    pub fn into_note(&mut self, c: char, note: &mut Field) -> Option<T> {
        self.typed.push(c);
        note.append(&self.typed);
        self.typed.clear();
        self.before.take()
    }
}

/// The character a key types, if it types one (no Ctrl or Alt).
pub fn typed_char(key: &KeyEvent) -> Option<char> {
    use crossterm::event::KeyModifiers;
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Moves focus among `n` fields with Tab / Shift+Tab; returns whether it moved.
pub fn tab_focus(key: &KeyEvent, focus: &mut usize, n: usize) -> bool {
    match key.code {
        KeyCode::Tab if n > 0 => {
            *focus = (*focus + 1) % n;
            true
        }
        KeyCode::BackTab if n > 0 => {
            *focus = (*focus + n - 1) % n;
            true
        }
        _ => false,
    }
}

/// Renders fields one under the other from `y`, returning the next free row.
pub fn render_fields(
    f: &mut Frame<'_>,
    inner: Rect,
    mut y: u16,
    fields: &[(&Field, bool)],
    theme: &Theme,
) -> u16 {
    for (field, focused) in fields {
        let h = field
            .height(inner.width)
            .min(inner.y + inner.height - y.min(inner.y + inner.height));
        if h == 0 {
            break;
        }
        field.render(
            f,
            Rect {
                x: inner.x,
                y,
                width: inner.width,
                height: h,
            },
            *focused,
            theme,
        );
        y += h;
    }
    y
}

/// The form-level error and the keys at the bottom of a form, both wrapped to its
/// width (see [`footer_rows`]): a refusal is read in full, never cut.
pub fn render_footer(
    f: &mut Frame<'_>,
    inner: Rect,
    error: Option<&str>,
    keys: &[FormKey],
    theme: &Theme,
) {
    if inner.height == 0 {
        return;
    }
    let w = usize::from(inner.width).max(1);
    let keys: Vec<Line<'static>> = wrap(&keys_line(keys), w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, theme.dim)))
        .collect();
    let keys_h = (keys.len() as u16).min(inner.height);
    let bottom = inner.y + inner.height;
    f.render_widget(
        Paragraph::new(keys),
        Rect {
            y: bottom - keys_h,
            height: keys_h,
            ..inner
        },
    );
    if let Some(e) = error {
        let lines: Vec<Line<'static>> = wrap(e, w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.bad)))
            .collect();
        let room = inner.height - keys_h;
        let h = (lines.len() as u16).min(room);
        f.render_widget(
            Paragraph::new(lines),
            Rect {
                y: bottom - keys_h - h,
                height: h,
                ..inner
            },
        );
    }
}

/// A row of choices, the chosen one marked: `[r] reached  (v) voicemail`.
pub fn choice_line(
    label: &str,
    options: &[(String, String)],
    chosen: Option<usize>,
    focused: bool,
    theme: &Theme,
) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("{}{label:<9}", if focused { "▶ " } else { "  " }),
        if focused {
            theme.field_focus
        } else {
            theme.dim
        },
    )];
    for (i, (key, text)) in options.iter().enumerate() {
        let on = chosen == Some(i);
        let style = if on { theme.selected } else { theme.base };
        let mark = if on { "●" } else { "○" };
        spans.push(Span::styled(format!("{mark}{key} {text}"), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}
