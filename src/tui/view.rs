//! Drawing a frame from the app's state: header, the current screen, footer of key
//! hints (from the keymap), and the popups on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Tab};
use super::keymap::Context;
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
    match (&app.account, app.tab) {
        (Some(a), _) => a.view(f, body, &app.theme, &app.currency),
        (None, Tab::Queue) => app.queue.view(f, body, &app.theme),
        (None, Tab::Accounts) => {
            if let Some(a) = &app.accounts {
                a.view(f, body, &app.theme);
            }
        }
        (None, Tab::Outbox) => {
            if let Some(o) = &app.outbox {
                o.view(f, body, &app.theme);
            }
        }
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
    let tabs: Vec<(&str, bool)> = vec![
        ("My queue", app.tab == Tab::Queue && app.account.is_none()),
        (
            "Accounts",
            app.tab == Tab::Accounts && app.account.is_none(),
        ),
        ("Outbox", app.tab == Tab::Outbox && app.account.is_none()),
    ];
    let right = format!(
        " {} due · {} {} ",
        app.queue.items.len(),
        app.queue.collectible().grouped(),
        app.currency
    );
    f.render_widget(Paragraph::new("").style(t.header), area);
    let mut spans = vec![Span::styled(left.clone(), t.header)];
    let mut used = width(&left);
    for (name, on) in tabs {
        let text = if on {
            format!("[{name}]")
        } else {
            format!(" {name} ")
        };
        used += width(&text) + 1;
        spans.push(Span::styled(
            text,
            if on {
                t.header.add_modifier(
                    ratatui::style::Modifier::BOLD | ratatui::style::Modifier::UNDERLINED,
                )
            } else {
                t.header
            },
        ));
        spans.push(Span::styled(" ", t.header));
    }
    let room = usize::from(area.width).saturating_sub(used);
    if room > 10 {
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
    let filter = match (app.account.is_some(), app.tab) {
        (false, Tab::Queue) => Some(&app.queue.filter),
        (false, Tab::Accounts) => app.accounts.as_ref().map(|a| &a.filter),
        (false, Tab::Outbox) => app.outbox.as_ref().map(|o| &o.filter),
        _ => None,
    };
    if let Some(flt) = filter
        && (flt.editing || !flt.is_empty())
    {
        let shown = match app.tab {
            Tab::Queue => app.queue.shown.len(),
            Tab::Accounts => app.accounts.as_ref().map_or(0, |a| a.shown.len()),
            Tab::Outbox => app.outbox.as_ref().map_or(0, |o| o.shown.len()),
        };
        let cursor = if flt.editing { "▏" } else { "" };
        let hint = if flt.editing {
            "  ⏎ done · esc clear"
        } else {
            "  / edit"
        };
        let line = Line::from(vec![
            Span::styled(" filter: ", t.key),
            Span::raw(format!("{}{cursor}", flt.text)),
            Span::styled(format!("  ({shown} shown){hint}"), t.dim),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let ctx = if app.popups.iter().any(|p| p.is_form()) {
        None
    } else {
        Some(app.context())
    };
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    if let Some(ctx) = ctx {
        let mut hints = app.keymap.footer(ctx);
        if ctx == Context::Accounts
            && let Some(a) = &app.accounts
        {
            hints.retain(|(_, w)| !w.starts_with("sort"));
            hints.push((
                app.keymap.key_of(super::keymap::Action::Sort),
                if a.sort == super::screens::accounts::SortBy::Balance {
                    "sort: balance"
                } else if a.sort == super::screens::accounts::SortBy::Dpd {
                    "sort: DPD"
                } else {
                    "sort: name"
                },
            ));
        }
        for (k, what) in hints {
            let piece = width(&k) + width(what) + 3;
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
