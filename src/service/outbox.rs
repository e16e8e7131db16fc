//! The outbox as people see it: messages for the accounts they may see.

use super::{Result, ServiceError, Session};
use crate::store::customers;

impl Session {
    /// Outbox messages for the accounts the user may see, newest first.
    pub fn outbox(&self, status: Option<&str>) -> Result<Vec<crate::store::outbox::OutboxRow>> {
        use crate::store::outbox::STATUSES;
        if let Some(st) = status
            && !STATUSES.contains(&st)
        {
            return Err(ServiceError::Invalid(format!(
                "--status: '{st}' is not one of {}",
                STATUSES.join(", ")
            )));
        }
        let rows = crate::store::outbox::list(self.store.conn(), status, 10_000)?;
        if self.user.role.sees_everything() {
            return Ok(rows);
        }
        let mine: std::collections::HashSet<String> =
            customers::list(self.store.conn(), Some(&self.user.name))?
                .into_iter()
                .map(|c| c.id)
                .collect();
        Ok(rows
            .into_iter()
            .filter(|r| mine.contains(&r.customer_id))
            .collect())
    }
}
