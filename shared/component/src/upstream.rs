//! Sending a provider request through Spin's outbound HTTP and reading what comes back (the chat
//! component's answers, the keys component's provider tests, [`crate::embeddings`]), and
//! waiting ([`Sleep`]) between attempts or for a deadline.
//!
//! Redirects are never followed: Spin's outbound HTTP (and the local runner's, over
//! `wasmtime-wasi-http`) hands a `3xx` back as it came, and the provider clients treat it as a
//! failed answer, so a key never travels to a host the redirect names.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use spin_executor::CancelOnDropToken;
use spin_sdk::http::{IncomingResponse, Method, Request};
use wasi::clocks::monotonic_clock;

/// Largest error body read from a provider (error bodies are small JSON documents).
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Sends `request` (built by a provider client) with its body's `Content-Length`; the response
/// as soon as its head arrives.
/// The error is Spin's description of the failure (host not allowed, connection refused, ...).
pub async fn send(request: http::Request<Vec<u8>>) -> Result<IncomingResponse, String> {
    let (parts, body) = request.into_parts();
    let method = method(&parts.method)?;
    let mut builder = Request::builder();
    builder.method(method).uri(parts.uri.to_string());
    for (name, value) in &parts.headers {
        if name == http::header::CONTENT_LENGTH || name == http::header::TRANSFER_ENCODING {
            continue;
        }
        builder.header(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    // The body's length, known here: without it the host sends the body chunked, which some
    // OpenAI-compatible servers and proxies refuse or mishandle.
    if !body.is_empty() {
        builder.header("content-length", body.len().to_string());
    }
    builder.body(body);
    spin_sdk::http::send::<_, IncomingResponse>(builder.build())
        .await
        .map_err(|e| e.to_string())
}

/// Spin's method for `method`: each one explicitly, so that nothing is sent with another.
fn method(method: &http::Method) -> Result<Method, String> {
    Ok(match *method {
        http::Method::GET => Method::Get,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::PATCH => Method::Patch,
        http::Method::DELETE => Method::Delete,
        http::Method::HEAD => Method::Head,
        http::Method::OPTIONS => Method::Options,
        ref other => return Err(format!("method {other} is not supported")),
    })
}

/// The response's headers as an `http::HeaderMap` (for the providers' error handling).
pub fn headers(response: &IncomingResponse) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in response.headers().entries() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            map.append(name, value);
        }
    }
    map
}

/// Reads a whole body, at most `limit` bytes (the rest is dropped).
pub async fn read_body(response: &IncomingResponse, limit: usize) -> Vec<u8> {
    use futures::StreamExt;
    let mut stream = std::pin::pin!(response.take_body_stream());
    let mut body = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body
}

/// A future that is ready once `duration` has passed on WASI's monotonic clock; it registers
/// the clock's pollable with Spin's executor, so other futures run meanwhile.
pub struct Sleep {
    /// The monotonic clock's reading (nanoseconds) at which it is ready.
    until: u64,
    /// The executor's registration of the current wait (withdrawn on drop).
    waiting: Option<CancelOnDropToken>,
}

impl Sleep {
    /// Ready after `duration`.
    pub fn new(duration: Duration) -> Self {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        Self {
            until: monotonic_clock::now().saturating_add(nanos),
            waiting: None,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if monotonic_clock::now() >= self.until {
            self.waiting = None;
            return Poll::Ready(());
        }
        let pollable = monotonic_clock::subscribe_instant(self.until);
        let token = spin_executor::push_waker_and_get_token(pollable, cx.waker().clone());
        self.waiting = Some(token.into());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn methods_are_kept() {
        assert!(matches!(
            super::method(&http::Method::GET),
            Ok(spin_sdk::http::Method::Get)
        ));
        assert!(matches!(
            super::method(&http::Method::DELETE),
            Ok(spin_sdk::http::Method::Delete)
        ));
        assert!(super::method(&http::Method::CONNECT).is_err());
    }
}
