//! The fake providers speak each provider's wire protocol: requests built by hub-providers are
//! answered with the recorded fixtures, and hub-providers' parsers read the answers back as
//! `expected.json` says; every scenario behaves as documented.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use hub_api::StreamErrorCode;
use hub_providers::embeddings::{Embedder, EmbeddingRequest, embedder};
use hub_providers::{
    ChatRequest, Message, Provider, ProviderConfig, ProviderError, ProviderKind, StreamSummary,
    Usage, provider,
};
use hub_tests::{FAKE_EMBEDDING_DIMENSION, FakeProviders, Scenario, XSS_TEXT, fake_embedding};
use serde_json::{Value, json};

/// What came back over the wire.
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
    /// When each body chunk arrived.
    arrivals: Vec<Instant>,
    /// Whether reading the body failed (the connection was dropped).
    cut: bool,
}

async fn send(request: http::Request<Vec<u8>>) -> Answer {
    let (parts, body) = request.into_parts();
    let response = hub_tests::client()
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .expect("the fake providers answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut response = response;
    let mut body = Vec::new();
    let mut arrivals = Vec::new();
    let mut cut = false;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                arrivals.push(Instant::now());
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => {
                cut = true;
                break;
            }
        }
    }
    Answer {
        status,
        headers,
        body,
        arrivals,
        cut,
    }
}

fn chat_request(fake: &FakeProviders, kind: ProviderKind, text: &str, stream: bool) -> ChatRequest {
    let manifest = fake.manifest(kind);
    let mut request = ChatRequest::new(
        manifest["model"]
            .as_str()
            .expect("a model in expected.json"),
        vec![Message::system("Be brief."), Message::user(text)],
    )
    .with_stream(stream);
    if let Some(deployment) = manifest["deployment"].as_str() {
        request = request.with_deployment(deployment);
    }
    request
}

/// Sends a chat request for `kind` (configured with `config`) and returns the client and answer.
async fn call(
    fake: &FakeProviders,
    config: &ProviderConfig,
    text: &str,
    stream: bool,
) -> (Box<dyn Provider>, Answer) {
    let client = provider(config).expect("a provider client");
    let request = client
        .build_request(&chat_request(fake, config.kind, text, stream))
        .expect("a request");
    let answer = send(request).await;
    (client, answer)
}

fn usage(value: &Value) -> Option<Usage> {
    if value.is_null() {
        return None;
    }
    Some(Usage {
        input: value["input"].as_u64().unwrap(),
        output: value["output"].as_u64().unwrap(),
        cached: value["cached"].as_u64().unwrap(),
    })
}

fn entry(list: &Value, file: &str) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == file)
        .unwrap_or_else(|| panic!("no {file} in expected.json"))
        .clone()
}

fn summary(client: &dyn Provider, body: &[u8]) -> StreamSummary {
    StreamSummary::of(&client.stream().parse_body(body))
}

async fn stream_replays_the_fixture(kind: ProviderKind) {
    let fake = FakeProviders::start();
    let expected = entry(&fake.manifest(kind)["streams"], "stream.sse");

    let (client, answer) = call(
        &fake,
        &fake.config(kind),
        "What is the capital of France?",
        true,
    )
    .await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["content-type"], "text/event-stream");
    let summary = summary(client.as_ref(), &answer.body);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(summary.text, expected["text"].as_str().unwrap());
    assert_eq!(summary.usage, usage(&expected["usage"]));
    assert_eq!(
        summary.finish.unwrap().as_str(),
        expected["finish"].as_str().unwrap()
    );
}

async fn response_replays_the_fixture(kind: ProviderKind) {
    let fake = FakeProviders::start();
    let expected = fake.manifest(kind)["response"].clone();

    let (client, answer) = call(
        &fake,
        &fake.config(kind),
        "What is the capital of France?",
        false,
    )
    .await;

    assert_eq!(answer.status, 200);
    let response = client
        .parse_response(&answer.body)
        .expect("a readable answer");
    assert_eq!(response.text, expected["text"].as_str().unwrap());
    assert_eq!(response.usage, usage(&expected["usage"]));
    assert_eq!(
        response.finish.as_str(),
        expected["finish"].as_str().unwrap()
    );
}

async fn requests_are_recorded_without_secrets(kind: ProviderKind) {
    let fake = FakeProviders::start();

    let (_, answer) = call(&fake, &fake.config(kind), "Record me", true).await;

    assert_eq!(answer.status, 200);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.provider, Some(kind));
    assert_eq!(request.method, "POST");
    assert!(
        request.body.to_string().contains("Record me"),
        "{:?}",
        request.body
    );
    let recorded = format!("{request:?}");
    assert!(!recorded.contains(fake.key()), "the key leaked: {recorded}");
    assert!(
        ["authorization", "api-key", "x-api-key", "x-goog-api-key"]
            .iter()
            .any(|name| request.header(name) == Some("***")),
        "{recorded}"
    );
}

async fn no_usage_keeps_the_text(kind: ProviderKind) {
    let fake = FakeProviders::start();
    fake.set_scenario(kind, Scenario::NoUsage);
    let manifest = fake.manifest(kind);

    let (client, streamed) = call(&fake, &fake.config(kind), "Hi", true).await;
    let (_, whole) = call(&fake, &fake.config(kind), "Hi", false).await;

    let summary = summary(client.as_ref(), &streamed.body);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(
        summary.text,
        entry(&manifest["streams"], "stream.sse")["text"]
            .as_str()
            .unwrap()
    );
    assert_eq!(summary.usage, None);
    let response = client
        .parse_response(&whole.body)
        .expect("a readable answer");
    assert_eq!(
        response.text,
        manifest["response"]["text"].as_str().unwrap()
    );
    assert_eq!(response.usage, None);
}

async fn errors_replay_status_headers_and_body(kind: ProviderKind) {
    let fake = FakeProviders::start();
    let manifest = fake.manifest(kind);
    for status in [400, 401, 429, 500] {
        let expected = entry(&manifest["errors"], &format!("error_{status}.json"));
        fake.set_scenario(kind, Scenario::Error(status));

        for stream in [true, false] {
            let (client, answer) = call(&fake, &fake.config(kind), "Hi", stream).await;

            assert_eq!(
                answer.status as u64,
                expected["status"].as_u64().unwrap(),
                "{status}"
            );
            for (name, value) in expected["headers"].as_object().unwrap() {
                assert_eq!(
                    answer.headers[name.as_str()],
                    value.as_str().unwrap(),
                    "{status} {name}"
                );
            }
            let error = client.handle_error(answer.status, &answer.headers, &answer.body);
            assert_eq!(
                error.code().as_str(),
                expected["code"].as_str().unwrap(),
                "{status}"
            );
            assert_eq!(
                error.retry_after(),
                expected["retry_after"].as_u64(),
                "{status}"
            );
            assert_eq!(error.message(), expected["message"].as_str(), "{status}");
        }
    }
    // A 5xx without a recording (503): that status, with the recorded 500's body.
    fake.set_scenario(kind, Scenario::Error(503));
    let (client, answer) = call(&fake, &fake.config(kind), "Hi", true).await;
    assert_eq!(answer.status, 503);
    let error = client.handle_error(answer.status, &answer.headers, &answer.body);
    assert_eq!(error.code().as_str(), "provider_unavailable");
}

async fn a_wrong_key_is_refused(kind: ProviderKind) {
    let fake = FakeProviders::start();
    let expected = entry(&fake.manifest(kind)["errors"], "error_401.json");
    let config = fake.config(kind).with_api_key("not-the-key");

    let (client, answer) = call(&fake, &config, "Hi", true).await;

    assert_eq!(answer.status as u64, expected["status"].as_u64().unwrap());
    let error = client.handle_error(answer.status, &answer.headers, &answer.body);
    assert_eq!(error.code(), StreamErrorCode::ProviderAuth);
}

async fn a_dropped_stream_is_incomplete(kind: ProviderKind) {
    let fake = FakeProviders::start();
    fake.set_scenario(kind, Scenario::Disconnect { after: 2 });
    let full = fake.streamed_text(kind);

    let (client, answer) = call(&fake, &fake.config(kind), "Hi", true).await;

    assert_eq!(answer.status, 200);
    assert!(answer.cut, "the connection should have been dropped");
    assert!(!answer.body.is_empty(), "two events come before the drop");
    let summary = summary(client.as_ref(), &answer.body);
    assert!(!summary.is_complete());
    assert_eq!(
        summary.error.unwrap().code(),
        StreamErrorCode::ProviderIncomplete
    );
    assert!(full.starts_with(&summary.text), "{:?}", summary.text);
    assert!(summary.text.len() < full.len());
}

async fn garbage_is_an_invalid_response(kind: ProviderKind) {
    let fake = FakeProviders::start();
    fake.set_scenario(kind, Scenario::Garbage { after: 2 });
    let full = fake.streamed_text(kind);

    let (client, streamed) = call(&fake, &fake.config(kind), "Hi", true).await;
    let (_, whole) = call(&fake, &fake.config(kind), "Hi", false).await;

    assert_eq!(streamed.status, 200);
    assert!(!streamed.cut);
    let body = String::from_utf8_lossy(&streamed.body);
    assert!(
        body.contains("<html>") && body.contains("data: {\"choices\""),
        "{body}"
    );
    let summary = summary(client.as_ref(), &streamed.body);
    assert_eq!(
        summary.error.unwrap().code(),
        StreamErrorCode::ProviderInvalidResponse
    );
    // Only the events before the garbage count, though the rest of the stream followed it.
    assert!(full.starts_with(&summary.text), "{:?}", summary.text);
    assert!(summary.text.len() < full.len());
    assert_eq!(whole.status, 200);
    let error = client.parse_response(&whole.body).unwrap_err();
    assert_eq!(error.code(), StreamErrorCode::ProviderInvalidResponse);
}

async fn a_stalled_stream_goes_silent(kind: ProviderKind) {
    let fake = FakeProviders::start();
    fake.set_scenario(kind, Scenario::Stall { after: 2 });
    let client = provider(&fake.config(kind)).unwrap();
    let request = client
        .build_request(&chat_request(&fake, kind, "Hi", true))
        .unwrap();
    let (parts, body) = request.into_parts();
    let mut response = hub_tests::client()
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut received = Vec::new();
    // Two events, then nothing: the body neither goes on nor ends.
    while let Ok(chunk) = tokio::time::timeout(Duration::from_millis(400), response.chunk()).await {
        received.extend_from_slice(&chunk.unwrap().expect("the body stays open"));
    }
    let text = String::from_utf8_lossy(&received);
    assert_eq!(text.matches("data:").count(), 2, "{text}");
}

async fn a_slow_stream_spreads_its_chunks(kind: ProviderKind) {
    let fake = FakeProviders::start();
    let delay = Duration::from_millis(150);
    fake.set_scenario(kind, Scenario::Slow(delay));

    let (client, answer) = call(&fake, &fake.config(kind), "Hi", true).await;

    assert!(summary(client.as_ref(), &answer.body).is_complete());
    let events = client.stream().parse_body(&answer.body).len();
    assert!(
        answer.arrivals.len() >= 3,
        "{} chunks for {events} events",
        answer.arrivals.len()
    );
    let spread = *answer.arrivals.last().unwrap() - answer.arrivals[0];
    // n chunks are (n - 1) delays apart; half of that leaves room for a busy machine.
    let minimum = delay * (answer.arrivals.len() as u32 - 1) / 2;
    assert!(
        spread >= minimum,
        "chunks arrived within {spread:?}, expected at least {minimum:?}"
    );
}

async fn the_xss_answer_carries_the_payload(kind: ProviderKind) {
    let fake = FakeProviders::start();
    fake.set_scenario(kind, Scenario::Xss);

    let (client, streamed) = call(&fake, &fake.config(kind), "Hi", true).await;
    let (_, whole) = call(&fake, &fake.config(kind), "Hi", false).await;

    let summary = summary(client.as_ref(), &streamed.body);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(summary.text, XSS_TEXT);
    assert!(summary.usage.is_some());
    let response = client
        .parse_response(&whole.body)
        .expect("a readable answer");
    assert_eq!(response.text, XSS_TEXT);
    assert!(XSS_TEXT.contains("<script>alert(1)</script>"));
    assert!(XSS_TEXT.contains("<img src=x onerror=alert(1)>"));
}

async fn a_marker_in_the_message_selects_the_scenario(kind: ProviderKind) {
    let fake = FakeProviders::start();
    let expected = entry(&fake.manifest(kind)["errors"], "error_429.json");

    let text = format!("Please {}", Scenario::Error(429).marker());
    let (client, limited) = call(&fake, &fake.config(kind), &text, true).await;
    let (_, alias) = call(
        &fake,
        &fake.config(kind),
        "Again [[scenario:rate_limit]]",
        false,
    )
    .await;
    let (_, normal) = call(&fake, &fake.config(kind), "Hi", true).await;

    assert_eq!(limited.status as u64, expected["status"].as_u64().unwrap());
    let error = client.handle_error(limited.status, &limited.headers, &limited.body);
    assert_eq!(error.code(), StreamErrorCode::ProviderRateLimited);
    assert_eq!(alias.status, limited.status);
    assert_eq!(normal.status, 200);
}

macro_rules! provider_matrix {
    ($($module:ident => $kind:expr),* $(,)?) => {$(
        mod $module {
            use super::*;
            const KIND: ProviderKind = $kind;

            #[tokio::test]
            async fn stream_replays_the_fixture() { super::stream_replays_the_fixture(KIND).await }
            #[tokio::test]
            async fn response_replays_the_fixture() { super::response_replays_the_fixture(KIND).await }
            #[tokio::test]
            async fn requests_are_recorded_without_secrets() {
                super::requests_are_recorded_without_secrets(KIND).await
            }
            #[tokio::test]
            async fn no_usage_keeps_the_text() { super::no_usage_keeps_the_text(KIND).await }
            #[tokio::test]
            async fn errors_replay_status_headers_and_body() {
                super::errors_replay_status_headers_and_body(KIND).await
            }
            #[tokio::test]
            async fn a_wrong_key_is_refused() { super::a_wrong_key_is_refused(KIND).await }
            #[tokio::test]
            async fn a_dropped_stream_is_incomplete() { super::a_dropped_stream_is_incomplete(KIND).await }
            #[tokio::test]
            async fn garbage_is_an_invalid_response() { super::garbage_is_an_invalid_response(KIND).await }
            #[tokio::test]
            async fn a_stalled_stream_goes_silent() { super::a_stalled_stream_goes_silent(KIND).await }
            #[tokio::test]
            async fn a_slow_stream_spreads_its_chunks() {
                super::a_slow_stream_spreads_its_chunks(KIND).await
            }
            #[tokio::test]
            async fn the_xss_answer_carries_the_payload() {
                super::the_xss_answer_carries_the_payload(KIND).await
            }
            #[tokio::test]
            async fn a_marker_in_the_message_selects_the_scenario() {
                super::a_marker_in_the_message_selects_the_scenario(KIND).await
            }
        }
    )*};
}

provider_matrix! {
    openai => ProviderKind::OpenAi,
    anthropic => ProviderKind::Anthropic,
    gemini => ProviderKind::Gemini,
    mistral => ProviderKind::Mistral,
    xai => ProviderKind::XAi,
    azure => ProviderKind::AzureOpenAi,
    compatible => ProviderKind::OpenAiCompatible,
}

#[tokio::test]
async fn the_chunk_delay_applies_to_every_stream() {
    let fake = FakeProviders::start();
    let delay = Duration::from_millis(100);
    fake.set_chunk_delay(delay);

    let started = Instant::now();
    let (client, answer) = call(&fake, &fake.config(ProviderKind::OpenAi), "Hi", true).await;

    assert!(summary(client.as_ref(), &answer.body).is_complete());
    let events = answer.arrivals.len() as u32;
    assert!(events >= 3);
    assert!(started.elapsed() >= delay * (events - 1) / 2);
}

#[tokio::test]
async fn gemini_accepts_the_key_in_the_query() {
    let fake = FakeProviders::start();
    let model = fake.manifest(ProviderKind::Gemini)["model"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!(
        "{}/v1beta/models/{model}:generateContent?key={}",
        fake.base_url(ProviderKind::Gemini),
        fake.key()
    );

    let answer = hub_tests::client()
        .post(&url)
        .header("content-type", "application/json")
        .body(r#"{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}"#)
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 200);
    let recorded = &fake.requests()[0];
    assert!(
        recorded.path.ends_with(":generateContent?key=***"),
        "{}",
        recorded.path
    );
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    let fake = FakeProviders::start();

    let answer = hub_tests::client()
        .post(format!(
            "http://{}/nowhere/v1/chat/completions",
            fake.addr()
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 404);
}

#[test]
fn the_server_stops_on_drop_and_works_from_sync_tests() {
    let fake = FakeProviders::start();
    let addr = fake.addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());

    drop(fake);

    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn markers_round_trip() {
    for scenario in [
        Scenario::Normal,
        Scenario::NoUsage,
        Scenario::Error(429),
        Scenario::Disconnect { after: 3 },
        Scenario::Slow(Duration::from_millis(250)),
        Scenario::Xss,
        Scenario::ErrorOnce(503),
        Scenario::Stall { after: 2 },
        Scenario::Garbage { after: 0 },
    ] {
        let text = format!("Hello {} there", scenario.marker());
        assert_eq!(Scenario::from_text(&text), Some(scenario));
    }
    assert_eq!(
        Scenario::from_text("[[scenario:xss]] then [[scenario:rate_limit]]"),
        Some(Scenario::Error(429))
    );
    assert_eq!(Scenario::from_text("no marker"), None);
}

/// The providers with an embeddings API.
const EMBEDDING_KINDS: [ProviderKind; 5] = [
    ProviderKind::OpenAi,
    ProviderKind::AzureOpenAi,
    ProviderKind::Gemini,
    ProviderKind::Mistral,
    ProviderKind::OpenAiCompatible,
];

fn embedding_request(kind: ProviderKind, texts: &[&str]) -> EmbeddingRequest {
    let model = match kind {
        ProviderKind::Gemini => "gemini-embedding-001",
        ProviderKind::Mistral => "mistral-embed",
        ProviderKind::OpenAiCompatible => "nomic-embed-text",
        _ => "text-embedding-3-small",
    };
    let request = EmbeddingRequest::new(model, texts.iter().map(|t| (*t).to_owned()).collect());
    if kind == ProviderKind::AzureOpenAi {
        request.with_deployment("embeddings-prod")
    } else {
        request
    }
}

/// Sends an embedding request for `config.kind` and returns the client and the answer.
async fn embed(config: &ProviderConfig, request: &EmbeddingRequest) -> (Box<dyn Embedder>, Answer) {
    let client = embedder(config).expect("an embedding client");
    let answer = send(client.build_request(request).expect("a request")).await;
    (client, answer)
}

#[tokio::test]
async fn embeddings_are_the_fake_embeddings_of_the_texts() {
    let fake = FakeProviders::start();
    let texts = [
        "Urlaubsantrag für Jürgen",
        "Quarterly revenue, 2025",
        "Ärger",
    ];
    for kind in EMBEDDING_KINDS {
        for dimensions in [None, Some(256)] {
            let mut request = embedding_request(kind, &texts);
            request.dimensions = dimensions;

            let (client, answer) = embed(&fake.config(kind), &request).await;

            let body = String::from_utf8_lossy(&answer.body);
            assert_eq!(answer.status, 200, "{kind:?}: {body}");
            let response = client
                .parse_response(&request, &answer.body)
                .unwrap_or_else(|e| panic!("{kind:?}: {e}: {body}"));
            let dimension = dimensions.map_or(FAKE_EMBEDDING_DIMENSION, |d| d as usize);
            let expected: Vec<Vec<f32>> =
                texts.iter().map(|t| fake_embedding(t, dimension)).collect();
            assert_eq!(response.vectors, expected, "{kind:?} {dimensions:?}");
            let tokens: usize = texts.iter().map(|t| t.len().div_ceil(4)).sum();
            assert_eq!(response.usage.input, tokens as u64, "{kind:?}");
            assert_eq!(response.usage.output, 0);
            // Gemini reports no usage: the count is the client's estimate.
            assert_eq!(response.estimated, kind == ProviderKind::Gemini, "{kind:?}");
        }
        let recorded = fake.requests().pop().expect("a recorded request");
        assert_eq!(recorded.provider, Some(kind));
        assert_eq!(recorded.method, "POST");
        assert!(
            recorded.body.to_string().contains("Jürgen"),
            "{:?}",
            recorded.body
        );
        assert!(
            !format!("{recorded:?}").contains(fake.key()),
            "{recorded:?}"
        );
        let expected_path = match kind {
            ProviderKind::AzureOpenAi => {
                "/azure/openai/deployments/embeddings-prod/embeddings?api-version="
            }
            ProviderKind::Gemini => "/gemini/v1beta/models/gemini-embedding-001:batchEmbedContents",
            ProviderKind::Mistral => "/mistral/v1/embeddings",
            ProviderKind::OpenAiCompatible => "/compatible/v1/embeddings",
            _ => "/openai/v1/embeddings",
        };
        assert!(
            recorded.path.starts_with(expected_path),
            "{kind:?}: {}",
            recorded.path
        );
    }
}

#[tokio::test]
async fn embeddings_refuse_a_wrong_key_and_replay_errors() {
    let fake = FakeProviders::start();
    for kind in EMBEDDING_KINDS {
        let request = embedding_request(kind, &["Hallo"]);
        let manifest = fake.manifest(kind);

        let wrong = fake.config(kind).with_api_key("not-the-key");
        let (client, answer) = embed(&wrong, &request).await;
        let expected = entry(&manifest["errors"], "error_401.json");
        assert_eq!(answer.status as u64, expected["status"].as_u64().unwrap());
        let error = client.handle_error(answer.status, &answer.headers, &answer.body);
        assert_eq!(
            error.code(),
            StreamErrorCode::ProviderAuth,
            "{kind:?}: {error}"
        );

        // A rate limit once, then the same texts go through.
        fake.set_scenario(kind, Scenario::ErrorOnce(429));
        let (client, limited) = embed(&fake.config(kind), &request).await;
        let (_, retried) = embed(&fake.config(kind), &request).await;
        let expected = entry(&manifest["errors"], "error_429.json");
        assert_eq!(limited.status, 429, "{kind:?}");
        let error = client.handle_error(limited.status, &limited.headers, &limited.body);
        assert!(
            matches!(error, ProviderError::RateLimited { .. }),
            "{error}"
        );
        assert_eq!(
            error.retry_after(),
            expected["retry_after"].as_u64(),
            "{kind:?}"
        );
        assert_eq!(retried.status, 200, "{kind:?}");

        // The marker in a text wins over the scenario set.
        let marked = embedding_request(kind, &["Hallo [[scenario:error_503]]"]);
        let (client, failed) = embed(&fake.config(kind), &marked).await;
        assert_eq!(failed.status, 503, "{kind:?}");
        let error = client.handle_error(failed.status, &failed.headers, &failed.body);
        assert_eq!(error.code(), StreamErrorCode::ProviderUnavailable);

        // A half answer cannot be read.
        fake.set_scenario(kind, Scenario::Disconnect { after: 0 });
        let (client, cut) = embed(&fake.config(kind), &request).await;
        assert!(cut.cut, "{kind:?}");
        assert!(client.parse_response(&request, &cut.body).is_err());
        fake.set_scenario(kind, Scenario::Normal);
    }
}

#[tokio::test]
async fn the_fake_refuses_what_the_real_embeddings_apis_refuse() {
    let fake = FakeProviders::start();
    let client = hub_tests::client();
    let post = |path: String, body: Value| {
        let client = client.clone();
        let key = fake.key().to_owned();
        async move {
            client
                .post(path)
                .bearer_auth(&key)
                .header("x-goog-api-key", &key)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let openai = format!("{}/embeddings", fake.base_url(ProviderKind::OpenAi));
    assert_eq!(
        post(openai.clone(), json!({"model": "m", "input": []})).await,
        400
    );
    assert_eq!(
        post(openai.clone(), json!({"model": "m", "input": ["a", ""]})).await,
        400
    );
    assert_eq!(
        post(
            openai.clone(),
            json!({"model": "m", "input": "a", "dimensions": 0})
        )
        .await,
        400
    );
    assert_eq!(
        post(openai, json!({"model": "m", "input": "one text"})).await,
        200
    );
    let gemini = format!(
        "{}/v1beta/models/gemini-embedding-001:batchEmbedContents",
        fake.base_url(ProviderKind::Gemini)
    );
    let other_model = json!({"requests": [
        {"model": "models/text-embedding-004", "content": {"parts": [{"text": "a"}]}}
    ]});
    assert_eq!(post(gemini, other_model).await, 400);
    // xAI and Anthropic have no embeddings API.
    let xai = format!("{}/embeddings", fake.base_url(ProviderKind::XAi));
    assert_eq!(post(xai, json!({"model": "m", "input": ["a"]})).await, 404);
    for kind in [ProviderKind::XAi, ProviderKind::Anthropic] {
        assert!(embedder(&fake.config(kind)).is_err());
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn fake_embeddings_put_texts_sharing_words_close() {
    let question = fake_embedding("Wie beantrage ich Urlaub?", 1536);
    let near = fake_embedding("Urlaub beantragen: das Formular", 1536);
    let far = fake_embedding("Quartalszahlen und Umsatz 2025", 1536);
    assert!((cosine(&question, &question) - 1.0).abs() < 1e-5);
    assert!(
        cosine(&question, &near) > 0.2,
        "{}",
        cosine(&question, &near)
    );
    assert!(
        cosine(&question, &far).abs() < 0.1,
        "{}",
        cosine(&question, &far)
    );
    // Words, not spelling: case and punctuation do not matter, umlauts are letters.
    assert_eq!(
        fake_embedding("ÄRGER über Öl", 64),
        fake_embedding("ärger, über öl!", 64)
    );
    assert_ne!(fake_embedding("Öl", 64), fake_embedding("l", 64));
    assert_eq!(fake_embedding("...", 8), {
        let mut unit = vec![0.0; 8];
        unit[0] = 1.0;
        unit
    });
    assert_eq!(fake_embedding("any", 256).len(), 256);
}
