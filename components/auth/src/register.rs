//! `POST /api/auth/register`.
//!
//! Without a bearer token: self-registration, when the `registration` variable is `open`; the
//! new user is logged in (201 with tokens). With a bearer token: an admin creates an account
//! (201 with the account only), whatever the policy; only an admin may set `is_admin`.

use hub_api::{CreatedUser, RegisterUser};
use hub_auth::{DisplayName, Email, Password, hash_password};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::{authenticate, header, jwt_keys, require_admin};
use hub_component::{database, errors, json, log, parse_body};
use hub_db::users;
use hub_http::{ApiError, ErrorCode};
use serde_json::json;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::bootstrap;
use crate::common::{start_session, user_view};

/// Whether anyone may register (`registration = "open"`); anything else, including a typo,
/// means closed.
fn registration_open() -> bool {
    match spin_sdk::variables::get("registration") {
        Ok(v) if v.trim().eq_ignore_ascii_case("open") => true,
        Ok(v) if v.trim().eq_ignore_ascii_case("closed") => false,
        Ok(v) => {
            log::warn(
                "register",
                format_args!(
                    "variable registration = {v:?} is neither open nor closed; treating it as closed"
                ),
            );
            false
        }
        Err(e) => {
            log::warn(
                "register",
                format_args!("variable registration unavailable ({e:?}); treating it as closed"),
            );
            false
        }
    }
}

pub fn handle(req: &Request) -> Result<Response, ApiError> {
    let body: RegisterUser = parse_body(req)?;
    let client = audit::client(req);
    let db = database()?;
    bootstrap::ensure_first_admin(&db, &client);

    let admin = if header(req, "authorization").is_some() {
        let caller = authenticate(req, &db)?;
        require_admin(&caller)?;
        Some(caller)
    } else {
        if !registration_open() {
            return Err(ApiError::new(
                ErrorCode::RegistrationClosed,
                "registration is closed; ask an administrator for an account",
            ));
        }
        if body.is_admin.is_some() {
            return Err(ApiError::forbidden(
                "only an administrator may set is_admin",
            ));
        }
        None
    };

    let email = Email::parse(&body.email).map_err(errors::auth)?;
    let password = Password::parse(&body.password).map_err(errors::auth)?;
    let display_name = match &body.display_name {
        Some(name) => DisplayName::parse(name).map_err(errors::auth)?,
        None => DisplayName::from_email(&email),
    };
    let hash = hash_password(&password).map_err(ApiError::internal)?;
    let new = users::NewUser {
        id: Uuid::new_v4(),
        email: email.as_str(),
        display_name: display_name.as_str(),
        password_hash: hash.as_str(),
        is_admin: body.is_admin.unwrap_or(false),
    };
    let Some(user) = users::insert(&db, &new).map_err(errors::db)? else {
        return Err(ApiError::new(
            ErrorCode::EmailTaken,
            "an account with this email exists already",
        )
        .with_details(json!({ "field": "email" })));
    };
    audit::record(
        &db,
        &client,
        Some(admin.map_or(user.id, |a| a.user_id)),
        AuditAction::Register,
        Some(user.id.to_string()),
        json!({ "email": user.email, "by_admin": admin.is_some(), "is_admin": user.is_admin }),
    );

    if admin.is_some() {
        return Ok(json(
            201,
            &CreatedUser {
                user: user_view(user),
            },
        ));
    }
    let keys = jwt_keys()?;
    let tokens = start_session(&db, &keys, user, &client)?;
    Ok(json(201, &tokens))
}
