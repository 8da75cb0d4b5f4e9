//! Outbound HTTP from components: `allowed_outbound_hosts` enforced, service chaining
//! (`http://<component>.spin.internal/...`) dispatched in-process, as Spin does, and everything
//! else sent through the host's pooled [`OutboundClient`].

use std::future::Future;
use std::sync::{Arc, Weak};

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::allowed_hosts::{AllowedHosts, default_port};
use crate::host::Host;
use crate::outbound_client::OutboundClient;
use crate::router::RouteMatch;

/// Handle back to the host, for service chaining.
pub type Chain = Weak<Host>;

const CHAINING_SUFFIX: &str = ".spin.internal";

/// Per-request outbound HTTP policy.
pub struct Hooks {
    component: String,
    allowed: Arc<AllowedHosts>,
    chain: Option<Chain>,
    client: OutboundClient,
}

impl Hooks {
    /// Policy for one request of `component`, sending through the host's shared `client`.
    pub fn new(
        component: String,
        allowed: Arc<AllowedHosts>,
        chain: Option<Chain>,
        client: OutboundClient,
    ) -> Self {
        Self {
            component,
            allowed,
            chain,
            client,
        }
    }
}

type ResponseFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

impl WasiHttpHooks for Hooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> ResponseFuture {
        drop(fut);
        let uri = request.uri().clone();
        let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let port = uri
            .port_u16()
            .or_else(|| default_port(&scheme))
            .unwrap_or(0);
        if !self.allowed.allows(&scheme, &host, port) {
            tracing::warn!(
                component = %self.component,
                destination = %format!("{scheme}://{host}:{port}"),
                "outbound request denied: not in allowed_outbound_hosts"
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        if let Some(target) = host.strip_suffix(CHAINING_SUFFIX) {
            let target = target.to_owned();
            let chain = self.chain.clone();
            return Box::new(async move {
                let host = chain
                    .and_then(|c| c.upgrade())
                    .ok_or(Error::DestinationNotFound)?;
                if !host.has_component(&target) {
                    return Err(Error::DestinationNotFound);
                }
                let path = uri.path().to_owned();
                let mut request = request;
                let route = RouteMatch::chained(&target, &path);
                let full_url = uri.to_string();
                for (name, value) in route.spin_headers(&full_url, "127.0.0.1:0") {
                    if let (Ok(n), Ok(v)) = (
                        http::HeaderName::from_bytes(name.as_bytes()),
                        http::HeaderValue::from_str(&value),
                    ) {
                        request.headers_mut().insert(n, v);
                    }
                }
                let response = host.handle(&target, request).await.map_err(|e| {
                    tracing::warn!(error = %e, "service-chained request failed");
                    Error::InternalError(Some("chained component failed".to_owned()))
                })?;
                Ok((
                    response,
                    Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>,
                ))
            });
        }
        let client = self.client.clone();
        Box::new(async move {
            // The client drives its connections in tasks of its own: nothing left to await here.
            let response = client.send(request, options).await?;
            Ok((
                response,
                Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}
