//! Assistants and prompt templates through the real app (`spin.toml`, the `assistants` and
//! `chat` components, real PostgreSQL, the fake providers): 401 on every route (one table),
//! scopes and ownership (another user's personal one is a 404, a global one is the admins' to
//! change: 403 for others), limits and bad input, the system prompt reaching every provider
//! kind in its own format, model and temperature overrides with the user's choice winning,
//! answers using the assistant as it is at answer time, a deleted assistant leaving its chats
//! usable, audit rows of global changes and the admin statistics.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use hub_providers::ProviderKind;
use hub_tests::{Hub, model_of, send};
use reqwest::Method;
use serde_json::{Value, json};

const SOME_ID: &str = "0190f5f0-0000-7000-8000-000000000001";

/// Every route of the component: (method, path, body).
fn routes() -> Vec<(Method, String, Option<Value>)> {
    let assistant = json!({"name": "A", "system_prompt": "p"});
    vec![
        (Method::GET, "/api/assistants".into(), None),
        (Method::POST, "/api/assistants".into(), Some(assistant)),
        (Method::GET, format!("/api/assistants/{SOME_ID}"), None),
        (
            Method::PATCH,
            format!("/api/assistants/{SOME_ID}"),
            Some(json!({"name": "B"})),
        ),
        (Method::DELETE, format!("/api/assistants/{SOME_ID}"), None),
        (Method::GET, "/api/templates".into(), None),
        (
            Method::POST,
            "/api/templates".into(),
            Some(json!({"title": "T", "body": "b"})),
        ),
        (Method::GET, format!("/api/templates/{SOME_ID}"), None),
        (
            Method::PATCH,
            format!("/api/templates/{SOME_ID}"),
            Some(json!({"title": "U"})),
        ),
        (Method::DELETE, format!("/api/templates/{SOME_ID}"), None),
        (
            Method::POST,
            format!("/api/templates/{SOME_ID}/render"),
            Some(json!({"values": {}})),
        ),
    ]
}

#[tokio::test]
async fn every_route_refuses_anonymous_callers() {
    let hub = Hub::spawn(|o| o).await;
    for (method, path, body) in routes() {
        for token in [None, Some("not.a.token")] {
            let mut request = hub.request(method.clone(), &path);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let answer = send(request).await;
            answer.assert_error(401, "unauthenticated");
            let reason = if token.is_some() {
                "invalid"
            } else {
                "missing"
            };
            assert_eq!(
                answer.body["error"]["details"]["reason"], reason,
                "{method} {path}"
            );
        }
    }
    let count: i64 = hub
        .scalar(
            "SELECT (SELECT count(*) FROM assistants) + (SELECT count(*) FROM prompt_templates)",
        )
        .await;
    assert_eq!(count, 0);
    // Unknown paths and methods answer the JSON error too.
    let token = hub.user("u@example.com").await;
    hub.get("/api/assistants/not-a-uuid", &token)
        .await
        .assert_error(404, "not_found");
    hub.get(&format!("/api/assistants/{SOME_ID}/x"), &token)
        .await
        .assert_error(404, "not_found");
    let put = send(
        hub.request(Method::PUT, "/api/templates")
            .bearer_auth(&token),
    )
    .await;
    put.assert_error(405, "method_not_allowed");
    assert_eq!(put.header("allow"), Some("GET, POST"));
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn users_see_global_and_their_own_and_only_admins_manage_global_ones() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;
    let alice = hub.user("alice@example.com").await;
    let bob = hub.user("bob@example.com").await;

    let global = hub
        .post(
            "/api/assistants",
            &admin,
            json!({"name": "Jurist", "system_prompt": "Du bist Jurist.", "icon": "scale",
                   "scope": "global", "starters": ["Was ist ein Vertrag?"]}),
        )
        .await
        .expect(201);
    assert_eq!(global["scope"], "global");
    assert_eq!(global["editable"], true);
    assert_eq!(global["description"], "");
    let global_id = global["id"].as_str().unwrap().to_owned();
    hub.post(
        "/api/assistants",
        &alice,
        json!({"name": "X", "system_prompt": "p", "scope": "global"}),
    )
    .await
    .assert_error(403, "forbidden");
    let mine = hub
        .post(
            "/api/assistants",
            &alice,
            json!({"name": "Tutor", "system_prompt": "Erkläre einfach.", "description": "Lernen"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (mine["scope"].as_str(), mine["icon"].as_str()),
        (Some("personal"), Some("sparkles"))
    );
    let mine_id = mine["id"].as_str().unwrap().to_owned();
    let second = hub
        .post(
            "/api/assistants",
            &alice,
            json!({"name": "Coder", "system_prompt": "Code."}),
        )
        .await
        .expect(201);
    let second_id = second["id"].as_str().unwrap().to_owned();

    // Alice sees the global one and hers, newest first, paged; Bob only the global one.
    let page = hub.get("/api/assistants?limit=2", &alice).await.expect(200);
    assert_eq!(ids(&page), [second_id.as_str(), mine_id.as_str()]);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest = hub
        .get(&format!("/api/assistants?limit=2&cursor={cursor}"), &alice)
        .await
        .expect(200);
    assert_eq!(ids(&rest), [global_id.as_str()]);
    assert_eq!(rest["next_cursor"], Value::Null);
    assert_eq!(rest["items"][0]["editable"], false);
    let bobs = hub.get("/api/assistants", &bob).await.expect(200);
    assert_eq!(ids(&bobs), [global_id.as_str()]);
    let searched = hub.get("/api/assistants?q=lern", &alice).await.expect(200);
    assert_eq!(ids(&searched), [mine_id.as_str()]);
    let globals = hub
        .get("/api/assistants?scope=global", &alice)
        .await
        .expect(200);
    assert_eq!(ids(&globals), [global_id.as_str()]);

    // Another user's personal assistant is not found, for every operation.
    let path = format!("/api/assistants/{mine_id}");
    hub.get(&path, &bob).await.assert_error(404, "not_found");
    hub.patch(&path, &bob, json!({"name": "Mine now"}))
        .await
        .assert_error(404, "not_found");
    hub.delete(&path, &bob).await.assert_error(404, "not_found");
    hub.post("/api/chats", &bob, json!({"assistant_id": mine_id}))
        .await
        .assert_error(400, "unknown_assistant");
    // Even admins do not see personal ones.
    hub.get(&path, &admin).await.assert_error(404, "not_found");
    // A global one is everyone's to use, the admins' to change.
    let global_path = format!("/api/assistants/{global_id}");
    assert_eq!(
        hub.get(&global_path, &bob).await.expect(200)["name"],
        "Jurist"
    );
    hub.patch(&global_path, &bob, json!({"name": "Mine"}))
        .await
        .assert_error(403, "forbidden");
    hub.delete(&global_path, &bob)
        .await
        .assert_error(403, "forbidden");
    let changed = hub
        .patch(
            &global_path,
            &admin,
            json!({"description": "Recht", "temperature": 0.2}),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            changed["description"].as_str(),
            changed["temperature"].as_f64()
        ),
        (Some("Recht"), Some(0.2))
    );
    let renamed = hub
        .patch(&path, &alice, json!({"name": "Lehrer", "starters": []}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "Lehrer");

    // Templates follow the same rules.
    let template = hub
        .post(
            "/api/templates",
            &admin,
            json!({"title": "Übersetzen", "body": "Übersetze {{text}} nach {{ sprache }}.",
                   "descriptions": {"sprache": "Zielsprache"}, "scope": "global"}),
        )
        .await
        .expect(201);
    assert_eq!(
        template["variables"],
        json!([{"name": "text", "description": null}, {"name": "sprache", "description": "Zielsprache"}])
    );
    let template_id = template["id"].as_str().unwrap().to_owned();
    let own = hub
        .post(
            "/api/templates",
            &alice,
            json!({"title": "Mail", "body": "Hallo {{name}}"}),
        )
        .await
        .expect(201);
    let own_path = format!("/api/templates/{}", own["id"].as_str().unwrap());
    hub.get(&own_path, &bob)
        .await
        .assert_error(404, "not_found");
    hub.post(
        &format!("{own_path}/render"),
        &bob,
        json!({"values": {"name": "x"}}),
    )
    .await
    .assert_error(404, "not_found");
    let template_path = format!("/api/templates/{template_id}");
    hub.patch(&template_path, &bob, json!({"title": "x"}))
        .await
        .assert_error(403, "forbidden");
    hub.post(
        "/api/templates",
        &bob,
        json!({"title": "t", "body": "b", "scope": "global"}),
    )
    .await
    .assert_error(403, "forbidden");
    let rendered = hub
        .post(
            &format!("{template_path}/render"),
            &bob,
            json!({"values": {"text": "Guten Tag", "sprache": "Englisch"}}),
        )
        .await
        .expect(200);
    assert_eq!(rendered["text"], "Übersetze Guten Tag nach Englisch.");
    let listed = hub.get("/api/templates", &bob).await.expect(200);
    assert_eq!(ids(&listed), [template_id.as_str()]);
    // A new body keeps the descriptions of the variables it still has.
    let edited = hub
        .patch(
            &template_path,
            &admin,
            json!({"body": "{{sprache}}: {{text}} ({{ton}})"}),
        )
        .await
        .expect(200);
    assert_eq!(
        edited["variables"][0],
        json!({"name": "sprache", "description": "Zielsprache"})
    );
    assert_eq!(
        edited["variables"][2],
        json!({"name": "ton", "description": null})
    );

    // Statistics count both kinds, global and personal.
    let stats = hub.get("/api/admin/stats", &admin).await.expect(200);
    assert_eq!(
        (stats["assistants"].as_i64(), stats["templates"].as_i64()),
        (Some(3), Some(2))
    );

    // Deleting: own and global (admins); then they are gone.
    hub.delete(&template_path, &admin).await.expect(204);
    hub.delete(&own_path, &alice).await.expect(204);
    hub.delete(&global_path, &admin).await.expect(204);
    hub.get(&global_path, &admin)
        .await
        .assert_error(404, "not_found");
    hub.delete(&format!("/api/assistants/{second_id}"), &alice)
        .await
        .expect(204);

    // Only the changes of global ones are audited, with the values before and after.
    let actions: Vec<String> = hub
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a.starts_with("assistant.") || a.starts_with("template."))
        .collect();
    assert_eq!(
        actions,
        [
            "assistant.created",
            "assistant.updated",
            "template.created",
            "template.updated",
            "template.deleted",
            "assistant.deleted"
        ]
    );
    let details: Value = hub
        .scalar("SELECT details FROM audit_logs WHERE action = 'assistant.updated'")
        .await;
    assert_eq!(details["before"]["description"], "");
    assert_eq!(details["after"]["description"], "Recht");
    assert_eq!(details["after"]["system_prompt"], "Du bist Jurist.");
}

#[tokio::test]
async fn limits_and_bad_input_are_refused() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("limits@example.com").await;
    let base = json!({"name": "A", "system_prompt": "p"});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (
            with("system_prompt", json!("x".repeat(20_001))),
            "system_prompt",
        ),
        (with("system_prompt", json!("  ")), "system_prompt"),
        (with("name", json!("x".repeat(101))), "name"),
        (
            with("starters", json!(["1", "2", "3", "4", "5"])),
            "starters",
        ),
        (with("starters", json!([""])), "starters"),
        (with("temperature", json!(2.5)), "temperature"),
        (with("description", json!("x".repeat(501))), "description"),
    ] {
        let answer = hub.post("/api/assistants", &token, body).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field);
    }
    // Four starters, the longest prompt: fine.
    hub.post(
        "/api/assistants",
        &token,
        with("starters", json!(["1", "2", "3", "4"])),
    )
    .await
    .expect(201);
    hub.post(
        "/api/assistants",
        &token,
        with("system_prompt", json!("x".repeat(20_000))),
    )
    .await
    .expect(201);
    for body in [
        with("icon", json!("rocket")),
        with("colour", json!("red")),
        json!({"name": "A"}),
    ] {
        hub.post("/api/assistants", &token, body)
            .await
            .assert_error(400, "invalid_input");
    }
    // `null` where the document allows none is refused like any other wrong value.
    let answer = hub
        .post("/api/assistants", &token, with("scope", json!(null)))
        .await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    hub.post("/api/assistants", &token, with("model", json!("nope")))
        .await
        .assert_error(400, "unknown_model");
    let id = hub
        .post("/api/assistants", &token, base.clone())
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    hub.patch(&format!("/api/assistants/{id}"), &token, json!({}))
        .await
        .assert_error(400, "invalid_input");
    for query in [
        "limit=0",
        "limit=201",
        "cursor=nope",
        "scope=mine",
        &format!("cursor={SOME_ID}"),
    ] {
        let answer = hub.get(&format!("/api/assistants?{query}"), &token).await;
        answer.assert_error(400, "invalid_input");
        let answer = hub.get(&format!("/api/templates?{query}"), &token).await;
        answer.assert_error(400, "invalid_input");
    }
    hub.post("/api/chats", &token, json!({"assistant_id": "not-a-uuid"}))
        .await
        .assert_error(400, "invalid_input");
    hub.post("/api/chats", &token, json!({"assistant_id": SOME_ID}))
        .await
        .assert_error(400, "unknown_assistant");

    // A malformed template is refused with where it is wrong.
    let answer = hub
        .post(
            "/api/templates",
            &token,
            json!({"title": "T", "body": "Hallo\nan {{ first name }}"}),
        )
        .await;
    answer.assert_error(400, "invalid_template");
    let details = &answer.body["error"]["details"];
    assert_eq!(
        (details["line"].as_u64(), details["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert_eq!(details["field"], "body");
    hub.post(
        "/api/templates",
        &token,
        json!({"title": "T", "body": "{{x"}),
    )
    .await
    .assert_error(400, "invalid_template");
    let too_many: String = (0..31).map(|i| format!("{{{{v{i}}}}}")).collect();
    hub.post(
        "/api/templates",
        &token,
        json!({"title": "T", "body": too_many}),
    )
    .await
    .assert_error(400, "invalid_template");
    let answer = hub
        .post(
            "/api/templates",
            &token,
            json!({"title": "T", "body": "{{a}}", "descriptions": {"b": "?"}}),
        )
        .await;
    answer.assert_error(400, "invalid_input");
    assert_eq!(answer.body["error"]["details"]["field"], "descriptions");
    // Literal braces through the escape; rendering needs every value, and only those.
    let template = hub
        .post(
            "/api/templates",
            &token,
            json!({"title": "T", "body": "\\{{a}} {{a}} {{b}} {{a}}"}),
        )
        .await
        .expect(201);
    assert_eq!(template["variables"].as_array().unwrap().len(), 2);
    let render = format!("/api/templates/{}/render", template["id"].as_str().unwrap());
    let answer = hub
        .post(&render, &token, json!({"values": {"a": "1", "c": "3"}}))
        .await;
    answer.assert_error(400, "template_values_mismatch");
    assert_eq!(answer.body["error"]["details"]["missing"], json!(["b"]));
    assert_eq!(answer.body["error"]["details"]["unknown"], json!(["c"]));
    let text = hub
        .post(&render, &token, json!({"values": {"a": "1", "b": "{{2}}"}}))
        .await
        .expect(200);
    assert_eq!(text["text"], "{{a}} 1 {{2}} 1");
}

/// The system instruction of a provider request, in that provider's format.
fn system_of(kind: ProviderKind, body: &Value) -> Option<String> {
    match kind {
        ProviderKind::Anthropic => match &body["system"] {
            Value::String(text) => Some(text.clone()),
            Value::Array(blocks) => blocks[0]["text"].as_str().map(str::to_owned),
            _ => None,
        },
        ProviderKind::Gemini => body["systemInstruction"]["parts"][0]["text"]
            .as_str()
            .map(str::to_owned),
        _ => {
            let first = &body["messages"][0];
            matches!(first["role"].as_str(), Some("system" | "developer"))
                .then(|| first["content"].as_str().map(str::to_owned))
                .flatten()
        }
    }
}

#[tokio::test]
async fn every_provider_receives_the_system_prompt_in_its_own_format() {
    let hub = Hub::spawn(|o| o).await;
    hub.enable_all_models().await;
    let (admin, _) = hub.admin("root@example.com").await;
    let token = hub.user("prompt@example.com").await;
    for kind in ProviderKind::ALL {
        let prompt = format!("Du antwortest als Assistent für {}.", kind.as_str());
        let assistant = hub
            .post(
                "/api/assistants",
                &admin,
                json!({"name": kind.as_str(), "system_prompt": prompt, "model": model_of(kind),
                       "scope": "global"}),
            )
            .await
            .expect(201);
        let chat = hub
            .chat(&token, json!({"assistant_id": assistant["id"]}))
            .await;
        let stream = hub.stream(&chat, &token, json!({"content": "Hallo"})).await;
        assert_eq!(stream.last().name, "done", "{kind:?}: {:?}", stream.events);
        let request = hub
            .providers
            .requests()
            .into_iter()
            .filter(|r| r.provider == Some(kind))
            .find(|r| system_of(kind, &r.body).as_deref() == Some(prompt.as_str()))
            .unwrap_or_else(|| panic!("{kind:?}: no request with the system prompt"));
        let text = request.body.to_string();
        assert_eq!(text.matches(&prompt).count(), 1, "{kind:?}: {text}");
        match kind {
            ProviderKind::Anthropic => {
                assert!(
                    request.body["messages"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|m| m["role"] != "system")
                );
            }
            ProviderKind::Gemini => {
                assert_eq!(request.body["contents"][0]["parts"][0]["text"], "Hallo");
            }
            _ => assert_eq!(request.body["messages"][1]["content"], "Hallo"),
        }
    }
}

/// The last streamed answer request the fake providers received.
fn last_answer_request(hub: &Hub) -> Value {
    hub.providers
        .requests()
        .into_iter()
        .rfind(|r| r.body["stream"] == true)
        .unwrap()
        .body
}

#[tokio::test]
async fn answers_use_the_assistant_as_it_is_and_the_users_choices_win() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("snap@example.com").await;
    let assistant = hub
        .post(
            "/api/assistants",
            &token,
            json!({"name": "Kurz", "icon": "pen", "system_prompt": "Antworte in einem Satz.",
                   "model": "mistral-small-latest", "temperature": 0.4}),
        )
        .await
        .expect(201);
    let id = assistant["id"].as_str().unwrap().to_owned();
    let chat = hub.chat(&token, json!({"assistant_id": id})).await;

    // The chat shows its assistant, in the list and on its own.
    let list = hub.get("/api/chats", &token).await.expect(200);
    assert_eq!(
        list["items"][0]["assistant"],
        json!({"id": id, "name": "Kurz", "icon": "pen"})
    );
    let first = hub.stream(&chat, &token, json!({"content": "Erste"})).await;
    assert_eq!(first.last().name, "done");
    let request = last_answer_request(&hub);
    assert_eq!(request["model"], "mistral-small-latest");
    assert_eq!(request["temperature"], 0.4);
    assert_eq!(
        request["messages"][0],
        json!({"role": "system", "content": "Antworte in einem Satz."})
    );

    // An edit changes the next answer, not the stored ones.
    let detail_before = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    hub.patch(
        &format!("/api/assistants/{id}"),
        &token,
        json!({"system_prompt": "Antworte ausführlich.", "name": "Lang"}),
    )
    .await
    .expect(200);
    let second = hub
        .stream(&chat, &token, json!({"content": "Zweite"}))
        .await;
    assert_eq!(second.last().name, "done");
    let request = last_answer_request(&hub);
    assert_eq!(request["messages"][0]["content"], "Antworte ausführlich.");
    assert_eq!(request["messages"].as_array().unwrap().len(), 4);
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    assert_eq!(
        detail["messages"].as_array().unwrap()[..2],
        detail_before["messages"].as_array().unwrap()[..2]
    );
    assert_eq!(detail["assistant"]["name"], "Lang");

    // The user's choice for a message wins over the assistant's, and stays the chat's.
    let third = hub
        .stream(
            &chat,
            &token,
            json!({"content": "Dritte", "model": "gpt-4o-mini", "temperature": 1.2}),
        )
        .await;
    assert_eq!(third.last().name, "done");
    let request = last_answer_request(&hub);
    assert_eq!(
        (request["model"].as_str(), request["temperature"].as_f64()),
        (Some("gpt-4o-mini"), Some(1.2))
    );
    assert_eq!(request["messages"][0]["role"], "system");
    // A chat created with a model of its own keeps it over the assistant's.
    let own = hub
        .chat(&token, json!({"assistant_id": id, "model": "gpt-4o-mini"}))
        .await;
    hub.stream(&own, &token, json!({"content": "Hallo"})).await;
    let request = last_answer_request(&hub);
    assert_eq!(
        (request["model"].as_str(), request["temperature"].as_f64()),
        (Some("gpt-4o-mini"), Some(0.4))
    );

    // Deleted: the chat stays readable and answerable, without the assistant.
    hub.delete(&format!("/api/assistants/{id}"), &token)
        .await
        .expect(204);
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    assert_eq!(detail["assistant"], Value::Null);
    assert_eq!(detail["messages"].as_array().unwrap().len(), 6);
    let fourth = hub
        .stream(&chat, &token, json!({"content": "Vierte"}))
        .await;
    assert_eq!(fourth.last().name, "done");
    let request = last_answer_request(&hub);
    assert_eq!(request["messages"][0]["content"], "Erste");
    assert!(
        request["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["role"] != "system")
    );
}
