//! Progress of long work — an import, the daily run (evaluate, apply, deliver), an
//! outbox send, the demo build, and later `db copy` — told to whoever shows it.
//!
//! The work calls a [`Progress`] it was handed; it never draws anything itself. The
//! command line passes bars on stderr (`cli::progress`), everything else (tests,
//! benchmarks, the terminal app) passes [`Silent`]. A phase is a named stretch of
//! work with an optional total; `advance` may be called from any thread.

/// What a phase counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Rows,
    Accounts,
    Messages,
    Days,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Rows => "rows",
            Unit::Accounts => "accounts",
            Unit::Messages => "messages",
            Unit::Days => "days",
        }
    }
}

/// Hears about long work as it goes.
pub trait Progress: Sync {
    /// A new phase begins (ending the one before): `what` names it for a person,
    /// `total` is how many `unit`s it takes when that is known.
    fn phase(&self, what: &str, total: Option<u64>, unit: Unit);
    /// `n` more units of the current phase are done.
    fn advance(&self, n: u64);
    /// The work is over: whatever is shown goes away.
    fn finish(&self);
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _what: &str, _total: Option<u64>, _unit: Unit) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// Ends the progress display when dropped, so an error never leaves a bar behind.
pub struct Finish<'a>(pub &'a dyn Progress);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}
