//! The report presets against fixture reports written from the layouts in
//! `shared/reference/import-formats.md`, each as CSV and as XLSX. The XLSX files
//! are made from the CSV fixtures by `to_xlsx` below with rust_xlsxwriter when the
//! test runs (numbers as number cells, totals as formulas with cached values, dates
//! as date cells, serial numbers or text), so the two stay the same report.
//! Each import is checked for its invoice count, balances per customer and grand
//! total, and for changing nothing when done again.

mod common;

use std::path::{Path, PathBuf};

use arq::config::Config;
use arq::domain::Money;
use arq::import::{ImportKind, ImportOptions, ImportSummary, import_file};
use arq::service::setup::init;
use arq::service::{Session, noon_utc};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports")
        .join(name)
}

fn m(s: &str) -> Money {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// How the XLSX copy of a fixture holds its dates.
#[derive(Debug, Clone, Copy)]
enum Dates {
    /// Date cells with a date format (what Excel exports write).
    Cells,
    /// Bare serial numbers, no date format.
    Serials,
    /// Text, as in the CSV.
    Text,
}

/// Writes the CSV fixture `csv` as a workbook with one sheet named `sheet`.
/// `date_format` says how the CSV writes dates.
fn to_xlsx(csv: &Path, out: &Path, sheet: &str, date_format: &str, dates: Dates) {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(csv)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap_or_else(|e| panic!("{e}"));
    let money = Format::new().set_num_format("#,##0.00");
    let date_cell = Format::new().set_num_format("mm/dd/yyyy");
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{e}"));
        let row = r as u32;
        let first = rec
            .iter()
            .map(str::trim)
            .find(|c| !c.is_empty())
            .unwrap_or("");
        let total_row = first.starts_with("Total") || first == "TOTAL";
        for (c, cell) in rec.iter().enumerate() {
            let col = c as u16;
            if cell.is_empty() {
                continue;
            }
            let done = if let Ok(d) = NaiveDate::parse_from_str(cell.trim(), date_format) {
                let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                    .unwrap_or_else(|e| panic!("{e}"));
                match dates {
                    Dates::Cells => ws.write_datetime_with_format(row, col, &dt, &date_cell),
                    Dates::Serials => ws.write_number(row, col, dt.to_excel()),
                    Dates::Text => ws.write_string(row, col, cell),
                }
            } else if let Some(v) = number(cell) {
                if total_row {
                    let f = Formula::new(format!("=SUM({v})")).set_result(v.to_string());
                    ws.write_formula_with_format(row, col, f, &money)
                } else {
                    ws.write_number_with_format(row, col, v, &money)
                }
            } else {
                ws.write_string(row, col, cell)
            };
            done.unwrap_or_else(|e| panic!("{e}"));
        }
    }
    wb.save(out).unwrap_or_else(|e| panic!("{e}"));
}

/// `1,234.56`, `$(250.00)`, `-$200.00` as a number; `None` for anything else.
fn number(cell: &str) -> Option<f64> {
    let t = cell.trim();
    let (neg, t) = match t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        },
    };
    let t = t.replace(['$', ','], "");
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    Some(if neg { -v } else { v })
}

struct Shop {
    _dir: TempDir,
    session: Session,
    _place: common::Place,
}

fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
    let place = common::Place::new(&dir);
    let session = init(
        &place.path,
        "USD",
        "admin",
        as_of,
        noon_utc(as_of),
        Config::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Shop {
        _dir: dir,
        session,
        _place: place,
    }
}

fn preset(name: &str) -> ImportOptions {
    ImportOptions {
        preset: Some(name.to_string()),
        ..ImportOptions::default()
    }
}

impl Shop {
    fn import(&mut self, path: &Path, opts: &ImportOptions) -> ImportSummary {
        import_file(&mut self.session, ImportKind::Invoices, path, opts)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn refused(&mut self, path: &Path, opts: &ImportOptions) -> String {
        match import_file(&mut self.session, ImportKind::Invoices, path, opts) {
            Ok(s) => panic!("{} imported: {s:?}", path.display()),
            Err(e) => e.to_string(),
        }
    }

    fn int(&self, sql: &str) -> i64 {
        self.session
            .store()
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Open balance per customer, by customer id.
    fn balances(&self) -> Vec<(String, Money)> {
        let conn = self.session.store().conn();
        let mut stmt = conn
            .prepare("SELECT customer_id, SUM(balance) FROM invoices GROUP BY customer_id HAVING SUM(balance) <> 0 ORDER BY customer_id")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    fn counts(&self) -> (i64, i64, i64, i64, i64) {
        (
            self.int("SELECT COUNT(*) FROM customers"),
            self.int("SELECT COUNT(*) FROM invoices"),
            self.int("SELECT COUNT(*) FROM payments"),
            self.int("SELECT COUNT(*) FROM allocations"),
            self.int("SELECT COUNT(*) FROM events"),
        )
    }
}

/// What one fixture must give.
struct Expect {
    preset: &'static str,
    file: &'static str,
    sheet: &'static str,
    date_format: &'static str,
    dates: Dates,
    invoices: u64,
    credits: u64,
    payments: u64,
    /// Balance per customer id after the import.
    balances: &'static [(&'static str, &'static str)],
    total: &'static str,
    /// How the dates were read (a guess proved by a value), for CSV.
    date_note: Option<&'static str>,
}

const EXPECT: &[Expect] = &[
    Expect {
        preset: "qbo-ar-aging-detail",
        file: "qbo_ar_aging_detail.csv",
        sheet: "A_R Aging Detail",
        date_format: "%m/%d/%Y",
        dates: Dates::Cells,
        invoices: 7,
        credits: 1,
        payments: 1,
        balances: &[
            ("Amy's Bird Sanctuary", "320.50"),
            ("Cool Cars", "1169.52"),
            ("Freeman Sporting Goods", "3500.00"),
            ("Freeman Sporting Goods:0969 Ocean View Road", "2490.00"),
            ("Jeff's Jalopies", "81.00"),
            ("Red Rock Diner", "70.00"),
        ],
        total: "7631.02",
        date_note: Some("month first (%m/%d/%Y): line 7 has 06/15/2026 in issue_date ('Date')"),
    },
    Expect {
        preset: "qbo-open-invoices-report",
        file: "qbo_open_invoices_report.csv",
        sheet: "Open Invoices",
        date_format: "%m/%d/%Y",
        dates: Dates::Cells,
        invoices: 7,
        credits: 1,
        payments: 1,
        balances: &[
            ("Amy's Bird Sanctuary", "320.50"),
            ("Cool Cars", "1169.52"),
            ("Freeman Sporting Goods", "3500.00"),
            ("Freeman Sporting Goods:0969 Ocean View Road", "2490.00"),
            ("Jeff's Jalopies", "81.00"),
            ("Red Rock Diner", "70.00"),
        ],
        total: "7631.02",
        date_note: Some("month first (%m/%d/%Y)"),
    },
    Expect {
        preset: "xero-aged-receivables-detail",
        file: "xero_aged_receivables_detail.csv",
        sheet: "Aged Receivables Detail",
        date_format: "%d/%m/%Y",
        dates: Dates::Text,
        invoices: 5,
        credits: 2,
        payments: 0,
        balances: &[
            ("Bayside Club", "1580.00"),
            ("Ridgeway University", "7687.50"),
            ("Total Wine Co", "99.95"),
        ],
        total: "9367.45",
        date_note: Some("day first (%d/%m/%Y): line 9 has 16/07/2026 in due_date ('Due Date')"),
    },
    Expect {
        preset: "odoo-aged-partner-balance",
        file: "odoo_aged_partner_balance.csv",
        sheet: "Aged Partner Balance",
        date_format: "%d/%m/%Y",
        dates: Dates::Serials,
        invoices: 4,
        credits: 1,
        payments: 1,
        balances: &[
            ("Azure Interior", "3725.00"),
            ("Deco Addict", "3410.25"),
            ("Lumber Inc", "640.00"),
        ],
        total: "7775.25",
        date_note: Some("day first (%d/%m/%Y)"),
    },
];

fn check(e: &Expect, path: &Path, csv: bool) {
    let what = format!("{} ({})", e.preset, path.display());
    let mut s = shop();
    let opts = preset(e.preset);

    // A dry run shows what it understood and writes nothing.
    let before = s.counts();
    let dry = s.import(
        path,
        &ImportOptions {
            dry_run: true,
            ..opts.clone()
        },
    );
    assert_eq!(s.counts(), before, "{what}: the dry run wrote");
    let u = &dry.understood;
    assert_eq!(
        (u.invoices, u.credits, u.payments),
        (e.invoices, e.credits, e.payments),
        "{what}: {u:?}"
    );
    assert_eq!(u.customers, e.balances.len() as u64, "{what}: {u:?}");
    assert_eq!(u.net_total, m(e.total), "{what}");
    assert_eq!(u.file_total, Some(m(e.total)), "{what}");
    if csv {
        let note = e.date_note.unwrap_or_default();
        let read = u.date_format.as_deref().unwrap_or_default();
        assert!(read.starts_with(note), "{what}: {read}");
    } else {
        assert_eq!(u.sheet.as_deref(), Some(e.sheet), "{what}");
    }

    let sum = s.import(path, &opts);
    assert_eq!(sum.created, e.invoices, "{what}: {sum:?}");
    assert_eq!(sum.credits_recorded, e.credits, "{what}: {sum:?}");
    assert_eq!(sum.payments_recorded, e.payments, "{what}: {sum:?}");
    assert_eq!(
        sum.created
            + sum.updated
            + sum.unchanged
            + sum.merged_rows
            + sum.skipped_rows
            + sum.credits_recorded
            + sum.payments_recorded,
        sum.rows,
        "{what}: {sum:?}"
    );
    let want: Vec<(String, Money)> = e
        .balances
        .iter()
        .map(|(c, b)| (c.to_string(), m(b)))
        .collect();
    assert_eq!(s.balances(), want, "{what}");
    let total: Money = s.balances().iter().map(|b| b.1).sum();
    assert_eq!(total, m(e.total), "{what}");
    // Credit memos are credits, not money received.
    assert_eq!(
        s.int(
            "SELECT COUNT(*) FROM payments WHERE source = 'import' AND payment_id LIKE 'credit:%'"
        ),
        0,
        "{what}"
    );
    assert_eq!(
        s.int("SELECT COUNT(DISTINCT ref) FROM allocations WHERE kind = 'credit'"),
        e.credits as i64,
        "{what}"
    );
    assert_eq!(
        s.int("SELECT COUNT(*) FROM invoices WHERE amount < 0 OR balance < 0"),
        0,
        "{what}"
    );

    // The same file again changes nothing.
    let counts = s.counts();
    let again = s.import(path, &opts);
    assert_eq!(
        (
            again.created,
            again.updated,
            again.credits_recorded,
            again.payments_recorded
        ),
        (0, 0, 0, 0),
        "{what}: {again:?}"
    );
    assert_eq!(s.counts(), counts, "{what}");
    assert_eq!(s.balances(), want, "{what}");
    // Every row the import wrote, credits included, agrees with its record.
    let audit = s
        .session
        .audit(&arq::service::audit::AuditOptions {
            deep: true,
            heads: Vec::new(),
        })
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(audit.ok(), "{what}: {:?} {:?}", audit.problems, audit.deep);
}

#[test]
fn each_report_preset_reads_its_csv_fixture() {
    for e in EXPECT {
        check(e, &fixture(e.file), true);
    }
}

#[test]
fn each_report_preset_reads_its_xlsx_fixture() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // ARQ_FIXTURE_DIR=DIR keeps the workbooks there, to open or import by hand.
    let keep = std::env::var_os("ARQ_FIXTURE_DIR").map(PathBuf::from);
    for e in EXPECT {
        let folder = keep.as_deref().unwrap_or(dir.path());
        let out = folder.join(e.file.replace(".csv", ".xlsx"));
        to_xlsx(&fixture(e.file), &out, e.sheet, e.date_format, e.dates);
        check(e, &out, false);
    }
}

#[test]
fn a_grand_total_that_does_not_match_is_refused_with_both_figures() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(fixture("qbo_open_invoices_report.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    // The parent's subtotal counted as an invoice row: a double count.
    let doubled = text.replace(
        "Total for Freeman Sporting Goods,,,,,,\"$5,990.00\"",
        ",06/30/2026,Invoice,SUM-1,,06/30/2026,\"5,990.00\"",
    );
    assert_ne!(doubled, text);
    let path = dir.path().join("doubled.csv");
    std::fs::write(&path, doubled).unwrap_or_else(|e| panic!("{e}"));
    let mut s = shop();
    let before = s.counts();
    let err = s.refused(&path, &preset("qbo-open-invoices-report"));
    assert!(
        err.contains("doubled.csv:27: the file's own total is 7,631.02 but the rows read add up to 13,621.02 (a difference of -5,990.00)"),
        "{err}"
    );
    assert_eq!(s.counts(), before);

    // A sign read the wrong way: the credit memo written as a positive amount.
    let flipped = text.replace("(100.00)", "100.00");
    let path = dir.path().join("flipped.csv");
    std::fs::write(&path, flipped).unwrap_or_else(|e| panic!("{e}"));
    let err = s.refused(&path, &preset("qbo-open-invoices-report"));
    assert!(
        err.contains(
            "column balance ('Open balance'): '100.00' is positive, but this row is a credit"
        ),
        "{err}"
    );

    // A transaction type left out shows in the figures.
    let journal = text.replace("Credit Memo", "Journal Entry");
    let path = dir.path().join("journal.csv");
    std::fs::write(&path, journal).unwrap_or_else(|e| panic!("{e}"));
    let err = s.refused(&path, &preset("qbo-open-invoices-report"));
    assert!(
        err.contains("the file's own total is 7,631.02 but the rows read add up to 7,731.02")
            && err.contains("1 × transaction type 'Journal Entry'"),
        "{err}"
    );
    assert_eq!(s.counts(), before);

    // check_total = false lets it through.
    let off = dir.path().join("off.toml");
    std::fs::write(&off, "[rows]\ncheck_total = false\n").unwrap_or_else(|e| panic!("{e}"));
    let sum = s.import(
        &path,
        &ImportOptions {
            mapping: Some(off),
            ..preset("qbo-open-invoices-report")
        },
    );
    assert_eq!(sum.created, 7);
}

#[test]
fn ambiguous_dates_are_refused_and_a_proven_order_is_said() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = "Open Invoices\nCo\n\n,Date,Transaction type,Num,Term,Due date,Open balance\nAcme,,,,,,\n,03/04/2026,Invoice,1,,04/03/2026,10.00\n,05/06/2026,Invoice,2,,06/05/2026,5.00\nTotal for Acme,,,,,,$15.00\nTOTAL,,,,,,$15.00\n";
    let path = dir.path().join("ambiguous.csv");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let mut s = shop();
    let err = s.refused(&path, &preset("qbo-open-invoices-report"));
    assert_eq!(
        err,
        format!(
            "{}:6: column issue_date ('Date'): '03/04/2026' reads both day first and month first, and so does every date in the file: say which in a mapping file (--mapping FILE.toml) with [format] date = \"%m/%d/%Y\" (month first, as in the US) or date = \"%d/%m/%Y\" (day first)",
            path.display()
        )
    );
    let us = dir.path().join("us.toml");
    std::fs::write(&us, "[format]\ndate = \"%m/%d/%Y\"\n").unwrap_or_else(|e| panic!("{e}"));
    let sum = s.import(
        &path,
        &ImportOptions {
            mapping: Some(us),
            ..preset("qbo-open-invoices-report")
        },
    );
    assert_eq!(sum.created, 2);
    assert_eq!(
        s.int("SELECT COUNT(*) FROM invoices WHERE invoice_no = '1' AND due_date = '2026-04-03'"),
        1
    );
}

#[test]
fn a_sheet_is_chosen_by_name_or_the_first_is_read() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("xero.xlsx");
    to_xlsx(
        &fixture("xero_aged_receivables_detail.csv"),
        &out,
        "Aged Receivables Detail",
        "%d/%m/%Y",
        Dates::Cells,
    );
    let mut s = shop();
    let err = s.refused(
        &out,
        &ImportOptions {
            sheet: Some("Summary".into()),
            ..preset("xero-aged-receivables-detail")
        },
    );
    assert!(
        err.ends_with(
            "xero.xlsx: has no sheet named 'Summary'; its sheets are: 'Aged Receivables Detail'"
        ),
        "{err}"
    );
    let sum = s.import(
        &out,
        &ImportOptions {
            sheet: Some("aged receivables detail".into()),
            ..preset("xero-aged-receivables-detail")
        },
    );
    assert_eq!(sum.created, 5);
    assert_eq!(
        s.int("SELECT COUNT(*) FROM invoices WHERE invoice_no = 'INV-0052' AND issue_date = '2026-04-14' AND due_date = '2026-04-28'"),
        1
    );
}

#[test]
fn generic_files_are_read_from_a_spreadsheet_too() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["customer_id", "name", "email"].iter().enumerate() {
        ws.write_string(0, c as u16, *h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    ws.write_number(1, 0, 7.0).unwrap_or_else(|e| panic!("{e}"));
    ws.write_string(1, 1, "Seven Seas")
        .unwrap_or_else(|e| panic!("{e}"));
    let customers = dir.path().join("customers.xlsx");
    wb.save(&customers).unwrap_or_else(|e| panic!("{e}"));

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "invoice_no",
        "customer_id",
        "issue_date",
        "due_date",
        "amount",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let issued = ExcelDateTime::from_ymd(2026, 3, 1).unwrap_or_else(|e| panic!("{e}"));
    ws.write_string(1, 0, "0042")
        .unwrap_or_else(|e| panic!("{e}"));
    ws.write_number(1, 1, 7.0).unwrap_or_else(|e| panic!("{e}"));
    ws.write_datetime_with_format(1, 2, &issued, &date)
        .unwrap_or_else(|e| panic!("{e}"));
    ws.write_string(1, 3, "2026-03-31")
        .unwrap_or_else(|e| panic!("{e}"));
    ws.write_formula(1, 4, Formula::new("=100.1+0.2").set_result("100.3"))
        .unwrap_or_else(|e| panic!("{e}"));
    let invoices = dir.path().join("invoices.ods.xlsx");
    wb.save(&invoices).unwrap_or_else(|e| panic!("{e}"));

    let mut s = shop();
    let c = import_file(
        &mut s.session,
        ImportKind::Customers,
        &customers,
        &ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.created, 1);
    let sum = s.import(&invoices, &ImportOptions::default());
    assert_eq!(sum.created, 1);
    assert_eq!(
        s.int("SELECT COUNT(*) FROM invoices WHERE invoice_no = '0042' AND customer_id = '7' AND issue_date = '2026-03-01' AND due_date = '2026-03-31' AND amount = 10030"),
        1
    );
}

#[test]
fn an_ods_report_reads_like_its_csv() {
    // Made from the CSV by tests/fixtures/reports/make_ods.py (float and date cells).
    let e = EXPECT
        .iter()
        .find(|e| e.preset == "xero-aged-receivables-detail")
        .unwrap_or_else(|| panic!("no xero expectation"));
    check(e, &fixture("xero_aged_receivables_detail.ods"), false);
}

/// An Open Invoices report of one customer, Acme: (date, type, num, due, open).
fn acme_report(rows: &[(&str, &str, &str, &str, &str)], total: &str) -> String {
    let mut s = String::from(
        "Open Invoices\nCo\n\"As of Jun 30, 2026\"\n\n,Date,Transaction type,Num,Term,Due date,Open balance\nAcme,,,,,,\n",
    );
    for (date, kind, num, due, open) in rows {
        s.push_str(&format!(",{date},{kind},{num},,{due},\"{open}\"\n"));
    }
    s.push_str(&format!(
        "Total for Acme,,,,,,\"${total}\"\nTOTAL,,,,,,\"${total}\"\n"
    ));
    s
}

#[test]
fn later_reports_agree_with_credits_as_the_accounting_system_applies_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    };
    let opts = preset("qbo-open-invoices-report");
    let a1 = ("03/15/2026", "Invoice", "A1", "04/14/2026", "100.00");
    let a2 = ("05/20/2026", "Invoice", "A2", "06/19/2026", "50.00");
    let cm = ("05/25/2026", "Credit Memo", "CM1", "05/25/2026", "(30.00)");
    let pay = ("05/26/2026", "Payment", "", "05/26/2026", "-$20.00");
    let week1 = write("week1.csv", acme_report(&[a1, a2, cm, pay], "100.00"));
    let balances = |s: &Shop| -> Vec<(String, i64)> {
        let conn = s.session.store().conn();
        let mut stmt = conn
            .prepare("SELECT invoice_no, balance FROM invoices ORDER BY invoice_no")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect()
    };
    let owed = |s: &Shop| s.int("SELECT SUM(balance) FROM invoices");

    // arq applies the credit and the payment oldest due first: both to A1.
    let mut s = shop();
    s.import(&week1, &opts);
    assert_eq!(balances(&s), [("A1".into(), 5000), ("A2".into(), 5000)]);

    // Week 2, partly applied: 10.00 of the credit went to A1 in QuickBooks, 20.00
    // of it is still open; the payment too is still open.
    let cm_left = ("05/25/2026", "Credit Memo", "CM1", "05/25/2026", "(20.00)");
    let week2 = write(
        "week2.csv",
        acme_report(
            &[
                ("03/15/2026", "Invoice", "A1", "04/14/2026", "90.00"),
                a2,
                cm_left,
                pay,
            ],
            "100.00",
        ),
    );
    let counts = s.counts();
    let sum = s.import(&week2, &opts);
    assert_eq!(
        (sum.updated, sum.balance_payments, sum.adjustments),
        (0, 0, 0),
        "{sum:?}"
    );
    assert_eq!(s.counts(), counts);
    assert_eq!(owed(&s), 10000);

    // Week 3: QuickBooks applied the rest of the credit and the payment to A2, not
    // to A1 as arq did. arq follows the invoices: A1 back up, A2 down.
    let week3 = write(
        "week3.csv",
        acme_report(
            &[
                ("03/15/2026", "Invoice", "A1", "04/14/2026", "90.00"),
                ("05/20/2026", "Invoice", "A2", "06/19/2026", "10.00"),
            ],
            "100.00",
        ),
    );
    s.import(&week3, &opts);
    assert_eq!(balances(&s), [("A1".into(), 9000), ("A2".into(), 1000)]);
    assert_eq!(owed(&s), 10000);
    // And the same file again changes nothing.
    let counts = s.counts();
    s.import(&week3, &opts);
    assert_eq!(s.counts(), counts);
}

#[test]
fn header_row_says_where_the_header_is() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = "Invoices to collect\ninvoice_no,customer_id,issue_date,due_date,amount\nnot,the,header,row,x\ninvoice_no,customer_id,issue_date,due_date,amount\nI-1,C1,2026-05-01,2026-05-31,10.00\n";
    let csv = dir.path().join("h.csv");
    std::fs::write(&csv, text).unwrap_or_else(|e| panic!("{e}"));
    let at = |n: u32| {
        let p = dir.path().join(format!("h{n}.toml"));
        std::fs::write(&p, format!("[rows]\nheader_row = {n}\n")).unwrap_or_else(|e| panic!("{e}"));
        ImportOptions {
            mapping: Some(p),
            ..ImportOptions::default()
        }
    };
    let mut s = shop();
    let err = s.refused(&csv, &at(3));
    assert!(
        err.contains("h.csv:3: the header has no column for invoice_no"),
        "{err}"
    );
    let sum = s.import(&csv, &at(4));
    assert_eq!((sum.rows, sum.created), (1, 1));
}

#[test]
fn a_broken_spreadsheet_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("broken.xlsx");
    std::fs::write(&path, b"PK\x03\x04 this is no workbook").unwrap_or_else(|e| panic!("{e}"));
    let mut s = shop();
    let err = s.refused(&path, &preset("qbo-ar-aging-detail"));
    assert!(
        err.contains("broken.xlsx: not a readable spreadsheet")
            && err.contains("save it again as .xlsx"),
        "{err}"
    );
}
