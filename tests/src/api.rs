//! Driving the hub's HTTP API from tests: JSON answers, users with tokens, and streamed
//! (`text/event-stream`) answers read event by event.

use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use crate::{Hub, client};

/// The password of users made by [`Hub::new_user`] and [`Hub::user`].
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// An answer: status, headers, body.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The JSON body (`Value::Null` when empty, and from [`send_raw`] when the content type is
    /// not JSON).
    pub body: Value,
    /// The body as it came.
    pub bytes: Vec<u8>,
}

impl Answer {
    /// Header `name` as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the documented error shape with `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{:?}", self.body);
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{:?}",
            self.body
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
    }

    /// The string field `name` of the body (a token, an id).
    pub fn token(&self, name: &str) -> String {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.body))
            .to_owned()
    }

    /// Asserts `status` and returns the body.
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{:?}", self.body);
        self.body
    }
}

/// Sends `request` and reads its answer, whose body must be JSON (or empty).
pub async fn send(request: RequestBuilder) -> Answer {
    let (status, headers, bytes) = receive(request).await;
    let body = parse_json(status, &bytes);
    Answer {
        status,
        headers,
        body,
        bytes,
    }
}

/// Sends `request` and reads its answer, whatever its content type (HTML, an event stream):
/// `body` is parsed only when the content type is `application/json`.
pub async fn send_raw(request: RequestBuilder) -> Answer {
    let (status, headers, bytes) = receive(request).await;
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim() == "application/json");
    let body = if is_json {
        parse_json(status, &bytes)
    } else {
        Value::Null
    };
    Answer {
        status,
        headers,
        body,
        bytes,
    }
}

async fn receive(request: RequestBuilder) -> (u16, HeaderMap, Vec<u8>) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

/// The JSON in `bytes` (`Null` when empty); panics when it is not JSON.
fn parse_json(status: u16, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "status {status}: body is not JSON ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// A usage row: (input, output, cached, cost, estimated, ttft_ms).
pub type UsageRow = (i64, i64, i64, String, bool, Option<i32>);

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its `event:` name.
    pub name: String,
    /// Its `data:` as JSON.
    pub data: Value,
    /// When it arrived, since the request was sent.
    pub at: Duration,
}

/// A streamed answer, read to its end.
#[derive(Debug)]
pub struct Stream {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The events in order.
    pub events: Vec<Event>,
    /// How many comment lines (`: keep-alive`) came.
    pub comments: usize,
    /// The body when it was not a stream (an error answer).
    pub body: Value,
}

impl Stream {
    /// The names of the events, in order.
    pub fn names(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.name.as_str()).collect()
    }

    /// The first event called `name`.
    pub fn event(&self, name: &str) -> &Value {
        &self
            .events
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no {name} event in {:?}", self.events))
            .data
    }

    /// The text of the `delta` events, joined.
    pub fn text(&self) -> String {
        self.events
            .iter()
            .filter(|e| e.name == "delta")
            .map(|e| e.data["text"].as_str().unwrap_or_default())
            .collect()
    }

    /// The last event (`done` or `error`).
    pub fn last(&self) -> &Event {
        self.events.last().expect("at least one event")
    }

    /// The id of the answer, from `message_start`.
    pub fn answer_id(&self) -> String {
        self.event("message_start")["assistant_message_id"]
            .as_str()
            .expect("assistant_message_id")
            .to_owned()
    }
}

/// A response body, chunk by chunk.
type BodyStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// A streamed answer being read: its events as they come, then the whole [`Stream`].
pub struct OpenStream {
    stream: Stream,
    /// The body still to be read (`None` once it ended, or when the answer was not a stream).
    body: Option<BodyStream>,
    buffer: String,
    /// How many of the events [`OpenStream::next`] has returned.
    read: usize,
    started: Instant,
}

impl std::fmt::Debug for OpenStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenStream")
            .field("stream", &self.stream)
            .field("open", &self.body.is_some())
            .finish_non_exhaustive()
    }
}

impl OpenStream {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.stream.status
    }

    /// The next event, waiting for it; `None` at the end of the stream. Panics when the
    /// stream stays silent (no event, no comment) for 60 s.
    pub async fn next(&mut self) -> Option<Event> {
        while self.read == self.stream.events.len() {
            let body = self.body.as_mut()?;
            let chunk = tokio::time::timeout(Duration::from_secs(60), body.next())
                .await
                .expect("the stream went silent for 60 s");
            match chunk {
                Some(chunk) => {
                    let text = String::from_utf8_lossy(&chunk.expect("stream chunk")).into_owned();
                    self.buffer.push_str(&text);
                    self.stream.comments +=
                        parse_blocks(&mut self.buffer, self.started, &mut self.stream.events);
                }
                None => {
                    self.body = None;
                    assert!(
                        self.buffer.trim().is_empty(),
                        "unterminated event: {:?}",
                        self.buffer
                    );
                }
            }
        }
        self.read += 1;
        Some(self.stream.events[self.read - 1].clone())
    }

    /// Reads events until one called `name` (returned), panicking when the stream ends first.
    pub async fn until(&mut self, name: &str) -> Event {
        while let Some(event) = self.next().await {
            if event.name == name {
                return event;
            }
        }
        panic!("the stream ended without {name}: {:?}", self.stream.events)
    }

    /// Reads the stream to its end: every event, including those already returned.
    pub async fn finish(mut self) -> Stream {
        while self.next().await.is_some() {}
        self.stream
    }
}

/// Splits complete SSE blocks off `buffer`: events and the number of comment lines.
fn parse_blocks(buffer: &mut String, started: Instant, out: &mut Vec<Event>) -> usize {
    let mut comments = 0;
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let mut name = "message".to_owned();
        let mut data = String::new();
        for line in block.lines() {
            if line.starts_with(':') {
                comments += 1;
            } else if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_owned();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            }
        }
        if !data.is_empty() {
            let data = serde_json::from_str(&data)
                .unwrap_or_else(|e| panic!("event {name}: data is not JSON ({e}): {data}"));
            out.push(Event {
                name,
                data,
                at: started.elapsed(),
            });
        }
    }
    comments
}

impl Hub {
    /// A request for `path`, without a token or a body: for what the helpers below do not send
    /// (other headers, raw bodies, other methods).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        client().request(method, self.url(path))
    }

    /// `GET path` with `token`.
    pub async fn get(&self, path: &str, token: &str) -> Answer {
        send(self.request(Method::GET, path).bearer_auth(token)).await
    }

    /// `POST path` with `token` and a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        send(
            self.request(Method::POST, path)
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    /// `POST path` without a token, with a JSON body.
    pub async fn post_anonymous(&self, path: &str, body: Value) -> Answer {
        send(self.request(Method::POST, path).json(&body)).await
    }

    /// `PATCH path` with `token` and a JSON body.
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        send(
            self.request(Method::PATCH, path)
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    /// `DELETE path` with `token`.
    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        send(self.request(Method::DELETE, path).bearer_auth(token)).await
    }

    /// `POST /api/knowledge/files?name=…[&collection_id=…]` with `bytes` as the body.
    pub async fn upload(
        &self,
        token: &str,
        name: &str,
        collection: Option<&str>,
        bytes: Vec<u8>,
    ) -> Answer {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("name", name);
        if let Some(collection) = collection {
            query.append_pair("collection_id", collection);
        }
        let path = format!("/api/knowledge/files?{}", query.finish());
        send(
            self.request(Method::POST, &path)
                .bearer_auth(token)
                .header("content-type", "application/octet-stream")
                .body(bytes),
        )
        .await
    }

    /// [`Hub::upload`] that must create a file; the file.
    pub async fn uploaded(
        &self,
        token: &str,
        name: &str,
        collection: Option<&str>,
        bytes: Vec<u8>,
    ) -> Value {
        self.upload(token, name, collection, bytes)
            .await
            .expect(201)
    }

    /// One background step (`POST /api/knowledge/tick` with the tests' tick secret), as the
    /// runner's timer would call it: its answer (`embedded`, `failed`, `more`).
    pub async fn tick(&self) -> Value {
        send(
            self.request(Method::POST, "/api/knowledge/tick")
                .bearer_auth(crate::hub::TEST_TICK_SECRET),
        )
        .await
        .expect(200)
    }

    /// `POST /api/auth/register` (without a token: open registration).
    pub async fn register(&self, email: &str, password: &str) -> Answer {
        let body = json!({ "email": email, "password": password });
        self.post_anonymous("/api/auth/register", body).await
    }

    /// `POST /api/auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> Answer {
        let body = json!({ "email": email, "password": password });
        self.post_anonymous("/api/auth/login", body).await
    }

    /// `POST /api/auth/refresh` with `refresh_token`.
    pub async fn refresh(&self, refresh_token: &str) -> Answer {
        let body = json!({ "refresh_token": refresh_token });
        self.post_anonymous("/api/auth/refresh", body).await
    }

    /// `POST /api/auth/logout` with `refresh_token`.
    pub async fn logout(&self, refresh_token: &str) -> Answer {
        let body = json!({ "refresh_token": refresh_token });
        self.post_anonymous("/api/auth/logout", body).await
    }

    /// A new user with [`TEST_PASSWORD`] (open registration): the 201 answer, with their
    /// tokens and account.
    pub async fn new_user(&self, email: &str) -> Answer {
        let answer = self.register(email, TEST_PASSWORD).await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer
    }

    /// A new user (open registration); their access token.
    pub async fn user(&self, email: &str) -> String {
        self.new_user(email).await.token("access_token")
    }

    /// A new user (open registration) made an admin in the database; their access token and id.
    pub async fn admin(&self, email: &str) -> (String, String) {
        let answer = self.new_user(email).await;
        let id = answer.body["user"]["id"]
            .as_str()
            .expect("user id")
            .to_owned();
        self.execute(&format!(
            "UPDATE app_users SET is_admin = true WHERE id = '{id}'"
        ))
        .await;
        (answer.token("access_token"), id)
    }

    /// A new chat of the user with `token` (with `body`'s fields); its id.
    pub async fn chat(&self, token: &str, body: Value) -> String {
        let chat = self.post("/api/chats", token, body).await.expect(201);
        chat["id"].as_str().expect("chat id").to_owned()
    }

    /// `POST /api/chats/{chat}/messages` with `body`, read to the end of the stream.
    pub async fn stream(&self, chat: &str, token: &str, body: Value) -> Stream {
        self.open_stream(chat, token, body).await.finish().await
    }

    /// `POST /api/chats/{chat}/messages` with `body`, its events read as they come
    /// ([`OpenStream::next`]).
    pub async fn open_stream(&self, chat: &str, token: &str, body: Value) -> OpenStream {
        let started = Instant::now();
        let response = self
            .request(Method::POST, &format!("/api/chats/{chat}/messages"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let is_stream = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let mut open = OpenStream {
            stream: Stream {
                status,
                headers,
                events: Vec::new(),
                comments: 0,
                body: Value::Null,
            },
            body: None,
            buffer: String::new(),
            read: 0,
            started,
        };
        if is_stream {
            open.body = Some(Box::pin(response.bytes_stream()));
        } else {
            let bytes = response.bytes().await.expect("body");
            open.stream.body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        }
        open
    }
    /// The first column of the first row of `sql` on the hub's database.
    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: for<'a> tokio_postgres::types::FromSql<'a>,
    {
        self.db
            .client()
            .await
            .query_one(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get(0)
    }

    /// The first column of every row of `sql` on the hub's database, as text.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        self.db
            .client()
            .await
            .query(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// Runs `sql` on the hub's database.
    pub async fn execute(&self, sql: &str) {
        self.db
            .client()
            .await
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The stored message `id`: (status, content, error).
    pub async fn stored_answer(&self, id: &str) -> (String, String, Option<String>) {
        let row = self
            .db
            .client()
            .await
            .query_one(
                "SELECT status, content, error FROM chat_messages WHERE id = $1::text::uuid",
                &[&id],
            )
            .await
            .unwrap_or_else(|e| panic!("message {id}: {e}"));
        (row.get(0), row.get(1), row.get(2))
    }

    /// The usage row of answer `id`: (input, output, cached, cost, estimated, ttft_ms).
    pub async fn usage_row(&self, id: &str) -> Option<UsageRow> {
        self.db
            .client()
            .await
            .query_opt(
                "SELECT input_tokens, output_tokens, cached_tokens, cost::text, estimated, ttft_ms \
                 FROM chat_token_usage WHERE message_id = $1::text::uuid",
                &[&id],
            )
            .await
            .unwrap_or_else(|e| panic!("usage of {id}: {e}"))
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
    }

    /// The actions of the audit log, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        self.texts("SELECT action FROM audit_logs ORDER BY id")
            .await
    }

    /// Every row of the audit log as JSON, one a line (to check that no secret is in any).
    pub async fn audit_text(&self) -> String {
        self.texts("SELECT row_to_json(a)::text FROM audit_logs a")
            .await
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_split_into_events_and_comments() {
        let mut buffer =
            ": keep-alive\n\nevent: delta\ndata: {\"text\":\"a\"}\n\nevent: done\ndata: {"
                .to_owned();
        let mut events = Vec::new();
        let comments = parse_blocks(&mut buffer, Instant::now(), &mut events);
        assert_eq!(comments, 1);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].name, "delta");
        assert_eq!(buffer, "event: done\ndata: {");
    }
}
