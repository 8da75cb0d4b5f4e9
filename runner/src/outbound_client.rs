//! The host's outbound HTTP client: one pooled client shared by the whole host, as Spin pools
//! outbound connections (its outbound-http factor's `connection_pooling_enabled`, on by default).
//!
//! The client ([`OutboundClient`]) is hyper-util's legacy `Client` over HTTPS (rustls on the ring
//! provider, trusting the Mozilla roots of `webpki-roots`, as wasmtime's `default_send_request`
//! does) or plain HTTP, HTTP/1.1 only. Idle connections stay open [`IDLE_TIMEOUT`] per origin
//! (scheme, host and port), at most [`IDLE_PER_HOST`] of them, so a request to a provider reuses a
//! connection, and its TLS session, instead of connecting and shaking hands again. `hub-runner
//! start --no-outbound-pooling` opens a connection per request instead.
//!
//! A request's `wasi:http` options keep `default_send_request`'s meaning and errors: the connect
//! timeout bounds the TCP connection and the TLS handshake (`ConnectionTimeout`); the first-byte
//! timeout bounds the wait for the response head, counted from the start of the request, so
//! including a new connection's set-up when one is needed (`ConnectionReadTimeout`); the
//! between-bytes timeout bounds each wait for the next body frame (`ConnectionReadTimeout`); each
//! defaults to 600 s. TCP failures are `Connect` (a failed name lookup becomes a DNS error, anything
//! else connection refused), TLS failures `Tls`, a host name that cannot be a TLS server name
//! `InvalidDnsNameError`, and a failure of the exchange itself an HTTP protocol error.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use crate::allowed_hosts::default_port;

/// How long an idle outbound connection is kept for reuse.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Idle outbound connections kept per origin; more are closed when their request ends.
pub const IDLE_PER_HOST: usize = 100;

/// Each timeout of a request whose options leave it unset (as `default_send_request`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

tokio::task_local! {
    /// The connect timeout of the request being sent: the connector runs inside its
    /// `client.request` future, which is where this is set.
    static CONNECT_TIMEOUT: Duration;
}

/// Why a new outbound connection could not be set up.
#[derive(Debug, thiserror::Error)]
enum ConnectFailure {
    #[error("connection timed out")]
    Timeout,
    #[error("connection error: {0}")]
    Tcp(io::Error),
    #[error("TLS error: {0}")]
    Tls(io::Error),
    #[error("invalid DNS name")]
    ServerName,
    #[error("invalid URI")]
    Uri,
}

impl ConnectFailure {
    /// The `wasi:http` error `default_send_request` gives for the same failure. The I/O errors are
    /// rebuilt from their kind and message, the parts wasmtime looks at to choose an error code.
    fn to_error(&self) -> Error {
        match self {
            Self::Timeout => Error::ConnectionTimeout,
            Self::Tcp(e) => Error::Connect(io::Error::new(e.kind(), e.to_string())),
            Self::Tls(e) => Error::Tls(io::Error::new(e.kind(), e.to_string())),
            Self::ServerName => Error::InvalidDnsNameError(rustls::pki_types::InvalidDnsNameError),
            Self::Uri => Error::HttpRequestUriInvalid,
        }
    }

    /// Classifies what the HTTPS connector reports: its inner (TCP) connector's own failures pass
    /// through, a bad server name is recognised, and anything else happened in the TLS handshake.
    fn from_https(error: Box<dyn StdError + Send + Sync>) -> Self {
        let error = match error.downcast::<Self>() {
            Ok(failure) => return *failure,
            Err(other) => other,
        };
        if error.is::<rustls::pki_types::InvalidDnsNameError>() {
            return Self::ServerName;
        }
        match error.downcast::<io::Error>() {
            Ok(io) => Self::Tls(*io),
            Err(other) => Self::Tls(io::Error::other(other)),
        }
    }
}

/// `host:port` of `uri`, the port defaulted from the scheme.
fn socket_authority(uri: &http::Uri) -> Option<String> {
    let authority = uri.authority()?;
    if authority.port().is_some() {
        return Some(authority.to_string());
    }
    let port = default_port(uri.scheme_str().unwrap_or("https"))?;
    Some(format!("{authority}:{port}"))
}

/// Opens the TCP connection, resolving the name as `default_send_request` does.
#[derive(Clone, Copy)]
struct TcpConnector;

impl tower_service::Service<http::Uri> for TcpConnector {
    type Response = TokioIo<TcpStream>;
    type Error = ConnectFailure;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        Box::pin(async move {
            let authority = socket_authority(&uri).ok_or(ConnectFailure::Uri)?;
            let stream = TcpStream::connect(authority)
                .await
                .map_err(ConnectFailure::Tcp)?;
            // Requests are written whole; do not hold their last segment back waiting for an ACK.
            let _ = stream.set_nodelay(true);
            Ok(TokioIo::new(stream))
        })
    }
}

/// The connector of the pooled client: TCP, then TLS for `https`, both within the request's
/// connect timeout.
#[derive(Clone)]
struct Connector {
    https: HttpsConnector<TcpConnector>,
}

impl tower_service::Service<http::Uri> for Connector {
    type Response = MaybeHttpsStream<TokioIo<TcpStream>>;
    type Error = ConnectFailure;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.https
            .poll_ready(cx)
            .map_err(ConnectFailure::from_https)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        // Read now: hyper-util may finish a connection in a task of its own.
        let timeout = CONNECT_TIMEOUT.try_with(|t| *t).unwrap_or(DEFAULT_TIMEOUT);
        let connecting = self.https.call(uri);
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(Ok(stream)) => Ok(stream),
                Ok(Err(e)) => Err(ConnectFailure::from_https(e)),
                Err(_) => Err(ConnectFailure::Timeout),
            }
        })
    }
}

/// The host's outbound HTTP client: created once, cloned (cheaply) into every request's hooks,
/// so that all of them share its connection pool.
#[derive(Clone)]
pub struct OutboundClient {
    client: Client<Connector, WasiBody>,
}

impl OutboundClient {
    /// A client that keeps idle connections for reuse when `pooling`, and opens one connection per
    /// request otherwise.
    pub fn new(pooling: bool) -> anyhow::Result<Self> {
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(TcpConnector);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_max_idle_per_host(if pooling { IDLE_PER_HOST } else { 0 })
            .build(Connector { https });
        Ok(Self { client })
    }

    /// Sends `request` (absolute URI) with `options`' timeouts; the response body fails with
    /// `ConnectionReadTimeout` when the between-bytes timeout passes without a frame.
    pub async fn send(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<http::Response<WasiBody>, Error> {
        if request.uri().authority().is_none() {
            return Err(Error::HttpRequestUriInvalid);
        }
        let connect_timeout = options
            .and_then(|o| o.connect_timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        let first_byte_timeout = options
            .and_then(|o| o.first_byte_timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        let between_bytes_timeout = options
            .and_then(|o| o.between_bytes_timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        let responding = CONNECT_TIMEOUT.scope(connect_timeout, self.client.request(request));
        let response = tokio::time::timeout(first_byte_timeout, responding)
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(request_error)?;
        Ok(response.map(|body| TimedBody::new(body, between_bytes_timeout).boxed_unsync()))
    }
}

/// The `wasi:http` error for a request the client could not send or got no response head for.
fn request_error(error: hyper_util::client::legacy::Error) -> Error {
    let mut cause = error.source();
    while let Some(current) = cause {
        if let Some(failure) = current.downcast_ref::<ConnectFailure>() {
            return failure.to_error();
        }
        if let Some(code) = current.downcast_ref::<ErrorCode>() {
            return code.clone().into();
        }
        cause = current.source();
    }
    // What wasmtime makes of any other hyper error.
    tracing::warn!(error = ?error, "outbound request failed");
    Error::HttpProtocolError
}

/// `now + after`, or a far future when that is past what the clock can represent.
fn deadline(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

/// A response body with the between-bytes timeout.
struct TimedBody {
    inner: hyper::body::Incoming,
    between_bytes: Duration,
    timer: Pin<Box<Sleep>>,
}

impl TimedBody {
    fn new(inner: hyper::body::Incoming, between_bytes: Duration) -> Self {
        Self {
            inner,
            between_bytes,
            timer: Box::pin(tokio::time::sleep_until(deadline(between_bytes))),
        }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = deadline(this.between_bytes);
                this.timer.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) if e.is_timeout() => {
                Poll::Ready(Some(Err(Error::HttpResponseTimeout)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Error::from(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                ready!(this.timer.as_mut().poll(cx));
                Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use http_body_util::Empty;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A local server: `serve` runs for each accepted connection (numbered from 0); returns its
    /// address and the count of connections accepted so far.
    async fn server<F, Fut>(serve: F) -> (std::net::SocketAddr, Arc<AtomicUsize>)
    where
        F: Fn(TcpStream, usize) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, n));
            }
        });
        (addr, accepted)
    }

    /// Reads one request head (these requests have no body); false at the end of the stream.
    async fn read_head(stream: &mut TcpStream) -> bool {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte).await {
                Ok(1) => head.push(byte[0]),
                _ => return false,
            }
        }
        true
    }

    /// Answers every request of a keep-alive connection with `connection <n>`.
    async fn keep_alive(mut stream: TcpStream, n: usize) {
        while read_head(&mut stream).await {
            let body = format!("connection {n}");
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(response.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    fn get(url: &str) -> http::Request<WasiBody> {
        let body = Empty::<Bytes>::new()
            .map_err(|never| match never {})
            .boxed_unsync();
        http::Request::get(url).body(body).unwrap()
    }

    fn options(timeout: Duration) -> Option<RequestOptions> {
        Some(RequestOptions {
            connect_timeout: Some(timeout),
            first_byte_timeout: Some(timeout),
            between_bytes_timeout: Some(timeout),
        })
    }

    async fn text(response: http::Response<WasiBody>) -> Result<String, Error> {
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// `GET url` through a new pooled client: the error; panics on a response.
    async fn error_of(url: String, options: Option<RequestOptions>) -> Error {
        let client = OutboundClient::new(true).unwrap();
        match client.send(get(&url), options).await {
            Ok(response) => panic!("expected an error, got {}", response.status()),
            Err(e) => e,
        }
    }

    /// Three sequential requests to one origin: the bodies name the connection that served them.
    async fn three_requests(pooling: bool) -> (Vec<String>, usize) {
        let (addr, accepted) = server(keep_alive).await;
        let client = OutboundClient::new(pooling).unwrap();
        let mut served = Vec::new();
        for _ in 0..3 {
            let response = client
                .send(get(&format!("http://{addr}/x")), None)
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            served.push(text(response).await.unwrap());
            // Let the client put the connection back into its pool (a task of its own) before
            // the next request looks for one.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (served, accepted.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn sequential_requests_reuse_one_connection() {
        let (served, accepted) = three_requests(true).await;
        assert_eq!(served, ["connection 0"; 3]);
        assert_eq!(accepted, 1);
    }

    #[tokio::test]
    async fn without_pooling_every_request_connects() {
        let (served, accepted) = three_requests(false).await;
        assert_eq!(served, ["connection 0", "connection 1", "connection 2"]);
        assert_eq!(accepted, 3);
    }

    #[tokio::test]
    async fn refused_connection_is_a_connect_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        match error_of(format!("http://{addr}/"), None).await {
            Error::Connect(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused),
            other => panic!("expected a connect error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn stalled_tls_handshake_is_a_connection_timeout() {
        // Accepts and keeps the connection open without a word.
        let (addr, _) = server(|stream, _| async move {
            let _open = stream;
            std::future::pending::<()>().await;
        })
        .await;
        let started = std::time::Instant::now();
        let error = error_of(
            format!("https://{addr}/"),
            options(Duration::from_millis(200)),
        )
        .await;
        assert!(matches!(error, Error::ConnectionTimeout), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn plain_text_instead_of_tls_is_a_tls_error() {
        let (addr, _) = server(|mut stream, _| async move {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        })
        .await;
        let error = error_of(format!("https://{addr}/"), None).await;
        assert!(matches!(error, Error::Tls(_)), "{error:?}");
    }

    #[tokio::test]
    async fn silent_server_is_a_first_byte_timeout() {
        let (addr, _) = server(|mut stream, _| async move {
            read_head(&mut stream).await;
            std::future::pending::<()>().await;
        })
        .await;
        let error = error_of(
            format!("http://{addr}/"),
            options(Duration::from_millis(200)),
        )
        .await;
        assert!(matches!(error, Error::ConnectionReadTimeout), "{error:?}");
    }

    /// Answers with a head announcing ten bytes and three of them, then closes the connection
    /// (`close`) or keeps it open without a word.
    async fn partial_body(close: bool) -> Result<String, Error> {
        let (addr, _) = server(move |mut stream, _| async move {
            read_head(&mut stream).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
                .await;
            if !close {
                std::future::pending::<()>().await;
            }
        })
        .await;
        let client = OutboundClient::new(true).unwrap();
        let response = client
            .send(
                get(&format!("http://{addr}/")),
                options(Duration::from_millis(200)),
            )
            .await?;
        text(response).await
    }

    #[tokio::test]
    async fn stalled_body_is_a_between_bytes_timeout() {
        let result = partial_body(false).await;
        assert!(
            matches!(result, Err(Error::ConnectionReadTimeout)),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn cut_body_is_a_hyper_error() {
        let result = partial_body(true).await;
        assert!(matches!(result, Err(Error::Hyper(_))), "{result:?}");
    }
}
