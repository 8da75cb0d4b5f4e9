//! Embedding clients: texts in, one vector per text out, as plain request building and
//! response parsing like the chat clients (the component sends the requests).
//!
//! | provider | request | key |
//! |---|---|---|
//! | OpenAI | `POST {base}/embeddings` (`https://api.openai.com/v1/embeddings`), `{"model", "input": [..], "encoding_format": "float", "dimensions"?}` | `Authorization: Bearer` |
//! | Azure OpenAI | `POST {endpoint}/openai/deployments/{deployment}/embeddings?api-version=..`, `{"input": [..], "dimensions"?}` | `api-key` |
//! | Gemini | `POST {base}/v1beta/models/{model}:batchEmbedContents`, `{"requests": [{"model": "models/{model}", "content": {"parts": [{"text"}]}, "outputDimensionality"?}]}` | `x-goog-api-key` |
//! | Mistral | `POST {base}/embeddings` (`https://api.mistral.ai/v1/embeddings`), `{"model", "input": [..], "output_dimension"?}` | `Authorization: Bearer` |
//! | OpenAI-compatible | `POST {base}/embeddings` (Ollama's and text-embeddings-inference's `/v1`), `{"model", "input": [..], "dimensions"?}` | `Authorization: Bearer`, when a key is set |
//!
//! The OpenAI-shaped answers are `{"data": [{"index", "embedding": [..]}], "usage":
//! {"prompt_tokens"}}` (put in input order by `index`); Gemini's is `{"embeddings": [{"values":
//! [..]}]}` in input order and reports no usage, so its input tokens are estimated (a token per
//! four bytes, rounded up, as the chat's prompt budget counts them) and the response says so
//! ([`EmbeddingResponse::estimated`]); so are those of a compatible server that reports none.
//! Anthropic and xAI have no embeddings API. Error answers are read by each provider's own
//! error handling, the chat clients'.
//!
//! Every answer is checked: exactly one vector per input, all of one dimension (the requested
//! one, when the request names it), finite numbers.

use std::ops::Range;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{BaseUrl, ProviderConfig, ProviderKind};
use crate::error::{ErrorDetail, ProviderError, error_from_response};
use crate::request::{post_json, secret_header, to_json};
use crate::secret::SecretString;
use crate::types::{Usage, check_id};
use crate::{azure, chat_completions, compatible, gemini, mistral, openai};

/// The largest dimension a request may ask for (pgvector's limit for a `vector`).
pub const MAX_DIMENSIONS: u32 = 16_000;

/// Texts to embed with one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingRequest {
    /// The model id (`text-embedding-3-small`, `gemini-embedding-001`, `mistral-embed`, ...).
    pub model: String,
    /// The texts, none of them blank; at most [`max_batch`] per request.
    pub inputs: Vec<String>,
    /// The dimension to ask for (models that can shorten their vectors); `None`: the model's
    /// own.
    pub dimensions: Option<u32>,
    /// Azure OpenAI's deployment (`None`: the model id); ignored elsewhere.
    pub deployment: Option<String>,
}

impl EmbeddingRequest {
    /// A request for `inputs` with the model's own dimension.
    pub fn new(model: impl Into<String>, inputs: Vec<String>) -> Self {
        Self {
            model: model.into(),
            inputs,
            dimensions: None,
            deployment: None,
        }
    }

    /// Asks for vectors of `dimensions`.
    #[must_use]
    pub fn with_dimensions(mut self, dimensions: u32) -> Self {
        self.dimensions = Some(dimensions);
        self
    }

    /// Sets Azure's deployment.
    #[must_use]
    pub fn with_deployment(mut self, deployment: impl Into<String>) -> Self {
        self.deployment = Some(deployment.into());
        self
    }

    /// The same request for the inputs in `range` (one batch of [`batches`]).
    pub fn batch(&self, range: Range<usize>) -> Self {
        Self {
            model: self.model.clone(),
            inputs: self.inputs.get(range).unwrap_or_default().to_vec(),
            dimensions: self.dimensions,
            deployment: self.deployment.clone(),
        }
    }

    /// Checks what every provider needs, whatever the number of inputs: a model id, at least
    /// one input, no blank input, a dimension in `1..=MAX_DIMENSIONS`.
    pub fn validate(&self) -> Result<(), ProviderError> {
        check_id("model", &self.model)?;
        if let Some(deployment) = &self.deployment {
            check_id("deployment", deployment)?;
        }
        if self.inputs.is_empty() {
            return Err(ProviderError::invalid_request("inputs", "is empty"));
        }
        if let Some(i) = self.inputs.iter().position(|t| t.trim().is_empty()) {
            return Err(ProviderError::invalid_request(
                "inputs",
                format!("has a blank text at position {i}"),
            ));
        }
        if let Some(d) = self.dimensions
            && !(1..=MAX_DIMENSIONS).contains(&d)
        {
            return Err(ProviderError::invalid_request(
                "dimensions",
                format!("{d} is outside 1..={MAX_DIMENSIONS}"),
            ));
        }
        Ok(())
    }

    /// The input tokens estimated from the texts' length: a token per four bytes of each
    /// text, rounded up.
    pub fn estimated_tokens(&self) -> u64 {
        self.inputs
            .iter()
            .map(|text| estimate_tokens(text.len()))
            .fold(0, u64::saturating_add)
    }
}

fn estimate_tokens(bytes: usize) -> u64 {
    u64::try_from(bytes.div_ceil(4)).unwrap_or(u64::MAX)
}

/// The vectors of an [`EmbeddingRequest`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbeddingResponse {
    /// One vector per input, in the inputs' order, all of one dimension.
    pub vectors: Vec<Vec<f32>>,
    /// The input tokens (`output` and `cached` are 0).
    pub usage: Usage,
    /// Whether `usage` is an estimate, because the provider reported none.
    pub estimated: bool,
}

impl EmbeddingResponse {
    /// The vectors' dimension (`None` without vectors).
    pub fn dimension(&self) -> Option<usize> {
        self.vectors.first().map(Vec::len)
    }

    /// Adds the answer of the next batch: its vectors after these, its usage to this one.
    /// Fails when its vectors have another dimension.
    pub fn append(
        &mut self,
        provider: ProviderKind,
        next: EmbeddingResponse,
    ) -> Result<(), ProviderError> {
        if let (Some(mine), Some(theirs)) = (self.dimension(), next.dimension())
            && mine != theirs
        {
            return Err(ProviderError::invalid_response(
                provider,
                format!("one batch has vectors of dimension {mine}, another of {theirs}"),
            ));
        }
        self.vectors.extend(next.vectors);
        self.usage.input = self.usage.input.saturating_add(next.usage.input);
        self.estimated |= next.estimated;
        Ok(())
    }
}

/// One provider's embedding client: request building and response parsing, all pure.
pub trait Embedder {
    /// Which provider this is.
    fn kind(&self) -> ProviderKind;

    /// The HTTP request for `request` (its key header marked sensitive). Fails if the request
    /// is invalid ([`EmbeddingRequest::validate`]) or has more than [`max_batch`] inputs.
    fn build_request(&self, request: &EmbeddingRequest) -> Result<Request<Vec<u8>>, ProviderError>;

    /// Reads a successful answer to `request`: the vectors in input order. Fails unless there
    /// is exactly one vector per input, all of one dimension (the requested one, if any), of
    /// finite numbers.
    fn parse_response(
        &self,
        request: &EmbeddingRequest,
        body: &[u8],
    ) -> Result<EmbeddingResponse, ProviderError>;

    /// The error for an answer with a non-success `status`, read as the chat client of the
    /// same provider reads it.
    fn handle_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError;
}

/// The embedding client for `config`: checks the base URL, the key and (Azure) the
/// `api-version`. Anthropic and xAI have no embeddings API: a configuration error.
pub fn embedder(config: &ProviderConfig) -> Result<Box<dyn Embedder>, ProviderError> {
    let kind = config.kind;
    let openai_style = |error_detail, dimensions, encoding_format| -> Result<_, ProviderError> {
        let base: BaseUrl = config.base()?;
        Ok(Client {
            kind,
            target: Target::OpenAi {
                url: base.join("/embeddings"),
                dimensions,
                encoding_format,
            },
            key: config.key()?,
            error_detail,
        })
    };
    let client = match kind {
        ProviderKind::OpenAi => {
            openai_style(openai::FLAVOR.error_detail, Dimensions::Dimensions, true)?
        }
        ProviderKind::Mistral => openai_style(
            mistral::FLAVOR.error_detail,
            Dimensions::OutputDimension,
            false,
        )?,
        ProviderKind::OpenAiCompatible => openai_style(
            compatible::FLAVOR.error_detail,
            Dimensions::Dimensions,
            false,
        )?,
        ProviderKind::AzureOpenAi => {
            let (endpoint, api_version, key) = azure::settings(config)?;
            Client {
                kind,
                target: Target::Azure {
                    endpoint,
                    api_version,
                },
                key: Some(key),
                error_detail: chat_completions::openai_error_detail,
            }
        }
        ProviderKind::Gemini => {
            let (base, key) = gemini::settings(config)?;
            Client {
                kind,
                target: Target::Gemini { base },
                key: Some(key),
                error_detail: gemini::error_detail,
            }
        }
        ProviderKind::Anthropic | ProviderKind::XAi => {
            return Err(ProviderError::config(
                kind,
                "kind",
                "offers no embeddings API; choose an embedding model of another provider",
            ));
        }
    };
    Ok(Box::new(client))
}

/// The most inputs one request may carry: OpenAI's and Azure's documented 2048, Gemini's 100
/// per `batchEmbedContents`, Mistral's 128, and 32 for a compatible server (the default
/// client batch limit of text-embedding-inference). 1 for providers without embeddings.
pub fn max_batch(kind: ProviderKind) -> usize {
    match kind {
        ProviderKind::OpenAi | ProviderKind::AzureOpenAi => 2048,
        ProviderKind::Gemini => 100,
        ProviderKind::Mistral => 128,
        ProviderKind::OpenAiCompatible => 32,
        ProviderKind::Anthropic | ProviderKind::XAi => 1,
    }
}

/// The most estimated input tokens ([`EmbeddingRequest::estimated_tokens`]) [`batches`] puts
/// into one request, with room for the estimate being low: OpenAI and Azure count at most
/// 300,000 tokens per request, Mistral 16,384.
pub fn max_batch_tokens(kind: ProviderKind) -> u64 {
    match kind {
        ProviderKind::OpenAi | ProviderKind::AzureOpenAi => 200_000,
        ProviderKind::Mistral => 10_000,
        ProviderKind::Gemini | ProviderKind::OpenAiCompatible => 50_000,
        ProviderKind::Anthropic | ProviderKind::XAi => 1,
    }
}

/// Splits `inputs` into consecutive batches of at most [`max_batch`] inputs and (unless one
/// input alone exceeds it) [`max_batch_tokens`] estimated tokens; none for no inputs.
pub fn batches(kind: ProviderKind, inputs: &[String]) -> Vec<Range<usize>> {
    let (most, budget) = (max_batch(kind).max(1), max_batch_tokens(kind));
    let mut out = Vec::new();
    let (mut start, mut tokens) = (0, 0u64);
    for (i, input) in inputs.iter().enumerate() {
        let cost = estimate_tokens(input.len());
        if i > start && (i - start >= most || tokens.saturating_add(cost) > budget) {
            out.push(start..i);
            (start, tokens) = (i, 0);
        }
        tokens = tokens.saturating_add(cost);
    }
    if start < inputs.len() {
        out.push(start..inputs.len());
    }
    out
}

/// Which field asks for a dimension.
#[derive(Debug, Clone, Copy)]
enum Dimensions {
    /// `dimensions` (OpenAI, Azure, compatible servers).
    Dimensions,
    /// `output_dimension` (Mistral).
    OutputDimension,
}

#[derive(Debug)]
enum Target {
    /// An OpenAI-shaped endpoint with a `Bearer` key (when one is set).
    OpenAi {
        url: String,
        dimensions: Dimensions,
        /// Whether to send `"encoding_format": "float"` (OpenAI; the default elsewhere).
        encoding_format: bool,
    },
    /// An Azure deployment.
    Azure {
        endpoint: BaseUrl,
        api_version: String,
    },
    /// Gemini's `batchEmbedContents`.
    Gemini { base: BaseUrl },
}

struct Client {
    kind: ProviderKind,
    target: Target,
    key: Option<SecretString>,
    error_detail: fn(&Value) -> Option<ErrorDetail>,
}

#[derive(Serialize)]
struct OpenAiBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    input: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_dimension: Option<u32>,
}

#[derive(Deserialize)]
struct OpenAiAnswer {
    #[serde(default)]
    data: Option<Vec<OpenAiEmbedding>>,
    #[serde(default)]
    usage: Option<OpenAiUsage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct OpenAiEmbedding {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct OpenAiUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
}

#[derive(Serialize)]
struct GeminiBody<'a> {
    requests: Vec<GeminiRequest<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GeminiRequest<'a> {
    model: &'a str,
    content: GeminiContent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_dimensionality: Option<u32>,
}

#[derive(Serialize)]
struct GeminiContent<'a> {
    parts: [gemini::TextPart<'a>; 1],
}

#[derive(Deserialize)]
struct GeminiAnswer {
    #[serde(default)]
    embeddings: Option<Vec<GeminiEmbedding>>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct GeminiEmbedding {
    values: Vec<f32>,
}

impl Client {
    fn bearer(&self) -> Result<Vec<(HeaderName, HeaderValue)>, ProviderError> {
        self.key
            .as_ref()
            .map(|key| Ok((AUTHORIZATION, secret_header(self.kind, "Bearer ", key)?)))
            .into_iter()
            .collect()
    }

    fn named_key(
        &self,
        name: &'static str,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, ProviderError> {
        let key = self.key.as_ref().ok_or(ProviderError::MissingKey {
            provider: self.kind,
        })?;
        Ok(vec![(
            HeaderName::from_static(name),
            secret_header(self.kind, "", key)?,
        )])
    }

    fn invalid(&self, reason: impl Into<String>) -> ProviderError {
        ProviderError::invalid_response(self.kind, reason).redacted(self.key.as_ref())
    }

    /// The vectors of an OpenAI-shaped answer, put in input order by `index`.
    fn openai_vectors(&self, body: &[u8]) -> Result<(Vec<Vec<f32>>, Option<u64>), ProviderError> {
        let answer: OpenAiAnswer =
            serde_json::from_slice(body).map_err(|e| self.invalid(format!("embeddings: {e}")))?;
        if let Some(error) = &answer.error {
            return Err(
                chat_completions::embedded_error(self.kind, error).redacted(self.key.as_ref())
            );
        }
        let data = answer
            .data
            .ok_or_else(|| self.invalid("the answer has no `data`"))?;
        let count = data.len();
        let mut slots: Vec<Option<Vec<f32>>> = vec![None; count];
        for (position, item) in data.into_iter().enumerate() {
            let index = item.index.unwrap_or(position);
            match slots.get_mut(index) {
                Some(slot @ None) => *slot = Some(item.embedding),
                Some(Some(_)) => return Err(self.invalid(format!("index {index} comes twice"))),
                None => {
                    return Err(self.invalid(format!(
                        "index {index} is out of range for {count} embeddings"
                    )));
                }
            }
        }
        // Every slot is filled: `count` distinct indexes below `count`.
        let vectors = slots.into_iter().flatten().collect();
        Ok((vectors, answer.usage.and_then(|u| u.prompt_tokens)))
    }

    fn gemini_vectors(&self, body: &[u8]) -> Result<Vec<Vec<f32>>, ProviderError> {
        let answer: GeminiAnswer =
            serde_json::from_slice(body).map_err(|e| self.invalid(format!("embeddings: {e}")))?;
        if let Some(error) = &answer.error {
            return Err(gemini::embedded_error(error).redacted(self.key.as_ref()));
        }
        let embeddings = answer
            .embeddings
            .ok_or_else(|| self.invalid("the answer has no `embeddings`"))?;
        Ok(embeddings.into_iter().map(|e| e.values).collect())
    }

    /// The checks every answer passes.
    fn check(&self, request: &EmbeddingRequest, vectors: &[Vec<f32>]) -> Result<(), ProviderError> {
        if vectors.len() != request.inputs.len() {
            return Err(self.invalid(format!(
                "{} vectors for {} inputs",
                vectors.len(),
                request.inputs.len()
            )));
        }
        let dimension = vectors.first().map_or(0, Vec::len);
        if dimension == 0 {
            return Err(self.invalid("the vectors are empty"));
        }
        if let Some(i) = vectors.iter().position(|v| v.len() != dimension) {
            return Err(self.invalid(format!(
                "vector {i} has {} dimensions, the first {dimension}",
                vectors[i].len()
            )));
        }
        if let Some(wanted) = request.dimensions
            && usize::try_from(wanted).ok() != Some(dimension)
        {
            return Err(self.invalid(format!(
                "the vectors have {dimension} dimensions, not the {wanted} asked for"
            )));
        }
        if let Some(i) = vectors
            .iter()
            .position(|v| v.iter().any(|x| !x.is_finite()))
        {
            return Err(self.invalid(format!("vector {i} has a number out of range")));
        }
        Ok(())
    }
}

impl Embedder for Client {
    fn kind(&self) -> ProviderKind {
        self.kind
    }

    fn build_request(&self, request: &EmbeddingRequest) -> Result<Request<Vec<u8>>, ProviderError> {
        request.validate()?;
        let most = max_batch(self.kind);
        if request.inputs.len() > most {
            return Err(ProviderError::invalid_request(
                "inputs",
                format!(
                    "has {} texts; {} takes at most {most} per request",
                    request.inputs.len(),
                    self.kind
                ),
            ));
        }
        let (url, headers, body) = match &self.target {
            Target::OpenAi {
                url,
                dimensions,
                encoding_format,
            } => {
                let body = OpenAiBody {
                    model: Some(&request.model),
                    input: &request.inputs,
                    encoding_format: encoding_format.then_some("float"),
                    dimensions: request
                        .dimensions
                        .filter(|_| matches!(dimensions, Dimensions::Dimensions)),
                    output_dimension: request
                        .dimensions
                        .filter(|_| matches!(dimensions, Dimensions::OutputDimension)),
                };
                (url.clone(), self.bearer()?, to_json(self.kind, &body)?)
            }
            Target::Azure {
                endpoint,
                api_version,
            } => {
                let deployment = azure::deployment(request.deployment.as_deref(), &request.model)?;
                let url = endpoint.join(&format!(
                    "/openai/deployments/{deployment}/embeddings?api-version={api_version}"
                ));
                let body = OpenAiBody {
                    model: None,
                    input: &request.inputs,
                    encoding_format: None,
                    dimensions: request.dimensions,
                    output_dimension: None,
                };
                (url, self.named_key("api-key")?, to_json(self.kind, &body)?)
            }
            Target::Gemini { base } => {
                let model = gemini::model_path(&request.model)?;
                let body = GeminiBody {
                    requests: request
                        .inputs
                        .iter()
                        .map(|text| GeminiRequest {
                            model: &model,
                            content: GeminiContent {
                                parts: [gemini::TextPart { text }],
                            },
                            output_dimensionality: request.dimensions,
                        })
                        .collect(),
                };
                let url = base.join(&format!("/v1beta/{model}:batchEmbedContents"));
                (
                    url,
                    self.named_key("x-goog-api-key")?,
                    to_json(self.kind, &body)?,
                )
            }
        };
        post_json(self.kind, &url, headers, body, false)
    }

    fn parse_response(
        &self,
        request: &EmbeddingRequest,
        body: &[u8],
    ) -> Result<EmbeddingResponse, ProviderError> {
        let (vectors, tokens) = match self.target {
            Target::OpenAi { .. } | Target::Azure { .. } => self.openai_vectors(body)?,
            Target::Gemini { .. } => (self.gemini_vectors(body)?, None),
        };
        self.check(request, &vectors)?;
        Ok(EmbeddingResponse {
            vectors,
            usage: Usage {
                input: tokens.unwrap_or_else(|| request.estimated_tokens()),
                output: 0,
                cached: 0,
            },
            estimated: tokens.is_none(),
        })
    }

    fn handle_error(&self, status: u16, headers: &HeaderMap, body: &[u8]) -> ProviderError {
        error_from_response(
            self.kind,
            self.key.as_ref(),
            status,
            headers,
            body,
            self.error_detail,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn client(kind: ProviderKind) -> Box<dyn Embedder> {
        let mut config = ProviderConfig::new(kind).with_api_key("secret-key");
        match kind {
            ProviderKind::AzureOpenAi => {
                config = config
                    .with_base_url("https://contoso.openai.azure.com/")
                    .with_api_version("2024-10-21");
            }
            ProviderKind::OpenAiCompatible => {
                config = config.with_base_url("http://127.0.0.1:11434/v1");
            }
            _ => {}
        }
        embedder(&config).unwrap()
    }

    fn texts(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    fn body(request: &Request<Vec<u8>>) -> Value {
        serde_json::from_slice(request.body()).unwrap()
    }

    #[test]
    fn openai_requests_ask_for_floats_and_only_a_set_dimension() {
        let client = client(ProviderKind::OpenAi);
        let request = EmbeddingRequest::new("text-embedding-3-small", texts(&["a", "b"]));
        let http = client.build_request(&request).unwrap();
        assert_eq!(http.method(), http::Method::POST);
        assert_eq!(http.uri(), "https://api.openai.com/v1/embeddings");
        assert_eq!(http.headers()["authorization"], "Bearer secret-key");
        assert!(http.headers()["authorization"].is_sensitive());
        assert_eq!(http.headers()["content-type"], "application/json");
        assert_eq!(
            body(&http),
            json!({"model": "text-embedding-3-small", "input": ["a", "b"], "encoding_format": "float"})
        );
        let http = client.build_request(&request.with_dimensions(256)).unwrap();
        assert_eq!(body(&http)["dimensions"], 256);
    }

    #[test]
    fn azure_requests_name_the_deployment_and_version() {
        let client = client(ProviderKind::AzureOpenAi);
        let request = EmbeddingRequest::new("text-embedding-3-large", texts(&["Hallo"]))
            .with_deployment("emb-prod")
            .with_dimensions(1024);
        let http = client.build_request(&request).unwrap();
        assert_eq!(
            http.uri(),
            "https://contoso.openai.azure.com/openai/deployments/emb-prod/embeddings?api-version=2024-10-21"
        );
        assert_eq!(http.headers()["api-key"], "secret-key");
        assert!(http.headers()["api-key"].is_sensitive());
        assert!(http.headers().get("authorization").is_none());
        assert_eq!(body(&http), json!({"input": ["Hallo"], "dimensions": 1024}));

        let bad = request.with_deployment("../admin");
        assert!(matches!(
            client.build_request(&bad),
            Err(ProviderError::InvalidRequest {
                field: "deployment",
                ..
            })
        ));
    }

    #[test]
    fn gemini_requests_embed_each_text_with_the_model() {
        let client = client(ProviderKind::Gemini);
        let request = EmbeddingRequest::new("gemini-embedding-001", texts(&["eins", "zwei"]))
            .with_dimensions(768);
        let http = client.build_request(&request).unwrap();
        assert_eq!(
            http.uri(),
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents"
        );
        assert_eq!(http.headers()["x-goog-api-key"], "secret-key");
        assert!(http.headers()["x-goog-api-key"].is_sensitive());
        assert_eq!(
            body(&http),
            json!({"requests": [
                {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "eins"}]}, "outputDimensionality": 768},
                {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "zwei"}]}, "outputDimensionality": 768}
            ]})
        );
        let plain = EmbeddingRequest::new("gemini-embedding-001", texts(&["eins"]));
        let json = body(&client.build_request(&plain).unwrap());
        assert!(
            json["requests"][0].get("outputDimensionality").is_none(),
            "{json}"
        );
        let bad = EmbeddingRequest::new("../files", texts(&["eins"]));
        assert!(client.build_request(&bad).is_err());
    }

    #[test]
    fn mistral_requests_use_output_dimension() {
        let client = client(ProviderKind::Mistral);
        let request = EmbeddingRequest::new("codestral-embed", texts(&["fn main() {}"]));
        let http = client.build_request(&request).unwrap();
        assert_eq!(http.uri(), "https://api.mistral.ai/v1/embeddings");
        assert_eq!(http.headers()["authorization"], "Bearer secret-key");
        assert_eq!(
            body(&http),
            json!({"model": "codestral-embed", "input": ["fn main() {}"]})
        );
        let json = body(&client.build_request(&request.with_dimensions(512)).unwrap());
        assert_eq!(json["output_dimension"], 512);
        assert!(json.get("dimensions").is_none());
    }

    #[test]
    fn compatible_servers_join_the_base_and_go_without_a_key() {
        let config = ProviderConfig::new(ProviderKind::OpenAiCompatible)
            .with_base_url("http://ollama:11434/v1/");
        let client = embedder(&config).unwrap();
        let request = EmbeddingRequest::new("nomic-embed-text", texts(&["x"]));
        let http = client.build_request(&request).unwrap();
        assert_eq!(http.uri(), "http://ollama:11434/v1/embeddings");
        assert!(http.headers().get("authorization").is_none());
        assert_eq!(
            body(&http),
            json!({"model": "nomic-embed-text", "input": ["x"]})
        );
        let json = body(&client.build_request(&request.with_dimensions(384)).unwrap());
        assert_eq!(json["dimensions"], 384);
    }

    #[test]
    fn providers_without_embeddings_are_refused() {
        for kind in [ProviderKind::Anthropic, ProviderKind::XAi] {
            let err = embedder(&ProviderConfig::new(kind).with_api_key("k"))
                .err()
                .unwrap();
            assert!(
                matches!(err, ProviderError::Config { field: "kind", .. }),
                "{err}"
            );
            assert!(err.to_string().contains("no embeddings API"), "{err}");
        }
        let err = embedder(&ProviderConfig::new(ProviderKind::OpenAi))
            .err()
            .unwrap();
        assert!(matches!(err, ProviderError::MissingKey { .. }));
    }

    #[test]
    fn invalid_requests_are_refused_before_sending() {
        let client = client(ProviderKind::OpenAi);
        let invalid = |request: EmbeddingRequest| match client.build_request(&request) {
            Err(ProviderError::InvalidRequest { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(invalid(EmbeddingRequest::new("m", vec![])), "inputs");
        assert_eq!(
            invalid(EmbeddingRequest::new("m", texts(&["a", " \n"]))),
            "inputs"
        );
        assert_eq!(invalid(EmbeddingRequest::new("", texts(&["a"]))), "model");
        assert_eq!(
            invalid(EmbeddingRequest::new("m", texts(&["a"])).with_dimensions(0)),
            "dimensions"
        );
        let many = vec!["a".to_owned(); max_batch(ProviderKind::OpenAi) + 1];
        assert_eq!(invalid(EmbeddingRequest::new("m", many)), "inputs");
    }

    #[test]
    fn openai_answers_are_put_in_input_order() {
        let client = client(ProviderKind::OpenAi);
        let request = EmbeddingRequest::new("m", texts(&["a", "b", "c"]));
        let answer = json!({
            "object": "list",
            "data": [
                {"object": "embedding", "index": 2, "embedding": [0.0, 3.0]},
                {"object": "embedding", "index": 0, "embedding": [0.0, 1.0]},
                {"object": "embedding", "index": 1, "embedding": [0.0, 2.0]}
            ],
            "model": "m",
            "usage": {"prompt_tokens": 7, "total_tokens": 7}
        });
        let response = client
            .parse_response(&request, answer.to_string().as_bytes())
            .unwrap();
        assert_eq!(
            response.vectors,
            vec![vec![0.0, 1.0], vec![0.0, 2.0], vec![0.0, 3.0]]
        );
        assert_eq!(
            response.usage,
            Usage {
                input: 7,
                output: 0,
                cached: 0
            }
        );
        assert!(!response.estimated);
        assert_eq!(response.dimension(), Some(2));
    }

    #[test]
    fn wrong_answers_are_invalid() {
        let client = client(ProviderKind::Mistral);
        let request = EmbeddingRequest::new("m", texts(&["a", "b"])).with_dimensions(2);
        let item = |index: usize, embedding: Value| json!({"index": index, "embedding": embedding});
        let cases = [
            (
                json!({"data": [item(0, json!([1.0, 0.0]))]}),
                "1 vectors for 2 inputs",
            ),
            (
                json!({"data": [item(0, json!([1.0, 0.0])), item(0, json!([1.0, 0.0]))]}),
                "index 0 comes twice",
            ),
            (
                json!({"data": [item(0, json!([1.0, 0.0])), item(5, json!([1.0, 0.0]))]}),
                "index 5 is out of range",
            ),
            (
                json!({"data": [item(0, json!([1.0, 0.0])), item(1, json!([1.0]))]}),
                "vector 1 has 1 dimensions",
            ),
            (
                json!({"data": [item(0, json!([1.0, 0.0, 0.0])), item(1, json!([1.0, 0.0, 0.0]))]}),
                "not the 2 asked for",
            ),
            (
                json!({"data": [item(0, json!([1.0, 1e39])), item(1, json!([1.0, 0.0]))]}),
                "out of range",
            ),
            (
                json!({"data": [item(0, json!([])), item(1, json!([]))]}),
                "empty",
            ),
            (json!({"object": "list"}), "no `data`"),
        ];
        for (answer, expected) in cases {
            let err = client
                .parse_response(&request, answer.to_string().as_bytes())
                .unwrap_err();
            assert!(
                matches!(err, ProviderError::InvalidResponse { .. })
                    && err.to_string().contains(expected),
                "{answer}: {err}"
            );
        }
        let err = client.parse_response(&request, b"<html>").unwrap_err();
        assert!(matches!(err, ProviderError::InvalidResponse { .. }));
    }

    #[test]
    fn gemini_answers_have_estimated_usage() {
        let client = client(ProviderKind::Gemini);
        let request =
            EmbeddingRequest::new("gemini-embedding-001", texts(&["Grüße", "hello world"]));
        let answer = json!({"embeddings": [{"values": [0.5, 0.5]}, {"values": [0.25, -0.5]}]});
        let response = client
            .parse_response(&request, answer.to_string().as_bytes())
            .unwrap();
        assert_eq!(response.vectors, vec![vec![0.5, 0.5], vec![0.25, -0.5]]);
        // "Grüße" is 7 bytes (2 tokens), "hello world" 11 (3 tokens).
        assert_eq!(response.usage.input, 5);
        assert!(response.estimated);

        let short = json!({"embeddings": [{"values": [0.5, 0.5]}]});
        assert!(
            client
                .parse_response(&request, short.to_string().as_bytes())
                .is_err()
        );
    }

    #[test]
    fn a_compatible_server_without_usage_gets_an_estimate() {
        let client = client(ProviderKind::OpenAiCompatible);
        let request = EmbeddingRequest::new("bge-m3", texts(&["abcdefgh"]));
        let answer = json!({"data": [{"embedding": [1.0]}]});
        let response = client
            .parse_response(&request, answer.to_string().as_bytes())
            .unwrap();
        assert_eq!(response.usage.input, 2);
        assert!(response.estimated);
    }

    #[test]
    fn errors_are_read_as_the_chat_clients_read_them() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("3"));
        let openai = client(ProviderKind::OpenAi);
        let err = openai.handle_error(
            429,
            &headers,
            br#"{"error":{"message":"Rate limit reached for secret-key","type":"requests"}}"#,
        );
        assert_eq!(err.retry_after(), Some(3));
        assert_eq!(err.message(), Some("Rate limit reached for ***"));

        let gemini = client(ProviderKind::Gemini);
        let err = gemini.handle_error(
            400,
            &HeaderMap::new(),
            br#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#,
        );
        assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err}");

        let mistral = client(ProviderKind::Mistral);
        let err = mistral.handle_error(
            400,
            &HeaderMap::new(),
            br#"{"object":"error","message":"Too many tokens in batch. Max is 16384 got 17555","type":"invalid_request_error"}"#,
        );
        assert!(matches!(err, ProviderError::BadRequest { .. }));
        assert_eq!(
            err.message(),
            Some("Too many tokens in batch. Max is 16384 got 17555")
        );

        let azure = client(ProviderKind::AzureOpenAi);
        let err = azure.handle_error(
            404,
            &HeaderMap::new(),
            br#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
        );
        assert!(matches!(err, ProviderError::NotFound { .. }));

        // An error inside a 200 answer.
        let request = EmbeddingRequest::new("m", texts(&["a"]));
        let err = openai
            .parse_response(
                &request,
                br#"{"error":{"message":"boom secret-key","code":500}}"#,
            )
            .unwrap_err();
        assert!(matches!(err, ProviderError::Upstream { .. }), "{err}");
        assert_eq!(err.message(), Some("boom ***"));
        let err = gemini
            .parse_response(
                &request,
                br#"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#,
            )
            .unwrap_err();
        assert!(matches!(err, ProviderError::RateLimited { .. }), "{err}");
    }

    #[test]
    fn batches_respect_counts_and_token_budgets() {
        let many: Vec<String> = (0..250).map(|i| format!("text {i}")).collect();
        assert_eq!(
            batches(ProviderKind::Gemini, &many),
            vec![0..100, 100..200, 200..250]
        );
        assert_eq!(batches(ProviderKind::OpenAi, &many), vec![0..250]);
        assert!(batches(ProviderKind::OpenAi, &[]).is_empty());

        // Mistral: 4,000-byte texts are 1,000 estimated tokens; ten fit the budget.
        let long = vec!["x".repeat(4000); 25];
        assert_eq!(
            batches(ProviderKind::Mistral, &long),
            vec![0..10, 10..20, 20..25]
        );
        // A text over the budget on its own still goes, alone.
        let huge = vec!["y".repeat(100_000), "z".to_owned()];
        assert_eq!(batches(ProviderKind::Mistral, &huge), vec![0..1, 1..2]);

        let request = EmbeddingRequest::new("m", many).with_dimensions(8);
        let batch = request.batch(100..102);
        assert_eq!(batch.inputs, vec!["text 100", "text 101"]);
        assert_eq!(batch.dimensions, Some(8));
    }

    #[test]
    fn responses_append_in_order_and_sum_usage() {
        let part = |v: f32, input, estimated| EmbeddingResponse {
            vectors: vec![vec![v, 0.0]],
            usage: Usage {
                input,
                output: 0,
                cached: 0,
            },
            estimated,
        };
        let mut all = EmbeddingResponse::default();
        all.append(ProviderKind::Gemini, part(1.0, 3, false))
            .unwrap();
        all.append(ProviderKind::Gemini, part(2.0, 4, true))
            .unwrap();
        assert_eq!(all.vectors, vec![vec![1.0, 0.0], vec![2.0, 0.0]]);
        assert_eq!(all.usage.input, 7);
        assert!(all.estimated);
        let other = EmbeddingResponse {
            vectors: vec![vec![1.0]],
            ..EmbeddingResponse::default()
        };
        assert!(all.append(ProviderKind::Gemini, other).is_err());
    }
}
