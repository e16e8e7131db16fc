//! `arq import customers|invoices|payments FILE`.

use super::out::println;
use std::path::PathBuf;

use super::commands::ImportWhat;
use super::output::{cell, csv, json};
use super::{Env, Format};
use crate::import::{self, ImportKind, ImportOptions};

pub struct ImportArgs {
    pub kind: ImportWhat,
    pub file: PathBuf,
    pub mapping: Option<PathBuf>,
    pub preset: Option<String>,
    pub snapshot: bool,
    pub dry_run: bool,
    pub sheet: Option<String>,
    pub format: Format,
}

pub fn run(env: &Env, a: ImportArgs) -> anyhow::Result<()> {
    let kind = match a.kind {
        ImportWhat::Customers => ImportKind::Customers,
        ImportWhat::Invoices => ImportKind::Invoices,
        ImportWhat::Payments => ImportKind::Payments,
    };
    let opts = ImportOptions {
        mapping: a.mapping,
        preset: a.preset,
        snapshot: a.snapshot,
        dry_run: a.dry_run,
        sheet: a.sheet,
    };
    let mut s = env.session()?;
    let bars = super::progress::Bars::for_stderr(a.format);
    let r = import::import_file_with(&mut s, kind, &a.file, &opts, &bars)?;
    crate::progress::Progress::finish(&bars);
    match a.format {
        Format::Json => return json(&r),
        Format::Csv => {
            let n = |v: u64| v.to_string();
            return csv(
                &[
                    "kind",
                    "file",
                    "preset",
                    "dry_run",
                    "rows",
                    "created",
                    "updated",
                    "unchanged",
                    "merged_rows",
                    "customers_created",
                    "payments_recorded",
                    "credits_recorded",
                    "balance_payments",
                    "adjustments",
                    "closed_by_snapshot",
                    "skipped_rows",
                ],
                [[
                    r.kind.to_string(),
                    r.file.clone(),
                    cell(r.preset.as_ref()),
                    r.dry_run.to_string(),
                    n(r.rows),
                    n(r.created),
                    n(r.updated),
                    n(r.unchanged),
                    n(r.merged_rows),
                    n(r.customers_created),
                    n(r.payments_recorded),
                    n(r.credits_recorded),
                    n(r.balance_payments),
                    n(r.adjustments),
                    n(r.closed_by_snapshot),
                    n(r.skipped_rows),
                ]],
            );
        }
        Format::Table => {}
    }
    let what = if r.dry_run {
        "Dry run (nothing written)"
    } else {
        "Imported"
    };
    println!("{what}: {} {} rows from {}", r.rows, r.kind, r.file);
    println!(
        "  created {}, updated {}, unchanged {}",
        r.created, r.updated, r.unchanged
    );
    let extra = [
        (r.customers_created, "customers created for unknown ids"),
        (r.payments_recorded, "payments recorded"),
        (r.credits_recorded, "credits recorded"),
        (r.balance_payments, "lower balances recorded as payments"),
        (r.adjustments, "balance adjustments"),
        (r.closed_by_snapshot, "invoices closed by the snapshot"),
        (r.merged_rows, "line-item rows merged into their invoice"),
        (r.skipped_rows, "rows skipped (reasons below)"),
    ];
    for (n, what) in extra {
        if n > 0 {
            println!("  {n} {what}");
        }
    }
    println!("Understood:");
    for line in r.understood.lines(r.kind) {
        println!("  {line}");
    }
    if !r.changed() && !r.dry_run {
        println!("  nothing changed: the database already had all of this");
    }
    Ok(())
}
