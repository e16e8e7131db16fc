//! The command line (DESIGN §5, a stable contract): parsing with clap, then one
//! service call per command and its output as a table, JSON or CSV.

mod args;
mod import;
mod lifecycle;
mod mail;
mod reports;
mod risk;
mod setup;
pub mod table;
mod tui;
mod views;
mod work;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Local, NaiveDate, Utc};
use clap::{Parser, Subcommand};

pub use args::Format;

use crate::config::Config;
use crate::domain::plan::Every;
use crate::domain::{CallOutcome, Decide, DisputeOutcome, DisputeReason, Money, Role};
use crate::metrics::objective::Kpi;
use crate::paths;
use crate::service::Session;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(name = "arq", version, about = "A terminal workqueue for accounts-receivable collections", long_about = None)]
pub struct Cli {
    /// The database (default: arq.db in the data directory)
    #[arg(long, global = true, env = "ARQ_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (default: config.toml in the config directory)
    #[arg(long, global = true, env = "ARQ_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Who you are (default: ARQ_USER, else your login name)
    #[arg(long, global = true, env = "ARQ_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Work as of this date (default: today)
    #[arg(long = "as-of", global = true, env = "ARQ_AS_OF", value_name = "YYYY-MM-DD", value_parser = args::iso_date)]
    pub as_of: Option<NaiveDate>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a demo database (and open the terminal app)
    Demo {
        #[arg(long, value_enum, default_value = "small")]
        size: DemoSize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Only build the database
        #[arg(long)]
        no_tui: bool,
    },
    /// Create an empty database with the shipped strategies; you become its admin
    Init {
        #[arg(long, default_value = "USD")]
        currency: String,
    },
    /// Import customers, invoices or payments from CSV
    #[command(
        after_help = "Presets: qbo-open-invoices, xero-invoices, zoho-invoices, erpnext-receivable (see docs/IMPORT.md)"
    )]
    Import {
        #[arg(value_enum)]
        kind: ImportWhat,
        file: PathBuf,
        /// A mapping file (TOML) from the file's columns to arq's
        #[arg(long, value_name = "FILE.toml")]
        mapping: Option<PathBuf>,
        /// A built-in mapping for a common accounting export
        #[arg(long, value_name = "NAME")]
        preset: Option<String>,
        /// The file lists every open invoice: close those it does not list
        #[arg(long)]
        snapshot: bool,
        /// Check and count, write nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// List, show, check and load strategies
    #[command(subcommand)]
    Strategy(StrategyCmd),
    /// The daily close: promises judged, automatic steps done, tasks created
    Run {
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Today's prioritized queue
    Queue {
        /// One collector's queue
        #[arg(long, conflicts_with = "all")]
        collector: Option<String>,
        /// Every queue
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Show an account
    #[command(subcommand)]
    Account(AccountCmd),
    /// Record a call, promise, dispute or note
    #[command(subcommand)]
    Log(LogCmd),
    /// Schedule a callback
    Callback {
        id: String,
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Finish a queue item (escalation, agency, write-off review and exhausted-strategy items need --decide)
    Done {
        item_id: i64,
        #[arg(long, default_value = "")]
        note: String,
        /// The decision an escalation, agency, write-off review or exhausted-strategy item asks for
        #[arg(long, value_name = "writeoff|agency|plan|continue")]
        decide: Option<Decide>,
        /// With --decide writeoff: an invoice to write off (repeat it; default: every open invoice)
        #[arg(long = "invoice", value_name = "NO")]
        invoices: Vec<String>,
        /// With --decide agency: the collection agency or attorney
        #[arg(long)]
        agency: Option<String>,
        /// With --decide plan: an installment DATE=AMOUNT (repeat it)
        #[arg(long = "installment", value_name = "DATE=AMOUNT")]
        installments: Vec<String>,
    },
    /// Agree a payment plan: installments given one by one, or N equal parts
    Plan {
        id: String,
        /// An installment DATE=AMOUNT, e.g. 2026-12-15=500 or +30=500 (repeat it)
        #[arg(long = "installment", value_name = "DATE=AMOUNT", conflicts_with_all = ["parts", "every", "first", "total"])]
        installments: Vec<String>,
        /// Split the total into this many equal parts
        #[arg(long, requires = "first")]
        parts: Option<u32>,
        /// How often the parts fall
        #[arg(long, value_name = "week|month", default_value = "month")]
        every: Every,
        /// The first part's date (YYYY-MM-DD, +7, fri)
        #[arg(long)]
        first: Option<String>,
        /// The total to split (default: the collectible past due)
        #[arg(long, value_parser = args::money)]
        total: Option<Money>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Ask for invoices to be written off (a supervisor approves)
    Writeoff {
        id: String,
        /// An invoice to write off (repeat it)
        #[arg(long = "invoice", value_name = "NO", required = true)]
        invoices: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Approve an approval item: a write-off or a credit-hold release (supervisors)
    Approve {
        item_id: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reject an approval item, saying why (supervisors)
    Reject {
        item_id: i64,
        #[arg(long)]
        note: String,
    },
    /// Objectives toward which collections run (supervisors)
    #[command(subcommand)]
    Objective(ObjectiveCmd),
    /// Place an account with a collection agency, or recall it (supervisors)
    #[command(subcommand)]
    Agency(AgencyCmd),
    /// Promises to pay: cancel one taken by mistake
    #[command(subcommand)]
    Promise(PromiseCmd),
    /// Resolve a dispute
    #[command(subcommand)]
    Dispute(DisputeCmd),
    /// Put an account on credit hold
    Hold {
        id: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Release an account's credit hold (supervisors)
    Release {
        id: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Assign accounts to a collector (supervisors)
    Assign {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        to: String,
    },
    /// Add users (admins)
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
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Check the event record
    #[command(subcommand)]
    Audit(AuditCmd),
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
    List,
    Show {
        id: String,
    },
    /// Validate a strategy file (no database needed)
    Check {
        file: PathBuf,
    },
    Load {
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum LogCmd {
    Call {
        id: String,
        #[arg(long)]
        outcome: CallOutcome,
        #[arg(long, default_value = "")]
        note: String,
    },
    Promise {
        id: String,
        #[arg(long, value_parser = args::money)]
        amount: Money,
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    Dispute {
        id: String,
        #[arg(long)]
        invoice: String,
        #[arg(long)]
        reason: DisputeReason,
        #[arg(long, value_parser = args::money)]
        amount: Option<Money>,
        #[arg(long, default_value = "")]
        note: String,
        /// When to follow up (default: in 7 days)
        #[arg(long)]
        follow_up: Option<String>,
    },
    Note {
        id: String,
        text: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgencyCmd {
    /// Hand the account to an agency: it leaves the strategy and every queue
    Place {
        id: String,
        #[arg(long)]
        agency: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Bring the account back into collection at step 1
    Recall {
        id: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PromiseCmd {
    /// Withdraw a promise taken by mistake (its taker or a supervisor)
    Cancel {
        promise_id: i64,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DisputeCmd {
    Resolve {
        dispute_id: i64,
        #[arg(long)]
        outcome: DisputeOutcome,
        #[arg(long, value_parser = args::money)]
        amount: Option<Money>,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    Add {
        name: String,
        #[arg(long)]
        role: Role,
    },
    List,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    Aging {
        #[arg(long, value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// The date to age as of (default: --as-of)
        #[arg(long, value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        #[arg(long)]
        collector: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// What each person did in a period: calls, contacts, promises, collected, items (supervisors)
    Activity {
        /// First day (default: 29 days before --to)
        #[arg(long, value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// Last day (default: --as-of)
        #[arg(long, value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// Only this person
        #[arg(long)]
        collector: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// DSO, BPDSO, ADD, CEI and the promise-kept rate of a period (supervisors)
    Kpi {
        /// First day (default: 29 days before --to)
        #[arg(long, value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        /// Last day (default: --as-of)
        #[arg(long, value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        /// Before and after this day, over windows of equal length
        #[arg(long, value_parser = args::iso_date)]
        compare: Option<NaiveDate>,
        /// Only this collector's accounts
        #[arg(long)]
        collector: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Strategy steps reached in a period and how often each cured (supervisors)
    Funnel {
        #[arg(long, value_parser = args::iso_date)]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = args::iso_date)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Objectives: baseline, today, target and where the trend reaches (supervisors)
    Objectives {
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
        /// ones; `none` for none): disputed, partly_paid, large_invoice, broken_promise
        #[arg(long)]
        features: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum ObjectiveCmd {
    /// Set an objective for the shop or one collector
    Add {
        /// dso | cei | past_due_91 | promise_kept_rate | calls_per_day
        #[arg(long)]
        kpi: Kpi,
        /// The value to reach (days, percent, an amount or calls)
        #[arg(long)]
        target: String,
        /// The date to reach it by
        #[arg(long, value_parser = args::iso_date)]
        by: NaiveDate,
        #[arg(long)]
        collector: Option<String>,
    },
    /// The objectives and how they stand
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Remove an objective
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    List {
        /// pending, sending (in doubt), sent or cancelled
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    #[command(flatten)]
    Mail(mail::OutboxMailCmd),
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    Verify,
}

/// What every command needs to know about where and as whom it runs.
pub struct Env {
    pub db: PathBuf,
    pub config: Config,
    user: Option<String>,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
}

impl Env {
    fn from_cli(cli: &Cli) -> anyhow::Result<Env> {
        let config = match &cli.config {
            Some(p) => Config::load(p, true)?,
            None => Config::load(&paths::default_config(), false)?,
        };
        let today = Local::now().date_naive();
        Ok(Env {
            db: cli.db.clone().unwrap_or_else(paths::default_db),
            config,
            user: current_user(cli.user.as_deref()),
            as_of: cli.as_of.unwrap_or(today),
            today,
        })
    }

    /// The current user's name.
    pub fn user(&self) -> anyhow::Result<&str> {
        self.user.as_deref().ok_or_else(|| {
            anyhow::anyhow!("cannot tell who you are: pass --user NAME or set ARQ_USER")
        })
    }

    /// When events happen: now, or noon of a replayed day.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        if self.as_of == self.today {
            Utc::now()
        } else {
            crate::service::noon_utc(self.as_of)
        }
    }

    /// Opens the database and a session for the current user.
    pub fn session(&self) -> anyhow::Result<Session> {
        let user = self.user()?;
        let store = Store::open(&self.db)?;
        Ok(Session::open(
            store,
            user,
            self.as_of,
            self.now(),
            self.config.clone(),
        )?)
    }
}

/// `--user`, else `ARQ_USER` (both through clap), else the OS login name.
fn current_user(given: Option<&str>) -> Option<String> {
    if let Some(u) = given.map(str::trim).filter(|u| !u.is_empty()) {
        return Some(u.to_string());
    }
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|u| u.trim().to_string())
        .find(|u| !u.is_empty())
}

/// Parses the arguments, runs the command, and turns any error into a message on
/// stderr and a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each cause added only when the text before
/// does not already say it (most of arq's errors quote their cause themselves).
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let env = Env::from_cli(&cli)?;
    let cli_db = cli.db.clone();
    let Some(command) = cli.command else {
        return tui::open(&env, &env.db, env.user()?);
    };
    match command {
        Command::Demo { size, seed, no_tui } => {
            let path = setup::demo(&cli_db, &env, size, seed)?;
            if no_tui {
                return Ok(());
            }
            let user = cli
                .user
                .clone()
                .unwrap_or_else(|| crate::demo::COLLECTORS[0].to_string());
            tui::open(&env, &path, &user)
        }
        Command::Init { currency } => setup::init(&env, &currency),
        Command::Import {
            kind,
            file,
            mapping,
            preset,
            snapshot,
            dry_run,
            format,
        } => import::run(
            &env,
            import::ImportArgs {
                kind,
                file,
                mapping,
                preset,
                snapshot,
                dry_run,
                format,
            },
        ),
        Command::Strategy(cmd) => setup::strategy(&env, cmd),
        Command::User(cmd) => setup::user(&env, cmd),
        Command::Audit(AuditCmd::Verify) => setup::audit(&env),
        Command::Run { dry_run, format } => views::run(&env, dry_run, format),
        Command::Queue {
            collector,
            all,
            format,
            limit,
        } => views::queue(&env, collector, all, format, limit),
        Command::Account(AccountCmd::Show { id, format }) => views::account(&env, &id, format),
        Command::Holds { format } => views::holds(&env, format),
        Command::Outbox(OutboxCmd::List { status, format }) => {
            views::outbox(&env, status.as_deref(), format)
        }
        Command::Outbox(OutboxCmd::Mail(cmd)) => mail::outbox(&env, cmd),
        Command::Template(cmd) => mail::template(&env, cmd),
        Command::Report(ReportCmd::Aging {
            from: _,
            to,
            collector,
            format,
        }) => views::aging(&env, to, collector.as_deref(), format),
        Command::Report(ReportCmd::Activity {
            from,
            to,
            collector,
            format,
        }) => reports::activity_report(&env, from, to, collector.as_deref(), format),
        Command::Report(ReportCmd::Kpi {
            from,
            to,
            compare,
            collector,
            format,
        }) => reports::kpi_report(&env, from, to, compare, collector.as_deref(), format),
        Command::Report(ReportCmd::Funnel { from, to, format }) => {
            reports::funnel_report(&env, from, to, format)
        }
        Command::Report(ReportCmd::Risk {
            collector,
            customer,
            evaluate,
            cutoff,
            end,
            features,
            format,
        }) => {
            if evaluate {
                risk::evaluate(&env, &cutoff, end, features.as_deref(), format)
            } else {
                risk::report(&env, collector.as_deref(), customer.as_deref(), format)
            }
        }
        Command::Report(ReportCmd::Objectives { format })
        | Command::Objective(ObjectiveCmd::List { format }) => {
            reports::objectives_report(&env, format)
        }
        Command::Objective(ObjectiveCmd::Add {
            kpi,
            target,
            by,
            collector,
        }) => reports::add_objective(&env, kpi, &target, by, collector.as_deref()),
        Command::Objective(ObjectiveCmd::Remove { id }) => reports::remove_objective(&env, id),
        Command::Log(cmd) => work::log(&env, cmd),
        Command::Callback { id, date, note } => work::callback(&env, &id, &date, &note),
        Command::Done {
            item_id,
            note,
            decide,
            invoices,
            agency,
            installments,
        } => lifecycle::done(
            &env,
            item_id,
            &note,
            decide,
            lifecycle::DecisionArgs {
                invoices,
                agency,
                installments,
            },
        ),
        Command::Plan {
            id,
            installments,
            parts,
            every,
            first,
            total,
            note,
        } => lifecycle::plan(
            &env,
            &id,
            lifecycle::PlanArgs {
                installments,
                parts,
                every,
                first,
                total,
            },
            &note,
        ),
        Command::Writeoff { id, invoices, note } => {
            lifecycle::writeoff(&env, &id, &invoices, &note)
        }
        Command::Approve { item_id, note } => lifecycle::approve(&env, item_id, &note),
        Command::Reject { item_id, note } => lifecycle::reject(&env, item_id, &note),
        Command::Agency(AgencyCmd::Place { id, agency, note }) => {
            lifecycle::place(&env, &id, &agency, &note)
        }
        Command::Agency(AgencyCmd::Recall { id, note }) => lifecycle::recall(&env, &id, &note),
        Command::Promise(PromiseCmd::Cancel { promise_id, note }) => {
            lifecycle::cancel_promise(&env, promise_id, &note)
        }
        Command::Dispute(DisputeCmd::Resolve {
            dispute_id,
            outcome,
            amount,
            note,
        }) => work::resolve(&env, dispute_id, outcome, amount, &note),
        Command::Hold { id, reason } => work::hold(&env, &id, &reason),
        Command::Release { id, note } => work::release(&env, &id, &note),
        Command::Assign { ids, to } => work::assign(&env, &ids, &to),
    }
}
