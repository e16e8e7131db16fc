//! *What-if* (supervisors, from Strategies with `t`): a strategy replayed on the last
//! 60 days beside what happened. Certain figures on the left, the estimate on the
//! right, calls / mail / holds per week as bars (record ▒, candidate █), and each
//! collector's daily load against their capacity (│).

use chrono::{Duration, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::widgets::list::{self, Column, ListState};
use super::{Draw, Screen, ScreenId};
use crate::display::wrap;
use crate::progress::Silent;
use crate::service::whatif::{Accounts, TryRequest, WhatIf};
use crate::service::{Result, ServiceError, Session};
use crate::whatif::tally::{Figures, WeekLoad};

/// Days the screen replays, up to the last daily close.
pub const DAYS: i64 = 60;

/// The first day of the period that ends on `to`.
pub fn period_from(to: NaiveDate) -> NaiveDate {
    to - Duration::days(DAYS - 1)
}

/// One weekly chart: its name, the figure it shows, where it goes.
type Weekly<'a> = (&'a str, fn(&WeekLoad) -> u64, Rect);

const RECORD: &str = "▒";
const CANDIDATE: &str = "█";

pub struct WhatIfScreen {
    pub w: WhatIf,
    /// What the candidate replaced, for the title.
    pub on: String,
    /// The collectors' rows.
    pub list: ListState,
}

impl WhatIfScreen {
    /// Replays the last [`DAYS`] days with the loaded strategy `id` on `accounts`.
    pub fn compute(s: &Session, id: &str, accounts: &Accounts) -> Result<WhatIfScreen> {
        let (candidate, _) = s.strategy(id)?;
        let to = s.last_close()?.ok_or_else(|| {
            ServiceError::Invalid(
                "no daily close is in the record yet: there is no past to replay".into(),
            )
        })?;
        let req = TryRequest {
            from: period_from(to),
            to,
            accounts: accounts.clone(),
        };
        let w = s.try_strategy(&candidate, &req, &Silent)?;
        let on = match accounts {
            Accounts::Of(o) if o == id => format!("its own accounts ({})", w.accounts),
            Accounts::Of(o) => format!("the accounts of {o} ({})", w.accounts),
            Accounts::Segment(seg) => format!("segment {seg} ({})", w.accounts),
            Accounts::Customers(_) => format!("{} chosen accounts", w.accounts),
            Accounts::AsLoaded => "every account, as if loaded".into(),
        };
        Ok(WhatIfScreen {
            w,
            on,
            list: ListState::default(),
        })
    }

    fn certain(&self, f: &mut Frame<'_>, area: Rect, t: &crate::tui::theme::Theme, short: bool) {
        let (a, c) = (&self.w.actual, &self.w.candidate);
        let mut rows: Vec<(&str, u64, u64)> = vec![("steps done", a.steps, c.steps)];
        if short {
            rows.push(("messages", mail(a), mail(c)));
        } else {
            rows.extend([
                ("emails", a.emails, c.emails),
                ("letters", a.letters, c.letters),
                ("text messages", a.sms, c.sms),
            ]);
        }
        rows.extend([
            ("calls to make", a.calls, c.calls),
            ("credit holds set", a.holds, c.holds),
            ("holds released", a.holds_released, c.holds_released),
            ("escalations", a.escalations, c.escalations),
        ]);
        if !short {
            rows.push(("agency reviews", a.agency, c.agency));
        }
        rows.extend([
            ("queue items", a.tasks, c.tasks),
            (
                "customers contacted",
                a.customers_contacted,
                c.customers_contacted,
            ),
        ]);
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{:<20}", "certain"), t.title),
            Span::styled(
                format!("{:>8}{:>10}{:>8}", "record", "candidate", "change"),
                t.dim,
            ),
        ])];
        for (label, x, y) in rows {
            let d = y as i64 - x as i64;
            let change = match d {
                0 => "·".to_string(),
                d if d > 0 => format!("+{d}"),
                d => d.to_string(),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<20}"), t.base),
                Span::styled(format!("{x:>8}"), t.money),
                Span::styled(format!("{y:>10}"), t.money),
                Span::styled(format!("{change:>8}"), if d == 0 { t.dim } else { t.title }),
            ]));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn estimated(&self, f: &mut Frame<'_>, area: Rect, t: &crate::tui::theme::Theme) {
        let e = &self.w.estimated;
        let width = usize::from(area.width.saturating_sub(1)).max(10);
        let mut lines = vec![Line::from(Span::styled("estimated — not a record", t.warn))];
        // The range on a line of its own, so a narrow column never parts its ends.
        let cash = format!("cash collected {}", signed(e.collected_delta.grouped()));
        let range = format!(
            "  range {} to {}",
            signed(e.collected_low.grouped()),
            signed(e.collected_high.grouped())
        );
        let dso = match e.dso_delta {
            Some(d) => format!("DSO at the end {} days", signed(d.to_string())),
            None => "DSO: no credit sales in the period".into(),
        };
        for text in [cash, range, dso] {
            lines.extend(
                wrap(&text, width)
                    .into_iter()
                    .map(|l| Line::from(Span::styled(l, t.money))),
            );
        }
        let why = "Payments happened under the old strategy: contacts and holds are assumed to move them as before the period (docs/PREDICTION.md).";
        lines.extend(
            wrap(why, width)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, t.dim))),
        );
        f.render_widget(Paragraph::new(lines), area);
    }

    fn weeks(&self, f: &mut Frame<'_>, area: Rect, t: &crate::tui::theme::Theme) {
        let third = area.width / 3;
        let gap = |r: Rect| Rect {
            width: r.width.saturating_sub(2),
            ..r
        };
        let [a, b, c] = Layout::horizontal([
            Constraint::Length(third),
            Constraint::Length(third),
            Constraint::Min(third),
        ])
        .areas(area);
        let pick: [Weekly; 3] = [
            ("calls", |w| w.calls, gap(a)),
            ("mail", |w| w.mail, gap(b)),
            ("holds", |w| w.holds, c),
        ];
        for (name, get, r) in pick {
            let pairs: Vec<(u64, u64)> = self
                .w
                .weeks
                .iter()
                .map(|w| (get(&w.actual), get(&w.candidate)))
                .collect();
            week_bars(f, r, name, &pairs, t);
        }
    }

    /// Each collector's load, a list that scrolls: peaks, averages and days over
    /// capacity (record → candidate), and both peaks as a bar against the capacity.
    fn load(&self, f: &mut Frame<'_>, area: Rect, t: &crate::tui::theme::Theme) {
        let [head, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("new items per day, record → candidate  ", t.title),
                Span::styled(
                    format!("{RECORD} record {CANDIDATE} candidate │ capacity"),
                    t.dim,
                ),
            ])),
            head,
        );
        let loads = &self.w.per_collector;
        let bar_w = list::fit_columns(&LOAD_COLUMNS, 5, rows.width)
            .last()
            .map_or(8, |(_, w)| usize::from(*w));
        let cells = |i: usize| -> Vec<(String, Style)> {
            let Some(l) = loads.get(i) else {
                return Vec::new();
            };
            let over = l.candidate_days_over > l.actual_days_over;
            vec![
                (l.user.clone(), t.base),
                (l.capacity.to_string(), t.dim),
                (
                    format!("{} → {}", l.actual_peak_day, l.candidate_peak_day),
                    t.money,
                ),
                (
                    format!("{:.1} → {:.1}", l.actual_avg_day, l.candidate_avg_day),
                    t.money,
                ),
                (
                    format!("{} → {}", l.actual_days_over, l.candidate_days_over),
                    if over { t.warn } else { t.base },
                ),
                (
                    capacity_bar(l.actual_peak_day, l.candidate_peak_day, l.capacity, bar_w),
                    if l.candidate_peak_day > l.capacity {
                        t.warn
                    } else {
                        t.base
                    },
                ),
            ]
        };
        list::render(
            f.buffer_mut(),
            rows,
            &self.list,
            &list::Rows {
                len: loads.len(),
                columns: &LOAD_COLUMNS,
                flex: 5,
                cells: &cells,
            },
            t,
        );
    }
}

const LOAD_COLUMNS: [Column; 6] = [
    Column::left("user", 14),
    Column::right("cap", 4),
    Column::right("peak/day", 11),
    Column::right("average", 11),
    Column::right("days over", 9),
    Column::left("peaks against capacity", 8),
];

fn mail(f: &Figures) -> u64 {
    f.emails + f.letters + f.sms
}

fn signed(s: String) -> String {
    if s.starts_with('-') || s.trim_start_matches(['0', '.', ',']).is_empty() {
        s
    } else {
        format!("+{s}")
    }
}

/// Both peaks as one bar: the candidate's (█) over the record's (▒), with the
/// capacity marked (│); scaled to the largest of the three.
fn capacity_bar(record: u64, candidate: u64, capacity: u64, width: usize) -> String {
    let top = record.max(candidate).max(capacity).max(1);
    let at = |n: u64| (u128::from(n) * width as u128 / u128::from(top)) as usize;
    let (r, c, cap) = (
        at(record),
        at(candidate),
        at(capacity).min(width.saturating_sub(1)),
    );
    (0..width)
        .map(|i| {
            if i == cap {
                "│"
            } else if i < c {
                CANDIDATE
            } else if i < r {
                RECORD
            } else {
                " "
            }
        })
        .collect()
}

/// One figure per week: a pair of columns (record ▒, candidate █) per week, scaled to
/// the largest, with the largest figure in the title so no bar needs a number.
fn week_bars(
    f: &mut Frame<'_>,
    area: Rect,
    name: &str,
    pairs: &[(u64, u64)],
    t: &crate::tui::theme::Theme,
) {
    let top = pairs.iter().map(|(a, b)| *a.max(b)).max().unwrap_or(0);
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border)
        .title(Span::styled(format!(" {name}/week, max {top} "), t.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let h = usize::from(inner.height);
    if h == 0 || top == 0 {
        return;
    }
    let height =
        |n: u64| -> usize { ((u128::from(n) * h as u128).div_ceil(u128::from(top))) as usize };
    // A space between weeks when every week fits with one, else none.
    let width = usize::from(inner.width);
    let spaced = 3 * pairs.len() <= width + 1;
    let mut lines = Vec::with_capacity(h);
    for row in 0..h {
        let level = h - row;
        let mut spans = Vec::new();
        for (i, (a, b)) in pairs.iter().enumerate() {
            let end = if spaced { 3 * i + 2 } else { 2 * i + 2 };
            if end > width {
                break;
            }
            spans.push(Span::styled(
                if height(*a) >= level { RECORD } else { " " },
                t.dim,
            ));
            spans.push(Span::styled(
                if height(*b) >= level { CANDIDATE } else { " " },
                t.title,
            ));
            if spaced {
                spans.push(Span::raw(" "));
            }
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

impl Screen for WhatIfScreen {
    fn id(&self) -> ScreenId {
        ScreenId::WhatIf
    }

    /// A replay is of a fixed past: nothing to read again.
    fn reload(&mut self, _s: &Session) -> Result<Option<String>> {
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        let w = &self.w;
        let short = area.height < 30;
        let table_rows = if short { 9 } else { 13 };
        let users = w.per_collector.len() as u16 + 1;
        let [title, top, weeks, load] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(table_rows),
            Constraint::Length(if short { 6 } else { 10 }),
            Constraint::Min(users.min(4)),
        ])
        .areas(area);
        let head = format!("{} on {} · {} – {}", w.strategy, self.on, w.from, w.to);
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                crate::display::fit(&head, usize::from(area.width)),
                t.title,
            ))),
            title,
        );
        let [left, right] =
            Layout::horizontal([Constraint::Length(47), Constraint::Min(20)]).areas(top);
        self.certain(f, left, t, short);
        self.estimated(f, right, t);
        self.weeks(f, weeks, t);
        self.load(f, load, t);
    }

    fn open(&self, _s: &Session) -> Result<Option<Box<dyn Screen>>> {
        Ok(None)
    }

    fn list(&mut self) -> Option<(&mut ListState, usize)> {
        let n = self.w.per_collector.len();
        Some((&mut self.list, n))
    }

    fn shown(&self) -> usize {
        self.w.per_collector.len()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
