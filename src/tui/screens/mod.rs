//! The screens. Each is one type that loads itself from the services, draws itself,
//! handles the keys meant for it and says which account it is about; the app holds
//! them as `dyn Screen` (top-level ones as tabs, drilled-in ones on a stack), so a
//! new screen touches its own file and the list in [`ScreenId`], not the app.

/// The [`Screen`] methods of a screen that is a filtered list: a type with fields
/// `list: ListState`, `filter: Filter`, `shown: Vec<usize>` (the rows that pass the
/// filter) and a method `apply_filter(&mut self)`.
macro_rules! filtered_list {
    () => {
        fn list(&mut self) -> Option<(&mut $crate::tui::widgets::list::ListState, usize)> {
            let n = self.shown.len();
            Some((&mut self.list, n))
        }

        fn filter(&self) -> Option<&$crate::tui::widgets::filter::Filter> {
            Some(&self.filter)
        }

        fn filter_mut(&mut self) -> Option<&mut $crate::tui::widgets::filter::Filter> {
            Some(&mut self.filter)
        }

        fn refilter(&mut self) {
            self.apply_filter();
        }

        fn shown(&self) -> usize {
            self.shown.len()
        }
    };
}

pub mod account;
pub mod accounts;
pub mod approvals;
pub mod collector;
pub mod kpis;
pub mod outbox;
pub mod queue;
pub mod strategies;
pub mod team;
pub mod warnings;
pub mod whatif;

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::keymap::{Action, Keymap};
use super::theme::Theme;
use super::widgets::filter::Filter;
use super::widgets::list::ListState;
use crate::domain::Role;
use crate::service::{Result, Session};

/// Every screen the app has. Also where a key works: the keymap's table names these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenId {
    Queue,
    Account,
    Accounts,
    Outbox,
    Team,
    Collector,
    Approvals,
    Kpis,
    Strategies,
    Warnings,
    WhatIf,
}

impl ScreenId {
    /// The name people see in the header and the help.
    pub fn title(self) -> &'static str {
        match self {
            ScreenId::Queue => "My queue",
            ScreenId::Account => "Account",
            ScreenId::Accounts => "Accounts",
            ScreenId::Outbox => "Outbox",
            ScreenId::Team => "Team",
            ScreenId::Collector => "Collector",
            ScreenId::Approvals => "Approvals",
            ScreenId::Kpis => "KPIs",
            ScreenId::Strategies => "Strategies",
            ScreenId::Warnings => "Warnings",
            ScreenId::WhatIf => "What-if",
        }
    }

    /// The top-level screens `Tab` moves between, for a role: supervisors and admins
    /// also get the team, approvals, KPIs, strategies and early warnings.
    pub fn tabs(role: Role) -> Vec<ScreenId> {
        if role.sees_everything() {
            vec![
                ScreenId::Queue,
                ScreenId::Team,
                ScreenId::Approvals,
                ScreenId::Accounts,
                ScreenId::Kpis,
                ScreenId::Strategies,
                ScreenId::Warnings,
                ScreenId::Outbox,
            ]
        } else {
            vec![ScreenId::Queue, ScreenId::Accounts, ScreenId::Outbox]
        }
    }

    /// Loads a top-level screen.
    pub fn load(self, s: &Session) -> Result<Box<dyn Screen>> {
        Ok(match self {
            ScreenId::Queue => Box::new(queue::QueueScreen::load(s)?),
            ScreenId::Accounts => Box::new(accounts::AccountsScreen::load(s)?),
            ScreenId::Outbox => Box::new(outbox::OutboxScreen::load(s)?),
            ScreenId::Team => Box::new(team::TeamScreen::load(s)?),
            ScreenId::Approvals => Box::new(approvals::ApprovalsScreen::load(s)?),
            ScreenId::Kpis => Box::new(kpis::KpiScreen::load(s)?),
            ScreenId::Strategies => Box::new(strategies::StrategiesScreen::load(s)?),
            ScreenId::Warnings => Box::new(warnings::WarningsScreen::load(s)?),
            ScreenId::Account | ScreenId::Collector | ScreenId::WhatIf => {
                return Err(crate::service::ServiceError::Invalid(format!(
                    "the {} screen opens from a list",
                    self.title()
                )));
            }
        })
    }
}

/// What a screen needs to draw itself besides its own state.
pub struct Draw<'a> {
    pub theme: &'a Theme,
    pub currency: &'a str,
    /// The keys in force, for hints a screen draws itself (`t to scroll`).
    pub keymap: &'a Keymap,
}

/// Who a screen's current row is about: the account a form would act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub customer: String,
    pub name: String,
    /// The queue item the row stands for, if it is one.
    pub item: Option<i64>,
}

/// What a screen asks of the app after a key.
pub enum Effect {
    /// Nothing more to do (the screen changed itself).
    Done,
    /// A message for the footer (is it an error).
    Status(String, bool),
    /// Drill into another screen; `Esc` comes back.
    Push(Box<dyn Screen>),
    /// Open a form.
    Popup(super::popups::Popup),
}

pub trait Screen {
    fn id(&self) -> ScreenId;

    /// Reads the screen's data again, keeping the user's place. `Ok(Some(text))`
    /// tells the user something changed under them.
    fn reload(&mut self, s: &Session) -> Result<Option<String>>;

    fn draw(&self, f: &mut Frame<'_>, area: Rect, cx: &Draw<'_>);

    /// The list the movement keys and the mouse act on, and how many rows it shows.
    fn list(&mut self) -> Option<(&mut ListState, usize)> {
        None
    }

    /// The selection moved (keys or mouse): a screen showing details of the selected
    /// row reads them here, never while drawing.
    fn moved(&mut self, _s: &Session) {}

    /// The filter typed with `/`, on screens that have one.
    fn filter(&self) -> Option<&Filter> {
        None
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        None
    }

    /// Applies the filter again after it changed.
    fn refilter(&mut self) {}

    /// Rows that pass the filter.
    fn shown(&self) -> usize {
        0
    }

    /// The account the current row is about.
    fn target(&self) -> Option<Target> {
        None
    }

    /// `Enter`: what the current row opens.
    fn open(&self, s: &Session) -> Result<Option<Box<dyn Screen>>> {
        let Some(t) = self.target() else {
            return Ok(None);
        };
        Ok(Some(Box::new(account::AccountScreen::load(
            s,
            &t.customer,
            t.item,
        )?)))
    }

    /// An action only this screen understands (sorting, say); `None` when it has none.
    fn act(&mut self, _action: Action, _s: &Session) -> Option<Effect> {
        None
    }

    /// A footer description that depends on the screen's state ("sort: balance").
    fn hint(&self, _action: Action) -> Option<String> {
        None
    }

    /// What the marks in this screen's rows mean (`●`, `in a collection cycle`):
    /// drawn under the screen and listed in help.
    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Whether the marks show at `width` (a narrow list may drop their column; the
    /// legend then goes too, and help still lists them).
    fn marks_shown(&self, _width: u16) -> bool {
        true
    }

    /// Text for the header's right side (the queue's totals), longest first: the
    /// header shows the longest that fits whole.
    fn summary(&self, _currency: &str) -> Vec<String> {
        Vec::new()
    }

    fn as_any(&self) -> &dyn Any;

    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The keys of a screen's footer: each action's first key and description.
pub fn footer(keymap: &Keymap, screen: &dyn Screen) -> Vec<(String, String)> {
    keymap
        .footer(screen.id())
        .into_iter()
        .map(|(a, key, what)| (key, screen.hint(a).unwrap_or_else(|| what.to_string())))
        .collect()
}
