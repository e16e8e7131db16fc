//! Mapping files (DESIGN §7): `[columns]` (arq column = the file's header, or a list
//! of headers to try), `[format]` (dates, numbers, lines before the header, currency)
//! and `[rows]` (which rows of a report are data). Presets are mapping files built
//! into arq; a mapping file given with a preset overrides the preset's keys.
//! Every problem is reported at its file, line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::columns::{Spec, specs};
use super::values::{NumberFormat, check_date_format};
use super::{ImportError, ImportKind, presets};
use crate::diag::Located;

/// Which rows of a file are data, for reports that are more than a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowRules {
    /// The header is the first row holding every required column; rows before it
    /// (titles, filters, blank rows) are skipped.
    pub find_header: bool,
    /// A row with only its first cell filled is a group header whose text fills
    /// these arq columns (by position) for the rows after it.
    pub group_header: Vec<usize>,
    /// Rows whose first non-empty cell starts with one of these are subtotals.
    pub skip_prefix: Vec<String>,
    /// A row whose first non-empty cell is one of these ends the data.
    pub stop_at: Vec<String>,
    /// Only rows whose column (a file header) holds one of the values are imported.
    pub keep: Vec<(String, Vec<String>)>,
    /// Rows whose column holds one of the values are skipped.
    pub drop: Vec<(String, Vec<String>)>,
    /// Rows with any of these arq columns blank are skipped.
    pub skip_if_blank: Vec<usize>,
    /// Rows with a negative amount or balance (credit notes) are skipped.
    pub skip_negative: bool,
    /// Rows repeating an invoice number are line items of that invoice.
    pub group_lines: bool,
    /// The header is this row (1-based) of the file or sheet.
    pub header_row: Option<u64>,
    /// Rows with only their first cell filled are group or section titles, not
    /// data, even when they fill no column (QuickBooks ageing-bucket sections).
    pub skip_group_rows: bool,
    /// Rows whose first non-empty cell is one of these close a block and carry its
    /// total; the data goes on after them. Their totals add up to the file's total.
    pub block_total: Vec<String>,
    /// Headers of the column that says what each row is (first found is used).
    pub type_column: Vec<String>,
    /// Transaction types read as invoices, credits and payments; rows of any other
    /// type are skipped. Empty lists with no type column: every row is an invoice.
    pub invoice_types: Vec<String>,
    pub credit_types: Vec<String>,
    pub payment_types: Vec<String>,
    /// An invoice row with a negative balance is a credit (Xero credit notes,
    /// Odoo refunds), not an error.
    pub negative_credit: bool,
    /// Compare what was read with the file's own grand total (on by default).
    pub check_total: bool,
}

impl Default for RowRules {
    fn default() -> Self {
        RowRules {
            find_header: false,
            group_header: Vec::new(),
            skip_prefix: Vec::new(),
            stop_at: Vec::new(),
            keep: Vec::new(),
            drop: Vec::new(),
            skip_if_blank: Vec::new(),
            skip_negative: false,
            group_lines: false,
            header_row: None,
            skip_group_rows: false,
            block_total: Vec::new(),
            type_column: Vec::new(),
            invoice_types: Vec::new(),
            credit_types: Vec::new(),
            payment_types: Vec::new(),
            negative_credit: false,
            check_total: true,
        }
    }
}

impl RowRules {
    /// Do rows with only their first cell filled name groups?
    pub fn groups(&self) -> bool {
        self.skip_group_rows || !self.group_header.is_empty()
    }

    /// Does the mapping sort rows into invoices, credits and payments?
    pub fn typed(&self) -> bool {
        !self.type_column.is_empty() || self.negative_credit
    }
}

/// Everything needed to read one file of one kind.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    /// Per arq column: the headers to look for, best first.
    pub columns: Vec<Vec<String>>,
    pub date: String,
    /// No layer gave a date format: guess it from the file (see `dates`).
    pub guess_date: bool,
    pub number: NumberFormat,
    pub delimiter: u8,
    /// Lines before the header.
    pub skip_rows: u64,
    pub currency: Option<String>,
    /// The sheet of a spreadsheet to read (default: the first visible one).
    pub sheet: Option<String>,
    pub rows: RowRules,
}

impl Mapping {
    /// A plain CSV file whose headers are arq's column names.
    pub fn generic(kind: ImportKind) -> Mapping {
        Mapping {
            columns: specs(kind)
                .iter()
                .map(|s| vec![s.name.to_string()])
                .collect(),
            date: "%Y-%m-%d".to_string(),
            guess_date: true,
            number: NumberFormat::default(),
            delimiter: b',',
            skip_rows: 0,
            currency: None,
            sheet: None,
            rows: RowRules::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<Names>>,
    #[serde(default)]
    format: RawFormat,
    #[serde(default)]
    rows: RawRows,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFormat {
    date: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    thousands: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    skip_rows: Option<u64>,
    currency: Option<Spanned<String>>,
    sheet: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRows {
    find_header: Option<bool>,
    group_header: Option<Vec<Spanned<String>>>,
    skip_prefix: Option<Vec<String>>,
    stop_at: Option<Vec<String>>,
    keep: Option<BTreeMap<String, Vec<String>>>,
    drop: Option<BTreeMap<String, Vec<String>>>,
    skip_if_blank: Option<Vec<Spanned<String>>>,
    skip_negative: Option<bool>,
    group_lines: Option<bool>,
    header_row: Option<Spanned<u64>>,
    skip_group_rows: Option<bool>,
    block_total: Option<Vec<String>>,
    type_column: Option<Spanned<Names>>,
    invoice_types: Option<Vec<String>>,
    credit_types: Option<Vec<String>>,
    payment_types: Option<Vec<String>>,
    negative: Option<Spanned<String>>,
    check_total: Option<bool>,
}

/// Reads the mapping for an import: the generic one, then the preset, then the
/// mapping file, each overriding the keys it sets.
pub(crate) fn load(
    kind: ImportKind,
    preset: Option<&str>,
    file: Option<&Path>,
) -> Result<Mapping, ImportError> {
    let mut m = Mapping::generic(kind);
    if let Some(name) = preset {
        let p = presets::find(name)?;
        if p.kind != kind {
            return Err(ImportError::Refused(format!(
                "preset '{}' reads {}, not {kind}: use `arq import {} FILE --preset {}`",
                p.name, p.kind, p.kind, p.name
            )));
        }
        apply(&mut m, kind, &format!("preset {}", p.name), p.toml)?;
    }
    if let Some(path) = file {
        let src =
            crate::diag::read_text(path, "a mapping file", 256 * 1024).map_err(|e| match e {
                crate::diag::ReadError::Io { source, .. } => ImportError::Io {
                    path: path.to_path_buf(),
                    source,
                },
                crate::diag::ReadError::NotUtf8(at) => ImportError::Mapping(at),
                e @ crate::diag::ReadError::TooLarge { .. } => ImportError::Refused(e.to_string()),
            })?;
        apply(&mut m, kind, &path.display().to_string(), &src)?;
    }
    Ok(m)
}

/// Parses one mapping layer and lays it over `m`.
pub(crate) fn apply(
    m: &mut Mapping,
    kind: ImportKind,
    file: &str,
    src: &str,
) -> Result<(), ImportError> {
    let raw: RawMapping =
        toml::from_str(src).map_err(|e| ImportError::Mapping(Located::from_toml(file, src, &e)))?;
    let err = |span: Range<usize>, msg: String| {
        ImportError::Mapping(Located::at(file, src, span.start, msg))
    };
    let cols = specs(kind);

    for (key, names) in &raw.columns {
        let col = column_index(cols, key.get_ref())
            .ok_or_else(|| err(key.span(), unknown_column(kind, cols, key.get_ref())))?;
        let list = match names.get_ref() {
            Names::One(s) => vec![s.clone()],
            Names::Many(v) => v.clone(),
        };
        if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
            return Err(err(
                names.span(),
                format!("{}: give the file's header for this column", key.get_ref()),
            ));
        }
        m.columns[col] = list;
    }

    let f = &raw.format;
    if let Some(d) = &f.date {
        check_date_format(d.get_ref()).map_err(|e| err(d.span(), format!("date: {e}")))?;
        m.date = d.get_ref().clone();
        m.guess_date = false;
    }
    if let Some(d) = &f.decimal {
        m.number.decimal = match d.get_ref().as_str() {
            "." => '.',
            "," => ',',
            _ => return Err(err(d.span(), "decimal: use \".\" or \",\"".into())),
        };
        if f.thousands.is_none() {
            m.number.thousands = Some(if m.number.decimal == ',' { '.' } else { ',' });
        }
    }
    if let Some(t) = &f.thousands {
        m.number.thousands = match t.get_ref().as_str() {
            "" => None,
            "," => Some(','),
            "." => Some('.'),
            " " => Some(' '),
            "'" => Some('\''),
            _ => {
                return Err(err(
                    t.span(),
                    "thousands: use \",\", \".\", \" \", \"'\" or \"\" (none)".into(),
                ));
            }
        };
        if m.number.thousands == Some(m.number.decimal) {
            return Err(err(
                t.span(),
                "thousands: the thousands separator must differ from the decimal one".into(),
            ));
        }
    }
    if let Some(d) = &f.delimiter {
        m.delimiter = match d.get_ref().as_str() {
            "," => b',',
            ";" => b';',
            "\t" | "tab" => b'\t',
            "|" => b'|',
            _ => {
                return Err(err(
                    d.span(),
                    "delimiter: use \",\", \";\", \"tab\" or \"|\"".into(),
                ));
            }
        };
    }
    if let Some(n) = f.skip_rows {
        m.skip_rows = n;
    }
    if let Some(c) = &f.currency {
        let code = c.get_ref().trim().to_ascii_uppercase();
        if code.len() != 3 || !code.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(err(
                c.span(),
                format!(
                    "currency: '{}' is not a currency code such as USD",
                    c.get_ref()
                ),
            ));
        }
        m.currency = Some(code);
    }

    if let Some(name) = &f.sheet {
        if name.get_ref().trim().is_empty() {
            return Err(err(name.span(), "sheet: give the sheet's name".into()));
        }
        m.sheet = Some(name.get_ref().trim().to_string());
    }

    let r = raw.rows;
    let arq_columns = |list: &[Spanned<String>], key: &str| -> Result<Vec<usize>, ImportError> {
        list.iter()
            .map(|s| {
                column_index(cols, s.get_ref()).ok_or_else(|| {
                    err(
                        s.span(),
                        format!("{key}: {}", unknown_column(kind, cols, s.get_ref())),
                    )
                })
            })
            .collect()
    };
    if let Some(v) = r.find_header {
        m.rows.find_header = v;
    }
    if let Some(list) = &r.group_header {
        m.rows.group_header = arq_columns(list, "group_header")?;
    }
    if let Some(list) = &r.skip_if_blank {
        m.rows.skip_if_blank = arq_columns(list, "skip_if_blank")?;
    }
    if let Some(v) = r.skip_prefix {
        m.rows.skip_prefix = v;
    }
    if let Some(v) = r.stop_at {
        m.rows.stop_at = v;
    }
    if let Some(v) = r.keep {
        m.rows.keep = v.into_iter().collect();
    }
    if let Some(v) = r.drop {
        m.rows.drop = v.into_iter().collect();
    }
    if let Some(v) = r.skip_negative {
        m.rows.skip_negative = v;
    }
    if let Some(v) = r.group_lines {
        m.rows.group_lines = v;
    }
    if let Some(n) = &r.header_row {
        if *n.get_ref() == 0 {
            return Err(err(
                n.span(),
                "header_row: rows are numbered from 1, as a spreadsheet shows them".into(),
            ));
        }
        m.rows.header_row = Some(*n.get_ref());
    }
    if let Some(v) = r.skip_group_rows {
        m.rows.skip_group_rows = v;
    }
    if let Some(v) = r.block_total {
        m.rows.block_total = v;
    }
    if let Some(t) = &r.type_column {
        let list = match t.get_ref() {
            Names::One(s) => vec![s.clone()],
            Names::Many(v) => v.clone(),
        };
        if list.iter().any(|s| s.trim().is_empty()) {
            return Err(err(
                t.span(),
                "type_column: give the header of the transaction type column".into(),
            ));
        }
        m.rows.type_column = list;
    }
    if let Some(v) = r.invoice_types {
        m.rows.invoice_types = v;
    }
    if let Some(v) = r.credit_types {
        m.rows.credit_types = v;
    }
    if let Some(v) = r.payment_types {
        m.rows.payment_types = v;
    }
    if let Some(n) = &r.negative {
        (m.rows.negative_credit, m.rows.skip_negative) = match n.get_ref().as_str() {
            "credit" => (true, false),
            "skip" => (false, true),
            "refuse" => (false, false),
            _ => {
                return Err(err(
                    n.span(),
                    "negative: use \"credit\", \"skip\" or \"refuse\"".into(),
                ));
            }
        };
    }
    if let Some(v) = r.check_total {
        m.rows.check_total = v;
    }
    Ok(())
}

fn column_index(cols: &[Spec], name: &str) -> Option<usize> {
    cols.iter().position(|s| s.name == name.trim())
}

fn unknown_column(kind: ImportKind, cols: &[Spec], name: &str) -> String {
    let names: Vec<&str> = cols.iter().map(|s| s.name).collect();
    format!(
        "'{name}' is not an arq column of {kind} (use one of {})",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::columns::invoice;

    fn layer(src: &str) -> Result<Mapping, String> {
        let mut m = Mapping::generic(ImportKind::Invoices);
        apply(&mut m, ImportKind::Invoices, "m.toml", src).map_err(|e| e.to_string())?;
        Ok(m)
    }

    #[test]
    fn reads_the_design_example() {
        let m = layer(
            r#"
[columns]
invoice_no = "invoiceNumber"
customer_id = "customerID"
name = "Customer"
issue_date = "InvoiceDate"
due_date = "DueDate"
amount = ["InvoiceAmount", "Total"]

[format]
date = "%m/%d/%Y"
decimal = ","
skip_rows = 2
currency = "usd"

[rows]
find_header = true
group_header = ["customer_id", "name"]
stop_at = ["TOTAL"]
keep = { Type = ["Invoice"] }
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.columns[invoice::NO], vec!["invoiceNumber"]);
        assert_eq!(m.columns[invoice::AMOUNT], vec!["InvoiceAmount", "Total"]);
        assert_eq!(m.columns[invoice::BALANCE], vec!["balance"]);
        assert_eq!(m.date, "%m/%d/%Y");
        assert_eq!(m.number.decimal, ',');
        assert_eq!(m.number.thousands, Some('.'));
        assert_eq!(m.skip_rows, 2);
        assert_eq!(m.currency.as_deref(), Some("USD"));
        assert!(m.rows.find_header);
        assert_eq!(m.rows.group_header, vec![invoice::CUSTOMER, invoice::NAME]);
        assert_eq!(
            m.rows.keep,
            vec![("Type".to_string(), vec!["Invoice".to_string()])]
        );
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let cases = [
            (
                "[columns]\ninvoice = \"No\"\n",
                "m.toml:2:1: 'invoice' is not an arq column of invoices",
            ),
            (
                "[format]\ndate = \"%m/%d\"\n",
                "m.toml:2:8: date: '%m/%d' does not read back",
            ),
            ("[format]\ndecimal = \";\"\n", "m.toml:2:11: decimal: use"),
            (
                "[format]\nthousands = \".\"\ndecimal = \".\"\n",
                "m.toml:2:13: thousands: the thousands separator must differ",
            ),
            (
                "[format]\ncurrency = \"dollars\"\n",
                "m.toml:2:12: currency: 'dollars' is not a currency code",
            ),
            ("[format]\nskip = 1\n", "m.toml:2:1: unknown field `skip`"),
            (
                "[rows]\ngroup_header = [\"customer\"]\n",
                "m.toml:2:17: group_header: 'customer' is not an arq column",
            ),
            (
                "[rows]\nfind_headers = true\n",
                "m.toml:2:1: unknown field `find_headers`",
            ),
            ("[colums]\n", "m.toml:1:2: unknown field `colums`"),
            (
                "[rows]\nnegative = \"ignore\"\n",
                "m.toml:2:12: negative: use \"credit\", \"skip\" or \"refuse\"",
            ),
            (
                "[rows]\nheader_row = 0\n",
                "m.toml:2:14: header_row: rows are numbered from 1",
            ),
            (
                "[rows]\ntype_column = \"\"\n",
                "m.toml:2:15: type_column: give the header",
            ),
            (
                "[format]\nsheet = \" \"\n",
                "m.toml:2:9: sheet: give the sheet's name",
            ),
            (
                "[columns]\namount = []\n",
                "m.toml:2:10: amount: give the file's header",
            ),
            ("[columns\n", "m.toml:1:9"),
        ];
        for (src, want) in cases {
            let err = layer(src).err().unwrap_or_default();
            assert!(err.starts_with(want), "{src:?}\n got: {err}\nwant: {want}");
        }
    }

    #[test]
    fn columns_must_belong_to_the_kind() {
        let mut m = Mapping::generic(ImportKind::Payments);
        let err = apply(
            &mut m,
            ImportKind::Payments,
            "p.toml",
            "[columns]\ndue_date = \"x\"\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(
            err,
            "p.toml:2:1: 'due_date' is not an arq column of payments (use one of payment_id, customer_id, date, amount, invoice_no)"
        );
    }
}
