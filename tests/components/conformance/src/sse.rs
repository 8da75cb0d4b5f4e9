//! `GET sse?n=5&delay_ms=300`: a streamed `text/event-stream` response, one event per chunk,
//! each flushed before a real pause, so a client sees them arrive one by one.

use futures::SinkExt;
use spin_sdk::http::ResponseOutparam;

use crate::query::Query;
use crate::respond;

pub async fn stream(query: &Query, out: ResponseOutparam) {
    let count = query.number("n", 5);
    let delay = std::time::Duration::from_millis(query.number("delay_ms", 300));
    let response = respond::head(200, "text/event-stream");
    let mut body = response.take_body();
    out.set(response);
    for i in 0..count {
        if i > 0 {
            std::thread::sleep(delay);
        }
        let event = format!("id: {i}\nevent: tick\ndata: {{\"n\":{i}}}\n\n");
        // `send` writes the chunk and waits for its flush.
        body.send(event.into_bytes()).await.expect("event written");
    }
    body.close().await.expect("stream closed");
}
