//! What an admin's request can run into.

use hub_auth::AuthError;
use hub_db::DbError;

/// Why an admin's request is refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A field of the request is invalid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (a body field or a query parameter).
        field: &'static str,
        /// Why, for people.
        reason: String,
    },
    /// No such user or model.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The acting admin is no longer an active admin (changed by a concurrent request).
    #[error("this needs an administrator")]
    NotAdmin,
    /// An admin tried to deactivate, demote, delete or reset the password of themself.
    #[error("an administrator cannot {0} their own account")]
    SelfProtected(&'static str),
    /// The change would leave no active admin.
    #[error("the last active administrator cannot be deactivated, demoted or deleted")]
    LastAdmin,
    /// An account with this email exists.
    #[error("an account with this email exists")]
    EmailTaken,
    /// A model with this id exists.
    #[error("a model with this id exists")]
    ModelExists,
    /// The change would leave no default model (or make a disabled one the default).
    #[error("{0}")]
    DefaultModelRequired(&'static str),
    /// The thing is in use and cannot be removed (the reason says what to do).
    #[error("{0}")]
    InUse(&'static str),
    /// A password could not be hashed or generated.
    #[error(transparent)]
    Auth(AuthError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AdminError {
    /// An invalid field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<AuthError> for AdminError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Invalid { field, reason } => Self::Invalid { field, reason },
            AuthError::Db(e) => Self::Db(e),
            other => Self::Auth(other),
        }
    }
}
