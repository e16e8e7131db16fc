//! Reading command-line values: amounts, dates, formats and the domain's closed
//! vocabularies, with errors that say which option was wrong and what it expects.

use std::ffi::OsStr;
use std::str::FromStr;

use chrono::NaiveDate;
use clap::ValueEnum;
use clap::builder::{PossibleValue, TypedValueParser};

use crate::domain::dates::{parse_iso, parse_user_date};
use crate::domain::names::UnknownName;
use crate::domain::{Money, parse_amount};

/// How a command prints: a table for people, JSON or CSV (with a header) for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// For what is not one table (an account): a table for people or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
}

/// `--format` of the commands that also write a spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Table,
    Json,
    Csv,
    /// An Excel workbook (to --output FILE, or to a pipe)
    Xlsx,
}

impl ExportFormat {
    /// The text format, or `None` for a workbook.
    pub fn text(self) -> Option<Format> {
        match self {
            ExportFormat::Table => Some(Format::Table),
            ExportFormat::Json => Some(Format::Json),
            ExportFormat::Csv => Some(Format::Csv),
            ExportFormat::Xlsx => None,
        }
    }
}

/// An ISO date (a period's ends).
pub fn iso_date(s: &str) -> Result<NaiveDate, String> {
    parse_iso(s).map_err(|e| e.to_string())
}

/// `--as-of`: an ISO date, or a day named from the machine's today (`today`,
/// `yesterday`, `tomorrow`, `-3`, `+1`): a missed close is `arq run --as-of yesterday`.
pub fn as_of_date(s: &str) -> Result<NaiveDate, String> {
    as_of_from(s, chrono::Local::now().date_naive())
}

/// A count of 1 or more (`--limit`): 0 would print nothing and say nothing is due.
pub fn count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "'{s}' is not a count: give a whole number, 1 or more"
        )),
    }
}

/// What `--as-of` takes, said when it refuses a value.
const AS_OF_FORMS: &str =
    "use YYYY-MM-DD, today, yesterday, tomorrow, or days from today such as -3 or +1";

fn as_of_from(s: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let word = s.trim().to_ascii_lowercase();
    let shift = match word.as_str() {
        "today" => Some(0),
        "yesterday" => Some(-1),
        "tomorrow" => Some(1),
        w if w.starts_with(['+', '-']) && w.len() > 1 => {
            let n: i64 = w[1..].parse().map_err(|_| relative_error(s))?;
            if n > 3660 {
                return Err(relative_error(s));
            }
            Some(if w.starts_with('-') { -n } else { n })
        }
        _ => None,
    };
    match shift {
        Some(n) => Ok(today + chrono::Duration::days(n)),
        // Something like a date says what is wrong with it ("February has 28 days").
        // Without the weekday names a form's date takes: `--as-of` does not take them.
        None if word.starts_with(|c: char| c.is_ascii_digit()) => parse_iso(s).map_err(|e| {
            let wrong = e.to_string();
            let why = wrong.split(" (use ").next().unwrap_or(&wrong).to_string();
            format!("{why} ({AS_OF_FORMS})")
        }),
        None => Err(format!("'{s}' is not a day: {AS_OF_FORMS}")),
    }
}

fn relative_error(s: &str) -> String {
    format!("'{s}' is not a number of days from today (such as -3 or +1)")
}

/// An amount such as `250`, `1250.50` or `1,250.50` (arq's one rule, `domain::amount`);
/// the error quotes what was typed.
pub fn money(s: &str) -> Result<Money, String> {
    parse_amount(s).map_err(|e| e.to_string())
}

/// A date as people type it (`2026-12-01`, `+7`, `friday`), relative to `as_of`.
pub fn user_date(option: &str, s: &str, as_of: NaiveDate) -> anyhow::Result<NaiveDate> {
    parse_user_date(s, as_of).map_err(|e| anyhow::anyhow!("{option}: {e}"))
}

#[cfg(test)]
mod as_of_tests {
    use super::*;

    #[test]
    fn as_of_takes_dates_and_days_named_from_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        for (typed, want) in [
            ("2026-11-15", day("2026-11-15")),
            ("yesterday", day("2026-11-30")),
            (" Today ", day("2026-12-01")),
            ("tomorrow", day("2026-12-02")),
            ("-3", day("2026-11-28")),
            ("+1", day("2026-12-02")),
            ("-", None),
            ("-x", None),
            ("-99999", None),
            ("friday", None),
            ("2026-02-30", None),
        ] {
            assert_eq!(as_of_from(typed, today).ok(), want, "{typed}");
        }
        // Neither refusal offers the weekday names a form's date takes (it did for a
        // day off the calendar).
        for (typed, says) in [("2026-02-30", "28"), ("monday", "yesterday")] {
            let err = as_of_from(typed, today).err().unwrap_or_default();
            assert!(err.contains(says) && !err.contains("weekday"), "{err}");
            assert!(err.contains("-3 or +1"), "{err}");
        }
    }
}

/// Reads one of the domain's vocabularies (any case, `-` or `_`), and tells clap
/// its spellings so `--help`, completions and the man page list them.
#[derive(Clone)]
pub struct Words<T> {
    names: &'static [&'static str],
    parse: fn(&str) -> Result<T, UnknownName>,
}

/// The parser for a vocabulary whose spellings are `names` (its `NAMES`).
pub fn words<T: FromStr<Err = UnknownName>>(names: &'static [&'static str]) -> Words<T> {
    Words {
        names,
        parse: |s| s.parse(),
    }
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Words<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        self.parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.names.iter().map(|n| PossibleValue::new(*n))))
    }
}
