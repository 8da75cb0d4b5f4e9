//! `GET /api/knowledge/status`: how searches and answers find passages now.

use hub_api::{ActiveEmbeddingModel, KnowledgeStatus, SearchMode};
use hub_component::auth::authenticate;
use hub_component::{database, errors, json};
use hub_db::embedding_models;
use hub_http::ApiError;
use spin_sdk::http::{Request, Response};

/// Any signed-in user: the active embedding model, if any.
pub fn get(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    authenticate(req, &db)?;
    let active = embedding_models::active_with_provider(&db)
        .map_err(errors::db)?
        .map(|(m, _)| ActiveEmbeddingModel {
            model_id: m.model_id,
            display_name: m.display_name,
            dimension: m.dimension,
        });
    Ok(json(
        200,
        &KnowledgeStatus {
            mode: if active.is_some() {
                SearchMode::Hybrid
            } else {
                SearchMode::Keyword
            },
            embedding_model: active,
        },
    ))
}
