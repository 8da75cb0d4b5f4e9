//! `POST /api/chats/{id}/messages`: the user's message in, the model's answer out as a stream
//! of server-sent events (C2, C4, C5), stored with its usage and cost (U4) whatever happens to
//! the provider or to the client's connection.
//!
//! Everything that can be refused is checked before the stream starts and answered as an
//! ordinary JSON error (401, 404, 400, 503). From `message_start` on, failures arrive as an
//! `error` event and the answer is stored as `partial` (text was generated) or `error`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::{Either, select};
use hub_api::{
    DeltaEvent, DoneEvent, ErrorEvent, MessageStartEvent, Money, SendMessage, TitleEvent,
    UsageEvent,
};
use hub_component::PgDb;
use hub_component::audit::{self, ClientInfo};
use hub_component::auth::{UserContext, authenticate, db_error, owner};
use hub_component::{database, parse_body};
use hub_db::chats::{self, Chat, ChatChange};
use hub_db::messages::{self, Message, NewAnswer, Role, Status};
use hub_db::usage::{self, NewUsage};
use hub_db::{Numeric, Owner};
use hub_http::ApiError;
use hub_providers::{
    ChatRequest, ProviderError, StreamEvent, StreamSummary, Usage, provider as client,
};
use serde_json::json;
use spin_sdk::http::{Request, ResponseOutparam};
use uuid::Uuid;

use crate::models::{self, Target};
use crate::sse::{self, Events, Sleep};
use crate::{chats as chat_routes, title, upstream};

/// Longest message accepted, in characters.
pub const MAX_CONTENT_CHARS: usize = 100_000;

/// How many of the latest messages are sent to the model as the conversation.
const HISTORY_LIMIT: u32 = 100;

/// Default pause between keep-alive comments (variable `sse_keepalive_secs`).
const KEEP_ALIVE_SECS: u64 = 15;

/// Streams the answer to the message in `req`, or answers the error that prevents it.
pub async fn handle(req: Request, out: ResponseOutparam, chat_id: Uuid) {
    match Exchange::prepare(&req, chat_id) {
        Ok(exchange) => exchange.run(out).await,
        Err(err) => crate::respond(out, hub_component::error(&err)).await,
    }
}

/// One question and its answer, from the checks to the stored result.
/// It holds no database connection: one is opened to check and store the question, and
/// another once the answer is over, so that a slow provider does not keep a pooled connection.
struct Exchange {
    user: UserContext,
    client: ClientInfo,
    chat: Chat,
    target: Target,
    request: ChatRequest,
    question: Message,
    answer_id: Uuid,
    first_exchange: bool,
}

/// How the provider's answer went.
#[derive(Debug, Default)]
struct Outcome {
    summary: StreamSummary,
    ttft: Option<Duration>,
    latency: Duration,
}

impl Exchange {
    /// The checks, then the user's message and the answer's row (status `partial`, empty).
    fn prepare(req: &Request, chat_id: Uuid) -> Result<Self, ApiError> {
        let db = database()?;
        let user = authenticate(req, &db)?;
        let owner = owner(&user);
        let body: SendMessage = parse_body(req)?;
        let regenerate = body.regenerate.unwrap_or(false);
        let content = match (regenerate, body.content) {
            (false, Some(text)) => Some(content(&text)?),
            (false, None) => {
                return Err(ApiError::invalid_field("content", "is required"));
            }
            (true, Some(_)) => {
                return Err(ApiError::invalid_field(
                    "content",
                    "must be left out with regenerate",
                ));
            }
            (true, None) => None,
        };
        if let Some(t) = body.temperature {
            chat_routes::check_temperature(t)?;
        }
        let chat = chat_routes::owned(&db, chat_id, owner)?;
        let model = models::choose(&db, body.model.as_deref(), chat.model.as_deref())?;
        let target = Target::of(model)?;
        let temperature = body.temperature.or(chat.temperature);

        // For `regenerate`: the question to answer again (read before anything changes).
        let again = match content {
            Some(_) => None,
            None => Some(last_question(&db, chat_id, owner)?),
        };
        // The choice made with this message stays the chat's (C5); the question and the
        // pending answer are stored together or not at all.
        let change = ChatChange {
            title: None,
            model: body
                .model
                .as_deref()
                .map(|_| Some(target.model.model_id.as_str())),
            temperature: body.temperature.map(Some),
        };
        let stored = hub_db::transaction(&db, |tx| {
            if change != ChatChange::default() {
                chats::update(tx, chat_id, owner, &change)?;
            }
            let question = match (&content, again) {
                (Some(text), _) => messages::insert_user(tx, chat_id, owner, text)?,
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
        })
        .map_err(db_error)?;
        let (Some(question), history, Some(answer)) = stored else {
            return Err(ApiError::not_found("chat not found"));
        };
        let first_exchange =
            chat.title.is_none() && history.iter().filter(|m| m.role == Role::User).count() == 1;
        let request = chat_request(&target, temperature, &history);
        Ok(Self {
            client: ClientInfo::from_request(req),
            user,
            chat,
            target,
            request,
            question,
            answer_id: answer.id,
            first_exchange,
        })
    }

    /// Streams the answer, then stores it and sends the closing events.
    async fn run(self, out: ResponseOutparam) {
        let head = match sse::head() {
            Ok(head) => head,
            Err(e) => {
                let err = ApiError::internal(format!("event-stream head: {e}"));
                if let Ok(db) = database() {
                    self.store(&db, &Outcome::failed(internal(&err)));
                }
                return crate::respond(out, hub_component::error(&err)).await;
            }
        };
        let mut events = Events::new(head.take_body());
        out.set(head);
        events
            .send(
                "message_start",
                &MessageStartEvent {
                    chat_id: self.chat.id,
                    user_message: crate::views::message(&self.question),
                    assistant_message_id: self.answer_id,
                    model: self.target.model.model_id.clone(),
                    provider: self.target.kind.as_str().to_owned(),
                },
            )
            .await;

        let outcome = self.ask(&mut events).await;
        let title = if self.first_exchange && outcome.summary.is_complete() {
            Some(self.generate_title(&outcome.summary.text).await)
        } else {
            None
        };
        let db = match database() {
            Ok(db) => db,
            Err(e) => {
                eprintln!(
                    "chat: answer {} not stored: {}",
                    self.answer_id,
                    e.message()
                );
                let event = ErrorEvent {
                    code: "internal".to_owned(),
                    message: "the answer could not be stored: the database is unavailable"
                        .to_owned(),
                    retry_after: None,
                    assistant_message: None,
                };
                events.send("error", &event).await;
                return events.close().await;
            }
        };
        let usage = self.usage_of(&outcome);
        let stored = self.store(&db, &outcome);
        if let Some((usage, estimated)) = usage {
            let cost = hub_providers::cost(&usage, &self.target.prices);
            self.record_usage(&db, &outcome, usage, &cost.to_string(), estimated);
            events
                .send(
                    "usage",
                    &UsageEvent {
                        input_tokens: usage.input,
                        output_tokens: usage.output,
                        cached_tokens: usage.cached,
                        cost: Money::usd(cost.to_string()),
                    },
                )
                .await;
        }
        if let Some(draft) = title
            && let Some(title) = self.save_title(&db, draft)
        {
            events.send("title", &TitleEvent { title }).await;
        }
        audit::record(
            &db,
            &self.client,
            Some(self.user.user_id),
            "chat.message_answered",
            Some(self.chat.id.to_string()),
            json!({
                "message_id": self.answer_id,
                "model": self.target.model.model_id,
                "provider": self.target.kind.as_str(),
                "status": stored.as_ref().map(|m| m.status.as_str()),
                "client_connected": events.client_connected(),
            }),
        );
        drop(db);
        match (&outcome.summary.error, stored) {
            (None, Some(message)) => {
                let finish_reason = outcome
                    .summary
                    .finish
                    .as_ref()
                    .map_or("stop", |f| f.as_str())
                    .to_owned();
                events
                    .send(
                        "done",
                        &DoneEvent {
                            message: crate::views::message(&message),
                            finish_reason,
                        },
                    )
                    .await;
            }
            (error, stored) => {
                let (code, message, retry_after) = match error {
                    Some(e) => describe(e),
                    None => (
                        "internal",
                        "the answer could not be stored".to_owned(),
                        None,
                    ),
                };
                events
                    .send(
                        "error",
                        &ErrorEvent {
                            code: code.to_owned(),
                            message,
                            retry_after,
                            assistant_message: stored.as_ref().map(crate::views::message),
                        },
                    )
                    .await;
            }
        }
        events.close().await;
    }

    /// Sends the request to the provider and relays its answer; never fails, the outcome says
    /// how it went.
    async fn ask<S: futures::Sink<Vec<u8>>>(&self, events: &mut Events<S>) -> Outcome {
        let started = Instant::now();
        let keep_alive = keep_alive_interval();
        let provider = match client(&self.target.config) {
            Ok(p) => p,
            Err(e) => return Outcome::failed(e),
        };
        let request = match provider.build_request(&self.request) {
            Ok(r) => r,
            Err(e) => return Outcome::failed(e),
        };

        let mut pending = std::pin::pin!(upstream::send(request));
        let response = loop {
            match select(pending.as_mut(), std::pin::pin!(Sleep::new(keep_alive))).await {
                Either::Left((result, _)) => break result,
                Either::Right(((), _)) => events.keep_alive().await,
            }
        };
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                return Outcome::failed(ProviderError::Upstream {
                    provider: self.target.kind,
                    status: None,
                    message: format!("could not be reached: {e}"),
                });
            }
        };
        let status = response.status();
        if !(200..300).contains(&status) {
            let headers = upstream::headers(&response);
            let body = upstream::read_body(&response, upstream::ERROR_BODY_LIMIT).await;
            let mut outcome = Outcome::failed(provider.handle_error(status, &headers, &body));
            outcome.latency = started.elapsed();
            return outcome;
        }

        let mut outcome = Outcome::default();
        let mut parser = provider.stream();
        let mut body = std::pin::pin!(response.take_body_stream());
        while !parser.is_closed() {
            let next = loop {
                match select(body.next(), std::pin::pin!(Sleep::new(keep_alive))).await {
                    Either::Left((next, _)) => break next,
                    Either::Right(((), _)) => events.keep_alive().await,
                }
            };
            let parsed = match next {
                Some(Ok(chunk)) => parser.push(&chunk),
                Some(Err(e)) => {
                    eprintln!("chat: the provider's stream broke: {e:?}");
                    parser.finish()
                }
                None => parser.finish(),
            };
            for event in parsed {
                if let StreamEvent::Delta(text) = &event {
                    outcome.ttft.get_or_insert_with(|| started.elapsed());
                    events
                        .send("delta", &DeltaEvent { text: text.clone() })
                        .await;
                }
                outcome.summary.apply(&event);
            }
        }
        outcome.latency = started.elapsed();
        outcome
    }

    /// The usage to record: the provider's, or an estimate when it reported none but answered.
    fn usage_of(&self, outcome: &Outcome) -> Option<(Usage, bool)> {
        if let Some(usage) = outcome.summary.usage {
            return Some((usage, false));
        }
        if outcome.summary.text.is_empty() {
            // Nothing was generated: the provider refused or failed before answering.
            return None;
        }
        let prompt: usize = self.request.messages.iter().map(|m| m.content.len()).sum();
        Some((
            Usage {
                input: estimate_tokens(prompt),
                output: estimate_tokens(outcome.summary.text.len()),
                cached: 0,
            },
            true,
        ))
    }

    /// Finalises the answer's row; the stored message (`None` if that failed).
    fn store(&self, db: &PgDb, outcome: &Outcome) -> Option<Message> {
        let summary = &outcome.summary;
        let (status, error) = match &summary.error {
            None => (Status::Complete, None),
            Some(e) if summary.text.is_empty() => (Status::Error, Some(e.to_string())),
            Some(e) => (Status::Partial, Some(e.to_string())),
        };
        let owner = owner(&self.user);
        let result = messages::finalize(
            db,
            self.answer_id,
            owner,
            &summary.text,
            status,
            error.as_deref(),
        );
        match result {
            Ok(message) => message,
            Err(e) => {
                eprintln!("chat: could not store answer {}: {e}", self.answer_id);
                None
            }
        }
    }

    fn record_usage(
        &self,
        db: &PgDb,
        outcome: &Outcome,
        usage: Usage,
        cost: &str,
        estimated: bool,
    ) {
        let millis = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        let row = NewUsage {
            chat_id: Some(self.chat.id),
            message_id: Some(self.answer_id),
            provider: self.target.kind.as_str(),
            model: &self.target.model.model_id,
            input_tokens: usage.input,
            output_tokens: usage.output,
            cached_tokens: usage.cached,
            cost: Numeric(cost.to_owned()),
            latency_ms: Some(millis(outcome.latency)),
            ttft_ms: outcome.ttft.map(millis),
            estimated,
        };
        if let Err(e) = usage::insert(db, owner(&self.user), &row) {
            eprintln!("chat: could not record usage of {}: {e}", self.answer_id);
        }
    }

    /// Asks the model for a title of the first exchange (not streamed).
    async fn generate_title(&self, answer: &str) -> TitleDraft {
        let mut draft = TitleDraft::default();
        let Ok(provider) = client(&self.target.config) else {
            return draft;
        };
        let request = title::request(&self.request, &self.question.content, answer);
        let Ok(request) = provider.build_request(&request) else {
            return draft;
        };
        let started = Instant::now();
        let Ok(response) = upstream::send(request).await else {
            return draft;
        };
        if !(200..300).contains(&response.status()) {
            return draft;
        }
        let body = upstream::read_body(&response, 1024 * 1024).await;
        if let Ok(parsed) = provider.parse_response(&body) {
            draft.usage = parsed.usage.map(|u| (u, started.elapsed()));
            draft.text = title::from_answer(&parsed);
        }
        draft
    }

    /// Records the title request's usage and titles the chat (the model's title, else one
    /// from the question) unless it has a title already; the title if this request set it.
    fn save_title(&self, db: &PgDb, draft: TitleDraft) -> Option<String> {
        let owner = owner(&self.user);
        if let Some((usage, latency)) = draft.usage {
            let row = NewUsage {
                chat_id: Some(self.chat.id),
                message_id: None,
                provider: self.target.kind.as_str(),
                model: &self.target.model.model_id,
                input_tokens: usage.input,
                output_tokens: usage.output,
                cached_tokens: usage.cached,
                cost: Numeric(hub_providers::cost(&usage, &self.target.prices).to_string()),
                latency_ms: u32::try_from(latency.as_millis()).ok(),
                ttft_ms: None,
                estimated: false,
            };
            if let Err(e) = usage::insert(db, owner, &row) {
                eprintln!("chat: could not record the title's usage: {e}");
            }
        }
        let text = draft
            .text
            .or_else(|| title::from_message(&self.question.content))?;
        match chats::set_title_if_unset(db, self.chat.id, owner, &text) {
            Ok(true) => chats::find(db, self.chat.id, owner)
                .ok()
                .flatten()
                .and_then(|c| c.title),
            Ok(false) => None,
            Err(e) => {
                eprintln!("chat: could not set the title of {}: {e}", self.chat.id);
                None
            }
        }
    }
}

/// What the title request gave: the title, and the usage with the request's duration.
#[derive(Debug, Default)]
struct TitleDraft {
    text: Option<String>,
    usage: Option<(Usage, Duration)>,
}

impl Outcome {
    fn failed(error: ProviderError) -> Self {
        Self {
            summary: StreamSummary {
                error: Some(error),
                ..StreamSummary::default()
            },
            ..Self::default()
        }
    }
}

/// A message as given: not blank, at most [`MAX_CONTENT_CHARS`], kept as typed.
fn content(text: &str) -> Result<String, ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid_field("content", "must not be empty"));
    }
    if text.chars().count() > MAX_CONTENT_CHARS {
        return Err(ApiError::invalid_field(
            "content",
            &format!("must be at most {MAX_CONTENT_CHARS} characters"),
        ));
    }
    if text.contains('\0') {
        return Err(ApiError::invalid_field(
            "content",
            "must not contain NUL characters",
        ));
    }
    Ok(text.to_owned())
}

/// For `regenerate`: the chat's last user message (409 when it has none).
fn last_question(db: &PgDb, chat_id: Uuid, owner: Owner) -> Result<Message, ApiError> {
    messages::recent(db, chat_id, owner, HISTORY_LIMIT)
        .map_err(db_error)?
        .into_iter()
        .rev()
        .find(|m| m.role == Role::User)
        .ok_or_else(|| ApiError::conflict("this chat has no message to answer again"))
}

/// The provider request for the conversation so far: failed answers left out, and the oldest
/// messages dropped when the rest would not fit the model's context window.
fn chat_request(target: &Target, temperature: Option<f64>, history: &[Message]) -> ChatRequest {
    let messages: Vec<_> = history
        .iter()
        .filter(|m| m.status != Status::Error && !m.content.is_empty())
        .map(|m| hub_providers::Message::new(role(m.role), m.content.clone()))
        .collect();
    let messages = fit_context(messages, target.model.context_window);
    let mut request =
        ChatRequest::new(target.model.model_id.clone(), messages).with_traits(target.traits);
    request.deployment = target.model.azure_deployment.clone();
    request.temperature = temperature;
    request
}

/// The newest messages whose estimated size stays within three quarters of `context_window`
/// tokens (the rest is room for the answer); the newest message is always kept, so that a
/// question too long for the model gets the provider's own explanation.
fn fit_context(
    messages: Vec<hub_providers::Message>,
    context_window: Option<i32>,
) -> Vec<hub_providers::Message> {
    let Some(window) = context_window.and_then(|w| u64::try_from(w).ok()) else {
        return messages;
    };
    let budget = window / 4 * 3;
    let mut used = 0;
    let keep = messages
        .iter()
        .rev()
        .take_while(|m| {
            used += estimate_tokens(m.content.len());
            used <= budget
        })
        .count()
        .max(1);
    let skip = messages.len().saturating_sub(keep);
    messages.into_iter().skip(skip).collect()
}

/// The stored role as the providers' role: the one place the two meet.
fn role(role: Role) -> hub_providers::Role {
    match role {
        Role::System => hub_providers::Role::System,
        Role::User => hub_providers::Role::User,
        Role::Assistant => hub_providers::Role::Assistant,
    }
}

/// About four bytes of text per token: the estimate when a provider reports no usage.
fn estimate_tokens(bytes: usize) -> u64 {
    u64::try_from(bytes.div_ceil(4)).unwrap_or(u64::MAX)
}

fn keep_alive_interval() -> Duration {
    let secs = models::variable("sse_keepalive_secs")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=300).contains(s))
        .unwrap_or(KEEP_ALIVE_SECS);
    Duration::from_secs(secs)
}

fn internal(err: &ApiError) -> ProviderError {
    ProviderError::InvalidRequest {
        field: "stream",
        reason: err.message().to_owned(),
    }
}

/// The `error` event's code, message and retry hint for a provider failure.
fn describe(err: &ProviderError) -> (&'static str, String, Option<u64>) {
    let code = match err {
        ProviderError::UnknownProvider(_)
        | ProviderError::MissingKey { .. }
        | ProviderError::Config { .. } => "provider_not_configured",
        ProviderError::InvalidRequest { .. } | ProviderError::BadRequest { .. } => {
            "provider_rejected"
        }
        ProviderError::Unauthorized { .. } | ProviderError::Forbidden { .. } => "provider_auth",
        ProviderError::NotFound { .. } => "provider_model_not_found",
        ProviderError::RateLimited { .. } => "provider_rate_limited",
        ProviderError::Upstream { .. } => "provider_unavailable",
        ProviderError::InvalidResponse { .. } => "provider_invalid_response",
        ProviderError::Incomplete { .. } => "provider_incomplete",
    };
    let retry_after = match err {
        ProviderError::RateLimited { retry_after, .. } => *retry_after,
        _ => None,
    };
    (code, err.to_string(), retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hub_providers::ProviderKind;

    #[test]
    fn content_is_checked_and_kept_as_typed() {
        assert_eq!(content("  hi \n").unwrap(), "  hi \n");
        assert_eq!(content(" \n\t").unwrap_err().status(), 400);
        assert!(content(&"ä".repeat(MAX_CONTENT_CHARS)).is_ok());
        assert!(content(&"ä".repeat(MAX_CONTENT_CHARS + 1)).is_err());
        assert!(content("a\0b").is_err());
    }

    #[test]
    fn old_messages_make_room_in_the_context_window() {
        let message = |n: usize| hub_providers::Message::user("x".repeat(n));
        let history = vec![message(400), message(400), message(400)];
        // 1000 tokens: 750 for the conversation, each message about 100.
        assert_eq!(fit_context(history.clone(), Some(1000)).len(), 3);
        // 300 tokens: 225 for the conversation, two messages fit.
        let kept = fit_context(history.clone(), Some(300));
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1], history[2]);
        // The newest message stays even when it alone is too long.
        assert_eq!(fit_context(vec![message(40_000)], Some(100)).len(), 1);
        assert_eq!(fit_context(history.clone(), None).len(), 3);
        assert!(fit_context(Vec::new(), Some(10)).is_empty());
    }

    #[test]
    fn failures_have_stable_codes() {
        let limited = ProviderError::RateLimited {
            provider: ProviderKind::OpenAi,
            retry_after: Some(7),
            message: "slow down".into(),
        };
        let (code, message, retry) = describe(&limited);
        assert_eq!((code, retry), ("provider_rate_limited", Some(7)));
        assert!(message.contains("slow down"));
        let incomplete = ProviderError::Incomplete {
            provider: ProviderKind::Gemini,
        };
        assert_eq!(describe(&incomplete).0, "provider_incomplete");
        assert_eq!(estimate_tokens(0), 0);
        assert_eq!(estimate_tokens(9), 3);
    }
}
