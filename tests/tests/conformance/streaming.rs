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
