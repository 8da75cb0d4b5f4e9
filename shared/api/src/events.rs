//! The events of `POST /api/chats/{id}/messages` (`text/event-stream`).
//!
//! Each event is `event: <name>` + `data: <json>`; comment lines (`: keep-alive`) come while the
//! provider is silent. The order: `message_start`, `sources` (when knowledge was retrieved),
//! any number of `delta`, then `usage` (when the
//! provider reported it), `title` (after the first exchange, when the chat had none), and last
//! `done` or `error`. The answer is stored whatever happens to the client's connection.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chats::{MessageSource, MessageView};
use crate::{ChatEventName, Money, StreamErrorCode};

/// `message_start`: the user's message is stored and the answer begins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageStartEvent {
    /// The conversation.
    pub chat_id: Uuid,
    /// The user's message as stored (for `regenerate`, the one answered again).
    pub user_message: MessageView,
    /// The id the answer is stored under.
    pub assistant_message_id: Uuid,
    /// The model that answers.
    pub model: String,
    /// Its provider (`openai`, `anthropic`, ...).
    pub provider: String,
}

/// `sources`: the passages the answer is given (right after `message_start`, only when
/// something was retrieved), as the stored answer keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourcesEvent {
    /// The passages, numbered as the answer cites them.
    pub sources: Vec<MessageSource>,
}

/// `delta`: the next piece of the answer's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeltaEvent {
    /// Text to append.
    pub text: String,
}

/// `usage`: the tokens the provider reported for this answer and what they cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UsageEvent {
    /// Prompt tokens (cached ones included).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub input_tokens: u64,
    /// Generated tokens.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub output_tokens: u64,
    /// Prompt tokens served from the provider's cache.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cached_tokens: u64,
    /// The cost at the model's prices.
    pub cost: Money,
}

/// `title`: the conversation got its automatic title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TitleEvent {
    /// The title.
    pub title: String,
}

/// `done`: the answer is complete and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoneEvent {
    /// The stored answer.
    pub message: MessageView,
    /// Why the model stopped (`stop`, `length`, `content_filter`, ...).
    pub finish_reason: String,
}

/// `error`: the answer failed; what was generated is stored as `partial`, or the answer as
/// `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorEvent {
    /// Why the answer failed.
    pub code: StreamErrorCode,
    /// What happened, for people.
    pub message: String,
    /// Seconds to wait before retrying, when the provider said.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub retry_after: Option<u64>,
    /// The stored answer (status `error` or `partial`), when it could be stored.
    pub assistant_message: Option<MessageView>,
}

/// One event of the answer stream, with its data.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// `message_start`.
    MessageStart(MessageStartEvent),
    /// `sources`.
    Sources(SourcesEvent),
    /// `delta`.
    Delta(DeltaEvent),
    /// `usage`.
    Usage(UsageEvent),
    /// `title`.
    Title(TitleEvent),
    /// `done`.
    Done(DoneEvent),
    /// `error`.
    Error(ErrorEvent),
}

impl ChatEvent {
    /// The event's name (`event: <name>`).
    pub fn name(&self) -> ChatEventName {
        match self {
            Self::MessageStart(_) => ChatEventName::MessageStart,
            Self::Sources(_) => ChatEventName::Sources,
            Self::Delta(_) => ChatEventName::Delta,
            Self::Usage(_) => ChatEventName::Usage,
            Self::Title(_) => ChatEventName::Title,
            Self::Done(_) => ChatEventName::Done,
            Self::Error(_) => ChatEventName::Error,
        }
    }

    /// The event's data as JSON (one line: JSON escapes line breaks).
    pub fn data_json(&self) -> Result<String, serde_json::Error> {
        match self {
            Self::MessageStart(e) => serde_json::to_string(e),
            Self::Sources(e) => serde_json::to_string(e),
            Self::Delta(e) => serde_json::to_string(e),
            Self::Usage(e) => serde_json::to_string(e),
            Self::Title(e) => serde_json::to_string(e),
            Self::Done(e) => serde_json::to_string(e),
            Self::Error(e) => serde_json::to_string(e),
        }
    }
}
