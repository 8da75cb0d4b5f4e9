//! The glue every hub component shares over `spin-sdk`.
//!
//! Shared crates are plain Rust (`docs/architecture.md`); this is the one exception, on purpose: the
//! few lines that turn the API's types into Spin responses and open the database would otherwise
//! be repeated in every component. It holds no logic of its own: [`database`] is the one way to
//! the database; [`auth`] reads the bearer token and variables and delegates to `hub-auth` and
//! `hub-db`; [`audit`] writes audit rows without ever failing the request; [`errors`] maps every
//! domain error into the API's error; [`log`] writes the components' diagnostics; [`upstream`]
//! sends the provider clients' requests; [`embeddings`] embeds texts with a provider (batches,
//! retries).
#![deny(missing_docs)]

pub mod audit;
pub mod auth;
mod db;
pub mod embeddings;
pub mod errors;
pub mod upstream;

pub use db::PgDb;
use hub_db::DbError;
use hub_http::{ApiError, CONTENT_TYPE_JSON};
pub use hub_http::{log, query_param};
use serde::Serialize;
use spin_sdk::http::{Request, Response};
use spin_sdk::pg4::Connection;

/// A JSON response with `status`.
pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Response {
    match hub_http::json_body(value) {
        Ok(body) => Response::builder()
            .status(status)
            .header("content-type", CONTENT_TYPE_JSON)
            .header("cache-control", "no-store")
            .body(body)
            .build(),
        Err(err) => error(&err),
    }
}

/// The error for a request that no route of the component serves: 404 when nothing is at the
/// path (`allowed`, the methods the path takes, is empty), else 405 with those methods.
pub fn unrouted(req: &Request, allowed: &[&str]) -> ApiError {
    let method = req.method().to_string();
    if allowed.is_empty() {
        ApiError::not_found(format!("no route {method} {}", req.path()))
    } else {
        ApiError::method_not_allowed(&method, allowed)
    }
}

/// The API's error response for `err` (logging internal causes, never sending them).
pub fn error(err: &ApiError) -> Response {
    if err.status() >= 500 {
        log::error(
            "response",
            format_args!(
                "{} {} (error id {})",
                err.status(),
                err.message(),
                err.error_id().unwrap_or("-")
            ),
        );
    }
    let mut builder = Response::builder();
    builder.status(err.status());
    for (name, value) in err.headers() {
        builder.header(name, value);
    }
    builder.header("cache-control", "no-store");
    if err.status() == 401 {
        // RFC 6750: a 401 names the scheme the client should use.
        builder.header("www-authenticate", "Bearer");
    }
    builder.body(err.body()).build()
}

/// An account as the API shows it (no password hash).
pub fn user_view(u: hub_db::users::User) -> hub_api::UserView {
    hub_api::UserView {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        is_admin: u.is_admin,
        is_active: u.is_active,
        created_at: timestamp(u.created_at),
        last_login_at: u.last_login_at.map(timestamp),
        must_change_password: u.must_change_password,
    }
}

/// Usage sums as the API shows them.
pub fn usage_amounts(sums: hub_db::usage::UsageSummary) -> hub_api::UsageAmounts {
    hub_api::UsageAmounts {
        input_tokens: sums.input_tokens,
        output_tokens: sums.output_tokens,
        cached_tokens: sums.cached_tokens,
        requests: sums.requests,
        cost: hub_api::Money::usd(sums.cost.0),
    }
}

/// A timestamp as the API writes it: RFC 3339 in UTC, to the second (`2026-11-27T10:15:00Z`).
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The Spin variable `name`, `None` when it is not set: the provider settings
/// (`hub_conversation::models::Settings`) as a component reads them.
pub fn setting(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok()
}

/// Opens the database named by the component variable `db_url`: the one way a component
/// reaches it. 503 when it cannot be reached; a missing variable is a deployment error (500).
pub fn database() -> Result<PgDb, ApiError> {
    let url = spin_sdk::variables::get("db_url").map_err(|e| {
        ApiError::internal(format!(
            "variable db_url is not available to this component: {e:?}"
        ))
    })?;
    Connection::open(&url)
        .map(PgDb::new)
        .map_err(|e| errors::db(DbError::Unavailable(redact(&format!("{e:?}"), &url))))
}

/// Parses a request's JSON body (415 / 413 / 400 as `hub-http` decides).
pub fn parse_body<T: serde::de::DeserializeOwned>(
    req: &spin_sdk::http::Request,
) -> Result<T, ApiError> {
    hub_http::parse_json_body(
        auth::header(req, "content-type"),
        req.body(),
        hub_http::JSON_BODY_LIMIT,
    )
}

/// An empty `204 No Content`.
pub fn no_content() -> Response {
    Response::builder()
        .status(204)
        .header("cache-control", "no-store")
        .build()
}

/// A CSV download (`hub_http::csv`): `200`, `text/csv`, saved as `filename` (ASCII, no quotes).
pub fn csv(filename: &str, body: Vec<u8>) -> Response {
    Response::builder()
        .status(200)
        .header("content-type", hub_http::csv::CONTENT_TYPE_CSV)
        .header(
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        )
        .header("cache-control", "no-store")
        .body(body)
        .build()
}

/// Removes `secret` (and its password part) from `text`.
fn redact(text: &str, secret: &str) -> String {
    let mut out = text.replace(secret, "***");
    if let Some(password) = secret
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
    {
        out = out.replace(password, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_url_and_password() {
        let url = "postgres://hub:s3cret@db:5432/hub";
        let text = format!("could not connect to {url} (password s3cret rejected)");
        let out = super::redact(&text, url);
        assert!(!out.contains("s3cret"), "{out}");
    }
}
