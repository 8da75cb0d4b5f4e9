//! The fake providers speak each provider's wire protocol: requests built by hub-providers are
//! answered with the recorded fixtures, and hub-providers' parsers read the answers back as
//! `expected.json` says; every scenario behaves as documented.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use hub_api::StreamErrorCode;
use hub_providers::{
    ChatRequest, Message, Provider, ProviderConfig, ProviderKind, StreamSummary, Usage, provider,
};
use hub_tests::{FakeProviders, Scenario, XSS_TEXT};
use serde_json::Value;

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
