//! The models users may choose, and how a model's provider is reached ([`Target`]).

use hub_db::Db;
use hub_db::models::{self, Model, ModelWithProvider};
use hub_db::providers::{self, ProviderOverrides};
use hub_keys::{CipherError, MASTER_KEY_VARIABLE, MasterKeys, SecretString};
use hub_providers::{
    Decimal, ModelTraits, Prices, ProviderConfig, ProviderError, ProviderKind, resolve_key,
};

use crate::{ChatError, ModelId};

/// Where provider settings come from: a function from a variable name (`openai_api_key`,
/// `openai_base_url`, `azure_openai_api_version`, `provider_keys_master_key`) to its value,
/// `None` when unset.
pub trait Settings: Fn(&str) -> Option<String> {}
impl<F: Fn(&str) -> Option<String>> Settings for F {}

/// Decrypts a stored key token with the master keys of [`MASTER_KEY_VARIABLE`] in `settings`.
pub fn decrypt_key(token: &str, settings: &impl Settings) -> Result<SecretString, CipherError> {
    MasterKeys::parse(&settings(MASTER_KEY_VARIABLE).unwrap_or_default())?.decrypt(token)
}

/// The configuration of provider `kind`: what the database stores for it (`stored`, its key
/// decrypted with the master keys) first, then the Spin variables: `<provider>_base_url`, the
/// key through [`resolve_key`] (`<provider>_api_key`) and, for Azure, `azure_openai_api_version`;
/// blank values are unset. A stored key that cannot be decrypted (master key missing or wrong)
/// leaves the variable's key in use; without one, the error names the master-key variable. The
/// base URL and the key's characters are checked now rather than mid-request.
pub fn provider_config(
    kind: ProviderKind,
    stored: &ProviderOverrides,
    settings: &impl Settings,
) -> Result<ProviderConfig, ProviderError> {
    build_config(kind, stored, settings, |token| decrypt_key(token, settings))
}

/// Whether provider `kind` is configured, as [`provider_config`] decides, but counting a stored
/// key without decrypting it (for components that do not hold the master key).
pub fn configured(
    kind: ProviderKind,
    stored: &ProviderOverrides,
    settings: &impl Settings,
) -> bool {
    build_config(kind, stored, settings, |_| {
        Ok(SecretString::new("stored-key-placeholder"))
    })
    .is_ok()
}

fn build_config(
    kind: ProviderKind,
    stored: &ProviderOverrides,
    settings: &impl Settings,
    decrypt: impl FnOnce(&str) -> Result<SecretString, CipherError>,
) -> Result<ProviderConfig, ProviderError> {
    let read = |name: &str| settings(name).filter(|v| !v.trim().is_empty());
    let (stored_key, key_problem) = match stored.encrypted_key.as_deref().map(decrypt) {
        None => (None, None),
        Some(Ok(key)) => (Some(key), None),
        Some(Err(problem)) => (None, Some(problem)),
    };
    let mut config = ProviderConfig::new(kind);
    config.base_url = stored
        .base_url
        .clone()
        .or_else(|| read(&format!("{}_base_url", kind.as_str())));
    config.api_key = match (resolve_key(kind, stored_key, read), key_problem) {
        (Err(ProviderError::MissingKey { .. }), Some(problem)) => {
            return Err(ProviderError::Config {
                provider: kind,
                field: "api_key",
                reason: format!("is stored in the database but cannot be used: {problem}"),
            });
        }
        (result, _) => result?,
    };
    if kind == ProviderKind::AzureOpenAi {
        config.api_version = stored
            .api_version
            .clone()
            .or_else(|| read("azure_openai_api_version"));
    }
    hub_providers::provider(&config)?;
    Ok(config)
}

/// What the database stores for `kind` among `all` (nothing when it has no row).
pub fn overrides_of(all: &[(String, ProviderOverrides)], kind: ProviderKind) -> ProviderOverrides {
    all.iter()
        .find(|(provider, _)| provider == kind.as_str())
        .map(|(_, o)| o.clone())
        .unwrap_or_default()
}

/// The enabled models whose provider is configured, default first among equals as stored.
pub fn offered(db: &dyn Db, settings: &impl Settings) -> Result<Vec<Model>, ChatError> {
    let stored = providers::overrides(db)?;
    let configured: Vec<ProviderKind> = ProviderKind::ALL
        .into_iter()
        .filter(|kind| provider_config(*kind, &overrides_of(&stored, *kind), settings).is_ok())
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

/// The model of a request, with what the database stores for its provider (one query): the one
/// asked for, else the first of `preferred` that is still enabled (the chat's, then its
/// assistant's), else the default.
pub fn choose(
    db: &dyn Db,
    asked: Option<&ModelId>,
    preferred: &[Option<&str>],
) -> Result<ModelWithProvider, ChatError> {
    if let Some(id) = asked {
        return models::find_enabled_with_provider(db, id.as_str())?
            .ok_or_else(|| ChatError::UnknownModel(id.as_str().to_owned()));
    }
    for id in preferred.iter().flatten() {
        if let Some(found) = models::find_enabled_with_provider(db, id)? {
            return Ok(found);
        }
    }
    models::find_default_with_provider(db)?.ok_or(ChatError::NoDefaultModel)
}

/// The provider named `provider` (as stored with a model) and its configuration.
pub fn configured_provider(
    provider: &str,
    stored: &ProviderOverrides,
    settings: &impl Settings,
) -> Result<(ProviderKind, ProviderConfig), ChatError> {
    let kind: ProviderKind = provider
        .parse()
        .map_err(|e: ProviderError| ChatError::ModelConfig(e.to_string()))?;
    let config =
        provider_config(kind, stored, settings).map_err(ChatError::ProviderNotConfigured)?;
    Ok((kind, config))
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
    /// `model` with its provider's configuration: `stored` (the database's), then `settings`.
    pub fn of(
        model: Model,
        stored: &ProviderOverrides,
        settings: &impl Settings,
    ) -> Result<Self, ChatError> {
        let (kind, config) = configured_provider(&model.provider, stored, settings)?;
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

    fn none() -> ProviderOverrides {
        ProviderOverrides::default()
    }

    const MASTER: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

    #[test]
    fn the_database_wins_and_an_unreadable_key_falls_back_or_names_the_variable() {
        let token = MasterKeys::parse(MASTER).unwrap().encrypt("sk-from-db");
        let stored = ProviderOverrides {
            encrypted_key: Some(token),
            base_url: Some("https://db.openai.azure.com".to_owned()),
            api_version: Some("2024-10-21".to_owned()),
        };
        let vars = |master: Option<&'static str>, env_key: Option<&'static str>| {
            move |name: &str| match name {
                MASTER_KEY_VARIABLE => master.map(str::to_owned),
                "azure_openai_api_key" => env_key.map(str::to_owned),
                "azure_openai_base_url" => Some("https://env.openai.azure.com".to_owned()),
                "azure_openai_api_version" => Some("2025-04-01-preview".to_owned()),
                _ => None,
            }
        };
        let kind = ProviderKind::AzureOpenAi;
        let config = provider_config(kind, &stored, &vars(Some(MASTER), Some("sk-env"))).unwrap();
        assert_eq!(config.api_key.unwrap().expose(), "sk-from-db");
        assert_eq!(
            config.base_url.as_deref(),
            Some("https://db.openai.azure.com")
        );
        assert_eq!(config.api_version.as_deref(), Some("2024-10-21"));
        // Nothing stored: the variables.
        let config = provider_config(kind, &none(), &vars(Some(MASTER), Some("sk-env"))).unwrap();
        assert_eq!(config.api_key.unwrap().expose(), "sk-env");
        assert_eq!(
            config.base_url.as_deref(),
            Some("https://env.openai.azure.com")
        );
        // No master key: the variable's key keeps working ...
        let config = provider_config(kind, &stored, &vars(None, Some("sk-env"))).unwrap();
        assert_eq!(config.api_key.unwrap().expose(), "sk-env");
        // ... and without one the error names the master-key variable.
        let other = hub_keys::generate_master_key().unwrap();
        for master in [None, Some("not-a-key"), Some(other.leak() as &'static str)] {
            let err = provider_config(kind, &stored, &vars(master, None)).unwrap_err();
            assert!(err.to_string().contains(MASTER_KEY_VARIABLE), "{err}");
            assert!(!err.to_string().contains("sk-from-db"), "{err}");
            assert!(configured(kind, &stored, &vars(master, None)));
        }
        assert!(!configured(kind, &none(), &vars(None, None)));
    }

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
        let openai = provider_config(ProviderKind::OpenAi, &none(), &vars).unwrap();
        assert_eq!(
            openai.base_url.as_deref(),
            Some("http://127.0.0.1:9/openai/v1")
        );
        assert_eq!(openai.api_key.unwrap().expose(), "sk-test");
        let azure = provider_config(ProviderKind::AzureOpenAi, &none(), &vars).unwrap();
        assert_eq!(azure.api_version.as_deref(), Some("2024-10-21"));
        // A blank key is no key.
        assert!(matches!(
            provider_config(ProviderKind::Anthropic, &none(), &vars),
            Err(ProviderError::MissingKey { .. })
        ));
        // A compatible server without a base URL is not configured.
        assert!(matches!(
            provider_config(ProviderKind::OpenAiCompatible, &none(), &vars),
            Err(ProviderError::Config { .. })
        ));
        let gemini = provider_config(ProviderKind::Gemini, &none(), &|name: &str| {
            (name == "gemini_api_key").then(|| "g".to_owned())
        })
        .unwrap();
        assert_eq!(gemini.base_url, None);
    }
}
