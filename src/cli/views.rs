//! Commands that show things: `run` (and its summary), `queue`, `account show`,
//! `holds`, `outbox list`, `report aging`.

use std::io::Write;

use chrono::NaiveDate;
use serde::Serialize;

use super::table::{Align, Table};
use super::{Env, Format};
use crate::report;
use crate::service::queue::QueueScope;
use crate::store::outbox;

pub(super) fn json<T: Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub(super) fn csv<T: Serialize>(rows: &[T]) -> anyhow::Result<()> {
    let mut w = ::csv::Writer::from_writer(std::io::stdout().lock());
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

pub fn run(env: &Env, dry_run: bool, format: Format) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let r = s.run_day(dry_run)?;
    // The run's messages are delivered after it is kept; delivery never fails the run.
    let delivery = (!dry_run).then(|| super::mail::deliver_after_run(&mut s));
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct RunJson<'a> {
                #[serde(flatten)]
                summary: &'a crate::service::run::RunSummary,
                delivery: Option<&'a super::mail::Delivery>,
            }
            json(&RunJson {
                summary: &r,
                delivery: delivery.as_ref(),
            })
        }
        Format::Table | Format::Csv => {
            let what = if dry_run {
                "Dry run (nothing kept)"
            } else {
                "Daily run"
            };
            println!("{what} for {}: {} accounts evaluated", r.as_of, r.evaluated);
            println!(
                "  steps done      {:>6}   (new cycles {})",
                r.steps_done, r.cycles_started
            );
            println!(
                "  automatic       {:>6}   (mail queued {}, holds set {})",
                r.auto_actions, r.mail_queued, r.holds_set
            );
            println!("  tasks created   {:>6}", r.tasks_created);
            println!(
                "  promises        kept {}, partially kept {}, broken {}",
                r.promises.kept, r.promises.partially_kept, r.promises.broken
            );
            println!(
                "  cured           {:>6}   (holds released {})",
                r.cured, r.holds_released
            );
            if let Some(d) = &delivery {
                super::mail::print_delivery(d, env);
            }
            Ok(())
        }
    }
}

pub fn queue(
    env: &Env,
    collector: Option<String>,
    all: bool,
    format: Format,
    limit: Option<usize>,
) -> anyhow::Result<()> {
    let s = env.session()?;
    let scope = match (collector, all) {
        (_, true) => QueueScope::All,
        (Some(c), _) => QueueScope::Collector(c),
        _ => QueueScope::Mine,
    };
    let items = s.queue(&scope, limit)?;
    match format {
        Format::Json => json(&items),
        Format::Csv => csv(&items),
        Format::Table => {
            if items.is_empty() {
                println!("Nothing due on {} for {}.", s.as_of(), s.user().name);
                return Ok(());
            }
            let mut t = Table::new(&[
                ("#", Align::Right, 5),
                ("item", Align::Right, 8),
                ("customer", Align::Left, 14),
                ("name", Align::Left, 28),
                ("owner", Align::Left, 10),
                ("reason", Align::Left, 17),
                ("action", Align::Left, 16),
                ("due", Align::Left, 10),
                ("late", Align::Right, 4),
                ("collectible", Align::Right, 14),
                ("dpd", Align::Right, 4),
                ("score", Align::Right, 12),
            ]);
            for i in &items {
                let action = match &i.step {
                    Some(step) if step != i.action.as_str() => format!("{} ({step})", i.action),
                    _ => i.action.to_string(),
                };
                t.row(vec![
                    i.rank.to_string(),
                    i.item_id.to_string(),
                    i.customer_id.clone(),
                    i.customer_name.clone(),
                    i.owner.clone().unwrap_or_default(),
                    i.reason.to_string(),
                    action,
                    i.due.to_string(),
                    i.days_overdue.to_string(),
                    i.collectible_past_due.grouped(),
                    i.dpd.to_string(),
                    crate::domain::Money::round_from(i.score).grouped(),
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn account(env: &Env, id: &str, format: Format) -> anyhow::Result<()> {
    let s = env.session()?;
    match format {
        Format::Json | Format::Csv => json(&s.account(id, 1000)?),
        Format::Table => {
            let a = s.account(id, 15)?;
            let cur = s.currency()?;
            println!("{} — {}", a.customer_id, a.name);
            println!(
                "owner {} · strategy {} · risk {}{}",
                a.owner.as_deref().unwrap_or("(none)"),
                a.strategy.as_deref().unwrap_or("(none)"),
                a.risk,
                if a.white_glove { " · white glove" } else { "" }
            );
            match &a.behaviour {
                Some(b) => println!(
                    "pays {} · next invoice expected {} days late · {:.0}% chance of more than 30 · class {}{}",
                    match b.avg_days_late {
                        Some(avg) => format!(
                            "{} days late on average ({} invoices)",
                            crate::behaviour::predict::days_text(avg),
                            b.history
                        ),
                        None => "— no paid invoice yet".to_string(),
                    },
                    crate::behaviour::predict::days_text(b.expected_days_late),
                    a.behaviour_p_late_30.unwrap_or(0.0) * 100.0,
                    b.class,
                    if a.risk_set {
                        " (risk given by the shop wins)"
                    } else {
                        ""
                    }
                ),
                None => println!("payment behaviour not measured yet (the daily run measures it)"),
            }
            let contact = [a.email.as_deref(), a.phone.as_deref()]
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(" · ");
            if !contact.is_empty() {
                println!(
                    "{contact}{}",
                    if a.opt_out.is_empty() {
                        String::new()
                    } else {
                        format!(" · opted out of {}", a.opt_out.join(", "))
                    }
                );
            }
            if let Some(h) = &a.hold {
                println!(
                    "ON CREDIT HOLD since {} ({}, by {})",
                    h.since, h.reason, h.set_by
                );
            }
            if let Some(ag) = &a.agency {
                println!(
                    "AT AGENCY {} since {} ({} recovered since)",
                    ag.name,
                    ag.since,
                    ag.recovered.grouped()
                );
            }
            println!("status: {}", a.status);
            if let Some(st) = &a.step {
                println!(
                    "last step: {} (#{}) done {}",
                    st.id,
                    st.index + 1,
                    st.done_on
                );
            }
            println!();
            println!(
                "balance {}  past due {}  disputed {}  collectible {}  DPD {}",
                a.balance.with_currency(&cur),
                a.past_due.grouped(),
                a.disputed.grouped(),
                a.collectible_past_due.grouped(),
                a.dpd
            );
            let ag = a
                .aging
                .buckets()
                .iter()
                .map(|(l, m)| format!("{l} {}", m.grouped()))
                .collect::<Vec<_>>()
                .join(" · ");
            println!("aging: {ag}");
            if a.written_off.is_positive() {
                println!("written off: {}", a.written_off.grouped());
            }
            if !a.invoices.is_empty() {
                println!();
                let mut t = Table::new(&[
                    ("invoice", Align::Left, 20),
                    ("issued", Align::Left, 10),
                    ("due", Align::Left, 10),
                    ("amount", Align::Right, 14),
                    ("balance", Align::Right, 14),
                    ("dpd", Align::Right, 4),
                    ("disputed", Align::Right, 14),
                ]);
                for i in &a.invoices {
                    t.row(vec![
                        i.invoice_no.clone(),
                        i.issue_date.to_string(),
                        i.due_date.to_string(),
                        i.amount.grouped(),
                        i.balance.grouped(),
                        i.dpd.to_string(),
                        if i.disputed.is_zero() {
                            String::new()
                        } else {
                            i.disputed.grouped()
                        },
                    ]);
                }
                print!("{}", t.render());
            }
            if !a.promises.is_empty() {
                println!("\npromises:");
                for p in &a.promises {
                    println!(
                        "  #{} {} by {} — {} (taken {} by {})",
                        p.promise_id,
                        p.amount.grouped(),
                        p.date,
                        p.status,
                        p.taken_on,
                        p.taken_by
                    );
                }
            }
            for p in &a.plans {
                println!(
                    "\npayment plan #{} ({}, made {}): {}",
                    p.plan_id,
                    p.status,
                    p.created_on,
                    p.total.grouped()
                );
                for i in &p.installments {
                    println!(
                        "  {}  {:>14}  paid {:>14}  {}",
                        i.date,
                        i.amount.grouped(),
                        i.paid.grouped(),
                        i.status.as_str().replace('_', " ")
                    );
                }
            }
            if !a.disputes.is_empty() {
                println!("\ndisputes:");
                for d in &a.disputes {
                    println!(
                        "  #{} {} {} ({}) — {}",
                        d.dispute_id,
                        d.invoice_no,
                        d.amount.grouped(),
                        d.reason,
                        d.status
                    );
                }
            }
            if !a.open_items.is_empty() {
                println!("\nopen items:");
                for i in &a.open_items {
                    println!(
                        "  #{} {} ({}) due {} — {}",
                        i.item_id, i.reason, i.action, i.due, i.note
                    );
                }
            }
            if !a.events.is_empty() {
                println!("\nlatest events:");
                for e in &a.events {
                    println!("  {} {:<10} {}", e.on_date, e.by, e.detail);
                }
            }
            Ok(())
        }
    }
}

pub fn holds(env: &Env, format: Format) -> anyhow::Result<()> {
    let s = env.session()?;
    let rows = s.holds()?;
    match format {
        Format::Json => json(&rows),
        Format::Csv => csv(&rows),
        Format::Table => {
            if rows.is_empty() {
                println!("No account is on credit hold on {}.", s.as_of());
                return Ok(());
            }
            let mut t = Table::new(&[
                ("customer", Align::Left, 14),
                ("name", Align::Left, 30),
                ("since", Align::Left, 10),
                ("balance", Align::Right, 14),
                ("past due", Align::Right, 14),
                ("owner", Align::Left, 10),
                ("reason", Align::Left, 40),
            ]);
            for h in rows {
                t.row(vec![
                    h.customer_id,
                    h.name,
                    h.since.to_string(),
                    h.balance.grouped(),
                    h.past_due.grouped(),
                    h.owner.unwrap_or_default(),
                    h.reason,
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn outbox(env: &Env, status: Option<&str>, format: Format) -> anyhow::Result<()> {
    let s = env.session()?;
    let rows: Vec<outbox::OutboxRow> = s.outbox(status)?;
    match format {
        Format::Json => json(&rows),
        Format::Csv => {
            let slim: Vec<_> = rows
                .iter()
                .map(|r| {
                    (
                        r.id,
                        r.created_on,
                        &r.customer_id,
                        r.channel,
                        &r.template,
                        &r.recipient,
                        &r.subject,
                        &r.status,
                        r.attempts,
                        r.last_error.clone().unwrap_or_default(),
                    )
                })
                .collect();
            csv(&slim)
        }
        Format::Table => {
            if rows.is_empty() {
                println!("The outbox is empty.");
                return Ok(());
            }
            let mut t = Table::new(&[
                ("id", Align::Right, 7),
                ("created", Align::Left, 10),
                ("customer", Align::Left, 14),
                ("channel", Align::Left, 7),
                ("template", Align::Left, 20),
                ("to", Align::Left, 30),
                ("status", Align::Left, 9),
                ("tries", Align::Right, 5),
                ("last error", Align::Left, 40),
            ]);
            for r in rows {
                t.row(vec![
                    r.id.to_string(),
                    r.created_on.to_string(),
                    r.customer_id,
                    r.channel.to_string(),
                    r.template,
                    r.recipient,
                    r.status,
                    r.attempts.to_string(),
                    r.last_error.unwrap_or_default(),
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn aging(
    env: &Env,
    to: Option<NaiveDate>,
    collector: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let mut s = env.session()?;
    if let Some(d) = to {
        s.set_as_of(d, crate::service::noon_utc(d));
    }
    let r = report::aging(&s, collector)?;
    match format {
        Format::Json => json(&r),
        Format::Csv => {
            let mut w = ::csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record([
                "customer_id",
                "name",
                "total",
                "current",
                "d1_30",
                "d31_60",
                "d61_90",
                "d91_plus",
            ])?;
            for c in &r.customers {
                let a = &c.aging;
                w.write_record([
                    &c.customer_id,
                    &c.name,
                    &c.total.to_string(),
                    &a.current.to_string(),
                    &a.d1_30.to_string(),
                    &a.d31_60.to_string(),
                    &a.d61_90.to_string(),
                    &a.d91_plus.to_string(),
                ])?;
            }
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            let mut t = Table::new(&[
                ("customer", Align::Left, 14),
                ("name", Align::Left, 28),
                ("total", Align::Right, 15),
                ("current", Align::Right, 14),
                ("1-30", Align::Right, 14),
                ("31-60", Align::Right, 14),
                ("61-90", Align::Right, 14),
                ("91+", Align::Right, 14),
            ]);
            let row =
                |id: &str, name: &str, total: crate::domain::Money, a: &crate::domain::Aging| {
                    vec![
                        id.to_string(),
                        name.to_string(),
                        total.grouped(),
                        a.current.grouped(),
                        a.d1_30.grouped(),
                        a.d31_60.grouped(),
                        a.d61_90.grouped(),
                        a.d91_plus.grouped(),
                    ]
                };
            for c in &r.customers {
                t.row(row(&c.customer_id, &c.name, c.total, &c.aging));
            }
            t.row(row(
                "TOTAL",
                &format!("{} customers", r.customers.len()),
                r.total,
                &r.aging,
            ));
            println!("Aging as of {} ({})", r.as_of, r.currency);
            print!("{}", t.render());
            if r.written_off.is_positive() {
                println!(
                    "Written off (not in the totals above): {}",
                    r.written_off.grouped()
                );
            }
            Ok(())
        }
    }
}
