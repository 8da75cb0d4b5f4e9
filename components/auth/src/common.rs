//! What the routes share: the account and token JSON, and the login use cases of `hub-auth`
//! (starting a session, the throttle) with their errors, audit rows and logs.

use hub_api::AuthTokens;
use hub_auth::{ACCESS_TOKEN_TTL_SECS, JwtKeys, REFRESH_TOKEN_TTL_SECS, RefreshToken, UserContext};
use hub_component::audit::{self, AuditAction, ClientInfo};
use hub_component::auth::now;
use hub_component::{errors, log};
use hub_db::Db;
use hub_db::users::User;
use hub_http::ApiError;
use serde_json::json;
use uuid::Uuid;

pub use hub_component::timestamp as time;
pub use hub_component::user_view;

/// Issues an access token for `user` and builds the answer with `refresh`.
pub fn tokens(
    keys: &JwtKeys,
    context: &UserContext,
    refresh: &RefreshToken,
    user: User,
) -> Result<AuthTokens, ApiError> {
    let access = keys.issue(context, now()).map_err(ApiError::internal)?;
    Ok(AuthTokens {
        access_token: access.token,
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TOKEN_TTL_SECS,
        refresh_token: refresh.expose().to_owned(),
        refresh_expires_in: REFRESH_TOKEN_TTL_SECS,
        user: user_view(user),
    })
}

/// Starts a session for a user who just proved who they are; the tokens.
pub fn start_session(
    db: &dyn Db,
    keys: &JwtKeys,
    user: User,
    client: &ClientInfo,
) -> Result<AuthTokens, ApiError> {
    let (context, refresh) = hub_auth::start_session(db, &user, client).map_err(errors::auth)?;
    tokens(keys, &context, &refresh, user)
}

/// 429 when the account (normalised email) or the client address is blocked.
pub fn check_throttle(db: &dyn Db, account: &str, client: &ClientInfo) -> Result<(), ApiError> {
    hub_auth::check_throttle(db, account, client).map_err(errors::auth)
}

/// Counts a failed attempt against the account and the address (`hub_auth::record_failure`),
/// audits a lockout and logs what failed on the way; never fails the request.
pub fn record_failure(db: &dyn Db, account: &str, actor: Option<Uuid>, client: &ClientInfo) {
    let count = hub_auth::record_failure(db, account, client);
    for problem in &count.problems {
        log::warn("throttle", problem);
    }
    for lockout in count.lockouts {
        audit::record(
            db,
            client,
            actor,
            AuditAction::Lockout,
            Some(lockout.key),
            json!({
                "scope": lockout.scope.as_str(),
                "failures": lockout.failures,
                "locked_seconds": lockout.secs,
            }),
        );
    }
}
