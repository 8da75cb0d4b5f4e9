//! Azure OpenAI: Chat Completions of a deployment,
//! `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version={version}`, with
//! the key in the `api-key` header.
//!
//! The deployment (the admin's name for a deployed model) is in the URL, so the body names no
//! model. Reasoning models (GPT-5.x, o-series) take `max_completion_tokens` and only their
//! default temperature, so none is sent; other models get `max_tokens`, which every
//! `api-version` knows. `stream_options.include_usage` is sent for `api-version`s from
//! `2024-09-01` on, which know it. Streams start with a chunk of `prompt_filter_results` and
//! empty `choices`; a content filter ends an answer with `finish_reason: "content_filter"`.
//! Errors are `{"error": {"code", "message", ...}}`.

use http::{HeaderMap, HeaderName, Request};

use crate::Provider;
use crate::chat_completions::{self, ChunkDecoder, Flavor, MaxTokens, openai_error_detail};
use crate::config::{AZURE_DEFAULT_API_VERSION, BaseUrl, ProviderConfig, ProviderKind};
use crate::error::{ProviderError, error_from_response};
use crate::request::{post_json, secret_header};
use crate::secret::SecretString;
use crate::stream::ChatStream;
use crate::types::{ChatRequest, ChatResponse};

static FLAVOR: Flavor = Flavor {
    kind: ProviderKind::AzureOpenAi,
    send_model: false,
    max_tokens: MaxTokens::ByTraits,
    stream_usage: true,
    reasoning_outside_completion: false,
    error_detail: openai_error_detail,
};

/// The first `api-version` that knows `stream_options`.
const STREAM_OPTIONS_SINCE: &str = "2024-09-01";

/// The Azure OpenAI client.
#[derive(Debug)]
pub struct AzureOpenAi {
    endpoint: BaseUrl,
    api_version: String,
    key: SecretString,
}

impl AzureOpenAi {
    /// The client for an Azure OpenAI configuration: the resource endpoint
    /// (`https://<resource>.openai.azure.com`) as base URL, an `api-version` (default
    /// [`AZURE_DEFAULT_API_VERSION`]) and a key.
    pub fn new(config: &ProviderConfig) -> Result<Self, ProviderError> {
        let (endpoint, api_version, key) = settings(config)?;
        Ok(Self {
            endpoint,
            api_version,
            key,
        })
    }

    /// Whether this `api-version` knows `stream_options` (dated versions from 2024-09-01;
    /// undated ones such as `preview` or `latest` are the newest).
    fn knows_stream_options(&self) -> bool {
        let date = self.api_version.get(..10).unwrap_or("");
        let dated = date.len() == 10
            && date.chars().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        !dated || date >= STREAM_OPTIONS_SINCE
    }
}

/// The validated settings of an Azure OpenAI configuration: the resource endpoint
/// (`https://<resource>.openai.azure.com`, without a copied `/openai` path), the `api-version`
/// (default [`AZURE_DEFAULT_API_VERSION`]) and the key. Chat and embeddings share them.
pub(crate) fn settings(
    config: &ProviderConfig,
) -> Result<(BaseUrl, String, SecretString), ProviderError> {
    if config.kind != ProviderKind::AzureOpenAi {
        return Err(ProviderError::config(
            config.kind,
            "kind",
            "is not Azure OpenAI",
        ));
    }
    // An endpoint copied with the `/openai` path still works.
    let endpoint = config.base()?.without_suffix("/openai");
    let api_version = config
        .api_version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(AZURE_DEFAULT_API_VERSION)
        .to_owned();
    let valid = api_version.len() <= 32
        && api_version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !valid {
        return Err(ProviderError::config(
            config.kind,
            "api_version",
            format!(
                "{:?} is not an api-version such as {AZURE_DEFAULT_API_VERSION}",
                api_version.chars().take(40).collect::<String>()
            ),
        ));
    }
    let key = config.key()?.ok_or(ProviderError::MissingKey {
        provider: config.kind,
    })?;
    Ok((endpoint, api_version, key))
}

/// The deployment a request goes to (its `deployment`, else the model id), checked to be one
/// URL path segment.
pub(crate) fn deployment<'a>(
    deployment: Option<&'a str>,
    model: &'a str,
) -> Result<&'a str, ProviderError> {
    let deployment = deployment.unwrap_or(model);
    if deployment.is_empty()
        || !deployment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(ProviderError::invalid_request(
            "deployment",
            format!("{deployment:?} may only contain letters, digits, '-', '_' and '.'"),
        ));
    }
    Ok(deployment)
}

impl Provider for AzureOpenAi {
    fn kind(&self) -> ProviderKind {
        ProviderKind::AzureOpenAi
    }

    fn build_request(&self, request: &ChatRequest) -> Result<Request<Vec<u8>>, ProviderError> {
        request.validate()?;
        let deployment = deployment(request.deployment.as_deref(), &request.model)?;
        let url = self.endpoint.join(&format!(
            "/openai/deployments/{deployment}/chat/completions?api-version={}",
            self.api_version
        ));
        let body = chat_completions::body(&FLAVOR, request, self.knows_stream_options())?;
        let auth = secret_header(FLAVOR.kind, "", &self.key)?;
        post_json(
            FLAVOR.kind,
            &url,
            vec![(HeaderName::from_static("api-key"), auth)],
            body,
            request.stream,
        )
    }

    fn parse_response(&self, body: &[u8]) -> Result<ChatResponse, ProviderError> {
        chat_completions::parse_response(&FLAVOR, body).map_err(|e| e.redacted(Some(&self.key)))
    }

    fn stream(&self) -> ChatStream {
        ChatStream::new(FLAVOR.kind, Box::new(ChunkDecoder::new(&FLAVOR))).with_key(Some(&self.key))
    }

    fn handle_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError {
        error_from_response(
            FLAVOR.kind,
            Some(&self.key),
            status,
            headers,
            body,
            FLAVOR.error_detail,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Message;
    use serde_json::Value;

    fn client(version: Option<&str>) -> AzureOpenAi {
        let mut config = ProviderConfig::new(ProviderKind::AzureOpenAi)
            .with_base_url("https://contoso.openai.azure.com/openai/")
            .with_api_key("azure-key");
        config.api_version = version.map(str::to_owned);
        AzureOpenAi::new(&config).unwrap()
    }

    fn body(request: &http::Request<Vec<u8>>) -> Value {
        serde_json::from_slice(request.body()).unwrap()
    }

    #[test]
    fn the_deployment_and_version_are_in_the_url() {
        let request = ChatRequest::new("gpt-5-mini", vec![Message::user("Hi")])
            .with_deployment("prod-gpt5-mini");
        let http = client(Some("2024-12-01-preview"))
            .build_request(&request)
            .unwrap();
        assert_eq!(
            http.uri(),
            "https://contoso.openai.azure.com/openai/deployments/prod-gpt5-mini/chat/completions?api-version=2024-12-01-preview"
        );
        assert_eq!(http.headers()["api-key"], "azure-key");
        assert!(http.headers()["api-key"].is_sensitive());
        assert!(http.headers().get("authorization").is_none());
        assert!(body(&http).get("model").is_none());
    }

    #[test]
    fn gpt5_gets_max_completion_tokens_and_no_temperature() {
        let request = ChatRequest::new("gpt-5", vec![Message::user("Hi")])
            .with_temperature(0.7)
            .with_max_output_tokens(2048);
        let json = body(&client(None).build_request(&request).unwrap());
        assert_eq!(json["max_completion_tokens"], 2048);
        assert!(json.get("max_tokens").is_none());
        assert!(json.get("temperature").is_none());

        let request = ChatRequest::new("gpt-4o", vec![Message::user("Hi")])
            .with_temperature(0.7)
            .with_max_output_tokens(2048);
        let json = body(&client(None).build_request(&request).unwrap());
        assert_eq!(json["max_tokens"], 2048);
        assert_eq!(json["temperature"], 0.7);
    }

    #[test]
    fn stream_options_only_for_versions_that_know_them() {
        let request = ChatRequest::new("gpt-4o", vec![Message::user("Hi")]);
        for (version, expected) in [
            ("2024-02-01", false),
            ("2024-08-01-preview", false),
            ("2024-09-01-preview", true),
            ("2024-10-21", true),
            ("2025-04-01-preview", true),
            ("preview", true),
        ] {
            let json = body(&client(Some(version)).build_request(&request).unwrap());
            assert_eq!(json.get("stream_options").is_some(), expected, "{version}");
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let config = ProviderConfig::new(ProviderKind::AzureOpenAi)
            .with_base_url("https://contoso.openai.azure.com")
            .with_api_key("k")
            .with_api_version("2024-10-21&x=1");
        assert!(matches!(
            AzureOpenAi::new(&config),
            Err(ProviderError::Config {
                field: "api_version",
                ..
            })
        ));
        let request =
            ChatRequest::new("gpt-4o", vec![Message::user("Hi")]).with_deployment("../admin");
        assert!(matches!(
            client(None).build_request(&request),
            Err(ProviderError::InvalidRequest {
                field: "deployment",
                ..
            })
        ));
    }
}
