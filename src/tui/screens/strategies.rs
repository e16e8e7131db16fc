//! *Strategies* (supervisors): each strategy with the accounts standing at each of its
//! steps as a funnel, the steps reached and cured in the last 90 days, and its versions.

use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::keymap::Action;
use super::super::popups::Popup;
use super::super::popups::choose::TryForm;
use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Effect, Screen, ScreenId};
use crate::report::funnel::{FunnelRow, funnel};
use crate::service::team::StrategyStanding;
use crate::service::{Result, Session};

/// Days the "reached and cured" figures look back.
pub const FUNNEL_DAYS: i64 = 90;

pub struct StrategiesScreen {
    pub strategies: Vec<StrategyStanding>,
    pub funnel: Vec<FunnelRow>,
    pub list: ListState,
}

const COLUMNS: [Column; 4] = [
    Column::left("strategy", 12),
    Column::left("name", 22),
    Column::right("steps", 5),
    Column::right("in cycle", 8),
];

impl StrategiesScreen {
    pub fn load(s: &Session) -> Result<StrategiesScreen> {
        let mut x = StrategiesScreen {
            strategies: Vec::new(),
            funnel: Vec::new(),
            list: ListState::default(),
        };
        x.load_all(s)?;
        Ok(x)
    }

    fn load_all(&mut self, s: &Session) -> Result<()> {
        self.strategies = s.strategy_standing()?;
        let to = s.as_of();
        self.funnel = funnel(s, to - Duration::days(FUNNEL_DAYS - 1), to)?;
        self.list.clamp(self.strategies.len());
        Ok(())
    }

    fn in_cycle(st: &StrategyStanding) -> u64 {
        st.steps.iter().map(|(_, n)| n).sum::<u64>() + st.after_last + st.starting
    }

    fn detail(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        let Some(st) = self.strategies.get(self.list.selected) else {
            return;
        };
        let block = Block::default()
            .borders(Borders::LEFT | Borders::TOP)
            .border_style(t.border)
            .title(Span::styled(format!(" {} ", st.name), t.title));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let latest = st.versions.last().map_or(1, |v| v.0);
        let reached = |i: usize| {
            self.funnel
                .iter()
                .find(|r| r.strategy == st.id && r.version == latest && r.index == i)
                .map_or((0, 0), |r| (r.reached, r.cured_before_next))
        };
        let mut rows: Vec<(String, u64, (u64, u64))> = st
            .steps
            .iter()
            .enumerate()
            .map(|(i, (id, n))| (format!("{}. {id}", i + 1), *n, reached(i)))
            .collect();
        rows.push((
            "after the last".into(),
            st.after_last,
            reached(st.steps.len()),
        ));
        let most = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        let label_w = rows
            .iter()
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(8)
            .min(20);
        // label · bar · standing · reached / cured (90 days)
        let numbers_w = 28u16;
        let bar_w = inner
            .width
            .saturating_sub(label_w as u16 + numbers_w + 3)
            .max(1);
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{:<label_w$} ", "step"), t.dim),
            Span::styled(
                format!("{:<w$}", "standing now", w = usize::from(bar_w) + 8),
                t.dim,
            ),
            Span::styled(format!("reached · cured ({FUNNEL_DAYS} d)"), t.dim),
        ])];
        for (label, n, (r, c)) in &rows {
            let len = (u128::from(*n) * u128::from(bar_w) / u128::from(most)) as usize;
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{:<label_w$} ", crate::display::fit(label, label_w)),
                    t.base,
                ),
                Span::styled("█".repeat(len.max(usize::from(*n > 0))), t.title),
                Span::raw(
                    " ".repeat(usize::from(bar_w).saturating_sub(len.max(usize::from(*n > 0)))),
                ),
                Span::styled(format!("{n:>7} "), t.money),
                Span::styled(format!("{r:>7} · {c:<6}"), t.base),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("{} starting (first step not done yet)", st.starting),
            t.dim,
        )));
        lines.push(Line::from(Span::styled("versions", t.title)));
        for (v, on, by) in st.versions.iter().rev().take(5) {
            lines.push(Line::from(Span::styled(
                format!("  v{v}  in force from {on}  (loaded by {by})"),
                t.base,
            )));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}

impl Screen for StrategiesScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Strategies
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_all(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        let (list_area, detail) = if area.width >= 110 {
            // As wide as the names need, the detail keeping its 40 columns and more.
            let list_width = list::natural_width(&COLUMNS, 1)
                .min(area.width.saturating_sub(40))
                .max(54);
            let [a, b] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(40)])
                .areas(area);
            (a, b)
        } else {
            let rows = (self.strategies.len() as u16 + 1).min(area.height / 3);
            let [a, b] =
                Layout::vertical([Constraint::Length(rows), Constraint::Min(5)]).areas(area);
            (a, b)
        };
        let cells = |i: usize| -> Vec<(String, Style)> {
            let Some(st) = self.strategies.get(i) else {
                return Vec::new();
            };
            vec![
                (st.id.clone(), t.base),
                (st.name.clone(), t.base),
                (st.steps.len().to_string(), t.dim),
                (Self::in_cycle(st).to_string(), t.money),
            ]
        };
        list::render(
            f.buffer_mut(),
            list_area,
            &self.list,
            &list::Rows {
                len: self.strategies.len(),
                columns: &COLUMNS,
                flex: 1,
                cells: &cells,
            },
            t,
        );
        self.detail(f, detail, cx);
    }

    fn list(&mut self) -> Option<(&mut ListState, usize)> {
        let n = self.strategies.len();
        Some((&mut self.list, n))
    }

    fn shown(&self) -> usize {
        self.strategies.len()
    }

    fn open(&self, _s: &Session) -> Result<Option<Box<dyn Screen>>> {
        Ok(None)
    }

    fn act(&mut self, action: Action, s: &Session) -> Option<Effect> {
        if action != Action::Try {
            return None;
        }
        let st = self.strategies.get(self.list.selected)?;
        let to = match s.last_close() {
            Ok(Some(d)) => d,
            Ok(None) => {
                return Some(Effect::Status(
                    "no daily close is in the record yet: there is no past to replay".into(),
                    true,
                ));
            }
            Err(e) => return Some(Effect::Status(e.to_string(), true)),
        };
        let others: Vec<String> = self
            .strategies
            .iter()
            .filter(|o| o.id != st.id)
            .map(|o| o.id.clone())
            .collect();
        let from = super::whatif::period_from(to);
        Some(Effect::Popup(Popup::form(TryForm::new(
            &st.id, &others, from, to,
        ))))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
