//! Embeddings of knowledge files (K9) through the real components: the admin's choice of the
//! embedding model, the background step (`POST /api/knowledge/tick`) against the fake providers'
//! embedding endpoints, hybrid search (vectors and keywords fused by rank) with access checked in
//! SQL, failures that back off and give up without harming keyword search, and re-embedding
//! after a model change.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use hub_tests::{Hub, fake_embedding, send};
use reqwest::Method;
use serde_json::{Value, json};

const MODELS: &str = "/api/admin/embedding-models";

/// `GET /api/knowledge/search?q=…`: the mode and the file names of the hits, best first.
async fn search(hub: &Hub, token: &str, q: &str) -> (String, Vec<String>) {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let answer = hub
        .get(&format!("/api/knowledge/search?q={q}"), token)
        .await;
    let results = answer.expect(200);
    let names = results["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["file_name"].as_str().unwrap().to_owned())
        .collect();
    (results["mode"].as_str().unwrap().to_owned(), names)
}

/// The embedding state of file `id` as its owner sees it.
async fn embedding(hub: &Hub, token: &str, id: &str) -> Value {
    hub.get(&format!("/api/knowledge/files/{id}"), token)
        .await
        .expect(200)["embedding"]
        .clone()
}

async fn activate(hub: &Hub, admin: &str, model: &str) {
    hub.post(&format!("{MODELS}/{model}/activate"), admin, json!({}))
        .await
        .expect(200);
}

#[tokio::test]
async fn admins_choose_the_embedding_model_and_users_see_the_mode() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("admin@example.com").await;
    let user = hub.user("user@example.com").await;

    let list = hub.get(MODELS, &admin).await.expect(200);
    let seeded: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model_id"].as_str().unwrap())
        .collect();
    assert!(seeded.contains(&"text-embedding-3-small"), "{list}");
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["active"] == false)
    );
    let status = hub.get("/api/knowledge/status", &user).await.expect(200);
    assert_eq!(
        status,
        json!({ "mode": "keyword", "embedding_model": null })
    );

    // Only admins manage them; every field is checked.
    hub.get(MODELS, &user).await.assert_error(403, "forbidden");
    hub.post(&format!("{MODELS}/deactivate"), &user, json!({}))
        .await
        .assert_error(403, "forbidden");
    let put = |body: Value| {
        let hub = &hub;
        let admin = admin.clone();
        async move {
            send(
                hub.request(Method::PUT, &format!("{MODELS}/nomic-embed-text"))
                    .bearer_auth(&admin)
                    .json(&body),
            )
            .await
        }
    };
    for (body, field) in [
        (
            json!({"provider": "anthropic", "display_name": "x", "dimension": 768}),
            "provider",
        ),
        (
            json!({"provider": "openai_compatible", "display_name": "x", "dimension": 3072}),
            "dimension",
        ),
        (
            json!({"provider": "openai_compatible", "display_name": "", "dimension": 768}),
            "display_name",
        ),
        (
            json!({"provider": "azure_openai", "display_name": "x", "dimension": 768}),
            "azure_deployment",
        ),
        (
            json!({"provider": "openai_compatible", "display_name": "x", "dimension": 768, "input_price_per_million": "-1"}),
            "input_price_per_million",
        ),
    ] {
        let answer = put(body).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(
            answer.body["error"]["details"]["field"], field,
            "{}",
            answer.body
        );
    }
    put(
        json!({"provider": "openai_compatible", "display_name": "x", "dimension": 768, "extra": 1}),
    )
    .await
    .assert_error(400, "invalid_input");
    let created = put(json!({
        "provider": "openai_compatible", "display_name": "Nomic Embed (local)", "dimension": 768
    }))
    .await
    .expect(200);
    assert_eq!(created["input_price_per_million"], "0");
    assert_eq!(created["active"], false);

    // Choosing one: hybrid for everyone; the active one cannot be deleted.
    activate(&hub, &admin, "nomic-embed-text").await;
    let status = hub.get("/api/knowledge/status", &user).await.expect(200);
    assert_eq!(status["mode"], "hybrid");
    assert_eq!(status["embedding_model"]["dimension"], 768);
    hub.delete(&format!("{MODELS}/nomic-embed-text"), &admin)
        .await
        .assert_error(409, "conflict");
    hub.post(
        &format!("{MODELS}/no-such-model/activate"),
        &admin,
        json!({}),
    )
    .await
    .assert_error(404, "not_found");
    let still: String = hub
        .scalar("SELECT model_id FROM embedding_models WHERE active")
        .await;
    assert_eq!(still, "nomic-embed-text");

    hub.post(&format!("{MODELS}/deactivate"), &admin, json!({}))
        .await
        .expect(200);
    let status = hub.get("/api/knowledge/status", &user).await.expect(200);
    assert_eq!(status["mode"], "keyword");
    hub.delete(&format!("{MODELS}/nomic-embed-text"), &admin)
        .await
        .expect(204);
    hub.delete(&format!("{MODELS}/nomic-embed-text"), &admin)
        .await
        .assert_error(404, "not_found");
    let audited: i64 = hub
        .scalar("SELECT count(*) FROM audit_logs WHERE action = 'admin.embedding_model_updated'")
        .await;
    assert_eq!(audited, 4, "create, activate, deactivate, delete");

    // The background step is closed to everyone without the tick secret.
    for token in [None, Some("wrong"), Some(admin.as_str())] {
        let mut request = hub.request(Method::POST, "/api/knowledge/tick");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        send(request).await.assert_error(401, "unauthenticated");
    }
}

#[tokio::test]
async fn files_are_embedded_in_the_background_and_searched_by_meaning_and_words() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("admin@example.com").await;
    let alice = hub.user("alice@example.com").await;
    let bob = hub.user("bob@example.com").await;

    let corpus = [
        (
            "revenue.txt",
            "Quarterly revenue forecast for the sales team in Europe.",
        ),
        (
            "holiday.txt",
            "Holiday requests must be filed two weeks in advance.",
        ),
        (
            "servers.txt",
            "The database servers are patched every Tuesday night.",
        ),
    ];
    let mut files = Vec::new();
    for (name, text) in corpus {
        let file = hub
            .uploaded(&alice, name, None, text.as_bytes().to_vec())
            .await;
        assert_eq!(file["embedding"]["status"], "none", "{file}");
        files.push(file["id"].as_str().unwrap().to_owned());
    }
    // Offline (no model): keyword search, which needs every word.
    assert_eq!(
        search(&hub, &alice, "revenue forecast unicorn").await,
        ("keyword".to_owned(), Vec::new())
    );
    assert_eq!(
        hub.tick().await,
        json!({"embedded": 0, "failed": 0, "more": false})
    );

    activate(&hub, &admin, "text-embedding-3-small").await;
    assert_eq!(
        embedding(&hub, &alice, &files[0]).await["status"],
        "pending"
    );
    assert_eq!(
        hub.tick().await,
        json!({"embedded": 3, "failed": 0, "more": false})
    );
    assert_eq!(hub.tick().await["embedded"], 0, "nothing is embedded twice");
    for file in &files {
        assert_eq!(
            embedding(&hub, &alice, file).await,
            json!({"status": "ready", "error": null})
        );
    }
    // The stored vector is the provider's for the chunk's text, at the model's length.
    let stored: String = hub
        .scalar(&format!(
            "SELECT embedding::text FROM knowledge_chunks WHERE file_id = '{}'",
            files[0]
        ))
        .await;
    let stored: Vec<f32> = serde_json::from_str(&stored).unwrap();
    let expected = fake_embedding(corpus[0].1, 1536);
    assert_eq!(stored.len(), 1536);
    assert!(
        stored
            .iter()
            .zip(&expected)
            .all(|(a, b)| (a - b).abs() < 1e-6),
        "the stored vector differs from the provider's"
    );
    // The requests asked for the model's length and the usage is the uploader's.
    let asked = hub
        .providers
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/embeddings"))
        .count();
    assert!(asked >= 1);
    let (rows, users): (i64, i64) = (
        hub.scalar(
            "SELECT count(*) FROM chat_token_usage WHERE model = 'text-embedding-3-small' \
             AND chat_id IS NULL AND output_tokens = 0 AND input_tokens > 0",
        )
        .await,
        hub.scalar(
            "SELECT count(DISTINCT user_id) FROM chat_token_usage \
             WHERE model = 'text-embedding-3-small'",
        )
        .await,
    );
    assert!(rows >= 1);
    assert_eq!(users, 1);

    // Hybrid: a word no file has no longer hides the file that matches the rest by meaning.
    let (mode, names) = search(&hub, &alice, "revenue forecast unicorn").await;
    assert_eq!(mode, "hybrid");
    assert_eq!(
        names.first().map(String::as_str),
        Some("revenue.txt"),
        "{names:?}"
    );
    // A labelled query per file: the right one ranks first.
    for (q, want) in [
        (
            "how far in advance are holiday requests filed",
            "holiday.txt",
        ),
        ("when are the database servers patched", "servers.txt"),
        ("sales team revenue", "revenue.txt"),
    ] {
        let (_, names) = search(&hub, &alice, q).await;
        assert_eq!(
            names.first().map(String::as_str),
            Some(want),
            "{q}: {names:?}"
        );
    }
    // Another user's personal files are found by neither ranking.
    let (mode, names) = search(&hub, &bob, "revenue forecast unicorn").await;
    assert_eq!((mode.as_str(), names.len()), ("hybrid", 0));
    let (_, names) = search(&hub, &bob, "sales team revenue").await;
    assert!(names.is_empty(), "{names:?}");

    // A large scope (over 1,000 chunks) is ranked by the approximate plan (the HNSW index at
    // scale; a small scope exactly): 1,200 more chunks of unrelated random vectors, the same
    // answer, and another user still finds nothing.
    hub.execute(&format!(
        "INSERT INTO knowledge_files (id, owner_id, name, kind, size_bytes, sha256, content, \
         status, chunk_count, embedding_model) \
         SELECT gen_random_uuid(), owner_id, 'bulk.txt', 'text', 1, repeat('b', 64), '\\x00', \
         'ready', 1200, 'text-embedding-3-small' FROM knowledge_files WHERE id = '{}'; \
         INSERT INTO knowledge_chunks (file_id, ordinal, text, token_estimate, embedding) \
         SELECT b.id, n, 'filler ' || n, 2, \
         (SELECT array_agg(random() - 0.5)::real[] FROM generate_series(1, 1536) \
          WHERE n >= 0)::vector \
         FROM knowledge_files b, generate_series(0, 1199) n WHERE b.name = 'bulk.txt'; \
         ANALYZE knowledge_chunks",
        files[2]
    ))
    .await;
    let (mode, names) = search(&hub, &alice, "revenue forecast unicorn").await;
    assert_eq!(mode, "hybrid");
    assert_eq!(
        names.first().map(String::as_str),
        Some("revenue.txt"),
        "{names:?}"
    );
    let (_, names) = search(&hub, &bob, "revenue forecast unicorn").await;
    assert!(names.is_empty(), "{names:?}");
}

#[tokio::test]
async fn failures_back_off_give_up_and_keep_keyword_search_then_a_new_model_re_embeds() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("admin@example.com").await;
    let user = hub.user("user@example.com").await;
    let file = hub
        .uploaded(
            &user,
            "notes.md",
            None,
            b"# Notes\n\nThe Kantine opens at noon.".to_vec(),
        )
        .await;
    let id = file["id"].as_str().unwrap().to_owned();

    // A local model configured with the wrong length: the server answers 1536 dimensions.
    send(
        hub.request(Method::PUT, &format!("{MODELS}/local-embed"))
            .bearer_auth(&admin)
            .json(&json!({"provider": "openai_compatible", "display_name": "Local", "dimension": 768})),
    )
    .await
    .expect(200);
    activate(&hub, &admin, "local-embed").await;
    assert_eq!(
        hub.tick().await,
        json!({"embedded": 0, "failed": 1, "more": false})
    );
    let state = embedding(&hub, &user, &id).await;
    assert_eq!(state["status"], "pending");
    let error = state["error"].as_str().unwrap();
    assert!(error.contains("1536") && error.contains("768"), "{error}");
    // Backing off: the next step leaves it alone.
    assert_eq!(hub.tick().await["failed"], 0);
    // Keyword search still finds it; the query could not be embedded either.
    let (mode, names) = search(&hub, &user, "Kantine").await;
    assert_eq!(
        (mode.as_str(), names),
        ("keyword", vec!["notes.md".to_owned()])
    );
    // Five failures, then it is given up.
    for _ in 0..4 {
        hub.execute("UPDATE knowledge_files SET embed_after = now() - interval '1 second'")
            .await;
        assert_eq!(hub.tick().await["failed"], 1);
    }
    hub.execute("UPDATE knowledge_files SET embed_after = NULL")
        .await;
    assert_eq!(hub.tick().await["failed"], 0);
    assert_eq!(embedding(&hub, &user, &id).await["status"], "failed");

    // Fixing the model (its length) and choosing it again embeds the file.
    send(
        hub.request(Method::PUT, &format!("{MODELS}/local-embed"))
            .bearer_auth(&admin)
            .json(&json!({"provider": "openai_compatible", "display_name": "Local", "dimension": 1536})),
    )
    .await
    .expect(200);
    activate(&hub, &admin, "local-embed").await;
    assert_eq!(hub.tick().await["embedded"], 1);
    assert_eq!(embedding(&hub, &user, &id).await["status"], "ready");

    // Another model: the file is due again, and embedded at the new length.
    activate(&hub, &admin, "gemini-embedding-001").await;
    assert_eq!(embedding(&hub, &user, &id).await["status"], "pending");
    assert_eq!(hub.tick().await["embedded"], 1);
    let dims: i32 = hub
        .scalar(&format!(
            "SELECT vector_dims(embedding) FROM knowledge_chunks WHERE file_id = '{id}'"
        ))
        .await;
    assert_eq!(dims, 768);
    let (mode, names) = search(&hub, &user, "when does the canteen Kantine open").await;
    assert_eq!(
        (mode.as_str(), names),
        ("hybrid", vec!["notes.md".to_owned()])
    );
}
