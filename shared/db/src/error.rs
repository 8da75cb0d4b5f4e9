//! The one error type of data access.

/// What went wrong talking to the database. Messages never contain the connection string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The database could not be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The statement failed; `code` is the SQLSTATE when the database reported one.
    #[error("query failed ({}): {message}", code.as_deref().unwrap_or("no SQLSTATE"))]
    Query {
        /// SQLSTATE, e.g. `23505` for a unique violation.
        code: Option<String>,
        /// The database's message.
        message: String,
    },
    /// A column was missing or had another type than the code expects.
    #[error("column {column:?}: {problem}")]
    Decode {
        /// The column name.
        column: String,
        /// What was wrong.
        problem: String,
    },
    /// Anything else the driver reported.
    #[error("database error: {0}")]
    Other(String),
}

impl DbError {
    /// A failed statement.
    pub fn query(code: Option<&str>, message: impl Into<String>) -> Self {
        Self::Query {
            code: code.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The SQLSTATE, if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Query { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// `23505`: a unique constraint was violated.
    pub fn is_unique_violation(&self) -> bool {
        self.code() == Some("23505")
    }

    /// `23503`: a foreign key was violated.
    pub fn is_foreign_key_violation(&self) -> bool {
        self.code() == Some("23503")
    }
}
