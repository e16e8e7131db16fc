//! The command line (DESIGN §5, a stable contract): parsing with clap, then one
//! service call per command and its output as a table, JSON or CSV.

mod account;
mod args;
mod commands;
mod import;
mod lifecycle;
mod mail;
mod manual;
pub(crate) mod out;
mod output;
pub mod progress;
mod reports;
mod risk;
mod setup;
pub mod table;
mod tui;
mod views;
mod whatif;
mod work;
mod xlsx;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Local, NaiveDate, Utc};
use clap::Parser;

pub use args::{ExportFormat, Format};
pub use commands::Cli;
use commands::{AccountCmd, AuditCmd, Command, DbCmd, DemoSize, DisputeCmd, LogCmd};
use commands::{AgencyCmd, ObjectiveCmd, OutboxCmd, PromiseCmd, ReportCmd, StrategyCmd, UserCmd};

use crate::config::Config;
use crate::paths;
use crate::service::Session;
use crate::store::Store;

/// What every command needs to know about where and as whom it runs.
pub struct Env {
    pub db: PathBuf,
    pub config: Config,
    user: Option<String>,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
}

/// The terminal app's keymap from `config`, or where and why the file's `[keys]`
/// are refused.
pub fn keys_of(config: &Config) -> Result<crate::tui::keymap::Keymap, crate::config::ConfigError> {
    crate::tui::keymap::Keymap::new(&config.keys)
        .map_err(|e| config.problem(&e.actions(), e.to_string()))
}

impl Env {
    fn from_cli(cli: &Cli) -> anyhow::Result<Env> {
        let config = match &cli.config {
            Some(p) => Config::load(p, true)?,
            None => Config::load(&paths::default_config(), false)?,
        };
        // A `[keys]` entry the terminal app would refuse is named by every command,
        // with the same words, so it is found the first time arq runs; only the app
        // refuses to start over it (a nightly `arq run` goes on).
        if let Err(e) = keys_of(&config) {
            eprintln!("warning: {e} (the terminal app will not start until it is fixed)");
        }
        crate::files::apply(config.files.sharing);
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
        // The terminal app was ended by SIGTERM, SIGHUP or SIGINT: the usual 128 + n.
        // (After a hangup nobody reads stderr; a failed write is no reason to panic.)
        Err(e) => match e.downcast_ref::<crate::tui::Stopped>() {
            Some(stopped) => {
                out::eprintln!("arq: {stopped}");
                ExitCode::from(u8::try_from(128 + stopped.0).unwrap_or(1))
            }
            None => {
                out::eprintln!("error: {}", message(&e));
                ExitCode::FAILURE
            }
        },
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
    // These need neither a database nor a config.
    match &cli.command {
        Some(Command::Completions { shell }) => return manual::completions(*shell),
        Some(Command::Man) => return manual::man(),
        _ => {}
    }
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
            sheet,
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
                sheet,
                format,
            },
        ),
        Command::Strategy(cmd) => setup::strategy(&env, cmd),
        Command::User(cmd) => setup::user(&env, cmd),
        Command::Audit(AuditCmd::Verify {
            deep,
            heads,
            format,
        }) => setup::audit(&env, deep, heads, format),
        Command::Backup { file } => setup::backup(&env, &file),
        Command::Restore { file } => setup::restore(&env, &file),
        Command::Db(DbCmd::Copy { to, format }) => setup::db_copy(&env, &to, format),
        Command::Run { dry_run, format } => views::run(&env, dry_run, format),
        Command::Queue {
            collector,
            all,
            format,
            limit,
            output,
        } => views::queue(&env, collector, all, format, limit, output.as_deref()),
        Command::Account(AccountCmd::Show { id, format }) => account::show(&env, &id, format),
        Command::Holds { format } => views::holds(&env, format),
        Command::Warnings { format } => views::warnings(&env, format),
        Command::Outbox(OutboxCmd::List { status, format }) => {
            views::outbox(&env, status.as_deref(), format)
        }
        Command::Outbox(OutboxCmd::Mail(cmd)) => mail::outbox(&env, cmd),
        Command::Template(cmd) => mail::template(&env, cmd),
        Command::Report(ReportCmd::Aging { from: Some(_), .. }) => anyhow::bail!(
            "report aging takes no --from: an aging is the open balances on one date; give it with --to DATE (or --as-of)"
        ),
        Command::Report(ReportCmd::Aging {
            from: None,
            to,
            collector,
            format,
            output,
        }) => views::aging(&env, to, collector.as_deref(), format, output.as_deref()),
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
        Command::Completions { .. } | Command::Man => Ok(()),
    }
}
