//! What the routes share: body parsing, the account and token JSON, starting a session, the
//! login throttle.

use hub_api::{AuthTokens, UserView};
use hub_auth::{
    ACCESS_TOKEN_TTL_SECS, AuthError, JwtKeys, REFRESH_TOKEN_TTL_SECS, RefreshToken,
    ThrottlePolicy, UserContext, Verdict,
};
use hub_component::audit::{self, ClientInfo};
use hub_component::auth::{db_error, now};
use hub_db::users::User;
use hub_db::{Db, sessions, throttle};
use hub_http::ApiError;
use serde_json::json;
use uuid::Uuid;

pub use hub_component::{database as open_db, json, no_content, parse_body};

/// A validation error as a 400 naming the field; anything else is ours.
pub fn invalid(err: AuthError) -> ApiError {
    match err {
        AuthError::Invalid { field, reason } => ApiError::invalid_field(field, &reason),
        other => ApiError::internal(other),
    }
}

pub use hub_component::timestamp as time;

/// An account as the API shows it.
pub fn user_view(u: User) -> UserView {
    UserView {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        is_admin: u.is_admin,
        is_active: u.is_active,
        created_at: time(u.created_at),
        last_login_at: u.last_login_at.map(time),
    }
}

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

/// Starts a session (refresh token family) for a user who just proved who they are; the tokens.
pub fn start_session(
    db: &dyn Db,
    keys: &JwtKeys,
    user: User,
    client: &ClientInfo,
) -> Result<AuthTokens, ApiError> {
    let refresh = RefreshToken::generate().map_err(ApiError::internal)?;
    let context = UserContext {
        user_id: user.id,
        is_admin: user.is_admin,
        session_id: Uuid::new_v4(),
    };
    sessions::create(
        db,
        &sessions::NewSession {
            id: context.session_id,
            user_id: user.id,
            token_hash: &refresh.hash(),
            token_ttl_secs: REFRESH_TOKEN_TTL_SECS,
            client_addr: client.addr.as_deref(),
            user_agent: client.user_agent.as_deref(),
        },
    )
    .map_err(db_error)?;
    tokens(keys, &context, &refresh, user)
}

/// 429 when the account (normalised email) or the client address is blocked.
pub fn check_throttle(db: &dyn Db, account: &str, client: &ClientInfo) -> Result<(), ApiError> {
    match throttle::blocked_for(db, account, client.addr.as_deref()).map_err(db_error)? {
        Some(secs) => Err(ApiError::too_many_requests(
            u64::try_from(secs).unwrap_or(1),
        )),
        None => Ok(()),
    }
}

/// Counts a failed attempt against the account and the address, blocks them as the policies
/// say, and audits a lockout. Failures here are logged, never shown.
pub fn record_failure(db: &dyn Db, account: &str, actor: Option<Uuid>, client: &ClientInfo) {
    let mut keys = vec![(throttle::Scope::Account, account, ThrottlePolicy::ACCOUNT)];
    if let Some(addr) = client.addr.as_deref() {
        keys.push((throttle::Scope::Address, addr, ThrottlePolicy::ADDRESS));
    }
    for (scope, key, policy) in keys {
        let failures = match throttle::record_failure(db, scope, key, policy.window_secs) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("throttle: could not count a failure: {e}");
                continue;
            }
        };
        let verdict = policy.after_failures(failures);
        if verdict == Verdict::Allow {
            continue;
        }
        if let Err(e) = throttle::block(db, scope, key, verdict.block_secs()) {
            eprintln!("throttle: could not block: {e}");
        }
        if let Verdict::Lock { secs } = verdict
            && failures == policy.lock_after
        {
            let scope_name = match scope {
                throttle::Scope::Account => "account",
                throttle::Scope::Address => "address",
            };
            audit::record(
                db,
                client,
                actor,
                "auth.lockout",
                Some(key.to_owned()),
                json!({ "scope": scope_name, "failures": failures, "locked_seconds": secs }),
            );
        }
    }
}
