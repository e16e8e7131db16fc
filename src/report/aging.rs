//! The aging report: open balances by days past due, per customer and in total, as
//! of the session's date (DESIGN §5 `report aging --format json`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::{Aging, Money};
use crate::service::{Result, Session};
use crate::store::{customers, snapshot, writeoffs};

#[derive(Debug, Clone, Serialize)]
pub struct CustomerAging {
    pub customer_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub total: Money,
    #[serde(flatten)]
    pub aging: Aging,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub currency: String,
    pub total: Money,
    #[serde(flatten)]
    pub aging: Aging,
    /// Written off by approved write-offs up to the day, apart from the open balances.
    pub written_off: Money,
    pub customers: Vec<CustomerAging>,
}

/// Aging as of the session's date over the accounts the user may see, optionally
/// only one collector's. Customers with nothing open are left out; the largest
/// balances come first.
pub fn aging(session: &Session, collector: Option<&str>) -> Result<AgingReport> {
    let user = session.user();
    if let Some(c) = collector {
        session.known_user(c)?;
    }
    let only_owner = match collector {
        Some(c) if c != user.name => {
            if !user.role.sees_everything() {
                return Err(crate::service::ServiceError::Forbidden(format!(
                    "only supervisors and admins can see another collector's accounts; {} is a {}",
                    user.name, user.role
                )));
            }
            Some(c.to_string())
        }
        Some(c) => Some(c.to_string()),
        None if user.role.sees_everything() => None,
        None => Some(user.name.clone()),
    };
    let conn = session.store().conn();
    let as_of = session.as_of();
    let list = customers::list(conn, only_owner.as_deref())?;
    let mut by_id: HashMap<&str, Aging> = HashMap::with_capacity(list.len());
    for c in &list {
        by_id.insert(c.id.as_str(), Aging::default());
    }
    snapshot::open_positions(conn, as_of, snapshot::Scope::All, &mut |cid, inv| {
        if inv.is_open()
            && let Some(a) = by_id.get_mut(cid)
        {
            a.add(inv.days_past_due(as_of), inv.balance);
        }
    })?;
    let written = writeoffs::written_off_by_customer(conn, as_of)?;
    let written_off: Money = list
        .iter()
        .filter_map(|c| written.get(c.id.as_str()))
        .copied()
        .sum();
    let mut total = Aging::default();
    let mut rows = Vec::new();
    for c in &list {
        let Some(a) = by_id.get(c.id.as_str()) else {
            continue;
        };
        if a.total().is_zero() {
            continue;
        }
        total.merge(a);
        rows.push(CustomerAging {
            customer_id: c.id.clone(),
            name: c.name.clone(),
            owner: c.owner.clone(),
            total: a.total(),
            aging: *a,
        });
    }
    rows.sort_by(|x, y| {
        y.total
            .cmp(&x.total)
            .then_with(|| x.customer_id.cmp(&y.customer_id))
    });
    Ok(AgingReport {
        as_of,
        currency: session.currency()?,
        total: total.total(),
        aging: total,
        written_off,
        customers: rows,
    })
}
