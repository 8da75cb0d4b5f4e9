//! `GET /api/auth/sessions` and `DELETE /api/auth/sessions/{id}`: the caller's own sessions.

use hub_api::SessionView;
use hub_component::audit::{self, ClientInfo};
use hub_component::auth::{authenticate, db_error, owner};
use hub_db::sessions::{self, RevokeReason};
use hub_http::{ApiError, Page};
use serde_json::json;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::common::{json, no_content, open_db, time};

/// The caller's live sessions, newest first (one page: a user has few).
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let db = open_db()?;
    let caller = authenticate(req, &db)?;
    let items = sessions::list_live(&db, owner(&caller))
        .map_err(db_error)?
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
    let db = open_db()?;
    let caller = authenticate(req, &db)?;
    let not_found = || ApiError::not_found("session not found");
    let id = req
        .path()
        .strip_prefix("/api/auth/sessions/")
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(not_found)?;
    if !sessions::revoke_owned(&db, id, owner(&caller), RevokeReason::RevokedByUser)
        .map_err(db_error)?
    {
        return Err(not_found());
    }
    audit::record(
        &db,
        &ClientInfo::from_request(req),
        Some(caller.user_id),
        "auth.session_revoked",
        Some(id.to_string()),
        json!({}),
    );
    Ok(no_content())
}
