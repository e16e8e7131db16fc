//! `init`, `user`, `strategy` and `audit`.

use anyhow::Context;

use super::table::{Align, Table};
use std::path::PathBuf;
use std::time::Instant;

use super::{DemoSize, Env, StrategyCmd, UserCmd};
use crate::demo::{self, DemoOptions, Size};
use crate::mail::Templates;
use crate::paths;
use crate::service::setup::{self, check_strategy_file};

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
            let new = s.add_user(&name, role)?;
            println!("{} {name} ({role})", if new { "Added" } else { "Updated" });
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
            let s = session.load_strategy(&file)?;
            println!(
                "Loaded strategy '{}' ({}) from {}",
                s.id,
                s.name,
                file.display()
            );
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
                    s.steps.join(" → "),
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
                    st.id.clone(),
                    st.action.to_string(),
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
            println!();
            println!("Source:");
            print!("{source}");
        }
    }
    Ok(())
}

pub fn audit(env: &Env) -> anyhow::Result<()> {
    let session = env.session()?;
    let v = session
        .audit_verify()
        .context("checking the event record")?;
    match v.broken_at {
        None => {
            println!("ok: {} events, the chain is intact", v.events);
            Ok(())
        }
        Some((seq, why)) => anyhow::bail!(
            "the event record is broken at event {seq}: {why} (checked {} events)",
            v.events
        ),
    }
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
