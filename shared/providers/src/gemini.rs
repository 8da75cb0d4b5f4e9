//! Google Gemini: `{base}/v1beta/models/{model}:generateContent`, and for streamed answers
//! `:streamGenerateContent?alt=sse`; the key goes in the `x-goog-api-key` header (never in the
//! URL, where it would end up in logs).
//!
//! Request: `{"contents": [{"role": "user" | "model", "parts": [{"text"}]}],
//! "systemInstruction": {"parts": [{"text"}]}, "generationConfig": {"temperature",
//! "maxOutputTokens"}}`. Every streamed event is a whole `GenerateContentResponse` (lines end
//! in `\r\n`); the last one carries `finishReason`, and `usageMetadata` holds the running
//! counts. There is no end marker: the body ends. Thought-summary parts (`"thought": true`)
//! are not answer text; `thoughtsTokenCount` is billed as output, apart from
//! `candidatesTokenCount`. A blocked prompt answers with `promptFeedback.blockReason` and no
//! candidates. Errors are `{"error": {"code", "message", "status", "details"}}` (in a stream:
//! the same object as an event); a 429's `details` may hold a `RetryInfo` with `retryDelay`,
//! and an invalid key is a 400 with reason `API_KEY_INVALID`.

use http::{HeaderMap, HeaderName, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Provider;
use crate::config::{BaseUrl, ProviderConfig, ProviderKind};
use crate::error::{
    ErrorDetail, ProviderError, clean_message, error_from_response, parse_duration_secs,
};
use crate::request::{post_json, secret_header, to_json};
use crate::secret::SecretString;
use crate::sse::SseEvent;
use crate::stream::{ChatStream, Decoder, Piece};
use crate::types::{ChatRequest, ChatResponse, FinishReason, Role, Usage};

const KIND: ProviderKind = ProviderKind::Gemini;

/// The Gemini client.
#[derive(Debug)]
pub struct Gemini {
    base: BaseUrl,
    key: SecretString,
}

impl Gemini {
    /// The client for a Gemini configuration (a base URL written with or without `/v1beta`).
    pub fn new(config: &ProviderConfig) -> Result<Self, ProviderError> {
        let (base, key) = settings(config)?;
        Ok(Self { base, key })
    }
}

/// The validated settings of a Gemini configuration: the base URL without `/v1beta`, and the
/// key. Chat and embeddings share them.
pub(crate) fn settings(config: &ProviderConfig) -> Result<(BaseUrl, SecretString), ProviderError> {
    if config.kind != KIND {
        return Err(ProviderError::config(config.kind, "kind", "is not Gemini"));
    }
    Ok((
        config.base()?.without_suffix("/v1beta"),
        config
            .key()?
            .ok_or(ProviderError::MissingKey { provider: KIND })?,
    ))
}

/// The model's resource name: `models/{id}`, or the id itself when it already is a resource
/// name (`models/...`, `tunedModels/...`).
pub(crate) fn model_path(model: &str) -> Result<String, ProviderError> {
    let path = if model.starts_with("models/") || model.starts_with("tunedModels/") {
        model.to_owned()
    } else {
        format!("models/{model}")
    };
    let valid = path.split('/').count() == 2
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if valid {
        Ok(path)
    } else {
        Err(ProviderError::invalid_request(
            "model",
            format!("{model:?} is not a Gemini model id such as gemini-2.5-flash"),
        ))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system_instruction: Option<SystemInstruction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation_config: Option<GenerationConfig>,
}

#[derive(Serialize)]
struct Content<'a> {
    role: &'static str,
    parts: [TextPart<'a>; 1],
}

#[derive(Serialize)]
pub(crate) struct TextPart<'a> {
    pub(crate) text: &'a str,
}

#[derive(Serialize)]
struct SystemInstruction {
    parts: [OwnedTextPart; 1],
}

#[derive(Serialize)]
struct OwnedTextPart {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerationConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_output_tokens: Option<u32>,
}

fn body(request: &ChatRequest) -> Result<Vec<u8>, ProviderError> {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System && !m.content.trim().is_empty())
        .map(|m| m.content.as_str())
        .collect();
    let contents: Vec<Content<'_>> = request
        .messages
        .iter()
        // Gemini refuses empty text parts; an empty turn (a failed earlier answer) says nothing.
        .filter(|m| m.role != Role::System && !m.content.trim().is_empty())
        .map(|m| Content {
            role: if m.role == Role::Assistant {
                "model"
            } else {
                "user"
            },
            parts: [TextPart { text: &m.content }],
        })
        .collect();
    if contents.is_empty() {
        return Err(ProviderError::invalid_request(
            "messages",
            "has no non-empty user or assistant message",
        ));
    }
    let temperature = request.sent_temperature();
    let generation_config = (temperature.is_some() || request.max_output_tokens.is_some())
        .then_some(GenerationConfig {
            temperature,
            max_output_tokens: request.max_output_tokens,
        });
    to_json(
        KIND,
        &Body {
            contents,
            system_instruction: (!system.is_empty()).then(|| SystemInstruction {
                parts: [OwnedTextPart {
                    text: system.join("\n\n"),
                }],
            }),
            generation_config,
        },
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateResponse {
    #[serde(default)]
    candidates: Option<Vec<Candidate>>,
    #[serde(default)]
    usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    prompt_feedback: Option<PromptFeedback>,
    #[serde(default)]
    model_version: Option<String>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    #[serde(default)]
    content: Option<CandidateContent>,
    #[serde(default)]
    finish_reason: Option<String>,
    #[serde(default)]
    index: Option<u32>,
}

#[derive(Deserialize)]
struct CandidateContent {
    #[serde(default)]
    parts: Option<Vec<Part>>,
}

#[derive(Deserialize)]
struct Part {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    thought: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    #[serde(default)]
    block_reason: Option<String>,
}

/// `usageMetadata`; in a stream, fields present replace earlier values.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    #[serde(default)]
    prompt_token_count: Option<u64>,
    #[serde(default)]
    candidates_token_count: Option<u64>,
    #[serde(default)]
    cached_content_token_count: Option<u64>,
    #[serde(default)]
    thoughts_token_count: Option<u64>,
}

impl UsageMetadata {
    fn merge(&mut self, newer: &Self) {
        self.prompt_token_count = newer.prompt_token_count.or(self.prompt_token_count);
        self.candidates_token_count = newer.candidates_token_count.or(self.candidates_token_count);
        self.cached_content_token_count = newer
            .cached_content_token_count
            .or(self.cached_content_token_count);
        self.thoughts_token_count = newer.thoughts_token_count.or(self.thoughts_token_count);
    }

    fn usage(&self) -> Usage {
        let input = self.prompt_token_count.unwrap_or(0);
        Usage {
            input,
            output: self
                .candidates_token_count
                .unwrap_or(0)
                .saturating_add(self.thoughts_token_count.unwrap_or(0)),
            cached: self.cached_content_token_count.unwrap_or(0).min(input),
        }
    }
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::ContentFilter
        }
        "MALFORMED_FUNCTION_CALL" | "UNEXPECTED_TOOL_CALL" => FinishReason::ToolCalls,
        other => FinishReason::Other(other.to_ascii_lowercase()),
    }
}

impl GenerateResponse {
    /// The answer text of the first candidate (thought summaries left out), its finish
    /// reason, and a blocked prompt as a content-filter finish.
    fn pieces(self, usage: &mut UsageMetadata, out: &mut Vec<Piece>) {
        if let Some(error) = self.error {
            out.push(Piece::Error(embedded_error(&error)));
            return;
        }
        let candidate = self
            .candidates
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.index.unwrap_or(0) == 0);
        if let Some(candidate) = candidate {
            let text: String = candidate
                .content
                .and_then(|c| c.parts)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.thought != Some(true))
                .filter_map(|p| p.text)
                .collect();
            out.push(Piece::Text(text));
            if let Some(reason) = candidate.finish_reason.as_deref()
                && reason != "FINISH_REASON_UNSPECIFIED"
            {
                out.push(Piece::Finish(finish_reason(reason)));
            }
        } else if self.prompt_feedback.and_then(|f| f.block_reason).is_some() {
            out.push(Piece::Finish(FinishReason::ContentFilter));
        }
        if let Some(newer) = self.usage_metadata {
            usage.merge(&newer);
            out.push(Piece::Usage(usage.usage()));
        }
    }
}

/// Gemini's error object `{"code", "message", "status", "details"}`.
pub(crate) fn embedded_error(error: &Value) -> ProviderError {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the stream reported an error without a message");
    let message = clean_message(message, None);
    match error
        .get("code")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..600).contains(c))
    {
        Some(status) => ProviderError::from_status(KIND, status, message, retry_delay(error)),
        None => {
            ProviderError::from_event(KIND, error.get("status").and_then(Value::as_str), message)
        }
    }
}

/// `retryDelay` of a `google.rpc.RetryInfo` in `details`.
fn retry_delay(error: &Value) -> Option<u64> {
    error
        .get("details")?
        .as_array()?
        .iter()
        .filter(|d| {
            d.get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with("google.rpc.RetryInfo"))
        })
        .find_map(|d| d.get("retryDelay").and_then(Value::as_str))
        .and_then(parse_duration_secs)
}

pub(crate) fn error_detail(body: &Value) -> Option<ErrorDetail> {
    let body = match body {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let error = body.get("error")?;
    // An invalid key is a 400 whose `ErrorInfo` has the reason `API_KEY_INVALID`.
    let invalid_key = error
        .get("details")
        .and_then(Value::as_array)
        .is_some_and(|details| {
            details
                .iter()
                .any(|d| d.get("reason").and_then(Value::as_str) == Some("API_KEY_INVALID"))
        });
    Some(ErrorDetail {
        message: error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned),
        retry_after: retry_delay(error),
        status: invalid_key.then_some(401),
    })
}

struct EventDecoder {
    usage: UsageMetadata,
}

impl Decoder for EventDecoder {
    fn decode(&mut self, event: &SseEvent, out: &mut Vec<Piece>) -> Result<(), ProviderError> {
        if event.data.trim().is_empty() {
            return Ok(());
        }
        let response: GenerateResponse = serde_json::from_str(&event.data)
            .map_err(|e| ProviderError::invalid_response(KIND, format!("stream event: {e}")))?;
        response.pieces(&mut self.usage, out);
        Ok(())
    }
}

impl Provider for Gemini {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn build_request(&self, request: &ChatRequest) -> Result<Request<Vec<u8>>, ProviderError> {
        request.validate()?;
        let model = model_path(&request.model)?;
        let url = if request.stream {
            self.base
                .join(&format!("/v1beta/{model}:streamGenerateContent?alt=sse"))
        } else {
            self.base.join(&format!("/v1beta/{model}:generateContent"))
        };
        let body = body(request)?;
        let auth = secret_header(KIND, "", &self.key)?;
        post_json(
            KIND,
            &url,
            vec![(HeaderName::from_static("x-goog-api-key"), auth)],
            body,
            request.stream,
        )
    }

    fn parse_response(&self, body: &[u8]) -> Result<ChatResponse, ProviderError> {
        // The parser's message may quote the body (`invalid type: string "..."`).
        let response: GenerateResponse = serde_json::from_slice(body).map_err(|e| {
            ProviderError::invalid_response(KIND, format!("response: {e}"))
                .redacted(Some(&self.key))
        })?;
        let model = response.model_version.clone();
        let mut usage = UsageMetadata::default();
        let mut pieces = Vec::new();
        response.pieces(&mut usage, &mut pieces);
        let mut answer = ChatResponse {
            text: String::new(),
            finish: FinishReason::unspecified(),
            usage: None,
            model,
        };
        for piece in pieces {
            match piece {
                Piece::Text(text) => answer.text.push_str(&text),
                Piece::Finish(reason) => answer.finish = reason,
                Piece::Usage(usage) => answer.usage = Some(usage),
                Piece::Error(error) => return Err(error.redacted(Some(&self.key))),
                Piece::Done => {}
            }
        }
        Ok(answer)
    }

    fn stream(&self) -> ChatStream {
        ChatStream::new(
            KIND,
            Box::new(EventDecoder {
                usage: UsageMetadata::default(),
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
    use serde_json::json;

    fn client() -> Gemini {
        Gemini::new(&ProviderConfig::new(KIND).with_api_key("AIza-test")).unwrap()
    }

    fn json(request: &ChatRequest) -> Value {
        serde_json::from_slice(client().build_request(request).unwrap().body()).unwrap()
    }

    #[test]
    fn roles_and_system_instruction_follow_gemini() {
        let request = ChatRequest::new(
            "gemini-2.5-flash",
            vec![
                Message::system("Answer in German."),
                Message::user("Hi"),
                Message::assistant("Hallo!"),
                Message::user("Wie geht's?"),
            ],
        )
        .with_temperature(0.9)
        .with_max_output_tokens(256);
        assert_eq!(
            json(&request),
            json!({
                "contents": [
                    {"role": "user", "parts": [{"text": "Hi"}]},
                    {"role": "model", "parts": [{"text": "Hallo!"}]},
                    {"role": "user", "parts": [{"text": "Wie geht's?"}]}
                ],
                "systemInstruction": {"parts": [{"text": "Answer in German."}]},
                "generationConfig": {"temperature": 0.9, "maxOutputTokens": 256}
            })
        );
        let plain = ChatRequest::new("gemini-2.5-flash", vec![Message::user("Hi")]);
        assert!(json(&plain).get("generationConfig").is_none());
    }

    #[test]
    fn model_ids_become_resource_names() {
        assert_eq!(
            model_path("gemini-2.5-pro").unwrap(),
            "models/gemini-2.5-pro"
        );
        assert_eq!(
            model_path("models/gemini-2.0-flash").unwrap(),
            "models/gemini-2.0-flash"
        );
        assert_eq!(
            model_path("tunedModels/my-model-42").unwrap(),
            "tunedModels/my-model-42"
        );
        for bad in [
            "../secrets",
            "models/..",
            "gemini:streamGenerateContent",
            "a/b/c",
            "models/",
        ] {
            assert!(model_path(bad).is_err(), "{bad}");
        }
        let request =
            ChatRequest::new("gemini-2.5-pro", vec![Message::user("Hi")]).with_stream(false);
        let http = client().build_request(&request).unwrap();
        assert_eq!(
            http.uri(),
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent"
        );
    }

    #[test]
    fn thoughts_are_not_text_but_are_output() {
        let events = client().stream().parse_body(
            b"data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Considering...\", \"thought\": true}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 11,\"totalTokenCount\": 31,\"thoughtsTokenCount\": 20}}\r\n\r\n\
              data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Ol\xC3\xA1!\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 11,\"candidatesTokenCount\": 3,\"totalTokenCount\": 58,\"cachedContentTokenCount\": 8,\"thoughtsTokenCount\": 44}}\r\n\r\n",
        );
        assert_eq!(
            events,
            [
                StreamEvent::Delta("Olá!".into()),
                StreamEvent::Usage(Usage {
                    input: 11,
                    output: 47,
                    cached: 8
                }),
                StreamEvent::Finish(FinishReason::Stop),
            ]
        );
    }

    #[test]
    fn a_blocked_prompt_is_a_content_filter_finish() {
        let answer = client()
            .parse_response(
                br#"{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}}"#,
            )
            .unwrap();
        assert_eq!(answer.finish, FinishReason::ContentFilter);
        assert_eq!(answer.text, "");
        assert_eq!(
            answer.usage,
            Some(Usage {
                input: 9,
                output: 0,
                cached: 0
            })
        );
    }

    #[test]
    fn an_invalid_key_is_unauthorized_not_a_bad_request() {
        let body = br#"{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}"#;
        let err = client().handle_error(400, &HeaderMap::new(), body);
        assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
    }

    #[test]
    fn finish_reasons_are_mapped() {
        assert_eq!(finish_reason("STOP"), FinishReason::Stop);
        assert_eq!(finish_reason("MAX_TOKENS"), FinishReason::Length);
        assert_eq!(finish_reason("SAFETY"), FinishReason::ContentFilter);
        assert_eq!(finish_reason("RECITATION"), FinishReason::ContentFilter);
        assert_eq!(finish_reason("OTHER"), FinishReason::Other("other".into()));
    }
}
