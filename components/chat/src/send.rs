//! `POST /api/chats/{id}/messages`: the user's message in, the model's answer out as a stream
//! of server-sent events (C2, C4, C5), stored with its usage and cost (U4) whatever happens to
//! the provider or to the client's connection.
//!
//! Everything that can be refused is checked before the stream starts and answered as an
//! ordinary JSON error (401, 404, 400, 409, 503). From `message_start` on, failures arrive as an
//! `error` event and the answer is stored as `partial` (text was generated) or `error`. What is
//! decided and stored is `hub-conversation`'s [`Exchange`]; this module does the I/O around it.

use hub_api::{
    ChatEvent, DoneEvent, ErrorEvent, MessageStartEvent, Money, SendMessage, StreamErrorCode,
    TitleEvent, UsageEvent,
};
use hub_component::audit::{self, AuditAction, ClientInfo};
use hub_component::auth::{UserContext, authenticate, owner};
use hub_component::{database, errors, log, parse_body};
use hub_conversation::{Ask, Exchange, Finished, Outcome};
use hub_http::ApiError;
use hub_providers::ProviderError;
use serde_json::json;
use spin_sdk::http::{Request, ResponseOutparam};
use uuid::Uuid;

use crate::models::settings;
use crate::relay::{ask, generate_title};
use crate::sse::Events;
use crate::{sse, views};

/// Streams the answer to the message in `req`, or answers the error that prevents it.
pub async fn handle(req: Request, out: ResponseOutparam, chat_id: Uuid) {
    match prepare(&req, chat_id) {
        Ok((user, exchange)) => {
            let client = audit::client(&req);
            run(&user, &client, &exchange, out).await;
        }
        Err(err) => crate::respond(out, hub_component::error(&err)).await,
    }
}

/// Parse, authorize, and store the question with its pending answer.
fn prepare(req: &Request, chat_id: Uuid) -> Result<(UserContext, Exchange), ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let body: SendMessage = parse_body(req)?;
    let ask = Ask::parse(
        body.content.as_deref(),
        body.regenerate.unwrap_or(false),
        body.model.as_deref(),
        body.temperature,
    )
    .map_err(errors::input)?;
    let exchange =
        Exchange::prepare(&db, owner(&user), chat_id, &ask, &settings).map_err(errors::chat)?;
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

    let outcome = ask(exchange, &mut events).await;
    let title = match exchange.title_request(&outcome) {
        Some(request) => Some(generate_title(exchange, request).await),
        None => None,
    };
    let db = match database() {
        Ok(db) => db,
        Err(e) => {
            log::error(
                "chat",
                format_args!("answer {} not stored: {}", exchange.answer_id, e.message()),
            );
            let message = "the answer could not be stored: the database is unavailable";
            let event = error_event(StreamErrorCode::Internal, message, None);
            events.send(ChatEvent::Error(event)).await;
            return events.close().await;
        }
    };
    let finished = exchange.finish(&db, &outcome, title);
    report(&finished);
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
    drop(db);
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
    if let Some(title) = finished.title {
        events.send(ChatEvent::Title(TitleEvent { title })).await;
    }
    let last = match (&outcome.summary.error, &finished.message) {
        (None, Some(message)) => ChatEvent::Done(DoneEvent {
            message: views::message(message),
            finish_reason: outcome
                .summary
                .finish
                .as_ref()
                .map_or("stop", |f| f.as_str())
                .to_owned(),
        }),
        (Some(e), stored) => {
            let mut event = error_event(e.code(), &e.to_string(), e.retry_after());
            event.assistant_message = stored.as_ref().map(views::message);
            ChatEvent::Error(event)
        }
        (None, None) => ChatEvent::Error(error_event(
            StreamErrorCode::Internal,
            "the answer could not be stored",
            None,
        )),
    };
    events.send(last).await;
    events.close().await;
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
