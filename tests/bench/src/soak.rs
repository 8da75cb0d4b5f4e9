//! `hub-bench report soak`: the tables of the soak (`tests/tests/soak.rs`, run by
//! `scripts/soak.sh`) and its verdict: every stream accounted for (the soak's own checks) and
//! the runner's resident memory flat once warmed up.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, bail};
use serde::Deserialize;

use crate::cpu::{CpuUse, Snapshot};
use crate::stats::Latency;

/// What the soak recorded.
#[derive(Debug, Clone, Deserialize)]
pub struct SoakSamples {
    pub config: SoakConfig,
    /// First stream sent → last stream ended, in seconds.
    pub elapsed_s: f64,
    pub streams: Vec<SoakStream>,
    /// Other requests by `"<request> <status>"` (status 0: no answer).
    pub others: BTreeMap<String, u64>,
    pub stored: Stored,
    pub by_scenario: Vec<ScenarioCounts>,
    pub checks: Vec<Check>,
    /// Some streams that were not as their scenario implies, described.
    pub examples: Vec<String>,
    /// The runner's counters every `sample_secs`, and once after the last stream.
    pub samples: Vec<Sample>,
    pub runner_log: RunnerLog,
}

/// The soak's settings (those the tables use).
#[derive(Debug, Clone, Deserialize)]
pub struct SoakConfig {
    /// How long new streams were started.
    pub minutes: f64,
    pub concurrency: usize,
    pub users: usize,
    pub sample_secs: u64,
    /// Each scenario's share of the requests, in thousandths.
    pub mix: Vec<MixEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MixEntry {
    pub scenario: String,
    pub per_mille: u64,
}

/// One stream: its scenario, how it ended for the client, and when.
#[derive(Debug, Clone, Deserialize)]
pub struct SoakStream {
    pub scenario: String,
    /// `done`, `error_event`, `status_4xx`, `status_5xx`, `transport`, `broken`.
    pub outcome: String,
    /// Sent, since the start of the run.
    pub start_ms: u64,
    /// Send → `message_start`, first `delta`, last event, in microseconds.
    pub head_us: Option<u64>,
    pub ttft_us: Option<u64>,
    pub end_us: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Stored {
    pub questions: u64,
    pub answers: u64,
    pub chats: u64,
    pub title_usage_rows: u64,
    pub settle_s: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioCounts {
    pub scenario: String,
    pub outcomes: BTreeMap<String, u64>,
    /// Stored answers by status (`not stored` when missing).
    pub stored: BTreeMap<String, u64>,
    pub usage_rows: u64,
    pub titles: u64,
    pub mismatched: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    pub t_s: f64,
    pub snapshot: Option<Snapshot>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunnerLog {
    pub lines: u64,
    pub warn: u64,
    pub error: u64,
    /// The most frequent warning and error lines (digits masked), with their counts.
    #[serde(default)]
    pub frequent: Vec<(String, u64)>,
}

/// When steady growth of the runner's memory fails the soak.
#[derive(Debug, Clone, Copy)]
pub struct GrowthLimit {
    /// Growth over the second half, as a share of its mean resident memory, in percent.
    pub percent: f64,
    /// ... and at least this many MiB.
    pub mib: f64,
}

/// The runner's resident memory over the run.
#[derive(Debug, Clone)]
pub struct Memory {
    pub first_mib: f64,
    pub min_mib: f64,
    pub max_mib: f64,
    /// The last sample under the full load.
    pub last_mib: f64,
    /// After the last stream ended (the streams in flight at the end finished).
    pub after_mib: Option<f64>,
    /// Least-squares slope over the samples of the second half of the full load, MiB per hour.
    pub slope_mib_per_h: f64,
    /// That slope over the second half's length: the growth it stands for, in MiB.
    pub growth_mib: f64,
    /// The growth allowed.
    pub limit_mib: f64,
    pub second_half_samples: usize,
}

impl Memory {
    pub fn growing(&self) -> bool {
        self.growth_mib > self.limit_mib
    }
}

/// `kib` KiB in MiB.
pub(crate) fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The least-squares slope of `points` (x, y); `None` with fewer than 3 points or one x.
fn slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// How long the full load lasted (new streams were started), in seconds.
fn load_s(s: &SoakSamples) -> f64 {
    (s.config.minutes * 60.0).min(s.elapsed_s)
}

/// The memory series under the full load, in (seconds, MiB).
fn rss_series(s: &SoakSamples) -> Vec<(f64, f64)> {
    s.samples
        .iter()
        .filter(|x| x.t_s <= load_s(s) + 0.5)
        .filter_map(|x| Some((x.t_s, mib(x.snapshot.as_ref()?.server_rss_kib?))))
        .collect()
}

/// The runner's memory summary; `None` without at least 3 samples in the second half.
pub fn memory(s: &SoakSamples, limit: GrowthLimit) -> Option<Memory> {
    let series = rss_series(s);
    let (first, last) = (series.first()?.1, series.last()?.1);
    let half = load_s(s) / 2.0;
    let second: Vec<(f64, f64)> = series.iter().copied().filter(|p| p.0 >= half).collect();
    let per_s = slope(&second)?;
    let span = second.last()?.0 - second.first()?.0;
    let mean = second.iter().map(|p| p.1).sum::<f64>() / second.len() as f64;
    let after = s
        .samples
        .iter()
        .rfind(|x| x.t_s > load_s(s) + 0.5)
        .and_then(|x| Some(mib(x.snapshot.as_ref()?.server_rss_kib?)));
    Some(Memory {
        first_mib: first,
        min_mib: series.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
        max_mib: series.iter().map(|p| p.1).fold(0.0, f64::max),
        last_mib: last,
        after_mib: after,
        slope_mib_per_h: per_s * 3600.0,
        growth_mib: per_s * span,
        limit_mib: (mean * limit.percent / 100.0).max(limit.mib),
        second_half_samples: second.len(),
    })
}

fn dash() -> String {
    "–".to_owned()
}

fn nanos(micros: u64) -> u64 {
    micros.saturating_mul(1000)
}

/// Percentiles of the `pick`ed durations, in milliseconds.
fn latency(streams: &[&SoakStream], pick: impl Fn(&SoakStream) -> Option<u64>) -> Option<Latency> {
    let mut nanos: Vec<u64> = streams.iter().filter_map(|s| pick(s).map(nanos)).collect();
    (!nanos.is_empty()).then(|| Latency::from_nanos(&mut nanos))
}

fn p50_p99(l: Option<&Latency>) -> String {
    l.map_or_else(dash, |l| format!("{:.0} / {:.0}", l.p50, l.p99))
}

/// Accounting: per scenario, what the client saw and what is stored.
fn accounting_table(s: &SoakSamples) -> String {
    let mut out = String::from(
        "| scenario | share | streams | `done` | `error` event | 4xx | 5xx / no answer | stored complete / partial / error / missing | usage rows | titles | not as implied |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let share = |name: &str| {
        let family = if name.starts_with("disconnect") {
            "disconnect"
        } else {
            name
        };
        s.config
            .mix
            .iter()
            .find(|m| m.scenario == family)
            .map_or_else(dash, |m| format!("{:.1} %", m.per_mille as f64 / 10.0))
    };
    let mut total = [0u64; 11];
    for c in &s.by_scenario {
        let o = |k: &str| c.outcomes.get(k).copied().unwrap_or(0);
        let st = |k: &str| c.stored.get(k).copied().unwrap_or(0);
        let row = [
            o("done")
                + o("error_event")
                + o("status_4xx")
                + o("status_5xx")
                + o("transport")
                + o("broken"),
            o("done"),
            o("error_event"),
            o("status_4xx"),
            o("status_5xx") + o("transport") + o("broken"),
            st("complete"),
            st("partial"),
            st("error"),
            st("not stored"),
            c.usage_rows,
            c.titles,
        ];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} / {} / {} / {} | {} | {} | {} |",
            c.scenario,
            share(&c.scenario),
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            c.mismatched
        );
    }
    let mismatched: u64 = s.by_scenario.iter().map(|c| c.mismatched).sum();
    let _ = writeln!(
        out,
        "| **all** | 100 % | **{}** | {} | {} | {} | {} | {} / {} / {} / {} | {} | {} | {mismatched} |",
        total[0],
        total[1],
        total[2],
        total[3],
        total[4],
        total[5],
        total[6],
        total[7],
        total[8],
        total[9],
        total[10]
    );
    out
}

/// Latency per scenario.
fn latency_table(s: &SoakSamples) -> String {
    let mut out = String::from(
        "| scenario | streams | `message_start` p50 / p99 ms | first `delta` p50 / p99 ms | last event p50 ms | p90 ms | p99 ms | max ms |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for c in &s.by_scenario {
        let streams: Vec<&SoakStream> = s
            .streams
            .iter()
            .filter(|x| x.scenario == c.scenario)
            .collect();
        let end = latency(&streams, |x| x.end_us);
        let (p50, p90, p99, max) = end.as_ref().map_or_else(
            || (dash(), dash(), dash(), dash()),
            |l| {
                (
                    format!("{:.0}", l.p50),
                    format!("{:.0}", l.p90),
                    format!("{:.0}", l.p99),
                    format!("{:.0}", l.max),
                )
            },
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {p50} | {p90} | {p99} | {max} |",
            c.scenario,
            streams.len(),
            p50_p99(latency(&streams, |x| x.head_us).as_ref()),
            p50_p99(latency(&streams, |x| x.ttft_us).as_ref()),
        );
    }
    out
}

/// The sample taken last at or before `t_s`.
fn sample_at(s: &SoakSamples, t_s: f64) -> Option<&Sample> {
    s.samples.iter().rfind(|x| x.t_s <= t_s + 0.5)
}

/// The run in windows: streams started, their rate, the normal answers' time to `done`, the
/// runner's CPU and memory.
fn windows_table(s: &SoakSamples) -> String {
    let count = ((load_s(s) / 60.0).round() as usize).clamp(2, 10);
    let width = load_s(s) / count as f64;
    let mut out = String::from(
        "| minutes | streams started | streams/s | normal answers: `done` p50 / p99 ms | runner CPU | machine CPU busy | runner RSS MiB at the end | runner open fds |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for i in 0..count {
        let (from, to) = (i as f64 * width, (i + 1) as f64 * width);
        let started: Vec<&SoakStream> = s
            .streams
            .iter()
            .filter(|x| {
                let t = x.start_ms as f64 / 1000.0;
                t >= from && (t < to || i + 1 == count)
            })
            .collect();
        let normal: Vec<&SoakStream> = started
            .iter()
            .copied()
            .filter(|x| x.scenario == "normal" && x.outcome == "done")
            .collect();
        let (before, after) = (sample_at(s, from), sample_at(s, to));
        let cpu = match (
            before.and_then(|b| b.snapshot.as_ref()),
            after.and_then(|a| a.snapshot.as_ref()),
        ) {
            (Some(b), Some(a)) => Some((
                CpuUse::between(b, a, 0),
                after.map_or(0.0, |a| a.t_s) - before.map_or(0.0, |b| b.t_s),
            )),
            _ => None,
        };
        let runner = cpu
            .as_ref()
            .and_then(|(c, span)| Some((c.server_s?, *span)))
            .filter(|(_, span)| *span > 0.0)
            .map_or_else(dash, |(cpu_s, span)| {
                format!("{:.0} % of a CPU", cpu_s * 100.0 / span)
            });
        let machine = cpu
            .as_ref()
            .and_then(|(c, _)| c.machine_busy)
            .map_or_else(dash, |b| format!("{:.0} %", b * 100.0));
        let snapshot = after.and_then(|a| a.snapshot.as_ref());
        let _ = writeln!(
            out,
            "| {:.1}–{:.1} | {} | {:.1} | {} | {runner} | {machine} | {} | {} |",
            from / 60.0,
            to / 60.0,
            started.len(),
            started.len() as f64 / width,
            p50_p99(latency(&normal, |x| x.end_us).as_ref()),
            snapshot
                .and_then(|x| x.server_rss_kib)
                .map_or_else(dash, |k| format!("{:.0}", mib(k))),
            snapshot
                .and_then(|x| x.server_fds)
                .map_or_else(dash, |f| f.to_string()),
        );
    }
    out
}

/// The memory series in at most about 30 values, and the interval between them.
fn compact_series(s: &SoakSamples) -> Option<String> {
    let series = rss_series(s);
    if series.is_empty() {
        return None;
    }
    let stride = series.len().div_ceil(30).max(1);
    let values: Vec<String> = series
        .iter()
        .step_by(stride)
        .map(|p| format!("{:.0}", p.1))
        .collect();
    Some(format!(
        "Runner RSS in MiB, one value every {} s from the first stream: {}.",
        stride as u64 * s.config.sample_secs,
        values.join(" ")
    ))
}

/// The tables and the verdict's reasons (empty when the soak passed).
pub fn render(s: &SoakSamples, limit: GrowthLimit) -> (String, Vec<String>) {
    let mut failures: Vec<String> = s
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    let memory = memory(s, limit);
    match &memory {
        None => failures.push("too few memory samples to judge growth".to_owned()),
        Some(m) if m.growing() => failures.push(format!(
            "the runner's memory grew steadily: {:+.1} MiB over the second half (limit {:.1} MiB)",
            m.growth_mib, m.limit_mib
        )),
        Some(_) => {}
    }

    let mut out = String::new();
    let sent = s.streams.len();
    let ended = s
        .streams
        .iter()
        .filter(|x| x.outcome == "done" || x.outcome == "error_event")
        .count();
    let _ = writeln!(
        out,
        "**{}.** {sent} streams, {} at a time, in {:.1} min ({:.1} streams/s), {} users, {} chats; {} questions and {} answers stored.\n",
        if failures.is_empty() {
            "Passed"
        } else {
            "FAILED"
        },
        s.config.concurrency,
        s.elapsed_s / 60.0,
        if s.elapsed_s > 0.0 {
            ended as f64 / s.elapsed_s
        } else {
            0.0
        },
        s.config.users,
        s.stored.chats,
        s.stored.questions,
        s.stored.answers,
    );
    out.push_str(&accounting_table(s));
    out.push('\n');
    for c in &s.checks {
        let _ = writeln!(
            out,
            "- {} {}: {}",
            if c.ok { "pass" } else { "**FAIL**" },
            c.name,
            c.detail
        );
    }
    for e in &s.examples {
        let _ = writeln!(out, "  - {e}");
    }
    out.push('\n');
    match &memory {
        Some(m) => {
            let _ = writeln!(
                out,
                "| runner RSS | first | min | max | last | after the run | slope, second half | growth it stands for (limit) | verdict |\n\
                 |---|---:|---:|---:|---:|---:|---:|---:|---|\n\
                 | MiB | {:.0} | {:.0} | {:.0} | {:.0} | {} | {:+.1} MiB/h ({} samples) | {:+.1} ({:.1}) | {} |",
                m.first_mib,
                m.min_mib,
                m.max_mib,
                m.last_mib,
                m.after_mib.map_or_else(dash, |a| format!("{a:.0}")),
                m.slope_mib_per_h,
                m.second_half_samples,
                m.growth_mib,
                m.limit_mib,
                if m.growing() { "**growing**" } else { "flat" },
            );
        }
        None => out.push_str("No memory samples (run with `SOAK_BENCH` set).\n"),
    }
    if let Some(line) = compact_series(s) {
        let _ = writeln!(out, "\n{line}");
    }
    out.push('\n');
    out.push_str(&windows_table(s));
    out.push('\n');
    out.push_str(&latency_table(s));
    let others: Vec<String> = s.others.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let _ = writeln!(
        out,
        "\nOther requests (by status): {}. Stored: {} chats, {} title usage rows; answers settled {:.1} s after the last stream. \
         The runner's log: {} lines, {} warnings, {} errors.",
        others.join(", "),
        s.stored.chats,
        s.stored.title_usage_rows,
        s.stored.settle_s,
        s.runner_log.lines,
        s.runner_log.warn,
        s.runner_log.error,
    );
    for (line, count) in &s.runner_log.frequent {
        let _ = writeln!(out, "- {count} × `{}`", line.replace('`', "'"));
    }
    (out, failures)
}

/// Prints the tables; with `check`, fails when the soak did.
pub fn report(s: &SoakSamples, limit: GrowthLimit, check: bool) -> Result<()> {
    let (text, failures) = render(s, limit);
    print!("{text}");
    if check && !failures.is_empty() {
        bail!("the soak failed:\n- {}", failures.join("\n- "));
    }
    Ok(())
}
