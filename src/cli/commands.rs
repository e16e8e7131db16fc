//! What the command line accepts (DESIGN §5): every command and option with its
//! one-line description and, where the values are a closed set, the allowed values
//! (they show in `--help`, in errors, in shell completions and in the man page).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};

use super::args::{self, ExportFormat, Format, ShowFormat};
use super::mail;
use crate::domain::plan::Every;
use crate::domain::{CallOutcome, Decide, DisputeOutcome, DisputeReason, Money, Role};
use crate::metrics::objective::Kpi;

/// The global options, shown apart from each command's own.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "arq",
    version,
    about = "A terminal workqueue for accounts-receivable collections",
    long_about = None,
    after_help = "Without a command, arq opens the terminal app on your database.\nAmounts are written 1250.50 or 1,250.50: '.' is the decimal point and ',' only separates groups of three digits."
)]
pub struct Cli {
    /// The database (default: arq.db in the data directory)
    #[arg(long, global = true, env = "ARQ_DB", value_name = "PATH", help_heading = GLOBAL)]
    pub db: Option<PathBuf>,
    /// The config file (default: config.toml in the config directory)
    #[arg(long, global = true, env = "ARQ_CONFIG", value_name = "PATH", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// Who you are (default: ARQ_USER, else your login name)
    #[arg(long, global = true, env = "ARQ_USER", value_name = "NAME", help_heading = GLOBAL)]
    pub user: Option<String>,
    /// Work as of this date (default: today; also yesterday, tomorrow, -3, +1)
    #[arg(long = "as-of", global = true, env = "ARQ_AS_OF", value_name = "YYYY-MM-DD", value_parser = args::as_of_date, allow_hyphen_values = true, help_heading = GLOBAL)]
    pub as_of: Option<NaiveDate>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a demo database (and open the terminal app)
    Demo {
        /// small: about 300 customers; large: 100,000 customers and 1,000,000 invoices
        #[arg(long, value_enum, default_value = "small")]
        size: DemoSize,
        /// Another number builds another shop
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Only build the database
        #[arg(long)]
        no_tui: bool,
    },
    /// Create an empty database with the shipped strategies; you become its admin
    Init {
        /// The shop's one currency (ISO code)
        #[arg(long, default_value = "USD")]
        currency: String,
    },
    /// Import customers, invoices or payments from CSV or a spreadsheet (XLSX, ODS)
    #[command(after_help = "See docs/IMPORT.md for mapping files and what each preset reads.")]
    Import {
        /// What the file holds
        #[arg(value_enum)]
        kind: ImportWhat,
        /// The CSV file or spreadsheet
        file: PathBuf,
        /// A mapping file (TOML) from the file's columns to arq's
        #[arg(long, value_name = "FILE.toml")]
        mapping: Option<PathBuf>,
        /// A built-in mapping for a common accounting export
        #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(crate::import::presets().iter().map(|(n, _)| *n)))]
        preset: Option<String>,
        /// The file lists every open invoice: close those it does not list
        #[arg(long)]
        snapshot: bool,
        /// Check and count, show what was understood, write nothing
        #[arg(long)]
        dry_run: bool,
        /// The sheet of a spreadsheet to read (default: the first)
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// How to print the summary
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// List, show, check and load strategies
    #[command(subcommand)]
    Strategy(StrategyCmd),
    /// The daily close: promises judged, automatic steps done, tasks created
    Run {
        /// Show what the run would do; keep nothing
        #[arg(long)]
        dry_run: bool,
        /// How to print the summary (csv: one row with a header)
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Today's prioritized queue
    Queue {
        /// One collector's queue (a user name)
        #[arg(long, value_name = "NAME", conflicts_with = "all")]
        collector: Option<String>,
        /// Every queue (supervisors)
        #[arg(long)]
        all: bool,
        /// How to print the queue (xlsx: an Excel workbook, with --output or to a pipe)
        #[arg(long, value_enum, default_value = "table")]
        format: ExportFormat,
        /// At most this many items (1 or more)
        #[arg(long, value_name = "N", value_parser = args::count)]
        limit: Option<usize>,
        /// Where --format xlsx writes the workbook
        #[arg(long, short = 'o', value_name = "FILE.xlsx")]
        output: Option<PathBuf>,
    },
    /// Show an account
    #[command(subcommand)]
    Account(AccountCmd),
    /// Record a call, promise, dispute or note
    #[command(subcommand)]
    Log(LogCmd),
    /// Schedule a callback: an item in the owner's queue on that day
    Callback {
        /// The customer's id
        id: String,
        /// When to call (YYYY-MM-DD, +2, friday)
        #[arg(long)]
        date: String,
        /// What the callback is about
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Finish a queue item
    Done {
        /// The item's number (the `item` column of `arq queue`)
        item_id: i64,
        /// What was done (needed to decide `continue`)
        #[arg(long, default_value = "")]
        note: String,
        /// The decision an escalation, agency, write-off review or exhausted-strategy item asks for
        #[arg(long, value_name = "writeoff|agency|plan|continue")]
        decide: Option<Decide>,
        /// With --decide writeoff: an invoice to write off (repeat it; default: every open invoice)
        #[arg(long = "invoice", value_name = "NO")]
        invoices: Vec<String>,
        /// With --decide agency: the collection agency or attorney
        #[arg(long, value_name = "NAME")]
        agency: Option<String>,
        /// With --decide plan: an installment DATE=AMOUNT (repeat it)
        #[arg(long = "installment", value_name = "DATE=AMOUNT")]
        installments: Vec<String>,
    },
    /// Agree a payment plan: installments given one by one, or N equal parts
    Plan {
        /// The customer's id
        id: String,
        /// An installment DATE=AMOUNT, e.g. 2026-12-15=500 or +30=500 (repeat it)
        #[arg(long = "installment", value_name = "DATE=AMOUNT", conflicts_with_all = ["parts", "first", "total"])]
        installments: Vec<String>,
        /// Split the total into this many equal parts
        #[arg(long, value_name = "N", requires = "first")]
        parts: Option<u32>,
        /// How often the parts fall
        #[arg(long, value_name = "week|month", default_value = "month")]
        every: Every,
        /// The first part's date (YYYY-MM-DD, +7, fri)
        #[arg(long, value_name = "DATE")]
        first: Option<String>,
        /// The total to split (default: the collectible past due)
        #[arg(long, value_name = "AMOUNT", value_parser = args::money, allow_negative_numbers = true)]
        total: Option<Money>,
        /// A note for the record
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Ask for invoices to be written off (a supervisor approves)
    Writeoff {
        /// The customer's id
        id: String,
        /// An invoice to write off (repeat it)
        #[arg(long = "invoice", value_name = "NO", required = true)]
        invoices: Vec<String>,
        /// Why it cannot be collected
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Approve an approval item: a write-off or a credit-hold release (supervisors)
    Approve {
        /// The item's number
        item_id: i64,
        /// A note for the record
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reject an approval item, saying why (supervisors)
    Reject {
        /// The item's number
        item_id: i64,
        /// Why it is rejected
        #[arg(long)]
        note: String,
    },
    /// Place an account with a collection agency, or recall it (supervisors)
    #[command(subcommand)]
    Agency(AgencyCmd),
    /// Promises to pay: cancel one taken by mistake
    #[command(subcommand)]
    Promise(PromiseCmd),
    /// Objectives toward which collections run (supervisors)
    #[command(subcommand)]
    Objective(ObjectiveCmd),
    /// Resolve a dispute
    #[command(subcommand)]
    Dispute(DisputeCmd),
    /// Put an account on credit hold
    Hold {
        /// The customer's id
        id: String,
        /// Why (shown to whoever takes orders)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Release an account's credit hold (supervisors)
    Release {
        /// The customer's id
        id: String,
        /// Why it is released
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Assign accounts to a collector (supervisors)
    Assign {
        /// The customers' ids
        #[arg(required = true)]
        ids: Vec<String>,
        /// The user who takes them over
        #[arg(long, value_name = "NAME")]
        to: String,
    },
    /// Add and list users (admins add)
    #[command(subcommand)]
    User(UserCmd),
    /// Reports
    #[command(subcommand)]
    Report(ReportCmd),
    /// The outbox of customer messages
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// Message templates: list, preview
    #[command(subcommand)]
    Template(mail::TemplateCmd),
    /// Accounts on credit hold
    Holds {
        /// How to print the list
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Accounts outside a collection cycle whose customer's payments are slipping (supervisors)
    Warnings {
        /// How to print the list
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Check the event record
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Copy the database to FILE while others keep working (checked, then anchored)
    #[command(
        after_help = "FILE may be a directory: the copy is then named <database>-<date>.db in it.\nSchedule it with cron, e.g.  15 2 * * *  arq --user admin backup /srv/backups/  (see README \"Backups\")"
    )]
    Backup {
        /// Where the copy goes (a file, or a directory to name it in)
        file: PathBuf,
    },
    /// Put a backup back in place of the database (admins); later events are lost
    Restore {
        /// The backup to put back
        file: PathBuf,
    },
    /// Move the shop between a SQLite file and a PostgreSQL server (team mode)
    #[command(subcommand)]
    Db(DbCmd),
    /// Print shell completions (see the README for where to put them)
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (arq.1, roff) on stdout
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoSize {
    Small,
    Large,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportWhat {
    Customers,
    Invoices,
    Payments,
}

#[derive(Debug, Subcommand)]
pub enum StrategyCmd {
    /// The loaded strategies and their steps
    List,
    /// One strategy: its steps, waits and source
    Show {
        /// The strategy's id (see `arq strategy list`)
        id: String,
    },
    /// Validate a strategy file (no database needed)
    Check {
        /// The strategy file (TOML)
        file: PathBuf,
    },
    /// Load a strategy file, or a new version of a loaded one (admins)
    Load {
        /// The strategy file (TOML)
        file: PathBuf,
    },
    /// Try a strategy file on a past period beside what happened; nothing is written (supervisors)
    Try {
        /// The candidate strategy file (TOML)
        file: PathBuf,
        /// First day replayed (default: 59 days before --to)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// Last day replayed (default: the last daily close in the record)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// Only the customers of this segment, in place of whatever they follow
        #[arg(long, value_name = "SEGMENT", conflicts_with_all = ["customers", "accounts_of"])]
        segment: Option<String>,
        /// Only the customer ids listed in this file (one per line), in place of whatever they follow
        #[arg(long, value_name = "FILE", conflicts_with_all = ["segment", "accounts_of"])]
        customers: Option<PathBuf>,
        /// Only the accounts that followed this loaded strategy in the period
        #[arg(long, value_name = "STRATEGY", conflicts_with_all = ["segment", "customers"])]
        accounts_of: Option<String>,
        /// How to print the comparison
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// An account's figures, invoices, promises, disputes, items and latest events
    Show {
        /// The customer's id
        id: String,
        /// How to print it (an account is not one table: no csv)
        #[arg(long, value_enum, default_value = "table")]
        format: ShowFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum LogCmd {
    /// A call and how it went
    Call {
        /// The customer's id
        id: String,
        /// How the call ended
        #[arg(long, value_parser = args::words::<CallOutcome>(CallOutcome::NAMES))]
        outcome: CallOutcome,
        /// What was said
        #[arg(long, default_value = "")]
        note: String,
    },
    /// A promise to pay an amount by a date
    Promise {
        /// The customer's id
        id: String,
        /// The amount promised (1250.50 or 1,250.50)
        #[arg(long, value_parser = args::money, allow_negative_numbers = true)]
        amount: Money,
        /// When (YYYY-MM-DD, +7, friday)
        #[arg(long)]
        date: String,
        /// What was agreed
        #[arg(long, default_value = "")]
        note: String,
    },
    /// A dispute of an invoice (its amount is left out of what is chased)
    Dispute {
        /// The customer's id
        id: String,
        /// The disputed invoice's number
        #[arg(long, value_name = "NO")]
        invoice: String,
        /// Why the customer disputes it
        #[arg(long, value_parser = args::words::<DisputeReason>(DisputeReason::NAMES))]
        reason: DisputeReason,
        /// The disputed part (default: what is not already disputed)
        #[arg(long, value_parser = args::money, allow_negative_numbers = true)]
        amount: Option<Money>,
        /// What the customer said
        #[arg(long, default_value = "")]
        note: String,
        /// When to follow up (default: in 7 days)
        #[arg(long, value_name = "DATE")]
        follow_up: Option<String>,
    },
    /// A note on the account's timeline
    Note {
        /// The customer's id
        id: String,
        /// The note (or --note TEXT)
        #[arg(required_unless_present = "note", conflicts_with = "note")]
        text: Option<String>,
        /// The note
        #[arg(long = "note", value_name = "TEXT")]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DisputeCmd {
    /// Resolve a dispute: valid and partial credit the invoice (supervisors)
    Resolve {
        /// The dispute's number (see `arq account show`)
        dispute_id: i64,
        /// How it was resolved
        #[arg(long, value_parser = args::words::<DisputeOutcome>(DisputeOutcome::NAMES))]
        outcome: DisputeOutcome,
        /// The amount credited (partial only)
        #[arg(long, value_parser = args::money, allow_negative_numbers = true)]
        amount: Option<Money>,
        /// Why
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a user (admins)
    Add {
        /// The login name
        name: String,
        /// What they may do
        #[arg(long, value_parser = args::words::<Role>(Role::NAMES))]
        role: Role,
    },
    /// Change a user's role (admins; recorded with who changed it)
    Role {
        /// The login name
        name: String,
        /// What they may do from now on
        #[arg(long, value_parser = args::words::<Role>(Role::NAMES))]
        role: Role,
    },
    /// The users and their roles
    List,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Open balances by days past due, per customer and in total, on one date
    Aging {
        /// Refused: an aging is the open balances on one date (use --to)
        #[arg(long, hide = true, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// The date to age as of (default: --as-of)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// Only this collector's accounts (a user name)
        #[arg(long, value_name = "NAME")]
        collector: Option<String>,
        /// How to print the report (xlsx: an Excel workbook, with --output or to a pipe)
        #[arg(long, value_enum, default_value = "table")]
        format: ExportFormat,
        /// Where --format xlsx writes the workbook
        #[arg(long, short = 'o', value_name = "FILE.xlsx")]
        output: Option<PathBuf>,
    },
    /// What each person did in a period: calls, contacts, promises, collected, items (supervisors)
    Activity {
        /// First day (default: 29 days before --to)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// Last day (default: --as-of)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// Only this person (a user name)
        #[arg(long, value_name = "NAME")]
        collector: Option<String>,
        /// How to print the report
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// DSO, BPDSO, ADD, CEI and the promise-kept rate of a period (supervisors)
    Kpi {
        /// First day (default: 29 days before --to)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// Last day (default: --as-of)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// Before and after this day, over windows of equal length
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        compare: Option<NaiveDate>,
        /// Only this collector's accounts (a user name)
        #[arg(long, value_name = "NAME")]
        collector: Option<String>,
        /// How to print the report
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Strategy steps reached in a period and how often each cured (supervisors)
    Funnel {
        /// First day (default: 29 days before --to)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// Last day (default: --as-of)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// How to print the report
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Objectives: baseline, today, target and where the trend reaches (supervisors)
    Objectives {
        /// How to print the report
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// How each customer pays and when each open invoice is expected to be paid
    Risk {
        /// Only this collector's accounts
        #[arg(long)]
        collector: Option<String>,
        /// One account, with every factor of its estimates
        #[arg(long)]
        customer: Option<String>,
        /// Measure the estimates: hide everything after each --cutoff, predict, compare
        /// with what happened (supervisors)
        #[arg(long)]
        evaluate: bool,
        /// A cutoff date for --evaluate (repeat for several)
        #[arg(long, value_parser = args::iso_date)]
        cutoff: Vec<NaiveDate>,
        /// The end of the history outcomes are read from (default: the last record)
        #[arg(long, value_parser = args::iso_date)]
        end: Option<NaiveDate>,
        /// Features the model may use in --evaluate, comma-separated (default: the kept
        /// ones; `none` or `all`): disputed, partly_paid, large_invoice, broken_promise
        #[arg(long)]
        features: Option<String>,
        /// How to print the report
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum ObjectiveCmd {
    /// Set an objective for the shop or one collector
    Add {
        /// The KPI to move
        #[arg(
            long,
            value_name = "dso|cei|past_due_91|promise_kept_rate|calls_per_day"
        )]
        kpi: Kpi,
        /// The value to reach (days, percent, an amount or calls)
        #[arg(long, value_name = "X")]
        target: String,
        /// The date to reach it by
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
        by: NaiveDate,
        /// Only this collector's accounts, promises or calls (a user name)
        #[arg(long, value_name = "NAME")]
        collector: Option<String>,
    },
    /// The objectives and how they stand
    List {
        /// How to print the list
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Remove an objective
    Remove {
        /// The objective's number
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgencyCmd {
    /// Hand the account to an agency: it leaves the strategy and every queue
    Place {
        /// The customer's id
        id: String,
        /// The collection agency or attorney
        #[arg(long, value_name = "NAME")]
        agency: String,
        /// A note for the record
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Bring the account back into collection at step 1
    Recall {
        /// The customer's id
        id: String,
        /// A note for the record
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PromiseCmd {
    /// Withdraw a promise taken by mistake (its taker or a supervisor)
    Cancel {
        /// The promise's number (see `arq account show`)
        promise_id: i64,
        /// Why it is cancelled
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// The messages in the outbox, newest first
    List {
        /// Only messages in this state (sending: claimed, its delivery in doubt)
        #[arg(long, value_parser = PossibleValuesParser::new(crate::store::outbox::STATUSES))]
        status: Option<String>,
        /// How to print the list
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    #[command(flatten)]
    Mail(mail::OutboxMailCmd),
}

#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Copy every row, the audit key and the anchors to a new place: from the file
    /// to an empty PostgreSQL database (admins), or from a server to a new file
    #[command(
        after_help = "From a file to a server:  arq --db shop.db --user admin db copy --to postgres://owner@host/arq\nFrom a server to a file:  arq --db postgres://owner@host/arq --user admin db copy --to shop.db\nThe server's password comes from PGPASSWORD or the URL, never from an option (README \"Team mode\")."
    )]
    Copy {
        /// Where the copy goes: postgres://USER@HOST/DB, or a new file's path
        #[arg(long, value_name = "URL|PATH")]
        to: String,
        /// table: a sentence; json or csv: what was copied, with the record's head
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check the file, the event chain, its key and anchors (and with --deep every
    /// table against the record); anchors the head when all holds
    Verify {
        /// Also check every state table against the events (supervisors)
        #[arg(long)]
        deep: bool,
        /// A head kept elsewhere, as printed by arq: SEQ:HASH (repeatable)
        #[arg(long = "head", value_name = "SEQ:HASH", value_parser = parse_head)]
        heads: Vec<crate::service::audit::Head>,
        /// How to print the result
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

fn parse_head(s: &str) -> Result<crate::service::audit::Head, String> {
    crate::service::audit::parse_head(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and every option says what it is in one line, and an option
    /// whose values are a closed set lists them.
    #[test]
    fn every_command_and_option_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let here = format!("{path} {}", cmd.get_name());
            if cmd.get_about().is_none() {
                missing.push(format!("{here}: no description"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if ["help", "version"].contains(&id) {
                    continue;
                }
                if arg.get_help().is_none() {
                    missing.push(format!("{here} {id}: no description"));
                }
                let closed = [
                    "format", "outcome", "role", "status", "size", "kind", "preset", "shell",
                    "channel",
                ];
                let closed = closed.contains(&id) || (here.ends_with("dispute") && id == "reason");
                if closed && arg.get_possible_values().is_empty() {
                    missing.push(format!("{here} {id}: allowed values not listed"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() != "help" {
                    walk(sub, &here, missing);
                }
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "{}", missing.join("\n"));
        Cli::command().debug_assert();
    }
}
