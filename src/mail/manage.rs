//! A person's decisions about single outbox messages: cancel one that should not go,
//! and settle one left in doubt — confirm it arrived, or put it back to be sent again.

use serde_json::json;

use crate::domain::EventKind;
use crate::service::{Result, ServiceError, Session};
use crate::store::outbox::{self, OutboxRow};

fn message(s: &Session, id: i64) -> Result<OutboxRow> {
    let row = outbox::get(s.store().conn(), id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no outbox message #{id}")))?;
    s.visible_customer(&row.customer_id)?;
    Ok(row)
}

fn require_supervisor(s: &Session, what: &str) -> Result<()> {
    if s.user().role.sees_everything() {
        return Ok(());
    }
    Err(ServiceError::Forbidden(format!(
        "only supervisors and admins can {what}; {} is a {}",
        s.user().name,
        s.user().role
    )))
}

/// Cancels a message not sent yet (collectors: on their own accounts).
pub fn cancel(s: &mut Session, id: i64, why: &str) -> Result<()> {
    let row = message(s, id)?;
    let why = match why.trim() {
        "" => format!("cancelled by {}", s.user().name),
        w => format!("cancelled by {}: {w}", s.user().name),
    };
    s.write(|tx| {
        if !outbox::cancel(tx.conn, id, &why)? {
            return Err(ServiceError::Invalid(format!(
                "message #{id} is {}: only pending or in-doubt messages can be cancelled",
                row.status
            )));
        }
        tx.event(
            EventKind::MailCancelled,
            Some(&row.customer_id),
            format!("{} '{}' {why}", row.channel, row.subject),
            json!({"outbox_id": id, "message_id": row.message_id, "reason": why}),
        )?;
        Ok(())
    })
}

fn in_doubt(row: &OutboxRow) -> Result<()> {
    if row.status == "sending" {
        return Ok(());
    }
    Err(ServiceError::Invalid(format!(
        "message #{} is {}, not in doubt: only messages left 'sending' need a decision",
        row.id, row.status
    )))
}

/// A message in doubt did not arrive: back to pending, so the next send delivers it.
pub fn retry(s: &mut Session, id: i64) -> Result<()> {
    require_supervisor(s, "send a message in doubt again")?;
    let row = message(s, id)?;
    in_doubt(&row)?;
    let by = s.user().name.clone();
    s.write(|tx| {
        outbox::requeue(tx.conn, id, &format!("put back to be sent again by {by}"))?;
        tx.event(
            EventKind::MailQueued,
            Some(&row.customer_id),
            format!(
                "{} '{}' put back to be sent again by {by} (it had not arrived)",
                row.channel, row.subject
            ),
            json!({"outbox_id": id, "message_id": row.message_id, "requeued": true}),
        )?;
        Ok(())
    })
}

/// A message in doubt did arrive: mark it sent.
pub fn confirm(s: &mut Session, id: i64) -> Result<()> {
    require_supervisor(s, "confirm a message in doubt")?;
    let row = message(s, id)?;
    in_doubt(&row)?;
    let by = s.user().name.clone();
    s.write(|tx| {
        outbox::mark_sent(tx.conn, id, &tx.at(), &row.recipient)?;
        tx.event(
            EventKind::MailSent,
            Some(&row.customer_id),
            format!(
                "{} '{}' to {} confirmed delivered by {by}",
                row.channel, row.subject, row.recipient
            ),
            json!({"outbox_id": id, "message_id": row.message_id, "confirmed_by": by}),
        )?;
        Ok(())
    })
}

/// Sets (or, with an empty text, clears) the postal address letters are printed
/// with: lines separated by newlines. Collectors may set it on their own accounts.
pub fn set_address(s: &mut Session, customer_id: &str, address: &str) -> Result<()> {
    let c = s.visible_customer(customer_id)?;
    let lines: Vec<&str> = address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let value = (!lines.is_empty()).then(|| lines.join("\n"));
    s.write(|tx| {
        crate::store::customers::set_address(tx.conn, &c.id, value.as_deref())?;
        let detail = match &value {
            Some(v) => format!("postal address set: {}", v.replace('\n', ", ")),
            None => "postal address cleared".to_string(),
        };
        tx.event(
            EventKind::CustomerChanged,
            Some(&c.id),
            detail,
            json!({"address": value}),
        )?;
        Ok(())
    })
}
