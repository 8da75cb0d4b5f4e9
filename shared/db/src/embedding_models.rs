//! `embedding_models`: the embedding models admins choose from, and the active one (K9).

use crate::providers::ProviderOverrides;
use crate::{Db, DbError, Numeric, Param, Row};

/// The vector lengths the hub indexes (the partial HNSW indexes of `knowledge_chunks`).
pub const DIMENSIONS: [i32; 6] = [256, 384, 512, 768, 1024, 1536];

/// A configured embedding model.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingModel {
    /// The hub's id (for every provider but Azure OpenAI also the provider's).
    pub model_id: String,
    /// The provider's id (`openai`, `gemini`, `mistral`, `azure_openai`, `openai_compatible`).
    pub provider: String,
    /// The name shown to people.
    pub display_name: String,
    /// The length of its vectors as stored (one of [`DIMENSIONS`]).
    pub dimension: i32,
    /// USD per million input tokens.
    pub input_price_per_million: Numeric,
    /// Azure OpenAI only: the deployment that serves it.
    pub azure_deployment: Option<String>,
    /// Whether files and questions are embedded with it.
    pub active: bool,
}

impl EmbeddingModel {
    fn from_row(row: &Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            model_id: row.get("model_id")?,
            provider: row.get("provider")?,
            display_name: row.get("display_name")?,
            dimension: row.get("dimension")?,
            input_price_per_million: row.get("input_price_per_million")?,
            azure_deployment: row.get("azure_deployment")?,
            active: row.get("active")?,
        })
    }
}

const COLUMNS: &str = "model_id, provider, display_name, dimension, input_price_per_million, \
     azure_deployment, active";

/// Every embedding model, the active one first, then by provider and name.
pub fn list(db: &dyn Db) -> Result<Vec<EmbeddingModel>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM embedding_models ORDER BY active DESC, provider, display_name, model_id"
    );
    db.query(&sql, &[])?
        .iter()
        .map(|row| EmbeddingModel::from_row(&row))
        .collect()
}

/// The embedding model `model_id`.
pub fn find(db: &dyn Db, model_id: &str) -> Result<Option<EmbeddingModel>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM embedding_models WHERE model_id = $1");
    db.query(&sql, &[model_id.into()])?
        .first()
        .map(|row| EmbeddingModel::from_row(&row))
        .transpose()
}

/// The active embedding model with the overrides stored for its provider (key, base URL, API
/// version), read in one query; `None` when no model is active (keyword search only).
pub fn active_with_provider(
    db: &dyn Db,
) -> Result<Option<(EmbeddingModel, ProviderOverrides)>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS}, encrypted_key, base_url, api_version \
         FROM embedding_models LEFT JOIN provider_credentials USING (provider) WHERE active"
    );
    db.query(&sql, &[])?
        .first()
        .map(|row| {
            Ok((
                EmbeddingModel::from_row(&row)?,
                ProviderOverrides::from_row(&row)?,
            ))
        })
        .transpose()
}

/// Adds or changes the model `model.model_id` (its `active` flag stays as stored; a new model
/// is inactive); the model after the write.
pub fn upsert(db: &dyn Db, model: &EmbeddingModel) -> Result<EmbeddingModel, DbError> {
    let sql = format!(
        r#"
INSERT INTO embedding_models
    (model_id, provider, display_name, dimension, input_price_per_million, azure_deployment)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (model_id) DO UPDATE SET
    provider = EXCLUDED.provider, display_name = EXCLUDED.display_name,
    dimension = EXCLUDED.dimension, input_price_per_million = EXCLUDED.input_price_per_million,
    azure_deployment = EXCLUDED.azure_deployment, updated_at = now()
RETURNING {COLUMNS}"#
    );
    let rows = db.query(
        &sql,
        &[
            model.model_id.as_str().into(),
            model.provider.as_str().into(),
            model.display_name.as_str().into(),
            Param::Int32(model.dimension),
            model.input_price_per_million.clone().into(),
            model.azure_deployment.as_deref().into(),
        ],
    )?;
    rows.first()
        .map(|row| EmbeddingModel::from_row(&row))
        .transpose()?
        .ok_or_else(|| DbError::Other("INSERT INTO embedding_models returned no row".into()))
}

/// Deletes the inactive model `model_id`; whether it was deleted (`false`: unknown or active).
pub fn delete_inactive(db: &dyn Db, model_id: &str) -> Result<bool, DbError> {
    let sql = "DELETE FROM embedding_models WHERE model_id = $1 AND NOT active";
    Ok(db.execute(sql, &[model_id.into()])? == 1)
}

/// Makes `model_id` the active model (`None`: none, keyword search only) in one transaction
/// with the reset of every file's failed attempts, so that the background step embeds all
/// files whose vectors are not of the new model. Whether the model exists (always `true` for
/// `None`).
pub fn activate(db: &dyn Db, model_id: Option<&str>) -> Result<bool, DbError> {
    crate::transaction(db, |tx| {
        tx.execute(
            "LOCK TABLE embedding_models IN SHARE ROW EXCLUSIVE MODE",
            &[],
        )?;
        if let Some(id) = model_id
            && find(tx, id)?.is_none()
        {
            return Ok(false);
        }
        tx.execute(
            "UPDATE embedding_models SET active = false, updated_at = now() \
             WHERE active AND model_id IS DISTINCT FROM $1",
            &[model_id.into()],
        )?;
        if let Some(id) = model_id {
            tx.execute(
                "UPDATE embedding_models SET active = true, updated_at = now() \
                 WHERE model_id = $1 AND NOT active",
                &[id.into()],
            )?;
        }
        tx.execute(
            "UPDATE knowledge_files SET embed_attempts = 0, embed_error = NULL, embed_after = NULL \
             WHERE embed_attempts > 0 OR embed_after IS NOT NULL",
            &[],
        )?;
        Ok(true)
    })
}
