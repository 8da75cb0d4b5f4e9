//! Accounts and sessions (`/api/auth/...`).

use serde::{Deserialize, Serialize};

use crate::non_null;
use uuid::Uuid;

/// An account as the API shows it (`GET /api/auth/me`, and inside [`AuthTokens`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserView {
    /// Its id.
    pub id: Uuid,
    /// The email address (normalised to lower case).
    pub email: String,
    /// The name shown to people.
    pub display_name: String,
    /// Whether the user is an administrator.
    pub is_admin: bool,
    /// Whether the account may log in.
    pub is_active: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// The last successful login (RFC 3339, UTC); `null` before the first.
    pub last_login_at: Option<String>,
    /// The password was set by an administrator (or the first run) and must be changed: until
    /// it is, every route but the own account, its sessions and logout answers 403
    /// `password_change_required`.
    pub must_change_password: bool,
}

/// The answer of login, refresh and self-registration: a new access token and refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuthTokens {
    /// The access token (a JWT): `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_in: i64,
    /// The refresh token: spent by `POST /api/auth/refresh`, which answers a new one.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub refresh_expires_in: i64,
    /// The account.
    pub user: UserView,
}

/// The answer when an administrator creates an account (`POST /api/auth/register` with a
/// bearer token): the account only, nobody is logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreatedUser {
    /// The new account.
    pub user: UserView,
}

/// `POST /api/auth/register`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RegisterUser {
    /// The email address.
    pub email: String,
    /// The password (8 to 128 characters).
    pub password: String,
    /// The name shown to people; left out, the email's local part.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub display_name: Option<String>,
    /// Make the account an administrator (only an administrator may set it).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub is_admin: Option<bool>,
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The email address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// `POST /api/auth/refresh` and `POST /api/auth/logout`: a refresh token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenBody {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// `PATCH /api/auth/me`: changes the fields it names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// The new display name.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub display_name: Option<String>,
    /// A new password (needs `current_password`; ends every other session).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub password: Option<String>,
    /// The current password, to change the password.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub current_password: Option<String>,
}

/// One of the caller's live sessions (`GET /api/auth/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionView {
    /// Its id.
    pub id: Uuid,
    /// When it started (RFC 3339, UTC).
    pub created_at: String,
    /// Its last refresh (RFC 3339, UTC).
    pub last_refreshed_at: Option<String>,
    /// The client address it started from.
    pub client_addr: Option<String>,
    /// The user agent it started with.
    pub user_agent: Option<String>,
    /// Whether it is the session of the request.
    pub current: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_reject_unknown_fields_and_allow_optional_ones() {
        let body: RegisterUser =
            serde_json::from_str(r#"{"email":"a@example.com","password":"secret123"}"#).unwrap();
        assert_eq!(body.display_name, None);
        assert!(
            serde_json::from_str::<Login>(r#"{"email":"a","password":"b","remember":true}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<RefreshTokenBody>("{}").is_err());
    }

    #[test]
    fn optional_fields_are_left_out_never_null() {
        for body in [
            r#"{"email":"a@example.com","password":"secret123","display_name":null}"#,
            r#"{"email":"a@example.com","password":"secret123","is_admin":null}"#,
        ] {
            assert!(
                serde_json::from_str::<RegisterUser>(body).is_err(),
                "{body}"
            );
        }
        for body in [
            r#"{"display_name":null}"#,
            r#"{"password":null,"current_password":"x"}"#,
            r#"{"current_password":null}"#,
        ] {
            assert!(serde_json::from_str::<UpdateMe>(body).is_err(), "{body}");
        }
        assert_eq!(
            serde_json::from_str::<UpdateMe>("{}").unwrap(),
            UpdateMe::default()
        );
    }
}
