//! CSV import against real database files: the generic formats, balances turned into
//! dated payments, all-or-nothing, re-imports, snapshots, dry runs and roles.

mod common;

use std::path::{Path, PathBuf};

use arq::config::Config;
use arq::domain::{Money, Role};
use arq::import::{ImportError, ImportKind, ImportOptions, ImportSummary, import_file, presets};
use arq::service::setup::init;
use arq::service::{Session, noon_utc};
use arq::store::Store;
use chrono::NaiveDate;
use tempfile::TempDir;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
}

const AS_OF: &str = "2026-03-01";

struct Shop {
    dir: TempDir,
    db: PathBuf,
    session: Session,
    _place: common::Place,
}

fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let place = common::Place::new(&dir);
    let db = place.path.clone();
    let session = init(
        &db,
        "USD",
        "admin",
        day(AS_OF),
        noon_utc(day(AS_OF)),
        Config::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Shop {
        dir,
        db,
        session,
        _place: place,
    }
}

impl Shop {
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    }

    fn import(
        &mut self,
        kind: ImportKind,
        path: &Path,
        opts: &ImportOptions,
    ) -> Result<ImportSummary, ImportError> {
        import_file(&mut self.session, kind, path, opts)
    }

    fn ok(&mut self, kind: ImportKind, name: &str, text: &str) -> ImportSummary {
        let p = self.file(name, text);
        self.import(kind, &p, &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(&mut self, kind: ImportKind, name: &str, text: &str) -> String {
        let p = self.file(name, text);
        match self.import(kind, &p, &ImportOptions::default()) {
            Ok(s) => panic!("expected an error, got {s:?}"),
            Err(e) => self.short(&e),
        }
    }

    /// An error as the person sees it, with the temporary directory left out.
    fn short(&self, e: &ImportError) -> String {
        e.to_string()
            .replace(&format!("{}/", self.dir.path().display()), "")
    }

    fn refused(&mut self, kind: ImportKind, path: &Path, opts: &ImportOptions) -> String {
        match self.import(kind, path, opts) {
            Ok(s) => panic!("expected an error, got {s:?}"),
            Err(e) => self.short(&e),
        }
    }

    fn int(&self, sql: &str) -> i64 {
        self.session
            .store()
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn text(&self, sql: &str) -> String {
        self.session
            .store()
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Row counts of every table, to prove nothing was written.
    fn counts(&self) -> Vec<(String, i64)> {
        let conn = self.session.store().conn();
        let mut stmt = conn
            .prepare(conn.pick(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect();
        names
            .into_iter()
            .map(|t| {
                let n = self.int(&format!("SELECT COUNT(*) FROM \"{t}\""));
                (t, n)
            })
            .collect()
    }

    fn balance(&self, no: &str) -> Money {
        Money::from_minor(self.int(&format!(
            "SELECT balance FROM invoices WHERE invoice_no = '{no}'"
        )))
    }

    fn amount(&self, no: &str) -> Money {
        Money::from_minor(self.int(&format!(
            "SELECT amount FROM invoices WHERE invoice_no = '{no}'"
        )))
    }

    fn events(&self, kind: &str) -> i64 {
        self.int(&format!(
            "SELECT COUNT(*) FROM events WHERE kind = '{kind}'"
        ))
    }
}

fn money(s: &str) -> Money {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

const INVOICES: &str = "invoice_no,customer_id,name,issue_date,due_date,amount,balance,currency
INV-1,C1,Acme Corp,2026-01-05,2026-02-04,1000.00,1000.00,USD
INV-2,C1,Acme Corp,2026-01-20,2026-02-19,500.00,200.00,USD
INV-3,C2,,2026-02-01,2026-03-03,250.00,,usd
";

#[test]
fn invoices_create_customers_and_record_missing_balance_as_payments() {
    let mut s = shop();
    let sum = s.ok(ImportKind::Invoices, "invoices.csv", INVOICES);
    assert_eq!(
        (sum.rows, sum.created, sum.updated, sum.unchanged),
        (3, 3, 0, 0)
    );
    assert_eq!(sum.customers_created, 2);
    // INV-2 is 300 paid; INV-3's blank balance means paid in full.
    assert_eq!(sum.balance_payments, 2);
    assert_eq!(s.balance("INV-1"), money("1000.00"));
    assert_eq!(s.balance("INV-2"), money("200.00"));
    assert_eq!(s.balance("INV-3"), money("0.00"));
    assert_eq!(
        s.text("SELECT name FROM customers WHERE id = 'C1'"),
        "Acme Corp"
    );
    assert_eq!(s.text("SELECT name FROM customers WHERE id = 'C2'"), "C2");
    assert_eq!(
        s.text("SELECT payment_id || ' ' || date || ' ' || amount || ' ' || source FROM payments WHERE invoice_no = 'INV-2'"),
        "import:INV-2:2026-03-01 2026-03-01 30000 import"
    );
    assert_eq!(
        s.int("SELECT COUNT(*) FROM allocations WHERE date = '2026-03-01'"),
        2
    );
    // One import event, no event per invoice.
    assert_eq!(s.events("import"), 1);
    assert_eq!(
        s.int("SELECT COUNT(*) FROM events WHERE customer_id IS NOT NULL"),
        0
    );
    let data = s.text("SELECT data FROM events WHERE kind = 'import'");
    assert!(
        data.contains("\"created\":3") && data.contains("\"customers_created\":2"),
        "{data}"
    );
}

#[test]
fn every_amount_form_is_read() {
    let mut s = shop();
    let sum = s.ok(
        ImportKind::Invoices,
        "invoices.csv",
        "invoice_no,customer_id,issue_date,due_date,amount,balance
A1,C1,2026-01-01,2026-02-01,1234.56,1234.56
A2,C1,2026-01-01,2026-02-01,\"1,234.56\",\"1,000.00\"
A3,C1,2026-01-01,2026-02-01,\"$1,234.56\",$34.56
A4,C1,2026-01-01,2026-02-01,$200,0
A5,C1,2026-01-01,2026-02-01,7,
",
    );
    assert_eq!(sum.created, 5);
    for (no, amount, balance) in [
        ("A1", "1234.56", "1234.56"),
        ("A2", "1234.56", "1000.00"),
        ("A3", "1234.56", "34.56"),
        ("A4", "200.00", "0.00"),
        ("A5", "7.00", "0.00"),
    ] {
        assert_eq!(s.amount(no), money(amount), "{no}");
        assert_eq!(s.balance(no), money(balance), "{no}");
    }
    // Negative forms are read (and refused for an invoice, naming the form).
    for neg in ["-200.00", "-$200.00", "(420.81)", "$(250.00)", "100-"] {
        let err = s.err(
            ImportKind::Invoices,
            "neg.csv",
            &format!("invoice_no,customer_id,issue_date,due_date,amount\nN1,C1,2026-01-01,2026-02-01,\"{neg}\"\n"),
        );
        assert!(
            err.contains(&format!("neg.csv:2: column amount: '{neg}' is negative")),
            "{err}"
        );
    }
    let err = s.err(
        ImportKind::Invoices,
        "precise.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nP1,C1,2026-01-01,2026-02-01,12.3456\n",
    );
    assert!(
        err.ends_with("precise.csv:2: column amount: '12.3456' has more than two decimal places"),
        "{err}"
    );
    // Three digits after the point may be a thousands group: refused, quoted as written.
    let err = s.err(
        ImportKind::Invoices,
        "ambiguous.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nP1,C1,2026-01-01,2026-02-01,\"2.552,34\"\n",
    );
    assert!(
        err.contains("ambiguous.csv:2: column amount: '2.552,34' is ambiguous"),
        "{err}"
    );
}

#[test]
fn a_mapping_reads_decimal_commas_and_unpadded_us_dates() {
    let mut s = shop();
    let mapping = s.file(
        "eu.toml",
        "[columns]\ninvoice_no = \"Nummer\"\namount = \"Betrag\"\nbalance = \"Offen\"\n\n[format]\ndate = \"%m/%d/%Y\"\ndecimal = \",\"\ndelimiter = \";\"\n",
    );
    let csv = s.file(
        "eu.csv",
        "Nummer;customer_id;issue_date;due_date;Betrag;Offen\nE1;C1;1/2/2013;2/1/2013;1.234,50;234,50\nE2;C1;12/31/2025;1/30/2026;99;99,00\n",
    );
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let sum = s
        .import(ImportKind::Invoices, &csv, &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sum.created, 2);
    assert_eq!(s.amount("E1"), money("1234.50"));
    assert_eq!(s.balance("E1"), money("234.50"));
    assert_eq!(
        s.text("SELECT issue_date || ' ' || due_date FROM invoices WHERE invoice_no = 'E1'"),
        "2013-01-02 2013-02-01"
    );
    assert_eq!(
        s.text("SELECT due_date FROM invoices WHERE invoice_no = 'E2'"),
        "2026-01-30"
    );
}

#[test]
fn bom_crlf_header_spelling_and_leading_zeros() {
    let mut s = shop();
    let text = "\u{feff} Invoice_No ,CUSTOMER_ID,Issue_Date,due_date,Amount,notes\r\n0000611365,007,2026-01-01,2026-02-01,10.00,ignored\r\n\r\n0000611366,007,2026-01-02,2026-02-02,20.00,\r\n";
    let sum = s.ok(ImportKind::Invoices, "bom.csv", text);
    assert_eq!((sum.rows, sum.created), (2, 2));
    assert_eq!(
        s.int("SELECT COUNT(*) FROM invoices WHERE invoice_no IN ('0000611365', '0000611366')"),
        2
    );
    assert_eq!(s.text("SELECT id FROM customers"), "007");
    // Line numbers stay true with CRLF and blank lines.
    let err = s.err(
        ImportKind::Invoices,
        "bom2.csv",
        "\u{feff}invoice_no,customer_id,issue_date,due_date,amount\r\nX1,007,2026-01-01,2026-02-01,1\r\n\r\n\r\nX2,007,2026-01-01,someday,1\r\n",
    );
    assert!(
        err.starts_with("bom2.csv:5: column due_date: 'someday' is not a date"),
        "{err}"
    );
}

#[test]
fn a_bad_row_anywhere_writes_nothing_and_names_line_column_and_value() {
    let mut s = shop();
    s.ok(ImportKind::Invoices, "first.csv", INVOICES);
    let before = s.counts();
    let mut text = String::from("invoice_no,customer_id,issue_date,due_date,amount,balance\n");
    for i in 0..12 {
        text.push_str(&format!("B{i},NEW{i},01/05/2026,02/04/2026,100.00,50.00\n"));
    }
    text.push_str("B99,NEW99,01/05/2026,31/02/2026,100.00,50.00\n");
    let mapping = s.file("us.toml", "[format]\ndate = \"%m/%d/%Y\"\n");
    let csv = s.file("invoices.csv", &text);
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let err = s.refused(ImportKind::Invoices, &csv, &opts);
    assert!(
        err.ends_with(
            "invoices.csv:14: column due_date: '31/02/2026' is not a date (expected %m/%d/%Y)"
        ),
        "{err}"
    );
    assert_eq!(s.counts(), before);
    // The connection is back to full durability, failed import or not (a file's
    // setting: a server keeps its own).
    if !arq::store::pg::is_url(&s.db.display().to_string()) {
        assert_eq!(s.int("PRAGMA synchronous"), 2);
    }

    for (bad, want) in [
        (
            "B1,C1,2026-01-01,2026-02-01,abc,",
            "x.csv:2: column amount: 'abc' is not an amount",
        ),
        (
            ",C1,2026-01-01,2026-02-01,1,",
            "x.csv:2: column invoice_no: '' is empty",
        ),
        (
            "B1,C1,2026-01-01,2026-02-01,10,11",
            "x.csv:2: column balance: '11' is more than the invoice amount 10.00",
        ),
        (
            "INV-1,C2,2026-01-01,2026-02-01,10,",
            "x.csv:2: column customer_id: 'C2' is not the customer of invoice INV-1",
        ),
    ] {
        let err = s.err(
            ImportKind::Invoices,
            "x.csv",
            &format!("invoice_no,customer_id,issue_date,due_date,amount,balance\n{bad}\n"),
        );
        assert!(err.starts_with(want), "{bad}: {err}");
        assert_eq!(s.counts(), before);
    }
    let err = s.err(
        ImportKind::Invoices,
        "dup.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nD1,C1,2026-01-01,2026-02-01,1\nD1,C1,2026-01-01,2026-02-01,1\n",
    );
    assert_eq!(
        err,
        "dup.csv:3: column invoice_no: 'D1' is on an earlier line too: each invoice may appear once (a file of line items needs group_lines = true in its mapping)"
    );
    let err = s.err(
        ImportKind::Invoices,
        "hdr.csv",
        "invoice_no,customer_id,issue_date,amount\n",
    );
    assert!(
        err.starts_with("hdr.csv:1: the header has no column for due_date (looked for 'due_date')"),
        "{err}"
    );
    assert_eq!(s.counts(), before);
}

#[test]
fn a_foreign_currency_is_refused_by_name() {
    let mut s = shop();
    let err = s.err(
        ImportKind::Invoices,
        "fx.csv",
        "invoice_no,customer_id,issue_date,due_date,amount,currency\nF1,C1,2026-01-01,2026-02-01,10,USD\nF2,C1,2026-01-01,2026-02-01,10,EUR\n",
    );
    assert!(
        err.starts_with("fx.csv:3: column currency: 'EUR' is not this database's currency USD"),
        "{err}"
    );
    assert!(err.contains("invoices in EUR are refused"), "{err}");
    assert_eq!(s.int("SELECT COUNT(*) FROM invoices"), 0);
    let mapping = s.file("eur.toml", "[format]\ncurrency = \"EUR\"\n");
    let csv = s.file(
        "plain.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nF1,C1,2026-01-01,2026-02-01,10\n",
    );
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let err = s.refused(ImportKind::Invoices, &csv, &opts);
    assert!(
        err.contains("the mapping says the file is in EUR, but this database keeps USD"),
        "{err}"
    );
}

#[test]
fn known_invoices_reconcile_balances_by_dated_records() {
    let mut s = shop();
    s.ok(ImportKind::Invoices, "day1.csv", INVOICES);
    s.session
        .set_as_of(day("2026-03-10"), noon_utc(day("2026-03-10")));
    let payments_before = s.events("payment");
    let sum = s.ok(
        ImportKind::Invoices,
        "day2.csv",
        "invoice_no,customer_id,issue_date,due_date,amount,balance
INV-1,C1,2026-01-05,2026-02-04,1000.00,600.00
INV-2,C1,2026-01-20,2026-03-19,500.00,350.00
INV-3,C2,2026-02-01,2026-03-03,250.00,0
",
    );
    assert_eq!((sum.created, sum.updated, sum.unchanged), (0, 2, 1));
    assert_eq!((sum.balance_payments, sum.adjustments), (1, 1));
    // Lower: a payment of the difference dated the import's as-of date.
    assert_eq!(s.balance("INV-1"), money("600.00"));
    assert_eq!(
        s.text("SELECT payment_id || ' ' || date || ' ' || amount FROM payments WHERE invoice_no = 'INV-1'"),
        "import:INV-1:2026-03-10 2026-03-10 40000"
    );
    assert_eq!(s.events("payment"), payments_before + 1);
    // Higher: a negative adjustment, with an event; the new due date is applied.
    assert_eq!(s.balance("INV-2"), money("350.00"));
    assert_eq!(
        s.int("SELECT amount FROM allocations WHERE invoice_no = 'INV-2' AND kind = 'adjustment'"),
        -15000
    );
    assert_eq!(
        s.text("SELECT due_date FROM invoices WHERE invoice_no = 'INV-2'"),
        "2026-03-19"
    );
    assert_eq!(s.events("adjustment"), 2);
    // The balance as of before the import still replays: allocations are dated.
    assert_eq!(s.int("SELECT COALESCE(SUM(amount), 0) FROM allocations WHERE invoice_no = 'INV-1' AND date <= '2026-03-01'"), 0);

    // Without a balance column, known balances are left alone.
    let sum = s.ok(
        ImportKind::Invoices,
        "nobalance.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nINV-1,C1,2026-01-05,2026-02-04,1000.00\n",
    );
    assert_eq!((sum.updated, sum.unchanged), (0, 1));
    assert_eq!(s.balance("INV-1"), money("600.00"));

    // A second lower balance on the same day gets its own payment id.
    s.ok(ImportKind::Invoices, "again.csv", "invoice_no,customer_id,issue_date,due_date,amount,balance\nINV-1,C1,2026-01-05,2026-02-04,1000.00,500.00\n");
    assert_eq!(
        s.int("SELECT COUNT(*) FROM payments WHERE payment_id = 'import:INV-1:2026-03-10:2'"),
        1
    );
}

#[test]
fn re_importing_the_same_files_changes_nothing() {
    let mut s = shop();
    s.session
        .add_user("ana", Role::Collector)
        .unwrap_or_else(|e| panic!("{e}"));
    let customers = "customer_id,name,email,collector,risk,opt_out,white_glove\nC1,Acme Corp,ap@acme.example,ana,high,email;sms,no\nC3,Zed Ltd,,,,,yes\n";
    let payments = "payment_id,customer_id,date,amount,invoice_no\nP-1,C1,2026-02-20,250.00,INV-1\nP-2,C1,2026-02-21,100.00,\n";
    s.ok(ImportKind::Customers, "customers.csv", customers);
    s.ok(ImportKind::Invoices, "invoices.csv", INVOICES);
    s.ok(ImportKind::Payments, "payments.csv", payments);
    let snapshot = ImportOptions {
        snapshot: true,
        ..ImportOptions::default()
    };
    let inv = s.file("invoices.csv", INVOICES);
    s.import(ImportKind::Invoices, &inv, &snapshot)
        .unwrap_or_else(|e| panic!("{e}"));
    let before = s.counts();
    let events = s.int("SELECT MAX(seq) FROM events");

    let c = s.ok(ImportKind::Customers, "customers.csv", customers);
    assert_eq!((c.created, c.updated, c.unchanged), (0, 0, 2));
    let i = s.ok(ImportKind::Invoices, "invoices.csv", INVOICES);
    assert_eq!(
        (i.created, i.updated, i.unchanged, i.customers_created),
        (0, 0, 3, 0)
    );
    let i = s
        .import(ImportKind::Invoices, &inv, &snapshot)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(i.closed_by_snapshot, 0);
    let p = s.ok(ImportKind::Payments, "payments.csv", payments);
    assert_eq!((p.payments_recorded, p.unchanged), (0, 2));
    assert_eq!(s.counts(), before);
    assert_eq!(s.int("SELECT MAX(seq) FROM events"), events);
    assert!(
        s.session
            .audit_verify()
            .unwrap_or_else(|e| panic!("{e}"))
            .broken_at
            .is_none()
    );
}

#[test]
fn a_snapshot_closes_open_invoices_missing_from_the_file() {
    let mut s = shop();
    s.ok(ImportKind::Invoices, "all.csv", INVOICES);
    s.session
        .set_as_of(day("2026-03-15"), noon_utc(day("2026-03-15")));
    let only_two = "invoice_no,customer_id,issue_date,due_date,amount,balance\nINV-2,C1,2026-01-20,2026-02-19,500.00,200.00\n";
    let path = s.file("open.csv", only_two);
    let opts = ImportOptions {
        snapshot: true,
        ..ImportOptions::default()
    };
    let sum = s
        .import(ImportKind::Invoices, &path, &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    // INV-1 was open and is gone from the export; INV-3 was already paid.
    assert_eq!((sum.closed_by_snapshot, sum.unchanged), (1, 1));
    assert_eq!(s.balance("INV-1"), money("0.00"));
    assert_eq!(
        s.text("SELECT payment_id || ' ' || date || ' ' || source FROM payments WHERE invoice_no = 'INV-1'"),
        "snapshot:INV-1:2026-03-15 2026-03-15 snapshot"
    );
    assert_eq!(s.balance("INV-2"), money("200.00"));
    for kind in [ImportKind::Customers, ImportKind::Payments] {
        let err = s.refused(kind, &path, &opts);
        assert!(
            err.contains("--snapshot") && err.contains("arq import invoices"),
            "{err}"
        );
    }
}

#[test]
fn a_dry_run_reports_everything_and_writes_nothing() {
    let mut s = shop();
    let before = s.counts();
    let path = s.file("invoices.csv", INVOICES);
    let dry = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let would = s
        .import(ImportKind::Invoices, &path, &dry)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(would.dry_run);
    assert_eq!(s.counts(), before);
    let did = s
        .import(ImportKind::Invoices, &path, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ImportSummary {
            dry_run: false,
            ..would
        },
        did
    );
}

#[test]
fn only_admins_import() {
    let mut s = shop();
    s.session
        .add_user("ana", Role::Collector)
        .unwrap_or_else(|e| panic!("{e}"));
    s.session
        .add_user("sam", Role::Supervisor)
        .unwrap_or_else(|e| panic!("{e}"));
    let path = s.file("invoices.csv", INVOICES);
    for who in ["ana", "sam"] {
        let store = Store::open(&s.db).unwrap_or_else(|e| panic!("{e}"));
        let mut other = Session::open(
            store,
            who,
            day(AS_OF),
            noon_utc(day(AS_OF)),
            Config::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let err = import_file(
            &mut other,
            ImportKind::Invoices,
            &path,
            &ImportOptions::default(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.starts_with("only admins can import invoices"), "{err}");
    }
    assert_eq!(s.int("SELECT COUNT(*) FROM invoices"), 0);
}

#[test]
fn customers_update_only_what_the_file_gives() {
    let mut s = shop();
    s.session
        .add_user("ana", Role::Collector)
        .unwrap_or_else(|e| panic!("{e}"));
    s.session
        .add_user("ben", Role::Collector)
        .unwrap_or_else(|e| panic!("{e}"));
    let sum = s.ok(
        ImportKind::Customers,
        "customers.csv",
        "customer_id,name,email,phone,segment,risk,collector,credit_limit,opt_out,white_glove,strategy
C1,Acme Corp,ap@acme.example,555-0100,retail,high,ana,\"5,000.00\",email;sms,no,strict
C2,Beta LLC,,,,,,,,true,
",
    );
    assert_eq!((sum.created, sum.updated), (2, 0));
    assert_eq!(
        s.text("SELECT email || '|' || risk || '|' || owner || '|' || credit_limit || '|' || opt_out || '|' || white_glove || '|' || strategy FROM customers WHERE id = 'C1'"),
        "ap@acme.example|high|ana|500000|email;sms|0|strict"
    );
    assert_eq!(
        s.int("SELECT white_glove FROM customers WHERE id = 'C2'"),
        1
    );
    let events = s.int("SELECT COUNT(*) FROM events");

    // Only name and collector columns: the rest stays; blank cells erase nothing.
    let sum = s.ok(
        ImportKind::Customers,
        "owners.csv",
        "customer_id,name,collector\nC1,Acme Corp,ben\nC2,Beta LLC,\n",
    );
    assert_eq!((sum.updated, sum.unchanged), (1, 1));
    assert_eq!(
        s.text("SELECT owner || '|' || email || '|' || risk FROM customers WHERE id = 'C1'"),
        "ben|ap@acme.example|high"
    );
    assert_eq!(s.int("SELECT COUNT(*) FROM events"), events + 3);
    assert_eq!(
        s.text("SELECT detail FROM events WHERE kind = 'assigned' ORDER BY seq DESC LIMIT 1"),
        "assigned to ben (was ana) by import ".to_string()
            + &s.dir.path().join("owners.csv").display().to_string()
    );
    assert_eq!(s.events("customer_changed"), 1);

    for (row, want) in [
        (
            "C9,Nine,zed",
            "c.csv:2: column collector: 'zed' is not an arq user: add them with `arq user add zed --role collector`",
        ),
        (
            "C9,Nine,,bogus",
            "c.csv:2: column strategy: 'bogus' is not a loaded strategy",
        ),
        (
            "C9,Nine,,,medium",
            "c.csv:2: column risk: 'medium' is not a risk class (use one of low|normal|high)",
        ),
        (
            "C9,Nine,,,,fax",
            "c.csv:2: column opt_out: 'fax' is not a list of channels",
        ),
        (
            "C9,Nine,,,,,maybe",
            "c.csv:2: column white_glove: 'maybe' is not yes or no",
        ),
        ("C9,,,", "c.csv:2: column name: '' is empty"),
    ] {
        let err = s.err(
            ImportKind::Customers,
            "c.csv",
            &format!("customer_id,name,collector,strategy,risk,opt_out,white_glove\n{row}\n"),
        );
        assert!(err.starts_with(want), "{row}: {err}");
    }
    assert_eq!(s.int("SELECT COUNT(*) FROM customers"), 2);
}

#[test]
fn an_address_column_gives_letters_their_lines() {
    let mut s = shop();
    let sum = s.ok(
        ImportKind::Customers,
        "customers.csv",
        "customer_id,name,address
C1,Acme Corp,\"12 Quay Street
 Port Town PT1 2AB\"
C2,Beta LLC,4 Mill Lane | Upton | UP4 9ZZ
C3,Gamma Ltd,
",
    );
    assert_eq!(sum.created, 3);
    let address = |s: &Shop, id: &str| {
        s.text(&format!(
            "SELECT coalesce(address, '(none)') FROM customers WHERE id = '{id}'"
        ))
    };
    assert_eq!(address(&s, "C1"), "12 Quay Street\nPort Town PT1 2AB");
    assert_eq!(address(&s, "C2"), "4 Mill Lane\nUpton\nUP4 9ZZ");
    assert_eq!(address(&s, "C3"), "(none)");

    // The same file again changes nothing; a new address is a logged change, and a
    // file without the column keeps what arq knows.
    let events = s.int("SELECT COUNT(*) FROM events");
    let sum = s.ok(
        ImportKind::Customers,
        "again.csv",
        "customer_id,name,address\nC2,Beta LLC,4 Mill Lane | Upton | UP4 9ZZ\n",
    );
    assert_eq!((sum.updated, sum.unchanged), (0, 1));
    assert_eq!(s.int("SELECT COUNT(*) FROM events"), events);
    let sum = s.ok(
        ImportKind::Customers,
        "moved.csv",
        "customer_id,name,address\nC2,Beta LLC,1 New Road|Downton\n",
    );
    assert_eq!(sum.updated, 1);
    assert_eq!(address(&s, "C2"), "1 New Road\nDownton");
    let data = s.text("SELECT data FROM events WHERE kind = 'customer_changed'");
    let data: serde_json::Value =
        serde_json::from_str(&data).unwrap_or_else(|e| panic!("{data}: {e}"));
    assert_eq!(data["fields"], serde_json::json!(["address"]));
    s.ok(
        ImportKind::Customers,
        "plain.csv",
        "customer_id,name\nC2,Beta LLC\n",
    );
    assert_eq!(address(&s, "C2"), "1 New Road\nDownton");
}

#[test]
fn payments_apply_with_one_event_each_and_refuse_what_arq_does_not_know() {
    let mut s = shop();
    s.ok(ImportKind::Invoices, "invoices.csv", INVOICES);
    let sum = s.ok(
        ImportKind::Payments,
        "payments.csv",
        "payment_id,customer_id,date,amount,invoice_no\nP-1,C1,2026-02-20,250.00,INV-1\nP-2,C1,2026-02-21,\"$1,000.00\",\n",
    );
    assert_eq!(
        (sum.created, sum.payments_recorded, sum.unchanged),
        (2, 2, 0)
    );
    assert_eq!(s.balance("INV-1"), money("0.00"));
    assert_eq!(s.balance("INV-2"), money("0.00"));
    let details: Vec<String> = {
        let conn = s.session.store().conn();
        let mut stmt = conn
            .prepare("SELECT detail FROM events WHERE kind = 'payment' ORDER BY seq")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect()
    };
    assert_eq!(
        details,
        vec![
            "payment P-1: 250.00 applied to INV-1".to_string(),
            "payment P-2: 1,000.00 applied to INV-1, INV-2 (50.00 unapplied: a credit on the account)".to_string(),
        ]
    );
    let before = s.counts();
    for (row, want) in [
        (
            "P-9,C9,2026-02-20,10,",
            "p.csv:2: column customer_id: 'C9' is not a known customer",
        ),
        (
            "P-9,C1,2026-02-20,10,INV-404",
            "p.csv:2: column invoice_no: 'INV-404' is not a known invoice",
        ),
        (
            "P-9,C2,2026-02-20,10,INV-1",
            "p.csv:2: column invoice_no: 'INV-1' is an invoice of customer C1, not of C2",
        ),
        (
            "P-9,C1,2026-02-20,-10,",
            "p.csv:2: column amount: '-10' is negative",
        ),
        (
            "P-9,C1,2026-02-20,0,",
            "p.csv:2: column amount: '0' is zero",
        ),
        (
            "P-9,C1,2026-02-30,10,",
            "p.csv:2: column date: '2026-02-30' is not a date (expected %Y-%m-%d)",
        ),
    ] {
        let err = s.err(
            ImportKind::Payments,
            "p.csv",
            &format!("payment_id,customer_id,date,amount,invoice_no\n{row}\n"),
        );
        assert!(err.starts_with(want), "{row}: {err}");
        assert_eq!(s.counts(), before);
    }
}

#[test]
fn mapping_file_errors_name_file_line_and_column() {
    let mut s = shop();
    let csv = s.file("i.csv", INVOICES);
    for (toml, want) in [
        (
            "[format]\ndate = \"%d/%m/%Y\"\nthousand = \",\"\n",
            "bad.toml:3:1: unknown field `thousand`",
        ),
        (
            "[columns]\ninvoice = \"No\"\n",
            "bad.toml:2:1: 'invoice' is not an arq column of invoices",
        ),
        ("[rows]\nfind_header = \"yes\"\n", "bad.toml:2:15:"),
    ] {
        let m = s.file("bad.toml", toml);
        let opts = ImportOptions {
            mapping: Some(m.clone()),
            ..ImportOptions::default()
        };
        let err = s.refused(ImportKind::Invoices, &csv, &opts);
        assert!(err.starts_with(want), "{err}\nwant {want}");
    }
    let missing = ImportOptions {
        mapping: Some(s.dir.path().join("none.toml")),
        ..ImportOptions::default()
    };
    let err = s.refused(ImportKind::Invoices, &csv, &missing);
    assert!(
        err.starts_with("cannot read") && err.contains("none.toml"),
        "{err}"
    );
    let none = s.dir.path().join("none.csv");
    let err = s.refused(ImportKind::Invoices, &none, &ImportOptions::default());
    assert!(
        err.starts_with("cannot read") && err.contains("none.csv"),
        "{err}"
    );
}

#[test]
fn presets_are_listed_for_help() {
    let names: Vec<&str> = presets().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        vec![
            "qbo-open-invoices",
            "xero-invoices",
            "zoho-invoices",
            "erpnext-receivable",
            "qbo-ar-aging-detail",
            "qbo-open-invoices-report",
            "xero-aged-receivables-detail",
            "odoo-aged-partner-balance"
        ]
    );
}

#[test]
fn repeated_invoices_are_refused_unless_line_items_are_grouped() {
    let mut s = shop();
    s.ok(ImportKind::Invoices, "invoices.csv", INVOICES);
    let before = s.counts();
    // A known invoice twice.
    let err = s.err(
        ImportKind::Invoices,
        "twice.csv",
        "invoice_no,customer_id,issue_date,due_date,amount\nINV-1,C1,2026-01-05,2026-02-04,1000.00\nINV-9,C1,2026-01-05,2026-02-04,5\nINV-1,C1,2026-01-05,2026-02-04,1000.00\n",
    );
    assert_eq!(
        err,
        "twice.csv:4: column invoice_no: 'INV-1' is on an earlier line too: each invoice may appear once (a file of line items needs group_lines = true in its mapping)"
    );
    assert_eq!(s.counts(), before);
    // Line items, even apart, are merged into the invoice of their first row.
    let mapping = s.file("lines.toml", "[rows]\ngroup_lines = true\n");
    let csv = s.file(
        "lines.csv",
        "invoice_no,customer_id,issue_date,due_date,amount,balance\nL1,C1,2026-03-01,2026-03-31,90.00,90.00\nL1,C1,2026-03-01,2026-03-31,90.00,90.00\nL2,C1,2026-03-01,2026-03-31,10.00,10.00\nL1,C1,2026-03-01,2026-03-31,90.00,90.00\nINV-1,C1,2026-01-05,2026-02-04,1000.00,1000.00\nINV-1,C1,2026-01-05,2026-02-04,1000.00,1000.00\n",
    );
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let sum = s
        .import(ImportKind::Invoices, &csv, &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (sum.rows, sum.created, sum.unchanged, sum.merged_rows),
        (6, 2, 1, 3)
    );
    assert_eq!(s.amount("L1"), money("90.00"));
    assert_eq!(s.int("SELECT COUNT(*) FROM payments"), 2);
}
