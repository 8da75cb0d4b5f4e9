//! `hub-bench`: benchmarks of the hub through `hub-runner`. Not a test: `scripts/bench.sh` runs it
//! and writes `docs/benchmarks.md`.
//!
//! ```text
//! hub-bench load --url http://127.0.0.1:3000/api/health --concurrency 16 --duration 15 --warmup 3
//! hub-bench startup --runner target/release/hub-runner --manifest spin.toml --url-path /api/health --runs 5
//! hub-bench report load c1.json c16.json      # Markdown table
//! hub-bench report startup startup.json
//! hub-bench report chat chat-bench.json      # samples of tests/tests/chat_bench.rs
//! hub-bench report soak --check soak.json     # tests/tests/soak.rs: tables, verdict
//! hub-bench knowledge chunks --count 100000    # scripts/bench-knowledge.sh: corpus, fake provider
//! ```

mod chat;
mod client;
mod cpu;
mod knowledge;
mod load;
mod report;
mod soak;
mod startup;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "hub-bench", about = "Benchmarks the hub through hub-runner")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Closed-loop HTTP/1.1 load on one URL; prints a JSON report.
    Load(load::LoadArgs),
    /// Time from spawning `hub-runner start` to listening and to the first 200; prints JSON.
    Startup(startup::StartupArgs),
    /// CPU counters of a server found by name under a process, its database and the machine,
    /// with the server's resident memory and open descriptors, as JSON (read before and after
    /// each run of the chat benchmark, and every few seconds of the soak).
    CpuSnapshot(chat::SnapshotArgs),
    /// Renders JSON reports as Markdown tables.
    #[command(subcommand)]
    Report(report::ReportKind),
    /// The knowledge benchmark's fake embedding provider and synthetic corpus.
    #[command(subcommand)]
    Knowledge(knowledge::KnowledgeCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Load(args) => load::run(args),
        Command::Startup(args) => startup::run(args),
        Command::CpuSnapshot(args) => chat::snapshot(args),
        Command::Report(kind) => report::run(kind),
        Command::Knowledge(command) => knowledge::run(command),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hub-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
