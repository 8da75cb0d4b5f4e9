//! `GET /api/health`: is the database reachable, which migration is applied, which pgvector is there.

use hub_component::log;
use hub_db::{Db, DbError};
use serde::Serialize;

/// The health report (also the 503 body, with `reason`).
#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    version: &'static str,
    database: Database,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Debug, Serialize, Default)]
struct Database {
    reachable: bool,
    migration_version: Option<String>,
    pgvector_version: Option<String>,
}

impl Health {
    /// Whether the hub can serve requests.
    pub fn is_ok(&self) -> bool {
        self.reason.is_none()
    }

    fn unavailable(database: Database, reason: impl Into<String>) -> Self {
        Self {
            status: "unavailable",
            version: env!("CARGO_PKG_VERSION"),
            database,
            reason: Some(reason.into()),
        }
    }
}

const QUERY: &str = r#"
SELECT
    (SELECT max(version)::text FROM schema_migrations) AS migration_version,
    (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector_version
"#;

/// Runs the checks.
pub fn check() -> Health {
    let db = match hub_component::database() {
        Ok(db) => db,
        Err(e) => {
            log::warn("health", e);
            return Health::unavailable(Database::default(), "database unreachable");
        }
    };
    let rows = match db.query(QUERY, &[]) {
        Ok(rows) => rows,
        Err(e @ DbError::Unavailable(_)) => {
            log::warn("health", e);
            return Health::unavailable(Database::default(), "database unreachable");
        }
        Err(e) => {
            log::warn("health", format_args!("query failed: {e}"));
            let database = Database {
                reachable: true,
                ..Database::default()
            };
            return Health::unavailable(database, "database schema not migrated");
        }
    };
    let text = |column: &str| {
        rows.first()
            .and_then(|row| row.get::<Option<String>>(column).ok().flatten())
    };
    let database = Database {
        reachable: true,
        migration_version: text("migration_version"),
        pgvector_version: text("pgvector_version"),
    };
    if database.migration_version.is_none() {
        return Health::unavailable(database, "no migration applied");
    }
    if database.pgvector_version.is_none() {
        return Health::unavailable(database, "pgvector extension missing");
    }
    Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        database,
        reason: None,
    }
}
