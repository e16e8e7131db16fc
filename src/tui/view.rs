//! Drawing a frame from the app's state: header, the current screen, footer of key
//! hints (from the keymap), and the popups on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use ratatui::style::Modifier;

use super::app::App;
use super::screens::{Draw, Screen, footer};
use crate::display::{fit, width};

pub fn draw(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    if area.height == 0 || area.width == 0 {
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(f, header, app);
    if let Some(s) = app.screen() {
        let cx = Draw {
            theme: &app.theme,
            currency: &app.currency,
        };
        s.draw(f, body, &cx);
    }
    draw_footer(f, footer, app);
    for p in &app.popups {
        p.view(f, body, &app.theme);
    }
}

fn draw_header(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let user = app.session.user();
    let brand = if area.width >= 100 { "arq · " } else { "" };
    let date = if area.width >= 100 {
        app.session.as_of().format("%a %Y-%m-%d").to_string()
    } else {
        app.session.as_of().to_string()
    };
    let left = format!(" {brand}{} ({}) · {date} ", user.name, user.role);
    let right = app
        .queue()
        .and_then(|q| q.summary(&app.currency))
        .map(|s| format!(" {s} "))
        .unwrap_or_default();
    f.render_widget(Paragraph::new("").style(t.header), area);
    let mut spans = vec![Span::styled(left.clone(), t.header)];
    let mut used = width(&left);
    let on_style = t.header.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let names: Vec<String> = app
        .tabs
        .iter()
        .enumerate()
        .map(|(i, tab)| {
            let on = i == app.current && app.stack.is_empty();
            if on {
                format!("[{}]", tab.id.title())
            } else {
                format!(" {} ", tab.id.title())
            }
        })
        .collect();
    let all: usize = names.iter().map(|n| width(n) + 1).sum();
    if used + all <= usize::from(area.width) {
        for (i, text) in names.into_iter().enumerate() {
            let on = i == app.current && app.stack.is_empty();
            used += width(&text) + 1;
            spans.push(Span::styled(text, if on { on_style } else { t.header }));
            spans.push(Span::styled(" ", t.header));
        }
    } else {
        // Too narrow for every tab: the current one and where it stands.
        let current = app.tabs.get(app.current).map_or("", |tab| tab.id.title());
        let text = format!("[{current}] {}/{}", app.current + 1, app.tabs.len());
        used += width(&text) + 1;
        spans.push(Span::styled(text, on_style));
        spans.push(Span::styled(" ", t.header));
    }
    let room = usize::from(area.width).saturating_sub(used);
    if room > 10 && !right.is_empty() {
        let r = fit(&right, room);
        spans.push(Span::styled(" ".repeat(room - width(&r)), t.header));
        spans.push(Span::styled(r, t.header));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_footer(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    if let Some((msg, err)) = &app.status {
        f.render_widget(
            Paragraph::new(Span::styled(
                format!(" {msg}"),
                if *err { t.bad } else { t.good },
            )),
            area,
        );
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
