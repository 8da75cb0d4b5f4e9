//! Any server with OpenAI's Chat Completions API (vLLM, Ollama, LM Studio, LiteLLM, gateways):
//! `{base}/chat/completions`, where the base URL is the admin's (`http://ollama:11434/v1`),
//! with `Authorization: Bearer <key>` only when a key is configured.
//!
//! The output limit goes in `max_tokens`, which every such server knows, or in
//! `max_completion_tokens` for a model configured as a reasoning model. Streamed answers ask
//! for usage with `stream_options.include_usage`; a server that ignores it reports none, and
//! the stream then has no `Usage` event. Error bodies vary by server: `{"error": {...}}`,
//! `{"error": "..."}`, `{"object": "error", "message": ...}` or `{"detail": ...}`.

use crate::chat_completions::{Flavor, MaxTokens, openai_error_detail};
use crate::config::ProviderKind;

pub(crate) static FLAVOR: Flavor = Flavor {
    kind: ProviderKind::OpenAiCompatible,
    send_model: true,
    max_tokens: MaxTokens::ByTraits,
    stream_usage: true,
    reasoning_outside_completion: false,
    error_detail: openai_error_detail,
};

#[cfg(test)]
mod tests {
    use crate::types::{ChatRequest, Message};
    use crate::{ProviderConfig, ProviderKind, provider};

    #[test]
    fn a_server_without_a_key_gets_no_authorization_header() {
        let client = provider(
            &ProviderConfig::new(ProviderKind::OpenAiCompatible)
                .with_base_url("http://127.0.0.1:11434/v1/"),
        )
        .unwrap();
        let request = client
            .build_request(&ChatRequest::new("llama3.1:8b", vec![Message::user("Hi")]))
            .unwrap();
        assert_eq!(request.uri(), "http://127.0.0.1:11434/v1/chat/completions");
        assert!(request.headers().get("authorization").is_none());
    }
}
