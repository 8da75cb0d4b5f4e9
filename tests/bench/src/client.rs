//! The HTTP/1.1 client both benchmarks use: one keep-alive connection, `GET` only, bodies read to
//! the end.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where requests go: `http://host:port/path?query`.
#[derive(Debug, Clone)]
pub struct Target {
    host: String,
    port: u16,
    /// The `Host` header.
    authority: String,
    path_and_query: String,
    /// When not empty, the paths (with their queries) requests go to in turn instead of
    /// `path_and_query` (`with_paths`).
    paths: Vec<String>,
    /// Extra request headers (`name`, `value`), sent with every request.
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl Target {
    /// Parses an `http://` URL (https is not supported: the runner serves plain HTTP).
    pub fn parse(url: &str) -> Result<Self> {
        let uri: Uri = url.parse().with_context(|| format!("invalid URL {url}"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => bail!("unsupported scheme {other} in {url} (only http)"),
            None => bail!("URL without scheme: {url} (expected http://host:port/path)"),
        }
        let authority = uri
            .authority()
            .with_context(|| format!("URL without host: {url}"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = authority.port_u16().unwrap_or(80);
        let path_and_query = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".to_owned());
        Ok(Self {
            host,
            port,
            authority: authority.as_str().to_owned(),
            path_and_query,
            paths: Vec::new(),
            headers: Vec::new(),
        })
    }

    /// Adds a header sent with every request, given as `Name: value`.
    pub fn with_header(mut self, line: &str) -> Result<Self> {
        let (name, value) = line
            .split_once(':')
            .with_context(|| format!("invalid header {line:?} (expected `Name: value`)"))?;
        let name = http::HeaderName::try_from(name.trim())
            .with_context(|| format!("invalid header name in {line:?}"))?;
        let value = http::HeaderValue::try_from(value.trim())
            .with_context(|| format!("invalid header value in {line:?}"))?;
        self.headers.push((name, value));
        Ok(self)
    }

    /// Sends the requests to these paths (each with its query, e.g. `/api/x?q=a`) in turn, on
    /// the URL's host; none: the URL's path.
    pub fn with_paths(mut self, paths: Vec<String>) -> Result<Self> {
        if let Some(bad) = paths.iter().find(|p| !p.starts_with('/')) {
            bail!("a path must start with /: {bad:?}");
        }
        self.paths = paths;
        Ok(self)
    }

    /// How many paths requests go to in turn (1 without `with_paths`).
    pub fn path_count(&self) -> usize {
        self.paths.len().max(1)
    }

    /// The path of the `n`th request (counting from 0), taking the paths in turn.
    pub fn path(&self, n: usize) -> &str {
        if self.paths.is_empty() {
            return &self.path_and_query;
        }
        self.paths
            .get(n % self.paths.len())
            .map_or(self.path_and_query.as_str(), String::as_str)
    }

    /// `http://{authority}{path}` (with several paths: the first, and how many there are).
    pub fn url(&self) -> String {
        match self.paths.as_slice() {
            [] => format!("http://{}{}", self.authority, self.path_and_query),
            [one] => format!("http://{}{one}", self.authority),
            [first, ..] => format!(
                "http://{}{first} (and {} more paths in turn)",
                self.authority,
                self.paths.len() - 1
            ),
        }
    }
}

/// Why a request did not produce a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TransportError {
    /// TCP connect or the HTTP/1 handshake failed.
    Connect,
    /// The connection failed while sending or waiting for the response head (includes a server
    /// that closed a keep-alive connection).
    Send,
    /// The connection failed while reading the response body.
    Body,
}

impl TransportError {
    /// Name used in the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Send => "send",
            Self::Body => "body",
        }
    }
}

/// One keep-alive connection; reconnects lazily after a failure.
pub struct Connection {
    target: std::sync::Arc<Target>,
    sender: Option<SendRequest<Empty<Bytes>>>,
    /// Connections opened so far (1 when keep-alive held for the whole run).
    pub opened: u64,
}

impl Connection {
    /// A connection to `target`, opened on the first request.
    pub fn new(target: std::sync::Arc<Target>) -> Self {
        Self {
            target,
            sender: None,
            opened: 0,
        }
    }

    async fn connect(&mut self) -> Result<&mut SendRequest<Empty<Bytes>>, TransportError> {
        if self.sender.as_ref().is_some_and(|s| s.is_closed()) {
            self.sender = None;
        }
        if self.sender.is_none() {
            let stream = TcpStream::connect((self.target.host.as_str(), self.target.port))
                .await
                .map_err(|_| TransportError::Connect)?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|_| TransportError::Connect)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.opened += 1;
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or(TransportError::Connect)
    }

    /// Sends `GET` and reads the whole body; returns the status and the body size. After an
    /// error the connection is dropped and the next call opens a new one.
    pub async fn get(&mut self) -> Result<(StatusCode, usize), TransportError> {
        self.get_nth(0).await
    }

    /// [`Connection::get`] of the target's `n`th path ([`Target::path`]).
    pub async fn get_nth(&mut self, n: usize) -> Result<(StatusCode, usize), TransportError> {
        let result = self.get_inner(n).await;
        if result.is_err() {
            self.sender = None;
        }
        result
    }

    async fn get_inner(&mut self, n: usize) -> Result<(StatusCode, usize), TransportError> {
        let mut request = Request::get(self.target.path(n))
            .header(http::header::HOST, self.target.authority.as_str());
        for (name, value) in &self.target.headers {
            request = request.header(name, value);
        }
        let request = request
            .body(Empty::<Bytes>::new())
            .map_err(|_| TransportError::Send)?;
        let sender = self.connect().await?;
        sender.ready().await.map_err(|_| TransportError::Send)?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|_| TransportError::Send)?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| TransportError::Body)?
            .to_bytes();
        Ok((status, body.len()))
    }

    /// Forgets the connection (after a timeout the connection's state is unknown).
    pub fn reset(&mut self) {
        self.sender = None;
    }
}
