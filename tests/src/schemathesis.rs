//! Property-based tests of the whole HTTP API: schemathesis (installed into `.data/venv` by
//! `HUB_SETUP_SCHEMATHESIS=1 scripts/setup.sh`) generates requests from `docs/openapi.yaml`, valid
//! and invalid ones, sends them to a hub and checks every answer against the document.
//!
//! [`Target::seed`] prepares a hub over its API: a user with a bearer token, chats and spare
//! sessions whose ids schemathesis draws for the path parameters (so that requests reach real
//! resources, not only 404s), the enabled models for the `model` fields. [`run`] writes the
//! configuration next to the reports and runs the CLI; [`Report`] reads its JSON report.
//!
//! Nothing a run does may end the test user's session (the answers would all be 401 from then
//! on): `revokeSession` only gets the spare sessions' ids or generated ones (values captured from
//! answers, such as the current session's id from the session list, are off for it), the
//! password cannot change (the current password is never generated), and the refresh token of
//! the session never appears in an answer the run sees. [`Target::still_authenticated`] checks
//! it afterwards.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{client, workspace_root};

/// The checks of every run: no 5xx outside the document, documented statuses, content types,
/// bodies and headers, and invalid input refused.
pub const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_schema_conformance,response_headers_conformance,negative_data_rejection";

/// The schemathesis CLI: `HUB_SCHEMATHESIS`, else `.data/venv/bin/schemathesis`. Panics with
/// the command that installs it when it is missing.
pub fn binary() -> PathBuf {
    let path = std::env::var_os("HUB_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".data/venv/bin/schemathesis"));
    assert!(
        path.is_file(),
        "schemathesis is not installed at {}: run `HUB_SETUP_SCHEMATHESIS=1 scripts/setup.sh` \
         (scripts/test.sh does)",
        path.display()
    );
    path
}

/// A hub prepared for a run.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://host:port`, without a trailing slash.
    pub base_url: String,
    /// The test user's access token.
    pub token: String,
    /// Chats of the test user, for reading, changing and sending messages.
    pub chats: Vec<String>,
    /// Chats of the test user, for deleting.
    pub spare_chats: Vec<String>,
    /// Other sessions of the test user, for revoking.
    pub spare_sessions: Vec<String>,
    /// The enabled models' ids.
    pub models: Vec<String>,
}

/// How the test user comes to be.
#[derive(Debug, Clone, Copy)]
pub enum Account<'a> {
    /// Registers (open registration) with this email and password.
    Register(&'a str, &'a str),
    /// Logs in with this email and password (an existing account, a bootstrap admin).
    Login(&'a str, &'a str),
}

/// `method url` with `body` and `token`: the status and the JSON body (`Null` when empty).
async fn call(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client().request(method.clone(), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

/// The `items` of the list at `url` (a 200 with `token`).
async fn items(url: &str, token: &str) -> Vec<Value> {
    let (status, body) = call(reqwest::Method::GET, url, Some(token), None).await;
    assert_eq!(status, 200, "{url}: {body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

impl Target {
    /// Makes the test user (`account`), and gives them `chats` chats, as many spare chats, and
    /// two spare sessions, at `base_url`.
    pub async fn seed(base_url: &str, account: Account<'_>, chats: usize) -> Self {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let url = |path: &str| format!("{base_url}{path}");
        let (path, email, password, created) = match account {
            Account::Register(email, password) => ("/api/auth/register", email, password, 201),
            Account::Login(email, password) => ("/api/auth/login", email, password, 200),
        };
        let credentials = json!({ "email": email, "password": password });
        let (status, body) = call(
            reqwest::Method::POST,
            &url(path),
            None,
            Some(credentials.clone()),
        )
        .await;
        assert_eq!(status, created, "{path}: {body}");
        let token = body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();

        for _ in 0..2 {
            let (status, body) = call(
                reqwest::Method::POST,
                &url("/api/auth/login"),
                None,
                Some(credentials.clone()),
            )
            .await;
            assert_eq!(status, 200, "login: {body}");
        }
        let spare_sessions: Vec<String> = items(&url("/api/auth/sessions"), &token)
            .await
            .iter()
            .filter(|s| s["current"] == false)
            .map(|s| s["id"].as_str().expect("session id").to_owned())
            .collect();
        assert_eq!(spare_sessions.len(), 2, "{spare_sessions:?}");
        let models: Vec<String> = items(&url("/api/models"), &token)
            .await
            .iter()
            .map(|m| m["id"].as_str().expect("model id").to_owned())
            .collect();
        assert!(!models.is_empty(), "no enabled model");

        let mut ids = Vec::new();
        for n in 0..2 * chats {
            let (status, body) = call(
                reqwest::Method::POST,
                &url("/api/chats"),
                Some(&token),
                Some(json!({ "title": format!("seeded {n}") })),
            )
            .await;
            assert_eq!(status, 201, "create chat: {body}");
            ids.push(body["id"].as_str().expect("chat id").to_owned());
        }
        let spare_chats = ids.split_off(chats);
        Self {
            base_url,
            token,
            chats: ids,
            spare_chats,
            spare_sessions,
            models,
        }
    }

    /// Whether the test user's token still works (no request of the run ended its session).
    pub async fn still_authenticated(&self) -> bool {
        let url = format!("{}/api/auth/me", self.base_url);
        call(reqwest::Method::GET, &url, Some(&self.token), None)
            .await
            .0
            == 200
    }

    /// How many messages the seeded chats hold now (requests that reached a real chat).
    pub async fn seeded_messages(&self) -> usize {
        let mut total = 0;
        for id in &self.chats {
            let url = format!("{}/api/chats/{id}", self.base_url);
            let (status, body) = call(reqwest::Method::GET, &url, Some(&self.token), None).await;
            if status == 200 {
                total += body["messages"].as_array().map_or(0, Vec::len);
            }
        }
        total
    }
}

/// How much and how long a run generates.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Test cases per operation and phase (`--max-examples`).
    pub max_examples: u32,
    /// The seed (`--seed`): the same seed on the same hub state gives the same requests.
    pub seed: u64,
    /// Deterministic generation (`generation.deterministic`): the same requests on every run,
    /// whatever the seed.
    pub deterministic: bool,
    /// `--phases`.
    pub phases: &'static str,
    /// `--max-time`: phases repeat until it is spent (`None`: one pass, bounded by
    /// `max_examples`).
    pub max_time_secs: Option<u64>,
    /// Concurrent workers (`--workers`).
    pub workers: u32,
    /// Where the configuration, the reports and the output go.
    pub report_dir: PathBuf,
    /// The run is killed, and fails, after this long.
    pub deadline: Duration,
    /// Which operations of the document.
    pub operations: Operations,
}

/// The operations a run covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operations {
    /// Every one.
    All,
    /// The users' API but `deleteChat`, on a hub that no admin request has changed: admin
    /// requests may disable models or make a generated one the default, and `deleteChat` may
    /// delete the seeded chats, after which no message reaches a chat.
    Users,
    /// The rest: the admin API (`/api/admin/...`) and `/api/chats/{id}` (`deleteChat` with
    /// `getChat` and `updateChat` again).
    Admin,
}

/// The configuration file of a run: the bearer token, the seeded ids as dictionaries bound to
/// the path parameters and `model` fields, no captured answer values for `revokeSession`.
pub fn config(target: &Target, profile: &Profile) -> String {
    let list = |values: &[String]| {
        let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    format!(
        r#"# Written by hub-tests (tests/src/schemathesis.rs) for one run.
color = false
seed = {seed}
workers = {workers}
request-timeout = 60
continue-on-failure = true

[headers]
Authorization = "Bearer {token}"

[cache]
enabled = false

# A body over the size limit is refused with 413 before it is read (the status is documented
# for every operation with a body), whatever else is wrong with it.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]

[generation]
deterministic = {deterministic}
database = "none"
max-examples = {max_examples}

[dictionaries.chats]
values = {chats}

[dictionaries.spare_chats]
values = {spare_chats}

[dictionaries.spare_sessions]
values = {spare_sessions}

[dictionaries.models]
values = {models}

[[operations]]
include-operation-id = ["getChat", "updateChat", "sendMessage"]
parameters = {{ "path.id" = {{ dictionary = "chats", probability = 0.6 }}, "body.model" = {{ dictionary = "models", probability = 0.5 }} }}

[[operations]]
include-operation-id = "createChat"
parameters = {{ "body.model" = {{ dictionary = "models", probability = 0.5 }} }}

[[operations]]
include-operation-id = "deleteChat"
parameters = {{ "path.id" = {{ dictionary = "spare_chats", probability = 0.5 }} }}

# The session list shows the current session's id: captured from it, a revoke would end the run's
# own session.
[[operations]]
include-operation-id = "revokeSession"
parameters = {{ "path.id" = {{ dictionary = "spare_sessions", probability = 0.5 }} }}
phases.examples.extra-data-sources.responses = false
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false
phases.stateful.enabled = false
"#,
        seed = profile.seed,
        workers = profile.workers,
        deterministic = profile.deterministic,
        token = target.token,
        max_examples = profile.max_examples,
        chats = list(&target.chats),
        spare_chats = list(&target.spare_chats),
        spare_sessions = list(&target.spare_sessions),
        models = list(&target.models),
    )
}

/// What a run gave.
#[derive(Debug)]
pub struct Report {
    /// Whether the CLI exited with 0.
    pub success: bool,
    /// Its output (stdout and stderr), the human report.
    pub output: String,
    /// Its JSON report (`Null` when it wrote none).
    pub json: Value,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Report {
    /// Operations selected for the run, and tested.
    pub fn operations(&self) -> (u64, u64) {
        let ops = &self.json["operations"];
        (
            ops["selected"].as_u64().unwrap_or(0),
            ops["tested"].as_u64().unwrap_or(0),
        )
    }

    /// Test cases generated.
    pub fn test_cases(&self) -> u64 {
        self.json["test_cases"]["generated"].as_u64().unwrap_or(0)
    }

    /// A one-line summary.
    pub fn summary(&self) -> String {
        let (total, tested) = self.operations();
        format!(
            "schemathesis: {tested} of {total} operations, {} test cases, {:.1} s, {} failure groups, {} errors",
            self.test_cases(),
            self.elapsed.as_secs_f64(),
            self.json["failures"].as_array().map_or(0, Vec::len),
            self.json["errors"].as_array().map_or(0, Vec::len),
        )
    }
}

/// Runs schemathesis with `profile` against `target`, with [`CHECKS`] on every operation of
/// `docs/openapi.yaml`. Writes `schemathesis.toml`, `output.txt`, `report.json` and
/// `junit.xml` into the profile's report folder (created; emptied first).
pub fn run(target: &Target, profile: &Profile) -> Report {
    let dir = &profile.report_dir;
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap_or_else(|e| panic!("emptying {}: {e}", dir.display()));
    }
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    let config_path = dir.join("schemathesis.toml");
    std::fs::write(&config_path, config(target, profile)).expect("writing schemathesis.toml");

    let mut command = Command::new(binary());
    command
        .arg("--config-file")
        .arg(&config_path)
        .arg("run")
        .arg(workspace_root().join("docs/openapi.yaml"))
        .args(["--url", &target.base_url])
        .args(["--checks", CHECKS])
        .args(["--phases", profile.phases])
        .args(["--report", "json,junit"])
        .arg("--report-dir")
        .arg(dir)
        .arg("--report-json-path")
        .arg(dir.join("report.json"))
        .arg("--report-junit-path")
        .arg(dir.join("junit.xml"))
        .arg("--no-color");
    if let Some(secs) = profile.max_time_secs {
        command.args(["--max-time", &secs.to_string()]);
    }
    match profile.operations {
        Operations::All => {}
        Operations::Users => {
            command.args(["--exclude-path-regex", "^/api/admin/"]);
            command.args(["--exclude-operation-id", "deleteChat"]);
        }
        Operations::Admin => {
            command.args(["--include-path-regex", r"^/api/admin/|^/api/chats/\{id\}$"]);
        }
    }
    // Hypothesis keeps its own folder in the working directory.
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120");
    let started = Instant::now();
    let (success, output) =
        run_with_deadline(&mut command, profile.deadline, &dir.join("output.txt"));
    let elapsed = started.elapsed();
    let json = std::fs::read(dir.join("report.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    Report {
        success,
        output,
        json,
        elapsed,
    }
}

/// Runs `command` with its output (both streams) into `log`; kills it after `deadline`.
/// Whether it exited with 0, and its output.
fn run_with_deadline(command: &mut Command, deadline: Duration, log: &Path) -> (bool, String) {
    let file = std::fs::File::create(log).expect("creating the output file");
    let err = file.try_clone().expect("cloning the output file");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for schemathesis") {
            break Some(status);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut output = String::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        let _ = f.read_to_string(&mut output);
    }
    match status {
        Some(status) => (status.success(), output),
        None => (
            false,
            format!("{output}\n\nKILLED: schemathesis ran longer than {deadline:?}\n"),
        ),
    }
}
