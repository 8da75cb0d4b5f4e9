//! The providers' state and the changes admins make: keys (encrypted before they are stored),
//! base URLs (through the outbound policy) and Azure's `api-version`.

use hub_admin_domain::providers::{self as rules, Settings as StoredSettings, SettingsPatch};
use hub_api::{
    KeySource, ProviderList, ProviderTestStatus, ProviderTestView, ProviderView, SetProviderKey,
    SettingSource, UpdateProvider,
};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::{UserContext, admin};
use hub_component::{PgDb, errors, json, no_content, parse_body, timestamp};
use hub_conversation::models::{decrypt_key, provider_config};
use hub_db::providers::{self, StoredProvider, TestResult};
use hub_http::ApiError;
use hub_keys::{MASTER_KEY_VARIABLE, MasterKeys, OutboundPolicy, TRUSTED_HOSTS_VARIABLE, hint};
use hub_providers::{AZURE_DEFAULT_API_VERSION, ProviderKind};
use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};

/// The component variable with the chat component's `allowed_outbound_hosts` (provider hosts,
/// resolved by Spin), which an admin-entered base URL must fall inside.
pub const OUTBOUND_HOSTS_VARIABLE: &str = "provider_outbound_hosts";

/// The component whose `allowed_outbound_hosts` a base URL is checked against (named in the
/// refusal): the one that sends the chats.
const CHECKED_COMPONENT: &str = "chat";

pub use hub_component::setting as settings;

fn non_blank(name: &str) -> Option<String> {
    settings(name).filter(|v| !v.trim().is_empty())
}

/// The admin and the provider a path names: 401, 403, then 404 for an unknown provider.
pub fn admin_and_provider(
    req: &Request,
    id: &str,
) -> Result<(PgDb, UserContext, ProviderKind), ApiError> {
    let (db, user) = admin(req)?;
    let kind = rules::provider(id).map_err(errors::admin)?;
    Ok((db, user, kind))
}

/// The stored row of `kind`, if any.
pub fn stored(db: &PgDb, kind: ProviderKind) -> Result<Option<StoredProvider>, ApiError> {
    providers::find(db, kind.as_str()).map_err(errors::db)
}

/// A test result as the API shows it.
pub fn test_view(test: &TestResult) -> ProviderTestView {
    ProviderTestView {
        status: if test.ok {
            ProviderTestStatus::Ok
        } else {
            ProviderTestStatus::Failed
        },
        latency_ms: test.latency_ms,
        error: test.error.clone(),
        tested_at: timestamp(test.tested_at),
    }
}

/// Provider `kind` as admins see it: the stored row first, then the component's variables.
fn view(kind: ProviderKind, row: Option<&StoredProvider>) -> ProviderView {
    let overrides = row.map(|r| r.overrides.clone()).unwrap_or_default();
    let key_error = overrides
        .encrypted_key
        .as_deref()
        .and_then(|token| decrypt_key(token, &settings).err())
        .map(|e| e.to_string());
    let key_source = if overrides.encrypted_key.is_some() && key_error.is_none() {
        KeySource::Database
    } else if non_blank(kind.key_variable()).is_some() {
        KeySource::Environment
    } else {
        KeySource::None
    };
    let (base_url, base_url_source) = match (
        overrides.base_url.clone(),
        non_blank(&format!("{}_base_url", kind.as_str())),
        kind.default_base_url(),
    ) {
        (Some(url), _, _) => (Some(url), SettingSource::Database),
        (None, Some(url), _) => (Some(url.trim().to_owned()), SettingSource::Environment),
        (None, None, Some(url)) => (Some(url.to_owned()), SettingSource::Default),
        (None, None, None) => (None, SettingSource::None),
    };
    let (api_version, api_version_source) = if rules::has_api_version(kind) {
        match (
            overrides.api_version.clone(),
            non_blank("azure_openai_api_version"),
        ) {
            (Some(v), _) => (Some(v), Some(SettingSource::Database)),
            (None, Some(v)) => (Some(v.trim().to_owned()), Some(SettingSource::Environment)),
            (None, None) => (
                Some(AZURE_DEFAULT_API_VERSION.to_owned()),
                Some(SettingSource::Default),
            ),
        }
    } else {
        (None, None)
    };
    let configuration_error = provider_config(kind, &overrides, &settings)
        .err()
        .map(|e| e.to_string());
    ProviderView {
        provider: kind.as_str().to_owned(),
        display_name: kind.display_name().to_owned(),
        requires_key: kind.requires_key(),
        key_source,
        key_hint: row.and_then(|r| r.key_hint.clone()),
        key_set_at: row.and_then(|r| r.key_set_at).map(timestamp),
        key_set_by: row.and_then(|r| r.key_set_by),
        key_error,
        base_url_editable: rules::has_base_url(kind),
        base_url,
        base_url_source,
        api_version,
        api_version_source,
        configured: configuration_error.is_none(),
        configuration_error,
        last_test: row.and_then(|r| r.last_test.as_ref()).map(test_view),
    }
}

/// What the audit log keeps of a provider's row: hints and settings, never a key or token.
fn audited(row: Option<&StoredProvider>) -> Value {
    json!({
        "key_hint": row.and_then(|r| r.key_hint.as_deref()),
        "key_stored": row.is_some_and(|r| r.overrides.encrypted_key.is_some()),
        "base_url": row.and_then(|r| r.overrides.base_url.as_deref()),
        "api_version": row.and_then(|r| r.overrides.api_version.as_deref()),
    })
}

/// Records an admin's change of provider `kind`: the row before and after (hints only).
fn audit_change(
    db: &PgDb,
    req: &Request,
    actor: &UserContext,
    action: AuditAction,
    kind: ProviderKind,
    before: Option<&StoredProvider>,
    after: Option<&StoredProvider>,
) {
    audit::record(
        db,
        &audit::client(req),
        Some(actor.user_id),
        action,
        Some(kind.as_str().to_owned()),
        json!({ "before": audited(before), "after": audited(after) }),
    );
}

/// `GET /api/admin/providers`.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let rows = providers::list(&db).map_err(errors::db)?;
    let items = ProviderKind::ALL
        .into_iter()
        .map(|kind| view(kind, rows.iter().find(|r| r.provider == kind.as_str())))
        .collect();
    Ok(json(200, &ProviderList { items }))
}

/// `GET /api/admin/providers/{provider}`.
pub fn get(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, _, kind) = admin_and_provider(req, id)?;
    let row = stored(&db, kind)?;
    Ok(json(200, &view(kind, row.as_ref())))
}

/// `PUT /api/admin/providers/{provider}/key`: encrypts the key under the first master key and
/// stores it with its hint.
pub fn set_key(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, actor, kind) = admin_and_provider(req, id)?;
    let body: SetProviderKey = parse_body(req)?;
    let key = rules::api_key(&body.api_key).map_err(errors::admin)?;
    let master = MasterKeys::parse(&settings(MASTER_KEY_VARIABLE).unwrap_or_default())
        .map_err(|e| errors::master_key(&e))?;
    let token = master.encrypt(key);
    let before = stored(&db, kind)?;
    let after = providers::set_key(&db, kind.as_str(), &token, &hint(key), Some(actor.user_id))
        .map_err(errors::db)?;
    audit_change(
        &db,
        req,
        &actor,
        AuditAction::AdminProviderKeySet,
        kind,
        before.as_ref(),
        Some(&after),
    );
    Ok(json(200, &view(kind, Some(&after))))
}

/// `DELETE /api/admin/providers/{provider}/key`: the Spin variable's key applies again (204,
/// also when no key was stored).
pub fn delete_key(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, actor, kind) = admin_and_provider(req, id)?;
    let before = stored(&db, kind)?;
    if before
        .as_ref()
        .is_some_and(|r| r.overrides.encrypted_key.is_some())
    {
        let after = providers::delete_key(&db, kind.as_str()).map_err(errors::db)?;
        audit_change(
            &db,
            req,
            &actor,
            AuditAction::AdminProviderKeyDeleted,
            kind,
            before.as_ref(),
            after.as_ref(),
        );
    }
    Ok(no_content())
}

/// The outbound policy of admin-entered base URLs: the chat component's
/// `allowed_outbound_hosts` (this component's variable [`OUTBOUND_HOSTS_VARIABLE`]) and the
/// operator's trusted hosts.
fn policy() -> Result<OutboundPolicy, ApiError> {
    let hosts = settings(OUTBOUND_HOSTS_VARIABLE).unwrap_or_default();
    let hosts: Vec<&str> = hosts
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|h| !h.is_empty())
        .collect();
    let trusted = settings(TRUSTED_HOSTS_VARIABLE).unwrap_or_default();
    OutboundPolicy::new(CHECKED_COMPONENT, &hosts, &trusted).map_err(ApiError::internal)
}

/// `PATCH /api/admin/providers/{provider}`: base URL and `api-version`; `null` resets one.
pub fn update(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, actor, kind) = admin_and_provider(req, id)?;
    let body: UpdateProvider = parse_body(req)?;
    let before = stored(&db, kind)?;
    let current = StoredSettings {
        base_url: before.as_ref().and_then(|r| r.overrides.base_url.clone()),
        api_version: before
            .as_ref()
            .and_then(|r| r.overrides.api_version.clone()),
    };
    let patch = SettingsPatch {
        base_url: body.base_url.as_ref().map(Option::as_deref),
        api_version: body.api_version.as_ref().map(Option::as_deref),
    };
    let next =
        rules::apply(kind, &current, &patch, &policy()?).map_err(errors::provider_settings)?;
    let after = providers::set_settings(
        &db,
        kind.as_str(),
        next.base_url.as_deref(),
        next.api_version.as_deref(),
    )
    .map_err(errors::db)?;
    audit_change(
        &db,
        req,
        &actor,
        AuditAction::AdminProviderUpdated,
        kind,
        before.as_ref(),
        Some(&after),
    );
    Ok(json(200, &view(kind, Some(&after))))
}
