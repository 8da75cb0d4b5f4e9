//! The provider side: the SSE parser, every provider's stream decoder, and every provider's
//! reading of complete answers and error answers.

use http::{HeaderMap, HeaderValue};
use hub_providers::sse::{SseError, SseEvent, SseParser};
use hub_providers::{
    ChatStream, Provider, ProviderConfig, ProviderError, ProviderKind, StreamEvent, StreamSummary,
    provider,
};

use crate::split::Splits;

/// The key every client is configured with: no error may ever show it.
const KEY: &str = "sk-fuzz-0123456789abcdefKEY";

/// The longest provider message an error keeps (1000 characters and an ellipsis).
const MAX_MESSAGE_CHARS: usize = 1001;

/// The longest wait a `Retry-After` may ask for.
const MAX_RETRY_AFTER_SECS: u64 = 86_400;

/// The statuses every error body is read with.
const STATUSES: [u16; 12] = [400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 529];

fn client(kind: ProviderKind) -> Box<dyn Provider> {
    let mut config = ProviderConfig::new(kind).with_api_key(KEY);
    match kind {
        ProviderKind::AzureOpenAi => config = config.with_base_url("https://hub.openai.azure.com"),
        ProviderKind::OpenAiCompatible => config = config.with_base_url("http://127.0.0.1:8000/v1"),
        _ => {}
    }
    provider(&config).unwrap_or_else(|e| panic!("the fuzz configuration of {kind} is invalid: {e}"))
}

// ---------------------------------------------------------------------------------------------
// SSE
// ---------------------------------------------------------------------------------------------

/// What a parser made of a whole body: the events, the error that stopped it (if any) and
/// whether `finish` found an event cut off.
#[derive(Debug, PartialEq)]
struct SseOutcome {
    events: Vec<SseEvent>,
    error: Option<SseError>,
    cut_off: bool,
}

fn parse_sse<'a>(limit: usize, chunks: impl IntoIterator<Item = &'a [u8]>) -> SseOutcome {
    let mut parser = SseParser::with_limit(limit);
    let mut events = Vec::new();
    for chunk in chunks {
        match parser.push(chunk) {
            Ok(more) => events.extend(more),
            Err(error) => {
                return SseOutcome {
                    events,
                    error: Some(error),
                    cut_off: false,
                };
            }
        }
    }
    SseOutcome {
        events,
        error: None,
        cut_off: parser.finish(),
    }
}

/// The shared SSE parser (`hub_providers::sse`) over any body, split anywhere.
///
/// Invariants: no panic; every split of the body gives the same events; an event's type is
/// never empty and no field holds a line end (an `id` no NUL either); with a small limit, an
/// oversized event is an error, never an event over the limit.
pub fn sse(data: &[u8]) {
    let splits = Splits::of(data);
    let whole = parse_sse(hub_providers::sse::MAX_EVENT_BYTES, [data]);
    assert_eq!(whole.error, None, "a body under the limit was refused");
    for (how, chunks) in splits.all() {
        let split = parse_sse(hub_providers::sse::MAX_EVENT_BYTES, chunks);
        assert_eq!(split, whole, "split {how} differs from the whole body");
    }
    for event in &whole.events {
        assert!(!event.data.contains(['\r']), "data with a CR: {event:?}");
        if let Some(kind) = &event.event {
            assert!(!kind.is_empty(), "an empty event type: {event:?}");
            assert!(
                !kind.contains(['\r', '\n']),
                "a type with a line end: {event:?}"
            );
        }
        if let Some(id) = &event.id {
            assert!(!id.contains(['\r', '\n', '\0']), "a bad id: {event:?}");
        }
    }

    // A small limit: the same events up to the error, none of them over the limit.
    const SMALL: usize = 64;
    let small = parse_sse(SMALL, [data]);
    for event in &small.events {
        assert!(
            event.data.len() <= SMALL,
            "an event over the limit: {event:?}"
        );
    }
    if small.error.is_none() {
        assert_eq!(
            small.events, whole.events,
            "a limit that was not hit changed the events"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

fn run_stream<'a>(
    mut stream: ChatStream,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<StreamEvent> {
    let mut events = Vec::new();
    for chunk in chunks {
        events.extend(stream.push(chunk));
    }
    events.extend(stream.finish());
    assert!(stream.is_closed(), "a finished stream is not closed");
    assert!(
        stream.push(b"data: {}\n\n").is_empty(),
        "a closed stream returned events"
    );
    assert!(stream.finish().is_empty(), "a closed stream finished twice");
    events
}

/// Checks the shape [`StreamEvent`] documents: `Delta*`, at most one `Usage`, then exactly one
/// `Finish` or `Error`, last; and that the summary adds the events up.
fn check_stream_shape(kind: ProviderKind, events: &[StreamEvent]) {
    let Some((last, rest)) = events.split_last() else {
        panic!("a finished stream returned no event");
    };
    let complete = match last {
        StreamEvent::Finish(reason) => {
            assert!(!reason.as_str().is_empty(), "an empty finish reason");
            true
        }
        StreamEvent::Error(error) => {
            check_error(kind, error);
            false
        }
        other => panic!("the stream ends with {other:?}, not with Finish or Error"),
    };
    let (usage, deltas) = match rest.split_last() {
        Some((StreamEvent::Usage(usage), deltas)) => (Some(*usage), deltas),
        _ => (None, rest),
    };
    let mut text = String::new();
    for event in deltas {
        match event {
            StreamEvent::Delta(delta) => {
                assert!(!delta.is_empty(), "an empty delta");
                text.push_str(delta);
            }
            other => panic!("{other:?} before the end of the stream"),
        }
    }
    if let Some(usage) = usage {
        assert!(
            usage.cached <= usage.input,
            "more cached than input tokens: {usage:?}"
        );
    }
    let summary = StreamSummary::of(events);
    assert_eq!(summary.text, text);
    assert_eq!(summary.usage, usage);
    assert_eq!(summary.is_complete(), complete);
    assert_eq!(summary.error.is_some(), !complete);
}

/// One provider's stream decoder over any body, split anywhere.
///
/// Invariants: no panic; every split gives the same events; the events have the documented
/// shape; the error, if any, is about this provider and never shows the key.
fn stream(kind: ProviderKind, data: &[u8]) {
    let client = client(kind);
    let whole = client.stream().parse_body(data);
    check_stream_shape(kind, &whole);
    for (how, chunks) in Splits::of(data).all() {
        let split = run_stream(client.stream(), chunks);
        assert_eq!(split, whole, "split {how} differs from the whole body");
    }
}

// ---------------------------------------------------------------------------------------------
// Complete answers and error answers
// ---------------------------------------------------------------------------------------------

fn check_error(kind: ProviderKind, error: &ProviderError) {
    assert_eq!(error.provider(), Some(kind), "{error:?}");
    assert!(
        !error.to_string().contains(KEY),
        "the key in an error: {error}"
    );
    if let Some(message) = error.message() {
        assert!(
            message.chars().count() <= MAX_MESSAGE_CHARS,
            "a message of {} characters",
            message.chars().count()
        );
    }
    if let Some(wait) = error.retry_after() {
        assert!(wait <= MAX_RETRY_AFTER_SECS, "retry after {wait} s");
    }
}

/// A `Retry-After` header made of the body's first line, when that is a valid header value.
fn retry_after_header(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let first_line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    if let Ok(value) = HeaderValue::from_bytes(&first_line[..first_line.len().min(32)]) {
        headers.insert("retry-after", value.clone());
        headers.insert("retry-after-ms", value);
    }
    headers
}

/// One provider's `parse_response` and `handle_error` over any body.
///
/// Invariants: no panic; a parsed answer has consistent usage; every error is about this
/// provider, never shows the key, keeps at most 1000 characters of the provider's message and
/// waits at most a day.
fn response(kind: ProviderKind, data: &[u8]) {
    let client = client(kind);
    match client.parse_response(data) {
        Ok(answer) => {
            if let Some(usage) = answer.usage {
                assert!(
                    usage.cached <= usage.input,
                    "more cached than input tokens: {usage:?}"
                );
            }
            assert!(!answer.finish.as_str().is_empty(), "an empty finish reason");
        }
        Err(error) => check_error(kind, &error),
    }
    let headers = [HeaderMap::new(), retry_after_header(data)];
    for status in STATUSES {
        for headers in &headers {
            let error = client.handle_error(status, headers, data);
            check_error(kind, &error);
            assert!(
                error.message().is_some(),
                "an error answer without a message: {error:?}"
            );
        }
    }
}

macro_rules! provider_targets {
    ($($kind:ident: $stream:ident, $response:ident;)*) => {$(
        #[doc = concat!("[`stream`] for `ProviderKind::", stringify!($kind), "`.")]
        pub fn $stream(data: &[u8]) {
            stream(ProviderKind::$kind, data);
        }

        #[doc = concat!("[`response`] for `ProviderKind::", stringify!($kind), "`.")]
        pub fn $response(data: &[u8]) {
            response(ProviderKind::$kind, data);
        }
    )*};
}

provider_targets! {
    OpenAi: stream_openai, response_openai;
    Anthropic: stream_anthropic, response_anthropic;
    Gemini: stream_gemini, response_gemini;
    Mistral: stream_mistral, response_mistral;
    XAi: stream_xai, response_xai;
    AzureOpenAi: stream_azure, response_azure;
    OpenAiCompatible: stream_compatible, response_compatible;
}
