//! The HTTP front: accepts connections, routes like Spin, adds Spin's headers, streams responses
//! through, logs every request, and shuts down gracefully.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::body_limit::{CappedBody, Drainable};
use crate::host::{HandleError, Host, ResponseBody, full_body};
use crate::router::Router;
use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode;

/// What the front needs besides the host.
pub struct Server {
    host: Arc<Host>,
    router: Router,
    max_body_bytes: u64,
}

fn json_error(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<ResponseBody> {
    let body = serde_json::json!({
        "error": { "code": code, "message": message, "details": { "request_id": request_id } }
    });
    let mut response = Response::new(full_body(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl Server {
    /// A front for `host` with `router`.
    pub fn new(host: Arc<Host>, router: Router, max_body_bytes: u64) -> Arc<Self> {
        Arc::new(Self {
            host,
            router,
            max_body_bytes,
        })
    }

    /// Handles one request from `client`; never fails (errors become JSON responses). Logged
    /// at `info`, the timer's own requests ([`tick_loop`]) at `debug` (one every few seconds
    /// would bury the log; a failed one is a warning there).
    pub async fn dispatch<B>(
        &self,
        request: Request<B>,
        client: SocketAddr,
    ) -> Response<ResponseBody>
    where
        B: Drainable,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        self.dispatch_logged(request, client, false).await
    }

    async fn dispatch_logged<B>(
        &self,
        request: Request<B>,
        client: SocketAddr,
        tick: bool,
    ) -> Response<ResponseBody>
    where
        B: Drainable,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let started = Instant::now();
        let request_id = uuid::Uuid::now_v7().to_string();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let (response, component) = self.dispatch_inner(request, client, &request_id).await;
        let mut response = response;
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", v);
        }
        macro_rules! request_line {
            ($level:ident) => {
                tracing::$level!(
                    request_id = %request_id,
                    method = %method,
                    path = %path,
                    component = component.as_deref().unwrap_or("-"),
                    status = response.status().as_u16(),
                    latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                    client = %client,
                    "request"
                )
            };
        }
        if tick {
            request_line!(debug);
        } else {
            request_line!(info);
        }
        response
    }

    async fn dispatch_inner<B>(
        &self,
        request: Request<B>,
        client: SocketAddr,
        request_id: &str,
    ) -> (Response<ResponseBody>, Option<String>)
    where
        B: Drainable,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let declared = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body_bytes) {
            let message = format!("request body exceeds {} bytes", self.max_body_bytes);
            return (
                json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    &message,
                    request_id,
                ),
                None,
            );
        }
        let path = request.uri().path().to_owned();
        let Some(route) = self.router.route(&path) else {
            return (
                json_error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    &format!("no route matches {path}"),
                    request_id,
                ),
                None,
            );
        };

        let (mut parts, body) = request.into_parts();
        let authority = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_owned());
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let full_url = format!("http://{authority}{path_and_query}");
        match full_url.parse::<http::Uri>() {
            Ok(uri) => parts.uri = uri,
            Err(_) => {
                return (
                    json_error(
                        StatusCode::BAD_REQUEST,
                        "bad_request",
                        "invalid Host header",
                        request_id,
                    ),
                    None,
                );
            }
        }
        parts.headers.remove(http::header::CONNECTION);
        for (name, value) in route.spin_headers(&full_url, &client.to_string()) {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                parts.headers.insert(n, v);
            }
        }
        // A body without Content-Length that grows past the limit: the component sees a read
        // error, and the client gets a 413 whatever the component answered.
        let overflowed = Arc::new(AtomicBool::new(false));
        let body = CappedBody::new(body, self.max_body_bytes, overflowed.clone());
        let request = Request::from_parts(parts, body);
        let component = route.component.clone();
        let result = self.host.handle(&component, request).await;
        if overflowed.load(Ordering::Relaxed) {
            let message = format!("request body exceeds {} bytes", self.max_body_bytes);
            return (
                json_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    &message,
                    request_id,
                ),
                Some(component),
            );
        }
        let response = match result {
            Ok(response) => response,
            Err(HandleError::ErrorCode {
                code: ErrorCode::HttpRequestBodySize(_),
                ..
            }) => json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "request body too large",
                request_id,
            ),
            Err(e) => {
                tracing::error!(request_id = %request_id, error = %e, "request failed");
                let (code, message) = match e {
                    HandleError::Timeout { .. } => ("timeout", "the request took too long"),
                    _ => (
                        "internal",
                        "internal error; quote the request id when reporting it",
                    ),
                };
                json_error(StatusCode::INTERNAL_SERVER_ERROR, code, message, request_id)
            }
        };
        (response, Some(component))
    }

    /// Serves connections from `listener` until `shutdown` resolves, then waits up to `grace`
    /// for requests in flight.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()>,
        grace: Duration,
    ) -> Result<()> {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, client) = match accepted {
                        Ok(pair) => pair,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let server = self.clone();
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let server = server.clone();
                        async move { Ok::<_, Infallible>(server.dispatch(req, client).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tracing::info!("shutting down: waiting for requests in flight");
        tokio::select! {
            () = graceful.shutdown() => tracing::info!("all connections closed"),
            () = tokio::time::sleep(grace) => tracing::warn!(?grace, "grace period over; closing remaining connections"),
        }
        Ok(())
    }
}

/// Posts to `path` every `every`, in-process, with `Authorization: Bearer <secret>` when a secret is set.
pub async fn tick_loop(server: Arc<Server>, path: String, every: Duration, secret: Option<String>) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        let mut builder = Request::post(format!("http://localhost{path}"))
            .header(http::header::HOST, "localhost")
            .header("x-hub-tick", "1");
        if let Some(secret) = &secret {
            builder = builder.header(http::header::AUTHORIZATION, format!("Bearer {secret}"));
        }
        let Ok(request) = builder.body(http_body_util::Empty::<Bytes>::new()) else {
            continue;
        };
        let response = server
            .dispatch_logged(request, SocketAddr::from(([127, 0, 0, 1], 0)), true)
            .await;
        let status = response.status();
        // Drain the body so the instance can finish.
        let _ = response.into_body().collect().await;
        if !status.is_success() {
            tracing::warn!(%status, path = %path, "tick request failed");
        }
    }
}

/// Binds `addr`; the error says what is wrong (e.g. the port is taken).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}
