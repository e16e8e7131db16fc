//! The terminal app (ratatui): a collector's day at the speed of the keyboard.
//!
//! One pattern throughout: state (`app.rs`) → message (`Msg`) → update → view
//! (`view.rs`). The event loop is generic over the ratatui `Backend`, so tests drive
//! the real app on a `TestBackend`. Screens and forms live in their own small files;
//! popups stack; one keymap table drives keys, footer and help.
//!
//! The terminal is restored on every way out: `q`, an error, a panic (hook), and
//! SIGTERM, SIGHUP (the terminal closed) or SIGINT, which end the loop like `q`.

mod actions;
pub mod app;
pub mod keymap;
pub mod popups;
pub mod screens;
pub mod theme;
pub mod view;
pub mod widgets;

use std::io::{self, Stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

use app::{App, Msg};

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
        match next(TICK)? {
            Some(Event::Key(k)) => app.update(Msg::Key(k)),
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

/// The app was ended by a signal (its number); the terminal has been restored and
/// nothing half-typed was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped by signal {0} (the terminal is restored; unsaved forms were dropped)")]
pub struct Stopped(pub i32);

/// The signals that end the app the way `q` does.
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
];

/// Notes the stop signals instead of dying at once; a second one while the first is
/// handled ends the process immediately.
fn catch_stop_signals() -> io::Result<(Arc<AtomicBool>, Arc<AtomicUsize>)> {
    let stopping = Arc::new(AtomicBool::new(false));
    let which = Arc::new(AtomicUsize::new(0));
    for sig in STOP_SIGNALS {
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&stopping))?;
        signal_hook::flag::register_usize(sig, Arc::clone(&which), sig.unsigned_abs() as usize)?;
        signal_hook::flag::register(sig, Arc::clone(&stopping))?;
    }
    Ok((stopping, which))
}

/// Opens the app on the real terminal.
pub fn run(app: &mut App) -> anyhow::Result<()> {
    let (stopping, which) = catch_stop_signals()?;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    enable_raw_mode()?;
    let _guard = Restore;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    let mut terminal: Terminal<CrosstermBackend<Stdout>> =
        Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    let mut next = |timeout: Duration| -> io::Result<Option<Event>> {
        if event::poll(timeout)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    };
    let stop = || stopping.load(Ordering::SeqCst);
    let ended = event_loop(&mut terminal, app, &mut next, &stop);
    // `_guard` restores the terminal as this returns.
    match which.load(Ordering::SeqCst) {
        0 => ended,
        sig => Err(Stopped(i32::try_from(sig).unwrap_or(0)).into()),
    }
}
