//! What the hub adds to a streamed answer: time to first token and time to the end of the
//! answer through `POST /api/chats/{id}/messages` (runner, `chat` component, PostgreSQL),
//! against the same streaming request sent straight to the fake OpenAI provider and, when
//! `CHAT_BENCH_LITELLM` names it, through the LiteLLM proxy in front of the same fake provider,
//! at each concurrency, with and without a delay between the provider's chunks; and whether
//! every stream arrived whole and was stored `complete`. The routes' requests alternate within
//! each run (direct, hub, LiteLLM, direct, …; each worker starts at its own route), so that
//! they share the machine's state. Then the hub alone at full speed (its throughput), and many
//! hub streams held open at once by a slow provider (the runner's memory per open stream).
//! A benchmark, not a test: ignored by `cargo test`;
//! `scripts/bench-chat.sh` runs it, and `hub-bench report chat` turns the samples it records
//! into the tables of `docs/benchmarks.md`.
//!
//! Environment: `CHAT_BENCH_OUT` (the samples' JSON file, default
//! `target/hub-tests/chat-bench.json`), `CHAT_BENCH_DELAY_MS` (delay between the provider's
//! chunks in the delayed runs, default 25), `CHAT_BENCH_CONCURRENCY` (the concurrencies,
//! space-separated, default `1 32`), `CHAT_BENCH_STREAMS` (streams per route at concurrency 1,
//! default 100), `CHAT_BENCH_ROUNDS` (streams per route and worker at higher concurrencies,
//! default 20), `CHAT_BENCH_UNTITLED` (first exchanges of untitled chats at concurrency 1,
//! default 30), `CHAT_BENCH_LITELLM` (the `litellm` executable; without it the LiteLLM route is
//! left out), `CHAT_BENCH_CPU` (the `hub-bench` binary: when set, each run records its CPU
//! snapshots of the runner, of PostgreSQL's postmaster `CHAT_BENCH_DB_PID` and its backends, of
//! LiteLLM, and of the machine), `CHAT_BENCH_THROUGHPUT_CONCURRENCY` (workers of the hub-alone
//! run, default 32), `CHAT_BENCH_THROUGHPUT_ROUNDS` (its streams per worker, default 30; 0
//! skips it), `CHAT_BENCH_OPEN_STREAMS` (hub streams held open at once, default 500, each
//! holding one of the runner's 1000 pooled instances; 0 skips them), `CHAT_BENCH_OPEN_DELAY_MS`
//! (the provider's delay between chunks for those, default 1000: the 11 events of `stream.sse`
//! keep each stream open 10 s after its `message_start`).

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt as _;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use hub_providers::{ChatRequest, Message, ProviderConfig, ProviderKind, StreamEvent, provider};
use hub_tests::bench::{env_number, nanos, server_and_proxy_snapshot, write_results};
use hub_tests::{FakeProviders, Hub, Stream, TempDir, client};
use serde_json::{Value, json};

/// The model every stream asks for (OpenAI's Chat Completions, the fake's `stream.sse`).
const MODEL: &str = "gpt-4o-mini";
const QUESTION: &str = "What is the capital of France?";
/// Concurrency of the warm-up.
const PARALLEL: usize = 32;
/// No stream starts after a run has lasted this long per route it alternates.
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// A direct or LiteLLM stream fails when its server stays silent this long (the hub's streams
/// have the same limit in `Hub::stream`).
const SILENCE_LIMIT: Duration = Duration::from_secs(60);
/// How long LiteLLM may take to answer its readiness probe after its start.
const LITELLM_START_LIMIT: Duration = Duration::from_secs(120);

/// Which way a stream goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Straight to the fake provider.
    Direct,
    /// Through the hub, each stream the first exchange of a new chat that has a title (no
    /// title request).
    Hub,
    /// Through the hub, each stream the first exchange of a new untitled chat: the title
    /// request goes beside the answer's.
    HubUntitled,
    /// Through the LiteLLM proxy, to the same fake provider.
    Litellm,
    /// Through the hub as [`Route::Hub`], in a run of its own (the hub's throughput).
    HubAlone,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Hub => "hub",
            Self::HubUntitled => "hub_untitled",
            Self::Litellm => "litellm",
            Self::HubAlone => "hub_alone",
        }
    }

    fn is_hub(self) -> bool {
        matches!(self, Self::Hub | Self::HubUntitled | Self::HubAlone)
    }

    /// The body of the chat a hub stream on this route is the first exchange of; `None` for
    /// the other routes.
    fn chat(self) -> Option<Value> {
        match self {
            Self::Hub | Self::HubAlone => Some(titled_chat()),
            Self::HubUntitled => Some(json!({ "model": MODEL })),
            Self::Direct | Self::Litellm => None,
        }
    }
}

/// A chat with a title: its first exchange has no title request.
fn titled_chat() -> Value {
    json!({ "title": "Benchmark", "model": MODEL })
}

/// The LiteLLM proxy, started by [`Litellm::start`] in its own process group; dropping it ends
/// the group (also when the benchmark panics).
struct Litellm {
    child: Child,
    /// The hub's OpenAI client configuration for the proxy: its base URL and master key.
    config: ProviderConfig,
    /// Its stdout and stderr.
    log: PathBuf,
    /// Spawn → first successful readiness probe.
    startup: Duration,
    /// Holds its configuration file and log.
    _dir: TempDir,
}

impl Litellm {
    /// Starts `program` (`litellm`) with a configuration that routes [`MODEL`] to the fake
    /// OpenAI provider, without database, telemetry or callbacks, one worker, on a free port
    /// of 127.0.0.1, and waits until it is ready.
    async fn start(program: &OsStr, providers: &FakeProviders) -> Self {
        let dir = TempDir::new("litellm");
        let master_key = format!("sk-bench-{}", uuid::Uuid::new_v4().simple());
        let config = json!({
            "model_list": [{
                "model_name": MODEL,
                "litellm_params": {
                    "model": format!("openai/{MODEL}"),
                    "api_base": providers.base_url(ProviderKind::OpenAi),
                    "api_key": providers.key(),
                },
            }],
            "general_settings": { "master_key": master_key },
        });
        let file = dir.write(
            "litellm.yaml",
            serde_norway::to_string(&config).expect("LiteLLM's configuration as YAML"),
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port for LiteLLM")
            .port();
        let log = dir.path().join("litellm.log");
        let out = std::fs::File::create(&log).expect("LiteLLM's log file");
        let mut command = Command::new(program);
        command
            .arg("--config")
            .arg(&file)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--num_workers", "1"])
            .current_dir(dir.path())
            // No telemetry, no download of the model cost map, errors only in its own log.
            .env("LITELLM_TELEMETRY", "False")
            .env("LITELLM_TELEMETRY_DISABLED", "true")
            .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            .env("LITELLM_LOG", "ERROR")
            // No database, no other master key than the configuration's.
            .env_remove("DATABASE_URL")
            .env_remove("LITELLM_MASTER_KEY")
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("LiteLLM's log file"))
            .stderr(out)
            .process_group(0);
        let started = Instant::now();
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.to_string_lossy()));
        let mut litellm = Self {
            child,
            config: ProviderConfig::new(ProviderKind::OpenAi)
                .with_base_url(format!("http://127.0.0.1:{port}/v1"))
                .with_api_key(master_key.as_str()),
            log,
            startup: Duration::ZERO,
            _dir: dir,
        };
        let probe = format!("http://127.0.0.1:{port}/health/readiness");
        loop {
            if let Ok(Some(status)) = litellm.child.try_wait() {
                panic!(
                    "LiteLLM exited ({status}) before it was ready:\n{}",
                    litellm.log_tail()
                );
            }
            let ready = client()
                .get(&probe)
                .timeout(Duration::from_secs(1))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                break;
            }
            if started.elapsed() > LITELLM_START_LIMIT {
                panic!(
                    "LiteLLM was not ready after {} s:\n{}",
                    LITELLM_START_LIMIT.as_secs(),
                    litellm.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        litellm.startup = started.elapsed();
        litellm
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines of its log.
    fn log_tail(&self) -> String {
        let text = self.log_text();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }

    /// Error lines and tracebacks in its log so far.
    fn log_errors(&self) -> usize {
        self.log_text()
            .lines()
            .filter(|l| l.contains("ERROR") || l.starts_with("Traceback"))
            .count()
    }
}

impl Drop for Litellm {
    fn drop(&mut self) {
        // The process group (the proxy and whatever it started): asked to stop, then killed.
        let group = format!("-{}", self.child.id());
        let signal = |name: &str| {
            let _ = Command::new("kill")
                .args([name, "--", &group])
                .stderr(Stdio::null())
                .status();
        };
        signal("-TERM");
        for _ in 0..30 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        signal("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One stream that arrived whole.
struct Sample {
    /// Send → first text.
    ttft: Duration,
    /// Send → the provider's end marker (direct, LiteLLM) or the `done` event (hub).
    total: Duration,
    /// Hub only: send → `message_start`.
    head: Option<Duration>,
    /// Hub only: the answer's message id.
    answer_id: Option<String>,
}

/// One route's streams in one run (the routes of a run alternate; they share its clock and
/// snapshots).
struct Run {
    route: Route,
    /// The run: the same for the routes that alternated in it.
    group: usize,
    delay: Duration,
    concurrency: usize,
    planned: usize,
    sent: usize,
    samples: Vec<Sample>,
    /// The whole run's length (all its routes).
    elapsed: Duration,
    /// Hub only: answers stored `complete` with the whole text, and their usage rows.
    stored_complete: Option<i64>,
    usage_rows: Option<i64>,
    /// [`Bench::cpu_snapshot`] before the run's first stream and after its last.
    cpu_before: Value,
    cpu_after: Value,
    /// [`Bench::wal`] before the run's first stream and after its last.
    wal_before: Value,
    wal_after: Value,
}

impl Run {
    fn json(&self) -> Value {
        let list = |f: &dyn Fn(&Sample) -> Option<Duration>| -> Vec<u64> {
            self.samples.iter().filter_map(f).map(nanos).collect()
        };
        json!({
            "route": self.route.name(),
            "group": self.group,
            "delay_ms": self.delay.as_millis(),
            "concurrency": self.concurrency,
            "planned": self.planned,
            "sent": self.sent,
            "complete": self.samples.len(),
            "stored_complete": self.stored_complete,
            "usage_rows": self.usage_rows,
            "elapsed_s": self.elapsed.as_secs_f64(),
            "ttft_ns": list(&|s| Some(s.ttft)),
            "total_ns": list(&|s| Some(s.total)),
            "head_ns": list(&|s| s.head),
            "cpu_before": self.cpu_before,
            "cpu_after": self.cpu_after,
            "wal_before": self.wal_before,
            "wal_after": self.wal_after,
        })
    }

    fn lost(&self) -> usize {
        lost(self.planned, self.samples.len(), self.stored_complete)
    }
}

/// Streams of `planned` that did not arrive `whole` or (hub) were not `stored` complete.
fn lost(planned: usize, whole: usize, stored: Option<i64>) -> usize {
    let stored = stored
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(whole);
    planned.saturating_sub(whole.min(stored))
}

/// The answers' message ids of hub streams.
fn answer_ids(samples: &[Sample]) -> Vec<String> {
    samples.iter().filter_map(|s| s.answer_id.clone()).collect()
}

/// One streamed answer through the hub's own OpenAI provider client (request building and
/// stream parsing) from the server `config` points at: the fake provider itself, or LiteLLM in
/// front of it; `None` unless it arrived whole with `expected`. The body's chunks are timed as
/// they arrive and parsed afterwards (the parser is not `Send`): TTFT is the arrival of the
/// chunk that carried the first text, the total that of the chunk that carried the end marker
/// (`[DONE]`).
async fn openai_stream(config: &ProviderConfig, expected: &str) -> Option<Sample> {
    let request = {
        let openai = provider(config).ok()?;
        openai
            .build_request(&ChatRequest::new(MODEL, vec![Message::user(QUESTION)]))
            .ok()?
    };
    let request = reqwest::Request::try_from(request).ok()?;
    let started = Instant::now();
    let response = tokio::time::timeout(SILENCE_LIMIT, client().execute(request))
        .await
        .ok()?
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let mut body = response.bytes_stream();
    let mut chunks = Vec::new();
    while let Some(chunk) = tokio::time::timeout(SILENCE_LIMIT, body.next())
        .await
        .ok()?
    {
        chunks.push((started.elapsed(), chunk.ok()?));
    }
    let end = started.elapsed();

    let mut parser = provider(config).ok()?.stream();
    let (mut text, mut ttft, mut total, mut failed) = (String::new(), None, None, false);
    let pushed = chunks.iter().map(|(at, chunk)| (*at, parser.push(chunk)));
    let mut parsed: Vec<_> = pushed.collect();
    parsed.push((end, parser.finish()));
    for (at, events) in parsed {
        for event in events {
            match event {
                StreamEvent::Delta(piece) => {
                    ttft.get_or_insert(at);
                    text.push_str(&piece);
                }
                StreamEvent::Finish(_) => {
                    total.get_or_insert(at);
                }
                StreamEvent::Error(_) => failed = true,
                StreamEvent::Usage(_) => {}
            }
        }
    }
    (!failed && text == expected).then(|| Sample {
        ttft: ttft.unwrap_or(end),
        total: total.unwrap_or(end),
        head: None,
        answer_id: None,
    })
}

/// One streamed answer through the hub in `chat`; `None` unless it ended with `done`, carried
/// `expected` and said the answer was stored `complete`.
async fn hub_stream(hub: &Hub, token: &str, chat: &str, expected: &str) -> Option<Sample> {
    let stream = hub
        .stream(chat, token, json!({ "content": QUESTION }))
        .await;
    hub_sample(&stream, expected)
}

/// The sample of a hub stream read to its end; `None` unless it ended with `done`, carried
/// `expected` and said the answer was stored `complete`.
fn hub_sample(stream: &Stream, expected: &str) -> Option<Sample> {
    if stream.status != 200 || stream.text() != expected {
        return None;
    }
    let at = |name: &str| stream.events.iter().find(|e| e.name == name);
    let done = at("done")?;
    if stream.last().name != "done" || done.data["message"]["status"] != "complete" {
        return None;
    }
    let start = at("message_start")?;
    Some(Sample {
        ttft: at("delta")?.at,
        total: done.at,
        head: Some(start.at),
        answer_id: start.data["assistant_message_id"]
            .as_str()
            .map(str::to_owned),
    })
}

/// Where the streams go, shared by the workers.
struct Targets {
    hub: Arc<Hub>,
    /// The benchmark user's access token.
    token: String,
    /// The answer's text (`stream.sse`).
    expected: String,
    /// The fake OpenAI provider.
    direct: ProviderConfig,
    /// LiteLLM, when it runs.
    litellm: Option<ProviderConfig>,
}

impl Targets {
    /// One stream on `route` (`chat`: the hub's chat for it).
    async fn stream(&self, route: Route, chat: Option<&str>) -> Option<Sample> {
        match (route, chat) {
            (Route::Direct, _) => openai_stream(&self.direct, &self.expected).await,
            (Route::Litellm, _) => openai_stream(self.litellm.as_ref()?, &self.expected).await,
            (_, Some(chat)) => hub_stream(&self.hub, &self.token, chat, &self.expected).await,
            (_, None) => None,
        }
    }
}

/// What every run shares.
struct Bench {
    targets: Arc<Targets>,
    /// One connection to the hub's database for the checks, kept for the whole benchmark so
    /// that PostgreSQL's backends stay the same between CPU snapshots.
    db: tokio_postgres::Client,
    /// `hub-bench` (`CHAT_BENCH_CPU`), for the CPU snapshots.
    cpu: Option<OsString>,
    /// The LiteLLM proxy's process, for its CPU snapshots.
    litellm_pid: Option<u32>,
}

impl Bench {
    /// `hub-bench cpu-snapshot` of the runner (started under this process), of PostgreSQL, of
    /// LiteLLM and of the machine when `CHAT_BENCH_CPU` names `hub-bench`; `Null` otherwise.
    fn cpu_snapshot(&self) -> Value {
        match &self.cpu {
            Some(bench) => server_and_proxy_snapshot(
                bench,
                std::env::var("CHAT_BENCH_DB_PID").ok().as_deref(),
                self.litellm_pid,
            ),
            None => Value::Null,
        }
    }

    /// PostgreSQL's WAL syncs so far and the milliseconds they took (`pg_stat_wal`; the time
    /// stays 0 unless `track_wal_io_timing` is on, as `scripts/bench-chat.sh` sets it).
    async fn wal(&self) -> Value {
        let row = self
            .db
            .query_one(
                "SELECT wal_sync, wal_sync_time, \
                 current_setting('track_wal_io_timing')::bool FROM pg_stat_wal",
                &[],
            )
            .await
            .unwrap();
        let timed: bool = row.get(2);
        json!({
            "syncs": row.get::<_, i64>(0),
            "sync_ms": timed.then(|| row.get::<_, f64>(1)),
        })
    }

    /// How many answers among `ids` are stored `complete` with the whole text, and how many
    /// usage rows they have.
    async fn stored(&self, ids: &[String]) -> (i64, i64) {
        let ids = ids.to_vec();
        let expected = &self.targets.expected;
        let count = async |sql: &str| -> i64 {
            self.db
                .query_one(sql, &[&ids, expected])
                .await
                .unwrap()
                .get(0)
        };
        (
            count(
                "SELECT count(*) FROM chat_messages WHERE id::text = ANY($1) \
                 AND role = 'assistant' AND status = 'complete' AND content = $2",
            )
            .await,
            count(
                "SELECT count(*) FROM chat_token_usage u JOIN chat_messages m \
                 ON m.id = u.message_id WHERE m.id::text = ANY($1) AND m.content = $2",
            )
            .await,
        )
    }
}

/// One run, numbered `group`: `workers` workers, each sending `per_worker` streams per route,
/// one after the other, cycling through `routes` (worker `w` starts at route `w`); no stream
/// starts after [`RUN_LIMIT`] per route. A stream that fails, times out or panics counts as
/// lost. One [`Run`] per route.
async fn run(
    bench: &Bench,
    routes: &[Route],
    group: usize,
    workers: usize,
    per_worker: usize,
) -> Vec<Run> {
    let targets = &bench.targets;
    // The jobs, each worker's in order; the hub's chats are made before the clock starts, one
    // per stream.
    let mut jobs: Vec<Vec<(Route, Option<String>)>> = Vec::with_capacity(workers);
    for worker in 0..workers {
        let mut own = Vec::with_capacity(per_worker * routes.len());
        for i in 0..per_worker * routes.len() {
            let route = routes[(worker + i) % routes.len()];
            let chat = match route.chat() {
                Some(body) => Some(targets.hub.chat(&targets.token, body).await),
                None => None,
            };
            own.push((route, chat));
        }
        jobs.push(own);
    }
    let wal_before = bench.wal().await;
    let cpu_before = bench.cpu_snapshot();
    let started = Instant::now();
    let limit = RUN_LIMIT * u32::try_from(routes.len()).unwrap_or(1);
    let deadline = started + limit;
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|own| {
            let targets = targets.clone();
            tokio::spawn(async move {
                // (route, the sample if the stream arrived whole) per stream sent.
                let mut sent = Vec::new();
                for (route, chat) in own {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let one = targets.stream(route, chat.as_deref());
                    let sample = AssertUnwindSafe(one).catch_unwind().await.ok().flatten();
                    sent.push((route, sample));
                }
                sent
            })
        })
        .collect();
    let mut sent = Vec::new();
    for handle in handles {
        sent.extend(handle.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    let cpu_after = bench.cpu_snapshot();
    let wal_after = bench.wal().await;

    let mut runs = Vec::with_capacity(routes.len());
    for &route in routes {
        let mine = sent.iter_mut().filter(|(r, _)| *r == route);
        let (mut count, mut samples) = (0, Vec::new());
        for (_, sample) in mine {
            count += 1;
            samples.extend(sample.take());
        }
        let mut measured = Run {
            route,
            group,
            delay: Duration::ZERO,
            concurrency: workers,
            planned: workers * per_worker,
            sent: count,
            samples,
            elapsed,
            stored_complete: None,
            usage_rows: None,
            cpu_before: cpu_before.clone(),
            cpu_after: cpu_after.clone(),
            wal_before: wal_before.clone(),
            wal_after: wal_after.clone(),
        };
        if route.is_hub() {
            let (stored, usage) = bench.stored(&answer_ids(&measured.samples)).await;
            measured.stored_complete = Some(stored);
            measured.usage_rows = Some(usage);
        }
        runs.push(measured);
    }
    runs
}

/// Prints a route's result in a run.
fn log_run(run: &Run) {
    eprintln!(
        "chat bench: {} delay {} ms concurrency {}: {} of {} complete (run {:.1} s)",
        run.route.name(),
        run.delay.as_millis(),
        run.concurrency,
        run.samples.len(),
        run.planned,
        run.elapsed.as_secs_f64()
    );
}

/// The open-streams run: hub streams held open at once by a slow provider.
struct OpenRun {
    /// The provider's delay between chunks.
    delay: Duration,
    /// Streams sent, all at once.
    streams: usize,
    /// Streams that reached `message_start`.
    opened: usize,
    /// Streams that had ended when the last one reached `message_start` (or the wait for it
    /// gave up): they were not open at the snapshot `cpu_open`.
    ended_before_all_open: usize,
    /// The streams that arrived whole.
    samples: Vec<Sample>,
    /// Answers stored `complete` with the whole text, and their usage rows.
    stored_complete: i64,
    usage_rows: i64,
    /// First send → the last stream's `message_start`; `None` when not all reached it.
    all_open: Option<Duration>,
    /// First send → the end of the last stream.
    elapsed: Duration,
    /// [`Bench::cpu_snapshot`] before the first send, once all streams were open, after the
    /// last stream ended.
    cpu_idle: Value,
    cpu_open: Value,
    cpu_after: Value,
}

impl OpenRun {
    fn json(&self) -> Value {
        json!({
            "delay_ms": self.delay.as_millis(),
            "streams": self.streams,
            "opened": self.opened,
            "ended_before_all_open": self.ended_before_all_open,
            "complete": self.samples.len(),
            "stored_complete": self.stored_complete,
            "usage_rows": self.usage_rows,
            "all_open_s": self.all_open.map(|d| d.as_secs_f64()),
            "elapsed_s": self.elapsed.as_secs_f64(),
            "cpu_idle": self.cpu_idle,
            "cpu_open": self.cpu_open,
            "cpu_after": self.cpu_after,
        })
    }

    fn lost(&self) -> usize {
        lost(self.streams, self.samples.len(), Some(self.stored_complete))
    }
}

/// How far the open-streams run's streams got.
#[derive(Default)]
struct Progress {
    /// Streams that reached `message_start`.
    opened: AtomicUsize,
    /// Streams that ended, whole or not.
    ended: AtomicUsize,
}

/// One stream through the hub in `chat`, counted in `opened` once it reached `message_start`;
/// `None` unless it arrived whole (as [`hub_stream`]).
async fn open_hub_stream(targets: &Targets, chat: &str, opened: &AtomicUsize) -> Option<Sample> {
    let mut stream = targets
        .hub
        .open_stream(chat, &targets.token, json!({ "content": QUESTION }))
        .await;
    if stream.status() != 200 {
        return None;
    }
    stream.until("message_start").await;
    opened.fetch_add(1, Ordering::SeqCst);
    hub_sample(&stream.finish().await, &targets.expected)
}

/// Waits until all `streams` have reached `message_start` (the time since `started`), or
/// until they all ended without, or [`RUN_LIMIT`] after `started` (`None` then).
async fn until_all_open(progress: &Progress, streams: usize, started: Instant) -> Option<Duration> {
    let deadline = started + RUN_LIMIT;
    loop {
        if progress.opened.load(Ordering::SeqCst) >= streams {
            return Some(started.elapsed());
        }
        if progress.ended.load(Ordering::SeqCst) >= streams || Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `streams` hub streams sent at once, each the first exchange of its own titled chat (made
/// before the clock starts), while the provider waits `delay` between chunks; CPU snapshots
/// (with the runner's memory) before, once all are open, and after. A stream that fails or
/// panics counts as lost.
async fn open_streams(bench: &Bench, streams: usize, delay: Duration) -> OpenRun {
    let targets = &bench.targets;
    let mut chats = Vec::with_capacity(streams);
    for _ in 0..streams {
        chats.push(targets.hub.chat(&targets.token, titled_chat()).await);
    }
    targets.hub.providers.set_chunk_delay(delay);
    let progress = Arc::new(Progress::default());
    let cpu_idle = bench.cpu_snapshot();
    let started = Instant::now();
    let handles: Vec<_> = chats
        .into_iter()
        .map(|chat| {
            let (targets, progress) = (targets.clone(), progress.clone());
            tokio::spawn(async move {
                let one = open_hub_stream(&targets, &chat, &progress.opened);
                let sample = AssertUnwindSafe(one).catch_unwind().await.ok().flatten();
                progress.ended.fetch_add(1, Ordering::SeqCst);
                sample
            })
        })
        .collect();
    let all_open = until_all_open(&progress, streams, started).await;
    let ended_before_all_open = progress.ended.load(Ordering::SeqCst);
    let cpu_open = bench.cpu_snapshot();
    let mut samples = Vec::with_capacity(streams);
    for handle in handles {
        samples.extend(handle.await.expect("stream task"));
    }
    let elapsed = started.elapsed();
    let cpu_after = bench.cpu_snapshot();
    let (stored_complete, usage_rows) = bench.stored(&answer_ids(&samples)).await;
    OpenRun {
        delay,
        streams,
        opened: progress.opened.load(Ordering::SeqCst),
        ended_before_all_open,
        samples,
        stored_complete,
        usage_rows,
        all_open,
        elapsed,
        cpu_idle,
        cpu_open,
        cpu_after,
    }
}

/// The milliseconds in environment variable `name` (as [`env_number`]).
fn env_millis(name: &str, default: usize) -> Duration {
    Duration::from_millis(u64::try_from(env_number(name, default)).unwrap_or(u64::MAX))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run by scripts/bench-chat.sh"]
async fn chat_streaming_overhead() {
    let delay = env_millis("CHAT_BENCH_DELAY_MS", 25);
    let streams = env_number("CHAT_BENCH_STREAMS", 100).max(1);
    let rounds = env_number("CHAT_BENCH_ROUNDS", 20).max(1);
    let untitled = env_number("CHAT_BENCH_UNTITLED", 30);
    let concurrencies: Vec<usize> = std::env::var("CHAT_BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1 32".to_owned())
        .split_whitespace()
        .map(|c| c.parse().expect("CHAT_BENCH_CONCURRENCY: numbers"))
        .filter(|&c| c > 0)
        .collect();
    let throughput_workers = env_number("CHAT_BENCH_THROUGHPUT_CONCURRENCY", 32).max(1);
    let throughput_rounds = env_number("CHAT_BENCH_THROUGHPUT_ROUNDS", 30);
    let open_count = env_number("CHAT_BENCH_OPEN_STREAMS", 500);
    let open_delay = env_millis("CHAT_BENCH_OPEN_DELAY_MS", 1000);

    let hub = Arc::new(Hub::spawn(|o| o).await);
    let litellm = match std::env::var_os("CHAT_BENCH_LITELLM").filter(|p| !p.is_empty()) {
        Some(program) => Some(Litellm::start(&program, &hub.providers).await),
        None => None,
    };
    if let Some(litellm) = &litellm {
        eprintln!(
            "chat bench: LiteLLM ready after {:.1} s",
            litellm.startup.as_secs_f64()
        );
    }
    let targets = Arc::new(Targets {
        token: hub.user("bench@example.com").await,
        expected: hub.providers.manifest(ProviderKind::OpenAi)["streams"][0]["text"]
            .as_str()
            .expect("the expected text of stream.sse")
            .to_owned(),
        direct: hub.providers.config(ProviderKind::OpenAi),
        litellm: litellm.as_ref().map(|l| l.config.clone()),
        hub: hub.clone(),
    });
    let bench = Bench {
        db: hub.db.client().await,
        cpu: std::env::var_os("CHAT_BENCH_CPU"),
        litellm_pid: litellm.as_ref().map(|l| l.child.id()),
        targets,
    };
    let mut routes = vec![Route::Direct, Route::Hub];
    if litellm.is_some() {
        routes.push(Route::Litellm);
    }

    // Warm-up (not recorded): instantiate, compile caches, fill the connection pools.
    hub.providers.set_chunk_delay(Duration::ZERO);
    run(&bench, &routes, 0, PARALLEL, 2).await;

    let mut runs = Vec::new();
    let mut group = 0;
    for chunk_delay in [delay, Duration::ZERO] {
        hub.providers.set_chunk_delay(chunk_delay);
        let mut measure = Vec::new();
        for &workers in &concurrencies {
            let per_worker = if workers == 1 { streams } else { rounds };
            measure.push((routes.as_slice(), workers, per_worker));
        }
        if chunk_delay == delay && untitled > 0 {
            measure.push((&[Route::HubUntitled], 1, untitled));
        }
        for (routes, workers, per_worker) in measure {
            group += 1;
            for mut measured in run(&bench, routes, group, workers, per_worker).await {
                measured.delay = chunk_delay;
                log_run(&measured);
                runs.push(measured);
            }
        }
    }
    // The hub alone at full speed, its streams not sharing the machine with other routes'.
    if throughput_rounds > 0 {
        hub.providers.set_chunk_delay(Duration::ZERO);
        group += 1;
        let alone = [Route::HubAlone];
        for measured in run(&bench, &alone, group, throughput_workers, throughput_rounds).await {
            log_run(&measured);
            runs.push(measured);
        }
    }
    let open = if open_count > 0 {
        let open = open_streams(&bench, open_count, open_delay).await;
        eprintln!(
            "chat bench: {} open streams, delay {} ms: {} reached message_start, {} complete (run {:.1} s)",
            open.streams,
            open.delay.as_millis(),
            open.opened,
            open.samples.len(),
            open.elapsed.as_secs_f64()
        );
        Some(open)
    } else {
        None
    };

    let log = hub.app.log();
    let warnings = log
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR ") || l.starts_with("chat: "))
        .count();
    let report = json!({
        "runner_log_warnings": warnings,
        "litellm_log_errors": litellm.as_ref().map(Litellm::log_errors),
        "litellm_startup_s": litellm.as_ref().map(|l| l.startup.as_secs_f64()),
        "provider": ProviderKind::OpenAi.as_str(),
        "model": MODEL,
        "expected_text": bench.targets.expected,
        "runs": runs.iter().map(Run::json).collect::<Vec<_>>(),
        "open_streams": open.as_ref().map(OpenRun::json),
    });
    let out = write_results("CHAT_BENCH_OUT", "chat-bench.json", &report);
    eprintln!("chat bench: samples in {}", out.display());
    for run in &runs {
        assert_eq!(
            run.lost(),
            0,
            "{} at concurrency {} lost streams",
            run.route.name(),
            run.concurrency
        );
    }
    if let Some(open) = &open {
        assert_eq!(
            open.lost(),
            0,
            "{} streams held open at once lost streams",
            open.streams
        );
    }
}
