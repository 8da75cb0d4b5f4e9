//! The LLM providers as admins manage them (`/api/admin/providers...`, the `keys` component):
//! where each provider's key, endpoint and API version come from, and the last test. A key is
//! accepted, never answered: only its hint (its last characters) is shown.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::double_option;

/// Where a provider's key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Stored (encrypted) in the database by an admin.
    Database,
    /// The Spin variable `<provider>_api_key`.
    Environment,
    /// No key.
    None,
}

/// Where a setting (base URL, API version) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SettingSource {
    /// Stored in the database by an admin.
    Database,
    /// The Spin variable (`<provider>_base_url`, `azure_openai_api_version`).
    Environment,
    /// The hub's default (the provider's public API, the default `api-version`).
    Default,
    /// Not set anywhere (Azure OpenAI and OpenAI-compatible servers need a base URL).
    None,
}

/// The outcome of a provider test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProviderTestStatus {
    /// The provider answered.
    Ok,
    /// It did not (`error` says why).
    Failed,
}

/// The result of `POST /api/admin/providers/{provider}/test` (also kept as the provider's
/// `last_test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProviderTestView {
    /// `ok` or `failed`.
    pub status: ProviderTestStatus,
    /// How long the request took, in milliseconds; `null` when nothing was sent.
    pub latency_ms: Option<i32>,
    /// Why it failed: the provider's own explanation, or the configuration problem.
    pub error: Option<String>,
    /// When the test ran.
    pub tested_at: String,
}

/// A provider as admins see it (`/api/admin/providers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProviderView {
    /// The provider's id (`openai`, `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`,
    /// `openai_compatible`).
    pub provider: String,
    /// The name shown to people.
    pub display_name: String,
    /// Whether requests need a key (an OpenAI-compatible server may take none).
    pub requires_key: bool,
    /// Where the key in use comes from.
    pub key_source: KeySource,
    /// The last characters of the key stored in the database (none of a short key); `null`
    /// when none is stored.
    pub key_hint: Option<String>,
    /// When the stored key was set.
    pub key_set_at: Option<String>,
    /// Who set it (`null` when unknown or the account is gone).
    pub key_set_by: Option<Uuid>,
    /// Why the stored key cannot be used (the master key `provider_keys_master_key` is
    /// missing, malformed or does not decrypt it); the variable's key, if any, is used meanwhile.
    pub key_error: Option<String>,
    /// Whether the base URL can be set here (Azure OpenAI's endpoint, an OpenAI-compatible
    /// server's URL).
    pub base_url_editable: bool,
    /// The base URL in use; `null` when none is set.
    pub base_url: Option<String>,
    /// Where it comes from.
    pub base_url_source: SettingSource,
    /// Azure OpenAI's `api-version` in use; `null` for other providers.
    pub api_version: Option<String>,
    /// Where it comes from; `null` for other providers.
    pub api_version_source: Option<SettingSource>,
    /// Whether chats can use the provider now (a key where one is needed, a valid base URL).
    pub configured: bool,
    /// Why not, when not.
    pub configuration_error: Option<String>,
    /// The last test, if any.
    pub last_test: Option<ProviderTestView>,
}

/// `GET /api/admin/providers`: every provider the hub speaks to, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProviderList {
    /// The providers.
    pub items: Vec<ProviderView>,
}

/// `PUT /api/admin/providers/{provider}/key`: set or replace the key stored in the database.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SetProviderKey {
    /// The key (1-1000 printable ASCII characters; surrounding whitespace is removed). Stored
    /// encrypted, never shown again.
    pub api_key: String,
}

impl fmt::Debug for SetProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetProviderKey")
            .field("api_key", &"***")
            .finish()
    }
}

/// `PATCH /api/admin/providers/{provider}`: the settings stored in the database; `null` resets
/// one (the Spin variable applies again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateProvider {
    /// Azure OpenAI's endpoint (`https://<resource>.openai.azure.com`) or the OpenAI-compatible
    /// server's base URL; checked against the outbound policy (https, a public host inside the
    /// component's `allowed_outbound_hosts`; http and internal hosts only when listed in
    /// `llm_trusted_hosts`).
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub base_url: Option<Option<String>>,
    /// Azure OpenAI's `api-version` (`2024-10-21`, `2025-04-01-preview`).
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub api_version: Option<Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_refuse_unknown_fields_and_never_print_the_key() {
        let body: SetProviderKey = serde_json::from_str(r#"{"api_key":"sk-secret"}"#).unwrap();
        assert!(!format!("{body:?}").contains("sk-secret"));
        assert!(serde_json::from_str::<SetProviderKey>(r#"{"api_key":"k","x":1}"#).is_err());
        let patch: UpdateProvider = serde_json::from_str(r#"{"base_url":null}"#).unwrap();
        assert_eq!(patch.base_url, Some(None));
        assert_eq!(patch.api_version, None);
        assert!(serde_json::from_str::<UpdateProvider>(r#"{"endpoint":"x"}"#).is_err());
    }
}
