//! What the hub adds to a streamed answer: time to first token and time to the end of the
//! answer through `POST /api/chats/{id}/messages` (runner, `chat` component, PostgreSQL),
//! against the same streaming request sent straight to the fake OpenAI provider, at
//! concurrency 1 and 32, with and without a delay between the provider's chunks; and whether
//! every stream arrived whole and was stored `complete`. A benchmark, not a test: ignored by
//! `cargo test`; `scripts/bench-chat.sh` runs it, and `hub-bench report chat` turns the samples
//! it records into the tables of `docs/benchmarks.md`.
//!
//! Environment: `CHAT_BENCH_OUT` (the samples' JSON file, default
//! `target/hub-tests/chat-bench.json`), `CHAT_BENCH_DELAY_MS` (delay between the provider's
//! chunks in the delayed runs, default 25), `CHAT_BENCH_CONCURRENCY` (the concurrencies,
//! space-separated, default `1 16 32`), `CHAT_BENCH_STREAMS` (streams per run at concurrency 1,
//! default 100), `CHAT_BENCH_ROUNDS` (streams per worker at higher concurrencies, default 20),
//! `CHAT_BENCH_UNTITLED` (first exchanges of untitled chats at concurrency 1, default 30),
//! `CHAT_BENCH_CPU` (the `hub-bench` binary: when set, each run records its CPU snapshots of the
//! runner, of PostgreSQL's postmaster `CHAT_BENCH_DB_PID` and its backends, and of the machine).

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use hub_providers::{ChatRequest, Message, ProviderKind, StreamEvent, provider};
use hub_tests::bench::{env_number, nanos, server_snapshot, write_results};
use hub_tests::{Hub, client};
use serde_json::{Value, json};

/// The model every stream asks for (OpenAI's Chat Completions, the fake's `stream.sse`).
const MODEL: &str = "gpt-4o-mini";
const QUESTION: &str = "What is the capital of France?";
/// Concurrency of the warm-up.
const PARALLEL: usize = 32;
/// No stream starts after a run has lasted this long.
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// A direct stream fails when its provider stays silent this long (the hub's streams have the
/// same limit in `Hub::stream`).
const SILENCE_LIMIT: Duration = Duration::from_secs(60);

/// Which way a run's streams go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Straight to the fake provider.
    Direct,
    /// Through the hub, each stream the first exchange of a new chat that has a title (no
    /// title request).
    Hub,
    /// Through the hub, each stream the first exchange of a new untitled chat: the answer is
    /// followed by the title request before `done`.
    HubUntitled,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Hub => "hub",
            Self::HubUntitled => "hub_untitled",
        }
    }
}

/// One stream that arrived whole.
struct Sample {
    /// Send → first text.
    ttft: Duration,
    /// Send → the provider's end marker (direct) or the `done` event (hub).
    total: Duration,
    /// Hub only: send → `message_start`.
    head: Option<Duration>,
    /// Hub only: the answer's message id.
    answer_id: Option<String>,
}

/// The streams of one run.
struct Run {
    route: Route,
    delay: Duration,
    concurrency: usize,
    planned: usize,
    sent: usize,
    samples: Vec<Sample>,
    elapsed: Duration,
    /// Hub only: answers stored `complete` with the whole text, and their usage rows.
    stored_complete: Option<i64>,
    usage_rows: Option<i64>,
    /// [`cpu_snapshot`] before the first stream and after the last.
    cpu_before: Value,
    cpu_after: Value,
    /// [`Bench::wal`] before the first stream and after the last.
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
        let stored = self
            .stored_complete
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(self.samples.len());
        self.planned - self.samples.len().min(stored)
    }
}

/// `hub-bench cpu-snapshot` of the runner (started under this process), of PostgreSQL and of
/// the machine when `CHAT_BENCH_CPU` names `hub-bench`; `Null` otherwise.
fn cpu_snapshot() -> Value {
    match std::env::var_os("CHAT_BENCH_CPU") {
        Some(bench) => server_snapshot(&bench, std::env::var("CHAT_BENCH_DB_PID").ok().as_deref()),
        None => Value::Null,
    }
}

/// One streamed answer straight from the fake provider, through the hub's own provider client
/// (request building and stream parsing); `None` unless it arrived whole with `expected`. The
/// body's chunks are timed as they arrive and parsed afterwards (the parser is not `Send`):
/// TTFT is the arrival of the chunk that carried the first text, the total that of the chunk
/// that carried the end marker.
async fn direct_stream(hub: &Hub, expected: &str) -> Option<Sample> {
    let request = {
        let openai = provider(&hub.providers.config(ProviderKind::OpenAi)).ok()?;
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

    let mut parser = provider(&hub.providers.config(ProviderKind::OpenAi))
        .ok()?
        .stream();
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

/// What every run shares.
struct Bench {
    hub: Arc<Hub>,
    /// The benchmark user's access token.
    token: String,
    /// The answer's text (`stream.sse`).
    expected: String,
    /// One connection to the hub's database for the checks, kept for the whole benchmark so
    /// that PostgreSQL's backends stay the same between CPU snapshots.
    db: tokio_postgres::Client,
}

impl Bench {
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
        let count = async |sql: &str| -> i64 {
            self.db
                .query_one(sql, &[&ids, &self.expected])
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

/// `workers` workers, each sending `per_worker` streams one after the other (none started
/// after [`RUN_LIMIT`]); a stream that fails, times out or panics counts as lost.
async fn run(bench: &Bench, route: Route, workers: usize, per_worker: usize) -> Run {
    let (hub, token, expected) = (&bench.hub, bench.token.as_str(), bench.expected.as_str());
    // The hub's chats are made before the clock starts: one per stream.
    let mut chats: Vec<Vec<Option<String>>> = vec![vec![None; per_worker]; workers];
    if route != Route::Direct {
        let body = match route {
            Route::Hub => json!({ "title": "Benchmark", "model": MODEL }),
            _ => json!({ "model": MODEL }),
        };
        for chat in chats.iter_mut().flatten() {
            *chat = Some(hub.chat(token, body.clone()).await);
        }
    }
    let wal_before = bench.wal().await;
    let cpu_before = cpu_snapshot();
    let started = Instant::now();
    let deadline = started + RUN_LIMIT;
    let handles: Vec<_> = chats
        .into_iter()
        .map(|own| {
            let (hub, token, expected) = (hub.clone(), token.to_owned(), expected.to_owned());
            tokio::spawn(async move {
                let (mut samples, mut sent) = (Vec::new(), 0);
                for chat in own {
                    if Instant::now() >= deadline {
                        break;
                    }
                    sent += 1;
                    let one = async {
                        match &chat {
                            None => direct_stream(&hub, &expected).await,
                            Some(chat) => hub_stream(&hub, &token, chat, &expected).await,
                        }
                    };
                    if let Ok(Some(sample)) = AssertUnwindSafe(one).catch_unwind().await {
                        samples.push(sample);
                    }
                }
                (samples, sent)
            })
        })
        .collect();
    let mut run = Run {
        route,
        delay: Duration::ZERO,
        concurrency: workers,
        planned: workers * per_worker,
        sent: 0,
        samples: Vec::new(),
        elapsed: Duration::ZERO,
        stored_complete: None,
        usage_rows: None,
        cpu_before,
        cpu_after: Value::Null,
        wal_before,
        wal_after: Value::Null,
    };
    for handle in handles {
        let (samples, sent) = handle.await.expect("worker");
        run.samples.extend(samples);
        run.sent += sent;
    }
    run.elapsed = started.elapsed();
    run.cpu_after = cpu_snapshot();
    run.wal_after = bench.wal().await;
    if route != Route::Direct {
        let ids: Vec<String> = run
            .samples
            .iter()
            .filter_map(|s| s.answer_id.clone())
            .collect();
        let (stored, usage) = bench.stored(&ids).await;
        run.stored_complete = Some(stored);
        run.usage_rows = Some(usage);
    }
    run
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run by scripts/bench-chat.sh"]
async fn chat_streaming_overhead() {
    let delay =
        Duration::from_millis(u64::try_from(env_number("CHAT_BENCH_DELAY_MS", 25)).unwrap_or(25));
    let streams = env_number("CHAT_BENCH_STREAMS", 100).max(1);
    let rounds = env_number("CHAT_BENCH_ROUNDS", 20).max(1);
    let untitled = env_number("CHAT_BENCH_UNTITLED", 30);
    let concurrencies: Vec<usize> = std::env::var("CHAT_BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1 16 32".to_owned())
        .split_whitespace()
        .map(|c| c.parse().expect("CHAT_BENCH_CONCURRENCY: numbers"))
        .filter(|&c| c > 0)
        .collect();

    let hub = Arc::new(Hub::spawn(|o| o).await);
    let bench = Bench {
        token: hub.user("bench@example.com").await,
        expected: hub.providers.manifest(ProviderKind::OpenAi)["streams"][0]["text"]
            .as_str()
            .expect("the expected text of stream.sse")
            .to_owned(),
        db: hub.db.client().await,
        hub: hub.clone(),
    };

    // Warm-up (not recorded): instantiate, compile caches, fill the connection pool.
    hub.providers.set_chunk_delay(Duration::ZERO);
    run(&bench, Route::Direct, PARALLEL, 2).await;
    run(&bench, Route::Hub, PARALLEL, 2).await;

    let mut runs = Vec::new();
    for chunk_delay in [delay, Duration::ZERO] {
        hub.providers.set_chunk_delay(chunk_delay);
        for &workers in &concurrencies {
            let per_worker = if workers == 1 { streams } else { rounds };
            for route in [Route::Direct, Route::Hub] {
                let mut measured = run(&bench, route, workers, per_worker).await;
                measured.delay = chunk_delay;
                eprintln!(
                    "chat bench: {} delay {} ms concurrency {workers}: {} of {} complete in {:.1} s",
                    route.name(),
                    chunk_delay.as_millis(),
                    measured.samples.len(),
                    measured.planned,
                    measured.elapsed.as_secs_f64()
                );
                runs.push(measured);
            }
        }
        if chunk_delay == delay && untitled > 0 {
            let mut measured = run(&bench, Route::HubUntitled, 1, untitled).await;
            measured.delay = chunk_delay;
            runs.push(measured);
        }
    }

    let log = hub.app.log();
    let warnings = log
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR ") || l.starts_with("chat: "))
        .count();
    let report = json!({
        "runner_log_warnings": warnings,
        "provider": ProviderKind::OpenAi.as_str(),
        "model": MODEL,
        "expected_text": bench.expected,
        "runs": runs.iter().map(Run::json).collect::<Vec<_>>(),
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
}
