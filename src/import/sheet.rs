//! Spreadsheets in (XLSX, XLSM, XLS, XLSB and ODS, through calamine): one sheet, by
//! name or the first visible one, turned into the same rows of text a CSV file gives,
//! with what each cell was (text, number, date) kept beside it so that dates stored
//! as Excel serial numbers or as date cells are read as dates whatever the mapping's
//! text format. Formula cells give the value the spreadsheet cached when it was
//! saved. Row numbers are the spreadsheet's own, so errors name the row a person
//! sees.

use std::io::Cursor;

use calamine::{Data, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};
use chrono::NaiveDate;
use csv::StringRecord;

use super::ImportError;

/// What a cell held, as far as reading dates needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellKind {
    Text,
    Number,
    /// A date cell; its text is ISO `YYYY-MM-DD`.
    Date,
}

/// One row of a sheet: its 1-based row number, its cells as text (column A first)
/// and what each cell was.
#[derive(Debug, Clone)]
pub(crate) struct SheetRow {
    pub line: u64,
    pub cells: StringRecord,
    pub kinds: Vec<CellKind>,
}

/// Is this file a spreadsheet rather than text? Decided by its first bytes (a zip
/// for XLSX/ODS, an OLE compound file for XLS), so the extension does not matter.
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Reads sheet `wanted` (else the first visible worksheet) of the workbook in
/// `bytes`. Returns the sheet's name and its rows; `file` names the file in errors.
pub(crate) fn read(
    bytes: Vec<u8>,
    file: &str,
    wanted: Option<&str>,
) -> Result<(String, Vec<SheetRow>), ImportError> {
    let refused = |message: String| ImportError::Refused(format!("{file}: {message}"));
    let not_readable = |e: &dyn std::fmt::Display| {
        refused(format!(
            "not a readable spreadsheet ({e}); save it again as .xlsx, or as CSV UTF-8"
        ))
    };
    let ods = bytes.starts_with(b"PK\x03\x04")
        && bytes.get(30..38).is_some_and(|name| name == b"mimetype")
        && bytes
            .get(38..90)
            .is_some_and(|m| m.windows(11).any(|w| w == b"opendocumen"));
    let cursor = Cursor::new(bytes);
    let (name, range) = if ods {
        let mut wb = Ods::new(cursor).map_err(|e| not_readable(&e))?;
        let name = pick(&wb, wanted).map_err(refused)?;
        let range = wb.worksheet_range(&name).map_err(|e| not_readable(&e))?;
        (name, range)
    } else if cursor.get_ref().starts_with(b"PK\x03\x04") {
        let zip_type = Xlsx::new(cursor.clone());
        match zip_type {
            Ok(mut wb) => {
                let name = pick(&wb, wanted).map_err(refused)?;
                let range = wb.worksheet_range(&name).map_err(|e| not_readable(&e))?;
                (name, range)
            }
            Err(xlsx_err) => {
                // An .xlsb is a zip too, and so is an .ods whose mimetype is not
                // stored first.
                if let Ok(mut wb) = Xlsb::new(cursor.clone()) {
                    let name = pick(&wb, wanted).map_err(refused)?;
                    let range = wb.worksheet_range(&name).map_err(|e| not_readable(&e))?;
                    (name, range)
                } else {
                    let mut wb = Ods::new(cursor).map_err(|_| not_readable(&xlsx_err))?;
                    let name = pick(&wb, wanted).map_err(refused)?;
                    let range = wb.worksheet_range(&name).map_err(|e| not_readable(&e))?;
                    (name, range)
                }
            }
        }
    } else {
        let mut wb = Xls::new(cursor).map_err(|e| not_readable(&e))?;
        let name = pick(&wb, wanted).map_err(refused)?;
        let range = wb.worksheet_range(&name).map_err(|e| not_readable(&e))?;
        (name, range)
    };
    Ok((name, rows(&range)))
}

/// The sheet to read: the one named (exactly, else without regard to case), or the
/// first visible worksheet.
fn pick<RS, R: Reader<RS>>(wb: &R, wanted: Option<&str>) -> Result<String, String>
where
    RS: std::io::Read + std::io::Seek,
{
    let sheets = wb.sheets_metadata();
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    if let Some(w) = wanted {
        let w = w.trim();
        return names
            .iter()
            .find(|n| **n == w)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(w)))
            .map(|n| n.to_string())
            .ok_or_else(|| {
                format!(
                    "has no sheet named '{w}'; its sheets are: {}",
                    quoted_list(&names)
                )
            });
    }
    sheets
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .or_else(|| sheets.first())
        .map(|s| s.name.clone())
        .ok_or_else(|| "has no sheet to read".to_string())
}

fn quoted_list(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

/// Every row of the sheet, column A first, numbered as the spreadsheet numbers them.
fn rows(range: &Range<Data>) -> Vec<SheetRow> {
    let Some((top, left)) = range.start() else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(range.height());
    for (i, row) in range.rows().enumerate() {
        let mut cells = StringRecord::new();
        let mut kinds = Vec::with_capacity(left as usize + row.len());
        for _ in 0..left {
            cells.push_field("");
            kinds.push(CellKind::Text);
        }
        for cell in row {
            let (text, kind) = render(cell);
            cells.push_field(&text);
            kinds.push(kind);
        }
        out.push(SheetRow {
            line: u64::from(top) + i as u64 + 1,
            cells,
            kinds,
        });
    }
    out
}

/// A cell as text, and what it was.
pub(crate) fn render(cell: &Data) -> (String, CellKind) {
    match cell {
        Data::Empty => (String::new(), CellKind::Text),
        Data::String(s) => (s.clone(), CellKind::Text),
        Data::Int(i) => (i.to_string(), CellKind::Number),
        Data::Float(f) => (number(*f), CellKind::Number),
        Data::Bool(b) => (
            if *b { "true" } else { "false" }.to_string(),
            CellKind::Text,
        ),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(t) => (t.date().format("%Y-%m-%d").to_string(), CellKind::Date),
            None => (number(dt.as_f64()), CellKind::Number),
        },
        Data::DateTime(dt) => (number(dt.as_f64()), CellKind::Number),
        Data::DateTimeIso(s) => match s.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()) {
            Some(d) => (d.format("%Y-%m-%d").to_string(), CellKind::Date),
            None => (s.clone(), CellKind::Text),
        },
        Data::DurationIso(s) => (s.clone(), CellKind::Text),
        Data::Error(e) => (e.to_string(), CellKind::Text),
    }
}

/// A number cell as text. Binary floating point cannot hold most cent amounts
/// exactly, and a formula's cached sum may come out as `0.30000000000000004`: a
/// value within a billionth (relative) of a whole cent is written with two places.
/// Anything else is written in full, so that `1.005` is still refused as more
/// precise than cents rather than rounded silently.
pub(crate) fn number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let cents = (f * 100.0).round() / 100.0;
    if (f - cents).abs() <= 1e-9 * f.abs().max(1.0) {
        return format!("{f:.2}");
    }
    format!("{f}")
}

/// The date an Excel serial number stands for (1900 date system; the serials of
/// years 1950 to 2199, so that an amount or an id is never taken for a date).
pub(crate) fn serial_date(raw: &str) -> Option<NaiveDate> {
    let v: f64 = raw.trim().parse().ok()?;
    if !(18_264.0..110_000.0).contains(&v) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(v.floor() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_cents_and_refuse_to_round_more() {
        let cases = [
            (1140.0, "1140"),
            (1234.56, "1234.56"),
            (-420.81, "-420.81"),
            (0.1 + 0.2, "0.30"),
            (1_234_567.89, "1234567.89"),
            (1.005, "1.005"),
            (0.5, "0.50"),
        ];
        for (f, want) in cases {
            assert_eq!(number(f), want, "{f}");
        }
    }

    #[test]
    fn serials_are_dates_only_in_a_plausible_range() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(serial_date("46082"), d(2026, 3, 1));
        assert_eq!(serial_date("46082.75"), d(2026, 3, 1));
        assert_eq!(serial_date("36526"), d(2000, 1, 1));
        assert_eq!(serial_date("1045"), None);
        assert_eq!(serial_date("250000"), None);
        assert_eq!(serial_date("abc"), None);
    }

    #[test]
    fn workbooks_are_known_by_their_first_bytes() {
        assert!(is_workbook(b"PK\x03\x04rest"));
        assert!(is_workbook(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]));
        assert!(!is_workbook(b"invoice_no,customer_id\n"));
        assert!(!is_workbook(b""));
    }
}
