//! The help overlay: every key that works on the current screen, read from the keymap,
//! and what the marks in its rows mean.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;

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
                Span::styled(format!("  {k:<13}"), theme.key),
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
        // As many columns as the height needs, each as wide as its widest entry (when
        // the screen has the room).
        let rows = usize::from(area.height.saturating_sub(2)).max(1);
        let columns = lines.len().div_ceil(rows).max(1);
        let per_column = lines.len().div_ceil(columns);
        let widest = lines.iter().map(Line::width).max().unwrap_or(0);
        let column_width = u16::try_from(widest).unwrap_or(u16::MAX).max(38) + 2;
        let inner = super::frame(
            f,
            area,
            column_width
                .saturating_mul(columns as u16)
                .saturating_add(2),
            per_column as u16 + 2,
            "help",
            theme,
        );
        let width = inner.width / columns as u16;
        for (c, chunk) in lines.chunks(per_column).enumerate() {
            let x = inner.x + width * c as u16;
            f.render_widget(Paragraph::new(chunk.to_vec()), Rect { x, width, ..inner });
        }
    }
}
