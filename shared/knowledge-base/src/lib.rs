//! Knowledge collections, files and keyword search as plain Rust (`/api/knowledge/...`, K8):
//! the checks of what users send, who reads and changes what, and the use cases that apply
//! them through `hub-db` and `hub-knowledge`.
//!
//! - A collection is `personal` (its owner's; another user's is not found) or `global`
//!   (everyone reads it; only admins create, change and delete it, and add files: 403 for
//!   others), like assistants ([`Caller`] is theirs).
//! - A file belongs to a collection or stands alone (to attach to one message). Its owner reads
//!   and deletes it; a file of a global collection is read by everyone and deleted by its owner
//!   or an admin. Nobody else finds it, by any route: every query checks it in SQL.
//! - An upload is stored once per place (collection, or the owner's files on their own) by the
//!   SHA-256 of its bytes; extracted ([`hub_knowledge::extract`]) and chunked within
//!   [`Settings`] in the same request, so that it ends `ready` or `failed` with its reason.
//! - [`search`]: PostgreSQL full-text search over the chunks the caller reads.
//!
//! Every failure is a [`KnowledgeError`]; `hub_component::errors::knowledge` maps it to the API.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod collections;
mod error;
pub mod files;
pub mod search;

pub use error::KnowledgeError;
pub use files::Settings;
pub use hub_assistants::{Caller, scope_of};

use hub_db::knowledge::{self, Collection};
use uuid::Uuid;

/// The collection `id` named by the request field `field`, if the caller sees it:
/// [`KnowledgeError::UnknownCollection`] otherwise.
fn visible_collection(
    db: &dyn hub_db::Db,
    caller: Caller,
    id: Uuid,
    field: &'static str,
) -> Result<Collection, KnowledgeError> {
    knowledge::find_collection(db, id, caller.owner)?
        .ok_or(KnowledgeError::UnknownCollection(field))
}

/// An optional id sent as the query parameter `field` (`None` when left out; anything but a
/// UUID, an empty value too, is refused).
pub fn parse_id(field: &'static str, text: Option<&str>) -> Result<Option<Uuid>, KnowledgeError> {
    match text {
        None => Ok(None),
        Some(t) => Uuid::try_parse(t)
            .map(Some)
            .map_err(|_| KnowledgeError::invalid(field, "must be a UUID")),
    }
}
