//! What a collector records in a conversation: calls, notes, promises to pay,
//! callbacks — one at a time, or together as a call wrap-up in one transaction.

use chrono::NaiveDate;
use serde_json::json;

use super::items::finish_task;
use super::promises::write_promise;
use super::{Result, ServiceError, Session, Tx, non_empty};
use crate::domain::{CallOutcome, EventKind, ItemAction, Money, Reason};
use crate::store::{activity, snapshot, strategies, tasks};
use crate::strategy::Assignee;
use crate::strategy::engine::strategy_for;

/// What logging a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLogged {
    pub call_id: i64,
    /// Queue items the call finished.
    pub finished: Vec<i64>,
}

/// What a call leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    None,
    Promise { amount: Money, date: NaiveDate },
    Callback { date: NaiveDate },
}

/// What a wrap-up recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapUp {
    pub call: CallLogged,
    pub promise_id: Option<i64>,
    pub callback_id: Option<i64>,
}

fn check_callback(date: NaiveDate, as_of: NaiveDate) -> Result<()> {
    if date < as_of {
        return Err(ServiceError::Invalid(format!(
            "the callback date {date} is before today ({as_of})"
        )));
    }
    Ok(())
}

fn write_call(
    tx: &mut Tx<'_>,
    customer_id: &str,
    outcome: CallOutcome,
    note: &str,
    item: Option<i64>,
) -> Result<CallLogged> {
    let as_of = tx.as_of;
    let (at, by) = (tx.at(), tx.actor.clone());
    let call = activity::NewCall {
        customer_id,
        on_date: as_of,
        at: &at,
        by: &by,
        outcome,
        note,
    };
    let call_id = activity::insert_call(tx.conn, &call)?;
    let detail = if note.is_empty() {
        format!("call: {outcome}")
    } else {
        format!("call: {outcome} — {note}")
    };
    tx.event(
        EventKind::Call,
        Some(customer_id),
        detail,
        json!({"call_id": call_id, "outcome": outcome, "note": note}),
    )?;
    let mut finished = Vec::new();
    for t in tasks::open_for_customer(tx.conn, customer_id, as_of)? {
        let is_call_step = t.step_index.is_some() && t.action == ItemAction::Call && t.due <= as_of;
        let is_item = item == Some(t.id) && t.reason != Reason::Approval;
        if is_call_step || is_item {
            finish_task(tx, &t, &format!("call logged: {outcome}"))?;
            finished.push(t.id);
        }
    }
    Ok(CallLogged { call_id, finished })
}

/// What a callback's item says when the person wrote no note of their own: what
/// happened on the call that led to it (a callback after no answer was not agreed).
fn callback_text(after: Option<CallOutcome>, on: NaiveDate) -> String {
    match after {
        None => "call back".to_string(),
        Some(CallOutcome::Reached) => "call back as agreed".to_string(),
        Some(CallOutcome::Voicemail) => format!("call again: left a voicemail on {on}"),
        Some(CallOutcome::NoAnswer) => format!("call again: no answer on {on}"),
        Some(CallOutcome::WrongNumber) => {
            format!("call again: wrong number on {on}, check the number first")
        }
        Some(CallOutcome::Refused) => format!("call again: refused to talk on {on}"),
    }
}

/// A callback item for the owner; `text` says what to do (see `callback_text`).
fn write_callback(tx: &mut Tx<'_>, customer_id: &str, date: NaiveDate, text: &str) -> Result<i64> {
    let by = tx.actor.clone();
    let id = tasks::insert(
        tx.conn,
        &tasks::NewTask {
            customer_id,
            reason: Reason::Callback,
            action: ItemAction::Call,
            assignee: Assignee::Owner,
            cycle_id: None,
            step_index: None,
            step_id: None,
            ref_id: None,
            note: text,
            due: date,
            created_on: tx.as_of,
            created_by: &by,
        },
    )?;
    tx.event(
        EventKind::Callback,
        Some(customer_id),
        format!("callback #{id} on {date}: {text}"),
        json!({"task_id": id, "date": date}),
    )?;
    Ok(id)
}

impl Session {
    /// Logs a call. It finishes the account's due `call` step task (whatever the
    /// outcome) and, when `item` names one of the account's open items (the one the
    /// collector was working in the terminal app), that item too.
    pub fn log_call(
        &mut self,
        customer_id: &str,
        outcome: CallOutcome,
        note: &str,
        item: Option<i64>,
    ) -> Result<CallLogged> {
        let c = self.visible_customer(customer_id)?;
        self.check_item(item)?;
        let note = note.trim().to_string();
        self.write(|tx| write_call(tx, &c.id, outcome, &note, item))
    }

    /// A call wrap-up: the call, its note and what it led to (a promise or a
    /// callback), all in one transaction — all of it is recorded or none.
    pub fn wrap_up(
        &mut self,
        customer_id: &str,
        item: Option<i64>,
        outcome: CallOutcome,
        note: &str,
        follow: &FollowUp,
    ) -> Result<WrapUp> {
        let c = self.visible_customer(customer_id)?;
        self.check_item(item)?;
        let as_of = self.as_of;
        match follow {
            FollowUp::Promise { amount, date } => self.check_promise(&c.id, *amount, *date)?,
            FollowUp::Callback { date } => check_callback(*date, as_of)?,
            FollowUp::None => {}
        }
        let grace = self.grace_days(&c.id)?;
        let note = note.trim().to_string();
        self.write(|tx| {
            let call = write_call(tx, &c.id, outcome, &note, item)?;
            let (mut promise_id, mut callback_id) = (None, None);
            match follow {
                FollowUp::Promise { amount, date } => {
                    promise_id = Some(write_promise(tx, &c.id, *amount, *date, "", grace)?)
                }
                FollowUp::Callback { date } => {
                    let text = callback_text(Some(outcome), as_of);
                    callback_id = Some(write_callback(tx, &c.id, *date, &text)?)
                }
                FollowUp::None => {}
            }
            Ok(WrapUp {
                call,
                promise_id,
                callback_id,
            })
        })
    }

    /// Adds a free-text note to the account's timeline.
    pub fn log_note(&mut self, customer_id: &str, text: &str) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        let text = non_empty("the note", text)?.to_string();
        self.write(|tx| {
            tx.event(
                EventKind::Note,
                Some(&c.id),
                format!("note: {text}"),
                json!({"text": text}),
            )
        })
    }

    /// The grace days of the strategy the account follows.
    pub(super) fn grace_days(&self, customer_id: &str) -> Result<u32> {
        let conn = self.store.conn();
        let book = strategies::book(conn)?;
        let data = snapshot::load_one(conn, customer_id, self.as_of)?
            .ok_or_else(|| ServiceError::NoCustomer(customer_id.to_string()))?;
        Ok(strategy_for(&data.state(self.as_of), &book).map_or(2, |s| s.grace_days))
    }

    /// A call may name the item it was made for, which it then finishes: a
    /// collector cannot close a supervisor's item that way. (An item closed
    /// meanwhile, say by an earlier call on the same account, is simply left alone.)
    fn check_item(&self, item: Option<i64>) -> Result<()> {
        if let Some(id) = item
            && let Some(t) = tasks::get(self.store.conn(), id)?
            && t.assignee == Assignee::Supervisor
        {
            self.require_supervisor("finish supervisor items")?;
        }
        Ok(())
    }

    /// Schedules a callback: a queue item for the owner on `date`.
    pub fn schedule_callback(
        &mut self,
        customer_id: &str,
        date: NaiveDate,
        note: &str,
    ) -> Result<i64> {
        let c = self.visible_customer(customer_id)?;
        check_callback(date, self.as_of)?;
        let text = match note.trim() {
            "" => callback_text(None, self.as_of),
            note => note.to_string(),
        };
        self.write(|tx| write_callback(tx, &c.id, date, &text))
    }
}
