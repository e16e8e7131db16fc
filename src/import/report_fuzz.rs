//! Property tests of the report reader: whatever title rows, blank rows, group
//! headers, subtotals, grand totals and trailers surround the data, only the data
//! rows become invoices (and credits), each once, with its own figures.

use std::fmt::Write as _;

use proptest::prelude::*;

use super::ImportKind;
use super::columns::specs;
use super::mapping::{Mapping, apply};
use super::presets;
use super::report_items::{self, Parsed};
use super::source::Source;

/// One row of a generated report.
#[derive(Debug, Clone)]
enum Piece {
    Title(String),
    Blank,
    /// A customer and its invoices and credit memos (number, cents, credit?),
    /// closed by its subtotal.
    Customer(String, Vec<(u32, i64, bool)>),
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 .&'-]{0,20}".prop_map(|s| s.trim().to_string())
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        text().prop_map(Piece::Title),
        Just(Piece::Blank),
        (
            text(),
            prop::collection::vec(
                (1000u32..99_999, 1i64..10_000_000, prop::bool::weighted(0.2)),
                0..4
            )
        )
            .prop_map(|(c, inv)| Piece::Customer(c, inv)),
    ]
}

/// `"$1,234.56"`, `-$5.00`: as QuickBooks writes money, quoted for CSV.
fn money(cents: i64) -> String {
    let (sign, c) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let major = c / 100;
    let digits = if major >= 1000 {
        format!("{},{:03}", major / 1000, major % 1000)
    } else {
        major.to_string()
    };
    format!("\"{sign}${digits}.{:02}\"", c % 100)
}

/// Writes a QuickBooks-shaped Open Invoices report; returns its text and the
/// invoice numbers (made unique) with their cents, and the credits.
fn report(titles: &[String], pieces: &[Piece], trailer: &[String]) -> (String, Vec<(String, i64)>) {
    let mut s = String::new();
    for t in titles {
        let _ = writeln!(s, "\"{t}\"");
    }
    s.push('\n');
    s.push_str(",Date,Transaction type,Num,Term,Due date,Open balance\n");
    let mut wanted = Vec::new();
    let mut n = 0u32;
    for p in pieces {
        match p {
            Piece::Title(t) => {
                // Text in a data column of an otherwise empty row is not an invoice.
                let _ = writeln!(s, ",,,,{t},,");
            }
            Piece::Blank => s.push_str(",,,,,,\n"),
            Piece::Customer(name, lines) => {
                let name = format!("C {name}");
                let _ = writeln!(s, "\"{name}\",,,,,,");
                let mut sum = 0;
                for (no, cents, credit) in lines {
                    n += 1;
                    if *credit {
                        let no = format!("CM{no}-{n}");
                        let shown = money(*cents).replace(['"', '$'], "");
                        let _ =
                            writeln!(s, ",05/20/2026,Credit Memo,{no},,05/20/2026,\"({shown})\"");
                        wanted.push((no, -cents));
                        sum -= cents;
                    } else {
                        let no = format!("{no}-{n}");
                        let _ = writeln!(
                            s,
                            ",05/14/2026,Invoice,{no},Net 30,06/13/2026,{}",
                            money(*cents)
                        );
                        wanted.push((no, *cents));
                        sum += cents;
                    }
                }
                let _ = writeln!(s, "\"Total for {name}\",,,,,,{}", money(sum));
            }
        }
    }
    let total: i64 = wanted.iter().map(|w| w.1).sum();
    let _ = writeln!(s, "TOTAL,,,,,,{}", money(total));
    for t in trailer {
        let _ = writeln!(s, "{t},,,,,,1.00");
        let _ = writeln!(s, ",05/14/2026,Invoice,999999,Net 30,06/13/2026,5.00");
    }
    (s, wanted)
}

fn read(csv: &str) -> Vec<Parsed> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("r.csv");
    std::fs::write(&path, csv).unwrap_or_else(|e| panic!("{e}"));
    let kind = ImportKind::Invoices;
    let mut m = Mapping::generic(kind);
    let p = presets::find("qbo-open-invoices-report").unwrap_or_else(|e| panic!("{e}"));
    apply(&mut m, kind, p.name, p.toml).unwrap_or_else(|e| panic!("{e}"));
    m.date = "%m/%d/%Y".into();
    let mut source =
        Source::open(&path, "r.csv".into(), specs(kind), &m).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    while let Some(line) = source.next().unwrap_or_else(|e| panic!("{e}\n{csv}")) {
        let row = source.row(line);
        out.push(report_items::route(&row, &m, "USD").unwrap_or_else(|e| panic!("{e}\n{csv}")));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn only_data_rows_become_invoices(
        titles in prop::collection::vec(text(), 0..4),
        pieces in prop::collection::vec(piece(), 0..12),
        trailer in prop::collection::vec(text(), 0..3),
    ) {
        let (csv, wanted) = report(&titles, &pieces, &trailer);
        let got: Vec<(String, i64)> = read(&csv)
            .into_iter()
            .filter_map(|p| match p {
                Parsed::Invoice(l) => Some((l.no, l.balance.map_or(0, |b| b.to_minor()))),
                Parsed::Item(i) => Some((i.number.unwrap_or_default(), -i.amount.to_minor())),
                Parsed::Skip(_) => None,
            })
            .collect();
        prop_assert_eq!(got, wanted, "{}", csv);
    }
}
