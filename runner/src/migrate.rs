//! `hub-runner migrate`: applies `migrations/*.sql` in order, each once, each in its own
//! transaction, recorded in `schema_migrations` with a checksum so that an edited migration is
//! detected instead of silently skipped. Safe to run concurrently (advisory lock) and repeatedly.
//!
//! The database is reached like the components reach it (see the `pg-tls` crate): `sslmode=disable`
//! in plain text, `prefer` (the default) with TLS when the server offers it, `require` with TLS
//! or not at all; the server certificate is verified whenever TLS is used.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// One migration file.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The 14-digit timestamp prefix.
    pub version: i64,
    /// The rest of the file name, without `.sql`.
    pub name: String,
    /// The SQL.
    pub sql: String,
    /// FNV-1a 64 of the SQL, hex: detects edits after landing.
    pub checksum: String,
}

fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Reads the folder; file names must be `YYYYMMDDHHMMSS_verb_noun.sql`.
pub fn load(dir: &Path) -> Result<Vec<Migration>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read migrations folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out: Vec<Migration> = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let stem = file.trim_end_matches(".sql");
        let Some((version, name)) = stem.split_once('_') else {
            bail!("migration {file:?}: name must be YYYYMMDDHHMMSS_verb_noun.sql");
        };
        if version.len() != 14 || !version.chars().all(|c| c.is_ascii_digit()) {
            bail!("migration {file:?}: name must start with a 14-digit timestamp");
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("migration {file:?}: name after the timestamp must be lowercase snake_case");
        }
        let version: i64 = version
            .parse()
            .with_context(|| format!("migration {file:?}"))?;
        if out.iter().any(|m| m.version == version) {
            bail!("migration {file:?}: version {version} is used twice");
        }
        let sql = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        out.push(Migration {
            version,
            name: name.to_owned(),
            checksum: checksum(&sql),
            sql,
        });
    }
    Ok(out)
}

const LOCK_KEY: i64 = 0x0068_7562_5f6d_6967; // "hub_mig"

/// Applies what is missing; returns the versions applied now.
pub async fn run(db_url: &str, dir: &Path) -> Result<Vec<i64>> {
    let migrations = load(dir)?;
    let config: tokio_postgres::Config = db_url
        .parse()
        .context("cannot connect to the database (check db_url)")?;
    // TLS exactly as the components' connections get it (`pg-tls`): plain only for
    // sslmode=disable, verified TLS otherwise.
    let (mut client, connection) = pg_tls::connect(&config)
        .await
        .context("cannot connect to the database (check db_url)")?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .context("creating schema_migrations")?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .context("taking the migration lock")?;
    let result = apply(&mut client, &migrations).await;
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    // Close the session in order (Terminate, TLS close_notify) rather than by process exit.
    drop(client);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), connection).await;
    result
}

async fn apply(client: &mut tokio_postgres::Client, migrations: &[Migration]) -> Result<Vec<i64>> {
    let rows = client
        .query("SELECT version, name, checksum FROM schema_migrations", &[])
        .await?;
    let applied: std::collections::HashMap<i64, (String, String)> = rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    let mut done = Vec::new();
    for m in migrations {
        if let Some((name, sum)) = applied.get(&m.version) {
            if *sum != m.checksum {
                bail!(
                    "migration {}_{}.sql was changed after it was applied (recorded as {name}); add a new migration instead",
                    m.version,
                    m.name
                );
            }
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(&m.sql)
            .await
            .with_context(|| format!("applying {}_{}.sql", m.version, m.name))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = %m.name, "migration applied");
        done.push(m.version);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_in_order_and_rejects_bad_names() {
        let dir = std::env::temp_dir().join(format!("hub-mig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("20260102000000_add_b.sql"), "SELECT 2;").unwrap();
        std::fs::write(dir.join("20260101000000_add_a.sql"), "SELECT 1;").unwrap();
        std::fs::write(dir.join("README.md"), "ignored").unwrap();
        let m = load(&dir).unwrap();
        assert_eq!(
            m.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["add_a", "add_b"]
        );
        assert_ne!(m[0].checksum, m[1].checksum);
        std::fs::write(dir.join("2026_bad.sql"), "").unwrap();
        assert!(load(&dir).unwrap_err().to_string().contains("14-digit"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
