//! Who and what against the record: each customer's collector, each user's role,
//! and the calls, promises, holds and disputes people recorded.

use crate::store::db::Db;
use chrono::NaiveDate;

use super::replay::{CallEv, DisputeEv, HoldEv, PromiseEv, Replay};
use super::{Found, differs, opt};
use crate::domain::Money;
use crate::store::Result;

pub(super) fn owners<'c>(conn: impl Into<Db<'c>>, r: &Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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

pub(super) fn roles<'c>(conn: impl Into<Db<'c>>, r: &Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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

pub(super) fn calls<'c>(conn: impl Into<Db<'c>>, r: &mut Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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

pub(super) fn promises<'c>(conn: impl Into<Db<'c>>, r: &mut Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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

pub(super) fn holds<'c>(conn: impl Into<Db<'c>>, r: &mut Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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

pub(super) fn disputes<'c>(conn: impl Into<Db<'c>>, r: &mut Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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
