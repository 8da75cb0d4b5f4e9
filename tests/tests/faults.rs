//! Faults, through the real app against the fake providers: for each, what the user sees (the
//! events and answers the client gets) and what the database holds afterwards.
//!
//! - PostgreSQL stopped while an answer streams: back within the store-retry window (the
//!   answer is stored whole), or not (an `error` event, and the answer reads as interrupted
//!   later); restarted between requests (the runner's pool recovers by itself). These tests
//!   run on a cluster of their own ([`Hub::spawn_private`]).
//! - A provider that goes silent (the idle timeout cuts it off) or sends garbage, for every
//!   provider; one that breaks off is `tests/chat.rs`'s
//!   `a_stream_that_breaks_midway_is_stored_as_partial_with_its_usage`, a client that goes away
//!   its `an_answer_is_completed_and_stored_after_the_client_goes_away`.
//! - The runner stopped (SIGTERM) with 50 streams open.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::future::join_all;
use hub_providers::ProviderKind;
use hub_tests::{Hub, OpenStream, Scenario, Stream, mid_answer, model_of};
use serde_json::{Value, json};

/// A new user's first message in a new chat, the answer streaming slowly: the stream, open
/// after the answer's first piece of text, and the user's token and chat.
async fn answering(hub: &Hub, email: &str, delay_ms: u64) -> (OpenStream, String, String) {
    let token = hub.user(email).await;
    let chat = hub.chat(&token, json!({})).await;
    let marker = Scenario::Slow(Duration::from_millis(delay_ms)).marker();
    let mut open = hub
        .open_stream(&chat, &token, json!({ "content": format!("Hi {marker}") }))
        .await;
    assert_eq!(open.status(), 200);
    open.until("delta").await;
    (open, token, chat)
}

/// How many rows `sql` counts.
async fn count(hub: &Hub, sql: &str) -> i64 {
    hub.scalar::<i64>(sql).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_ends_while_the_database_is_down_is_stored_once_it_is_back() {
    let hub = Hub::spawn_private(|o| o.variable("answer_store_retry_secs", "60")).await;
    let (open, _, chat) = answering(&hub, "restart@example.com", 400).await;

    hub.cluster().stop();
    // The answer ends while the database is down: storing it waits.
    hub.app
        .logged("not stored yet", Duration::from_secs(30))
        .await;
    hub.cluster().restart();
    let stream = open.finish().await;

    // The user gets the whole answer, stored, with its usage and the chat's title.
    let expected = hub.providers.streamed_text(ProviderKind::OpenAi);
    assert_eq!(stream.text(), expected);
    let last = stream.last();
    assert_eq!(last.name, "done", "{:?}", stream.events);
    assert_eq!(last.data["message"]["status"], "complete");
    assert_eq!(last.data["message"]["content"], expected.as_str());
    assert!(stream.names().contains(&"usage"), "{:?}", stream.names());
    assert!(stream.names().contains(&"title"), "{:?}", stream.names());
    assert!(stream.comments >= 1, "no keep-alive while storing waited");

    // The database holds it once: the answer complete, one usage row, the title, the audit.
    let id = stream.answer_id();
    let (state, content, error) = hub.stored_answer(&id).await;
    assert_eq!(
        (state.as_str(), content.as_str()),
        ("complete", expected.as_str())
    );
    assert_eq!(error, None);
    let (_, output, _, _, estimated, _) = hub.usage_row(&id).await.expect("a usage row");
    assert!(output > 0 && !estimated);
    let usage_rows = format!("SELECT count(*) FROM chat_token_usage WHERE message_id = '{id}'");
    assert_eq!(count(&hub, &usage_rows).await, 1);
    let title = stream.event("title")["title"].as_str().unwrap().to_owned();
    let stored_title: Option<String> = hub
        .scalar(&format!("SELECT title FROM chats WHERE id = '{chat}'"))
        .await;
    assert_eq!(stored_title.as_deref(), Some(title.as_str()));
    assert!(
        hub.audit_actions()
            .await
            .contains(&"chat.message_answered".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_the_database_never_took_is_reported_and_later_shown_as_interrupted() {
    let hub = Hub::spawn_private(|o| o.variable("answer_store_retry_secs", "2")).await;
    let (open, token, chat) = answering(&hub, "down@example.com", 100).await;

    hub.cluster().stop();
    let stream = open.finish().await;

    // The user got the text, then an error saying it could not be stored: nothing is silent.
    let expected = hub.providers.streamed_text(ProviderKind::OpenAi);
    assert_eq!(stream.text(), expected);
    assert!(!stream.names().contains(&"done"), "{:?}", stream.names());
    let last = stream.last();
    assert_eq!(last.name, "error", "{:?}", stream.events);
    assert_eq!(last.data["code"], "internal");
    assert_eq!(
        last.data["message"],
        "the answer could not be stored: the database is unavailable"
    );
    assert_eq!(last.data["assistant_message"], Value::Null);
    hub.app
        .logged(
            "not stored: the database stayed unavailable for 2 s",
            Duration::from_secs(5),
        )
        .await;

    // Back up: the answer is still the pending row of the request, without usage ...
    hub.cluster().restart();
    let id = stream.answer_id();
    assert_eq!(
        hub.stored_answer(&id).await,
        ("partial".to_owned(), String::new(), None)
    );
    assert!(hub.usage_row(&id).await.is_none());
    // ... and once it is older than a request may last, it reads as interrupted.
    hub.execute(&format!(
        "UPDATE chat_messages SET updated_at = now() - interval '16 minutes' WHERE id = '{id}'"
    ))
    .await;
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    let answer = &detail["messages"][1];
    assert_eq!(answer["id"], id.as_str());
    assert_eq!(answer["status"], "error", "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("interrupted")),
        "{answer}"
    );
    let (state, _, error) = hub.stored_answer(&id).await;
    assert_eq!(state, "error");
    assert!(error.is_some_and(|e| e.contains("interrupted")));
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_requests_work_again_after_a_database_restart_without_restarting_the_runner() {
    let hub = Hub::spawn_private(|o| o).await;
    let token = hub.user("again@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    let first = hub.stream(&chat, &token, json!({ "content": "Hi" })).await;
    assert_eq!(first.last().name, "done");

    hub.cluster().stop();
    hub.get("/api/chats", &token)
        .await
        .assert_error(503, "service_unavailable");
    let refused = hub.stream(&chat, &token, json!({ "content": "Hi?" })).await;
    assert_eq!(refused.status, 503, "{:?}", refused.body);
    assert_eq!(refused.body["error"]["code"], "service_unavailable");

    hub.cluster().restart();
    // The first requests after the restart are served: the pool replaced its connections.
    let list = hub.get("/api/chats", &token).await.expect(200);
    assert_eq!(list["items"][0]["id"], chat.as_str(), "{list}");
    let second = hub
        .stream(&chat, &token, json!({ "content": "Again" }))
        .await;
    assert_eq!(second.last().name, "done", "{:?}", second.events);

    let expected = hub.providers.streamed_text(ProviderKind::OpenAi);
    for stream in [&first, &second] {
        let id = stream.answer_id();
        let (state, content, _) = hub.stored_answer(&id).await;
        assert_eq!(
            (state.as_str(), content.as_str()),
            ("complete", expected.as_str())
        );
        assert!(hub.usage_row(&id).await.is_some());
    }
    // Two questions and two answers: the refused message left nothing behind.
    let messages = format!("SELECT count(*) FROM chat_messages WHERE chat_id = '{chat}'");
    assert_eq!(count(&hub, &messages).await, 4);
}

/// Sends a message to every provider's model under the scenario `scenario(kind)`, all at once;
/// the streams, with the full text of each provider's answer.
async fn every_provider(
    hub: &Hub,
    email: &str,
    scenario: impl Fn(ProviderKind) -> Scenario,
) -> Vec<(ProviderKind, Stream, String)> {
    hub.enable_all_models().await;
    let token = hub.user(email).await;
    let streams = ProviderKind::ALL.into_iter().map(|kind| {
        let marker = scenario(kind).marker();
        let token = &token;
        async move {
            let chat = hub.chat(token, json!({ "model": model_of(kind) })).await;
            let stream = hub
                .stream(&chat, token, json!({ "content": format!("Hi {marker}") }))
                .await;
            (kind, stream, hub.providers.streamed_text(kind))
        }
    });
    join_all(streams).await
}

/// What a broken answer of `kind` must look like: the text so far, then an `error` event with
/// `code`, the same text stored as `partial` with the error, no more than was generated, and
/// its usage (the provider's, when it reported some before the break).
async fn assert_partial(hub: &Hub, kind: ProviderKind, stream: &Stream, full: &str, code: &str) {
    let last = stream.last();
    assert_eq!(last.name, "error", "{kind:?}: {:?}", stream.events);
    assert_eq!(last.data["code"], code, "{kind:?}: {:?}", last.data);
    let text = stream.text();
    assert!(!text.is_empty(), "{kind:?}: no text before the fault");
    assert!(
        full.starts_with(&text) && text.len() < full.len(),
        "{kind:?}: {text:?} is not the start of {full:?}"
    );
    assert_eq!(last.data["assistant_message"]["status"], "partial");
    assert_eq!(last.data["assistant_message"]["content"], text.as_str());
    let id = stream.answer_id();
    let (state, content, error) = hub.stored_answer(&id).await;
    assert_eq!(
        (state.as_str(), content.as_str()),
        ("partial", text.as_str())
    );
    assert_eq!(error.as_deref(), last.data["message"].as_str(), "{kind:?}");
    let (_, output, _, _, estimated, _) = hub.usage_row(&id).await.expect("a usage row");
    assert!(output > 0, "{kind:?}");
    let reports_early = matches!(kind, ProviderKind::Gemini | ProviderKind::Anthropic);
    assert_eq!(estimated, !reports_early, "{kind:?}");
}

#[tokio::test]
async fn a_provider_that_goes_silent_is_cut_off_after_the_idle_timeout() {
    let hub = Hub::spawn(|o| o.variable("provider_idle_timeout_secs", "1")).await;
    let stall = |kind| Scenario::Stall {
        after: mid_answer(kind),
    };
    for (kind, stream, full) in every_provider(&hub, "silent@example.com", stall).await {
        assert_partial(&hub, kind, &stream, &full, "provider_unavailable").await;
        let message = stream.last().data["message"].as_str().unwrap().to_owned();
        assert!(
            message.contains("sent nothing for 1 s"),
            "{kind:?}: {message}"
        );
        // The hub waited the timeout after the last piece of text, not longer than needed.
        let last_text = stream.events.iter().rfind(|e| e.name == "delta").unwrap();
        let waited = stream.last().at - last_text.at;
        assert!(
            waited >= Duration::from_millis(800) && waited < Duration::from_secs(10),
            "{kind:?}: the error came {waited:?} after the last text"
        );
    }
}

#[tokio::test]
async fn a_provider_that_sends_garbage_ends_the_answer_with_what_it_generated() {
    let hub = Hub::spawn(|o| o).await;
    let garbage = |kind| Scenario::Garbage {
        after: mid_answer(kind),
    };
    for (kind, stream, full) in every_provider(&hub, "garbage@example.com", garbage).await {
        // The valid rest of the stream after the garbage is neither shown nor stored.
        assert_partial(&hub, kind, &stream, &full, "provider_invalid_response").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stopping_the_runner_lets_fifty_open_streams_finish_and_store_their_answers() {
    const STREAMS: usize = 50;
    let hub = Hub::spawn(|o| o.args(["--shutdown-grace-secs", "60"])).await;
    let token = hub.user("shutdown@example.com").await;
    let chats = join_all((0..STREAMS).map(|_| hub.chat(&token, json!({})))).await;
    let marker = Scenario::Slow(Duration::from_millis(100)).marker();
    let body = json!({ "content": format!("Hi {marker}") });
    let mut open = join_all(
        chats
            .iter()
            .map(|chat| hub.open_stream(chat, &token, body.clone())),
    )
    .await;
    for stream in &mut open {
        stream.until("message_start").await;
    }

    hub.app.terminate();
    hub.app.until_refusing(Duration::from_secs(5)).await;
    let streams = join_all(open.into_iter().map(OpenStream::finish)).await;

    // Every user got the whole answer, stored.
    let expected = hub.providers.streamed_text(ProviderKind::OpenAi);
    for stream in &streams {
        assert_eq!(stream.last().name, "done", "{:?}", stream.events);
        assert_eq!(stream.text(), expected);
        assert_eq!(stream.last().data["message"]["status"], "complete");
    }
    // The database holds the 50 answers, complete, each with its usage row.
    let complete = "SELECT count(*) FROM chat_messages \
                    WHERE role = 'assistant' AND status = 'complete'";
    assert_eq!(count(&hub, complete).await, STREAMS as i64);
    let matching = format!(
        "SELECT count(*) FROM chat_messages WHERE role = 'assistant' AND content = '{}'",
        expected.replace('\'', "''")
    );
    assert_eq!(count(&hub, &matching).await, STREAMS as i64);
    let usage = "SELECT count(DISTINCT u.message_id) FROM chat_token_usage u \
                 JOIN chat_messages m ON m.id = u.message_id WHERE m.status = 'complete'";
    assert_eq!(count(&hub, usage).await, STREAMS as i64);

    // The runner exits by itself, cleanly, once they are done.
    let (status, log) = hub.app.wait_exit();
    assert!(status.success(), "exit {status}; log:\n{log}");
    assert!(log.contains("all connections closed"), "{log}");
}
