//! OpenAI: the Chat Completions API at `https://api.openai.com/v1/chat/completions`,
//! `Authorization: Bearer <key>`.
//!
//! The output limit is always sent as `max_completion_tokens` (OpenAI deprecated `max_tokens`,
//! and its reasoning models refuse it); streamed answers ask for a final usage chunk with
//! `stream_options.include_usage`. `completion_tokens` already counts the reasoning tokens.
//! Errors are `{"error": {"message", "type", "param", "code"}}`.

use crate::chat_completions::{Flavor, MaxTokens, openai_error_detail};
use crate::config::ProviderKind;

pub(crate) static FLAVOR: Flavor = Flavor {
    kind: ProviderKind::OpenAi,
    send_model: true,
    max_tokens: MaxTokens::Completion,
    stream_usage: true,
    reasoning_outside_completion: false,
    error_detail: openai_error_detail,
};

#[cfg(test)]
mod tests {
    use crate::types::{ChatRequest, Message, StreamEvent, Usage};
    use crate::{ProviderConfig, ProviderKind, provider};

    #[test]
    fn reasoning_models_get_no_temperature_and_count_reasoning_as_output() {
        let client =
            provider(&ProviderConfig::new(ProviderKind::OpenAi).with_api_key("sk-test")).unwrap();
        let request = ChatRequest::new("o4-mini", vec![Message::user("Prove it.")])
            .with_temperature(0.2)
            .with_max_output_tokens(5000);
        let http = client.build_request(&request).unwrap();
        let body: serde_json::Value = serde_json::from_slice(http.body()).unwrap();
        assert!(body.get("temperature").is_none(), "{body}");
        assert_eq!(body["max_completion_tokens"], 5000);

        let events = client.stream().parse_body(
            br#"data: {"choices":[{"index":0,"delta":{"content":"QED"},"finish_reason":"stop"}]}

data: {"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":900,"total_tokens":920,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":896}}}

data: [DONE]

"#,
        );
        assert_eq!(
            events[1],
            StreamEvent::Usage(Usage {
                input: 20,
                output: 900,
                cached: 0
            })
        );
    }
}
