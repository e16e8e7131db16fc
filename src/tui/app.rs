//! The app's state and its update step: messages (keys, mouse, resize, ticks) come
//! in, the state changes, services are called, and the next frame is drawn from the
//! state alone (see `view.rs`).

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

use super::keymap::{Action, Context, Keymap};
use super::popups::dispute::{Disputable, DisputeForm};
use super::popups::help::Help;
use super::popups::simple::SimpleForm;
use super::popups::wrapup::WrapUpForm;
use super::popups::{Outcome, Popup, Request};
use super::screens::account::AccountScreen;
use super::screens::accounts::AccountsScreen;
use super::screens::queue::QueueScreen;
use super::theme::Theme;
use super::widgets::filter::{Filter, FilterKey};
use super::widgets::list::ListState;
use crate::domain::{Money, Role};
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
}

pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub currency: String,
    pub tab: Tab,
    pub queue: QueueScreen,
    pub accounts: Option<AccountsScreen>,
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
struct Target {
    customer: String,
    name: String,
    item: Option<i64>,
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

    fn reload(&mut self) {
        let mut problems = Vec::new();
        if let Err(e) = self.queue.reload(&self.session) {
            problems.push(e.to_string());
        }
        if let Some(a) = self.accounts.as_mut()
            && let Err(e) = a.reload(&self.session)
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
        }
    }

    /// The list the movement keys act on, and its length.
    fn list_mut(&mut self) -> (&mut ListState, usize) {
        if let Some(a) = self.account.as_mut() {
            let n = a.view.invoices.len();
            return (&mut a.invoices, n);
        }
        match (self.tab, self.accounts.as_mut()) {
            (Tab::Accounts, Some(a)) => {
                let n = a.shown.len();
                (&mut a.list, n)
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
                self.tab = if self.tab == Tab::Queue {
                    Tab::Accounts
                } else {
                    Tab::Queue
                };
                if self.tab == Tab::Accounts && self.accounts.is_none() {
                    match AccountsScreen::load(&self.session) {
                        Ok(a) => self.accounts = Some(a),
                        Err(e) => {
                            self.tab = Tab::Queue;
                            self.status = Some((e.to_string(), true));
                        }
                    }
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
            Action::Send => {
                self.status = Some((
                    "sending messages from here comes with mail delivery".into(),
                    true,
                ))
            }
            Action::Call
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
        };
        let Some((customer, item)) = target else {
            return;
        };
        match AccountScreen::load(&self.session, &customer, item) {
            Ok(a) => self.account = Some(a),
            Err(e) => self.status = Some((e.to_string(), true)),
        }
    }

    fn target(&self) -> Option<Target> {
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
        }
    }

    fn start_form(&mut self, action: Action) {
        let Some(t) = self.target() else {
            self.status = Some(("select an account first".into(), true));
            return;
        };
        // The account as it stands now (the screen's copy, else a fresh read).
        let view = match &self.account {
            Some(a) if a.view.customer_id == t.customer => Ok(a.view.clone()),
            _ => self.session.account(&t.customer, 0),
        };
        let view = match view {
            Ok(v) => v,
            Err(e) => {
                self.status = Some((e.to_string(), true));
                return;
            }
        };
        let popup = match action {
            Action::Call => Popup::WrapUp(Box::new(WrapUpForm::new(
                &t.customer,
                &t.name,
                t.item,
                view.collectible_past_due,
            ))),
            Action::Promise => Popup::Simple(Box::new(SimpleForm::promise(
                &t.customer,
                &t.name,
                view.collectible_past_due,
            ))),
            Action::Note => Popup::Simple(Box::new(SimpleForm::note(&t.customer, &t.name))),
            Action::Callback => Popup::Simple(Box::new(SimpleForm::callback(&t.customer, &t.name))),
            Action::Dispute => {
                let invoices: Vec<Disputable> = view
                    .invoices
                    .iter()
                    .map(|i| Disputable {
                        invoice_no: i.invoice_no.clone(),
                        balance: i.balance,
                        open: (i.balance - i.disputed).max(Money::ZERO),
                    })
                    .filter(|d| d.open.is_positive())
                    .collect();
                if invoices.is_empty() {
                    self.status = Some((
                        format!("{} has no open invoice left to dispute", t.customer),
                        true,
                    ));
                    return;
                }
                let preferred = self
                    .account
                    .as_ref()
                    .and_then(|a| a.selected_invoice())
                    .map(str::to_string);
                Popup::Dispute(Box::new(DisputeForm::new(
                    &t.customer,
                    &t.name,
                    invoices,
                    preferred.as_deref(),
                )))
            }
            Action::Finish => {
                let item = t.item.or_else(|| {
                    self.account
                        .as_ref()
                        .and_then(AccountScreen::item_to_finish)
                });
                let Some(item) = item else {
                    self.status =
                        Some((format!("{} has no open item to finish", t.customer), true));
                    return;
                };
                let what = view
                    .open_items
                    .iter()
                    .find(|i| i.item_id == item)
                    .map_or_else(String::new, |i| i.note.clone());
                Popup::Simple(Box::new(SimpleForm::finish(item, &what)))
            }
            Action::Hold if view.on_hold => {
                if !self.session.user().role.sees_everything() {
                    self.status = Some((
                        "only supervisors and admins release credit holds".into(),
                        true,
                    ));
                    return;
                }
                Popup::Simple(Box::new(SimpleForm::release(&t.customer, &t.name)))
            }
            Action::Hold => Popup::Simple(Box::new(SimpleForm::hold(&t.customer, &t.name))),
            Action::Assign => {
                if !self.session.user().role.sees_everything() {
                    self.status =
                        Some(("only supervisors and admins assign accounts".into(), true));
                    return;
                }
                let users = match self.session.users() {
                    Ok(u) => u
                        .into_iter()
                        .filter(|u| u.role != Role::Admin)
                        .map(|u| u.name)
                        .collect(),
                    Err(e) => {
                        self.status = Some((e.to_string(), true));
                        return;
                    }
                };
                Popup::Simple(Box::new(SimpleForm::assign(
                    &t.customer,
                    &t.name,
                    users,
                    view.owner.as_deref(),
                )))
            }
            _ => return,
        };
        self.popups.push(popup);
    }

    /// Carries out a form's request. On success the form closes and everything is
    /// reloaded; a refusal goes back into the form.
    fn submit(&mut self, r: Request) {
        let s = &mut self.session;
        let done: Result<String, ServiceError> = match &r {
            Request::WrapUp {
                customer,
                item,
                outcome,
                note,
                follow,
            } => s.wrap_up(customer, *item, *outcome, note, follow).map(|w| {
                let mut msg = format!("call logged on {customer} ({outcome})");
                if let Some(p) = w.promise_id {
                    msg.push_str(&format!("; promise #{p} recorded"));
                }
                if let Some(c) = w.callback_id {
                    msg.push_str(&format!("; callback #{c} scheduled"));
                }
                msg
            }),
            Request::Promise {
                customer,
                amount,
                date,
                note,
            } => s
                .take_promise(customer, *amount, *date, note)
                .map(|p| format!("promise #{p}: {} by {date}", amount.grouped())),
            Request::Dispute {
                customer,
                invoice,
                reason,
                amount,
                note,
            } => s
                .open_dispute(customer, invoice, *reason, *amount, note, None)
                .map(|d| format!("dispute #{d} opened on {invoice}")),
            Request::Note { customer, text } => s
                .log_note(customer, text)
                .map(|_| format!("note added to {customer}")),
            Request::Callback {
                customer,
                date,
                note,
            } => s
                .schedule_callback(customer, *date, note)
                .map(|c| format!("callback #{c} on {date}")),
            Request::Finish { item, note } => s
                .finish_item(*item, note)
                .map(|_| format!("item #{item} done")),
            Request::Hold { customer, reason } => s
                .set_hold(customer, reason)
                .map(|_| format!("{customer} is on credit hold")),
            Request::Release { customer, note } => s
                .release_hold(customer, note)
                .map(|()| format!("{customer}: hold released")),
            Request::Assign { customer, to } => s
                .assign(std::slice::from_ref(customer), to)
                .map(|_| format!("{customer} assigned to {to}")),
        };
        match done {
            Ok(msg) => {
                self.popups.pop();
                // A wrap-up moves on: back from the account to the queue, whose next item is now selected.
                if matches!(r, Request::WrapUp { .. })
                    && self.account.as_ref().is_some_and(|a| a.item.is_some())
                {
                    self.account = None;
                }
                self.reload();
                self.status = Some((msg, false));
            }
            Err(e) => {
                if let Some(p) = self.popups.last_mut() {
                    p.set_error(e.to_string());
                }
            }
        }
    }
}
