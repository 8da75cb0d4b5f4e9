//! `hub-bench report`: renders the JSON reports as Markdown tables (so scripts need no jq).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::load::LoadReport;
use crate::startup::{StartupReport, StartupSet};

/// What to render.
#[derive(Debug, clap::Subcommand)]
pub enum ReportKind {
    /// One row per `hub-bench load` JSON file.
    Load {
        /// Reports, in row order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Latency of `hub-bench load` JSON files against a p95 target, one labelled row each.
    Targets {
        /// The p95 target, in milliseconds.
        #[arg(long, default_value_t = 100.0)]
        p95_ms: f64,
        /// Exit with an error when a row misses the target or had errors.
        #[arg(long)]
        check: bool,
        /// `LABEL=FILE`: the row's name (any text) and its report (after the last `=`), in row
        /// order.
        #[arg(required = true)]
        rows: Vec<String>,
    },
    /// CPU accounting of `hub-bench load` JSON files, one row each.
    LoadCpu {
        /// Reports, in row order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The rows of one `hub-bench startup` JSON file.
    Startup {
        /// The report.
        file: PathBuf,
    },
    /// The tables of the chat streaming benchmark's samples (`tests/tests/chat_bench.rs`).
    Chat {
        /// The samples file.
        file: PathBuf,
    },
    /// The tables of the soak (`tests/tests/soak.rs`) and its verdict.
    Soak {
        /// What the soak recorded.
        file: PathBuf,
        /// Exit with an error when the soak failed: a stream unaccounted for, a 5xx, or the
        /// runner's memory growing steadily over the second half of the run.
        #[arg(long)]
        check: bool,
        /// Memory growth allowed over the second half, in percent of its mean RSS ...
        #[arg(long, default_value_t = 5.0)]
        max_growth_percent: f64,
        /// ... but at least this many MiB.
        #[arg(long, default_value_t = 16.0)]
        max_growth_mib: f64,
    },
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn errors_cell(r: &LoadReport) -> String {
    if r.errors == 0 {
        return "0".to_owned();
    }
    let kinds: Vec<String> = r
        .error_kinds
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    format!("{} ({})", r.errors, kinds.join(", "))
}

fn startup_row(label: &str, set: &StartupSet) -> String {
    let l = &set.listening_ms;
    let f = &set.first_200_ms;
    format!(
        "| {label} | {} | {:.1} | {:.1} – {:.1} | {:.1} | {:.1} – {:.1} | {:.1} |",
        l.runs,
        l.median,
        l.min,
        l.max,
        f.median,
        f.min,
        f.max,
        f.median - l.median
    )
}

/// Prints the table on stdout.
pub fn run(kind: &ReportKind) -> Result<()> {
    match kind {
        ReportKind::Load { files } => {
            let reports = files
                .iter()
                .map(|f| read::<LoadReport>(f))
                .collect::<Result<Vec<_>>>()?;
            println!(
                "| concurrency | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
            );
            println!("|---:|---:|---:|---:|---:|---:|---:|---|");
            for r in &reports {
                let l = &r.latency_ms;
                println!(
                    "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
                    r.concurrency,
                    r.requests,
                    r.requests_per_s,
                    l.p50,
                    l.p90,
                    l.p99,
                    l.max,
                    errors_cell(r)
                );
            }
        }
        ReportKind::Targets {
            p95_ms,
            check,
            rows,
        } => {
            println!(
                "| request | concurrency | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | p95 ≤ {p95_ms:.0} ms | errors |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
            let mut missed = Vec::new();
            for row in rows {
                let (label, file) = row
                    .rsplit_once('=')
                    .with_context(|| format!("expected LABEL=FILE, got {row:?}"))?;
                let r: LoadReport = read(Path::new(file))?;
                let l = &r.latency_ms;
                let met = r.errors == 0 && r.ok > 0 && l.p95 <= *p95_ms;
                if !met {
                    missed.push(format!("{label} (concurrency {})", r.concurrency));
                }
                println!(
                    "| {label} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
                    r.concurrency,
                    r.requests,
                    r.requests_per_s,
                    l.p50,
                    l.p95,
                    l.p99,
                    l.max,
                    if met { "yes" } else { "**no**" },
                    errors_cell(&r)
                );
            }
            if *check && !missed.is_empty() {
                anyhow::bail!("p95 target missed or errors: {}", missed.join(", "));
            }
        }
        ReportKind::LoadCpu { files } => {
            println!(
                "| concurrency | runner CPU ms/req | PostgreSQL CPU ms/req | load generator CPU | machine CPU busy | runner waiting for a CPU | PostgreSQL waiting for a CPU |"
            );
            println!("|---:|---:|---:|---:|---:|---:|---:|");
            for file in files {
                let r: LoadReport = read(file)?;
                let c = &r.cpu;
                let dash = || "–".to_owned();
                let share = |s: Option<f64>| {
                    s.filter(|_| r.elapsed_s > 0.0).map_or_else(dash, |v| {
                        format!("{:.0} % of a CPU", v * 100.0 / r.elapsed_s)
                    })
                };
                let machine = match (c.machine_busy, c.machine_cpus) {
                    (Some(b), Some(n)) => format!("{:.0} % of {n} CPUs", b * 100.0),
                    (Some(b), None) => format!("{:.0} %", b * 100.0),
                    _ => dash(),
                };
                let wait = |s: Option<f64>| s.map_or_else(dash, |v| format!("{v:.1} s"));
                println!(
                    "| {} | {} | {} | {} | {machine} | {} | {} |",
                    r.concurrency,
                    c.server_ms_per_request
                        .map_or_else(dash, |v| format!("{v:.3}")),
                    c.db_ms_per_request.map_or_else(dash, |v| format!("{v:.3}")),
                    share(c.client_s),
                    wait(c.server_runqueue_wait_s),
                    wait(c.db_runqueue_wait_s),
                );
            }
        }
        ReportKind::Startup { file } => {
            let r: StartupReport = read(file)?;
            println!(
                "| compilation cache | runs | to listening, median ms | min – max | to first 200, median ms | min – max | listening → 200, ms |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|");
            if let Some(set) = &r.warm {
                println!("{}", startup_row("warm (persistent `--cache-dir`)", set));
            }
            if let Some(set) = &r.cold {
                println!("{}", startup_row("cold (new empty `--cache-dir`)", set));
            }
        }
        ReportKind::Chat { file } => {
            print!("{}", crate::chat::render(&read(file)?));
        }
        ReportKind::Soak {
            file,
            check,
            max_growth_percent,
            max_growth_mib,
        } => {
            let limit = crate::soak::GrowthLimit {
                percent: *max_growth_percent,
                mib: *max_growth_mib,
            };
            crate::soak::report(&read(file)?, limit, *check)?;
        }
    }
    Ok(())
}
