//! The app's state and its update step: messages (keys, mouse, resize, ticks) come
//! in, the state changes, services are called, and the next frame is drawn from the
//! state alone (see `view.rs`).

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

use super::keymap::{Action, Context, Keymap};
use super::popups::help::Help;
use super::popups::{Outcome, Popup, Request};
use super::screens::account::AccountScreen;
use super::screens::accounts::AccountsScreen;
use super::screens::outbox::OutboxScreen;
use super::screens::queue::QueueScreen;
use super::theme::Theme;
use super::widgets::filter::{Filter, FilterKey};
use super::widgets::list::ListState;
use crate::service::{ServiceError, Session};

/// What happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    /// Time passed: look for changes other people made.
    Tick,
}

/// The top-level screens `Tab` moves between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Queue,
    Accounts,
    Outbox,
}

impl Tab {
    const ORDER: [Tab; 3] = [Tab::Queue, Tab::Accounts, Tab::Outbox];

    fn step(self, forward: bool) -> Tab {
        let i = Tab::ORDER.iter().position(|t| *t == self).unwrap_or(0);
        let n = Tab::ORDER.len();
        Tab::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub currency: String,
    pub tab: Tab,
    pub queue: QueueScreen,
    pub accounts: Option<AccountsScreen>,
    pub outbox: Option<OutboxScreen>,
    /// The account opened from a list (Esc goes back).
    pub account: Option<AccountScreen>,
    pub popups: Vec<Popup>,
    /// A message for the footer: (text, is it an error).
    pub status: Option<(String, bool)>,
    pub quit: bool,
    /// The state changed since the last frame.
    pub dirty: bool,
    data_version: i64,
}

/// Who the current row is about: (customer id, name, queue item).
pub(super) struct Target {
    pub(super) customer: String,
    pub(super) name: String,
    pub(super) item: Option<i64>,
}

impl App {
    pub fn new(session: Session, keymap: Keymap, theme: Theme) -> Result<App, ServiceError> {
        let queue = QueueScreen::load(&session)?;
        let currency = session.currency()?;
        let data_version = session.data_version()?;
        Ok(App {
            session,
            keymap,
            theme,
            currency,
            tab: Tab::Queue,
            queue,
            accounts: None,
            outbox: None,
            account: None,
            popups: Vec::new(),
            status: None,
            quit: false,
            dirty: true,
            data_version,
        })
    }

    pub fn context(&self) -> Context {
        match (&self.account, self.tab) {
            (Some(_), _) => Context::Account,
            (None, Tab::Queue) => Context::Queue,
            (None, Tab::Accounts) => Context::Accounts,
            (None, Tab::Outbox) => Context::Outbox,
        }
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => {
                self.dirty = true;
                self.status = None;
                self.key(&key);
            }
            Msg::Key(_) => {}
            Msg::Mouse(m) => self.mouse(&m),
            Msg::Resize => self.dirty = true,
            Msg::Tick => self.poll_changes(),
        }
    }

    /// Reloads when another process (a colleague, a cron `arq run`) committed since
    /// we last looked. The user's place and any half-typed form stay as they are.
    fn poll_changes(&mut self) {
        let Ok(v) = self.session.data_version() else {
            return;
        };
        if v != self.data_version {
            self.data_version = v;
            self.reload();
            self.dirty = true;
        }
    }

    pub(super) fn reload(&mut self) {
        let mut problems = Vec::new();
        if let Err(e) = self.queue.reload(&self.session) {
            problems.push(e.to_string());
        }
        if let Some(a) = self.accounts.as_mut()
            && let Err(e) = a.reload(&self.session)
        {
            problems.push(e.to_string());
        }
        if let Some(o) = self.outbox.as_mut()
            && let Err(e) = o.reload(&self.session)
        {
            problems.push(e.to_string());
        }
        if let Some(acc) = self.account.as_mut()
            && acc.reload(&self.session).is_err()
        {
            // The account left this user's view (reassigned, say): go back to the list.
            self.account = None;
        }
        if let Some(p) = problems.into_iter().next() {
            self.status = Some((p, true));
        }
        if let Ok(v) = self.session.data_version() {
            self.data_version = v;
        }
    }

    fn key(&mut self, key: &KeyEvent) {
        // Ctrl-C in a form cancels it (nothing is written); the next one quits.
        if !self.popups.is_empty() && is_ctrl_c(key) {
            self.popups.clear();
            let quits = self.keymap.action(key, self.context()) == Some(Action::Quit);
            let then = if quits { " (ctrl-c again quits)" } else { "" };
            self.status = Some((format!("cancelled, nothing saved{then}"), false));
            return;
        }
        if let Some(top) = self.popups.last_mut() {
            match top.handle(key, self.session.as_of()) {
                Outcome::Keep => {}
                Outcome::Close => {
                    self.popups.pop();
                }
                Outcome::Submit(r) => self.submit(r),
            }
            return;
        }
        if let Some(filter) = self.filter_mut()
            && filter.editing
        {
            let k = filter.handle(key);
            if k == FilterKey::Changed {
                self.refilter();
            }
            if k != FilterKey::Ignored {
                return;
            }
        }
        if let Some(action) = self.keymap.action(key, self.context()) {
            self.act(action);
        }
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        match (self.account.is_some(), self.tab) {
            (true, _) => None,
            (false, Tab::Queue) => Some(&mut self.queue.filter),
            (false, Tab::Accounts) => self.accounts.as_mut().map(|a| &mut a.filter),
            (false, Tab::Outbox) => self.outbox.as_mut().map(|o| &mut o.filter),
        }
    }

    fn refilter(&mut self) {
        match self.tab {
            Tab::Queue => self.queue.refilter(),
            Tab::Accounts => {
                if let Some(a) = self.accounts.as_mut() {
                    a.refilter();
                }
            }
            Tab::Outbox => {
                if let Some(o) = self.outbox.as_mut() {
                    o.refilter();
                }
            }
        }
    }

    /// The list the movement keys act on, and its length.
    fn list_mut(&mut self) -> (&mut ListState, usize) {
        if let Some(a) = self.account.as_mut() {
            let n = a.view.invoices.len();
            return (&mut a.invoices, n);
        }
        match (self.tab, self.accounts.as_mut(), self.outbox.as_mut()) {
            (Tab::Accounts, Some(a), _) => {
                let n = a.shown.len();
                (&mut a.list, n)
            }
            (Tab::Outbox, _, Some(o)) => {
                let n = o.shown.len();
                (&mut o.list, n)
            }
            _ => {
                let n = self.queue.shown.len();
                (&mut self.queue.list, n)
            }
        }
    }

    fn mouse(&mut self, m: &MouseEvent) {
        if !self.popups.is_empty() {
            return;
        }
        let (list, len) = self.list_mut();
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(row) = list.row_at(m.column, m.row)
                    && row < len
                {
                    list.selected = row;
                    self.dirty = true;
                }
            }
            MouseEventKind::ScrollDown => {
                list.scroll(3, len);
                self.dirty = true;
            }
            MouseEventKind::ScrollUp => {
                list.scroll(-3, len);
                self.dirty = true;
            }
            _ => {}
        }
    }

    fn act(&mut self, action: Action) {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let (list, len) = self.list_mut();
                let page = list.page_rows() as isize;
                match action {
                    Action::Up => list.move_by(-1, len),
                    Action::Down => list.move_by(1, len),
                    Action::PageUp => list.move_by(-page, len),
                    Action::PageDown => list.move_by(page, len),
                    Action::Top => list.selected = 0,
                    _ => list.selected = len.saturating_sub(1),
                }
            }
            Action::Open => self.open_selected(),
            Action::Back => self.account = None,
            Action::NextScreen | Action::PrevScreen => {
                self.account = None;
                self.tab = self.tab.step(action == Action::NextScreen);
                let loaded = match self.tab {
                    Tab::Accounts if self.accounts.is_none() => {
                        AccountsScreen::load(&self.session).map(|a| self.accounts = Some(a))
                    }
                    Tab::Outbox if self.outbox.is_none() => {
                        OutboxScreen::load(&self.session).map(|o| self.outbox = Some(o))
                    }
                    _ => Ok(()),
                };
                if let Err(e) = loaded {
                    self.tab = Tab::Queue;
                    self.status = Some((e.to_string(), true));
                }
            }
            Action::Filter => {
                if let Some(f) = self.filter_mut() {
                    f.start();
                }
            }
            Action::Help => {
                let screen = match self.context() {
                    Context::Queue => "My queue",
                    Context::Account => "the account",
                    Context::Accounts => "Accounts",
                    Context::Outbox => "the outbox",
                };
                self.popups.push(Popup::Help(Help {
                    screen,
                    keys: self.keymap.help(self.context()),
                }));
            }
            Action::Quit => self.quit = true,
            Action::Refresh => {
                self.reload();
                self.status = Some(("refreshed".into(), false));
            }
            Action::Sort => {
                if let Some(a) = self.accounts.as_mut() {
                    a.cycle_sort();
                    self.status = Some((format!("sorted by {}", a.sort.label()), false));
                }
            }
            Action::Deliver => self.submit(Request::Deliver),
            Action::Send
            | Action::Call
            | Action::Promise
            | Action::Dispute
            | Action::Note
            | Action::Callback
            | Action::Finish
            | Action::Hold
            | Action::Assign => {
                self.start_form(action);
            }
        }
    }

    fn open_selected(&mut self) {
        let target = match self.tab {
            Tab::Queue => self
                .queue
                .selected()
                .map(|i| (i.customer_id.clone(), Some(i.item_id))),
            Tab::Accounts => self
                .accounts
                .as_ref()
                .and_then(|a| a.selected())
                .map(|l| (l.customer_id.clone(), None)),
            Tab::Outbox => self
                .outbox
                .as_ref()
                .and_then(|o| o.selected())
                .map(|r| (r.customer_id.clone(), None)),
        };
        let Some((customer, item)) = target else {
            return;
        };
        match AccountScreen::load(&self.session, &customer, item) {
            Ok(a) => self.account = Some(a),
            Err(e) => self.status = Some((e.to_string(), true)),
        }
    }

    pub(super) fn target(&self) -> Option<Target> {
        if let Some(a) = &self.account {
            return Some(Target {
                customer: a.view.customer_id.clone(),
                name: a.view.name.clone(),
                item: a.item,
            });
        }
        match self.tab {
            Tab::Queue => self.queue.selected().map(|i| Target {
                customer: i.customer_id.clone(),
                name: i.customer_name.clone(),
                item: Some(i.item_id),
            }),
            Tab::Accounts => self
                .accounts
                .as_ref()
                .and_then(|a| a.selected())
                .map(|l| Target {
                    customer: l.customer_id.clone(),
                    name: l.name.clone(),
                    item: None,
                }),
            Tab::Outbox => self
                .outbox
                .as_ref()
                .and_then(|o| o.selected())
                .map(|r| Target {
                    customer: r.customer_id.clone(),
                    name: r.recipient.clone(),
                    item: None,
                }),
        }
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == crossterm::event::KeyCode::Char('c')
        && key
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL)
}
