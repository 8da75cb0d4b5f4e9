//! `hub`: the hub's command-line tool (see the `hub_cli` library for the commands).

use std::process::ExitCode;

use clap::Parser;

/// Warnings (e.g. no trusted root certificates for TLS) go to standard error; `HUB_LOG` sets the
/// filter as for the runner. tokio_postgres logs statements with their parameters at debug
/// level: it stays at info unless named, so that `HUB_LOG=debug` cannot print a password hash.
fn init_logs() {
    let mut directives = std::env::var("HUB_LOG").unwrap_or_else(|_| "warn".to_owned());
    if !directives.contains("tokio_postgres") {
        directives.push_str(",tokio_postgres=info");
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,tokio_postgres=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .compact()
        .init();
}

fn main() -> ExitCode {
    let cli = hub_cli::Cli::parse();
    init_logs();
    match hub_cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hub: {e:#}");
            ExitCode::from(hub_cli::exit_code(&e))
        }
    }
}
