//! Strings that would reach SQL are checked first: a NUL character (PostgreSQL refuses the byte
//! in text), a control character where a person would not type one, a body that is not a JSON
//! object, or `null` where the document does not allow it gives a 4xx with the JSON error body,
//! never a 500. One test per family of fields: accounts, conversations, query parameters and
//! path ids, body shapes.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use hub_tests::{Answer, Hub, TEST_PASSWORD, send};
use reqwest::Method;
use serde_json::{Value, json};

/// Asserts a 400 `invalid_input` naming `field`.
fn assert_invalid(answer: &Answer, field: &str, what: &Value) {
    answer.assert_error(400, "invalid_input");
    assert_eq!(answer.body["error"]["details"]["field"], field, "{what}");
}

#[tokio::test(flavor = "multi_thread")]
async fn account_fields_refuse_nul_and_control_characters() {
    let hub = Hub::spawn(|o| o).await;
    let register = [
        (
            json!({"email": "a\u{0}b@example.com", "password": TEST_PASSWORD}),
            "email",
        ),
        (
            json!({"email": "ab@exam\u{0}ple.com", "password": TEST_PASSWORD}),
            "email",
        ),
        (
            json!({"email": "ab@example.com", "password": "pass\u{0}word!"}),
            "password",
        ),
        (
            json!({"email": "ab@example.com", "password": "pass\u{1b}word!"}),
            "password",
        ),
        (
            json!({"email": "ab@example.com", "password": TEST_PASSWORD, "display_name": "A\u{0}B"}),
            "display_name",
        ),
    ];
    for (body, field) in register {
        let answer = hub.post_anonymous("/api/auth/register", body.clone()).await;
        assert_invalid(&answer, field, &body);
    }
    let body = json!({"email": "a\u{0}b@example.com", "password": TEST_PASSWORD});
    assert_invalid(
        &hub.post_anonymous("/api/auth/login", body.clone()).await,
        "email",
        &body,
    );
    // A password with a NUL is only ever compared, never stored: the login just fails.
    hub.user("ab@example.com").await;
    hub.login("ab@example.com", "correct\u{0}horse")
        .await
        .assert_error(401, "invalid_credentials");
    // Refresh tokens reach the database only as their hash.
    hub.refresh("a\u{0}b")
        .await
        .assert_error(401, "invalid_refresh_token");
    assert_eq!(hub.logout("a\u{0}b").await.status, 204);

    let token = hub
        .login("ab@example.com", TEST_PASSWORD)
        .await
        .token("access_token");
    let patches = [
        (json!({"display_name": "A\u{0}B"}), "display_name"),
        (json!({"display_name": "A\u{7}B"}), "display_name"),
        (
            json!({"password": "new\u{0}password", "current_password": TEST_PASSWORD}),
            "password",
        ),
    ];
    for (body, field) in patches {
        let answer = hub.patch("/api/auth/me", &token, body.clone()).await;
        assert_invalid(&answer, field, &body);
    }
    // Session ids: anything that is not a UUID names nothing.
    for id in ["%00", "a%00b", "00000000-0000-0000-0000-00000000000%00"] {
        hub.delete(&format!("/api/auth/sessions/{id}"), &token)
            .await
            .assert_error(404, "not_found");
    }
    assert_eq!(hub.get("/api/auth/me", &token).await.status, 200);
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_fields_refuse_nul_and_control_characters() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("chat@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    let creates = [
        (json!({"title": "a\u{0}b"}), "title"),
        (json!({"title": "a\u{1}b"}), "title"),
        (json!({"model": "gpt\u{0}"}), "model"),
        (json!({"model": "gpt 4o"}), "model"),
        // The documented limit counts what was sent, before trimming.
        (json!({"title": format!(" {}", "x".repeat(200))}), "title"),
    ];
    for (body, field) in creates {
        let answer = hub.post("/api/chats", &token, body.clone()).await;
        assert_invalid(&answer, field, &body);
        let answer = hub
            .patch(&format!("/api/chats/{chat}"), &token, body.clone())
            .await;
        assert_invalid(&answer, field, &body);
    }
    let sends = [
        (json!({"content": "hi\u{0}"}), "content"),
        (json!({"content": "hi", "model": "\u{0}"}), "model"),
        (json!({"content": "hi", "model": "a\tb"}), "model"),
    ];
    for (body, field) in sends {
        let stream = hub.stream(&chat, &token, body.clone()).await;
        assert_eq!(stream.status, 400, "{body}: {:?}", stream.body);
        assert_eq!(stream.body["error"]["code"], "invalid_input", "{body}");
        assert_eq!(stream.body["error"]["details"]["field"], field, "{body}");
    }
    // Chat ids: anything that is not a UUID names nothing.
    for path in [
        "/api/chats/%00",
        "/api/chats/a%00b",
        "/api/chats/%00/messages",
    ] {
        hub.get(path, &token).await.assert_error(404, "not_found");
    }
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM chats").await, 1);
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM chat_messages")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn query_parameters_refuse_what_they_cannot_mean() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("query@example.com").await;
    for (path, field) in [
        ("/api/chats?cursor=%00", "cursor"),
        ("/api/chats?cursor=a%00b", "cursor"),
        ("/api/chats?limit=%00", "limit"),
        ("/api/chats?limit=1%00", "limit"),
        ("/api/chats?limit=0", "limit"),
        ("/api/chats?limit=201", "limit"),
        ("/api/usage/me?period=%00", "period"),
        ("/api/usage/me?period=month%00", "period"),
    ] {
        let answer = hub.get(path, &token).await;
        assert_invalid(&answer, field, &json!(path));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_are_objects_and_null_only_where_documented() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub.user("shape@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    let messages = format!("/api/chats/{chat}/messages");
    let chat_path = format!("/api/chats/{chat}");
    // Every route that reads a body: a JSON document that is not an object is refused.
    let routes: [(Method, &str, bool); 8] = [
        (Method::POST, "/api/auth/register", false),
        (Method::POST, "/api/auth/login", false),
        (Method::POST, "/api/auth/refresh", false),
        (Method::POST, "/api/auth/logout", false),
        (Method::PATCH, "/api/auth/me", true),
        (Method::POST, "/api/chats", true),
        (Method::PATCH, &chat_path, true),
        (Method::POST, &messages, true),
    ];
    for (method, path, authenticated) in routes {
        for body in [
            r#"["a@example.com","x"]"#,
            "[]",
            r#""x""#,
            "1",
            "true",
            "null",
        ] {
            let mut request = hub
                .request(method.clone(), path)
                .header("content-type", "application/json")
                .body(body);
            if authenticated {
                request = request.bearer_auth(&token);
            }
            let answer = send(request).await;
            answer.assert_error(400, "invalid_input");
            let message = answer.body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("JSON object"),
                "{method} {path} {body}: {message}"
            );
        }
    }

    // null where the document allows it: a new chat's title, model and temperature (the
    // defaults, as a chat shows them), a chat's model and temperature (reset).
    let created = hub
        .post(
            "/api/chats",
            &token,
            json!({"title": null, "model": null, "temperature": null}),
        )
        .await
        .expect(201);
    assert_eq!(
        (
            &created["title"],
            &created["model"],
            &created["temperature"]
        ),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    hub.patch(
        &chat_path,
        &token,
        json!({"model": null, "temperature": null}),
    )
    .await
    .expect(200);
    // Anywhere else null is refused.
    let refused = [
        (
            Method::POST,
            "/api/auth/register",
            json!({"email": "n@example.com", "password": TEST_PASSWORD, "display_name": null}),
        ),
        (
            Method::POST,
            "/api/auth/register",
            json!({"email": "n@example.com", "password": TEST_PASSWORD, "is_admin": null}),
        ),
        (Method::PATCH, "/api/auth/me", json!({"display_name": null})),
        (Method::PATCH, &chat_path, json!({"title": null})),
        (Method::POST, &messages, json!({"content": null})),
        (
            Method::POST,
            &messages,
            json!({"content": "hi", "model": null}),
        ),
        (
            Method::POST,
            &messages,
            json!({"content": "hi", "temperature": null}),
        ),
        (Method::POST, &messages, json!({"regenerate": null})),
    ];
    for (method, path, body) in refused {
        let answer = send(
            hub.request(method.clone(), path)
                .bearer_auth(&token)
                .json(&body),
        )
        .await;
        answer.assert_error(400, "invalid_input");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("null"),
            "{method} {path} {body}: {:?}",
            answer.body
        );
    }
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 1);
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM chat_messages")
            .await,
        0
    );
}
