//! The chat streaming benchmark's side of `hub-bench` (`tests/tests/chat_bench.rs` measures,
//! run by `scripts/bench-chat.sh`): `hub-bench cpu-snapshot`, the CPU counters it reads before
//! and after each run, and `hub-bench report chat`, the tables of its samples.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::cpu::{CpuUse, Snapshot, Watched, descendant_named};
use crate::soak::mib;
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
    /// A proxy measured next to the server (LiteLLM); its children are included.
    #[arg(long)]
    proxy_pid: Option<u32>,
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
        proxy: args.proxy_pid.map(|p| p.to_string()),
        ..Watched::default()
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
    /// Error lines and tracebacks in LiteLLM's output, when it ran.
    #[serde(default)]
    pub litellm_log_errors: Option<usize>,
    /// The open-streams run, when it ran.
    #[serde(default)]
    pub open_streams: Option<OpenStreams>,
}

/// One route's streams in one run. The routes of a run alternate request by request (see
/// `interleaved`); each route's streams are recorded apart.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatRun {
    /// `direct` (the fake provider itself), `hub`, `hub_untitled` (first exchange of an
    /// untitled chat: the title request runs before `done`), `litellm` (the LiteLLM proxy in
    /// front of the fake provider) or `hub_alone` (as `hub`, in a run of its own: the hub's
    /// throughput).
    pub route: String,
    /// The run this route's streams belong to: routes with the same group alternated in one
    /// run (in the order the samples list them) and share its length and snapshots. Absent from samples written before runs were
    /// interleaved (each route then ran alone).
    #[serde(default)]
    pub group: Option<usize>,
    /// The fake provider's delay between chunks.
    pub delay_ms: u64,
    pub concurrency: usize,
    /// Streams of this route the run was to send.
    pub planned: usize,
    /// Streams of this route it sent (fewer if it ran out of time).
    pub sent: usize,
    /// Streams that arrived whole (the expected text, then the end marker or `done`).
    pub complete: usize,
    /// Hub routes: answers stored `complete` with the whole text.
    pub stored_complete: Option<u64>,
    /// Hub routes: the usage rows of those answers.
    pub usage_rows: Option<u64>,
    /// Start of the run's first stream to the end of its last (all routes), in seconds.
    pub elapsed_s: f64,
    /// Per whole stream: send → first text, in nanoseconds.
    pub ttft_ns: Vec<u64>,
    /// Per whole stream: send → end marker (direct, LiteLLM) or `done` (hub).
    pub total_ns: Vec<u64>,
    /// Hub routes, per whole stream: send → `message_start`.
    #[serde(default)]
    pub head_ns: Vec<u64>,
    /// `hub-bench cpu-snapshot` just before the run's first stream and just after its last.
    #[serde(default)]
    pub cpu_before: Option<Snapshot>,
    #[serde(default)]
    pub cpu_after: Option<Snapshot>,
    /// PostgreSQL's WAL syncs just before the run's first stream and just after its last.
    #[serde(default)]
    pub wal_before: Option<Wal>,
    #[serde(default)]
    pub wal_after: Option<Wal>,
}

/// Hub streams (titled chats) sent all at once and held open by a slow provider: whether they
/// all completed and were stored, and the runner's memory while they were open.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenStreams {
    /// The fake provider's delay between chunks.
    pub delay_ms: u64,
    /// Streams sent.
    pub streams: usize,
    /// Streams that reached `message_start`.
    pub opened: usize,
    /// Streams that had already ended when the last one reached `message_start`.
    pub ended_before_all_open: usize,
    /// Streams that arrived whole.
    pub complete: usize,
    /// Answers stored `complete` with the whole text, and their usage rows.
    pub stored_complete: u64,
    pub usage_rows: u64,
    /// First send → the last stream's `message_start`, in seconds; `None` when not all
    /// reached it.
    pub all_open_s: Option<f64>,
    /// First send → the end of the last stream, in seconds.
    pub elapsed_s: f64,
    /// `hub-bench cpu-snapshot` before the first send, once all streams had reached
    /// `message_start`, and after the last ended.
    pub cpu_idle: Option<Snapshot>,
    pub cpu_open: Option<Snapshot>,
    pub cpu_after: Option<Snapshot>,
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
    /// The run it belongs to (its group, or its own index for runs that were not grouped).
    group: (bool, usize),
    ttft: Latency,
    total: Latency,
    head: Option<Latency>,
}

impl<'a> Summary<'a> {
    fn of(index: usize, run: &'a ChatRun) -> Self {
        Self {
            run,
            group: run.group.map_or((false, index), |g| (true, g)),
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
            "litellm" => "through the LiteLLM proxy",
            "hub_alone" => "through the hub alone (throughput)",
            _ => "?",
        }
    }

    /// The hub's routes: `hub`, `hub_untitled`, `hub_alone`.
    fn is_hub(&self) -> bool {
        self.run.route.starts_with("hub")
    }

    /// Whether the added-time table compares this route with a direct one: not the direct
    /// route itself, nor the hub alone (no direct streams ran beside it).
    fn compared(&self) -> bool {
        !matches!(self.run.route.as_str(), "direct" | "hub_alone")
    }

    /// The direct route's streams this route is compared with: the same run's, else a run's
    /// with the same delay and concurrency.
    fn direct<'s>(&self, all: &'s [Summary<'a>]) -> Option<&'s Summary<'a>> {
        let direct = |d: &&Summary<'_>| {
            d.run.route == "direct"
                && d.run.delay_ms == self.run.delay_ms
                && d.run.concurrency == self.run.concurrency
        };
        all.iter()
            .filter(direct)
            .find(|d| d.group == self.group)
            .or_else(|| all.iter().find(direct))
    }
}

/// Route percentile − direct percentile: added TTFT p50, p99, added total p50, p99.
fn added(s: &Summary<'_>, d: &Summary<'_>) -> [f64; 4] {
    [
        s.ttft.p50 - d.ttft.p50,
        s.ttft.p99 - d.ttft.p99,
        s.total.p50 - d.total.p50,
        s.total.p99 - d.total.p99,
    ]
}

fn dash() -> String {
    "–".to_owned()
}

/// The runs: the summaries of each group, in the order the groups first appear.
fn groups<'s, 'a>(summaries: &'s [Summary<'a>]) -> Vec<Vec<&'s Summary<'a>>> {
    let mut out: Vec<Vec<&Summary<'_>>> = Vec::new();
    for s in summaries {
        match out
            .iter_mut()
            .find(|g| g.first().is_some_and(|f| f.group == s.group))
        {
            Some(group) => group.push(s),
            None => out.push(vec![s]),
        }
    }
    out
}

/// Short names of a run's routes.
fn route_names(group: &[&Summary<'_>]) -> String {
    let short = |route: &str| match route {
        "direct" => "direct",
        "hub" => "hub",
        "hub_untitled" => "hub (untitled)",
        "litellm" => "LiteLLM",
        "hub_alone" => "hub alone",
        _ => "?",
    };
    let names: Vec<&str> = group.iter().map(|s| short(&s.run.route)).collect();
    names.join(", ")
}

/// Per run: its routes, streams and streams/s.
fn runs_table(groups: &[Vec<&Summary<'_>>]) -> String {
    let mut out = String::from(
        "| chunk delay | concurrency | routes (alternating) | streams | arrived whole | run length s | streams/s (all routes) |\n\
         |---:|---:|---|---:|---:|---:|---:|\n",
    );
    for group in groups {
        let Some(first) = group.first().map(|s| s.run) else {
            continue;
        };
        let sent: usize = group.iter().map(|s| s.run.sent).sum();
        let planned: usize = group.iter().map(|s| s.run.planned).sum();
        let complete: usize = group.iter().map(|s| s.run.complete).sum();
        let streams = if sent == planned {
            planned.to_string()
        } else {
            format!("{sent} of {planned}")
        };
        let rate = if first.elapsed_s > 0.0 {
            format!("{:.1}", complete as f64 / first.elapsed_s)
        } else {
            dash()
        };
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {streams} | {complete} | {:.1} | {rate} |",
            first.delay_ms,
            first.concurrency,
            route_names(group),
            first.elapsed_s,
        );
    }
    out
}

/// The CPU table: per run, the runner's and PostgreSQL's CPU time per whole hub stream,
/// LiteLLM's per whole LiteLLM stream, how busy the machine was, how long their threads waited
/// for a CPU, and the WAL's fsyncs; empty without snapshots.
fn cpu_table(groups: &[Vec<&Summary<'_>>]) -> String {
    let mut out = String::new();
    for group in groups {
        let Some(r) = group.first().map(|s| s.run) else {
            continue;
        };
        let (Some(before), Some(after)) = (&r.cpu_before, &r.cpu_after) else {
            continue;
        };
        if out.is_empty() {
            out.push_str(
                "| chunk delay | concurrency | routes | runner CPU ms/hub stream | PostgreSQL CPU ms/hub stream | LiteLLM CPU ms/LiteLLM stream | machine CPU busy | runner waiting for a CPU | PostgreSQL waiting for a CPU | LiteLLM waiting for a CPU | WAL fsyncs/hub stream | ms per WAL fsync |\n\
                 |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            );
        }
        let hub: usize = group
            .iter()
            .filter(|s| s.is_hub())
            .map(|s| s.run.complete)
            .sum();
        let litellm: usize = group
            .iter()
            .filter(|s| s.run.route == "litellm")
            .map(|s| s.run.complete)
            .sum();
        let (syncs, sync_ms) = match (&r.wal_before, &r.wal_after) {
            (Some(b), Some(a)) if hub > 0 => {
                let n = a.syncs.saturating_sub(b.syncs);
                let per = match (b.sync_ms, a.sync_ms) {
                    (Some(tb), Some(ta)) if n > 0 => format!("{:.2}", (ta - tb) / n as f64),
                    _ => dash(),
                };
                (format!("{:.1}", n as f64 / hub as f64), per)
            }
            _ => (dash(), dash()),
        };
        let c = CpuUse::between(before, after, hub as u64);
        let ms = |v: Option<f64>| v.map_or_else(dash, |v| format!("{v:.2}"));
        // Summed over the threads alive at each snapshot: a thread that ended in between takes
        // its waiting time with it, which can make the difference negative (no figure then).
        let wait = |v: Option<f64>| {
            v.filter(|v| *v >= 0.0)
                .map_or_else(dash, |v| format!("{v:.2} s"))
        };
        let machine = match (c.machine_busy, c.machine_cpus) {
            (Some(b), Some(n)) => format!("{:.0} % of {n} CPUs", b * 100.0),
            _ => dash(),
        };
        let (litellm_ms, litellm_wait) = if litellm > 0 {
            (
                ms(c.proxy_s.map(|s| s * 1000.0 / litellm as f64)),
                wait(c.proxy_runqueue_wait_s),
            )
        } else {
            (dash(), dash())
        };
        let (runner_ms, db_ms) = if hub > 0 {
            (ms(c.server_ms_per_request), ms(c.db_ms_per_request))
        } else {
            (dash(), dash())
        };
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {runner_ms} | {db_ms} | {litellm_ms} | {machine} | {} | {} | {litellm_wait} | {syncs} | {sync_ms} |",
            r.delay_ms,
            r.concurrency,
            route_names(group),
            wait(c.server_runqueue_wait_s),
            wait(c.db_runqueue_wait_s),
        );
    }
    out
}

/// Per delay and concurrency: what the hub (titled chat) adds over what LiteLLM adds, both
/// against the direct route; empty without LiteLLM runs.
fn ratio_table(summaries: &[Summary<'_>]) -> String {
    let mut out = String::new();
    for hub in summaries.iter().filter(|s| s.run.route == "hub") {
        let litellm = summaries.iter().find(|l| {
            l.run.route == "litellm"
                && l.run.delay_ms == hub.run.delay_ms
                && l.run.concurrency == hub.run.concurrency
        });
        let (Some(litellm), Some(d)) = (litellm, hub.direct(summaries)) else {
            continue;
        };
        let Some(dl) = litellm.direct(summaries) else {
            continue;
        };
        if out.is_empty() {
            out.push_str(
                "| chunk delay | concurrency | added TTFT p50: hub / LiteLLM | added TTFT p99: hub / LiteLLM | added total p50: hub / LiteLLM | added total p99: hub / LiteLLM |\n\
                 |---:|---:|---:|---:|---:|---:|\n",
            );
        }
        let cells: Vec<String> = added(hub, d)
            .into_iter()
            .zip(added(litellm, dl))
            .map(|(h, l)| {
                let ratio = if l > 0.0 {
                    format!("{:.2}", h / l)
                } else {
                    dash()
                };
                format!("{h:.1} ms / {l:.1} ms = **{ratio}**")
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} ms | {} | {} |",
            hub.run.delay_ms,
            hub.run.concurrency,
            cells.join(" | "),
        );
    }
    out
}

/// The open-streams table: how long until every stream was open, whether they all arrived and
/// were stored, and the runner's resident memory idle, with all open (per open stream) and
/// after; a note when some streams had ended before the last one opened.
fn open_streams_table(open: &OpenStreams) -> String {
    let mut out = String::from(
        "| streams | chunk delay | all open after s | arrived whole | stored `complete` (usage rows) | run length s | runner RSS idle MiB | RSS with all open MiB | RSS per open stream KiB | RSS after MiB |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let rss = |s: &Option<Snapshot>| s.as_ref().and_then(|s| s.server_rss_kib);
    let (idle, all_open, after) = (
        rss(&open.cpu_idle),
        rss(&open.cpu_open),
        rss(&open.cpu_after),
    );
    let in_mib = |kib: Option<u64>| kib.map_or_else(dash, |k| format!("{:.1}", mib(k)));
    let per_stream = match (idle, all_open) {
        (Some(idle), Some(all_open)) if open.streams > 0 => {
            let grown = all_open as f64 - idle as f64;
            format!("**{:.0}**", grown / open.streams as f64)
        }
        _ => dash(),
    };
    let opened_after = open.all_open_s.map_or_else(
        || format!("– ({} of {} opened)", open.opened, open.streams),
        |s| format!("{s:.1}"),
    );
    let _ = writeln!(
        out,
        "| {} | {} ms | {opened_after} | {} | {} ({}) | {:.1} | {} | {} | {per_stream} | {} |",
        open.streams,
        open.delay_ms,
        open.complete,
        open.stored_complete,
        open.usage_rows,
        open.elapsed_s,
        in_mib(idle),
        in_mib(all_open),
        in_mib(after),
    );
    if open.ended_before_all_open > 0 {
        let _ = writeln!(
            out,
            "\n{} streams had already ended when the last one reached `message_start`: the memory with all open counts fewer open streams.",
            open.ended_before_all_open
        );
    }
    out
}

/// The Markdown tables: every route of every run; what the hub and LiteLLM add to the direct
/// route of the same run (the difference of the same percentile); the hub's added time over
/// LiteLLM's; the runs; CPU use; the open streams.
pub fn render(samples: &ChatSamples) -> String {
    let summaries: Vec<Summary<'_>> = samples
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| Summary::of(i, r))
        .collect();
    let groups = groups(&summaries);
    let mut out = String::new();
    out.push_str(
        "| chunk delay | concurrency | route | streams | arrived whole | stored `complete` (usage rows) | TTFT p50 ms | TTFT p99 ms | total p50 ms | total p99 ms | total max ms | `message_start` p50 / p99 ms |\n\
         |---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for s in &summaries {
        let r = s.run;
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
            "| {} ms | {} | {} | {streams} | {} | {stored} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {head} |",
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
    for s in summaries.iter().filter(|s| s.compared()) {
        let Some(d) = s.direct(&summaries) else {
            continue;
        };
        let [ttft50, ttft99, total50, total99] = added(s, d);
        let _ = writeln!(
            out,
            "| {} ms | {} | {} | {ttft50:.1} | {ttft99:.1} | {total50:.1} | {total99:.1} |",
            s.run.delay_ms,
            s.run.concurrency,
            s.route(),
        );
    }
    let ratio = ratio_table(&summaries);
    if !ratio.is_empty() {
        out.push('\n');
        out.push_str(&ratio);
    }
    out.push('\n');
    out.push_str(&runs_table(&groups));
    let cpu = cpu_table(&groups);
    if !cpu.is_empty() {
        out.push('\n');
        out.push_str(&cpu);
    }
    if let Some(open) = &samples.open_streams {
        out.push('\n');
        out.push_str(&open_streams_table(open));
    }
    if let Some(n) = samples.runner_log_warnings {
        let _ = writeln!(
            out,
            "\nThe runner's log had {n} warning/error lines (the chat component's stderr included) over the whole benchmark, warm-up included."
        );
    }
    if let Some(n) = samples.litellm_log_errors {
        let _ = writeln!(
            out,
            "LiteLLM's output had {n} error lines or tracebacks over the whole benchmark, warm-up included."
        );
    }
    out
}
