//! The hub's administration as plain Rust (`/api/admin/...`, issue A1–A5): the rules an admin's
//! changes obey and the use cases that apply them through `hub-db`.
//!
//! - [`accounts`]: the user list's query and cursor; creating, changing, resetting and deleting
//!   accounts, with self-protection (an admin cannot deactivate, demote or delete themself) and
//!   the last-admin rule (the last active admin always stays, under concurrent changes too).
//! - [`catalog`]: the model list: validated input, exactly one enabled default model.
//! - [`costs`]: the period of a cost report.
//! - [`providers`]: what may be stored per LLM provider: keys, endpoints (the outbound policy).
//!
//! Every failure is an [`AdminError`]; `hub_component::errors::admin` maps it to the API.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod catalog;
pub mod costs;
pub mod embeddings;
mod error;
pub mod providers;

pub use error::AdminError;
