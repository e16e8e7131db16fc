//! Spreadsheets out: `report aging --format xlsx` and `queue --format xlsx` for
//! people who live in Excel. Amounts are number cells with two decimals (Excel
//! holds them as binary floating point, as it holds everything), dates are date
//! cells, the header row is frozen and filterable. A workbook is binary: it goes to
//! `--output FILE`, or to standard output only when that is not a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use crate::domain::{Aging, Money};
use crate::report::AgingReport;
use crate::service::queue::QueueItem;

/// A column: header, width, whether it holds numbers (right aligned).
type Col = (&'static str, f64);

struct Sheet<'w> {
    ws: &'w mut Worksheet,
    money: Format,
    date: Format,
    bold: Format,
    bold_money: Format,
}

impl<'w> Sheet<'w> {
    fn new(ws: &'w mut Worksheet, name: &str, cols: &[Col]) -> anyhow::Result<Sheet<'w>> {
        ws.set_name(name)?;
        let bold = Format::new().set_bold();
        for (i, (header, width)) in cols.iter().enumerate() {
            let c = col(i);
            ws.write_string_with_format(0, c, *header, &bold)?;
            ws.set_column_width(c, *width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let last = col(cols.len().saturating_sub(1));
        ws.autofilter(0, 0, 0, last)?;
        Ok(Sheet {
            ws,
            money: Format::new().set_num_format("#,##0.00"),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Left),
            bold_money: Format::new().set_bold().set_num_format("#,##0.00"),
            bold,
        })
    }

    fn text(&mut self, row: u32, c: usize, s: &str) -> anyhow::Result<()> {
        self.ws.write_string(row, col(c), s)?;
        Ok(())
    }

    fn bold_text(&mut self, row: u32, c: usize, s: &str) -> anyhow::Result<()> {
        self.ws
            .write_string_with_format(row, col(c), s, &self.bold)?;
        Ok(())
    }

    fn number(&mut self, row: u32, c: usize, n: f64) -> anyhow::Result<()> {
        self.ws.write_number(row, col(c), n)?;
        Ok(())
    }

    fn money(&mut self, row: u32, c: usize, m: Money, bold: bool) -> anyhow::Result<()> {
        let f = if bold { &self.bold_money } else { &self.money };
        self.ws
            .write_number_with_format(row, col(c), to_number(m), f)?;
        Ok(())
    }

    fn date(&mut self, row: u32, c: usize, d: NaiveDate) -> anyhow::Result<()> {
        let dt = ExcelDateTime::from_ymd(
            u16::try_from(d.year()).unwrap_or(1900),
            d.month() as u8,
            d.day() as u8,
        )?;
        self.ws
            .write_datetime_with_format(row, col(c), dt, &self.date)?;
        Ok(())
    }
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// An amount as a spreadsheet number: minor units divided by 100, which is exact
/// to the cent for every amount below 2^53 cents.
fn to_number(m: Money) -> f64 {
    m.to_minor() as f64 / 100.0
}

/// The aging report as a workbook: one row per customer, then the total.
pub fn aging(r: &AgingReport) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let cols: &[Col] = &[
        ("customer_id", 16.0),
        ("name", 32.0),
        ("owner", 12.0),
        ("total", 14.0),
        ("current", 14.0),
        ("d1_30", 14.0),
        ("d31_60", 14.0),
        ("d61_90", 14.0),
        ("d91_plus", 14.0),
    ];
    let mut s = Sheet::new(wb.add_worksheet(), "Aging", cols)?;
    let buckets = |a: &Aging| [a.current, a.d1_30, a.d31_60, a.d61_90, a.d91_plus];
    let mut row = 1u32;
    for c in &r.customers {
        s.text(row, 0, &c.customer_id)?;
        s.text(row, 1, &c.name)?;
        s.text(row, 2, c.owner.as_deref().unwrap_or(""))?;
        s.money(row, 3, c.total, false)?;
        for (i, m) in buckets(&c.aging).into_iter().enumerate() {
            s.money(row, 4 + i, m, false)?;
        }
        row += 1;
    }
    s.bold_text(row, 0, "TOTAL")?;
    s.bold_text(
        row,
        1,
        &format!(
            "{} customers, as of {} ({})",
            r.customers.len(),
            r.as_of,
            r.currency
        ),
    )?;
    s.money(row, 3, r.total, true)?;
    for (i, m) in buckets(&r.aging).into_iter().enumerate() {
        s.money(row, 4 + i, m, true)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// A queue as a workbook, best first, with the columns of `queue --format json`.
pub fn queue(items: &[QueueItem]) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let cols: &[Col] = &[
        ("rank", 6.0),
        ("item_id", 9.0),
        ("customer_id", 16.0),
        ("customer_name", 32.0),
        ("owner", 12.0),
        ("reason", 18.0),
        ("action", 16.0),
        ("step", 14.0),
        ("due", 12.0),
        ("days_overdue", 13.0),
        ("collectible_past_due", 20.0),
        ("dpd", 6.0),
        ("score", 14.0),
    ];
    let mut s = Sheet::new(wb.add_worksheet(), "Queue", cols)?;
    for (n, i) in items.iter().enumerate() {
        let row = u32::try_from(n + 1).context("too many queue items for one sheet")?;
        s.number(row, 0, i.rank as f64)?;
        s.number(row, 1, i.item_id as f64)?;
        s.text(row, 2, &i.customer_id)?;
        s.text(row, 3, &i.customer_name)?;
        s.text(row, 4, i.owner.as_deref().unwrap_or(""))?;
        s.text(row, 5, &i.reason.to_string())?;
        s.text(row, 6, i.action.as_str())?;
        s.text(row, 7, i.step.as_deref().unwrap_or(""))?;
        s.date(row, 8, i.due)?;
        s.number(row, 9, f64::from(i.days_overdue))?;
        s.money(row, 10, i.collectible_past_due, false)?;
        s.number(row, 11, f64::from(i.dpd))?;
        s.money(row, 12, Money::round_from(i.score), false)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Writes a workbook to `output`, or to standard output when it is not a terminal.
pub fn deliver(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            if out.is_terminal() {
                anyhow::bail!(
                    "an xlsx workbook is binary and would garble the terminal: add --output FILE.xlsx (or redirect with > FILE.xlsx)"
                );
            }
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}
