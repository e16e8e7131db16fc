//! Commands of the collection lifecycle after the call: decisions on supervisor
//! items, payment plans, write-offs and their approval, agencies, cancelled promises.

use anyhow::{Context, bail};
use chrono::NaiveDate;

use super::Env;
use super::args::{money, user_date};
use super::out::println;
use crate::domain::plan::{Every, equal_parts};
use crate::domain::{Decide, Money};
use crate::service::Session;
use crate::service::items::ItemDecision;

/// The options `done --decide` reads.
pub struct DecisionArgs {
    pub invoices: Vec<String>,
    pub agency: Option<String>,
    pub installments: Vec<String>,
}

/// The options of `plan`.
pub struct PlanArgs {
    pub installments: Vec<String>,
    pub parts: Option<u32>,
    pub every: Every,
    pub first: Option<String>,
    pub total: Option<Money>,
}

/// `DATE=AMOUNT`, the date as people type it.
fn installment(s: &str, as_of: NaiveDate) -> anyhow::Result<(NaiveDate, Money)> {
    let (d, m) = s.split_once('=').with_context(|| {
        format!("--installment '{s}': write it as DATE=AMOUNT, e.g. 2026-12-15=500.00")
    })?;
    let date = user_date("--installment", d.trim(), as_of)?;
    let amount = money(m.trim()).map_err(|e| anyhow::anyhow!("--installment '{s}': {e}"))?;
    Ok((date, amount))
}

fn installments(list: &[String], as_of: NaiveDate) -> anyhow::Result<Vec<(NaiveDate, Money)>> {
    list.iter().map(|s| installment(s, as_of)).collect()
}

pub fn done(
    env: &Env,
    item_id: i64,
    note: &str,
    decide: Option<Decide>,
    args: DecisionArgs,
) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let Some(decide) = decide else {
        if !args.invoices.is_empty() || args.agency.is_some() || !args.installments.is_empty() {
            bail!("--invoice, --agency and --installment go with --decide");
        }
        let t = s.finish_item(item_id, note)?;
        println!("Item #{item_id} done ({} on {})", t.reason, t.customer_id);
        return Ok(());
    };
    let decision = match decide {
        Decide::WriteOff => ItemDecision::WriteOff {
            invoices: args.invoices,
        },
        Decide::Agency => ItemDecision::Agency {
            agency: args
                .agency
                .context("--decide agency needs --agency NAME (the agency or attorney)")?,
        },
        Decide::Plan => {
            if args.installments.is_empty() {
                bail!(
                    "--decide plan needs the installments: --installment DATE=AMOUNT (repeat it)"
                );
            }
            ItemDecision::Plan {
                installments: installments(&args.installments, s.as_of())?,
            }
        }
        Decide::Continue => ItemDecision::Continue,
    };
    let t = s.decide_item(item_id, &decision, note)?;
    println!("Item #{item_id} decided ({decide}) on {}", t.customer_id);
    Ok(())
}

/// The installments `plan` asks for: given one by one, or equal parts of a total.
fn plan_installments(
    s: &Session,
    id: &str,
    a: &PlanArgs,
) -> anyhow::Result<Vec<(NaiveDate, Money)>> {
    let as_of = s.as_of();
    if !a.installments.is_empty() {
        return installments(&a.installments, as_of);
    }
    let (Some(parts), Some(first)) = (a.parts, a.first.as_deref()) else {
        bail!(
            "give the installments (--installment DATE=AMOUNT, repeated) or --parts N --first DATE [--every week|month] [--total X]"
        );
    };
    let first = user_date("--first", first, as_of)?;
    let total = match a.total {
        Some(t) => t,
        None => s.account(id, 0)?.collectible_past_due,
    };
    equal_parts(total, parts, a.every, first).with_context(|| {
        format!(
            "--parts {parts}: {} cannot be split into {parts} installments of at least 0.01",
            total.grouped()
        )
    })
}

pub fn plan(env: &Env, id: &str, a: PlanArgs, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let list = plan_installments(&s, id, &a)?;
    let plan_id = s.set_plan(id, &list, note)?;
    let total: Money = list.iter().map(|(_, m)| *m).sum();
    println!(
        "Payment plan #{plan_id} on {id}: {} in {} installment{}",
        total.grouped(),
        list.len(),
        if list.len() == 1 { "" } else { "s" }
    );
    for (d, m) in &list {
        println!("  {d}  {:>14}", m.grouped());
    }
    Ok(())
}

pub fn writeoff(env: &Env, id: &str, invoices: &[String], note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    let r = s.request_write_off(id, invoices, note)?;
    match (r.approval_item, r.written_off) {
        (Some(item), _) => println!(
            "Write-off #{} requested on {id}; approval item #{item} waits for a supervisor",
            r.write_off_id
        ),
        (None, Some(m)) => println!(
            "Write-off #{} on {id} approved: {} written off",
            r.write_off_id,
            m.grouped()
        ),
        (None, None) => println!("Write-off #{} recorded on {id}", r.write_off_id),
    }
    Ok(())
}

pub fn approve(env: &Env, item_id: i64, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    println!("{}", s.approve_item(item_id, note)?);
    Ok(())
}

pub fn reject(env: &Env, item_id: i64, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    println!("{}", s.reject_item(item_id, note)?);
    Ok(())
}

pub fn place(env: &Env, id: &str, agency: &str, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    s.place_with_agency(id, agency, note)?;
    println!("{id} placed with {agency}: out of the strategy and the queues until recalled");
    Ok(())
}

pub fn recall(env: &Env, id: &str, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    s.recall_from_agency(id, note)?;
    println!("{id} recalled: the next run starts it at step 1 if it is still past due");
    Ok(())
}

pub fn cancel_promise(env: &Env, promise_id: i64, note: &str) -> anyhow::Result<()> {
    let mut s = env.session()?;
    s.cancel_promise(promise_id, note)?;
    println!("Promise #{promise_id} cancelled");
    Ok(())
}
