//! *My queue*: today's items, best first, and why the selected one is where it is.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::theme::Theme;
use super::super::widgets::filter::Filter;
use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Screen, ScreenId, Target};
use crate::domain::Money;
use crate::service::queue::{QueueItem, QueueScope};
use crate::service::{Result, Session};

pub struct QueueScreen {
    pub items: Vec<QueueItem>,
    /// Indices into `items` that pass the filter.
    pub shown: Vec<usize>,
    pub list: ListState,
    pub filter: Filter,
}

/// The column that takes the spare width (the name).
const FLEX: usize = 2;

const ACTION_WIDTH: u16 = 19;

const COLUMNS: [Column; 9] = [
    Column::right("#", 3),
    Column::left("customer", 8),
    Column::left("name", 28),
    Column::right("collectible", 11),
    Column::right("dpd", 3),
    Column::left("action", ACTION_WIDTH),
    Column::right("late", 4),
    Column::left("reason", 15),
    Column::right("score", 13),
];

impl QueueScreen {
    pub fn load(session: &Session) -> Result<QueueScreen> {
        let mut q = QueueScreen {
            items: Vec::new(),
            shown: Vec::new(),
            list: ListState::default(),
            filter: Filter::default(),
        };
        q.load_items(session)?;
        Ok(q)
    }

    /// Reloads the queue, keeping the selection on the same item when it is still
    /// there, else on the same row (which is then the next item).
    fn load_items(&mut self, session: &Session) -> Result<()> {
        let keep = self.selected().map(|i| i.item_id);
        self.items = session.queue(&QueueScope::Mine, None)?;
        self.apply_filter();
        if let Some(id) = keep
            && let Some(pos) = self.shown.iter().position(|&i| self.items[i].item_id == id)
        {
            self.list.selected = pos;
        }
        self.list.clamp(self.shown.len());
        Ok(())
    }

    fn apply_filter(&mut self) {
        self.shown = self.filter.apply(self.items.iter().map(|i| {
            format!(
                "{} {} {} {} {} {}",
                i.customer_id,
                i.customer_name,
                i.reason,
                i.action,
                i.step.as_deref().unwrap_or(""),
                i.note
            )
        }));
        self.list.clamp(self.shown.len());
    }

    pub fn selected(&self) -> Option<&QueueItem> {
        self.shown
            .get(self.list.selected)
            .and_then(|&i| self.items.get(i))
    }

    /// Total collectible past due over the accounts in the queue.
    pub fn collectible(&self) -> Money {
        let mut seen = std::collections::HashSet::new();
        self.items
            .iter()
            .filter(|i| seen.insert(i.customer_id.as_str()))
            .map(|i| i.collectible_past_due)
            .sum()
    }

    fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let side = area.width >= 120;
        let below = !side && area.height >= 18;
        let (list_area, explain_area) = if side {
            // The list as wide as its columns need; the explanation takes the rest.
            let list_width = list::natural_width(&COLUMNS, FLEX).min(area.width - 40);
            let [a, b] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(40)])
                .areas(area);
            (a, Some(b))
        } else if below {
            let [a, b] = Layout::vertical([Constraint::Min(5), Constraint::Length(5)]).areas(area);
            (a, Some(b))
        } else {
            (area, None)
        };
        if self.items.is_empty() {
            let p = Paragraph::new(vec![
                Line::from(""),
                Line::from(Span::styled(
                    "  Nothing is due today. The daily run adds new items each morning.",
                    theme.dim,
                )),
            ]);
            f.render_widget(p, list_area);
        } else {
            let cells = |n: usize| -> Vec<(String, ratatui::style::Style)> {
                let Some(it) = self.shown.get(n).and_then(|&i| self.items.get(i)) else {
                    return Vec::new();
                };
                // With its step when that fits (`call (second call)`), else what to
                // do alone: the step is in the explanation below.
                let full = it.action_words();
                let action = if crate::display::width(&full) > usize::from(ACTION_WIDTH) {
                    it.action.work().to_string()
                } else {
                    full
                };
                let late = if it.days_overdue > 0 {
                    (it.days_overdue.to_string(), theme.warn)
                } else {
                    (String::new(), theme.base)
                };
                vec![
                    (it.rank.to_string(), theme.dim),
                    (it.customer_id.clone(), theme.base),
                    (it.customer_name.clone(), theme.base),
                    (it.collectible_past_due.grouped(), theme.money),
                    (
                        it.dpd.to_string(),
                        if it.dpd > 60 { theme.bad } else { theme.base },
                    ),
                    (action, theme.base),
                    late,
                    (
                        it.reason.to_string().replace('_', " "),
                        if it.reason == crate::domain::Reason::BrokenPromise {
                            theme.bad
                        } else {
                            theme.base
                        },
                    ),
                    (Money::round_from(it.score).grouped(), theme.dim),
                ]
            };
            list::render(
                f.buffer_mut(),
                list_area,
                &self.list,
                &list::Rows {
                    len: self.shown.len(),
                    columns: &COLUMNS,
                    flex: FLEX,
                    cells: &cells,
                },
                theme,
            );
        }
        if let Some(area) = explain_area
            && !self.items.is_empty()
        {
            self.explain(f, area, theme, side);
        }
    }

    /// The score of the selected item, factor by factor (a table at the side, a
    /// formula below the list when the terminal is narrow).
    fn explain(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme, side: bool) {
        let borders = if side { Borders::LEFT } else { Borders::TOP };
        let block = Block::default()
            .borders(borders)
            .border_style(theme.border)
            .title(Span::styled(" why this item ", theme.title));
        let Some(it) = self.selected() else {
            f.render_widget(block, area);
            return;
        };
        let shown = |fac: &crate::strategy::priority::Factor| -> String {
            if fac.name == "collectible past due" || fac.name == "overdue bonus" {
                Money::round_from(fac.value).grouped()
            } else {
                // A factor such as 1 + 47/30 is shown to two places, marked as rounded,
                // so its product with the others is not taken for the exact score.
                let two = fac.value.round_dp(2);
                let mark = if two == fac.value { "" } else { "≈" };
                format!("{mark}{}", two.normalize())
            }
        };
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("#{} ", it.rank), theme.title),
            Span::styled(it.customer_name.clone(), theme.title),
            Span::styled(format!(" — {}", it.note), theme.base),
        ])];
        if side {
            for fac in &it.factors {
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<21}", fac.name), theme.dim),
                    Span::styled(format!("{:>10}", shown(fac)), theme.money),
                ]));
                lines.push(Line::from(Span::styled(
                    format!("  {}", fac.why),
                    theme.dim,
                )));
            }
            lines.push(Line::from(vec![
                Span::styled(format!("{:<21}", "score"), theme.title),
                Span::styled(
                    format!("{:>10}", Money::round_from(it.score).grouped()),
                    theme.title,
                ),
            ]));
        } else {
            let mut formula = Vec::new();
            for (i, fac) in it.factors.iter().enumerate() {
                let op = match i {
                    0 => "",
                    _ if fac.name == "overdue bonus" => " + ",
                    _ => " × ",
                };
                formula.push(Span::styled(op.to_string(), theme.dim));
                formula.push(Span::styled(shown(fac), theme.money));
                formula.push(Span::styled(
                    format!(
                        " {}",
                        fac.name
                            .replace("collectible past due", "collectible")
                            .replace("overdue bonus", "overdue")
                    ),
                    theme.dim,
                ));
            }
            formula.push(Span::styled(" = ", theme.dim));
            formula.push(Span::styled(
                Money::round_from(it.score).grouped(),
                theme.title,
            ));
            lines.push(Line::from(formula));
            let whys: Vec<String> = it.factors.iter().skip(1).map(|f| f.why.clone()).collect();
            lines.push(Line::from(Span::styled(whys.join(" · "), theme.dim)));
        }
        f.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}

impl Screen for QueueScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Queue
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_items(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        self.view(f, area, cx.theme);
    }

    // A filtered list: `list`, `filter`, `filter_mut`, `refilter`, `shown`.
    filtered_list!();

    fn target(&self) -> Option<Target> {
        self.selected().map(|i| Target {
            customer: i.customer_id.clone(),
            name: i.customer_name.clone(),
            item: Some(i.item_id),
        })
    }

    fn summary(&self, currency: &str) -> Vec<String> {
        let (n, total) = (self.items.len(), self.collectible().grouped());
        vec![
            format!("{n} due · {total} {currency}"),
            format!("{n} due · {total}"),
            total,
        ]
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
