//! What a request for knowledge can run into.

use hub_assistants::AssistantError;
use hub_db::DbError;

/// Why a request is refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// A field of the request is invalid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (a body field or a query parameter).
        field: &'static str,
        /// Why, for people.
        reason: String,
    },
    /// The collection named by the field does not exist or is another user's.
    #[error("the collection named by {0} does not exist or is not available to you")]
    UnknownCollection(&'static str),
    /// No such collection or file, or another user's.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Only admins manage global collections and their files (and only owners their own).
    #[error("only administrators may change a global {0} or its files")]
    Forbidden(&'static str),
    /// The upload is larger than the file size limit.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl KnowledgeError {
    /// An invalid field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// The shared input checks and list parameters of `hub-assistants` fail with its error: only
/// its `Invalid` and `Db` variants come from them.
impl From<AssistantError> for KnowledgeError {
    fn from(err: AssistantError) -> Self {
        match err {
            AssistantError::Invalid { field, reason } => Self::Invalid { field, reason },
            AssistantError::Db(e) => Self::Db(e),
            other => Self::invalid("request", other.to_string()),
        }
    }
}
