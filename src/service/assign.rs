//! Assigning accounts to collectors (supervisors). Open owner items follow the
//! account to its new owner; the event lists what moved.

use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::EventKind;
use crate::store::{customers, tasks, users};
use crate::strategy::Assignee;

impl Session {
    /// Assigns accounts to a user (supervisors). All or nothing.
    pub fn assign(&mut self, customer_ids: &[String], to: &str) -> Result<usize> {
        self.require_supervisor("assign accounts")?;
        if users::get(self.store.conn(), to)?.is_none() {
            return Err(ServiceError::NotFound(format!(
                "no user '{to}': add them first with `arq user add {to} --role collector`"
            )));
        }
        let mut found = Vec::with_capacity(customer_ids.len());
        for id in customer_ids {
            let c = customers::get(self.store.conn(), id)?
                .ok_or_else(|| ServiceError::NoCustomer(id.clone()))?;
            found.push(c);
        }
        self.write(|tx| {
            for c in &found {
                if c.owner.as_deref() == Some(to) {
                    continue;
                }
                customers::set_owner(tx.conn, &c.id, Some(to))?;
                // Owner items follow the account: name them in the record.
                let moved: Vec<(i64, String)> = tasks::open_for_customer(tx.conn, &c.id, tx.as_of)?
                    .into_iter()
                    .filter(|t| t.assignee == Assignee::Owner)
                    .map(|t| (t.id, t.action.label().to_string()))
                    .collect();
                let by = tx.actor.clone();
                let was = c
                    .owner
                    .as_deref()
                    .map_or(String::new(), |o| format!(" (was {o})"));
                let items = match moved.len() {
                    0 => String::new(),
                    _ => format!(
                        "; {} open item{} moved with it: {}",
                        moved.len(),
                        if moved.len() == 1 { "" } else { "s" },
                        moved
                            .iter()
                            .map(|(id, what)| format!("#{id} {what}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let ids: Vec<i64> = moved.iter().map(|(id, _)| *id).collect();
                tx.event(
                    EventKind::Assigned,
                    Some(&c.id),
                    format!("assigned to {to}{was} by {by}{items}"),
                    json!({"to": to, "from": c.owner, "by": by, "items": ids}),
                )?;
            }
            Ok(found.len())
        })
    }
}
