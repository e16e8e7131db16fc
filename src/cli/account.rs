//! `arq account show`: one account for people (a page of figures, invoices,
//! promises, disputes, open items and the latest events, notes keeping their line
//! breaks) or as JSON for scripts. It is not one table, so there is no CSV.

use super::Env;
use super::args::ShowFormat;
use super::out::{print, println};
use super::output::json;
use super::table::{Align, Table};
use crate::domain::names::words;

/// Lines after the first of a multi-line text start `indent` columns in, so a note
/// keeps its line breaks without breaking the layout around it.
fn indented(text: &str, indent: usize) -> String {
    let pad = format!("\n{}", " ".repeat(indent));
    text.trim_end()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(&pad)
}

pub fn show(env: &Env, id: &str, format: ShowFormat) -> anyhow::Result<()> {
    let s = env.session()?;
    match format {
        ShowFormat::Json => json(&s.account(id, 1000)?),
        ShowFormat::Table => {
            let a = s.account(id, 15)?;
            let cur = s.currency()?;
            println!("{} — {}", a.customer_id, a.name);
            println!(
                "owner {} · strategy {} · risk {}{}{}",
                a.owner.as_deref().unwrap_or("(none)"),
                a.strategy.as_deref().unwrap_or("(none)"),
                a.risk,
                // As the terminal app says it: the class arq learned, not one given.
                if !a.risk_set && a.behaviour.is_some() {
                    " (learned)"
                } else {
                    ""
                },
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
                        " (the risk the shop gave wins)"
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
                    "ON CREDIT HOLD since {} (by {}): {}",
                    h.since,
                    h.set_by,
                    indented(&h.reason, 2)
                );
            }
            if a.over_limit
                && let Some(limit) = a.credit_limit
            {
                println!(
                    "OVER CREDIT LIMIT: balance {} against a limit of {} ({} over)",
                    a.balance.grouped(),
                    limit.grouped(),
                    (a.balance - limit).grouped()
                );
            }
            if let Some(w) = &a.early_warning {
                println!("EARLY WARNING since {}: {}", w.since, w.reason);
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
                    words(&st.id),
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
                        p.status.words(),
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
                        words(i.status.as_str())
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
                        d.reason.words(),
                        d.status.words()
                    );
                }
            }
            if !a.open_items.is_empty() {
                println!("\nopen items:");
                for i in &a.open_items {
                    // A step says which action; the other reasons say it themselves.
                    let what = match i.reason {
                        crate::domain::Reason::Step => format!("step ({})", i.action.work()),
                        r => r.words(),
                    };
                    let head = format!("  #{} {what} due {} — ", i.item_id, i.due);
                    println!("{head}{}", indented(&i.note, 4));
                }
            }
            if !a.events.is_empty() {
                println!("\nlatest events:");
                let by_width = a
                    .events
                    .iter()
                    .map(|e| e.by.len())
                    .max()
                    .unwrap_or(0)
                    .max(6);
                for e in &a.events {
                    println!(
                        "  {} {:<by_width$} {}",
                        e.on_date,
                        e.by,
                        indented(&e.detail, 2 + 10 + 1 + by_width + 1)
                    );
                }
            }
            Ok(())
        }
    }
}
