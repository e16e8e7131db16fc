//! `report aging --format xlsx` and `queue --format xlsx` through the real binary,
//! read back with calamine and compared with the JSON of the same command.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::Shop;
use predicates::prelude::*;

fn read(path: &std::path::Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{e}"));
    let range = wb.worksheet_range(sheet).unwrap_or_else(|e| panic!("{e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f:.2}"),
        Data::Int(i) => i.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn shop() -> Shop {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.customer("C2", "ana");
    shop.customer("C3", "ben");
    shop.invoice("I-1", "C1", "2026-01-05", "2026-02-04", "1234.56");
    shop.invoice("I-2", "C1", "2026-02-20", "2026-03-22", "0.10");
    shop.invoice("I-3", "C2", "2025-11-01", "2025-12-01", "98765.43");
    shop.invoice("I-4", "C3", "2026-03-01", "2026-04-30", "250.00");
    shop
}

#[test]
fn the_aging_workbook_reads_back_as_the_report() {
    let shop = shop();
    let out = shop.dir.path().join("aging.xlsx");
    let out_s = out.display().to_string();
    shop.arq("admin", "2026-04-10")
        .args(["report", "aging", "--format", "xlsx", "-o", &out_s])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let json = shop.json(
        "admin",
        "2026-04-10",
        &["report", "aging", "--format", "json"],
    );
    let rows = read(&out, "Aging");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "customer_id",
            "name",
            "owner",
            "total",
            "current",
            "d1_30",
            "d31_60",
            "d61_90",
            "d91_plus"
        ]
    );
    let customers = json["customers"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), customers.len() + 2);
    for (row, c) in rows[1..].iter().zip(&customers) {
        let got: Vec<String> = row.iter().map(text).collect();
        let field = |k: &str| c[k].as_str().unwrap_or_default().to_string();
        assert_eq!(got[0], field("customer_id"));
        assert_eq!(got[1], field("name"));
        for (i, k) in ["total", "current", "d1_30", "d31_60", "d61_90", "d91_plus"]
            .iter()
            .enumerate()
        {
            assert_eq!(got[3 + i], field(k), "{k} of {}", field("customer_id"));
        }
    }
    let total: Vec<String> = rows[rows.len() - 1].iter().map(text).collect();
    assert_eq!(total[0], "TOTAL");
    assert_eq!(total[3], json["total"].as_str().unwrap_or_default());
    assert_eq!(total[3], "100250.09");
}

#[test]
fn the_queue_workbook_reads_back_as_the_queue() {
    let shop = shop();
    for id in ["C1", "C2"] {
        shop.arq("ana", "2026-04-10")
            .args([
                "callback",
                id,
                "--date",
                "2026-04-10",
                "--note",
                "call back",
            ])
            .assert()
            .success();
    }
    let out = shop.dir.path().join("queue.xlsx");
    let out_s = out.display().to_string();
    shop.arq("ana", "2026-04-10")
        .args(["queue", "--format", "xlsx", "--output", &out_s])
        .assert()
        .success();
    let json = shop.json("ana", "2026-04-10", &["queue", "--format", "json"]);
    let items = json.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    let rows = read(&out, "Queue");
    assert_eq!(rows.len(), items.len() + 1);
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header[2], "customer_id");
    assert_eq!(header[10], "collectible_past_due");
    for (row, item) in rows[1..].iter().zip(&items) {
        let got: Vec<String> = row.iter().map(text).collect();
        assert_eq!(
            got[0],
            format!("{:.2}", item["rank"].as_f64().unwrap_or_default())
        );
        assert_eq!(got[2], item["customer_id"].as_str().unwrap_or_default());
        assert_eq!(got[5], item["reason"].as_str().unwrap_or_default());
        assert_eq!(got[8], item["due"].as_str().unwrap_or_default());
        assert_eq!(
            got[10],
            item["collectible_past_due"].as_str().unwrap_or_default()
        );
        assert_eq!(got[12], item["score"].as_str().unwrap_or_default());
    }
}

#[test]
fn a_workbook_needs_a_file_or_a_pipe_and_output_is_for_workbooks() {
    let shop = shop();
    // Piped: the workbook goes to standard output.
    let out = shop
        .arq("admin", "2026-04-10")
        .args(["report", "aging", "--format", "xlsx"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    shop.arq("admin", "2026-04-10")
        .args(["report", "aging", "--format", "csv", "-o", "x.xlsx"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--output writes a workbook (--format xlsx)",
        ));
}

#[test]
fn a_workbook_is_never_written_to_a_terminal() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;

    let shop = shop();
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin("arq"));
    cmd.args([
        "--db",
        &shop.db.display().to_string(),
        "--as-of",
        "2026-04-10",
        "--user",
        "admin",
        "report",
        "aging",
        "--format",
        "xlsx",
    ]);
    let mut child = pair
        .slave
        .spawn_command(cmd)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .unwrap_or_else(|e| panic!("{e}"));
    let read = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = reader.read_to_end(&mut out);
        out
    });
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    drop(pair.master);
    let out = read.join().unwrap_or_default();
    let text = String::from_utf8_lossy(&out);
    assert!(!status.success());
    assert!(
        text.contains("an xlsx workbook is binary and would garble the terminal"),
        "{text}"
    );
    assert!(!out.windows(4).any(|w| w == b"PK\x03\x04"));
}
