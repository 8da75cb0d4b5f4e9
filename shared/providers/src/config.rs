//! Which provider, where it is reached, and with which key.

use std::fmt;
use std::str::FromStr;

use crate::error::ProviderError;
use crate::secret::SecretString;

/// The providers the hub speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// OpenAI's Chat Completions API.
    OpenAi,
    /// Anthropic's Messages API.
    Anthropic,
    /// Google's Gemini API (`generateContent` / `streamGenerateContent`).
    Gemini,
    /// Mistral's chat completions API.
    Mistral,
    /// xAI's (OpenAI-compatible) chat completions API.
    XAi,
    /// Azure OpenAI: chat completions of a deployment, with an `api-version`.
    AzureOpenAi,
    /// Any server with OpenAI's chat completions API (vLLM, Ollama, LM Studio, a gateway).
    OpenAiCompatible,
}

impl ProviderKind {
    /// Every provider, in the order the admin UI lists them.
    pub const ALL: [Self; 7] = [
        Self::OpenAi,
        Self::Anthropic,
        Self::Gemini,
        Self::Mistral,
        Self::XAi,
        Self::AzureOpenAi,
        Self::OpenAiCompatible,
    ];

    /// The stable identifier stored in the database and used in the API (`openai`,
    /// `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`, `openai_compatible`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAi => "openai",
            Self::Anthropic => "anthropic",
            Self::Gemini => "gemini",
            Self::Mistral => "mistral",
            Self::XAi => "xai",
            Self::AzureOpenAi => "azure_openai",
            Self::OpenAiCompatible => "openai_compatible",
        }
    }

    /// The name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::OpenAi => "OpenAI",
            Self::Anthropic => "Anthropic",
            Self::Gemini => "Google Gemini",
            Self::Mistral => "Mistral",
            Self::XAi => "xAI",
            Self::AzureOpenAi => "Azure OpenAI",
            Self::OpenAiCompatible => "OpenAI-compatible server",
        }
    }

    /// The base URL used when none is configured; `None` for Azure OpenAI and
    /// OpenAI-compatible servers, whose URL is always the admin's.
    ///
    /// Base URLs are written as each provider's own SDK takes them: OpenAI-style APIs include
    /// the version (`https://api.openai.com/v1`), Anthropic and Gemini do not.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Self::OpenAi => Some("https://api.openai.com/v1"),
            Self::Anthropic => Some("https://api.anthropic.com"),
            Self::Gemini => Some("https://generativelanguage.googleapis.com"),
            Self::Mistral => Some("https://api.mistral.ai/v1"),
            Self::XAi => Some("https://api.x.ai/v1"),
            Self::AzureOpenAi | Self::OpenAiCompatible => None,
        }
    }

    /// Whether requests need an API key (an OpenAI-compatible server on the local network
    /// often takes none).
    pub fn requires_key(self) -> bool {
        self != Self::OpenAiCompatible
    }

    /// The Spin variable holding the fallback key when none is stored in the database
    /// (`openai_api_key`, ...; `SPIN_VARIABLE_OPENAI_API_KEY` in the environment).
    pub fn key_variable(self) -> &'static str {
        match self {
            Self::OpenAi => "openai_api_key",
            Self::Anthropic => "anthropic_api_key",
            Self::Gemini => "gemini_api_key",
            Self::Mistral => "mistral_api_key",
            Self::XAi => "xai_api_key",
            Self::AzureOpenAi => "azure_openai_api_key",
            Self::OpenAiCompatible => "openai_compatible_api_key",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for ProviderKind {
    type Err = ProviderError;

    /// Parses [`ProviderKind::as_str`]'s identifiers (and `azure` for Azure OpenAI).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "azure" {
            return Ok(Self::AzureOpenAi);
        }
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| ProviderError::UnknownProvider(s.chars().take(64).collect()))
    }
}

/// The API key to use for `kind`, looked up in one place: the key stored in the database
/// (already decrypted) wins; otherwise the Spin variable [`ProviderKind::key_variable`], read
/// through `variable`. Blank keys count as none.
///
/// Returns [`ProviderError::MissingKey`] when a provider that needs a key has none, and `None`
/// for an OpenAI-compatible server without one.
pub fn resolve_key(
    kind: ProviderKind,
    stored: Option<SecretString>,
    variable: impl FnOnce(&str) -> Option<String>,
) -> Result<Option<SecretString>, ProviderError> {
    let key = stored
        .filter(|k| !k.expose().trim().is_empty())
        .or_else(|| {
            variable(kind.key_variable())
                .filter(|k| !k.trim().is_empty())
                .map(SecretString::from)
        });
    match key {
        Some(key) => Ok(Some(key)),
        None if kind.requires_key() => Err(ProviderError::MissingKey { provider: kind }),
        None => Ok(None),
    }
}

/// Azure OpenAI's `api-version` when none is configured: a version that serves GPT-5.x and the
/// o-series (reasoning models need `2024-12-01-preview` or later) and `stream_options`.
pub const AZURE_DEFAULT_API_VERSION: &str = "2025-04-01-preview";

/// How to reach one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// Which provider.
    pub kind: ProviderKind,
    /// Its base URL (`None`: [`ProviderKind::default_base_url`]); for Azure OpenAI the
    /// resource endpoint, `https://<resource>.openai.azure.com`.
    pub base_url: Option<String>,
    /// Its API key (see [`resolve_key`]).
    pub api_key: Option<SecretString>,
    /// Azure OpenAI's `api-version` (`None`: [`AZURE_DEFAULT_API_VERSION`]); ignored elsewhere.
    pub api_version: Option<String>,
}

impl ProviderConfig {
    /// A configuration with the provider's defaults and no key.
    pub fn new(kind: ProviderKind) -> Self {
        Self {
            kind,
            base_url: None,
            api_key: None,
            api_version: None,
        }
    }

    /// Sets the base URL.
    #[must_use]
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sets the API key.
    #[must_use]
    pub fn with_api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets Azure's `api-version`.
    #[must_use]
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The validated base URL: the configured one or the provider's default.
    pub(crate) fn base(&self) -> Result<BaseUrl, ProviderError> {
        match (&self.base_url, self.kind.default_base_url()) {
            (Some(url), _) if !url.trim().is_empty() => BaseUrl::parse(self.kind, url),
            (_, Some(default)) => BaseUrl::parse(self.kind, default),
            (_, None) => Err(ProviderError::config(
                self.kind,
                "base_url",
                "is required for this provider",
            )),
        }
    }

    /// The key, required unless the provider works without one.
    pub(crate) fn key(&self) -> Result<Option<SecretString>, ProviderError> {
        let key = self.api_key.clone().filter(|k| !k.is_empty());
        if key.is_none() && self.kind.requires_key() {
            return Err(ProviderError::MissingKey {
                provider: self.kind,
            });
        }
        Ok(key)
    }
}

/// A validated base URL: `http` or `https`, a host, no query or fragment, no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl(String);

impl BaseUrl {
    pub(crate) fn parse(kind: ProviderKind, raw: &str) -> Result<Self, ProviderError> {
        let trimmed = raw.trim().trim_end_matches('/');
        let invalid = |reason: &str| {
            ProviderError::config(kind, "base_url", format!("{:?} {reason}", shorten(trimmed)))
        };
        if trimmed.contains(['?', '#']) {
            return Err(invalid("must not have a query or fragment"));
        }
        let uri: http::Uri = trimmed.parse().map_err(|_| invalid("is not a valid URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(invalid("must start with http:// or https://")),
        }
        match uri.authority() {
            Some(authority) if !authority.host().is_empty() => {}
            _ => return Err(invalid("has no host")),
        }
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(invalid("must not contain credentials"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// `base + path` (`path` starts with `/`).
    pub(crate) fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// The URL without a trailing `suffix` segment (`/v1`), for APIs whose paths carry the
    /// version themselves.
    pub(crate) fn without_suffix(&self, suffix: &str) -> Self {
        Self(self.0.strip_suffix(suffix).unwrap_or(&self.0).to_owned())
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_ids() {
        for kind in ProviderKind::ALL {
            assert_eq!(kind.as_str().parse::<ProviderKind>().unwrap(), kind);
            assert!(kind.key_variable().ends_with("_api_key"));
            assert!(!kind.display_name().is_empty());
        }
        assert_eq!(
            "azure".parse::<ProviderKind>().unwrap(),
            ProviderKind::AzureOpenAi
        );
        assert!(matches!(
            "openai ".parse::<ProviderKind>(),
            Err(ProviderError::UnknownProvider(s)) if s == "openai "
        ));
    }

    #[test]
    fn base_urls_are_validated_and_normalised() {
        let ok = |raw: &str| BaseUrl::parse(ProviderKind::OpenAi, raw).unwrap().0;
        assert_eq!(
            ok("https://api.openai.com/v1/"),
            "https://api.openai.com/v1"
        );
        assert_eq!(ok(" http://127.0.0.1:8080 "), "http://127.0.0.1:8080");
        assert_eq!(
            ok("https://gateway.example.com/openai/v1"),
            "https://gateway.example.com/openai/v1"
        );
        for bad in [
            "",
            "api.openai.com/v1",
            "ftp://example.com",
            "https://example.com/v1?key=1",
            "https://example.com/#x",
            "https://user:pw@example.com",
            "https:///v1",
            "https://exa mple.com",
        ] {
            match BaseUrl::parse(ProviderKind::OpenAi, bad) {
                Err(ProviderError::Config { field, .. }) => assert_eq!(field, "base_url"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn a_suffix_is_stripped_only_at_the_end() {
        let base = BaseUrl::parse(ProviderKind::Anthropic, "https://api.anthropic.com/v1").unwrap();
        assert_eq!(base.without_suffix("/v1").0, "https://api.anthropic.com");
        let base = BaseUrl::parse(ProviderKind::Anthropic, "https://proxy/v1x").unwrap();
        assert_eq!(base.without_suffix("/v1").0, "https://proxy/v1x");
    }

    #[test]
    fn defaults_apply_and_azure_needs_an_endpoint() {
        let config = ProviderConfig::new(ProviderKind::Mistral);
        assert_eq!(config.base().unwrap().0, "https://api.mistral.ai/v1");
        let config = ProviderConfig::new(ProviderKind::Mistral).with_base_url("  ");
        assert_eq!(config.base().unwrap().0, "https://api.mistral.ai/v1");
        for kind in [ProviderKind::AzureOpenAi, ProviderKind::OpenAiCompatible] {
            assert!(matches!(
                ProviderConfig::new(kind).base(),
                Err(ProviderError::Config {
                    field: "base_url",
                    ..
                })
            ));
        }
    }

    #[test]
    fn the_stored_key_wins_over_the_variable() {
        let stored = Some(SecretString::new("from-db"));
        let key = resolve_key(ProviderKind::OpenAi, stored, |_| Some("from-env".into())).unwrap();
        assert_eq!(key.unwrap().expose(), "from-db");

        let mut asked = None;
        let key = resolve_key(ProviderKind::XAi, Some(SecretString::new(" ")), |name| {
            asked = Some(name.to_owned());
            Some("from-env".into())
        })
        .unwrap();
        assert_eq!(key.unwrap().expose(), "from-env");
        assert_eq!(asked.as_deref(), Some("xai_api_key"));
    }

    #[test]
    fn a_missing_key_is_an_error_except_for_compatible_servers() {
        assert_eq!(
            resolve_key(ProviderKind::Anthropic, None, |_| Some(String::new())),
            Err(ProviderError::MissingKey {
                provider: ProviderKind::Anthropic
            })
        );
        assert_eq!(
            resolve_key(ProviderKind::OpenAiCompatible, None, |_| None),
            Ok(None)
        );
        assert!(matches!(
            ProviderConfig::new(ProviderKind::Gemini).key(),
            Err(ProviderError::MissingKey { .. })
        ));
        assert_eq!(
            ProviderConfig::new(ProviderKind::OpenAiCompatible).key(),
            Ok(None)
        );
    }
}
