//! *Account*: who the customer is and how to reach them, where the account stands in
//! its strategy, what it owes by age, its invoices, promises and disputes, and the
//! timeline of everything that happened.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::keymap::Action;
use super::super::theme::{Theme, ThemeName};
use super::super::widgets::flow::{flow, wrap_line};
use super::super::widgets::list::{self, Column, ListState};
use super::super::widgets::timeline::{self, Entry, Focus};
use rust_decimal::prelude::ToPrimitive;

use super::{Draw, Effect, Screen, ScreenId, Target};
use crate::domain::plan::InstallmentState;
use crate::domain::{Aging, Money, PlanStatus};
use crate::service::account::AccountView;
use crate::service::{Result, Session};

pub struct AccountScreen {
    pub view: AccountView,
    /// The selected invoice (the default for a dispute).
    pub invoices: ListState,
    /// The first timeline entry on screen; the movement keys scroll it while
    /// `on_timeline` (the timeline key switches).
    pub timeline: ListState,
    pub on_timeline: bool,
    /// The furthest entry the timeline may start from, as last drawn.
    timeline_last: std::cell::Cell<usize>,
    /// The queue item the collector came from, finished by a wrap-up.
    pub item: Option<i64>,
}

/// When the table is narrow, the original amount goes before the dispute flag.
const INVOICE_COLUMNS: [Column; 6] = [
    Column::left("invoice", 14),
    Column::left("due", 10),
    Column::right("dpd", 4),
    Column::right("amount", 12).rank(1),
    Column::right("balance", 12),
    Column::right("disputed", 12),
];

impl AccountScreen {
    pub fn load(session: &Session, customer_id: &str, item: Option<i64>) -> Result<AccountScreen> {
        Ok(AccountScreen {
            view: session.account(customer_id, 200)?,
            invoices: ListState::default(),
            timeline: ListState::default(),
            on_timeline: false,
            timeline_last: std::cell::Cell::new(usize::MAX),
            item,
        })
    }

    /// Reads the account again; says so when the item the person came for was
    /// closed meanwhile (by someone else, or the daily run).
    fn load_view(&mut self, session: &Session) -> Result<Option<String>> {
        self.view = session.account(&self.view.customer_id, 200)?;
        self.invoices.clamp(self.view.invoices.len());
        self.timeline.clamp(self.view.events.len());
        if let Some(id) = self.item
            && !self.view.open_items.iter().any(|i| i.item_id == id)
        {
            self.item = None;
            let how = session
                .item_closed(id)?
                .unwrap_or_else(|| "no longer open".into());
            return Ok(Some(format!(
                "item #{id} on {} is {how}: a call now is logged on the account alone",
                self.view.customer_id
            )));
        }
        Ok(None)
    }

    pub fn selected_invoice(&self) -> Option<&str> {
        self.view
            .invoices
            .get(self.invoices.selected)
            .map(|i| i.invoice_no.as_str())
    }

    /// The item `finish` acts on: the one we came from, else the first open one.
    pub fn item_to_finish(&self) -> Option<i64> {
        self.item
            .or_else(|| self.view.open_items.first().map(|i| i.item_id))
    }

    fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let (theme, v) = (cx.theme, &self.view);
        let top_lines = self.summary(theme, cx.currency, area.width);
        let top_h = (top_lines.len() as u16).min(area.height);
        let [top, rest] =
            Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(area);
        f.render_widget(Paragraph::new(top_lines), top);
        // Wide: invoices and the rest on the left, the timeline on the right, two
        // columns apart. Narrow: one under the other, the timeline keeping some rows.
        let wide = rest.width >= 110;
        let (left, right) = if wide {
            let [l, r] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .spacing(2)
                    .areas(rest);
            (l, Some(r))
        } else {
            (rest, None)
        };
        // Narrow, the timeline keeps a few rows beside the invoices; while its keys
        // scroll it, it takes all the rows below the summary, so a long entry can be
        // read whole (the invoices come back with the same key).
        if !wide && self.on_timeline {
            self.timeline_view(f, rest, cx);
            return;
        }
        let extra: Vec<Line<'static>> = self
            .extra_lines(theme)
            .iter()
            .flat_map(|l| wrap_line(l, usize::from(left.width).max(1), 2))
            .collect();
        let inv_rows = (v.invoices.len() as u16 + 1).max(2);
        // The timeline keeps at least a third of the rows below the summary.
        let timeline_min = if wide { 0 } else { (left.height / 3).max(3) };
        let room = left.height.saturating_sub(timeline_min);
        let inv_h = inv_rows.min(room.saturating_sub(extra.len() as u16).max(3.min(room)));
        let extra_h = (extra.len() as u16).min(room.saturating_sub(inv_h));
        let [inv_area, extra_area, below] = Layout::vertical([
            Constraint::Length(inv_h),
            Constraint::Length(extra_h),
            Constraint::Min(0),
        ])
        .areas(left);
        let cells = |i: usize| -> Vec<(String, Style)> {
            let Some(inv) = v.invoices.get(i) else {
                return Vec::new();
            };
            vec![
                (inv.invoice_no.clone(), theme.base),
                (inv.due_date.to_string(), theme.base),
                (
                    inv.dpd.to_string(),
                    if inv.dpd > 60 {
                        theme.bad
                    } else if inv.dpd > 0 {
                        theme.warn
                    } else {
                        theme.dim
                    },
                ),
                (inv.amount.grouped(), theme.dim),
                (inv.balance.grouped(), theme.money),
                (
                    if inv.disputed.is_zero() {
                        String::new()
                    } else {
                        format!("⚑ {}", inv.disputed.grouped())
                    },
                    theme.warn,
                ),
            ]
        };
        if v.invoices.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled("  no open invoices", theme.dim)),
                inv_area,
            );
        } else {
            list::render(
                f.buffer_mut(),
                inv_area,
                &self.invoices,
                &list::Rows {
                    len: v.invoices.len(),
                    columns: &INVOICE_COLUMNS,
                    flex: 0,
                    cells: &cells,
                },
                theme,
            );
        }
        f.render_widget(Paragraph::new(extra), extra_area);
        self.timeline_view(f, right.unwrap_or(below), cx);
    }

    fn summary(&self, theme: &Theme, currency: &str, width: u16) -> Vec<Line<'static>> {
        let v = &self.view;
        let mut title = vec![Span::styled(
            format!("{}  {}", v.customer_id, v.name),
            theme.title,
        )];
        if let Some(a) = &v.agency {
            title.push(Span::styled(
                format!("   ⚑ AT AGENCY {} since {}", a.name, a.since),
                theme.bad,
            ));
        }
        if let Some(h) = &v.hold {
            title.push(Span::styled(
                format!("   ⚑ ON CREDIT HOLD since {} ({})", h.since, h.reason),
                theme.bad,
            ));
        }
        if v.over_limit
            && let Some(limit) = v.credit_limit
        {
            title.push(Span::styled(
                format!(
                    "   ▲ OVER CREDIT LIMIT {} by {}",
                    limit.grouped(),
                    (v.balance - limit).grouped()
                ),
                theme.bad,
            ));
        }
        let mut who = vec![
            Span::styled("owner ", theme.dim),
            Span::raw(v.owner.clone().unwrap_or_else(|| "(none)".into())),
            Span::styled(" · strategy ", theme.dim),
            Span::raw(v.strategy.clone().unwrap_or_else(|| "(none)".into())),
            Span::styled(" · risk ", theme.dim),
            Span::raw(v.risk.to_string()),
        ];
        if !v.risk_set && v.behaviour.is_some() {
            who.push(Span::styled(" (learned)", theme.dim));
        }
        if let Some(s) = &v.segment {
            who.push(Span::styled(" · ", theme.dim));
            who.push(Span::raw(s.clone()));
        }
        if v.white_glove {
            who.push(Span::styled(" · white glove", theme.warn));
        }
        if let Some(limit) = v.credit_limit {
            who.push(Span::styled(" · credit limit ", theme.dim));
            who.push(Span::styled(
                limit.grouped(),
                if v.over_limit { theme.bad } else { theme.base },
            ));
        }
        let mut contact: Vec<Span<'static>> = Vec::new();
        for c in [&v.email, &v.phone].into_iter().flatten() {
            if !contact.is_empty() {
                contact.push(Span::styled(" · ", theme.dim));
            }
            contact.push(Span::raw(c.clone()));
        }
        if !v.opt_out.is_empty() {
            contact.push(Span::styled(
                format!("  opted out: {}", v.opt_out.join(", ")),
                theme.warn,
            ));
        }
        if contact.is_empty() {
            contact.push(Span::styled("no contact details on file", theme.dim));
        }
        let step = v.step.as_ref().map_or(String::new(), |s| {
            format!(" · last step {} done {}", s.id, s.done_on)
        });
        let money = |label: &str, m: Money, style: Style| {
            vec![
                Span::styled(format!("{label} "), theme.dim),
                Span::styled(m.grouped(), style),
            ]
        };
        // Each figure is one piece: a line too short for all moves the next whole.
        let mut figures = vec![
            money("balance", v.balance, theme.money),
            money("past due", v.past_due, theme.money),
        ];
        if !v.disputed.is_zero() {
            figures.push(money("disputed", v.disputed, theme.warn));
        }
        figures.push(money("collectible", v.collectible_past_due, theme.title));
        if v.written_off.is_positive() {
            figures.push(money("written off", v.written_off, theme.dim));
        }
        figures.push(vec![
            Span::styled("DPD ", theme.dim),
            Span::styled(
                v.dpd.to_string(),
                if v.dpd > 60 { theme.bad } else { theme.base },
            ),
        ]);
        if width >= 100 {
            figures.push(vec![Span::styled(format!("({currency})"), theme.dim)]);
        }
        let max = usize::from(width).max(1);
        let text = [
            Line::from(title),
            Line::from(who),
            Line::from(contact),
            Line::from(vec![
                Span::styled(v.status.clone(), theme.warn),
                Span::styled(step, theme.dim),
                Span::styled(
                    v.early_warning.as_ref().map_or(String::new(), |w| {
                        format!("   ! early warning since {}: {}", w.since, w.reason)
                    }),
                    theme.warn,
                ),
            ]),
        ];
        let mut lines: Vec<Line<'static>> =
            text.iter().flat_map(|l| wrap_line(l, max, 2)).collect();
        lines.extend(flow(figures, max, "  ", 0));
        lines.extend(wrap_line(&behaviour_line(v, theme), max, 2));
        lines.push(aging_bar(&v.aging, width.saturating_sub(8), theme));
        lines.extend(aging_legend(&v.aging, max, theme));
        lines
    }

    fn extra_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let v = &self.view;
        let mut out = Vec::new();
        for p in v.promises.iter().take(3) {
            let style = match p.status {
                crate::domain::PromiseStatus::Broken => theme.bad,
                crate::domain::PromiseStatus::Kept => theme.good,
                _ => theme.base,
            };
            out.push(Line::from(vec![
                Span::styled("promise ", theme.dim),
                Span::styled(
                    format!(
                        "#{} {} by {} — {}",
                        p.promise_id,
                        p.amount.grouped(),
                        p.date,
                        p.status.as_str().replace('_', " ")
                    ),
                    style,
                ),
            ]));
        }
        for p in v
            .plans
            .iter()
            .filter(|p| p.status == PlanStatus::Current)
            .take(1)
        {
            let mut spans = vec![
                Span::styled("plan ", theme.dim),
                Span::styled(
                    format!("#{} {} — ", p.plan_id, p.total.grouped()),
                    theme.base,
                ),
            ];
            for (i, inst) in p.installments.iter().enumerate() {
                let style = match inst.status {
                    InstallmentState::Paid => theme.good,
                    InstallmentState::Missed => theme.bad,
                    InstallmentState::Due | InstallmentState::PartlyPaid => theme.warn,
                    InstallmentState::Upcoming => theme.dim,
                };
                if i > 0 {
                    spans.push(Span::styled(" · ", theme.dim));
                }
                spans.push(Span::styled(
                    format!(
                        "{} {} {}",
                        inst.date.format("%m-%d"),
                        inst.amount.grouped(),
                        inst.status.as_str().replace('_', " ")
                    ),
                    style,
                ));
            }
            out.push(Line::from(spans));
        }
        for d in v
            .disputes
            .iter()
            .filter(|d| d.status == crate::domain::DisputeStatus::Open)
        {
            out.push(Line::from(vec![
                Span::styled("dispute ", theme.dim),
                Span::styled(
                    format!(
                        "#{} {} {} ({})",
                        d.dispute_id,
                        d.invoice_no,
                        d.amount.grouped(),
                        d.reason
                    ),
                    theme.warn,
                ),
            ]));
        }
        for i in v.open_items.iter().take(4) {
            let here = if Some(i.item_id) == self.item {
                "▸ "
            } else {
                ""
            };
            out.push(Line::from(vec![
                Span::styled("item ", theme.dim),
                Span::raw(format!(
                    "{here}#{} {} due {} — {}",
                    i.item_id,
                    i.action.work(),
                    i.due,
                    i.note
                )),
            ]));
        }
        out
    }

    fn timeline_view(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let entries: Vec<Entry> = self
            .view
            .events
            .iter()
            .map(|e| Entry {
                head: format!(
                    "{}{:<6} ",
                    e.on_date.format("%m-%d "),
                    crate::display::fit(&e.by, 6)
                ),
                text: e.detail.clone(),
            })
            .collect();
        let key = cx.keymap.key_of(Action::Timeline);
        let focus = if self.on_timeline {
            Focus::Scrolling(&key)
        } else {
            Focus::Elsewhere(&key)
        };
        let last = timeline::render(
            f,
            area,
            "timeline",
            &entries,
            self.timeline.selected,
            focus,
            cx.theme,
        );
        self.timeline_last.set(last);
    }
}

impl Screen for AccountScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Account
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.load_view(s)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        self.render(f, area, cx);
    }

    /// The invoices, or the timeline while it has the focus.
    fn list(&mut self) -> Option<(&mut ListState, usize)> {
        if self.on_timeline {
            let n = self
                .view
                .events
                .len()
                .min(self.timeline_last.get().saturating_add(1));
            return Some((&mut self.timeline, n));
        }
        let n = self.view.invoices.len();
        Some((&mut self.invoices, n))
    }

    fn act(&mut self, action: Action, _s: &Session) -> Option<Effect> {
        (action == Action::Timeline).then(|| {
            self.on_timeline = !self.on_timeline;
            // Back to the invoices, the timeline shows its newest entries again.
            if !self.on_timeline {
                self.timeline.selected = 0;
            }
            Effect::Done
        })
    }

    fn hint(&self, action: Action) -> Option<String> {
        (action == Action::Timeline).then(|| {
            if self.on_timeline {
                "back to invoices".to_string()
            } else {
                "scroll the timeline".to_string()
            }
        })
    }

    fn target(&self) -> Option<Target> {
        Some(Target {
            customer: self.view.customer_id.clone(),
            name: self.view.name.clone(),
            item: self.item,
        })
    }

    fn open(&self, _s: &Session) -> Result<Option<Box<dyn Screen>>> {
        Ok(None)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

/// A bar of the balance by age: one fill per bucket, proportional to its amount.
/// How the customer pays: "pays 23 days late on average (14 invoices) · next ≈ 21
/// days late · 12% more than 30 late".
fn behaviour_line(v: &AccountView, theme: &Theme) -> Line<'static> {
    use crate::behaviour::predict::days_text;
    let Some(b) = &v.behaviour else {
        return Line::from(Span::styled(
            "payment behaviour not measured yet (the daily run measures it)",
            theme.dim,
        ));
    };
    let late = |d: f64| match days_text(d).as_str() {
        "0" => "on the due date".to_string(),
        t if t.starts_with('-') => format!("{} days early", &t[1..]),
        t => format!("{t} days late"),
    };
    let history = match b.avg_days_late {
        Some(avg) => format!(
            "pays {} on average ({} invoice{})",
            late(avg),
            b.history,
            if b.history == 1 { "" } else { "s" }
        ),
        None => "no paid invoice yet".to_string(),
    };
    let p = v.behaviour_p_late_30.unwrap_or(0.0);
    Line::from(vec![
        Span::styled(history, theme.base),
        Span::styled(" · next ≈ ", theme.dim),
        Span::raw(late(b.expected_days_late)),
        Span::styled(" · ", theme.dim),
        Span::styled(
            format!("{:.0}% more than 30 late", p * 100.0),
            if p > 0.4 { theme.bad } else { theme.base },
        ),
    ])
}

fn aging_bar(a: &Aging, width: u16, theme: &Theme) -> Line<'static> {
    let buckets = a.buckets();
    let total = a.total();
    let mut spans = vec![Span::styled("aging ", theme.dim)];
    if !total.is_positive() || width < 5 {
        spans.push(Span::styled("nothing open", theme.dim));
        return Line::from(spans);
    }
    let fills = ['█', '▓', '▒', '░', '▚'];
    let colors = [theme.good, theme.base, theme.warn, theme.warn, theme.bad];
    let mut used = 0u16;
    for (i, (_, m)) in buckets.iter().enumerate() {
        if !m.is_positive() {
            continue;
        }
        let share = (m.decimal() * rust_decimal::Decimal::from(width) / total.decimal()).round();
        let n = share
            .to_u16()
            .unwrap_or(0)
            .max(1)
            .min(width.saturating_sub(used));
        used += n;
        let fill = if theme.name == ThemeName::Mono {
            fills[i]
        } else {
            '█'
        };
        spans.push(Span::styled(
            fill.to_string().repeat(usize::from(n)),
            colors[i],
        ));
    }
    Line::from(spans)
}

/// What each age bucket holds, under the bar; a bucket that does not fit on the
/// line moves to the next whole.
fn aging_legend(a: &Aging, max: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut pieces: Vec<Vec<Span<'static>>> = a
        .buckets()
        .into_iter()
        .map(|(label, m)| {
            vec![
                Span::styled(format!("{label} "), theme.dim),
                Span::styled(
                    m.grouped(),
                    if m.is_positive() {
                        theme.base
                    } else {
                        theme.dim
                    },
                ),
            ]
        })
        .collect();
    if let Some(first) = pieces.first_mut() {
        first.insert(0, Span::raw("      "));
    }
    flow(pieces, max, "  ", 6)
}
