//! The terminal app (ratatui): a collector's day at the speed of the keyboard.
//!
//! One pattern throughout: state (`app.rs`) → message (`Msg`) → update → view
//! (`view.rs`). The event loop is generic over the ratatui `Backend`, so tests drive
//! the real app on a `TestBackend`. Screens and forms live in their own small files;
//! popups stack; one keymap table drives keys, footer and help.
//!
//! The terminal is restored on every way out: `q`, an error, a panic (hook), and
//! SIGTERM, SIGHUP or SIGINT, which end the loop like `q` (see `stop.rs`).

mod actions;
pub mod app;
pub mod keymap;
pub mod popups;
pub mod safe;
pub mod screens;
mod stop;
pub mod theme;
pub mod view;
pub mod widgets;

use std::io::{self, Stdout};
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

use app::{App, Msg};
use stop::StopSignals;
pub use stop::Stopped;

/// How often the app looks for changes made by other people.
pub const TICK: Duration = Duration::from_millis(250);

/// Runs the app until the user quits (or `stop` says to), drawing only when
/// something changed. `next` waits up to the given time for an input event.
pub fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    next: &mut dyn FnMut(Duration) -> io::Result<Option<Event>>,
    stop: &dyn Fn() -> bool,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    while !app.quit && !stop() {
        if app.dirty {
            terminal.draw(|f| view::draw(f, app))?;
            app.dirty = false;
        }
        // Long work goes after the frame that says it is under way: reading a tab
        // (the first when the app opens), a what-if replay.
        if app.unloaded() {
            app.load_switched()?;
            continue;
        }
        if app.pending.is_some() {
            app.run_pending();
            continue;
        }
        match next(TICK)? {
            Some(Event::Key(k)) => app.update(Msg::Key(k)),
            Some(Event::Paste(text)) => app.update(Msg::Paste(text)),
            Some(Event::Mouse(m)) => app.update(Msg::Mouse(m)),
            Some(Event::Resize(..)) => app.update(Msg::Resize),
            Some(_) => {}
            None => app.update(Msg::Tick),
        }
    }
    Ok(())
}

/// Puts the terminal back as it was: on quit, on error, and on panic.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

/// Opens the app on the real terminal.
pub fn run(app: &mut App) -> anyhow::Result<()> {
    let signals = StopSignals::catch()?;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    enable_raw_mode()?;
    let _guard = Restore;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let mut terminal: Terminal<safe::Safe<CrosstermBackend<Stdout>>> =
        Terminal::new(safe::Safe(CrosstermBackend::new(io::stdout())))?;
    terminal.clear()?;
    let mut next = |timeout: Duration| -> io::Result<Option<Event>> {
        if event::poll(timeout)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    };
    let ended = event_loop(&mut terminal, app, &mut next, &|| signals.requested());
    // `_guard` restores the terminal as this returns.
    match signals.finish() {
        Some(sig) => Err(Stopped(sig).into()),
        None => ended,
    }
}
