//! Colours and emphasis: dark, light and mono. Under `NO_COLOR` the mono theme is
//! used, and its selection is marked with bold, underline and a `▶` in the first
//! column — never by reverse video alone, which some terminals lose when colour is
//! switched off.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    Mono,
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub name: ThemeName,
    pub base: Style,
    pub header: Style,
    pub footer: Style,
    pub key: Style,
    pub dim: Style,
    pub title: Style,
    pub selected: Style,
    pub money: Style,
    pub warn: Style,
    pub bad: Style,
    pub good: Style,
    pub border: Style,
    pub field_focus: Style,
}

impl Theme {
    /// The theme `config` names (`dark`, `light`, `mono`), mono when `no_color`.
    pub fn pick(config: Option<&str>, no_color: bool) -> Result<Theme, String> {
        if no_color {
            return Ok(Theme::mono());
        }
        match config.map(str::trim) {
            None | Some("dark") => Ok(Theme::dark()),
            Some("light") => Ok(Theme::light()),
            Some("mono") => Ok(Theme::mono()),
            Some(other) => Err(format!(
                "config [ui] theme: '{other}' is not a theme (dark, light or mono)"
            )),
        }
    }

    pub fn dark() -> Theme {
        Theme {
            name: ThemeName::Dark,
            base: Style::default(),
            header: Style::default().fg(Color::Black).bg(Color::Cyan),
            footer: Style::default().fg(Color::Gray),
            key: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            dim: Style::default().fg(Color::DarkGray),
            title: Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            selected: Style::default()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            money: Style::default().fg(Color::White),
            warn: Style::default().fg(Color::Yellow),
            bad: Style::default().fg(Color::LightRed),
            good: Style::default().fg(Color::Green),
            border: Style::default().fg(Color::DarkGray),
            field_focus: Style::default().fg(Color::Yellow),
        }
    }

    pub fn light() -> Theme {
        Theme {
            name: ThemeName::Light,
            base: Style::default(),
            header: Style::default().fg(Color::White).bg(Color::Blue),
            footer: Style::default().fg(Color::DarkGray),
            key: Style::default()
                .fg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            dim: Style::default().fg(Color::Gray),
            title: Style::default()
                .fg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            selected: Style::default()
                .fg(Color::Black)
                .bg(Color::LightCyan)
                .add_modifier(Modifier::BOLD),
            money: Style::default().fg(Color::Black),
            warn: Style::default().fg(Color::Magenta),
            bad: Style::default().fg(Color::Red),
            good: Style::default().fg(Color::Green),
            border: Style::default().fg(Color::Gray),
            field_focus: Style::default().fg(Color::Blue),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::default();
        Theme {
            name: ThemeName::Mono,
            base: plain,
            header: plain.add_modifier(Modifier::BOLD),
            footer: plain,
            key: plain.add_modifier(Modifier::BOLD),
            dim: plain,
            title: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            money: plain,
            warn: plain.add_modifier(Modifier::BOLD),
            bad: plain.add_modifier(Modifier::BOLD),
            good: plain,
            border: plain,
            field_focus: plain.add_modifier(Modifier::BOLD),
        }
    }
}
