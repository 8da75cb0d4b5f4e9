//! The active embedding model and how texts are embedded with it (K9): one place for the
//! request (the model's id or Azure deployment, and the vector length asked of models that can
//! shorten their vectors), the check of what comes back, and the usage row of each request.
//! The component sends the request (`hub_component::embeddings::embed`).

use std::time::Duration;

use hub_db::embedding_models::{self, EmbeddingModel};
use hub_db::knowledge::QueryEmbedding;
use hub_db::providers::ProviderOverrides;
use hub_db::usage::NewUsage;
use hub_db::{Db, Numeric};
use hub_providers::embeddings::{EmbeddingRequest, EmbeddingResponse};
use hub_providers::{Decimal, Prices, ProviderConfig, ProviderKind, Usage};
use uuid::Uuid;

use crate::ChatError;
use crate::models::{Settings, configured_provider};

/// The active embedding model with its provider's configuration.
#[derive(Debug, Clone)]
pub struct EmbeddingTarget {
    /// The stored configuration.
    pub model: EmbeddingModel,
    /// Its provider.
    pub kind: ProviderKind,
    /// Base URL, key and `api-version` of the provider.
    pub config: ProviderConfig,
    /// Its price (input tokens only).
    pub prices: Prices,
}

/// The active embedding model, configured as chat models are (the database's provider settings
/// first, then the Spin variables); `None` when no model is active (keyword search only).
/// A model whose provider is not configured is an error: the admin chose it, so it is meant to
/// work.
pub fn embedding_target(
    db: &dyn Db,
    settings: &impl Settings,
) -> Result<Option<EmbeddingTarget>, ChatError> {
    embedding_models::active_with_provider(db)?
        .map(|(model, stored)| EmbeddingTarget::of(model, &stored, settings))
        .transpose()
}

impl EmbeddingTarget {
    /// `model` with its provider's configuration.
    pub fn of(
        model: EmbeddingModel,
        stored: &ProviderOverrides,
        settings: &impl Settings,
    ) -> Result<Self, ChatError> {
        let (kind, config) = configured_provider(&model.provider, stored, settings)?;
        let input = model
            .input_price_per_million
            .0
            .parse::<Decimal>()
            .map_err(|e| ChatError::ModelConfig(format!("input price: {e}")))?;
        let prices = Prices::new(input, Decimal::ZERO, None)
            .map_err(|e| ChatError::ModelConfig(e.to_string()))?;
        Ok(Self {
            model,
            kind,
            config,
            prices,
        })
    }

    /// The request that embeds `inputs`.
    pub fn request(&self, inputs: Vec<String>) -> EmbeddingRequest {
        EmbeddingRequest {
            model: self.model.model_id.clone(),
            inputs,
            dimensions: self
                .shortens()
                .then(|| u32::try_from(self.model.dimension).ok())
                .flatten(),
            deployment: self.model.azure_deployment.clone(),
        }
    }

    /// Whether the model is asked for vectors of the configured length: OpenAI's
    /// text-embedding-3 models (also on Azure), Gemini's, Mistral's codestral-embed. Others
    /// (text-embedding-ada-002, mistral-embed, local servers) answer with their own length,
    /// which must then be the configured one.
    fn shortens(&self) -> bool {
        let id = self.model.model_id.as_str();
        match self.kind {
            ProviderKind::OpenAi | ProviderKind::AzureOpenAi => id.starts_with("text-embedding-3"),
            ProviderKind::Gemini => true,
            ProviderKind::Mistral => id.starts_with("codestral-embed"),
            _ => false,
        }
    }

    /// The vectors of `response`, if they have the configured length; otherwise the reason,
    /// for the admin (the model's dimension is set wrong).
    pub fn vectors(&self, response: EmbeddingResponse) -> Result<Vec<Vec<f32>>, String> {
        let want = usize::try_from(self.model.dimension).unwrap_or(0);
        match response.vectors.iter().find(|v| v.len() != want) {
            Some(v) => Err(format!(
                "{} answered with vectors of {} dimensions, but the model is configured with {want}",
                self.model.model_id,
                v.len()
            )),
            None => Ok(response.vectors),
        }
    }

    /// A question's vector, for the search.
    pub fn query(&self, vector: Vec<f32>) -> QueryEmbedding {
        QueryEmbedding {
            model_id: self.model.model_id.clone(),
            vector,
        }
    }

    /// The usage row of one embedding request (of a chat's question when `chat_id` is set, of a
    /// file or a search otherwise): input tokens at the model's price, no output.
    pub fn usage_row(
        &self,
        usage: Usage,
        estimated: bool,
        chat_id: Option<Uuid>,
        message_id: Option<Uuid>,
        latency: Duration,
    ) -> NewUsage<'_> {
        NewUsage {
            chat_id,
            message_id,
            provider: self.kind.as_str(),
            model: &self.model.model_id,
            input_tokens: usage.input,
            output_tokens: 0,
            cached_tokens: 0,
            cost: Numeric(hub_providers::cost(&usage, &self.prices).to_string()),
            latency_ms: Some(u32::try_from(latency.as_millis()).unwrap_or(u32::MAX)),
            ttft_ms: None,
            estimated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str, provider: &str, dimension: i32) -> EmbeddingModel {
        EmbeddingModel {
            model_id: id.into(),
            provider: provider.into(),
            display_name: id.into(),
            dimension,
            input_price_per_million: Numeric("0.02".into()),
            azure_deployment: None,
            active: true,
        }
    }

    fn target(id: &str, provider: &str, dimension: i32) -> EmbeddingTarget {
        let settings = |name: &str| match name {
            "openai_compatible_base_url" => Some("https://llm.example.com/v1".to_owned()),
            _ => name.ends_with("_api_key").then(|| "k".to_owned()),
        };
        EmbeddingTarget::of(
            model(id, provider, dimension),
            &ProviderOverrides::default(),
            &settings,
        )
        .unwrap()
    }

    #[test]
    fn only_models_that_can_shorten_are_asked_for_a_length() {
        for (id, provider, asked) in [
            ("text-embedding-3-small", "openai", Some(1536)),
            ("text-embedding-ada-002", "openai", None),
            ("gemini-embedding-001", "gemini", Some(1536)),
            ("mistral-embed", "mistral", None),
            ("codestral-embed", "mistral", Some(1536)),
            ("nomic-embed-text", "openai_compatible", None),
        ] {
            let request = target(id, provider, 1536).request(vec!["a".into()]);
            assert_eq!(request.dimensions, asked, "{id}");
            assert_eq!(request.model, id);
        }
    }

    #[test]
    fn vectors_of_another_length_are_refused_with_the_reason() {
        let t = target("nomic-embed-text", "openai_compatible", 768);
        let response = |n: usize| EmbeddingResponse {
            vectors: vec![vec![0.0; n]],
            usage: Usage::default(),
            estimated: false,
        };
        assert_eq!(t.vectors(response(768)).unwrap().len(), 1);
        let err = t.vectors(response(1024)).unwrap_err();
        assert!(err.contains("1024") && err.contains("768"), "{err}");
    }

    #[test]
    fn usage_is_charged_at_the_input_price() {
        let t = target("text-embedding-3-small", "openai", 1536);
        let usage = Usage {
            input: 1_000_000,
            output: 0,
            cached: 0,
        };
        let row = t.usage_row(usage, false, None, None, Duration::from_millis(5));
        assert_eq!(row.cost.0, "0.02");
        assert_eq!(
            (row.provider, row.model),
            ("openai", "text-embedding-3-small")
        );
        assert_eq!((row.output_tokens, row.chat_id), (0, None));
    }

    #[test]
    fn an_unconfigured_provider_is_an_error() {
        let err = EmbeddingTarget::of(
            model("mistral-embed", "mistral", 1024),
            &ProviderOverrides::default(),
            &|_: &str| None,
        )
        .unwrap_err();
        assert!(matches!(err, ChatError::ProviderNotConfigured(_)), "{err}");
    }
}
