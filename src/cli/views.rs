//! Commands that show things: `run` (and its summary), `queue`, `holds`, `outbox
//! list`, `report aging` (`account show` has its own file). Tables are for people (words, whole
//! amounts grouped); JSON and CSV are for scripts (stable codes, plain amounts); queues
//! and the aging also go to a workbook (`--format xlsx`).

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::out::{print, println};
use super::output::{cell, csv, json};
use super::table::{Align, Table};
use super::{Env, ExportFormat, Format};
use crate::domain::Money;
use crate::report;
use crate::service::queue::QueueScope;
use crate::store::outbox;

/// A queue score with two places, as in JSON.
fn two_places(d: rust_decimal::Decimal) -> String {
    let mut d = d;
    d.rescale(2);
    d.to_string()
}

/// What a dry run leaves waiting in the outbox for the real run's delivery.
#[derive(Serialize)]
struct Waiting {
    pending: u64,
    oldest: Option<chrono::NaiveDate>,
}

pub fn run(env: &Env, dry_run: bool, format: Format) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let bars = super::progress::Bars::for_stderr(format);
    let r = if dry_run {
        s.run_day_with(true, &bars)?
    } else {
        s.run_day_checked(&bars)?
    };
    // The run's messages are delivered after it is kept; delivery never fails the run.
    let delivery = (!dry_run).then(|| super::mail::deliver_after_run(&mut s, &bars));
    // A dry run delivers nothing: it says what is waiting for the real run's delivery
    // (which checks each message then, and may cancel some), besides what the close
    // would queue.
    let waiting = if dry_run {
        let (pending, oldest) = s.pending_mail()?;
        Some(Waiting { pending, oldest })
    } else {
        None
    };
    crate::progress::Progress::finish(&bars);
    let head = if dry_run { None } else { s.anchor("run")? };
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct RunJson<'a> {
                #[serde(flatten)]
                summary: &'a crate::service::run::RunSummary,
                delivery: Option<&'a super::mail::Delivery>,
                #[serde(skip_serializing_if = "Option::is_none")]
                waiting: Option<&'a Waiting>,
                head: Option<&'a crate::service::audit::Head>,
            }
            json(&RunJson {
                summary: &r,
                delivery: delivery.as_ref(),
                waiting: waiting.as_ref(),
                head: head.as_ref(),
            })?;
            if let Some(d) = &delivery {
                super::mail::warn_undelivered(d);
            }
            Ok(())
        }
        Format::Csv => {
            let d = delivery.as_ref().map(|d| &d.report);
            let n = |v: u64| v.to_string();
            csv(
                &[
                    "as_of",
                    "dry_run",
                    "evaluated",
                    "steps_done",
                    "cycles_started",
                    "auto_actions",
                    "mail_queued",
                    "holds_set",
                    "tasks_created",
                    "promises_kept",
                    "promises_partially_kept",
                    "promises_broken",
                    "cured",
                    "holds_released",
                    "sent",
                    "failed",
                    "in_doubt",
                    "cancelled",
                    "delivery_error",
                ],
                [[
                    r.as_of.to_string(),
                    r.dry_run.to_string(),
                    n(r.evaluated),
                    n(r.steps_done),
                    n(r.cycles_started),
                    n(r.auto_actions),
                    n(r.mail_queued),
                    n(r.holds_set),
                    n(r.tasks_created),
                    n(r.promises.kept),
                    n(r.promises.partially_kept),
                    n(r.promises.broken),
                    n(r.cured),
                    n(r.holds_released),
                    cell(d.map(|d| d.sent)),
                    cell(d.map(|d| d.failed)),
                    cell(d.map(|d| d.in_doubt)),
                    cell(d.map(|d| d.cancelled)),
                    cell(delivery.as_ref().and_then(|d| d.error.as_ref())),
                ]],
            )?;
            if let Some(d) = &delivery {
                super::mail::warn_undelivered(d);
            }
            Ok(())
        }
        Format::Table => {
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
            if r.reminders_before_due > 0 {
                println!(
                    "  before due      {:>6}   (courtesy reminders, in mail queued)",
                    r.reminders_before_due
                );
            }
            println!("  tasks created   {:>6}", r.tasks_created);
            if r.over_limit + r.early_warnings > 0 {
                println!(
                    "  prevention      over credit limit {}, early warnings {}",
                    r.over_limit, r.early_warnings
                );
            }
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
            if let Some(w) = waiting.as_ref().filter(|w| w.pending > 0) {
                println!(
                    "  delivery        {:>6}   messages in the outbox (oldest queued {}), checked and delivered by the real run with what it queues (`arq outbox list --status pending`)",
                    w.pending,
                    w.oldest.map_or_else(|| "—".to_string(), |d| d.to_string())
                );
            }
            if let Some(h) = &head {
                println!();
                super::setup::print_head(h, true);
            }
            Ok(())
        }
    }
}

pub fn queue(
    env: &Env,
    collector: Option<String>,
    all: bool,
    format: ExportFormat,
    limit: Option<usize>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let format = text_or_workbook(format, output)?;
    let s = env.session()?;
    let scope = match (collector, all) {
        (_, true) => QueueScope::All,
        (Some(c), _) => QueueScope::Collector(c),
        _ => QueueScope::Mine,
    };
    let items = s.queue(&scope, limit)?;
    let Some(format) = format else {
        return super::xlsx::deliver(&super::xlsx::queue(&items)?, output);
    };
    match format {
        Format::Json => json(&items),
        Format::Csv => csv(
            &[
                "rank",
                "item_id",
                "customer_id",
                "customer_name",
                "owner",
                "reason",
                "action",
                "step",
                "due",
                "days_overdue",
                "collectible_past_due",
                "dpd",
                "score",
                "note",
            ],
            items.iter().map(|i| {
                [
                    i.rank.to_string(),
                    i.item_id.to_string(),
                    i.customer_id.clone(),
                    i.customer_name.clone(),
                    cell(i.owner.as_ref()),
                    i.reason.to_string(),
                    i.action.to_string(),
                    cell(i.step.as_ref()),
                    i.due.to_string(),
                    i.days_overdue.to_string(),
                    i.collectible_past_due.to_string(),
                    i.dpd.to_string(),
                    two_places(i.score),
                    i.note.clone(),
                ]
            }),
        ),
        Format::Table => {
            if items.is_empty() {
                let whose = match &scope {
                    QueueScope::All => "anyone".to_string(),
                    QueueScope::Collector(c) => c.clone(),
                    QueueScope::Mine => s.user().name.clone(),
                };
                println!("Nothing due on {} for {whose}.", s.as_of());
                return Ok(());
            }
            let mut t = Table::new(&[
                ("#", Align::Right, 5),
                ("item", Align::Right, 8),
                ("customer", Align::Left, 14),
                ("name", Align::Left, 28),
                ("owner", Align::Left, 10),
                ("reason", Align::Left, 20),
                ("action", Align::Left, 48),
                ("due", Align::Left, 10),
                ("late", Align::Right, 4),
                ("collectible", Align::Right, 20),
                ("dpd", Align::Right, 5),
                ("score", Align::Right, 20),
            ]);
            for i in &items {
                // What to do and the step it belongs to, in words: `call (second call)`.
                let action = i.action_words();
                t.row(vec![
                    i.rank.to_string(),
                    i.item_id.to_string(),
                    i.customer_id.clone(),
                    i.customer_name.clone(),
                    i.owner.clone().unwrap_or_default(),
                    i.reason.words(),
                    action,
                    i.due.to_string(),
                    i.days_overdue.to_string(),
                    i.collectible_past_due.grouped(),
                    i.dpd.to_string(),
                    Money::round_from(i.score).grouped(),
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn warnings(env: &Env, format: Format) -> anyhow::Result<()> {
    let s = env.session()?;
    let rows = s.warnings()?;
    match format {
        Format::Json => json(&rows),
        Format::Csv => csv(
            &[
                "customer_id",
                "name",
                "owner",
                "since",
                "reason",
                "balance",
                "past_due",
                "next_due",
                "item_id",
            ],
            rows.iter().map(|w| {
                [
                    w.customer_id.clone(),
                    w.name.clone(),
                    cell(w.owner.as_ref()),
                    w.since.to_string(),
                    w.reason.clone(),
                    w.balance.to_string(),
                    w.past_due.to_string(),
                    cell(w.next_due.as_ref()),
                    cell(w.item_id.as_ref()),
                ]
            }),
        ),
        Format::Table => {
            if rows.is_empty() {
                println!("No early warning is open on {}.", s.as_of());
                return Ok(());
            }
            let mut t = Table::new(&[
                ("customer", Align::Left, 14),
                ("name", Align::Left, 30),
                ("owner", Align::Left, 10),
                ("since", Align::Left, 10),
                ("balance", Align::Right, 20),
                ("next due", Align::Left, 10),
                ("item", Align::Right, 8),
                ("reason", Align::Left, 60),
            ]);
            for w in rows {
                t.row(vec![
                    w.customer_id,
                    w.name,
                    w.owner.unwrap_or_default(),
                    w.since.to_string(),
                    w.balance.grouped(),
                    cell(w.next_due.as_ref()),
                    w.item_id.map(|i| format!("#{i}")).unwrap_or_default(),
                    w.reason,
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn holds(env: &Env, format: Format) -> anyhow::Result<()> {
    let s = env.session()?;
    let rows = s.holds()?;
    match format {
        Format::Json => json(&rows),
        Format::Csv => csv(
            &[
                "customer_id",
                "name",
                "owner",
                "since",
                "reason",
                "set_by",
                "balance",
                "past_due",
                "held_for",
                "credit_limit",
                "over_limit",
            ],
            rows.iter().map(|h| {
                [
                    h.customer_id.clone(),
                    h.name.clone(),
                    cell(h.owner.as_ref()),
                    h.since.to_string(),
                    h.reason.clone(),
                    h.set_by.clone(),
                    h.balance.to_string(),
                    h.past_due.to_string(),
                    h.held_for.clone(),
                    cell(h.credit_limit.as_ref()),
                    h.over_limit.to_string(),
                ]
            }),
        ),
        Format::Table => {
            if rows.is_empty() {
                println!("No account is on credit hold on {}.", s.as_of());
                return Ok(());
            }
            let mut t = Table::new(&[
                ("customer", Align::Left, 14),
                ("name", Align::Left, 30),
                ("since", Align::Left, 10),
                ("balance", Align::Right, 20),
                ("past due", Align::Right, 20),
                ("owner", Align::Left, 10),
                ("held for", Align::Left, 27),
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
                    h.held_for,
                    h.reason.lines().collect::<Vec<_>>().join(" / "),
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
        Format::Csv => csv(
            &[
                "id",
                "created_on",
                "customer_id",
                "channel",
                "template",
                "recipient",
                "subject",
                "status",
                "attempts",
                "last_error",
            ],
            rows.iter().map(|r| {
                [
                    r.id.to_string(),
                    r.created_on.to_string(),
                    r.customer_id.clone(),
                    r.channel.to_string(),
                    r.template.clone(),
                    r.recipient.clone(),
                    r.subject.clone(),
                    r.status.clone(),
                    r.attempts.to_string(),
                    cell(r.last_error.as_ref()),
                ]
            }),
        ),
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
                ("template", Align::Left, 24),
                ("to", Align::Left, 48),
                ("status", Align::Left, 18),
                ("tries", Align::Right, 5),
                ("last error", Align::Left, 60),
            ]);
            for r in rows {
                t.row(vec![
                    r.id.to_string(),
                    r.created_on.to_string(),
                    r.customer_id,
                    r.channel.to_string(),
                    r.template,
                    r.recipient,
                    // A claimed message whose delivery is not known yet, under the
                    // name `--status` takes.
                    if r.status == "sending" {
                        "sending (in doubt)".to_string()
                    } else {
                        r.status
                    },
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
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let format = text_or_workbook(format, output)?;
    let mut s = env.session()?;
    if let Some(d) = to {
        s.set_as_of(d, crate::service::noon_utc(d));
    }
    let r = report::aging(&s, collector)?;
    let Some(format) = format else {
        return super::xlsx::deliver(&super::xlsx::aging(&r)?, output);
    };
    match format {
        Format::Json => json(&r),
        Format::Csv => csv(
            &[
                "customer_id",
                "name",
                "owner",
                "total",
                "current",
                "d1_30",
                "d31_60",
                "d61_90",
                "d91_plus",
            ],
            r.customers.iter().map(|c| {
                let a = &c.aging;
                [
                    c.customer_id.clone(),
                    c.name.clone(),
                    cell(c.owner.as_ref()),
                    c.total.to_string(),
                    a.current.to_string(),
                    a.d1_30.to_string(),
                    a.d31_60.to_string(),
                    a.d61_90.to_string(),
                    a.d91_plus.to_string(),
                ]
            }),
        ),
        Format::Table => {
            let mut t = Table::new(&[
                ("customer", Align::Left, 14),
                ("name", Align::Left, 28),
                ("total", Align::Right, 20),
                ("current", Align::Right, 20),
                ("1-30", Align::Right, 20),
                ("31-60", Align::Right, 20),
                ("61-90", Align::Right, 20),
                ("91+", Align::Right, 20),
            ]);
            let row = |id: &str, name: &str, total: Money, a: &crate::domain::Aging| {
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

/// The text format asked for, or `None` for a workbook; `--output` is for
/// workbooks (text goes to standard output, to redirect as usual).
fn text_or_workbook(format: ExportFormat, output: Option<&Path>) -> anyhow::Result<Option<Format>> {
    let text = format.text();
    if text.is_some() && output.is_some() {
        anyhow::bail!(
            "--output writes a workbook (--format xlsx); table, json and csv go to standard output: redirect them with > FILE"
        );
    }
    Ok(text)
}
