//! CPU accounting during a measured window, from Linux's /proc (all values None elsewhere).
//!
//! Clock ticks are converted at USER_HZ = 100, the rate Linux exposes in /proc on every
//! architecture it runs on.

use serde::{Deserialize, Serialize};

const USER_HZ: f64 = 100.0;

/// The fields of /proc/<pid>/stat after the command name (which is in parentheses and may
/// contain spaces): index 0 is field 3 (state), 1 is the parent pid, 11/12 utime/stime.
pub(crate) fn stat_fields(pid: &str) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

fn ticks(fields: &[String]) -> Option<u64> {
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// User + system CPU seconds of one process (all its threads).
pub fn process_seconds(pid: &str) -> Option<f64> {
    Some(ticks(&stat_fields(pid)?)? as f64 / USER_HZ)
}

/// Seconds the threads of `pid` spent runnable but waiting for a CPU (the second field of
/// /proc/<pid>/task/<tid>/schedstat, in ns); None without schedstats.
fn runqueue_wait_seconds(pid: &str) -> Option<f64> {
    let mut total: u64 = 0;
    let mut any = false;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let Ok(text) = std::fs::read_to_string(entry.path().join("schedstat")) else {
            continue;
        };
        if let Some(wait) = text
            .split_whitespace()
            .nth(1)
            .and_then(|w| w.parse::<u64>().ok())
        {
            total += wait;
            any = true;
        }
    }
    any.then(|| total as f64 / 1e9)
}

/// Every process as (pid, parent pid).
fn processes() -> Vec<(String, String)> {
    let mut all = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some(parent) = stat_fields(name).and_then(|f| f.get(1).cloned()) {
                all.push((name.to_owned(), parent));
            }
        }
    }
    all
}

/// `pid` and its direct children (a PostgreSQL postmaster and its backends).
fn tree(pid: &str) -> Vec<String> {
    let mut pids = vec![pid.to_owned()];
    pids.extend(
        processes()
            .into_iter()
            .filter(|(_, parent)| parent == pid)
            .map(|(child, _)| child),
    );
    pids
}

/// The first process called `name` (its /proc comm) among the descendants of `root`.
pub fn descendant_named(root: &str, name: &str) -> Option<String> {
    let all = processes();
    let parent_of = |pid: &str| {
        all.iter()
            .find(|(p, _)| p == pid)
            .map(|(_, parent)| parent.clone())
    };
    all.iter()
        .filter(|(pid, _)| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
        })
        .find(|(pid, _)| {
            // Walks up a few generations (the runner is started through a shell).
            let mut current = pid.clone();
            (0..8).any(|_| match parent_of(&current) {
                Some(parent) if parent == root => true,
                Some(parent) => {
                    current = parent;
                    false
                }
                None => false,
            })
        })
        .map(|(pid, _)| pid.clone())
}

/// (CPU seconds, run-queue wait seconds) of a set of processes; a process that is gone counts 0.
fn group(pids: &[String]) -> (Option<f64>, Option<f64>) {
    let mut cpu = None;
    let mut wait = None;
    for pid in pids {
        if let Some(c) = process_seconds(pid) {
            *cpu.get_or_insert(0.0) += c;
        }
        if let Some(w) = runqueue_wait_seconds(pid) {
            *wait.get_or_insert(0.0) += w;
        }
    }
    (cpu, wait)
}

/// (busy, total) clock ticks of all CPUs since boot, from the first line of /proc/stat.
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let get = |i: usize| v.get(i).copied().unwrap_or(0);
    let idle = get(3) + get(4);
    let busy = get(0) + get(1) + get(2) + get(5) + get(6) + get(7);
    Some((busy, busy + idle))
}

/// Which processes to account for.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    /// The server (the runner).
    pub server: Option<String>,
    /// A database server's parent process (PostgreSQL's postmaster); its children are included.
    pub db: Option<String>,
    /// `db` and its children, once resolved.
    pub db_tree: Vec<String>,
    /// Another server compared with the first (the chat benchmark's LiteLLM proxy); its
    /// children are included.
    pub proxy: Option<String>,
    /// `proxy` and its children, once resolved.
    pub proxy_tree: Vec<String>,
}

/// CPU counters at one instant (serialisable, for `hub-bench cpu-snapshot`), with the server's
/// memory and descriptors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    server: (Option<f64>, Option<f64>),
    db: (Option<f64>, Option<f64>),
    client: Option<f64>,
    machine: Option<(u64, u64)>,
    /// The other server's (CPU seconds, run-queue wait seconds); absent from snapshots
    /// written before it was added.
    #[serde(default)]
    proxy: (Option<f64>, Option<f64>),
    /// The server's resident memory (`VmRSS`), in KiB.
    #[serde(default)]
    pub server_rss_kib: Option<u64>,
    /// The server's open file descriptors (sockets included).
    #[serde(default)]
    pub server_fds: Option<u64>,
}

/// Resident memory of `pid` in KiB: `VmRSS` of /proc/<pid>/status.
fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Open file descriptors of `pid` (entries of /proc/<pid>/fd).
fn fds(pid: &str) -> Option<u64> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64)
}

impl Watched {
    /// The processes whose counters `snapshot` reads: the database's children are listed once,
    /// so that the same processes are compared (the pool's connections live throughout).
    pub fn resolve(mut self) -> Self {
        self.db_tree = self.db.as_deref().map(tree).unwrap_or_default();
        self.proxy_tree = self.proxy.as_deref().map(tree).unwrap_or_default();
        self
    }

    /// Reads the counters now.
    pub fn snapshot(&self) -> Snapshot {
        let server: Vec<String> = self.server.iter().cloned().collect();
        Snapshot {
            server: group(&server),
            db: group(&self.db_tree),
            client: process_seconds("self"),
            machine: machine_ticks(),
            proxy: group(&self.proxy_tree),
            server_rss_kib: self.server.as_deref().and_then(rss_kib),
            server_fds: self.server.as_deref().and_then(fds),
        }
    }
}

/// CPU used between two snapshots.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CpuUse {
    /// The server process, in CPU seconds.
    pub server_s: Option<f64>,
    /// `server_s` per request, in milliseconds.
    pub server_ms_per_request: Option<f64>,
    /// The database server (postmaster and its children), in CPU seconds.
    pub db_s: Option<f64>,
    /// `db_s` per request, in milliseconds.
    pub db_ms_per_request: Option<f64>,
    /// Time the server's threads were runnable but waiting for a CPU, in seconds (summed over
    /// threads): how much other work delayed it.
    #[serde(default)]
    pub server_runqueue_wait_s: Option<f64>,
    /// The same for the database's processes.
    #[serde(default)]
    pub db_runqueue_wait_s: Option<f64>,
    /// The other server (and its children), in CPU seconds.
    #[serde(default)]
    pub proxy_s: Option<f64>,
    /// Time the other server's threads waited for a CPU, in seconds (summed over threads).
    #[serde(default)]
    pub proxy_runqueue_wait_s: Option<f64>,
    /// The load generator itself, in CPU seconds.
    pub client_s: Option<f64>,
    /// Busy share of all the machine's CPUs (0..1), whoever used them.
    pub machine_busy: Option<f64>,
    /// CPUs the machine has.
    pub machine_cpus: Option<usize>,
}

impl CpuUse {
    /// The difference `after - before`, with per-request figures for `requests`.
    pub fn between(before: &Snapshot, after: &Snapshot, requests: u64) -> Self {
        let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
        let per_request = |s: Option<f64>| {
            s.filter(|_| requests > 0)
                .map(|s| s * 1000.0 / requests as f64)
        };
        let server_s = diff(before.server.0, after.server.0);
        let db_s = diff(before.db.0, after.db.0);
        let machine_busy = match (before.machine, after.machine) {
            (Some((b0, t0)), Some((b1, t1))) if t1 > t0 => {
                Some(b1.saturating_sub(b0) as f64 / (t1 - t0) as f64)
            }
            _ => None,
        };
        Self {
            server_s,
            server_ms_per_request: per_request(server_s),
            db_s,
            db_ms_per_request: per_request(db_s),
            server_runqueue_wait_s: diff(before.server.1, after.server.1),
            db_runqueue_wait_s: diff(before.db.1, after.db.1),
            proxy_s: diff(before.proxy.0, after.proxy.0),
            proxy_runqueue_wait_s: diff(before.proxy.1, after.proxy.1),
            client_s: diff(before.client, after.client),
            machine_busy,
            machine_cpus: std::thread::available_parallelism().ok().map(usize::from),
        }
    }
}
