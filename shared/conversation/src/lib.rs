//! The chat domain, as plain Rust: what happens between a user's message and the stored answer,
//! apart from the I/O (the provider's stream, the events to the client), which the `chat`
//! component does.
//!
//! - [`input`]: validated chat input ([`Title`], [`MessageContent`], [`Temperature`],
//!   [`ModelId`]), each with a `parse()`;
//! - [`models`]: the models offered, the model of a request, and its provider's configuration
//!   ([`Target`]);
//! - [`prompt`]: the conversation sent to a model ([`Prompt`]: history, system prompt, fitted to
//!   the context window; token estimates);
//! - [`outcome`]: how an answer went ([`Outcome`]) and what it costs ([`Charge`]: one builder of
//!   usage rows, for answers and titles alike);
//! - [`title`]: automatic titles;
//! - [`embedding`]: the active embedding model and how texts are embedded with it
//!   ([`EmbeddingTarget`]);
//! - [`knowledge`]: knowledge in answers: what a question retrieves from ([`knowledge::Retrieval`]),
//!   the passages chosen within a token budget and cited as `[n]`;
//! - [`exchange`]: the use case of one question and its answer ([`Exchange`]);
//! - [`store`]: storing its result step by step, and waiting out a database that is
//!   unavailable for a while ([`Store`], [`StoreRetry`], [`store::is_transient`]).
//!
//! Data access goes through `hub-db`'s [`hub_db::Db`], so everything here unit-tests natively.
//! Errors are one enum, [`ChatError`]; `hub-component` maps it to the API's errors.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod embedding;
mod error;
pub mod exchange;
pub mod input;
pub mod knowledge;
pub mod models;
pub mod outcome;
pub mod prompt;
pub mod store;
#[cfg(test)]
mod testing;
pub mod title;

pub use embedding::{EmbeddingTarget, embedding_target};
pub use error::ChatError;
pub use exchange::{Ask, Exchange, Prepared};
pub use input::{InputError, MessageContent, ModelId, Temperature, Title};
pub use models::{Settings, Target};
pub use outcome::{Charge, Outcome};
pub use prompt::Prompt;
pub use store::{Finished, Store, StoreRetry};
pub use title::TitleDraft;
