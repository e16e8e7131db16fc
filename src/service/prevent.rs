//! The daily run's prevention parts (DESIGN §2 "Prevention"): a courtesy reminder
//! before the due date queued in the outbox, over-limit and early-warning flags raised
//! and cleared, and the credit hold set or released for the credit limit.

use serde_json::json;

use super::run::{Mailer, RunSummary};
use super::{Result, SYSTEM_ACTOR, Tx};
use crate::domain::{EventKind, InvoicePosition};
use crate::mail::MessageContext;
use crate::store::prevention::{self, PreDueRecord};
use crate::store::snapshot::AccountData;
use crate::store::{activity, outbox};
use crate::strategy::engine::{FlagChange, FlagKind, LimitHold, PreDueTaken};

/// Queues the courtesy reminder for the invoices it covers and records each invoice
/// as reminded by this step. Its Message-ID names the first record, so it is stable.
pub(super) fn send_pre_due(
    tx: &mut Tx<'_>,
    a: &AccountData,
    p: &PreDueTaken,
    m: &Mailer<'_>,
    s: &mut RunSummary,
) -> Result<()> {
    let c = &a.customer;
    let covered: Vec<InvoicePosition> = a
        .invoices
        .iter()
        .filter(|i| p.invoices.contains(&i.invoice_no))
        .cloned()
        .collect();
    let mut ctx = MessageContext::reminder(c, &covered, tx.as_of, &m.currency, &m.shop);
    ctx.collector = c.owner.clone();
    let r = m.templates.render(&p.template, &ctx)?;
    let recipient = c.recipient(p.channel);
    let mut first = None;
    for no in &p.invoices {
        let row = prevention::record_pre_due(
            tx.conn,
            &PreDueRecord {
                customer_id: &c.id,
                invoice_no: no,
                strategy_id: &p.strategy_id,
                step_id: &p.step_id,
                days_before_due: p.days_before_due,
                done_on: tx.as_of,
                outbox_id: None,
            },
        )?;
        first = first.or(Some(row));
    }
    let Some(first) = first else {
        return Ok(());
    };
    let message_id = format!("<arq.p{first}@{}>", m.domain);
    let queued = outbox::insert(
        tx.conn,
        &outbox::NewMessage {
            customer_id: &c.id,
            channel: p.channel,
            template: &p.template,
            message_id: &message_id,
            recipient,
            subject: &r.subject,
            body_text: &r.text,
            body_html: r.html.as_deref(),
            created_on: tx.as_of,
            created_by: SYSTEM_ACTOR,
            cycle_id: None,
            step_index: None,
        },
    )?;
    let Some(id) = queued else {
        return Ok(());
    };
    prevention::link_outbox(tx.conn, &c.id, first, id)?;
    s.mail_queued += 1;
    s.auto_actions += 1;
    s.reminders_before_due += 1;
    tx.event(
        EventKind::PreDueReminder,
        Some(&c.id),
        format!(
            "reminder before the due date ({}, {} days ahead) for {}",
            p.step_id,
            p.days_before_due,
            p.invoices.join(", ")
        ),
        json!({"step": p.step_id, "days_before_due": p.days_before_due, "invoices": p.invoices}),
    )?;
    tx.event(
        EventKind::MailQueued,
        Some(&c.id),
        format!("{} '{}' queued for {recipient}", p.channel, r.subject),
        json!({"outbox_id": id, "template": p.template, "message_id": message_id, "channel": p.channel}),
    )?;
    Ok(())
}

pub(super) fn apply_flags(
    tx: &mut Tx<'_>,
    cid: &str,
    flags: &[FlagChange],
    s: &mut RunSummary,
) -> Result<()> {
    for f in flags {
        match f {
            FlagChange::Raise { kind, detail } => {
                let id = prevention::raise_flag(tx.conn, cid, *kind, tx.as_of, detail)?;
                match kind {
                    FlagKind::OverLimit => s.over_limit += 1,
                    FlagKind::EarlyWarning => s.early_warnings += 1,
                }
                tx.event(
                    EventKind::FlagRaised,
                    Some(cid),
                    format!("{}: {detail}", kind.words()),
                    json!({"flag_id": id, "kind": kind.as_str()}),
                )?;
            }
            FlagChange::Clear { flag_id, why } => {
                if prevention::clear_flag(tx.conn, *flag_id, tx.as_of, why)? {
                    tx.event(
                        EventKind::FlagCleared,
                        Some(cid),
                        format!("flag cleared: {why}"),
                        json!({"flag_id": flag_id}),
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Sets, marks or releases the credit hold for the credit limit. A hold the same run
/// set for a step (the ladder reached its hold today) is marked rather than doubled.
pub(super) fn apply_limit_hold(
    tx: &mut Tx<'_>,
    cid: &str,
    h: &LimitHold,
    s: &mut RunSummary,
) -> Result<()> {
    let as_of = tx.as_of;
    match h {
        LimitHold::Set { reason } => {
            if let Some(held) = activity::active_hold(tx.conn, cid, as_of)? {
                if held.by_step {
                    activity::mark_hold(tx.conn, held.hold_id, true, true)?;
                }
                return Ok(());
            }
            let id = activity::set_hold(tx.conn, cid, as_of, SYSTEM_ACTOR, reason, false)?;
            activity::mark_hold(tx.conn, id, false, true)?;
            s.holds_set += 1;
            s.auto_actions += 1;
            tx.event(
                EventKind::HoldSet,
                Some(cid),
                format!("credit hold set: {reason}"),
                json!({"hold_id": id, "over_limit": true}),
            )?;
        }
        LimitHold::Mark { hold_id } => activity::mark_hold(tx.conn, *hold_id, true, true)?,
        LimitHold::Release { hold_id } => {
            if activity::release_hold(tx.conn, *hold_id, as_of, SYSTEM_ACTOR)? {
                s.holds_released += 1;
                tx.event(
                    EventKind::HoldReleased,
                    Some(cid),
                    "credit hold released: back under the credit limit".to_string(),
                    json!({"hold_id": hold_id}),
                )?;
            }
        }
    }
    Ok(())
}
