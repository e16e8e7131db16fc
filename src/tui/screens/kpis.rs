//! *KPIs* (supervisors): the aging as a bar chart with its amounts, the last 30 days'
//! figures, twelve weeks of past due, DSO and CEI, the objectives as gauges, and the
//! figures before and after the latest strategy version. Amounts are written out in
//! full beside the charts; the charts only show shape.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Borders, Chart, Dataset, GraphType, LineGauge, Paragraph,
    Sparkline,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::super::theme::Theme;
use super::{Draw, Screen, ScreenId};
use crate::domain::Money;
use crate::metrics::objective::Standing;
use crate::report::board::{KpiBoard, board};
use crate::report::objectives::ObjectiveLine;
use crate::service::{Result, Session};

pub struct KpiScreen {
    pub board: KpiBoard,
}

impl KpiScreen {
    pub fn load(s: &Session) -> Result<KpiScreen> {
        Ok(KpiScreen { board: board(s)? })
    }

    fn aging(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let a = &self.board.aging;
        let buckets = a.buckets();
        let [chart, legend] =
            Layout::horizontal([Constraint::Min(29), Constraint::Length(24)]).areas(area);
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border)
            .title(Span::styled(" aging today ", t.title));
        let styles = [t.good, t.base, t.warn, t.warn, t.bad];
        // Short names under the bars (the legend beside them spells them out).
        let short = ["cur", "1-30", "31-60", "61-90", "91+"];
        let bars: Vec<Bar<'_>> = buckets
            .iter()
            .zip(styles)
            .zip(short)
            .map(|(((_, m), st), label)| {
                Bar::default()
                    .value(m.decimal().to_u64().unwrap_or(0))
                    .label(Line::from(label))
                    .text_value(String::new())
                    .style(st)
            })
            .collect();
        // Wide enough for the longest bucket name under each bar.
        let width = (chart.width.saturating_sub(4) / 5).clamp(5, 9);
        f.render_widget(
            BarChart::default()
                .block(block)
                .data(BarGroup::default().bars(&bars))
                .bar_width(width)
                .bar_gap(1)
                .bar_set(symbols::bar::NINE_LEVELS),
            chart,
        );
        let mut lines = vec![Line::from("")];
        for (label, m) in buckets {
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<8}"), t.dim),
                Span::styled(format!("{:>15}", m.grouped()), t.money),
            ]));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{:<8}", "total"), t.title),
            Span::styled(format!("{:>15}", a.total().grouped()), t.title),
        ]));
        f.render_widget(Paragraph::new(lines), legend);
    }

    fn figures(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let k = &self.board.last30;
        let d =
            |v: Option<Decimal>, unit: &str| v.map_or_else(|| "—".into(), |v| format!("{v}{unit}"));
        let row = |label: &str, value: String| {
            Line::from(vec![
                Span::styled(format!("{label:<12}"), t.dim),
                Span::styled(value, t.base),
            ])
        };
        let lines = vec![
            Line::from(Span::styled(
                format!(" 30 days to {}", k.to.format("%m-%d")),
                t.title,
            )),
            row("DSO", d(k.kpis.dso, " d")),
            row("BPDSO", d(k.kpis.bpdso, " d")),
            row("ADD", d(k.kpis.add, " d")),
            row("CEI", d(k.kpis.cei, " %")),
            row("kept", d(k.promise_kept_rate, " %")),
            row("collected", k.collected.grouped()),
            row("written off", k.written_off.grouped()),
        ];
        f.render_widget(Paragraph::new(lines), area);
    }

    fn trends(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let weeks = &self.board.weeks;
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border)
            .title(Span::styled(" 12 weeks ", t.title));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let rows = Layout::vertical([Constraint::Length(1); 3]).split(inner);
        type Series<'a> = (&'a str, Vec<Option<Decimal>>, &'a dyn Fn(Decimal) -> String);
        let series: [Series<'_>; 3] = [
            (
                "past due",
                weeks
                    .iter()
                    .map(|w| w.past_due.map(|m| m.decimal()))
                    .collect(),
                &|v| Money::round_from(v).grouped(),
            ),
            ("DSO 90d", weeks.iter().map(|w| w.dso).collect(), &|v| {
                format!("{v} d")
            }),
            ("CEI 30d", weeks.iter().map(|w| w.cei).collect(), &|v| {
                format!("{v} %")
            }),
        ];
        for ((label, values, show), row) in series.iter().zip(rows.iter()) {
            let known: Vec<Decimal> = values.iter().flatten().copied().collect();
            let ends = match (known.first(), known.last()) {
                (Some(a), Some(b)) => format!("{} → {}", show(*a), show(*b)),
                _ => "no daily runs yet".to_string(),
            };
            let [name, spark, text] = Layout::horizontal([
                Constraint::Length(9),
                Constraint::Length(14),
                Constraint::Min(10),
            ])
            .areas(*row);
            f.render_widget(Paragraph::new(Span::styled(*label, t.dim)), name);
            let data = spark_levels(values);
            f.render_widget(
                Sparkline::default()
                    .data(&data)
                    .style(t.title)
                    .absent_value_symbol("·")
                    .absent_value_style(t.dim),
                spark,
            );
            f.render_widget(
                Paragraph::new(Span::styled(format!(" {ends}"), t.base)),
                text,
            );
        }
    }

    /// The trend lines as charts, for windows with room for them. (Plotting needs
    /// floating-point coordinates; the figures written beside them stay exact.)
    fn trend_charts(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let weeks = &self.board.weeks;
        let points = |pick: &dyn Fn(&crate::report::board::WeekPoint) -> Option<Decimal>| -> Vec<(f64, f64)> {
            weeks
                .iter()
                .enumerate()
                .filter_map(|(i, w)| pick(w).and_then(|v| v.to_f64()).map(|v| (i as f64, v)))
                .collect()
        };
        let past_due = points(&|w| w.past_due.map(|m| m.decimal()));
        let dso = points(&|w| w.dso);
        let cei = points(&|w| w.cei);
        let [left, _, right] = Layout::horizontal([
            Constraint::Percentage(50),
            Constraint::Length(3),
            Constraint::Min(20),
        ])
        .areas(area);
        let x_labels: Vec<Span<'_>> = [weeks.first(), weeks.last()]
            .iter()
            .flatten()
            .map(|w| Span::styled(w.day.format("%m-%d").to_string(), t.dim))
            .collect();
        let top = |v: &[(f64, f64)]| v.iter().map(|p| p.1).fold(0.0_f64, f64::max) * 1.02 + 1.0;
        let pd_top = top(&past_due);
        let pd_max = weeks
            .iter()
            .filter_map(|w| w.past_due)
            .max()
            .unwrap_or_default();
        let chart = Chart::new(vec![
            Dataset::default()
                .name("past due")
                .marker(symbols::Marker::Braille)
                .graph_type(GraphType::Line)
                .style(t.warn)
                .data(&past_due),
        ])
        .block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(t.border)
                .title(Span::styled(" past due, 12 weeks ", t.title)),
        )
        // The title names the line; a legend box would sit on the newest weeks.
        .legend_position(None)
        .x_axis(
            Axis::default()
                .bounds([0.0, 11.0])
                .labels(x_labels.clone())
                .style(t.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, pd_top])
                .labels(vec![
                    Span::styled("0", t.dim),
                    Span::styled(pd_max.grouped(), t.dim),
                ])
                .style(t.dim),
        );
        f.render_widget(chart, left);
        let both_top = top(&dso).max(top(&cei)).max(100.0);
        let chart = Chart::new(vec![
            Dataset::default()
                // DSO reads 90 days of sales and balances to each point (steadier
                // than the headline's 30): the legend says so.
                .name("DSO, 90 days (days)")
                .marker(symbols::Marker::Braille)
                .graph_type(GraphType::Line)
                .style(t.title)
                .data(&dso),
            Dataset::default()
                .name("CEI, 30 days (%)")
                .marker(symbols::Marker::Dot)
                .graph_type(GraphType::Line)
                .style(t.good)
                .data(&cei),
        ])
        .block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(t.border)
                // The lines named in their own colours in the title: a legend box
                // would sit on the newest weeks, the right end of both lines.
                .title(Line::from(vec![
                    Span::styled(" ", t.title),
                    Span::styled("DSO, 90 days (days)", t.title),
                    Span::styled(" and ", t.dim),
                    Span::styled("CEI, 30 days (%)", t.good),
                    Span::styled(", 12 weeks ", t.title),
                ])),
        )
        .legend_position(None)
        .x_axis(
            Axis::default()
                .bounds([0.0, 11.0])
                .labels(x_labels)
                .style(t.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, both_top])
                .labels(vec![
                    Span::styled("0", t.dim),
                    Span::styled(format!("{both_top:.0}"), t.dim),
                ])
                .style(t.dim),
        );
        f.render_widget(chart, right);
    }

    fn objectives(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border)
            .title(Span::styled(" objectives ", t.title));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let list = &self.board.objectives;
        if list.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(
                    "none: `arq objective add --kpi dso --target 45 --by 2027-03-31`",
                    t.dim,
                )),
                inner,
            );
            return;
        }
        for (i, o) in list.iter().enumerate().take(usize::from(inner.height)) {
            let r = Rect {
                y: inner.y + i as u16,
                height: 1,
                ..inner
            };
            let style = match o.standing {
                Standing::Met | Standing::OnTrack => t.good,
                Standing::OffTrack => t.bad,
                Standing::Unknown => t.dim,
            };
            f.render_widget(
                LineGauge::default()
                    .ratio(progress(o))
                    .label(Span::styled(gauge_label(o), style))
                    .filled_style(style)
                    .unfilled_style(t.dim),
                r,
            );
        }
    }

    fn version(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let Some((label, c)) = &self.board.version else {
            f.render_widget(
                Paragraph::new(Span::styled(
                    " no strategy has changed yet: before/after figures appear after a new version",
                    t.dim,
                )),
                area,
            );
            return;
        };
        let d = |v: Option<Decimal>| v.map_or_else(|| "—".into(), |v| v.to_string());
        let line = Line::from(vec![
            Span::styled(
                format!(" {label}, {} days each side: ", c.window_days),
                t.title,
            ),
            Span::styled(
                format!(
                    "DSO {} → {} · CEI {} → {} · kept {} → {} %",
                    d(c.before.kpis.dso),
                    d(c.after.kpis.dso),
                    d(c.before.kpis.cei),
                    d(c.after.kpis.cei),
                    d(c.before.promise_kept_rate),
                    d(c.after.promise_kept_rate)
                ),
                t.base,
            ),
        ]);
        f.render_widget(
            Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
    }
}

/// How far an objective has come from its baseline toward its target (0 to 1).
fn progress(o: &ObjectiveLine) -> f64 {
    let (Some(base), Some(now)) = (o.baseline, o.current) else {
        return 0.0;
    };
    let span = o.target - base;
    if span.is_zero() {
        return if o.standing == Standing::Met {
            1.0
        } else {
            0.0
        };
    }
    let r = ((now - base) / span).clamp(Decimal::ZERO, Decimal::ONE);
    r.to_f64().unwrap_or(0.0)
}

fn gauge_label(o: &ObjectiveLine) -> String {
    let d = |v: Option<Decimal>| v.map_or_else(|| "—".into(), |v| v.to_string());
    let who = o.collector.clone().unwrap_or_else(|| "shop".into());
    let standing = match o.standing {
        Standing::Met => "met",
        Standing::OnTrack => "on track",
        Standing::OffTrack => "off track",
        Standing::Unknown => "no trend yet",
    };
    format!(
        "{} ({who}): {} → {} → {} by {} · {standing} ",
        o.kpi.label(),
        d(o.baseline),
        d(o.current),
        o.target,
        o.by
    )
}

/// A week's value as a bar from 1 (the smallest week, ▁) to 8 (the largest, █), so
/// the shape shows whatever the scale; a week without a daily run is no bar (drawn
/// `·`). The smallest week was drawn blank, like a week without data.
fn spark_levels(values: &[Option<Decimal>]) -> Vec<Option<u64>> {
    let known = || values.iter().flatten().copied();
    let (Some(min), Some(max)) = (known().min(), known().max()) else {
        return vec![None; values.len()];
    };
    let range = max - min;
    values
        .iter()
        .map(|v| {
            v.map(|v| {
                if range.is_zero() {
                    return 1;
                }
                let above = ((v - min) * Decimal::from(7) / range).round();
                1 + above.to_u64().unwrap_or(0)
            })
        })
        .collect()
}

impl Screen for KpiScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Kpis
    }

    fn reload(&mut self, s: &Session) -> Result<Option<String>> {
        self.board = board(s)?;
        Ok(None)
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>) {
        let t = cx.theme;
        let objectives = (self.board.objectives.len().max(1) as u16 + 1).min(6);
        // A tall, wide window gets the trend lines as charts as well.
        let charts = if area.height >= 36 && area.width >= 120 {
            14
        } else {
            0
        };
        let [top, trend, chart, goals, version] = Layout::vertical([
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Length(charts),
            Constraint::Length(objectives),
            Constraint::Min(1),
        ])
        .areas(area);
        if charts > 0 {
            self.trend_charts(f, chart, t);
        }
        let [aging, figures] =
            Layout::horizontal([Constraint::Min(53), Constraint::Length(26)]).areas(top);
        self.aging(f, aging, t);
        self.figures(f, figures, t);
        self.trends(f, trend, t);
        self.objectives(f, goals, t);
        self.version(f, version, t);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::spark_levels;
    use rust_decimal::Decimal;

    #[test]
    fn the_smallest_week_is_the_lowest_bar_and_a_week_without_data_is_none() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        let weeks = [
            None,
            d("2351825.54"),
            d("2600000.00"),
            d("2475912.77"),
            None,
        ];
        assert_eq!(
            spark_levels(&weeks),
            [None, Some(1), Some(8), Some(5), None]
        );
        // One value, or all alike: the lowest bar, not blank.
        assert_eq!(spark_levels(&[d("7"), d("7")]), [Some(1), Some(1)]);
        assert_eq!(spark_levels(&[None, None]), [None, None]);
    }
}
