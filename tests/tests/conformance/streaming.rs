//! Streaming responses reach the client as the component writes them, not all at the end.

use std::time::{Duration, Instant};

use crate::helpers::main_app;

#[tokio::test]
async fn sse_events_arrive_one_by_one() {
    const EVENTS: usize = 5;
    const DELAY_MS: u64 = 300;
    let main = main_app();
    let started = Instant::now();
    let mut response = hub_tests::client()
        .get(
            main.app
                .url(&format!("/conf/sse?n={EVENTS}&delay_ms={DELAY_MS}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "text/event-stream");

    let mut buffer = String::new();
    let mut events = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        let now = started.elapsed();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            events.push((now, event));
        }
    }
    assert!(buffer.is_empty(), "incomplete trailing event: {buffer:?}");
    assert_eq!(events.len(), EVENTS, "{events:?}");
    for (i, (_, event)) in events.iter().enumerate() {
        assert!(
            event.contains(&format!("data: {{\"n\":{i}}}")),
            "event {i}: {event:?}"
        );
    }
    let first = events[0].0;
    let last = events[EVENTS - 1].0;
    // 4 pauses of 300 ms lie between the first and the last event: buffered, they would arrive
    // together.
    assert!(
        first + Duration::from_millis(600) < last,
        "events were not streamed: first at {first:?}, last at {last:?}"
    );
}

/// One public route to the conformance component.
const SSE_MANIFEST: &str = r#"
spin_manifest_version = 2

[application]
name = "shutdown"
version = "0.1.0"

[[trigger.http]]
route = "/conf/..."
component = "conf"

[component.conf]
source = "${wasm:hub_conformance}"
"#;

#[tokio::test]
async fn a_graceful_shutdown_lets_a_stream_in_flight_finish() {
    const EVENTS: usize = 6;
    let app = hub_tests::spawn_app(
        hub_tests::AppOptions::new(SSE_MANIFEST).args(["--shutdown-grace-secs", "20"]),
    );
    let mut response = hub_tests::client()
        .get(app.url(&format!("/conf/sse?n={EVENTS}&delay_ms=300")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut body = String::from_utf8(response.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(body.contains("\"n\":0"), "{body}");

    app.terminate();
    // The listener closes at once: a new connection is refused while the stream goes on.
    app.until_refusing(Duration::from_secs(5)).await;
    while let Some(chunk) = response.chunk().await.unwrap() {
        body.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    for i in 0..EVENTS {
        assert!(
            body.contains(&format!("\"n\":{i}")),
            "event {i} missing: {body}"
        );
    }
    let (status, log) = app.wait_exit();
    assert!(status.success(), "exit {status}; log:\n{log}");
    assert!(log.contains("all connections closed"), "{log}");
}
