//! Failing requests fail alone: traps, memory and time limits, and load.

use std::time::{Duration, Instant};

use crate::helpers::{
    LIMIT_MEMORY_MIB, LIMIT_TIMEOUT_SECS, get, get_json, limits_app, main_app, post,
};

#[tokio::test]
async fn a_trap_is_a_json_500_and_the_next_request_is_served() {
    let main = main_app();
    let reply = get(&main.app.url("/conf/trap")).await;
    assert_eq!(reply.status, 500, "{}", reply.text);
    assert!(
        reply.content_type.starts_with("application/json"),
        "{}",
        reply.content_type
    );
    let body = reply.json();
    assert_eq!(body["error"]["code"], "internal", "{body}");
    assert!(
        !reply.text.contains("deliberate trap"),
        "internal details were sent: {}",
        reply.text
    );
    let body = get_json(&main.app.url("/conf/headers")).await;
    assert_eq!(body["method"], "GET");
}

#[tokio::test]
async fn memory_limit_traps_an_over_allocating_request_only() {
    let app = limits_app();
    let modest = LIMIT_MEMORY_MIB / 4;
    let reply = get_json(&app.url(&format!("/alloc?mib={modest}"))).await;
    assert_eq!(reply["allocated_bytes"], modest << 20, "{reply}");

    let reply = get(&app.url(&format!("/alloc?mib={}", LIMIT_MEMORY_MIB * 2))).await;
    assert_eq!(
        reply.status, 500,
        "allocating twice the limit succeeded: {}",
        reply.text
    );
    assert_eq!(reply.json()["error"]["code"], "internal", "{}", reply.text);

    // The limit is per request: the same modest request passes again.
    let reply = get_json(&app.url(&format!("/alloc?mib={modest}"))).await;
    assert_eq!(reply["allocated_bytes"], modest << 20, "{reply}");
}

#[tokio::test]
async fn time_limit_stops_a_busy_loop() {
    let app = limits_app();
    let started = Instant::now();
    let reply = get(&app.url("/spin?ms=60000")).await;
    let took = started.elapsed();
    assert_eq!(reply.status, 500, "{}", reply.text);
    assert_eq!(reply.json()["error"]["code"], "timeout", "{}", reply.text);
    let limit = Duration::from_secs(LIMIT_TIMEOUT_SECS);
    assert!(took >= limit, "stopped before the limit: {took:?}");
    assert!(
        took < limit + Duration::from_secs(8),
        "not stopped in time: {took:?}"
    );

    // A short loop under the same limit passes.
    let reply = get_json(&app.url("/spin?ms=20")).await;
    assert!(reply["rounds"].as_u64().unwrap_or(0) >= 1, "{reply}");
}

#[tokio::test]
async fn fifty_concurrent_requests_all_succeed() {
    let main = main_app();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50usize {
        let url = main.app.url("/conf/echo");
        tasks.spawn(async move {
            // Each body has its own length, so answers cannot be mixed up unnoticed.
            let body = vec![b'x'; 1000 + i * 37];
            let reply = post(&url, body).await;
            (i, reply)
        });
    }
    let mut failures = Vec::new();
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, reply) = joined.unwrap();
        done += 1;
        let ok = reply.status == 200
            && serde_json::from_str::<serde_json::Value>(&reply.text)
                .map(|v| v["length"] == 1000 + i * 37)
                .unwrap_or(false);
        if !ok {
            failures.push(format!("request {i}: {} {}", reply.status, reply.text));
        }
    }
    assert_eq!(done, 50);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
