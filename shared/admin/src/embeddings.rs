//! The embedding models as admins manage them (K9): validated input, one active model at most,
//! and the active one never deleted. Choosing a model (or another dimension for the active one)
//! leaves every file due for the background step, which embeds it again.

use hub_db::Db;
use hub_db::embedding_models::{self, DIMENSIONS, EmbeddingModel};

use crate::AdminError;
use crate::catalog::{display_name, model_id, price};

/// The providers with an embeddings API.
pub const PROVIDERS: [&str; 5] = [
    "openai",
    "gemini",
    "mistral",
    "azure_openai",
    "openai_compatible",
];

/// An embedding model as an admin sends it (`PUT /api/admin/embedding-models/{model_id}`).
#[derive(Debug, Clone, Copy)]
pub struct EmbeddingModelInput<'a> {
    /// The provider's id.
    pub provider: &'a str,
    /// The name shown to people.
    pub display_name: &'a str,
    /// The length of its vectors.
    pub dimension: i32,
    /// USD per million input tokens (a decimal string); `None`: 0.
    pub input_price_per_million: Option<&'a str>,
    /// Azure OpenAI: the deployment.
    pub azure_deployment: Option<&'a str>,
}

/// Checks `input` for model `id` and stores it (new or changed; the active flag stays).
pub fn put(
    db: &dyn Db,
    id: &str,
    input: &EmbeddingModelInput<'_>,
) -> Result<EmbeddingModel, AdminError> {
    let model = check(id, input)?;
    Ok(embedding_models::upsert(db, &model)?)
}

fn check(id: &str, input: &EmbeddingModelInput<'_>) -> Result<EmbeddingModel, AdminError> {
    let model_id = model_id(id)?;
    if !PROVIDERS.contains(&input.provider) {
        return Err(AdminError::invalid(
            "provider",
            format!(
                "must be one of {} (Anthropic and xAI offer no embeddings)",
                PROVIDERS.join(", ")
            ),
        ));
    }
    if !DIMENSIONS.contains(&input.dimension) {
        let sizes: Vec<String> = DIMENSIONS.iter().map(i32::to_string).collect();
        return Err(AdminError::invalid(
            "dimension",
            format!("must be one of {}", sizes.join(", ")),
        ));
    }
    let azure = input.provider == "azure_openai";
    let deployment = match (azure, input.azure_deployment.map(str::trim)) {
        (true, Some(d))
            if !d.is_empty()
                && d.len() <= 64
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) =>
        {
            Some(d.to_owned())
        }
        (true, _) => {
            return Err(AdminError::invalid(
                "azure_deployment",
                "is required for Azure OpenAI: 1-64 characters A-Z a-z 0-9 - _ .",
            ));
        }
        (false, Some(_)) => {
            return Err(AdminError::invalid(
                "azure_deployment",
                "is only for Azure OpenAI",
            ));
        }
        (false, None) => None,
    };
    Ok(EmbeddingModel {
        model_id,
        provider: input.provider.to_owned(),
        display_name: display_name(input.display_name)?,
        dimension: input.dimension,
        input_price_per_million: price(
            "input_price_per_million",
            input.input_price_per_million.unwrap_or("0"),
        )?,
        azure_deployment: deployment,
        active: false,
    })
}

/// Deletes model `id`: not found when unknown, a conflict when it is the active one.
pub fn delete(db: &dyn Db, id: &str) -> Result<(), AdminError> {
    if embedding_models::delete_inactive(db, id)? {
        return Ok(());
    }
    match embedding_models::find(db, id)? {
        Some(_) => Err(AdminError::InUse(
            "the active embedding model cannot be deleted; choose another one or none first",
        )),
        None => Err(AdminError::NotFound("embedding model")),
    }
}

/// Makes model `id` the active one (`None`: none, keyword search only).
pub fn activate(db: &dyn Db, id: Option<&str>) -> Result<(), AdminError> {
    if embedding_models::activate(db, id)? {
        Ok(())
    } else {
        Err(AdminError::NotFound("embedding model"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(provider: &'a str, dimension: i32) -> EmbeddingModelInput<'a> {
        EmbeddingModelInput {
            provider,
            display_name: "Model",
            dimension,
            input_price_per_million: Some("0.02"),
            azure_deployment: None,
        }
    }

    #[test]
    fn every_field_is_checked() {
        let ok = check("nomic-embed-text", &input("openai_compatible", 768)).unwrap();
        assert_eq!((ok.dimension, ok.active), (768, false));
        for (id, input, field) in [
            ("bad id", input("openai", 1536), "id"),
            ("m", input("anthropic", 1536), "provider"),
            ("m", input("openai", 3072), "dimension"),
            ("m", input("azure_openai", 1536), "azure_deployment"),
            (
                "m",
                EmbeddingModelInput {
                    azure_deployment: Some("emb"),
                    ..input("openai", 1536)
                },
                "azure_deployment",
            ),
            (
                "m",
                EmbeddingModelInput {
                    input_price_per_million: Some("-1"),
                    ..input("openai", 1536)
                },
                "input_price_per_million",
            ),
            (
                "m",
                EmbeddingModelInput {
                    display_name: " ",
                    ..input("openai", 1536)
                },
                "display_name",
            ),
        ] {
            match check(id, &input) {
                Err(AdminError::Invalid { field: f, .. }) => assert_eq!(f, field, "{id}"),
                other => panic!("{field}: {other:?}"),
            }
        }
        let azure = EmbeddingModelInput {
            azure_deployment: Some("emb-small"),
            ..input("azure_openai", 1536)
        };
        assert_eq!(
            check("text-embedding-3-small", &azure)
                .unwrap()
                .azure_deployment
                .as_deref(),
            Some("emb-small")
        );
    }
}
