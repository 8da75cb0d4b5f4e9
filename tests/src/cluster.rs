//! A private PostgreSQL cluster for tests that stop and start the database (so that stopping it
//! disturbs no other test), managed with `scripts/pg.sh`.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use crate::{TempDir, workspace_root};

/// A cluster of its own under a temporary folder, on a free port, with
/// `HUB_PG_FAST=1`; stopped (and removed) on drop.
#[derive(Debug)]
pub struct Cluster {
    dir: TempDir,
    port: u16,
}

impl Cluster {
    /// Initialises and starts the cluster.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("finding a free port")
            .port();
        let cluster = Self {
            dir: TempDir::new("pg"),
            port,
        };
        make_traversable(cluster.dir.path());
        cluster.pg(&["start"]);
        cluster
    }

    /// Runs `scripts/pg.sh <args>` on this cluster; its stdout, trimmed (panics when it fails).
    pub fn pg(&self, args: &[&str]) -> String {
        let out = self
            .command(args)
            .env("HUB_PG_FAST", "1")
            .output()
            .expect("running scripts/pg.sh");
        assert!(
            out.status.success(),
            "pg.sh {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Stops the cluster (fast shutdown: open connections are closed).
    pub fn stop(&self) {
        self.pg(&["stop"]);
    }

    /// Starts it again.
    pub fn restart(&self) {
        self.pg(&["start"]);
    }

    /// The superuser's URL of database `database`.
    pub fn url(&self, database: &str) -> String {
        self.pg(&["url", database])
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("bash");
        command
            .arg(workspace_root().join("scripts/pg.sh"))
            .args(args)
            .env("HUB_DATA_DIR", self.dir.path())
            .env("HUB_PG_PORT", self.port.to_string());
        command
    }
}

/// The cluster runs as the `postgres` OS user when the tests run as root: it must reach the folder.
fn make_traversable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command(&["stop"]).output();
    }
}
