//! `/api/knowledge/collections...`.

use hub_api::{
    CreateKnowledgeCollection, KnowledgeCollectionView, Page, UpdateKnowledgeCollection,
};
use hub_component::audit::{AuditAction, record_change as record};
use hub_component::{errors, json, no_content, parse_body, timestamp};
use hub_db::knowledge::Collection;
use hub_http::ApiError;
use hub_knowledge_base::{Caller, collections, scope_of};
use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::{caller, param};

/// A collection as `caller` sees it.
fn view(c: Collection, caller: Caller) -> KnowledgeCollectionView {
    KnowledgeCollectionView {
        id: c.id,
        scope: scope_of(c.owner_id),
        editable: caller.may_edit(c.owner_id),
        name: c.name,
        description: c.description,
        created_at: timestamp(c.created_at),
        updated_at: timestamp(c.updated_at),
    }
}

/// What the audit log keeps of a global collection.
fn audited(c: &Collection) -> Value {
    json!({ "name": c.name, "description": c.description })
}

/// `GET /api/knowledge/collections`.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let (q, scope, limit, cursor) = (
        param(req, "q"),
        param(req, "scope"),
        param(req, "limit"),
        param(req, "cursor"),
    );
    let query = collections::parse_list(&collections::ListParams {
        q: q.as_deref(),
        scope: scope.as_deref(),
        limit: limit.as_deref(),
        cursor: cursor.as_deref(),
    })
    .map_err(errors::knowledge)?;
    let (items, next_cursor) = collections::list(&db, caller, &query).map_err(errors::knowledge)?;
    Ok(json(
        200,
        &Page {
            items: items.into_iter().map(|c| view(c, caller)).collect(),
            next_cursor,
        },
    ))
}

/// `POST /api/knowledge/collections` (201).
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let (db, actor, caller) = caller(req)?;
    let body: CreateKnowledgeCollection = parse_body(req)?;
    let created = collections::create(
        &db,
        caller,
        &body.name,
        body.description.as_deref(),
        body.scope,
    )
    .map_err(errors::knowledge)?;
    if created.is_global() {
        let details = json!({ "after": audited(&created) });
        let action = AuditAction::KnowledgeCollectionCreated;
        record(req, &db, actor, action, created.id, details);
    }
    Ok(json(201, &view(created, caller)))
}

/// `GET /api/knowledge/collections/{id}`.
pub fn get(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let found = collections::get(&db, caller, id).map_err(errors::knowledge)?;
    Ok(json(200, &view(found, caller)))
}

/// `PATCH /api/knowledge/collections/{id}`.
pub fn update(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, actor, caller) = caller(req)?;
    let body: UpdateKnowledgeCollection = parse_body(req)?;
    let (before, after) = collections::update(
        &db,
        caller,
        id,
        body.name.as_deref(),
        body.description.as_deref(),
    )
    .map_err(errors::knowledge)?;
    if after.is_global() {
        let details = json!({ "before": audited(&before), "after": audited(&after) });
        let action = AuditAction::KnowledgeCollectionUpdated;
        record(req, &db, actor, action, id, details);
    }
    Ok(json(200, &view(after, caller)))
}

/// `DELETE /api/knowledge/collections/{id}` (204): its files and their chunks go too.
pub fn delete(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, actor, caller) = caller(req)?;
    let before = collections::delete(&db, caller, id).map_err(errors::knowledge)?;
    if before.is_global() {
        let details = json!({ "before": audited(&before) });
        let action = AuditAction::KnowledgeCollectionDeleted;
        record(req, &db, actor, action, id, details);
    }
    Ok(no_content())
}
