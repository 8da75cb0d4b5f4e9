//! Fake LLM providers: one local HTTP/1.1 server that answers each provider's real endpoints
//! by replaying hub-providers' recorded fixtures (`shared/providers/tests/fixtures/<provider>/`,
//! read at request time), with a per-provider [`Scenario`].
//!
//! Every provider lives under its own path prefix (the fixture folder's name), so one server
//! stands in for all of them; point the hub's base URL at [`FakeProviders::base_url`]:
//!
//! | provider | base URL | endpoint answered | key header |
//! |---|---|---|---|
//! | OpenAI | `http://<addr>/openai/v1` | `POST /openai/v1/chat/completions` | `authorization: Bearer <key>` |
//! | Mistral | `http://<addr>/mistral/v1` | `POST /mistral/v1/chat/completions` | `authorization: Bearer <key>` |
//! | xAI | `http://<addr>/xai/v1` | `POST /xai/v1/chat/completions` | `authorization: Bearer <key>` |
//! | OpenAI-compatible | `http://<addr>/compatible/v1` | `POST /compatible/v1/chat/completions` | `authorization: Bearer <key>` (or none) |
//! | Azure OpenAI | `http://<addr>/azure` | `POST /azure/openai/deployments/{d}/chat/completions?api-version=…` | `api-key` |
//! | Anthropic | `http://<addr>/anthropic` | `POST /anthropic/v1/messages` | `x-api-key` (+ `anthropic-version`) |
//! | Gemini | `http://<addr>/gemini` | `POST /gemini/v1beta/models/{m}:generateContent`, `…:streamGenerateContent?alt=sse` | `x-goog-api-key` or `?key=` |
//!
//! The five providers with an embeddings API answer it too, with the same prefixes, keys and
//! scenarios:
//!
//! | provider | endpoint answered | dimension field |
//! |---|---|---|
//! | OpenAI | `POST /openai/v1/embeddings` | `dimensions` |
//! | Mistral | `POST /mistral/v1/embeddings` | `output_dimension` |
//! | OpenAI-compatible | `POST /compatible/v1/embeddings` | `dimensions` |
//! | Azure OpenAI | `POST /azure/openai/deployments/{d}/embeddings?api-version=…` | `dimensions` |
//! | Gemini | `POST /gemini/v1beta/models/{m}:batchEmbedContents` | `outputDimensionality` |
//!
//! Their vectors are [`fake_embedding`]s of the texts (of the dimension asked for, else
//! [`FAKE_EMBEDDING_DIMENSION`]), so that texts sharing words are close; the OpenAI-shaped
//! answers report a token per four bytes of input as usage, Gemini's (as the real one) none.
//!
//! Streaming follows the request: the body's `"stream": true`, or Gemini's streaming endpoint.
//! A streamed answer is `text/event-stream`, one SSE event per body frame, with the chunk
//! delay ([`FakeProviders::set_chunk_delay`]) between events.
//!
//! A wrong or missing key gets the provider's documented invalid-key answer (`error_401.json`
//! with the status of its `expected.json`). The scenario is the one set with
//! [`FakeProviders::set_scenario`], unless the request body carries a marker
//! ([`Scenario::marker`], e.g. `[[scenario:rate_limit]]`), which wins (the last one in the
//! body): end-to-end tests that drive the real app choose a scenario through the user's message.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::SinkExt;
use futures::channel::mpsc;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hub_providers::{ProviderConfig, ProviderKind};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use crate::paths::workspace_root;

/// The key every fake provider accepts unless started with [`FakeProviders::with_key`].
pub const FAKE_PROVIDER_KEY: &str = "fake-provider-key";

/// The dimension of [`fake_embedding`]s when a request asks for none.
pub const FAKE_EMBEDDING_DIMENSION: usize = 1536;

/// The largest dimension the fake embedding endpoints give (larger asks are a 400).
const MAX_FAKE_DIMENSION: usize = 4096;

/// The vector the fake providers answer for `text`: each word (a run of letters and digits,
/// umlauts included, lower-cased) adds +1 or -1 at one index, both chosen by the word's
/// FNV-1a hash; the sum is scaled to length 1. Texts that share words are therefore close in
/// cosine distance, and unrelated ones nearly orthogonal. A text without words is the first
/// unit vector; `dimension` 0 gives an empty vector.
pub fn fake_embedding(text: &str, dimension: usize) -> Vec<f32> {
    let mut vector = vec![0.0f32; dimension];
    if dimension == 0 {
        return vector;
    }
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    for word in words {
        let hash = word
            .to_lowercase()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let index = usize::try_from(hash % dimension as u64).unwrap_or(0);
        vector[index] += if hash >> 63 == 0 { 1.0 } else { -1.0 };
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        vector[0] = 1.0;
    } else {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

/// The answer text of [`Scenario::Xss`]: script and event-handler injections in Markdown.
pub const XSS_TEXT: &str = "Here is the snippet:\n\n<script>alert(1)</script>\n\n\
     An image: <img src=x onerror=alert(1)> and ![x](x\" onerror=\"alert(1)) and \
     [a link](javascript:alert(1)).";

/// What a fake provider does with the next requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    /// Replays `response.json` / `stream.sse`.
    Normal,
    /// The same answer without usage: `stream_no_usage.sse` where the provider has one, else
    /// the fixture with its usage fields (and usage-only chunks) removed.
    NoUsage,
    /// Answers `error_<status>.json` with the status and headers its `expected.json` gives
    /// (e.g. 429 with `retry-after`; Gemini's and xAI's 401 fixture is sent with 400); a 5xx
    /// without a fixture (503) is sent with the body of `error_500.json`.
    Error(u16),
    /// Sends the first `after` events of `stream.sse` (a non-streamed answer: half of
    /// `response.json`), then drops the connection without the end of the body.
    Disconnect {
        /// Events sent before the connection is dropped.
        after: usize,
    },
    /// Waits this long before every chunk (and before a non-streamed answer).
    Slow(Duration),
    /// Answers [`XSS_TEXT`] in the provider's format, with usage.
    Xss,
    /// [`Scenario::Error`] for the first request with a given conversation, [`Scenario::Normal`]
    /// for the same conversation sent again (a retry).
    ErrorOnce(u16),
    /// Sends the first `after` events of `stream.sse`, then nothing (the connection stays open
    /// until the client hangs up, at most a minute); a non-streamed answer: its head,
    /// then nothing.
    Stall {
        /// Events sent before the silence.
        after: usize,
    },
    /// Sends the first `after` events of `stream.sse`, then what no provider's stream may
    /// carry: lines of an HTML error page (not SSE) and a `data:` line that is not JSON, then
    /// the rest of the stream, which a client must not take; a non-streamed answer: an HTML
    /// page as its JSON body.
    Garbage {
        /// Events sent before the garbage.
        after: usize,
    },
}

/// How many events of `kind`'s `stream.sse` carry some of the answer but not all of it: where
/// [`Scenario::Disconnect`], [`Scenario::Stall`] and [`Scenario::Garbage`] break a stream in
/// the middle of the answer (Gemini's answer is three events long and has no end marker;
/// grok-3-mini reasons for eight events before it answers).
pub fn mid_answer(kind: ProviderKind) -> usize {
    match kind {
        ProviderKind::Gemini => 2,
        ProviderKind::XAi => 10,
        _ => 3,
    }
}

/// How long [`Scenario::Stall`] keeps a silent connection open at most.
const STALL_LIMIT: Duration = Duration::from_secs(60);

/// The lines [`Scenario::Garbage`] puts into a stream: an HTML page, then data that is not JSON.
const GARBAGE: &str = "<html><body><h1>502 Bad Gateway</h1>\n<p>upstream: connection reset</p>\n\
     </body></html>\n\ndata: {\"choices\": [{\"delta\": {\"content\": \"garbage\n\n";

impl Scenario {
    /// The marker that selects this scenario from a message: `[[scenario:normal]]`,
    /// `no_usage`, `error_<status>` (`rate_limit` is `error_429`), `error_once_<status>`,
    /// `disconnect_<n>`, `slow_<ms>`, `xss`, `stall_<n>`, `garbage_<n>`.
    pub fn marker(&self) -> String {
        let name = match self {
            Self::Normal => "normal".to_owned(),
            Self::NoUsage => "no_usage".to_owned(),
            Self::Error(status) => format!("error_{status}"),
            Self::Disconnect { after } => format!("disconnect_{after}"),
            Self::Slow(delay) => format!("slow_{}", delay.as_millis()),
            Self::Xss => "xss".to_owned(),
            Self::ErrorOnce(status) => format!("error_once_{status}"),
            Self::Stall { after } => format!("stall_{after}"),
            Self::Garbage { after } => format!("garbage_{after}"),
        };
        format!("[[scenario:{name}]]")
    }

    /// Parses a marker's name (what [`Scenario::marker`] puts between `scenario:` and `]]`).
    pub fn parse(name: &str) -> Option<Self> {
        let number = |prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|n| n.parse::<u64>().ok())
        };
        Some(match name {
            "normal" => Self::Normal,
            "no_usage" => Self::NoUsage,
            "rate_limit" => Self::Error(429),
            "xss" => Self::Xss,
            _ => {
                if let Some(status) = number("error_once_") {
                    Self::ErrorOnce(u16::try_from(status).ok()?)
                } else if let Some(status) = number("error_") {
                    Self::Error(u16::try_from(status).ok()?)
                } else if let Some(after) = number("disconnect_") {
                    Self::Disconnect {
                        after: usize::try_from(after).ok()?,
                    }
                } else if let Some(ms) = number("slow_") {
                    Self::Slow(Duration::from_millis(ms))
                } else if let Some(after) = number("stall_") {
                    Self::Stall {
                        after: usize::try_from(after).ok()?,
                    }
                } else if let Some(after) = number("garbage_") {
                    Self::Garbage {
                        after: usize::try_from(after).ok()?,
                    }
                } else {
                    return None;
                }
            }
        })
    }

    /// The last marker in `text`, if any.
    pub fn from_text(text: &str) -> Option<Self> {
        let start = text.rfind("[[scenario:")? + "[[scenario:".len();
        let end = text[start..].find("]]")? + start;
        Self::parse(&text[start..end])
    }
}

/// One request a fake provider received. Key headers (`authorization`, `api-key`,
/// `x-api-key`, `x-goog-api-key`) are recorded as `***`, and so is a `key=` query value.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The provider whose prefix the path starts with, if any.
    pub provider: Option<ProviderKind>,
    /// `POST`, ...
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The headers, names in lower case, secrets as `***`.
    pub headers: Vec<(String, String)>,
    /// The JSON body (`Value::Null` when it was not JSON).
    pub body: Value,
}

impl RecordedRequest {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
struct State {
    key: String,
    fixtures: PathBuf,
    scenarios: Mutex<HashMap<ProviderKind, Scenario>>,
    chunk_delay: Mutex<Duration>,
    requests: Mutex<Vec<RecordedRequest>>,
    /// The conversations [`Scenario::ErrorOnce`] has failed already.
    failed_once: Mutex<std::collections::HashSet<(ProviderKind, String)>>,
}

/// The fake providers' server on `127.0.0.1:<free port>`, running on its own thread and
/// runtime (usable from sync and async tests); stops on drop.
#[derive(Debug)]
pub struct FakeProviders {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeProviders {
    /// Starts the server; every provider accepts [`FAKE_PROVIDER_KEY`].
    pub fn start() -> Self {
        Self::with_key(FAKE_PROVIDER_KEY)
    }

    /// Starts the server; every provider accepts `key`.
    pub fn with_key(key: &str) -> Self {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("binding the fake providers");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("fake providers' address");
        let state = Arc::new(State {
            key: key.to_owned(),
            fixtures: workspace_root().join("shared/providers/tests/fixtures"),
            scenarios: Mutex::new(HashMap::new()),
            chunk_delay: Mutex::new(Duration::ZERO),
            requests: Mutex::new(Vec::new()),
            failed_once: Mutex::new(std::collections::HashSet::new()),
        });
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let thread = {
            let state = state.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the fake providers' runtime");
                runtime.block_on(serve(listener, state, stop));
            })
        };
        Self {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key the providers accept.
    pub fn key(&self) -> &str {
        &self.state.key
    }

    /// The base URL to configure for `kind` (see the module docs).
    pub fn base_url(&self, kind: ProviderKind) -> String {
        let prefix = prefix(kind);
        match kind {
            ProviderKind::OpenAi
            | ProviderKind::Mistral
            | ProviderKind::XAi
            | ProviderKind::OpenAiCompatible => format!("http://{}/{prefix}/v1", self.addr),
            ProviderKind::AzureOpenAi | ProviderKind::Anthropic | ProviderKind::Gemini => {
                format!("http://{}/{prefix}", self.addr)
            }
        }
    }

    /// A hub-providers configuration for `kind` pointing at this server, with its key.
    pub fn config(&self, kind: ProviderKind) -> ProviderConfig {
        ProviderConfig::new(kind)
            .with_base_url(self.base_url(kind))
            .with_api_key(self.state.key.as_str())
    }

    /// The fixture folder of `kind`.
    pub fn fixture_dir(&self, kind: ProviderKind) -> PathBuf {
        self.state.fixtures.join(prefix(kind))
    }

    /// `kind`'s `expected.json` (model, deployment, texts, usage, error statuses).
    pub fn manifest(&self, kind: ProviderKind) -> Value {
        let path = self.fixture_dir(kind).join("expected.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
    }

    /// The text of `kind`'s recorded streamed answer (`stream.sse` in `expected.json`).
    pub fn streamed_text(&self, kind: ProviderKind) -> String {
        let manifest = self.manifest(kind);
        let stream = manifest["streams"]
            .as_array()
            .and_then(|streams| streams.iter().find(|s| s["file"] == "stream.sse"));
        stream
            .and_then(|s| s["text"].as_str())
            .unwrap_or_else(|| panic!("no stream.sse text in {kind:?}'s expected.json"))
            .to_owned()
    }

    /// Sets `kind`'s scenario for the next requests (a marker in a request still wins).
    pub fn set_scenario(&self, kind: ProviderKind, scenario: Scenario) {
        lock(&self.state.scenarios).insert(kind, scenario);
    }

    /// Sets the delay between the events of every streamed answer (default: none).
    pub fn set_chunk_delay(&self, delay: Duration) {
        *lock(&self.state.chunk_delay) = delay;
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }
}

impl Drop for FakeProviders {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The path prefix and fixture folder of `kind`.
fn prefix(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "openai",
        ProviderKind::Anthropic => "anthropic",
        ProviderKind::Gemini => "gemini",
        ProviderKind::Mistral => "mistral",
        ProviderKind::XAi => "xai",
        ProviderKind::AzureOpenAi => "azure",
        ProviderKind::OpenAiCompatible => "compatible",
    }
}

type Body = BoxBody<Bytes, std::io::Error>;

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener =
        tokio::net::TcpListener::from_std(listener).expect("the fake providers' listener");
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        // As providers' HTTP servers do: events are written as they come, not held back
        // until the previous one is acknowledged (on a kept-alive connection Nagle's
        // algorithm and a delayed ACK would hold a zero-delay stream's events for 40 ms).
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// What a request asks for, once routed.
struct Call {
    kind: ProviderKind,
    stream: bool,
    authorized: bool,
    /// The model (Azure: the deployment; Gemini: the id in the path).
    model: String,
    /// Whether it is an embeddings request.
    embeddings: bool,
}

async fn handle(state: &State, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or_default();
    let kind = ProviderKind::ALL
        .into_iter()
        .find(|k| path.starts_with(&format!("/{}/", prefix(*k))));
    record(state, &parts, kind, json.clone());

    let Some(kind) = kind else {
        return plain(
            StatusCode::NOT_FOUND,
            "fake providers: unknown provider prefix",
        );
    };
    if parts.method != hyper::Method::POST {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "fake providers: POST only");
    }
    let rest = &path[prefix(kind).len() + 1..];
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let key = state.key.as_str();
    let body_stream = json.get("stream").and_then(Value::as_bool) == Some(true);
    let body_model = json
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let call = match kind {
        ProviderKind::OpenAi
        | ProviderKind::Mistral
        | ProviderKind::XAi
        | ProviderKind::OpenAiCompatible => {
            let embeddings = match rest {
                "/v1/chat/completions" => false,
                "/v1/embeddings" if kind != ProviderKind::XAi => true,
                _ => return plain(StatusCode::NOT_FOUND, "fake providers: no such endpoint"),
            };
            let auth = header("authorization");
            Call {
                kind,
                stream: body_stream && !embeddings,
                authorized: auth == Some(format!("Bearer {key}").as_str())
                    || (kind == ProviderKind::OpenAiCompatible && auth.is_none()),
                model: body_model,
                embeddings,
            }
        }
        ProviderKind::AzureOpenAi => {
            let route = rest.strip_prefix("/openai/deployments/").and_then(|r| {
                r.strip_suffix("/chat/completions")
                    .map(|d| (d, false))
                    .or_else(|| r.strip_suffix("/embeddings").map(|d| (d, true)))
            });
            let Some((deployment, embeddings)) =
                route.filter(|(d, _)| !d.is_empty() && !d.contains('/'))
            else {
                return plain(StatusCode::NOT_FOUND, "fake providers: no such endpoint");
            };
            if !query.split('&').any(|p| p.starts_with("api-version=")) {
                return plain(
                    StatusCode::NOT_FOUND,
                    "fake providers: api-version is missing",
                );
            }
            Call {
                kind,
                stream: body_stream && !embeddings,
                authorized: header("api-key") == Some(key),
                model: deployment.to_owned(),
                embeddings,
            }
        }
        ProviderKind::Anthropic => {
            if rest != "/v1/messages" {
                return plain(StatusCode::NOT_FOUND, "fake providers: no such endpoint");
            }
            Call {
                kind,
                stream: body_stream,
                authorized: header("x-api-key") == Some(key)
                    && header("anthropic-version").is_some(),
                model: body_model,
                embeddings: false,
            }
        }
        ProviderKind::Gemini => {
            let Some(model_call) = rest.strip_prefix("/v1beta/models/") else {
                return plain(StatusCode::NOT_FOUND, "fake providers: no such endpoint");
            };
            let (model, stream, embeddings) =
                if let Some(m) = model_call.strip_suffix(":streamGenerateContent") {
                    (m, true, false)
                } else if let Some(m) = model_call.strip_suffix(":generateContent") {
                    (m, false, false)
                } else if let Some(m) = model_call.strip_suffix(":batchEmbedContents") {
                    (m, false, true)
                } else {
                    return plain(StatusCode::NOT_FOUND, "fake providers: no such endpoint");
                };
            if stream && !query.split('&').any(|p| p == "alt=sse") {
                return plain(
                    StatusCode::NOT_FOUND,
                    "fake providers: only alt=sse streams",
                );
            }
            let query_key = format!("key={key}");
            Call {
                kind,
                stream,
                authorized: header("x-goog-api-key") == Some(key)
                    || query.split('&').any(|p| p == query_key),
                model: model.to_owned(),
                embeddings,
            }
        }
    };

    let scenario = if !call.authorized {
        Scenario::Error(401)
    } else {
        Scenario::from_text(&String::from_utf8_lossy(&body))
            .or_else(|| lock(&state.scenarios).get(&kind).cloned())
            .unwrap_or(Scenario::Normal)
    };
    let scenario = match scenario {
        Scenario::ErrorOnce(status) => {
            // The conversation (messages or contents) or the texts to embed (input or
            // requests) identify a retry of the same request.
            let conversation = ["messages", "contents", "input", "requests"]
                .iter()
                .find_map(|field| json.get(*field))
                .map(Value::to_string)
                .unwrap_or_default();
            if lock(&state.failed_once).insert((kind, conversation)) {
                Scenario::Error(status)
            } else {
                Scenario::Normal
            }
        }
        other => other,
    };
    let delay = *lock(&state.chunk_delay);
    if call.embeddings {
        return embeddings_answer(&state.fixtures.join(prefix(kind)), &call, &scenario, &json)
            .await;
    }
    answer(
        &state.fixtures.join(prefix(call.kind)),
        &call,
        &scenario,
        delay,
    )
    .await
}

fn record(
    state: &State,
    parts: &http::request::Parts,
    provider: Option<ProviderKind>,
    body: Value,
) {
    const SECRET: [&str; 4] = ["authorization", "api-key", "x-api-key", "x-goog-api-key"];
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = if SECRET.contains(&name.as_str()) {
                "***".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    let mut path = parts.uri.path().to_owned();
    if let Some(query) = parts.uri.query() {
        let query: Vec<String> = query
            .split('&')
            .map(|p| {
                if p.starts_with("key=") {
                    "key=***".to_owned()
                } else {
                    p.to_owned()
                }
            })
            .collect();
        path = format!("{path}?{}", query.join("&"));
    }
    lock(&state.requests).push(RecordedRequest {
        provider,
        method: parts.method.to_string(),
        path,
        headers,
        body,
    });
}

async fn answer(
    dir: &std::path::Path,
    call: &Call,
    scenario: &Scenario,
    delay: Duration,
) -> Response<Body> {
    let read = |file: &str| std::fs::read(dir.join(file));
    if let Scenario::Error(status) = scenario {
        return error_answer(dir, *status);
    }
    if !call.stream {
        let body = match scenario {
            Scenario::Xss => xss_response(call.kind, &call.model).into_bytes(),
            _ => match read("response.json") {
                Ok(body) => body,
                Err(e) => {
                    return plain(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &format!("fake providers: {e}"),
                    );
                }
            },
        };
        return whole_answer(body, scenario).await;
    }
    let events = match scenario {
        Scenario::Xss => xss_stream(call.kind, &call.model),
        Scenario::NoUsage => match read("stream_no_usage.sse") {
            Ok(body) => split_events(&body),
            Err(_) => match read("stream.sse") {
                Ok(body) => split_events(&body)
                    .iter()
                    .filter_map(|e| strip_usage_event(e))
                    .collect(),
                Err(e) => {
                    return plain(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &format!("fake providers: {e}"),
                    );
                }
            },
        },
        _ => match read("stream.sse") {
            Ok(body) => split_events(&body),
            Err(e) => {
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("fake providers: {e}"),
                );
            }
        },
    };
    let sse = "text/event-stream";
    match scenario {
        Scenario::Disconnect { after } => {
            let events = events.into_iter().take(*after).collect();
            streamed(StatusCode::OK, sse, events, delay, Ending::Cut)
        }
        Scenario::Stall { after } => {
            let events = events.into_iter().take(*after).collect();
            streamed(StatusCode::OK, sse, events, delay, Ending::Silence)
        }
        Scenario::Garbage { after } => {
            let mut events = events;
            let at = (*after).min(events.len());
            events.insert(at, GARBAGE.as_bytes().to_vec());
            streamed(StatusCode::OK, sse, events, delay, Ending::End)
        }
        Scenario::Slow(d) => streamed(StatusCode::OK, sse, events, *d, Ending::End),
        _ => streamed(StatusCode::OK, sse, events, delay, Ending::End),
    }
}

/// A non-streamed JSON answer `body` as `scenario` delivers it (without usage, late, cut in
/// half, stalled after its head, or replaced by an HTML page).
async fn whole_answer(body: Vec<u8>, scenario: &Scenario) -> Response<Body> {
    let body = match scenario {
        Scenario::NoUsage => strip_usage_json(&body),
        _ => body,
    };
    if let Scenario::Slow(d) = scenario {
        tokio::time::sleep(*d).await;
    }
    match scenario {
        Scenario::Disconnect { .. } => {
            let half = body[..body.len() / 2].to_vec();
            streamed(
                StatusCode::OK,
                "application/json",
                vec![half],
                Duration::ZERO,
                Ending::Cut,
            )
        }
        Scenario::Stall { .. } => streamed(
            StatusCode::OK,
            "application/json",
            Vec::new(),
            Duration::ZERO,
            Ending::Silence,
        ),
        Scenario::Garbage { .. } => {
            let page = GARBAGE.as_bytes().to_vec();
            bytes_response(StatusCode::OK, "application/json", page, &[])
        }
        _ => bytes_response(StatusCode::OK, "application/json", body, &[]),
    }
}

/// The answer of an embeddings endpoint: [`fake_embedding`]s of the texts in the provider's
/// format, or the scenario's error; a request the real API would refuse (no texts, an empty
/// text, a dimension out of range, Gemini's per-text model not the one in the path) is a 400.
async fn embeddings_answer(
    dir: &std::path::Path,
    call: &Call,
    scenario: &Scenario,
    json: &Value,
) -> Response<Body> {
    if let Scenario::Error(status) = scenario {
        return error_answer(dir, *status);
    }
    match embeddings_body(call, json) {
        Ok(body) => whole_answer(body.to_string().into_bytes(), scenario).await,
        Err(message) => {
            let body = if call.kind == ProviderKind::Gemini {
                json!({"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}})
            } else {
                json!({"error": {"message": message, "type": "invalid_request_error",
                                 "param": null, "code": null}})
            };
            bytes_response(
                StatusCode::BAD_REQUEST,
                "application/json",
                body.to_string().into_bytes(),
                &[],
            )
        }
    }
}

/// The dimension a request asks for in `field`, if it names one.
fn asked_dimension(request: &Value, field: &str) -> Result<usize, String> {
    match request.get(field) {
        None | Some(Value::Null) => Ok(FAKE_EMBEDDING_DIMENSION),
        Some(value) => value
            .as_u64()
            .and_then(|d| usize::try_from(d).ok())
            .filter(|d| (1..=MAX_FAKE_DIMENSION).contains(d))
            .ok_or_else(|| format!("{field} must be between 1 and {MAX_FAKE_DIMENSION}")),
    }
}

fn embeddings_body(call: &Call, json: &Value) -> Result<Value, String> {
    let check_text = |text: &str| {
        if text.is_empty() {
            Err("an input text is empty".to_owned())
        } else {
            Ok(())
        }
    };
    if call.kind == ProviderKind::Gemini {
        let requests = json["requests"]
            .as_array()
            .filter(|r| !r.is_empty())
            .ok_or("requests must be a non-empty list")?;
        let model = format!("models/{}", call.model);
        let mut embeddings = Vec::new();
        for request in requests {
            if request["model"] != model.as_str() {
                return Err(format!(
                    "each request's model must be {model}, the model of the URL"
                ));
            }
            let text: String = request["content"]["parts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["text"].as_str())
                .collect();
            check_text(&text)?;
            let dimension = asked_dimension(request, "outputDimensionality")?;
            embeddings.push(json!({"values": fake_embedding(&text, dimension)}));
        }
        return Ok(json!({ "embeddings": embeddings }));
    }
    let inputs: Vec<&str> = match &json["input"] {
        Value::String(text) => vec![text.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().ok_or("input must hold strings"))
            .collect::<Result<_, _>>()?,
        _ => return Err("input must be a string or a list of strings".to_owned()),
    };
    if inputs.is_empty() {
        return Err("input must not be empty".to_owned());
    }
    inputs.iter().try_for_each(|text| check_text(text))?;
    let field = if call.kind == ProviderKind::Mistral {
        "output_dimension"
    } else {
        "dimensions"
    };
    let dimension = asked_dimension(json, field)?;
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(index, text)| {
            json!({"object": "embedding", "index": index,
                   "embedding": fake_embedding(text, dimension)})
        })
        .collect();
    let tokens: usize = inputs.iter().map(|t| t.len().div_ceil(4)).sum();
    Ok(json!({
        "object": "list",
        "data": data,
        "model": call.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens}
    }))
}

/// `error_<status>.json` with the status and headers `expected.json` gives it.
fn error_answer(dir: &std::path::Path, status: u16) -> Response<Body> {
    let file = format!("error_{status}.json");
    let manifest: Option<Value> = std::fs::read(dir.join("expected.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let entry = manifest.as_ref().and_then(|m| {
        m["errors"]
            .as_array()?
            .iter()
            .find(|e| e["file"] == file.as_str())
            .cloned()
    });
    let (Some(entry), Ok(body)) = (entry, std::fs::read(dir.join(&file))) else {
        // A 5xx the provider has no recording of (503 from every provider): that status with
        // the body of its recorded 500.
        if let (500..=599, Ok(body)) = (status, std::fs::read(dir.join("error_500.json")))
            && let Ok(code) = StatusCode::from_u16(status)
        {
            return bytes_response(code, "application/json", body, &[]);
        }
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("fake providers: no fixture {file} in {}", dir.display()),
        );
    };
    let status = entry["status"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers: Vec<(String, String)> = entry["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    bytes_response(status, "application/json", body, &headers)
}

fn plain(status: StatusCode, message: &str) -> Response<Body> {
    bytes_response(status, "text/plain", message.as_bytes().to_vec(), &[])
}

fn bytes_response(
    status: StatusCode,
    content_type: &str,
    body: Vec<u8>,
    headers: &[(String, String)],
) -> Response<Body> {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", content_type);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(
            Full::new(Bytes::from(body))
                .map_err(|never| match never {})
                .boxed(),
        )
        .expect("a valid response")
}

/// How a chunked answer ends after its chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// With the terminating chunk.
    End,
    /// With an error, which makes hyper drop the connection without the terminating chunk.
    Cut,
    /// Not at all: silence until the client hangs up (or [`STALL_LIMIT`]).
    Silence,
}

/// A chunked answer: one frame per chunk, `delay` between chunks, then `ending`.
fn streamed(
    status: StatusCode,
    content_type: &str,
    chunks: Vec<Vec<u8>>,
    delay: Duration,
    ending: Ending,
) -> Response<Body> {
    let (mut tx, rx) = mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(1);
    tokio::spawn(async move {
        for (i, chunk) in chunks.into_iter().enumerate() {
            if i > 0 && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if tx.send(Ok(Frame::data(Bytes::from(chunk)))).await.is_err() {
                return;
            }
        }
        match ending {
            Ending::End => {}
            Ending::Cut => {
                // Let the last chunk reach the socket before the connection is dropped.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = tx
                    .send(Err(std::io::Error::other(
                        "fake providers: scripted disconnect",
                    )))
                    .await;
            }
            Ending::Silence => {
                // Holding the sender keeps the body open; hyper drops the receiver when the
                // client goes away.
                let deadline = tokio::time::Instant::now() + STALL_LIMIT;
                while !tx.is_closed() && tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    });
    let body = StreamBody::new(rx).boxed();
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-cache")
        .body(body)
        .expect("a valid response")
}

/// The SSE events of a fixture, each with its terminating blank line (`\r\n\r\n` for Gemini,
/// `\n\n` otherwise); a trailing partial event is kept as is.
fn split_events(body: &[u8]) -> Vec<Vec<u8>> {
    let separator: &[u8] = if body.windows(4).any(|w| w == b"\r\n\r\n") {
        b"\r\n\r\n"
    } else {
        b"\n\n"
    };
    let mut events = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + separator.len() <= body.len() {
        if &body[i..i + separator.len()] == separator {
            let mut end = i + separator.len();
            // Extra blank lines belong to the event before them.
            while body.get(end..end + 1) == Some(b"\n") || body.get(end..end + 2) == Some(b"\r\n") {
                end += if body[end] == b'\r' { 2 } else { 1 };
            }
            events.push(body[start..end].to_vec());
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < body.len() {
        events.push(body[start..].to_vec());
    }
    events
}

/// Removes usage from a JSON value: `usage` and `usageMetadata` at any depth.
fn remove_usage(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("usage");
            map.remove("usageMetadata");
            map.values_mut().for_each(remove_usage);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_usage),
        _ => {}
    }
}

fn strip_usage_json(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            remove_usage(&mut value);
            value.to_string().into_bytes()
        }
        Err(_) => body.to_vec(),
    }
}

/// An SSE event without its usage; `None` for a Chat Completions chunk that only carried usage.
fn strip_usage_event(event: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(event);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let Some(data) = line.strip_prefix("data:") else {
            out.push_str(line);
            continue;
        };
        let ending = &line[line.trim_end_matches(['\r', '\n']).len()..];
        match serde_json::from_str::<Value>(data.trim()) {
            Ok(mut value) => {
                if value["choices"].as_array().is_some_and(Vec::is_empty) {
                    return None;
                }
                remove_usage(&mut value);
                out.push_str(&format!("data: {value}{ending}"));
            }
            Err(_) => out.push_str(line),
        }
    }
    Some(out.into_bytes())
}

/// [`XSS_TEXT`] in pieces, as a streamed answer would deliver it.
fn xss_pieces() -> Vec<&'static str> {
    let mut pieces = Vec::new();
    let mut rest = XSS_TEXT;
    while !rest.is_empty() {
        let mut cut = rest.len().min(24);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    pieces
}

fn is_chat_completions(kind: ProviderKind) -> bool {
    !matches!(kind, ProviderKind::Anthropic | ProviderKind::Gemini)
}

fn xss_response(kind: ProviderKind, model: &str) -> String {
    let value = if is_chat_completions(kind) {
        json!({
            "id": "chatcmpl-fake-xss", "object": "chat.completion", "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": XSS_TEXT},
                         "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52}
        })
    } else if kind == ProviderKind::Anthropic {
        json!({
            "id": "msg_fake_xss", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": XSS_TEXT}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 12, "output_tokens": 40}
        })
    } else {
        json!({
            "candidates": [{"content": {"parts": [{"text": XSS_TEXT}], "role": "model"},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 40, "totalTokenCount": 52},
            "modelVersion": model
        })
    };
    value.to_string()
}

fn xss_stream(kind: ProviderKind, model: &str) -> Vec<Vec<u8>> {
    let data = |value: Value| format!("data: {value}\n\n").into_bytes();
    let pieces = xss_pieces();
    if is_chat_completions(kind) {
        let chunk = |delta: Value, finish: Value, usage: Value| {
            let choices = if delta.is_null() {
                json!([])
            } else {
                json!([{"index": 0, "delta": delta, "finish_reason": finish}])
            };
            data(
                json!({"id": "chatcmpl-fake-xss", "object": "chat.completion.chunk",
                        "created": 1_700_000_000, "model": model, "choices": choices, "usage": usage}),
            )
        };
        let mut events = vec![chunk(
            json!({"role": "assistant", "content": ""}),
            Value::Null,
            Value::Null,
        )];
        events.extend(
            pieces
                .iter()
                .map(|p| chunk(json!({"content": p}), Value::Null, Value::Null)),
        );
        events.push(chunk(json!({}), json!("stop"), Value::Null));
        events.push(chunk(
            Value::Null,
            Value::Null,
            json!({"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52}),
        ));
        events.push(b"data: [DONE]\n\n".to_vec());
        events
    } else if kind == ProviderKind::Anthropic {
        let event =
            |name: &str, value: Value| format!("event: {name}\ndata: {value}\n\n").into_bytes();
        let mut events = vec![
            event(
                "message_start",
                json!({"type": "message_start", "message": {
                "id": "msg_fake_xss", "type": "message", "role": "assistant", "model": model,
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": 12, "output_tokens": 1}}}),
            ),
            event(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}}),
            ),
        ];
        events.extend(pieces.iter().map(|p| {
            event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": p}}),
            )
        }));
        events.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ));
        events.push(event(
            "message_delta",
            json!({"type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": null},
            "usage": {"output_tokens": 40}}),
        ));
        events.push(event("message_stop", json!({"type": "message_stop"})));
        events
    } else {
        let last = pieces.len().saturating_sub(1);
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut candidate =
                    json!({"content": {"parts": [{"text": p}], "role": "model"}, "index": 0});
                if i == last {
                    candidate["finishReason"] = json!("STOP");
                }
                format!(
                    "data: {}\r\n\r\n",
                    json!({"candidates": [candidate],
                           "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 40,
                                             "totalTokenCount": 52},
                           "modelVersion": model})
                )
                .into_bytes()
            })
            .collect()
    }
}
