//! xAI: an OpenAI-compatible Chat Completions API at `https://api.x.ai/v1/chat/completions`,
//! `Authorization: Bearer <key>`.
//!
//! It takes `max_tokens` and `stream_options.include_usage`. Unlike OpenAI, its
//! `completion_tokens` leaves out the reasoning tokens of its reasoning models
//! (`total_tokens = prompt + completion + reasoning`); they are billed as output, so they are
//! added to [`crate::Usage::output`]. Its stream chunks omit `finish_reason` until the last
//! one. Errors come as `{"code": "...", "error": "<message>"}`, the message at times
//! percent-encoded; an invalid key is answered with a 400 ("Incorrect API key provided"),
//! which is read as the 401 it stands for.

use serde_json::Value;

use crate::chat_completions::{Flavor, MaxTokens};
use crate::config::ProviderKind;
use crate::error::{ErrorDetail, generic_message};

pub(crate) static FLAVOR: Flavor = Flavor {
    kind: ProviderKind::XAi,
    send_model: true,
    max_tokens: MaxTokens::Legacy,
    stream_usage: true,
    reasoning_outside_completion: true,
    error_detail,
};

fn error_detail(body: &Value) -> Option<ErrorDetail> {
    let message = generic_message(body).map(|m| {
        if m.contains(' ') {
            m
        } else {
            percent_decode(&m)
        }
    });
    let invalid_key = message
        .as_deref()
        .is_some_and(|m| m.starts_with("Incorrect API key"));
    Some(ErrorDetail {
        message,
        status: invalid_key.then_some(401),
        ..ErrorDetail::default()
    })
}

/// Decodes `%XX` escapes (a message such as `Incorrect%20API%20key`); anything that is not
/// a valid escape, or not UTF-8 once decoded, is kept as it was.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{StreamEvent, Usage};
    use crate::{ProviderConfig, ProviderError, provider};
    use http::HeaderMap;

    #[test]
    fn reasoning_tokens_are_added_to_the_output() {
        let client =
            provider(&ProviderConfig::new(ProviderKind::XAi).with_api_key("xai-test")).unwrap();
        let events = client.stream().parse_body(
            br#"data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"reasoning_content":"Thinking","role":"assistant"}}]}

data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}

data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

data: {"id":"x","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":213,"completion_tokens":27,"total_tokens":373,"prompt_tokens_details":{"text_tokens":213,"cached_tokens":192},"completion_tokens_details":{"reasoning_tokens":133}}}

data: [DONE]

"#,
        );
        assert_eq!(
            events[0],
            StreamEvent::Delta("Hi".into()),
            "reasoning is not answer text"
        );
        assert_eq!(
            events[1],
            StreamEvent::Usage(Usage {
                input: 213,
                output: 160,
                cached: 192
            })
        );
    }

    #[test]
    fn an_invalid_key_is_unauthorized_and_readable() {
        let client =
            provider(&ProviderConfig::new(ProviderKind::XAi).with_api_key("xai-test")).unwrap();
        let body = br#"{"code":"Client specified an invalid argument","error":"Incorrect%20API%20key%20provided:%20xa***st.%20You%20can%20obtain%20an%20API%20key%20from%20https://console.x.ai."}"#;
        let err = client.handle_error(400, &HeaderMap::new(), body);
        match err {
            ProviderError::Unauthorized { message, .. } => assert_eq!(
                message,
                "Incorrect API key provided: xa***st. You can obtain an API key from https://console.x.ai."
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%C3%A9%zz"), "é%zz");
    }
}
