//! The help overlay: every key that works on the current screen, read from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;

pub struct Help {
    pub screen: &'static str,
    pub keys: Vec<(String, &'static str)>,
}

const FORM_KEYS: &[(&str, &str)] = &[
    ("⏎", "save (and move to the next queue item)"),
    ("alt-⏎", "new line in a note"),
    ("tab ⇧tab", "next / previous field"),
    ("← →", "change a choice"),
    ("esc", "cancel: nothing is written"),
];

impl Help {
    pub fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let mut lines = vec![Line::from(Span::styled(
            format!("Keys on {}", self.screen),
            theme.title,
        ))];
        for (k, what) in &self.keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<14}"), theme.key),
                Span::raw(*what),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("In forms", theme.title)));
        for (k, what) in FORM_KEYS {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<14}"), theme.key),
                Span::raw(*what),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Dates: 2026-12-01, +7 (days), tomorrow, fri. Any key closes this.",
            theme.dim,
        )));
        let h = lines.len() as u16 + 2;
        let inner = super::frame(f, area, 64, h, "help", theme);
        f.render_widget(Paragraph::new(lines), inner);
    }
}
