//! Progress bars on stderr (indicatif) for long commands: import, run, outbox send,
//! demo. Nothing is drawn when stderr is not a terminal or the output is JSON, so
//! scripts and cron see only what they asked for.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Format;
use crate::progress::{Progress, Unit};

/// Bars for one command, one phase at a time.
pub struct Bars {
    shown: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars on stderr, when it is a terminal and `format` is not JSON.
    pub fn for_stderr(format: Format) -> Bars {
        Bars::new(format != Format::Json && std::io::stderr().is_terminal())
    }

    fn new(shown: bool) -> Bars {
        Bars {
            shown,
            bar: Mutex::new(None),
        }
    }

    fn template(total: Option<u64>, unit: Unit) -> String {
        match total {
            Some(_) => format!(
                "{{msg:<22}} [{{bar:30}}] {{human_pos:>9}}/{{human_len}} {} · {{rate}} · {{eta}} left",
                unit.as_str()
            ),
            None => format!(
                "{{spinner}} {{msg:<22}} {{human_pos}} {} · {{elapsed}}",
                unit.as_str()
            ),
        }
    }

    fn style(total: Option<u64>, unit: Unit) -> ProgressStyle {
        ProgressStyle::with_template(&Bars::template(total, unit))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}/s", grouped(state.per_sec()));
                },
            )
            .progress_chars("=> ")
    }
}

/// A rate as a whole number with thousands grouped (`31,710`).
fn grouped(rate: f64) -> String {
    let n = if rate.is_finite() && rate > 0.0 {
        rate.round() as u64
    } else {
        0
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Progress for Bars {
    fn phase(&self, what: &str, total: Option<u64>, unit: Unit) {
        if !self.shown {
            return;
        }
        let Ok(mut slot) = self.bar.lock() else {
            return;
        };
        if let Some(old) = slot.take() {
            old.finish_and_clear();
        }
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        bar.set_style(Bars::style(total, unit));
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        *slot = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bars_take_every_call_quietly() {
        let b = Bars::new(false);
        b.phase("importing", Some(10), Unit::Rows);
        b.advance(3);
        b.finish();
        assert!(b.bar.lock().map(|s| s.is_none()).unwrap_or(false));
    }

    #[test]
    fn rates_are_whole_and_grouped() {
        for (rate, shown) in [
            (31_710.26, "31,710"),
            (0.4, "0"),
            (f64::NAN, "0"),
            (999.5, "1,000"),
        ] {
            assert_eq!(grouped(rate), shown);
        }
    }

    #[test]
    fn templates_parse_and_name_the_unit() {
        // A template that did not parse would fall back to a bar without counts.
        for total in [Some(5), None] {
            let t = Bars::template(total, Unit::Messages);
            assert!(ProgressStyle::with_template(&t).is_ok(), "{t}");
            assert!(t.contains("messages"));
        }
    }
}
