//! Assistants and prompt templates as plain Rust (`/api/assistants...`, `/api/templates...`,
//! issue K1–K4): the checks of what users send, the rule of who may see and change what, and
//! the use cases that apply them through `hub-db`.
//!
//! - A user sees the global assistants and templates and their own; another user's personal
//!   one is not found (404), like one that does not exist.
//! - Everyone creates, changes and deletes their own; only admins create, change and delete
//!   global ones (403 for others). The scope is fixed when one is created.
//! - Lists are newest first (by the v7 id), keyset-paged, optionally searched and filtered by
//!   scope ([`paging`]).
//! - [`assistants`]: name, description, icon, system prompt, model and temperature overrides,
//!   conversation starters. How a chat uses them is `hub-conversation`'s `Exchange`.
//! - [`templates`]: a body parsed by `hub-templates` when it is saved (a malformed one is
//!   refused with the line and column), descriptions of its variables, and rendering with
//!   values.
//!
//! Every failure is an [`AssistantError`]; `hub_component::errors::assistants` maps it to the
//! API.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assistants;
mod error;
pub mod input;
pub mod paging;
pub mod templates;

pub use error::AssistantError;
pub use input::{
    MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_STARTER_CHARS, MAX_STARTERS,
    MAX_SYSTEM_PROMPT_CHARS, MAX_TITLE_CHARS, MAX_VALUE_CHARS,
};

use hub_api::Scope;
use hub_db::Owner;

/// Who is asking: the user (from the verified request) and whether they are an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The user.
    pub owner: Owner,
    /// Whether the database said, on this request, that they are an admin.
    pub is_admin: bool,
}

impl Caller {
    /// The owner of what the caller creates in `scope` (`None`: global), or 403 for a global
    /// one when the caller is no admin.
    fn owner_for(
        self,
        scope: Scope,
        what: &'static str,
    ) -> Result<Option<uuid::Uuid>, AssistantError> {
        match scope {
            Scope::Personal => Ok(Some(self.owner.user_id())),
            Scope::Global if self.is_admin => Ok(None),
            Scope::Global => Err(AssistantError::Forbidden(what)),
        }
    }

    /// Whether the caller may change and delete a visible one owned by `owner_id`.
    pub fn may_edit(self, owner_id: Option<uuid::Uuid>) -> bool {
        match owner_id {
            None => self.is_admin,
            Some(id) => id == self.owner.user_id(),
        }
    }

    /// 403 unless [`Caller::may_edit`].
    fn check_edit(
        self,
        owner_id: Option<uuid::Uuid>,
        what: &'static str,
    ) -> Result<(), AssistantError> {
        if self.may_edit(owner_id) {
            Ok(())
        } else {
            Err(AssistantError::Forbidden(what))
        }
    }
}

/// The scope of a stored row.
pub fn scope_of(owner_id: Option<uuid::Uuid>) -> Scope {
    if owner_id.is_none() {
        Scope::Global
    } else {
        Scope::Personal
    }
}
