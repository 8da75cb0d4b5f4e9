//! The admin console's API for users, models, costs and statistics (`/api/admin/...`), through
//! the real app: every route admin-only (401 and 403 for each, from one table), happy paths, bad
//! input, self-protection, the last-admin race with concurrent requests, user deletion that
//! keeps the usage rows unlinked, the forced password change, the default-model rule, and the
//! cost report's exact decimals and CSV export.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use hub_tests::{Hub, TEST_PASSWORD, send, send_raw};
use reqwest::Method;
use serde_json::{Value, json};

/// A new (non-admin) user; their access token and id.
async fn user(hub: &Hub, email: &str) -> (String, String) {
    let answer = hub.new_user(email).await;
    let id = answer.body["user"]["id"].as_str().unwrap().to_owned();
    (answer.token("access_token"), id)
}

const SOME_ID: &str = "0190f5f0-0000-7000-8000-000000000001";

/// Every route of the backend's admin API: (method, path, body).
fn routes() -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, "/api/admin/users".into(), None),
        (
            Method::POST,
            "/api/admin/users".into(),
            Some(json!({"email": "x@example.com"})),
        ),
        (Method::GET, format!("/api/admin/users/{SOME_ID}"), None),
        (
            Method::PATCH,
            format!("/api/admin/users/{SOME_ID}"),
            Some(json!({"is_active": false})),
        ),
        (Method::DELETE, format!("/api/admin/users/{SOME_ID}"), None),
        (
            Method::POST,
            format!("/api/admin/users/{SOME_ID}/password-reset"),
            Some(json!({})),
        ),
        (Method::GET, "/api/admin/costs".into(), None),
        (Method::GET, "/api/admin/costs.csv".into(), None),
        (Method::GET, "/api/admin/stats".into(), None),
        (Method::GET, "/api/admin/models".into(), None),
        (
            Method::POST,
            "/api/admin/models".into(),
            Some(json!({"id": "m", "provider": "openai", "display_name": "M",
                "input_price_per_million": "1", "output_price_per_million": "1"})),
        ),
        (
            Method::PATCH,
            "/api/admin/models/gpt-4o".into(),
            Some(json!({"enabled": false})),
        ),
    ]
}

async fn call(
    hub: &Hub,
    method: &Method,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> hub_tests::Answer {
    let mut request = hub.request(method.clone(), path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    send(request).await
}

#[tokio::test]
async fn every_admin_route_refuses_anonymous_and_non_admin_callers() {
    let hub = Hub::spawn(|o| o).await;
    let (user_token, _) = user(&hub, "user@example.com").await;
    let before: i64 = hub.scalar("SELECT count(*) FROM app_users").await;
    for (method, path, body) in routes() {
        let anonymous = call(&hub, &method, &path, body.as_ref(), None).await;
        anonymous.assert_error(401, "unauthenticated");
        assert_eq!(
            anonymous.body["error"]["details"]["reason"], "missing",
            "{method} {path}"
        );
        let forged = call(&hub, &method, &path, body.as_ref(), Some("not.a.token")).await;
        forged.assert_error(401, "unauthenticated");
        let refused = call(&hub, &method, &path, body.as_ref(), Some(&user_token)).await;
        refused.assert_error(403, "forbidden");
    }
    // Nothing changed on the way: no account, no model disabled.
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM app_users").await,
        before
    );
    assert!(
        hub.scalar::<bool>("SELECT enabled FROM app_model_config WHERE model_id = 'gpt-4o'")
            .await
    );
    // Unknown paths and methods under /api/admin answer the JSON error too.
    let (admin_token, _) = hub.admin("root@example.com").await;
    hub.get("/api/admin/nothing", &admin_token)
        .await
        .assert_error(404, "not_found");
    hub.get("/api/admin/users/42", &admin_token)
        .await
        .assert_error(404, "not_found");
    let put = send(
        hub.request(Method::PUT, "/api/admin/stats")
            .bearer_auth(&admin_token),
    )
    .await;
    put.assert_error(405, "method_not_allowed");
    assert_eq!(put.header("allow"), Some("GET"));
}

#[tokio::test]
async fn admins_list_create_change_and_delete_users() {
    let hub = Hub::spawn(|o| o).await;
    let (root, root_id) = hub.admin("root@example.com").await;
    for name in ["carol", "alice", "bob", "dave"] {
        user(&hub, &format!("{name}@example.com")).await;
    }

    // Create: 201, generated password shown once, must be changed; email taken: 409.
    let created = hub
        .post(
            "/api/admin/users",
            &root,
            json!({"email": "Eve@Example.com", "display_name": "Eve"}),
        )
        .await
        .expect(201);
    assert_eq!(created["user"]["email"], "eve@example.com");
    assert_eq!(created["user"]["must_change_password"], true);
    let generated = created["generated_password"].as_str().unwrap().to_owned();
    assert_eq!(generated.len(), 24);
    let eve = created["user"]["id"].as_str().unwrap().to_owned();
    hub.post(
        "/api/admin/users",
        &root,
        json!({"email": "eve@example.com", "password": TEST_PASSWORD}),
    )
    .await
    .assert_error(409, "email_taken");
    let given = hub
        .post(
            "/api/admin/users",
            &root,
            json!({"email": "frank@example.com", "password": TEST_PASSWORD, "is_admin": true}),
        )
        .await
        .expect(201);
    assert_eq!(given["generated_password"], Value::Null);
    assert_eq!(given["user"]["is_admin"], true);

    // Bad input: unknown fields, null, short passwords, bad emails.
    for body in [
        json!({"email": "g@example.com", "role": "admin"}),
        json!({"email": "g@example.com", "is_admin": null}),
        json!({"email": "g@example.com", "password": "short"}),
        json!({"email": "not an email"}),
    ] {
        let answer = hub.post("/api/admin/users", &root, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
    }

    // List: sorted by email, paged by keyset without gaps or repeats.
    let mut emails = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = hub
            .get(
                &format!("/api/admin/users?sort=email&limit=2&cursor={cursor}"),
                &root,
            )
            .await
            .expect(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        emails.extend(
            items
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    assert_eq!(emails.len(), 7, "{emails:?}");
    // Newest first by default, and the same through pages of one.
    let all = hub
        .get("/api/admin/users?limit=200", &root)
        .await
        .expect(200);
    let first = all["items"][0]["email"].as_str().unwrap().to_owned();
    assert_eq!(first, "frank@example.com");
    let one = hub.get("/api/admin/users?limit=1", &root).await.expect(200);
    let second = hub
        .get(
            &format!(
                "/api/admin/users?limit=1&cursor={}",
                one["next_cursor"].as_str().unwrap()
            ),
            &root,
        )
        .await
        .expect(200);
    assert_eq!(second["items"][0]["email"], all["items"][1]["email"]);
    // Search and filters.
    let found = hub.get("/api/admin/users?q=ALI", &root).await.expect(200);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["email"], "alice@example.com");
    let nothing = hub.get("/api/admin/users?q=%25", &root).await.expect(200);
    assert_eq!(
        nothing["items"].as_array().unwrap().len(),
        0,
        "a % is searched as itself"
    );
    let admins = hub
        .get("/api/admin/users?admin=true&sort=email", &root)
        .await
        .expect(200);
    let admin_emails: Vec<&str> = admins["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(admin_emails, ["frank@example.com", "root@example.com"]);
    // A cursor of another order, a forged one, bad parameters: 400 naming the parameter.
    for (query, field) in [
        (
            format!("sort=email&cursor={}", one["next_cursor"].as_str().unwrap()),
            "cursor",
        ),
        ("cursor=bm90LWEtY3Vyc29y".to_owned(), "cursor"),
        ("cursor=%00".to_owned(), "cursor"),
        ("sort=password_hash".to_owned(), "sort"),
        ("order=sideways".to_owned(), "order"),
        ("limit=0".to_owned(), "limit"),
        ("limit=201".to_owned(), "limit"),
        ("active=maybe".to_owned(), "active"),
        (format!("q={}", "x".repeat(101)), "q"),
    ] {
        let answer = hub.get(&format!("/api/admin/users?{query}"), &root).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field, "{query}");
    }

    // Get, change.
    let got = hub
        .get(&format!("/api/admin/users/{eve}"), &root)
        .await
        .expect(200);
    assert_eq!(got["display_name"], "Eve");
    hub.get(&format!("/api/admin/users/{SOME_ID}"), &root)
        .await
        .assert_error(404, "not_found");
    let changed = hub
        .patch(
            &format!("/api/admin/users/{eve}"),
            &root,
            json!({"display_name": "Eve E.", "is_admin": true}),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            changed["display_name"].as_str(),
            changed["is_admin"].as_bool()
        ),
        (Some("Eve E."), Some(true))
    );
    for body in [
        json!({}),
        json!({"is_admin": null}),
        json!({"email": "x@example.com"}),
        json!({"display_name": ""}),
    ] {
        hub.patch(&format!("/api/admin/users/{eve}"), &root, body)
            .await
            .assert_error(400, "invalid_input");
    }

    // Self-protection: no deactivating, demoting, deleting or resetting oneself.
    for body in [json!({"is_active": false}), json!({"is_admin": false})] {
        hub.patch(&format!("/api/admin/users/{root_id}"), &root, body)
            .await
            .assert_error(403, "self_protected");
    }
    hub.delete(&format!("/api/admin/users/{root_id}"), &root)
        .await
        .assert_error(403, "self_protected");
    hub.post(
        &format!("/api/admin/users/{root_id}/password-reset"),
        &root,
        json!({}),
    )
    .await
    .assert_error(403, "self_protected");
    hub.get("/api/auth/me", &root).await.expect(200);
    hub.patch(
        &format!("/api/admin/users/{root_id}"),
        &root,
        json!({"display_name": "Root"}),
    )
    .await
    .expect(200);

    // Demotion and deactivation bite on the very next request.
    hub.patch("/api/admin/users/not-a-uuid", &root, json!({}))
        .await
        .assert_error(404, "not_found");
    let frank = hub
        .login("frank@example.com", TEST_PASSWORD)
        .await
        .token("access_token");
    hub.get("/api/admin/stats", &frank)
        .await
        .assert_error(403, "password_change_required");
    hub.patch(
        "/api/auth/me",
        &frank,
        json!({"password": "franks own password", "current_password": TEST_PASSWORD}),
    )
    .await
    .expect(200);
    hub.get("/api/admin/stats", &frank).await.expect(200);
    let frank_id = given["user"]["id"].as_str().unwrap();
    hub.patch(
        &format!("/api/admin/users/{frank_id}"),
        &root,
        json!({"is_admin": false}),
    )
    .await
    .expect(200);
    hub.get("/api/admin/stats", &frank)
        .await
        .assert_error(403, "forbidden");
    hub.patch(
        &format!("/api/admin/users/{frank_id}"),
        &root,
        json!({"is_active": false}),
    )
    .await
    .expect(200);
    hub.get("/api/auth/me", &frank)
        .await
        .assert_error(401, "unauthenticated");

    // The audit log has every action with before and after, and no password.
    let actions = hub.audit_actions().await;
    for action in ["admin.user_created", "admin.user_updated"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
    let text = hub.audit_text().await;
    assert!(
        !text.contains(&generated) && !text.contains(TEST_PASSWORD) && !text.contains("argon2")
    );
    assert!(text.contains(r#""before":"#) && text.contains(r#""after":"#));
}

#[tokio::test]
async fn deleting_a_user_removes_their_chats_and_keeps_their_usage_unlinked() {
    let hub = Hub::spawn(|o| o).await;
    let (root, _) = hub.admin("root@example.com").await;
    let (token, id) = user(&hub, "gone@example.com").await;
    let chat = hub.chat(&token, json!({"title": "bye"})).await;
    hub.execute(&format!(
        "INSERT INTO chat_token_usage (id, user_id, chat_id, provider, model, input_tokens, \
         output_tokens, cost) VALUES (gen_random_uuid(), '{id}', '{chat}', 'openai', 'gpt-4o', \
         1000, 100, 0.0035)"
    ))
    .await;
    hub.delete(&format!("/api/admin/users/{id}"), &root)
        .await
        .expect(204);
    hub.delete(&format!("/api/admin/users/{id}"), &root)
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        hub.scalar::<i64>(&format!("SELECT count(*) FROM chats WHERE id = '{chat}'"))
            .await,
        0
    );
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM chat_token_usage WHERE user_id IS NULL")
            .await,
        1
    );
    hub.get("/api/chats", &token)
        .await
        .assert_error(401, "unauthenticated");
    // The cost history keeps the row, under the unlinked (null) user.
    let costs = hub
        .get("/api/admin/costs?period=day", &root)
        .await
        .expect(200);
    assert_eq!(
        costs["total"]["cost"],
        json!({"amount": "0.0035", "currency": "USD"})
    );
    assert_eq!(costs["by_user"][0]["key"], Value::Null);
    assert!(
        hub.audit_actions()
            .await
            .contains(&"admin.user_deleted".to_owned())
    );
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one() {
    let hub = Hub::spawn(|o| o).await;
    let (a, a_id) = hub.admin("a@example.com").await;
    let (b, b_id) = hub.admin("b@example.com").await;
    let (path_a, path_b) = (
        format!("/api/admin/users/{a_id}"),
        format!("/api/admin/users/{b_id}"),
    );
    for round in 0..6 {
        // Alternate demotion and deactivation; both requests are authenticated before either
        // changes anything.
        let body = if round % 2 == 0 {
            json!({"is_admin": false})
        } else {
            json!({"is_active": false})
        };
        let (first, second) = tokio::join!(
            hub.patch(&path_b, &a, body.clone()),
            hub.patch(&path_a, &b, body.clone()),
        );
        let statuses = [first.status, second.status];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {statuses:?} {:?} {:?}",
            first.body,
            second.body
        );
        let loser = if first.status == 200 { &second } else { &first };
        let code = loser.body["error"]["code"].as_str().unwrap();
        assert!(
            matches!(code, "forbidden" | "last_admin" | "unauthenticated"),
            "{code}"
        );
        let left: i64 = hub
            .scalar("SELECT count(*) FROM app_users WHERE is_admin AND is_active")
            .await;
        assert_eq!(left, 1, "round {round}");
        hub.execute("UPDATE app_users SET is_admin = true, is_active = true")
            .await;
    }
    // Deleting each other at once: one stays too.
    let (first, second) = tokio::join!(hub.delete(&path_b, &a), hub.delete(&path_a, &b),);
    assert_eq!(
        [first.status, second.status]
            .iter()
            .filter(|s| **s == 204)
            .count(),
        1
    );
    let left: i64 = hub
        .scalar("SELECT count(*) FROM app_users WHERE is_admin AND is_active")
        .await;
    assert_eq!(left, 1);
}

#[tokio::test]
async fn a_password_set_by_an_admin_must_be_changed_first() {
    let hub = Hub::spawn(|o| o).await;
    let (root, _) = hub.admin("root@example.com").await;
    let (old_token, id) = user(&hub, "pat@example.com").await;
    let reset = hub
        .post(
            &format!("/api/admin/users/{id}/password-reset"),
            &root,
            json!({}),
        )
        .await
        .expect(200);
    let temporary = reset["generated_password"].as_str().unwrap().to_owned();
    assert_eq!(reset["user"]["must_change_password"], true);
    // The reset ended the user's sessions; the old password is gone.
    hub.get("/api/chats", &old_token)
        .await
        .assert_error(401, "unauthenticated");
    hub.login("pat@example.com", TEST_PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    let token = hub
        .login("pat@example.com", &temporary)
        .await
        .token("access_token");
    // Until changed: everything but the own account is refused with the dedicated code.
    hub.get("/api/chats", &token)
        .await
        .assert_error(403, "password_change_required");
    hub.get("/api/models", &token)
        .await
        .assert_error(403, "password_change_required");
    // Sending a message (a streamed answer) too.
    let send = format!("/api/chats/{}/messages", uuid::Uuid::now_v7());
    let message = json!({ "content": "Hallo" });
    hub.post(&send, &token, message.clone())
        .await
        .assert_error(403, "password_change_required");
    hub.post(&send, &old_token, message)
        .await
        .assert_error(401, "unauthenticated");
    hub.get("/api/auth/sessions", &token).await.expect(200);
    let me = hub.get("/api/auth/me", &token).await.expect(200);
    assert_eq!(me["must_change_password"], true);
    let changed = hub
        .patch(
            "/api/auth/me",
            &token,
            json!({"password": "a brand new password", "current_password": temporary}),
        )
        .await
        .expect(200);
    // The answer to the change already says it is done.
    assert_eq!(changed["must_change_password"], false);
    hub.get("/api/chats", &token).await.expect(200);
    assert_eq!(
        hub.get("/api/auth/me", &token).await.expect(200)["must_change_password"],
        false
    );
    // A given password: no generated one; bad input refused.
    let given = hub
        .post(
            &format!("/api/admin/users/{id}/password-reset"),
            &root,
            json!({"password": "chosen by admin"}),
        )
        .await
        .expect(200);
    assert_eq!(given["generated_password"], Value::Null);
    for body in [
        json!({"password": "short"}),
        json!({"password": null}),
        json!({"pasword": "x"}),
    ] {
        hub.post(
            &format!("/api/admin/users/{id}/password-reset"),
            &root,
            body,
        )
        .await
        .assert_error(400, "invalid_input");
    }
    hub.post(
        &format!("/api/admin/users/{SOME_ID}/password-reset"),
        &root,
        json!({}),
    )
    .await
    .assert_error(404, "not_found");
    let text = hub.audit_text().await;
    assert!(
        text.contains("admin.password_reset")
            && !text.contains(&temporary)
            && !text.contains("chosen by admin")
    );
}

#[tokio::test]
async fn admins_manage_models_and_the_one_default() {
    let hub = Hub::spawn(|o| o).await;
    let (root, _) = hub.admin("root@example.com").await;
    let (user_token, _) = user(&hub, "user@example.com").await;
    let list = hub.get("/api/admin/models", &root).await.expect(200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], "gpt-4o-mini");
    assert_eq!(items[0]["is_default"], true);
    let azure = items.iter().find(|m| m["id"] == "azure-gpt-4o").unwrap();
    assert_eq!(azure["enabled"], false, "disabled models are listed too");
    assert_eq!(items[0]["provider_configured"], true);

    // Add an OpenAI-compatible model with a slash in its id.
    let created = hub
        .post(
            "/api/admin/models",
            &root,
            json!({"id": "meta-llama/Llama-3.1-8B", "provider": "openai_compatible",
                   "display_name": "Llama 3.1 8B", "input_price_per_million": "0.05",
                   "output_price_per_million": "0.080", "cached_input_price_per_million": "0",
                   "context_window": 131072, "supports_temperature": true}),
        )
        .await
        .expect(201);
    assert_eq!(
        created["output_price_per_million"],
        json!({"amount": "0.080", "currency": "USD"})
    );
    assert_eq!(created["is_default"], false);
    // Bad input.
    let base = json!({"id": "m-1", "provider": "openai", "display_name": "M",
                      "input_price_per_million": "1", "output_price_per_million": "2"});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("id", json!("gpt 5")), "id"),
        (with("id", json!("")), "id"),
        (
            with("input_price_per_million", json!("-1")),
            "input_price_per_million",
        ),
        (
            with("output_price_per_million", json!("1e3")),
            "output_price_per_million",
        ),
        (
            with("cached_input_price_per_million", json!("-0.1")),
            "cached_input_price_per_million",
        ),
        (with("context_window", json!(0)), "context_window"),
        (with("provider", json!("acme")), "provider"),
        (with("provider", json!("azure_openai")), "azure_deployment"),
        (with("azure_deployment", json!("dep")), "azure_deployment"),
    ] {
        let answer = hub.post("/api/admin/models", &root, body.clone()).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field, "{body}");
    }
    for body in [
        with("is_default", json!(true)),
        with("input_price_per_million", json!(1.5)),
    ] {
        hub.post("/api/admin/models", &root, body)
            .await
            .assert_error(400, "invalid_input");
    }
    hub.post("/api/admin/models", &root, with("id", json!("gpt-4o")))
        .await
        .assert_error(409, "model_exists");

    // Make the new model the default: the former default stops being one, in one step.
    let path = "/api/admin/models/meta-llama%2FLlama-3.1-8B";
    let default = hub
        .patch(path, &root, json!({"is_default": true}))
        .await
        .expect(200);
    assert_eq!(default["is_default"], true);
    let defaults = hub
        .texts("SELECT model_id FROM app_model_config WHERE is_default")
        .await;
    assert_eq!(defaults, ["meta-llama/Llama-3.1-8B"]);
    // Two defaults at once: one wins, still exactly one.
    let (x, y) = tokio::join!(
        hub.patch(
            "/api/admin/models/gpt-4o",
            &root,
            json!({"is_default": true})
        ),
        hub.patch(
            "/api/admin/models/gpt-5",
            &root,
            json!({"is_default": true})
        ),
    );
    assert_eq!((x.status, y.status), (200, 200));
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM app_model_config WHERE is_default")
            .await,
        1
    );
    // The default cannot be disabled or stop being the default.
    let current = hub
        .texts("SELECT model_id FROM app_model_config WHERE is_default")
        .await
        .remove(0);
    for body in [json!({"enabled": false}), json!({"is_default": false})] {
        hub.patch(&format!("/api/admin/models/{current}"), &root, body)
            .await
            .assert_error(409, "default_model_required");
    }
    // A disabled model cannot become the default.
    hub.patch(
        "/api/admin/models/azure-gpt-4o",
        &root,
        json!({"is_default": true}),
    )
    .await
    .assert_error(409, "default_model_required");
    // Edit fields; reset nullable ones; bad patches.
    let edited = hub
        .patch("/api/admin/models/gpt-4.1", &root, json!({"display_name": "GPT 4.1", "input_price_per_million": "2.10",
              "cached_input_price_per_million": null, "context_window": null, "supports_temperature": false}))
        .await
        .expect(200);
    assert_eq!(edited["input_price_per_million"]["amount"], "2.10");
    assert_eq!(
        (
            edited["cached_input_price_per_million"].clone(),
            edited["context_window"].clone()
        ),
        (Value::Null, Value::Null)
    );
    for body in [
        json!({}),
        json!({"provider": "xai"}),
        json!({"input_price_per_million": "-2"}),
        json!({"enabled": null}),
    ] {
        hub.patch("/api/admin/models/gpt-4.1", &root, body)
            .await
            .assert_error(400, "invalid_input");
    }
    hub.patch(
        "/api/admin/models/no-such-model",
        &root,
        json!({"enabled": true}),
    )
    .await
    .assert_error(404, "not_found");
    hub.patch(
        "/api/admin/models/bad%20id",
        &root,
        json!({"enabled": true}),
    )
    .await
    .assert_error(404, "not_found");

    // Disabling a model: gone from the users' list at once, refused for new messages.
    let offered = hub.get("/api/models", &user_token).await.expect(200);
    assert!(
        offered["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "gpt-4.1")
    );
    hub.patch(
        "/api/admin/models/gpt-4.1",
        &root,
        json!({"enabled": false}),
    )
    .await
    .expect(200);
    let offered = hub.get("/api/models", &user_token).await.expect(200);
    assert!(
        !offered["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "gpt-4.1")
    );
    let chat = hub.chat(&user_token, json!({})).await;
    let refused = hub
        .post(
            &format!("/api/chats/{chat}/messages"),
            &user_token,
            json!({"content": "hi", "model": "gpt-4.1"}),
        )
        .await;
    refused.assert_error(400, "unknown_model");
    let actions = hub.audit_actions().await;
    assert!(
        actions.contains(&"admin.model_created".to_owned())
            && actions.contains(&"admin.model_updated".to_owned())
    );
}

#[tokio::test]
async fn costs_and_statistics_add_up_exactly() {
    let hub = Hub::spawn(|o| o).await;
    let (root, _) = hub.admin("root@example.com").await;
    let (token, ann) = user(&hub, "ann@example.com").await;
    let (_, ben) = user(&hub, "=cmd@example.com").await;
    let chat = hub.chat(&token, json!({})).await;
    hub.execute(&format!(
        "UPDATE app_model_config SET display_name = '=SUM(A1)' WHERE model_id = 'gpt-5'; \
         INSERT INTO chat_messages (id, chat_id, role, content, status) \
         VALUES (gen_random_uuid(), '{chat}', 'user', 'hi', 'complete'); \
         INSERT INTO chat_token_usage (id, user_id, provider, model, input_tokens, output_tokens, \
         cached_tokens, cost, created_at) VALUES \
         (gen_random_uuid(), '{ann}', 'openai', 'gpt-5', 1000, 100, 10, 0.000001, now()), \
         (gen_random_uuid(), '{ann}', 'anthropic', 'claude-haiku-4-5', 2000, 200, 0, 0.1, now()), \
         (gen_random_uuid(), '{ben}', 'openai', 'gpt-5', 10, 1, 0, 0.2, now()), \
         (gen_random_uuid(), '{ben}', 'openai', 'gpt-5', 10, 1, 0, 5, '2026-01-15T12:00:00Z')"
    ))
    .await;
    let month = hub.get("/api/admin/costs", &root).await.expect(200);
    assert_eq!(month["period"], "month");
    assert_eq!(month["total"]["cost"]["amount"], "0.300001");
    assert_eq!(month["total"]["requests"], 3);
    assert_eq!(month["total"]["input_tokens"], 3010);
    assert_eq!(month["by_user"][0]["label"], "=cmd@example.com");
    assert_eq!(month["by_user"][0]["cost"]["amount"], "0.2");
    assert_eq!(month["by_model"][0]["key"], "gpt-5");
    assert_eq!(month["by_model"][0]["label"], "=SUM(A1)");
    assert_eq!(month["by_provider"][0]["label"], "OpenAI");
    assert_eq!(month["by_day"].as_array().unwrap().len(), 1);
    // A custom range sees only its rows.
    let january = hub
        .get(
            "/api/admin/costs?period=custom&from=2026-01-01&until=2026-02-01",
            &root,
        )
        .await
        .expect(200);
    assert_eq!(january["total"]["cost"]["amount"], "5");
    assert_eq!(january["by_day"][0]["key"], "2026-01-15");
    let empty = hub
        .get(
            "/api/admin/costs?period=custom&from=2025-01-01T00:00:00Z&until=2025-01-02T00:00:00Z",
            &root,
        )
        .await
        .expect(200);
    assert_eq!(empty["total"]["cost"]["amount"], "0");
    for (query, field) in [
        ("period=year", "period"),
        ("period=custom&from=2026-01-01", "until"),
        ("period=custom&from=2026-02-01&until=2026-01-01", "until"),
        ("period=custom&from=2020-01-01&until=2026-01-01", "until"),
        ("period=custom&from=tomorrow&until=2026-01-01", "from"),
        ("period=day&from=2026-01-01", "from"),
    ] {
        let answer = hub.get(&format!("/api/admin/costs?{query}"), &root).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field, "{query}");
        hub.get(&format!("/api/admin/costs.csv?{query}"), &root)
            .await
            .assert_error(400, "invalid_input");
    }

    // CSV: an attachment, quoted, formulas neutralised.
    let csv = send_raw(
        hub.request(
            Method::GET,
            "/api/admin/costs.csv?period=custom&from=2026-01-01&until=2026-12-31",
        )
        .bearer_auth(&root),
    )
    .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.header("content-disposition"),
        Some("attachment; filename=\"costs-2026-01-01-2026-12-31.csv\"")
    );
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.starts_with(
            "group,key,label,input_tokens,output_tokens,cached_tokens,requests,cost,currency\r\n"
        ),
        "{text}"
    );
    assert!(text.contains("\"'=cmd@example.com\""), "{text}");
    assert!(text.contains("\"'=SUM(A1)\""), "{text}");
    assert!(!text.contains(",=") && !text.contains("\n="), "{text}");
    assert!(
        text.contains("total,,,3020,302,10,4,5.300001,USD\r\n"),
        "{text}"
    );

    // Statistics.
    let stats = hub.get("/api/admin/stats", &root).await.expect(200);
    assert_eq!(
        stats["users"],
        json!({"total": 3, "active": 3, "admins": 1, "active_last_7_days": 2, "active_last_30_days": 2})
    );
    assert_eq!(
        (stats["chats"].clone(), stats["messages"].clone()),
        (json!(1), json!(1))
    );
    // Counts (tests/tests/assistants.rs counts created ones).
    assert_eq!(
        (stats["assistants"].clone(), stats["templates"].clone()),
        (json!(0), json!(0))
    );
    let series = stats["messages_per_day"].as_array().unwrap();
    assert_eq!(series.len(), 30);
    assert_eq!(series[29]["count"], 1);
    assert_eq!(
        series
            .iter()
            .map(|d| d["count"].as_i64().unwrap())
            .sum::<i64>(),
        1
    );
}

/// The groups of a cost breakdown as (label or `-`, cost without trailing zeros), sorted.
fn groups(report: &Value, breakdown: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = report[breakdown]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let label = g["label"].as_str().unwrap_or("-").to_owned();
            (label, trimmed(g["cost"]["amount"].as_str().unwrap()))
        })
        .collect();
    out.sort();
    out
}

fn trimmed(amount: &str) -> String {
    if amount.contains('.') {
        amount
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        amount.to_owned()
    }
}

/// The same groups straight from the usage rows of `[from, until)`, `key` being the SQL of the
/// group's label.
async fn groups_of_rows(hub: &Hub, key: &str, from: &str, until: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = hub
        .texts(&format!(
            "SELECT label || ' ' || trim_scale(cost)::text FROM ( \
               SELECT coalesce({key}, '-') AS label, sum(cost) AS cost \
               FROM chat_token_usage AS c LEFT JOIN app_users AS u ON u.id = c.user_id \
               WHERE c.created_at >= '{from}' AND c.created_at < '{until}' GROUP BY 1) AS g"
        ))
        .await
        .into_iter()
        .map(|line| {
            let (label, cost) = line.rsplit_once(' ').unwrap();
            (label.to_owned(), trimmed(cost))
        })
        .collect();
    out.sort();
    out
}

/// Rows of the rollup `table` that differ from the sums of the usage rows, both ways round.
async fn rollup_mismatches(hub: &Hub, table: &str, cols: &str, raw_cols: &str) -> i64 {
    let sums = "input_tokens, output_tokens, cached_tokens, cost, requests";
    let raw = format!(
        "SELECT {raw_cols}, sum(input_tokens)::int8, sum(output_tokens)::int8, \
         sum(cached_tokens)::int8, sum(cost), count(*) FROM chat_token_usage GROUP BY {raw_cols}"
    );
    hub.scalar(&format!(
        "SELECT count(*) FROM (({raw} EXCEPT SELECT {cols}, {sums} FROM {table}) \
         UNION ALL (SELECT {cols}, {sums} FROM {table} EXCEPT {raw})) AS x"
    ))
    .await
}

#[tokio::test]
async fn the_cost_report_from_daily_rollups_equals_the_sums_of_the_usage_rows() {
    let hub = Hub::spawn(|o| o).await;
    let (root, _) = hub.admin("root@example.com").await;
    let (_, ann) = user(&hub, "ann@example.com").await;
    let (_, ben) = user(&hub, "ben@example.com").await;
    let (_, cat) = user(&hub, "cat@example.com").await;
    // 200 requests, one every 37 minutes from 1 March (over five days), by three users on two
    // models, with costs of different scales.
    hub.execute(&format!(
        "INSERT INTO chat_token_usage (id, user_id, provider, model, input_tokens, \
         output_tokens, cached_tokens, cost, created_at) \
         SELECT gen_random_uuid(), (ARRAY['{ann}', '{ben}', '{cat}']::uuid[])[i % 3 + 1], \
                CASE WHEN i % 4 = 0 THEN 'anthropic' ELSE 'openai' END, \
                CASE WHEN i % 4 = 0 THEN 'claude-haiku-4-5' ELSE 'gpt-5' END, \
                i * 10, i, i, (i % 7 + 1) * 0.0001234 + (CASE WHEN i % 5 = 0 THEN 2 ELSE 0 END), \
                timestamptz '2026-03-01T00:00:00Z' + i * interval '37 minutes' \
         FROM generate_series(0, 199) AS i"
    ))
    .await;
    let ranges = [
        // Partial days at both ends.
        ("2026-03-01T10:00:00Z", "2026-03-04T06:00:00Z"),
        // Whole days only.
        ("2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z"),
        // Inside one day; across one midnight.
        ("2026-03-03T01:00:00Z", "2026-03-03T23:00:00Z"),
        ("2026-03-02T20:00:00Z", "2026-03-03T04:00:00Z"),
        // Everything, and nothing.
        ("2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z"),
    ];
    let check = |from: &'static str, until: &'static str| {
        let hub = &hub;
        let root = &root;
        async move {
            let report = hub
                .get(
                    &format!("/api/admin/costs?period=custom&from={from}&until={until}"),
                    root,
                )
                .await
                .expect(200);
            let whole = groups_of_rows(hub, "'all'", from, until).await;
            let total = trimmed(report["total"]["cost"]["amount"].as_str().unwrap());
            assert_eq!(
                whole.first().map_or("0", |(_, c)| c.as_str()),
                total,
                "{from} {until}"
            );
            for (breakdown, key) in [
                ("by_user", "u.email"),
                ("by_model", "c.model"),
                ("by_provider", "c.provider"),
                (
                    "by_day",
                    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
                ),
            ] {
                let mut api = groups(&report, breakdown);
                if breakdown == "by_provider" {
                    // Labelled with the provider's name: compare the costs.
                    api.iter_mut().for_each(|g| g.0 = g.0.to_lowercase());
                }
                if breakdown == "by_model" {
                    // Labelled with the display name: compare by id.
                    api = report[breakdown]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| {
                            (
                                g["key"].as_str().unwrap().to_owned(),
                                trimmed(g["cost"]["amount"].as_str().unwrap()),
                            )
                        })
                        .collect();
                    api.sort();
                }
                let rows = groups_of_rows(hub, key, from, until).await;
                if breakdown == "by_provider" {
                    assert_eq!(
                        api.iter().map(|g| &g.1).collect::<Vec<_>>(),
                        rows.iter().map(|g| &g.1).collect::<Vec<_>>(),
                        "{breakdown} {from} {until}"
                    );
                } else {
                    assert_eq!(api, rows, "{breakdown} {from} {until}");
                }
            }
        }
    };
    for (from, until) in ranges {
        check(from, until).await;
    }
    assert_eq!(
        rollup_mismatches(
            &hub,
            "usage_daily_models",
            "day, provider, model",
            "(created_at AT TIME ZONE 'UTC')::date, provider, model"
        )
        .await,
        0
    );

    // The rollups follow every change of the usage rows: a deleted account (its rows lose
    // their user), a corrected cost, a row moved to another day, a deleted row.
    hub.delete(&format!("/api/admin/users/{cat}"), &root)
        .await
        .expect(204);
    hub.execute(&format!(
        "UPDATE chat_token_usage SET cost = cost + 1.5 WHERE id = \
           (SELECT id FROM chat_token_usage WHERE user_id = '{ann}' ORDER BY created_at LIMIT 1); \
         UPDATE chat_token_usage SET created_at = created_at + interval '1 day', model = 'gpt-5-mini' \
           WHERE id = (SELECT id FROM chat_token_usage WHERE user_id = '{ben}' ORDER BY created_at LIMIT 1); \
         DELETE FROM chat_token_usage WHERE id = \
           (SELECT id FROM chat_token_usage ORDER BY created_at DESC LIMIT 1)"
    ))
    .await;
    for (from, until) in ranges {
        check(from, until).await;
    }
    let everything = hub
        .get(
            "/api/admin/costs?period=custom&from=2026-02-01&until=2026-04-01",
            &root,
        )
        .await
        .expect(200);
    assert!(
        everything["by_user"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["key"].is_null() && g["requests"].as_i64() > Some(60)),
        "{everything}"
    );
    for (table, cols, raw_cols) in [
        (
            "usage_daily_models",
            "day, provider, model",
            "(created_at AT TIME ZONE 'UTC')::date, provider, model",
        ),
        (
            "usage_daily_users",
            "day, user_id",
            "(created_at AT TIME ZONE 'UTC')::date, user_id",
        ),
    ] {
        assert_eq!(
            rollup_mismatches(&hub, table, cols, raw_cols).await,
            0,
            "{table}"
        );
    }
    hub.execute("DELETE FROM chat_token_usage").await;
    assert_eq!(
        hub.scalar::<i64>(
            "SELECT (SELECT count(*) FROM usage_daily_models) + (SELECT count(*) FROM usage_daily_users)"
        )
        .await,
        0
    );
}
