//! `GET /api/auth/me` and `PATCH /api/auth/me`.

use hub_api::UpdateMe;
use hub_auth::{DisplayName, Password, hash_password, verify_password};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::{authenticate_account, found, owner};
use hub_component::{database, errors, json, parse_body};
use hub_db::sessions::{self, RevokeReason};
use hub_db::{transaction, users};
use hub_http::{ApiError, ErrorCode};
use serde_json::json;
use spin_sdk::http::{Request, Response};

use crate::common::{check_throttle, record_failure, user_view};

/// The caller's account.
pub fn get(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let caller = authenticate_account(req, &db)?;
    let user = found(
        users::find_by_id(&db, caller.user_id).map_err(errors::db)?,
        "account",
    )?;
    Ok(json(200, &user_view(user)))
}

/// Changes the fields it names. A new `password` needs `current_password`, and ends every other
/// session of the user.
pub fn patch(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let caller = authenticate_account(req, &db)?;
    let body: UpdateMe = parse_body(req)?;
    let client = audit::client(req);

    let display_name = body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(errors::auth)?;
    let password = match (&body.password, &body.current_password) {
        (Some(new), Some(current)) => Some((Password::parse(new).map_err(errors::auth)?, current)),
        (Some(_), None) => {
            return Err(ApiError::invalid_field(
                "current_password",
                "is required to change the password",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid_field(
                "password",
                "is missing: current_password is only used with a new password",
            ));
        }
        (None, None) => None,
    };

    let user = found(
        users::find_by_id(&db, caller.user_id).map_err(errors::db)?,
        "account",
    )?;
    let new_hash = match &password {
        None => None,
        Some((new, current)) => {
            check_throttle(&db, &user.email, &client)?;
            let stored = found(
                users::find_active_password_hash(&db, caller.user_id).map_err(errors::db)?,
                "account",
            )?;
            if !verify_password(current, &stored).map_err(ApiError::internal)? {
                audit::record(
                    &db,
                    &client,
                    Some(caller.user_id),
                    AuditAction::PasswordChangeFailed,
                    Some(caller.user_id.to_string()),
                    json!({ "reason": "wrong_current_password" }),
                );
                record_failure(&db, &user.email, Some(caller.user_id), &client);
                return Err(ApiError::new(
                    ErrorCode::InvalidCurrentPassword,
                    "the current password is wrong",
                )
                .with_details(json!({ "field": "current_password" })));
            }
            Some(hash_password(new).map_err(ApiError::internal)?)
        }
    };

    let (user, revoked) = transaction(&db, |db| {
        let mut user = user;
        if let Some(name) = &display_name
            && let Some(updated) = users::update_display_name(db, caller.user_id, name.as_str())?
        {
            user = updated;
        }
        let mut revoked = 0;
        if let Some(hash) = &new_hash {
            if users::update_password_hash(db, caller.user_id, hash.as_str())? {
                // The new password is the user's own: a forced change is done.
                user.must_change_password = false;
            }
            revoked = sessions::revoke_others(
                db,
                owner(&caller),
                caller.session_id,
                RevokeReason::PasswordChanged,
            )?;
        }
        Ok((user, revoked))
    })
    .map_err(errors::db)?;

    if new_hash.is_some() {
        audit::record(
            &db,
            &client,
            Some(caller.user_id),
            AuditAction::PasswordChanged,
            Some(caller.user_id.to_string()),
            json!({ "other_sessions_revoked": revoked }),
        );
    }
    Ok(json(200, &user_view(user)))
}
