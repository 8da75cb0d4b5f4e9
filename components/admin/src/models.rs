//! `/api/admin/models...`: the model list as admins manage it (`hub_admin_domain::catalog`).

use hub_admin_domain::catalog::{self, ModelPatch, NewModel};
use hub_api::{AdminCreateModel, AdminModelList, AdminModelView, AdminUpdateModel, Money};
use hub_component::audit::{self, AuditAction};
use hub_component::{errors, json, parse_body};
use hub_conversation::models::{configured, overrides_of};
use hub_db::Db;
use hub_db::models::{self, Model};
use hub_db::providers::{self, ProviderOverrides};
use hub_http::ApiError;
use hub_providers::ProviderKind;
use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};

use crate::routes::admin;

/// What the database stores per provider (keys, endpoints).
type Stored = Vec<(String, ProviderOverrides)>;

fn stored(db: &dyn Db) -> Result<Stored, ApiError> {
    providers::overrides(db).map_err(errors::db)
}

/// Whether the provider `name` is configured: a key stored in the database, or in this
/// component's variables (the chat component's), and the endpoint where one is needed.
fn provider_configured(name: &str, stored: &Stored) -> bool {
    name.parse::<ProviderKind>()
        .is_ok_and(|kind| configured(kind, &overrides_of(stored, kind), &hub_component::setting))
}

/// A model as admins see it.
fn view(m: Model, stored: &Stored) -> AdminModelView {
    AdminModelView {
        provider_configured: provider_configured(&m.provider, stored),
        id: m.model_id,
        provider: m.provider,
        display_name: m.display_name,
        enabled: m.enabled,
        is_default: m.is_default,
        input_price_per_million: Money::usd(m.input_price_per_million.0),
        output_price_per_million: Money::usd(m.output_price_per_million.0),
        cached_input_price_per_million: m.cached_input_price_per_million.map(|p| Money::usd(p.0)),
        context_window: m.context_window,
        supports_temperature: m.supports_temperature,
        azure_deployment: m.azure_deployment,
    }
}

/// What the audit log keeps of a model.
fn audited(m: &Model) -> Value {
    json!({
        "provider": m.provider,
        "display_name": m.display_name,
        "enabled": m.enabled,
        "is_default": m.is_default,
        "input_price_per_million": m.input_price_per_million.0,
        "output_price_per_million": m.output_price_per_million.0,
        "cached_input_price_per_million": m.cached_input_price_per_million.as_ref().map(|p| &p.0),
        "context_window": m.context_window,
        "supports_temperature": m.supports_temperature,
        "azure_deployment": m.azure_deployment,
    })
}

/// `GET /api/admin/models`: every model, enabled or not.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let items = models::list_all(&db).map_err(errors::db)?;
    let stored = stored(&db)?;
    Ok(json(
        200,
        &AdminModelList {
            items: items.into_iter().map(|m| view(m, &stored)).collect(),
        },
    ))
}

/// `POST /api/admin/models`: a new model (201).
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let (db, actor) = admin(req)?;
    let body: AdminCreateModel = parse_body(req)?;
    let model = catalog::create(
        &db,
        &NewModel {
            id: &body.id,
            provider: &body.provider,
            display_name: &body.display_name,
            input_price: &body.input_price_per_million,
            output_price: &body.output_price_per_million,
            cached_input_price: body.cached_input_price_per_million.as_deref(),
            context_window: body.context_window,
            supports_temperature: body.supports_temperature,
            azure_deployment: body.azure_deployment.as_deref(),
            enabled: body.enabled,
        },
    )
    .map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminModelCreated,
        Some(model.model_id.clone()),
        json!({ "after": audited(&model) }),
    );
    Ok(json(201, &view(model, &stored(&db)?)))
}

/// `PATCH /api/admin/models/{id}`: change, enable or disable, make the default.
pub fn update(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, actor) = admin(req)?;
    let body: AdminUpdateModel = parse_body(req)?;
    // An id that cannot be a model's names none (and never reaches SQL).
    let id = catalog::model_id(id).map_err(|_| ApiError::not_found("model not found"))?;
    let patch = ModelPatch {
        display_name: body.display_name.as_deref(),
        enabled: body.enabled,
        is_default: body.is_default,
        input_price: body.input_price_per_million.as_deref(),
        output_price: body.output_price_per_million.as_deref(),
        cached_input_price: body
            .cached_input_price_per_million
            .as_ref()
            .map(Option::as_deref),
        context_window: body.context_window,
        supports_temperature: body.supports_temperature,
        azure_deployment: body.azure_deployment.as_ref().map(Option::as_deref),
    };
    let (before, after) = catalog::update(&db, &id, &patch).map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminModelUpdated,
        Some(id),
        json!({ "before": audited(&before), "after": audited(&after) }),
    );
    Ok(json(200, &view(after, &stored(&db)?)))
}
