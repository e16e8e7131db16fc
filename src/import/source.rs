//! Reading a CSV file into data rows: BOM, CRLF or LF, lines before the header, the
//! header itself (found by its column names when asked), and the report structure
//! the mapping's `[rows]` describes: blank rows, group headers, subtotals, the grand
//! total and anything after it. Line numbers are the file's own, 1-based.

use std::io::Cursor;
use std::path::Path;

use csv::StringRecord;

use super::ImportError;
use super::columns::{Columns, Spec, normalize};
use super::mapping::Mapping;

/// How many rows a header search looks at before giving up.
const HEADER_SEARCH_ROWS: usize = 200;

/// A column filter resolved against the header (`None`: the file lacks the column,
/// so the filter does not apply).
type Filter = (Option<usize>, Vec<String>);

/// The rows of one file, read one at a time.
pub(crate) struct Source<'m> {
    file: String,
    specs: &'static [Spec],
    mapping: &'m Mapping,
    reader: csv::Reader<Cursor<Vec<u8>>>,
    rec: StringRecord,
    /// Bytes already scanned for line breaks, and the breaks before them.
    scanned: usize,
    breaks: u64,
    columns: Columns,
    header_done: bool,
    keep: Vec<Filter>,
    drop: Vec<Filter>,
    group: Option<String>,
    stopped: bool,
    /// Data rows read (group headers, subtotals and blank rows are not data).
    pub rows: u64,
    /// Data rows left out by the mapping's filters.
    pub skipped: u64,
}

/// One data row, with what is needed to read its cells and to name them in errors.
pub(crate) struct Row<'a> {
    pub line: u64,
    rec: &'a StringRecord,
    columns: &'a Columns,
    group: Option<&'a str>,
    group_cols: &'a [usize],
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

    /// An error about the value of arq column `col` in this row.
    pub fn error(&self, col: usize, message: impl Into<String>) -> ImportError {
        ImportError::Cell {
            file: self.file.to_string(),
            line: self.line,
            column: self.columns.label(col),
            value: self.cell(col).to_string(),
            message: message.into(),
        }
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
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(mapping.delimiter)
            .from_reader(Cursor::new(bytes));
        Ok(Source {
            file,
            specs,
            mapping,
            reader,
            rec: StringRecord::new(),
            scanned: 0,
            breaks: 0,
            columns: Columns::find(specs, &[], &StringRecord::new()),
            header_done: false,
            keep: Vec::new(),
            drop: Vec::new(),
            group: None,
            stopped: false,
            rows: 0,
            skipped: 0,
        })
    }

    /// How many lines the file has: at most one data row each, for progress.
    pub fn lines_hint(&self) -> u64 {
        let bytes = self.reader.get_ref().get_ref();
        let breaks = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        breaks + u64::from(!bytes.ends_with(b"\n") && !bytes.is_empty())
    }

    /// Reads the next record; returns its line, or `None` at the end of the file.
    fn read(&mut self) -> Result<Option<u64>, ImportError> {
        match self.reader.read_record(&mut self.rec) {
            Ok(true) => {
                let start = self.rec.position().map_or(0, |p| p.byte() as usize);
                Ok(Some(self.line_at(start)))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                let start = e.position().map_or(0, |p| p.byte() as usize);
                let line = self.line_at(start);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "this line is not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in Excel)"
                            .to_string()
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
        let buf = self.reader.get_ref().get_ref();
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
            if line <= m.skip_rows || Self::is_blank(&self.rec) {
                continue;
            }
            let cols = Columns::find(self.specs, &m.columns, &self.rec);
            let missing = cols.missing(group_cols);
            if missing.is_empty() {
                self.keep = self.filters(&m.rows.keep);
                self.drop = self.filters(&m.rows.drop);
                self.columns = cols;
                self.header_done = true;
                return Ok(());
            }
            looked += 1;
            if !m.rows.find_header || looked >= HEADER_SEARCH_ROWS {
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
                let message = if m.rows.find_header {
                    format!(
                        "no header row found in the first {HEADER_SEARCH_ROWS} rows: {}",
                        self.wanted(group_cols)
                    )
                } else {
                    format!(
                        "the header has no column for {}; it has: {}",
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

    fn passes(&self) -> bool {
        let value = |i: usize| normalize(self.rec.get(i).unwrap_or_default());
        let kept = self
            .keep
            .iter()
            .all(|(at, values)| at.is_none_or(|i| values.contains(&value(i))));
        let dropped = self
            .drop
            .iter()
            .any(|(at, values)| at.is_some_and(|i| values.contains(&value(i))));
        kept && !dropped
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
        while !self.stopped {
            let Some(line) = self.read()? else {
                return Ok(None);
            };
            if Self::is_blank(&self.rec) {
                continue;
            }
            let first = self
                .rec
                .iter()
                .map(str::trim)
                .find(|c| !c.is_empty())
                .unwrap_or("");
            if rules.stop_at.iter().any(|s| s == first) {
                self.stopped = true;
                break;
            }
            if rules
                .skip_prefix
                .iter()
                .any(|p| first.starts_with(p.as_str()))
            {
                continue;
            }
            let lead = self.rec.get(0).unwrap_or_default().trim();
            if !rules.group_header.is_empty()
                && !lead.is_empty()
                && self.rec.iter().skip(1).all(|c| c.trim().is_empty())
            {
                self.group = Some(lead.to_string());
                continue;
            }
            self.rows += 1;
            if !self.passes() {
                self.skipped += 1;
                continue;
            }
            let row = self.row(line);
            if rules.skip_if_blank.iter().any(|&c| row.cell(c).is_empty()) {
                self.skipped += 1;
                continue;
            }
            return Ok(Some(line));
        }
        Ok(None)
    }

    /// The row [`Source::next`] stopped at.
    pub fn row(&self, line: u64) -> Row<'_> {
        Row {
            line,
            rec: &self.rec,
            columns: &self.columns,
            group: self.group.as_deref(),
            group_cols: &self.mapping.rows.group_header,
            file: &self.file,
        }
    }
}

fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(" or ")
}
