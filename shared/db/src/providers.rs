//! `provider_credentials`: what admins store per LLM provider (P1, P4): the key as a Fernet
//! token, its hint, the Azure endpoint and API version or the OpenAI-compatible base URL, and
//! the last test's result. One row per provider, written on the first change; every column but
//! the provider may be NULL (then the Spin variables apply).
//!
//! The key arrives here encrypted and leaves encrypted: decryption is the caller's
//! (`hub_keys::MasterKeys`), and `Debug` never prints the token.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, DbError, Param, Row};

/// What the chat path needs of a provider's row: the encrypted key and the settings that
/// override the Spin variables. All `None` when nothing is stored.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProviderOverrides {
    /// The key as a Fernet token.
    pub encrypted_key: Option<String>,
    /// The base URL (Azure OpenAI's endpoint, the OpenAI-compatible server's URL).
    pub base_url: Option<String>,
    /// Azure OpenAI's `api-version`.
    pub api_version: Option<String>,
}

impl ProviderOverrides {
    /// Reads the override columns (`encrypted_key`, `base_url`, `api_version`) of a row; all
    /// `None` for a row of a `LEFT JOIN` that found no provider row.
    pub fn from_row(row: &Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            encrypted_key: row.get("encrypted_key")?,
            base_url: row.get("base_url")?,
            api_version: row.get("api_version")?,
        })
    }
}

impl fmt::Debug for ProviderOverrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderOverrides")
            .field("encrypted_key", &self.encrypted_key.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .finish()
    }
}

/// The last test of a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// Whether the provider answered the test request.
    pub ok: bool,
    /// How long the request took, in milliseconds (`None` when nothing was sent).
    pub latency_ms: Option<i32>,
    /// Why it failed (the provider's explanation, never a key).
    pub error: Option<String>,
    /// When it ran.
    pub tested_at: DateTime<Utc>,
}

/// A provider's stored row.
#[derive(Clone, PartialEq)]
pub struct StoredProvider {
    /// The provider's id (`openai`, `azure_openai`, ...).
    pub provider: String,
    /// Key and settings.
    pub overrides: ProviderOverrides,
    /// The end of the key, shown in its place.
    pub key_hint: Option<String>,
    /// Who set the key (`None` when unknown or the account is gone).
    pub key_set_by: Option<Uuid>,
    /// When the key was set.
    pub key_set_at: Option<DateTime<Utc>>,
    /// The last test, if any.
    pub last_test: Option<TestResult>,
}

impl fmt::Debug for StoredProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredProvider")
            .field("provider", &self.provider)
            .field("overrides", &self.overrides)
            .field("key_hint", &self.key_hint)
            .field("key_set_by", &self.key_set_by)
            .field("key_set_at", &self.key_set_at)
            .field("last_test", &self.last_test)
            .finish()
    }
}

impl StoredProvider {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let tested_at: Option<DateTime<Utc>> = row.get("last_tested_at")?;
        let ok: Option<bool> = row.get("last_test_ok")?;
        let last_test = match (ok, tested_at) {
            (Some(ok), Some(tested_at)) => Some(TestResult {
                ok,
                latency_ms: row.get("last_test_latency_ms")?,
                error: row.get("last_test_error")?,
                tested_at,
            }),
            _ => None,
        };
        Ok(Self {
            provider: row.get("provider")?,
            overrides: ProviderOverrides::from_row(&row)?,
            key_hint: row.get("key_hint")?,
            key_set_by: row.get("key_set_by")?,
            key_set_at: row.get("key_set_at")?,
            last_test,
        })
    }
}

/// The columns of [`StoredProvider`].
const COLUMNS: &str = r#"provider, encrypted_key, key_hint, key_set_by,
    key_set_at AT TIME ZONE 'UTC' AS key_set_at, base_url, api_version,
    last_test_ok, last_test_latency_ms, last_test_error,
    last_tested_at AT TIME ZONE 'UTC' AS last_tested_at"#;

/// Every stored provider row.
pub fn list(db: &dyn Db) -> Result<Vec<StoredProvider>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM provider_credentials ORDER BY provider");
    let rows = db.query(&sql, &[])?;
    rows.iter().map(StoredProvider::from_row).collect()
}

/// The row of `provider`, if one was written.
pub fn find(db: &dyn Db, provider: &str) -> Result<Option<StoredProvider>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM provider_credentials WHERE provider = $1");
    let rows = db.query(&sql, &[Param::from(provider)])?;
    rows.first().map(StoredProvider::from_row).transpose()
}

/// The overrides of every provider with a row, by provider id (for the model list).
pub fn overrides(db: &dyn Db) -> Result<Vec<(String, ProviderOverrides)>, DbError> {
    const SQL: &str = "SELECT provider, encrypted_key, base_url, api_version \
                       FROM provider_credentials";
    let rows = db.query(SQL, &[])?;
    rows.iter()
        .map(|row| Ok((row.get("provider")?, ProviderOverrides::from_row(&row)?)))
        .collect()
}

/// Runs an upsert of `provider`'s row and returns the row after it.
fn upsert(db: &dyn Db, sql: &str, params: &[Param]) -> Result<StoredProvider, DbError> {
    let rows = db.query(sql, params)?;
    rows.first()
        .map(StoredProvider::from_row)
        .transpose()?
        .ok_or_else(|| DbError::Other("provider_credentials upsert returned no row".to_owned()))
}

/// Stores (or replaces) `provider`'s key: its Fernet token and hint, by `set_by`; the row after.
pub fn set_key(
    db: &dyn Db,
    provider: &str,
    encrypted_key: &str,
    hint: &str,
    set_by: Option<Uuid>,
) -> Result<StoredProvider, DbError> {
    let sql = format!(
        r#"
INSERT INTO provider_credentials AS p (provider, encrypted_key, key_hint, key_set_by, key_set_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (provider) DO UPDATE SET
    encrypted_key = EXCLUDED.encrypted_key, key_hint = EXCLUDED.key_hint,
    key_set_by = EXCLUDED.key_set_by, key_set_at = EXCLUDED.key_set_at, updated_at = now()
RETURNING {COLUMNS}"#
    );
    upsert(
        db,
        &sql,
        &[
            provider.into(),
            encrypted_key.into(),
            hint.into(),
            set_by.into(),
        ],
    )
}

/// Removes `provider`'s key (the Spin variable applies again); the row after it, `None` when
/// there was no row.
pub fn delete_key(db: &dyn Db, provider: &str) -> Result<Option<StoredProvider>, DbError> {
    let sql = format!(
        r#"
UPDATE provider_credentials SET
    encrypted_key = NULL, key_hint = NULL, key_set_by = NULL, key_set_at = NULL,
    updated_at = now()
WHERE provider = $1
RETURNING {COLUMNS}"#
    );
    let rows = db.query(&sql, &[Param::from(provider)])?;
    rows.first().map(StoredProvider::from_row).transpose()
}

/// Writes `provider`'s base URL and API version (`None`: the Spin variable applies); the row
/// after it.
pub fn set_settings(
    db: &dyn Db,
    provider: &str,
    base_url: Option<&str>,
    api_version: Option<&str>,
) -> Result<StoredProvider, DbError> {
    let sql = format!(
        r#"
INSERT INTO provider_credentials AS p (provider, base_url, api_version)
VALUES ($1, $2, $3)
ON CONFLICT (provider) DO UPDATE SET
    base_url = EXCLUDED.base_url, api_version = EXCLUDED.api_version, updated_at = now()
RETURNING {COLUMNS}"#
    );
    upsert(
        db,
        &sql,
        &[provider.into(), base_url.into(), api_version.into()],
    )
}

/// Stores the result of a test of `provider`; the row after it.
pub fn record_test(
    db: &dyn Db,
    provider: &str,
    ok: bool,
    latency_ms: Option<i32>,
    error: Option<&str>,
) -> Result<StoredProvider, DbError> {
    let sql = format!(
        r#"
INSERT INTO provider_credentials AS p (provider, last_test_ok, last_test_latency_ms,
                                       last_test_error, last_tested_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (provider) DO UPDATE SET
    last_test_ok = EXCLUDED.last_test_ok, last_test_latency_ms = EXCLUDED.last_test_latency_ms,
    last_test_error = EXCLUDED.last_test_error, last_tested_at = EXCLUDED.last_tested_at
RETURNING {COLUMNS}"#
    );
    let error = error.map(|e| e.chars().take(1000).collect::<String>());
    upsert(
        db,
        &sql,
        &[provider.into(), ok.into(), latency_ms.into(), error.into()],
    )
}

/// Every stored key token, by provider (for re-encryption under a new master key).
pub fn encrypted_keys(db: &dyn Db) -> Result<Vec<(String, String)>, DbError> {
    const SQL: &str = "SELECT provider, encrypted_key FROM provider_credentials \
                       WHERE encrypted_key IS NOT NULL ORDER BY provider";
    let rows = db.query(SQL, &[])?;
    rows.iter()
        .map(|row| Ok((row.get("provider")?, row.get("encrypted_key")?)))
        .collect()
}

/// Replaces `provider`'s token `old` by `new` (the same key, re-encrypted); `false` when the
/// stored token is no longer `old` (set or deleted meanwhile).
pub fn replace_token(db: &dyn Db, provider: &str, old: &str, new: &str) -> Result<bool, DbError> {
    const SQL: &str = "UPDATE provider_credentials SET encrypted_key = $3, updated_at = now() \
                       WHERE provider = $1 AND encrypted_key = $2";
    Ok(db.execute(SQL, &[provider.into(), old.into(), new.into()])? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    fn row(key: Option<&str>) -> Rows {
        let text = |v: Option<&str>| v.map_or(Value::Null, |s| Value::Text(s.to_owned()));
        Rows::new(
            [
                "provider",
                "encrypted_key",
                "key_hint",
                "key_set_by",
                "key_set_at",
                "base_url",
                "api_version",
                "last_test_ok",
                "last_test_latency_ms",
                "last_test_error",
                "last_tested_at",
            ]
            .map(String::from)
            .to_vec(),
            vec![vec![
                Value::Text("azure_openai".into()),
                text(key),
                text(key.map(|_| "wxyz")),
                Value::Null,
                Value::Null,
                Value::Text("https://r.openai.azure.com".into()),
                Value::Null,
                Value::Bool(false),
                Value::Int(12),
                Value::Text("401".into()),
                Value::DateTime(chrono::DateTime::UNIX_EPOCH.naive_utc()),
            ]],
        )
    }

    #[test]
    fn rows_are_read_and_the_token_never_printed() {
        let db = FakeDb::new();
        db.push_rows(row(Some("gAAAAAsecret-token")));
        let stored = find(&db, "azure_openai").unwrap().unwrap();
        assert_eq!(
            stored.overrides.encrypted_key.as_deref(),
            Some("gAAAAAsecret-token")
        );
        assert_eq!(
            stored.overrides.base_url.as_deref(),
            Some("https://r.openai.azure.com")
        );
        let test = stored.last_test.clone().unwrap();
        assert!(!test.ok);
        assert_eq!(test.latency_ms, Some(12));
        let printed = format!("{stored:?}");
        assert!(!printed.contains("secret-token"), "{printed}");
        assert_eq!(db.calls()[0].1, vec![Param::from("azure_openai")]);
    }

    #[test]
    fn replacing_a_token_compares_the_old_one() {
        let db = FakeDb::new();
        assert!(replace_token(&db, "openai", "old", "new").unwrap());
        let (sql, params) = db.calls().remove(0);
        assert!(sql.contains("encrypted_key = $2"), "{sql}");
        assert_eq!(params[1], Param::from("old"));
    }
}
