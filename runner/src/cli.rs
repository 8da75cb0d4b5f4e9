//! The command line of `hub-runner`: `start`, `check` and `migrate`.

use crate::{allowed_hosts, host, manifest, migrate, outbound_client, router, server, variables};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hub-runner",
    version,
    about = "Runs the hub's Spin components locally"
)]
struct Cli {
    /// Log format.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app described by a Spin manifest.
    Start(StartArgs),
    /// Check a manifest and the variables it needs, then exit.
    Check {
        /// The Spin manifest.
        #[arg(long, short = 'f', default_value = "spin.toml")]
        manifest: PathBuf,
    },
    /// Apply the SQL migrations that are not applied yet.
    Migrate {
        /// Database URL (defaults to the app's `db_url` variable from the environment).
        #[arg(long, env = "SPIN_VARIABLE_DB_URL", hide_env_values = true)]
        db_url: String,
        /// Folder of `YYYYMMDDHHMMSS_verb_noun.sql` files.
        #[arg(long, default_value = "migrations")]
        dir: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct StartArgs {
    /// The Spin manifest.
    #[arg(long, short = 'f', default_value = "spin.toml")]
    manifest: PathBuf,
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Memory limit of one request's instance, in MiB.
    #[arg(long, default_value_t = 256)]
    max_memory_mib: usize,
    /// Time limit of one request (response body included), in seconds.
    #[arg(long, default_value_t = 900)]
    request_timeout_secs: u64,
    /// Largest request body accepted, in MiB (components apply their own, smaller limits).
    #[arg(long, default_value_t = 64)]
    max_body_mib: u64,
    /// Compiled-component cache folder (default: `.data/wasm-cache` next to the manifest).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Disable the compilation cache.
    #[arg(long)]
    no_cache: bool,
    /// Open a new connection for every outbound HTTP request instead of reusing idle ones (Spin's
    /// `connection_pooling_enabled = false`).
    #[arg(long)]
    no_outbound_pooling: bool,
    /// Route to POST periodically (scheduled triggers), e.g. `/api/workflows/tick`.
    #[arg(long)]
    tick_path: Option<String>,
    /// Seconds between ticks.
    #[arg(long, default_value_t = 30)]
    tick_every_secs: u64,
    /// Application variable whose value is sent as the tick's bearer token.
    #[arg(long, default_value = "tick_secret")]
    tick_secret_variable: String,
    /// Seconds to wait for requests in flight at shutdown.
    #[arg(long, default_value_t = 10)]
    shutdown_grace_secs: u64,
}

fn init_logs(format: &str) {
    // tokio_postgres logs statements with their parameters at debug level: keep it at info unless
    // asked for by name, so that `HUB_LOG=debug` cannot leak values passed as SQL parameters.
    let mut directives = std::env::var("HUB_LOG").unwrap_or_else(|_| "info".to_owned());
    if !directives.contains("tokio_postgres") {
        directives.push_str(",tokio_postgres=info");
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tokio_postgres=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if format == "json" {
        builder.json().flatten_event(true).init();
    } else {
        builder.compact().init();
    }
}

fn load_app(manifest: &std::path::Path) -> Result<(manifest::App, HashMap<String, String>)> {
    let app = manifest::load(manifest)?;
    let env: HashMap<String, String> = std::env::vars().collect();
    let values = variables::resolve_app_variables(&app, &env)
        .with_context(|| format!("manifest {}", manifest.display()))?;
    for c in app.components.values() {
        allowed_hosts::AllowedHosts::resolve(c, &values)?;
    }
    Ok((app, values))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

async fn start(args: StartArgs) -> Result<()> {
    let (app, values) = load_app(&args.manifest)?;
    let manifest_dir = args
        .manifest
        .parent()
        .map(PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let cache_dir = if args.no_cache {
        None
    } else {
        let dir = args
            .cache_dir
            .clone()
            .unwrap_or_else(|| host::default_cache_dir(&manifest_dir));
        // wasmtime's cache wants an absolute path.
        Some(std::path::absolute(&dir).with_context(|| format!("cache folder {}", dir.display()))?)
    };
    let limits = host::Limits {
        memory_bytes: args.max_memory_mib.saturating_mul(1024 * 1024),
        request_timeout: Duration::from_secs(args.request_timeout_secs),
    };
    let router = router::Router::build(&app)?;
    let outbound = outbound_client::OutboundClient::new(!args.no_outbound_pooling)?;
    let host = host::Host::new(&app, &values, limits, cache_dir.as_deref(), outbound)?;
    host.set_chain(Arc::downgrade(&host));
    let server = server::Server::new(host, router, args.max_body_mib.saturating_mul(1024 * 1024));
    let listener = server::bind(args.listen).await?;
    let local = listener.local_addr()?;
    tracing::info!(app = %app.name, version = app.version.as_deref().unwrap_or("-"), "serving");
    // A stable line on stdout that scripts and tests wait for.
    println!("hub-runner listening on http://{local}");
    if let Some(path) = args.tick_path.clone() {
        let secret = values.get(&args.tick_secret_variable).cloned();
        tokio::spawn(server::tick_loop(
            server.clone(),
            path,
            Duration::from_secs(args.tick_every_secs.max(1)),
            secret,
        ));
    }
    server
        .serve(
            listener,
            shutdown_signal(),
            Duration::from_secs(args.shutdown_grace_secs),
        )
        .await
}

/// Runs the command line: parses the arguments, runs the command, reports the error.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logs(&cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hub-runner: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Start(args) => start(args).await,
            Command::Check { manifest } => load_app(&manifest).map(|(app, values)| {
                println!(
                    "manifest ok: {} components, {} routes",
                    app.components.len(),
                    app.triggers.len()
                );
                for line in variables::describe(&app, &values) {
                    println!("  {line}");
                }
            }),
            Command::Migrate { db_url, dir } => migrate::run(&db_url, &dir).await.map(|applied| {
                println!("migrations applied: {}", applied.len());
            }),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hub-runner: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
