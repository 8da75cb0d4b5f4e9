//! `/api/templates...`.

use hub_api::{
    CreateTemplate, Page, RenderTemplate, RenderedTemplate, TemplateVariable, TemplateView,
    UpdateTemplate,
};
use hub_assistants::templates::{self, Change, Draft};
use hub_assistants::{Caller, scope_of};
use hub_component::audit::{AuditAction, record_change as record};
use hub_component::{errors, json, no_content, parse_body, timestamp};
use hub_db::prompt_templates::PromptTemplate;
use hub_http::ApiError;
use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::{caller, list_query};

/// A template as `caller` sees it.
fn view(t: PromptTemplate, caller: Caller) -> TemplateView {
    let variables = templates::variables(&t)
        .into_iter()
        .map(|(name, description)| TemplateVariable { name, description })
        .collect();
    TemplateView {
        id: t.id,
        scope: scope_of(t.owner_id),
        editable: caller.may_edit(t.owner_id),
        title: t.title,
        body: t.body,
        variables,
        created_at: timestamp(t.created_at),
        updated_at: timestamp(t.updated_at),
    }
}

/// What the audit log keeps of a global template.
fn audited(t: &PromptTemplate) -> Value {
    json!({ "title": t.title, "body": t.body, "descriptions": t.descriptions })
}

/// `GET /api/templates`.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let query = list_query(req)?;
    let (items, next_cursor) = templates::list(&db, caller, &query).map_err(errors::assistants)?;
    Ok(json(
        200,
        &Page {
            items: items.into_iter().map(|t| view(t, caller)).collect(),
            next_cursor,
        },
    ))
}

/// `POST /api/templates` (201).
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let (db, user, caller) = caller(req)?;
    let body: CreateTemplate = parse_body(req)?;
    let created = templates::create(
        &db,
        caller,
        &Draft {
            title: &body.title,
            body: &body.body,
            descriptions: body.descriptions.as_ref(),
            scope: body.scope,
        },
    )
    .map_err(errors::assistants)?;
    if created.is_global() {
        let details = json!({ "after": audited(&created) });
        record(
            req,
            &db,
            user.user_id,
            AuditAction::TemplateCreated,
            created.id,
            details,
        );
    }
    Ok(json(201, &view(created, caller)))
}

/// `GET /api/templates/{id}`.
pub fn get(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let found = templates::get(&db, caller, id).map_err(errors::assistants)?;
    Ok(json(200, &view(found, caller)))
}

/// `PATCH /api/templates/{id}`.
pub fn update(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, user, caller) = caller(req)?;
    let body: UpdateTemplate = parse_body(req)?;
    let (before, after) = templates::update(
        &db,
        caller,
        id,
        &Change {
            title: body.title.as_deref(),
            body: body.body.as_deref(),
            descriptions: body.descriptions.as_ref(),
        },
    )
    .map_err(errors::assistants)?;
    if after.is_global() {
        let details = json!({ "before": audited(&before), "after": audited(&after) });
        record(
            req,
            &db,
            user.user_id,
            AuditAction::TemplateUpdated,
            id,
            details,
        );
    }
    Ok(json(200, &view(after, caller)))
}

/// `DELETE /api/templates/{id}` (204).
pub fn delete(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, user, caller) = caller(req)?;
    let before = templates::delete(&db, caller, id).map_err(errors::assistants)?;
    if before.is_global() {
        let details = json!({ "before": audited(&before) });
        record(
            req,
            &db,
            user.user_id,
            AuditAction::TemplateDeleted,
            id,
            details,
        );
    }
    Ok(no_content())
}

/// `POST /api/templates/{id}/render`: the body with every variable filled.
pub fn render(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let body: RenderTemplate = parse_body(req)?;
    let text = templates::render(&db, caller, id, &body.values).map_err(errors::assistants)?;
    Ok(json(200, &RenderedTemplate { text }))
}
