//! Keys as data: every action the app understands, the keys that trigger it, where
//! it works, and how it is described. Key handling, the footer and the help overlay
//! all read this one table, so hints never drift from behaviour. `config.toml`'s
//! `[keys]` table rebinds any action (`call = "C"`, `quit = "ctrl-q"`).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::screens::ScreenId;

/// Something the user can ask for with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    NextScreen,
    PrevScreen,
    Filter,
    Help,
    Quit,
    Call,
    Promise,
    Dispute,
    Note,
    Callback,
    Finish,
    Hold,
    Assign,
    Sort,
    Send,
    Deliver,
    Refresh,
    Plan,
    WriteOff,
    Mark,
    Timeline,
    /// Try the selected strategy on the past (the what-if).
    Try,
}

impl Action {
    /// Whether the action records something about the account under the cursor (so
    /// it must be one the person chose).
    pub fn records(self) -> bool {
        matches!(
            self,
            Action::Call
                | Action::Promise
                | Action::Dispute
                | Action::Note
                | Action::Callback
                | Action::Finish
                | Action::Hold
                | Action::Assign
                | Action::Send
                | Action::Plan
                | Action::WriteOff
                | Action::Mark
        )
    }
}

use Action::*;
use ScreenId::{
    Account as Acc, Accounts as Accs, Approvals as Appr, Collector as Col, Kpis, Outbox as Out,
    Queue as Q, Strategies as Strat, Team, Warnings as Warn, WhatIf as What,
};

/// One row of the table: the action's config name, description, default keys,
/// the screens it works in (empty = everywhere) and whether the footer shows it.
struct Spec {
    action: Action,
    name: &'static str,
    what: &'static str,
    keys: &'static [&'static str],
    screens: &'static [ScreenId],
    footer: bool,
}

#[rustfmt::skip]
const SPECS: &[Spec] = &[
    Spec { action: Up, name: "up", what: "move up", keys: &["up", "k"], screens: &[], footer: false },
    Spec { action: Down, name: "down", what: "move down", keys: &["down", "j"], screens: &[], footer: false },
    Spec { action: PageUp, name: "page_up", what: "page up", keys: &["pgup", "ctrl-b"], screens: &[], footer: false },
    Spec { action: PageDown, name: "page_down", what: "page down", keys: &["pgdn", "ctrl-f"], screens: &[], footer: false },
    Spec { action: Top, name: "top", what: "first row", keys: &["home", "g"], screens: &[], footer: false },
    Spec { action: Bottom, name: "bottom", what: "last row", keys: &["end", "G"], screens: &[], footer: false },
    Spec { action: Open, name: "open", what: "open account", keys: &["enter"], screens: &[Q, Accs, Out, Col, Appr, Warn], footer: true },
    Spec { action: Open, name: "open", what: "open collector", keys: &["enter"], screens: &[Team], footer: true },
    Spec { action: Back, name: "back", what: "back", keys: &["esc", "left"], screens: &[Acc, Col, What], footer: true },
    Spec { action: NextScreen, name: "next_screen", what: "next screen", keys: &["tab"], screens: &[], footer: true },
    Spec { action: PrevScreen, name: "prev_screen", what: "previous screen", keys: &["backtab"], screens: &[], footer: false },
    Spec { action: Filter, name: "filter", what: "filter", keys: &["/"], screens: &[Q, Accs, Out, Col, Warn], footer: true },
    Spec { action: Help, name: "help", what: "help", keys: &["?", "f1"], screens: &[], footer: true },
    Spec { action: Quit, name: "quit", what: "quit", keys: &["q", "ctrl-c"], screens: &[], footer: true },
    Spec { action: Call, name: "call", what: "call wrap-up", keys: &["c"], screens: &[Q, Acc], footer: true },
    Spec { action: Promise, name: "promise", what: "promise to pay", keys: &["p"], screens: &[Q, Acc], footer: true },
    Spec { action: Dispute, name: "dispute", what: "dispute an invoice", keys: &["d"], screens: &[Q, Acc], footer: true },
    Spec { action: Note, name: "note", what: "note", keys: &["n"], screens: &[Q, Acc], footer: true },
    Spec { action: Callback, name: "callback", what: "callback", keys: &["b"], screens: &[Q, Acc], footer: true },
    Spec { action: Finish, name: "finish", what: "finish / decide item", keys: &["f"], screens: &[Q, Acc, Appr], footer: true },
    Spec { action: Plan, name: "plan", what: "payment plan", keys: &["P"], screens: &[Q, Acc], footer: false },
    Spec { action: WriteOff, name: "write_off", what: "ask for a write-off", keys: &["w"], screens: &[Q, Acc], footer: false },
    Spec { action: Hold, name: "hold", what: "hold / release", keys: &["h"], screens: &[Q, Acc, Accs], footer: true },
    Spec { action: Assign, name: "assign", what: "assign (supervisor)", keys: &["a"], screens: &[Q, Acc, Accs], footer: false },
    Spec { action: Assign, name: "assign", what: "move marked or shown accounts", keys: &["a"], screens: &[Col], footer: true },
    Spec { action: Mark, name: "mark", what: "mark / unmark an account", keys: &["space"], screens: &[Col], footer: true },
    Spec { action: Sort, name: "sort", what: "sort by balance / DPD / name", keys: &["s"], screens: &[Accs], footer: true },
    Spec { action: Sort, name: "sort", what: "sort by overdue / collected / name", keys: &["s"], screens: &[Team], footer: true },
    Spec { action: Send, name: "send", what: "send a message now", keys: &["m"], screens: &[Q, Acc], footer: true },
    Spec { action: Timeline, name: "timeline", what: "scroll the timeline / back", keys: &["t"], screens: &[Acc], footer: true },
    Spec { action: Deliver, name: "deliver", what: "deliver pending messages", keys: &["S"], screens: &[Out], footer: true },
    Spec { action: Refresh, name: "refresh", what: "refresh", keys: &["r"], screens: &[], footer: false },
    // Screens with nothing more to say in the footer still list their place here, so
    // help and the footer cover every screen: the KPIs and Strategies screens only move.
    Spec { action: Refresh, name: "refresh", what: "refresh the figures", keys: &["r"], screens: &[Kpis, Strat], footer: true },
    Spec { action: Try, name: "try", what: "try on the past", keys: &["t"], screens: &[Strat], footer: true },
];

/// A key with its modifiers, as written in `config.toml` (`c`, `ctrl-r`, `f1`, `enter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return None,
                }
            }
        };
        Some(Key { code, mods })
    }

    /// Whether a key press is this key. Shift is part of the character (`G`), so it
    /// is ignored for characters.
    fn matches(&self, ev: &KeyEvent) -> bool {
        let wanted = self.mods & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let got = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        if wanted != got {
            return false;
        }
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => a == b,
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("⏎"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("⇧tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A `[keys]` entry that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("config [keys]: '{0}' is not an action (actions: {1})")]
    UnknownAction(String, String),
    #[error(
        "config [keys] {action}: '{key}' is not a key (use a letter, or names like ctrl-r, f2, enter, pgdn)"
    )]
    BadKey { action: String, key: String },
    #[error(
        "config [keys]: '{key}' would do both {first} and {second} on the same screen; give one of them another key ({second} = \"…\")"
    )]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
}

impl KeymapError {
    /// The `[keys]` entry the problem is in.
    /// The `[keys]` entries the error is about, the likelier one in the file first (a
    /// clash names the action given the key last, then the one it clashes with).
    pub fn actions(&self) -> Vec<&str> {
        match self {
            KeymapError::UnknownAction(a, _) => vec![a],
            KeymapError::BadKey { action, .. } => vec![action],
            KeymapError::Conflict { first, second, .. } => vec![second, first],
        }
    }
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: BTreeMap<Action, Vec<Key>>,
}

fn spec(a: Action) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.action == a)
}

/// Refuses a key that two actions answer on the same screen: a second binding never
/// silently takes a key away from another action.
fn check_conflicts(keys: &BTreeMap<Action, Vec<Key>>) -> Result<(), KeymapError> {
    let overlap = |a: &Spec, b: &Spec| {
        a.action != b.action
            && (a.screens.is_empty()
                || b.screens.is_empty()
                || a.screens.iter().any(|c| b.screens.contains(c)))
    };
    for (i, a) in SPECS.iter().enumerate() {
        for b in SPECS.iter().skip(i + 1).filter(|b| overlap(a, b)) {
            let (Some(ka), Some(kb)) = (keys.get(&a.action), keys.get(&b.action)) else {
                continue;
            };
            if let Some(k) = ka.iter().find(|k| kb.contains(k)) {
                return Err(KeymapError::Conflict {
                    key: k.to_string(),
                    first: a.name,
                    second: b.name,
                });
            }
        }
    }
    Ok(())
}

impl Keymap {
    /// The defaults with `overrides` (action name → keys, several separated by spaces
    /// or commas) applied. A key that would do two things on one screen is refused,
    /// naming both actions.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Keymap, KeymapError> {
        let mut keys = BTreeMap::new();
        for s in SPECS {
            keys.insert(
                s.action,
                s.keys
                    .iter()
                    .filter_map(|k| Key::parse(k))
                    .collect::<Vec<_>>(),
            );
        }
        for (name, value) in overrides {
            let Some(s) = SPECS.iter().find(|s| s.name == name.trim()) else {
                let mut names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
                names.dedup();
                return Err(KeymapError::UnknownAction(name.clone(), names.join(", ")));
            };
            let mut parsed = Vec::new();
            for k in value.split([' ', ',']).filter(|k| !k.is_empty()) {
                let key = Key::parse(k).ok_or_else(|| KeymapError::BadKey {
                    action: name.clone(),
                    key: k.to_string(),
                })?;
                if !parsed.contains(&key) {
                    parsed.push(key);
                }
            }
            if parsed.is_empty() {
                return Err(KeymapError::BadKey {
                    action: name.clone(),
                    key: value.clone(),
                });
            }
            keys.insert(s.action, parsed);
        }
        check_conflicts(&keys)?;
        Ok(Keymap { keys })
    }

    /// The action a key press asks for in `ctx`, if any.
    pub fn action(&self, ev: &KeyEvent, screen: ScreenId) -> Option<Action> {
        SPECS
            .iter()
            .filter(|s| s.screens.is_empty() || s.screens.contains(&screen))
            .find(|s| {
                self.keys
                    .get(&s.action)
                    .is_some_and(|ks| ks.iter().any(|k| k.matches(ev)))
            })
            .map(|s| s.action)
    }

    /// The first key of an action, as shown to people.
    pub fn key_of(&self, a: Action) -> String {
        self.keys
            .get(&a)
            .and_then(|ks| ks.first())
            .map_or_else(|| "—".to_string(), ToString::to_string)
    }

    /// (action, key, description) of the footer's actions in `ctx`.
    pub fn footer(&self, screen: ScreenId) -> Vec<(Action, String, &'static str)> {
        SPECS
            .iter()
            .filter(|s| s.footer && (s.screens.is_empty() || s.screens.contains(&screen)))
            .map(|s| (s.action, self.key_of(s.action), s.what))
            .collect()
    }

    /// (all keys, description) of every action that works in `ctx`, for the help overlay.
    /// An action with its own words on this screen is listed once, in those words.
    pub fn help(&self, screen: ScreenId) -> Vec<(String, &'static str)> {
        let own = |a: Action| {
            SPECS
                .iter()
                .any(|s| s.action == a && s.screens.contains(&screen))
        };
        SPECS
            .iter()
            .filter(|s| s.screens.contains(&screen) || (s.screens.is_empty() && !own(s.action)))
            .map(|s| {
                let keys = self
                    .keys
                    .get(&s.action)
                    .map(|ks| {
                        ks.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                (keys, s.what)
            })
            .collect()
    }

    /// The description of an action.
    pub fn describe(a: Action) -> &'static str {
        spec(a).map_or("", |s| s.what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn help_lists_each_action_once_in_the_screens_own_words() {
        let km = Keymap::new(&BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"));
        for screen in [ScreenId::Strategies, ScreenId::Kpis, ScreenId::Queue] {
            let help = km.help(screen);
            let refresh: Vec<_> = help.iter().filter(|(k, _)| k == "r").collect();
            assert_eq!(refresh.len(), 1, "{screen:?}: {help:?}");
        }
        let strat = km.help(ScreenId::Strategies);
        assert!(
            strat
                .iter()
                .any(|(k, w)| k == "r" && *w == "refresh the figures")
        );
    }

    #[test]
    fn defaults_work_in_their_context_only() {
        let km = Keymap::new(&BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(km.action(&press('c'), ScreenId::Queue), Some(Action::Call));
        assert_eq!(km.action(&press('c'), ScreenId::Accounts), None);
        assert_eq!(
            km.action(&press('j'), ScreenId::Accounts),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(
                &KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT),
                ScreenId::Queue
            ),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                ScreenId::Queue
            ),
            Some(Action::Quit)
        );
        assert_eq!(km.action(&press('s'), ScreenId::Queue), None);
    }

    #[test]
    fn config_rebinds_and_the_footer_follows() {
        let mut o = BTreeMap::new();
        o.insert("call".to_string(), "C".to_string());
        o.insert("quit".to_string(), "ctrl-q, f10".to_string());
        let km = Keymap::new(&o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(km.action(&press('C'), ScreenId::Queue), Some(Action::Call));
        assert_eq!(km.action(&press('c'), ScreenId::Queue), None);
        assert_eq!(km.action(&press('q'), ScreenId::Queue), None);
        assert_eq!(
            km.action(
                &KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE),
                ScreenId::Queue
            ),
            Some(Action::Quit)
        );
        assert!(km.footer(ScreenId::Queue).contains(&(
            Action::Call,
            "C".to_string(),
            "call wrap-up"
        )));
        assert!(
            km.footer(ScreenId::Queue)
                .contains(&(Action::Quit, "ctrl-q".to_string(), "quit"))
        );
    }

    #[test]
    fn a_key_bound_twice_is_refused_naming_both_actions() {
        let refused = |pairs: &[(&str, &str)]| {
            let o: BTreeMap<String, String> = pairs
                .iter()
                .map(|(a, k)| (a.to_string(), k.to_string()))
                .collect();
            Keymap::new(&o).err().map(|e| e.to_string())
        };
        // A second key for refresh would silently take `c` from call.
        assert_eq!(
            refused(&[("refresh", "c")]).as_deref(),
            Some(
                "config [keys]: 'c' would do both call and refresh on the same screen; give one of them another key (refresh = \"…\")"
            )
        );
        // Two actions given the same key.
        let err = refused(&[("promise", "x"), ("note", "x")]).unwrap_or_default();
        assert!(err.contains("'x' would do both promise and note"), "{err}");
        // `k` moves up everywhere.
        let err = refused(&[("call", "c k")]).unwrap_or_default();
        assert!(err.contains("'k' would do both up and call"), "{err}");
        // A swap that leaves every key with one action is fine, and so is one key for
        // two actions that never share a screen (sort: Accounts; deliver: Outbox).
        assert_eq!(refused(&[("call", "r"), ("refresh", "R")]), None);
        assert_eq!(refused(&[("deliver", "s")]), None);
        assert_eq!(refused(&[]), None, "the defaults never clash");
    }

    #[test]
    fn bad_config_says_what_is_wrong() {
        let mut o = BTreeMap::new();
        o.insert("dance".to_string(), "x".to_string());
        assert!(matches!(
            Keymap::new(&o),
            Err(KeymapError::UnknownAction(..))
        ));
        let mut o = BTreeMap::new();
        o.insert("call".to_string(), "ctrl-".to_string());
        let err = Keymap::new(&o)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("config [keys] call: 'ctrl-' is not a key"),
            "{err}"
        );
    }
}
