//! `arq import customers|invoices|payments FILE`.

use std::path::PathBuf;

use super::{Env, Format, ImportWhat};
use crate::import::{self, ImportKind, ImportOptions};

pub struct ImportArgs {
    pub kind: ImportWhat,
    pub file: PathBuf,
    pub mapping: Option<PathBuf>,
    pub preset: Option<String>,
    pub snapshot: bool,
    pub dry_run: bool,
    pub format: Format,
}

pub fn run(env: &Env, a: ImportArgs) -> anyhow::Result<()> {
    if let Some(p) = &a.preset
        && !import::presets().iter().any(|(name, _)| name == p)
    {
        let names: Vec<&str> = import::presets().iter().map(|(n, _)| *n).collect();
        anyhow::bail!(
            "--preset: no preset named '{p}' (there are {})",
            names.join(", ")
        );
    }
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
    };
    let mut s = env.session()?;
    let bars = super::progress::Bars::for_stderr(a.format);
    let r = import::import_file_with(&mut s, kind, &a.file, &opts, &bars)?;
    crate::progress::Progress::finish(&bars);
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
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
        (r.balance_payments, "lower balances recorded as payments"),
        (r.adjustments, "balance adjustments"),
        (r.closed_by_snapshot, "invoices closed by the snapshot"),
        (r.merged_rows, "line-item rows merged into their invoice"),
        (
            r.skipped_rows,
            "rows skipped (titles, totals, credit notes)",
        ),
    ];
    for (n, what) in extra {
        if n > 0 {
            println!("  {n} {what}");
        }
    }
    if !r.changed() && !r.dry_run {
        println!("  nothing changed: the database already had all of this");
    }
    Ok(())
}
