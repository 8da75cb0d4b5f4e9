//! The wasmtime host: compiles each component once, links the interfaces it imports, and runs
//! one fresh instance per request with memory and time limits.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::BodyExt;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder, UpdateDeadline};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::allowed_hosts::AllowedHosts;
use crate::manifest::{App, FileMount};
use crate::pg::{PgPools, PgState};
use crate::variables::{ComponentVariables, VariablesState};

/// Limits applied to every request's instance.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum linear memory of one instance, in bytes.
    pub memory_bytes: usize,
    /// Wall-clock time a request may take, response body included.
    pub request_timeout: Duration,
}

/// How often the epoch advances; the granularity of the time limit.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Everything a request's `Store` holds.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: crate::outbound_http::Hooks,
    pg: PgState,
    variables: VariablesState,
    limits: StoreLimits,
    deadline: Instant,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// A component ready to serve: compiled, linked, pre-instantiated.
struct Prepared {
    pre: ProxyPre<HostState>,
    variables: Arc<ComponentVariables>,
    allowed: Arc<AllowedHosts>,
    files: Vec<FileMount>,
    environment: Vec<(String, String)>,
}

/// The set of hosted components.
pub struct Host {
    engine: Engine,
    components: HashMap<String, Prepared>,
    pg_pools: Arc<PgPools>,
    limits: Limits,
    chain: std::sync::OnceLock<crate::outbound_http::Chain>,
    outbound: crate::outbound_client::OutboundClient,
}

/// Why a request could not be answered by its component.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// The component trapped, exceeded a limit, or returned without a response.
    #[error("component {component} failed: {reason}")]
    Component {
        /// Component id.
        component: String,
        /// What happened (for the log; never sent to clients).
        reason: String,
    },
    /// The component answered with a wasi:http error code instead of a response.
    #[error("component {component} answered with error code {code:?}")]
    ErrorCode {
        /// Component id.
        component: String,
        /// The code.
        code: ErrorCode,
    },
    /// The request ran past its deadline before the response started.
    #[error("component {component} timed out after {timeout:?}")]
    Timeout {
        /// Component id.
        component: String,
        /// The limit.
        timeout: Duration,
    },
}

/// Instances the pooling allocator has room for at once (each request being served holds one,
/// a streaming answer for its whole length).
const POOLED_INSTANCES: u32 = 1000;

/// The engine: components compiled with Cranelift (cached in `cache_dir`), stopped by epochs,
/// and instantiated from wasmtime's pooling allocator as Spin does (memories, tables and stacks
/// reserved once and reused, copy-on-write memory images), so that a request's fresh instance
/// costs no `mmap` of its own. Where the address space cannot be reserved, instances are
/// allocated on demand instead (logged).
fn engine(cache_dir: Option<&Path>) -> Result<Engine> {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if let Some(dir) = cache_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating compilation cache {}", dir.display()))?;
        let mut cache_config = wasmtime::CacheConfig::new();
        cache_config.with_directory(dir);
        config.cache(Some(wasmtime::Cache::new(cache_config)?));
    }
    let mut pooling = wasmtime::PoolingAllocationConfig::default();
    pooling
        .total_component_instances(POOLED_INSTANCES)
        .total_core_instances(POOLED_INSTANCES * 4)
        .total_memories(POOLED_INSTANCES * 2)
        .total_tables(POOLED_INSTANCES * 4)
        .total_stacks(POOLED_INSTANCES);
    let mut pooled = config.clone();
    pooled.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pooling));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            tracing::warn!(error = %e, "pooling allocator unavailable; instances allocated on demand");
            Ok(Engine::new(&config)?)
        }
    }
}

impl Host {
    /// Compiles and links every component of `app`. Fails naming the component and what is missing.
    /// Every component's outbound HTTP goes through `outbound`, one client for the whole host.
    pub fn new(
        app: &App,
        app_values: &HashMap<String, String>,
        limits: Limits,
        cache_dir: Option<&Path>,
        outbound: crate::outbound_client::OutboundClient,
    ) -> Result<Arc<Self>> {
        let engine = engine(cache_dir)?;
        let mut linker: Linker<HostState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        crate::pg::add_to_linker(&mut linker, |s: &mut HostState| &mut s.pg)?;
        crate::variables::add_to_linker(&mut linker, |s: &mut HostState| &mut s.variables)?;

        let mut components = HashMap::new();
        for (id, c) in &app.components {
            if !c.source.is_file() {
                anyhow::bail!(
                    "component {id:?}: source {} does not exist (build the components first)",
                    c.source.display()
                );
            }
            for mount in &c.files {
                if !mount.source.exists() {
                    anyhow::bail!(
                        "component {id:?}: files source {} does not exist",
                        mount.source.display()
                    );
                }
            }
            let started = Instant::now();
            let component = Component::from_file(&engine, &c.source)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("component {id:?}: loading {}", c.source.display()))?;
            let pre = linker
                .instantiate_pre(&component)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component {id:?}: it imports something the runner does not provide")
                })?;
            let pre = ProxyPre::new(pre)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component {id:?}: it does not export wasi:http/incoming-handler")
                })?;
            tracing::info!(component = %id, ms = started.elapsed().as_millis() as u64, "component ready");
            components.insert(
                id.clone(),
                Prepared {
                    pre,
                    variables: Arc::new(ComponentVariables::new(c, app_values)),
                    allowed: Arc::new(AllowedHosts::resolve(c, app_values)?),
                    files: c.files.clone(),
                    environment: c.environment.clone(),
                },
            );
        }

        let host = Arc::new(Self {
            engine: engine.clone(),
            components,
            pg_pools: Arc::new(PgPools::new(16)),
            limits,
            chain: std::sync::OnceLock::new(),
            outbound,
        });
        let weak = Arc::downgrade(&host);
        std::thread::Builder::new()
            .name("epoch".into())
            .spawn(move || {
                while weak.strong_count() > 0 {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .context("starting the epoch thread")?;
        Ok(host)
    }

    /// Connects service chaining (`http://<id>.spin.internal`) back to the request dispatcher.
    pub fn set_chain(&self, chain: crate::outbound_http::Chain) {
        let _ = self.chain.set(chain);
    }

    /// Whether a component with this id exists.
    pub fn has_component(&self, id: &str) -> bool {
        self.components.contains_key(id)
    }

    fn new_store(&self, prepared: &Prepared, component: &str) -> Result<Store<HostState>> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.inherit_stdout().inherit_stderr();
        wasi.envs(&prepared.environment);
        for mount in &prepared.files {
            wasi.preopened_dir(&mount.source, &mount.destination, FsPerms::ReadOnly)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("mounting {}", mount.source.display()))?;
        }
        let allowed = prepared.allowed.clone();
        let pg_allowed = allowed.clone();
        let state = HostState {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: crate::outbound_http::Hooks::new(
                component.to_owned(),
                allowed,
                self.chain.get().cloned(),
                self.outbound.clone(),
            ),
            pg: PgState::new(
                self.pg_pools.clone(),
                Arc::new(move |host: &str, port: u16| pg_allowed.allows("postgres", host, port)),
            ),
            variables: VariablesState::new(prepared.variables.clone()),
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
            deadline: Instant::now() + self.limits.request_timeout,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|ctx| {
            if Instant::now() >= ctx.data().deadline {
                Err(wasmtime::Error::msg("request exceeded its time limit"))
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        Ok(store)
    }

    /// Runs `component` for one request. Returns as soon as the response head is known; the body
    /// keeps streaming from the instance, which lives until the handler returns or the deadline passes.
    pub async fn handle<B>(
        self: &Arc<Self>,
        component: &str,
        request: http::Request<B>,
    ) -> Result<http::Response<HyperOutgoingBody>, HandleError>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        let fail = |reason: String| HandleError::Component {
            component: component.to_owned(),
            reason,
        };
        let prepared = self
            .components
            .get(component)
            .ok_or_else(|| fail("no such component".to_owned()))?;
        let mut store = self
            .new_store(prepared, component)
            .map_err(|e| fail(format!("{e:#}")))?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let (req, out) = {
            let mut http = store.data_mut().http();
            let req = http
                .new_incoming_request(Scheme::Http, request)
                .map_err(|e| fail(format!("{e:#}")))?;
            let out = http
                .new_response_outparam(sender)
                .map_err(|e| fail(format!("{e:#}")))?;
            (req, out)
        };
        let pre = prepared.pre.clone();
        let timeout = self.limits.request_timeout;
        let id = component.to_owned();
        let task = tokio::spawn(async move {
            let run = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, req, out)
                    .await
            };
            match tokio::time::timeout(timeout, run).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => {
                    tracing::error!(component = %id, error = %format!("{e:?}"), "component trapped");
                    Err(format!("{e:#}"))
                }
                Err(_) => {
                    tracing::error!(component = %id, ?timeout, "component timed out");
                    Err(format!("timed out after {timeout:?}"))
                }
            }
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(HandleError::ErrorCode {
                component: component.to_owned(),
                code,
            }),
            Err(_) => {
                // The outparam was dropped without a response: the handler failed before answering.
                let reason = match task.await {
                    Ok(Err(reason)) => reason,
                    Ok(Ok(())) => "returned without setting a response".to_owned(),
                    Err(join) => format!("task failed: {join}"),
                };
                if reason.starts_with("timed out") || reason.contains("time limit") {
                    Err(HandleError::Timeout {
                        component: component.to_owned(),
                        timeout,
                    })
                } else {
                    Err(fail(reason))
                }
            }
        }
    }
}

/// A boxed body of bytes: what the runner sends to clients.
pub type ResponseBody = HyperOutgoingBody;

/// A complete body from bytes.
pub fn full_body(bytes: impl Into<Bytes>) -> ResponseBody {
    http_body_util::Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// Default place of the compilation cache.
pub fn default_cache_dir(manifest_dir: &Path) -> PathBuf {
    manifest_dir.join(".data").join("wasm-cache")
}
