//! `POST /api/auth/login`.
//!
//! One answer for every failure (401 `invalid_credentials`): an unknown email, a wrong password
//! and a disabled account look alike, and take alike (an unknown email is checked against a
//! dummy hash). Failures count per account and per client address; a blocked key is a 429 with
//! `Retry-After`, whatever the password.

use hub_api::Login;
use hub_auth::{Email, verify_dummy, verify_password};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::jwt_keys;
use hub_component::{database, errors, json, log, parse_body};
use hub_db::{throttle, users};
use hub_http::{ApiError, ErrorCode};
use serde_json::json;
use spin_sdk::http::{Request, Response};

use crate::bootstrap;
use crate::common::{check_throttle, record_failure, start_session};

fn invalid_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCredentials,
        "the email or the password is wrong",
    )
}

pub fn handle(req: &Request) -> Result<Response, ApiError> {
    let body: Login = parse_body(req)?;
    let email = Email::parse(&body.email).map_err(errors::auth)?;
    let client = audit::client(req);
    let db = database()?;
    check_throttle(&db, email.as_str(), &client)?;
    bootstrap::ensure_first_admin(&db, &client);

    let account = users::find_credentials_by_email(&db, email.as_str()).map_err(errors::db)?;
    let (verified, reason) = match &account {
        None => {
            verify_dummy(&body.password);
            (false, "unknown_email")
        }
        Some(account) => {
            let ok = verify_password(&body.password, &account.password_hash)
                .map_err(ApiError::internal)?;
            match (ok, account.is_active) {
                (false, _) => (false, "wrong_password"),
                (true, false) => (false, "account_disabled"),
                (true, true) => (true, ""),
            }
        }
    };
    let actor = account.as_ref().map(|a| a.id);
    let account = match account {
        Some(account) if verified => account,
        _ => {
            audit::record(
                &db,
                &client,
                actor,
                AuditAction::LoginFailed,
                Some(email.to_string()),
                json!({ "reason": reason }),
            );
            // A disabled account with the right password is not an attack on it.
            if reason != "account_disabled" {
                record_failure(&db, email.as_str(), actor, &client);
            }
            return Err(invalid_credentials());
        }
    };

    if let Err(e) = throttle::clear(&db, throttle::Scope::Account, email.as_str()) {
        log::warn("login", format_args!("could not clear the throttle: {e}"));
    }
    users::record_login(&db, account.id).map_err(errors::db)?;
    let user = users::find_by_id(&db, account.id)
        .map_err(errors::db)?
        .ok_or_else(invalid_credentials)?;
    let keys = jwt_keys()?;
    let tokens = start_session(&db, &keys, user, &client)?;
    audit::record(
        &db,
        &client,
        Some(account.id),
        AuditAction::Login,
        Some(account.id.to_string()),
        json!({}),
    );
    Ok(json(200, &tokens))
}
