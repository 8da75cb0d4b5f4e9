//! `hub`: the hub's command-line tool, for what operators do outside the API.
//!
//! Each command is one module with its clap arguments and its `run`; [`Command`] lists them.
//! Commands that touch the database open it with [`pg::PgDb`], a [`hub_db::Db`] over a native
//! Postgres connection that maps types exactly as Spin's `spin:postgres` interface maps them for
//! the components, and write only through `hub-db`'s query functions: the schema has one writer.
//!
//! The database comes from `--db-url` or `SPIN_VARIABLE_DB_URL` (the app's `db_url` variable, as
//! `hub-runner migrate` reads it), with the same TLS decision as the runner and Spin (`pg-tls`).
//! Secrets never come from the command line, where `ps` would show them.
//!
//! Exit codes: 0 done, 1 failed (database unreachable, a query failed), 2 refused input (a usage
//! error, an invalid email or password, no password given), 3 the audit chain is broken.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod audit;
pub mod create_admin;
pub mod keys;
pub mod pg;

use clap::{Parser, Subcommand};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "hub",
    version,
    about = "The hub's command-line tool for operators (the database URL comes from --db-url or SPIN_VARIABLE_DB_URL)"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make an account an active admin (created if the email is new; an existing account keeps
    /// its id and data and its sessions end). The password is read from `HUB_ADMIN_PASSWORD` or
    /// the first line of standard input, never from the command line.
    CreateAdmin(create_admin::Args),
    /// The audit log: `hub audit verify` checks its hash chain and reports the first broken
    /// link (exit code 3).
    Audit(audit::Args),
    /// The provider keys' master key: `hub keys generate-master-key` prints a new one, `hub keys
    /// rotate` re-encrypts the stored provider keys under the first key of
    /// `SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY`.
    Keys(keys::Args),
}

/// Where the database is: the arguments of every command that needs it.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Database URL (defaults to the app's `db_url` variable from the environment). TLS as for
    /// the app: `sslmode=disable` plain, otherwise verified TLS when the server offers it
    /// (`prefer`, the default) or always (`require`).
    #[arg(long, env = "SPIN_VARIABLE_DB_URL", hide_env_values = true)]
    pub db_url: String,
}

/// Input a command refuses (an invalid email, a too-short password, no password): exit code 2,
/// like a usage error, and nothing written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

impl InvalidInput {
    /// The refusal of `problem` (its message is shown as is).
    pub fn from_error(problem: impl std::fmt::Display) -> Self {
        Self(problem.to_string())
    }
}

/// Runs the command; what it prints goes to standard output.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::CreateAdmin(args) => create_admin::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Keys(args) => keys::run(&args),
    }
}

/// The process exit code for an error of [`run`]: 2 for [`InvalidInput`], 3 for a broken audit
/// chain ([`audit::ChainBroken`]), else 1.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.chain().any(|cause| cause.is::<InvalidInput>()) {
        2
    } else if error.chain().any(|cause| cause.is::<audit::ChainBroken>()) {
        3
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn refused_input_exits_with_2_and_failures_with_1() {
        let refused = anyhow::Error::new(InvalidInput("invalid `email`: x".into())).context("ctx");
        assert_eq!(exit_code(&refused), 2);
        assert_eq!(exit_code(&anyhow::anyhow!("database unavailable")), 1);
    }

    #[test]
    fn there_is_no_password_argument() {
        let parsed = Cli::try_parse_from([
            "hub",
            "create-admin",
            "--email",
            "a@example.com",
            "--password",
            "secret password",
            "--db-url",
            "postgres://localhost/hub",
        ]);
        let err = parsed.unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
        assert!(!err.to_string().contains("secret password"), "{err}");
    }
}
