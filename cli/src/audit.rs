//! `hub audit verify`: walks the audit log's hash chain (`hub_db::audit::chain`) and reports
//! either that it holds (rows checked, the head's seq and hash) or the first broken link (its
//! seq, the row's id and what differs). The same check as `GET /api/admin/audit/verify`, for
//! operators and for a scheduled job that keeps the head hash somewhere else.

use anyhow::{Context, Result};
use hub_db::audit::chain;

use crate::DbArgs;

/// `hub audit`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// What to do with the audit log.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// The audit commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain: exit 0 when it holds, 3 at the first broken link.
    Verify(VerifyArgs),
}

/// `hub audit verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// The chain is broken: exit code 3 (the report is on standard output).
#[derive(Debug, thiserror::Error)]
#[error("the audit chain is broken at seq {0}")]
pub struct ChainBroken(pub i64);

/// Runs an audit command.
pub fn run(args: &Args) -> Result<()> {
    match &args.command {
        AuditCommand::Verify(verify) => run_verify(verify),
    }
}

fn run_verify(args: &VerifyArgs) -> Result<()> {
    let db = crate::pg::PgDb::connect(&args.db.db_url)
        .context("cannot connect to the database (check db_url)")?;
    let report = chain::verify(&db, chain::VERIFY_BATCH).context("reading the audit log")?;
    drop(db);
    println!("{}", summary(&report));
    match report.broken {
        None => Ok(()),
        Some(broken) => Err(ChainBroken(broken.seq).into()),
    }
}

/// The report as printed: one line when the chain holds, two when it is broken.
pub fn summary(report: &chain::Verification) -> String {
    match &report.broken {
        None => format!(
            "audit chain ok: {} rows checked; head seq {} hash {}",
            report.checked, report.head_seq, report.head_hash
        ),
        Some(broken) => format!(
            "audit chain BROKEN at seq {} ({}), after {} good rows\n{broken}",
            broken.seq,
            broken.problem.code(),
            report.checked
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chain::{Break, Problem, Verification};

    #[test]
    fn the_summary_names_the_count_or_the_first_broken_link() {
        let ok = Verification {
            checked: 12,
            head_seq: 12,
            head_hash: "ab".repeat(32),
            broken: None,
        };
        assert_eq!(
            summary(&ok),
            format!(
                "audit chain ok: 12 rows checked; head seq 12 hash {}",
                "ab".repeat(32)
            )
        );
        let broken = Verification {
            checked: 4,
            broken: Some(Break {
                seq: 5,
                id: None,
                problem: Problem::Missing { found: 6 },
            }),
            ..ok
        };
        let text = summary(&broken);
        assert!(
            text.starts_with("audit chain BROKEN at seq 5 (missing), after 4 good rows\n"),
            "{text}"
        );
        assert!(text.contains("seq 5: the row is missing"), "{text}");
    }
}
