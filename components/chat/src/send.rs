//! `POST /api/chats/{id}/messages`: the user's message in, the model's answer out as a stream
//! of server-sent events (C2, C4, C5), stored with its usage and cost (U4) whatever happens to
//! the provider or to the client's connection.
//!
//! Everything that can be refused is checked before the stream starts and answered as an
//! ordinary JSON error (401, 404, 400, 409, 503). From `message_start` on, failures arrive as an
//! `error` event and the answer is stored as `partial` (text was generated) or `error`. While the
//! database is unavailable at the end, storing is tried again for a while (variable
//! `answer_store_retry_secs`); after that the `error` event says that the answer could not be
//! stored, and its pending row reads as interrupted later. What is decided and stored is
//! `hub-conversation`'s [`Exchange`] and [`hub_conversation::Store`]; this module does the I/O
//! around them.

use std::time::Instant;

use hub_api::{
    ChatEvent, DoneEvent, ErrorEvent, MessageStartEvent, Money, SendMessage, SourcesEvent,
    StreamErrorCode, TitleEvent, UsageEvent,
};
use hub_component::audit::{self, AuditAction, ClientInfo};
use hub_component::auth::{UserContext, authenticate, owner};
use hub_component::{PgDb, database, embeddings, errors, log, parse_body};
use hub_conversation::store::STORE_RETRY_SECS;
use hub_conversation::{Ask, Exchange, Finished, Outcome, StoreRetry, TitleDraft};
use hub_db::DbError;
use hub_http::ApiError;
use hub_providers::ProviderError;
use serde_json::json;
use spin_sdk::http::{Request, ResponseOutparam};
use uuid::Uuid;

use crate::models::{seconds, settings};
use crate::relay::answer_and_title;
use crate::sse::{Events, Sleep};
use crate::{sse, views};

/// Streams the answer to the message in `req`, or answers the error that prevents it.
pub async fn handle(req: Request, out: ResponseOutparam, chat_id: Uuid) {
    match prepare(&req, chat_id).await {
        Ok((user, exchange)) => {
            let client = audit::client(&req);
            run(&user, &client, &exchange, out).await;
        }
        Err(err) => crate::respond(out, hub_component::error(&err)).await,
    }
}

/// Parse, authorize, retrieve knowledge when the chat has any (the question embedded first
/// when an embedding model is active), and store the question with its pending answer.
async fn prepare(req: &Request, chat_id: Uuid) -> Result<(UserContext, Exchange), ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let body: SendMessage = parse_body(req)?;
    let ask = Ask::parse(
        body.content.as_deref(),
        body.regenerate.unwrap_or(false),
        body.model.as_deref(),
        body.temperature,
        body.file_ids.as_deref(),
    )
    .map_err(errors::input)?;
    let prepared =
        Exchange::prepare(&db, owner(&user), chat_id, &ask, &settings).map_err(errors::chat)?;
    let (db, embedded) = match prepared.retrieval() {
        None => (db, None),
        Some(retrieval) => embeddings::embed_released(db, &retrieval.question, "chat").await?,
    };
    let exchange = prepared
        .commit(&db, embedded.as_ref())
        .map_err(errors::chat)?;
    Ok((user, exchange))
}

/// Streams the answer, then stores it and sends the closing events.
async fn run(user: &UserContext, client: &ClientInfo, exchange: &Exchange, out: ResponseOutparam) {
    let head = match sse::head() {
        Ok(head) => head,
        Err(e) => {
            let err = ApiError::internal(format!("event-stream head: {e}"));
            if let Ok(db) = database() {
                let failed = Outcome::failed(ProviderError::InvalidRequest {
                    field: "stream",
                    reason: err.message().to_owned(),
                });
                report(&exchange.finish(&db, &failed, None));
            }
            return crate::respond(out, hub_component::error(&err)).await;
        }
    };
    let mut events = Events::new(head.take_body());
    out.set(head);
    events
        .send(ChatEvent::MessageStart(MessageStartEvent {
            chat_id: exchange.chat.id,
            user_message: views::message(&exchange.question),
            assistant_message_id: exchange.answer_id,
            model: exchange.target.model.model_id.clone(),
            provider: exchange.target.kind.as_str().to_owned(),
        }))
        .await;
    if !exchange.sources.is_empty() {
        let sources = exchange.sources.iter().map(views::source).collect();
        events
            .send(ChatEvent::Sources(SourcesEvent { sources }))
            .await;
    }

    let (outcome, title) = answer_and_title(exchange, &mut events).await;
    let (finished, db) = store(exchange, &outcome, title, &mut events).await;
    report(&finished);
    if let Some(charge) = finished.charge {
        events
            .send(ChatEvent::Usage(UsageEvent {
                input_tokens: charge.usage.input,
                output_tokens: charge.usage.output,
                cached_tokens: charge.usage.cached,
                cost: Money::usd(charge.cost.to_string()),
            }))
            .await;
    }
    if let Some(title) = &finished.title {
        events
            .send(ChatEvent::Title(TitleEvent {
                title: title.clone(),
            }))
            .await;
    }
    events.send(last_event(&outcome, &finished)).await;
    // Audited after the last event (the client does not wait for it), before the stream ends.
    if let Some(db) = db {
        audit::record(
            &db,
            client,
            Some(user.user_id),
            AuditAction::ChatMessageAnswered,
            Some(exchange.chat.id.to_string()),
            json!({
                "message_id": exchange.answer_id,
                "model": exchange.target.model.model_id,
                "provider": exchange.target.kind.as_str(),
                "status": finished.message.as_ref().map(|m| m.status.as_str()),
                "client_connected": events.client_connected(),
            }),
        );
    }
    events.close().await;
}

/// `done` for an answer that completed and is stored; otherwise `error`: the provider's
/// failure (with the answer as stored), or that the answer could not be stored.
fn last_event(outcome: &Outcome, finished: &Finished) -> ChatEvent {
    let unstored = if finished.unavailable {
        "the answer could not be stored: the database is unavailable"
    } else {
        "the answer could not be stored"
    };
    match (&outcome.summary.error, &finished.message) {
        (None, Some(message)) => ChatEvent::Done(DoneEvent {
            message: views::message(message),
            finish_reason: outcome
                .summary
                .finish
                .as_ref()
                .map_or("stop", |f| f.as_str())
                .to_owned(),
        }),
        (Some(e), Some(stored)) => {
            let mut event = error_event(e.code(), &e.to_string(), e.retry_after());
            event.assistant_message = Some(views::message(stored));
            ChatEvent::Error(event)
        }
        (Some(e), None) => ChatEvent::Error(error_event(
            e.code(),
            &format!("{e}; {unstored}"),
            e.retry_after(),
        )),
        (None, None) => ChatEvent::Error(error_event(StreamErrorCode::Internal, unstored, None)),
    }
}

/// Stores the answer; while the database is unavailable, tries again with growing pauses for
/// up to `answer_store_retry_secs` (keep-alive comments meanwhile). What was stored, and the
/// database when it was reached.
async fn store<S: futures::Sink<Vec<u8>>>(
    exchange: &Exchange,
    outcome: &Outcome,
    title: Option<TitleDraft>,
    events: &mut Events<S>,
) -> (Finished, Option<PgDb>) {
    let started = Instant::now();
    let budget = seconds("answer_store_retry_secs", 0..=300, STORE_RETRY_SECS);
    let mut retry = StoreRetry::new(budget);
    let mut store = exchange.store(outcome, title);
    loop {
        let db = match database() {
            Ok(db) => {
                store.attempt(&db);
                Some(db)
            }
            Err(e) => {
                store.unreachable(unreachable(&e));
                None
            }
        };
        let Some(reason) = store.waiting() else {
            return (store.give_up(), db);
        };
        let Some(pause) = retry.pause(started.elapsed()) else {
            log::error(
                "chat",
                format_args!(
                    "answer {} not stored: the database stayed unavailable for {} s ({reason})",
                    exchange.answer_id,
                    budget.as_secs()
                ),
            );
            return (store.give_up(), db);
        };
        log::warn(
            "chat",
            format_args!(
                "answer {} not stored yet ({reason}); trying again in {} ms",
                exchange.answer_id,
                pause.as_millis()
            ),
        );
        drop(db);
        events.keep_alive().await;
        Sleep::new(pause).await;
    }
}

/// What a failure to open the database stands for: unavailable (503), or a deployment error.
fn unreachable(err: &ApiError) -> DbError {
    if err.status() == 503 {
        DbError::Unavailable(err.message().to_owned())
    } else {
        DbError::Other(err.message().to_owned())
    }
}

/// An `error` event without a stored answer.
fn error_event(code: StreamErrorCode, message: &str, retry_after: Option<u64>) -> ErrorEvent {
    ErrorEvent {
        code,
        message: message.to_owned(),
        retry_after,
        assistant_message: None,
    }
}

/// Logs what went wrong while storing without failing the answer.
fn report(finished: &Finished) {
    for problem in &finished.problems {
        log::warn("chat", problem);
    }
}
