//! Looks through a file before importing it, then rewinds it: to guess how its
//! text dates are written when no mapping says so (`dates`), and, for a report
//! with credits and payments, to list the items it still shows as open
//! (`report_items`), which the invoice balances beside them do not count.

use super::ImportError;
use super::dates::{Guess, Guesser, describe};
use super::mapping::Mapping;
use super::report_items::{self, Ids, Listed, Parsed};
use super::source::Source;

/// Guesses the date format of `source` and sets it. Returns how dates are read
/// (and, when an order had to be chosen, the value that proves it), for the
/// summary; `None` when no text date needed a format.
pub(crate) fn guess_dates(source: &mut Source<'_>) -> Result<Option<String>, ImportError> {
    let columns = source.date_columns();
    if columns.is_empty() {
        return Ok(None);
    }
    let mut g = Guesser::default();
    while !g.done() {
        let Some(line) = source.next()? else {
            break;
        };
        let row = source.row(line);
        for &c in &columns {
            if row.has(c) && row.is_text(c) {
                g.feed(line, c, row.cell(c));
            }
        }
    }
    let labels = source.labels();
    let guess = g.finish();
    source.rewind()?;
    match guess {
        Guess::Nothing => Ok(None),
        Guess::Chosen { format, proof } => {
            let how = match proof {
                Some((line, c, value)) => format!(
                    "{}: line {line} has {value} in {} (a mapping file's [format] date sets it)",
                    describe(&format),
                    labels[c]
                ),
                None => describe(&format),
            };
            source.date_format = format;
            Ok(Some(how))
        }
        Guess::Ambiguous(e) => Err(ImportError::Cell {
            file: source.file().to_string(),
            line: e.line,
            column: labels[e.column].clone(),
            value: e.value,
            message: format!(
                "reads both day first and month first, and so does every date in the file: say which in a mapping file (--mapping FILE.toml) with [format] date = \"{}\" (month first, as in the US) or date = \"{}\" (day first)",
                e.month_first, e.day_first
            ),
        }),
    }
}

/// The credits and payments an open-items report lists, by the ids they will be
/// recorded under.
pub(crate) fn listed_items(
    source: &mut Source<'_>,
    m: &Mapping,
    currency: &str,
) -> Result<Listed, ImportError> {
    let mut ids = Ids::default();
    let mut listed = Listed::default();
    while let Some(line) = source.next()? {
        let row = source.row(line);
        // Errors in invoice rows are left for the import itself to report.
        if let Ok(Parsed::Item(i)) = report_items::route(&row, m, currency) {
            listed.add(i.kind, ids.id(&i), i.amount);
        }
    }
    source.rewind()?;
    Ok(listed)
}
