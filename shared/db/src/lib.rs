//! Data access for the hub.
//!
//! Queries are written against the small [`Db`] trait with typed [`Param`]s and read back as
//! [`Rows`] of [`Value`]s, so that the crates holding SQL stay plain Rust and unit-test natively
//! (with [`testing::FakeDb`]); components implement [`Db`] over Spin's `spin:postgres@4.0.0`
//! connection (`hub-component`), and the `hub` command-line tool over a native tokio-postgres
//! connection with the same type mapping (`hub-cli`).
//!
//! Rules that follow from Spin's pg interface (see `docs/architecture.md`):
//! - a text parameter is bound as a Rust `String`, so it matches only text placeholders: cast in
//!   SQL (`$1::text::vector`, `$1::text::timestamptz`, `$1::text::inet`);
//! - a `timestamptz` column cannot be selected as such: select `col AT TIME ZONE 'UTC'` (read as
//!   [`chrono::DateTime<Utc>`]) or `extract(epoch FROM col)`;
//! - `numeric` comes back as a decimal string ([`Numeric`]); `jsonb` as bytes ([`serde_json::Value`]).
//!
//! Queries are grouped by aggregate, one function per query: [`users`], [`sessions`] (login
//! sessions and their refresh tokens), [`throttle`] (failed-login counters), [`audit`]. Queries
//! of user-owned rows take an [`Owner`] and check it in their `WHERE` clause.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assistants;
pub mod audit;
pub mod chats;
pub mod embedding_models;
mod error;
pub mod knowledge;
pub mod messages;
pub mod models;
mod owner;
pub mod prompt_templates;
pub mod providers;
pub mod sessions;
pub mod stats;
pub mod testing;
pub mod throttle;
pub mod usage;
pub mod users;
mod value;

pub use error::DbError;
pub use owner::Owner;
pub use value::{FromValue, Numeric, Param, Row, Rows, Value};

/// A database connection: what every query function takes.
pub trait Db {
    /// Runs a statement that returns rows.
    fn query(&self, sql: &str, params: &[Param]) -> Result<Rows, DbError>;
    /// Runs a statement and returns the number of rows it affected.
    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError>;
}

/// Runs `work` inside `BEGIN` … `COMMIT`, rolling back when it fails. The transaction always ends
/// before this returns (pooled connections are reused, so none may be left open).
pub fn transaction<T>(
    db: &dyn Db,
    work: impl FnOnce(&dyn Db) -> Result<T, DbError>,
) -> Result<T, DbError> {
    transaction_with(db, work)
}

/// [`transaction`] for work that fails with an error of its own (a refusal of a use case, or a
/// [`DbError`] in it): any error rolls the transaction back and is returned as it is.
pub fn transaction_with<T, E: From<DbError>>(
    db: &dyn Db,
    work: impl FnOnce(&dyn Db) -> Result<T, E>,
) -> Result<T, E> {
    db.execute("BEGIN", &[])?;
    match work(db) {
        Ok(value) => {
            if let Err(e) = db.execute("COMMIT", &[]) {
                let _ = db.execute("ROLLBACK", &[]);
                return Err(e.into());
            }
            Ok(value)
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

/// The `LIKE` pattern ([`contains_pattern`]) of a list's search text `?q=` (trimmed; blank is
/// none), or why it is refused: longer than `max_chars` characters, or with control characters.
pub fn search_pattern(q: Option<&str>, max_chars: usize) -> Result<Option<String>, String> {
    match q.map(str::trim).filter(|q| !q.is_empty()) {
        None => Ok(None),
        Some(q) if q.chars().count() > max_chars => {
            Err(format!("must be at most {max_chars} characters"))
        }
        Some(q) if q.chars().any(char::is_control) => {
            Err("must not contain control characters".to_owned())
        }
        Some(q) => Ok(Some(contains_pattern(q))),
    }
}

/// A list's page size `?limit=`: `default` when left out, else a whole number from 1 to `max`
/// (or why not).
pub fn page_limit(text: Option<&str>, default: i64, max: i64) -> Result<i64, String> {
    match text {
        None => Ok(default),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| format!("must be a whole number from 1 to {max}")),
    }
}

/// A `LIKE` pattern matching `text` anywhere, its wildcards (`%`, `_`, `\`) escaped.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::FakeDb;

    #[test]
    fn transaction_commits_or_rolls_back() {
        let db = FakeDb::new();
        transaction(&db, |db| db.execute("INSERT 1", &[])).unwrap();
        assert_eq!(db.statements(), ["BEGIN", "INSERT 1", "COMMIT"]);

        let db = FakeDb::new();
        db.fail_on("INSERT 2", DbError::query(Some("23505"), "duplicate key"));
        let err = transaction(&db, |db| db.execute("INSERT 2", &[])).unwrap_err();
        assert!(err.is_unique_violation());
        assert_eq!(db.statements(), ["BEGIN", "INSERT 2", "ROLLBACK"]);
    }
}
