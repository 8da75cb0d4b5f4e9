//! `hub-bench load`: a closed-loop load generator. Each of N workers owns one keep-alive HTTP/1.1
//! connection and sends the next request as soon as the previous response body has been read, so
//! exactly N requests are in flight at any time.
//!
//! Timeline: warm-up (requests sent, not recorded), then the measured window. A request belongs to
//! the window it *starts* in; workers stop sending at the end of the window and finish the request
//! in flight, and the rate is divided by the time from the window's start to the last response.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::client::{Connection, Target};
use crate::cpu::{CpuUse, Watched};
use crate::stats::Latency;

/// `hub-bench load` options.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// URL to `GET`, e.g. http://127.0.0.1:3000/api/health.
    #[arg(long)]
    url: String,
    /// A file of paths (one a line, each with its query, e.g. `/api/x?q=a`; blank lines
    /// ignored) requested in turn on the URL's host instead of the URL's path: each worker
    /// starts at its own line.
    #[arg(long)]
    paths: Option<std::path::PathBuf>,
    /// A header sent with every request, `Name: value` (repeatable), e.g. an
    /// `Authorization: Bearer …` token.
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Workers (= connections = requests in flight).
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Length of the measured window, in seconds.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Warm-up before the measured window, in seconds (requests sent, not recorded).
    #[arg(long, default_value_t = 0.0)]
    warmup: f64,
    /// Time limit of one request, in seconds (a timeout counts as an error and reconnects).
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// Threads of the load generator's runtime.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Also report the CPU time this process (the runner) used during the measured window
    /// (Linux: /proc/PID/stat).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Also report the CPU time of this process and its children (PostgreSQL's postmaster: the
    /// backends) during the measured window.
    #[arg(long)]
    db_pid: Option<u32>,
}

/// The JSON report of one load run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    pub url: String,
    pub concurrency: usize,
    pub warmup_s: f64,
    pub duration_s: f64,
    /// Time from the start of the measured window to the last response, in seconds.
    pub elapsed_s: f64,
    /// Requests started in the measured window (successes + errors).
    pub requests: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses, transport errors and timeouts.
    pub errors: u64,
    /// Errors by kind: `status_<code>`, `connect`, `send`, `body`, `timeout`.
    pub error_kinds: BTreeMap<String, u64>,
    pub requests_per_s: f64,
    /// Latency of the 2xx responses (send to end of body), in milliseconds.
    pub latency_ms: Latency,
    /// Mean response body size of the 2xx responses, in bytes.
    pub mean_body_bytes: f64,
    /// Requests sent during the warm-up.
    pub warmup_requests: u64,
    /// TCP connections opened (= concurrency when keep-alive held throughout).
    pub connections_opened: u64,
    /// CPU time (user + system) used during the measured window.
    #[serde(default)]
    pub cpu: CpuUse,
}

#[derive(Default)]
struct WorkerResult {
    samples: Vec<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
    body_bytes: u64,
    warmup_requests: u64,
    last_done: Option<Instant>,
    connections_opened: u64,
}

async fn worker(
    target: Arc<Target>,
    first: usize,
    measure_from: Instant,
    end: Instant,
    timeout: Duration,
) -> WorkerResult {
    let mut result = WorkerResult {
        samples: Vec::with_capacity(4096),
        ..WorkerResult::default()
    };
    let mut conn = Connection::new(target);
    for n in first.. {
        let started = Instant::now();
        if started >= end {
            break;
        }
        let outcome = tokio::time::timeout(timeout, conn.get_nth(n)).await;
        let done = Instant::now();
        let measured = started >= measure_from;
        let error = match outcome {
            Ok(Ok((status, bytes))) if status.is_success() => {
                if measured {
                    let nanos = u64::try_from((done - started).as_nanos()).unwrap_or(u64::MAX);
                    result.samples.push(nanos);
                    result.ok += 1;
                    result.body_bytes += bytes as u64;
                }
                None
            }
            Ok(Ok((status, _))) => Some(format!("status_{}", status.as_u16())),
            Ok(Err(e)) => Some(e.name().to_owned()),
            Err(_) => {
                conn.reset();
                Some("timeout".to_owned())
            }
        };
        if measured {
            result.last_done = Some(done);
            if let Some(kind) = &error {
                *result.errors.entry(kind.clone()).or_default() += 1;
            }
        } else {
            result.warmup_requests += 1;
        }
        if error.as_deref() == Some("connect") {
            // Nothing listens: do not spin.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    result.connections_opened = conn.opened;
    result
}

fn seconds(value: f64, what: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value).with_context(|| format!("invalid {what}: {value}"))
}

/// Runs the load and prints the JSON report on stdout.
pub fn run(args: &LoadArgs) -> Result<()> {
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(load(args))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

async fn load(args: &LoadArgs) -> Result<LoadReport> {
    let mut target = Target::parse(&args.url)?;
    for line in &args.headers {
        target = target.with_header(line)?;
    }
    if let Some(file) = &args.paths {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let paths: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if paths.is_empty() {
            bail!("no paths in {}", file.display());
        }
        target = target.with_paths(paths)?;
    }
    let target = Arc::new(target);
    let warmup = seconds(args.warmup, "--warmup")?;
    let duration = seconds(args.duration, "--duration")?;
    let timeout = seconds(args.timeout, "--timeout")?;
    if duration.is_zero() {
        bail!("--duration must be positive");
    }
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    // Workers start spread over the paths, so that they do not send the same one at once.
    let stride = (target.path_count() / args.concurrency).max(1);
    let workers: Vec<_> = (0..args.concurrency)
        .map(|i| {
            let first = i * stride;
            tokio::spawn(worker(target.clone(), first, measure_from, end, timeout))
        })
        .collect();
    let watched = Watched {
        server: args.server_pid.map(|p| p.to_string()),
        db: args.db_pid.map(|p| p.to_string()),
        ..Watched::default()
    };
    for pid in [&watched.server, &watched.db].into_iter().flatten() {
        if crate::cpu::process_seconds(pid).is_none() {
            bail!("cannot read the CPU time of process {pid} (/proc/{pid}/stat)");
        }
    }
    tokio::time::sleep_until(measure_from.into()).await;
    // After the warm-up, the pool's database connections exist.
    let watched = watched.resolve();
    let cpu_before = watched.snapshot();
    let mut samples = Vec::new();
    let mut ok = 0;
    let mut error_kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut body_bytes = 0;
    let mut warmup_requests = 0;
    let mut last_done = measure_from;
    let mut connections_opened = 0;
    for w in workers {
        let r = w.await.context("a worker failed")?;
        samples.extend_from_slice(&r.samples);
        ok += r.ok;
        for (k, v) in r.errors {
            *error_kinds.entry(k).or_default() += v;
        }
        body_bytes += r.body_bytes;
        warmup_requests += r.warmup_requests;
        if let Some(t) = r.last_done {
            last_done = last_done.max(t);
        }
        connections_opened += r.connections_opened;
    }
    let cpu_after = watched.snapshot();
    let errors: u64 = error_kinds.values().sum();
    let requests = ok + errors;
    let elapsed = (last_done - measure_from).as_secs_f64();
    Ok(LoadReport {
        url: target.url(),
        concurrency: args.concurrency,
        warmup_s: warmup.as_secs_f64(),
        duration_s: duration.as_secs_f64(),
        elapsed_s: elapsed,
        requests,
        ok,
        errors,
        error_kinds,
        requests_per_s: if elapsed > 0.0 {
            requests as f64 / elapsed
        } else {
            0.0
        },
        latency_ms: Latency::from_nanos(&mut samples),
        mean_body_bytes: if ok == 0 {
            0.0
        } else {
            body_bytes as f64 / ok as f64
        },
        warmup_requests,
        connections_opened,
        cpu: CpuUse::between(&cpu_before, &cpu_after, requests),
    })
}
