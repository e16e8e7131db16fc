//! Drawing a frame from the app's state: header, the current screen, footer of key
//! hints (from the keymap), and the popups on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use ratatui::style::Modifier;

use super::app::App;
use super::screens::{Draw, Screen, footer};
use super::theme::Theme;
use super::widgets::flow::flow;
use crate::display::{width, wrap};

pub fn draw(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    if area.height == 0 || area.width == 0 {
        return;
    }
    let status = status_lines(app, area.width);
    // A long message takes up to a third of the screen (at least three rows).
    let most = (area.height / 3)
        .max(3)
        .min(area.height.saturating_sub(2).max(1));
    let footer_h = (status.len() as u16).clamp(1, most);
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    draw_header(f, header, app);
    if let Some(s) = app.screen() {
        let cx = Draw {
            theme: &app.theme,
            currency: &app.currency,
            keymap: &app.keymap,
        };
        let legend = legend_lines(s, body.width, &app.theme);
        let legend_h = if body.height > 4 {
            legend.len() as u16
        } else {
            0
        };
        let [main, below] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(legend_h)]).areas(body);
        s.draw(f, main, &cx);
        f.render_widget(Paragraph::new(legend), below);
        draw_nothing_matches(f, main, s, &app.theme);
    }
    draw_footer(f, footer, app, status);
    for p in &app.popups {
        p.view(f, body, &app.theme);
    }
}

/// One way to lay the header out: the left part, the tabs (text, whether current)
/// and the totals, if they fit.
type HeaderChoice<'a> = (&'a String, &'a Vec<(String, bool)>, Option<&'a String>);

/// The header: who, the date, the tabs and the queue's totals. When the width is
/// short, the role goes, then the tabs shrink to the current one, then the totals
/// shorten; a total is shown whole or not at all, never cut.
fn draw_header(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let user = app.session.user();
    let brand = if area.width >= 100 { "arq · " } else { "" };
    let date = if area.width >= 100 {
        app.session.as_of().format("%a %Y-%m-%d").to_string()
    } else {
        app.session.as_of().to_string()
    };
    let lefts = [
        format!(" {brand}{} ({}) · {date} ", user.name, user.role),
        format!(" {} · {date} ", user.name),
    ];
    let rights: Vec<String> = app
        .queue()
        .map(|q| q.summary(&app.currency))
        .unwrap_or_default()
        .into_iter()
        .map(|s| format!(" {s} "))
        .collect();
    let on_style = t.header.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let on_tab = |i: usize| i == app.current && app.stack.is_empty();
    let full: Vec<(String, bool)> = app
        .tabs
        .iter()
        .enumerate()
        .map(|(i, tab)| {
            if on_tab(i) {
                (format!("[{}] ", tab.id.title()), true)
            } else {
                (format!(" {}  ", tab.id.title()), false)
            }
        })
        .collect();
    // Too narrow for every tab: the current one and where it stands.
    let current = app.tabs.get(app.current).map_or("", |tab| tab.id.title());
    let compact = vec![(
        format!("[{current}] {}/{} ", app.current + 1, app.tabs.len()),
        true,
    )];
    let tabs_width = |tabs: &[(String, bool)]| tabs.iter().map(|(s, _)| width(s)).sum::<usize>();
    let room = usize::from(area.width);
    let mut choices: Vec<HeaderChoice<'_>> = Vec::new();
    for (left, tabs) in [
        (&lefts[0], &full),
        (&lefts[1], &full),
        (&lefts[0], &compact),
        (&lefts[1], &compact),
    ] {
        for r in rights.iter().take(2) {
            choices.push((left, tabs, Some(r)));
        }
    }
    for r in rights.iter().skip(2) {
        choices.push((&lefts[1], &compact, Some(r)));
    }
    let fits = |(l, tabs, r): &HeaderChoice<'_>| {
        width(l) + tabs_width(tabs) + r.map_or(0, |r| width(r)) <= room
    };
    let fallback = (&lefts[1], &compact, None);
    let (left, tabs, right) = choices
        .into_iter()
        .find(fits)
        .or_else(|| [(&lefts[0], &full, None), fallback].into_iter().find(fits))
        .unwrap_or(fallback);
    f.render_widget(Paragraph::new("").style(t.header), area);
    let mut spans = vec![Span::styled(left.clone(), t.header)];
    for (text, on) in tabs {
        spans.push(Span::styled(
            text.clone(),
            if *on { on_style } else { t.header },
        ));
    }
    if let Some(r) = right {
        let used = width(left) + tabs_width(tabs);
        spans.push(Span::styled(
            " ".repeat(room.saturating_sub(used + width(r))),
            t.header,
        ));
        spans.push(Span::styled(r.clone(), t.header));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// What the marks in the screen's rows mean, one dim line (two when narrow).
fn legend_lines(s: &dyn Screen, width: u16, t: &Theme) -> Vec<Line<'static>> {
    if s.legend().is_empty() || !s.marks_shown(width) {
        return Vec::new();
    }
    let pieces = s
        .legend()
        .iter()
        .map(|(mark, what)| {
            vec![
                Span::styled((*mark).to_string(), t.key),
                // "⚑hold = on credit hold": the mark's own word and its meaning
                // would otherwise run together.
                Span::styled(format!(" = {what}"), t.dim),
            ]
        })
        .collect();
    let mut lines = flow(
        pieces,
        usize::from(width.saturating_sub(1)).max(1),
        " · ",
        1,
    );
    if let Some(first) = lines.first_mut() {
        first.spans.insert(0, Span::raw(" "));
    }
    lines
}

/// A filtered list with nothing left in it says so (and how to clear the filter),
/// instead of looking like an empty queue.
fn draw_nothing_matches(f: &mut Frame<'_>, area: Rect, s: &dyn Screen, t: &Theme) {
    let Some(flt) = s.filter().filter(|f| !f.is_empty()) else {
        return;
    };
    if s.shown() > 0 || area.height < 3 {
        return;
    }
    let text = format!(
        "  nothing here matches the filter “{}”: / then esc clears it",
        flt.text.trim()
    );
    let lines: Vec<Line<'static>> = wrap(&text, usize::from(area.width).max(1))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, t.warn)))
        .collect();
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            y: area.y + 2,
            height: area.height - 2,
            ..area
        },
    );
}

/// The footer's message, wrapped to the width: a message is never cut off (the
/// footer grows to a third of the screen for it, see [`draw`]).
fn status_lines(app: &App, width: u16) -> Vec<String> {
    let Some((msg, _)) = &app.status else {
        return Vec::new();
    };
    wrap(msg, usize::from(width.saturating_sub(2)).max(10))
}

fn draw_footer(f: &mut Frame<'_>, area: Rect, app: &App, status: Vec<String>) {
    let t = &app.theme;
    if let Some((_, err)) = &app.status {
        let style = if *err { t.bad } else { t.good };
        let lines: Vec<Line<'static>> = status
            .into_iter()
            .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
            .collect();
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let Some(screen) = app.screen() else {
        return;
    };
    if let Some(flt) = screen.filter()
        && (flt.editing || !flt.is_empty())
    {
        let cursor = if flt.editing { "▏" } else { "" };
        let hint = if flt.editing {
            "  ⏎ done · esc clear"
        } else {
            "  / edit"
        };
        let line = Line::from(vec![
            Span::styled(" filter: ", t.key),
            Span::raw(format!("{}{cursor}", flt.text)),
            Span::styled(format!("  ({} shown){hint}", screen.shown()), t.dim),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    if !app.popups.iter().any(|p| p.is_form()) {
        for (k, what) in footer(&app.keymap, screen) {
            let piece = width(&k) + width(&what) + 3;
            if used + piece > usize::from(area.width) {
                break;
            }
            used += piece;
            spans.push(Span::styled(k, t.key));
            spans.push(Span::styled(format!(" {what}  "), t.footer));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
