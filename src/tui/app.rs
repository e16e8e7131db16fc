//! The app's state and its update step: messages (keys, mouse, resize, ticks) come
//! in, the state changes, services are called, and the next frame is drawn from the
//! state alone (see `view.rs`).
//!
//! Screens are `dyn Screen`: the top-level ones are tabs (loaded the first time they
//! are shown), and screens opened from them (an account) stack on top; `Esc` pops.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::keymap::{Action, Keymap};
use super::popups::help::Help;
use super::popups::{Outcome, Popup};
use super::screens::account::AccountScreen;
use super::screens::queue::QueueScreen;
use super::screens::{Effect, Screen, ScreenId, Target};
use super::theme::Theme;
use super::widgets::filter::FilterKey;
use crate::service::{ServiceError, Session};

/// What happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): typed into the open form or
    /// the filter being typed, never read as keys.
    Paste(String),
    Mouse(MouseEvent),
    Resize,
    /// Time passed: look for changes other people made.
    Tick,
}

/// A top-level screen: which one, and its state once it has been shown.
pub struct Tab {
    pub id: ScreenId,
    pub screen: Option<Box<dyn Screen>>,
}

pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub currency: String,
    pub tabs: Vec<Tab>,
    /// The tab on show (when nothing is stacked on it).
    pub current: usize,
    /// Screens opened from the current tab, the last one on show; `Esc` pops.
    pub stack: Vec<Box<dyn Screen>>,
    pub popups: Vec<Popup>,
    /// A message for the footer: (text, is it an error).
    pub status: Option<(String, bool)>,
    pub quit: bool,
    /// The state changed since the last frame.
    pub dirty: bool,
    /// Long work asked for by a key (a what-if replay): done right after the next
    /// frame, which says it is under way, rather than behind a frozen screen.
    pub pending: Option<super::popups::Request>,
    /// The tab shown before a switch to one not read yet (it comes back if the read
    /// fails).
    shown_before: Option<usize>,
    data_version: i64,
}

impl App {
    /// The app with its first tab loaded.
    pub fn new(session: Session, keymap: Keymap, theme: Theme) -> Result<App, ServiceError> {
        let mut app = App::opening(session, keymap, theme)?;
        app.load_first()?;
        Ok(app)
    }

    /// The app with nothing loaded yet: its first frame (the tabs, and a line saying
    /// the first one is being read) is on the terminal at once, and the event loop
    /// loads the tab right after it — a large shop's queue takes a few hundred
    /// milliseconds to read. No key is read before the tab is there.
    pub fn opening(session: Session, keymap: Keymap, theme: Theme) -> Result<App, ServiceError> {
        let ids = ScreenId::tabs(session.user().role);
        let tabs: Vec<Tab> = ids.into_iter().map(|id| Tab { id, screen: None }).collect();
        let status = tabs
            .first()
            .map(|t| (format!("reading {}…", t.id.title()), false));
        let currency = session.currency()?;
        let data_version = session.data_version()?;
        Ok(App {
            session,
            keymap,
            theme,
            currency,
            tabs,
            current: 0,
            stack: Vec::new(),
            popups: Vec::new(),
            status,
            quit: false,
            dirty: true,
            pending: None,
            shown_before: None,
            data_version,
        })
    }

    /// Whether the tab on show is still to be read (right after [`App::opening`]).
    pub fn unloaded(&self) -> bool {
        self.stack.is_empty()
            && self
                .tabs
                .get(self.current)
                .is_some_and(|t| t.screen.is_none())
    }

    /// Reads the tab on show, if it is not loaded yet.
    pub fn load_first(&mut self) -> Result<(), ServiceError> {
        let Some(tab) = self.tabs.get_mut(self.current) else {
            return Ok(());
        };
        if tab.screen.is_none() {
            tab.screen = Some(tab.id.load(&self.session)?);
            self.status = None;
            self.dirty = true;
        }
        Ok(())
    }

    /// Reads the tab just switched to. When that fails, the tab shown before comes
    /// back with the reason in the footer; only the app's very first tab has nowhere
    /// to go back to, and its failure ends the app as an error.
    pub(super) fn load_switched(&mut self) -> Result<(), ServiceError> {
        let Err(e) = self.load_first() else {
            self.shown_before = None;
            return Ok(());
        };
        match self.shown_before.take() {
            Some(before) => {
                self.current = before;
                self.status = Some((e.to_string(), true));
                self.dirty = true;
                Ok(())
            }
            None => Err(e),
        }
    }

    /// The screen on show.
    pub fn screen(&self) -> Option<&dyn Screen> {
        match self.stack.last() {
            Some(s) => Some(s.as_ref()),
            None => self.tabs.get(self.current)?.screen.as_deref(),
        }
    }

    pub(super) fn screen_mut(&mut self) -> Option<&mut (dyn Screen + 'static)> {
        match self.stack.last_mut() {
            Some(s) => Some(s.as_mut()),
            None => self.tabs.get_mut(self.current)?.screen.as_deref_mut(),
        }
    }

    /// Where the user is: decides which keys apply.
    pub fn context(&self) -> ScreenId {
        self.screen().map_or(ScreenId::Queue, |s| s.id())
    }

    /// The loaded screen of type `T` nearest the top (stacked first, then tabs).
    pub fn find<T: 'static>(&self) -> Option<&T> {
        let tabs = self.tabs.iter().filter_map(|t| t.screen.as_ref());
        self.stack
            .iter()
            .rev()
            .chain(tabs)
            .find_map(|s| s.as_any().downcast_ref())
    }

    /// Like [`App::find`], to change it.
    pub fn find_mut<T: 'static>(&mut self) -> Option<&mut T> {
        let tabs = self.tabs.iter_mut().filter_map(|t| t.screen.as_mut());
        self.stack
            .iter_mut()
            .rev()
            .chain(tabs)
            .find_map(|s| s.as_any_mut().downcast_mut())
    }

    /// *My queue* (always loaded).
    pub fn queue(&self) -> Option<&QueueScreen> {
        self.find()
    }

    /// The account on show, if the top screen is one.
    pub fn account(&self) -> Option<&AccountScreen> {
        self.stack.last()?.as_any().downcast_ref()
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => {
                self.dirty = true;
                self.status = None;
                self.key(&key);
            }
            Msg::Key(_) => {}
            Msg::Paste(text) => {
                self.dirty = true;
                self.status = None;
                self.paste(&text);
            }
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
            self.reload(Changes::ByOthers);
            self.dirty = true;
        }
    }

    /// Reloads every loaded screen. A stacked screen that can no longer be shown (an
    /// account reassigned away) is closed, and the user is told why.
    ///
    /// After other people's changes (`Changes::ByOthers`), a list whose cursor now
    /// stands on another account than before (the row it was on went away) marks
    /// that row *unchosen*: the keys that record refuse it until the person moves
    /// or opens it, so nothing is ever recorded on an account they did not pick.
    /// After the person's own save the list simply moves on (to the next item), and
    /// the row it moves to is theirs to work.
    pub(super) fn reload(&mut self, changes: Changes) {
        let others = changes == Changes::ByOthers;
        let mut notices: Vec<(String, bool)> = Vec::new();
        for t in &mut self.tabs {
            if let Some(s) = t.screen.as_mut() {
                let before = s.target();
                match s.reload(&self.session) {
                    Ok(Some(n)) => notices.push((n, false)),
                    Ok(None) => {}
                    Err(e) => notices.push((e.to_string(), true)),
                }
                if others {
                    hold_if_moved(s.as_mut(), before.as_ref());
                }
            }
        }
        let mut keep = Vec::with_capacity(self.stack.len());
        for mut s in std::mem::take(&mut self.stack) {
            let before = s.target();
            match s.reload(&self.session) {
                Ok(n) => {
                    notices.extend(n.map(|n| (n, false)));
                    if others {
                        hold_if_moved(s.as_mut(), before.as_ref());
                    }
                    keep.push(s);
                }
                Err(e) => {
                    let what = before.map_or_else(
                        || s.id().title().to_string(),
                        |t| format!("{} {}", t.customer, t.name),
                    );
                    let why = match e {
                        // The account was on screen, so it was theirs a moment ago.
                        crate::service::ServiceError::NoCustomer(_) => {
                            "it is no longer among your accounts (reassigned)".to_string()
                        }
                        e => e.to_string(),
                    };
                    notices.push((format!("{what} closed: {why}"), true));
                    // What was opened from it goes too.
                    break;
                }
            }
        }
        self.stack = keep;
        if !others {
            // The person's own save moves the list on to what is next: that row is
            // theirs to work, even if others' changes had moved the cursor before.
            self.chose();
        }
        let mut notice = notices.into_iter().next();
        if let Some(held) = self.unchosen() {
            let text = match notice.take() {
                Some((n, _)) => format!("{n}. {}", held_words(&held)),
                None => held_words(&held),
            };
            notice = Some((text, true));
        }
        if let Some(n) = notice {
            self.status = Some(n);
        }
        if let Ok(v) = self.session.data_version() {
            self.data_version = v;
        }
    }

    /// The row on show, when it came under the cursor without the person choosing it.
    fn unchosen(&mut self) -> Option<Target> {
        let screen = self.screen_mut()?;
        let held = screen.list().is_some_and(|(l, _)| l.unchosen);
        if held { screen.target() } else { None }
    }

    /// The person picked the row on show (moved to it or opened it).
    fn chose(&mut self) {
        if let Some((list, _)) = self.screen_mut().and_then(|s| s.list()) {
            list.unchosen = false;
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
        if self.type_in_filter([*key]) == Some(false) {
            return;
        }
        if let Some(action) = self.keymap.action(key, self.context()) {
            self.act(action);
        }
    }

    /// Pasted text goes into the open form's field (a line break starts a new line in
    /// a note and is dropped elsewhere; a tab is a space) or the filter being typed.
    /// It is never taken as keys: a pasted line break does not save a form, and what
    /// follows it does not act on the next account.
    fn paste(&mut self, text: &str) {
        let as_of = self.session.as_of();
        let chars = text.replace("\r\n", "\n").replace('\r', "\n");
        if let Some(top) = self.popups.last_mut() {
            for c in chars.chars() {
                let key = match c {
                    '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT),
                    '\t' => KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
                    c if c.is_control() => continue,
                    c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                };
                // Typing, as if by hand; a form that closes or saves on a character
                // stops the paste there.
                match top.handle(&key, as_of) {
                    Outcome::Keep => {}
                    Outcome::Close | Outcome::Submit(_) => {
                        self.status = Some((
                            "the rest of the paste was dropped: paste into a text field".into(),
                            true,
                        ));
                        return;
                    }
                }
            }
            return;
        }
        let typed = chars
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        if self.type_in_filter(typed).is_some() {
            return;
        }
        self.status = Some((
            "pasted text is taken in a form or the filter only (/ filters)".into(),
            true,
        ));
    }

    /// Types `keys` into the filter being typed, if one is, and filters again once when
    /// it changed (the person picks rows by filtering them). `None` when no filter is
    /// being typed; else whether the filter ignored every key (it is then an action's).
    fn type_in_filter(&mut self, keys: impl IntoIterator<Item = KeyEvent>) -> Option<bool> {
        let screen = self.screen_mut()?;
        let (mut changed, mut ignored) = (false, true);
        {
            let filter = screen.filter_mut().filter(|f| f.editing)?;
            for k in keys {
                let r = filter.handle(&k);
                changed |= r == FilterKey::Changed;
                ignored &= r == FilterKey::Ignored;
            }
        }
        if changed {
            screen.refilter();
            if let Some((list, _)) = screen.list() {
                list.unchosen = false;
            }
        }
        Some(ignored)
    }

    fn mouse(&mut self, m: &MouseEvent) {
        if !self.popups.is_empty() {
            return;
        }
        let Some((list, len)) = self.screen_mut().and_then(|s| s.list()) else {
            return;
        };
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(row) = list.row_at(m.column, m.row)
                    && row < len
                {
                    list.selected = row;
                    list.unchosen = false;
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
            _ => return,
        }
        self.moved();
    }

    /// Tells the screen on show that its selection moved.
    fn moved(&mut self) {
        let session = &self.session;
        match self.stack.last_mut() {
            Some(s) => s.moved(session),
            None => {
                if let Some(s) = self
                    .tabs
                    .get_mut(self.current)
                    .and_then(|t| t.screen.as_mut())
                {
                    s.moved(session);
                }
            }
        }
    }

    fn act(&mut self, action: Action) {
        if action.records()
            && let Some(held) = self.unchosen()
        {
            self.status = Some((
                format!(
                    "nothing recorded: {} {} came under the cursor through someone else's change; move (↑↓) or open it (⏎) first",
                    held.customer, held.name
                ),
                true,
            ));
            return;
        }
        // The screen's own actions first (sorting, say).
        let session = &self.session;
        if let Some(effect) = match self.stack.last_mut() {
            Some(s) => s.act(action, session),
            None => self
                .tabs
                .get_mut(self.current)
                .and_then(|t| t.screen.as_mut())
                .and_then(|s| s.act(action, session)),
        } {
            self.apply(effect);
            return;
        }
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let Some((list, len)) = self.screen_mut().and_then(|s| s.list()) else {
                    return;
                };
                let page = list.page_rows() as isize;
                match action {
                    Action::Up => list.move_by(-1, len),
                    Action::Down => list.move_by(1, len),
                    Action::PageUp => list.move_by(-page, len),
                    Action::PageDown => list.move_by(page, len),
                    Action::Top => list.move_by(-(len as isize), len),
                    _ => list.move_by(len as isize, len),
                }
                self.moved();
            }
            Action::Open => {
                self.chose();
                self.open_selected();
            }
            Action::Back => {
                self.stack.pop();
                if let Some(held) = self.unchosen() {
                    self.status = Some((held_words(&held), true));
                }
            }
            Action::NextScreen | Action::PrevScreen => {
                self.switch_tab(action == Action::NextScreen);
            }
            Action::Filter => {
                if let Some(f) = self.screen_mut().and_then(|s| s.filter_mut()) {
                    f.start();
                }
            }
            Action::Help => {
                let id = self.context();
                let marks = self.screen().map_or(&[][..], |s| s.legend());
                self.popups.push(Popup::Help(Help {
                    screen: id.title(),
                    keys: self.keymap.help(id),
                    marks,
                }));
            }
            Action::Quit => self.quit = true,
            Action::Refresh => {
                self.reload(Changes::ByOthers);
                if self.status.is_none() {
                    self.status = Some(("refreshed".into(), false));
                }
            }
            Action::Sort => {}
            Action::Deliver => match self.session.pending_mail() {
                Ok((0, _)) => {
                    self.status = Some(("nothing is pending in the outbox".into(), false))
                }
                Ok((n, oldest)) => {
                    self.popups
                        .push(Popup::form(super::popups::choose::DeliverForm::new(
                            n as usize,
                            oldest,
                            self.session.as_of(),
                        )))
                }
                Err(e) => self.status = Some((e.to_string(), true)),
            },
            Action::Send
            | Action::Call
            | Action::Promise
            | Action::Dispute
            | Action::Note
            | Action::Callback
            | Action::Finish
            | Action::Hold
            | Action::Assign
            | Action::Plan
            | Action::WriteOff => {
                self.start_form(action);
            }
            Action::Mark | Action::Timeline | Action::Try => {}
        }
    }

    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Done => {}
            Effect::Status(text, err) => self.status = Some((text, err)),
            Effect::Push(s) => self.stack.push(s),
            Effect::Popup(p) => self.popups.push(p),
        }
    }

    /// Moves to the next (or previous) tab, loading it the first time.
    fn switch_tab(&mut self, forward: bool) {
        let n = self.tabs.len();
        if n == 0 {
            return;
        }
        let next = if forward {
            (self.current + 1) % n
        } else {
            (self.current + n - 1) % n
        };
        self.stack.clear();
        // A tab not read yet is read after the frame that names it (see `unloaded`).
        if let Some(tab) = self.tabs.get(next)
            && tab.screen.is_none()
        {
            self.status = Some((format!("reading {}…", tab.id.title()), false));
            self.shown_before = Some(self.current);
        }
        self.current = next;
    }

    fn open_selected(&mut self) {
        let Some(screen) = self.screen() else {
            return;
        };
        match screen.open(&self.session) {
            Ok(Some(s)) => self.stack.push(s),
            Ok(None) => {}
            Err(e) => self.status = Some((e.to_string(), true)),
        }
    }

    /// Who the current row is about.
    pub(super) fn target(&self) -> Option<Target> {
        self.screen()?.target()
    }
}

/// Whose changes a reload brings in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Changes {
    /// The person's own save: the list moves on as they expect.
    Own,
    /// Other people's (or the daily run's): the person did not move anything.
    ByOthers,
}

/// Marks a screen's row unchosen when its cursor now stands on another account than
/// `before` (or on one where there was none).
fn hold_if_moved(s: &mut dyn Screen, before: Option<&Target>) {
    let after = s.target();
    let moved = match (before, &after) {
        (Some(b), Some(a)) => a.customer != b.customer,
        (None, Some(_)) => true,
        (_, None) => false,
    };
    if moved && let Some((list, _)) = s.list() {
        list.unchosen = true;
    }
}

/// What the footer says about a row that came under the cursor by itself.
fn held_words(t: &Target) -> String {
    format!(
        "The list changed under you: ▶ is now on {} {}, which you did not choose. Move (↑↓) or open it (⏎) before recording anything.",
        t.customer, t.name
    )
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == crossterm::event::KeyCode::Char('c')
        && key
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL)
}
