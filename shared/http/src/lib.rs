//! HTTP/JSON conventions shared by every AI Hub component.
//!
//! This crate is the one place that defines what the API looks like on the wire
//! (see `docs/api-conventions.md`):
//!
//! - [`ApiError`]: an [`ErrorCode`] (which fixes the status) plus the error body
//!   `{"error":{"code":"snake_case","message":"...","details":{...}}}`, with
//!   constructors for the common cases and the response headers an error implies
//!   (`Content-Type`, `Allow` for 405, `Retry-After` for 429).
//! - [`json_body`] and [`parse_json_body`]: success bodies out, request bodies in
//!   (content type, size limit and parse errors mapped to the right [`ApiError`]).
//!
//! - [`log`]: the components' diagnostics, one line each.
//! - [`csv`]: CSV exports, quoted and safe against formula injection.
//! - [`attachment`]: `Content-Disposition` for downloads, safe whatever the file's name.
//!
//! It is plain Rust without any Spin dependency, so components use it with whatever
//! response type their SDK has, and it unit-tests natively.
//!
//! ```
//! use hub_http::ApiError;
//!
//! let err = ApiError::not_found("chat 42 not found");
//! assert_eq!(err.status(), 404);
//! assert_eq!(
//!     err.body(),
//!     br#"{"error":{"code":"not_found","message":"chat 42 not found"}}"#
//! );
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod csv;
mod disposition;
mod error;
mod json;
pub mod log;
mod path;
mod query;

pub use disposition::attachment;
pub use error::ApiError;
pub use hub_api::ErrorCode;
pub use json::{JSON_BODY_LIMIT, json_body, parse_json_body};
pub use path::resource_id;
pub use query::{percent_decode, query_param};

/// The `Content-Type` of every JSON body the API sends (errors and successes).
pub const CONTENT_TYPE_JSON: &str = "application/json";
