//! Import (DESIGN §7): customers, invoices and payments from a generic CSV file or
//! spreadsheet, a mapping file or a preset for a known accounting export or report.
//! An import is all or nothing: rows are read and checked on one thread while the
//! other writes them in a single `BEGIN IMMEDIATE` transaction, and the first bad
//! row rolls everything back. Re-importing the same file changes nothing. See
//! `docs/IMPORT.md`.

pub(crate) mod bulk;
mod columns;
mod customers;
mod dates;
mod error;
mod invoices;
mod limits;
mod mapping;
mod payments;
mod pipeline;
mod prescan;
mod presets;
#[cfg(test)]
mod report_fuzz;
mod report_items;
mod report_rows;
mod sheet;
mod source;
mod understood;
mod values;

use crate::store::db::Db;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

pub use error::ImportError;
pub use presets::preset_toml;
pub use understood::Understood;

use crate::domain::EventKind;
use crate::progress::{Progress, Silent, Unit};
use crate::service::{ServiceError, Session, Tx};
use crate::store::{Durability, ledger, strategies, users};
use source::Source;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    Customers,
    Invoices,
    Payments,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Customers => "customers",
            ImportKind::Invoices => "invoices",
            ImportKind::Payments => "payments",
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ImportKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How to read the file (`arq import KIND FILE [--mapping M] [--preset P]
/// [--snapshot] [--dry-run]`).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// A mapping file (TOML); laid over the preset when both are given.
    pub mapping: Option<PathBuf>,
    /// A built-in mapping, see [`presets`].
    pub preset: Option<String>,
    /// Invoices only: close open invoices the file does not list.
    pub snapshot: bool,
    /// Do everything, report it, write nothing.
    pub dry_run: bool,
    /// The sheet of a spreadsheet to read (default: the mapping's, else the first).
    pub sheet: Option<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub kind: ImportKind,
    pub file: String,
    pub preset: Option<String>,
    /// Data rows read (not titles, group headers, subtotals or blank rows).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Line-item rows folded into an invoice read on an earlier row.
    pub merged_rows: u64,
    /// Customers created because invoices named them.
    pub customers_created: u64,
    /// Payments recorded from a payments file.
    pub payments_recorded: u64,
    /// Payments recorded because the file gave an invoice a lower balance.
    pub balance_payments: u64,
    /// Balances raised because the file gave an invoice a higher balance.
    pub adjustments: u64,
    pub closed_by_snapshot: u64,
    /// Data rows left out: credit notes, payments, drafts, filtered types.
    pub skipped_rows: u64,
    /// Credits (credit memos, credit notes) read from a report and applied.
    pub credits_recorded: u64,
    pub dry_run: bool,
    /// What was understood of the file (counts, totals, skip reasons).
    pub understood: Understood,
}

impl ImportSummary {
    fn new(kind: ImportKind, file: String, preset: Option<String>, dry_run: bool) -> Self {
        ImportSummary {
            kind,
            file,
            preset,
            rows: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            merged_rows: 0,
            customers_created: 0,
            payments_recorded: 0,
            balance_payments: 0,
            adjustments: 0,
            closed_by_snapshot: 0,
            skipped_rows: 0,
            credits_recorded: 0,
            dry_run,
            understood: Understood::default(),
        }
    }

    /// Did the import change anything?
    pub fn changed(&self) -> bool {
        self.created
            + self.updated
            + self.customers_created
            + self.payments_recorded
            + self.balance_payments
            + self.adjustments
            + self.closed_by_snapshot
            + self.credits_recorded
            > 0
    }

    fn detail(&self) -> String {
        let mut parts = vec![
            format!("{} created", self.created),
            format!("{} updated", self.updated),
            format!("{} unchanged", self.unchanged),
        ];
        let extra = [
            (self.customers_created, "customers created"),
            (self.credits_recorded, "credits"),
            (self.payments_recorded, "payments"),
            (self.balance_payments, "balance payments"),
            (self.adjustments, "adjustments"),
            (self.closed_by_snapshot, "closed by snapshot"),
            (self.skipped_rows, "rows skipped"),
        ];
        for (n, what) in extra {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!(
            "import {} from {}: {}",
            self.kind,
            self.file,
            parts.join(", ")
        )
    }
}

/// (name, one-line description) of every preset, for help text.
pub fn presets() -> &'static [(&'static str, &'static str)] {
    presets::list()
}

/// Imports one file (admins only). Nothing is written when it fails or when
/// `opts.dry_run` is set.
pub fn import_file(
    session: &mut Session,
    kind: ImportKind,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    import_file_with(session, kind, path, opts, &Silent)
}

/// [`import_file`], telling `progress` how far it got.
pub fn import_file_with(
    session: &mut Session,
    kind: ImportKind,
    path: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary, ImportError> {
    session.require_admin(&format!("import {kind}"))?;
    if opts.snapshot && kind != ImportKind::Invoices {
        return Err(ImportError::Refused(format!(
            "--snapshot closes open invoices missing from a full open-invoice export; it applies to `arq import invoices`, not to {kind}"
        )));
    }
    let mut mapping = mapping::load(kind, opts.preset.as_deref(), opts.mapping.as_deref())?;
    if let Some(sheet) = &opts.sheet {
        mapping.sheet = Some(sheet.clone());
    }
    let currency = session.currency()?;
    if let Some(c) = &mapping.currency
        && !c.eq_ignore_ascii_case(&currency)
    {
        return Err(ImportError::Refused(format!(
            "the mapping says the file is in {c}, but this database keeps {currency}: arq keeps one currency per database"
        )));
    }
    let file = path.display().to_string();
    let mut source = Source::open(path, file.clone(), columns::specs(kind), &mapping)?;
    source.prepare().map_err(
        |e| match (e, opts.preset.as_deref().and_then(presets::hint)) {
            (
                ImportError::Header {
                    file,
                    line,
                    message,
                },
                Some(hint),
            ) => ImportError::Header {
                file,
                line,
                message: format!("{message}; {hint}"),
            },
            (e, _) => e,
        },
    )?;
    let date_format = if mapping.guess_date {
        prescan::guess_dates(&mut source)?
    } else {
        None
    };
    let listed = if kind == ImportKind::Invoices && mapping.rows.typed() {
        prescan::listed_items(&mut source, &mapping, &currency)?
    } else {
        report_items::Listed::default()
    };
    let name = path
        .file_name()
        .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    progress.phase(
        &format!("importing {name}"),
        Some(source.lines_hint().saturating_sub(1)),
        Unit::Rows,
    );
    let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    // The fast path rebuilds SQLite's indexes around the load: a file's alone.
    let bulk = kind == ImportKind::Invoices
        && session.store().sqlite().is_some()
        && bulk::worth_it(
            file_bytes,
            ledger::invoice_count_estimate(session.store().conn())?,
        );
    let mut summary = ImportSummary::new(kind, file, opts.preset.clone(), opts.dry_run);
    summary.understood.date_format = date_format;
    let job = Job {
        kind,
        mapping: &mapping,
        currency,
        snapshot: opts.snapshot,
        bulk,
        listed,
        progress,
    };

    let store = session.store();
    store.set_durability(Durability::Bulk)?;
    let tuning = if bulk {
        Some(bulk::Tuning::start(store.sqlite_for("a bulk import")?)?)
    } else {
        None
    };
    let result = run(session, &job, source, summary, !opts.dry_run);
    let store = session.store();
    let restored = match (tuning, store.sqlite()) {
        (Some(t), Some(conn)) => t.restore(conn),
        _ => Ok(()),
    };
    let full = store.set_durability(Durability::Full);
    let summary = result?;
    restored?;
    full?;
    Ok(summary)
}

/// What one import is asked to do.
struct Job<'m> {
    kind: ImportKind,
    mapping: &'m mapping::Mapping,
    currency: String,
    snapshot: bool,
    bulk: bool,
    /// Credits and payments the file lists (reports only).
    listed: report_items::Listed,
    progress: &'m dyn Progress,
}

/// Runs the import in one transaction, committed only when `commit` is true and
/// every row was good.
fn run(
    session: &mut Session,
    job: &Job<'_>,
    source: Source<'_>,
    summary: ImportSummary,
    commit: bool,
) -> Result<ImportSummary, ImportError> {
    let actor = session.user().name.clone();
    let mut failure: Option<ImportError> = None;
    let outcome = session.transact_as(commit, &actor, |tx| match write(tx, job, source, summary) {
        Ok(s) => Ok(s),
        Err(ImportError::Service(e)) => Err(e),
        Err(e) => {
            failure = Some(e);
            // Any error rolls the transaction back; the real one is returned below.
            Err(ServiceError::Invalid("import refused".to_string()))
        }
    });
    match (outcome, failure) {
        (_, Some(e)) => Err(e),
        (Ok(s), None) => Ok(s),
        (Err(e), None) => Err(e.into()),
    }
}

fn write(
    tx: &mut Tx<'_>,
    job: &Job<'_>,
    source: Source<'_>,
    mut s: ImportSummary,
) -> Result<ImportSummary, ImportError> {
    let m = job.mapping;
    let labels = source.labels();
    let mut tally = understood::Tally::new(m.rows.group_lines);
    let counts = match job.kind {
        ImportKind::Invoices => {
            let deferred = match tx.conn {
                Db::Lite(conn) if job.bulk => Some(bulk::defer_indexes(conn)?),
                _ => None,
            };
            let listed = &job.listed;
            let taken =
                crate::store::credits::taken_by(tx.conn, &listed.credits, &listed.payments)?;
            let mut items = report_items::Writer::new(s.file.clone());
            let mut w = invoices::Writer::new(
                tx,
                s.file.clone(),
                labels,
                m.rows.group_lines,
                job.snapshot,
            )?;
            w.listed_items = taken;
            let currency = job.currency.as_str();
            let counts = pipeline::run(
                source,
                |row| report_items::route(row, m, currency).map(Some),
                |parsed| match parsed {
                    report_items::Parsed::Invoice(line) => {
                        tally.invoice(&line);
                        w.write(line)
                    }
                    report_items::Parsed::Item(item) => {
                        tally.item(&item);
                        items.push(item);
                        Ok(())
                    }
                    report_items::Parsed::Skip(reason) => {
                        tally.skip(reason);
                        Ok(())
                    }
                },
                job.progress,
            )?;
            if job.snapshot {
                w.close_absent()?;
            }
            let c = w.counts;
            drop(w);
            items.finish(tx)?;
            if let Some(d) = deferred {
                job.progress.phase("building indexes", None, Unit::Rows);
                if let Db::Lite(conn) = tx.conn {
                    d.rebuild(conn)?;
                }
            }
            s.credits_recorded = items.counts.credits;
            s.payments_recorded = items.counts.payments;
            tally.understood.notes.append(&mut items.notes);
            for reason in &items.unrecorded {
                tally.skip(reason.clone());
            }
            let c = invoices::Counts {
                unchanged: c.unchanged + items.counts.unchanged,
                customers_created: c.customers_created + items.counts.customers_created,
                ..c
            };
            s.created = c.created;
            s.updated = c.updated;
            s.unchanged = c.unchanged;
            s.merged_rows = c.merged;
            s.customers_created = c.customers_created;
            s.balance_payments = c.balance_payments;
            s.adjustments = c.adjustments;
            s.closed_by_snapshot = c.closed;
            counts
        }
        ImportKind::Payments => {
            let known = crate::store::customers::ids(tx.conn)?;
            let mut w = payments::Writer::new(tx, s.file.clone(), labels);
            let counts = pipeline::run(
                source,
                |row| payments::parse(row, m, &known),
                |line| {
                    tally.payment(&line.customer, line.amount);
                    w.write(line)
                },
                job.progress,
            )?;
            s.created = w.counts.recorded;
            s.payments_recorded = w.counts.recorded;
            s.unchanged = w.counts.unchanged;
            counts
        }
        ImportKind::Customers => {
            let known = customers::Known {
                users: users::list(tx.conn)?.into_iter().map(|u| u.name).collect(),
                strategies: strategies::list(tx.conn)?
                    .into_iter()
                    .map(|s| s.id)
                    .collect::<HashSet<String>>(),
            };
            let mut w = customers::Writer::new(tx, s.file.clone(), labels)?;
            let counts = pipeline::run(
                source,
                |row| customers::parse(row, m, &known),
                |line| {
                    tally.customer(&line.id);
                    w.write(line)
                },
                job.progress,
            )?;
            s.created = w.counts.created;
            s.updated = w.counts.updated;
            s.unchanged = w.counts.unchanged;
            counts
        }
    };
    s.rows = counts.rows;
    let date_format = s.understood.date_format.take();
    let mut u = tally.finish(counts.seen, m.number, m.rows.check_total, job.kind, &s.file)?;
    u.date_format = date_format;
    s.skipped_rows = u.skipped.values().sum();
    s.understood = u;
    if s.changed() {
        let data = serde_json::to_value(&s).unwrap_or_else(|_| json!({}));
        tx.event(EventKind::Import, None, s.detail(), data)?;
    }
    Ok(s)
}
