//! The provider's side of an answer: the request sent through Spin's outbound HTTP, its stream
//! relayed to the client as `delta` events (with keep-alives while the provider is silent), and
//! the title request after a first exchange.

use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::{Either, select};
use hub_api::{ChatEvent, DeltaEvent};
use hub_component::log;
use hub_conversation::{Exchange, Outcome, TitleDraft};
use hub_providers::{ChatRequest, ProviderError, StreamEvent, provider as client};

use crate::models::settings;
use crate::sse::{Events, Sleep};
use crate::upstream;

/// Default pause between keep-alive comments (variable `sse_keepalive_secs`).
const KEEP_ALIVE_SECS: u64 = 15;

/// Largest body of a (non-streamed) title answer.
const TITLE_BODY_LIMIT: usize = 1024 * 1024;

/// Sends the request to the provider and relays its answer; never fails, the outcome says
/// how it went.
pub async fn ask<S: futures::Sink<Vec<u8>>>(
    exchange: &Exchange,
    events: &mut Events<S>,
) -> Outcome {
    let started = Instant::now();
    let keep_alive = keep_alive_interval();
    let provider = match client(&exchange.target.config) {
        Ok(p) => p,
        Err(e) => return Outcome::failed(e),
    };
    let request = match provider.build_request(&exchange.request) {
        Ok(r) => r,
        Err(e) => return Outcome::failed(e),
    };

    let mut pending = std::pin::pin!(upstream::send(request));
    let response = loop {
        match select(pending.as_mut(), std::pin::pin!(Sleep::new(keep_alive))).await {
            Either::Left((result, _)) => break result,
            Either::Right(((), _)) => events.keep_alive().await,
        }
    };
    let response = match response {
        Ok(r) => r,
        Err(e) => {
            return Outcome::failed(ProviderError::Upstream {
                provider: exchange.target.kind,
                status: None,
                message: format!("could not be reached: {e}"),
            });
        }
    };
    let status = response.status();
    if !(200..300).contains(&status) {
        let headers = upstream::headers(&response);
        let body = upstream::read_body(&response, upstream::ERROR_BODY_LIMIT).await;
        let mut outcome = Outcome::failed(provider.handle_error(status, &headers, &body));
        outcome.latency = started.elapsed();
        return outcome;
    }

    let mut outcome = Outcome::default();
    let mut parser = provider.stream();
    let mut body = std::pin::pin!(response.take_body_stream());
    while !parser.is_closed() {
        let next = loop {
            match select(body.next(), std::pin::pin!(Sleep::new(keep_alive))).await {
                Either::Left((next, _)) => break next,
                Either::Right(((), _)) => events.keep_alive().await,
            }
        };
        let parsed = match next {
            Some(Ok(chunk)) => parser.push(&chunk),
            Some(Err(e)) => {
                log::warn("chat", format_args!("the provider's stream broke: {e:?}"));
                parser.finish()
            }
            None => parser.finish(),
        };
        for event in parsed {
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

/// Asks the model for a title of the first exchange (not streamed); an empty draft when that
/// fails (the title then comes from the question).
pub async fn generate_title(exchange: &Exchange, request: ChatRequest) -> TitleDraft {
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

fn keep_alive_interval() -> Duration {
    let secs = settings("sse_keepalive_secs")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=300).contains(s))
        .unwrap_or(KEEP_ALIVE_SECS);
    Duration::from_secs(secs)
}
