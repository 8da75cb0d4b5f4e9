//! The API error: status code, machine-readable code, human message, optional details.

use std::fmt;

use hub_api::ErrorCode;

use serde::Serialize;
use serde_json::{Value, json};

use crate::CONTENT_TYPE_JSON;

/// An error as the API reports it: a status code and the body
/// `{"error":{"code":"...","message":"...","details":{...}}}`.
///
/// `code` is a stable `snake_case` identifier that clients may branch on; `message`
/// is for humans and may change; `details` (omitted when absent) carries structured
/// context such as the offending field. Build one with a constructor for the common
/// cases ([`ApiError::not_found`], [`ApiError::invalid_field`], ...) or with
/// [`ApiError::new`] for a more specific code, then turn it into a response with
/// [`ApiError::status`], [`ApiError::headers`] and [`ApiError::body`].
///
/// Server-side failures go through [`ApiError::internal`], which logs the cause
/// under a fresh id and sends only that id to the client.
///
/// The fields live behind one `Box`, so a `Result<T, ApiError>` stays one pointer
/// wide on the error side (errors are the cold path).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(Box<Inner>);

#[derive(Debug, Clone, PartialEq)]
struct Inner {
    code: ErrorCode,
    message: String,
    details: Option<Value>,
    allow: Option<String>,
    retry_after: Option<u64>,
    error_id: Option<String>,
}

/// The wire shape: `{"error": {...}}`.
#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Value>,
}

/// Sent if serialising an error body ever failed (it cannot for these types, but a
/// response must always have a body of the documented shape).
const FALLBACK_BODY: &[u8] =
    br#"{"error":{"code":"internal_error","message":"the error could not be serialised"}}"#;

impl ApiError {
    /// An error with `code` (which fixes its status: [`ErrorCode::status`]), for cases the
    /// constructors below do not name (e.g. [`ErrorCode::EmailTaken`]).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            code,
            message: message.into(),
            details: None,
            allow: None,
            retry_after: None,
            error_id: None,
        }))
    }

    /// Replaces the `details` object sent with the error.
    #[must_use]
    pub fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    /// 400 `bad_request`: the request is malformed (the message says how).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// 400 `invalid_input`: one field's value is invalid; `details` names the field
    /// and the reason, e.g. `{"field":"title","reason":"longer than 200 characters"}`.
    pub fn invalid_field(field: &str, reason: &str) -> Self {
        Self::new(
            ErrorCode::InvalidInput,
            format!("invalid value for `{field}`: {reason}"),
        )
        .with_details(json!({ "field": field, "reason": reason }))
    }

    /// 401 `unauthenticated`: no valid credentials were presented.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// 403 `forbidden`: authenticated, but not allowed to do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// 404 `not_found`: the resource does not exist, or is not the caller's.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// 405 `method_not_allowed`, with the `Allow` header set to `allowed`
    /// (and `details.allowed` listing them).
    pub fn method_not_allowed(method: &str, allowed: &[&str]) -> Self {
        let allow = allowed.join(", ");
        let mut err = Self::new(
            ErrorCode::MethodNotAllowed,
            format!("method {method} is not allowed here; allowed: {allow}"),
        )
        .with_details(json!({ "allowed": allowed }));
        err.0.allow = Some(allow);
        err
    }

    /// 409 `conflict`: the request conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// 413 `payload_too_large`: the body is larger than `limit_bytes`.
    pub fn payload_too_large(limit_bytes: u64) -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than the limit of {limit_bytes} bytes"),
        )
        .with_details(json!({ "limit_bytes": limit_bytes }))
    }

    /// 415 `unsupported_media_type`: the body's content type (`None` if the request
    /// had none) is not `expected`.
    pub fn unsupported_media_type(received: Option<&str>, expected: &str) -> Self {
        let message = match received {
            Some(received) => {
                format!("content type `{received}` is not supported; send {expected}")
            }
            None => format!("the request has no content type; send {expected}"),
        };
        Self::new(ErrorCode::UnsupportedMediaType, message).with_details(json!({
            "received": received,
            "expected": expected,
        }))
    }

    /// 429 `rate_limited`, with `Retry-After: retry_after_secs`.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            ErrorCode::RateLimited,
            format!("too many requests; retry after {retry_after_secs} seconds"),
        )
        .with_details(json!({ "retry_after_seconds": retry_after_secs }));
        err.0.retry_after = Some(retry_after_secs);
        err
    }

    /// 503 `service_unavailable`: a dependency (e.g. the database) is unavailable.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ServiceUnavailable, message)
    }

    /// 500 `internal_error`: something failed on our side.
    ///
    /// Generates a fresh error id, logs `error internal: error id <id>: <cause>`
    /// (the component log; `{:#}` so an `anyhow` chain is printed in full) and
    /// returns an error whose message and `details.error_id` carry only the id,
    /// never the cause.
    pub fn internal(cause: impl fmt::Display) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        crate::log::error("internal", format_args!("error id {id}: {cause:#}"));
        Self::internal_with_id(id)
    }

    /// The client-facing half of [`ApiError::internal`], for a caller that logs the
    /// cause itself under `error_id`.
    pub fn internal_with_id(error_id: impl Into<String>) -> Self {
        let error_id = error_id.into();
        let mut err = Self::new(
            ErrorCode::InternalError,
            format!("an internal error occurred; reference {error_id}"),
        )
        .with_details(json!({ "error_id": error_id }));
        err.0.error_id = Some(error_id);
        err
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.0.code.status()
    }

    /// The `snake_case` error code.
    pub fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    /// The error code as the list has it.
    pub fn error_code(&self) -> ErrorCode {
        self.0.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The structured details, if any.
    pub fn details(&self) -> Option<&Value> {
        self.0.details.as_ref()
    }

    /// The id logged with an internal error ([`ApiError::internal`]).
    pub fn error_id(&self) -> Option<&str> {
        self.0.error_id.as_deref()
    }

    /// The value of the `Allow` header (405 only).
    pub fn allow(&self) -> Option<&str> {
        self.0.allow.as_deref()
    }

    /// The value of the `Retry-After` header in seconds (429 only).
    pub fn retry_after(&self) -> Option<u64> {
        self.0.retry_after
    }

    /// The response headers this error implies: `content-type`, `cache-control:
    /// no-store`, and `allow` / `retry-after` where they apply. Lower-case names.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("content-type", CONTENT_TYPE_JSON.to_owned()),
            ("cache-control", "no-store".to_owned()),
        ];
        if let Some(allow) = &self.0.allow {
            headers.push(("allow", allow.clone()));
        }
        if let Some(secs) = self.0.retry_after {
            headers.push(("retry-after", secs.to_string()));
        }
        headers
    }

    /// The JSON body: `{"error":{"code":"...","message":"...","details":{...}}}`,
    /// `details` omitted when there are none.
    pub fn body(&self) -> Vec<u8> {
        let envelope = Envelope {
            error: Body {
                code: self.0.code.as_str(),
                message: &self.0.message,
                details: self.0.details.as_ref(),
            },
        };
        serde_json::to_vec(&envelope).unwrap_or_else(|_| FALLBACK_BODY.to_vec())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.0.code, self.0.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(err: &ApiError) -> Value {
        serde_json::from_slice(&err.body()).unwrap()
    }

    fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn body_without_details_has_only_code_and_message() {
        let err = ApiError::not_found("chat 7 not found");
        assert_eq!(err.status(), 404);
        assert_eq!(
            body_json(&err),
            json!({"error": {"code": "not_found", "message": "chat 7 not found"}})
        );
    }

    #[test]
    fn body_with_details_includes_them() {
        let err = ApiError::invalid_field("title", "longer than 200 characters");
        assert_eq!(err.status(), 400);
        assert_eq!(
            body_json(&err),
            json!({"error": {
                "code": "invalid_input",
                "message": "invalid value for `title`: longer than 200 characters",
                "details": {"field": "title", "reason": "longer than 200 characters"}
            }})
        );
    }

    #[test]
    fn messages_are_json_escaped() {
        let err = ApiError::bad_request("bad \"quote\" and \\ and \n");
        assert_eq!(
            body_json(&err)["error"]["message"],
            "bad \"quote\" and \\ and \n"
        );
    }

    #[test]
    fn every_constructor_has_its_status_and_code() {
        let cases = [
            (ApiError::bad_request("x"), 400, "bad_request"),
            (ApiError::invalid_field("f", "r"), 400, "invalid_input"),
            (ApiError::unauthenticated("x"), 401, "unauthenticated"),
            (ApiError::forbidden("x"), 403, "forbidden"),
            (ApiError::not_found("x"), 404, "not_found"),
            (
                ApiError::method_not_allowed("POST", &["GET"]),
                405,
                "method_not_allowed",
            ),
            (ApiError::conflict("x"), 409, "conflict"),
            (ApiError::payload_too_large(1), 413, "payload_too_large"),
            (
                ApiError::unsupported_media_type(None, "application/json"),
                415,
                "unsupported_media_type",
            ),
            (ApiError::too_many_requests(3), 429, "rate_limited"),
            (
                ApiError::service_unavailable("x"),
                503,
                "service_unavailable",
            ),
            (ApiError::internal_with_id("abc"), 500, "internal_error"),
            (
                ApiError::new(ErrorCode::EmailTaken, "x"),
                409,
                "email_taken",
            ),
        ];
        for (err, status, code) in cases {
            assert_eq!((err.status(), err.code()), (status, code), "{err}");
            assert_eq!(body_json(&err)["error"]["code"], code);
        }
    }

    #[test]
    fn method_not_allowed_sets_allow_header_and_details() {
        let err = ApiError::method_not_allowed("DELETE", &["GET", "HEAD"]);
        assert_eq!(err.allow(), Some("GET, HEAD"));
        assert_eq!(header(&err.headers(), "allow"), Some("GET, HEAD"));
        assert!(err.message().contains("DELETE"));
        assert_eq!(
            body_json(&err)["error"]["details"]["allowed"],
            json!(["GET", "HEAD"])
        );
    }

    #[test]
    fn too_many_requests_sets_retry_after() {
        let err = ApiError::too_many_requests(30);
        assert_eq!(header(&err.headers(), "retry-after"), Some("30"));
        assert_eq!(
            body_json(&err)["error"]["details"]["retry_after_seconds"],
            30
        );
    }

    #[test]
    fn only_405_and_429_carry_extra_headers() {
        let headers = ApiError::not_found("x").headers();
        assert_eq!(header(&headers, "content-type"), Some(CONTENT_TYPE_JSON));
        assert_eq!(header(&headers, "allow"), None);
        assert_eq!(header(&headers, "retry-after"), None);
    }

    #[test]
    fn payload_too_large_and_unsupported_media_type_name_the_values() {
        let err = ApiError::payload_too_large(1_048_576);
        assert!(err.message().contains("1048576"));
        assert_eq!(
            body_json(&err)["error"]["details"]["limit_bytes"],
            1_048_576
        );

        let err = ApiError::unsupported_media_type(Some("text/plain"), "application/json");
        assert!(err.message().contains("text/plain"));
        assert_eq!(
            body_json(&err)["error"]["details"]["received"],
            "text/plain"
        );
        let err = ApiError::unsupported_media_type(None, "application/json");
        assert_eq!(body_json(&err)["error"]["details"]["received"], Value::Null);
    }

    #[test]
    fn internal_hides_the_cause_and_carries_a_fresh_id() {
        let secret = "password authentication failed for user hub at 10.0.0.5";
        let first = ApiError::internal(secret);
        let second = ApiError::internal(secret);
        let body = String::from_utf8(first.body()).unwrap();
        assert!(!body.contains("password"), "{body}");
        assert!(!body.contains("10.0.0.5"), "{body}");

        let id = first.error_id().unwrap();
        assert_eq!(id.len(), 32);
        assert!(first.message().contains(id));
        assert_eq!(body_json(&first)["error"]["details"]["error_id"], id);
        assert_ne!(first.error_id(), second.error_id());
    }

    #[test]
    fn display_shows_status_code_and_message() {
        assert_eq!(
            ApiError::conflict("already exists").to_string(),
            "409 conflict: already exists"
        );
    }
}
