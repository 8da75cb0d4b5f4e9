//! The one error type of authentication.

/// What went wrong. Messages name the offending value where that is safe, and never contain a
/// password, a token or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A field of the input is invalid; `reason` says why (and is safe to show to the user).
    #[error("invalid `{field}`: {reason}")]
    Invalid {
        /// The field, as the API names it (`email`, `password`, `display_name`).
        field: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// No `Authorization` header.
    #[error("no Authorization header")]
    MissingCredentials,
    /// An `Authorization` header that is not `Bearer <token>`.
    #[error("the Authorization header is not `Bearer <token>` (scheme {scheme:?})")]
    MalformedAuthorization {
        /// The scheme that was sent instead (the part before the first space, at most 16 chars).
        scheme: String,
    },
    /// The access token is malformed, has a wrong signature, algorithm, issuer, audience or type.
    #[error("invalid access token: {0}")]
    InvalidToken(String),
    /// The access token's `exp` has passed.
    #[error("the access token expired at {exp} (now {now})")]
    Expired {
        /// Its `exp`.
        exp: i64,
        /// The time it was checked at.
        now: i64,
    },
    /// The access token's `nbf` is in the future.
    #[error("the access token is not valid before {nbf} (now {now})")]
    NotYetValid {
        /// Its `nbf`.
        nbf: i64,
        /// The time it was checked at.
        now: i64,
    },
    /// The JWT secret is too short to be a secret.
    #[error("the JWT secret has {len} bytes; at least {min} are needed")]
    WeakSecret {
        /// Its length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// A stored password hash cannot be read.
    #[error("malformed password hash: {0}")]
    MalformedHash(String),
    /// Hashing or signing failed.
    #[error("crypto failure: {0}")]
    Crypto(String),
    /// Too many failed attempts: the account or the address is blocked for a while.
    #[error("too many failed attempts; retry after {retry_after_secs} seconds")]
    Throttled {
        /// Seconds until the block ends.
        retry_after_secs: u64,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] hub_db::DbError),
    /// The system's random number source failed.
    #[error("no randomness available: {0}")]
    Random(String),
}

impl AuthError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// Whether the error is about the credentials the client presented (an answer of 401),
    /// rather than a failure on the server's side.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            Self::MissingCredentials
                | Self::MalformedAuthorization { .. }
                | Self::InvalidToken(_)
                | Self::Expired { .. }
                | Self::NotYetValid { .. }
        )
    }
}
