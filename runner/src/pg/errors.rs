//! Error texts and error mapping, shaped like Spin's.
//!
//! Spin builds most of its error strings with `format!("{e:?}")` on an `anyhow::Error`, i.e. the
//! top message followed by a "Caused by:" list of the source chain. [`chain_text`] renders the
//! same layout by hand, so that the texts do not depend on whether a backtrace happens to be
//! captured (`RUST_BACKTRACE`), and nothing here needs `anyhow` in between.

use std::error::Error as StdError;
use std::fmt::{self, Display, Write as _};

use tokio_postgres::types::Type;

use crate::bindings::spin::postgres::postgres::{DbError, Error, QueryError};

/// `top`, then (if there is one) the chain starting at `source`, laid out as anyhow's `{:?}`
/// does: one cause is indented by four spaces, several are numbered.
pub(crate) fn chain_text(top: &dyn Display, source: Option<&(dyn StdError + 'static)>) -> String {
    let mut out = top.to_string();
    let Some(first) = source else {
        return out;
    };
    out.push_str("\n\nCaused by:");
    let numbered = first.source().is_some();
    let mut current = Some(first);
    let mut index = 0usize;
    while let Some(err) = current {
        out.push('\n');
        let text = err.to_string();
        for (line_no, line) in text.split('\n').enumerate() {
            if line_no == 0 {
                if numbered {
                    let _ = write!(out, "{index: >5}: ");
                } else {
                    out.push_str("    ");
                }
            } else {
                out.push('\n');
                out.push_str(if numbered { "       " } else { "    " });
            }
            out.push_str(line);
        }
        current = err.source();
        index += 1;
    }
    out
}

/// The text anyhow's `{:?}` gives for an error converted with `?` (its Display, then its chain).
pub(crate) fn error_text(err: &(dyn StdError + 'static)) -> String {
    chain_text(err, err.source())
}

/// A message with a cause: the text of anyhow's `.with_context(|| message)`.
pub(crate) fn context_text(message: impl Display, cause: &(dyn StdError + 'static)) -> String {
    chain_text(&message, Some(cause))
}

/// The named diagnostic fields Postgres may send beyond code/severity/message/detail, in the
/// order (and with the names) Spin reports them in `db-error.extras`.
fn db_error_extras(db: &tokio_postgres::error::DbError) -> Vec<(String, String)> {
    let mut extras = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            extras.push((name.to_owned(), value));
        }
    };
    add("column", db.column().map(str::to_owned));
    add("constraint", db.constraint().map(str::to_owned));
    add("routine", db.routine().map(str::to_owned));
    add("hint", db.hint().map(str::to_owned));
    add("table", db.table().map(str::to_owned));
    add("datatype", db.datatype().map(str::to_owned));
    add("schema", db.schema().map(str::to_owned));
    add("file", db.file().map(str::to_owned));
    add("line", db.line().map(|l| l.to_string()));
    add("where_", db.where_().map(str::to_owned));
    extras
}

/// A tokio-postgres error as `query-failed`: `db-error` when the server sent an error response,
/// `text` otherwise; `as-text`/`text` is the error's Debug form, as in Spin.
pub(crate) fn query_failed(err: &tokio_postgres::Error) -> Error {
    let as_text = format!("{err:?}");
    match err.as_db_error() {
        None => Error::QueryFailed(QueryError::Text(as_text)),
        Some(db) => Error::QueryFailed(QueryError::DbError(DbError {
            as_text,
            severity: db.severity().to_owned(),
            code: db.code().code().to_owned(),
            message: db.message().to_owned(),
            detail: db.detail().map(str::to_owned),
            extras: db_error_extras(db),
        })),
    }
}

/// An error that already reached the guest-facing shape and then went through one more
/// `anyhow` layer in Spin 4's row streaming: it ends up as the Debug text of the inner error.
pub(crate) fn rewrapped(inner: &Error) -> Error {
    Error::QueryFailed(QueryError::Text(format!("{inner:?}")))
}

/// Stands in for `postgres_types::WrongType` for the parameter types that Spin binds through
/// its own wrapper types (ranges, interval): `WrongType::new` takes the Rust type name from the
/// type itself, and ours live in another crate, so the name Spin reports is given explicitly.
/// Display and Debug are identical to `WrongType`'s.
pub(crate) struct SpinWrongType {
    pub(crate) postgres: Type,
    pub(crate) rust: &'static str,
}

impl fmt::Debug for SpinWrongType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrongType")
            .field("postgres", &self.postgres)
            .field("rust", &self.rust)
            .finish()
    }
}

impl Display for SpinWrongType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot convert between the Rust type `{}` and the Postgres type `{}`",
            self.rust, self.postgres
        )
    }
}

impl StdError for SpinWrongType {}

/// A plain message as an error value (for FromSql/ToSql results).
#[derive(Debug)]
pub(crate) struct Message(pub(crate) &'static str);

impl Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for Message {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Leaf(&'static str);
    impl Display for Leaf {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Leaf {}

    #[derive(Debug)]
    struct Wrap(&'static str, Leaf);
    impl Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.1)
        }
    }

    #[test]
    fn chain_without_cause_is_just_the_message() {
        assert_eq!(error_text(&Leaf("boom")), "boom");
    }

    #[test]
    fn single_cause_is_indented() {
        assert_eq!(
            context_text("invalid UUID x", &Leaf("bad char\nsecond line")),
            "invalid UUID x\n\nCaused by:\n    bad char\n    second line"
        );
    }

    #[test]
    fn several_causes_are_numbered_like_anyhow() {
        // The top error's own source is a single cause.
        let text = error_text(&Wrap("Error occurred", Leaf("refused\nmore")));
        assert_eq!(text, "Error occurred\n\nCaused by:\n    refused\n    more");
        let text = context_text("top", &Wrap("mid\nx", Leaf("leaf")));
        assert_eq!(text, "top\n\nCaused by:\n    0: mid\n       x\n    1: leaf");
    }

    /// anyhow's own `{:?}` (which Spin uses) gives the same text, give or take a captured
    /// backtrace at the end.
    #[test]
    fn matches_anyhow_debug_output() {
        fn same(ours: String, theirs: anyhow::Error) {
            let theirs = format!("{theirs:?}");
            let rest = theirs
                .strip_prefix(ours.as_str())
                .unwrap_or_else(|| panic!("{ours:?} vs {theirs:?}"));
            assert!(
                rest.is_empty() || rest.starts_with("\n\nStack backtrace:"),
                "{rest:?}"
            );
        }
        same(error_text(&Leaf("a\nb")), anyhow::Error::new(Leaf("a\nb")));
        same(
            error_text(&Wrap("w", Leaf("l"))),
            anyhow::Error::new(Wrap("w", Leaf("l"))),
        );
        same(
            context_text("ctx", &Wrap("w\nw2", Leaf("l"))),
            anyhow::Error::new(Wrap("w\nw2", Leaf("l"))).context("ctx"),
        );
        let uuid_err = uuid::Uuid::parse_str("zz").unwrap_err();
        same(
            context_text("invalid UUID zz", &uuid_err),
            anyhow::Error::new(uuid_err).context("invalid UUID zz"),
        );
    }

    #[test]
    fn wrong_type_stand_in_formats_like_postgres_types() {
        let err = SpinWrongType {
            postgres: Type::INT4,
            rust: "postgres_range::Range<i32>",
        };
        assert_eq!(
            format!("{err:?}"),
            "WrongType { postgres: Int4, rust: \"postgres_range::Range<i32>\" }"
        );
        assert_eq!(
            err.to_string(),
            "cannot convert between the Rust type `postgres_range::Range<i32>` and the Postgres type `int4`"
        );
        // Same layout as the real one.
        let real = postgres_types::WrongType::new::<i32>(Type::TEXT);
        let fake = SpinWrongType {
            postgres: Type::TEXT,
            rust: "i32",
        };
        assert_eq!(format!("{real:?}"), format!("{fake:?}"));
        assert_eq!(real.to_string(), fake.to_string());
    }

    #[test]
    fn non_db_errors_are_text() {
        let err = tokio_postgres::Error::__private_api_timeout();
        match query_failed(&err) {
            Error::QueryFailed(QueryError::Text(t)) => {
                assert_eq!(t, "Error { kind: Timeout, cause: None }")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn rewrapping_uses_the_bindgen_debug_form() {
        let inner = Error::QueryFailed(QueryError::Text("x\ny".into()));
        match rewrapped(&inner) {
            Error::QueryFailed(QueryError::Text(t)) => {
                assert_eq!(t, "Error::QueryFailed(QueryError::Text(\"x\\ny\"))")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
