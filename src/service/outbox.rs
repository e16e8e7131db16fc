//! The outbox as people see it: messages for the accounts they may see.

use super::{Result, ServiceError, Session};

impl Session {
    /// Outbox messages for the accounts the user may see, newest first.
    /// The messages a delivery by this user would take: how many are pending, and the
    /// day the oldest was queued (a collector's: their customers' only).
    pub fn pending_mail(&self) -> Result<(u64, Option<chrono::NaiveDate>)> {
        let owner = (!self.user.role.sees_everything()).then_some(self.user.name.as_str());
        Ok(crate::store::outbox::pending_summary(
            self.store.conn(),
            owner,
        )?)
    }

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
        let conn = self.store.conn();
        if self.user.role.sees_everything() {
            return Ok(crate::store::outbox::list(conn, status, 10_000)?);
        }
        Ok(crate::store::outbox::list_for_owner(
            conn,
            status,
            &self.user.name,
            10_000,
        )?)
    }
}
