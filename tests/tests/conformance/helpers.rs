//! What the conformance tests share: the main conformance app (one runner for every test that
//! does not need its own flags), the limits app, and request helpers.

use std::sync::OnceLock;

use serde_json::{Value, json};

pub use hub_tests::{App, AppOptions, Launch, TestDb, Upstream, client, launch, spawn_app};

/// The main manifest: one public component (`conf`) on several routes, one private component
/// (`backend`) reachable only through service chaining, variables of every kind, a `files` mount,
/// and outbound HTTP allowed through a `{{ variable }}` template.
pub const MAIN_MANIFEST: &str = r#"
spin_manifest_version = 2

[application]
name = "conformance"
version = "0.1.0"

[variables]
upstream_port = { required = true }
greeting = { default = "hello" }
overridden = { default = "from-default" }
api_key = { required = true, secret = true }
pg_allowed = { required = true }

[[trigger.http]]
route = "/conf/..."
component = "conf"

[[trigger.http]]
route = "/prec/..."
component = "conf"

[[trigger.http]]
route = "/prec/items/..."
component = "conf"

[[trigger.http]]
route = "/prec/items/:id"
component = "conf"

[[trigger.http]]
route = "/prec/items/special"
component = "conf"

[[trigger.http]]
route = "/prec/users/:user/posts/:post"
component = "conf"

[[trigger.http]]
route = "/prec/exact"
component = "conf"

[[trigger.http]]
route = { private = true }
component = "backend"

[component.conf]
source = "${wasm:hub_conformance}"
files = [{ source = "assets", destination = "/assets" }]
allowed_outbound_hosts = [
    "http://127.0.0.1:{{ upstream_port }}",
    "http://*.spin.internal",
    "{{ pg_allowed }}",
]

[component.conf.variables]
greeting = "{{ greeting }}"
overridden = "{{ overridden }}"
composed = "port-{{ upstream_port }}-{{ greeting }}"
api_key = "{{ api_key }}"

[component.backend]
source = "${wasm:hub_conformance}"
"#;

/// The main app and the fake services it talks to.
pub struct Main {
    pub app: App,
    /// Allowed by `allowed_outbound_hosts` (through the `upstream_port` variable).
    pub upstream: Upstream,
    /// Not allowed: a request to it must be refused before it is contacted.
    pub denied: Upstream,
    /// The value of the secret `api_key`.
    pub api_key: String,
}

/// The main app's largest accepted request body.
pub const MAIN_MAX_BODY_MIB: usize = 1;

/// The main app, started on first use and shared by the tests that do not interfere.
pub fn main_app() -> &'static Main {
    static MAIN: OnceLock<Main> = OnceLock::new();
    MAIN.get_or_init(|| {
        let upstream = Upstream::start("upstream");
        let denied = Upstream::start("denied");
        let api_key = format!("sk-{}", uuid::Uuid::new_v4().simple());
        let app = spawn_app(
            AppOptions::new(MAIN_MANIFEST)
                .variable("upstream_port", upstream.addr().port().to_string())
                .variable("overridden", "from-env")
                .variable("api_key", api_key.clone())
                .variable("pg_allowed", TestDb::allowed_host())
                .file("assets/hello.txt", "hello from a mounted file\n")
                .args(["--max-body-mib", &MAIN_MAX_BODY_MIB.to_string()]),
        );
        Main {
            app,
            upstream,
            denied,
            api_key,
        }
    })
}

/// Memory and time limits of the limits app.
pub const LIMIT_MEMORY_MIB: usize = 48;
pub const LIMIT_TIMEOUT_SECS: u64 = 2;

/// An app with small per-request memory and time limits.
pub fn limits_app() -> &'static App {
    static LIMITS: OnceLock<App> = OnceLock::new();
    LIMITS.get_or_init(|| {
        spawn_app(
            AppOptions::new(
                r#"
spin_manifest_version = 2
[application]
name = "limits"
[[trigger.http]]
route = "/..."
component = "conf"
[component.conf]
source = "${wasm:hub_conformance}"
"#,
            )
            .args([
                "--max-memory-mib",
                &LIMIT_MEMORY_MIB.to_string(),
                "--request-timeout-secs",
                &LIMIT_TIMEOUT_SECS.to_string(),
            ]),
        )
    })
}

/// A response: status, content type and body (parsed as JSON when it is JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub text: String,
}

impl Reply {
    /// The body as JSON; panics showing the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("expected JSON ({e}), got {} {:?}", self.status, self.text))
    }

    async fn from(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("reading the response body");
        Self {
            status,
            content_type,
            text,
        }
    }
}

/// `GET url`.
pub async fn get(url: &str) -> Reply {
    let response = client()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    Reply::from(response).await
}

/// `POST url` with `body`.
pub async fn post(url: &str, body: impl Into<reqwest::Body>) -> Reply {
    let response = client()
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    Reply::from(response).await
}

/// `GET url` answered `200` with JSON: the JSON.
pub async fn get_json(url: &str) -> Value {
    let reply = get(url).await;
    assert_eq!(reply.status, 200, "GET {url}: {}", reply.text);
    reply.json()
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A `query` step for `POST pg`.
pub fn query(sql: &str, params: Value) -> Value {
    json!({ "op": "query", "sql": sql, "params": params })
}

/// An `execute` step for `POST pg`.
pub fn execute(sql: &str, params: Value) -> Value {
    json!({ "op": "execute", "sql": sql, "params": params })
}

/// Runs `steps` on one connection to `db` through `app`'s conformance component; returns the
/// per-step results.
pub async fn pg_steps(app: &App, db: &TestDb, steps: Vec<Value>) -> Vec<Value> {
    let body = json!({ "url": db.url(), "steps": steps });
    let reply = post(&app.url("/conf/pg"), body.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let value = reply.json();
    match value.get("steps").and_then(Value::as_array) {
        Some(steps) => steps.clone(),
        None => panic!("pg failed before running steps: {value}"),
    }
}

/// The rows of a successful `query` step result; panics with the result otherwise.
pub fn rows(step: &Value) -> &Value {
    match step.get("rows") {
        Some(rows) => rows,
        None => panic!("expected rows, got {step}"),
    }
}

/// The error of a failed step; panics with the result otherwise.
pub fn error(step: &Value) -> &Value {
    match step.get("error") {
        Some(e) => e,
        None => panic!("expected an error, got {step}"),
    }
}
