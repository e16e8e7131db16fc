//! *Approvals* (supervisors): write-offs and hold releases to approve, and the
//! escalation, agency, write-off review and exhausted-strategy items that ask for a
//! decision — each with the account's figures beside it. `f` decides, Enter opens.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Screen, ScreenId, Target};
use crate::service::account::AccountView;
use crate::service::queue::QueueItem;
use crate::service::{Result, Session};

pub struct ApprovalsScreen {
    pub items: Vec<QueueItem>,
    pub list: ListState,
    /// The selected item's account (read when the selection moves).
    view: Option<Selected>,
}

/// What the side panel shows of the selected item.
struct Selected {
    item: i64,
    account: AccountView,
    /// For a write-off waiting for approval: what approving it would write off now.
    write_off: Option<crate::domain::Money>,
}

const COLUMNS: [Column; 7] = [
    Column::right("item", 6),
    Column::left("asks for", 20),
    Column::left("customer", 9),
    Column::left("name", 24),
    Column::right("collectible", 14),
    Column::right("dpd", 4),
    Column::right("waiting", 7),
];

impl ApprovalsScreen {
    pub fn load(s: &Session) -> Result<ApprovalsScreen> {
        let mut a = ApprovalsScreen {
            items: Vec::new(),
            list: ListState::default(),
            view: None,
        };
        a.load_items(s)?;
        Ok(a)
    }

    fn load_items(&mut self, s: &Session) -> Result<()> {
        let keep = self.selected().map(|i| i.item_id);
        self.items = s.approvals()?;
        if let Some(id) = keep
            && let Some(pos) = self.items.iter().position(|i| i.item_id == id)
        {
            self.list.selected = pos;
        }
        self.list.clamp(self.items.len());
        self.view = None;
        self.read_selected(s);
        Ok(())
    }

    /// Reads the selected item's account when it is not the one on show.
    fn read_selected(&mut self, s: &Session) {
        let Some(it) = self.items.get(self.list.selected) else {
            self.view = None;
            return;
        };
        if self.view.as_ref().is_some_and(|v| v.item == it.item_id) {
            return;
        }
        let write_off = (it.action == crate::domain::ItemAction::ApproveWriteOff)
            .then(|| s.write_off_now(it.item_id).ok())
            .flatten();
        self.view = s.account(&it.customer_id, 6).ok().map(|account| Selected {
            item: it.item_id,
            account,
            write_off,
        });
    }

    pub fn selected(&self) -> Option<&QueueItem> {
        self.items.get(self.list.selected)
    }

    fn side(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        let block = Block::default()
            .borders(Borders::LEFT | Borders::TOP)
            .border_style(t.border)
            .title(Span::styled(" the account ", t.title));
        let Some(it) = self.selected() else {
            f.render_widget(block, area);
            return;
        };
        let Some(sel) = self.view.as_ref().filter(|v| v.item == it.item_id) else {
            f.render_widget(
                Paragraph::new(Span::styled("  the account could not be read", t.bad)).block(block),
                area,
            );
            return;
        };
        let v = &sel.account;
        let money = |label: &str, m: crate::domain::Money| {
            Line::from(vec![
                Span::styled(format!("{label:<14}"), t.dim),
                Span::styled(m.grouped(), t.money),
            ])
        };
        let mut lines = vec![
            Line::from(Span::styled(
                format!("{}  {}", v.customer_id, v.name),
                t.title,
            )),
            Line::from(Span::styled(it.note.clone(), t.base)),
            Line::from(""),
        ];
        if let Some(amount) = sel.write_off {
            lines.push(money("to write off", amount));
        }
        lines.extend([
            money("balance", v.balance),
            money("past due", v.past_due),
            money("collectible", v.collectible_past_due),
        ]);
        if v.written_off.is_positive() {
            lines.push(money("written off", v.written_off));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<14}", "days past due"), t.dim),
            Span::styled(v.dpd.to_string(), if v.dpd > 60 { t.bad } else { t.base }),
        ]));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<14}", "owner"), t.dim),
            Span::raw(v.owner.clone().unwrap_or_else(|| "(none)".into())),
        ]));
        lines.push(Line::from(Span::styled(v.status.clone(), t.warn)));
        if let Some(a) = &v.agency {
            lines.push(Line::from(Span::styled(
                format!("at agency {} since {}", a.name, a.since),
                t.bad,
            )));
        }
        lines.push(Line::from(""));
        for e in v.events.iter().take(6) {
            lines.push(Line::from(vec![
                Span::styled(e.on_date.format("%m-%d ").to_string(), t.dim),
                Span::raw(e.detail.clone()),
            ]));
        }
        f.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}

impl Screen for ApprovalsScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Approvals
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_items(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        if self.items.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(
                    "  Nothing waits for a supervisor's approval or decision.",
                    t.dim,
                )),
                area,
            );
            return;
        }
        let (list_area, side) = if area.width >= 120 {
            // The list as wide as its names need, the account beside it keeping 40
            // columns (28 at the narrowest).
            let list_width = list::natural_width(&COLUMNS, 3)
                .min(area.width.saturating_sub(40))
                .max(92);
            let [a, b] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(28)])
                .areas(area);
            (a, b)
        } else {
            let [a, b] = Layout::vertical([Constraint::Min(5), Constraint::Length(9)]).areas(area);
            (a, b)
        };
        let cells = |i: usize| -> Vec<(String, Style)> {
            let Some(it) = self.items.get(i) else {
                return Vec::new();
            };
            vec![
                (format!("#{}", it.item_id), t.dim),
                (
                    it.action.label().to_string(),
                    if it.action.is_approval() {
                        t.warn
                    } else {
                        t.base
                    },
                ),
                (it.customer_id.clone(), t.base),
                (it.customer_name.clone(), t.base),
                (it.collectible_past_due.grouped(), t.money),
                (it.dpd.to_string(), if it.dpd > 60 { t.bad } else { t.base }),
                (
                    format!("{}d", it.days_overdue),
                    if it.days_overdue > 7 { t.bad } else { t.dim },
                ),
            ]
        };
        list::render(
            f.buffer_mut(),
            list_area,
            &self.list,
            &list::Rows {
                len: self.items.len(),
                columns: &COLUMNS,
                flex: 3,
                cells: &cells,
            },
            t,
        );
        self.side(f, side, cx);
    }

    fn list(&mut self) -> Option<(&mut ListState, usize)> {
        let n = self.items.len();
        Some((&mut self.list, n))
    }

    fn moved(&mut self, s: &Session) {
        self.read_selected(s);
    }

    fn shown(&self) -> usize {
        self.items.len()
    }

    fn target(&self) -> Option<Target> {
        self.selected().map(|i| Target {
            customer: i.customer_id.clone(),
            name: i.customer_name.clone(),
            item: Some(i.item_id),
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
