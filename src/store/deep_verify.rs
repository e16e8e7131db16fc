//! `arq audit verify --deep`: every state table checked against what the record
//! says. The events are read once and replayed into what the tables must hold —
//! payments and how they were applied, credits and adjustments, each customer's
//! collector, each user's role, calls, promises, holds and disputes — and every row
//! that disagrees, or that the record never mentions, is named.
//!
//! Ledger rows that arrive in bulk (invoices from an import, payments an import
//! infers from a lower balance, a demo's history) carry no event of their own; they
//! are checked against each other instead: an invoice's balance is its amount less
//! its allocations, and such a payment is applied in full.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use super::Result;
use crate::domain::{EventKind, Money};

/// One row that does not agree with the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The table the row is in (or should be in).
    pub table: &'static str,
    /// The row's key: `P-0001`, `INV-1001`, `#12`, a user or customer id.
    pub row: String,
    pub what: String,
    /// The event that says otherwise, when one does.
    pub event: Option<i64>,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.table, self.row, self.what)?;
        if let Some(seq) = self.event {
            write!(f, " (event {seq})")?;
        }
        Ok(())
    }
}

struct Found(Vec<Disagreement>);

impl Found {
    fn add(
        &mut self,
        table: &'static str,
        row: impl Into<String>,
        what: impl Into<String>,
        event: Option<i64>,
    ) {
        self.0.push(Disagreement {
            table,
            row: row.into(),
            what: what.into(),
            event,
        });
    }
}

// ------------------------------------------------------------- reading events

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
struct PaymentEv {
    seq: i64,
    customer: Option<String>,
    amount: Option<Money>,
    date: Option<NaiveDate>,
    /// `Some(None)`: the event says it named no invoice.
    invoice: Option<Option<String>>,
    applied: Option<Vec<(String, Money)>>,
    unapplied: Option<Money>,
}

struct CallEv {
    seq: i64,
    customer: Option<String>,
    by: String,
    on: NaiveDate,
    outcome: Option<String>,
    note: Option<String>,
}

struct PromiseEv {
    seq: i64,
    customer: Option<String>,
    by: String,
    taken_on: NaiveDate,
    amount: Option<Money>,
    date: Option<NaiveDate>,
    grace: Option<i64>,
    status: &'static str,
    paid: Option<Money>,
}

struct HoldEv {
    seq: i64,
    customer: Option<String>,
    set_on: NaiveDate,
    reason: Option<String>,
    released: Option<NaiveDate>,
}

struct DisputeEv {
    seq: i64,
    customer: Option<String>,
    invoice: Option<String>,
    amount: Option<Money>,
    status: String,
    credited: Money,
}

/// The state the record describes.
#[derive(Default)]
struct Replay {
    payments: HashMap<String, PaymentEv>,
    calls: HashMap<i64, CallEv>,
    promises: HashMap<i64, PromiseEv>,
    holds: HashMap<i64, HoldEv>,
    disputes: HashMap<i64, DisputeEv>,
    /// Customer → (event, collector it was last assigned to).
    owners: HashMap<String, (i64, Option<String>)>,
    /// User → (event, role).
    roles: BTreeMap<String, (i64, String)>,
    /// Invoice → what import adjustments raised its balance by.
    raised: HashMap<String, (i64, Money)>,
}

const KINDS: &[EventKind] = &[
    EventKind::Payment,
    EventKind::Call,
    EventKind::Promise,
    EventKind::PromiseKept,
    EventKind::PromisePartiallyKept,
    EventKind::PromiseBroken,
    EventKind::HoldSet,
    EventKind::HoldReleased,
    EventKind::DisputeOpened,
    EventKind::DisputeResolved,
    EventKind::Assigned,
    EventKind::UserAdded,
    EventKind::RoleChanged,
    EventKind::Adjustment,
];

fn replay(conn: &Connection, found: &mut Found) -> Result<Replay> {
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

// ------------------------------------------------------------- comparing tables

fn differs<T: PartialEq + std::fmt::Display>(
    out: &mut Vec<String>,
    field: &str,
    table_value: T,
    record: Option<T>,
) {
    if let Some(want) = record
        && want != table_value
    {
        out.push(format!("{field} is {table_value}, the record says {want}"));
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(none)".to_string())
}

fn balances(conn: &Connection, f: &mut Found) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT i.invoice_no, i.amount, i.balance, COALESCE(a.total, 0)
         FROM invoices i LEFT JOIN (SELECT invoice_no, SUM(amount) AS total FROM allocations GROUP BY invoice_no) a
           ON a.invoice_no = i.invoice_no
         WHERE i.balance <> i.amount - COALESCE(a.total, 0)",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (no, amount, balance, allocated): (String, Money, Money, Money) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        f.add(
            "invoices",
            no,
            format!(
                "balance is {balance}, but its amount {amount} less its allocations {allocated} is {}",
                amount - allocated
            ),
            None,
        );
    }
    let mut stmt = conn.prepare(
        "SELECT a.id, a.invoice_no, a.payment_id, a.kind,
                (SELECT 1 FROM invoices i WHERE i.invoice_no = a.invoice_no),
                (SELECT 1 FROM payments p WHERE p.payment_id = a.payment_id)
         FROM allocations a
         WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.invoice_no = a.invoice_no)
            OR (a.payment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = a.payment_id))
            OR (a.kind = 'payment' AND a.payment_id IS NULL)",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let no: String = r.get(1)?;
        let payment: Option<String> = r.get(2)?;
        let kind: String = r.get(3)?;
        let has_invoice: Option<i64> = r.get(4)?;
        let has_payment: Option<i64> = r.get(5)?;
        let what = if has_invoice.is_none() {
            format!("names invoice {no}, which does not exist")
        } else if let (Some(p), None) = (&payment, has_payment) {
            format!("names payment {p}, which does not exist")
        } else {
            format!("is a {kind} allocation on {no} with no payment")
        };
        f.add("allocations", format!("#{id}"), what, None);
    }
    Ok(())
}

fn payments(conn: &Connection, r: &mut Replay, f: &mut Found) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT p.payment_id, p.customer_id, p.date, p.amount, p.invoice_no, COALESCE(a.total, 0)
         FROM payments p LEFT JOIN (SELECT payment_id, SUM(amount) AS total FROM allocations
                                    WHERE payment_id IS NOT NULL GROUP BY payment_id) a
           ON a.payment_id = p.payment_id",
    )?;
    let mut shares = conn.prepare(
        "SELECT invoice_no, SUM(amount) FROM allocations WHERE payment_id = ?1 GROUP BY invoice_no ORDER BY invoice_no",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let customer: String = row.get(1)?;
        let date: NaiveDate = row.get(2)?;
        let amount: Money = row.get(3)?;
        let invoice: Option<String> = row.get(4)?;
        let applied: Money = row.get(5)?;
        if applied > amount {
            f.add(
                "payments",
                &id,
                format!("amount is {amount}, but {applied} of it is applied to invoices"),
                None,
            );
        }
        let Some(ev) = r.payments.remove(&id) else {
            if applied != amount {
                f.add(
                    "payments",
                    &id,
                    format!("no event records it, and only {applied} of its {amount} is applied"),
                    None,
                );
            }
            continue;
        };
        let mut why = Vec::new();
        differs(&mut why, "amount", amount, ev.amount);
        differs(&mut why, "customer", customer.clone(), ev.customer.clone());
        differs(&mut why, "date", date, ev.date);
        if let Some(want) = &ev.invoice
            && want != &invoice
        {
            why.push(format!(
                "invoice is {}, the record says {}",
                opt(&invoice),
                opt(want)
            ));
        }
        if let Some(u) = ev.unapplied
            && let Some(a) = ev.amount
            && applied != a - u
        {
            why.push(format!(
                "{applied} is applied to invoices, the record says {}",
                a - u
            ));
        }
        if let Some(want) = &ev.applied {
            let mut want = want.clone();
            want.sort();
            let have: Vec<(String, Money)> = shares
                .query_map([&id], |x| Ok((x.get(0)?, x.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            if have != want {
                let show = |v: &[(String, Money)]| {
                    v.iter()
                        .map(|(n, m)| format!("{m} to {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                why.push(format!(
                    "it is applied as [{}], the record says [{}]",
                    show(&have),
                    show(&want)
                ));
            }
        }
        for w in why {
            f.add("payments", &id, w, Some(ev.seq));
        }
    }
    let mut left: Vec<(String, PaymentEv)> = r.payments.drain().collect();
    left.sort_by_key(|(_, e)| e.seq);
    for (id, ev) in left {
        f.add(
            "payments",
            id,
            "is recorded but missing from the table",
            Some(ev.seq),
        );
    }
    Ok(())
}

/// Credits (valid disputes) and adjustments (import raising a balance) per invoice.
fn credits_and_adjustments(conn: &Connection, r: &Replay, f: &mut Found) -> Result<()> {
    let mut credited: HashMap<String, (i64, Money)> = HashMap::new();
    for d in r.disputes.values() {
        if let Some(no) = &d.invoice
            && d.credited.is_positive()
        {
            let e = credited.entry(no.clone()).or_insert((d.seq, Money::ZERO));
            e.1 += d.credited;
        }
    }
    for (kind, want, sign) in [("credit", &credited, 1), ("adjustment", &r.raised, -1)] {
        let mut want: HashMap<String, (i64, Money)> = want.clone();
        let mut stmt = conn.prepare(
            "SELECT invoice_no, SUM(amount) FROM allocations WHERE kind = ?1 GROUP BY invoice_no ORDER BY invoice_no",
        )?;
        let mut rows = stmt.query([kind])?;
        while let Some(row) = rows.next()? {
            let no: String = row.get(0)?;
            let total: Money = row.get(1)?;
            let expected = want.remove(&no);
            let w = expected.map_or(Money::ZERO, |(_, m)| if sign < 0 { -m } else { m });
            if total != w {
                f.add(
                    "allocations",
                    &no,
                    format!("{kind} allocations total {total}, the record says {w}"),
                    expected.map(|(s, _)| s),
                );
            }
        }
        let mut left: Vec<(String, (i64, Money))> = want
            .into_iter()
            .filter(|(_, (_, m))| !m.is_zero())
            .collect();
        left.sort();
        for (no, (seq, m)) in left {
            f.add(
                "allocations",
                no,
                format!("the record has a {kind} of {m}, the table has none"),
                Some(seq),
            );
        }
    }
    Ok(())
}

fn owners(conn: &Connection, r: &Replay, f: &mut Found) -> Result<()> {
    let mut stmt = conn.prepare("SELECT id, owner FROM customers ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let owner: Option<String> = row.get(1)?;
        match r.owners.get(&id) {
            Some((seq, want)) if *want != owner => f.add(
                "customers",
                id,
                format!(
                    "collector is {}, the record last assigned it to {}",
                    opt(&owner),
                    opt(want)
                ),
                Some(*seq),
            ),
            None if owner.is_some() => f.add(
                "customers",
                id,
                format!(
                    "collector is {}, but the record never assigned it",
                    opt(&owner)
                ),
                None,
            ),
            _ => {}
        }
    }
    Ok(())
}

fn roles(conn: &Connection, r: &Replay, f: &mut Found) -> Result<()> {
    let mut want = r.roles.clone();
    let mut stmt = conn.prepare("SELECT name, role FROM users ORDER BY name")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        let role: String = row.get(1)?;
        match want.remove(&name) {
            Some((seq, w)) if w != role => f.add(
                "users",
                name,
                format!("role is {role}, the record says {w}"),
                Some(seq),
            ),
            Some(_) => {}
            None => f.add(
                "users",
                name,
                format!("is a {role}, but the record never added them"),
                None,
            ),
        }
    }
    for (name, (seq, role)) in want {
        f.add(
            "users",
            name,
            format!("was added as {role} but is missing from the table"),
            Some(seq),
        );
    }
    Ok(())
}

fn calls(conn: &Connection, r: &mut Replay, f: &mut Found) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT id, customer_id, on_date, by, outcome, note FROM calls ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let Some(ev) = r.calls.remove(&id) else {
            f.add("calls", format!("#{id}"), "is not in the record", None);
            continue;
        };
        let mut why = Vec::new();
        differs(&mut why, "customer", row.get::<_, String>(1)?, ev.customer);
        differs(&mut why, "date", row.get::<_, NaiveDate>(2)?, Some(ev.on));
        differs(&mut why, "caller", row.get::<_, String>(3)?, Some(ev.by));
        differs(&mut why, "outcome", row.get::<_, String>(4)?, ev.outcome);
        differs(&mut why, "note", row.get::<_, String>(5)?, ev.note);
        for w in why {
            f.add("calls", format!("#{id}"), w, Some(ev.seq));
        }
    }
    let mut left: Vec<(i64, CallEv)> = r.calls.drain().collect();
    left.sort_by_key(|(id, _)| *id);
    for (id, ev) in left {
        f.add(
            "calls",
            format!("#{id}"),
            "is recorded but missing from the table",
            Some(ev.seq),
        );
    }
    Ok(())
}

fn promises(conn: &Connection, r: &mut Replay, f: &mut Found) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, amount, date, taken_on, taken_by, grace_days, status, paid FROM promises ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let Some(ev) = r.promises.remove(&id) else {
            f.add("promises", format!("#{id}"), "is not in the record", None);
            continue;
        };
        let mut why = Vec::new();
        differs(&mut why, "customer", row.get::<_, String>(1)?, ev.customer);
        differs(&mut why, "amount", row.get::<_, Money>(2)?, ev.amount);
        differs(&mut why, "date", row.get::<_, NaiveDate>(3)?, ev.date);
        differs(
            &mut why,
            "taken on",
            row.get::<_, NaiveDate>(4)?,
            Some(ev.taken_on),
        );
        differs(&mut why, "taken by", row.get::<_, String>(5)?, Some(ev.by));
        differs(&mut why, "grace days", row.get::<_, i64>(6)?, ev.grace);
        differs(
            &mut why,
            "status",
            row.get::<_, String>(7)?,
            Some(ev.status.to_string()),
        );
        if let Some(p) = ev.paid {
            differs(
                &mut why,
                "paid",
                row.get::<_, Option<Money>>(8)?.unwrap_or(Money::ZERO),
                Some(p),
            );
        }
        for w in why {
            f.add("promises", format!("#{id}"), w, Some(ev.seq));
        }
    }
    let mut left: Vec<(i64, PromiseEv)> = r.promises.drain().collect();
    left.sort_by_key(|(id, _)| *id);
    for (id, ev) in left {
        f.add(
            "promises",
            format!("#{id}"),
            "is recorded but missing from the table",
            Some(ev.seq),
        );
    }
    Ok(())
}

fn holds(conn: &Connection, r: &mut Replay, f: &mut Found) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT id, customer_id, set_on, reason, released_on FROM holds ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let Some(ev) = r.holds.remove(&id) else {
            f.add("holds", format!("#{id}"), "is not in the record", None);
            continue;
        };
        let mut why = Vec::new();
        differs(&mut why, "customer", row.get::<_, String>(1)?, ev.customer);
        differs(
            &mut why,
            "set on",
            row.get::<_, NaiveDate>(2)?,
            Some(ev.set_on),
        );
        differs(&mut why, "reason", row.get::<_, String>(3)?, ev.reason);
        let released: Option<NaiveDate> = row.get(4)?;
        if released != ev.released {
            let show = |d: Option<NaiveDate>| {
                d.map_or("not released".to_string(), |d| format!("released {d}"))
            };
            why.push(format!(
                "it is {}, the record says {}",
                show(released),
                show(ev.released)
            ));
        }
        for w in why {
            f.add("holds", format!("#{id}"), w, Some(ev.seq));
        }
    }
    let mut left: Vec<(i64, HoldEv)> = r.holds.drain().collect();
    left.sort_by_key(|(id, _)| *id);
    for (id, ev) in left {
        f.add(
            "holds",
            format!("#{id}"),
            "is recorded but missing from the table",
            Some(ev.seq),
        );
    }
    Ok(())
}

fn disputes(conn: &Connection, r: &mut Replay, f: &mut Found) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, invoice_no, amount, status, COALESCE(credited, 0) FROM disputes ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let Some(ev) = r.disputes.remove(&id) else {
            f.add("disputes", format!("#{id}"), "is not in the record", None);
            continue;
        };
        let mut why = Vec::new();
        differs(&mut why, "customer", row.get::<_, String>(1)?, ev.customer);
        differs(&mut why, "invoice", row.get::<_, String>(2)?, ev.invoice);
        differs(&mut why, "amount", row.get::<_, Money>(3)?, ev.amount);
        differs(
            &mut why,
            "status",
            row.get::<_, String>(4)?,
            Some(ev.status),
        );
        differs(
            &mut why,
            "credited",
            row.get::<_, Money>(5)?,
            Some(ev.credited),
        );
        for w in why {
            f.add("disputes", format!("#{id}"), w, Some(ev.seq));
        }
    }
    let mut left: Vec<(i64, DisputeEv)> = r.disputes.drain().collect();
    left.sort_by_key(|(id, _)| *id);
    for (id, ev) in left {
        f.add(
            "disputes",
            format!("#{id}"),
            "is recorded but missing from the table",
            Some(ev.seq),
        );
    }
    Ok(())
}

/// Checks every state table against the record; an empty list means they agree.
pub fn check(conn: &Connection) -> Result<Vec<Disagreement>> {
    let mut f = Found(Vec::new());
    let mut r = replay(conn, &mut f)?;
    balances(conn, &mut f)?;
    credits_and_adjustments(conn, &r, &mut f)?;
    payments(conn, &mut r, &mut f)?;
    owners(conn, &r, &mut f)?;
    roles(conn, &r, &mut f)?;
    calls(conn, &mut r, &mut f)?;
    promises(conn, &mut r, &mut f)?;
    holds(conn, &mut r, &mut f)?;
    disputes(conn, &mut r, &mut f)?;
    Ok(f.0)
}

/// Customers whose collector the record does not explain: (customer, collector).
/// A database keyed for the first time records these as found, so that later
/// checks start from a known state.
pub fn unexplained_owners(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut f = Found(Vec::new());
    let r = replay(conn, &mut f)?;
    let mut out = Vec::new();
    let mut stmt =
        conn.prepare("SELECT id, owner FROM customers WHERE owner IS NOT NULL ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let owner: String = row.get(1)?;
        if r.owners
            .get(&id)
            .is_none_or(|(_, w)| w.as_deref() != Some(owner.as_str()))
        {
            out.push((id, owner));
        }
    }
    Ok(out)
}
