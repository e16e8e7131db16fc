//! Delivering the outbox (`arq outbox send`, and the end of `arq run`).
//!
//! Pending messages go in batches, oldest first. For each batch one short write
//! transaction re-checks every customer *now* — opted out of the channel, white glove
//! (for automatic messages), cured or paused since the reminder was queued, no contact
//! left, or too old — with a few set queries for the whole batch, cancels what must
//! not go (with a `mail_cancelled` event) and claims the rest (`pending` → `sending`).
//! The transports then deliver the batch with no transaction open, the file-writing
//! ones make their files durable together, and a second short transaction records
//! every outcome: `sent` with a `mail_sent` event, or back to `pending` with its error
//! and a `mail_failed` event. A delivery whose outcome is unknown stays `sending` ("in
//! doubt") and is never sent again without a person deciding; see `docs/MAIL.md`.
//! So the cost of a message does not grow with the outbox: no statement walks it.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::channels::Transports;
use super::checks::{Cancel, Context, cancel_reason, later_message};
use super::transport::{Outcome, Outgoing};
use crate::domain::{Channel, EventKind};
use crate::progress::{Progress, Silent, Unit};
use crate::service::{Result, ServiceError, Session, Tx};
use crate::store::outbox::{self, OutboxRow};
use crate::store::snapshot::{self, RecheckFacts, numbers_json};
use crate::store::{customers, strategies};
use crate::strategy::StrategyBook;

/// Messages claimed together: one claim and one record transaction per batch.
pub const BATCH: usize = 256;
/// At most this many messages of a batch go through transports where a crash between
/// claim and record leaves them in doubt for a person (SMTP, SMS); file-writing
/// transports finish a stopped send's claims by themselves.
pub const BATCH_IN_DOUBT: usize = 16;

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
    send_pending_with(s, &Silent)
}

/// [`send_pending`], telling `progress` how far it got.
pub fn send_pending_with(s: &mut Session, progress: &dyn Progress) -> Result<SendReport> {
    let mut t = Transports::from_config(s.config(), s.store().path());
    deliver(s, None, &mut t, progress)
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
    deliver(s, only, t, &Silent)
}

fn deliver(
    s: &mut Session,
    only: Option<i64>,
    t: &mut Transports,
    progress: &dyn Progress,
) -> Result<SendReport> {
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
    // What was pending when the send began: messages queued meanwhile wait for the
    // next send, and a message that fails now is not retried by this one.
    let (mut after, upto) = match only {
        Some(id) => (id - 1, id),
        None => (0, outbox::last_pending_id(s.store().conn())?),
    };
    let total = match only {
        Some(_) => 1,
        None => outbox::count_pending(s.store().conn(), upto)?,
    };
    progress.phase("delivering", Some(total), Unit::Messages);
    let mut queue: VecDeque<OutboxRow> = VecDeque::new();
    let mut exhausted = false;
    let result: Result<()> = (|| {
        loop {
            if queue.len() < BATCH && !exhausted {
                let page = outbox::pending_page(s.store().conn(), after, upto, BATCH)?;
                exhausted = page.len() < BATCH;
                if let Some(last) = page.last() {
                    after = last.id;
                }
                let before = queue.len() + page.len();
                queue.extend(page.into_iter().filter(|r| may(&r.customer_id)));
                progress.advance((before - queue.len()) as u64);
            }
            let batch = next_batch(&mut queue, t);
            if batch.is_empty() {
                return Ok(());
            }
            let n = batch.len() as u64;
            send_batch(s, batch, &book, t, &mut report)?;
            progress.advance(n);
        }
    })();
    t.finish(s.as_of(), &mut report);
    result?;
    for row in outbox::with_status(s.store().conn(), "sending")? {
        if may(&row.customer_id) {
            report.waiting_in_doubt.push(row.id);
        }
    }
    Ok(report)
}

/// The next batch from the front of `queue`: up to [`BATCH`] messages, of which at
/// most [`BATCH_IN_DOUBT`] go through transports that cannot finish a stopped send.
fn next_batch(queue: &mut VecDeque<OutboxRow>, t: &mut Transports) -> Vec<OutboxRow> {
    let mut batch = Vec::new();
    let mut risky = 0;
    while let Some(row) = queue.front() {
        let idempotent = t.get(row.channel).idempotent();
        if batch.len() == BATCH || (!idempotent && risky == BATCH_IN_DOUBT) {
            break;
        }
        risky += usize::from(!idempotent);
        if let Some(row) = queue.pop_front() {
            batch.push(row);
        }
    }
    batch
}

/// Claims left by a send that stopped, on transports where delivering again is
/// harmless, go back to pending so this send finishes them.
fn recover_stale_claims(
    s: &mut Session,
    t: &mut Transports,
    may: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let stale: Vec<OutboxRow> = outbox::with_status(s.store().conn(), "sending")?
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

/// A claimed message and where it goes now.
struct Going {
    row: OutboxRow,
    to: String,
    name: String,
    address: Option<String>,
}

impl Going {
    /// The recipient as reports show it (a letter's postal address on one line).
    fn shown_to(&self) -> String {
        match (self.row.channel, &self.address) {
            (Channel::Letter, Some(a)) => {
                format!(
                    "{}, {}",
                    self.name,
                    a.lines().collect::<Vec<_>>().join(", ")
                )
            }
            _ => self.to.clone(),
        }
    }
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

/// Re-checks, claims, delivers and records one batch of messages.
fn send_batch(
    s: &mut Session,
    rows: Vec<OutboxRow>,
    book: &StrategyBook,
    t: &mut Transports,
    report: &mut SendReport,
) -> Result<()> {
    let as_of = s.as_of();
    let cx = Context {
        book,
        as_of,
        max_age: s.config().mail.max_age_days,
    };
    let (going, cancelled) = s.write(|tx| claim(tx, rows, &cx))?;
    for l in cancelled {
        report.push(l);
    }
    if going.is_empty() {
        return Ok(());
    }
    let mut outcomes: Vec<(Channel, &'static str, Outcome)> = Vec::with_capacity(going.len());
    for g in &going {
        let transport = t.get(g.row.channel);
        let outcome = transport.deliver(&Outgoing {
            row: &g.row,
            to: &g.to,
            customer_name: &g.name,
            address: g.address.as_deref(),
            as_of,
        });
        outcomes.push((g.row.channel, transport.name(), outcome));
    }
    // Nothing is recorded as sent before its file is on disk.
    let mut unsettled: HashMap<Channel, String> = HashMap::new();
    for channel in [Channel::Email, Channel::Sms, Channel::Letter] {
        if outcomes.iter().any(|(c, _, _)| *c == channel)
            && let Err(e) = t.get(channel).settle()
        {
            unsettled.insert(channel, e);
        }
    }
    for (channel, _, outcome) in &mut outcomes {
        if let (Some(e), Outcome::Delivered(_)) = (unsettled.get(channel), &outcome) {
            *outcome = Outcome::Failed(e.clone());
        }
    }
    let lines = s.write(|tx| {
        going
            .iter()
            .zip(&outcomes)
            .map(|(g, (_, via, outcome))| {
                record(tx, &g.row, &g.shown_to(), via, g.row.attempts + 1, outcome)
            })
            .collect::<Result<Vec<_>>>()
    })?;
    for l in lines {
        report.push(l);
    }
    Ok(())
}

/// In one transaction: which of `rows` are still pending, the facts about their
/// accounts now, the cancellation of those that must not go, and the claim of the
/// rest. A fixed number of statements per batch, plus two per cancelled message.
fn claim(
    tx: &mut Tx<'_>,
    rows: Vec<OutboxRow>,
    cx: &Context<'_>,
) -> Result<(Vec<Going>, Vec<SendLine>)> {
    let ids = numbers_json(rows.iter().map(|r| r.id));
    let pending: HashMap<i64, i64> = outbox::still_pending(tx.conn, &ids)?.into_iter().collect();
    let rows: Vec<OutboxRow> = rows
        .into_iter()
        .filter_map(|mut r| {
            let attempts = *pending.get(&r.id)?;
            r.attempts = attempts;
            Some(r)
        })
        .collect();
    let mut customer_ids: Vec<&str> = rows.iter().map(|r| r.customer_id.as_str()).collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    let facts: HashMap<String, RecheckFacts> =
        snapshot::recheck_facts(tx.conn, &customer_ids, cx.as_of)?;
    let mut cycles: Vec<i64> = rows.iter().filter_map(|r| r.cycle_id).collect();
    cycles.sort_unstable();
    cycles.dedup();
    let mut by_cycle: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    if !cycles.is_empty() {
        let json = numbers_json(cycles);
        for (cycle, step, id) in outbox::cycle_messages(tx.conn, &json)? {
            by_cycle.entry(cycle).or_default().push((step, id));
        }
    }
    let mut going = Vec::with_capacity(rows.len());
    let mut cancelled = Vec::new();
    for row in rows {
        let Some(f) = facts.get(&row.customer_id) else {
            continue;
        };
        let later = match (row.cycle_id, row.step_index) {
            (Some(c), Some(step)) => by_cycle.get(&c).and_then(|m| later_message(m, step)),
            _ => None,
        };
        if let Some(Cancel { kind, why }) = cancel_reason(&row, f, later, cx) {
            outbox::cancel_unsent(tx.conn, row.id, &why)?;
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
            cancelled.push(l);
            continue;
        }
        going.push(Going {
            to: f.customer.recipient(row.channel).to_string(),
            name: f.customer.name.clone(),
            address: f.address.clone(),
            row,
        });
    }
    let claim_ids = numbers_json(going.iter().map(|g| g.row.id));
    outbox::claim_all(tx.conn, &claim_ids, &tx.at())?;
    Ok((going, cancelled))
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
