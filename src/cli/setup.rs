//! `init`, `user`, `strategy` and `audit`.

use super::out::{print, println};
use anyhow::Context;

use super::table::{Align, Table};
use std::path::PathBuf;
use std::time::Instant;

use super::{DemoSize, Env, Format, StrategyCmd, UserCmd};
use crate::demo::{self, DemoOptions, Size};
use crate::domain::names::words;
use crate::mail::Templates;
use crate::paths;
use crate::service::audit::{AuditOptions, AuditReport, Head};
use crate::service::setup::{self, check_strategy_file};
use crate::service::whatif::Accounts;

pub fn init(env: &Env, currency: &str) -> anyhow::Result<()> {
    let user = env.user()?;
    let session = setup::init(
        &env.db,
        currency,
        user,
        env.as_of,
        env.now(),
        env.config.clone(),
    )?;
    let strategies = session.strategies()?;
    println!(
        "Created {} ({}), with {user} as admin.",
        env.db.display(),
        session.currency()?
    );
    println!(
        "Strategies loaded: {}",
        strategies
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "Next: add collectors (`arq user add NAME --role collector`), then import customers, invoices and payments."
    );
    Ok(())
}

pub fn user(env: &Env, cmd: UserCmd) -> anyhow::Result<()> {
    let mut s = env.session()?;
    match cmd {
        UserCmd::Add { name, role } => {
            s.add_user(&name, role)?;
            println!("Added {name} ({role})");
        }
        UserCmd::Role { name, role } => {
            let was = s.change_role(&name, role)?;
            println!("{name} is now a {role} (was a {was})");
        }
        UserCmd::List => {
            let mut t = Table::new(&[("user", Align::Left, 32), ("role", Align::Left, 12)]);
            for u in s.users()? {
                t.row(vec![u.name, u.role.to_string()]);
            }
            print!("{}", t.render());
        }
    }
    Ok(())
}

pub fn strategy(env: &Env, cmd: StrategyCmd) -> anyhow::Result<()> {
    match cmd {
        StrategyCmd::Check { file } => {
            let templates = Templates::load(env.config.templates_dir().as_deref())?;
            let (s, _) = check_strategy_file(&file, &templates)?;
            println!(
                "{}: ok — strategy '{}' with {} steps",
                file.display(),
                s.id,
                s.steps.len()
            );
        }
        StrategyCmd::Load { file } => {
            let mut session = env.session()?;
            let (s, version, new) = session.load_strategy(&file)?;
            let made = if new {
                format!("version {version}, in force from {}", session.as_of())
            } else {
                format!("unchanged: version {version} stays in force")
            };
            println!(
                "Loaded strategy '{}' ({}) from {} — {made}",
                s.id,
                s.name,
                file.display()
            );
        }
        StrategyCmd::Try {
            file,
            from,
            to,
            segment,
            customers,
            accounts_of,
            format,
        } => {
            let accounts = match (segment, customers, accounts_of) {
                (Some(s), _, _) => Accounts::Segment(s),
                (_, Some(f), _) => Accounts::Customers(f),
                (_, _, Some(id)) => Accounts::Of(id),
                _ => Accounts::AsLoaded,
            };
            super::whatif::run(env, file, from, to, accounts, format)?;
        }
        StrategyCmd::List => {
            let session = env.session()?;
            let mut t = Table::new(&[
                ("id", Align::Left, 20),
                ("name", Align::Left, 30),
                ("rank", Align::Right, 6),
                ("default", Align::Left, 7),
                ("steps", Align::Left, 80),
            ]);
            for s in session.strategies()? {
                t.row(vec![
                    s.id,
                    s.name,
                    s.rank.to_string(),
                    if s.default {
                        "yes".into()
                    } else {
                        String::new()
                    },
                    s.steps
                        .iter()
                        .map(|st| words(st))
                        .collect::<Vec<_>>()
                        .join(" → "),
                ]);
            }
            print!("{}", t.render());
        }
        StrategyCmd::Show { id } => {
            let session = env.session()?;
            let (s, source) = session.strategy(&id)?;
            let mut t = Table::new(&[
                ("#", Align::Right, 3),
                ("step", Align::Left, 20),
                ("action", Align::Left, 18),
                ("mode", Align::Left, 6),
                ("when", Align::Left, 40),
                ("template", Align::Left, 24),
            ]);
            for (i, st) in s.steps.iter().enumerate() {
                let when = if i == 0 {
                    format!(
                        "past due ≥ {} and {}+ days late",
                        st.min_past_due, st.min_days_past_due
                    )
                } else {
                    format!(
                        "{} {}days after the previous step",
                        st.wait_days,
                        if s.business_days { "business " } else { "" }
                    )
                };
                t.row(vec![
                    (i + 1).to_string(),
                    words(&st.id),
                    st.action.words(),
                    st.mode.to_string(),
                    when,
                    st.template.clone().unwrap_or_default(),
                ]);
            }
            println!(
                "{} — {}{}",
                s.id,
                s.name,
                if s.is_default { " (default)" } else { "" }
            );
            println!(
                "grace days {} · release on cure: {} · rank {}",
                s.grace_days, s.release, s.rank
            );
            println!();
            print!("{}", t.render());
            let end = match s.end.action {
                crate::strategy::EndAction::Review => {
                    "a supervisor reviews the account (write off, agency, plan or continue)"
                }
                crate::strategy::EndAction::Repeat => "the last step again",
            };
            println!(
                "After the last step, while still past due: {end}, every {} days.",
                s.end.every_days
            );
            println!();
            println!("Source:");
            print!("{source}");
        }
    }
    Ok(())
}

pub fn audit(env: &Env, deep: bool, heads: Vec<Head>, format: Format) -> anyhow::Result<()> {
    let mut session = env.session()?;
    let r = session
        .audit(&AuditOptions { deep, heads })
        .context("checking the event record")?;
    match format {
        // The verdict first, as in the CSV.
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Verdict<'a> {
                ok: bool,
                #[serde(flatten)]
                report: &'a AuditReport,
            }
            super::output::json(&Verdict {
                ok: r.ok(),
                report: &r,
            })?
        }
        Format::Csv => audit_csv(&r)?,
        Format::Table => print_audit(&r, crate::store::pg::is_url(&env.db.to_string_lossy())),
    }
    if r.ok() {
        return Ok(());
    }
    let deep_n = r.deep.as_ref().map_or(0, Vec::len);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if !r.problems.is_empty() {
        parts.push(plural(r.problems.len(), "problem", "problems"));
    }
    if deep_n > 0 {
        parts.push(plural(deep_n, "row disagrees", "rows disagree") + " with it");
    }
    anyhow::bail!("the record does not verify: {}", parts.join("; "))
}

/// One row: the verdict, its counts, and every finding joined by `; `.
fn audit_csv(r: &AuditReport) -> anyhow::Result<()> {
    let deep: Vec<String> = r.deep.iter().flatten().map(ToString::to_string).collect();
    let problems: Vec<&str> = r.problems.iter().map(|p| p.what.as_str()).collect();
    super::output::csv(
        &[
            "ok",
            "events",
            "keyed",
            "anchors_checked",
            "head",
            "anchored",
            "problems",
            "disagreements",
        ],
        [[
            r.ok().to_string(),
            r.events.to_string(),
            r.keyed.clone(),
            r.anchors_checked.to_string(),
            super::output::cell(r.head.as_ref()),
            r.anchored.to_string(),
            problems.join("; "),
            deep.join("; "),
        ]],
    )
}

fn print_audit(r: &AuditReport, on_server: bool) {
    if r.keyed_now {
        println!(
            "This database had no audit key: it has one now, beside it (README \"The record\")."
        );
    }
    for p in &r.problems {
        println!("FAIL {}", p.what);
    }
    if let Some(deep) = &r.deep {
        for d in deep {
            println!("DIFF {d}");
        }
    }
    if r.ok() {
        println!(
            "ok: {} events, the chain is intact ({}), {} anchor{} agree{}, {}{}",
            r.events,
            r.keyed,
            r.anchors_checked,
            if r.anchors_checked == 1 { "" } else { "s" },
            if r.anchors_checked == 1 { "s" } else { "" },
            if on_server {
                "the server keeps the files (no SQLite check)"
            } else {
                "the file passes SQLite's integrity check"
            },
            if r.deep.is_some() {
                "; every table agrees with the record"
            } else {
                ""
            }
        );
    }
    if let Some(h) = &r.head {
        print_head(h, r.anchored);
    }
}

/// The head, in a line worth keeping elsewhere (`--head` reads it back).
pub fn print_head(h: &Head, anchored: bool) {
    println!(
        "Record head{}: {h}",
        if anchored { " (anchored)" } else { "" }
    );
}

pub fn backup(env: &Env, file: &std::path::Path) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let dest = crate::service::backup::backup_file(file, &env.db, env.today);
    let r = s.backup(&dest)?;
    println!(
        "Backed up to {} ({} bytes, {} events; chain and anchors verified).",
        r.file, r.bytes, r.events
    );
    if let Some(h) = &r.head {
        print_head(h, true);
    }
    Ok(())
}

/// `arq db copy --to URL|PATH`.
pub fn db_copy(env: &Env, to: &str, format: Format) -> anyhow::Result<()> {
    use crate::service::copy::{CopyCheck, copy_from_server};
    use crate::store::pg::is_url;
    let bars = super::progress::Bars::for_stderr(format);
    let from = env.db.to_string_lossy().to_string();
    let r = match (is_url(&from), is_url(to)) {
        (false, true) => env.session()?.copy_to_server(to, &bars)?,
        (true, false) => {
            let check = CopyCheck {
                user: env.user()?,
                as_of: env.as_of,
                now: env.now(),
                config: env.config.clone(),
            };
            copy_from_server(&from, std::path::Path::new(to), check, &bars)?
        }
        (false, false) => anyhow::bail!(
            "both places are files: `arq db copy` moves a shop to or from a PostgreSQL server \
             (postgres://USER@HOST/DB); `arq backup FILE` copies a file"
        ),
        (true, true) => anyhow::bail!(
            "both places are servers: copy the shop to a file first (`--to shop.db`), then from it"
        ),
    };
    match format {
        Format::Json => return super::output::json(&r),
        Format::Csv => {
            return super::output::csv(
                &["from", "to", "tables", "rows", "events", "head"],
                [[
                    r.from.clone(),
                    r.to.clone(),
                    r.tables.to_string(),
                    r.rows.to_string(),
                    r.events.to_string(),
                    super::output::cell(r.head.as_ref()),
                ]],
            );
        }
        Format::Table => {}
    }
    println!(
        "Copied {} rows of {} tables ({} events) from {} to {}.",
        r.rows, r.tables, r.events, r.from, r.to
    );
    if let Some(h) = &r.head {
        println!("Record head on the copy, verified: {h}");
    }
    Ok(())
}

pub fn restore(env: &Env, file: &std::path::Path) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let r = s.restore(file)?;
    println!(
        "Restored {} from {} (chain and anchors verified).",
        env.db.display(),
        r.file
    );
    if r.dropped > 0 {
        println!(
            "{} recorded after that backup {} gone; the restore is recorded as the next event.",
            if r.dropped == 1 {
                "1 event".to_string()
            } else {
                format!("{} events", r.dropped)
            },
            if r.dropped == 1 { "is" } else { "are" }
        );
    }
    if let Some(h) = &r.head {
        println!("Backup head: {h}");
    }
    Ok(())
}

pub fn demo(db: &Option<PathBuf>, env: &Env, size: DemoSize, seed: u64) -> anyhow::Result<PathBuf> {
    let path = db.clone().unwrap_or_else(paths::demo_db);
    let opts = DemoOptions {
        size: match size {
            DemoSize::Small => Size::Small,
            DemoSize::Large => Size::Large,
        },
        seed,
        today: env.as_of,
        history_days: 120,
    };
    let started = Instant::now();
    let bars = super::progress::Bars::for_stderr(super::Format::Table);
    let summary = demo::build(&path, &opts, &env.config, &bars)?;
    crate::progress::Progress::finish(&bars);
    println!(
        "Demo shop written to {} in {:.1}s: {} customers, {} invoices, {} payments, {} days of history, {} events.",
        path.display(),
        started.elapsed().as_secs_f64(),
        summary.customers,
        summary.invoices,
        summary.payments,
        summary.days,
        summary.events
    );
    println!("Users: ana, ben, cleo (collectors), sam (supervisor), admin. Try:");
    println!(
        "  arq --db {} --user ana --as-of {} queue",
        path.display(),
        env.as_of
    );
    Ok(path)
}
