//! Our side of the stream: server-sent events to the browser, keep-alive comments while the
//! provider is silent, and a client that may go away at any time.

use std::pin::Pin;

use futures::{Sink, SinkExt};
use hub_api::ChatEvent;
use hub_component::log;
use spin_sdk::http::{Fields, OutgoingResponse};

/// The response head of a stream: headers that keep proxies from buffering or caching it.
pub fn head() -> Result<OutgoingResponse, String> {
    let headers = [
        ("content-type", "text/event-stream; charset=utf-8"),
        ("cache-control", "no-cache, no-store"),
        ("x-accel-buffering", "no"),
    ]
    .map(|(name, value)| (name.to_owned(), value.as_bytes().to_vec()));
    let fields = Fields::from_list(&headers).map_err(|e| format!("{e:?}"))?;
    let response = OutgoingResponse::new(fields);
    response
        .set_status_code(200)
        .map_err(|()| "status 200 refused".to_owned())?;
    Ok(response)
}

/// One event: `event: <name>` and its JSON on one `data:` line (JSON escapes line breaks).
pub fn event(event: &ChatEvent) -> Vec<u8> {
    let name = event.name();
    let json = event.data_json().unwrap_or_else(|e| {
        log::error("chat", format_args!("event {name} not serialisable: {e}"));
        "{}".to_owned()
    });
    format!("event: {name}\ndata: {json}\n\n").into_bytes()
}

/// The comment sent while waiting, so that proxies and browsers keep the connection.
pub const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// The events going to the client. Once a write fails (the client went away) nothing more is
/// written, and the answer goes on to be completed and stored.
pub struct Events<S> {
    sink: Pin<Box<S>>,
    open: bool,
}

impl<S: Sink<Vec<u8>>> Events<S> {
    /// Events written to `sink` (the response body).
    pub fn new(sink: S) -> Self {
        Self {
            sink: Box::pin(sink),
            open: true,
        }
    }

    /// Whether the client is still there (as far as the last write knows).
    pub fn client_connected(&self) -> bool {
        self.open
    }

    /// Sends `event`.
    pub async fn send(&mut self, event: ChatEvent) {
        self.write(self::event(&event)).await;
    }

    /// Sends a keep-alive comment.
    pub async fn keep_alive(&mut self) {
        self.write(KEEP_ALIVE.to_vec()).await;
    }

    async fn write(&mut self, bytes: Vec<u8>) {
        if self.open && self.sink.send(bytes).await.is_err() {
            log::warn(
                "chat",
                "the client went away; the answer is still completed and stored",
            );
            self.open = false;
        }
    }

    /// Ends the body.
    pub async fn close(mut self) {
        if self.open {
            let _ = self.sink.close().await;
        }
    }
}

pub use hub_component::upstream::Sleep;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_one_data_line_of_json() {
        let bytes = event(&ChatEvent::Delta(hub_api::DeltaEvent {
            text: "a\nb\r\n\n: x".to_owned(),
        }));
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "event: delta\ndata: {\"text\":\"a\\nb\\r\\n\\n: x\"}\n\n"
        );
        assert_eq!(text.matches('\n').count(), 3);
    }
}
