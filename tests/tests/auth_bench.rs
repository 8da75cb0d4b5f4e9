//! Latency of login (Argon2id inside the wasm component) and of an authenticated request,
//! through the runner and real PostgreSQL. A benchmark, not a test: ignored by `cargo test`;
//! `scripts/bench-auth.sh` runs it and writes its table into `docs/benchmarks.md`.
//!
//! Environment: `AUTH_BENCH_OUT` (the Markdown table's file, default
//! `target/hub-tests/auth-bench.md`), `AUTH_BENCH_LOGINS` (logins per worker, default 40),
//! `AUTH_BENCH_SECONDS` (measured seconds of the authenticated request per concurrency,
//! default 10).

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use hub_tests::{Hub, client, workspace_root};
use serde_json::json;

const PASSWORD: &str = "benchmark password";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Nearest-rank percentile of sorted samples, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1000.0
}

struct Run {
    what: &'static str,
    concurrency: usize,
    samples: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Run {
    fn row(&mut self) -> String {
        self.samples.sort();
        let n = self.samples.len();
        format!(
            "| {} | {} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {} |",
            self.what,
            self.concurrency,
            n,
            n as f64 / self.elapsed.as_secs_f64(),
            percentile(&self.samples, 50.0),
            percentile(&self.samples, 99.0),
            self.samples
                .last()
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            self.errors
        )
    }
}

/// `workers` workers, each sending `request` until it has sent `count` (or until `until`).
async fn measure<F, Fut>(
    what: &'static str,
    workers: usize,
    count: Option<usize>,
    until: Option<Instant>,
    request: F,
) -> Run
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let (mut samples, mut errors) = (Vec::new(), 0);
                loop {
                    if count.is_some_and(|c| samples.len() + errors >= c) {
                        break;
                    }
                    if until.is_some_and(|u| Instant::now() >= u) {
                        break;
                    }
                    let sent = Instant::now();
                    if request().await {
                        samples.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (samples, errors)
            })
        })
        .collect();
    let mut run = Run {
        what,
        concurrency: workers,
        samples: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for handle in handles {
        let (samples, errors) = handle.await.expect("worker");
        run.samples.extend(samples);
        run.errors += errors;
    }
    run.elapsed = start.elapsed();
    run
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run by scripts/bench-auth.sh"]
async fn auth_latency() {
    let logins = usize::try_from(env_number("AUTH_BENCH_LOGINS", 40)).unwrap();
    let seconds = env_number("AUTH_BENCH_SECONDS", 10);
    let hub = Hub::spawn(|o| o).await;
    let base = hub.app.base_url.clone();

    let access = hub
        .register("bench@example.com", PASSWORD)
        .await
        .token("access_token");

    let login = {
        let base = base.clone();
        move || {
            let base = base.clone();
            async move {
                client()
                    .post(format!("{base}/api/auth/login"))
                    .json(&json!({"email": "bench@example.com", "password": PASSWORD}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 200)
            }
        }
    };
    let me = {
        let base = base.clone();
        let http = client();
        move || {
            let (base, http, access) = (base.clone(), http.clone(), access.clone());
            async move {
                match http
                    .get(format!("{base}/api/auth/me"))
                    .bearer_auth(access)
                    .send()
                    .await
                {
                    Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        }
    };

    // Warm-up (not recorded): instantiate, fill the pool.
    measure("warm-up", 1, Some(3), None, login.clone()).await;
    measure("warm-up", 1, Some(50), None, me.clone()).await;

    let mut runs = Vec::new();
    for workers in [1, 2] {
        runs.push(
            measure(
                "`POST /api/auth/login`",
                workers,
                Some(logins),
                None,
                login.clone(),
            )
            .await,
        );
    }
    for workers in [1, 8] {
        let until = Instant::now() + Duration::from_secs(seconds);
        runs.push(
            measure(
                "`GET /api/auth/me` (bearer)",
                workers,
                None,
                Some(until),
                me.clone(),
            )
            .await,
        );
    }

    let mut table = String::from(
        "| request | concurrency | requests | req/s | p50 ms | p99 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for run in &mut runs {
        table.push_str(&run.row());
        table.push('\n');
    }
    print!("{table}");
    let out = std::env::var_os("AUTH_BENCH_OUT").map_or_else(
        || workspace_root().join("target/hub-tests/auth-bench.md"),
        std::path::PathBuf::from,
    );
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&out, table).unwrap();
    for run in &runs {
        assert_eq!(run.errors, 0, "{} had errors", run.what);
    }
}
