//! The models users may choose, and how a model's provider is reached ([`Target`]).

use hub_db::Db;
use hub_db::models::{self, Model};
use hub_providers::{
    Decimal, ModelTraits, Prices, ProviderConfig, ProviderError, ProviderKind, resolve_key,
};

use crate::{ChatError, ModelId};

/// Where provider settings come from: a function from a variable name (`openai_api_key`,
/// `openai_base_url`, `azure_openai_api_version`) to its value, `None` when unset.
pub trait Settings: Fn(&str) -> Option<String> {}
impl<F: Fn(&str) -> Option<String>> Settings for F {}

/// The configuration of provider `kind`: `<provider>_base_url`, the key through [`resolve_key`]
/// (`<provider>_api_key`) and, for Azure, `azure_openai_api_version`; blank values are unset.
/// The base URL and the key's characters are checked now rather than mid-request.
pub fn provider_config(
    kind: ProviderKind,
    settings: &impl Settings,
) -> Result<ProviderConfig, ProviderError> {
    let read = |name: &str| settings(name).filter(|v| !v.trim().is_empty());
    let mut config = ProviderConfig::new(kind);
    config.base_url = read(&format!("{}_base_url", kind.as_str()));
    config.api_key = resolve_key(kind, None, read)?;
    if kind == ProviderKind::AzureOpenAi {
        config.api_version = read("azure_openai_api_version");
    }
    hub_providers::provider(&config)?;
    Ok(config)
}

/// The enabled models whose provider is configured, default first among equals as stored.
pub fn offered(db: &dyn Db, settings: &impl Settings) -> Result<Vec<Model>, ChatError> {
    let configured: Vec<ProviderKind> = ProviderKind::ALL
        .into_iter()
        .filter(|kind| provider_config(*kind, settings).is_ok())
        .collect();
    Ok(models::list_enabled(db)?
        .into_iter()
        .filter(|m| {
            m.provider
                .parse::<ProviderKind>()
                .is_ok_and(|kind| configured.contains(&kind))
        })
        .collect())
}

/// The enabled model `id`.
pub fn enabled(db: &dyn Db, id: &ModelId) -> Result<Model, ChatError> {
    models::find_enabled(db, id.as_str())?
        .ok_or_else(|| ChatError::UnknownModel(id.as_str().to_owned()))
}

/// The model of a request: the one asked for, else the chat's (if still enabled), else the
/// default.
pub fn choose(
    db: &dyn Db,
    asked: Option<&ModelId>,
    chat: Option<&str>,
) -> Result<Model, ChatError> {
    if let Some(id) = asked {
        return enabled(db, id);
    }
    if let Some(id) = chat
        && let Some(model) = models::find_enabled(db, id)?
    {
        return Ok(model);
    }
    models::find_default(db)?.ok_or(ChatError::NoDefaultModel)
}

/// A model ready to be asked: its provider, how to reach it, what it accepts and costs.
#[derive(Debug, Clone)]
pub struct Target {
    /// The stored configuration.
    pub model: Model,
    /// Its provider.
    pub kind: ProviderKind,
    /// Base URL, key and `api-version` of the provider.
    pub config: ProviderConfig,
    /// What the model accepts.
    pub traits: ModelTraits,
    /// Its prices.
    pub prices: Prices,
}

impl Target {
    /// `model` with its provider's configuration from `settings`.
    pub fn of(model: Model, settings: &impl Settings) -> Result<Self, ChatError> {
        let kind: ProviderKind = model
            .provider
            .parse()
            .map_err(|e: ProviderError| ChatError::ModelConfig(e.to_string()))?;
        let config = provider_config(kind, settings).map_err(ChatError::ProviderNotConfigured)?;
        let mut traits = ModelTraits::infer(&model.model_id);
        traits.fixed_temperature = !model.supports_temperature;
        let price = |field: &str, text: &str| {
            text.parse::<Decimal>()
                .map_err(|e| ChatError::ModelConfig(format!("{field} price {text:?}: {e}")))
        };
        let prices = Prices::new(
            price("input", &model.input_price_per_million.0)?,
            price("output", &model.output_price_per_million.0)?,
            model
                .cached_input_price_per_million
                .as_ref()
                .map(|p| price("cached input", &p.0))
                .transpose()?,
        )
        .map_err(|e| ChatError::ModelConfig(e.to_string()))?;
        Ok(Self {
            model,
            kind,
            config,
            traits,
            prices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_configuration_comes_from_settings() {
        let vars = |name: &str| match name {
            "openai_base_url" => Some("http://127.0.0.1:9/openai/v1".to_owned()),
            "openai_api_key" => Some("sk-test".to_owned()),
            "anthropic_api_key" => Some("  ".to_owned()),
            "azure_openai_base_url" => Some("https://r.openai.azure.com".to_owned()),
            "azure_openai_api_key" => Some("az".to_owned()),
            "azure_openai_api_version" => Some("2024-10-21".to_owned()),
            _ => None,
        };
        let openai = provider_config(ProviderKind::OpenAi, &vars).unwrap();
        assert_eq!(
            openai.base_url.as_deref(),
            Some("http://127.0.0.1:9/openai/v1")
        );
        assert_eq!(openai.api_key.unwrap().expose(), "sk-test");
        let azure = provider_config(ProviderKind::AzureOpenAi, &vars).unwrap();
        assert_eq!(azure.api_version.as_deref(), Some("2024-10-21"));
        // A blank key is no key.
        assert!(matches!(
            provider_config(ProviderKind::Anthropic, &vars),
            Err(ProviderError::MissingKey { .. })
        ));
        // A compatible server without a base URL is not configured.
        assert!(matches!(
            provider_config(ProviderKind::OpenAiCompatible, &vars),
            Err(ProviderError::Config { .. })
        ));
        let gemini = provider_config(ProviderKind::Gemini, &|name: &str| {
            (name == "gemini_api_key").then(|| "g".to_owned())
        })
        .unwrap();
        assert_eq!(gemini.base_url, None);
    }
}
