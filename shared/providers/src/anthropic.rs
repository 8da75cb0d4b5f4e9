//! Anthropic: the Messages API at `https://api.anthropic.com/v1/messages`, with the key in
//! `x-api-key` and `anthropic-version: 2023-06-01`.
//!
//! Request: `{"model", "max_tokens" (required), "system", "messages": [{"role", "content"}],
//! "temperature" (0..1), "stream"}`; system messages become the top-level `system`.
//! Streamed answer: `message_start` (input usage), `content_block_start`,
//! `content_block_delta` (`text_delta`), `content_block_stop`, `message_delta`
//! (`stop_reason` and the cumulative usage), `message_stop`; `ping` keeps the connection
//! alive; `error` reports a failure mid-stream. `input_tokens` excludes cache reads and cache
//! writes, so [`Usage::input`] adds them. Errors are
//! `{"type": "error", "error": {"type", "message"}}`; 529 means overloaded.

use http::{HeaderMap, HeaderName, HeaderValue, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Provider;
use crate::config::{BaseUrl, ProviderConfig, ProviderKind};
use crate::error::{ErrorDetail, ProviderError, error_from_response};
use crate::request::{post_json, secret_header, to_json};
use crate::secret::SecretString;
use crate::sse::SseEvent;
use crate::stream::{ChatStream, Decoder, Piece};
use crate::types::{ChatRequest, ChatResponse, FinishReason, Role, Usage};

/// The `anthropic-version` header sent.
pub const API_VERSION: &str = "2023-06-01";

/// The output limit sent when the request sets none (the API requires one): what every
/// Claude model can produce.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// Anthropic's highest temperature; higher requested values are capped to it.
pub const MAX_TEMPERATURE: f64 = 1.0;

const KIND: ProviderKind = ProviderKind::Anthropic;

/// The Anthropic client.
#[derive(Debug)]
pub struct Anthropic {
    url: String,
    key: SecretString,
}

impl Anthropic {
    /// The client for an Anthropic configuration (a base URL written with or without `/v1`).
    pub fn new(config: &ProviderConfig) -> Result<Self, ProviderError> {
        if config.kind != KIND {
            return Err(ProviderError::config(
                config.kind,
                "kind",
                "is not Anthropic",
            ));
        }
        let base: BaseUrl = config.base()?.without_suffix("/v1");
        let key = config
            .key()?
            .ok_or(ProviderError::MissingKey { provider: KIND })?;
        Ok(Self {
            url: base.join("/v1/messages"),
            key,
        })
    }
}

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

fn body(request: &ChatRequest) -> Result<Vec<u8>, ProviderError> {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System && !m.content.trim().is_empty())
        .map(|m| m.content.as_str())
        .collect();
    let messages: Vec<WireMessage<'_>> = request
        .messages
        .iter()
        // The API refuses empty text; an empty turn (a failed earlier answer) says nothing.
        .filter(|m| m.role != Role::System && !m.content.trim().is_empty())
        .map(|m| WireMessage {
            role: m.role.as_str(),
            content: &m.content,
        })
        .collect();
    if messages.is_empty() {
        return Err(ProviderError::invalid_request(
            "messages",
            "has no non-empty user or assistant message",
        ));
    }
    to_json(
        KIND,
        &Body {
            model: &request.model,
            max_tokens: request.max_output_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
            system: (!system.is_empty()).then(|| system.join("\n\n")),
            messages,
            temperature: request.sent_temperature().map(|t| t.min(MAX_TEMPERATURE)),
            stream: request.stream,
        },
    )
}

/// `usage` as Anthropic reports it; in a stream, fields present replace earlier values.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
}

impl WireUsage {
    fn merge(&mut self, newer: &Self) {
        self.input_tokens = newer.input_tokens.or(self.input_tokens);
        self.output_tokens = newer.output_tokens.or(self.output_tokens);
        self.cache_creation_input_tokens = newer
            .cache_creation_input_tokens
            .or(self.cache_creation_input_tokens);
        self.cache_read_input_tokens = newer
            .cache_read_input_tokens
            .or(self.cache_read_input_tokens);
    }

    fn usage(&self) -> Usage {
        let cached = self.cache_read_input_tokens.unwrap_or(0);
        Usage {
            input: self
                .input_tokens
                .unwrap_or(0)
                .saturating_add(self.cache_creation_input_tokens.unwrap_or(0))
                .saturating_add(cached),
            output: self.output_tokens.unwrap_or(0),
            cached,
        }
    }
}

fn stop_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct MessageBody {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    content: Vec<ContentBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

/// One streaming event; every field but `type` depends on the type.
#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: Option<MessageBody>,
    #[serde(default)]
    content_block: Option<ContentBlock>,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default)]
    error: Option<WireError>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireError {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

struct EventDecoder {
    usage: WireUsage,
}

impl Decoder for EventDecoder {
    fn decode(&mut self, event: &SseEvent, out: &mut Vec<Piece>) -> Result<(), ProviderError> {
        if event.data.trim().is_empty() {
            return Ok(());
        }
        let parsed: Event = serde_json::from_str(&event.data).map_err(|e| {
            ProviderError::invalid_response(KIND, format!("`{}` event: {e}", event.kind()))
        })?;
        match parsed.kind.as_str() {
            "message_start" => {
                if let Some(usage) = parsed.message.and_then(|m| m.usage) {
                    self.usage.merge(&usage);
                    out.push(Piece::Usage(self.usage.usage()));
                }
            }
            "content_block_start" => {
                if let Some(ContentBlock {
                    kind,
                    text: Some(text),
                }) = parsed.content_block
                    && kind == "text"
                {
                    out.push(Piece::Text(text));
                }
            }
            "content_block_delta" => {
                if let Some(Delta {
                    kind: Some(kind),
                    text: Some(text),
                    ..
                }) = parsed.delta
                    && kind == "text_delta"
                {
                    out.push(Piece::Text(text));
                }
            }
            "message_delta" => {
                if let Some(reason) = parsed.delta.and_then(|d| d.stop_reason) {
                    out.push(Piece::Finish(stop_reason(&reason)));
                }
                if let Some(usage) = parsed.usage {
                    self.usage.merge(&usage);
                    out.push(Piece::Usage(self.usage.usage()));
                }
            }
            "message_stop" => out.push(Piece::Done),
            "error" => {
                let error = parsed.error.unwrap_or(WireError {
                    kind: None,
                    message: None,
                });
                let message = error
                    .message
                    .unwrap_or_else(|| "the stream reported an error without a message".into());
                out.push(Piece::Error(ProviderError::from_event(
                    KIND,
                    error.kind.as_deref(),
                    crate::error::clean_message(&message, None),
                )));
            }
            // `ping`, `content_block_stop`, and event types added later.
            _ => {}
        }
        Ok(())
    }
}

/// `{"type": "error", "error": {"type", "message"}}`.
fn error_detail(body: &Value) -> Option<ErrorDetail> {
    let message = body
        .get("error")?
        .get("message")?
        .as_str()
        .map(str::to_owned);
    Some(ErrorDetail {
        message,
        ..ErrorDetail::default()
    })
}

impl Provider for Anthropic {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn build_request(&self, request: &ChatRequest) -> Result<Request<Vec<u8>>, ProviderError> {
        request.validate()?;
        let body = body(request)?;
        let headers = vec![
            (
                HeaderName::from_static("x-api-key"),
                secret_header(KIND, "", &self.key)?,
            ),
            (
                HeaderName::from_static("anthropic-version"),
                HeaderValue::from_static(API_VERSION),
            ),
        ];
        post_json(KIND, &self.url, headers, body, request.stream)
    }

    fn parse_response(&self, body: &[u8]) -> Result<ChatResponse, ProviderError> {
        // The parser's message may quote the body (`invalid type: string "..."`).
        let message: MessageBody = serde_json::from_slice(body).map_err(|e| {
            ProviderError::invalid_response(KIND, format!("message: {e}")).redacted(Some(&self.key))
        })?;
        Ok(ChatResponse {
            text: message
                .content
                .into_iter()
                .filter(|b| b.kind == "text")
                .filter_map(|b| b.text)
                .collect(),
            finish: message
                .stop_reason
                .as_deref()
                .map_or_else(FinishReason::unspecified, stop_reason),
            usage: message.usage.map(|u| u.usage()),
            model: message.model,
        })
    }

    fn stream(&self) -> ChatStream {
        ChatStream::new(
            KIND,
            Box::new(EventDecoder {
                usage: WireUsage::default(),
            }),
        )
        .with_key(Some(&self.key))
    }

    fn handle_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError {
        error_from_response(KIND, Some(&self.key), status, headers, body, error_detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, StreamEvent};

    fn client() -> Anthropic {
        Anthropic::new(&ProviderConfig::new(KIND).with_api_key("sk-ant-test")).unwrap()
    }

    #[test]
    fn an_unreadable_answer_is_quoted_without_the_key() {
        // Found by fuzzing: serde's message quotes the body.
        let error = client()
            .parse_response(br#"  "role sk-ant-test""#)
            .unwrap_err();
        assert!(
            matches!(&error, ProviderError::InvalidResponse { reason, .. } if reason.contains("role ***")),
            "{error:?}"
        );
    }

    #[test]
    fn an_unreadable_event_is_named_without_the_key_and_briefly() {
        // Found by fuzzing: the type of an unreadable event went into the error as it came,
        // however long, key included.
        let body = format!(
            "event: x-sk-ant-test-{}\ndata: {{oops\n\n",
            "y".repeat(3000)
        );
        let events = client().stream().parse_body(body.as_bytes());
        match &events[..] {
            [StreamEvent::Error(ProviderError::InvalidResponse { reason, .. })] => {
                assert!(reason.starts_with("`x-***-yyy"), "{reason}");
                assert_eq!(reason.chars().count(), 1001);
            }
            other => panic!("{other:?}"),
        }
    }

    fn json(request: &ChatRequest) -> Value {
        serde_json::from_slice(client().build_request(request).unwrap().body()).unwrap()
    }

    #[test]
    fn system_messages_become_the_system_field() {
        let request = ChatRequest::new(
            "claude-sonnet-4-20250514",
            vec![
                Message::system("You are terse."),
                Message::user("Hi"),
                Message::assistant(""),
                Message::system("Context: none."),
                Message::user("Again"),
            ],
        );
        let body = json(&request);
        assert_eq!(body["system"], "You are terse.\n\nContext: none.");
        assert_eq!(
            body["messages"],
            serde_json::json!([{"role": "user", "content": "Hi"}, {"role": "user", "content": "Again"}])
        );
        assert_eq!(body["max_tokens"], DEFAULT_MAX_TOKENS);
        assert_eq!(body["stream"], true);
    }

    #[test]
    fn temperature_is_capped_at_one() {
        let request = ChatRequest::new("claude-3-5-haiku-latest", vec![Message::user("Hi")])
            .with_temperature(1.6);
        assert_eq!(json(&request)["temperature"], 1.0);
        let request = request.with_temperature(0.3).with_stream(false);
        let body = json(&request);
        assert_eq!(body["temperature"], 0.3);
        assert!(body.get("stream").is_none());
    }

    #[test]
    fn a_base_url_with_v1_is_accepted() {
        let config = ProviderConfig::new(KIND)
            .with_api_key("k")
            .with_base_url("https://proxy.example.com/anthropic/v1/");
        let request = ChatRequest::new("claude-opus-4-1", vec![Message::user("Hi")]);
        let http = Anthropic::new(&config)
            .unwrap()
            .build_request(&request)
            .unwrap();
        assert_eq!(
            http.uri(),
            "https://proxy.example.com/anthropic/v1/messages"
        );
    }

    #[test]
    fn cache_reads_and_writes_count_as_input() {
        let events = client().stream().parse_body(
            br#"event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me see"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Yes."}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":57}}

event: message_stop
data: {"type":"message_stop"}

"#,
        );
        assert_eq!(
            events,
            [
                StreamEvent::Delta("Yes.".into()),
                StreamEvent::Usage(Usage {
                    input: 2112,
                    output: 57,
                    cached: 2000
                }),
                StreamEvent::Finish(FinishReason::Length),
            ]
        );
    }

    #[test]
    fn stop_reasons_are_mapped() {
        assert_eq!(stop_reason("end_turn"), FinishReason::Stop);
        assert_eq!(stop_reason("stop_sequence"), FinishReason::Stop);
        assert_eq!(stop_reason("max_tokens"), FinishReason::Length);
        assert_eq!(stop_reason("tool_use"), FinishReason::ToolCalls);
        assert_eq!(stop_reason("refusal"), FinishReason::ContentFilter);
        assert_eq!(
            stop_reason("pause_turn"),
            FinishReason::Other("pause_turn".into())
        );
    }
}
