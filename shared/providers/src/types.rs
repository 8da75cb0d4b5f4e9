//! The provider-neutral request and response types.

use crate::error::ProviderError;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Instructions for the model (an assistant's system prompt, retrieved context).
    System,
    /// The user.
    User,
    /// The model, in earlier turns.
    Assistant,
}

impl Role {
    /// The role as the hub stores it and as OpenAI-style APIs name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its text.
    pub content: String,
}

impl Message {
    /// A message with any role.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
        }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content)
    }
}

/// What a model accepts, where models of one provider differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModelTraits {
    /// A reasoning model (OpenAI o-series, GPT-5.x): the output limit is sent as
    /// `max_completion_tokens` (it covers the hidden reasoning tokens too) and no temperature
    /// is sent, since these models accept only their default.
    pub reasoning: bool,
    /// The model accepts only its default temperature: none is sent, whatever the request says.
    pub fixed_temperature: bool,
}

impl ModelTraits {
    /// The traits the hub knows from the model id alone: OpenAI's o-series (`o1`, `o3-mini`,
    /// `o4-mini`, ...) and GPT-5.x (`gpt-5`, `gpt-5-mini`, `gpt-5.1`, ..., but not the
    /// non-reasoning `gpt-5-chat`) are reasoning models. A router prefix (`openai/gpt-5`) is
    /// ignored. Anything else gets the defaults; an admin's model configuration can set more.
    pub fn infer(model: &str) -> Self {
        let id = model
            .rsplit('/')
            .next()
            .unwrap_or(model)
            .to_ascii_lowercase();
        let o_series = id.strip_prefix('o').is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit())
                && rest
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .all(|c| c.is_ascii_digit())
        });
        let gpt5 = id.starts_with("gpt-5") && !id.contains("-chat");
        Self {
            reasoning: o_series || gpt5,
            fixed_temperature: false,
        }
    }

    /// Whether a temperature may be sent to this model.
    pub fn accepts_temperature(self) -> bool {
        !self.reasoning && !self.fixed_temperature
    }
}

/// The highest temperature the hub accepts (the top of OpenAI's and Gemini's range).
pub const MAX_TEMPERATURE: f64 = 2.0;

/// A chat completion request, the same for every provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The provider's model id (`gpt-4o-mini`, `claude-sonnet-4-20250514`, `gemini-2.5-flash`).
    pub model: String,
    /// Azure OpenAI only: the deployment that serves the model (the model id when `None`).
    pub deployment: Option<String>,
    /// The conversation, oldest first; system messages carry instructions.
    pub messages: Vec<Message>,
    /// Sampling temperature, `0.0..=2.0`; `None` leaves the provider's default.
    pub temperature: Option<f64>,
    /// Upper bound of generated tokens; `None` leaves the provider's default (Anthropic, which
    /// requires one, gets [`crate::anthropic::DEFAULT_MAX_TOKENS`]).
    pub max_output_tokens: Option<u32>,
    /// Whether the answer is streamed (server-sent events).
    pub stream: bool,
    /// What the model accepts.
    pub traits: ModelTraits,
}

impl ChatRequest {
    /// A streaming request for `model` with the traits [`ModelTraits::infer`] knows of it.
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        let model = model.into();
        let traits = ModelTraits::infer(&model);
        Self {
            model,
            deployment: None,
            messages,
            temperature: None,
            max_output_tokens: None,
            stream: true,
            traits,
        }
    }

    /// Sets the temperature.
    #[must_use]
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets the output token limit.
    #[must_use]
    pub fn with_max_output_tokens(mut self, max: u32) -> Self {
        self.max_output_tokens = Some(max);
        self
    }

    /// Streams the answer or not.
    #[must_use]
    pub fn with_stream(mut self, stream: bool) -> Self {
        self.stream = stream;
        self
    }

    /// Sets the Azure deployment.
    #[must_use]
    pub fn with_deployment(mut self, deployment: impl Into<String>) -> Self {
        self.deployment = Some(deployment.into());
        self
    }

    /// Replaces the model traits.
    #[must_use]
    pub fn with_traits(mut self, traits: ModelTraits) -> Self {
        self.traits = traits;
        self
    }

    /// The temperature to send: `None` when the model does not accept one.
    pub(crate) fn sent_temperature(&self) -> Option<f64> {
        self.temperature
            .filter(|_| self.traits.accepts_temperature())
    }

    /// Checks what every provider needs: a model id, at least one non-system message, a
    /// temperature in range and a positive token limit.
    pub(crate) fn validate(&self) -> Result<(), ProviderError> {
        check_id("model", &self.model)?;
        if let Some(deployment) = &self.deployment {
            check_id("deployment", deployment)?;
        }
        if !self.messages.iter().any(|m| m.role != Role::System) {
            return Err(ProviderError::invalid_request(
                "messages",
                "needs at least one user or assistant message",
            ));
        }
        if let Some(t) = self.temperature
            && !(t.is_finite() && (0.0..=MAX_TEMPERATURE).contains(&t))
        {
            return Err(ProviderError::invalid_request(
                "temperature",
                format!("{t} is outside 0..={MAX_TEMPERATURE}"),
            ));
        }
        if self.max_output_tokens == Some(0) {
            return Err(ProviderError::invalid_request(
                "max_output_tokens",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Longest model id or deployment name accepted.
const MAX_ID_LEN: usize = 256;

pub(crate) fn check_id(field: &'static str, id: &str) -> Result<(), ProviderError> {
    if id.is_empty() {
        return Err(ProviderError::invalid_request(field, "is empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(ProviderError::invalid_request(
            field,
            format!("is longer than {MAX_ID_LEN} bytes"),
        ));
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ProviderError::invalid_request(
            field,
            format!("{id:?} contains whitespace or control characters"),
        ));
    }
    Ok(())
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    /// It finished its answer (or hit a stop sequence).
    Stop,
    /// It hit the output token limit (or the context window): the answer is cut off.
    Length,
    /// A safety filter stopped or withheld the answer.
    ContentFilter,
    /// It wants to call a tool.
    ToolCalls,
    /// Anything else, as the provider named it (`unspecified` when it named none).
    Other(String),
}

impl FinishReason {
    /// The reason as the hub stores it: `stop`, `length`, `content_filter`, `tool_calls`, or
    /// the provider's own word.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ContentFilter => "content_filter",
            Self::ToolCalls => "tool_calls",
            Self::Other(other) => other,
        }
    }

    /// The reason for a stream that ended cleanly without naming one.
    pub(crate) fn unspecified() -> Self {
        Self::Other("unspecified".to_owned())
    }
}

/// Tokens of one request, as the provider reported them.
///
/// `input` counts every prompt token, the cached ones included; `cached` is the part of `input`
/// read from the provider's prompt cache (billed at the cached price when the model has one);
/// `output` counts every generated token, reasoning ("thinking") tokens included, since
/// providers bill them as output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Prompt tokens, cached ones included.
    pub input: u64,
    /// Generated tokens, reasoning tokens included.
    pub output: u64,
    /// The part of `input` served from the prompt cache.
    pub cached: u64,
}

impl Usage {
    /// `input + output`.
    pub fn total(&self) -> u64 {
        self.input.saturating_add(self.output)
    }
}

/// A complete (non-streamed) answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    /// The answer's text.
    pub text: String,
    /// Why the model stopped.
    pub finish: FinishReason,
    /// The provider's reported usage; `None` when it reported none.
    pub usage: Option<Usage>,
    /// The model version that answered, when the provider says (`gpt-4o-mini-2024-07-18`).
    pub model: Option<String>,
}

/// One event of a streamed answer, the same for every provider.
///
/// A stream is any number of `Delta`s, then, when the provider reported usage, one `Usage`,
/// and last either `Finish` or `Error`. An `Error` can come after some `Delta`s: what was
/// generated until then is still the user's (partial) answer.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// The next piece of the answer's text.
    Delta(String),
    /// The provider's reported usage for the whole request.
    Usage(Usage),
    /// The answer is complete.
    Finish(FinishReason),
    /// The provider reported an error mid-stream, sent something unreadable, or the stream
    /// ended before the answer was complete ([`ProviderError::Incomplete`]).
    Error(ProviderError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasoning_models_are_recognised() {
        for model in [
            "o1",
            "o1-preview",
            "o3-mini",
            "o4-mini",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5-nano",
            "gpt-5.1",
            "gpt-5.2-pro",
            "GPT-5-Mini",
            "openai/gpt-5",
        ] {
            let traits = ModelTraits::infer(model);
            assert!(traits.reasoning, "{model}");
            assert!(!traits.accepts_temperature(), "{model}");
        }
        for model in [
            "gpt-4o",
            "gpt-4.1-mini",
            "gpt-5-chat-latest",
            "omni-moderation-latest",
            "o",
            "claude-sonnet-4-20250514",
            "gemini-2.5-pro",
            "mistral-large-latest",
            "grok-4",
            "llama3.1:8b",
        ] {
            let traits = ModelTraits::infer(model);
            assert!(!traits.reasoning, "{model}");
            assert!(traits.accepts_temperature(), "{model}");
        }
    }

    #[test]
    fn temperature_is_dropped_for_models_that_do_not_take_one() {
        let request = ChatRequest::new("gpt-4o", vec![Message::user("hi")]).with_temperature(0.3);
        assert_eq!(request.sent_temperature(), Some(0.3));
        let request = request.with_traits(ModelTraits {
            reasoning: false,
            fixed_temperature: true,
        });
        assert_eq!(request.sent_temperature(), None);
        let request = ChatRequest::new("o3-mini", vec![Message::user("hi")]).with_temperature(0.3);
        assert_eq!(request.sent_temperature(), None);
    }

    #[test]
    fn validation_names_the_field() {
        let ok = ChatRequest::new("gpt-4o", vec![Message::user("hi")]);
        assert!(ok.validate().is_ok());

        let cases = [
            (ChatRequest::new("", vec![Message::user("hi")]), "model"),
            (
                ChatRequest::new("gpt 4o", vec![Message::user("hi")]),
                "model",
            ),
            (
                ChatRequest::new("gpt-4o", vec![Message::user("hi")]).with_deployment("a\nb"),
                "deployment",
            ),
            (ChatRequest::new("gpt-4o", vec![]), "messages"),
            (
                ChatRequest::new("gpt-4o", vec![Message::system("only instructions")]),
                "messages",
            ),
            (ok.clone().with_temperature(2.5), "temperature"),
            (ok.clone().with_temperature(-0.1), "temperature"),
            (ok.clone().with_temperature(f64::NAN), "temperature"),
            (ok.clone().with_max_output_tokens(0), "max_output_tokens"),
        ];
        for (request, field) in cases {
            match request.validate() {
                Err(ProviderError::InvalidRequest { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn finish_reasons_have_stable_names() {
        assert_eq!(FinishReason::Stop.as_str(), "stop");
        assert_eq!(FinishReason::Length.as_str(), "length");
        assert_eq!(FinishReason::ContentFilter.as_str(), "content_filter");
        assert_eq!(FinishReason::ToolCalls.as_str(), "tool_calls");
        assert_eq!(
            FinishReason::Other("pause_turn".into()).as_str(),
            "pause_turn"
        );
        assert_eq!(FinishReason::unspecified().as_str(), "unspecified");
    }
}
