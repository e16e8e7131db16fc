//! A labelled text field for forms, over `ratatui-textarea`: one line, or several
//! for notes (`Alt+Enter` starts a new line), with its validation message in place.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::super::popups::{message_rows, render_message};
use super::super::theme::Theme;

pub struct Field {
    pub label: &'static str,
    pub input: TextArea<'static>,
    pub error: Option<String>,
    pub multiline: bool,
    pub hint: std::borrow::Cow<'static, str>,
    /// Still holds its default: typing replaces it instead of appending.
    pristine: bool,
}

/// The editor under a field, its cursor at the end of `text`. A note wraps at the
/// field's edge as it is typed (a single-line field scrolls sideways).
fn text_input(text: &str, multiline: bool) -> TextArea<'static> {
    let mut input = TextArea::new(text.split('\n').map(str::to_string).collect());
    input.set_cursor_line_style(Style::default());
    if multiline {
        input.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    }
    input.move_cursor(ratatui_textarea::CursorMove::End);
    input
}

impl Field {
    pub fn new(
        label: &'static str,
        initial: &str,
        multiline: bool,
        hint: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Field {
        Field {
            label,
            input: text_input(initial, multiline),
            error: None,
            multiline,
            hint: hint.into(),
            pristine: !initial.is_empty(),
        }
    }

    /// The text, lines joined with `\n`, trimmed.
    pub fn text(&self) -> String {
        self.input.lines().join("\n").trim().to_string()
    }

    pub fn set_text(&mut self, s: &str) {
        self.input = text_input(s, self.multiline);
        self.pristine = true;
    }

    /// Adds `s` at the end of the text (a default still shown is replaced).
    pub fn append(&mut self, s: &str) {
        if self.pristine {
            self.input = text_input("", self.multiline);
            self.pristine = false;
        }
        self.input.move_cursor(ratatui_textarea::CursorMove::Bottom);
        self.input.move_cursor(ratatui_textarea::CursorMove::End);
        self.input.insert_str(s);
        self.error = None;
    }

    /// Passes a key to the text; `Enter` is left to the form (it saves), `Alt+Enter`
    /// adds a line in a multi-line field. Returns whether the text changed.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        if key.code == KeyCode::Enter {
            if self.multiline && key.modifiers.contains(KeyModifiers::ALT) {
                self.input.insert_newline();
                return true;
            }
            return false;
        }
        if self.pristine {
            self.pristine = false;
            let typing = matches!(key.code, KeyCode::Char(_))
                && !key.modifiers.contains(KeyModifiers::CONTROL);
            if typing || matches!(key.code, KeyCode::Backspace | KeyCode::Delete) {
                self.input = text_input("", self.multiline);
                if !typing {
                    return true;
                }
            }
        }
        let changed = self.input.input(*key);
        if changed {
            self.error = None;
        }
        changed
    }

    /// Rows the field takes at `width`: label, text, and its error wrapped.
    pub fn height(&self, width: u16) -> u16 {
        let text = if self.multiline {
            // Rows as the text wraps in the field's width (four columns of indent).
            let inner = usize::from(width.saturating_sub(4)).max(1);
            let rows: usize = self
                .input
                .lines()
                .iter()
                .map(|l| crate::display::wrap(l, inner).len().max(1))
                .sum();
            (rows as u16).clamp(2, 6)
        } else {
            1
        };
        1 + text + message_rows(self.error.as_deref(), width)
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, focused: bool, theme: &Theme) {
        if area.height == 0 {
            return;
        }
        let label_style = if focused {
            theme.field_focus
        } else {
            theme.dim
        };
        let marker = if focused { "▶ " } else { "  " };
        let mut head = vec![Span::styled(format!("{marker}{}", self.label), label_style)];
        if !self.hint.is_empty() {
            head.push(Span::styled(format!("  {}", self.hint), theme.dim));
        }
        f.render_widget(Paragraph::new(Line::from(head)), Rect { height: 1, ..area });
        let error_rows = message_rows(self.error.as_deref(), area.width);
        let text_rows = area.height.saturating_sub(1 + error_rows);
        let text_area = Rect {
            x: area.x + 4,
            y: area.y + 1,
            width: area.width.saturating_sub(4),
            height: text_rows,
        };
        let mut input = self.input.clone();
        input.set_style(if focused { theme.base } else { theme.dim });
        input.set_cursor_style(if focused {
            theme.selected
        } else {
            Style::default()
        });
        f.render_widget(&input, text_area);
        if let Some(e) = &self.error {
            let y = area.y + 1 + text_rows;
            let h = (area.y + area.height).saturating_sub(y);
            render_message(
                f,
                Rect {
                    y,
                    height: h,
                    ..area
                },
                e,
                theme,
            );
        }
    }
}
