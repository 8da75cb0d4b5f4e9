//! OpenAI's Chat Completions wire format, which OpenAI, Azure OpenAI, Mistral, xAI and
//! OpenAI-compatible servers share, and the client for the providers that differ only in
//! their [`Flavor`] (OpenAI, Mistral, xAI, compatible servers).
//!
//! Request: `{"model", "messages": [{"role", "content"}], "temperature", "max_tokens" |
//! "max_completion_tokens", "stream", "stream_options": {"include_usage": true}}`.
//! Streamed answer: `data: {chunk}` events with `choices[0].delta.content` and
//! `choices[0].finish_reason`, then (with `include_usage`) a chunk with `"choices": []` and
//! `usage`, then `data: [DONE]`. A failure mid-stream is a chunk `{"error": {...}}`.

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{BaseUrl, ProviderConfig, ProviderKind};
use crate::error::{ErrorDetail, ProviderError, error_from_response, generic_message};
use crate::request::{post_json, secret_header, to_json};
use crate::secret::SecretString;
use crate::sse::SseEvent;
use crate::stream::{ChatStream, Decoder, Piece};
use crate::types::{ChatRequest, ChatResponse, FinishReason, Usage};
use crate::{Provider, compatible, mistral, openai, xai};

/// Which field carries the output token limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MaxTokens {
    /// `max_tokens`, which every OpenAI-style server knows.
    Legacy,
    /// `max_completion_tokens`, OpenAI's current name (required by its reasoning models).
    Completion,
    /// `max_completion_tokens` for reasoning models, `max_tokens` otherwise.
    ByTraits,
}

/// How one provider's Chat Completions API differs from OpenAI's.
#[derive(Debug)]
pub(crate) struct Flavor {
    pub(crate) kind: ProviderKind,
    /// Whether the body names the model (Azure takes it from the deployment in the URL).
    pub(crate) send_model: bool,
    pub(crate) max_tokens: MaxTokens,
    /// Whether to ask for a final usage chunk with `stream_options.include_usage` (Mistral
    /// refuses the field with a 422 and always sends usage in its last chunk).
    pub(crate) stream_usage: bool,
    /// Whether `completion_tokens` excludes the reasoning tokens, which are then added to the
    /// output (xAI reports them apart; OpenAI counts them inside `completion_tokens`).
    pub(crate) reasoning_outside_completion: bool,
    /// The provider's own reading of its error body.
    pub(crate) error_detail: fn(&Value) -> Option<ErrorDetail>,
}

impl Flavor {
    fn max_tokens_field(&self, request: &ChatRequest) -> (Option<u32>, Option<u32>) {
        let limit = request.max_output_tokens;
        let completion = match self.max_tokens {
            MaxTokens::Legacy => false,
            MaxTokens::Completion => true,
            MaxTokens::ByTraits => request.traits.reasoning,
        };
        if completion {
            (None, limit)
        } else {
            (limit, None)
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// The JSON body of a Chat Completions request. `stream_usage` is the flavor's setting,
/// possibly narrowed by the caller (Azure's older `api-version`s).
pub(crate) fn body(
    flavor: &Flavor,
    request: &ChatRequest,
    stream_usage: bool,
) -> Result<Vec<u8>, ProviderError> {
    let (max_tokens, max_completion_tokens) = flavor.max_tokens_field(request);
    let body = Body {
        model: flavor.send_model.then_some(request.model.as_str()),
        messages: request
            .messages
            .iter()
            .map(|m| WireMessage {
                role: m.role.as_str(),
                content: &m.content,
            })
            .collect(),
        temperature: request.sent_temperature(),
        max_tokens,
        max_completion_tokens,
        stream: request.stream,
        stream_options: (request.stream && stream_usage).then_some(StreamOptions {
            include_usage: true,
        }),
    };
    to_json(flavor.kind, &body)
}

/// A response body or a stream chunk (`message` in the first, `delta` in the second).
#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    message: Option<OutMessage>,
    #[serde(default)]
    delta: Option<OutMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct OutMessage {
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    refusal: Option<String>,
}

/// Message content: a string, or (Mistral's reasoning models) a list of typed parts of which
/// only `text` parts are the answer.
#[derive(Deserialize)]
#[serde(untagged)]
enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Deserialize)]
struct ContentPart {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

impl OutMessage {
    /// The answer text of a message or delta; a refusal is the answer when there is no text.
    fn text(self) -> String {
        let text = match self.content {
            Some(Content::Text(text)) => text,
            Some(Content::Parts(parts)) => parts
                .into_iter()
                .filter(|p| p.kind.as_deref().is_none_or(|k| k == "text"))
                .filter_map(|p| p.text)
                .collect(),
            None => String::new(),
        };
        match self.refusal {
            Some(refusal) if text.is_empty() => refusal,
            _ => text,
        }
    }
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
    #[serde(default)]
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default)]
    reasoning_tokens: Option<u64>,
}

impl WireUsage {
    fn usage(&self, flavor: &Flavor) -> Usage {
        let input = self.prompt_tokens.unwrap_or(0);
        let reasoning = self
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .filter(|_| flavor.reasoning_outside_completion)
            .unwrap_or(0);
        Usage {
            input,
            output: self
                .completion_tokens
                .unwrap_or(0)
                .saturating_add(reasoning),
            cached: self
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0)
                .min(input),
        }
    }
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "stop" | "end_turn" => FinishReason::Stop,
        // Mistral's `model_length`: the context window is full.
        "length" | "model_length" => FinishReason::Length,
        "content_filter" => FinishReason::ContentFilter,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// The finish reason with which Mistral (and some compatible servers) end an answer that
/// failed while being generated.
const FINISH_ERROR: &str = "error";

fn generation_failed(provider: ProviderKind) -> ProviderError {
    ProviderError::Upstream {
        provider,
        status: None,
        message: "the model stopped generating because of an error (finish reason `error`)"
            .to_owned(),
    }
}

/// An `error` object inside a 200 body or a stream chunk.
pub(crate) fn embedded_error(provider: ProviderKind, error: &Value) -> ProviderError {
    let message = generic_message(&serde_json::json!({ "error": error }))
        .unwrap_or_else(|| "the provider reported an error without a message".to_owned());
    let message = crate::error::clean_message(&message, None);
    if let Some(status) = error
        .get("code")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..600).contains(c))
    {
        return ProviderError::from_status(provider, status, message, None);
    }
    let kind = error
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| error.get("code").and_then(Value::as_str));
    ProviderError::from_event(provider, kind, message)
}

/// Parses a non-streamed Chat Completions response.
pub(crate) fn parse_response(flavor: &Flavor, body: &[u8]) -> Result<ChatResponse, ProviderError> {
    let completion: Completion = serde_json::from_slice(body).map_err(|e| {
        ProviderError::invalid_response(flavor.kind, format!("chat completion: {e}"))
    })?;
    if let Some(error) = &completion.error {
        return Err(embedded_error(flavor.kind, error));
    }
    let choice = completion
        .choices
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.index.unwrap_or(0) == 0)
        .ok_or_else(|| {
            ProviderError::invalid_response(flavor.kind, "the response has no choices")
        })?;
    if choice.finish_reason.as_deref() == Some(FINISH_ERROR) {
        return Err(generation_failed(flavor.kind));
    }
    Ok(ChatResponse {
        text: choice.message.map(OutMessage::text).unwrap_or_default(),
        finish: choice
            .finish_reason
            .as_deref()
            .map_or_else(FinishReason::unspecified, finish_reason),
        usage: completion.usage.map(|u| u.usage(flavor)),
        model: completion.model.filter(|m| !m.is_empty()),
    })
}

/// Reads Chat Completions stream chunks.
pub(crate) struct ChunkDecoder {
    flavor: &'static Flavor,
}

impl ChunkDecoder {
    pub(crate) fn new(flavor: &'static Flavor) -> Self {
        Self { flavor }
    }
}

impl Decoder for ChunkDecoder {
    fn decode(&mut self, event: &SseEvent, out: &mut Vec<Piece>) -> Result<(), ProviderError> {
        let data = event.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        if data == "[DONE]" {
            out.push(Piece::Done);
            return Ok(());
        }
        let chunk: Completion = serde_json::from_str(data).map_err(|e| {
            ProviderError::invalid_response(self.flavor.kind, format!("stream chunk: {e}"))
        })?;
        if let Some(error) = &chunk.error {
            out.push(Piece::Error(embedded_error(self.flavor.kind, error)));
            return Ok(());
        }
        // Usage first: a finish reason of `error` in the same chunk ends the stream.
        if let Some(usage) = &chunk.usage {
            out.push(Piece::Usage(usage.usage(self.flavor)));
        }
        for choice in chunk.choices.unwrap_or_default() {
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta.or(choice.message) {
                out.push(Piece::Text(delta.text()));
            }
            match choice.finish_reason.as_deref() {
                Some(FINISH_ERROR) => out.push(Piece::Error(generation_failed(self.flavor.kind))),
                Some(reason) => out.push(Piece::Finish(finish_reason(reason))),
                None => {}
            }
        }
        Ok(())
    }
}

/// The default reading of an OpenAI-style error body: `{"error": {"message": ...}}` and the
/// other shapes [`generic_message`] knows.
pub(crate) fn openai_error_detail(body: &Value) -> Option<ErrorDetail> {
    Some(ErrorDetail {
        message: generic_message(body),
        ..ErrorDetail::default()
    })
}

/// The client of a provider that speaks Chat Completions at `{base}/chat/completions` with a
/// `Bearer` key: OpenAI, Mistral, xAI and OpenAI-compatible servers.
#[derive(Debug)]
pub struct ChatCompletions {
    flavor: &'static Flavor,
    url: String,
    key: Option<SecretString>,
}

impl ChatCompletions {
    /// The client for `config`, whose kind must be OpenAI, Mistral, xAI or
    /// OpenAI-compatible.
    pub fn new(config: &ProviderConfig) -> Result<Self, ProviderError> {
        let flavor = match config.kind {
            ProviderKind::OpenAi => &openai::FLAVOR,
            ProviderKind::Mistral => &mistral::FLAVOR,
            ProviderKind::XAi => &xai::FLAVOR,
            ProviderKind::OpenAiCompatible => &compatible::FLAVOR,
            other => {
                return Err(ProviderError::config(
                    other,
                    "kind",
                    "does not use the plain Chat Completions client",
                ));
            }
        };
        let base: BaseUrl = config.base()?;
        Ok(Self {
            flavor,
            url: base.join("/chat/completions"),
            key: config.key()?,
        })
    }
}

impl Provider for ChatCompletions {
    fn kind(&self) -> ProviderKind {
        self.flavor.kind
    }

    fn build_request(&self, request: &ChatRequest) -> Result<Request<Vec<u8>>, ProviderError> {
        request.validate()?;
        let body = body(self.flavor, request, self.flavor.stream_usage)?;
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        if let Some(key) = &self.key {
            headers.push((
                AUTHORIZATION,
                secret_header(self.flavor.kind, "Bearer ", key)?,
            ));
        }
        post_json(self.flavor.kind, &self.url, headers, body, request.stream)
    }

    fn parse_response(&self, body: &[u8]) -> Result<ChatResponse, ProviderError> {
        parse_response(self.flavor, body).map_err(|e| e.redacted(self.key.as_ref()))
    }

    fn stream(&self) -> ChatStream {
        ChatStream::new(self.flavor.kind, Box::new(ChunkDecoder::new(self.flavor)))
            .with_key(self.key.as_ref())
    }

    fn handle_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError {
        error_from_response(
            self.flavor.kind,
            self.key.as_ref(),
            status,
            headers,
            body,
            self.flavor.error_detail,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, ModelTraits, StreamEvent};

    #[test]
    fn an_error_inside_an_answer_never_shows_the_key() {
        let config = ProviderConfig::new(ProviderKind::OpenAi).with_api_key("sk-test-42");
        let client = ChatCompletions::new(&config).unwrap();
        let error = client
            .parse_response(br#"{"error":{"message":"Incorrect API key provided: sk-test-42","type":"invalid_request_error"}}"#)
            .unwrap_err();
        assert_eq!(error.message(), Some("Incorrect API key provided: ***"));
        let events = client
            .stream()
            .parse_body(b"data: {\"error\":{\"message\":\"no: sk-test-42\"}}\n\n");
        assert!(
            matches!(&events[..], [StreamEvent::Error(e)] if e.message() == Some("no: ***")),
            "{events:?}"
        );
    }
    use serde_json::json;

    fn request() -> ChatRequest {
        ChatRequest::new(
            "gpt-4o-mini",
            vec![Message::system("Be brief."), Message::user("Hi")],
        )
        .with_temperature(0.5)
        .with_max_output_tokens(100)
    }

    fn body_json(flavor: &Flavor, request: &ChatRequest) -> Value {
        serde_json::from_slice(&body(flavor, request, flavor.stream_usage).unwrap()).unwrap()
    }

    #[test]
    fn the_token_limit_field_follows_the_flavor() {
        let legacy = body_json(&mistral::FLAVOR, &request());
        assert_eq!(legacy["max_tokens"], 100);
        assert!(legacy.get("max_completion_tokens").is_none());

        let completion = body_json(&openai::FLAVOR, &request());
        assert_eq!(completion["max_completion_tokens"], 100);
        assert!(completion.get("max_tokens").is_none());

        let by_traits = body_json(&compatible::FLAVOR, &request());
        assert_eq!(by_traits["max_tokens"], 100);
        let reasoning = request().with_traits(ModelTraits {
            reasoning: true,
            fixed_temperature: false,
        });
        let by_traits = body_json(&compatible::FLAVOR, &reasoning);
        assert_eq!(by_traits["max_completion_tokens"], 100);
        assert!(by_traits.get("temperature").is_none());
    }

    #[test]
    fn messages_keep_their_roles_and_order() {
        let body = body_json(&openai::FLAVOR, &request());
        assert_eq!(
            body["messages"],
            json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
        );
        assert_eq!(body["temperature"], 0.5);
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"], json!({"include_usage": true}));
        let body = body_json(&openai::FLAVOR, &request().with_stream(false));
        assert_eq!(body["stream"], false);
        assert!(body.get("stream_options").is_none());
    }

    #[test]
    fn content_parts_and_refusals_are_read() {
        let flavor = &mistral::FLAVOR;
        let response = parse_response(
            flavor,
            br#"{"choices":[{"index":0,"message":{"role":"assistant","content":[
                {"type":"thinking","thinking":[{"type":"text","text":"hmm"}]},
                {"type":"text","text":"Answer."}]},"finish_reason":"stop"}]}"#,
        )
        .unwrap();
        assert_eq!(response.text, "Answer.");

        let response = parse_response(
            &openai::FLAVOR,
            br#"{"choices":[{"index":0,"message":{"role":"assistant","content":null,
                "refusal":"I can't help with that."},"finish_reason":"stop"}]}"#,
        )
        .unwrap();
        assert_eq!(response.text, "I can't help with that.");
        assert_eq!(response.usage, None);
    }

    #[test]
    fn an_error_in_a_200_body_is_an_error() {
        let err = parse_response(
            &compatible::FLAVOR,
            br#"{"object":"error","error":{"message":"model is loading","code":503}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ProviderError::Upstream {
                    status: Some(503),
                    ..
                }
            ),
            "{err:?}"
        );
        let err = parse_response(&openai::FLAVOR, br#"{"choices":[]}"#).unwrap_err();
        assert!(matches!(err, ProviderError::InvalidResponse { .. }));
        let err = parse_response(&openai::FLAVOR, b"not json").unwrap_err();
        assert!(matches!(err, ProviderError::InvalidResponse { .. }));
    }

    #[test]
    fn other_choices_are_ignored() {
        let client = ChatCompletions::new(
            &ProviderConfig::new(ProviderKind::OpenAiCompatible)
                .with_base_url("http://localhost:8000/v1"),
        )
        .unwrap();
        let events = client.stream().parse_body(
            b"data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"}},{\"index\":0,\"delta\":{\"content\":\"A\"}}]}\n\n\
              data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
        );
        assert_eq!(
            events,
            [
                StreamEvent::Delta("A".into()),
                StreamEvent::Finish(FinishReason::Stop)
            ]
        );
    }

    #[test]
    fn only_chat_completion_kinds_are_accepted() {
        let config = ProviderConfig::new(ProviderKind::Anthropic).with_api_key("k");
        assert!(matches!(
            ChatCompletions::new(&config),
            Err(ProviderError::Config { field: "kind", .. })
        ));
    }
}
