//! Embedding texts with a provider through Spin's outbound HTTP: the request is split into the
//! provider's batches ([`hub_providers::embeddings::batches`]), each batch is sent with retries,
//! and the answers are joined into one response in input order with the usage summed.
//!
//! A batch is tried up to [`ATTEMPTS`] times when the provider could not be reached, did not
//! answer within [`ATTEMPT_TIMEOUT`], rate limited (429) or failed with 500, 502, 503 or 504.
//! Between attempts it waits the provider's `Retry-After` (or Gemini's `retryDelay`) when
//! that is at most [`MAX_RETRY_AFTER`] (a longer wait gives up at once: the caller retries
//! later), else a short backoff. Every other failure ends the request at once.

use std::pin::pin;
use std::time::{Duration, Instant};

use futures::future::{Either, select};
use http::HeaderMap;
use hub_conversation::knowledge::Embedded;
use hub_conversation::{EmbeddingTarget, embedding_target};
use hub_db::Db;
use hub_http::ApiError;
use hub_providers::embeddings::{self, Embedder, EmbeddingRequest, EmbeddingResponse};
use hub_providers::{ProviderConfig, ProviderError};

use crate::upstream::{self, Sleep};
use crate::{PgDb, log};

/// Attempts per batch.
pub const ATTEMPTS: u32 = 3;
/// The longest `Retry-After` waited for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
/// How long one attempt may take, answer included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(120);
/// The waits before the second and the third attempt when the provider names none.
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];
/// The largest successful answer read (a full OpenAI batch of large vectors).
const ANSWER_LIMIT: usize = 64 * 1024 * 1024;

/// Embeds `request.inputs` with the provider of `config`: one vector per input, in order.
/// Fails with the first batch that fails (after its retries); nothing is sent for an invalid
/// request.
pub async fn embed(
    config: &ProviderConfig,
    request: &EmbeddingRequest,
) -> Result<EmbeddingResponse, ProviderError> {
    let embedder = embeddings::embedder(config)?;
    embed_with(embedder.as_ref(), request, &Spin).await
}

/// `text` (a question, a search) embedded with the active model, and a database connection
/// to go on with. No connection is held while the provider embeds: `db` goes back to the pool
/// and a fresh one is taken afterwards; without an active model, `db` is handed back as it is
/// and nothing is embedded (keyword search only).
pub async fn embed_released(
    db: PgDb,
    text: &str,
    component: &str,
) -> Result<(PgDb, Option<Embedded>), ApiError> {
    let Some(target) = active_target(&db, component) else {
        return Ok((db, None));
    };
    drop(db);
    let embedded = embed_text(target, text, component).await;
    Ok((crate::database()?, embedded))
}

/// The active embedding model, configured with the component's variables; `None` when none
/// is active or it cannot be used (logged as `component`'s warning: the caller goes on with
/// keyword search only).
fn active_target(db: &dyn Db, component: &str) -> Option<EmbeddingTarget> {
    embedding_target(db, &crate::setting)
        .map_err(|e| log::warn(component, format_args!("no embedding model to use: {e}")))
        .ok()
        .flatten()
}

/// The vector of one text (a question, a search) with `target`, its usage and latency; `None`
/// when the provider fails or answers something unusable (logged as `component`'s warning,
/// without the text: the caller goes on with keyword search only).
async fn embed_text(target: EmbeddingTarget, text: &str, component: &str) -> Option<Embedded> {
    let request = target.request(vec![text.to_owned()]);
    let started = Instant::now();
    let embedded = match embed(&target.config, &request).await {
        Ok(response) => Embedded::of(target, response, started.elapsed()),
        Err(e) => Err(e.to_string()),
    };
    embedded
        .map_err(|e| {
            log::warn(
                component,
                format_args!("the text could not be embedded ({e}); keyword search only"),
            );
        })
        .ok()
}

/// What came back for one request.
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// How requests travel and time passes: Spin's outbound HTTP and clock, or a test's script.
trait Transport {
    /// The reply, or why there was none.
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<Reply, String>;
    /// Waits `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Spin's outbound HTTP.
struct Spin;

impl Transport for Spin {
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<Reply, String> {
        let exchange = pin!(async {
            let response = upstream::send(request).await?;
            let status = response.status();
            if (200..300).contains(&status) {
                let body = upstream::read_body(&response, ANSWER_LIMIT).await;
                return Ok(Reply {
                    status,
                    headers: HeaderMap::new(),
                    body,
                });
            }
            let headers = upstream::headers(&response);
            let body = upstream::read_body(&response, upstream::ERROR_BODY_LIMIT).await;
            Ok(Reply {
                status,
                headers,
                body,
            })
        });
        match select(exchange, pin!(Sleep::new(ATTEMPT_TIMEOUT))).await {
            Either::Left((reply, _)) => reply,
            Either::Right(((), _)) => {
                Err(format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()))
            }
        }
    }

    async fn sleep(&self, duration: Duration) {
        Sleep::new(duration).await;
    }
}

async fn embed_with(
    embedder: &dyn Embedder,
    request: &EmbeddingRequest,
    transport: &impl Transport,
) -> Result<EmbeddingResponse, ProviderError> {
    request.validate()?;
    let kind = embedder.kind();
    let mut all = EmbeddingResponse::default();
    for range in embeddings::batches(kind, &request.inputs) {
        let batch = request.batch(range);
        let answer = send_batch(embedder, &batch, transport).await?;
        all.append(kind, answer)?;
    }
    Ok(all)
}

async fn send_batch(
    embedder: &dyn Embedder,
    batch: &EmbeddingRequest,
    transport: &impl Transport,
) -> Result<EmbeddingResponse, ProviderError> {
    let mut attempt = 1;
    loop {
        let error = match transport.send(embedder.build_request(batch)?).await {
            Ok(reply) if (200..300).contains(&reply.status) => {
                return embedder.parse_response(batch, &reply.body);
            }
            Ok(reply) => embedder.handle_error(reply.status, &reply.headers, &reply.body),
            Err(e) => ProviderError::Upstream {
                provider: embedder.kind(),
                status: None,
                message: format!("could not be reached: {e}"),
            },
        };
        let Some(wait) = retry_wait(&error, attempt) else {
            return Err(error);
        };
        transport.sleep(wait).await;
        attempt += 1;
    }
}

/// How long to wait before attempt `attempt + 1` after `error`; `None`: give up.
fn retry_wait(error: &ProviderError, attempt: u32) -> Option<Duration> {
    let retryable = match error {
        ProviderError::RateLimited { .. } => true,
        ProviderError::Upstream { status, .. } => {
            matches!(status, None | Some(500 | 502 | 503 | 504))
        }
        _ => false,
    };
    if !retryable || attempt >= ATTEMPTS {
        return None;
    }
    let backoff = BACKOFF[usize::try_from(attempt - 1)
        .unwrap_or(0)
        .min(BACKOFF.len() - 1)];
    match error.retry_after().map(Duration::from_secs) {
        Some(asked) if asked > MAX_RETRY_AFTER => None,
        Some(asked) => Some(asked.max(backoff)),
        None => Some(backoff),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::cell::RefCell;
    use std::collections::VecDeque;

    use http::HeaderValue;
    use hub_providers::ProviderKind;
    use serde_json::{Value, json};

    use super::*;

    /// Answers from a script, in order; records what was sent and waited.
    struct Script {
        replies: RefCell<VecDeque<Result<Reply, String>>>,
        sent: RefCell<Vec<Value>>,
        waits: RefCell<Vec<Duration>>,
    }

    impl Script {
        fn new(replies: Vec<Result<Reply, String>>) -> Self {
            Self {
                replies: RefCell::new(replies.into()),
                sent: RefCell::new(Vec::new()),
                waits: RefCell::new(Vec::new()),
            }
        }
    }

    impl Transport for Script {
        async fn send(&self, request: http::Request<Vec<u8>>) -> Result<Reply, String> {
            self.sent
                .borrow_mut()
                .push(serde_json::from_slice(request.body()).unwrap());
            self.replies
                .borrow_mut()
                .pop_front()
                .expect("a scripted reply")
        }

        async fn sleep(&self, duration: Duration) {
            self.waits.borrow_mut().push(duration);
        }
    }

    fn reply(status: u16, headers: &[(&'static str, &'static str)], body: Value) -> Reply {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        Reply {
            status,
            headers: map,
            body: body.to_string().into_bytes(),
        }
    }

    /// Gemini's answer for `n` inputs: vector `[first + i, 1]` for input `i`.
    fn vectors(first: usize, n: usize) -> Reply {
        let embeddings: Vec<Value> = (0..n)
            .map(|i| json!({"values": [(first + i) as f32, 1.0]}))
            .collect();
        reply(200, &[], json!({ "embeddings": embeddings }))
    }

    fn server_error(status: u16) -> Reply {
        reply(
            status,
            &[],
            json!({"error": {"code": status, "message": "try again", "status": "UNAVAILABLE"}}),
        )
    }

    fn run(
        inputs: usize,
        replies: Vec<Result<Reply, String>>,
    ) -> (Result<EmbeddingResponse, ProviderError>, Script) {
        let config = ProviderConfig::new(ProviderKind::Gemini).with_api_key("k");
        let embedder = embeddings::embedder(&config).unwrap();
        let inputs = (0..inputs).map(|i| format!("text {i}")).collect();
        let request = EmbeddingRequest::new("gemini-embedding-001", inputs);
        let script = Script::new(replies);
        let result = futures::executor::block_on(embed_with(embedder.as_ref(), &request, &script));
        (result, script)
    }

    #[test]
    fn batches_are_sent_in_order_and_joined() {
        let (result, script) = run(
            250,
            vec![
                Ok(vectors(0, 100)),
                Ok(vectors(100, 100)),
                Ok(vectors(200, 50)),
            ],
        );
        let response = result.unwrap();
        assert_eq!(response.vectors.len(), 250);
        assert!(
            response
                .vectors
                .iter()
                .enumerate()
                .all(|(i, v)| v[0] == i as f32)
        );
        // Every "text {i}" is 6 to 8 bytes: two estimated tokens, summed over the batches.
        assert_eq!(response.usage.input, 500);
        assert!(response.estimated);
        let sent = script.sent.borrow();
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[1]["requests"].as_array().unwrap().len(), 100);
        assert_eq!(
            sent[1]["requests"][0]["content"]["parts"][0]["text"],
            "text 100"
        );
        assert!(script.waits.borrow().is_empty());
    }

    #[test]
    fn server_errors_and_transport_failures_are_retried_with_backoff() {
        let (result, script) = run(
            2,
            vec![
                Ok(server_error(503)),
                Err("connection refused".into()),
                Ok(vectors(0, 2)),
            ],
        );
        assert_eq!(result.unwrap().vectors.len(), 2);
        assert_eq!(script.sent.borrow().len(), 3);
        assert_eq!(*script.waits.borrow(), BACKOFF.to_vec());
    }

    #[test]
    fn three_failures_give_up_with_the_last_error() {
        let (result, script) = run(
            1,
            vec![
                Ok(server_error(500)),
                Ok(server_error(502)),
                Err("reset".into()),
            ],
        );
        let err = result.unwrap_err();
        assert!(
            matches!(&err, ProviderError::Upstream { status: None, message, .. } if message.contains("reset")),
            "{err}"
        );
        assert_eq!(script.sent.borrow().len(), 3);
        assert_eq!(script.waits.borrow().len(), 2);
    }

    #[test]
    fn rate_limits_wait_as_asked_up_to_a_limit() {
        let limited = |after: &'static str| {
            reply(
                429,
                &[("retry-after", after)],
                json!({"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}),
            )
        };
        let (result, script) = run(1, vec![Ok(limited("3")), Ok(vectors(0, 1))]);
        assert!(result.is_ok());
        assert_eq!(*script.waits.borrow(), vec![Duration::from_secs(3)]);

        let (result, script) = run(1, vec![Ok(limited("30"))]);
        assert_eq!(result.unwrap_err().retry_after(), Some(30));
        assert_eq!(script.sent.borrow().len(), 1);
        assert!(script.waits.borrow().is_empty());
    }

    #[test]
    fn other_failures_end_at_once() {
        let bad_request = reply(
            400,
            &[],
            json!({"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}),
        );
        let (result, script) = run(150, vec![Ok(vectors(0, 100)), Ok(bad_request)]);
        assert!(matches!(result, Err(ProviderError::BadRequest { .. })));
        assert_eq!(script.sent.borrow().len(), 2);

        // A readable answer with the wrong count is not sent again.
        let (result, script) = run(3, vec![Ok(vectors(0, 2))]);
        assert!(matches!(result, Err(ProviderError::InvalidResponse { .. })));
        assert_eq!(script.sent.borrow().len(), 1);

        // An invalid request sends nothing.
        let (result, script) = run(0, vec![]);
        assert!(matches!(result, Err(ProviderError::InvalidRequest { .. })));
        assert!(script.sent.borrow().is_empty());
    }

    #[test]
    fn retry_waits_follow_the_policy() {
        let upstream = |status| ProviderError::Upstream {
            provider: ProviderKind::OpenAi,
            status,
            message: String::new(),
        };
        assert_eq!(retry_wait(&upstream(Some(504)), 1), Some(BACKOFF[0]));
        assert_eq!(retry_wait(&upstream(Some(504)), 2), Some(BACKOFF[1]));
        assert_eq!(retry_wait(&upstream(Some(504)), 3), None);
        assert_eq!(retry_wait(&upstream(Some(501)), 1), None);
        assert_eq!(retry_wait(&upstream(None), 1), Some(BACKOFF[0]));
        let limited = |retry_after| ProviderError::RateLimited {
            provider: ProviderKind::OpenAi,
            retry_after,
            message: String::new(),
        };
        assert_eq!(retry_wait(&limited(None), 1), Some(BACKOFF[0]));
        assert_eq!(retry_wait(&limited(Some(0)), 1), Some(BACKOFF[0]));
        assert_eq!(retry_wait(&limited(Some(5)), 2), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_wait(&limited(Some(6)), 1), None);
        let unauthorized = ProviderError::Unauthorized {
            provider: ProviderKind::OpenAi,
            message: String::new(),
        };
        assert_eq!(retry_wait(&unauthorized, 1), None);
    }
}
