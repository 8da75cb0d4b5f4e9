//! JSON bodies: success bodies out, request bodies in, and the list shape.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{error::Category, json};

use hub_api::ErrorCode;

use crate::{ApiError, CONTENT_TYPE_JSON};

/// The default size limit of a JSON request body: 1 MiB.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Serialises a success body (send it with [`CONTENT_TYPE_JSON`]).
///
/// A value that cannot be serialised (a map with non-string keys, a failing
/// `Serialize` impl) is our bug, so it becomes an [`ApiError::internal`].
pub fn json_body<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value)
        .map_err(|err| ApiError::internal(format!("serialising a response body: {err}")))
}

/// Checks and parses a JSON request body.
///
/// - `content_type` (the request's `Content-Type`, if any) must be
///   `application/json`, parameters such as `charset=utf-8` allowed; else 415.
/// - `body` must be at most `limit` bytes (usually [`JSON_BODY_LIMIT`]); else 413.
/// - Malformed JSON is a 400 `invalid_json`; well-formed JSON of the wrong shape
///   (missing or unknown field, wrong type) a 400 `invalid_input`. Both carry the
///   parser's message and `details.line` / `details.column`.
/// - The document must be a JSON object: an array, a string, a number, `true`,
///   `false` or `null` is a 400 `invalid_input` for every route, whatever `T` would
///   accept (serde reads a struct from an array too). Checked on the first
///   significant byte, so a valid body is parsed once.
pub fn parse_json_body<T: DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
    limit: usize,
) -> Result<T, ApiError> {
    if !content_type.is_some_and(is_json_media_type) {
        return Err(ApiError::unsupported_media_type(
            content_type,
            CONTENT_TYPE_JSON,
        ));
    }
    if body.len() > limit {
        return Err(ApiError::payload_too_large(limit as u64));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ErrorCode::InvalidJson,
            "the request body is empty; send a JSON document",
        ));
    }
    if let Some((start, kind)) = top_level_non_object(body) {
        // Malformed JSON stays `invalid_json`: the parser decides (on this error path only).
        serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(parse_error)?;
        let (line, column) = line_and_column(body, start);
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("invalid request body: the body must be a JSON object, not {kind}"),
        )
        .with_details(json!({ "line": line, "column": column })));
    }
    serde_json::from_slice(body).map_err(parse_error)
}

/// The parser's error as the API's: `invalid_input` for the wrong shape, else `invalid_json`.
fn parse_error(err: serde_json::Error) -> ApiError {
    let code = match err.classify() {
        Category::Data => ErrorCode::InvalidInput,
        Category::Syntax | Category::Eof | Category::Io => ErrorCode::InvalidJson,
    };
    ApiError::new(code, format!("invalid request body: {err}"))
        .with_details(json!({ "line": err.line(), "column": err.column() }))
}

/// Where the top-level value of `body` starts and what it is, when it is not an object
/// (`None` for an object, or when the body is only whitespace).
fn top_level_non_object(body: &[u8]) -> Option<(usize, &'static str)> {
    let start = body
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))?;
    let kind = match body[start] {
        b'{' => return None,
        b'[' => "an array",
        b'"' => "a string",
        b'-' | b'0'..=b'9' => "a number",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        // Not JSON at all: the parser says so.
        _ => return None,
    };
    Some((start, kind))
}

/// The 1-based line and column of byte `offset` of `body`, as the parser counts them.
fn line_and_column(body: &[u8], offset: usize) -> (usize, usize) {
    let before = &body[..offset];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// Whether a `Content-Type` value is `application/json` (case-insensitive,
/// parameters ignored).
fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(CONTENT_TYPE_JSON)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct NewChat {
        title: String,
    }

    fn parse(content_type: Option<&str>, body: &str) -> Result<NewChat, ApiError> {
        parse_json_body(content_type, body.as_bytes(), 64)
    }

    #[test]
    fn parses_a_valid_body() {
        let chat = parse(Some("application/json; charset=utf-8"), r#"{"title":"hi"}"#).unwrap();
        assert_eq!(chat, NewChat { title: "hi".into() });
        assert!(parse(Some("Application/JSON"), r#"{"title":"hi"}"#).is_ok());
    }

    #[test]
    fn wrong_or_missing_content_type_is_415() {
        let err = parse(Some("text/plain"), r#"{"title":"hi"}"#).unwrap_err();
        assert_eq!((err.status(), err.code()), (415, "unsupported_media_type"));
        let err = parse(None, r#"{"title":"hi"}"#).unwrap_err();
        assert_eq!(err.status(), 415);
        let err = parse(Some("application/jsonx"), r#"{"title":"hi"}"#).unwrap_err();
        assert_eq!(err.status(), 415);
    }

    #[test]
    fn body_over_the_limit_is_413() {
        let body = format!(r#"{{"title":"{}"}}"#, "x".repeat(100));
        let err = parse(Some("application/json"), &body).unwrap_err();
        assert_eq!((err.status(), err.code()), (413, "payload_too_large"));
    }

    #[test]
    fn malformed_and_empty_json_are_invalid_json() {
        let err = parse(Some("application/json"), r#"{"title":"#).unwrap_err();
        assert_eq!((err.status(), err.code()), (400, "invalid_json"));
        let err = parse(Some("application/json"), "{,}").unwrap_err();
        assert_eq!((err.status(), err.code()), (400, "invalid_json"));
        assert_eq!(err.details().unwrap()["line"], 1);
        let err = parse(Some("application/json"), "  ").unwrap_err();
        assert_eq!((err.status(), err.code()), (400, "invalid_json"));
    }

    #[test]
    fn unknown_field_and_wrong_type_are_invalid_input_naming_the_field() {
        let err = parse(Some("application/json"), r#"{"title":"a","colour":1}"#).unwrap_err();
        assert_eq!((err.status(), err.code()), (400, "invalid_input"));
        assert!(err.message().contains("colour"), "{}", err.message());
        let err = parse(Some("application/json"), r#"{"title":5}"#).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        let err = parse(Some("application/json"), r#"{}"#).unwrap_err();
        assert!(err.message().contains("title"), "{}", err.message());
    }

    #[test]
    fn only_an_object_is_a_body() {
        // The struct would deserialise from an array; the body must still be an object.
        for (body, kind) in [
            (r#"["hi"]"#, "an array"),
            (r#""hi""#, "a string"),
            ("42", "a number"),
            ("-1", "a number"),
            ("true", "a boolean"),
            ("null", "null"),
        ] {
            let err = parse(Some("application/json"), body).unwrap_err();
            assert_eq!((err.status(), err.code()), (400, "invalid_input"), "{body}");
            assert!(
                err.message().contains("must be a JSON object"),
                "{}",
                err.message()
            );
            assert!(err.message().contains(kind), "{}", err.message());
            assert_eq!(err.details().unwrap()["column"], 1, "{body}");
        }
        let err = parse(Some("application/json"), " \r\n\t [1]").unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(err.details().unwrap()["line"], 2);
        assert_eq!(err.details().unwrap()["column"], 3);
        // Malformed stays invalid_json, whatever it starts with.
        for body in ["[1,", "nul", "tru e", "\u{1}"] {
            let err = parse(Some("application/json"), body).unwrap_err();
            assert_eq!(err.code(), "invalid_json", "{body:?}");
        }
        // Leading whitespace before an object is fine.
        assert!(parse(Some("application/json"), " \n{\"title\":\"hi\"}").is_ok());
    }

    #[test]
    fn page_has_the_list_shape() {
        let page = hub_api::Page {
            items: vec![1, 2],
            next_cursor: None,
        };
        let value: Value = serde_json::from_slice(&json_body(&page).unwrap()).unwrap();
        assert_eq!(value, json!({"items": [1, 2], "next_cursor": null}));
    }

    #[test]
    fn json_body_maps_serialisation_failure_to_internal() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let err = json_body(&map).unwrap_err();
        assert_eq!((err.status(), err.code()), (500, "internal_error"));
    }
}
