//! The LLM provider clients of the hub, as plain Rust: no HTTP client, no Spin.
//!
//! A [`Provider`] turns a provider-neutral [`ChatRequest`] into the provider's
//! `http::Request<Vec<u8>>` (URL, headers with the key, JSON body), and reads what comes back:
//! a complete JSON answer ([`Provider::parse_response`]), a streamed answer through one shared
//! SSE parser into [`StreamEvent`]s ([`Provider::stream`]), or an error answer
//! ([`Provider::handle_error`]). The component sends the request with Spin's outbound HTTP and
//! feeds the response bytes back in, so everything here unit-tests natively.
//!
//! One module per provider: [`openai`], [`anthropic`], [`gemini`], [`mistral`], [`xai`],
//! [`azure`] and [`compatible`] (any OpenAI-compatible server); the five that speak OpenAI's
//! Chat Completions share its wire format in [`chat_completions`]. Every base URL is
//! configurable ([`ProviderConfig`]); keys are [`SecretString`]s, looked up in one place
//! ([`resolve_key`]). [`cost`] prices a request's [`Usage`] exactly.
//!
//! [`embeddings`] does the same for embedding requests: an [`embeddings::Embedder`] per
//! provider with an embeddings API (OpenAI, Azure OpenAI, Gemini, Mistral, compatible servers).
//!
//! ```
//! use hub_providers::{ChatRequest, Message, Provider, ProviderConfig, ProviderKind, StreamEvent, provider};
//!
//! let config = ProviderConfig::new(ProviderKind::OpenAi).with_api_key("sk-test");
//! let client = provider(&config)?;
//! let request = client.build_request(&ChatRequest::new("gpt-4o-mini", vec![Message::user("Hi")]))?;
//! assert_eq!(request.uri(), "https://api.openai.com/v1/chat/completions");
//!
//! // The response body, as it arrives, in chunks split anywhere:
//! let mut stream = client.stream();
//! let mut events = stream.push(b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel");
//! events.extend(stream.push(b"lo\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
//! events.extend(stream.finish());
//! assert_eq!(events[0], StreamEvent::Delta("Hello".into()));
//! # Ok::<(), hub_providers::ProviderError>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod anthropic;
pub mod azure;
pub mod chat_completions;
pub mod compatible;
mod config;
mod cost;
pub mod embeddings;
mod error;
pub mod gemini;
pub mod mistral;
pub mod openai;
mod request;
mod secret;
pub mod sse;
mod stream;
mod types;
pub mod xai;

use http::{HeaderMap, Request};

pub use config::{AZURE_DEFAULT_API_VERSION, ProviderConfig, ProviderKind, resolve_key};
pub use cost::{PriceError, Prices, cost};
pub use error::ProviderError;
pub use rust_decimal::Decimal;
pub use secret::SecretString;
pub use stream::{ChatStream, StreamSummary};
pub use types::{
    ChatRequest, ChatResponse, FinishReason, MAX_TEMPERATURE, Message, ModelTraits, Role,
    StreamEvent, Usage,
};

/// One provider's client: request building and response parsing, all pure.
pub trait Provider {
    /// Which provider this is.
    fn kind(&self) -> ProviderKind;

    /// The HTTP request for `request`: method, URL, headers (the key's header is marked
    /// sensitive) and JSON body. Fails if the request is invalid for this provider.
    fn build_request(&self, request: &ChatRequest) -> Result<Request<Vec<u8>>, ProviderError>;

    /// Reads a complete (non-streamed) successful answer.
    fn parse_response(&self, body: &[u8]) -> Result<ChatResponse, ProviderError>;

    /// A parser for a streamed successful answer.
    fn stream(&self) -> ChatStream;

    /// The error for an answer with a non-success `status`: 400/413/422, 401, 403, 404 and
    /// 429 (with `Retry-After`) are the request's fault, the rest the provider's. The message
    /// is the provider's own, from its documented error body, without the key.
    fn handle_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError;
}

/// The client for `config`: checks the base URL, the key and (Azure) the `api-version`.
pub fn provider(config: &ProviderConfig) -> Result<Box<dyn Provider>, ProviderError> {
    Ok(match config.kind {
        ProviderKind::OpenAi
        | ProviderKind::Mistral
        | ProviderKind::XAi
        | ProviderKind::OpenAiCompatible => {
            Box::new(chat_completions::ChatCompletions::new(config)?)
        }
        ProviderKind::AzureOpenAi => Box::new(azure::AzureOpenAi::new(config)?),
        ProviderKind::Anthropic => Box::new(anthropic::Anthropic::new(config)?),
        ProviderKind::Gemini => Box::new(gemini::Gemini::new(config)?),
    })
}
