//! Building the HTTP request every provider sends: a JSON `POST` with an auth header.

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, Request};
use serde::Serialize;

use crate::config::ProviderKind;
use crate::error::ProviderError;
use crate::secret::SecretString;

/// An auth header value made from a key (`prefix` + key), marked sensitive so that `http`'s
/// `Debug` of the request prints `Sensitive` instead of the key.
pub(crate) fn secret_header(
    provider: ProviderKind,
    prefix: &str,
    key: &SecretString,
) -> Result<HeaderValue, ProviderError> {
    let mut value = HeaderValue::from_str(&format!("{prefix}{}", key.expose())).map_err(|_| {
        ProviderError::config(
            provider,
            "api_key",
            "contains characters that cannot be sent in an HTTP header",
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Serialises a request body.
pub(crate) fn to_json(
    provider: ProviderKind,
    body: &impl Serialize,
) -> Result<Vec<u8>, ProviderError> {
    serde_json::to_vec(body).map_err(|e| {
        ProviderError::invalid_request("messages", format!("cannot be sent to {provider}: {e}"))
    })
}

/// A `POST` of `body` (JSON) to `url` with the given headers; `Accept` is
/// `text/event-stream` for a streamed answer and `application/json` otherwise.
pub(crate) fn post_json(
    provider: ProviderKind,
    url: &str,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
    stream: bool,
) -> Result<Request<Vec<u8>>, ProviderError> {
    let accept = if stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(ACCEPT, HeaderValue::from_static(accept));
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(body).map_err(|_| {
        ProviderError::config(
            provider,
            "base_url",
            format!("gives the URL {url:?}, which cannot be requested"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_sensitive_and_checked() {
        let key = SecretString::new("sk-1");
        let value = secret_header(ProviderKind::OpenAi, "Bearer ", &key).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Bearer sk-1");

        let bad = SecretString::new("sk-1\r\nX-Evil: 1");
        let err = secret_header(ProviderKind::OpenAi, "Bearer ", &bad).unwrap_err();
        assert!(!err.to_string().contains("sk-1"), "{err}");
    }

    #[test]
    fn requests_are_json_posts() {
        let request = post_json(
            ProviderKind::OpenAi,
            "https://api.openai.com/v1/chat/completions",
            vec![(
                HeaderName::from_static("x-extra"),
                HeaderValue::from_static("1"),
            )],
            b"{}".to_vec(),
            true,
        )
        .unwrap();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_eq!(request.headers()["accept"], "text/event-stream");
        assert_eq!(request.headers()["x-extra"], "1");
        assert_eq!(request.body(), b"{}");
    }
}
