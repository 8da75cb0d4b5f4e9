//! The one error type of the chat domain.

use hub_db::DbError;
use hub_providers::ProviderError;

use crate::InputError;

/// Why a chat request cannot be served. `hub-component` maps each variant to its API error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChatError {
    /// A field of the input is invalid.
    #[error(transparent)]
    Invalid(#[from] InputError),
    /// The chat does not exist or is not the caller's.
    #[error("chat not found")]
    ChatNotFound,
    /// The model asked for does not exist or is disabled.
    #[error("the model {0:?} does not exist or is disabled")]
    UnknownModel(String),
    /// The assistant asked for does not exist or is not one the user sees.
    #[error("the assistant does not exist or is not available to you")]
    UnknownAssistant,
    /// No model was asked for and none is enabled as the default.
    #[error("no model is enabled as the default; choose a model")]
    NoDefaultModel,
    /// `regenerate` on a chat without a question.
    #[error("this chat has no message to answer again")]
    NothingToRegenerate,
    /// The model's provider lacks a key or an endpoint.
    #[error("{0}; an administrator has to configure it")]
    ProviderNotConfigured(ProviderError),
    /// A stored model row cannot be used (an unknown provider, a malformed price).
    #[error("model configuration: {0}")]
    ModelConfig(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
