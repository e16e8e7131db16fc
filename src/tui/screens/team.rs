//! *Team* (supervisors): one row per collector with today's work and the last 30
//! days' (calls, contacts, accounts touched, promises and their amount, money
//! collected, progress on the worklist, disputes opened and resolved), overdue work in red, sortable; Enter drills into the collector's book and
//! timeline, where accounts can be reassigned in bulk.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::super::keymap::Action;
use super::super::widgets::list::{self, Column, ListState};
use super::collector::CollectorScreen;
use super::{Draw, Effect, Screen, ScreenId};
use crate::service::team::TeamRow;
use crate::service::{Result, Session};

/// Days of "the period" on the Team screen.
pub const PERIOD_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Overdue,
    Collected,
    Name,
}

impl SortBy {
    fn next(self) -> SortBy {
        match self {
            SortBy::Overdue => SortBy::Collected,
            SortBy::Collected => SortBy::Name,
            SortBy::Name => SortBy::Overdue,
        }
    }

    fn label(self) -> &'static str {
        match self {
            SortBy::Overdue => "sort: overdue",
            SortBy::Collected => "sort: collected",
            SortBy::Name => "sort: name",
        }
    }
}

pub struct TeamScreen {
    pub rows: Vec<TeamRow>,
    pub list: ListState,
    sort: SortBy,
}

/// In order of importance: the columns that do not fit a narrow window go from the end.
/// Today's figures first (items, calls, contacts, accounts touched), then the period's
/// (DESIGN §6 "Team"). In a narrow window the money collected and owned stays before
/// the rest (rank 1).
const COLUMNS: [Column; 18] = [
    Column::left("collector", 10),
    Column::right("overdue", 7),
    Column::left("oldest", 10),
    Column::right("due today", 9),
    Column::right("done", 5),
    Column::right("calls", 5),
    Column::right("reached", 7),
    Column::right("touched", 7).rank(1),
    Column::right("collected 30d", 14),
    Column::right("open balance", 15),
    Column::right("promised 30d", 14).rank(1),
    Column::right("progress %", 10).rank(1),
    Column::right("kept %", 7).rank(1),
    Column::right("promises", 8).rank(1),
    Column::right("disputes", 8).rank(1),
    Column::right("resolved", 8).rank(1),
    Column::right("accounts", 8).rank(1),
    Column::right("30d calls", 9).rank(1),
];

impl TeamScreen {
    pub fn load(s: &Session) -> Result<TeamScreen> {
        let mut t = TeamScreen {
            rows: Vec::new(),
            list: ListState::default(),
            sort: SortBy::Overdue,
        };
        t.load_rows(s)?;
        Ok(t)
    }

    fn load_rows(&mut self, s: &Session) -> Result<()> {
        let keep = self.selected().map(|r| r.period.user.clone());
        self.rows = s.team(PERIOD_DAYS)?;
        self.resort();
        if let Some(u) = keep
            && let Some(i) = self.rows.iter().position(|r| r.period.user == u)
        {
            self.list.selected = i;
        }
        self.list.clamp(self.rows.len());
        Ok(())
    }

    fn resort(&mut self) {
        match self.sort {
            SortBy::Overdue => self.rows.sort_by(|a, b| {
                b.period
                    .tasks_overdue
                    .cmp(&a.period.tasks_overdue)
                    .then_with(|| a.period.user.cmp(&b.period.user))
            }),
            SortBy::Collected => self
                .rows
                .sort_by_key(|r| std::cmp::Reverse(r.period.collected)),
            SortBy::Name => self.rows.sort_by(|a, b| a.period.user.cmp(&b.period.user)),
        }
    }

    pub fn selected(&self) -> Option<&TeamRow> {
        self.rows.get(self.list.selected)
    }
}

/// A rate in percent, or a dash when there was nothing to divide by.
fn percent(rate: Option<rust_decimal::Decimal>) -> String {
    rate.map_or_else(|| "—".into(), |d| d.to_string())
}

impl Screen for TeamScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Team
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_rows(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let theme = cx.theme;
        let cells = |i: usize| -> Vec<(String, Style)> {
            let Some(r) = self.rows.get(i) else {
                return Vec::new();
            };
            let (t, p) = (&r.today, &r.period);
            let late = if p.tasks_overdue > 0 {
                theme.bad
            } else {
                theme.dim
            };
            // In the order of COLUMNS.
            vec![
                (p.user.clone(), theme.base),
                (p.tasks_overdue.to_string(), late),
                (
                    p.oldest_overdue.map_or_else(String::new, |d| d.to_string()),
                    late,
                ),
                (t.tasks_due.to_string(), theme.base),
                (t.tasks_done.to_string(), theme.good),
                (t.calls.to_string(), theme.base),
                (t.contacts.to_string(), theme.base),
                (t.accounts_touched.to_string(), theme.base),
                (p.collected.grouped(), theme.money),
                (p.open_balance.grouped(), theme.money),
                (p.promised_amount.grouped(), theme.money),
                (percent(p.progress), theme.base),
                (percent(p.promises_kept_rate), theme.base),
                (p.promises.to_string(), theme.base),
                (p.disputes_opened.to_string(), theme.base),
                (p.disputes_resolved.to_string(), theme.base),
                (p.accounts.to_string(), theme.dim),
                (p.calls.to_string(), theme.dim),
            ]
        };
        list::render(
            f.buffer_mut(),
            area,
            &self.list,
            &list::Rows {
                len: self.rows.len(),
                columns: &COLUMNS,
                flex: 0,
                cells: &cells,
            },
            theme,
        );
    }

    fn list(&mut self) -> Option<(&mut ListState, usize)> {
        let n = self.rows.len();
        Some((&mut self.list, n))
    }

    fn shown(&self) -> usize {
        self.rows.len()
    }

    fn open(&self, s: &Session) -> Result<Option<Box<dyn Screen>>> {
        let Some(r) = self.selected() else {
            return Ok(None);
        };
        Ok(Some(Box::new(CollectorScreen::load(s, &r.period.user)?)))
    }

    fn act(&mut self, action: Action, _s: &Session) -> Option<Effect> {
        (action == Action::Sort).then(|| {
            self.sort = self.sort.next();
            self.resort();
            self.list.selected = 0;
            Effect::Status(self.sort.label().to_string(), false)
        })
    }

    fn hint(&self, action: Action) -> Option<String> {
        (action == Action::Sort).then(|| self.sort.label().to_string())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
