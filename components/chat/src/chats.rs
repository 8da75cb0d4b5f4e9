//! Conversations (C1): create, list, load, rename / change, delete; all owner-only (U3).

use hub_api::{ChatDetail, CreateChat, Page, UpdateChat};
use hub_component::audit::{self, ClientInfo};
use hub_component::auth::{authenticate, db_error, found, owner};
use hub_component::{database, json, no_content, parse_body, query_param};
use hub_db::chats::{self, ChatChange, Cursor, NewChat, TITLE_MAX_CHARS};
use hub_db::{Db, messages};
use hub_http::ApiError;
use serde_json::json;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::models;
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
    let title = body.title.as_deref().map(title).transpose()?;
    if let Some(model) = &body.model {
        models::enabled(&db, model)?;
    }
    if let Some(t) = body.temperature {
        check_temperature(t)?;
    }
    let chat = chats::create(
        &db,
        owner(&user),
        &NewChat {
            title: title.as_deref(),
            model: body.model.as_deref(),
            temperature: body.temperature,
        },
    )
    .map_err(db_error)?;
    audit::record(
        &db,
        &ClientInfo::from_request(req),
        Some(user.user_id),
        "chat.created",
        Some(chat.id.to_string()),
        json!({ "model": chat.model }),
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

/// `PATCH /api/chats/{id}`: title, model and temperature.
pub fn update(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let body: UpdateChat = parse_body(req)?;
    if body == UpdateChat::default() {
        return Err(ApiError::bad_request(
            "name at least one of title, model, temperature",
        ));
    }
    let title = body.title.as_deref().map(title).transpose()?;
    if let Some(Some(model)) = &body.model {
        models::enabled(&db, model)?;
    }
    if let Some(Some(t)) = body.temperature {
        check_temperature(t)?;
    }
    let change = ChatChange {
        title: title.as_deref(),
        model: body.model.as_ref().map(Option::as_deref),
        temperature: body.temperature,
    };
    let chat = found(
        chats::update(&db, id, owner(&user), &change).map_err(db_error)?,
        "chat",
    )?;
    if title.is_some() {
        audit::record(
            &db,
            &ClientInfo::from_request(req),
            Some(user.user_id),
            "chat.renamed",
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
        &ClientInfo::from_request(req),
        Some(user.user_id),
        "chat.deleted",
        Some(id.to_string()),
        json!({}),
    );
    Ok(no_content())
}

/// A title as given: trimmed, 1 to [`TITLE_MAX_CHARS`] characters, no control characters.
pub fn title(text: &str) -> Result<String, ApiError> {
    let trimmed = text.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        return Err(ApiError::invalid_field("title", "must not be empty"));
    }
    if chars > TITLE_MAX_CHARS {
        return Err(ApiError::invalid_field(
            "title",
            &format!("must be at most {TITLE_MAX_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "title",
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A temperature the hub accepts: `0..=2`.
pub fn check_temperature(t: f64) -> Result<(), ApiError> {
    if t.is_finite() && (0.0..=hub_providers::MAX_TEMPERATURE).contains(&t) {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "temperature",
            &format!("must be from 0 to {}", hub_providers::MAX_TEMPERATURE),
        ))
    }
}

/// The chat `id` of the caller, or 404.
pub fn owned(db: &dyn Db, id: Uuid, owner: hub_db::Owner) -> Result<chats::Chat, ApiError> {
    found(chats::find(db, id, owner).map_err(db_error)?, "chat")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  Plan  ").unwrap(), "Plan");
        assert_eq!(title(" ").unwrap_err().status(), 400);
        assert!(title(&"x".repeat(TITLE_MAX_CHARS)).is_ok());
        assert!(title(&"ü".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert!(title("a\u{0}b").is_err());
    }

    #[test]
    fn temperatures_are_bounded() {
        for ok in [0.0, 0.7, 2.0] {
            assert!(check_temperature(ok).is_ok());
        }
        for bad in [-0.1, 2.01, f64::NAN, f64::INFINITY] {
            assert_eq!(check_temperature(bad).unwrap_err().status(), 400);
        }
    }
}
