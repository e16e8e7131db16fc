//! *Warnings* (supervisors): accounts not yet past due whose customer's payments are
//! slipping — a first broken promise, or paying later than before — with the reason,
//! the next due date and the owner's "check in" item. Enter opens the account.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::theme::Theme;
use super::super::widgets::filter::Filter;
use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Screen, ScreenId, Target};
use crate::service::warnings::WarningLine;
use crate::service::{Result, Session};

pub struct WarningsScreen {
    pub rows: Vec<WarningLine>,
    pub shown: Vec<usize>,
    pub list: ListState,
    pub filter: Filter,
}

const COLUMNS: [Column; 7] = [
    Column::left("customer", 9),
    Column::left("name", 26),
    Column::left("owner", 6),
    Column::left("since", 10),
    Column::right("balance", 14),
    Column::left("next due", 10),
    Column::left("why", 90),
];

impl WarningsScreen {
    pub fn load(session: &Session) -> Result<WarningsScreen> {
        let mut s = WarningsScreen {
            rows: Vec::new(),
            shown: Vec::new(),
            list: ListState::default(),
            filter: Filter::default(),
        };
        s.load_rows(session)?;
        Ok(s)
    }

    fn load_rows(&mut self, session: &Session) -> Result<()> {
        let keep = self.selected().map(|r| r.customer_id.clone());
        self.rows = session.warnings()?;
        self.apply_filter();
        if let Some(id) = keep
            && let Some(pos) = self
                .shown
                .iter()
                .position(|&i| self.rows[i].customer_id == id)
        {
            self.list.selected = pos;
        }
        Ok(())
    }

    fn apply_filter(&mut self) {
        self.shown = self.filter.apply(self.rows.iter().map(|r| {
            format!(
                "{} {} {} {}",
                r.customer_id,
                r.name,
                r.owner.as_deref().unwrap_or(""),
                r.reason
            )
        }));
        self.list.clamp(self.shown.len());
    }

    pub fn selected(&self) -> Option<&WarningLine> {
        self.shown
            .get(self.list.selected)
            .and_then(|&i| self.rows.get(i))
    }

    fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        // The selected warning in full below the list, so no reason is ever cut off.
        let [area, bottom] = if area.height >= 12 {
            Layout::vertical([Constraint::Min(5), Constraint::Length(5)]).areas(area)
        } else {
            [area, Rect::default()]
        };
        if self.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(
                    "  No early warning is open: no account that is not yet past due shows a customer paying worse.",
                    theme.dim,
                )),
                area,
            );
            return;
        }
        let cells = |n: usize| -> Vec<(String, Style)> {
            let Some(r) = self.shown.get(n).and_then(|&i| self.rows.get(i)) else {
                return Vec::new();
            };
            vec![
                (r.customer_id.clone(), theme.base),
                (r.name.clone(), theme.base),
                (r.owner.clone().unwrap_or_default(), theme.dim),
                (r.since.to_string(), theme.dim),
                (r.balance.grouped(), theme.money),
                (
                    r.next_due.map(|d| d.to_string()).unwrap_or_default(),
                    theme.base,
                ),
                (r.reason.clone(), theme.warn),
            ]
        };
        list::render(
            f.buffer_mut(),
            area,
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
                .title(Span::styled(
                    format!(" {} {} ", r.customer_id, r.name),
                    theme.title,
                ));
            let mut lines = vec![Line::from(vec![
                Span::styled("early warning since ", theme.dim),
                Span::raw(r.since.to_string()),
                Span::styled(": ", theme.dim),
                Span::styled(r.reason.clone(), theme.warn),
            ])];
            let mut facts = vec![
                Span::styled("balance ", theme.dim),
                Span::styled(r.balance.grouped(), theme.money),
            ];
            if let Some(d) = r.next_due {
                facts.push(Span::styled("  next due ", theme.dim));
                facts.push(Span::raw(d.to_string()));
            }
            facts.push(Span::styled("  owner ", theme.dim));
            facts.push(Span::raw(
                r.owner.clone().unwrap_or_else(|| "(none)".into()),
            ));
            facts.push(Span::styled(
                match r.item_id {
                    Some(id) => format!("  check-in item #{id} open"),
                    None => "  no check-in item open".to_string(),
                },
                theme.dim,
            ));
            lines.push(Line::from(facts));
            f.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false }),
                bottom,
            );
        }
    }
}

impl Screen for WarningsScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Warnings
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
            name: r.name.clone(),
            item: r.item_id,
        })
    }

    fn summary(&self, _currency: &str) -> Vec<String> {
        let n = self.rows.len();
        vec![
            format!("{n} early warning{}", if n == 1 { "" } else { "s" }),
            n.to_string(),
        ]
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
