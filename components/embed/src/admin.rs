//! `/api/admin/embedding-models...`: the embedding models as admins manage them. Every change
//! is audited.

use hub_admin_domain::embeddings::{self, EmbeddingModelInput};
use hub_api::{EmbeddingModelView, Page, PutEmbeddingModel};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::admin;
use hub_component::{errors, json, no_content, parse_body};
use hub_db::embedding_models::{self, EmbeddingModel};
use hub_http::ApiError;
use serde_json::json;
use spin_sdk::http::{Request, Response};

fn view(m: EmbeddingModel) -> EmbeddingModelView {
    EmbeddingModelView {
        model_id: m.model_id,
        provider: m.provider,
        display_name: m.display_name,
        dimension: m.dimension,
        input_price_per_million: m.input_price_per_million.0,
        azure_deployment: m.azure_deployment,
        active: m.active,
    }
}

/// `GET`: every embedding model, the active one first.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let items = embedding_models::list(&db).map_err(errors::db)?;
    Ok(json(
        200,
        &Page {
            items: items.into_iter().map(view).collect(),
            next_cursor: None,
        },
    ))
}

/// `PUT .../{model_id}`: adds or changes a model.
pub fn put(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, user) = admin(req)?;
    let body: PutEmbeddingModel = parse_body(req)?;
    let before = embedding_models::find(&db, id).map_err(errors::db)?;
    let input = EmbeddingModelInput {
        provider: &body.provider,
        display_name: &body.display_name,
        dimension: body.dimension,
        input_price_per_million: body.input_price_per_million.as_deref(),
        azure_deployment: body.azure_deployment.as_deref(),
    };
    let model = embeddings::put(&db, id, &input).map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(user.user_id),
        AuditAction::AdminEmbeddingModelUpdated,
        Some(model.model_id.clone()),
        json!({
            "operation": if before.is_some() { "update" } else { "create" },
            "before": before.map(|m| details(&m)),
            "after": details(&model),
        }),
    );
    Ok(json(200, &view(model)))
}

/// `DELETE .../{model_id}`: deletes an inactive model.
pub fn delete(req: &Request, id: &str) -> Result<Response, ApiError> {
    let (db, user) = admin(req)?;
    embeddings::delete(&db, id).map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(user.user_id),
        AuditAction::AdminEmbeddingModelUpdated,
        Some(id.to_owned()),
        json!({ "operation": "delete" }),
    );
    Ok(no_content())
}

/// `POST .../{model_id}/activate` and `.../deactivate`: the model files and questions are
/// embedded with (`None`: keyword search only). The answer is the model list.
pub fn activate(req: &Request, id: Option<&str>) -> Result<Response, ApiError> {
    let (db, user) = admin(req)?;
    let before = embedding_models::active_with_provider(&db)
        .map_err(errors::db)?
        .map(|(m, _)| m.model_id);
    embeddings::activate(&db, id).map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(user.user_id),
        AuditAction::AdminEmbeddingModelUpdated,
        id.map(str::to_owned),
        json!({ "operation": "activate", "before": before, "after": id }),
    );
    list(req)
}

fn details(m: &EmbeddingModel) -> serde_json::Value {
    json!({
        "provider": m.provider,
        "display_name": m.display_name,
        "dimension": m.dimension,
        "input_price_per_million": m.input_price_per_million.0,
        "azure_deployment": m.azure_deployment,
    })
}
