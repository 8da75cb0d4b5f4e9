//! `GET /api/health`: is the database reachable, which migration is applied, which pgvector is there.

use serde::Serialize;
use spin_sdk::pg4::{DbValue, Decode};

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

fn text(value: Option<&DbValue>) -> Option<String> {
    value.and_then(|v| Option::<String>::decode(v).ok().flatten())
}

/// Runs the checks.
pub fn check() -> Health {
    let conn = match hub_component::open_db() {
        Ok(conn) => conn,
        Err(e) => {
            eprintln!("health: {e}");
            return Health::unavailable(Database::default(), "database unreachable");
        }
    };
    let rows = match conn.query(QUERY, &[]) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("health: query failed: {e:?}");
            let database = Database {
                reachable: true,
                ..Database::default()
            };
            return Health::unavailable(database, "database schema not migrated");
        }
    };
    let row = rows.rows.first();
    let database = Database {
        reachable: true,
        migration_version: text(row.and_then(|r| r.first())),
        pgvector_version: text(row.and_then(|r| r.get(1))),
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
