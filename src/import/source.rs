//! Reading a CSV file or a spreadsheet into data rows: BOM, CRLF or LF, lines before
//! the header, the header itself (at a given row or found by its column names), and
//! the report structure the mapping's `[rows]` describes (see `report_rows`): blank
//! rows, group headers, subtotals, block and grand totals and anything after them.
//! Line numbers are the file's own (a spreadsheet's row numbers), 1-based.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use chrono::NaiveDate;
use csv::StringRecord;

use super::ImportError;
use super::columns::{Columns, Spec, normalize};
use super::limits;
use super::mapping::Mapping;
use super::report_rows::{Groups, RowClass};
use super::sheet::{self, CellKind, SheetRow};
use super::values::parse_date;

/// How many rows a header search looks at before giving up.
const HEADER_SEARCH_ROWS: usize = 200;

/// A column filter resolved against the header (`None`: the file lacks the column,
/// so the filter does not apply).
type Filter = (Option<usize>, Vec<String>);

/// Where the rows come from.
enum Input {
    Csv(csv::Reader<Cursor<Vec<u8>>>),
    /// A sheet read whole, and the index of the next row.
    Sheet(Vec<SheetRow>, usize),
}

/// What the reader saw besides data rows, for the import summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Data rows left out, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// The file's own totals: (line, text of the money column) of the grand total
    /// row and of every block total row.
    pub totals: Vec<(u64, String)>,
    /// The sheet read, for a spreadsheet.
    pub sheet: Option<String>,
}

/// The rows of one file, read one at a time.
pub(crate) struct Source<'m> {
    file: String,
    specs: &'static [Spec],
    mapping: &'m Mapping,
    input: Input,
    rec: StringRecord,
    /// What the cells of `rec` were, for a spreadsheet.
    kinds: Option<Vec<CellKind>>,
    /// Bytes already scanned for line breaks, and the breaks before them.
    scanned: usize,
    breaks: u64,
    columns: Columns,
    /// The header row as found.
    header_rec: StringRecord,
    header_done: bool,
    /// The header as compared, to know it when a report repeats it.
    header: Vec<String>,
    /// The header as written, to name columns in skip reasons.
    header_names: Vec<String>,
    keep: Vec<Filter>,
    drop: Vec<Filter>,
    /// The column holding the transaction type, when the mapping names one.
    type_at: Option<usize>,
    /// The arq column whose figure the file's totals carry (balance, else amount).
    total_col: Option<usize>,
    groups: Groups,
    stopped: bool,
    /// The date format text dates are read with (chosen by `dates` when guessed).
    pub date_format: String,
    /// Data rows read (group headers, subtotals and blank rows are not data).
    pub rows: u64,
    /// Data rows left out by the mapping's filters.
    pub skipped: u64,
    pub seen: Seen,
}

/// One data row, with what is needed to read its cells and to name them in errors.
pub(crate) struct Row<'a> {
    pub line: u64,
    rec: &'a StringRecord,
    kinds: Option<&'a [CellKind]>,
    columns: &'a Columns,
    group: Option<&'a str>,
    group_cols: &'a [usize],
    type_at: Option<usize>,
    date_format: &'a str,
    file: &'a str,
}

impl Row<'_> {
    /// The trimmed cell of arq column `col`; a blank cell of a column that group
    /// headers fill takes the group's text.
    pub fn cell(&self, col: usize) -> &str {
        let v = self.columns.cell(self.rec, col);
        if v.is_empty() && self.group_cols.contains(&col) {
            return self.group.unwrap_or("");
        }
        v
    }

    /// Is arq column `col` in the file (or filled from group headers)?
    pub fn has(&self, col: usize) -> bool {
        self.columns.has(col) || self.group_cols.contains(&col)
    }

    /// The transaction type of this row, when the mapping names a type column.
    pub fn txn_type(&self) -> Option<&str> {
        self.type_at
            .map(|i| self.rec.get(i).unwrap_or_default().trim())
    }

    /// What the cell of arq column `col` was in a spreadsheet (`None` for CSV, for
    /// a missing column and for a cell filled from a group header).
    fn kind(&self, col: usize) -> Option<CellKind> {
        let kinds = self.kinds?;
        let at = self.columns.index(col)?;
        if self.columns.cell(self.rec, col).is_empty() {
            return None;
        }
        kinds.get(at).copied()
    }

    /// Is the cell of arq column `col` text to be read with the date format (not a
    /// spreadsheet date or number)?
    pub fn is_text(&self, col: usize) -> bool {
        !matches!(self.kind(col), Some(CellKind::Date | CellKind::Number))
    }

    /// Reads the date in arq column `col`: a spreadsheet date cell, an Excel serial
    /// number, or text in the file's date format. The caller checks for blanks.
    pub fn date(&self, col: usize) -> Result<NaiveDate, ImportError> {
        self.date_in(col, self.cell(col))
    }

    /// [`Row::date`] of the cell's text `v`, already read by the caller.
    pub fn date_in(&self, col: usize, v: &str) -> Result<NaiveDate, ImportError> {
        match self.kind(col) {
            Some(CellKind::Date) => parse_date(v, "%Y-%m-%d").map_err(|e| self.error(col, e)),
            Some(CellKind::Number) => sheet::serial_date(v).ok_or_else(|| {
                self.error(
                    col,
                    "is a number, not a date (format the column as dates in the spreadsheet)",
                )
            }),
            _ => parse_date(v, self.date_format).map_err(|e| self.error(col, e)),
        }
    }

    /// An error about the value of arq column `col` in this row.
    pub fn error(&self, col: usize, message: impl Into<String>) -> ImportError {
        ImportError::Cell {
            file: self.file.to_string(),
            line: self.line,
            column: self.columns.label(col),
            value: limits::shown(self.cell(col)),
            message: message.into(),
        }
    }

    /// How many arq columns a row of this kind has.
    pub fn width(&self) -> usize {
        self.columns.width()
    }

    /// The arq name of column `col`.
    pub fn name(&self, col: usize) -> &'static str {
        self.columns.name(col)
    }
}

impl<'m> Source<'m> {
    /// Reads `path` into memory (a million invoices are about 60 MB) and prepares
    /// to read its rows. `file` is how errors name it.
    pub fn open(
        path: &Path,
        file: String,
        specs: &'static [Spec],
        mapping: &'m Mapping,
    ) -> Result<Source<'m>, ImportError> {
        let mut bytes = std::fs::read(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut seen = Seen::default();
        let input = if sheet::is_workbook(&bytes) {
            let (name, rows) = sheet::read(bytes, &file, mapping.sheet.as_deref())?;
            seen.sheet = Some(name);
            Input::Sheet(rows, 0)
        } else {
            if mapping.sheet.is_some() {
                return Err(ImportError::Refused(format!(
                    "{file}: a sheet was named, but this is a text (CSV) file, not a spreadsheet"
                )));
            }
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            Input::Csv(
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(mapping.delimiter)
                    .from_reader(Cursor::new(bytes)),
            )
        };
        Ok(Source {
            file,
            specs,
            mapping,
            input,
            rec: StringRecord::new(),
            kinds: None,
            scanned: 0,
            breaks: 0,
            columns: Columns::find(specs, &[], &StringRecord::new()),
            header_rec: StringRecord::new(),
            header_done: false,
            header: Vec::new(),
            header_names: Vec::new(),
            keep: Vec::new(),
            drop: Vec::new(),
            type_at: None,
            total_col: None,
            groups: Groups::default(),
            stopped: false,
            date_format: mapping.date.clone(),
            rows: 0,
            skipped: 0,
            seen,
        })
    }

    /// Back to the start of the file, to read it again (after a look through it to
    /// guess the date format, for instance). What the header found is kept.
    pub fn rewind(&mut self) -> Result<(), ImportError> {
        match &mut self.input {
            Input::Csv(reader) => {
                reader
                    .seek(csv::Position::new())
                    .map_err(|e| ImportError::Csv {
                        file: self.file.clone(),
                        line: 1,
                        message: format!("cannot read the file again: {e}"),
                    })?;
            }
            Input::Sheet(_, at) => *at = 0,
        }
        self.scanned = 0;
        self.breaks = 0;
        self.header_done = false;
        self.groups.clear();
        self.stopped = false;
        self.rows = 0;
        self.skipped = 0;
        self.seen.skipped.clear();
        self.seen.totals.clear();
        Ok(())
    }

    /// The arq columns holding dates, by position.
    pub fn date_columns(&self) -> Vec<usize> {
        self.specs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == "date" || s.name.ends_with("_date"))
            .map(|(i, _)| i)
            .collect()
    }

    /// How many lines the file has (a sheet: how many rows): at most one data row
    /// each, for progress.
    pub fn lines_hint(&self) -> u64 {
        match &self.input {
            Input::Csv(reader) => {
                let bytes = reader.get_ref().get_ref();
                let breaks = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
                breaks + u64::from(!bytes.ends_with(b"\n") && !bytes.is_empty())
            }
            Input::Sheet(rows, _) => rows.len() as u64,
        }
    }

    /// The file's name as errors give it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Reads the next record; returns its line, or `None` at the end of the file.
    fn read(&mut self) -> Result<Option<u64>, ImportError> {
        let reader = match &mut self.input {
            Input::Csv(reader) => reader,
            Input::Sheet(rows, at) => {
                let Some(row) = rows.get_mut(*at) else {
                    return Ok(None);
                };
                *at += 1;
                // The sheet stays whole so that it can be read again.
                self.rec.clone_from(&row.cells);
                match &mut self.kinds {
                    Some(k) => k.clone_from(&row.kinds),
                    None => self.kinds = Some(row.kinds.clone()),
                }
                return Ok(Some(row.line));
            }
        };
        match reader.read_record(&mut self.rec) {
            Ok(true) => {
                let start = self.rec.position().map_or(0, |p| p.byte() as usize);
                // A quote opened and never closed runs to the end of the file: the
                // rows after it would be read as one cell (an address may hold line
                // breaks, so nothing else would catch it).
                let bytes = reader.get_ref().get_ref();
                let at_end = reader.position().byte() as usize >= bytes.len();
                let unclosed = at_end
                    && bytes
                        .get(start..)
                        .is_some_and(|r| ends_in_open_quote(r, self.mapping.delimiter));
                let line = self.line_at(start);
                if unclosed {
                    return Err(ImportError::Csv {
                        file: self.file.clone(),
                        line,
                        message: "a quote (\") opened on this line is never closed: every line after it would be read into one cell; close the quote".to_string(),
                    });
                }
                Ok(Some(line))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                let start = e.position().map_or(0, |p| p.byte() as usize);
                let line = self.line_at(start);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { err, .. } => {
                        let field = err.field();
                        let column = match self.header_rec.get(field).map(str::trim) {
                            Some(h) if self.header_done && !h.is_empty() => {
                                format!("column '{h}' (column {})", field + 1)
                            }
                            _ => format!("column {}", field + 1),
                        };
                        format!(
                            "{column} is not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in Excel)"
                        )
                    }
                    _ => format!("this line is not readable CSV: {e}"),
                };
                Err(ImportError::Csv {
                    file: self.file.clone(),
                    line,
                    message,
                })
            }
        }
    }

    /// The 1-based line of the record that starts at byte `start` (the reader may
    /// report the position of the line break or blank lines before it).
    fn line_at(&mut self, start: usize) -> u64 {
        let Input::Csv(reader) = &self.input else {
            return 0;
        };
        let buf = reader.get_ref().get_ref();
        let mut at = start.min(buf.len());
        while matches!(buf.get(at), Some(b'\n' | b'\r')) {
            at += 1;
        }
        if at >= self.scanned {
            self.breaks += buf[self.scanned..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.scanned = at;
        }
        self.breaks + 1
    }

    fn is_blank(rec: &StringRecord) -> bool {
        rec.iter().all(|c| c.trim().is_empty())
    }

    /// Finds the header row and resolves the columns against it.
    fn header(&mut self) -> Result<(), ImportError> {
        let m: &'m Mapping = self.mapping;
        let group_cols = &m.rows.group_header;
        let mut looked = 0usize;
        let mut last_line = 1;
        loop {
            let Some(line) = self.read()? else {
                let message = if m.rows.find_header {
                    format!("no header row found: {}", self.wanted(group_cols))
                } else {
                    "the file has no header row".to_string()
                };
                return Err(ImportError::Header {
                    file: self.file.clone(),
                    line: last_line,
                    message,
                });
            };
            last_line = line;
            let before_header = m.rows.header_row.is_some_and(|h| line < h);
            if line <= m.skip_rows || before_header || Self::is_blank(&self.rec) {
                continue;
            }
            let cols = Columns::find(self.specs, &m.columns, &self.rec);
            let missing = cols.missing(group_cols);
            if missing.is_empty() {
                limits::check_header(&self.file, line, &self.rec, &cols, self.specs.len())?;
                self.header_rec = self.rec.clone();
                self.keep = self.filters(&m.rows.keep);
                self.drop = self.filters(&m.rows.drop);
                self.type_at = m.rows.type_column.iter().find_map(|name| {
                    let want = normalize(name);
                    self.rec.iter().position(|c| normalize(c) == want)
                });
                self.header = self.rec.iter().map(normalize).collect();
                self.header_names = self.rec.iter().map(|c| c.trim().to_string()).collect();
                let money = |name: &str| {
                    self.specs
                        .iter()
                        .position(|s| s.name == name)
                        .filter(|&i| cols.has(i))
                };
                self.total_col = money("balance").or_else(|| money("amount"));
                self.columns = cols;
                self.header_done = true;
                return Ok(());
            }
            looked += 1;
            let at_header_row = m.rows.header_row.is_some();
            if at_header_row || !m.rows.find_header || looked >= HEADER_SEARCH_ROWS {
                let names: Vec<String> = missing
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} (looked for {})",
                            self.specs[i].name,
                            quoted(&m.columns[i])
                        )
                    })
                    .collect();
                let has: Vec<&str> = self.rec.iter().map(str::trim).collect();
                let message = if m.rows.find_header && !at_header_row {
                    format!(
                        "no header row found in the first {HEADER_SEARCH_ROWS} rows: {}",
                        self.wanted(group_cols)
                    )
                } else {
                    // One cell holding the names with another separator between them:
                    // say how to read the file, not only what is missing.
                    let other = match has.as_slice() {
                        [one] => [';', '\t', '|']
                            .into_iter()
                            .find(|&c| one.contains(c) && c as u32 as u8 != m.delimiter),
                        _ => None,
                    };
                    let hint = other.map_or_else(String::new, |c| {
                        let shown = if c == '\t' { "tab".to_string() } else { c.to_string() };
                        format!(
                            " — the file seems separated by '{shown}': read it with a mapping file holding [format] delimiter = \"{shown}\" (`--mapping FILE`, see docs/IMPORT.md)"
                        )
                    });
                    format!(
                        "the header has no column for {}; it has: {}{hint}",
                        names.join(", "),
                        has.join(", ")
                    )
                };
                return Err(ImportError::Header {
                    file: self.file.clone(),
                    line,
                    message,
                });
            }
        }
    }

    fn wanted(&self, group_cols: &[usize]) -> String {
        let names: Vec<String> = self
            .specs
            .iter()
            .enumerate()
            .filter(|(i, s)| s.required && !group_cols.contains(i))
            .map(|(i, s)| format!("{} ({})", s.name, quoted(&self.mapping.columns[i])))
            .collect();
        format!("no row names every required column: {}", names.join(", "))
    }

    fn filters(&self, list: &[(String, Vec<String>)]) -> Vec<Filter> {
        list.iter()
            .map(|(header, values)| {
                let want = normalize(header);
                let at = self.rec.iter().position(|c| normalize(c) == want);
                (at, values.iter().map(|v| normalize(v)).collect())
            })
            .collect()
    }

    /// Why the mapping's `keep`/`drop` filters leave this row out, if they do.
    fn filtered_out(&self) -> Option<String> {
        let value = |i: usize| normalize(self.rec.get(i).unwrap_or_default());
        let shown = |i: usize| self.rec.get(i).unwrap_or_default().trim().to_string();
        let header = |i: usize| self.header_names.get(i).cloned().unwrap_or_default();
        for (at, values) in &self.keep {
            if let Some(i) = *at
                && !values.contains(&value(i))
            {
                return Some(format!("{} '{}' not kept", header(i), shown(i)));
            }
        }
        for (at, values) in &self.drop {
            if let Some(i) = *at
                && values.contains(&value(i))
            {
                return Some(format!("{} '{}' dropped", header(i), shown(i)));
            }
        }
        None
    }

    /// Finds the header (done by the first [`Source::next`] otherwise), so that
    /// header errors come before any work.
    pub fn prepare(&mut self) -> Result<(), ImportError> {
        if !self.header_done {
            self.header()?;
        }
        Ok(())
    }

    /// How errors name each arq column of this file.
    pub fn labels(&self) -> Vec<String> {
        (0..self.specs.len())
            .map(|i| self.columns.label(i))
            .collect()
    }

    /// Advances to the next data row the filters let through; returns its line, or
    /// `None` when the data has ended. Read it with [`Source::row`].
    pub fn next(&mut self) -> Result<Option<u64>, ImportError> {
        if !self.header_done {
            self.header()?;
        }
        let m: &'m Mapping = self.mapping;
        let rules = &m.rows;
        let report = rules.find_header || rules.header_row.is_some() || rules.groups();
        while !self.stopped {
            let Some(line) = self.read()? else {
                return Ok(None);
            };
            let header = report.then_some(self.header.as_slice());
            match self.groups.classify(rules, &self.rec, header) {
                RowClass::Data => {}
                RowClass::GrandTotal => {
                    self.note_total(line);
                    self.stopped = true;
                    break;
                }
                RowClass::BlockTotal => {
                    self.note_total(line);
                    continue;
                }
                RowClass::Blank | RowClass::Group | RowClass::Subtotal | RowClass::Header => {
                    continue;
                }
            }
            limits::check_width(&self.file, line, &self.rec, self.header_rec.len())?;
            limits::check_raw_cells(&self.file, line, &self.rec, &self.header_rec)?;
            self.rows += 1;
            if let Some(reason) = self.filtered_out() {
                self.skip(reason);
                continue;
            }
            let row = self.row(line);
            if let Some(&c) = rules
                .skip_if_blank
                .iter()
                .find(|&&c| row.cell(c).is_empty())
            {
                let reason = format!("no {}", row.columns.label(c));
                self.skip(reason);
                continue;
            }
            return Ok(Some(line));
        }
        Ok(None)
    }

    /// Counts a data row left out, and why.
    pub fn skip(&mut self, reason: String) {
        self.skipped += 1;
        *self.seen.skipped.entry(reason).or_default() += 1;
    }

    /// Counts `n` data rows left out for one reason.
    pub fn skip_many(&mut self, reason: &str, n: u64) {
        self.skipped += n;
        *self.seen.skipped.entry(reason.to_string()).or_default() += n;
    }

    fn note_total(&mut self, line: u64) {
        if let Some(c) = self.total_col {
            let v = self.columns.cell(&self.rec, c).to_string();
            self.seen.totals.push((line, v));
        }
    }

    /// The row [`Source::next`] stopped at.
    pub fn row(&self, line: u64) -> Row<'_> {
        Row {
            line,
            rec: &self.rec,
            kinds: self.kinds.as_deref(),
            columns: &self.columns,
            group: self.groups.current(),
            group_cols: &self.mapping.rows.group_header,
            type_at: self.type_at,
            date_format: &self.date_format,
            file: &self.file,
        }
    }
}

/// Whether the CSV text `raw` ends inside a quoted cell: a cell that starts with a
/// quote and whose closing quote never comes (`""` inside one is a quote, a quote
/// inside an unquoted cell is text).
fn ends_in_open_quote(raw: &[u8], delimiter: u8) -> bool {
    let (mut quoted, mut cell_start) = (false, true);
    let mut bytes = raw.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        if cell_start && b == b'"' {
            quoted = true;
        }
        cell_start = b == delimiter || b == b'\n' || b == b'\r';
    }
    quoted
}

fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::ends_in_open_quote;

    #[test]
    fn an_open_quote_is_one_that_starts_a_cell_and_never_closes() {
        for (raw, open) in [
            ("U-1,First,\"1 Main St\nU-2,Second,2 Side St\n", true),
            ("U-1,First,\"1 Main St\nSuite 4\"\n", false),
            ("U-1,\"Say \"\"hi\"\"\",x\n", false),
            ("U-1,\"Say \"\"hi\n", true),
            // A quote inside an unquoted cell is text (12" pipe).
            ("U-9,Pipe 12\" Co,2 Side St\n", false),
            ("U-9,x,\"", true),
            ("", false),
        ] {
            assert_eq!(ends_in_open_quote(raw.as_bytes(), b','), open, "{raw:?}");
        }
        assert!(ends_in_open_quote(b"a;\"b\n", b';'));
    }
}
