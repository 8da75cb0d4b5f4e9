//! One question and its answer, from the checks to the stored result: the use case behind
//! `POST /api/chats/{id}/messages`. The component does the I/O around it (the provider's
//! stream, the events to the client); everything decided and stored is here and, for the
//! result, in [`crate::store`].

use hub_db::assistants::{self, Assistant};
use hub_db::chats::{self, Chat, ChatChange};
use hub_db::messages::{self, Message, NewAnswer, Role, Status};
use hub_db::{Db, Owner};
use hub_providers::ChatRequest;
use uuid::Uuid;

use crate::models::{self, Settings};
use crate::title;
use crate::{ChatError, InputError, MessageContent, ModelId, Outcome, Prompt, Target, Temperature};

/// How many of the latest messages are sent to the model as the conversation.
pub const HISTORY_LIMIT: u32 = 100;

/// A message to answer, checked: a new question, or `regenerate` (the last one again), with
/// the model and temperature chosen for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// The new question; `None` answers the last one again.
    pub content: Option<MessageContent>,
    /// The model chosen with the message.
    pub model: Option<ModelId>,
    /// The temperature chosen with the message.
    pub temperature: Option<Temperature>,
}

impl Ask {
    /// Checks a request's fields: `content` is required unless `regenerate`, and must be left
    /// out with it.
    pub fn parse(
        content: Option<&str>,
        regenerate: bool,
        model: Option<&str>,
        temperature: Option<f64>,
    ) -> Result<Self, InputError> {
        let content = match (regenerate, content) {
            (false, Some(text)) => Some(MessageContent::parse(text)?),
            (false, None) => {
                return Err(InputError {
                    field: "content",
                    reason: "is required".to_owned(),
                });
            }
            (true, Some(_)) => {
                return Err(InputError {
                    field: "content",
                    reason: "must be left out with regenerate".to_owned(),
                });
            }
            (true, None) => None,
        };
        Ok(Self {
            content,
            model: model.map(ModelId::parse).transpose()?,
            temperature: temperature.map(Temperature::parse).transpose()?,
        })
    }
}

/// A question stored with its pending answer, and the request that asks the model.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Whose chat it is.
    pub owner: Owner,
    /// The chat, as it was before this message.
    pub chat: Chat,
    /// The model that answers.
    pub target: Target,
    /// The request for the provider.
    pub request: ChatRequest,
    /// The question as stored.
    pub question: Message,
    /// The answer's row (status `partial`, empty until it is finished).
    pub answer_id: Uuid,
    /// Whether this is the chat's first exchange (it gets a title after it).
    pub first_exchange: bool,
}

impl Exchange {
    /// Checks the chat, the model and its provider, then stores the question (or, for
    /// `regenerate`, drops what followed the last one) and a pending answer in one
    /// transaction. The model and temperature chosen with the message become the chat's.
    ///
    /// A chat with an assistant is answered with the assistant as it is now: its system prompt
    /// in front of the conversation, its model and temperature unless the message or the chat
    /// chose others. A deleted assistant is no longer the chat's (the chat is answered without
    /// one).
    pub fn prepare(
        db: &dyn Db,
        owner: Owner,
        chat_id: Uuid,
        ask: &Ask,
        settings: &impl Settings,
    ) -> Result<Self, ChatError> {
        let chat = chats::find(db, chat_id, owner)?.ok_or(ChatError::ChatNotFound)?;
        let assistant = match &chat.assistant {
            Some(a) => assistants::find_visible(db, a.id, owner)?,
            None => None,
        };
        let (model, stored) = models::choose(
            db,
            ask.model.as_ref(),
            &[
                chat.model.as_deref(),
                assistant.as_ref().and_then(|a| a.model_id.as_deref()),
            ],
        )?;
        let target = Target::of(model, &stored, settings)?;
        let temperature = ask
            .temperature
            .map(Temperature::value)
            .or(chat.temperature)
            .or(assistant.as_ref().and_then(|a| a.temperature));
        // For `regenerate`: the question to answer again (read before anything changes).
        let again = match ask.content {
            Some(_) => None,
            None => Some(last_question(db, chat_id, owner)?),
        };
        let change = ChatChange {
            title: None,
            model: ask
                .model
                .as_ref()
                .map(|_| Some(target.model.model_id.as_str())),
            temperature: ask.temperature.map(|t| Some(t.value())),
        };
        let stored = hub_db::transaction(db, |tx| {
            if change != ChatChange::default() {
                chats::update(tx, chat_id, owner, &change)?;
            }
            let question = match (&ask.content, again) {
                (Some(text), _) => messages::insert_user(tx, chat_id, owner, text.as_str())?,
                (None, Some(question)) => {
                    messages::delete_after(tx, chat_id, owner, question.id)?;
                    Some(question)
                }
                (None, None) => None,
            };
            let history = messages::recent(tx, chat_id, owner, HISTORY_LIMIT)?;
            let answer = messages::insert_assistant(
                tx,
                chat_id,
                owner,
                &NewAnswer {
                    model: &target.model.model_id,
                    status: Status::Partial,
                    content: "",
                    error: None,
                },
            )?;
            Ok((question, history, answer))
        })?;
        let (Some(question), history, Some(answer)) = stored else {
            return Err(ChatError::ChatNotFound);
        };
        let first_exchange =
            chat.title.is_none() && history.iter().filter(|m| m.role == Role::User).count() == 1;
        let request = prompt(&history, assistant.as_ref()).request(&target, temperature);
        Ok(Self {
            owner,
            chat,
            target,
            request,
            question,
            answer_id: answer.id,
            first_exchange,
        })
    }

    /// The request that asks the model for a title, after a first exchange that completed.
    pub fn title_request(&self, outcome: &Outcome) -> Option<ChatRequest> {
        (self.first_exchange && outcome.summary.is_complete())
            .then(|| title::request(&self.request, &self.question.content, &outcome.summary.text))
    }
}

/// The conversation to send: the history, behind the assistant's system prompt if there is one.
fn prompt(history: &[Message], assistant: Option<&Assistant>) -> Prompt {
    let prompt = Prompt::from_history(history);
    match assistant {
        Some(a) => prompt.with_system(a.system_prompt.clone()),
        None => prompt,
    }
}

/// For `regenerate`: the chat's last user message.
fn last_question(db: &dyn Db, chat_id: Uuid, owner: Owner) -> Result<Message, ChatError> {
    messages::recent(db, chat_id, owner, HISTORY_LIMIT)?
        .into_iter()
        .rev()
        .find(|m| m.role == Role::User)
        .ok_or(ChatError::NothingToRegenerate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_are_checked_field_by_field() {
        let ask = Ask::parse(Some("Hallo"), false, Some("gpt-4o"), Some(0.5)).unwrap();
        assert_eq!(ask.content.unwrap().as_str(), "Hallo");
        assert_eq!(ask.model.unwrap().as_str(), "gpt-4o");
        let again = Ask::parse(None, true, None, None).unwrap();
        assert_eq!(again.content, None);
        for (content, regenerate, model, t, field) in [
            (None, false, None, None, "content"),
            (Some("x"), true, None, None, "content"),
            (Some(" "), false, None, None, "content"),
            (Some("x"), false, Some("a\0b"), None, "model"),
            (Some("x"), false, None, Some(3.0), "temperature"),
        ] {
            let err = Ask::parse(content, regenerate, model, t).unwrap_err();
            assert_eq!(err.field, field);
        }
    }
}
