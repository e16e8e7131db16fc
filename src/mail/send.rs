//! Delivering the outbox (`arq outbox send`, and the end of `arq run`).
//!
//! For each pending message, oldest first: one short write transaction re-checks the
//! customer *now* — opted out of the channel, white glove (for automatic messages),
//! cured or paused since the reminder was queued, no contact left, or too old — and
//! either cancels the message (with a `mail_cancelled` event) or claims it
//! (`pending` → `sending`). The transport then delivers it with no transaction open,
//! and a second short transaction records what happened: `sent` with a `mail_sent`
//! event, or back to `pending` with its error and a `mail_failed` event. A delivery
//! whose outcome is unknown stays `sending` ("in doubt") and is never sent again
//! without a person deciding; see `docs/MAIL.md`.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::channels::Transports;
use super::checks::{Cancel, cancel_reason};
use super::transport::{Outcome, Outgoing};
use crate::domain::{Channel, EventKind};
use crate::service::{Result, ServiceError, Session, Tx};
use crate::store::outbox::{self, OutboxRow};
use crate::store::{customers, strategies};
use crate::strategy::StrategyBook;

/// A claim older than this, left by a send that stopped, is redelivered when the
/// transport makes that harmless (files named by Message-ID).
pub const STALE_CLAIM_MINUTES: i64 = 10;

/// What happened to one message in a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendLine {
    pub outbox_id: i64,
    pub customer_id: String,
    pub channel: Channel,
    pub to: String,
    /// `sent`, `failed`, `in_doubt` or `cancelled`.
    pub result: &'static str,
    pub detail: String,
    /// For a cancelled message, the kind of reason (see [`super::checks::Cancel`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// What a send did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    pub sent: u64,
    pub failed: u64,
    pub in_doubt: u64,
    pub cancelled: u64,
    pub messages: Vec<SendLine>,
    /// The PDF gathering this send's letters.
    pub batch_pdf: Option<String>,
    /// Messages left in doubt by earlier sends, waiting for a person.
    pub waiting_in_doubt: Vec<i64>,
    /// A problem outside any one message (the batch PDF could not be written).
    pub warnings: Vec<String>,
}

impl SendReport {
    fn push(&mut self, line: SendLine) {
        match line.result {
            "sent" => self.sent += 1,
            "failed" => self.failed += 1,
            "in_doubt" => self.in_doubt += 1,
            _ => self.cancelled += 1,
        }
        self.messages.push(line);
    }
}

/// Delivers every pending message the user may send, with the configured transports.
/// Supervisors and admins send everything; a collector sends the messages of their
/// own accounts.
pub fn send_pending(s: &mut Session) -> Result<SendReport> {
    let mut t = Transports::from_config(s.config(), s.store().path());
    send_with(s, None, &mut t)
}

/// Delivers one pending message now (the account screen's "send now").
pub fn send_one(s: &mut Session, outbox_id: i64) -> Result<SendReport> {
    let mut t = Transports::from_config(s.config(), s.store().path());
    send_with(s, Some(outbox_id), &mut t)
}

/// The customers a collector may send for; `None` for supervisors and admins.
fn scope(s: &Session) -> Result<Option<HashSet<String>>> {
    if s.user().role.sees_everything() {
        return Ok(None);
    }
    Ok(Some(
        customers::list(s.store().conn(), Some(&s.user().name))?
            .into_iter()
            .map(|c| c.id)
            .collect(),
    ))
}

/// Delivers pending messages (or only `only`) through `t`.
pub fn send_with(s: &mut Session, only: Option<i64>, t: &mut Transports) -> Result<SendReport> {
    let mine = scope(s)?;
    let may = |cid: &str| mine.as_ref().is_none_or(|m| m.contains(cid));
    let mut report = SendReport::default();
    let conn = s.store().conn();
    if let Some(id) = only {
        let row = outbox::get(conn, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no outbox message #{id}")))?;
        s.visible_customer(&row.customer_id)?;
        if row.status != "pending" {
            return Err(ServiceError::Invalid(format!(
                "message #{id} is {}, not pending: only pending messages are sent",
                row.status
            )));
        }
    }
    recover_stale_claims(s, t, &may)?;
    let book = strategies::book(s.store().conn())?;
    let ids: Vec<i64> = match only {
        Some(id) => vec![id],
        None => outbox::ids_with_status(s.store().conn(), "pending")?,
    };
    let result: Result<()> = (|| {
        for id in ids {
            let Some(row) = outbox::get(s.store().conn(), id)? else {
                continue;
            };
            if !may(&row.customer_id) {
                continue;
            }
            if let Some(line) = send_message(s, id, &book, t)? {
                report.push(line);
            }
        }
        Ok(())
    })();
    t.finish(s.as_of(), &mut report);
    result?;
    for id in outbox::ids_with_status(s.store().conn(), "sending")? {
        if let Some(row) = outbox::get(s.store().conn(), id)?
            && may(&row.customer_id)
        {
            report.waiting_in_doubt.push(id);
        }
    }
    Ok(report)
}

/// Claims left by a send that stopped, on transports where delivering again is
/// harmless, go back to pending so this send finishes them.
fn recover_stale_claims(
    s: &mut Session,
    t: &mut Transports,
    may: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let stale: Vec<OutboxRow> = outbox::ids_with_status(s.store().conn(), "sending")?
        .into_iter()
        .filter_map(|id| outbox::get(s.store().conn(), id).transpose())
        .collect::<std::result::Result<_, _>>()?;
    let stale: Vec<OutboxRow> = stale
        .into_iter()
        .filter(|r| t.get(r.channel).idempotent() && may(&r.customer_id))
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    s.write(|tx| {
        for r in &stale {
            let claimed = r
                .claimed_at
                .as_deref()
                .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                .map(|c| c.with_timezone(&Utc));
            if claimed.is_some_and(|c| tx.now - c >= Duration::minutes(STALE_CLAIM_MINUTES)) {
                outbox::requeue(tx.conn, r.id, "an earlier send stopped while delivering it")?;
            }
        }
        Ok(())
    })
}

/// Where a message goes now, or why it must not go.
enum Check {
    Go {
        row: Box<OutboxRow>,
        to: String,
        name: String,
        address: Option<String>,
    },
    Cancelled(SendLine),
    Skip,
}

fn line(row: &OutboxRow, to: &str, result: &'static str, detail: String) -> SendLine {
    SendLine {
        outbox_id: row.id,
        customer_id: row.customer_id.clone(),
        channel: row.channel,
        to: to.to_string(),
        result,
        detail,
        reason: None,
    }
}

/// Checks, claims, delivers and records one message.
fn send_message(
    s: &mut Session,
    id: i64,
    book: &StrategyBook,
    t: &mut Transports,
) -> Result<Option<SendLine>> {
    let as_of = s.as_of();
    let max_age = s.config().mail.max_age_days;
    let check = s.write(|tx| {
        let Some(row) = outbox::get(tx.conn, id)? else {
            return Ok(Check::Skip);
        };
        if row.status != "pending" {
            return Ok(Check::Skip);
        }
        let Some(c) = customers::get(tx.conn, &row.customer_id)? else {
            return Ok(Check::Skip);
        };
        if let Some(Cancel { kind, why }) = cancel_reason(tx, &row, &c, book, max_age)? {
            outbox::cancel(tx.conn, row.id, &why)?;
            tx.event(
                EventKind::MailCancelled,
                Some(&row.customer_id),
                format!(
                    "{} '{}' cancelled, not sent: {why}",
                    row.channel, row.subject
                ),
                json!({"outbox_id": row.id, "message_id": row.message_id, "reason": why, "kind": kind}),
            )?;
            let mut l = line(&row, &row.recipient, "cancelled", why);
            l.reason = Some(kind);
            return Ok(Check::Cancelled(l));
        }
        let to = c.recipient(row.channel).to_string();
        let address = customers::address(tx.conn, &c.id)?;
        if !outbox::claim(tx.conn, row.id, &tx.at())? {
            return Ok(Check::Skip);
        }
        Ok(Check::Go {
            row: Box::new(row),
            to,
            name: c.name,
            address,
        })
    })?;
    let (row, to, name, address) = match check {
        Check::Skip => return Ok(None),
        Check::Cancelled(l) => return Ok(Some(l)),
        Check::Go {
            row,
            to,
            name,
            address,
        } => (row, to, name, address),
    };
    let transport = t.get(row.channel);
    let via = transport.name();
    let outcome = transport.deliver(&Outgoing {
        row: &row,
        to: &to,
        customer_name: &name,
        address: address.as_deref(),
        as_of,
    });
    let shown_to = match (row.channel, &address) {
        (Channel::Letter, Some(a)) => {
            format!("{name}, {}", a.lines().collect::<Vec<_>>().join(", "))
        }
        _ => to.clone(),
    };
    let attempt = row.attempts + 1;
    let l = s.write(|tx| record(tx, &row, &shown_to, via, attempt, &outcome))?;
    Ok(Some(l))
}

/// Records a delivery's outcome with its event.
fn record(
    tx: &mut Tx<'_>,
    row: &OutboxRow,
    to: &str,
    via: &str,
    attempt: i64,
    outcome: &Outcome,
) -> Result<SendLine> {
    let what = format!("{} '{}'", row.channel, row.subject);
    let data = |extra: serde_json::Value| {
        let mut d = json!({"outbox_id": row.id, "message_id": row.message_id, "channel": row.channel,
                           "transport": via, "to": to, "attempt": attempt});
        if let (Some(d), Some(e)) = (d.as_object_mut(), extra.as_object()) {
            d.extend(e.clone());
        }
        d
    };
    let cid = Some(row.customer_id.as_str());
    Ok(match outcome {
        Outcome::Delivered(note) => {
            outbox::mark_sent(tx.conn, row.id, &tx.at(), to)?;
            tx.event(
                EventKind::MailSent,
                cid,
                format!("{what} sent to {to} ({via})"),
                data(json!({"note": note})),
            )?;
            line(row, to, "sent", note.clone())
        }
        Outcome::Failed(err) => {
            outbox::mark_failed(tx.conn, row.id, err)?;
            tx.event(
                EventKind::MailFailed,
                cid,
                format!(
                    "{what} to {to} not sent (attempt {attempt}): {err}; it stays pending and the next send retries it"
                ),
                data(json!({"error": err, "in_doubt": false})),
            )?;
            line(row, to, "failed", err.clone())
        }
        Outcome::InDoubt(err) => {
            outbox::mark_in_doubt(tx.conn, row.id, err)?;
            tx.event(
                EventKind::MailFailed,
                cid,
                format!(
                    "{what} to {to}: delivery in doubt ({err}); it is not sent again by itself — check whether it arrived, then `arq outbox confirm {0}` or `arq outbox retry {0}`",
                    row.id
                ),
                data(json!({"error": err, "in_doubt": true})),
            )?;
            line(row, to, "in_doubt", err.clone())
        }
    })
}
