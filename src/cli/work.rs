//! Commands that record work: `log`, `callback`, `done`, `dispute resolve`, `hold`,
//! `release`, `assign`.

use super::args::user_date;
use super::out::println;
use super::{Env, LogCmd};
use crate::domain::{DisputeOutcome, Money};

pub fn log(env: &Env, cmd: LogCmd) -> anyhow::Result<()> {
    let mut s = env.session()?;
    match cmd {
        LogCmd::Call { id, outcome, note } => {
            let r = s.log_call(&id, outcome, &note, None)?;
            let done = if r.finished.is_empty() {
                String::new()
            } else {
                format!(
                    "; finished item{} {}",
                    if r.finished.len() > 1 { "s" } else { "" },
                    r.finished
                        .iter()
                        .map(|i| format!("#{i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            println!("Call #{} logged on {id}: {outcome}{done}", r.call_id);
        }
        LogCmd::Promise {
            id,
            amount,
            date,
            note,
        } => {
            let date = user_date("--date", &date, s.as_of())?;
            let p = s.take_promise(&id, amount, date, &note)?;
            println!(
                "Promise #{p} recorded: {} by {date} on {id}",
                amount.grouped()
            );
        }
        LogCmd::Dispute {
            id,
            invoice,
            reason,
            amount,
            note,
            follow_up,
        } => {
            let follow_up = follow_up
                .map(|f| user_date("--follow-up", &f, s.as_of()))
                .transpose()?;
            let d = s.open_dispute(&id, &invoice, reason, amount, &note, follow_up)?;
            println!("Dispute #{d} opened on {invoice} ({reason})");
        }
        LogCmd::Note { id, text, note } => {
            // `log note ID TEXT` or `log note ID --note TEXT` (clap requires one).
            let text = text.or(note).unwrap_or_default();
            s.log_note(&id, &text)?;
            println!("Note added to {id}");
        }
    }
    Ok(())
}

pub fn callback(env: &Env, id: &str, date: &str, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let date = user_date("--date", date, s.as_of())?;
    let item = s.schedule_callback(id, date, note)?;
    println!("Callback #{item} scheduled for {date} on {id}");
    Ok(())
}

pub fn resolve(
    env: &Env,
    dispute_id: i64,
    outcome: DisputeOutcome,
    amount: Option<Money>,
    note: &str,
) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let credited = s.resolve_dispute(dispute_id, outcome, amount, note)?;
    println!(
        "Dispute #{dispute_id} resolved {outcome}; credited {}",
        credited.grouped()
    );
    Ok(())
}

pub fn hold(env: &Env, id: &str, reason: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    s.set_hold(id, reason)?;
    println!("{id} is on credit hold");
    Ok(())
}

pub fn release(env: &Env, id: &str, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    s.release_hold(id, note)?;
    println!("{id}: credit hold released");
    Ok(())
}

pub fn assign(env: &Env, ids: &[String], to: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let n = s.assign(ids, to)?;
    println!(
        "{n} account{} assigned to {to}",
        if n == 1 { "" } else { "s" }
    );
    Ok(())
}
