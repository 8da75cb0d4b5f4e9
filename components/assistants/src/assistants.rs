//! `/api/assistants...`.

use hub_api::{AssistantIcon, AssistantView, CreateAssistant, Page, UpdateAssistant};
use hub_assistants::assistants::{self, Change, Draft};
use hub_assistants::{Caller, scope_of};
use hub_component::audit::{AuditAction, record_change as record};
use hub_component::{errors, json, no_content, parse_body, timestamp};
use hub_db::assistants::Assistant;
use hub_http::ApiError;
use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::{caller, list_query};

/// An assistant as `caller` sees it.
fn view(a: Assistant, caller: Caller) -> AssistantView {
    AssistantView {
        id: a.id,
        scope: scope_of(a.owner_id),
        editable: caller.may_edit(a.owner_id),
        icon: AssistantIcon::parse(&a.icon).unwrap_or(AssistantIcon::Sparkles),
        name: a.name,
        description: a.description,
        system_prompt: a.system_prompt,
        model: a.model_id,
        temperature: a.temperature,
        starters: a.starters,
        collection_ids: a.collection_ids,
        created_at: timestamp(a.created_at),
        updated_at: timestamp(a.updated_at),
    }
}

/// What the audit log keeps of a global assistant.
fn audited(a: &Assistant) -> Value {
    json!({
        "name": a.name,
        "description": a.description,
        "icon": a.icon,
        "system_prompt": a.system_prompt,
        "model": a.model_id,
        "temperature": a.temperature,
        "starters": a.starters,
        "collection_ids": a.collection_ids,
    })
}

/// `GET /api/assistants`.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let query = list_query(req)?;
    let (items, next_cursor) = assistants::list(&db, caller, &query).map_err(errors::assistants)?;
    Ok(json(
        200,
        &Page {
            items: items.into_iter().map(|a| view(a, caller)).collect(),
            next_cursor,
        },
    ))
}

/// `POST /api/assistants` (201).
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let (db, user, caller) = caller(req)?;
    let body: CreateAssistant = parse_body(req)?;
    let created = assistants::create(
        &db,
        caller,
        &Draft {
            name: &body.name,
            description: body.description.as_deref(),
            icon: body.icon,
            system_prompt: &body.system_prompt,
            model: body.model.as_deref(),
            temperature: body.temperature,
            starters: body.starters.as_deref().unwrap_or_default(),
            scope: body.scope,
            collection_ids: body.collection_ids.as_deref().unwrap_or_default(),
        },
    )
    .map_err(errors::assistants)?;
    if created.is_global() {
        let details = json!({ "after": audited(&created) });
        record(
            req,
            &db,
            user.user_id,
            AuditAction::AssistantCreated,
            created.id,
            details,
        );
    }
    Ok(json(201, &view(created, caller)))
}

/// `GET /api/assistants/{id}`.
pub fn get(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let found = assistants::get(&db, caller, id).map_err(errors::assistants)?;
    Ok(json(200, &view(found, caller)))
}

/// `PATCH /api/assistants/{id}`.
pub fn update(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, user, caller) = caller(req)?;
    let body: UpdateAssistant = parse_body(req)?;
    let (before, after) = assistants::update(
        &db,
        caller,
        id,
        &Change {
            name: body.name.as_deref(),
            description: body.description.as_deref(),
            icon: body.icon,
            system_prompt: body.system_prompt.as_deref(),
            model: body.model.as_ref().map(Option::as_deref),
            temperature: body.temperature,
            starters: body.starters.as_deref(),
            collection_ids: body.collection_ids.as_deref(),
        },
    )
    .map_err(errors::assistants)?;
    if after.is_global() {
        let details = json!({ "before": audited(&before), "after": audited(&after) });
        record(
            req,
            &db,
            user.user_id,
            AuditAction::AssistantUpdated,
            id,
            details,
        );
    }
    Ok(json(200, &view(after, caller)))
}

/// `DELETE /api/assistants/{id}` (204): its chats stay, without it.
pub fn delete(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, user, caller) = caller(req)?;
    let before = assistants::delete(&db, caller, id).map_err(errors::assistants)?;
    if before.is_global() {
        let details = json!({ "before": audited(&before) });
        record(
            req,
            &db,
            user.user_id,
            AuditAction::AssistantDeleted,
            id,
            details,
        );
    }
    Ok(no_content())
}
