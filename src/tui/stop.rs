//! Stopping from outside: SIGTERM, SIGHUP and SIGINT end the app the way `q` does
//! (the event loop notices within a tick, and the terminal is restored as `run`
//! returns). A closed terminal is the hard case: crossterm's read then spins on
//! end-of-file and never returns to the loop, so a watchdog thread ends the process
//! when the terminal is gone and the loop has not finished within a second. Nothing
//! is half-written either way: a form only writes when it is saved, in one
//! transaction.

use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The app was ended by a signal (its number); the terminal has been restored and
/// nothing half-typed was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped by signal {0} (the terminal is restored; unsaved forms were dropped)")]
pub struct Stopped(pub i32);

/// How long the loop may take to notice a closed terminal before the watchdog acts.
const GRACE: Duration = Duration::from_secs(1);

/// Whether the terminal we draw on is gone (closed: it no longer answers as one).
pub(super) fn terminal_gone() -> bool {
    !io::stdout().is_terminal()
}

/// The stop signals, caught for as long as the app runs.
pub struct StopSignals {
    stopping: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    /// Notes the stop signals instead of dying at once (a second one while the first
    /// is handled ends the process immediately), and starts the watchdog.
    pub fn catch() -> io::Result<StopSignals> {
        let stopping = Arc::new(AtomicBool::new(false));
        let which = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            ids.push(signal_hook::flag::register_conditional_shutdown(
                sig,
                128 + sig,
                Arc::clone(&stopping),
            )?);
            ids.push(signal_hook::flag::register_usize(
                sig,
                Arc::clone(&which),
                sig.unsigned_abs() as usize,
            )?);
            ids.push(signal_hook::flag::register(sig, Arc::clone(&stopping))?);
        }
        let (w, d) = (Arc::clone(&which), Arc::clone(&done));
        std::thread::Builder::new()
            .name("arq-stop-watchdog".into())
            .spawn(move || watchdog(&w, &d))?;
        Ok(StopSignals {
            stopping,
            which,
            done,
            ids,
        })
    }

    /// Whether the app should stop now.
    pub fn requested(&self) -> bool {
        self.stopping.load(Ordering::SeqCst) || terminal_gone()
    }

    /// The loop has ended: the signal that ended it, if one did (a terminal found
    /// closed counts as SIGHUP).
    pub fn finish(self) -> Option<i32> {
        self.done.store(true, Ordering::SeqCst);
        for id in self.ids {
            signal_hook::low_level::unregister(id);
        }
        match self.which.load(Ordering::SeqCst) {
            0 if terminal_gone() => Some(SIGHUP),
            0 => None,
            sig => i32::try_from(sig).ok(),
        }
    }
}

/// Ends the process when the terminal is gone and the loop, stuck in a read that
/// never returns, has not finished within `GRACE`.
fn watchdog(which: &AtomicUsize, done: &AtomicBool) {
    let mut gone_since: Option<Instant> = None;
    while !done.load(Ordering::SeqCst) {
        match gone_since {
            None if terminal_gone() => gone_since = Some(Instant::now()),
            Some(t) if t.elapsed() >= GRACE => {
                super::restore();
                let sig = match which.load(Ordering::SeqCst) {
                    0 => SIGHUP,
                    n => i32::try_from(n).unwrap_or(SIGHUP),
                };
                std::process::exit(128 + sig);
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
