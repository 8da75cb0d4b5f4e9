//! `hub-bench startup`: how long `hub-runner start` takes to serve.
//!
//! For each run: spawn `hub-runner start -f MANIFEST --listen 127.0.0.1:0 --cache-dir DIR` (the
//! environment is passed through), read its stdout until `hub-runner listening on http://ADDR`
//! (time to listening), then `GET` the probe path every 5 ms until a 200 arrives (time to first
//! 200), then stop it with SIGTERM. Both times are measured from just before the spawn.
//!
//! Warm runs use one persistent compilation cache, primed by an unmeasured run first; cold runs
//! each use a new, empty cache folder (so they include compiling every component).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::client::{Connection, Target};
use crate::stats::Summary;

/// The stdout line the runner prints once it serves.
const READY_PREFIX: &str = "hub-runner listening on http://";

/// `hub-bench startup` options.
#[derive(Debug, clap::Args)]
pub struct StartupArgs {
    /// The runner binary.
    #[arg(long, default_value = "target/release/hub-runner")]
    runner: PathBuf,
    /// The Spin manifest.
    #[arg(long, default_value = "spin.toml")]
    manifest: PathBuf,
    /// Path probed until it answers 200.
    #[arg(long, default_value = "/api/health")]
    url_path: String,
    /// Measured runs with a warm compilation cache.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Measured runs with an empty compilation cache (each in a new temporary folder; 0: none).
    #[arg(long, default_value_t = 1)]
    cold_runs: usize,
    /// Persistent compilation cache for the warm runs (default: a temporary folder, removed at
    /// the end). It is primed by one unmeasured run before the warm runs.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Interval between probes, in milliseconds.
    #[arg(long, default_value_t = 5)]
    poll_ms: u64,
    /// Time limit of one run (spawn to first 200), in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Extra flag for `hub-runner start` (repeatable), e.g. --runner-arg=--max-memory-mib=128.
    #[arg(long, allow_hyphen_values = true)]
    runner_arg: Vec<String>,
}

/// One measured start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartupRun {
    /// Spawn to the `listening` line, in ms.
    pub listening_ms: f64,
    /// Spawn to the first 200, in ms.
    pub first_200_ms: f64,
    /// Probes sent (the last one answered 200).
    pub probes: u32,
    /// Statuses other than 200 seen before it (e.g. 503 while the database pool connects).
    pub non_200_probes: u32,
    /// SIGTERM to exit, in ms.
    pub stop_ms: f64,
}

/// A set of runs with the same cache state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartupSet {
    pub runs: Vec<StartupRun>,
    pub listening_ms: Summary,
    pub first_200_ms: Summary,
}

impl StartupSet {
    fn new(runs: Vec<StartupRun>) -> Self {
        let listening: Vec<f64> = runs.iter().map(|r| r.listening_ms).collect();
        let first: Vec<f64> = runs.iter().map(|r| r.first_200_ms).collect();
        Self {
            listening_ms: Summary::of(&listening),
            first_200_ms: Summary::of(&first),
            runs,
        }
    }
}

/// The JSON report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartupReport {
    pub runner: String,
    pub runner_args: Vec<String>,
    pub manifest: String,
    pub url_path: String,
    pub poll_ms: u64,
    /// The unmeasured run that primed the warm cache.
    pub priming_run: Option<StartupRun>,
    pub warm: Option<StartupSet>,
    pub cold: Option<StartupSet>,
}

/// A folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Result<Self> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("hub-bench-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Keeps the last lines of the runner's stderr, for error messages.
async fn keep_tail(stream: impl AsyncRead + Unpin, tail: Arc<Mutex<Vec<String>>>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut t = tail.lock().await;
        if t.len() >= 30 {
            t.remove(0);
        }
        t.push(line);
    }
}

async fn stop(child: &mut Child) -> Result<Duration> {
    let started = Instant::now();
    if let Some(pid) = child.id() {
        // SIGTERM, so the runner shuts down as it does in production (tokio only offers SIGKILL).
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .await;
    }
    match tokio::time::timeout(Duration::from_secs(15), child.wait()).await {
        Ok(status) => {
            status.context("waiting for the runner to exit")?;
        }
        Err(_) => {
            child.kill().await.context("killing the runner")?;
        }
    }
    Ok(started.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn one_run(args: &StartupArgs, cache_dir: &Path) -> Result<StartupRun> {
    let mut command = Command::new(&args.runner);
    command
        .arg("start")
        .arg("-f")
        .arg(&args.manifest)
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--cache-dir")
        .arg(cache_dir)
        .args(&args.runner_arg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let limit = Duration::from_secs(args.timeout);
    let t0 = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("spawning {}", args.runner.display()))?;
    let tail = Arc::new(Mutex::new(Vec::new()));
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(keep_tail(stderr, tail.clone()));
    }
    let stdout = child.stdout.take().context("no stdout pipe")?;
    let mut lines = BufReader::new(stdout).lines();

    let listening = tokio::time::timeout(limit, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.strip_prefix(READY_PREFIX) {
                return Ok::<_, std::io::Error>(Some(rest.trim().to_owned()));
            }
        }
        Ok(None)
    })
    .await;
    let t_listening = t0.elapsed();
    let addr = match listening {
        Ok(Ok(Some(addr))) => addr,
        other => {
            let why = match other {
                Err(_) => format!("no listening line within {limit:?}"),
                Ok(Err(e)) => format!("reading its stdout: {e}"),
                _ => "it closed stdout without printing the listening line".to_owned(),
            };
            let _ = stop(&mut child).await;
            let tail = tail.lock().await.join("\n");
            bail!("the runner did not start: {why}; its stderr ends with:\n{tail}");
        }
    };
    // Keep draining stdout so the runner never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let target = Arc::new(Target::parse(&format!("http://{addr}{}", args.url_path))?);
    let mut conn = Connection::new(target);
    let poll = Duration::from_millis(args.poll_ms);
    let mut probes = 0u32;
    let mut non_200 = 0u32;
    let mut last: String;
    let first_200 = loop {
        probes += 1;
        let remaining = limit.saturating_sub(t0.elapsed());
        match tokio::time::timeout(remaining.max(Duration::from_millis(1)), conn.get()).await {
            Ok(Ok((status, _))) if status == http::StatusCode::OK => break t0.elapsed(),
            Ok(Ok((status, _))) => {
                non_200 += 1;
                last = format!("status {status}");
            }
            Ok(Err(e)) => last = format!("{} error", e.name()),
            Err(_) => {
                conn.reset();
                last = "timeout".to_owned();
            }
        }
        if let Some(status) = child.try_wait()? {
            let tail = tail.lock().await.join("\n");
            bail!(
                "the runner exited ({status}) before answering 200; its stderr ends with:\n{tail}"
            );
        }
        if t0.elapsed() >= limit {
            let _ = stop(&mut child).await;
            bail!(
                "no 200 from {} within {limit:?} ({probes} probes, last: {last})",
                args.url_path
            );
        }
        tokio::time::sleep(poll).await;
    };
    drop(conn);
    let stop_time = stop(&mut child).await?;
    Ok(StartupRun {
        listening_ms: ms(t_listening),
        first_200_ms: ms(first_200),
        probes,
        non_200_probes: non_200,
        stop_ms: ms(stop_time),
    })
}

/// Runs the startup measurement and prints the JSON report on stdout.
pub fn run(args: &StartupArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(startup(args))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

async fn startup(args: &StartupArgs) -> Result<StartupReport> {
    if !args.url_path.starts_with('/') {
        bail!("--url-path must start with /");
    }
    let mut cold = Vec::new();
    for i in 0..args.cold_runs {
        let dir = TempDir::new("cold")?;
        let run = one_run(args, &dir.0)
            .await
            .with_context(|| format!("cold run {}", i + 1))?;
        eprintln!(
            "startup: cold run {}: listening {:.1} ms, first 200 {:.1} ms",
            i + 1,
            run.listening_ms,
            run.first_200_ms
        );
        cold.push(run);
    }
    let mut warm = Vec::new();
    let mut priming_run = None;
    if args.runs > 0 {
        let temp;
        let dir = match &args.cache_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                std::path::absolute(dir)?
            }
            None => {
                temp = TempDir::new("warm")?;
                temp.0.clone()
            }
        };
        let run = one_run(args, &dir).await.context("priming run")?;
        eprintln!(
            "startup: priming run: listening {:.1} ms, first 200 {:.1} ms",
            run.listening_ms, run.first_200_ms
        );
        priming_run = Some(run);
        for i in 0..args.runs {
            let run = one_run(args, &dir)
                .await
                .with_context(|| format!("warm run {}", i + 1))?;
            eprintln!(
                "startup: warm run {}: listening {:.1} ms, first 200 {:.1} ms",
                i + 1,
                run.listening_ms,
                run.first_200_ms
            );
            warm.push(run);
        }
    }
    Ok(StartupReport {
        runner: args.runner.display().to_string(),
        runner_args: args.runner_arg.clone(),
        manifest: args.manifest.display().to_string(),
        url_path: args.url_path.clone(),
        poll_ms: args.poll_ms,
        priming_run,
        warm: (!warm.is_empty()).then(|| StartupSet::new(warm)),
        cold: (!cold.is_empty()).then(|| StartupSet::new(cold)),
    })
}
