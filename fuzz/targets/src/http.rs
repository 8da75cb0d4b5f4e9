//! `hub-http`: the JSON body parser over the API's request types, and the query-string decoder.

use hub_api::{CreateChat, Login, RegisterUser, SendMessage, UpdateChat, UpdateMe};
use hub_http::{ApiError, JSON_BODY_LIMIT, parse_json_body, percent_decode, query_param};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::percent_encode;

/// Checks an error the API would send: a 4xx whose body is the documented JSON shape with the
/// code that goes with the status.
fn check_client_error(error: &ApiError) {
    let status = error.status();
    assert!(
        (400..500).contains(&status),
        "status {status} for {error:?}"
    );
    let body: Value = serde_json::from_slice(&error.body())
        .unwrap_or_else(|e| panic!("the error body is not JSON ({e}): {error:?}"));
    assert_eq!(body["error"]["code"], error.code(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

fn parse_as<T: DeserializeOwned>(content_type: Option<&str>, body: &[u8], limit: usize) {
    match parse_json_body::<T>(content_type, body, limit) {
        Ok(_) => {
            // Only a JSON object is a body.
            let value: Value = serde_json::from_slice(body)
                .unwrap_or_else(|e| panic!("a body that is not JSON was accepted: {e}"));
            assert!(
                value.is_object(),
                "a body that is not an object was accepted: {value}"
            );
        }
        Err(error) => check_client_error(&error),
    }
}

fn parse_all(content_type: Option<&str>, body: &[u8], limit: usize) {
    parse_as::<RegisterUser>(content_type, body, limit);
    parse_as::<Login>(content_type, body, limit);
    parse_as::<UpdateMe>(content_type, body, limit);
    parse_as::<CreateChat>(content_type, body, limit);
    parse_as::<UpdateChat>(content_type, body, limit);
    parse_as::<SendMessage>(content_type, body, limit);
}

/// `hub_http::parse_json_body` into every request type of the API.
///
/// Invariants: no panic; a refused body is a 4xx with the documented error body; an accepted
/// body is a JSON object. The body is also parsed under a limit it exceeds (413), and its first
/// line is tried as the `Content-Type` (415 unless it is JSON's).
pub fn json_body(data: &[u8]) {
    parse_all(Some("application/json"), data, JSON_BODY_LIMIT);
    parse_all(
        Some("application/json; charset=utf-8"),
        data,
        data.len() / 2,
    );
    let first_line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    parse_all(
        Some(&String::from_utf8_lossy(first_line)),
        b"{}",
        JSON_BODY_LIMIT,
    );
    parse_all(None, data, JSON_BODY_LIMIT);
}

/// The expected decoding of `%XX` and `+`, written independently of `hub_http`: an escape is
/// `%` and exactly two hex digits; anything else stays as it is.
fn reference_decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match (bytes[i], escape) {
            (_, Some((hi, lo))) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `hub_http::percent_decode` and `hub_http::query_param`.
///
/// Invariants: no panic; decoding agrees with an independent reference; decoding what a
/// client encoded gives the text back; `query_param` finds the first value of each name of a
/// query built from the input (split at NUL bytes into names and values).
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    assert_eq!(
        percent_decode(&text),
        reference_decode(&text),
        "decoding {text:?}"
    );
    assert_eq!(
        percent_decode(&percent_encode(&text)),
        text,
        "round trip of {text:?}"
    );

    // A query from the input: NUL separates names and values.
    let parts: Vec<&str> = text.split('\0').collect();
    let pairs: Vec<(&str, &str)> = parts
        .chunks(2)
        .map(|pair| (pair[0], pair.get(1).copied().unwrap_or_default()))
        .collect();
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect();
    let query = query.join("&");
    for (name, _) in &pairs {
        let first = pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| (*v).to_owned());
        assert_eq!(query_param(&query, name), first, "{name:?} in {query:?}");
    }
    // And the raw input as a query: no panic, whatever it holds.
    for name in ["limit", "cursor", "", pairs[0].0] {
        let _ = query_param(&text, name);
    }
}
