//! `GET /api/auth/sessions` and `DELETE /api/auth/sessions/{id}`: the caller's own sessions.

use hub_api::Page;
use hub_api::SessionView;
use hub_component::audit::{self, AuditAction};
use hub_component::auth::{authenticate_account, owner};
use hub_component::{database, errors, json, no_content};
use hub_db::sessions::{self, RevokeReason};
use hub_http::ApiError;
use serde_json::json;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::common::time;

/// The caller's live sessions, newest first (one page: a user has few).
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let caller = authenticate_account(req, &db)?;
    let items = sessions::list_live(&db, owner(&caller))
        .map_err(errors::db)?
        .into_iter()
        .map(|s| SessionView {
            current: s.id == caller.session_id,
            id: s.id,
            created_at: time(s.created_at),
            last_refreshed_at: s.last_refreshed_at.map(time),
            client_addr: s.client_addr,
            user_agent: s.user_agent,
        })
        .collect();
    Ok(json(
        200,
        &Page {
            items,
            next_cursor: None,
        },
    ))
}

/// Ends one of the caller's sessions; another user's session is "not found".
pub fn revoke(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let caller = authenticate_account(req, &db)?;
    let not_found = || ApiError::not_found("session not found");
    let id = req
        .path()
        .strip_prefix("/api/auth/sessions/")
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(not_found)?;
    if !sessions::revoke_owned(&db, id, owner(&caller), RevokeReason::RevokedByUser)
        .map_err(errors::db)?
    {
        return Err(not_found());
    }
    audit::record(
        &db,
        &audit::client(req),
        Some(caller.user_id),
        AuditAction::SessionRevoked,
        Some(id.to_string()),
        json!({}),
    );
    Ok(no_content())
}
