//! The ledger against the record: every invoice's balance is its amount less its
//! allocations; every payment is applied as its event says (or, arriving in bulk
//! with no event, in full); credits and adjustments are those the record made.

use std::collections::HashMap;

use crate::store::db::Db;
use chrono::NaiveDate;

use super::replay::{PaymentEv, Replay};
use super::{Found, differs, opt};
use crate::domain::Money;
use crate::store::Result;

pub(super) fn balances<'c>(conn: impl Into<Db<'c>>, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare(
        "SELECT i.invoice_no, i.amount, i.balance, COALESCE(a.total, 0), i.last_allocated_on, a.last
         FROM invoices i LEFT JOIN (SELECT invoice_no, SUM(amount) AS total, MAX(date) AS last
                                    FROM allocations GROUP BY invoice_no) a
           ON a.invoice_no = i.invoice_no
         WHERE i.balance <> i.amount - COALESCE(a.total, 0) OR i.last_allocated_on IS DISTINCT FROM a.last",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (no, amount, balance, allocated): (String, Money, Money, Money) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let (noted, last): (Option<String>, Option<String>) = (r.get(4)?, r.get(5)?);
        if balance != amount - allocated {
            f.add(
                "invoices",
                no.clone(),
                format!(
                    "balance is {balance}, but its amount {amount} less its allocations {allocated} is {}",
                    amount - allocated
                ),
                None,
            );
        }
        if noted != last {
            // Reports of past days find the invoices paid off since by this date.
            f.add(
                "invoices",
                no,
                format!(
                    "its latest allocation is noted as {}, but the allocations say {}",
                    noted.as_deref().unwrap_or("none"),
                    last.as_deref().unwrap_or("none")
                ),
                None,
            );
        }
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

pub(super) fn payments<'c>(conn: impl Into<Db<'c>>, r: &mut Replay, f: &mut Found) -> Result<()> {
    let conn: Db<'c> = conn.into();
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
pub(super) fn credits_and_adjustments<'c>(
    conn: impl Into<Db<'c>>,
    r: &Replay,
    f: &mut Found,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    // Credits come from valid disputes and from credit memos an import read.
    let mut credited: HashMap<String, (i64, Money)> = r.credited.clone();
    for d in r.disputes.values() {
        if let Some(no) = &d.invoice
            && d.credited.is_positive()
        {
            let e = credited.entry(no.clone()).or_insert((d.seq, Money::ZERO));
            e.0 = e.0.max(d.seq);
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
