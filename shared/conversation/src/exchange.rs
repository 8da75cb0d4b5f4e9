//! One question and its answer, from the checks to the stored result: the use case behind
//! `POST /api/chats/{id}/messages`. The component does the I/O around it (the provider's
//! stream, the events to the client); everything decided and stored is here and, for the
//! result, in [`crate::store`].

use hub_db::assistants::{self, Assistant};
use hub_db::chats::{self, Chat, ChatChange};
use hub_db::knowledge::RetrievalQuery;
use hub_db::messages::{self, Message, NewAnswer, Role, Source, Status};
use hub_db::{Db, Owner, usage};

use hub_providers::ChatRequest;
use uuid::Uuid;

use crate::knowledge::{self, Embedded, Retrieval};
use crate::models::{self, Settings};
use crate::title;
use crate::{ChatError, InputError, MessageContent, ModelId, Prompt, Target, Temperature};

/// How many of the latest messages are sent to the model as the conversation.
pub const HISTORY_LIMIT: u32 = 100;

/// A message to answer, checked: a new question, or `regenerate` (the last one again), with
/// the model and temperature chosen for it and the files attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// The new question; `None` answers the last one again.
    pub content: Option<MessageContent>,
    /// The model chosen with the message.
    pub model: Option<ModelId>,
    /// The temperature chosen with the message.
    pub temperature: Option<Temperature>,
    /// Knowledge files to attach to the question (distinct, at most [`messages::MAX_FILES`]).
    pub file_ids: Vec<Uuid>,
}

impl Ask {
    /// Checks a request's fields: `content` is required unless `regenerate`, and must be left
    /// out with it, as must `file_ids`.
    pub fn parse(
        content: Option<&str>,
        regenerate: bool,
        model: Option<&str>,
        temperature: Option<f64>,
        file_ids: Option<&[Uuid]>,
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
        let file_ids = match (regenerate, file_ids) {
            (true, Some(_)) => {
                return Err(InputError {
                    field: "file_ids",
                    reason: "must be left out with regenerate".to_owned(),
                });
            }
            (_, ids) => distinct("file_ids", ids.unwrap_or_default(), messages::MAX_FILES)?,
        };
        Ok(Self {
            content,
            model: model.map(ModelId::parse).transpose()?,
            temperature: temperature.map(Temperature::parse).transpose()?,
            file_ids,
        })
    }
}

/// `ids` without repeats, in their order, if there are at most `max` of them.
pub fn distinct(field: &'static str, ids: &[Uuid], max: usize) -> Result<Vec<Uuid>, InputError> {
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.contains(id) {
            seen.push(*id);
        }
    }
    if seen.len() > max {
        return Err(InputError {
            field,
            reason: format!("must name at most {max}"),
        });
    }
    Ok(seen)
}

/// A question checked and ready to be stored, with what it retrieves from; nothing is stored
/// yet. The component embeds the question when there is a [`Prepared::retrieval`], then
/// [`Prepared::commit`]s.
#[derive(Debug, Clone)]
pub struct Prepared {
    owner: Owner,
    chat: Chat,
    assistant: Option<Assistant>,
    target: Target,
    temperature: Option<f64>,
    ask: Ask,
    /// For `regenerate`: the question to answer again.
    again: Option<Message>,
    retrieval: Option<Retrieval>,
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
    /// The passages the answer is given, as stored with it (empty without knowledge).
    pub sources: Vec<Source>,
    /// Whether this is the chat's first exchange (it gets a title after it).
    pub first_exchange: bool,
}

impl Exchange {
    /// Checks the chat, the model and its provider, and the files attached to the question
    /// (each a ready file the owner reads), and decides what the answer retrieves from: the
    /// chat's collections, its assistant's, and the files attached to its messages and to
    /// this one. Nothing is stored yet ([`Prepared::commit`]). A chat without any of these
    /// costs no statement more than before (its collections and files are columns of the
    /// chat's read).
    ///
    /// A chat with an assistant is answered with the assistant as it is now: its system prompt
    /// in front of the conversation, its model and temperature unless the message or the chat
    /// chose others, its collections. A deleted assistant is no longer the chat's (the chat is
    /// answered without one).
    pub fn prepare(
        db: &dyn Db,
        owner: Owner,
        chat_id: Uuid,
        ask: &Ask,
        settings: &impl Settings,
    ) -> Result<Prepared, ChatError> {
        let (chat, chat_files) =
            chats::find_with_files(db, chat_id, owner)?.ok_or(ChatError::ChatNotFound)?;
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
        if messages::readable_files(db, owner, &ask.file_ids)?.len() != ask.file_ids.len() {
            return Err(ChatError::Invalid(InputError {
                field: "file_ids",
                reason: "must name ready knowledge files you can read".to_owned(),
            }));
        }
        // For `regenerate`: the question to answer again (read before anything changes).
        let again = match ask.content {
            Some(_) => None,
            None => Some(last_question(db, chat_id, owner)?),
        };
        let question = match (&ask.content, &again) {
            (Some(text), _) => text.as_str(),
            (None, Some(question)) => question.content.as_str(),
            (None, None) => "",
        };
        let assistant_collections = assistant.as_ref().map(|a| a.collection_ids.as_slice());
        let retrieval = Retrieval::of(
            question,
            &[
                &chat.collection_ids,
                assistant_collections.unwrap_or_default(),
            ],
            &[&chat_files, &ask.file_ids],
        );
        Ok(Prepared {
            owner,
            chat,
            assistant,
            target,
            temperature,
            ask: ask.clone(),
            again,
            retrieval,
        })
    }

    /// The request that asks the model for the chat's title, for a first exchange: sent beside
    /// the answer, and used only if the answer completes.
    pub fn title_request(&self) -> Option<ChatRequest> {
        self.first_exchange
            .then(|| title::request(&self.request, &self.question.content))
    }
}

impl Prepared {
    /// What the answer retrieves from; `None` without knowledge in the chat (then nothing is
    /// embedded or retrieved).
    pub fn retrieval(&self) -> Option<&Retrieval> {
        self.retrieval.as_ref()
    }

    /// Retrieves the passages (with the question's vector when `embedded`, by keywords
    /// otherwise), chooses those that fit a quarter of the model's context window, then stores
    /// the question (or, for `regenerate`, drops what followed the last one) with its files, a
    /// pending answer with the passages as its sources and the embedding's usage row, in one
    /// transaction; the request puts the passages after the assistant's system prompt. The
    /// model and temperature chosen with the message become the chat's.
    pub fn commit(self, db: &dyn Db, embedded: Option<&Embedded>) -> Result<Exchange, ChatError> {
        let Self {
            owner,
            chat,
            assistant,
            target,
            temperature,
            ask,
            again,
            retrieval,
        } = self;
        let chat_id = chat.id;
        let passages = match &retrieval {
            Some(r) => {
                let query = RetrievalQuery {
                    text: &r.question,
                    embedding: embedded.map(|e| &e.query),
                    collection_ids: &r.collection_ids,
                    file_ids: &r.file_ids,
                    limit: knowledge::RETRIEVE_LIMIT,
                };
                let retrieved = hub_db::knowledge::retrieve(db, owner, &query)?;
                knowledge::choose(retrieved, knowledge::budget(target.model.context_window))
            }
            None => Vec::new(),
        };
        let sources: Vec<Source> = passages.iter().map(|p| p.source.clone()).collect();
        let change = ChatChange {
            title: None,
            model: ask
                .model
                .as_ref()
                .map(|_| Some(target.model.model_id.as_str())),
            temperature: ask.temperature.map(|t| Some(t.value())),
        };
        let answer = NewAnswer {
            model: &target.model.model_id,
            status: Status::Partial,
            content: "",
            error: None,
            sources: &sources,
        };
        let text = ask.content.as_ref().map(MessageContent::as_str);
        let open =
            |tx: &dyn Db| messages::open_exchange(tx, chat_id, owner, text, &answer, HISTORY_LIMIT);
        // A plain question is one statement (its own transaction); what else the message
        // brings runs with it in one transaction.
        let plain = change == ChatChange::default()
            && again.is_none()
            && ask.file_ids.is_empty()
            && embedded.is_none();
        let opened = if plain {
            open(db)?
        } else {
            hub_db::transaction_with(db, |tx| {
                if change != ChatChange::default() {
                    chats::update(tx, chat_id, owner, &change)?;
                }
                if let Some(question) = &again {
                    messages::delete_after(tx, chat_id, owner, question.id)?;
                }
                let mut opened = open(tx)?;
                if let Some(q) = opened
                    .question
                    .as_mut()
                    .filter(|_| !ask.file_ids.is_empty())
                {
                    q.files = messages::attach_files(tx, q.id, owner, &ask.file_ids)?;
                    if q.files.len() != ask.file_ids.len() {
                        return Err(ChatError::Invalid(InputError {
                            field: "file_ids",
                            reason: "must name ready knowledge files you can read".to_owned(),
                        }));
                    }
                }
                if let (Some(e), Some(q)) = (embedded, &opened.question) {
                    usage::insert(tx, owner, &e.usage_row(Some(chat_id), Some(q.id)))?;
                }
                Ok::<_, ChatError>(opened)
            })?
        };
        let question = opened.question.or(again);
        let history = opened.history;
        let (Some(question), Some(answer)) = (question, opened.answer) else {
            return Err(ChatError::ChatNotFound);
        };
        let first_exchange =
            chat.title.is_none() && history.iter().filter(|m| m.role == Role::User).count() == 1;
        let request = prompt(&history, assistant.as_ref())
            .with_sources(&passages)
            .request(&target, temperature);
        Ok(Exchange {
            owner,
            chat,
            target,
            request,
            question,
            answer_id: answer.id,
            sources,
            first_exchange,
        })
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
        let file = Uuid::now_v7();
        let files = [file, file];
        let ask = Ask::parse(
            Some("Hallo"),
            false,
            Some("gpt-4o"),
            Some(0.5),
            Some(&files),
        );
        let ask = ask.unwrap();
        assert_eq!(ask.content.unwrap().as_str(), "Hallo");
        assert_eq!(ask.model.unwrap().as_str(), "gpt-4o");
        assert_eq!(ask.file_ids, [file]);
        let again = Ask::parse(None, true, None, None, None).unwrap();
        assert_eq!(again.content, None);
        let eleven: Vec<Uuid> = (0..11).map(|_| Uuid::now_v7()).collect();
        for (content, regenerate, model, t, ids, field) in [
            (None, false, None, None, None, "content"),
            (Some("x"), true, None, None, None, "content"),
            (Some(" "), false, None, None, None, "content"),
            (Some("x"), false, Some("a\0b"), None, None, "model"),
            (Some("x"), false, None, Some(3.0), None, "temperature"),
            (Some("x"), false, None, None, Some(&eleven[..]), "file_ids"),
            (None, true, None, None, Some(&eleven[..1]), "file_ids"),
        ] {
            let err = Ask::parse(content, regenerate, model, t, ids).unwrap_err();
            assert_eq!(err.field, field);
        }
    }
}
