//! `GET /api/health` of the real app (`spin.toml`, the real `admin` component, real PostgreSQL):
//! ok with the database up, 503 while it is stopped, ok again once it is back — without restarting
//! the runner — and 503 on a database that has not been migrated.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use hub_tests::{
    App, AppOptions, Cluster, TEST_JWT_SECRET, TestDb, client, hub_manifest, migrate, send,
    send_raw, spawn_app,
};
use serde_json::Value;

fn start_hub(db_url: &str, db_host: &str) -> App {
    spawn_app(
        AppOptions::new(hub_manifest())
            .variable("db_url", db_url)
            .variable("db_host", db_host)
            .variable("jwt_secret", TEST_JWT_SECRET),
    )
}

async fn health(app: &App) -> (u16, Value) {
    let answer = send(client().get(app.url("/api/health"))).await;
    assert_eq!(answer.header("content-type"), Some("application/json"));
    (answer.status, answer.body)
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_the_database_down_and_back_up() {
    let cluster = Cluster::start();
    let db_url = cluster.url("hub");
    migrate(&db_url);
    let app = start_hub(&db_url, &format!("127.0.0.1:{}", cluster.port()));

    let (status, body) = health(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["reachable"], true);
    assert!(
        body["database"]["migration_version"]
            .as_str()
            .is_some_and(|v| v.len() == 14),
        "{body}"
    );
    assert!(
        body["database"]["pgvector_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("0.")),
        "{body}"
    );
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));

    cluster.stop();
    let (status, body) = health(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"]["reachable"], false);
    assert_eq!(body["reason"], "database unreachable");
    assert!(
        !body.to_string().contains(&db_url),
        "the connection string leaked: {body}"
    );

    cluster.restart();
    // The pool's broken connections are replaced on the next request.
    let mut last = (0, Value::Null);
    for _ in 0..20 {
        last = health(&app).await;
        if last.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(last.0, 200, "still unhealthy after restart: {}", last.1);
    assert!(
        !app.log().contains(cluster.url("hub").as_str()),
        "the runner logged the connection string"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_an_unmigrated_database() {
    let db = TestDb::create().await;
    let app = start_hub(
        &db.url(),
        TestDb::allowed_host().trim_start_matches("postgres://"),
    );
    let (status, body) = health(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["database"]["reachable"], true);
    assert_eq!(body["reason"], "database schema not migrated");

    migrate(&db.url());
    let (status, body) = health(&app).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn health_rejects_other_methods_and_the_app_answers_json_404() {
    let db = TestDb::create().await;
    migrate(&db.url());
    let app = start_hub(
        &db.url(),
        TestDb::allowed_host().trim_start_matches("postgres://"),
    );
    let answer = send(client().post(app.url("/api/health"))).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
    assert_eq!(answer.body["error"]["code"], "method_not_allowed");

    let answer = send(client().get(app.url("/api/no-such-route"))).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["error"]["code"], "not_found");

    let page = send_raw(client().get(app.url("/"))).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.bytes);
    // The web app's shell: its root element and its hashed entry script.
    assert!(
        html.contains("<div id=\"root\">") && html.contains("/assets/app-"),
        "{html}"
    );
}
