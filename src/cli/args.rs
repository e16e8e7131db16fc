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

/// `--as-of`: an ISO date.
pub fn iso_date(s: &str) -> Result<NaiveDate, String> {
    parse_iso(s).map_err(|e| e.to_string())
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
