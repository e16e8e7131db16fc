//! *Accounts*: every account the user may see, filterable as you type and sortable
//! by balance, days past due or name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::super::keymap::Action;
use super::super::theme::Theme;
use super::super::widgets::filter::Filter;
use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Effect, Screen, ScreenId, Target};
use crate::service::account::AccountLine;
use crate::service::{Result, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Balance,
    Dpd,
    Name,
}

impl SortBy {
    fn next(self) -> SortBy {
        match self {
            SortBy::Balance => SortBy::Dpd,
            SortBy::Dpd => SortBy::Name,
            SortBy::Name => SortBy::Balance,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Balance => "balance",
            SortBy::Dpd => "days past due",
            SortBy::Name => "name",
        }
    }
}

pub struct AccountsScreen {
    pub lines: Vec<AccountLine>,
    pub shown: Vec<usize>,
    pub list: ListState,
    pub filter: Filter,
    pub sort: SortBy,
}

const COLUMNS: [Column; 8] = [
    Column::left("customer", 9),
    Column::left("name", 30),
    Column::left("owner", 6),
    Column::right("balance", 14),
    Column::right("past due", 14),
    Column::right("collectible", 14),
    Column::right("dpd", 4),
    Column::left("flags", 20),
];

/// When the flags in words do not fit (80 columns): the marks alone (`⚑▲!●`), kept
/// before the owner and the collectible amount, which make way first.
const NARROW: [Column; 8] = [
    Column::left("customer", 9),
    Column::left("name", 30),
    Column::left("owner", 6).rank(1),
    Column::right("balance", 14),
    Column::right("past due", 14),
    Column::right("collectible", 14).rank(2),
    Column::right("dpd", 4),
    Column::left("flags", 5),
];

/// The columns for a list `width` wide, and whether its flags are the marks alone.
fn columns(width: u16) -> (&'static [Column; 8], bool) {
    let flags_fit = list::fit_columns(&COLUMNS, 1, width)
        .iter()
        .any(|(c, _)| c.title == "flags");
    if flags_fit {
        (&COLUMNS, false)
    } else {
        (&NARROW, true)
    }
}

/// The marks in the flags column.
const LEGEND: &[(&str, &str)] = &[
    ("●", "in a collection cycle"),
    ("⚑hold", "on credit hold"),
    ("▲limit", "over its credit limit"),
    ("!warn", "early warning"),
];

impl AccountsScreen {
    pub fn load(session: &Session) -> Result<AccountsScreen> {
        let mut s = AccountsScreen {
            lines: Vec::new(),
            shown: Vec::new(),
            list: ListState::default(),
            filter: Filter::default(),
            sort: SortBy::Balance,
        };
        s.load_lines(session)?;
        Ok(s)
    }

    fn load_lines(&mut self, session: &Session) -> Result<()> {
        let keep = self.selected().map(|l| l.customer_id.clone());
        self.lines = session.accounts()?;
        self.resort();
        if let Some(id) = keep
            && let Some(pos) = self
                .shown
                .iter()
                .position(|&i| self.lines[i].customer_id == id)
        {
            self.list.selected = pos;
        }
        Ok(())
    }

    fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.resort();
        self.list.selected = 0;
    }

    fn resort(&mut self) {
        match self.sort {
            SortBy::Balance => self.lines.sort_by(|a, b| {
                b.balance
                    .cmp(&a.balance)
                    .then_with(|| a.customer_id.cmp(&b.customer_id))
            }),
            SortBy::Dpd => self.lines.sort_by(|a, b| {
                b.dpd
                    .cmp(&a.dpd)
                    .then_with(|| b.past_due.cmp(&a.past_due))
                    .then_with(|| a.customer_id.cmp(&b.customer_id))
            }),
            SortBy::Name => self.lines.sort_by(|a, b| {
                a.name
                    .to_lowercase()
                    .cmp(&b.name.to_lowercase())
                    .then_with(|| a.customer_id.cmp(&b.customer_id))
            }),
        }
        self.apply_filter();
    }

    fn apply_filter(&mut self) {
        self.shown = self.filter.apply(self.lines.iter().map(|l| {
            // The flags can be typed too: "/over limit", "/warning", "/hold".
            format!(
                "{} {} {}{}{}{}",
                l.customer_id,
                l.name,
                l.owner.as_deref().unwrap_or(""),
                if l.on_hold { " hold" } else { "" },
                if l.over_limit { " over limit" } else { "" },
                if l.early_warning { " warning" } else { "" }
            )
        }));
        self.list.clamp(self.shown.len());
    }

    pub fn selected(&self) -> Option<&AccountLine> {
        self.shown
            .get(self.list.selected)
            .and_then(|&i| self.lines.get(i))
    }

    fn view(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let (columns, marks_only) = columns(area.width);
        let cells = |n: usize| -> Vec<(String, Style)> {
            let Some(l) = self.shown.get(n).and_then(|&i| self.lines.get(i)) else {
                return Vec::new();
            };
            let mut flags = String::new();
            for (on, word) in [
                (l.on_hold, "⚑hold "),
                (l.over_limit, "▲limit "),
                (l.early_warning, "!warn "),
            ] {
                if on {
                    match (marks_only, word.chars().next()) {
                        (true, Some(mark)) => flags.push(mark),
                        _ => flags.push_str(word),
                    }
                }
            }
            if l.in_collection {
                flags.push('●');
            }
            vec![
                (l.customer_id.clone(), theme.base),
                (l.name.clone(), theme.base),
                (l.owner.clone().unwrap_or_default(), theme.dim),
                (l.balance.grouped(), theme.money),
                (
                    l.past_due.grouped(),
                    if l.past_due.is_positive() {
                        theme.warn
                    } else {
                        theme.dim
                    },
                ),
                (l.collectible_past_due.grouped(), theme.money),
                (
                    l.dpd.to_string(),
                    if l.dpd > 60 { theme.bad } else { theme.base },
                ),
                (
                    flags,
                    if l.on_hold || l.over_limit {
                        theme.bad
                    } else if l.early_warning {
                        theme.warn
                    } else {
                        theme.dim
                    },
                ),
            ]
        };
        list::render(
            f.buffer_mut(),
            area,
            &self.list,
            &list::Rows {
                len: self.shown.len(),
                columns,
                flex: 1,
                cells: &cells,
            },
            theme,
        );
    }
}

impl Screen for AccountsScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Accounts
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_lines(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        self.view(f, area, cx.theme);
    }

    // A filtered list: `list`, `filter`, `filter_mut`, `refilter`, `shown`.
    filtered_list!();

    fn target(&self) -> Option<Target> {
        self.selected().map(|l| Target {
            customer: l.customer_id.clone(),
            name: l.name.clone(),
            item: None,
        })
    }

    fn act(&mut self, action: Action, _s: &Session) -> Option<Effect> {
        (action == Action::Sort).then(|| {
            self.cycle_sort();
            Effect::Status(format!("sorted by {}", self.sort.label()), false)
        })
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        LEGEND
    }

    fn marks_shown(&self, width: u16) -> bool {
        let (columns, _) = columns(width);
        list::fit_columns(columns, 1, width)
            .iter()
            .any(|(c, _)| c.title == "flags")
    }

    fn hint(&self, action: Action) -> Option<String> {
        (action == Action::Sort).then(|| {
            match self.sort {
                SortBy::Balance => "sort: balance",
                SortBy::Dpd => "sort: DPD",
                SortBy::Name => "sort: name",
            }
            .to_string()
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
