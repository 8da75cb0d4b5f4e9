//! The models users may choose (`GET /api/models`, A5) and how a model's provider is reached.

use hub_api::ModelList;
use hub_component::auth::{authenticate, db_error};
use hub_component::{database, json};
use hub_db::Db;
use hub_db::models::{self, Model};
use hub_http::ApiError;
use hub_providers::{
    Decimal, ModelTraits, Prices, ProviderConfig, ProviderError, ProviderKind, resolve_key,
};
use serde_json::json;
use spin_sdk::http::{Request, Response};

use crate::views;

/// `GET /api/models`: the enabled models whose provider is configured (a key, and the base URL
/// where one is needed), and the default one among them.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    authenticate(req, &db)?;
    let configured: Vec<ProviderKind> = ProviderKind::ALL
        .into_iter()
        .filter(|kind| provider_config(*kind, variable).is_ok())
        .collect();
    let items: Vec<Model> = models::list_enabled(&db)
        .map_err(db_error)?
        .into_iter()
        .filter(|m| {
            m.provider
                .parse::<ProviderKind>()
                .is_ok_and(|kind| configured.contains(&kind))
        })
        .collect();
    Ok(json(
        200,
        &ModelList {
            default_model: items
                .iter()
                .find(|m| m.is_default)
                .map(|m| m.model_id.clone()),
            items: items.iter().map(views::model).collect(),
        },
    ))
}

/// The enabled model `id`, or 400 `unknown_model`.
pub fn enabled(db: &dyn Db, id: &str) -> Result<Model, ApiError> {
    models::find_enabled(db, id)
        .map_err(db_error)?
        .ok_or_else(|| unknown_model(id))
}

fn unknown_model(id: &str) -> ApiError {
    let shown: String = id.chars().take(128).collect();
    ApiError::new(
        400,
        "unknown_model",
        format!("the model {shown:?} does not exist or is disabled"),
    )
    .with_details(json!({ "field": "model" }))
}

/// The model of a request: the one asked for, else the chat's, else the default.
pub fn choose(db: &dyn Db, asked: Option<&str>, chat: Option<&str>) -> Result<Model, ApiError> {
    if let Some(id) = asked {
        return enabled(db, id);
    }
    if let Some(id) = chat
        && let Some(model) = models::find_enabled(db, id).map_err(db_error)?
    {
        return Ok(model);
    }
    // The chat's model was disabled meanwhile, or it has none: the default.
    models::find_default(db).map_err(db_error)?.ok_or_else(|| {
        ApiError::new(
            400,
            "unknown_model",
            "no model is enabled as the default; choose a model",
        )
        .with_details(json!({ "field": "model" }))
    })
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
    /// The provider configuration of `model` from the component's variables:
    /// `<provider>_base_url`, the key through [`resolve_key`] (`<provider>_api_key`), and
    /// `azure_openai_api_version`. A provider without a key is a 503 `provider_not_configured`.
    pub fn of(model: Model) -> Result<Self, ApiError> {
        let kind: ProviderKind = model
            .provider
            .parse()
            .map_err(|e: ProviderError| ApiError::internal(e))?;
        let config = provider_config(kind, variable).map_err(|e| not_configured(&e))?;
        let mut traits = ModelTraits::infer(&model.model_id);
        traits.fixed_temperature = !model.supports_temperature;
        let price = |field: &str, text: &str| {
            text.parse::<Decimal>()
                .map_err(|e| ApiError::internal(format!("{field} price {text:?}: {e}")))
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
        .map_err(ApiError::internal)?;
        Ok(Self {
            model,
            kind,
            config,
            traits,
            prices,
        })
    }
}

/// The configuration of provider `kind` from variables read through `read` (blank = unset).
pub fn provider_config(
    kind: ProviderKind,
    read: impl Fn(&str) -> Option<String>,
) -> Result<ProviderConfig, ProviderError> {
    let read = |name: &str| read(name).filter(|v| !v.trim().is_empty());
    let mut config = ProviderConfig::new(kind);
    config.base_url = read(&format!("{}_base_url", kind.as_str()));
    config.api_key = resolve_key(kind, None, read)?;
    if kind == ProviderKind::AzureOpenAi {
        config.api_version = read("azure_openai_api_version");
    }
    // Checks the base URL and the key's characters now rather than mid-request.
    hub_providers::provider(&config)?;
    Ok(config)
}

/// A component variable, `None` when it is not set for this component.
pub fn variable(name: &str) -> Option<String> {
    spin_sdk::variables::get(name).ok()
}

/// The 503 for a provider the hub cannot reach for lack of configuration.
pub fn not_configured(err: &ProviderError) -> ApiError {
    eprintln!("chat: provider not configured: {err}");
    ApiError::new(
        503,
        "provider_not_configured",
        format!("{err}; an administrator has to configure it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_configuration_comes_from_variables() {
        let vars = |name: &str| match name {
            "openai_base_url" => Some("http://127.0.0.1:9/openai/v1".to_owned()),
            "openai_api_key" => Some("sk-test".to_owned()),
            "anthropic_api_key" => Some("  ".to_owned()),
            "azure_openai_base_url" => Some("https://r.openai.azure.com".to_owned()),
            "azure_openai_api_key" => Some("az".to_owned()),
            "azure_openai_api_version" => Some("2024-10-21".to_owned()),
            _ => None,
        };
        let openai = provider_config(ProviderKind::OpenAi, vars).unwrap();
        assert_eq!(
            openai.base_url.as_deref(),
            Some("http://127.0.0.1:9/openai/v1")
        );
        assert_eq!(openai.api_key.unwrap().expose(), "sk-test");
        let azure = provider_config(ProviderKind::AzureOpenAi, vars).unwrap();
        assert_eq!(azure.api_version.as_deref(), Some("2024-10-21"));
        // A blank key is no key.
        assert!(matches!(
            provider_config(ProviderKind::Anthropic, vars),
            Err(ProviderError::MissingKey { .. })
        ));
        // A compatible server without a base URL is not configured.
        assert!(matches!(
            provider_config(ProviderKind::OpenAiCompatible, vars),
            Err(ProviderError::Config { .. })
        ));
        let gemini = provider_config(ProviderKind::Gemini, |name| {
            (name == "gemini_api_key").then(|| "g".to_owned())
        })
        .unwrap();
        assert_eq!(gemini.base_url, None);
    }
}
