//! `POST /api/auth/refresh` and `POST /api/auth/logout`.

use hub_api::RefreshTokenBody;
use hub_auth::{REFRESH_TOKEN_TTL_SECS, RefreshToken, UserContext, hash_refresh_token};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::jwt_keys;
use hub_component::{database, errors, json, no_content, parse_body};
use hub_db::sessions::{self, RevokeReason, Rotation};
use hub_db::users;
use hub_http::{ApiError, ErrorCode};
use serde_json::json;
use spin_sdk::http::{Request, Response};

use crate::common::tokens;

fn invalid_refresh_token() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRefreshToken,
        "the refresh token is not valid; log in again",
    )
}

/// Rotates the refresh token: the presented one is spent, a new one comes back with a new
/// access token. Presenting a spent token again ends its whole session.
pub fn refresh(req: &Request) -> Result<Response, ApiError> {
    let body: RefreshTokenBody = parse_body(req)?;
    let client = audit::client(req);
    let db = database()?;
    let successor = RefreshToken::generate().map_err(ApiError::internal)?;
    let presented = hash_refresh_token(&body.refresh_token);
    match sessions::rotate(&db, &presented, &successor.hash(), REFRESH_TOKEN_TTL_SECS)
        .map_err(errors::db)?
    {
        Rotation::Rotated {
            session_id,
            user_id,
            is_admin,
        } => {
            let user = users::find_by_id(&db, user_id)
                .map_err(errors::db)?
                .ok_or_else(invalid_refresh_token)?;
            let context = UserContext {
                user_id,
                is_admin,
                session_id,
            };
            let keys = jwt_keys()?;
            Ok(json(200, &tokens(&keys, &context, &successor, user)?))
        }
        Rotation::ReuseDetected {
            session_id,
            user_id,
            was_live,
        } => {
            audit::record(
                &db,
                &client,
                Some(user_id),
                AuditAction::RefreshReuseDetected,
                Some(session_id.to_string()),
                json!({ "session_revoked": was_live }),
            );
            Err(invalid_refresh_token())
        }
        Rotation::Invalid => Err(invalid_refresh_token()),
    }
}

/// Ends the session of the refresh token (any token of the session, spent or not). Always 204:
/// an unknown token reveals nothing.
pub fn logout(req: &Request) -> Result<Response, ApiError> {
    let body: RefreshTokenBody = parse_body(req)?;
    let client = audit::client(req);
    let db = database()?;
    let presented = hash_refresh_token(&body.refresh_token);
    if let Some((session_id, user_id)) =
        sessions::revoke_by_token(&db, &presented, RevokeReason::Logout).map_err(errors::db)?
    {
        audit::record(
            &db,
            &client,
            Some(user_id),
            AuditAction::Logout,
            Some(session_id.to_string()),
            json!({}),
        );
    }
    Ok(no_content())
}
