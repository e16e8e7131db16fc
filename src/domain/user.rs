//! Users of arq and what their role lets them see.

use super::Customer;
use super::names::Role;

/// A person who uses arq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
}

impl User {
    /// Collectors see their own accounts; supervisors and admins see all.
    pub fn may_see(&self, customer: &Customer) -> bool {
        self.role.sees_everything() || customer.owner.as_deref() == Some(self.name.as_str())
    }
}
