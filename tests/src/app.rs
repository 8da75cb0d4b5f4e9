//! Starting `hub-runner` on a manifest, as a child process, for one test or for many.
//!
//! The runner is started through a tiny `sh` wrapper that holds the write end of a pipe from the
//! test process: when the test process goes away for any reason (a test binary ends without
//! dropping its statics, a panic, a kill), the pipe closes and the wrapper kills the runner, so no
//! runner outlives the tests that started it.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::paths::{runner_binary, target_dir, wasm};
use crate::tempdir::TempDir;

/// The line the runner prints on stdout once it serves.
const READY_PREFIX: &str = "hub-runner listening on http://";
/// How long a runner may take to compile its components and start listening.
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// `sh -c WRAPPER sh <app dir> <runner> <args>...`: runs the runner, and when this shell's stdin
/// (a pipe from the test process) reaches end of file, kills it and removes the app's folder
/// (which a shared app's `TempDir`, living in a static, never drops). A SIGTERM to the shell
/// is passed on to the runner ([`App::terminate`]). Exits with the runner's status.
const WRAPPER: &str = r#"dir=$1
shift
exec 3<&0
"$@" </dev/null &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM
( cat <&3 >/dev/null 2>&1; kill -KILL "$pid" 2>/dev/null; rm -rf "$dir" ) >/dev/null 2>&1 &
exec 3<&-
while :; do
    wait "$pid"
    status=$?
    kill -0 "$pid" 2>/dev/null || exit "$status"
done
"#;

/// What to start: a manifest, the environment (`SPIN_VARIABLE_*`), runner flags and files.
///
/// The manifest text may use `${wasm:<crate_name>}` for the absolute path of a built component
/// (`${wasm:hub_conformance}`) and `${dir}` for the folder the manifest is written to (where
/// [`AppOptions::file`] puts files).
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    manifest: String,
    env: Vec<(String, String)>,
    args: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

impl AppOptions {
    /// Options for `manifest`.
    pub fn new(manifest: impl Into<String>) -> Self {
        Self {
            manifest: manifest.into(),
            ..Self::default()
        }
    }

    /// Sets an environment variable of the runner.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Sets application variable `name` (as `SPIN_VARIABLE_<NAME>`).
    pub fn variable(self, name: &str, value: impl Into<String>) -> Self {
        let key = format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase());
        self.env(key, value)
    }

    /// Adds flags after `hub-runner start -f <manifest> --listen 127.0.0.1:0`.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Writes a file next to the manifest (`relative` to `${dir}`).
    pub fn file(mut self, relative: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        self.files.push((relative.into(), content.into()));
        self
    }
}

impl From<&str> for AppOptions {
    fn from(manifest: &str) -> Self {
        Self::new(manifest)
    }
}

impl From<String> for AppOptions {
    fn from(manifest: String) -> Self {
        Self::new(manifest)
    }
}

/// Replaces `${wasm:NAME}` and `${dir}` in a manifest.
fn expand(manifest: &str, dir: &Path) -> String {
    let mut out = String::new();
    let mut rest = manifest;
    while let Some(start) = rest.find("${wasm:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "${wasm:".len()..];
        let end = after
            .find('}')
            .unwrap_or_else(|| panic!("unclosed ${{wasm:...}} in manifest"));
        out.push_str(&wasm(&after[..end]).display().to_string());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out.replace("${dir}", &dir.display().to_string())
}

/// A running `hub-runner` (killed on drop).
#[derive(Debug)]
pub struct App {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `http://<addr>`.
    pub base_url: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
    dir: TempDir,
}

/// How a start attempt ended.
#[derive(Debug)]
pub enum Launch {
    /// The runner is serving.
    Ready(App),
    /// The runner exited before serving.
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// Everything it wrote to stderr.
        stderr: String,
        /// Everything it wrote to stdout.
        stdout: String,
    },
}

/// Starts the runner and waits until it serves; panics (with its stderr) when it does not.
pub fn spawn_app(options: impl Into<AppOptions>) -> App {
    match launch(options) {
        Launch::Ready(app) => app,
        Launch::Exited { status, stderr, .. } => {
            panic!("hub-runner exited before serving ({status}); its stderr:\n{stderr}")
        }
    }
}

/// Starts the runner and waits until it serves or exits.
pub fn launch(options: impl Into<AppOptions>) -> Launch {
    let options = options.into();
    let runner = runner_binary();
    let dir = TempDir::new("app");
    for (relative, content) in &options.files {
        dir.write(relative, content);
    }
    let manifest_path = dir.write("spin.toml", expand(&options.manifest, dir.path()));
    let cache = target_dir().join("hub-tests").join("wasm-cache");

    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(WRAPPER)
        .arg("sh")
        .arg(dir.path())
        .arg(&runner)
        .arg("start")
        .arg("-f")
        .arg(&manifest_path)
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--cache-dir")
        .arg(&cache)
        .args(&options.args)
        .current_dir(dir.path())
        // Only what the test gives: no SPIN_VARIABLE_* leaking in from the caller.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", runner.display()));
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr_pipe = child.stderr.take().expect("piped stderr");

    let stderr = Arc::new(Mutex::new(Vec::new()));
    let stderr_reader = {
        let stderr = stderr.clone();
        std::thread::spawn(move || {
            let mut pipe = stderr_pipe;
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                stderr
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
        })
    };

    let stdout_text = Arc::new(Mutex::new(String::new()));
    let (ready_tx, ready_rx) = mpsc::channel();
    let stdout_reader = {
        let stdout_text = stdout_text.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix(READY_PREFIX) {
                    let _ = ready_tx.send(addr.trim().to_owned());
                }
                let mut text = stdout_text.lock().unwrap_or_else(|p| p.into_inner());
                text.push_str(&line);
                text.push('\n');
            }
        })
    };

    let mut app = App {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        base_url: String::new(),
        child,
        stdin,
        stderr,
        stderr_reader: Some(stderr_reader),
        dir,
    };
    match ready_rx.recv_timeout(START_TIMEOUT) {
        Ok(addr) => {
            app.addr = addr
                .parse()
                .unwrap_or_else(|e| panic!("runner printed an invalid address {addr:?}: {e}"));
            app.base_url = format!("http://{}", app.addr);
            Launch::Ready(app)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // stdout closed without the line: the runner has exited.
            let _ = stdout_reader.join();
            let status = app.shutdown();
            let stderr = app.log();
            let stdout = stdout_text
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            Launch::Exited {
                status,
                stderr,
                stdout,
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            app.shutdown();
            panic!(
                "hub-runner did not start serving within {START_TIMEOUT:?}; its stderr:\n{}",
                app.log()
            )
        }
    }
}

impl App {
    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The folder of the manifest (`${dir}`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What the runner has written to stderr so far (its log, and the components' stderr).
    pub fn log(&self) -> String {
        let bytes = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Waits until the log (see [`App::log`]) contains `text`, which a component may write just
    /// after its response; panics after `within`.
    pub async fn logged(&self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.log().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no {text:?} in the log within {within:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Asks the runner to shut down gracefully (SIGTERM): it stops accepting connections and
    /// lets the requests in flight finish within its grace period.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Waits until the runner refuses new connections (after [`App::terminate`]); panics when
    /// it still answers after `within`.
    pub async fn until_refusing(&self, within: Duration) {
        let deadline = std::time::Instant::now() + within;
        loop {
            let refused = crate::client()
                .get(self.url("/"))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_err();
            if refused {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "new connections still accepted {within:?} into the shutdown"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the runner to exit by itself (after [`App::terminate`]); its exit status and
    /// complete stderr.
    pub fn wait_exit(mut self) -> (ExitStatus, String) {
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("waiting for hub-runner: {e}"));
        drop(self.stdin.take());
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        (status, self.log())
    }

    /// Stops the runner and returns its complete stderr.
    pub fn stop(mut self) -> String {
        self.shutdown();
        self.log()
    }

    /// Kills the runner (closing the wrapper's stdin), waits for it and for its stderr.
    fn shutdown(&mut self) -> ExitStatus {
        drop(self.stdin.take());
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("waiting for hub-runner: {e}"));
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            self.shutdown();
        }
    }
}
