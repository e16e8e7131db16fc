//! The presets against fixture files that imitate real accounting exports
//! (`shared/reference/import-formats.md`): each imports the expected invoices and
//! totals, skips what is not an invoice, and re-imports without change.

mod common;

use std::path::{Path, PathBuf};

use arq::config::Config;
use arq::domain::Money;
use arq::import::{ImportKind, ImportOptions, ImportSummary, import_file};
use arq::service::setup::init;
use arq::service::{Session, noon_utc};
use chrono::NaiveDate;
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

struct Shop {
    dir: TempDir,
    session: Session,
    _place: common::Place,
}

fn shop(currency: &str) -> Shop {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
    let place = common::Place::new(&dir);
    let session = init(
        &place.path,
        currency,
        "admin",
        as_of,
        noon_utc(as_of),
        Config::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Shop {
        dir,
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
    fn import(&mut self, file: &str, opts: &ImportOptions) -> ImportSummary {
        import_file(
            &mut self.session,
            ImportKind::Invoices,
            &fixture(file),
            opts,
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    /// Every invoice: (number, customer, issue, due, amount, balance).
    fn invoices(&self) -> Vec<(String, String, String, String, Money, Money)> {
        let conn = self.session.store().conn();
        let mut stmt = conn
            .prepare("SELECT invoice_no, customer_id, issue_date, due_date, amount, balance FROM invoices ORDER BY invoice_no")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
    }

    fn customers(&self) -> Vec<(String, String)> {
        let conn = self.session.store().conn();
        let mut stmt = conn
            .prepare("SELECT id, name FROM customers ORDER BY id")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    fn total_balance(&self) -> Money {
        self.invoices().iter().map(|i| i.5).sum()
    }

    /// Importing the same file again changes nothing.
    fn reimport_is_a_no_op(&mut self, file: &str, opts: &ImportOptions) {
        let events = self.events();
        let again = self.import(file, opts);
        assert_eq!(
            (again.created, again.updated, again.customers_created),
            (0, 0, 0),
            "{file}"
        );
        assert_eq!(self.events(), events, "{file}");
    }

    fn events(&self) -> i64 {
        self.session
            .store()
            .conn()
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn m(s: &str) -> Money {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn inv(
    no: &str,
    customer: &str,
    issue: &str,
    due: &str,
    amount: &str,
    balance: &str,
) -> (String, String, String, String, Money, Money) {
    (
        no.into(),
        customer.into(),
        issue.into(),
        due.into(),
        m(amount),
        m(balance),
    )
}

#[test]
fn qbo_open_invoices_report() {
    let mut s = shop("USD");
    let opts = preset("qbo-open-invoices");
    let sum = s.import("qbo_open_invoices.csv", &opts);
    // Six detail rows: four invoices, a credit memo and a payment.
    assert_eq!((sum.rows, sum.created, sum.skipped_rows), (6, 4, 2));
    assert_eq!((sum.customers_created, sum.balance_payments), (3, 2));
    let amy = "Amy's Bird Sanctuary";
    let freeman = "Freeman Sporting Goods:0969 Ocean View Road";
    assert_eq!(
        s.invoices(),
        vec![
            inv(
                "0042",
                freeman,
                "2026-03-01",
                "2026-03-01",
                "350.00",
                "350.00"
            ),
            inv(
                "1001",
                amy,
                "2026-01-05",
                "2026-02-04",
                "4250.00",
                "4250.00"
            ),
            inv("1007", amy, "2026-02-09", "2026-03-11", "1200.00", "700.00"),
            inv(
                "998",
                "Total Wine Co",
                "2025-12-15",
                "2025-12-30",
                "12000.00",
                "11500.00"
            ),
        ]
    );
    assert_eq!(s.total_balance(), m("16800.00"));
    assert_eq!(
        s.customers(),
        vec![
            (amy.to_string(), amy.to_string()),
            (freeman.to_string(), freeman.to_string()),
            ("Total Wine Co".to_string(), "Total Wine Co".to_string()),
        ]
    );
    s.reimport_is_a_no_op("qbo_open_invoices.csv", &opts);
}

#[test]
fn qbo_open_invoices_with_only_an_open_balance_column() {
    let mut s = shop("USD");
    let sum = s.import("qbo_open_balance_only.csv", &preset("qbo-open-invoices"));
    // `100-` is a negative balance: not an open invoice.
    assert_eq!((sum.rows, sum.created, sum.skipped_rows), (2, 1, 1));
    assert_eq!(
        s.invoices(),
        vec![inv(
            "1030",
            "Cool Cars",
            "2026-02-20",
            "2026-03-22",
            "2369.52",
            "2369.52"
        )]
    );
}

#[test]
fn xero_invoice_export_groups_line_items() {
    let mut s = shop("ZAR");
    let opts = preset("xero-invoices");
    let sum = s.import("xero_invoices.csv", &opts);
    // 9 rows: 6 lines of 3 invoices, a credit note, an overpayment and a draft.
    assert_eq!(
        (sum.rows, sum.created, sum.merged_rows, sum.skipped_rows),
        (9, 3, 3, 3)
    );
    assert_eq!(sum.customers_created, 2);
    assert_eq!(
        s.invoices(),
        vec![
            inv(
                "INV-0001",
                "Ridgeway University",
                "2026-06-11",
                "2026-07-11",
                "1150.00",
                "1150.00"
            ),
            inv(
                "INV-0002",
                "City Agency",
                "2026-05-02",
                "2026-06-01",
                "500.00",
                "300.00"
            ),
            inv(
                "INV-0003",
                "Ridgeway University",
                "2026-04-15",
                "2026-05-15",
                "230.00",
                "0.00"
            ),
        ]
    );
    assert_eq!(s.total_balance(), m("1450.00"));
    s.reimport_is_a_no_op("xero_invoices.csv", &opts);
}

#[test]
fn a_mapping_file_overrides_a_preset() {
    // A US Xero organisation writes MM/DD/YYYY: read so, the fixture's 02/05/2026 and
    // 01/06/2026 make an invoice due before it was issued, and 15/04/2026 is no date.
    let mut s = shop("ZAR");
    let us = s.dir.path().join("us.toml");
    std::fs::write(&us, "[format]\ndate = \"%m/%d/%Y\"\n").unwrap_or_else(|e| panic!("{e}"));
    let opts = ImportOptions {
        mapping: Some(us),
        preset: Some("xero-invoices".into()),
        ..ImportOptions::default()
    };
    let err = import_file(
        &mut s.session,
        ImportKind::Invoices,
        &fixture("xero_invoices.csv"),
        &opts,
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        err.ends_with(
            "xero_invoices.csv:4: column due_date ('DueDate'): '01/06/2026' is before the issue date 2026-02-05: an invoice cannot fall due before it is issued (are the two date columns swapped?)"
        ),
        "{err}"
    );
    assert!(s.invoices().is_empty());
}

#[test]
fn zoho_invoice_export() {
    let mut s = shop("USD");
    let opts = preset("zoho-invoices");
    let sum = s.import("zoho_invoices.csv", &opts);
    assert_eq!(
        (sum.rows, sum.created, sum.merged_rows, sum.skipped_rows),
        (5, 2, 1, 2)
    );
    assert_eq!(
        s.invoices(),
        vec![
            inv(
                "INV-000001",
                "4600000000000026049",
                "2026-02-01",
                "2026-03-03",
                "80000.00",
                "80000.00"
            ),
            inv(
                "INV-000002",
                "4600000000000031001",
                "2026-02-10",
                "2026-02-25",
                "1500.00",
                "500.00"
            ),
        ]
    );
    assert_eq!(
        s.customers(),
        vec![
            ("4600000000000026049".to_string(), "Zylker Corp".to_string()),
            ("4600000000000031001".to_string(), "Acme Ltd".to_string()),
        ]
    );
    s.reimport_is_a_no_op("zoho_invoices.csv", &opts);
}

#[test]
fn erpnext_accounts_receivable_with_filter_rows() {
    let mut s = shop("USD");
    let opts = preset("erpnext-receivable");
    let sum = s.import("erpnext_receivable.csv", &opts);
    // A payment entry and a return (negative outstanding) are skipped; "Total" ends the data.
    assert_eq!((sum.rows, sum.created, sum.skipped_rows), (4, 2, 2));
    assert_eq!(
        s.invoices(),
        vec![
            inv(
                "ACC-SINV-2026-00001",
                "CUST-00001",
                "2026-01-10",
                "2026-02-09",
                "1000.00",
                "600.00"
            ),
            inv(
                "ACC-SINV-2026-00002",
                "CUST-00002",
                "2026-02-15",
                "2026-03-17",
                "2500.50",
                "2500.50"
            ),
        ]
    );
    assert_eq!(
        s.customers(),
        vec![
            ("CUST-00001".to_string(), "Grant Plastics Ltd.".to_string()),
            (
                "CUST-00002".to_string(),
                "West View Software Ltd.".to_string()
            ),
        ]
    );
    assert_eq!(s.total_balance(), m("3100.50"));
    s.reimport_is_a_no_op("erpnext_receivable.csv", &opts);
}

#[test]
fn presets_are_refused_for_the_wrong_kind_or_an_unknown_name() {
    let mut s = shop("USD");
    let file = fixture("zoho_invoices.csv");
    let err = import_file(
        &mut s.session,
        ImportKind::Payments,
        &file,
        &preset("zoho-invoices"),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert_eq!(
        err,
        "preset 'zoho-invoices' reads invoices, not payments: use `arq import invoices FILE --preset zoho-invoices`"
    );
    let err = import_file(
        &mut s.session,
        ImportKind::Invoices,
        &file,
        &preset("sage-50"),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        err.starts_with("no preset 'sage-50': use one of qbo-open-invoices, xero-invoices"),
        "{err}"
    );
    // Without the preset the file's headers are not arq's.
    let err = import_file(
        &mut s.session,
        ImportKind::Invoices,
        &file,
        &ImportOptions::default(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        err.contains(":1: the header has no column for invoice_no"),
        "{err}"
    );
}
