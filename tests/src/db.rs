//! A fresh database per test on the test PostgreSQL cluster.

use std::process::Command;
use std::sync::OnceLock;

use crate::paths::workspace_root;

/// The admin URL: `HUB_TEST_DB_URL`, else what `scripts/pg.sh url` prints.
fn admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("HUB_TEST_DB_URL") {
            return url;
        }
        let script = workspace_root().join("scripts").join("pg.sh");
        let output = Command::new("bash")
            .arg(&script)
            .arg("url")
            .output()
            .unwrap_or_else(|e| panic!("running {} url: {e}", script.display()));
        assert!(
            output.status.success(),
            "`scripts/pg.sh url` failed ({}): {}\nstart the test database with `scripts/pg.sh start` or set HUB_TEST_DB_URL",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    })
}

/// `admin` (an admin URL) with another database name.
fn url_for(admin: &str, database: &str) -> url::Url {
    let mut url = url::Url::parse(admin)
        .unwrap_or_else(|e| panic!("HUB_TEST_DB_URL / scripts/pg.sh url is not a URL: {e}"));
    url.set_path(&format!("/{database}"));
    url
}

/// `<host>:<port>` of `url`.
fn host_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("127.0.0.1");
    format!("{host}:{}", url.port().unwrap_or(5432))
}

/// A Postgres error with what the server said (`Display` alone is just "db error").
fn error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{e}: {} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot connect to the test database (start it with `scripts/pg.sh start` or set HUB_TEST_DB_URL): {}",
                error_text(&e)
            )
        });
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// A database `test_<uuid>` created for one test and dropped (connections closed) on drop.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: url::Url,
    /// The admin URL of its cluster.
    admin: String,
}

impl TestDb {
    /// Creates the database on the test cluster (with the `vector` extension available to
    /// `CREATE EXTENSION`).
    pub async fn create() -> Self {
        Self::create_on(admin_url()).await
    }

    /// Creates the database on the cluster whose admin URL is `admin` (a [`crate::Cluster`]'s).
    pub async fn create_on(admin: &str) -> Self {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        connect(admin)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {}", error_text(&e)));
        let url = url_for(admin, &name);
        Self {
            name,
            url,
            admin: admin.to_owned(),
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its connection URL (with the password).
    pub fn url(&self) -> String {
        self.url.to_string()
    }

    /// `postgres://<host>:<port>` of the test cluster, for `allowed_outbound_hosts`.
    pub fn allowed_host() -> String {
        format!("postgres://{}", host_of(&url_for(admin_url(), "postgres")))
    }

    /// `<host>:<port>` of this database's cluster (the variable `db_host`).
    pub fn host(&self) -> String {
        host_of(&self.url)
    }

    /// A direct connection, to arrange or check state behind the app's back.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect(self.url.as_str()).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin = self.admin.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread with
        // its own. FORCE closes the runner's pooled connections to the database.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&admin, tokio_postgres::NoTls).await
                {
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        });
        let _ = dropper.join();
    }
}
