//! What the record says the state tables hold: the events read once, in order, into
//! payments, calls, promises, holds and disputes by id, each customer's last
//! assignment, each user's role, and the balance raises imports recorded.

use std::collections::{BTreeMap, HashMap};

use crate::store::db::Db;
use chrono::NaiveDate;
use serde_json::Value;

use super::Found;
use crate::domain::{EventKind, Money};
use crate::store::Result;

fn money(v: Option<&Value>) -> Option<Money> {
    match v? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

/// What the record says a payment is.
pub(super) struct PaymentEv {
    pub(super) seq: i64,
    pub(super) customer: Option<String>,
    pub(super) amount: Option<Money>,
    pub(super) date: Option<NaiveDate>,
    /// `Some(None)`: the event says it named no invoice.
    pub(super) invoice: Option<Option<String>>,
    pub(super) applied: Option<Vec<(String, Money)>>,
    pub(super) unapplied: Option<Money>,
}

pub(super) struct CallEv {
    pub(super) seq: i64,
    pub(super) customer: Option<String>,
    pub(super) by: String,
    pub(super) on: NaiveDate,
    pub(super) outcome: Option<String>,
    pub(super) note: Option<String>,
}

pub(super) struct PromiseEv {
    pub(super) seq: i64,
    pub(super) customer: Option<String>,
    pub(super) by: String,
    pub(super) taken_on: NaiveDate,
    pub(super) amount: Option<Money>,
    pub(super) date: Option<NaiveDate>,
    pub(super) grace: Option<i64>,
    pub(super) status: &'static str,
    pub(super) paid: Option<Money>,
}

pub(super) struct HoldEv {
    pub(super) seq: i64,
    pub(super) customer: Option<String>,
    pub(super) set_on: NaiveDate,
    pub(super) reason: Option<String>,
    pub(super) released: Option<NaiveDate>,
}

pub(super) struct DisputeEv {
    pub(super) seq: i64,
    pub(super) customer: Option<String>,
    pub(super) invoice: Option<String>,
    pub(super) amount: Option<Money>,
    pub(super) status: String,
    pub(super) credited: Money,
}

/// The state the record describes.
#[derive(Default)]
pub(super) struct Replay {
    pub(super) payments: HashMap<String, PaymentEv>,
    pub(super) calls: HashMap<i64, CallEv>,
    pub(super) promises: HashMap<i64, PromiseEv>,
    pub(super) holds: HashMap<i64, HoldEv>,
    pub(super) disputes: HashMap<i64, DisputeEv>,
    /// Customer → (event, collector it was last assigned to).
    pub(super) owners: HashMap<String, (i64, Option<String>)>,
    /// User → (event, role).
    pub(super) roles: BTreeMap<String, (i64, String)>,
    /// Invoice → what import adjustments raised its balance by.
    pub(super) raised: HashMap<String, (i64, Money)>,
    /// Invoice → what credits read from an accounting report (credit memos, credit
    /// notes) took off it.
    pub(super) credited: HashMap<String, (i64, Money)>,
}

const KINDS: &[EventKind] = &[
    EventKind::Payment,
    EventKind::Call,
    EventKind::Promise,
    EventKind::PromiseKept,
    EventKind::PromisePartiallyKept,
    EventKind::PromiseBroken,
    EventKind::PromiseReplaced,
    EventKind::PromiseCancelled,
    EventKind::HoldSet,
    EventKind::HoldReleased,
    EventKind::DisputeOpened,
    EventKind::DisputeResolved,
    EventKind::Assigned,
    EventKind::UserAdded,
    EventKind::RoleChanged,
    EventKind::Adjustment,
];

pub(super) fn replay<'c>(conn: impl Into<Db<'c>>, found: &mut Found) -> Result<Replay> {
    let conn: Db<'c> = conn.into();
    let kinds: Vec<String> = KINDS.iter().map(|k| format!("'{}'", k.as_str())).collect();
    let sql = format!(
        "SELECT seq, kind, actor, customer_id, on_date, data FROM events WHERE kind IN ({}) ORDER BY seq",
        kinds.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut r = Replay::default();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let kind: EventKind = row.get(1)?;
        let actor: String = row.get(2)?;
        let customer: Option<String> = row.get(3)?;
        let on: NaiveDate = row.get(4)?;
        let raw: String = row.get(5)?;
        let Ok(data) = serde_json::from_str::<Value>(&raw) else {
            found.add(
                "events",
                format!("#{seq}"),
                "its data is not JSON",
                Some(seq),
            );
            continue;
        };
        let d = |k: &str| data.get(k);
        match kind {
            EventKind::Payment => {
                let Some(id) = text(d("payment_id")) else {
                    continue;
                };
                let applied = d("applied").and_then(Value::as_array).map(|list| {
                    list.iter()
                        .filter_map(|s| Some((text(s.get("invoice_no"))?, money(s.get("amount"))?)))
                        .collect()
                });
                r.payments.insert(
                    id,
                    PaymentEv {
                        seq,
                        customer,
                        amount: money(d("amount")),
                        date: text(d("date")).and_then(|s| s.parse().ok()),
                        invoice: d("invoice_no").map(|v| v.as_str().map(str::to_string)),
                        applied,
                        unapplied: money(d("unapplied")),
                    },
                );
            }
            EventKind::Call => {
                if let Some(id) = int(d("call_id")) {
                    r.calls.insert(
                        id,
                        CallEv {
                            seq,
                            customer,
                            by: actor,
                            on,
                            outcome: text(d("outcome")),
                            note: text(d("note")),
                        },
                    );
                }
            }
            EventKind::Promise => {
                if let Some(id) = int(d("promise_id")) {
                    r.promises.insert(
                        id,
                        PromiseEv {
                            seq,
                            customer,
                            by: actor,
                            taken_on: on,
                            amount: money(d("amount")),
                            date: text(d("date")).and_then(|s| s.parse().ok()),
                            grace: int(d("grace_days")),
                            status: "open",
                            paid: None,
                        },
                    );
                }
            }
            EventKind::PromiseKept | EventKind::PromisePartiallyKept | EventKind::PromiseBroken => {
                if let Some(p) = int(d("promise_id")).and_then(|id| r.promises.get_mut(&id)) {
                    p.status = match kind {
                        EventKind::PromiseKept => "kept",
                        EventKind::PromisePartiallyKept => "partially_kept",
                        _ => "broken",
                    };
                    p.paid = money(d("paid"));
                }
            }
            // A promise set aside before its date: no payment is judged against it.
            EventKind::PromiseReplaced | EventKind::PromiseCancelled => {
                if let Some(p) = int(d("promise_id")).and_then(|id| r.promises.get_mut(&id)) {
                    p.status = if kind == EventKind::PromiseReplaced {
                        "replaced"
                    } else {
                        "cancelled"
                    };
                }
            }
            EventKind::HoldSet => {
                if let Some(id) = int(d("hold_id")) {
                    r.holds.insert(
                        id,
                        HoldEv {
                            seq,
                            customer,
                            set_on: on,
                            reason: text(d("reason")),
                            released: None,
                        },
                    );
                }
            }
            EventKind::HoldReleased => {
                if let Some(h) = int(d("hold_id")).and_then(|id| r.holds.get_mut(&id)) {
                    h.released = Some(on);
                }
            }
            EventKind::DisputeOpened => {
                if let Some(id) = int(d("dispute_id")) {
                    r.disputes.insert(
                        id,
                        DisputeEv {
                            seq,
                            customer,
                            invoice: text(d("invoice_no")),
                            amount: money(d("amount")),
                            status: "open".into(),
                            credited: Money::ZERO,
                        },
                    );
                }
            }
            EventKind::DisputeResolved => {
                if let Some(x) = int(d("dispute_id")).and_then(|id| r.disputes.get_mut(&id)) {
                    x.status = text(d("outcome")).unwrap_or_default();
                    x.credited = money(d("credited")).unwrap_or(Money::ZERO);
                }
            }
            EventKind::Assigned => {
                if let Some(c) = customer {
                    r.owners.insert(c, (seq, text(d("to"))));
                }
            }
            EventKind::UserAdded => {
                if let (Some(u), Some(role)) = (text(d("user")), text(d("role"))) {
                    r.roles.insert(u, (seq, role));
                }
            }
            EventKind::RoleChanged => {
                if let (Some(u), Some(role)) = (text(d("user")), text(d("to"))) {
                    r.roles.insert(u, (seq, role));
                }
            }
            EventKind::Adjustment if d("credit").is_some() => {
                for share in d("applied").and_then(Value::as_array).into_iter().flatten() {
                    if let (Some(no), Some(amount)) =
                        (text(share.get("invoice_no")), money(share.get("amount")))
                    {
                        let e = r.credited.entry(no).or_insert((seq, Money::ZERO));
                        e.0 = seq;
                        e.1 += amount;
                    }
                }
            }
            EventKind::Adjustment => {
                if text(d("field")).as_deref() == Some("balance")
                    && let (Some(no), Some(from), Some(to)) =
                        (text(d("invoice_no")), money(d("from")), money(d("to")))
                {
                    let e = r.raised.entry(no).or_insert((seq, Money::ZERO));
                    e.0 = seq;
                    e.1 += to - from;
                }
            }
            _ => {}
        }
    }
    Ok(r)
}
