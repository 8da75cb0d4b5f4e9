//! Mistral: the chat completions API at `https://api.mistral.ai/v1/chat/completions`,
//! `Authorization: Bearer <key>`.
//!
//! OpenAI's format with differences: the limit is `max_tokens`; `stream_options` is refused
//! (422 "Extra inputs are not permitted"), and not needed since the last chunk always carries
//! `usage`; `finish_reason` may also be `model_length` (context full) or `error`; reasoning
//! models send `content` as a list of typed parts. Errors are
//! `{"object": "error", "message": ..., "type", "param", "code"}`, where a 422's `message` is a
//! validation object `{"detail": [{"loc": [...], "msg": ...}]}`; a 401 is
//! `{"message": "Unauthorized", "request_id": ...}`.

use serde_json::Value;

use crate::chat_completions::{Flavor, MaxTokens};
use crate::config::ProviderKind;
use crate::error::{ErrorDetail, generic_message};

pub(crate) static FLAVOR: Flavor = Flavor {
    kind: ProviderKind::Mistral,
    send_model: true,
    max_tokens: MaxTokens::Legacy,
    stream_usage: false,
    reasoning_outside_completion: false,
    error_detail,
};

/// Mistral's error body; validation details become `loc: msg` lines.
fn error_detail(body: &Value) -> Option<ErrorDetail> {
    let details = body
        .get("message")
        .and_then(|m| m.get("detail"))
        .or_else(|| body.get("detail"))
        .and_then(Value::as_array);
    let message = match details {
        Some(details) => {
            let lines: Vec<String> = details
                .iter()
                .map(|d| {
                    let loc = d
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|parts| {
                            parts
                                .iter()
                                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default();
                    let msg = d.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                    if loc.is_empty() {
                        msg.to_owned()
                    } else {
                        format!("{loc}: {msg}")
                    }
                })
                .collect();
            Some(lines.join("; "))
        }
        None => generic_message(body),
    };
    Some(ErrorDetail {
        message,
        ..ErrorDetail::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_errors_name_the_field() {
        let body = json!({
            "object": "error",
            "message": {"detail": [{"type": "extra_forbidden", "loc": ["body", "stream_options"], "msg": "Extra inputs are not permitted", "input": {"include_usage": true}}]},
            "type": "invalid_request_error",
            "param": null,
            "code": null
        });
        assert_eq!(
            error_detail(&body).unwrap().message.as_deref(),
            Some("body.stream_options: Extra inputs are not permitted")
        );
        let body = json!({"message": "Unauthorized", "request_id": "abc"});
        assert_eq!(
            error_detail(&body).unwrap().message.as_deref(),
            Some("Unauthorized")
        );
    }
}
