//! The help overlay: every key that works on the current screen, read from the keymap,
//! and what the marks in its rows mean.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::super::widgets::flow::wrap_line;

/// Columns before an entry's text: two spaces and the keys.
const KEY_COLUMN: usize = 15;
/// The narrowest an entry's text may be made by adding columns.
const MIN_TEXT: usize = 22;

pub struct Help {
    pub screen: &'static str,
    pub keys: Vec<(String, &'static str)>,
    /// What the marks in the screen's rows mean.
    pub marks: &'static [(&'static str, &'static str)],
}

impl Help {
    pub fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let entry = |k: &str, what: &str| {
            Line::from(vec![
                Span::styled(format!("  {k:<w$}", w = KEY_COLUMN - 2), theme.key),
                Span::raw(what.to_string()),
            ])
        };
        let mut keys: Vec<Line<'static>> = vec![Line::from(Span::styled(
            format!("Keys on {}", self.screen),
            theme.title,
        ))];
        keys.extend(self.keys.iter().map(|(k, w)| entry(k, w)));
        if !self.marks.is_empty() {
            keys.push(Line::from(""));
            keys.push(Line::from(Span::styled("Marks", theme.title)));
            keys.extend(self.marks.iter().map(|(m, w)| entry(m, w)));
        }
        let mut forms: Vec<Line<'static>> = vec![Line::from(Span::styled("In forms", theme.title))];
        forms.extend(super::keys::HELP.iter().map(|k| entry(k.key, k.help)));
        forms.push(Line::from(""));
        forms.push(Line::from(Span::styled(
            "Dates: 2026-12-01, +7, tomorrow, fri",
            theme.dim,
        )));
        forms.push(Line::from(Span::styled("Any key closes this.", theme.dim)));
        let mut lines = keys;
        lines.push(Line::from(""));
        lines.extend(forms);
        // As few columns as the height allows, each as wide as its widest entry when
        // the screen has the room; narrower columns wrap an entry's words under its
        // text (the key column stays clear) rather than cutting them.
        let rows = usize::from(area.height.saturating_sub(2)).max(1);
        let widest = lines.iter().map(Line::width).max().unwrap_or(0).max(38) + 2;
        let room = usize::from(area.width.saturating_sub(2)).max(1);
        let laid_out = |columns: usize| {
            let width = widest.min(room / columns).max(1);
            let wrapped: Vec<Line<'static>> = lines
                .iter()
                .flat_map(|l| wrap_line(l, width.saturating_sub(1), KEY_COLUMN))
                .collect();
            (width, wrapped)
        };
        // No more columns than leave each entry room for a few words beside its keys;
        // on a screen too small even then, the last rows are what goes.
        let most = (room / (KEY_COLUMN + MIN_TEXT)).clamp(1, 4);
        let (columns, (width, wrapped)) = (1..=most)
            .map(|c| (c, laid_out(c)))
            .find(|(c, (_, w))| w.len().div_ceil(*c) <= rows)
            .unwrap_or_else(|| (most, laid_out(most)));
        let per_column = wrapped.len().div_ceil(columns).max(1);
        let inner = super::frame(
            f,
            area,
            u16::try_from(width * columns + 2).unwrap_or(u16::MAX),
            per_column as u16 + 2,
            "help",
            theme,
        );
        let width = inner.width / columns as u16;
        for (c, chunk) in wrapped.chunks(per_column).enumerate() {
            let x = inner.x + width * c as u16;
            f.render_widget(Paragraph::new(chunk.to_vec()), Rect { x, width, ..inner });
        }
    }
}
