//! `auth_sessions` and `refresh_tokens`: login sessions, each a family of rotating refresh tokens.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, DbError, Owner, Param, Row, transaction};

/// Why a session was revoked (the `revoked_reason` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    /// The user logged out.
    Logout,
    /// A rotated refresh token of the session was presented again.
    ReuseDetected,
    /// The user changed their password (their other sessions end).
    PasswordChanged,
    /// The user ended the session from their session list.
    RevokedByUser,
    /// An administrator ended it (e.g. the command-line tool set a new password).
    Admin,
}

impl RevokeReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::ReuseDetected => "reuse_detected",
            Self::PasswordChanged => "password_changed",
            Self::RevokedByUser => "revoked_by_user",
            Self::Admin => "admin",
        }
    }
}

/// A new session with its first refresh token.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// The session's id (the access tokens' `sid`).
    pub id: Uuid,
    /// Its user.
    pub user_id: Uuid,
    /// SHA-256 of the first refresh token.
    pub token_hash: &'a [u8; 32],
    /// Lifetime of a refresh token, in seconds.
    pub token_ttl_secs: i64,
    /// The client's address, if known.
    pub client_addr: Option<&'a str>,
    /// The client's `User-Agent`, if any.
    pub user_agent: Option<&'a str>,
}

/// Starts a session and stores its first refresh token (one transaction).
pub fn create(db: &dyn Db, session: &NewSession<'_>) -> Result<(), DbError> {
    const SESSION: &str = r#"
INSERT INTO auth_sessions (id, user_id, client_addr, user_agent)
VALUES ($1, $2, $3, $4)"#;
    transaction(db, |db| {
        db.execute(
            SESSION,
            &[
                Param::Uuid(session.id),
                Param::Uuid(session.user_id),
                session.client_addr.into(),
                session.user_agent.into(),
            ],
        )?;
        insert_token(db, session.id, session.token_hash, session.token_ttl_secs)
    })
}

fn insert_token(
    db: &dyn Db,
    session_id: Uuid,
    hash: &[u8; 32],
    ttl_secs: i64,
) -> Result<(), DbError> {
    const SQL: &str = r#"
INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
VALUES ($1, $2, now() + $3::int8 * interval '1 second')"#;
    db.execute(
        SQL,
        &[
            hash.to_vec().into(),
            Param::Uuid(session_id),
            ttl_secs.into(),
        ],
    )
    .map(drop)
}

/// How a refresh went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is now rotated and its successor stored.
    Rotated {
        /// The session.
        session_id: Uuid,
        /// Its user.
        user_id: Uuid,
        /// Whether the user is an admin.
        is_admin: bool,
    },
    /// The token had been rotated already: someone replayed it. The session is now revoked.
    ReuseDetected {
        /// The session (now revoked).
        session_id: Uuid,
        /// Its user.
        user_id: Uuid,
        /// Whether the session was still live before this (false when it had already ended).
        was_live: bool,
    },
    /// Unknown, expired, of a revoked session or of an inactive user.
    Invalid,
}

/// Rotates the refresh token whose hash is `presented` to `successor`, atomically: of two
/// concurrent refreshes with one token, exactly one rotates it; the other finds it rotated and,
/// like any replay of a rotated token, revokes the session (RFC 9700, section 4.14.2).
pub fn rotate(
    db: &dyn Db,
    presented: &[u8; 32],
    successor: &[u8; 32],
    ttl_secs: i64,
) -> Result<Rotation, DbError> {
    const ROTATE: &str = r#"
UPDATE refresh_tokens AS t
SET rotated_at = now()
FROM auth_sessions AS s, app_users AS u
WHERE t.token_hash = $1
  AND t.rotated_at IS NULL
  AND t.expires_at > now()
  AND s.id = t.session_id
  AND s.revoked_at IS NULL
  AND u.id = s.user_id
  AND u.is_active
RETURNING t.session_id, s.user_id, u.is_admin"#;
    const TOUCH: &str = "UPDATE auth_sessions SET last_refreshed_at = now() WHERE id = $1";
    const LOOKUP: &str = r#"
SELECT t.session_id, s.user_id, t.rotated_at IS NOT NULL AS rotated, s.revoked_at IS NULL AS live
FROM refresh_tokens AS t
JOIN auth_sessions AS s ON s.id = t.session_id
WHERE t.token_hash = $1"#;

    let rotated = transaction(db, |db| {
        let rows = db.query(ROTATE, &[presented.to_vec().into()])?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let session_id: Uuid = row.get("session_id")?;
        let user_id: Uuid = row.get("user_id")?;
        let is_admin: bool = row.get("is_admin")?;
        insert_token(db, session_id, successor, ttl_secs)?;
        db.execute(TOUCH, &[Param::Uuid(session_id)])?;
        Ok(Some(Rotation::Rotated {
            session_id,
            user_id,
            is_admin,
        }))
    })?;
    if let Some(rotation) = rotated {
        return Ok(rotation);
    }

    let rows = db.query(LOOKUP, &[presented.to_vec().into()])?;
    let Some(row) = rows.first() else {
        return Ok(Rotation::Invalid);
    };
    if !row.get::<bool>("rotated")? {
        // Expired, or its session ended (logout) or its user is inactive: just refused.
        return Ok(Rotation::Invalid);
    }
    let session_id: Uuid = row.get("session_id")?;
    let user_id: Uuid = row.get("user_id")?;
    let was_live = revoke(db, session_id, RevokeReason::ReuseDetected)?;
    Ok(Rotation::ReuseDetected {
        session_id,
        user_id,
        was_live,
    })
}

/// Revokes a session (if still live); whether it did.
pub fn revoke(db: &dyn Db, session_id: Uuid, reason: RevokeReason) -> Result<bool, DbError> {
    const SQL: &str = r#"
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
WHERE id = $1 AND revoked_at IS NULL"#;
    Ok(db.execute(SQL, &[Param::Uuid(session_id), reason.as_str().into()])? == 1)
}

/// Revokes the session of the refresh token whose hash is `presented` (rotated or not: logout
/// with an older token of the session still ends it); the session and its user, if it was live.
pub fn revoke_by_token(
    db: &dyn Db,
    presented: &[u8; 32],
    reason: RevokeReason,
) -> Result<Option<(Uuid, Uuid)>, DbError> {
    const SQL: &str = r#"
UPDATE auth_sessions AS s SET revoked_at = now(), revoked_reason = $2
FROM refresh_tokens AS t
WHERE t.token_hash = $1 AND s.id = t.session_id AND s.revoked_at IS NULL
RETURNING s.id, s.user_id"#;
    let rows = db.query(SQL, &[presented.to_vec().into(), reason.as_str().into()])?;
    rows.first()
        .map(|r| Ok((r.get("id")?, r.get("user_id")?)))
        .transpose()
}

/// Revokes every live session of `owner` except `keep`; how many.
pub fn revoke_others(
    db: &dyn Db,
    owner: Owner,
    keep: Uuid,
    reason: RevokeReason,
) -> Result<u64, DbError> {
    const SQL: &str = r#"
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $3
WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL"#;
    db.execute(
        SQL,
        &[owner.into(), Param::Uuid(keep), reason.as_str().into()],
    )
}

/// Revokes every live session of the user `user_id` (an administrative act, not on the user's
/// behalf: see [`revoke_others`] for that); how many.
pub fn revoke_all(db: &dyn Db, user_id: Uuid, reason: RevokeReason) -> Result<u64, DbError> {
    const SQL: &str = r#"
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
WHERE user_id = $1 AND revoked_at IS NULL"#;
    db.execute(SQL, &[Param::Uuid(user_id), reason.as_str().into()])
}

/// Revokes one live session of `owner`; false when there is none with this id (or it is
/// another user's, or already ended).
pub fn revoke_owned(
    db: &dyn Db,
    session_id: Uuid,
    owner: Owner,
    reason: RevokeReason,
) -> Result<bool, DbError> {
    const SQL: &str = r#"
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $3
WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"#;
    Ok(db.execute(
        SQL,
        &[
            Param::Uuid(session_id),
            owner.into(),
            reason.as_str().into(),
        ],
    )? == 1)
}

/// A live session as its user sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Its id.
    pub id: Uuid,
    /// When it started (the login).
    pub created_at: DateTime<Utc>,
    /// The last refresh.
    pub last_refreshed_at: Option<DateTime<Utc>>,
    /// The client address at login.
    pub client_addr: Option<String>,
    /// The `User-Agent` at login.
    pub user_agent: Option<String>,
}

impl Session {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            created_at: row.get("created_at")?,
            last_refreshed_at: row.get("last_refreshed_at")?,
            client_addr: row.get("client_addr")?,
            user_agent: row.get("user_agent")?,
        })
    }
}

/// The live sessions of `owner` (with a refresh token not yet expired), newest first.
pub fn list_live(db: &dyn Db, owner: Owner) -> Result<Vec<Session>, DbError> {
    const SQL: &str = r#"
SELECT s.id,
       s.created_at AT TIME ZONE 'UTC' AS created_at,
       s.last_refreshed_at AT TIME ZONE 'UTC' AS last_refreshed_at,
       s.client_addr, s.user_agent
FROM auth_sessions AS s
WHERE s.user_id = $1
  AND s.revoked_at IS NULL
  AND EXISTS (
      SELECT 1 FROM refresh_tokens AS t
      WHERE t.session_id = s.id AND t.rotated_at IS NULL AND t.expires_at > now()
  )
ORDER BY s.created_at DESC, s.id
LIMIT 200"#;
    let rows = db.query(SQL, &[owner.into()])?;
    rows.iter().map(Session::from_row).collect()
}

/// What the per-request check knows of a live user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveUser {
    /// Admin flag.
    pub is_admin: bool,
    /// The password must be changed before anything else.
    pub must_change_password: bool,
}

/// The state of `user_id` if the user is active and `session_id` is one of their live
/// sessions: the per-request check behind every access token.
pub fn active_user(
    db: &dyn Db,
    user_id: Uuid,
    session_id: Uuid,
) -> Result<Option<ActiveUser>, DbError> {
    const SQL: &str = r#"
SELECT u.is_admin, u.must_change_password
FROM app_users AS u
JOIN auth_sessions AS s ON s.user_id = u.id
WHERE u.id = $1 AND s.id = $2 AND u.is_active AND s.revoked_at IS NULL"#;
    let rows = db.query(SQL, &[Param::Uuid(user_id), Param::Uuid(session_id)])?;
    rows.first()
        .map(|r| {
            Ok(ActiveUser {
                is_admin: r.get("is_admin")?,
                must_change_password: r.get("must_change_password")?,
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    fn rows(columns: &[&str], values: Vec<Value>) -> Rows {
        Rows::new(
            columns.iter().map(|c| (*c).to_owned()).collect(),
            vec![values],
        )
    }

    #[test]
    fn rotation_of_a_live_token_stores_the_successor_in_one_transaction() {
        let db = FakeDb::new();
        let (session, user) = (Uuid::new_v4(), Uuid::new_v4());
        db.push_rows(rows(
            &["session_id", "user_id", "is_admin"],
            vec![
                Value::Uuid(session.to_string()),
                Value::Uuid(user.to_string()),
                Value::Bool(false),
            ],
        ));
        let outcome = rotate(&db, &[1; 32], &[2; 32], 60).unwrap();
        assert_eq!(
            outcome,
            Rotation::Rotated {
                session_id: session,
                user_id: user,
                is_admin: false
            }
        );
        let statements = db.statements();
        assert_eq!(statements.first().map(String::as_str), Some("BEGIN"));
        assert_eq!(statements.last().map(String::as_str), Some("COMMIT"));
        assert!(statements[1].contains("t.rotated_at IS NULL"));
        assert!(statements[2].contains("INSERT INTO refresh_tokens"));
        assert_eq!(db.calls()[2].1[0], Param::Bytes(vec![2; 32]));
    }

    #[test]
    fn replaying_a_rotated_token_revokes_the_session() {
        let db = FakeDb::new();
        let (session, user) = (Uuid::new_v4(), Uuid::new_v4());
        db.push_rows(Rows::default()); // the UPDATE finds nothing live
        db.push_rows(rows(
            &["session_id", "user_id", "rotated", "live"],
            vec![
                Value::Uuid(session.to_string()),
                Value::Uuid(user.to_string()),
                Value::Bool(true),
                Value::Bool(true),
            ],
        ));
        let outcome = rotate(&db, &[1; 32], &[2; 32], 60).unwrap();
        assert_eq!(
            outcome,
            Rotation::ReuseDetected {
                session_id: session,
                user_id: user,
                was_live: true
            }
        );
        let (sql, params) = db.calls().last().cloned().unwrap();
        assert!(sql.contains("UPDATE auth_sessions SET revoked_at"), "{sql}");
        assert_eq!(params[1], Param::Text("reuse_detected".into()));
    }

    #[test]
    fn unknown_or_expired_tokens_are_just_invalid() {
        let db = FakeDb::new();
        assert_eq!(
            rotate(&db, &[1; 32], &[2; 32], 60).unwrap(),
            Rotation::Invalid
        );

        let db = FakeDb::new();
        db.push_rows(Rows::default());
        db.push_rows(rows(
            &["session_id", "user_id", "rotated", "live"],
            vec![
                Value::Uuid(Uuid::new_v4().to_string()),
                Value::Uuid(Uuid::new_v4().to_string()),
                Value::Bool(false),
                Value::Bool(true),
            ],
        ));
        assert_eq!(
            rotate(&db, &[1; 32], &[2; 32], 60).unwrap(),
            Rotation::Invalid
        );
        assert!(
            !db.statements()
                .iter()
                .any(|s| s.contains("revoked_at = now()"))
        );
    }

    #[test]
    fn revoke_all_ends_every_live_session_of_the_user() {
        let db = FakeDb::new();
        let user = Uuid::new_v4();
        assert_eq!(revoke_all(&db, user, RevokeReason::Admin).unwrap(), 1);
        let (sql, params) = &db.calls()[0];
        assert!(
            sql.contains("WHERE user_id = $1 AND revoked_at IS NULL"),
            "{sql}"
        );
        assert!(!sql.contains("id <>"), "{sql}");
        assert_eq!(params[..], [Param::Uuid(user), Param::Text("admin".into())]);
    }

    #[test]
    fn ownership_is_part_of_the_query() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let id = Uuid::new_v4();
        revoke_owned(&db, id, owner, RevokeReason::RevokedByUser).unwrap();
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("WHERE id = $1 AND user_id = $2"), "{sql}");
        assert_eq!(params[..2], [Param::Uuid(id), Param::Uuid(owner.user_id())]);
    }
}
