//! Conversations and their messages (`/api/chats/...`).

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::ChatAssistant;

/// A conversation as lists show it (`GET /api/chats`, `POST /api/chats`, `PATCH`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatSummary {
    /// Its id.
    pub id: Uuid,
    /// Its title; `null` until the user or auto-titling sets one.
    pub title: Option<String>,
    /// The model chosen for it; `null` means the default model.
    pub model: Option<String>,
    /// The temperature chosen for it; `null` means the model's default.
    pub temperature: Option<f64>,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Its last activity (RFC 3339, UTC): lists are ordered by it.
    pub updated_at: String,
    /// The assistant it was started with (its name and icon now); `null` without one, also
    /// once that assistant is deleted.
    pub assistant: Option<ChatAssistant>,
    /// The knowledge collections attached to it (at most 10): every answer retrieves from
    /// them, as from its assistant's and from the files attached to its messages.
    pub collection_ids: Vec<Uuid>,
}

/// A conversation with its messages, oldest first (`GET /api/chats/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatDetail {
    /// The conversation.
    #[serde(flatten)]
    pub chat: ChatSummary,
    /// Its messages, oldest first.
    pub messages: Vec<MessageView>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    /// Instructions for the model.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
}

/// How an answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Complete (every user message is).
    Complete,
    /// Cut off: what the model generated before its stream broke (or, while streaming, so far).
    Partial,
    /// Failed: `error` says why.
    Error,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageView {
    /// Its id (UUID v7: time-ordered).
    pub id: Uuid,
    /// The conversation.
    pub chat_id: Uuid,
    /// Who wrote it.
    pub role: MessageRole,
    /// Its text (Markdown for answers).
    pub content: String,
    /// The model that wrote an answer; `null` for the user's messages.
    pub model: Option<String>,
    /// How it ended.
    pub status: MessageStatus,
    /// Why an answer failed or was cut off.
    pub error: Option<String>,
    /// When it was written (RFC 3339, UTC).
    pub created_at: String,
    /// The passages an answer was given, numbered as it cites them (`[1]`, `[2]`); empty for
    /// other messages and answers without knowledge.
    pub sources: Vec<MessageSource>,
    /// The knowledge files attached to a user's message; empty otherwise.
    pub files: Vec<MessageFile>,
}

/// A passage an answer was given: a chunk of a knowledge file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageSource {
    /// Its number, from 1, as the answer cites it (`[1]`).
    pub index: u32,
    /// The file.
    pub file_id: Uuid,
    /// The file's name.
    pub file_name: String,
    /// The file's collection; `null` for a file attached on its own.
    pub collection_id: Option<Uuid>,
    /// The page of a PDF.
    pub page: Option<i32>,
    /// The headings above the passage, outermost first.
    pub heading_path: Vec<String>,
    /// The passage's position in its file (from 0).
    pub ordinal: i32,
    /// The start of the passage (at most 300 characters).
    pub snippet: String,
    /// How well it matched the question (higher is better; comparable within one answer).
    pub score: f64,
}

/// A knowledge file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageFile {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

/// `POST /api/chats`: a new conversation; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateChat {
    /// A title (1-200 characters); left out, the first exchange titles the chat.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// An enabled model's id; left out, the default model.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub model: Option<String>,
    /// 0-2; left out, the model's default.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub temperature: Option<f64>,
    /// An assistant the caller sees (`GET /api/assistants`): its system prompt goes in front
    /// of the conversation, its model and temperature apply unless the chat or a message
    /// chooses others. Left out or `null`, none.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub assistant_id: Option<Uuid>,
}

/// `PATCH /api/chats/{id}`: changes the fields it names. `model` and `temperature` may be
/// `null` to go back to the default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateChat {
    /// The new title (1-200 characters).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// The model for the next messages, or `null` for the default model.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub model: Option<Option<String>>,
    /// The temperature for the next messages, or `null` for the model's default.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub temperature: Option<Option<f64>>,
    /// The knowledge collections to retrieve from (replaces the list; at most 10, each one the
    /// caller sees).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub collection_ids: Option<Vec<Uuid>>,
}

/// `POST /api/chats/{id}/messages`: the user's message, answered as a stream of events.
///
/// With `regenerate: true` and no `content`, the last user message is answered again; an
/// answer after it (a failed one, typically) is replaced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// The message (1-100000 characters); required unless `regenerate`.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub content: Option<String>,
    /// The model for this answer (and the chat's from now on); left out, the chat's model.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub model: Option<String>,
    /// The temperature for this answer (and the chat's from now on); left out, the chat's.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub temperature: Option<f64>,
    /// Answer the last user message again instead of adding one.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub regenerate: Option<bool>,
    /// Knowledge files to attach to the message (at most 10, each a `ready` file the caller
    /// reads); the chat's answers retrieve from them from now on. Not with `regenerate`.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub file_ids: Option<Vec<Uuid>>,
}

/// Deserialises a field that may be absent (outer `None`, with `#[serde(default)]`), `null`
/// (`Some(None)`) or a value (`Some(Some(v))`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Deserialises an optional field that may be absent (`None`, with `#[serde(default)]`) but
/// not `null`: `null` is refused like any other wrong type. For the fields where `null` would
/// mean nothing the API documents (the default applies only when the field is left out).
pub fn non_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tells_absent_from_null() {
        let patch: UpdateChat = serde_json::from_str(r#"{"title":"x"}"#).unwrap();
        assert_eq!((patch.model, patch.temperature), (None, None));
        let patch: UpdateChat =
            serde_json::from_str(r#"{"model":null,"temperature":0.5}"#).unwrap();
        assert_eq!(patch.model, Some(None));
        assert_eq!(patch.temperature, Some(Some(0.5)));
        assert!(serde_json::from_str::<UpdateChat>(r#"{"titel":"x"}"#).is_err());
        // A title cannot be reset: null is refused, not read as "left out".
        assert!(serde_json::from_str::<UpdateChat>(r#"{"title":null}"#).is_err());
    }

    #[test]
    fn null_is_accepted_only_where_it_means_the_default() {
        // Creating: null is the default, as a chat shows it.
        let create: CreateChat =
            serde_json::from_str(r#"{"title":null,"model":null,"temperature":null}"#).unwrap();
        assert_eq!(create, CreateChat::default());
        // Sending: every field is a value or left out.
        for body in [
            r#"{"content":null}"#,
            r#"{"content":"hi","model":null}"#,
            r#"{"content":"hi","temperature":null}"#,
            r#"{"regenerate":null}"#,
        ] {
            assert!(serde_json::from_str::<SendMessage>(body).is_err(), "{body}");
        }
        let send: SendMessage = serde_json::from_str(r#"{"regenerate":true}"#).unwrap();
        assert_eq!((send.content, send.regenerate), (None, Some(true)));
    }

    #[test]
    fn details_flatten_the_chat() {
        let detail = ChatDetail {
            chat: ChatSummary {
                id: Uuid::nil(),
                title: None,
                model: Some("gpt-4o".into()),
                temperature: None,
                created_at: "2026-11-27T10:00:00Z".into(),
                updated_at: "2026-11-27T10:00:00Z".into(),
                assistant: None,
                collection_ids: vec![],
            },
            messages: vec![],
        };
        let json = serde_json::to_value(&detail).unwrap();
        assert_eq!(json["model"], "gpt-4o");
        assert_eq!(json["messages"], serde_json::json!([]));
        assert_eq!(
            serde_json::to_value(MessageStatus::Partial).unwrap(),
            "partial"
        );
    }
}
