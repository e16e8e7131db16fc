//! Reading command-line values: amounts, dates and formats, with errors that say
//! which option was wrong and what it expects.

use chrono::NaiveDate;
use clap::ValueEnum;

use crate::domain::Money;
use crate::domain::dates::{parse_iso, parse_user_date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
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

/// An amount such as `250` or `1250.50`.
pub fn money(s: &str) -> Result<Money, String> {
    s.parse::<Money>().map_err(|e| e.to_string())
}

/// A date as people type it (`2026-12-01`, `+7`, `friday`), relative to `as_of`.
pub fn user_date(option: &str, s: &str, as_of: NaiveDate) -> anyhow::Result<NaiveDate> {
    parse_user_date(s, as_of).map_err(|e| anyhow::anyhow!("{option}: {e}"))
}
