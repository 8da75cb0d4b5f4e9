//! The one authentication mechanism of every component: bearer token → verified
//! [`UserContext`], with the user's state re-checked in the database on every request.
//!
//! ```ignore
//! let db = hub_component::database()?;
//! let user = hub_component::auth::authenticate(&req, &db)?;      // 401 unless valid and live
//! hub_component::auth::require_admin(&user)?;                    // 403 unless admin
//! let chat = hub_component::auth::found(chats::get(&db, id, owner(&user))?, "chat")?; // 404
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use hub_auth::JwtKeys;
use hub_db::{Db, Owner, sessions};
use hub_http::ApiError;
use spin_sdk::http::Request;

use crate::errors;

pub use hub_auth::UserContext;

/// The variable holding the HS256 secret (a Spin secret; at least 32 bytes).
pub const JWT_SECRET_VARIABLE: &str = "jwt_secret";

/// Seconds since the epoch, from the host's clock.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The JWT keys from the component variable `jwt_secret`. A missing or too short secret is a
/// deployment error: logged, and a 500 for the client.
pub fn jwt_keys() -> Result<JwtKeys, ApiError> {
    let secret = spin_sdk::variables::get(JWT_SECRET_VARIABLE).map_err(|e| {
        ApiError::internal(format!(
            "variable {JWT_SECRET_VARIABLE} is not available to this component: {e:?}"
        ))
    })?;
    JwtKeys::from_secret(secret.as_bytes())
        .map_err(|e| ApiError::internal(format!("variable {JWT_SECRET_VARIABLE}: {e}")))
}

/// The value of a request header, if it is present and text.
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.header(name).and_then(|v| v.as_str())
}

/// Verifies the request's bearer token (signature, algorithm, issuer, audience, type, expiry)
/// and then, in the database, that its user is still active and its session still live — so
/// that deactivating a user, logging out or changing the password takes effect on the very
/// next request. 401 otherwise; 403 `password_change_required` while the user must change a
/// password an administrator set (see [`authenticate_account`]).
pub fn authenticate(req: &Request, db: &dyn Db) -> Result<UserContext, ApiError> {
    let (user, must_change_password) = verify(req, db)?;
    if must_change_password {
        return Err(errors::password_change_required());
    }
    Ok(user)
}

/// [`authenticate`] for the routes of the own account (`/api/auth/me`, its sessions): the ones
/// a user who must change their password may still use, to change it.
pub fn authenticate_account(req: &Request, db: &dyn Db) -> Result<UserContext, ApiError> {
    verify(req, db).map(|(user, _)| user)
}

fn verify(req: &Request, db: &dyn Db) -> Result<(UserContext, bool), ApiError> {
    let token = hub_auth::bearer_token(header(req, "authorization"))
        .map_err(|e| errors::unauthenticated(&e))?;
    let claims = jwt_keys()?
        .verify(token, now())
        .map_err(|e| errors::unauthenticated(&e))?;
    match sessions::active_user(db, claims.sub, claims.sid).map_err(errors::db)? {
        Some(state) => Ok((
            UserContext {
                user_id: claims.sub,
                is_admin: state.is_admin,
                session_id: claims.sid,
            },
            state.must_change_password,
        )),
        None => Err(errors::session_ended()),
    }
}

/// 403 unless the user is an admin (as the database said on this request).
pub fn require_admin(user: &UserContext) -> Result<(), ApiError> {
    if user.is_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("this needs an administrator"))
    }
}

/// The database and the calling admin, for admin-only routes: 401 unless authenticated, 403
/// unless an admin.
pub fn admin(req: &Request) -> Result<(crate::PgDb, UserContext), ApiError> {
    let db = crate::database()?;
    let user = authenticate(req, &db)?;
    require_admin(&user)?;
    Ok((db, user))
}

/// The [`Owner`] to pass to queries of the user's own rows.
pub fn owner(user: &UserContext) -> Owner {
    Owner::new(user.user_id)
}

/// The row a query restricted to its owner found, or 404: another user's resource is "not
/// found", never "forbidden", so that its existence does not leak.
pub fn found<T>(row: Option<T>, what: &str) -> Result<T, ApiError> {
    row.ok_or_else(|| ApiError::not_found(format!("{what} not found")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_and_ownership_helpers() {
        let user = UserContext {
            user_id: uuid::Uuid::new_v4(),
            is_admin: false,
            session_id: uuid::Uuid::new_v4(),
        };
        assert_eq!(require_admin(&user).unwrap_err().status(), 403);
        assert!(
            require_admin(&UserContext {
                is_admin: true,
                ..user
            })
            .is_ok()
        );
        assert_eq!(owner(&user).user_id(), user.user_id);
        assert_eq!(found(None::<u8>, "chat").unwrap_err().status(), 404);
        assert_eq!(found(Some(1), "chat").unwrap(), 1);
    }
}
