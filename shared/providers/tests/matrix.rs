//! Every provider through the same cases, against the recorded-format fixtures in
//! `tests/fixtures/<provider>/` and their `expected.json`: the request it builds (URL,
//! headers, body), the complete answer, every stream fixture (whole, split at every byte
//! boundary, and byte by byte), and every error body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use http::{HeaderMap, HeaderName, HeaderValue};
use hub_providers::{
    ChatRequest, Message, Provider, ProviderConfig, ProviderError, ProviderKind, StreamEvent,
    StreamSummary, Usage, provider,
};
use serde_json::{Value, json};

/// The key every case is configured with; it must never appear in a URL, a body or an error.
const KEY: &str = "sk-test-0123456789abcdefKEY1";

/// What one provider is expected to send.
struct Case {
    kind: ProviderKind,
    /// The fixture folder under `tests/fixtures/`.
    dir: &'static str,
    /// The base URL to configure (`None`: the provider's default).
    base_url: Option<&'static str>,
    /// The URL of the streamed and of the complete request.
    stream_url: &'static str,
    plain_url: &'static str,
    /// The auth header and its exact value.
    auth: (&'static str, &'static str),
    /// Fields the streamed request's JSON body must have (a subset of it).
    body: Value,
    /// JSON pointers that must be absent from the streamed request's body.
    absent: &'static [&'static str],
}

/// A base URL pointing somewhere else than the provider (a proxy, a regional endpoint, a
/// fake in tests), and the streaming URL it must give.
struct Relocated {
    base: &'static str,
    stream_url: &'static str,
}

fn fixture_dir(case: &Case) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case.dir)
}

fn read(case: &Case, file: &str) -> Vec<u8> {
    let path = fixture_dir(case).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest(case: &Case) -> Value {
    serde_json::from_slice(&read(case, "expected.json")).unwrap()
}

fn config(case: &Case, base_url: Option<&str>) -> ProviderConfig {
    let mut config = ProviderConfig::new(case.kind).with_api_key(KEY);
    config.base_url = base_url.map(str::to_owned);
    config
}

fn client(case: &Case) -> Box<dyn Provider> {
    provider(&config(case, case.base_url)).unwrap()
}

/// The same conversation for every provider, for the model the fixtures were recorded with.
fn request(case: &Case) -> ChatRequest {
    let manifest = manifest(case);
    let mut request = ChatRequest::new(
        manifest["model"].as_str().unwrap(),
        vec![
            Message::system("You are a helpful assistant."),
            Message::user("What is the capital of France?"),
        ],
    )
    .with_temperature(0.4)
    .with_max_output_tokens(512);
    if let Some(deployment) = manifest["deployment"].as_str() {
        request = request.with_deployment(deployment);
    }
    request
}

/// `expected` is contained in `actual`: every key of an expected object is there with a
/// contained value; arrays have the same length and contained elements.
fn assert_contains(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => {
            for (key, value) in expected {
                let inner = actual
                    .get(key)
                    .unwrap_or_else(|| panic!("{path}/{key} is missing"));
                assert_contains(inner, value, &format!("{path}/{key}"));
            }
        }
        (Value::Array(actual), Value::Array(expected)) => {
            assert_eq!(actual.len(), expected.len(), "{path}: array length");
            for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
                assert_contains(a, e, &format!("{path}/{i}"));
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn usage_of(value: &Value) -> Option<Usage> {
    if value.is_null() {
        return None;
    }
    Some(Usage {
        input: value["input"].as_u64().unwrap(),
        output: value["output"].as_u64().unwrap(),
        cached: value["cached"].as_u64().unwrap(),
    })
}

fn check_streaming_request(case: &Case) {
    let http = client(case).build_request(&request(case)).unwrap();
    assert_eq!(http.method(), http::Method::POST);
    assert_eq!(http.uri(), case.stream_url);
    assert_eq!(http.headers()["content-type"], "application/json");
    assert_eq!(http.headers()["accept"], "text/event-stream");
    let (name, value) = case.auth;
    assert_eq!(http.headers()[name], value);
    assert!(
        http.headers()[name].is_sensitive(),
        "{name} is not marked sensitive"
    );
    for other in ["authorization", "api-key", "x-api-key", "x-goog-api-key"] {
        if other != name {
            assert!(
                http.headers().get(other).is_none(),
                "unexpected {other} header"
            );
        }
    }
    let body: Value = serde_json::from_slice(http.body()).unwrap();
    assert_contains(&body, &case.body, "");
    for pointer in case.absent {
        assert!(
            body.pointer(pointer).is_none(),
            "{pointer} must not be sent: {body}"
        );
    }
}

fn check_plain_request(case: &Case) {
    let http = client(case)
        .build_request(&request(case).with_stream(false))
        .unwrap();
    assert_eq!(http.uri(), case.plain_url);
    assert_eq!(http.headers()["accept"], "application/json");
    let body: Value = serde_json::from_slice(http.body()).unwrap();
    assert!(
        body.get("stream").is_none_or(|s| s == false),
        "a complete answer is not streamed: {body}"
    );
    assert!(body.get("stream_options").is_none());
}

fn check_relocated(case: &Case, relocated: &Relocated) {
    let client = provider(&config(case, Some(relocated.base))).unwrap();
    let http = client.build_request(&request(case)).unwrap();
    assert_eq!(http.uri(), relocated.stream_url);
}

fn check_key_stays_secret(case: &Case) {
    let http = client(case).build_request(&request(case)).unwrap();
    assert!(
        !http.uri().to_string().contains(KEY),
        "the key is in the URL"
    );
    assert!(
        !String::from_utf8_lossy(http.body()).contains(KEY),
        "the key is in the body"
    );
    assert!(
        !format!("{http:?}").contains(KEY),
        "the key is in the request's Debug"
    );
    assert!(
        !format!("{:?}", config(case, None)).contains(KEY),
        "the key is in the config's Debug"
    );
    // A provider that echoes the whole key in an error still does not get it through.
    for status in [400, 401, 500] {
        let body = json!({"error": {"message": format!("bad key {KEY}")}, "message": format!("bad key {KEY}")});
        let err = client(case).handle_error(status, &HeaderMap::new(), body.to_string().as_bytes());
        assert!(!format!("{err} {err:?}").contains(KEY), "{err:?}");
    }
}

fn check_missing_key(case: &Case) {
    let mut config = config(case, case.base_url);
    config.api_key = None;
    match provider(&config) {
        Err(ProviderError::MissingKey { provider }) => {
            assert!(case.kind.requires_key());
            assert_eq!(provider, case.kind);
        }
        Ok(_) => assert!(!case.kind.requires_key(), "{:?} needs a key", case.kind),
        Err(other) => panic!("{other:?}"),
    }
}

fn check_response(case: &Case) {
    let manifest = manifest(case);
    let expected = &manifest["response"];
    let body = read(case, expected["file"].as_str().unwrap());
    let answer = client(case).parse_response(&body).unwrap();
    assert_eq!(answer.text, expected["text"].as_str().unwrap());
    assert_eq!(answer.finish.as_str(), expected["finish"].as_str().unwrap());
    assert_eq!(answer.usage, usage_of(&expected["usage"]));
    assert!(answer.model.is_some_and(|m| !m.is_empty()));
}

/// The events end with `[Usage,] Finish | Error`, with nothing but deltas before.
fn assert_well_formed(events: &[StreamEvent], file: &str) {
    let (last, rest) = events
        .split_last()
        .unwrap_or_else(|| panic!("{file}: no events"));
    assert!(
        matches!(last, StreamEvent::Finish(_) | StreamEvent::Error(_)),
        "{file}: ends with {last:?}"
    );
    let rest = match rest.split_last() {
        Some((StreamEvent::Usage(_), before)) => before,
        _ => rest,
    };
    for event in rest {
        assert!(
            matches!(event, StreamEvent::Delta(d) if !d.is_empty()),
            "{file}: {event:?}"
        );
    }
}

fn check_streams(case: &Case) {
    let manifest = manifest(case);
    let streams = manifest["streams"].as_array().unwrap();
    for expected in streams {
        let file = expected["file"].as_str().unwrap();
        let events = client(case).stream().parse_body(&read(case, file));
        assert_well_formed(&events, file);
        let summary = StreamSummary::of(&events);
        assert_eq!(
            summary.text,
            expected["text"].as_str().unwrap(),
            "{file}: text"
        );
        assert_eq!(summary.usage, usage_of(&expected["usage"]), "{file}: usage");
        match (&summary.error, expected.get("error")) {
            (None, None) => assert_eq!(
                summary.finish.as_ref().map(|f| f.as_str()),
                expected["finish"].as_str(),
                "{file}: finish"
            ),
            (Some(error), Some(code)) => {
                assert_eq!(
                    error.code().as_str(),
                    code.as_str().unwrap(),
                    "{file}: {error:?}"
                );
                assert_eq!(error.provider(), Some(case.kind));
                assert!(summary.finish.is_none());
            }
            (got, want) => panic!("{file}: error {got:?}, expected {want:?}"),
        }
    }
}

fn check_splits(case: &Case) {
    let manifest = manifest(case);
    for expected in manifest["streams"].as_array().unwrap() {
        let file = expected["file"].as_str().unwrap();
        let body = read(case, file);
        let whole = client(case).stream().parse_body(&body);
        for split in 0..=body.len() {
            let mut stream = client(case).stream();
            let mut events = stream.push(&body[..split]);
            events.extend(stream.push(&body[split..]));
            events.extend(stream.finish());
            assert_eq!(events, whole, "{file} split at byte {split}");
        }
        let mut stream = client(case).stream();
        let mut events = Vec::new();
        for byte in &body {
            events.extend(stream.push(std::slice::from_ref(byte)));
        }
        events.extend(stream.finish());
        assert_eq!(events, whole, "{file} byte by byte");
    }
}

fn check_errors(case: &Case) {
    let manifest = manifest(case);
    for expected in manifest["errors"].as_array().unwrap() {
        let file = expected["file"].as_str().unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in expected["headers"].as_object().unwrap() {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
            );
        }
        let status = u16::try_from(expected["status"].as_u64().unwrap()).unwrap();
        let err = client(case).handle_error(status, &headers, &read(case, file));
        assert_eq!(
            err.code().as_str(),
            expected["code"].as_str().unwrap(),
            "{file}: {err:?}"
        );
        assert_eq!(err.message(), expected["message"].as_str(), "{file}");
        assert_eq!(
            err.retry_after(),
            expected["retry_after"].as_u64(),
            "{file}"
        );
        assert_eq!(err.provider(), Some(case.kind));
        let client_error = matches!(status, 400 | 401 | 403 | 404 | 413 | 422 | 429);
        assert_eq!(err.is_client_error(), client_error, "{file}");
    }
}

/// Every provider has the fixtures the fake providers replay, and every fixture is checked.
fn check_fixture_set(case: &Case) {
    let manifest = manifest(case);
    let files = |key: &str| -> Vec<String> {
        manifest[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["file"].as_str().unwrap().to_owned())
            .collect()
    };
    let streams = files("streams");
    for required in ["stream.sse", "stream_error.sse", "stream_truncated.sse"] {
        assert!(
            streams.iter().any(|f| f == required),
            "{}: no {required}",
            case.dir
        );
    }
    let statuses: Vec<u64> = manifest["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    for required in [400, 429, 500] {
        assert!(
            statuses.contains(&required),
            "{}: no {required} error",
            case.dir
        );
    }
    let codes: Vec<&str> = manifest["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"provider_auth"),
        "{}: no invalid-key error",
        case.dir
    );
    let stream_with_usage = &manifest["streams"][0];
    assert!(
        !stream_with_usage["usage"].is_null(),
        "{}: stream.sse has no usage",
        case.dir
    );

    let mut listed = streams;
    listed.extend(files("errors"));
    listed.push(manifest["response"]["file"].as_str().unwrap().to_owned());
    listed.push("expected.json".to_owned());
    for entry in std::fs::read_dir(fixture_dir(case)).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            listed.contains(&name),
            "{}/{name} is not in expected.json",
            case.dir
        );
    }
}

macro_rules! provider_matrix {
    ($($name:ident => { $case:expr, relocated: $relocated:expr $(,)? })*) => {
        $(
            mod $name {
                use super::*;

                fn case() -> Case {
                    $case
                }

                #[test]
                fn builds_the_streaming_request() {
                    check_streaming_request(&case());
                }

                #[test]
                fn builds_the_complete_request() {
                    check_plain_request(&case());
                }

                #[test]
                fn sends_to_a_configured_base_url() {
                    check_relocated(&case(), &$relocated);
                }

                #[test]
                fn keeps_the_key_secret() {
                    check_key_stays_secret(&case());
                }

                #[test]
                fn needs_a_key_where_the_provider_does() {
                    check_missing_key(&case());
                }

                #[test]
                fn parses_the_complete_answer() {
                    check_response(&case());
                }

                #[test]
                fn parses_every_stream_fixture() {
                    check_streams(&case());
                }

                #[test]
                fn parses_streams_the_same_however_they_are_split() {
                    check_splits(&case());
                }

                #[test]
                fn maps_every_error_fixture() {
                    check_errors(&case());
                }

                #[test]
                fn has_every_required_fixture() {
                    check_fixture_set(&case());
                }
            }
        )*
    };
}

provider_matrix! {
    openai => {
        Case {
            kind: ProviderKind::OpenAi,
            dir: "openai",
            base_url: None,
            stream_url: "https://api.openai.com/v1/chat/completions",
            plain_url: "https://api.openai.com/v1/chat/completions",
            auth: ("authorization", "Bearer sk-test-0123456789abcdefKEY1"),
            body: json!({
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "What is the capital of France?"}
                ],
                "temperature": 0.4,
                "max_completion_tokens": 512,
                "stream": true,
                "stream_options": {"include_usage": true}
            }),
            absent: &["/max_tokens"],
        },
        relocated: Relocated {
            base: "http://127.0.0.1:18080/openai/v1/",
            stream_url: "http://127.0.0.1:18080/openai/v1/chat/completions",
        },
    }
    anthropic => {
        Case {
            kind: ProviderKind::Anthropic,
            dir: "anthropic",
            base_url: None,
            stream_url: "https://api.anthropic.com/v1/messages",
            plain_url: "https://api.anthropic.com/v1/messages",
            auth: ("x-api-key", "sk-test-0123456789abcdefKEY1"),
            body: json!({
                "model": "claude-sonnet-4-20250514",
                "system": "You are a helpful assistant.",
                "messages": [{"role": "user", "content": "What is the capital of France?"}],
                "temperature": 0.4,
                "max_tokens": 512,
                "stream": true
            }),
            absent: &["/stream_options", "/max_completion_tokens"],
        },
        relocated: Relocated {
            base: "https://eu.anthropic-proxy.example.com",
            stream_url: "https://eu.anthropic-proxy.example.com/v1/messages",
        },
    }
    gemini => {
        Case {
            kind: ProviderKind::Gemini,
            dir: "gemini",
            base_url: None,
            stream_url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            plain_url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            auth: ("x-goog-api-key", "sk-test-0123456789abcdefKEY1"),
            body: json!({
                "contents": [{"role": "user", "parts": [{"text": "What is the capital of France?"}]}],
                "systemInstruction": {"parts": [{"text": "You are a helpful assistant."}]},
                "generationConfig": {"temperature": 0.4, "maxOutputTokens": 512}
            }),
            absent: &["/model", "/stream", "/key"],
        },
        relocated: Relocated {
            base: "http://localhost:18081/gemini",
            stream_url: "http://localhost:18081/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        },
    }
    mistral => {
        Case {
            kind: ProviderKind::Mistral,
            dir: "mistral",
            base_url: None,
            stream_url: "https://api.mistral.ai/v1/chat/completions",
            plain_url: "https://api.mistral.ai/v1/chat/completions",
            auth: ("authorization", "Bearer sk-test-0123456789abcdefKEY1"),
            body: json!({
                "model": "mistral-small-latest",
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "What is the capital of France?"}
                ],
                "temperature": 0.4,
                "max_tokens": 512,
                "stream": true
            }),
            absent: &["/stream_options", "/max_completion_tokens"],
        },
        relocated: Relocated {
            base: "http://127.0.0.1:18082/v1",
            stream_url: "http://127.0.0.1:18082/v1/chat/completions",
        },
    }
    xai => {
        Case {
            kind: ProviderKind::XAi,
            dir: "xai",
            base_url: None,
            stream_url: "https://api.x.ai/v1/chat/completions",
            plain_url: "https://api.x.ai/v1/chat/completions",
            auth: ("authorization", "Bearer sk-test-0123456789abcdefKEY1"),
            body: json!({
                "model": "grok-3-mini",
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "What is the capital of France?"}
                ],
                "temperature": 0.4,
                "max_tokens": 512,
                "stream": true,
                "stream_options": {"include_usage": true}
            }),
            absent: &["/max_completion_tokens"],
        },
        relocated: Relocated {
            base: "https://us-east-1.api.x.ai/v1",
            stream_url: "https://us-east-1.api.x.ai/v1/chat/completions",
        },
    }
    azure => {
        Case {
            kind: ProviderKind::AzureOpenAi,
            dir: "azure",
            base_url: Some("https://hub-test.openai.azure.com"),
            stream_url: "https://hub-test.openai.azure.com/openai/deployments/hub-gpt-5-mini/chat/completions?api-version=2025-04-01-preview",
            plain_url: "https://hub-test.openai.azure.com/openai/deployments/hub-gpt-5-mini/chat/completions?api-version=2025-04-01-preview",
            auth: ("api-key", "sk-test-0123456789abcdefKEY1"),
            body: json!({
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "What is the capital of France?"}
                ],
                "max_completion_tokens": 512,
                "stream": true,
                "stream_options": {"include_usage": true}
            }),
            // gpt-5-mini is a reasoning model: no temperature, no `max_tokens`; the
            // deployment in the URL names the model.
            absent: &["/temperature", "/max_tokens", "/model"],
        },
        relocated: Relocated {
            base: "http://127.0.0.1:18083",
            stream_url: "http://127.0.0.1:18083/openai/deployments/hub-gpt-5-mini/chat/completions?api-version=2025-04-01-preview",
        },
    }
    compatible => {
        Case {
            kind: ProviderKind::OpenAiCompatible,
            dir: "compatible",
            base_url: Some("http://vllm.internal:8000/v1"),
            stream_url: "http://vllm.internal:8000/v1/chat/completions",
            plain_url: "http://vllm.internal:8000/v1/chat/completions",
            auth: ("authorization", "Bearer sk-test-0123456789abcdefKEY1"),
            body: json!({
                "model": "meta-llama/Llama-3.1-8B-Instruct",
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "What is the capital of France?"}
                ],
                "temperature": 0.4,
                "max_tokens": 512,
                "stream": true,
                "stream_options": {"include_usage": true}
            }),
            absent: &["/max_completion_tokens"],
        },
        relocated: Relocated {
            base: "http://localhost:11434/v1",
            stream_url: "http://localhost:11434/v1/chat/completions",
        },
    }
}
