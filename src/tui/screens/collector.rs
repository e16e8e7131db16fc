//! One collector's book, opened from *Team*: their accounts, those with work due first
//! (in queue order), and what they recorded lately. Space marks accounts; `a` moves the
//! marked ones — or, with none marked, every account the filter shows — to another
//! collector after a preview of what moves.

use std::collections::{BTreeSet, HashMap};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::keymap::Action;
use super::super::popups::Popup;
use super::super::popups::choose::{BulkAssignForm, Moving};
use super::super::widgets::filter::Filter;
use super::super::widgets::list::{self, Column, ListState};
use super::super::widgets::timeline::{self, Entry, Focus};
use super::{Draw, Effect, Screen, ScreenId, Target};
use crate::domain::{ItemAction, Money, Role};
use crate::service::account::{AccountLine, EventLine};
use crate::service::queue::QueueScope;
use crate::service::{Result, Session};

/// One account of the collector's, with the work due on it.
pub struct BookLine {
    pub account: AccountLine,
    /// Items due today or earlier, and the best one's rank and action.
    pub due: usize,
    pub best: Option<(usize, ItemAction)>,
}

pub struct CollectorScreen {
    pub name: String,
    pub lines: Vec<BookLine>,
    pub shown: Vec<usize>,
    pub list: ListState,
    pub filter: Filter,
    /// Marked accounts, by id.
    pub marked: BTreeSet<String>,
    pub timeline: Vec<EventLine>,
}

const COLUMNS: [Column; 8] = [
    Column::left("", 1),
    Column::left("customer", 9),
    Column::left("name", 26),
    Column::right("due", 3),
    Column::left("next work", 18),
    Column::right("balance", 14),
    Column::right("past due", 14),
    Column::right("dpd", 4),
];

impl CollectorScreen {
    pub fn load(s: &Session, name: &str) -> Result<CollectorScreen> {
        let mut c = CollectorScreen {
            name: name.to_string(),
            lines: Vec::new(),
            shown: Vec::new(),
            list: ListState::default(),
            filter: Filter::default(),
            marked: BTreeSet::new(),
            timeline: Vec::new(),
        };
        c.load_book(s)?;
        Ok(c)
    }

    fn load_book(&mut self, s: &Session) -> Result<()> {
        let keep = self.selected().map(|l| l.account.customer_id.clone());
        let items = s.queue(&QueueScope::Collector(self.name.clone()), None)?;
        let mut due: HashMap<&str, (usize, usize, ItemAction)> = HashMap::new();
        for it in &items {
            let e = due
                .entry(it.customer_id.as_str())
                .or_insert((0, it.rank, it.action));
            e.0 += 1;
        }
        let mut lines: Vec<BookLine> = s
            .accounts()?
            .into_iter()
            .filter(|a| a.owner.as_deref() == Some(self.name.as_str()))
            .map(|a| {
                let d = due.get(a.customer_id.as_str()).copied();
                BookLine {
                    due: d.map_or(0, |x| x.0),
                    best: d.map(|x| (x.1, x.2)),
                    account: a,
                }
            })
            .collect();
        lines.sort_by(|a, b| match (a.best, b.best) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b
                .account
                .past_due
                .cmp(&a.account.past_due)
                .then_with(|| a.account.customer_id.cmp(&b.account.customer_id)),
        });
        self.lines = lines;
        // Marks on accounts that left the book go with them.
        let ids: BTreeSet<&str> = self
            .lines
            .iter()
            .map(|l| l.account.customer_id.as_str())
            .collect();
        self.marked.retain(|m| ids.contains(m.as_str()));
        self.timeline = s.timeline_of(&self.name, 100)?;
        self.apply_filter();
        if let Some(id) = keep
            && let Some(pos) = self
                .shown
                .iter()
                .position(|&i| self.lines[i].account.customer_id == id)
        {
            self.list.selected = pos;
        }
        self.list.clamp(self.shown.len());
        Ok(())
    }

    fn apply_filter(&mut self) {
        self.shown = self.filter.apply(
            self.lines
                .iter()
                .map(|l| format!("{} {}", l.account.customer_id, l.account.name)),
        );
        self.list.clamp(self.shown.len());
    }

    pub fn selected(&self) -> Option<&BookLine> {
        self.shown
            .get(self.list.selected)
            .and_then(|&i| self.lines.get(i))
    }

    /// The accounts `a` would move: the marked ones, else every one shown.
    fn moving(&self) -> Vec<Moving> {
        let pick = |l: &&BookLine| {
            if self.marked.is_empty() {
                true
            } else {
                self.marked.contains(&l.account.customer_id)
            }
        };
        self.shown
            .iter()
            .filter_map(|&i| self.lines.get(i))
            .filter(pick)
            .map(|l| Moving {
                customer: l.account.customer_id.clone(),
                balance: l.account.balance,
                items: l.due,
            })
            .collect()
    }

    fn timeline_view(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let entries: Vec<Entry> = self
            .timeline
            .iter()
            .map(|e| Entry {
                head: format!(
                    "{}{:<9} ",
                    e.on_date.format("%m-%d "),
                    e.customer_id.clone().unwrap_or_default()
                ),
                text: e.detail.clone(),
            })
            .collect();
        timeline::render(
            f,
            area,
            &format!("{}'s recent work", self.name),
            &entries,
            0,
            Focus::None,
            cx.theme,
        );
    }
}

impl Screen for CollectorScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Collector
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_book(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let total: Money = self.lines.iter().map(|l| l.account.balance).sum();
        let due: usize = self.lines.iter().map(|l| l.due).sum();
        let mut spans = vec![
            Span::styled(format!(" {} ", self.name), t.title),
            Span::styled(
                format!(
                    "· {} accounts · {} {} · {due} items due",
                    self.lines.len(),
                    total.grouped(),
                    cx.currency
                ),
                t.dim,
            ),
        ];
        if !self.marked.is_empty() {
            spans.push(Span::styled(
                format!(" · {} marked", self.marked.len()),
                t.warn,
            ));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), head);
        let (list_area, side) = if body.width >= 140 {
            let [a, b] =
                Layout::horizontal([Constraint::Length(100), Constraint::Min(30)]).areas(body);
            (a, b)
        } else {
            let [a, b] = Layout::vertical([Constraint::Min(5), Constraint::Length(6)]).areas(body);
            (a, b)
        };
        let cells = |n: usize| -> Vec<(String, Style)> {
            let Some(l) = self.shown.get(n).and_then(|&i| self.lines.get(i)) else {
                return Vec::new();
            };
            let a = &l.account;
            let mark = if self.marked.contains(&a.customer_id) {
                "✓"
            } else {
                ""
            };
            vec![
                (mark.to_string(), t.warn),
                (a.customer_id.clone(), t.base),
                (a.name.clone(), t.base),
                (
                    if l.due > 0 {
                        l.due.to_string()
                    } else {
                        String::new()
                    },
                    t.warn,
                ),
                (
                    l.best
                        .map_or_else(String::new, |(_, act)| act.work().to_string()),
                    t.base,
                ),
                (a.balance.grouped(), t.money),
                (
                    a.past_due.grouped(),
                    if a.past_due.is_positive() {
                        t.warn
                    } else {
                        t.dim
                    },
                ),
                (a.dpd.to_string(), if a.dpd > 60 { t.bad } else { t.base }),
            ]
        };
        list::render(
            f.buffer_mut(),
            list_area,
            &self.list,
            &list::Rows {
                len: self.shown.len(),
                columns: &COLUMNS,
                flex: 2,
                cells: &cells,
            },
            t,
        );
        self.timeline_view(f, side, cx);
    }

    // A filtered list: `list`, `filter`, `filter_mut`, `refilter`, `shown`.
    filtered_list!();

    fn target(&self) -> Option<Target> {
        self.selected().map(|l| Target {
            customer: l.account.customer_id.clone(),
            name: l.account.name.clone(),
            item: None,
        })
    }

    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[("✓", "marked to move (space)")]
    }

    fn act(&mut self, action: Action, s: &Session) -> Option<Effect> {
        match action {
            Action::Mark => {
                let id = self.selected()?.account.customer_id.clone();
                if !self.marked.remove(&id) {
                    self.marked.insert(id);
                }
                self.list.move_by(1, self.shown.len());
                Some(Effect::Done)
            }
            Action::Assign => {
                let moving = self.moving();
                if moving.is_empty() {
                    return Some(Effect::Status("no account to move".into(), true));
                }
                let users = match s.users() {
                    Ok(u) => u
                        .into_iter()
                        .filter(|u| u.role == Role::Collector && u.name != self.name)
                        .map(|u| u.name)
                        .collect::<Vec<_>>(),
                    Err(e) => return Some(Effect::Status(e.to_string(), true)),
                };
                if users.is_empty() {
                    return Some(Effect::Status(
                        "there is no other collector to move accounts to".into(),
                        true,
                    ));
                }
                // With nothing marked the move takes every account shown, not the
                // one under the cursor: the preview says so before anything moves.
                let what = if self.marked.is_empty() {
                    if self.filter.is_empty() {
                        "every account shown (none is marked; space marks one)".to_string()
                    } else {
                        format!(
                            "every account matching '{}' (none is marked; space marks one)",
                            self.filter.text.trim()
                        )
                    }
                } else {
                    "the marked accounts".to_string()
                };
                Some(Effect::Popup(Popup::form(BulkAssignForm::new(
                    &self.name, &what, moving, users,
                ))))
            }
            _ => None,
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
