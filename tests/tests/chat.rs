//! Conversations and streamed answers through the real app (`spin.toml`, the `chat` component,
//! real PostgreSQL) against the fake providers: every provider kind through the same exchange,
//! every failure mode the issue names, ownership, bad input, usage and cost.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;
use std::time::{Duration, Instant};

use hub_providers::{Decimal, Prices, ProviderKind, Usage, cost};
use hub_tests::{Hub, OpenStream, Scenario, Stream, XSS_TEXT, mid_answer, model_of, send_raw};
use reqwest::Method;
use serde_json::{Value, json};

/// The model's prices as stored.
async fn prices(hub: &Hub, model: &str) -> Prices {
    let row = hub
        .db
        .client()
        .await
        .query_one(
            "SELECT input_price_per_million::text, output_price_per_million::text, \
             cached_input_price_per_million::text FROM app_model_config WHERE model_id = $1",
            &[&model],
        )
        .await
        .unwrap();
    let dec = |s: String| Decimal::from_str(&s).unwrap();
    Prices::new(
        dec(row.get(0)),
        dec(row.get(1)),
        row.get::<_, Option<String>>(2).map(dec),
    )
    .unwrap()
}

fn usage_of(value: &Value) -> Usage {
    Usage {
        input: value["input"].as_u64().unwrap(),
        output: value["output"].as_u64().unwrap(),
        cached: value["cached"].as_u64().unwrap(),
    }
}

fn assert_stream_headers(stream: &Stream) {
    let header = |name: &str| {
        stream
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/event-stream"));
    assert!(header("cache-control").contains("no-cache"));
    assert_eq!(header("x-accel-buffering"), "no");
}

#[tokio::test]
async fn every_provider_streams_a_conversation_that_is_stored_with_usage_and_cost() {
    let hub = Hub::spawn(|o| o).await;
    hub.enable_all_models().await;
    let token = hub.user("matrix@example.com").await;
    for kind in ProviderKind::ALL {
        let model = model_of(kind);
        let manifest = hub.providers.manifest(kind);
        let expected = &manifest["streams"][0];
        let chat = hub.chat(&token, json!({ "model": model })).await;
        let stream = hub
            .stream(&chat, &token, json!({ "content": "Hallo, wer bist du?" }))
            .await;
        assert_eq!(stream.status, 200, "{kind:?}: {:?}", stream.body);
        assert_stream_headers(&stream);
        assert_eq!(
            stream.names().first().copied(),
            Some("message_start"),
            "{kind:?}"
        );
        assert_eq!(stream.last().name, "done", "{kind:?}: {:?}", stream.events);
        let start = stream.event("message_start");
        assert_eq!(start["model"], model);
        assert_eq!(start["provider"], kind.as_str());
        assert_eq!(start["user_message"]["content"], "Hallo, wer bist du?");
        assert_eq!(
            stream.text(),
            expected["text"].as_str().unwrap(),
            "{kind:?}"
        );
        assert!(
            stream.names().iter().filter(|n| **n == "delta").count() >= 2,
            "{kind:?}: the answer came in one piece"
        );

        // Usage exactly as the provider reported it, cost at the model's prices.
        let reported = usage_of(&expected["usage"]);
        let price = cost(&reported, &prices(&hub, model).await);
        let usage = stream.event("usage");
        assert_eq!(usage["input_tokens"], reported.input, "{kind:?}");
        assert_eq!(usage["output_tokens"], reported.output);
        assert_eq!(usage["cached_tokens"], reported.cached);
        assert_eq!(usage["cost"]["currency"], "USD");
        assert_eq!(
            Decimal::from_str(usage["cost"]["amount"].as_str().unwrap()).unwrap(),
            price
        );
        let id = stream.answer_id();
        let (input, output, cached, stored_cost, estimated, ttft) =
            hub.usage_row(&id).await.expect("a usage row");
        assert_eq!(
            (input, output, cached),
            (
                reported.input as i64,
                reported.output as i64,
                reported.cached as i64
            )
        );
        assert_eq!(Decimal::from_str(&stored_cost).unwrap(), price);
        assert!(!estimated);
        assert!(ttft.is_some());

        // The answer and the conversation are stored; the title came from the model.
        let done = stream.event("done");
        assert_eq!(done["message"]["status"], "complete");
        assert_eq!(done["message"]["content"], expected["text"]);
        assert_eq!(done["finish_reason"], expected["finish"]);
        let title = stream.event("title")["title"].as_str().unwrap().to_owned();
        let detail = hub
            .get(&format!("/api/chats/{chat}"), &token)
            .await
            .expect(200);
        assert_eq!(detail["title"], title.as_str());
        let first_word = manifest["response"]["text"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        assert!(title.starts_with(&first_word), "{kind:?}: {title:?}");
        let messages = detail["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0]["role"], "user");
        assert_eq!(messages[1]["role"], "assistant");
        assert_eq!(messages[1]["content"], expected["text"]);
        assert_eq!(messages[1]["model"], model);
    }
    // Each provider got its own key header, and the hub sent the key nowhere else.
    let requests = hub.providers.requests();
    for kind in ProviderKind::ALL {
        assert!(
            requests.iter().filter(|r| r.provider == Some(kind)).count() >= 2,
            "{kind:?}: answer and title requests"
        );
    }
    assert!(!hub.app.log().contains(hub.providers.key()));
    // Every request body went with its length, none chunked (some OpenAI-compatible servers and
    // proxies refuse or mishandle chunked request bodies).
    for r in &requests {
        let what = format!("{} {}: {:?}", r.method, r.path, r.headers);
        assert_eq!(r.header("transfer-encoding"), None, "{what}");
        let length = r
            .header("content-length")
            .and_then(|n| n.parse::<u64>().ok());
        assert!(length.is_some_and(|n| n > 0), "{what}");
    }
}

#[tokio::test]
async fn the_conversation_so_far_is_sent_with_the_chosen_model_and_temperature() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("history@example.com").await;
    let chat = hub.chat(&token, json!({ "temperature": 0.3 })).await;
    let first = hub
        .stream(&chat, &token, json!({ "content": "Erste Frage" }))
        .await;
    assert_eq!(first.last().name, "done");
    let second = hub
        .stream(
            &chat,
            &token,
            json!({ "content": "Zweite Frage", "model": "mistral-small-latest", "temperature": 1.1 }),
        )
        .await;
    assert_eq!(second.last().name, "done");
    let request = hub
        .providers
        .requests()
        .into_iter()
        .rfind(|r| r.body["stream"] == true)
        .unwrap();
    assert_eq!(request.provider, Some(ProviderKind::Mistral));
    assert_eq!(request.body["model"], "mistral-small-latest");
    assert_eq!(request.body["temperature"], 1.1);
    let contents: Vec<&str> = request.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents.len(), 3, "{contents:?}");
    assert_eq!(contents[0], "Erste Frage");
    assert_eq!(contents[2], "Zweite Frage");
    // The choice stays the chat's (C5); a reasoning model gets no temperature.
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    assert_eq!(detail["model"], "mistral-small-latest");
    assert_eq!(detail["temperature"], 1.1);
    let third = hub
        .stream(
            &chat,
            &token,
            json!({ "content": "Dritte", "model": "gpt-5-mini" }),
        )
        .await;
    assert_eq!(third.last().name, "done");
    let request = hub
        .providers
        .requests()
        .into_iter()
        .rfind(|r| r.body["stream"] == true)
        .unwrap();
    assert_eq!(request.body["model"], "gpt-5-mini");
    assert!(
        request.body.get("temperature").is_none(),
        "{:?}",
        request.body
    );
    // Only the first exchange titles the chat.
    assert!(first.names().contains(&"title"));
    assert!(!second.names().contains(&"title"));
}

#[tokio::test]
async fn provider_errors_end_the_stream_with_an_error_event_and_a_stored_error() {
    let hub = Hub::spawn(|o| o).await;
    hub.enable_all_models().await;
    let token = hub.user("errors@example.com").await;
    for kind in ProviderKind::ALL {
        let model = model_of(kind);
        let manifest = hub.providers.manifest(kind);
        for error in manifest["errors"].as_array().unwrap() {
            let status = error["status"].as_u64().unwrap();
            let chat = hub.chat(&token, json!({ "model": model })).await;
            let marker = Scenario::Error(status as u16).marker();
            let stream = hub
                .stream(&chat, &token, json!({ "content": format!("Hi {marker}") }))
                .await;
            assert_eq!(stream.status, 200);
            assert_eq!(
                stream.names(),
                ["message_start", "error"],
                "{kind:?} {status}"
            );
            let event = stream.event("error");
            let code = event["code"].as_str().unwrap();
            let expected = match status {
                400 | 413 | 422 => "provider_rejected",
                401 | 403 => "provider_auth",
                404 => "provider_model_not_found",
                429 => "provider_rate_limited",
                _ => "provider_unavailable",
            };
            // Gemini and xAI answer a bad key with 400: the fixture's own status decides.
            if !(status == 400 && code == "provider_auth") {
                assert_eq!(code, expected, "{kind:?} {status}: {event:?}");
            }
            let message = event["message"].as_str().unwrap();
            assert!(!message.is_empty());
            assert!(!message.contains(hub.providers.key()));
            if let Some(retry) = error["retry_after"].as_u64() {
                assert_eq!(event["retry_after"], retry, "{kind:?}");
            }
            let id = stream.answer_id();
            let (state, content, text) = hub.stored_answer(&id).await;
            assert_eq!((state.as_str(), content.as_str()), ("error", ""));
            assert_eq!(text.as_deref(), Some(message));
            assert_eq!(event["assistant_message"]["status"], "error");
            assert!(hub.usage_row(&id).await.is_none(), "nothing was generated");
            // A failed first exchange does not title the chat.
            let detail = hub
                .get(&format!("/api/chats/{chat}"), &token)
                .await
                .expect(200);
            assert_eq!(detail["title"], Value::Null);
        }
    }
}

#[tokio::test]
async fn a_stream_that_breaks_midway_is_stored_as_partial_with_its_usage() {
    let hub = Hub::spawn(|o| o).await;
    hub.enable_all_models().await;
    let token = hub.user("partial@example.com").await;
    let mut partial = 0;
    let mut silent = Vec::new();
    for kind in ProviderKind::ALL {
        let model = model_of(kind);
        let chat = hub.chat(&token, json!({ "model": model })).await;
        let after = mid_answer(kind);
        let marker = Scenario::Disconnect { after }.marker();
        let stream = hub
            .stream(&chat, &token, json!({ "content": format!("Hi {marker}") }))
            .await;
        assert_eq!(stream.last().name, "error", "{kind:?}: {:?}", stream.events);
        let event = stream.event("error");
        assert_eq!(event["code"], "provider_incomplete", "{kind:?}: {event:?}");
        let id = stream.answer_id();
        let (state, content, error) = hub.stored_answer(&id).await;
        if stream.text().is_empty() {
            // The first events carried no text (Anthropic's message_start, ...).
            assert_eq!(state, "error", "{kind:?}");
            silent.push(kind);
            continue;
        }
        assert_eq!(state, "partial", "{kind:?}");
        partial += 1;
        assert_eq!(content, stream.text());
        assert!(error.is_some_and(|e| !e.is_empty()));
        assert_eq!(event["assistant_message"]["status"], "partial");
        // Gemini reports usage with every chunk and Anthropic with `message_start`: their
        // counts are kept. The others reported none before the break: it is estimated, and
        // marked so.
        let (_, output, _, _, estimated, _) = hub.usage_row(&id).await.expect("usage");
        assert!(output > 0, "{kind:?}");
        let reports_early = matches!(kind, ProviderKind::Gemini | ProviderKind::Anthropic);
        assert_eq!(estimated, !reports_early, "{kind:?}");
        assert!(stream.names().contains(&"usage"));
    }
    assert!(
        partial == ProviderKind::ALL.len(),
        "no text before the break from {silent:?}"
    );
}

/// A new user's first message `text` in a new chat, its answer read as it comes, with 150 ms
/// before each of the fake provider's events (and before a non-streamed answer): the user's
/// token, the chat and the open stream.
async fn slow_first_answer(hub: &Hub, email: &str, text: &str) -> (String, String, OpenStream) {
    let token = hub.user(email).await;
    let chat = hub.chat(&token, json!({})).await;
    let marker = Scenario::Slow(Duration::from_millis(150)).marker();
    let open = hub
        .open_stream(
            &chat,
            &token,
            json!({ "content": format!("{text} {marker}") }),
        )
        .await;
    assert_eq!(open.status(), 200);
    (token, chat, open)
}

/// A new user's first message in a new chat, answered by the default model under `scenario`.
async fn first_answer(hub: &Hub, email: &str, scenario: &Scenario) -> Stream {
    let token = hub.user(email).await;
    let chat = hub.chat(&token, json!({})).await;
    let content = format!("Hi {}", scenario.marker());
    hub.stream(&chat, &token, json!({ "content": content }))
        .await
}

#[tokio::test]
async fn usage_a_provider_does_not_report_is_estimated_and_marked() {
    let hub = Hub::spawn(|o| o).await;
    let stream = first_answer(&hub, "nousage@example.com", &Scenario::NoUsage).await;
    assert_eq!(stream.last().name, "done");
    let (input, output, _, cost, estimated, _) = hub.usage_row(&stream.answer_id()).await.unwrap();
    assert!(estimated);
    assert!(input > 0 && output > 0);
    assert!(Decimal::from_str(&cost).unwrap() > Decimal::ZERO);
}

#[tokio::test]
async fn an_answer_is_completed_and_stored_after_the_client_goes_away() {
    let hub = Hub::spawn(|o| o).await;
    let (token, chat, mut open) = slow_first_answer(&hub, "gone@example.com", "Hi").await;
    let id = open.until("message_start").await.data["assistant_message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The client goes away in the middle of the answer.
    let first = open.until("delta").await;
    drop(open);

    let fixture = &hub.providers.manifest(ProviderKind::OpenAi)["streams"][0];
    let expected = fixture["text"].as_str().unwrap();
    assert!(expected.starts_with(first.data["text"].as_str().unwrap()));
    // The audit row is the last thing the request writes.
    let deadline = Instant::now() + Duration::from_secs(20);
    let audit = loop {
        let rows = hub
            .texts("SELECT details::text FROM audit_logs WHERE action = 'chat.message_answered'")
            .await;
        if let Some(row) = rows.first() {
            break serde_json::from_str::<Value>(row).unwrap();
        }
        assert!(Instant::now() < deadline, "the answer was not finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(audit["message_id"], id.as_str());
    assert_eq!(audit["status"], "complete");
    assert_eq!(audit["client_connected"], false, "{audit}");
    let (state, content, error) = hub.stored_answer(&id).await;
    assert_eq!((state.as_str(), content.as_str()), ("complete", expected));
    assert_eq!(error, None);
    // The provider's usage, as reported, with its timings.
    let (input, output, cached, _, estimated, ttft) = hub.usage_row(&id).await.expect("usage");
    let usage = usage_of(&fixture["usage"]);
    assert_eq!(
        (input as u64, output as u64, cached as u64),
        (usage.input, usage.output, usage.cached)
    );
    assert!(!estimated);
    assert!(ttft.is_some());
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    assert_eq!(detail["messages"][1]["content"], expected);
    assert_eq!(detail["messages"][1]["status"], "complete");
}

#[tokio::test]
async fn the_title_is_asked_beside_the_first_answer_from_the_question() {
    let hub = Hub::spawn(|o| o).await;
    let question = "Wie plane ich eine Reise nach Rom?";
    let (token, chat, mut open) = slow_first_answer(&hub, "beside@example.com", question).await;
    open.until("delta").await;
    // By the first text the title has been asked, with the question alone.
    let asked: Vec<Value> = hub
        .providers
        .requests()
        .into_iter()
        .filter(|r| r.body["stream"] != true)
        .map(|r| r.body)
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let messages = asked[0]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let sent = format!(
        "{question} {}",
        Scenario::Slow(Duration::from_millis(150)).marker()
    );
    assert_eq!(messages[1]["content"], sent.as_str());
    let answer = hub.providers.manifest(ProviderKind::OpenAi)["streams"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    // The title comes with the answer, before `done`, and is the chat's.
    let stream = open.finish().await;
    let names = stream.names();
    assert_eq!(names[names.len() - 2..], ["title", "done"], "{names:?}");
    assert_eq!(stream.last().data["message"]["content"], answer.as_str());
    let title = stream.event("title")["title"].as_str().unwrap().to_owned();
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    assert_eq!(detail["title"], title.as_str());
    assert_eq!(hub.providers.requests().len(), 2);
}

#[tokio::test]
async fn an_answer_the_host_cut_off_is_shown_as_interrupted() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("cutoff@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    let stream = hub.stream(&chat, &token, json!({ "content": "Hi" })).await;
    assert_eq!(stream.last().name, "done");
    // Two answers left pending by requests that ended without finalising them: one long ago
    // (with and without text), one just now (still streaming, as far as anyone knows).
    hub.execute(&format!(
        "INSERT INTO chat_messages (id, chat_id, role, content, model, status, updated_at) VALUES
         (gen_random_uuid(), '{chat}', 'assistant', 'Halb', 'gpt-4o-mini', 'partial', now() - interval '1 hour'),
         (gen_random_uuid(), '{chat}', 'assistant', '', 'gpt-4o-mini', 'partial', now() - interval '1 hour'),
         (gen_random_uuid(), '{chat}', 'assistant', 'Läuft', 'gpt-4o-mini', 'partial', now())"
    ))
    .await;
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    let states: Vec<(String, String, Value)> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["content"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
                m["error"].clone(),
            )
        })
        .collect();
    let find = |content: &str| states.iter().find(|(c, _, _)| c == content).unwrap();
    assert_eq!(find("Halb").1, "partial");
    assert!(find("Halb").2.as_str().unwrap().contains("interrupted"));
    assert_eq!(find("").1, "error");
    assert_eq!(find("Läuft").1, "partial");
    assert_eq!(find("Läuft").2, Value::Null);
    let done = stream.event("done")["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(find(&done).1, "complete");
}

#[tokio::test]
async fn keep_alive_comments_flow_while_the_provider_is_silent() {
    let hub = Hub::spawn(|o| o.variable("sse_keepalive_secs", "1")).await;
    let slow = Scenario::Slow(Duration::from_millis(1600));
    let stream = first_answer(&hub, "keepalive@example.com", &slow).await;
    assert_eq!(stream.last().name, "done");
    assert!(stream.comments >= 2, "{} comments", stream.comments);
    // The deltas arrived as the provider sent them, not at the end.
    let deltas: Vec<Duration> = stream
        .events
        .iter()
        .filter(|e| e.name == "delta")
        .map(|e| e.at)
        .collect();
    assert!(deltas.len() >= 2);
    assert!(deltas[deltas.len() - 1] - deltas[0] >= Duration::from_millis(1000));
}

#[tokio::test]
async fn an_xss_answer_is_stored_and_sent_as_plain_text() {
    let hub = Hub::spawn(|o| o).await;
    let stream = first_answer(&hub, "xss@example.com", &Scenario::Xss).await;
    assert_eq!(stream.text(), XSS_TEXT);
    let (_, content, _) = hub.stored_answer(&stream.answer_id()).await;
    assert_eq!(content, XSS_TEXT);
}

#[tokio::test]
async fn regenerate_replaces_a_failed_answer() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("retry@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    // The provider fails the conversation once and answers it when it comes again, unchanged:
    // the failed answer is not part of what the retry sends.
    let question = format!("Wie spät ist es? {}", Scenario::ErrorOnce(500).marker());
    let failed = hub
        .stream(&chat, &token, json!({ "content": question }))
        .await;
    assert_eq!(failed.last().name, "error");
    let retried = hub
        .stream(&chat, &token, json!({ "regenerate": true }))
        .await;
    assert_eq!(retried.last().name, "done", "{:?}", retried.events);
    assert_eq!(
        retried.event("message_start")["user_message"]["content"],
        question.as_str()
    );
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[1]["status"], "complete");
    assert!(retried.names().contains(&"title"));

    // Nothing to answer again in an empty chat; content and regenerate exclude each other.
    let empty = hub.chat(&token, json!({})).await;
    let stream = hub
        .stream(&empty, &token, json!({ "regenerate": true }))
        .await;
    assert_eq!(stream.status, 409);
    let stream = hub
        .stream(&chat, &token, json!({ "regenerate": true, "content": "x" }))
        .await;
    assert_eq!(stream.status, 400);
}

#[tokio::test]
async fn unknown_or_disabled_models_and_bad_messages_are_refused_before_anything_is_stored() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("refused@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    let cases = [
        (
            json!({ "content": "x", "model": "no-such-model" }),
            400,
            "unknown_model",
        ),
        (
            json!({ "content": "x", "model": "azure-gpt-4o" }),
            400,
            "unknown_model",
        ),
        (
            json!({ "content": "x", "temperature": 2.5 }),
            400,
            "invalid_input",
        ),
        (json!({ "content": "   " }), 400, "invalid_input"),
        (json!({}), 400, "invalid_input"),
        (
            json!({ "content": "x", "stream": true }),
            400,
            "invalid_input",
        ),
        (
            json!({ "content": "x".repeat(100_001) }),
            400,
            "invalid_input",
        ),
        (json!({ "content": 5 }), 400, "invalid_input"),
    ];
    for (body, status, code) in cases {
        let stream = hub.stream(&chat, &token, body.clone()).await;
        assert_eq!(stream.status, status, "{body}: {:?}", stream.body);
        assert_eq!(stream.body["error"]["code"], code, "{body}");
    }
    let answer = send_raw(
        hub.request(Method::POST, &format!("/api/chats/{chat}/messages"))
            .bearer_auth(&token)
            .header("content-type", "text/plain")
            .body("hello"),
    )
    .await;
    assert_eq!(answer.status, 415);
    let messages: i64 = hub.scalar("SELECT count(*) FROM chat_messages").await;
    assert_eq!(messages, 0);
    assert!(hub.providers.requests().is_empty());
}

#[tokio::test]
async fn a_provider_without_a_key_is_a_503_and_stores_nothing() {
    let hub = Hub::spawn(|o| o.variable("openai_api_key", "")).await;
    let token = hub.user("nokey@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    let stream = hub.stream(&chat, &token, json!({ "content": "Hi" })).await;
    assert_eq!(stream.status, 503);
    assert_eq!(stream.body["error"]["code"], "provider_not_configured");
    let messages: i64 = hub.scalar("SELECT count(*) FROM chat_messages").await;
    assert_eq!(messages, 0);
    // Its models are not offered, and so there is no default to offer either.
    let models = hub.get("/api/models", &token).await.expect(200);
    let items = models["items"].as_array().unwrap();
    assert!(items.iter().all(|m| m["provider"] != "openai"), "{items:?}");
    assert!(items.iter().any(|m| m["provider"] == "anthropic"));
    assert_eq!(models["default_model"], Value::Null);
    // Another provider still works.
    let stream = hub
        .stream(
            &chat,
            &token,
            json!({ "content": "Hi", "model": "claude-haiku-4-5" }),
        )
        .await;
    assert_eq!(stream.last().name, "done");
}

#[tokio::test]
async fn conversations_are_paged_changed_and_deleted_by_their_owner_only() {
    let hub = Hub::spawn(|o| o).await;
    let alice = hub.user("alice@example.com").await;
    let bob = hub.user("bob@example.com").await;

    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            hub.chat(&alice, json!({ "title": format!("Chat {i}") }))
                .await,
        );
    }
    let created = hub
        .post(
            "/api/chats",
            &alice,
            json!({ "model": "claude-haiku-4-5", "temperature": 0.4 }),
        )
        .await
        .expect(201);
    assert_eq!(created["title"], Value::Null);
    assert_eq!(created["model"], "claude-haiku-4-5");
    ids.push(created["id"].as_str().unwrap().to_owned());

    // Newest first, in pages, without overlap.
    let page = hub.get("/api/chats?limit=4", &alice).await.expect(200);
    let first: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(first, [&ids[5], &ids[4], &ids[3], &ids[2]]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = hub
        .get(&format!("/api/chats?limit=4&cursor={cursor}"), &alice)
        .await
        .expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["next_cursor"], Value::Null);
    for bad in ["limit=0", "limit=201", "limit=x", "cursor=nonsense"] {
        hub.get(&format!("/api/chats?{bad}"), &alice)
            .await
            .assert_error(400, "invalid_input");
    }
    // Bob sees none of them, and none of Alice's chats exists for him.
    let page = hub.get("/api/chats", &bob).await.expect(200);
    assert_eq!(page["items"], json!([]));
    let chat = &ids[0];
    let path = format!("/api/chats/{chat}");
    hub.get(&path, &bob).await.assert_error(404, "not_found");
    hub.patch(&path, &bob, json!({ "title": "mine" }))
        .await
        .assert_error(404, "not_found");
    hub.delete(&path, &bob).await.assert_error(404, "not_found");
    let stream = hub.stream(chat, &bob, json!({ "content": "hi" })).await;
    assert_eq!(stream.status, 404);
    hub.get("/api/chats/not-a-uuid", &alice)
        .await
        .assert_error(404, "not_found");

    // Changes name their fields; null goes back to the default.
    let changed = hub
        .patch(
            &path,
            &alice,
            json!({ "title": "  Reiseplanung  ", "model": "gpt-4o", "temperature": 0.9 }),
        )
        .await
        .expect(200);
    assert_eq!(changed["title"], "Reiseplanung");
    assert_eq!(changed["model"], "gpt-4o");
    let changed = hub
        .patch(&path, &alice, json!({ "model": null }))
        .await
        .expect(200);
    assert_eq!(changed["model"], Value::Null);
    assert_eq!(changed["temperature"], 0.9);
    assert_eq!(changed["title"], "Reiseplanung");
    for (body, code) in [
        (json!({}), "bad_request"),
        (json!({ "titel": "x" }), "invalid_input"),
        (json!({ "title": "" }), "invalid_input"),
        (json!({ "title": "x".repeat(201) }), "invalid_input"),
        (json!({ "temperature": -1 }), "invalid_input"),
        (json!({ "model": "gone" }), "unknown_model"),
    ] {
        hub.patch(&path, &alice, body.clone())
            .await
            .assert_error(400, code);
    }
    hub.post("/api/chats", &alice, json!({ "model": "azure-gpt-4o" }))
        .await
        .assert_error(400, "unknown_model");

    // Deleting removes the chat and its messages, not the usage history.
    let streamed = hub.stream(chat, &alice, json!({ "content": "hi" })).await;
    assert_eq!(streamed.last().name, "done");
    let response = hub.delete(&path, &alice).await;
    assert_eq!(response.status, 204);
    hub.get(&path, &alice).await.assert_error(404, "not_found");
    let left: i64 = hub.scalar("SELECT count(*) FROM chat_messages").await;
    assert_eq!(left, 0);
    let usage: i64 = hub.scalar("SELECT count(*) FROM chat_token_usage").await;
    assert!(usage >= 1);

    // Without a token: 401; a wrong method: 405 with Allow.
    let answer = send_raw(hub.request(Method::GET, "/api/chats")).await;
    assert_eq!(answer.status, 401);
    let answer = send_raw(hub.request(Method::PUT, "/api/chats").bearer_auth(&alice)).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, POST"));
    let actions = hub
        .texts("SELECT DISTINCT action FROM audit_logs WHERE action LIKE 'chat.%'")
        .await;
    for action in [
        "chat.created",
        "chat.renamed",
        "chat.deleted",
        "chat.message_answered",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn models_and_usage_are_the_callers() {
    let hub = Hub::spawn(|o| o).await;
    let alice = hub.user("usage-a@example.com").await;
    let bob = hub.user("usage-b@example.com").await;

    let models = hub.get("/api/models", &alice).await.expect(200);
    assert_eq!(models["default_model"], "gpt-4o-mini");
    let items = models["items"].as_array().unwrap();
    assert!(items.iter().all(|m| m["id"] != "azure-gpt-4o"));
    let mini = items.iter().find(|m| m["id"] == "gpt-4o-mini").unwrap();
    assert_eq!(mini["provider"], "openai");
    assert_eq!(mini["provider_name"], "OpenAI");
    assert_eq!(mini["is_default"], true);
    assert_eq!(mini["input_price_per_million"]["currency"], "USD");
    let gpt5 = items.iter().find(|m| m["id"] == "gpt-5").unwrap();
    assert_eq!(gpt5["supports_temperature"], false);

    let empty = hub.get("/api/usage/me", &alice).await.expect(200);
    assert_eq!(empty["requests"], 0);
    assert_eq!(empty["period"], "month");
    let chat = hub.chat(&alice, json!({})).await;
    for _ in 0..2 {
        let stream = hub.stream(&chat, &alice, json!({ "content": "Hi" })).await;
        assert_eq!(stream.last().name, "done");
    }
    let stored: (i64, i64, i64, String) = {
        let row = hub
            .db
            .client()
            .await
            .query_one(
                "SELECT count(*), sum(input_tokens)::int8, sum(output_tokens)::int8, sum(cost)::text \
                 FROM chat_token_usage",
                &[],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1), row.get(2), row.get(3))
    };
    for period in ["day", "week", "month", "all"] {
        let usage = hub
            .get(&format!("/api/usage/me?period={period}"), &alice)
            .await
            .expect(200);
        assert_eq!(usage["requests"], stored.0, "{period}");
        assert_eq!(usage["input_tokens"], stored.1);
        assert_eq!(usage["output_tokens"], stored.2);
        assert_eq!(
            Decimal::from_str(usage["cost"]["amount"].as_str().unwrap()).unwrap(),
            Decimal::from_str(&stored.3).unwrap()
        );
    }
    let other = hub.get("/api/usage/me?period=all", &bob).await.expect(200);
    assert_eq!(other["requests"], 0);
    assert_eq!(other["cost"]["amount"], "0");
    hub.get("/api/usage/me?period=year", &alice)
        .await
        .assert_error(400, "invalid_input");
}
