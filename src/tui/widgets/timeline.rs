//! A timeline: one entry per event, newest first, as `date  who  what happened`.
//! Long texts wrap under their own column and keep their line breaks (a note of
//! several lines stays several lines, indented); the timeline scrolls from a first
//! entry, and says when more is below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::theme::Theme;
use super::flow::wrap_line;
use crate::display::width;

/// One event as the timeline shows it.
pub struct Entry {
    /// Date and who, already padded to a common width (`11-18 ana    `).
    pub head: String,
    pub text: String,
}

/// The lines of `entries` from `first` on, filling at most `rows` rows of `max`
/// columns. Each entry's text wraps and keeps its line breaks, its continuation
/// lines indented under the text.
pub fn lines(
    entries: &[Entry],
    first: usize,
    max: usize,
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    for e in entries.iter().skip(first) {
        if out.len() >= rows {
            break;
        }
        out.extend(entry_lines(e, max, theme));
    }
    out.truncate(rows);
    out
}

/// One entry's lines at `max` columns.
fn entry_lines(e: &Entry, max: usize, theme: &Theme) -> Vec<Line<'static>> {
    let indent = width(&e.head);
    let mut out = Vec::new();
    for (n, part) in e.text.split('\n').enumerate() {
        let lead = if n == 0 {
            Span::styled(e.head.clone(), theme.dim)
        } else {
            Span::raw(" ".repeat(indent))
        };
        let line = Line::from(vec![lead, Span::raw(part.trim_end().to_string())]);
        out.extend(wrap_line(&line, max, indent));
    }
    out
}

/// The furthest entry the timeline may start from at `rows` rows of `max` columns: the
/// one from which the oldest entries just fill the rows (scrolling stops with the last
/// page full, not on an empty one).
pub fn last_first(entries: &[Entry], max: usize, rows: usize, theme: &Theme) -> usize {
    let mut used = 0;
    for (i, e) in entries.iter().enumerate().rev() {
        used += entry_lines(e, max, theme).len();
        if used > rows {
            return (i + 1).min(entries.len().saturating_sub(1));
        }
    }
    0
}

/// Draws the timeline in `area` under a titled rule, from entry `first`. `focused`:
/// the movement keys scroll it (the title says so); `hint` names the key that
/// gives it the focus when there is more than fits. Returns [`last_first`] for the
/// area, so the keys stop where the drawing does.
pub fn render(
    f: &mut Frame<'_>,
    area: Rect,
    title: &str,
    entries: &[Entry],
    first: usize,
    focus: Focus<'_>,
    theme: &Theme,
) -> usize {
    let rows = usize::from(area.height.saturating_sub(1));
    let max = usize::from(area.width).max(1);
    let shown = lines(entries, first, max, rows + 1, theme);
    let more_below = shown.len() > rows || first > 0;
    let title = match focus {
        Focus::Scrolling(key) => format!(" {title} · ↑↓ scroll · {key} back "),
        Focus::Elsewhere(key) if more_below => format!(" {title} · {key} to scroll "),
        _ => format!(" {title} "),
    };
    let style = if matches!(focus, Focus::Scrolling(_)) {
        theme.field_focus
    } else {
        theme.title
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(title, style));
    let mut shown = shown;
    shown.truncate(rows);
    f.render_widget(Paragraph::new(shown).block(block), area);
    last_first(entries, max, rows, theme)
}

/// Whether the timeline has the movement keys, and the key that switches.
#[derive(Debug, Clone, Copy)]
pub enum Focus<'a> {
    /// Shown only (no key scrolls it).
    None,
    /// The keys move something else; `0` gives the timeline the focus.
    Elsewhere(&'a str),
    /// The keys scroll the timeline; `0` gives the focus back.
    Scrolling(&'a str),
}
