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
        // The sections' headings, which a column that goes on with their section repeats.
        let titles = [
            format!("Keys on {}", self.screen),
            "Marks".to_string(),
            "In forms".to_string(),
        ];
        let heading = |l: &Line<'_>| titles.contains(&l.to_string());
        // As few columns as the height allows, each as wide as its widest entry when
        // the screen has the room; narrower columns wrap an entry's words under its
        // text (the key column stays clear) rather than cutting them.
        let rows = usize::from(area.height.saturating_sub(2)).max(1);
        let widest = lines.iter().map(Line::width).max().unwrap_or(0).max(38) + 2;
        let room = usize::from(area.width.saturating_sub(2)).max(1);
        let laid_out = |columns: usize| {
            let width = widest.min(room / columns).max(1);
            // Each entry's rows together: an entry is never parted between columns.
            let blocks: Vec<Block> = lines
                .iter()
                .map(|l| Block {
                    lines: wrap_line(l, width.saturating_sub(1), KEY_COLUMN),
                    heading: heading(l),
                })
                .collect();
            (width, fill_columns(blocks, rows))
        };
        // No more columns than leave each entry room for a few words beside its keys;
        // on a screen too small even then, the last rows are what goes.
        let most = (room / (KEY_COLUMN + MIN_TEXT)).clamp(1, 4);
        let (width, mut filled) = (1..=most)
            .map(|c| (c, laid_out(c)))
            .find(|(c, (_, cols))| cols.len() <= *c)
            .map_or_else(|| laid_out(most), |(_, l)| l);
        filled.truncate(most);
        let columns = filled.len().max(1);
        let per_column = filled.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let inner = super::frame(
            f,
            area,
            u16::try_from(width * columns + 2).unwrap_or(u16::MAX),
            per_column as u16 + 2,
            "help",
            theme,
        );
        let width = inner.width / columns as u16;
        for (c, column) in filled.into_iter().enumerate() {
            let x = inner.x + width * c as u16;
            f.render_widget(Paragraph::new(column), Rect { x, width, ..inner });
        }
    }
}

/// One entry of the help as wrapped rows, or a section's heading.
struct Block {
    lines: Vec<Line<'static>>,
    heading: bool,
}

/// Entries laid into columns of at most `rows` rows, in order; an entry that would not
/// fit in what is left of a column starts the next one, under its section's heading
/// ("… (continued)") so that it is not read as a key of the section above it.
fn fill_columns(blocks: Vec<Block>, rows: usize) -> Vec<Vec<Line<'static>>> {
    let mut columns: Vec<Vec<Line<'static>>> = vec![Vec::new()];
    let mut section: Option<Line<'static>> = None;
    for block in blocks {
        if block.heading {
            section = block.lines.first().cloned();
        }
        let Some(current) = columns.last_mut() else {
            break;
        };
        if !current.is_empty() && current.len() + block.lines.len() > rows {
            // A blank row does not open a column.
            if block.lines.iter().all(|l| l.width() == 0) {
                continue;
            }
            let mut column = Vec::new();
            if let Some(h) = section.as_ref().filter(|_| !block.heading) {
                let mut h = h.clone();
                h.spans.push(Span::styled(" (continued)", h.spans[0].style));
                column.push(h);
            }
            column.extend(block.lines);
            columns.push(column);
        } else {
            current.extend(block.lines);
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_never_parted_between_columns() {
        let entry = |n: usize| Block {
            lines: (0..n).map(|i| Line::from(format!("row {i}"))).collect(),
            heading: false,
        };
        let blank = || Block {
            lines: vec![Line::from("")],
            heading: false,
        };
        let cols = fill_columns(vec![entry(1), entry(2), entry(2), entry(1)], 4);
        let lens: Vec<usize> = cols.iter().map(Vec::len).collect();
        assert_eq!(lens, vec![3, 3]);
        // A blank line between sections does not start a column of its own.
        let cols = fill_columns(vec![entry(3), blank(), entry(2)], 3);
        assert_eq!(cols.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 2]);
    }

    /// A section that goes on in the next column repeats its heading there: the form
    /// keys at the top of the second column read as the screen's keys at 80×24.
    #[test]
    fn a_section_continued_in_the_next_column_repeats_its_heading() {
        let heading = |t: &str| Block {
            lines: vec![Line::from(Span::raw(t.to_string()))],
            heading: true,
        };
        let entry = |t: &str| Block {
            lines: vec![Line::from(t.to_string())],
            heading: false,
        };
        let cols = fill_columns(
            vec![
                heading("Keys on Outbox"),
                entry("j down"),
                heading("In forms"),
                entry("tab next field"),
                entry("esc cancel"),
            ],
            4,
        );
        let text: Vec<Vec<String>> = cols
            .iter()
            .map(|c| c.iter().map(|l| l.to_string()).collect())
            .collect();
        assert_eq!(
            text,
            [
                vec!["Keys on Outbox", "j down", "In forms", "tab next field"],
                vec!["In forms (continued)", "esc cancel"],
            ]
        );
    }
}
