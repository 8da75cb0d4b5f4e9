//! Component variables: from the environment (`SPIN_VARIABLE_*`), defaults, templates, missing
//! and invalid names, per-component scoping.

use crate::helpers::{encode, get_json, main_app};

async fn var(name: &str) -> serde_json::Value {
    get_json(
        &main_app()
            .app
            .url(&format!("/conf/var?name={}", encode(name))),
    )
    .await
}

#[tokio::test]
async fn present_variables_have_their_values() {
    let main = main_app();
    assert_eq!(
        var("greeting").await,
        serde_json::json!({ "value": "hello" })
    );
    // The environment overrides the default.
    assert_eq!(
        var("overridden").await,
        serde_json::json!({ "value": "from-env" })
    );
    let port = main.upstream.addr().port();
    assert_eq!(
        var("composed").await,
        serde_json::json!({ "value": format!("port-{port}-hello") })
    );
    // A secret is readable by the component it is given to.
    assert_eq!(
        var("api_key").await,
        serde_json::json!({ "value": main.api_key })
    );
}

#[tokio::test]
async fn missing_and_invalid_variables_are_errors() {
    let reply = var("not_declared").await;
    assert_eq!(reply["error"]["kind"], "undefined", "{reply}");
    // An application variable is not a component variable unless the component maps it.
    let reply = var("upstream_port").await;
    assert_eq!(reply["error"]["kind"], "undefined", "{reply}");
    let reply = var("Bad-Name").await;
    assert_eq!(reply["error"]["kind"], "invalid_name", "{reply}");
}

#[tokio::test]
async fn variables_are_scoped_to_their_component() {
    let main = main_app();
    let path = encode("/var?name=greeting");
    let reply = get_json(
        &main
            .app
            .url(&format!("/conf/chain?target=backend&path={path}")),
    )
    .await;
    assert_eq!(reply["status"], 200, "{reply}");
    let inner: serde_json::Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
    assert_eq!(inner["error"]["kind"], "undefined", "{inner}");
}

#[tokio::test]
async fn files_mount_is_readable_and_nothing_else() {
    let main = main_app();
    let reply = get_json(&main.app.url("/conf/file?path=/assets/hello.txt")).await;
    assert_eq!(reply["content"], "hello from a mounted file\n", "{reply}");
    for outside in ["/etc/passwd", "/assets/../../etc/passwd", "/spin.toml"] {
        let reply = crate::helpers::get(
            &main
                .app
                .url(&format!("/conf/file?path={}", encode(outside))),
        )
        .await;
        assert_eq!(reply.status, 404, "{outside} was readable: {}", reply.text);
    }
}

/// A secret passes through the runner (a component reads it, a database connection uses it,
/// requests fail around it) and never shows up in the runner's output, even at debug level.
#[tokio::test]
async fn secret_values_never_appear_in_the_log() {
    use crate::helpers::{AppOptions, TestDb, spawn_app};

    let db = TestDb::create().await;
    let api_key = format!("sk-secret-{}", uuid::Uuid::new_v4().simple());
    let manifest = r#"
spin_manifest_version = 2
[application]
name = "secrets"
[variables]
api_key = { required = true, secret = true }
db_url = { required = true, secret = true }
pg_allowed = { required = true }
[[trigger.http]]
route = "/conf/..."
component = "conf"
[component.conf]
source = "${wasm:hub_conformance}"
allowed_outbound_hosts = ["{{ pg_allowed }}"]
[component.conf.variables]
api_key = "{{ api_key }}"
db_url = "{{ db_url }}"
"#;
    let app = spawn_app(
        AppOptions::new(manifest)
            .variable("api_key", api_key.clone())
            .variable("db_url", db.url())
            .variable("pg_allowed", TestDb::allowed_host())
            .env("HUB_LOG", "debug"),
    );
    let reply = get_json(&app.url("/conf/var?name=api_key")).await;
    assert_eq!(reply["value"], api_key);
    // The default database URL is the secret variable `db_url`.
    let script = serde_json::json!({ "steps": [
        { "op": "query", "sql": "SELECT current_database()::text AS db", "params": [] },
        { "op": "query", "sql": "SELECT * FROM no_such_table", "params": [] },
    ]});
    let reply = crate::helpers::post(&app.url("/conf/pg"), script.to_string()).await;
    let reply = reply.json();
    assert_eq!(
        reply["steps"][0]["rows"]["rows"][0][0]["str"],
        db.name(),
        "{reply}"
    );
    assert_eq!(
        reply["steps"][1]["error"]["db_error"]["code"], "42P01",
        "{reply}"
    );
    let denied = encode("http://127.0.0.1:1/x");
    get_json(&app.url(&format!("/conf/outbound?url={denied}"))).await;
    crate::helpers::get(&app.url("/conf/trap")).await;

    let log = app.stop();
    assert!(log.contains("request"), "the log was not captured: {log}");
    let url = db.url();
    let password = url::Url::parse(&url)
        .unwrap()
        .password()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !log.contains(&api_key),
        "api_key leaked into the log:\n{log}"
    );
    assert!(!log.contains(&url), "db_url leaked into the log:\n{log}");
    if password.len() >= 6 {
        assert!(
            !log.contains(&password),
            "the database password leaked into the log:\n{log}"
        );
    }
}
