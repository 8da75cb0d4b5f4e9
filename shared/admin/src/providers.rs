//! The provider settings admins store (P1, P4): a provider key, Azure OpenAI's endpoint and
//! `api-version`, an OpenAI-compatible server's base URL. The rules for what may be stored; the
//! `keys` component encrypts, stores and tests.
//!
//! A base URL passes the outbound policy ([`hub_keys::OutboundPolicy`]) before it is stored; only
//! Azure OpenAI and OpenAI-compatible servers have a base URL here (the other providers'
//! `<provider>_base_url` variables stay the operator's), only Azure OpenAI an `api-version`.

use hub_keys::{OutboundError, OutboundPolicy};
use hub_providers::ProviderKind;

use crate::AdminError;

/// The longest key accepted, in characters.
pub const MAX_KEY_CHARS: usize = 1000;

/// The longest `api-version`, in characters.
pub const MAX_API_VERSION_CHARS: usize = 32;

/// The provider a path names: exactly one of [`ProviderKind::as_str`]'s ids, else not found.
pub fn provider(id: &str) -> Result<ProviderKind, AdminError> {
    ProviderKind::ALL
        .into_iter()
        .find(|kind| kind.as_str() == id)
        .ok_or(AdminError::NotFound("provider"))
}

/// Whether admins may set the base URL of `kind` here.
pub fn has_base_url(kind: ProviderKind) -> bool {
    matches!(
        kind,
        ProviderKind::AzureOpenAi | ProviderKind::OpenAiCompatible
    )
}

/// Whether `kind` has an `api-version`.
pub fn has_api_version(kind: ProviderKind) -> bool {
    kind == ProviderKind::AzureOpenAi
}

/// A provider key as entered: surrounding whitespace removed, 1 to [`MAX_KEY_CHARS`] printable
/// ASCII characters without spaces (every provider's keys are). The reasons never quote it.
pub fn api_key(text: &str) -> Result<&str, AdminError> {
    let key = text.trim();
    let invalid = |reason: &str| AdminError::invalid("api_key", reason);
    if key.is_empty() {
        return Err(invalid("is required"));
    }
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(invalid(&format!(
            "is longer than {MAX_KEY_CHARS} characters"
        )));
    }
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(invalid(
            "may hold only printable ASCII characters without spaces",
        ));
    }
    Ok(key)
}

/// An `api-version` as entered: `2024-10-21`, `2025-04-01-preview`, `preview`.
pub fn api_version(text: &str) -> Result<String, AdminError> {
    let version = text.trim();
    let valid = !version.is_empty()
        && version.len() <= MAX_API_VERSION_CHARS
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if valid {
        Ok(version.to_owned())
    } else {
        Err(AdminError::invalid(
            "api_version",
            "is not an api-version such as 2024-10-21 or 2025-04-01-preview (letters, digits, \
             `-` and `.`, at most 32 characters)",
        ))
    }
}

/// A change of the stored settings: each field left out (`None`), reset (`Some(None)`: the
/// Spin variable applies again) or set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsPatch<'a> {
    /// The base URL.
    pub base_url: Option<Option<&'a str>>,
    /// The `api-version`.
    pub api_version: Option<Option<&'a str>>,
}

/// The stored settings of a provider: base URL and `api-version`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The base URL (normalised by the outbound policy).
    pub base_url: Option<String>,
    /// The `api-version`.
    pub api_version: Option<String>,
}

/// Why a settings change is refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A field is invalid or does not apply to the provider.
    #[error(transparent)]
    Invalid(#[from] AdminError),
    /// The base URL breaks the outbound policy (the message names the spin.toml entry or the
    /// variable to change where that is the way out).
    #[error("{0}")]
    UnsafeUrl(OutboundError),
}

/// `current` with `patch` applied, for provider `kind`; a new base URL must pass `policy`. An
/// empty patch is refused.
pub fn apply(
    kind: ProviderKind,
    current: &Settings,
    patch: &SettingsPatch<'_>,
    policy: &OutboundPolicy,
) -> Result<Settings, SettingsError> {
    if patch.base_url.is_none() && patch.api_version.is_none() {
        return Err(AdminError::invalid(
            "base_url",
            "nothing to change: name base_url or api_version",
        )
        .into());
    }
    let mut after = current.clone();
    if let Some(base_url) = patch.base_url {
        if !has_base_url(kind) {
            return Err(AdminError::invalid(
                "base_url",
                format!(
                    "{} has no base URL setting here (only azure_openai and openai_compatible; \
                     the others use the Spin variable {}_base_url)",
                    kind.as_str(),
                    kind.as_str()
                ),
            )
            .into());
        }
        after.base_url = base_url
            .map(|url| policy.validate(url).map(hub_keys::SafeBaseUrl::into_string))
            .transpose()
            .map_err(SettingsError::UnsafeUrl)?;
    }
    if let Some(version) = patch.api_version {
        if !has_api_version(kind) {
            return Err(AdminError::invalid(
                "api_version",
                format!("{} has no api-version (only azure_openai)", kind.as_str()),
            )
            .into());
        }
        after.api_version = version.map(api_version).transpose()?;
    }
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> OutboundPolicy {
        OutboundPolicy::new(
            "chat",
            &["https://*.openai.azure.com", "http://127.0.0.1:8080"],
            "127.0.0.1",
        )
        .unwrap()
    }

    fn field(err: SettingsError) -> &'static str {
        match err {
            SettingsError::Invalid(AdminError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn providers_are_named_by_their_exact_ids() {
        assert_eq!(provider("azure_openai").unwrap(), ProviderKind::AzureOpenAi);
        for bad in ["azure", "OpenAI", "", "openai ", "x"] {
            assert!(
                matches!(provider(bad), Err(AdminError::NotFound(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_are_trimmed_bounded_and_never_quoted() {
        assert_eq!(api_key("  sk-abc\n").unwrap(), "sk-abc");
        let long = "k".repeat(MAX_KEY_CHARS + 1);
        for bad in ["", "  ", long.as_str(), "sk secret", "sk-\u{7f}x", "sk-ü"] {
            let err = api_key(bad).unwrap_err();
            assert!(matches!(
                err,
                AdminError::Invalid {
                    field: "api_key",
                    ..
                }
            ));
            if bad.len() > 3 {
                assert!(!err.to_string().contains(bad.trim()), "{err}");
            }
        }
        assert!(api_key(&"k".repeat(MAX_KEY_CHARS)).is_ok());
    }

    #[test]
    fn settings_apply_per_provider_and_pass_the_outbound_policy() {
        let current = Settings::default();
        let azure = ProviderKind::AzureOpenAi;
        let after = apply(
            azure,
            &current,
            &SettingsPatch {
                base_url: Some(Some("https://Res.openai.azure.com/")),
                api_version: Some(Some(" 2024-10-21 ")),
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(
            after.base_url.as_deref(),
            Some("https://res.openai.azure.com")
        );
        assert_eq!(after.api_version.as_deref(), Some("2024-10-21"));
        // Reset one, keep the other.
        let reset = apply(
            azure,
            &after,
            &SettingsPatch {
                base_url: Some(None),
                api_version: None,
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(reset.base_url, None);
        assert_eq!(reset.api_version.as_deref(), Some("2024-10-21"));
        // A trusted internal server over http.
        let compatible = apply(
            ProviderKind::OpenAiCompatible,
            &current,
            &SettingsPatch {
                base_url: Some(Some("http://127.0.0.1:8080/v1")),
                api_version: None,
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(
            compatible.base_url.as_deref(),
            Some("http://127.0.0.1:8080/v1")
        );

        let patch = |base_url, api_version| SettingsPatch {
            base_url,
            api_version,
        };
        assert_eq!(
            field(apply(azure, &current, &patch(None, None), &policy()).unwrap_err()),
            "base_url"
        );
        assert_eq!(
            field(
                apply(
                    ProviderKind::OpenAi,
                    &current,
                    &patch(Some(Some("https://a.openai.azure.com")), None),
                    &policy()
                )
                .unwrap_err()
            ),
            "base_url"
        );
        assert_eq!(
            field(
                apply(
                    ProviderKind::OpenAiCompatible,
                    &current,
                    &patch(None, Some(Some("2024-10-21"))),
                    &policy()
                )
                .unwrap_err()
            ),
            "api_version"
        );
        assert_eq!(
            field(
                apply(
                    azure,
                    &current,
                    &patch(None, Some(Some("2024-10-21&x=1"))),
                    &policy()
                )
                .unwrap_err()
            ),
            "api_version"
        );
        for (url, reason) in [
            ("https://169.254.169.254", "metadata"),
            ("https://evil.example.com", "not_allowed_outbound"),
            ("http://res.openai.azure.com", "insecure_scheme"),
            ("https://user:pw@res.openai.azure.com", "credentials"),
        ] {
            match apply(azure, &current, &patch(Some(Some(url)), None), &policy()) {
                Err(SettingsError::UnsafeUrl(e)) => {
                    assert_eq!(e.reason(), reason, "{url}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
