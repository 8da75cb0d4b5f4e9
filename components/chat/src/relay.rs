//! The provider's side of an answer: the request sent through Spin's outbound HTTP, its stream
//! relayed to the client as `delta` events (with keep-alives while the provider is silent, and
//! an end when it stays silent too long), and the title request beside a first exchange.

use std::future::Future;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::{Either, select};
use hub_api::{ChatEvent, DeltaEvent};
use hub_component::log;
use hub_conversation::{Exchange, Outcome, TitleDraft};
use hub_providers::{ChatRequest, ProviderError, StreamEvent, provider as client};

use crate::models::seconds;
use crate::sse::{Events, Sleep};
use crate::upstream;

/// Default pause between keep-alive comments (variable `sse_keepalive_secs`).
const KEEP_ALIVE_SECS: u64 = 15;

/// Default time a provider may send nothing before the answer is cut off (variable
/// `provider_idle_timeout_secs`).
const IDLE_TIMEOUT_SECS: u64 = 120;

/// Largest body of a (non-streamed) title answer.
const TITLE_BODY_LIMIT: usize = 1024 * 1024;

/// How long to wait on a silent provider.
struct Patience {
    /// Between two keep-alive comments to the client.
    keep_alive: Duration,
    /// Before giving up on the provider.
    idle: Duration,
}

impl Patience {
    fn configured() -> Self {
        Self {
            keep_alive: seconds("sse_keepalive_secs", 1..=300, KEEP_ALIVE_SECS),
            idle: seconds("provider_idle_timeout_secs", 1..=3600, IDLE_TIMEOUT_SECS),
        }
    }

    /// Waits for `next` (the provider's response, its next chunk), sending keep-alive comments
    /// meanwhile; `None` when nothing came within the idle timeout.
    async fn wait<F, S>(&self, next: F, events: &mut Events<S>) -> Option<F::Output>
    where
        F: Future + Unpin,
        S: futures::Sink<Vec<u8>>,
    {
        let deadline = Instant::now() + self.idle;
        let mut next = next;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let nap = std::pin::pin!(Sleep::new(self.keep_alive.min(left)));
            match select(&mut next, nap).await {
                Either::Left((value, _)) => return Some(value),
                Either::Right(((), _)) if Instant::now() < deadline => events.keep_alive().await,
                Either::Right(((), _)) => return None,
            }
        }
    }

    /// The failure of a provider that stayed silent.
    fn exceeded(&self, exchange: &Exchange) -> ProviderError {
        log::warn(
            "chat",
            format_args!(
                "{} sent nothing for {} s; the answer is cut off",
                exchange.target.kind,
                self.idle.as_secs()
            ),
        );
        ProviderError::Upstream {
            provider: exchange.target.kind,
            status: None,
            message: format!(
                "sent nothing for {} s (provider_idle_timeout_secs)",
                self.idle.as_secs()
            ),
        }
    }
}

/// Sends the request to the provider and relays its answer; never fails, the outcome says
/// how it went.
pub async fn ask<S: futures::Sink<Vec<u8>>>(
    exchange: &Exchange,
    events: &mut Events<S>,
) -> Outcome {
    let started = Instant::now();
    let patience = Patience::configured();
    let provider = match client(&exchange.target.config) {
        Ok(p) => p,
        Err(e) => return Outcome::failed(e),
    };
    let request = match provider.build_request(&exchange.request) {
        Ok(r) => r,
        Err(e) => return Outcome::failed(e),
    };

    let pending = std::pin::pin!(upstream::send(request));
    let response = match patience.wait(pending, events).await {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return Outcome::failed(ProviderError::Upstream {
                provider: exchange.target.kind,
                status: None,
                message: format!("could not be reached: {e}"),
            });
        }
        None => {
            let mut outcome = Outcome::failed(patience.exceeded(exchange));
            outcome.latency = started.elapsed();
            return outcome;
        }
    };
    let status = response.status();
    if !(200..300).contains(&status) {
        let headers = upstream::headers(&response);
        let body = std::pin::pin!(upstream::read_body(&response, upstream::ERROR_BODY_LIMIT));
        let error = match patience.wait(body, events).await {
            Some(body) => provider.handle_error(status, &headers, &body),
            None => patience.exceeded(exchange),
        };
        let mut outcome = Outcome::failed(error);
        outcome.latency = started.elapsed();
        return outcome;
    }

    let mut outcome = Outcome::default();
    let mut parser = provider.stream();
    let mut body = std::pin::pin!(response.take_body_stream());
    while !parser.is_closed() {
        // What the body's end means: nothing (the parser decides), or the provider's silence.
        let mut silence = None;
        let parsed = match patience.wait(body.next(), events).await {
            Some(Some(Ok(chunk))) => parser.push(&chunk),
            Some(Some(Err(e))) => {
                log::warn("chat", format_args!("the provider's stream broke: {e:?}"));
                parser.finish()
            }
            Some(None) => parser.finish(),
            None => {
                silence = Some(patience.exceeded(exchange));
                parser.finish()
            }
        };
        for event in parsed {
            let event = match (event, &silence) {
                // The stream ends with the silence, not as an ordinary broken stream.
                (StreamEvent::Error(_), Some(error)) => StreamEvent::Error(error.clone()),
                (event, _) => event,
            };
            if let StreamEvent::Delta(text) = &event {
                outcome.ttft.get_or_insert_with(|| started.elapsed());
                let delta = DeltaEvent { text: text.clone() };
                events.send(ChatEvent::Delta(delta)).await;
            }
            outcome.summary.apply(&event);
        }
    }
    outcome.latency = started.elapsed();
    outcome
}

/// Streams the answer and, for a first exchange, asks beside it for the chat's title (from the
/// question), so that `done` does not wait for a second completion. A title still coming when
/// the answer has ended is awaited with keep-alives; the title of an answer that did not
/// complete is not wanted, and dropping it cancels its request.
pub async fn answer_and_title<S: futures::Sink<Vec<u8>>>(
    exchange: &Exchange,
    events: &mut Events<S>,
) -> (Outcome, Option<TitleDraft>) {
    let Some(request) = exchange.title_request() else {
        return (ask(exchange, events).await, None);
    };
    let mut titled = Box::pin(title(exchange, request));
    let (outcome, early) = {
        let answered = std::pin::pin!(ask(exchange, events));
        match select(answered, titled.as_mut()).await {
            Either::Left((outcome, _)) => (outcome, None),
            Either::Right((draft, answered)) => (answered.await, Some(draft)),
        }
    };
    if !outcome.summary.is_complete() {
        return (outcome, None);
    }
    let draft = match early {
        Some(draft) => draft,
        None => await_title(titled, events).await,
    };
    (outcome, Some(draft))
}

/// Waits for the title request (within the idle timeout, with keep-alives meanwhile); an empty
/// draft when it fails (the title then comes from the question).
async fn await_title<F, S>(titled: F, events: &mut Events<S>) -> TitleDraft
where
    F: Future<Output = TitleDraft> + Unpin,
    S: futures::Sink<Vec<u8>>,
{
    let patience = Patience::configured();
    patience.wait(titled, events).await.unwrap_or_else(|| {
        log::warn(
            "chat",
            format_args!(
                "the title request got no answer within {} s",
                patience.idle.as_secs()
            ),
        );
        TitleDraft::default()
    })
}

async fn title(exchange: &Exchange, request: ChatRequest) -> TitleDraft {
    let Ok(provider) = client(&exchange.target.config) else {
        return TitleDraft::default();
    };
    let Ok(request) = provider.build_request(&request) else {
        return TitleDraft::default();
    };
    let started = Instant::now();
    let Ok(response) = upstream::send(request).await else {
        return TitleDraft::default();
    };
    if !(200..300).contains(&response.status()) {
        return TitleDraft::default();
    }
    let body = upstream::read_body(&response, TITLE_BODY_LIMIT).await;
    provider
        .parse_response(&body)
        .map(|parsed| TitleDraft::from_response(&parsed, started.elapsed()))
        .unwrap_or_default()
}
