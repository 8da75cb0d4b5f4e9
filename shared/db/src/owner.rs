//! The owner a query of user-owned data is restricted to.

use uuid::Uuid;

use crate::Param;

/// The user on whose behalf a query of user-owned rows runs. Query functions of such rows take
/// one and put it in their `WHERE` clause (`WHERE id = $1 AND user_id = $2`), so that another
/// user's row is simply not found (a 404, never a 403 that would reveal it exists).
///
/// Components get it from the verified request (`hub_component::auth::UserContext`), never from
/// request input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(Uuid);

impl Owner {
    /// The owner with this user id.
    pub fn new(user_id: Uuid) -> Self {
        Self(user_id)
    }

    /// The user's id.
    pub fn user_id(self) -> Uuid {
        self.0
    }
}

impl From<Owner> for Param {
    fn from(owner: Owner) -> Self {
        Param::Uuid(owner.0)
    }
}
