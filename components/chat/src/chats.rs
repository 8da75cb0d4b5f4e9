//! Conversations (C1): create, list, load, rename / change, delete; all owner-only (U3).

use hub_api::{ChatDetail, CreateChat, Page, UpdateChat};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::{authenticate, found, owner};
use hub_component::errors::{self, db as db_error};
use hub_component::{database, json, no_content, parse_body, query_param};
use hub_conversation::{ChatError, ModelId, Temperature, Title, knowledge, models};
use hub_db::assistants;
use hub_db::chats::{self, ChatChange, Cursor, NewChat};
use hub_db::messages;
use hub_http::ApiError;
use serde_json::json;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::views;

/// `GET /api/chats?limit=&cursor=`: the caller's conversations, most recently active first.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let query = req.query();
    let limit = match query_param(query, "limit") {
        None => None,
        Some(text) => Some(
            text.parse::<u32>()
                .ok()
                .filter(|n| (1..=chats::MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "limit",
                        &format!("must be a whole number from 1 to {}", chats::MAX_PAGE_SIZE),
                    )
                })?,
        ),
    };
    let cursor = match query_param(query, "cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(
            Cursor::decode(&text)
                .map_err(|_| ApiError::invalid_field("cursor", "is not a cursor of this list"))?,
        ),
    };
    let page = chats::list(&db, owner(&user), cursor.as_ref(), chats::page_size(limit))
        .map_err(db_error)?;
    Ok(json(
        200,
        &Page {
            items: page.items.iter().map(views::chat).collect(),
            next_cursor: page.next.map(|c| c.encode()),
        },
    ))
}

/// `POST /api/chats`: a new conversation (201).
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let body: CreateChat = parse_body(req)?;
    let title = body.title.as_deref().map(Title::parse).transpose();
    let model = body.model.as_deref().map(ModelId::parse).transpose();
    let temperature = body.temperature.map(Temperature::parse).transpose();
    let title = title.map_err(errors::input)?;
    let model = model.map_err(errors::input)?;
    let temperature = temperature.map_err(errors::input)?;
    if let Some(model) = &model {
        models::enabled(&db, model).map_err(errors::chat)?;
    }
    // The assistant must be one the user sees (global or their own).
    if let Some(id) = body.assistant_id
        && assistants::find_visible(&db, id, owner(&user))
            .map_err(db_error)?
            .is_none()
    {
        return Err(errors::chat(ChatError::UnknownAssistant));
    }
    let chat = chats::create(
        &db,
        owner(&user),
        &NewChat {
            title: title.as_ref().map(Title::as_str),
            model: model.as_ref().map(ModelId::as_str),
            temperature: temperature.map(Temperature::value),
            assistant_id: body.assistant_id,
        },
    )
    .map_err(db_error)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(user.user_id),
        AuditAction::ChatCreated,
        Some(chat.id.to_string()),
        json!({ "model": chat.model, "assistant_id": body.assistant_id }),
    );
    Ok(json(201, &views::chat(&chat)))
}

/// Seconds after which a pending answer counts as interrupted: the runner's default time limit
/// of a request.
const STALE_ANSWER_SECS: u32 = 900;

/// `GET /api/chats/{id}`: a conversation with its messages.
pub fn get(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let chat = found(
        chats::find(&db, id, owner(&user)).map_err(db_error)?,
        "chat",
    )?;
    // An answer still pending long after any request could have streamed it was cut off by the
    // host (a time limit, a restart): it is shown, and stays, as interrupted.
    messages::interrupt_stale(&db, id, owner(&user), STALE_ANSWER_SECS).map_err(db_error)?;
    let messages = messages::list(&db, id, owner(&user)).map_err(db_error)?;
    Ok(json(
        200,
        &ChatDetail {
            chat: views::chat(&chat),
            messages: messages.iter().map(views::message).collect(),
        },
    ))
}

/// `PATCH /api/chats/{id}`: title, model, temperature and knowledge collections.
pub fn update(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let body: UpdateChat = parse_body(req)?;
    if body == UpdateChat::default() {
        return Err(ApiError::bad_request(
            "name at least one of title, model, temperature, collection_ids",
        ));
    }
    let title = body.title.as_deref().map(Title::parse).transpose();
    let title = title.map_err(errors::input)?;
    let model = match &body.model {
        Some(Some(id)) => Some(Some(ModelId::parse(id).map_err(errors::input)?)),
        Some(None) => Some(None),
        None => None,
    };
    let temperature = match body.temperature {
        Some(Some(t)) => Some(Some(Temperature::parse(t).map_err(errors::input)?.value())),
        other => other,
    };
    if let Some(Some(model)) = &model {
        models::enabled(&db, model).map_err(errors::chat)?;
    }
    let change = ChatChange {
        title: title.as_ref().map(Title::as_str),
        model: model.as_ref().map(|m| m.as_ref().map(ModelId::as_str)),
        temperature,
    };
    let chat = hub_db::transaction_with(&db, |tx| {
        if let Some(ids) = &body.collection_ids {
            knowledge::set_chat_collections(tx, id, owner(&user), ids)?;
        }
        Ok::<_, ChatError>(chats::update(tx, id, owner(&user), &change)?)
    })
    .map_err(errors::chat)?;
    let chat = found(chat, "chat")?;
    if title.is_some() {
        audit::record(
            &db,
            &audit::client(req),
            Some(user.user_id),
            AuditAction::ChatRenamed,
            Some(id.to_string()),
            json!({}),
        );
    }
    Ok(json(200, &views::chat(&chat)))
}

/// `DELETE /api/chats/{id}` (204): the conversation and its messages; usage rows stay.
pub fn delete(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    if !chats::delete(&db, id, owner(&user)).map_err(db_error)? {
        return Err(ApiError::not_found("chat not found"));
    }
    audit::record(
        &db,
        &audit::client(req),
        Some(user.user_id),
        AuditAction::ChatDeleted,
        Some(id.to_string()),
        json!({}),
    );
    Ok(no_content())
}
