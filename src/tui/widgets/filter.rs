//! Filter-as-you-type for lists: every word typed must appear (case-insensitive)
//! somewhere in a row's text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub text: String,
    /// Keys go to the filter while it is being typed.
    pub editing: bool,
}

/// What a key did to the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    Changed,
    Done,
    Ignored,
}

impl Filter {
    pub fn start(&mut self) {
        self.editing = true;
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FilterKey {
        match key.code {
            KeyCode::Esc => {
                self.text.clear();
                self.editing = false;
                FilterKey::Changed
            }
            KeyCode::Enter | KeyCode::Down | KeyCode::Up => {
                self.editing = false;
                FilterKey::Done
            }
            KeyCode::Backspace => {
                self.text.pop();
                FilterKey::Changed
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                FilterKey::Changed
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.push(c);
                FilterKey::Changed
            }
            _ => FilterKey::Ignored,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Whether `haystack` (already lower-case) matches.
    pub fn matches(&self, haystack: &str) -> bool {
        self.text
            .to_lowercase()
            .split_whitespace()
            .all(|w| haystack.contains(w))
    }

    /// Indices of `rows` that match, each row given as its searchable text.
    pub fn apply<'a>(&self, rows: impl Iterator<Item = String> + 'a) -> Vec<usize> {
        rows.enumerate()
            .filter(|(_, t)| self.is_empty() || self.matches(&t.to_lowercase()))
            .map(|(i, _)| i)
            .collect()
    }
}
