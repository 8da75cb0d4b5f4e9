//! The one error type of the provider clients, and the helpers every provider's
//! `handle_error` shares.

use http::HeaderMap;
use hub_api::StreamErrorCode;
use serde_json::Value;

use crate::config::ProviderKind;
use crate::secret::SecretString;

/// What went wrong. Messages name the provider and carry the provider's own explanation where
/// it gave one; they never contain an API key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// A provider id that is not one of [`ProviderKind::ALL`].
    #[error("unknown provider {0:?}")]
    UnknownProvider(String),
    /// No API key is configured for a provider that needs one.
    #[error("no API key is configured for {provider}")]
    MissingKey {
        /// The provider.
        provider: ProviderKind,
    },
    /// The provider's configuration is invalid (base URL, `api-version`, key characters).
    #[error("invalid {provider} configuration: `{field}` {reason}")]
    Config {
        /// The provider.
        provider: ProviderKind,
        /// The setting.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The request (a chat or an embedding request) is invalid before anything is sent.
    #[error("invalid request: `{field}` {reason}")]
    InvalidRequest {
        /// The field of [`crate::ChatRequest`] or [`crate::embeddings::EmbeddingRequest`].
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The provider rejected the request (HTTP 400, 413, 422): too long a conversation, a
    /// parameter the model does not take, a content filter on the prompt.
    #[error("{provider} rejected the request (HTTP {status}): {message}")]
    BadRequest {
        /// The provider.
        provider: ProviderKind,
        /// Its HTTP status.
        status: u16,
        /// Its explanation.
        message: String,
    },
    /// The provider did not accept the API key (HTTP 401).
    #[error("{provider} did not accept the API key: {message}")]
    Unauthorized {
        /// The provider.
        provider: ProviderKind,
        /// Its explanation.
        message: String,
    },
    /// The key is valid but may not do this (HTTP 403): model access, region, billing.
    #[error("{provider} refused access: {message}")]
    Forbidden {
        /// The provider.
        provider: ProviderKind,
        /// Its explanation.
        message: String,
    },
    /// The model or deployment does not exist for this key (HTTP 404).
    #[error("{provider} does not know this model or deployment: {message}")]
    NotFound {
        /// The provider.
        provider: ProviderKind,
        /// Its explanation.
        message: String,
    },
    /// Rate limit or quota exhausted (HTTP 429).
    #[error("{provider} is rate limiting requests{}: {message}", retry_after.map(|s| format!(" (retry after {s} s)")).unwrap_or_default())]
    RateLimited {
        /// The provider.
        provider: ProviderKind,
        /// Seconds to wait, from `Retry-After` (or the provider's own hint) when given.
        retry_after: Option<u64>,
        /// Its explanation.
        message: String,
    },
    /// The provider failed (5xx, Anthropic's 529 "overloaded", or an error event mid-stream).
    #[error("{provider} failed{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Upstream {
        /// The provider.
        provider: ProviderKind,
        /// The HTTP status, or the status the provider's error event names.
        status: Option<u16>,
        /// Its explanation.
        message: String,
    },
    /// The provider sent something that is not its documented format.
    #[error("{provider} sent a response that could not be read: {reason}")]
    InvalidResponse {
        /// The provider.
        provider: ProviderKind,
        /// What could not be read.
        reason: String,
    },
    /// The stream ended before the provider said the answer was complete.
    #[error("the {provider} stream ended before the answer was complete")]
    Incomplete {
        /// The provider.
        provider: ProviderKind,
    },
}

impl ProviderError {
    pub(crate) fn invalid_request(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidRequest {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn config(
        provider: ProviderKind,
        field: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        Self::Config {
            provider,
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_response(provider: ProviderKind, reason: impl Into<String>) -> Self {
        Self::InvalidResponse {
            provider,
            reason: reason.into(),
        }
    }

    /// The error for an HTTP error answer: 400/413/422, 401, 403, 404 and 429 are the request's
    /// (or its key's) fault; everything else is the provider's.
    pub(crate) fn from_status(
        provider: ProviderKind,
        status: u16,
        message: String,
        retry_after: Option<u64>,
    ) -> Self {
        match status {
            400 | 413 | 422 => Self::BadRequest {
                provider,
                status,
                message,
            },
            401 => Self::Unauthorized { provider, message },
            403 => Self::Forbidden { provider, message },
            404 => Self::NotFound { provider, message },
            429 => Self::RateLimited {
                provider,
                retry_after,
                message,
            },
            _ => Self::Upstream {
                provider,
                status: Some(status),
                message,
            },
        }
    }

    /// The error for an error event inside a stream, classified by the type or status name the
    /// provider gave it (`overloaded_error`, `rate_limit_exceeded`, `RESOURCE_EXHAUSTED`, ...).
    pub(crate) fn from_event(provider: ProviderKind, kind: Option<&str>, message: String) -> Self {
        match kind.and_then(status_of_error_type) {
            Some(status) => Self::from_status(provider, status, message, None),
            None => Self::Upstream {
                provider,
                status: None,
                message,
            },
        }
    }

    /// The error with the key replaced by `***` wherever its text echoes it, and that text cut
    /// to [`MAX_MESSAGE_CHARS`]: for errors built from what the provider sent without the key at
    /// hand (a stream's events, an error inside a 200 answer), which may repeat anything.
    pub(crate) fn redacted(mut self, key: Option<&SecretString>) -> Self {
        match &mut self {
            Self::BadRequest { message, .. }
            | Self::Unauthorized { message, .. }
            | Self::Forbidden { message, .. }
            | Self::NotFound { message, .. }
            | Self::RateLimited { message, .. }
            | Self::Upstream { message, .. } => *message = clean_message(message, key),
            Self::InvalidResponse { reason, .. } => *reason = clean_message(reason, key),
            Self::UnknownProvider(_)
            | Self::MissingKey { .. }
            | Self::Config { .. }
            | Self::InvalidRequest { .. }
            | Self::Incomplete { .. } => {}
        }
        self
    }

    /// The provider the error is about, if any.
    pub fn provider(&self) -> Option<ProviderKind> {
        match self {
            Self::UnknownProvider(_) | Self::InvalidRequest { .. } => None,
            Self::MissingKey { provider }
            | Self::Config { provider, .. }
            | Self::BadRequest { provider, .. }
            | Self::Unauthorized { provider, .. }
            | Self::Forbidden { provider, .. }
            | Self::NotFound { provider, .. }
            | Self::RateLimited { provider, .. }
            | Self::Upstream { provider, .. }
            | Self::InvalidResponse { provider, .. }
            | Self::Incomplete { provider } => Some(*provider),
        }
    }

    /// The provider's own explanation, for the errors the provider reported.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::BadRequest { message, .. }
            | Self::Unauthorized { message, .. }
            | Self::Forbidden { message, .. }
            | Self::NotFound { message, .. }
            | Self::RateLimited { message, .. }
            | Self::Upstream { message, .. } => Some(message),
            Self::UnknownProvider(_)
            | Self::MissingKey { .. }
            | Self::Config { .. }
            | Self::InvalidRequest { .. }
            | Self::InvalidResponse { .. }
            | Self::Incomplete { .. } => None,
        }
    }

    /// Whether the provider refused the request as sent (400/401/403/404/413/422/429): sending
    /// it again unchanged does not help, except after a rate limit's wait. The message is the
    /// provider's explanation and may be shown to the user and the admin.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::BadRequest { .. }
                | Self::Unauthorized { .. }
                | Self::Forbidden { .. }
                | Self::NotFound { .. }
                | Self::RateLimited { .. }
        )
    }

    /// Seconds to wait before retrying, for a rate limit that said so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The code of the answer stream's `error` event for this failure: the one place a
    /// provider failure gets its stable code. A provider's 401/403 is a problem of the hub's
    /// key, never of the user's session.
    pub fn code(&self) -> StreamErrorCode {
        match self {
            Self::UnknownProvider(_) | Self::MissingKey { .. } | Self::Config { .. } => {
                StreamErrorCode::ProviderNotConfigured
            }
            Self::InvalidRequest { .. } | Self::BadRequest { .. } => {
                StreamErrorCode::ProviderRejected
            }
            Self::Unauthorized { .. } | Self::Forbidden { .. } => StreamErrorCode::ProviderAuth,
            Self::NotFound { .. } => StreamErrorCode::ProviderModelNotFound,
            Self::RateLimited { .. } => StreamErrorCode::ProviderRateLimited,
            Self::Upstream { .. } => StreamErrorCode::ProviderUnavailable,
            Self::InvalidResponse { .. } => StreamErrorCode::ProviderInvalidResponse,
            Self::Incomplete { .. } => StreamErrorCode::ProviderIncomplete,
        }
    }
}

/// The HTTP status an error type or status name of a provider stands for.
fn status_of_error_type(kind: &str) -> Option<u16> {
    Some(match kind {
        // Anthropic and OpenAI `type`s
        "invalid_request_error" | "invalid_request" | "BadRequestError" => 400,
        "authentication_error" | "invalid_api_key" => 401,
        "permission_error" => 403,
        "not_found_error" | "model_not_found" => 404,
        "request_too_large" => 413,
        "rate_limit_error" | "rate_limit_exceeded" | "insufficient_quota" | "tokens" => 429,
        "api_error" | "server_error" | "internal_server_error" => 500,
        "overloaded_error" => 529,
        // Google RPC status names
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => 400,
        "UNAUTHENTICATED" => 401,
        "PERMISSION_DENIED" => 403,
        "NOT_FOUND" => 404,
        "RESOURCE_EXHAUSTED" => 429,
        "INTERNAL" | "UNKNOWN" => 500,
        "UNAVAILABLE" => 503,
        "DEADLINE_EXCEEDED" => 504,
        _ => return None,
    })
}

/// The longest message kept from a provider's error body.
const MAX_MESSAGE_CHARS: usize = 1000;
/// The longest wait a `Retry-After` may ask for (a day); longer values are capped.
const MAX_RETRY_AFTER_SECS: u64 = 86_400;

/// Seconds to wait from `retry-after-ms` (OpenAI, Azure) or `retry-after` in delta-seconds;
/// an HTTP-date is not read (it would need a clock).
pub(crate) fn retry_after_from_headers(headers: &HeaderMap) -> Option<u64> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = header("retry-after-ms").and_then(parse_non_negative) {
        return Some(ceil_secs(ms / 1000.0));
    }
    header("retry-after")
        .and_then(parse_non_negative)
        .map(ceil_secs)
}

/// Seconds from a protobuf duration such as Gemini's `"retryDelay": "13s"` or `"0.5s"`.
pub(crate) fn parse_duration_secs(duration: &str) -> Option<u64> {
    duration
        .trim()
        .strip_suffix('s')
        .and_then(parse_non_negative)
        .map(ceil_secs)
}

fn parse_non_negative(s: &str) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn ceil_secs(secs: f64) -> u64 {
    // `secs` is finite and non-negative; the cap keeps the cast in range.
    secs.ceil().min(MAX_RETRY_AFTER_SECS as f64) as u64
}

/// A provider's message made safe to pass on: the key (if the provider echoed it) replaced by
/// `***`, whitespace trimmed, at most [`MAX_MESSAGE_CHARS`] characters.
pub(crate) fn clean_message(raw: &str, key: Option<&SecretString>) -> String {
    let mut message = raw.trim().to_owned();
    if let Some(key) = key
        && !key.is_empty()
    {
        message = message.replace(key.expose(), "***");
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        message = message.chars().take(MAX_MESSAGE_CHARS).collect();
        message.push('…');
    }
    message
}

/// A message for an error body that is not the provider's JSON (a proxy's HTML page, an empty
/// body): the body's text when it is short plain text, else the status.
pub(crate) fn fallback_message(status: u16, body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if !text.trim().is_empty() && !text.trim_start().starts_with('<') => {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        _ => format!("HTTP {status} without an error message"),
    }
}

/// The message of an error body in any of the shapes OpenAI-style servers use:
/// `{"error":{"message":...}}`, `{"error":"..."}`, `{"message":...}` (a string, or a
/// validation object as Mistral sends on 422) or `{"detail":...}`.
pub(crate) fn generic_message(body: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Null | Value::String(_) => None,
        other => Some(other.to_string()),
    };
    let body = match body {
        // Some servers wrap the error in a one-element array, some send a bare string.
        Value::Array(items) => items.first()?,
        Value::String(_) => return text(body),
        other => other,
    };
    match body.get("error") {
        Some(Value::Object(error)) => error.get("message").and_then(text),
        Some(error @ Value::String(_)) => text(error),
        _ => None,
    }
    .or_else(|| body.get("message").and_then(text))
    .or_else(|| body.get("detail").and_then(text))
}

/// The shared part of every `handle_error`: parse the body as JSON, let the provider pick its
/// message (`extract`), fall back to the generic shapes and then to the raw text, clean it, and
/// classify by status.
pub(crate) fn error_from_response(
    provider: ProviderKind,
    key: Option<&SecretString>,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    extract: impl FnOnce(&Value) -> Option<ErrorDetail>,
) -> ProviderError {
    let json = serde_json::from_slice::<Value>(body).ok();
    let detail = json.as_ref().and_then(extract).unwrap_or_default();
    let message = detail
        .message
        .or_else(|| json.as_ref().and_then(generic_message))
        .unwrap_or_else(|| fallback_message(status, body));
    let retry_after = retry_after_from_headers(headers).or(detail.retry_after);
    ProviderError::from_status(
        provider,
        detail.status.unwrap_or(status),
        clean_message(&message, key),
        retry_after,
    )
}

/// What a provider's own error format says.
#[derive(Debug, Default)]
pub(crate) struct ErrorDetail {
    pub(crate) message: Option<String>,
    /// A wait hint from the body (Gemini's `RetryInfo`), used when no header gives one.
    pub(crate) retry_after: Option<u64>,
    /// The status the error really stands for, where the provider uses another one (Gemini
    /// and xAI answer an invalid key with 400; it is a 401).
    pub(crate) status: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde_json::json;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_and_milliseconds() {
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "20")])),
            Some(20)
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "1.2")])),
            Some(2)
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[
                ("retry-after-ms", "1500"),
                ("retry-after", "9")
            ])),
            Some(2)
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            None
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "-3")])),
            None
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "99999999")])),
            Some(MAX_RETRY_AFTER_SECS)
        );
        assert_eq!(retry_after_from_headers(&HeaderMap::new()), None);
        assert_eq!(parse_duration_secs("13s"), Some(13));
        assert_eq!(parse_duration_secs("0.25s"), Some(1));
        assert_eq!(parse_duration_secs("13"), None);
    }

    #[test]
    fn messages_never_carry_the_key_and_stay_short() {
        let key = SecretString::new("sk-secret-123");
        let message = clean_message("  Incorrect API key provided: sk-secret-123.  ", Some(&key));
        assert_eq!(message, "Incorrect API key provided: ***.");

        let long = "é".repeat(MAX_MESSAGE_CHARS + 10);
        let message = clean_message(&long, None);
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(message.ends_with('…'));
    }

    #[test]
    fn fallback_messages_skip_html() {
        assert_eq!(
            fallback_message(502, b"<html><body>Bad Gateway</body></html>"),
            "HTTP 502 without an error message"
        );
        assert_eq!(
            fallback_message(500, b""),
            "HTTP 500 without an error message"
        );
        assert_eq!(
            fallback_message(503, b"upstream\n connect error"),
            "upstream connect error"
        );
        assert_eq!(
            fallback_message(500, &[0xff, 0xfe]),
            "HTTP 500 without an error message"
        );
    }

    #[test]
    fn generic_shapes_are_understood() {
        let cases = [
            (
                json!({"error": {"message": "bad model"}}),
                Some("bad model"),
            ),
            (
                json!({"error": "model not loaded"}),
                Some("model not loaded"),
            ),
            (
                json!({"object": "error", "message": "too long"}),
                Some("too long"),
            ),
            (json!({"detail": "Not Found"}), Some("Not Found")),
            (json!([{"error": {"message": "wrapped"}}]), Some("wrapped")),
            (
                json!({"error": {"message": ""}, "message": "outer"}),
                Some("outer"),
            ),
            (json!("bare string"), Some("bare string")),
            (json!({"unrelated": 1}), None),
        ];
        for (body, expected) in cases {
            assert_eq!(generic_message(&body).as_deref(), expected, "{body}");
        }
        let nested = generic_message(&json!({"message": {"detail": [{"msg": "Extra inputs"}]}}));
        assert_eq!(
            nested.as_deref(),
            Some(r#"{"detail":[{"msg":"Extra inputs"}]}"#)
        );
    }

    #[test]
    fn statuses_are_classified() {
        let p = ProviderKind::OpenAi;
        let e = |status| ProviderError::from_status(p, status, "m".into(), Some(3));
        assert!(matches!(
            e(400),
            ProviderError::BadRequest { status: 400, .. }
        ));
        assert!(matches!(
            e(413),
            ProviderError::BadRequest { status: 413, .. }
        ));
        assert!(matches!(
            e(422),
            ProviderError::BadRequest { status: 422, .. }
        ));
        assert!(matches!(e(401), ProviderError::Unauthorized { .. }));
        assert!(matches!(e(403), ProviderError::Forbidden { .. }));
        assert!(matches!(e(404), ProviderError::NotFound { .. }));
        assert_eq!(e(429).retry_after(), Some(3));
        assert!(matches!(
            e(500),
            ProviderError::Upstream {
                status: Some(500),
                ..
            }
        ));
        assert!(matches!(
            e(529),
            ProviderError::Upstream {
                status: Some(529),
                ..
            }
        ));
        for status in [400, 401, 403, 404, 429] {
            assert!(e(status).is_client_error(), "{status}");
        }
        for status in [500, 502, 503, 504, 529] {
            assert!(!e(status).is_client_error(), "{status}");
        }
    }

    #[test]
    fn failures_have_stable_stream_codes() {
        let p = ProviderKind::Anthropic;
        let cases = [
            (401, StreamErrorCode::ProviderAuth),
            (403, StreamErrorCode::ProviderAuth),
            (404, StreamErrorCode::ProviderModelNotFound),
            (400, StreamErrorCode::ProviderRejected),
            (429, StreamErrorCode::ProviderRateLimited),
            (500, StreamErrorCode::ProviderUnavailable),
            (529, StreamErrorCode::ProviderUnavailable),
            (503, StreamErrorCode::ProviderUnavailable),
            (504, StreamErrorCode::ProviderUnavailable),
        ];
        for (upstream, code) in cases {
            let err = ProviderError::from_status(p, upstream, "m".into(), None);
            assert_eq!(err.code(), code, "{upstream}");
            assert_eq!(err.provider(), Some(p));
        }
        let err = ProviderError::Incomplete { provider: p };
        assert_eq!(err.code(), StreamErrorCode::ProviderIncomplete);
        let err = ProviderError::MissingKey { provider: p };
        assert_eq!(err.code(), StreamErrorCode::ProviderNotConfigured);
    }

    #[test]
    fn stream_error_types_are_classified() {
        let p = ProviderKind::Anthropic;
        let e = |kind| ProviderError::from_event(p, kind, "m".into());
        assert!(matches!(
            e(Some("overloaded_error")),
            ProviderError::Upstream {
                status: Some(529),
                ..
            }
        ));
        assert!(matches!(
            e(Some("rate_limit_error")),
            ProviderError::RateLimited { .. }
        ));
        assert!(matches!(
            e(Some("invalid_request_error")),
            ProviderError::BadRequest { .. }
        ));
        assert!(matches!(
            e(Some("RESOURCE_EXHAUSTED")),
            ProviderError::RateLimited { .. }
        ));
        assert!(matches!(
            e(Some("something_new")),
            ProviderError::Upstream { status: None, .. }
        ));
        assert!(matches!(
            e(None),
            ProviderError::Upstream { status: None, .. }
        ));
    }

    #[test]
    fn display_names_the_provider_and_the_wait() {
        let err = ProviderError::from_status(ProviderKind::XAi, 429, "slow down".into(), Some(7));
        assert_eq!(
            err.to_string(),
            "xAI is rate limiting requests (retry after 7 s): slow down"
        );
        let err = ProviderError::from_status(ProviderKind::Gemini, 500, "boom".into(), None);
        assert_eq!(err.to_string(), "Google Gemini failed (HTTP 500): boom");
    }
}
