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
    /// The password was set by an admin (or the first run) and must be changed.
    pub must_change_password: bool,
}

impl User {
    pub(crate) fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            email: row.get("email")?,
            display_name: row.get("display_name")?,
            is_admin: row.get("is_admin")?,
            is_active: row.get("is_active")?,
            created_at: row.get("created_at")?,
            last_login_at: row.get("last_login_at")?,
            must_change_password: row.get("must_change_password")?,
        })
    }
}

/// The columns of [`User`], timestamps as UTC `timestamp` (Spin cannot read `timestamptz`).
pub(crate) const USER_COLUMNS: &str = r#"id, email, display_name, is_admin, is_active,
    must_change_password,
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

pub(crate) fn first<T>(
    rows: &crate::Rows,
    map: impl Fn(Row<'_>) -> Result<T, DbError>,
) -> Result<Option<T>, DbError> {
    rows.first().map(map).transpose()
}

/// Creates an account; `None` when the email is taken (case-insensitively).
pub fn insert(db: &dyn Db, user: &NewUser<'_>) -> Result<Option<User>, DbError> {
    insert_account(db, user, false)
}

fn insert_account(
    db: &dyn Db,
    user: &NewUser<'_>,
    must_change_password: bool,
) -> Result<Option<User>, DbError> {
    let sql = format!(
        r#"
INSERT INTO app_users (id, email, display_name, password_hash, is_admin, must_change_password)
VALUES ($1, $2, $3, $4, $5, $6)
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
            must_change_password.into(),
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
    /// Whether the password must be changed at the next login (a generated one, the first run).
    pub must_change_password: bool,
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
INSERT INTO app_users (id, email, display_name, password_hash, is_admin, is_active,
                       must_change_password)
VALUES ($1, $2, COALESCE($3::text, $4::text), $5, true, true, $6)
ON CONFLICT ((lower(email))) DO UPDATE SET
    password_hash = EXCLUDED.password_hash,
    must_change_password = EXCLUDED.must_change_password,
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
            Param::Bool(account.must_change_password),
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

/// Replaces the password hash of an active account (the user's own change: a password that had
/// to be changed no longer has to); whether it did.
pub fn update_password_hash(db: &dyn Db, id: Uuid, password_hash: &str) -> Result<bool, DbError> {
    const SQL: &str = r#"
UPDATE app_users SET password_hash = $2, password_changed_at = now(), updated_at = now(),
    must_change_password = false
WHERE id = $1 AND is_active"#;
    Ok(db.execute(SQL, &[Param::Uuid(id), password_hash.into()])? == 1)
}

/// The order of the admin's user list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    /// By creation time.
    CreatedAt,
    /// By email.
    Email,
    /// By last login (never logged in sorts as the earliest).
    LastLoginAt,
}

impl UserSort {
    /// The sort key as SQL (each has an index on `(key, id)`). The table's `created_at` is
    /// qualified: the list's output column of that name is `created_at AT TIME ZONE 'UTC'`, which
    /// `ORDER BY created_at` would mean, and no index serves.
    const fn key(self) -> &'static str {
        match self {
            Self::CreatedAt => "app_users.created_at",
            Self::Email => "email",
            Self::LastLoginAt => "COALESCE(last_login_at, timestamptz 'epoch')",
        }
    }

    /// Whether the key is a timestamp: a cursor holds it as whole microseconds since the epoch
    /// (exact, and checkable as an integer before it reaches SQL), else as the text itself.
    pub const fn is_timestamp(self) -> bool {
        !matches!(self, Self::Email)
    }
}

/// Where a page of the user list starts: after the row with this sort key (as text) and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKey {
    /// The sort key of the last row of the previous page: the email, or a timestamp as whole
    /// microseconds since the epoch.
    pub key: String,
    /// Its id.
    pub id: Uuid,
}

/// A query of the admin's user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    /// A `LIKE` pattern (already escaped, with its `%`s) matched against email and display name,
    /// case-insensitively.
    pub pattern: Option<String>,
    /// Only active (`true`) or inactive (`false`) accounts.
    pub active: Option<bool>,
    /// Only admins (`true`) or non-admins (`false`).
    pub admin: Option<bool>,
    /// The order.
    pub sort: UserSort,
    /// Descending?
    pub descending: bool,
    /// Start after this row.
    pub after: Option<UserKey>,
    /// Rows to return.
    pub limit: i64,
}

/// One page of the admin's user list, with the sort key of each row (for the next cursor).
pub fn list(db: &dyn Db, query: &UserQuery) -> Result<Vec<(User, UserKey)>, DbError> {
    let key = query.sort.key();
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<Param> = Vec::new();
    if let Some(pattern) = &query.pattern {
        params.push(pattern.as_str().into());
        let n = params.len();
        conditions.push(format!("(email ILIKE ${n} OR display_name ILIKE ${n})"));
    }
    for (column, value) in [("is_active", query.active), ("is_admin", query.admin)] {
        if let Some(value) = value {
            params.push(value.into());
            conditions.push(format!("{column} = ${}", params.len()));
        }
    }
    let direction = if query.descending { "DESC" } else { "ASC" };
    if let Some(after) = &query.after {
        params.push(after.key.as_str().into());
        params.push(Param::Uuid(after.id));
        let (k, i) = (params.len() - 1, params.len());
        let op = if query.descending { "<" } else { ">" };
        let value = if query.sort.is_timestamp() {
            format!("timestamptz 'epoch' + ${k}::text::int8 * interval '1 microsecond'")
        } else {
            format!("${k}::text")
        };
        conditions.push(format!("({key}, id) {op} ({value}, ${i})"));
    }
    params.push(query.limit.into());
    let limit = params.len();
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let key_text = if query.sort.is_timestamp() {
        format!("(extract(epoch FROM {key}) * 1000000)::int8::text")
    } else {
        key.to_owned()
    };
    let sql = format!(
        r#"
SELECT {USER_COLUMNS}, {key_text} AS sort_key
FROM app_users
{filter}
ORDER BY {key} {direction}, id {direction}
LIMIT ${limit}"#
    );
    let rows = db.query(&sql, &params)?;
    rows.iter()
        .map(|row| {
            let key = UserKey {
                key: row.get("sort_key")?,
                id: row.get("id")?,
            };
            Ok((User::from_row(row)?, key))
        })
        .collect()
}

/// Creates an account whose password must be changed at the first login (an admin created it);
/// `None` when the email is taken.
pub fn insert_with_password_change(
    db: &dyn Db,
    user: &NewUser<'_>,
) -> Result<Option<User>, DbError> {
    insert_account(db, user, true)
}

/// Locks the active admins' rows until the transaction ends and returns their ids: every
/// change that could remove an active admin takes this lock first, so that two of them
/// cannot both see another admin left (use inside [`crate::transaction`]).
pub fn lock_active_admins(db: &dyn Db) -> Result<Vec<Uuid>, DbError> {
    const SQL: &str =
        "SELECT id FROM app_users WHERE is_admin AND is_active ORDER BY id FOR UPDATE";
    let rows = db.query(SQL, &[])?;
    rows.iter().map(|r| r.get("id")).collect()
}

/// The account with this id, its row locked until the transaction ends.
pub fn lock_by_id(db: &dyn Db, id: Uuid) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM app_users WHERE id = $1 FOR UPDATE");
    let rows = db.query(&sql, &[Param::Uuid(id)])?;
    first(&rows, User::from_row)
}

/// What an admin changes of an account (`None`: unchanged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountChange<'a> {
    /// New display name.
    pub display_name: Option<&'a str>,
    /// New active flag.
    pub is_active: Option<bool>,
    /// New admin flag.
    pub is_admin: Option<bool>,
}

/// Applies an admin's change to an account; the account after it.
pub fn update_account(
    db: &dyn Db,
    id: Uuid,
    change: &AccountChange<'_>,
) -> Result<Option<User>, DbError> {
    let sql = format!(
        r#"
UPDATE app_users SET
    display_name = COALESCE($2::text, display_name),
    is_active = COALESCE($3::bool, is_active),
    is_admin = COALESCE($4::bool, is_admin),
    updated_at = now()
WHERE id = $1
RETURNING {USER_COLUMNS}"#
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(id),
            change.display_name.into(),
            change.is_active.map_or(Param::Null, Param::Bool),
            change.is_admin.map_or(Param::Null, Param::Bool),
        ],
    )?;
    first(&rows, User::from_row)
}

/// Sets a password an admin chose or generated: it must be changed at the next login.
pub fn reset_password(db: &dyn Db, id: Uuid, password_hash: &str) -> Result<Option<User>, DbError> {
    let sql = format!(
        r#"
UPDATE app_users SET password_hash = $2, must_change_password = true,
    password_changed_at = now(), updated_at = now()
WHERE id = $1
RETURNING {USER_COLUMNS}"#
    );
    let rows = db.query(&sql, &[Param::Uuid(id), password_hash.into()])?;
    first(&rows, User::from_row)
}

/// Deletes an account: its sessions and chats go with it (foreign keys), its usage rows stay
/// with `user_id` cleared. Whether it existed.
pub fn delete(db: &dyn Db, id: Uuid) -> Result<bool, DbError> {
    Ok(db.execute("DELETE FROM app_users WHERE id = $1", &[Param::Uuid(id)])? == 1)
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
                "must_change_password",
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
                Value::Bool(false),
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
            must_change_password: false,
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
                Param::Bool(false),
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

    #[test]
    fn the_creation_order_is_the_table_column_not_the_output_column() {
        let db = FakeDb::new();
        list(
            &db,
            &UserQuery {
                pattern: None,
                active: None,
                admin: None,
                sort: UserSort::CreatedAt,
                descending: true,
                after: None,
                limit: 51,
            },
        )
        .unwrap();
        let sql = db.statements().concat();
        // `ORDER BY created_at` would sort by the output column (`AT TIME ZONE 'UTC'`): no index.
        assert!(
            sql.contains("ORDER BY app_users.created_at DESC, id DESC"),
            "{sql}"
        );
    }
}
