//! What an import refuses because it cannot read it exactly: a header wider than any
//! ledger export or naming one of arq's columns twice, a row with more fields than
//! its header (an unquoted `1,234.56` splits into two fields and would import a
//! wrong amount), cells longer than any real value, and control characters (NUL,
//! ESC …) where text is expected. Each refusal names the file, line, column and
//! value; nothing is written.

use csv::StringRecord;

use super::ImportError;
use super::columns::{Columns, normalize};
use super::source::Row;

/// More columns than this and the file is not an accounting export.
pub const MAX_COLUMNS: usize = 1_000;

/// The longest cell read anywhere, in characters.
pub const MAX_CELL: usize = 2_000;

/// How long a value of arq column `name` may be, in characters.
pub fn max_len(name: &str) -> usize {
    match name {
        "customer_id" | "invoice_no" | "payment_id" => 100,
        "name" => 200,
        "email" => 254,
        "phone" => 50,
        "address" => 500,
        _ => 100,
    }
}

/// A value shown in an error: cut to a readable length.
pub fn shown(v: &str) -> String {
    crate::display::fit(&crate::display::clean_line(v), 60)
}

/// Checks a header row once it is found: its width, and that no column arq reads
/// appears twice (arq could not tell which one holds the value).
pub fn check_header(
    file: &str,
    line: u64,
    header: &StringRecord,
    columns: &Columns,
    arq_columns: usize,
) -> Result<(), ImportError> {
    if header.len() > MAX_COLUMNS {
        return Err(ImportError::Header {
            file: file.to_string(),
            line,
            message: format!(
                "the header has {} columns; arq reads files of at most {MAX_COLUMNS} columns (is this the right file?)",
                header.len()
            ),
        });
    }
    for col in 0..arq_columns {
        let Some(at) = columns.index(col) else {
            continue;
        };
        let want = normalize(header.get(at).unwrap_or_default());
        if let Some(again) = header
            .iter()
            .enumerate()
            .position(|(i, h)| i != at && normalize(h) == want)
        {
            return Err(ImportError::Cell {
                file: file.to_string(),
                line,
                column: columns.label(col),
                value: shown(header.get(again).unwrap_or_default()),
                message: format!(
                    "is in the header twice (columns {} and {}): arq cannot tell which one to read; rename or remove one",
                    at.min(again) + 1,
                    at.max(again) + 1
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a row with more non-empty fields than its header has columns.
pub fn check_width(
    file: &str,
    line: u64,
    rec: &StringRecord,
    header_len: usize,
) -> Result<(), ImportError> {
    if rec.len() <= header_len {
        return Ok(());
    }
    if let Some((i, extra)) = rec
        .iter()
        .enumerate()
        .skip(header_len)
        .find(|(_, c)| !c.trim().is_empty())
    {
        return Err(ImportError::Cell {
            file: file.to_string(),
            line,
            column: format!("#{} (the header has {header_len} columns)", i + 1),
            value: shown(extra),
            message: format!(
                "is past the last header column: the row has {} fields. An unquoted amount such as 1,234.56 splits into two fields; quote it (\"1,234.56\") or export without thousands separators",
                rec.len()
            ),
        });
    }
    Ok(())
}

/// The first control character in `v`, line breaks allowed when `multiline`.
fn control_in(v: &str, multiline: bool) -> Option<char> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r');
    if v.is_ascii() {
        // The common case, byte by byte.
        return v
            .bytes()
            .map(char::from)
            .find(|&c| (c < ' ' || c == '\u{7f}') && !allowed(c));
    }
    v.chars()
        .find(|&c| crate::display::is_control(c) && !allowed(c))
}

/// Checks every cell arq reads in a data row: its length, and no control characters
/// (an address may hold line breaks).
pub fn check_cells(row: &Row<'_>) -> Result<(), ImportError> {
    for col in 0..row.width() {
        let v = row.cell(col);
        if v.is_empty() {
            continue;
        }
        let name = row.name(col);
        let max = max_len(name).min(MAX_CELL);
        // A character is at least a byte: only a long cell needs counting.
        if v.len() > max {
            let n = v.chars().count();
            if n > max {
                return Err(row.error(
                    col,
                    format!("is {n} characters long; a {name} is at most {max}"),
                ));
            }
        }
        if let Some(c) = control_in(v, name == "address") {
            return Err(row.error(
                col,
                format!(
                    "holds a control character (U+{:04X}): arq does not store text that could act on a terminal; fix the cell in the source system",
                    c as u32
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a raw cell longer than any value before it is looked at (a 5 MB "name").
pub fn check_raw_cells(
    file: &str,
    line: u64,
    rec: &StringRecord,
    header: &StringRecord,
) -> Result<(), ImportError> {
    for (i, c) in rec.iter().enumerate() {
        if c.len() > MAX_CELL && c.chars().count() > MAX_CELL {
            let h = header.get(i).map(str::trim).filter(|h| !h.is_empty());
            return Err(ImportError::Cell {
                file: file.to_string(),
                line,
                column: h.map_or_else(
                    || format!("column {}", i + 1),
                    |h| format!("'{h}' (column {})", i + 1),
                ),
                value: shown(c),
                message: format!(
                    "is {} characters long; arq reads cells of at most {MAX_CELL}",
                    c.chars().count()
                ),
            });
        }
    }
    Ok(())
}
