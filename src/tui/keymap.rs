//! Keys as data: every action the app understands, the keys that trigger it, where
//! it works, and how it is described. Key handling, the footer and the help overlay
//! all read this one table, so hints never drift from behaviour. `config.toml`'s
//! `[keys]` table rebinds any action (`call = "C"`, `quit = "ctrl-q"`).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the user is; decides which actions apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Queue,
    Account,
    Accounts,
    Outbox,
}

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
}

use Action::*;
use Context::{Account as Acc, Accounts as Accs, Outbox as Out, Queue as Q};

/// One row of the table: the action's config name, description, default keys,
/// the contexts it works in (empty = everywhere) and whether the footer shows it.
struct Spec {
    action: Action,
    name: &'static str,
    what: &'static str,
    keys: &'static [&'static str],
    contexts: &'static [Context],
    footer: bool,
}

#[rustfmt::skip]
const SPECS: &[Spec] = &[
    Spec { action: Up, name: "up", what: "move up", keys: &["up", "k"], contexts: &[], footer: false },
    Spec { action: Down, name: "down", what: "move down", keys: &["down", "j"], contexts: &[], footer: false },
    Spec { action: PageUp, name: "page_up", what: "page up", keys: &["pgup", "ctrl-b"], contexts: &[], footer: false },
    Spec { action: PageDown, name: "page_down", what: "page down", keys: &["pgdn", "ctrl-f"], contexts: &[], footer: false },
    Spec { action: Top, name: "top", what: "first row", keys: &["home", "g"], contexts: &[], footer: false },
    Spec { action: Bottom, name: "bottom", what: "last row", keys: &["end", "G"], contexts: &[], footer: false },
    Spec { action: Open, name: "open", what: "open account", keys: &["enter"], contexts: &[Q, Accs, Out], footer: true },
    Spec { action: Back, name: "back", what: "back", keys: &["esc", "left"], contexts: &[Acc], footer: true },
    Spec { action: NextScreen, name: "next_screen", what: "next screen", keys: &["tab"], contexts: &[], footer: true },
    Spec { action: PrevScreen, name: "prev_screen", what: "previous screen", keys: &["backtab"], contexts: &[], footer: false },
    Spec { action: Filter, name: "filter", what: "filter", keys: &["/"], contexts: &[Q, Accs, Out], footer: true },
    Spec { action: Help, name: "help", what: "help", keys: &["?", "f1"], contexts: &[], footer: true },
    Spec { action: Quit, name: "quit", what: "quit", keys: &["q", "ctrl-c"], contexts: &[], footer: true },
    Spec { action: Call, name: "call", what: "call wrap-up", keys: &["c"], contexts: &[Q, Acc], footer: true },
    Spec { action: Promise, name: "promise", what: "promise to pay", keys: &["p"], contexts: &[Q, Acc], footer: true },
    Spec { action: Dispute, name: "dispute", what: "dispute an invoice", keys: &["d"], contexts: &[Q, Acc], footer: true },
    Spec { action: Note, name: "note", what: "note", keys: &["n"], contexts: &[Q, Acc], footer: true },
    Spec { action: Callback, name: "callback", what: "callback", keys: &["b"], contexts: &[Q, Acc], footer: true },
    Spec { action: Finish, name: "finish", what: "finish item", keys: &["f"], contexts: &[Q, Acc], footer: true },
    Spec { action: Hold, name: "hold", what: "hold / release", keys: &["h"], contexts: &[Q, Acc, Accs], footer: true },
    Spec { action: Assign, name: "assign", what: "assign (supervisor)", keys: &["a"], contexts: &[Q, Acc, Accs], footer: false },
    Spec { action: Sort, name: "sort", what: "sort by balance / DPD / name", keys: &["s"], contexts: &[Accs], footer: true },
    Spec { action: Send, name: "send", what: "send a message now", keys: &["m"], contexts: &[Q, Acc], footer: true },
    Spec { action: Deliver, name: "deliver", what: "deliver pending messages", keys: &["S"], contexts: &[Out], footer: true },
    Spec { action: Refresh, name: "refresh", what: "refresh", keys: &["r"], contexts: &[], footer: false },
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
    #[error("config [keys] {action}: '{key}' is already given to {other}: one key does one thing")]
    Twice {
        action: String,
        key: String,
        other: String,
    },
}

impl KeymapError {
    /// The `[keys]` entry the problem is in.
    pub fn action(&self) -> &str {
        match self {
            KeymapError::UnknownAction(a, _) => a,
            KeymapError::BadKey { action, .. } | KeymapError::Twice { action, .. } => action,
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

impl Keymap {
    /// The defaults with `overrides` (action name → keys, several separated by spaces
    /// or commas) applied.
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
        let mut given: Vec<(Key, &str)> = Vec::new();
        for (name, value) in overrides {
            let Some(s) = SPECS.iter().find(|s| s.name == name.trim()) else {
                let names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
                return Err(KeymapError::UnknownAction(name.clone(), names.join(", ")));
            };
            let mut parsed = Vec::new();
            for k in value.split([' ', ',']).filter(|k| !k.is_empty()) {
                let key = Key::parse(k).ok_or_else(|| KeymapError::BadKey {
                    action: name.clone(),
                    key: k.to_string(),
                })?;
                if let Some((_, other)) =
                    given.iter().find(|(g, o)| *g == key && *o != name.as_str())
                {
                    return Err(KeymapError::Twice {
                        action: name.clone(),
                        key: k.to_string(),
                        other: (*other).to_string(),
                    });
                }
                given.push((key, name.as_str()));
                parsed.push(key);
            }
            if parsed.is_empty() {
                return Err(KeymapError::BadKey {
                    action: name.clone(),
                    key: value.clone(),
                });
            }
            // A key now bound to this action leaves any other action it had.
            for other in keys.values_mut() {
                other.retain(|k| !parsed.contains(k));
            }
            keys.insert(s.action, parsed);
        }
        Ok(Keymap { keys })
    }

    /// The action a key press asks for in `ctx`, if any.
    pub fn action(&self, ev: &KeyEvent, ctx: Context) -> Option<Action> {
        SPECS
            .iter()
            .filter(|s| s.contexts.is_empty() || s.contexts.contains(&ctx))
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

    /// (keys, description) of the footer's actions in `ctx`.
    pub fn footer(&self, ctx: Context) -> Vec<(String, &'static str)> {
        SPECS
            .iter()
            .filter(|s| s.footer && (s.contexts.is_empty() || s.contexts.contains(&ctx)))
            .map(|s| (self.key_of(s.action), s.what))
            .collect()
    }

    /// (all keys, description) of every action that works in `ctx`, for the help overlay.
    pub fn help(&self, ctx: Context) -> Vec<(String, &'static str)> {
        SPECS
            .iter()
            .filter(|s| s.contexts.is_empty() || s.contexts.contains(&ctx))
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
    fn defaults_work_in_their_context_only() {
        let km = Keymap::new(&BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(km.action(&press('c'), Context::Queue), Some(Action::Call));
        assert_eq!(km.action(&press('c'), Context::Accounts), None);
        assert_eq!(
            km.action(&press('j'), Context::Accounts),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(
                &KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Context::Queue
            ),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Context::Queue
            ),
            Some(Action::Quit)
        );
        assert_eq!(km.action(&press('s'), Context::Queue), None);
    }

    #[test]
    fn config_rebinds_and_the_footer_follows() {
        let mut o = BTreeMap::new();
        o.insert("call".to_string(), "C".to_string());
        o.insert("quit".to_string(), "ctrl-q, f10".to_string());
        let km = Keymap::new(&o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(km.action(&press('C'), Context::Queue), Some(Action::Call));
        assert_eq!(km.action(&press('c'), Context::Queue), None);
        assert_eq!(km.action(&press('q'), Context::Queue), None);
        assert_eq!(
            km.action(
                &KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE),
                Context::Queue
            ),
            Some(Action::Quit)
        );
        assert!(
            km.footer(Context::Queue)
                .contains(&("C".to_string(), "call wrap-up"))
        );
        assert!(
            km.footer(Context::Queue)
                .contains(&("ctrl-q".to_string(), "quit"))
        );
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
