//! Who may do what (DESIGN §2 "Users and roles"), checked before every use case.

use super::{Result, ServiceError, Session};
use crate::domain::{Customer, Role, User};
use crate::store::{customers, users};

impl Session {
    /// Refuses unless the user is a supervisor or an admin.
    pub(crate) fn require_supervisor(&self, what: &str) -> Result<()> {
        if self.user.role.sees_everything() {
            return Ok(());
        }
        Err(ServiceError::Forbidden(format!(
            "only supervisors and admins can {what}; {} is a {}",
            self.user.name, self.user.role
        )))
    }

    /// Refuses unless the user is an admin.
    pub(crate) fn require_admin(&self, what: &str) -> Result<()> {
        if self.user.role == Role::Admin {
            return Ok(());
        }
        Err(ServiceError::Forbidden(format!(
            "only admins can {what}; {} is a {}",
            self.user.name, self.user.role
        )))
    }

    /// The user named `name` (a `--collector`, say), or an error naming them.
    pub(crate) fn known_user(&self, name: &str) -> Result<User> {
        users::get(self.store.conn(), name)?.ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no user '{name}' (`arq user list` shows who there is)"
            ))
        })
    }

    /// The customer, if it exists and the user may see and work it. For a collector
    /// another collector's account is no customer at all, in the same words as an id
    /// that does not exist (as the server's row-level security has it in team mode):
    /// who owns what is not told.
    pub(crate) fn visible_customer(&self, id: &str) -> Result<Customer> {
        customers::get(self.store.conn(), id)?
            .filter(|c| self.user.may_see(c))
            .ok_or_else(|| ServiceError::NoCustomer(id.to_string()))
    }
}
