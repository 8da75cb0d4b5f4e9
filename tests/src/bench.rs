//! What the benchmarks written as ignored tests share (`tests/tests/chat_bench.rs`,
//! `tests/tests/soak.rs`): numbers from the environment, and `hub-bench cpu-snapshot` of the
//! runner they started (and of a proxy measured next to it).

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::workspace_root;

/// The number in environment variable `name`, or `default` when it is unset or not a number.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `d` in nanoseconds (saturating).
pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `hub-bench cpu-snapshot` (the binary `hub_bench`) of the runner started under this process,
/// of PostgreSQL's postmaster `db_pid` and its backends, and of the machine: CPU counters, the
/// runner's resident memory and open descriptors, as JSON. Panics when it fails.
pub fn server_snapshot(hub_bench: &OsStr, db_pid: Option<&str>) -> Value {
    server_and_proxy_snapshot(hub_bench, db_pid, None)
}

/// [`server_snapshot`], with the CPU counters of a proxy measured next to the runner (process
/// `proxy_pid` and its children) as well.
pub fn server_and_proxy_snapshot(
    hub_bench: &OsStr,
    db_pid: Option<&str>,
    proxy_pid: Option<u32>,
) -> Value {
    let mut command = std::process::Command::new(hub_bench);
    command.args([
        "cpu-snapshot",
        "--server-under",
        &std::process::id().to_string(),
    ]);
    if let Some(pid) = db_pid {
        command.args(["--db-pid", pid]);
    }
    if let Some(pid) = proxy_pid {
        command.args(["--proxy-pid", &pid.to_string()]);
    }
    let out = command.output().expect("running hub-bench cpu-snapshot");
    assert!(
        out.status.success(),
        "hub-bench cpu-snapshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a CPU snapshot")
}

/// Writes `results` as JSON to the file environment variable `env` names, else to
/// `target/hub-tests/<default_name>`; the path written.
pub fn write_results(env: &str, default_name: &str, results: &Value) -> PathBuf {
    let out = std::env::var_os(env).map_or_else(
        || workspace_root().join("target/hub-tests").join(default_name),
        PathBuf::from,
    );
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).expect("the results' folder");
    }
    let text = serde_json::to_string(results).expect("results as JSON");
    std::fs::write(&out, text).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
    out
}
