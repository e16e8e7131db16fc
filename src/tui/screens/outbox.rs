//! *Outbox*: the messages the run and people queued, what became of them, and why a
//! failed one failed. Supervisors deliver what is pending from here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::theme::Theme;
use super::super::widgets::filter::Filter;
use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Screen, ScreenId, Target};
use crate::service::{Result, Session};
use crate::store::outbox::OutboxRow;

pub struct OutboxScreen {
    pub rows: Vec<OutboxRow>,
    pub shown: Vec<usize>,
    pub list: ListState,
    pub filter: Filter,
}

const COLUMNS: [Column; 8] = [
    Column::right("id", 6),
    Column::left("created", 10),
    Column::left("customer", 9),
    Column::left("status", 9),
    Column::left("channel", 7),
    Column::left("template", 21),
    Column::left("to", 28),
    Column::left("last error", 30),
];

impl OutboxScreen {
    pub fn load(session: &Session) -> Result<OutboxScreen> {
        let mut s = OutboxScreen {
            rows: Vec::new(),
            shown: Vec::new(),
            list: ListState::default(),
            filter: Filter::default(),
        };
        s.load_rows(session)?;
        Ok(s)
    }

    fn load_rows(&mut self, session: &Session) -> Result<()> {
        let keep = self.selected().map(|r| r.id);
        self.rows = session.outbox(None)?;
        self.apply_filter();
        if let Some(id) = keep
            && let Some(pos) = self.shown.iter().position(|&i| self.rows[i].id == id)
        {
            self.list.selected = pos;
        }
        Ok(())
    }

    fn apply_filter(&mut self) {
        self.shown = self.filter.apply(self.rows.iter().map(|r| {
            format!(
                "{} {} {} {} {} {}",
                r.customer_id, r.recipient, r.template, r.status, r.channel, r.subject
            )
        }));
        self.list.clamp(self.shown.len());
    }

    pub fn selected(&self) -> Option<&OutboxRow> {
        self.shown
            .get(self.list.selected)
            .and_then(|&i| self.rows.get(i))
    }

    pub fn pending(&self) -> usize {
        self.rows.iter().filter(|r| r.status == "pending").count()
    }

    fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let [top, bottom] = if area.height >= 16 {
            Layout::vertical([Constraint::Min(5), Constraint::Length(8)]).areas(area)
        } else {
            [area, Rect::default()]
        };
        if self.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(
                    "  The outbox is empty: the daily run queues reminders here.",
                    theme.dim,
                )),
                top,
            );
            return;
        }
        let cells = |n: usize| -> Vec<(String, Style)> {
            let Some(r) = self.shown.get(n).and_then(|&i| self.rows.get(i)) else {
                return Vec::new();
            };
            let status_style = match r.status.as_str() {
                "sent" => theme.good,
                "cancelled" => theme.dim,
                _ if r.last_error.is_some() => theme.bad,
                _ => theme.warn,
            };
            vec![
                (r.id.to_string(), theme.dim),
                (r.created_on.to_string(), theme.dim),
                (r.customer_id.clone(), theme.base),
                (r.status.clone(), status_style),
                (r.channel.to_string(), theme.base),
                (r.template.clone(), theme.base),
                (r.recipient.clone(), theme.base),
                (r.last_error.clone().unwrap_or_default(), theme.bad),
            ]
        };
        list::render(
            f.buffer_mut(),
            top,
            &self.list,
            &list::Rows {
                len: self.shown.len(),
                columns: &COLUMNS,
                flex: 6,
                cells: &cells,
            },
            theme,
        );
        if bottom.height > 0
            && let Some(r) = self.selected()
        {
            let block = Block::default()
                .borders(Borders::TOP)
                .border_style(theme.border)
                .title(Span::styled(format!(" {} ", r.subject), theme.title));
            let mut lines: Vec<Line<'static>> = vec![Line::from(status_line(r, theme))];
            lines.extend(r.body_text.lines().map(|l| Line::from(l.to_string())));
            f.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false }),
                bottom,
            );
        }
    }
}

/// What became of a message, in words, with the reason when it was not sent (the
/// list's column has room for its start only).
fn status_line(r: &OutboxRow, theme: &Theme) -> Span<'static> {
    let attempts = |n: i64| format!("{n} attempt{}", if n == 1 { "" } else { "s" });
    let why = r.last_error.clone().unwrap_or_default();
    match r.status.as_str() {
        "sent" => Span::styled(
            format!(
                "sent {} ({})",
                r.sent_at
                    .as_deref()
                    .map(crate::display::moment)
                    .unwrap_or_default(),
                attempts(r.attempts)
            ),
            theme.good,
        ),
        "cancelled" if why.is_empty() => Span::styled("cancelled: not sent".to_string(), theme.dim),
        "cancelled" => Span::styled(format!("cancelled, not sent: {why}"), theme.dim),
        "sending" => Span::styled(
            format!(
                "claimed by a delivery{}: a stopped file delivery finishes it; an email or text left in doubt waits for `arq outbox confirm` or `retry`",
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                }
            ),
            theme.warn,
        ),
        _ if !why.is_empty() => Span::styled(
            format!("pending after {} that failed: {why}", attempts(r.attempts)),
            theme.bad,
        ),
        _ => Span::styled(
            "pending: goes out with the next delivery".to_string(),
            theme.warn,
        ),
    }
}

impl Screen for OutboxScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Outbox
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_rows(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        self.view(f, area, cx.theme);
    }

    // A filtered list: `list`, `filter`, `filter_mut`, `refilter`, `shown`.
    filtered_list!();

    fn target(&self) -> Option<Target> {
        self.selected().map(|r| Target {
            customer: r.customer_id.clone(),
            name: r.recipient.clone(),
            item: None,
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
