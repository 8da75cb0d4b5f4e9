//! What a request for assistants and templates can run into.

use hub_db::DbError;
use hub_templates::{DescriptionError, ParseError, RenderError};

/// Why a request is refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    /// A field of the request is invalid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (a body field or a query parameter).
        field: &'static str,
        /// Why, for people.
        reason: String,
    },
    /// A template body is malformed (with the position).
    #[error("body: {0}")]
    Template(ParseError),
    /// The descriptions do not fit the body's variables.
    #[error("descriptions: {0}")]
    Descriptions(DescriptionError),
    /// The values do not fit the template's variables.
    #[error("{0}")]
    Values(RenderError),
    /// The model of an assistant does not exist or is disabled.
    #[error("the model {0:?} does not exist or is disabled")]
    UnknownModel(String),
    /// No such assistant or template, or another user's.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Only admins create, change and delete global ones.
    #[error("only administrators may create, change or delete a global {0}")]
    Forbidden(&'static str),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AssistantError {
    /// An invalid field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
