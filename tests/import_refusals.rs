//! Imports refuse what they cannot read exactly — each case names the file, line,
//! column and value, and the database is byte-for-byte the same afterwards (every
//! table's rows, every event).

mod common;

use common::Shop;

fn write(shop: &Shop, name: &str, body: &[u8]) -> String {
    let p = shop.dir.path().join(name);
    std::fs::write(&p, body).unwrap_or_else(|e| panic!("{e}"));
    p.display().to_string()
}

const INV: &str = "invoice_no,customer_id,issue_date,due_date,amount\n";

#[test]
fn refused_inputs_name_the_place_and_write_nothing() {
    let shop = Shop::new("2026-03-01");
    shop.customer("C1", "ana");
    let wide_header = {
        let mut h = INV.trim_end().to_string();
        for i in 0..10_000 {
            h.push_str(&format!(",extra{i}"));
        }
        h + "\nINV-1,C1,2026-01-01,2026-01-31,10.00\n"
    };
    let huge_name = format!("customer_id,name\nC9,{}\n", "x".repeat(5 * 1024 * 1024));
    let long_name = format!("customer_id,name\nC9,{}\n", "y".repeat(300));
    let cases: Vec<(&str, &str, Vec<u8>, Vec<&str>)> = vec![
        (
            "invoices",
            "a file separated by semicolons (how to read it is said)",
            b"invoice_no;customer_id;issue_date;due_date;amount\nINV-9;C1;2026-01-01;2026-01-31;10.00\n"
                .to_vec(),
            vec![
                ":1: the header has no column for invoice_no",
                "the file seems separated by ';': read it with a mapping file holding [format] delimiter = \";\"",
            ],
        ),
        (
            "customers",
            "a quote never closed in an address (the rows after it were read into it)",
            b"customer_id,name,address\nU-1,First,\"1 Main St\nU-2,Second,2 Side St\nU-3,Third,3 High St\n"
                .to_vec(),
            vec![":2: a quote (\") opened on this line is never closed"],
        ),
        (
            "invoices",
            "more fields than the header (an unquoted 1,234.56)",
            format!("{INV}INV-9,C1,2026-01-01,2026-01-31,1,234.56\n").into_bytes(),
            vec![":2: column #6 (the header has 5 columns): '234.56'", "quote it"],
        ),
        (
            "invoices",
            "a duplicated header column",
            "invoice_no,customer_id,issue_date,due_date,amount,Amount\nINV-9,C1,2026-01-01,2026-01-31,10.00,20.00\n"
                .as_bytes()
                .to_vec(),
            vec![":1: column amount: 'Amount' is in the header twice (columns 5 and 6)"],
        ),
        (
            "invoices",
            "10,000 columns",
            wide_header.into_bytes(),
            vec![":1: the header has 10005 columns; arq reads files of at most 1000 columns"],
        ),
        (
            "invoices",
            "a due date before the issue date",
            format!("{INV}INV-9,C1,2026-02-01,2026-01-01,10.00\n").into_bytes(),
            vec![":2: column due_date: '2026-01-01' is before the issue date 2026-02-01"],
        ),
        (
            "invoices",
            "a NUL in an invoice number",
            format!("{INV}INV\u{0}9,C1,2026-01-01,2026-01-31,10.00\n").into_bytes(),
            vec![":2: column invoice_no: 'INV␀9' holds a control character (U+0000)"],
        ),
        (
            "invoices",
            "an escape sequence in a customer id",
            format!("{INV}INV-9,C\u{1b}[2J1,2026-01-01,2026-01-31,10.00\n").into_bytes(),
            vec![":2: column customer_id: 'C␛[2J1' holds a control character (U+001B)"],
        ),
        (
            "invoices",
            "an amount beyond any invoice",
            format!("{INV}INV-9,C1,2026-01-01,2026-01-31,5000000000000.00\n").into_bytes(),
            vec![":2: column amount: '5000000000000.00' is more than 1,000,000,000,000.00"],
        ),
        (
            "payments",
            "a payment beyond any invoice",
            "payment_id,customer_id,date,amount\nP-9,C1,2026-02-01,\"1,000,000,000,000.01\"\n"
                .as_bytes()
                .to_vec(),
            vec![":2: column amount: '1,000,000,000,000.01' is more than 1,000,000,000,000.00"],
        ),
        (
            "payments",
            "a control character in a payment id",
            "payment_id,customer_id,date,amount\nP\u{7}9,C1,2026-02-01,10.00\n".as_bytes().to_vec(),
            vec![":2: column payment_id: 'P␇9' holds a control character (U+0007)"],
        ),
        (
            "customers",
            "a 5 MB name",
            huge_name.into_bytes(),
            vec![":2: column 'name' (column 2): 'xxxx", "is 5242880 characters long; arq reads cells of at most 2000"],
        ),
        (
            "customers",
            "a name longer than any name",
            long_name.into_bytes(),
            vec![":2: column name: 'yyy", "is 300 characters long; a name is at most 200"],
        ),
        (
            "customers",
            "a control character in a name",
            "customer_id,name\nC9,Acme\u{1b}]0;owned\u{7}\n".as_bytes().to_vec(),
            vec![":2: column name: 'Acme␛]0;owned␇' holds a control character (U+001B)"],
        ),
        (
            "customers",
            "a customer twice (the column is named)",
            "customer_id,name\nC9,Acme\nC9,Acme again\n".as_bytes().to_vec(),
            vec![":3: column customer_id: 'C9' is already on line 2"],
        ),
        (
            "payments",
            "a payment twice (the column is named)",
            "payment_id,customer_id,date,amount\nP-9,C1,2026-02-01,10.00\nP-9,C1,2026-02-01,10.00\n"
                .as_bytes()
                .to_vec(),
            vec![":3: column payment_id: 'P-9' is already on line 2"],
        ),
        (
            "invoices",
            "an invoice twice (the column is named)",
            format!("{INV}INV-9,C1,2026-01-01,2026-01-31,10.00\nINV-9,C1,2026-01-01,2026-01-31,10.00\n").into_bytes(),
            vec![":3: column invoice_no: 'INV-9' is on an earlier line too"],
        ),
        (
            "invoices",
            "a cell that is not UTF-8 (the column is named)",
            [INV.as_bytes(), b"INV-9,C1,2026-01-01,2026-01-31,1\xff0.00\n"].concat(),
            vec![":2: column 'amount' (column 5) is not UTF-8 text"],
        ),
    ];
    let before = shop.fingerprint();
    for (kind, what, body, wants) in cases {
        let file = write(&shop, &format!("{kind}.csv"), &body);
        let out = shop
            .arq("admin", "2026-03-01")
            .args(["import", kind, &file])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}: accepted");
        assert!(err.contains(&format!("{file}:")), "{what}: {err}");
        for w in wants {
            assert!(err.contains(w), "{what}: wanted {w:?} in {err}");
        }
        // The error is one readable line, whatever the file held.
        assert!(err.len() < 1000, "{what}: {} bytes of error", err.len());
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{0}'),
            "{what}: {err:?}"
        );
        assert_eq!(shop.fingerprint(), before, "{what}: the database changed");
    }
}

#[test]
fn trailing_empty_fields_and_thousands_in_quotes_are_still_read() {
    let shop = Shop::new("2026-03-01");
    shop.customer("C1", "ana");
    let file = write(
        &shop,
        "ok.csv",
        format!("{INV}INV-9,C1,2026-01-01,2026-01-31,\"1,234.56\",,\n").as_bytes(),
    );
    shop.arq("admin", "2026-03-01")
        .args(["import", "invoices", &file])
        .assert()
        .success();
    let store = arq::store::Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    let amount: i64 = store
        .conn()
        .query_row(
            "SELECT amount FROM invoices WHERE invoice_no = 'INV-9'",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(amount, 123_456);
}

#[test]
fn strategy_and_config_files_that_are_not_utf8_are_refused_at_a_place() {
    let shop = Shop::new("2026-03-01");
    let strategy = write(
        &shop,
        "s.toml",
        b"[strategy]\nid = \"x\"\nname = \"Caf\xe9\"\n",
    );
    shop.arq("admin", "2026-03-01")
        .args(["strategy", "check", &strategy])
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!(
            "{strategy}:3:12: this is not UTF-8 text (byte 0xE9)"
        )));
    let config = write(&shop, "c.toml", b"[ui]\ntheme = \"d\xffrk\"\n");
    shop.arq("admin", "2026-03-01")
        .args(["--config", &config, "queue"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!(
            "{config}:2:11: this is not UTF-8 text (byte 0xFF)"
        )));
    // Field limits in strategy files too.
    let long = write(
        &shop,
        "long.toml",
        format!(
            "[strategy]\nid = \"x\"\nname = \"{}\"\n[[step]]\nid = \"s\"\naction = \"call\"\n",
            "n".repeat(300)
        )
        .as_bytes(),
    );
    shop.arq("admin", "2026-03-01")
        .args(["strategy", "check", &long])
        .assert()
        .failure()
        .stderr(predicates::str::contains(format!(
            "{long}:3:8: name is 300 characters long; at most 200"
        )));
}

/// A payment imported again is "unchanged" only when it says the same. One with the
/// same id and another amount, customer or date is refused, naming what is recorded
/// (it was counted unchanged: "the database already had all of this"); so is a
/// payment of an invoice dated before the invoice was issued.
#[test]
fn a_payment_id_already_recorded_with_other_figures_is_refused() {
    let shop = Shop::new("2026-03-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ana");
    shop.invoice("INV-1", "C1", "2026-01-01", "2026-01-31", "500.00");
    let head = "payment_id,customer_id,date,amount,invoice_no\n";
    let import = |name: &str, row: &str| {
        let file = write(&shop, name, format!("{head}{row}\n").as_bytes());
        shop.arq("admin", "2026-03-01")
            .args(["import", "payments", &file])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(
        import("p1.csv", "XP-1,C1,2026-02-10,100.00,INV-1")
            .status
            .success()
    );
    let again = import("p2.csv", "XP-1,C1,2026-02-10,100.00,INV-1");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged 1"));
    let before = shop.fingerprint();
    for (row, says) in [
        // A payment of an invoice dated before the invoice was issued.
        (
            "XP-2,C1,2020-01-25,5.00,INV-1",
            "column date: '2020-01-25' is before invoice INV-1 was issued (2026-01-01)",
        ),
        (
            "XP-1,C1,2026-02-10,999,INV-1",
            "column amount: '999.00' differs from payment XP-1 as recorded (amount: 100.00 from C1 on 2026-02-10)",
        ),
        (
            "XP-1,C2,2026-02-10,100.00,",
            "column customer_id: 'C2' differs from payment XP-1 as recorded (customer",
        ),
        (
            "XP-1,C1,2026-02-11,100.00,INV-1",
            "column date: '2026-02-11' differs",
        ),
    ] {
        let out = import("p3.csv", row);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{row}: accepted");
        assert!(err.contains(says), "{row}: {err}");
        assert_eq!(shop.fingerprint(), before, "{row}: the database changed");
    }
}
