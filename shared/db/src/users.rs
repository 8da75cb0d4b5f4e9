//! `app_users`: accounts.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, DbError, Param, Row};

/// An account as the API shows it (no password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Its id.
    pub id: Uuid,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Admin flag.
    pub is_admin: bool,
    /// Active flag: an inactive user cannot log in or use any token.
    pub is_active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl User {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            email: row.get("email")?,
            display_name: row.get("display_name")?,
            is_admin: row.get("is_admin")?,
            is_active: row.get("is_active")?,
            created_at: row.get("created_at")?,
            last_login_at: row.get("last_login_at")?,
        })
    }
}

/// The columns of [`User`], timestamps as UTC `timestamp` (Spin cannot read `timestamptz`).
const USER_COLUMNS: &str = r#"id, email, display_name, is_admin, is_active,
    created_at AT TIME ZONE 'UTC' AS created_at,
    last_login_at AT TIME ZONE 'UTC' AS last_login_at"#;

/// What login needs of an account.
#[derive(Clone, PartialEq)]
pub struct Credentials {
    /// The user's id.
    pub id: Uuid,
    /// The Argon2id PHC string.
    pub password_hash: String,
    /// Admin flag.
    pub is_admin: bool,
    /// Active flag.
    pub is_active: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("id", &self.id)
            .field("password_hash", &"***")
            .field("is_admin", &self.is_admin)
            .field("is_active", &self.is_active)
            .finish()
    }
}

/// A new account.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    /// Its id (random).
    pub id: Uuid,
    /// Normalised email.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Admin flag.
    pub is_admin: bool,
}

fn first<T>(
    rows: &crate::Rows,
    map: impl Fn(Row<'_>) -> Result<T, DbError>,
) -> Result<Option<T>, DbError> {
    rows.first().map(map).transpose()
}

/// Creates an account; `None` when the email is taken (case-insensitively).
pub fn insert(db: &dyn Db, user: &NewUser<'_>) -> Result<Option<User>, DbError> {
    let sql = format!(
        r#"
INSERT INTO app_users (id, email, display_name, password_hash, is_admin)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING
RETURNING {USER_COLUMNS}"#
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(user.id),
            user.email.into(),
            user.display_name.into(),
            user.password_hash.into(),
            user.is_admin.into(),
        ],
    )?;
    first(&rows, User::from_row)
}

/// Creates the first admin, unless an admin exists already or the email is taken; whether it
/// was created. (Bootstrap from configuration: safe to call on every start, concurrently.)
pub fn insert_first_admin(db: &dyn Db, user: &NewUser<'_>) -> Result<bool, DbError> {
    const SQL: &str = r#"
INSERT INTO app_users (id, email, display_name, password_hash, is_admin)
SELECT $1, $2, $3, $4, true
WHERE NOT EXISTS (SELECT 1 FROM app_users WHERE is_admin)
ON CONFLICT DO NOTHING"#;
    let n = db.execute(
        SQL,
        &[
            Param::Uuid(user.id),
            user.email.into(),
            user.display_name.into(),
            user.password_hash.into(),
        ],
    )?;
    Ok(n == 1)
}

/// An account to make an active admin with a new password (the command-line tool's way to the
/// first admin, and back in when every admin has lost their password).
#[derive(Debug, Clone, Copy)]
pub struct AdminAccount<'a> {
    /// The id, if the account is new (random); an existing account keeps its own.
    pub id: Uuid,
    /// Normalised email: the account is found by it, case-insensitively.
    pub email: &'a str,
    /// The display name to set; `None` keeps an existing account's name.
    pub display_name: Option<&'a str>,
    /// The name of a new account when `display_name` is `None`.
    pub default_display_name: &'a str,
    /// Argon2id PHC string of the new password.
    pub password_hash: &'a str,
}

/// What [`upsert_admin`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpsertedAdmin {
    /// The account's id.
    pub id: Uuid,
    /// Whether it was created (else an existing account was updated).
    pub created: bool,
}

/// Creates the account as an active admin, or makes the existing account with this email
/// (case-insensitively) one: new password, admin, active, renamed only if a name is given. The
/// caller ends an existing account's sessions (its password changed).
pub fn upsert_admin(db: &dyn Db, account: &AdminAccount<'_>) -> Result<UpsertedAdmin, DbError> {
    const SQL: &str = r#"
INSERT INTO app_users (id, email, display_name, password_hash, is_admin, is_active)
VALUES ($1, $2, COALESCE($3::text, $4::text), $5, true, true)
ON CONFLICT ((lower(email))) DO UPDATE SET
    password_hash = EXCLUDED.password_hash,
    display_name = COALESCE($3::text, app_users.display_name),
    is_admin = true,
    is_active = true,
    password_changed_at = now(),
    updated_at = now()
RETURNING id, (xmax = 0) AS created"#;
    let rows = db.query(
        SQL,
        &[
            Param::Uuid(account.id),
            account.email.into(),
            account.display_name.into(),
            account.default_display_name.into(),
            account.password_hash.into(),
        ],
    )?;
    let row = rows.first().ok_or_else(|| DbError::Decode {
        column: "id".to_owned(),
        problem: "the upsert returned no row".to_owned(),
    })?;
    Ok(UpsertedAdmin {
        id: row.get("id")?,
        created: row.get("created")?,
    })
}

/// Whether any admin account exists.
pub fn admin_exists(db: &dyn Db) -> Result<bool, DbError> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM app_users WHERE is_admin) AS present";
    let rows = db.query(SQL, &[])?;
    Ok(first(&rows, |r| r.get::<bool>("present"))?.unwrap_or(false))
}

/// The login data of the account with this (normalised) email.
pub fn find_credentials_by_email(db: &dyn Db, email: &str) -> Result<Option<Credentials>, DbError> {
    const SQL: &str = r#"
SELECT id, password_hash, is_admin, is_active
FROM app_users
WHERE lower(email) = lower($1)"#;
    let rows = db.query(SQL, &[email.into()])?;
    first(&rows, |r| {
        Ok(Credentials {
            id: r.get("id")?,
            password_hash: r.get("password_hash")?,
            is_admin: r.get("is_admin")?,
            is_active: r.get("is_active")?,
        })
    })
}

/// The password hash of an active account (to check a current password).
pub fn find_active_password_hash(db: &dyn Db, id: Uuid) -> Result<Option<String>, DbError> {
    const SQL: &str = "SELECT password_hash FROM app_users WHERE id = $1 AND is_active";
    let rows = db.query(SQL, &[Param::Uuid(id)])?;
    first(&rows, |r| r.get("password_hash"))
}

/// The account with this id.
pub fn find_by_id(db: &dyn Db, id: Uuid) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM app_users WHERE id = $1");
    let rows = db.query(&sql, &[Param::Uuid(id)])?;
    first(&rows, User::from_row)
}

/// Records a successful login.
pub fn record_login(db: &dyn Db, id: Uuid) -> Result<(), DbError> {
    const SQL: &str = "UPDATE app_users SET last_login_at = now() WHERE id = $1";
    db.execute(SQL, &[Param::Uuid(id)]).map(drop)
}

/// Changes the display name of an active account; the account after the change.
pub fn update_display_name(db: &dyn Db, id: Uuid, name: &str) -> Result<Option<User>, DbError> {
    let sql = format!(
        r#"
UPDATE app_users SET display_name = $2, updated_at = now()
WHERE id = $1 AND is_active
RETURNING {USER_COLUMNS}"#
    );
    let rows = db.query(&sql, &[Param::Uuid(id), name.into()])?;
    first(&rows, User::from_row)
}

/// Replaces the password hash of an active account; whether it did.
pub fn update_password_hash(db: &dyn Db, id: Uuid, password_hash: &str) -> Result<bool, DbError> {
    const SQL: &str = r#"
UPDATE app_users SET password_hash = $2, password_changed_at = now(), updated_at = now()
WHERE id = $1 AND is_active"#;
    Ok(db.execute(SQL, &[Param::Uuid(id), password_hash.into()])? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    #[test]
    fn insert_reads_the_new_user_and_none_when_taken() {
        let db = FakeDb::new();
        let id = Uuid::new_v4();
        let when = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap();
        db.push_rows(Rows::new(
            [
                "id",
                "email",
                "display_name",
                "is_admin",
                "is_active",
                "created_at",
                "last_login_at",
            ]
            .map(String::from)
            .to_vec(),
            vec![vec![
                Value::Uuid(id.to_string()),
                Value::Text("a@example.com".into()),
                Value::Text("A".into()),
                Value::Bool(false),
                Value::Bool(true),
                Value::DateTime(when),
                Value::Null,
            ]],
        ));
        let new = NewUser {
            id,
            email: "a@example.com",
            display_name: "A",
            password_hash: "$argon2id$...",
            is_admin: false,
        };
        let user = insert(&db, &new).unwrap().unwrap();
        assert_eq!(user.id, id);
        assert_eq!(user.last_login_at, None);
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("ON CONFLICT DO NOTHING"), "{sql}");
        assert!(sql.contains("AT TIME ZONE 'UTC'"), "{sql}");
        assert_eq!(params[0], Param::Uuid(id));
        // No row back: the email is taken.
        assert_eq!(insert(&db, &new).unwrap(), None);
    }

    #[test]
    fn upsert_admin_creates_or_updates_by_email_and_keeps_the_name_unless_given() {
        let db = FakeDb::new();
        let (new_id, existing) = (Uuid::new_v4(), Uuid::new_v4());
        db.push_rows(Rows::new(
            ["id", "created"].map(String::from).to_vec(),
            vec![vec![Value::Uuid(existing.to_string()), Value::Bool(false)]],
        ));
        let account = AdminAccount {
            id: new_id,
            email: "boss@example.com",
            display_name: None,
            default_display_name: "boss",
            password_hash: "$argon2id$...",
        };
        assert_eq!(
            upsert_admin(&db, &account).unwrap(),
            UpsertedAdmin {
                id: existing,
                created: false
            }
        );
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("ON CONFLICT ((lower(email)))"), "{sql}");
        assert!(
            sql.contains("display_name = COALESCE($3::text, app_users.display_name)"),
            "{sql}"
        );
        assert!(sql.contains("RETURNING id, (xmax = 0) AS created"), "{sql}");
        assert_eq!(
            params[..],
            [
                Param::Uuid(new_id),
                Param::Text("boss@example.com".into()),
                Param::Null,
                Param::Text("boss".into()),
                Param::Text("$argon2id$...".into()),
            ]
        );

        // A given name is sent; no row back is an error, not a silent success.
        let db = FakeDb::new();
        let named = AdminAccount {
            display_name: Some("The Boss"),
            ..account
        };
        let err = upsert_admin(&db, &named).unwrap_err();
        assert!(matches!(err, DbError::Decode { .. }), "{err}");
        assert_eq!(db.calls()[0].1[2], Param::Text("The Boss".into()));
    }

    #[test]
    fn credentials_debug_hides_the_hash() {
        let c = Credentials {
            id: Uuid::nil(),
            password_hash: "$argon2id$secret".into(),
            is_admin: false,
            is_active: true,
        };
        assert!(!format!("{c:?}").contains("secret"));
    }
}
