//! The chat streaming benchmark's side of `hub-bench` (`tests/tests/chat_bench.rs` measures,
//! run by `scripts/bench-chat.sh`): `hub-bench cpu-snapshot`, the CPU counters it reads before
//! and after each run, and `hub-bench report chat`, the tables of its samples.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::cpu::{CpuUse, Snapshot, Watched, descendant_named};
use crate::stats::Latency;

/// `hub-bench cpu-snapshot` options.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The server is the descendant of this process called `--server-name` (the benchmark
    /// starts the runner itself, through a shell).
    #[arg(long)]
    server_under: u32,
    /// The server's process name.
    #[arg(long, default_value = "hub-runner")]
    server_name: String,
    /// PostgreSQL's postmaster; its children (the backends) are included.
    #[arg(long)]
    db_pid: Option<u32>,
}

/// Prints the CPU counters of the server, the database and the machine as JSON.
pub fn snapshot(args: &SnapshotArgs) -> Result<()> {
    let server =
        descendant_named(&args.server_under.to_string(), &args.server_name).with_context(|| {
            format!(
                "no process {} under process {}",
                args.server_name, args.server_under
            )
        })?;
    let watched = Watched {
        server: Some(server),
        db: args.db_pid.map(|p| p.to_string()),
        db_tree: Vec::new(),
    }
    .resolve();
    println!("{}", serde_json::to_string(&watched.snapshot())?);
    Ok(())
}

/// The samples file.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatSamples {
    /// The runs, in the order they ran.
    pub runs: Vec<ChatRun>,
    /// Warning and error lines in the runner's log, and the chat component's own complaints on
    /// its stderr, over the whole benchmark.
    #[serde(default)]
    pub runner_log_warnings: Option<usize>,
}

/// One run: `concurrency` workers sending streams one after the other.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatRun {
    /// `direct` (the fake provider itself), `hub`, or `hub_untitled` (first exchange of an
    /// untitled chat: the title request runs before `done`).
    pub route: String,
    /// The fake provider's delay between chunks.
    pub delay_ms: u64,
    pub concurrency: usize,
    /// Streams the run was to send.
    pub planned: usize,
    /// Streams it sent (fewer if it ran out of time).
    pub sent: usize,
    /// Streams that arrived whole (the expected text, then the end marker or `done`).
    pub complete: usize,
    /// Hub runs: answers stored `complete` with the whole text.
    pub stored_complete: Option<u64>,
    /// Hub runs: the usage rows of those answers.
    pub usage_rows: Option<u64>,
    /// Start of the first stream to the end of the last, in seconds.
    pub elapsed_s: f64,
    /// Per whole stream: send → first text, in nanoseconds.
    pub ttft_ns: Vec<u64>,
    /// Per whole stream: send → end marker (direct) or `done` (hub).
    pub total_ns: Vec<u64>,
    /// Hub runs, per whole stream: send → `message_start`.
    #[serde(default)]
    pub head_ns: Vec<u64>,
    /// `hub-bench cpu-snapshot` just before the first stream and just after the last.
    #[serde(default)]
    pub cpu_before: Option<Snapshot>,
    #[serde(default)]
    pub cpu_after: Option<Snapshot>,
    /// PostgreSQL's WAL syncs just before the first stream and just after the last.
    #[serde(default)]
    pub wal_before: Option<Wal>,
    #[serde(default)]
    pub wal_after: Option<Wal>,
}

/// PostgreSQL's `pg_stat_wal` counters: fsyncs of the WAL and the time they took (`None`
/// without `track_wal_io_timing`).
#[derive(Debug, Clone, Deserialize)]
pub struct Wal {
    pub syncs: u64,
    pub sync_ms: Option<f64>,
}

struct Summary<'a> {
    run: &'a ChatRun,
    ttft: Latency,
    total: Latency,
    head: Option<Latency>,
}

impl<'a> Summary<'a> {
    fn of(run: &'a ChatRun) -> Self {
        Self {
            run,
            ttft: Latency::from_nanos(&mut run.ttft_ns.clone()),
            total: Latency::from_nanos(&mut run.total_ns.clone()),
            head: (!run.head_ns.is_empty()).then(|| Latency::from_nanos(&mut run.head_ns.clone())),
        }
    }

    fn route(&self) -> &'static str {
        match self.run.route.as_str() {
            "direct" => "direct to the fake provider",
            "hub" => "through the hub (titled chat)",
            "hub_untitled" => "through the hub, untitled chat (+ title request)",
            _ => "?",
        }
    }
}

fn dash() -> String {
    "–".to_owned()
}

/// The CPU table: per run, the runner's and PostgreSQL's CPU time per whole stream, how busy the
/// machine was, and how long their threads waited for a CPU; empty without snapshots.
fn cpu_table(summaries: &[Summary<'_>]) -> String {
    let mut out = String::new();
    for s in summaries {
        let r = s.run;
        let (Some(before), Some(after)) = (&r.cpu_before, &r.cpu_after) else {
            continue;
        };
        if out.is_empty() {
            out.push_str(
                "| chunk delay | concurrency | route | runner CPU ms/stream | PostgreSQL CPU ms/stream | machine CPU busy | runner waiting for a CPU | PostgreSQL waiting for a CPU | WAL fsyncs/stream | ms per WAL fsync |\n\
                 |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
            );
        }
        let (syncs, sync_ms) = match (&r.wal_before, &r.wal_after) {
            (Some(b), Some(a)) if r.complete > 0 => {
                let n = a.syncs.saturating_sub(b.syncs);
                let per = match (b.sync_ms, a.sync_ms) {
                    (Some(tb), Some(ta)) if n > 0 => format!("{:.2}", (ta - tb) / n as f64),
                    _ => dash(),
                };
                (format!("{:.1}", n as f64 / r.complete as f64), per)
            }
            _ => (dash(), dash()),
        };
        let c = CpuUse::between(before, after, r.complete as u64);
        let ms = |v: Option<f64>| v.map_or_else(dash, |v| format!("{v:.2}"));
        let wait = |v: Option<f64>| v.map_or_else(dash, |v| format!("{v:.2} s"));
        let machine = match (c.machine_busy, c.machine_cpus) {
            (Some(b), Some(n)) => format!("{:.0} % of {n} CPUs", b * 100.0),
            _ => dash(),
        };
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {} | {} | {machine} | {} | {} | {syncs} | {sync_ms} |",
            r.delay_ms,
            r.concurrency,
            s.route(),
            ms(c.server_ms_per_request),
            ms(c.db_ms_per_request),
            wait(c.server_runqueue_wait_s),
            wait(c.db_runqueue_wait_s),
        );
    }
    out
}

/// The Markdown tables: every run, then what the hub adds to the direct run with the same delay
/// and concurrency (the difference of the same percentile), then CPU use.
pub fn render(samples: &ChatSamples) -> String {
    let summaries: Vec<Summary<'_>> = samples.runs.iter().map(Summary::of).collect();
    let mut out = String::new();
    out.push_str(
        "| chunk delay | concurrency | route | streams | arrived whole | stored `complete` (usage rows) | streams/s | TTFT p50 ms | TTFT p99 ms | total p50 ms | total p99 ms | total max ms | `message_start` p50 / p99 ms |\n\
         |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for s in &summaries {
        let r = s.run;
        let rate = if r.elapsed_s > 0.0 {
            format!("{:.1}", r.complete as f64 / r.elapsed_s)
        } else {
            dash()
        };
        let stored = match (r.stored_complete, r.usage_rows) {
            (Some(n), Some(u)) => format!("{n} ({u})"),
            (Some(n), None) => n.to_string(),
            _ => dash(),
        };
        let head = s
            .head
            .as_ref()
            .map_or_else(dash, |h| format!("{:.1} / {:.1}", h.p50, h.p99));
        let streams = if r.sent == r.planned {
            r.planned.to_string()
        } else {
            format!("{} of {}", r.sent, r.planned)
        };
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {streams} | {} | {stored} | {rate} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {head} |",
            r.delay_ms,
            r.concurrency,
            s.route(),
            r.complete,
            s.ttft.p50,
            s.ttft.p99,
            s.total.p50,
            s.total.p99,
            s.total.max,
        );
    }
    out.push('\n');
    out.push_str(
        "| chunk delay | concurrency | route | added TTFT p50 ms | added TTFT p99 ms | added total p50 ms | added total p99 ms |\n\
         |---:|---:|---|---:|---:|---:|---:|\n",
    );
    for s in summaries.iter().filter(|s| s.run.route != "direct") {
        let direct = summaries.iter().find(|d| {
            d.run.route == "direct"
                && d.run.delay_ms == s.run.delay_ms
                && d.run.concurrency == s.run.concurrency
        });
        let Some(d) = direct else { continue };
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            s.run.delay_ms,
            s.run.concurrency,
            s.route(),
            s.ttft.p50 - d.ttft.p50,
            s.ttft.p99 - d.ttft.p99,
            s.total.p50 - d.total.p50,
            s.total.p99 - d.total.p99,
        );
    }
    let cpu = cpu_table(&summaries);
    if !cpu.is_empty() {
        out.push('\n');
        out.push_str(&cpu);
    }
    if let Some(n) = samples.runner_log_warnings {
        let _ = writeln!(
            out,
            "\nThe runner's log had {n} warning/error lines (the chat component's stderr included) over the whole benchmark, warm-up included."
        );
    }
    out
}
