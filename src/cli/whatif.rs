//! `strategy try`: the what-if comparison as a table, JSON or CSV.

use std::path::PathBuf;

use chrono::{Duration, NaiveDate};

use super::out::{print, println};
use super::output::json;
use super::progress::Bars;
use super::table::{Align, Table};
use super::{Env, Format};
use crate::service::whatif::{Accounts, TryRequest, WhatIf};
use crate::whatif::tally::Figures;

pub fn run(
    env: &Env,
    file: PathBuf,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    accounts: Accounts,
    format: Format,
) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let to = match to {
        Some(d) => d,
        None => s.last_close()?.ok_or_else(|| {
            anyhow::anyhow!("no daily close is in the record yet: there is no past to replay")
        })?,
    };
    let from = from.unwrap_or(to - Duration::days(59));
    let bars = Bars::for_stderr(format);
    let w = s.try_strategy_file(&file, &TryRequest { from, to, accounts }, &bars)?;
    match format {
        Format::Json => json(&w),
        Format::Csv => {
            let mut out = ::csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["figure", "kind", "actual", "candidate", "change"])?;
            for (name, a, c) in lines(&w.actual, &w.candidate) {
                out.write_record([
                    name,
                    "certain",
                    &a.to_string(),
                    &c.to_string(),
                    &change(a, c),
                ])?;
            }
            let e = &w.estimated;
            out.write_record([
                "collected",
                "estimated",
                "",
                "",
                &e.collected_delta.decimal().to_string(),
            ])?;
            let dso = e.dso_delta.map(|d| d.to_string()).unwrap_or_default();
            out.write_record(["dso", "estimated", "", "", &dso])?;
            out.flush()?;
            Ok(())
        }
        Format::Table => {
            table(&w);
            Ok(())
        }
    }
}

/// Each certain figure with its label.
fn lines(a: &Figures, c: &Figures) -> Vec<(&'static str, u64, u64)> {
    vec![
        ("steps done", a.steps, c.steps),
        ("emails", a.emails, c.emails),
        ("letters", a.letters, c.letters),
        ("text messages", a.sms, c.sms),
        ("calls to make", a.calls, c.calls),
        ("credit holds set", a.holds, c.holds),
        ("credit holds released", a.holds_released, c.holds_released),
        ("escalations", a.escalations, c.escalations),
        ("agency reviews", a.agency, c.agency),
        ("queue items", a.tasks, c.tasks),
        (
            "customers contacted",
            a.customers_contacted,
            c.customers_contacted,
        ),
        ("contacts", a.contacts, c.contacts),
        (
            "most contacts, one customer",
            a.most_contacts,
            c.most_contacts,
        ),
    ]
}

fn change(a: u64, c: u64) -> String {
    let d = c as i64 - a as i64;
    match d {
        0 => "0".into(),
        d if d > 0 => format!("+{d}"),
        d => d.to_string(),
    }
}

fn table(w: &WhatIf) {
    let days = (w.to - w.from).num_days() + 1;
    println!(
        "What-if: strategy '{}' from {} to {} ({days} days), in place of {}",
        w.strategy, w.from, w.to, w.replaces
    );
    println!(
        "{} accounts compared; {} followed the candidate on at least one day.",
        w.accounts, w.followed_candidate
    );
    println!();
    println!("Certain — from the engine and the dated records:");
    let mut t = Table::new(&[
        ("", Align::Left, 28),
        ("record", Align::Right, 10),
        ("candidate", Align::Right, 10),
        ("change", Align::Right, 8),
    ]);
    for (name, a, c) in lines(&w.actual, &w.candidate) {
        t.row(vec![
            name.into(),
            a.to_string(),
            c.to_string(),
            change(a, c),
        ]);
    }
    print!("{}", t.render());
    println!();
    println!("New queue items per day, by who works them (capacity from [team] in the config):");
    let mut t = Table::new(&[
        ("user", Align::Left, 16),
        ("capacity", Align::Right, 8),
        ("peak rec.", Align::Right, 9),
        ("peak cand.", Align::Right, 10),
        ("avg rec.", Align::Right, 8),
        ("avg cand.", Align::Right, 9),
        ("days over rec.", Align::Right, 14),
        ("days over cand.", Align::Right, 15),
    ]);
    for l in &w.per_collector {
        t.row(vec![
            l.user.clone(),
            l.capacity.to_string(),
            l.actual_peak_day.to_string(),
            l.candidate_peak_day.to_string(),
            format!("{:.1}", l.actual_avg_day),
            format!("{:.1}", l.candidate_avg_day),
            l.actual_days_over.to_string(),
            l.candidate_days_over.to_string(),
        ]);
    }
    print!("{}", t.render());
    println!();
    let e = &w.estimated;
    println!("Estimated — not a record:");
    println!(
        "  cash collected: {} ({} to {})",
        signed(e.collected_delta.grouped()),
        signed(e.collected_low.grouped()),
        signed(e.collected_high.grouped())
    );
    println!(
        "  DSO at the end: {}",
        e.dso_delta.map_or_else(
            || "— (no credit sales in the period)".into(),
            |d| format!("{} days", signed(d.to_string()))
        )
    );
    println!("  {}", e.error_note);
    println!();
    for n in &w.notes {
        println!("· {n}");
    }
}

fn signed(s: String) -> String {
    if s.starts_with('-') || s.starts_with('0') && s.trim_start_matches(['0', '.', ',']).is_empty()
    {
        s
    } else {
        format!("+{s}")
    }
}
