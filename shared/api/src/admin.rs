//! The administration of the hub (`/api/admin/...`): users, models, costs and statistics.

use serde::{Deserialize, Serialize};

use crate::{Money, UsageAmounts, UserView, double_option, non_null};

/// `POST /api/admin/users`: an account, created whatever the registration policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AdminCreateUser {
    /// The email address.
    pub email: String,
    /// The name shown to people; left out, the email's local part.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub display_name: Option<String>,
    /// The password (8 to 128 characters); left out, one is generated and answered once.
    /// Either way the user must change it at the first login.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub password: Option<String>,
    /// Make the account an administrator (default `false`).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub is_admin: Option<bool>,
}

/// The answer of `POST /api/admin/users` and `POST /api/admin/users/{id}/password-reset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdminUserPassword {
    /// The account.
    pub user: UserView,
    /// The generated password, shown this once; `null` when the admin gave one.
    pub generated_password: Option<String>,
}

/// `PATCH /api/admin/users/{id}`: changes the fields it names (at least one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateUser {
    /// The new display name (1-100 characters).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub display_name: Option<String>,
    /// Activate or deactivate the account (not one's own; never the last active admin).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub is_active: Option<bool>,
    /// Promote or demote (not oneself; never the last active admin).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub is_admin: Option<bool>,
}

/// `POST /api/admin/users/{id}/password-reset`: a new password, to be changed at next login.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AdminPasswordReset {
    /// The new password (8 to 128 characters); left out, one is generated and answered once.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub password: Option<String>,
}

/// A configured model as admins see it (`/api/admin/models`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdminModelView {
    /// The hub's id of the model.
    pub id: String,
    /// The provider's id (`openai`, `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`,
    /// `openai_compatible`).
    pub provider: String,
    /// The name shown to people.
    pub display_name: String,
    /// Whether users may choose it.
    pub enabled: bool,
    /// Whether it is the default model (exactly one enabled model is, once any exists).
    pub is_default: bool,
    /// Whether its provider has a key and endpoint configured (else users do not see it).
    pub provider_configured: bool,
    /// Price per million prompt tokens.
    pub input_price_per_million: Money,
    /// Price per million generated tokens.
    pub output_price_per_million: Money,
    /// Price per million cached prompt tokens; `null`: cached tokens cost the input price.
    pub cached_input_price_per_million: Option<Money>,
    /// The context window in tokens, when known.
    pub context_window: Option<i32>,
    /// Whether it takes a temperature (reasoning models do not).
    pub supports_temperature: bool,
    /// Azure OpenAI only: the deployment serving the model.
    pub azure_deployment: Option<String>,
}

/// `GET /api/admin/models`: every configured model, enabled or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdminModelList {
    /// The models, the default first, then by provider and name.
    pub items: Vec<AdminModelView>,
}

/// `POST /api/admin/models`. Prices are decimal strings in USD per million tokens (0 to
/// 1000000, at most 10 decimals).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AdminCreateModel {
    /// The hub's id of the model: 1-128 characters `A-Z a-z 0-9 . _ : / @ -`, starting with a
    /// letter or digit (no spaces). For every provider but Azure OpenAI the provider's id.
    pub id: String,
    /// The provider's id.
    pub provider: String,
    /// The name shown to people (1-100 characters).
    pub display_name: String,
    /// Price per million prompt tokens.
    pub input_price_per_million: String,
    /// Price per million generated tokens.
    pub output_price_per_million: String,
    /// Price per million cached prompt tokens; left out, none.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cached_input_price_per_million: Option<String>,
    /// The context window in tokens (> 0); left out, unknown.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub context_window: Option<i32>,
    /// Whether it takes a temperature (default `true`).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub supports_temperature: Option<bool>,
    /// Azure OpenAI: the deployment (required there; refused for other providers).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub azure_deployment: Option<String>,
    /// Whether users may choose it (default `true`).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub enabled: Option<bool>,
}

/// `PATCH /api/admin/models/{id}`: changes the fields it names (at least one).
///
/// `is_default: true` makes the model the default (it must be enabled; the former default
/// stops being one in the same transaction); `false` is refused: make another model the
/// default instead. Disabling the default model is refused (409 `default_model_required`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateModel {
    /// The name shown to people.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub display_name: Option<String>,
    /// Enable or disable.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub enabled: Option<bool>,
    /// Make it the default (only `true`).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub is_default: Option<bool>,
    /// Price per million prompt tokens.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub input_price_per_million: Option<String>,
    /// Price per million generated tokens.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub output_price_per_million: Option<String>,
    /// Price per million cached prompt tokens, or `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub cached_input_price_per_million: Option<Option<String>>,
    /// The context window in tokens, or `null` for unknown.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub context_window: Option<Option<i32>>,
    /// Whether it takes a temperature.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub supports_temperature: Option<bool>,
    /// Azure OpenAI: the deployment (cannot be reset while the model is enabled).
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub azure_deployment: Option<Option<String>>,
}

/// The period of a cost report (`?period=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CostPeriod {
    /// Since midnight UTC.
    Day,
    /// The last 7 days.
    Week,
    /// Since the first of this month (UTC): the default.
    Month,
    /// `?from=` (inclusive) to `?until=` (exclusive), at most 366 days.
    Custom,
}

/// Tokens, requests and cost of one group of usage rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CostGroup {
    /// What the group is: a user id (`null`: deleted users), a model id, a provider id, or a
    /// day (`YYYY-MM-DD`); `null` only for deleted users.
    pub key: Option<String>,
    /// For people: the user's email, the model's display name (the id when it is no longer
    /// configured), the provider's name; the day again.
    pub label: Option<String>,
    /// Tokens, requests and cost.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub usage: UsageAmounts,
}

/// `GET /api/admin/costs`: the totals of a period and its breakdowns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CostReport {
    /// The period.
    pub period: CostPeriod,
    /// Its start (RFC 3339, UTC; inclusive).
    pub from: String,
    /// Its end (RFC 3339, UTC; exclusive).
    pub until: String,
    /// Everything in the period (`key` and `label` are `null`).
    pub total: CostGroup,
    /// By user, most expensive first (at most 100; deleted users in one group with key `null`).
    pub by_user: Vec<CostGroup>,
    /// By model, most expensive first.
    pub by_model: Vec<CostGroup>,
    /// By provider, most expensive first.
    pub by_provider: Vec<CostGroup>,
    /// By day (UTC), oldest first; days without usage are left out.
    pub by_day: Vec<CostGroup>,
}

/// The account counts of [`AdminStats`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserStats {
    /// Every account.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: i64,
    /// Active accounts.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub active: i64,
    /// Active administrators.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub admins: i64,
    /// Accounts that logged in or used a model in the last 7 days.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub active_last_7_days: i64,
    /// Accounts that logged in or used a model in the last 30 days.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub active_last_30_days: i64,
}

/// One day of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayCount {
    /// The day (UTC), `YYYY-MM-DD`.
    pub day: String,
    /// The count.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
}

/// `GET /api/admin/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdminStats {
    /// Accounts.
    pub users: UserStats,
    /// Conversations.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub chats: i64,
    /// Messages (both roles).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub messages: i64,
    /// Assistants, global and personal.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub assistants: i64,
    /// Prompt templates, global and personal.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub templates: i64,
    /// Messages per day (UTC) of the last 30 days, oldest first, every day present.
    pub messages_per_day: Vec<DayCount>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_reject_unknown_fields_and_null_where_not_documented() {
        assert!(serde_json::from_str::<AdminUpdateUser>(r#"{"is_admin":true,"x":1}"#).is_err());
        assert!(serde_json::from_str::<AdminUpdateUser>(r#"{"is_admin":null}"#).is_err());
        let patch: AdminUpdateModel =
            serde_json::from_str(r#"{"cached_input_price_per_million":null}"#).unwrap();
        assert_eq!(patch.cached_input_price_per_million, Some(None));
        assert_eq!(patch.context_window, None);
        assert!(serde_json::from_str::<AdminCreateModel>(r#"{"id":"m"}"#).is_err());
        assert_eq!(
            serde_json::to_string(&CostPeriod::Custom).unwrap(),
            r#""custom""#
        );
    }
}
