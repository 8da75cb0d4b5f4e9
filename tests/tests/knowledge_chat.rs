//! Knowledge in chats through the real app (`spin.toml`, the `chat`, `assistants`, `upload` and
//! `embed` components, real PostgreSQL, the fake providers): a collection attached to a chat, an
//! assistant's collections and a file attached to a message each put their passage into the
//! prompt; the `sources` event comes right after `message_start` and before the first `delta`;
//! the stored answer keeps its sources; nobody attaches or retrieves what they cannot read; and
//! with an embedding model active the question is embedded, its vector finds what its words
//! miss, and the embedding's usage is the chat's.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use hub_tests::{Hub, send};
use reqwest::Method;
use serde_json::{Value, json};

/// The passage the tests look for (a made-up word no other text contains).
const PASSAGE: &str = "Was gilt für das Zephyrkrake-Protokoll? Für das Zephyrkrake-Protokoll gilt: \
jede Meldung wird binnen 17 Minuten quittiert.";
/// The question that finds it.
const QUESTION: &str = "Was gilt für das Zephyrkrake-Protokoll?";

/// A Markdown file with the passage under a heading, and other text around it.
fn document(extra: &str) -> Vec<u8> {
    format!("# Betrieb\n\nAllgemeines zum Betrieb {extra}.\n\n## Meldungen\n\n{PASSAGE}\n")
        .into_bytes()
}

/// Uploads `bytes` as `name` (into `collection`, if any); the file's id.
async fn upload(
    hub: &Hub,
    token: &str,
    name: &str,
    collection: Option<&str>,
    bytes: Vec<u8>,
) -> String {
    let mut path = format!("/api/knowledge/files?name={name}");
    if let Some(collection) = collection {
        path.push_str(&format!("&collection_id={collection}"));
    }
    let file = send(
        hub.request(Method::POST, &path)
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(bytes),
    )
    .await
    .expect(201);
    assert_eq!(file["status"], "ready", "{file}");
    file["id"].as_str().unwrap().to_owned()
}

/// A new collection of the caller (`global` for an admin's global one); its id.
async fn collection(hub: &Hub, token: &str, name: &str, global: bool) -> String {
    let mut body = json!({"name": name});
    if global {
        body["scope"] = json!("global");
    }
    let created = hub
        .post("/api/knowledge/collections", token, body)
        .await
        .expect(201);
    created["id"].as_str().unwrap().to_owned()
}

/// A new chat of the caller with `collections` attached; its id.
async fn chat_on(hub: &Hub, token: &str, collections: &[&str]) -> String {
    let chat = hub.chat(token, json!({})).await;
    hub.patch(
        &format!("/api/chats/{chat}"),
        token,
        json!({ "collection_ids": collections }),
    )
    .await
    .expect(200);
    chat
}

/// The system text of the last streamed request the fake providers received (OpenAI's form).
fn last_system_text(hub: &Hub) -> String {
    let request = hub
        .providers
        .requests()
        .into_iter()
        .rfind(|r| r.body["stream"] == true)
        .unwrap();
    let first = &request.body["messages"][0];
    if first["role"] == "system" || first["role"] == "developer" {
        first["content"].as_str().unwrap_or_default().to_owned()
    } else {
        String::new()
    }
}

/// Asks `content` (with `extra` fields) in `chat` and checks the order of the events: the
/// sources (when `expect_sources`) right after `message_start` and before any `delta`; the
/// sources event's data, or `Value::Null`.
async fn ask(
    hub: &Hub,
    chat: &str,
    token: &str,
    body: Value,
    expect_sources: bool,
) -> (Value, Value) {
    let stream = hub.stream(chat, token, body).await;
    assert_eq!(stream.status, 200, "{}\n{}", stream.body, hub.app.log());
    assert_eq!(stream.last().name, "done", "{:?}", stream.events);
    let names = stream.names();
    assert_eq!(names[0], "message_start");
    let start = stream.event("message_start").clone();
    if expect_sources {
        assert_eq!(names[1], "sources", "{names:?}");
        assert!(names[2..].iter().all(|n| *n != "sources"));
        (start, stream.event("sources").clone())
    } else {
        assert!(!names.contains(&"sources"), "{names:?}");
        (start, Value::Null)
    }
}

fn assert_cites_the_passage(sources: &Value, file: &str) {
    let list = sources["sources"].as_array().unwrap();
    assert!(!list.is_empty());
    let first = &list[0];
    assert_eq!(first["index"], 1);
    assert_eq!(first["file_id"], file);
    assert_eq!(first["heading_path"], json!(["Betrieb", "Meldungen"]));
    let snippet = first["snippet"].as_str().unwrap();
    assert!(snippet.contains("Zephyrkrake"), "{snippet}");
    assert!(snippet.chars().count() <= 300);
    assert!(first["score"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn a_chat_with_a_collection_answers_from_it_with_sources() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("alice@example.com").await;
    let handbook = collection(&hub, &token, "Handbuch", false).await;
    let other = collection(&hub, &token, "Anderes", false).await;
    let file = upload(&hub, &token, "betrieb.md", Some(&handbook), document("A")).await;
    // The same passage in a collection the chat does not have: never retrieved.
    upload(&hub, &token, "kopie.md", Some(&other), document("B")).await;

    let chat = hub.chat(&token, json!({})).await;
    // Without knowledge: no sources event, nothing in the prompt.
    let (_, none) = ask(&hub, &chat, &token, json!({"content": QUESTION}), false).await;
    assert_eq!(none, Value::Null);
    assert!(!last_system_text(&hub).contains("Zephyrkrake"));

    let patched = hub
        .patch(
            &format!("/api/chats/{chat}"),
            &token,
            json!({"collection_ids": [handbook, handbook]}),
        )
        .await
        .expect(200);
    assert_eq!(patched["collection_ids"], json!([handbook]));
    let (_, sources) = ask(&hub, &chat, &token, json!({"content": QUESTION}), true).await;
    assert_cites_the_passage(&sources, &file);
    assert_eq!(sources["sources"].as_array().unwrap().len(), 1);
    let system = last_system_text(&hub);
    assert!(system.contains(PASSAGE), "{system}");
    assert!(
        system.contains("[1] betrieb.md — Betrieb › Meldungen"),
        "{system}"
    );
    assert!(system.contains("square brackets"), "{system}");

    // The stored answer keeps its sources; the question has none, nor do earlier answers.
    let detail = hub
        .get(&format!("/api/chats/{chat}"), &token)
        .await
        .expect(200);
    assert_eq!(detail["collection_ids"], json!([handbook]));
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[1]["sources"], json!([]));
    assert_eq!(messages[2]["sources"], json!([]));
    assert_eq!(messages[3]["sources"], sources["sources"]);
    // Keyword retrieval: no embedding, no usage row of one.
    let rows: i64 = hub
        .scalar(
            "SELECT count(*) FROM chat_token_usage \
             WHERE model NOT IN (SELECT model_id FROM app_model_config)",
        )
        .await;
    assert_eq!(rows, 0);

    // Regenerating retrieves again.
    let (_, again) = ask(&hub, &chat, &token, json!({"regenerate": true}), true).await;
    assert_eq!(again["sources"], sources["sources"]);

    // Detached: no retrieval any more.
    hub.patch(
        &format!("/api/chats/{chat}"),
        &token,
        json!({"collection_ids": []}),
    )
    .await
    .expect(200);
    ask(&hub, &chat, &token, json!({"content": QUESTION}), false).await;
}

#[tokio::test]
async fn with_an_embedding_model_the_question_is_embedded_and_found_by_meaning() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;
    let token = hub.user("dora@example.com").await;
    let handbook = collection(&hub, &token, "Handbuch", false).await;
    let file = upload(&hub, &token, "betrieb.md", Some(&handbook), document("D")).await;
    upload(
        &hub,
        &token,
        "urlaub.md",
        Some(&handbook),
        b"# Urlaub\n\nUrlaubsantraege werden zwei Wochen vorher gestellt.\n".to_vec(),
    )
    .await;
    let chat = chat_on(&hub, &token, &[&handbook]).await;
    // German stop words the passage has, and a word no file has: the keyword ranking (stop
    // words left out, every word needed in the 'simple' configuration) finds nothing.
    let question = "Für das wird jede Quokka?";
    ask(&hub, &chat, &token, json!({"content": question}), false).await;

    hub.post(
        "/api/admin/embedding-models/text-embedding-3-small/activate",
        &admin,
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        hub.tick().await,
        json!({"embedded": 2, "failed": 0, "more": false})
    );
    // The question's vector shares the passage's words: the passage is the first source.
    let (start, sources) = ask(&hub, &chat, &token, json!({"content": question}), true).await;
    let first = &sources["sources"][0];
    assert_eq!(first["file_id"], file, "{sources}");
    assert!(last_system_text(&hub).contains(PASSAGE));
    let embedded: Vec<String> = hub
        .providers
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/embeddings"))
        .filter_map(|r| r.body["input"][0].as_str().map(str::to_owned))
        .collect();
    assert_eq!(embedded.last().map(String::as_str), Some(question));
    // The embedding's usage row belongs to the question in this chat.
    let question_id = start["user_message"]["id"].as_str().unwrap();
    let rows: i64 = hub
        .scalar(&format!(
            "SELECT count(*) FROM chat_token_usage WHERE model = 'text-embedding-3-small' \
             AND chat_id = '{chat}' AND message_id = '{question_id}' AND input_tokens > 0"
        ))
        .await;
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn assistants_and_attached_files_bring_their_knowledge() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;
    let token = hub.user("carol@example.com").await;
    let own = collection(&hub, &token, "Eigenes", false).await;
    let global = collection(&hub, &admin, "Firmenwissen", true).await;
    let file = upload(&hub, &token, "betrieb.md", Some(&own), document("C")).await;

    // A personal assistant: own or global collections; a global one: global ones only.
    let assistant = hub
        .post(
            "/api/assistants",
            &token,
            json!({"name": "Betrieb", "system_prompt": "Antworte knapp.",
                   "collection_ids": [own, global]}),
        )
        .await
        .expect(201);
    let mut both = vec![own.clone(), global.clone()];
    both.sort();
    assert_eq!(assistant["collection_ids"], json!(both));
    let refused = hub
        .post(
            "/api/assistants",
            &admin,
            json!({"name": "G", "system_prompt": "p", "scope": "global", "collection_ids": [own]}),
        )
        .await;
    refused.assert_error(400, "invalid_input");
    assert_eq!(refused.body["error"]["details"]["field"], "collection_ids");
    let count: i64 = hub.scalar("SELECT count(*) FROM assistants").await;
    assert_eq!(count, 1, "the refused assistant is not stored");

    let chat = hub
        .chat(&token, json!({"assistant_id": assistant["id"]}))
        .await;
    let (_, sources) = ask(&hub, &chat, &token, json!({"content": QUESTION}), true).await;
    assert_cites_the_passage(&sources, &file);
    let system = last_system_text(&hub);
    assert!(system.starts_with("Antworte knapp.\n\n"), "{system}");
    assert!(system.contains(PASSAGE), "{system}");
    // The assistant without its collections: no knowledge.
    let id = assistant["id"].as_str().unwrap();
    let changed = hub
        .patch(
            &format!("/api/assistants/{id}"),
            &token,
            json!({"collection_ids": []}),
        )
        .await
        .expect(200);
    assert_eq!(changed["collection_ids"], json!([]));
    ask(&hub, &chat, &token, json!({"content": QUESTION}), false).await;

    // A file of its own, attached to one message: named with the message, retrieved from then on.
    let loose = upload(&hub, &token, "notiz.md", None, document("D")).await;
    let plain = hub.chat(&token, json!({})).await;
    let (start, sources) = ask(
        &hub,
        &plain,
        &token,
        json!({"content": QUESTION, "file_ids": [loose]}),
        true,
    )
    .await;
    assert_eq!(
        start["user_message"]["files"],
        json!([{"id": loose, "name": "notiz.md"}])
    );
    assert_cites_the_passage(&sources, &loose);
    assert_eq!(sources["sources"][0]["collection_id"], Value::Null);
    ask(
        &hub,
        &plain,
        &token,
        json!({"content": "Zephyrkrake?"}),
        true,
    )
    .await;
    let detail = hub
        .get(&format!("/api/chats/{plain}"), &token)
        .await
        .expect(200);
    assert_eq!(
        detail["messages"][0]["files"],
        json!([{"id": loose, "name": "notiz.md"}])
    );
    assert_eq!(detail["messages"][1]["files"], json!([]));
}

#[tokio::test]
async fn nobody_attaches_or_retrieves_what_they_cannot_read() {
    let hub = Hub::spawn(|o| o).await;
    let alice = hub.user("alice@example.com").await;
    let bob = hub.user("bob@example.com").await;
    let private = collection(&hub, &alice, "Privat", false).await;
    let file = upload(&hub, &alice, "betrieb.md", Some(&private), document("E")).await;
    let loose = upload(&hub, &alice, "notiz.md", None, document("F")).await;

    let chat = hub.chat(&bob, json!({})).await;
    let path = format!("/api/chats/{chat}");
    let eleven: Vec<String> = (0..11).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for ids in [
        json!([private]),
        json!(eleven),
        json!([uuid::Uuid::now_v7()]),
    ] {
        let answer = hub.patch(&path, &bob, json!({"collection_ids": ids})).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], "collection_ids");
    }
    for ids in [json!([file]), json!([loose]), json!(eleven)] {
        let answer = send(
            hub.request(Method::POST, &format!("/api/chats/{chat}/messages"))
                .bearer_auth(&bob)
                .json(&json!({"content": QUESTION, "file_ids": ids})),
        )
        .await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], "file_ids");
    }
    let stored: i64 = hub
        .scalar(
            "SELECT (SELECT count(*) FROM chat_collections) + (SELECT count(*) FROM chat_messages) \
             + (SELECT count(*) FROM chat_message_files)",
        )
        .await;
    assert_eq!(stored, 0, "nothing of a refused request is stored");

    // Links that are no longer readable (written behind the API's back, as a collection or a
    // file that stopped being visible would leave them) are neither shown nor retrieved from.
    let message: String = hub
        .scalar(&format!(
            "INSERT INTO chat_messages (id, chat_id, role, content) \
             VALUES (gen_random_uuid(), '{chat}', 'user', 'Hallo') RETURNING id::text"
        ))
        .await;
    hub.execute(&format!(
        "INSERT INTO chat_collections VALUES ('{chat}', '{private}'); \
         INSERT INTO chat_message_files VALUES ('{message}', '{file}'), ('{message}', '{loose}')"
    ))
    .await;
    let detail = hub.get(&path, &bob).await.expect(200);
    assert_eq!(detail["collection_ids"], json!([]));
    assert_eq!(detail["messages"][0]["files"], json!([]));
    let (_, none) = ask(&hub, &chat, &bob, json!({"content": QUESTION}), false).await;
    assert_eq!(none, Value::Null);
    assert!(!last_system_text(&hub).contains("Zephyrkrake"));

    // The owner still gets it, through the same kind of links.
    let own = chat_on(&hub, &alice, &[&private]).await;
    let (_, sources) = ask(&hub, &own, &alice, json!({"content": QUESTION}), true).await;
    assert_cites_the_passage(&sources, &file);
}
