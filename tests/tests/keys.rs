//! Provider keys and endpoints in the database (the `keys` component, `/api/admin/providers...`)
//! through the real app: every route admin-only (401 and 403 for each, from one table); a key
//! stored through the API wins over the Spin variable at once and deleting it falls back; the
//! test call against the fake providers' success and error answers, and a redirect that is not
//! followed; base URLs checked by the outbound policy before they are stored (a sample; the
//! corpus is hub-keys' own test); a missing or wrong master key named, with the variables' keys
//! still working; rotation with `hub keys rotate`; bad input; and the key never in an answer, the
//! runner's log or the audit log.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hub_keys::{MASTER_KEY_ENV, MASTER_KEY_VARIABLE, MasterKeys};
use hub_providers::ProviderKind;
use hub_tests::{
    Answer, FAKE_PROVIDER_KEY, Hub, Scenario, TEST_MASTER_KEY, cli_binary, model_of, send,
    workspace_root,
};
use reqwest::Method;
use serde_json::{Value, json};

/// Every route of the keys component: (method, path, body).
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/api/admin/providers", None),
        (Method::GET, "/api/admin/providers/openai", None),
        (
            Method::PATCH,
            "/api/admin/providers/azure_openai",
            Some(json!({"api_version": "2024-10-21"})),
        ),
        (
            Method::PUT,
            "/api/admin/providers/openai/key",
            Some(json!({"api_key": "sk-should-never-be-stored-0000"})),
        ),
        (Method::DELETE, "/api/admin/providers/openai/key", None),
        (Method::POST, "/api/admin/providers/openai/test", None),
    ]
}

async fn call(
    hub: &Hub,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = hub.request(method, path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

async fn put_key(hub: &Hub, token: &str, provider: &str, key: &str) -> Answer {
    call(
        hub,
        Method::PUT,
        &format!("/api/admin/providers/{provider}/key"),
        Some(token),
        Some(json!({ "api_key": key })),
    )
    .await
}

async fn provider(hub: &Hub, token: &str, provider: &str) -> Value {
    hub.get(&format!("/api/admin/providers/{provider}"), token)
        .await
        .expect(200)
}

async fn test_provider(hub: &Hub, token: &str, provider: &str) -> Value {
    hub.post(
        &format!("/api/admin/providers/{provider}/test"),
        token,
        json!({}),
    )
    .await
    .expect(200)
}

/// Sends one message with `model` in a new chat; the name of the stream's last event and, for
/// an `error`, its code.
async fn ask(hub: &Hub, token: &str, model: &str) -> (String, Option<String>) {
    let chat = hub.chat(token, json!({ "model": model })).await;
    let stream = hub
        .stream(&chat, token, json!({ "content": "Hello" }))
        .await;
    assert_eq!(stream.status, 200, "{:?}", stream.body);
    let last = stream.last();
    let code = last.data["code"].as_str().map(str::to_owned);
    (last.name.clone(), code)
}

#[tokio::test]
async fn every_keys_route_refuses_anonymous_and_non_admin_callers() {
    let hub = Hub::spawn(|o| o).await;
    let user = hub.user("user@example.com").await;
    for (method, path, body) in routes() {
        let anonymous = call(&hub, method.clone(), path, None, body.clone()).await;
        anonymous.assert_error(401, "unauthenticated");
        assert_eq!(
            anonymous.body["error"]["details"]["reason"], "missing",
            "{method} {path}"
        );
        call(
            &hub,
            method.clone(),
            path,
            Some("not.a.token"),
            body.clone(),
        )
        .await
        .assert_error(401, "unauthenticated");
        call(&hub, method.clone(), path, Some(&user), body.clone())
            .await
            .assert_error(403, "forbidden");
    }
    // Nothing was stored or tested on the way.
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM provider_credentials")
            .await,
        0
    );
    // Unknown providers and paths are 404, other methods 405 with Allow.
    let (admin, _) = hub.admin("root@example.com").await;
    for path in [
        "/api/admin/providers/azure",
        "/api/admin/providers/OpenAI/key",
        "/api/admin/providers/nope/test",
        "/api/admin/providers/openai/other",
    ] {
        let method = if path.ends_with("/test") {
            Method::POST
        } else {
            Method::GET
        };
        let method = if path.ends_with("/key") {
            Method::DELETE
        } else {
            method
        };
        call(&hub, method, path, Some(&admin), None)
            .await
            .assert_error(404, "not_found");
    }
    for (method, path, allow) in [
        (Method::POST, "/api/admin/providers", "GET"),
        (Method::DELETE, "/api/admin/providers/openai", "GET, PATCH"),
        (
            Method::GET,
            "/api/admin/providers/openai/key",
            "PUT, DELETE",
        ),
        (Method::GET, "/api/admin/providers/openai/test", "POST"),
    ] {
        let answer = call(&hub, method, path, Some(&admin), None).await;
        answer.assert_error(405, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some(allow), "{path}");
    }
}

/// A key set through the API answers the next chat (the fake provider accepts only its own key,
/// the variable's is wrong); deleting it brings the variable's back. The model list of the admin
/// console counts a stored key as configured.
#[tokio::test]
async fn a_stored_key_wins_over_the_variable_and_deleting_it_falls_back() {
    let hub = Hub::spawn(|o| {
        o.variable("openai_api_key", "sk-env-key-the-fake-refuses")
            .variable("mistral_api_key", "")
    })
    .await;
    let (admin, admin_id) = hub.admin("root@example.com").await;
    let user = hub.user("user@example.com").await;
    let model = model_of(ProviderKind::OpenAi);

    let before = provider(&hub, &admin, "openai").await;
    assert_eq!(before["key_source"], "environment");
    assert_eq!(before["key_hint"], Value::Null);
    assert_eq!(
        ask(&hub, &user, model).await,
        ("error".into(), Some("provider_auth".into()))
    );

    let set = put_key(&hub, &admin, "openai", &format!("  {FAKE_PROVIDER_KEY}\n"))
        .await
        .expect(200);
    assert_eq!(set["key_source"], "database");
    assert_eq!(
        set["key_hint"], "ey",
        "the last 2 characters of a 17-character key"
    );
    assert_eq!(set["key_set_by"], admin_id.as_str());
    assert_eq!(set["configured"], true);
    let requests_before = hub.providers.requests().len();
    assert_eq!(ask(&hub, &user, model).await.0, "done");
    let sent = hub.providers.requests();
    let sent = sent[requests_before..]
        .iter()
        .find(|r| r.provider == Some(ProviderKind::OpenAi))
        .expect("the chat reached the fake OpenAI");
    assert_eq!(sent.header("authorization"), Some("***"));
    // Stored encrypted under the master key.
    let token: String = hub
        .scalar("SELECT encrypted_key FROM provider_credentials WHERE provider = 'openai'")
        .await;
    assert!(!token.contains(FAKE_PROVIDER_KEY));
    let keys = MasterKeys::parse(TEST_MASTER_KEY).unwrap();
    assert_eq!(keys.decrypt(&token).unwrap().expose(), FAKE_PROVIDER_KEY);

    let list = hub.get("/api/admin/providers", &admin).await.expect(200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), ProviderKind::ALL.len());
    assert_eq!(items[0]["provider"], "openai");

    let deleted = hub.delete("/api/admin/providers/openai/key", &admin).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        provider(&hub, &admin, "openai").await["key_source"],
        "environment"
    );
    assert_eq!(
        ask(&hub, &user, model).await,
        ("error".into(), Some("provider_auth".into()))
    );
    // Deleting again is no error.
    assert_eq!(
        hub.delete("/api/admin/providers/openai/key", &admin)
            .await
            .status,
        204
    );

    // Mistral has no key at all: not configured, its models hidden, until one is stored.
    let mistral = provider(&hub, &admin, "mistral").await;
    assert_eq!(
        (
            mistral["key_source"].as_str(),
            mistral["configured"].as_bool()
        ),
        (Some("none"), Some(false))
    );
    let configured = |list: &Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["provider"] == "mistral")
            .map(|m| m["provider_configured"].clone())
    };
    let models = hub.get("/api/admin/models", &admin).await.expect(200);
    assert_eq!(configured(&models), Some(json!(false)));
    put_key(&hub, &admin, "mistral", FAKE_PROVIDER_KEY)
        .await
        .expect(200);
    let models = hub.get("/api/admin/models", &admin).await.expect(200);
    assert_eq!(configured(&models), Some(json!(true)));
    let offered = hub.get("/api/models", &user).await.expect(200);
    assert!(
        offered["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == model_of(ProviderKind::Mistral)),
        "{offered}"
    );

    let actions = hub.audit_actions().await;
    for action in ["admin.provider_key_set", "admin.provider_key_deleted"] {
        assert!(actions.contains(&action.to_owned()), "{actions:?}");
    }
    // An Azure model without its deployment cannot be enabled.
    let refused = hub
        .patch(
            "/api/admin/models/azure-gpt-4o",
            &admin,
            json!({"enabled": true}),
        )
        .await;
    refused.assert_error(400, "invalid_input");
    assert_eq!(
        refused.body["error"]["details"]["field"],
        "azure_deployment"
    );
}

/// The test call: ok against the fake's normal answer, failed with the provider's explanation
/// for its error scenarios and a wrong key, and for a missing model or deployment; each result
/// is kept and audited.
#[tokio::test]
async fn provider_tests_report_success_and_the_providers_errors() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;

    let ok = test_provider(&hub, &admin, "openai").await;
    assert_eq!(ok["status"], "ok", "{ok}");
    assert!(ok["latency_ms"].as_i64().unwrap() >= 0);
    assert_eq!(ok["error"], Value::Null);
    let sent = hub.providers.requests();
    let sent = sent
        .iter()
        .rev()
        .find(|r| r.provider == Some(ProviderKind::OpenAi))
        .unwrap();
    assert_eq!(sent.body["stream"], json!(false));
    assert_eq!(provider(&hub, &admin, "openai").await["last_test"], ok);

    for (status, words) in [
        (429, "rate limiting"),
        (500, "failed"),
        (401, "did not accept"),
    ] {
        hub.providers
            .set_scenario(ProviderKind::OpenAi, Scenario::Error(status));
        let failed = test_provider(&hub, &admin, "openai").await;
        assert_eq!(failed["status"], "failed", "{status}: {failed}");
        let error = failed["error"].as_str().unwrap();
        assert!(error.contains(words), "{status}: {error}");
        assert!(failed["latency_ms"].is_i64());
    }
    hub.providers
        .set_scenario(ProviderKind::OpenAi, Scenario::Normal);

    // A wrong stored key: the provider's refusal, without the key.
    put_key(&hub, &admin, "anthropic", "sk-ant-wrong-key-for-the-test")
        .await
        .expect(200);
    let failed = test_provider(&hub, &admin, "anthropic").await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("did not accept the API key"),
        "{failed}"
    );

    // Azure OpenAI: its seeded model has no deployment yet.
    let failed = test_provider(&hub, &admin, "azure_openai").await;
    assert_eq!(
        (failed["status"].as_str(), failed["latency_ms"].clone()),
        (Some("failed"), Value::Null)
    );
    assert!(
        failed["error"].as_str().unwrap().contains("deployment"),
        "{failed}"
    );
    hub.enable_all_models().await;
    for kind in [
        ProviderKind::AzureOpenAi,
        ProviderKind::Gemini,
        ProviderKind::OpenAiCompatible,
    ] {
        let ok = test_provider(&hub, &admin, kind.as_str()).await;
        assert_eq!(ok["status"], "ok", "{kind:?}: {ok}");
    }
    let tested = hub
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "admin.provider_tested")
        .count();
    assert_eq!(tested, 9);
}

/// A redirect from a provider is an answer, never followed: the host it names gets nothing.
#[tokio::test]
async fn a_redirect_from_a_provider_is_not_followed() {
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = redirector.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let hub = Hub::spawn(|o| {
        o.variable("llm_extra_host", "http://127.0.0.1:*").variable(
            "openai_compatible_base_url",
            format!("http://127.0.0.1:{port}/v1"),
        )
    })
    .await;
    let target = format!(
        "{}/chat/completions",
        hub.providers.base_url(ProviderKind::OpenAiCompatible)
    );
    let counter = hits.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = redirector.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = vec![0u8; 64 * 1024];
            let _ = socket.read(&mut buffer).await;
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    hub.enable_all_models().await;
    let (admin, _) = hub.admin("root@example.com").await;
    let failed = test_provider(&hub, &admin, "openai_compatible").await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"].as_str().unwrap().contains("302"),
        "{failed}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(
        !hub.providers
            .requests()
            .iter()
            .any(|r| r.provider == Some(ProviderKind::OpenAiCompatible)),
        "the redirect was followed"
    );
}

/// Azure's endpoint and api-version from the database answer the next chat; unsafe base URLs are
/// refused with the rule and what to change; other bad settings too.
#[tokio::test]
async fn endpoints_are_checked_stored_and_used_at_once() {
    let hub = Hub::spawn(|o| {
        o.variable("llm_trusted_hosts", "127.0.0.1")
            .variable("azure_openai_base_url", "http://127.0.0.1:9/azure")
    })
    .await;
    hub.enable_all_models().await;
    let (admin, _) = hub.admin("root@example.com").await;
    let user = hub.user("user@example.com").await;
    let azure = model_of(ProviderKind::AzureOpenAi);
    let before = provider(&hub, &admin, "azure_openai").await;
    assert_eq!(
        (
            before["base_url_source"].as_str(),
            before["api_version_source"].as_str()
        ),
        (Some("environment"), Some("default"))
    );
    assert_eq!(ask(&hub, &user, azure).await.0, "error");

    let endpoint = hub.providers.base_url(ProviderKind::AzureOpenAi);
    let changed = hub
        .patch(
            "/api/admin/providers/azure_openai",
            &admin,
            json!({ "base_url": format!("{endpoint}/"), "api_version": "2024-10-21" }),
        )
        .await
        .expect(200);
    assert_eq!(changed["base_url"], endpoint.as_str());
    assert_eq!(changed["base_url_source"], "database");
    assert_eq!(changed["api_version"], "2024-10-21");
    assert_eq!(ask(&hub, &user, azure).await.0, "done");
    let sent = hub.providers.requests();
    let sent = sent
        .iter()
        .rev()
        .find(|r| r.provider == Some(ProviderKind::AzureOpenAi))
        .unwrap();
    assert!(
        sent.path.contains("api-version=2024-10-21"),
        "{}",
        sent.path
    );

    let path = "/api/admin/providers/azure_openai";
    for (url, rule) in [
        ("http://169.254.169.254/latest", "metadata"),
        ("https://0x7f.0.0.2", "loopback"),
        ("https://[::ffff:10.0.0.1]", "private"),
        ("https://10.0.0.1", "private"),
        ("https://metadata.google.internal", "metadata"),
        ("http://res.openai.azure.com", "insecure_scheme"),
        ("https://admin:hunter2@res.openai.azure.com", "credentials"),
        ("file:///etc/passwd", "unsupported_scheme"),
        ("https://res.openai.azure.com/?x=1", "query"),
        ("https://evil.example.com", "not_allowed_outbound"),
    ] {
        let refused = hub.patch(path, &admin, json!({ "base_url": url })).await;
        refused.assert_error(400, "invalid_input");
        let details = &refused.body["error"]["details"];
        assert_eq!(
            (details["field"].as_str(), details["rule"].as_str()),
            (Some("base_url"), Some(rule)),
            "{url}"
        );
        assert!(!refused.body.to_string().contains("hunter2"));
    }
    let outside = hub
        .patch(
            path,
            &admin,
            json!({ "base_url": "https://evil.example.com" }),
        )
        .await;
    let message = outside.body["error"]["message"].as_str().unwrap();
    for part in ["allowed_outbound_hosts", "spin.toml", "llm_extra_host"] {
        assert!(message.contains(part), "{message}");
    }
    for (provider, body, field) in [
        (
            "openai",
            json!({"base_url": "https://api.openai.com/v1"}),
            "base_url",
        ),
        (
            "openai_compatible",
            json!({"api_version": "2024-10-21"}),
            "api_version",
        ),
        (
            "azure_openai",
            json!({"api_version": "2024-10-21&x=1"}),
            "api_version",
        ),
        ("azure_openai", json!({}), "base_url"),
    ] {
        let refused = hub
            .patch(&format!("/api/admin/providers/{provider}"), &admin, body)
            .await;
        refused.assert_error(400, "invalid_input");
        assert_eq!(
            refused.body["error"]["details"]["field"], field,
            "{provider}"
        );
    }
    hub.patch(path, &admin, json!({"endpoint": "x"}))
        .await
        .assert_error(400, "invalid_input");
    // Nothing refused was stored; null resets to the variable.
    let reset = hub
        .patch(
            path,
            &admin,
            json!({ "base_url": null, "api_version": null }),
        )
        .await
        .expect(200);
    assert_eq!(reset["base_url_source"], "environment");
    assert_eq!(reset["api_version_source"], "default");
    let updates = hub
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "admin.provider_updated")
        .count();
    assert_eq!(updates, 2);
}

/// Refused keys and bodies, and a key that never leaves the component: not in an answer, the
/// runner's log or the audit log.
#[tokio::test]
async fn bad_keys_are_refused_and_a_key_never_leaves_the_component() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;
    let path = "/api/admin/providers/anthropic/key";
    for body in [
        json!({"api_key": ""}),
        json!({"api_key": "   "}),
        json!({"api_key": "k".repeat(1001)}),
        json!({"api_key": "sk with spaces"}),
        json!({"api_key": null}),
        json!({"api_key": 42}),
        json!({"api_key": "sk-1", "provider": "openai"}),
        json!({}),
        json!(["sk-1"]),
    ] {
        call(&hub, Method::PUT, path, Some(&admin), Some(body.clone()))
            .await
            .assert_error(400, "invalid_input");
    }
    let text_body = send(
        hub.request(Method::PUT, path)
            .bearer_auth(&admin)
            .header("content-type", "text/plain")
            .body("sk-1"),
    )
    .await;
    text_body.assert_error(415, "unsupported_media_type");
    put_key(&hub, &admin, "unknown", "sk-1")
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM provider_credentials")
            .await,
        0
    );

    let secret = "sk-ant-leakcheck-7f3a9c2e41d84b6f";
    let mut bodies = Vec::new();
    let set = put_key(&hub, &admin, "anthropic", secret).await;
    assert_eq!(set.status, 200);
    assert_eq!(set.body["key_hint"], "4b6f");
    bodies.push(set.bytes);
    for answer in [
        hub.get("/api/admin/providers", &admin).await,
        hub.get("/api/admin/providers/anthropic", &admin).await,
        hub.post("/api/admin/providers/anthropic/test", &admin, json!({}))
            .await,
        put_key(&hub, &admin, "anthropic", &format!("{secret} x")).await,
        hub.delete(path, &admin).await,
    ] {
        bodies.push(answer.bytes);
    }
    let user = hub.user("user@example.com").await;
    put_key(&hub, &admin, "anthropic", secret).await.expect(200);
    let chat = hub
        .chat(&user, json!({ "model": model_of(ProviderKind::Anthropic) }))
        .await;
    let stream = hub.stream(&chat, &user, json!({ "content": "Hi" })).await;
    assert_eq!(stream.last().name, "error");
    bodies.push(
        serde_json::to_vec(
            &stream
                .events
                .iter()
                .map(|e| e.data.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap(),
    );
    bodies.push(hub.get(&format!("/api/chats/{chat}"), &user).await.bytes);
    for body in &bodies {
        assert!(!String::from_utf8_lossy(body).contains(secret));
    }
    assert!(!hub.audit_text().await.contains(secret));
    assert!(!hub.audit_text().await.contains("leakcheck"));
    let stored: String = hub
        .scalar("SELECT encrypted_key FROM provider_credentials WHERE provider = 'anthropic'")
        .await;
    assert!(!stored.contains(secret));
    assert!(
        !hub.app.log().contains("leakcheck"),
        "the runner's log holds the key"
    );
}

/// Without a master key nothing can be stored (the error names the variable), a stored key that
/// does not decrypt is reported, and the variables' keys keep answering chats.
#[tokio::test]
async fn a_missing_master_key_is_named_and_the_variables_keep_working() {
    let hub = Hub::spawn(|o| o.variable(MASTER_KEY_VARIABLE, "")).await;
    let (admin, _) = hub.admin("root@example.com").await;
    let user = hub.user("user@example.com").await;
    let refused = put_key(&hub, &admin, "openai", "sk-some-key-0000").await;
    refused.assert_error(503, "master_key_unavailable");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(MASTER_KEY_VARIABLE)
    );

    // A key stored under another master key (e.g. before it was lost).
    let other = MasterKeys::parse(&hub_keys::generate_master_key().unwrap()).unwrap();
    let token = other.encrypt("sk-lost");
    hub.execute(&format!(
        "INSERT INTO provider_credentials (provider, encrypted_key, key_hint, key_set_at) \
         VALUES ('openai', '{token}', '', now())"
    ))
    .await;
    let openai = provider(&hub, &admin, "openai").await;
    assert_eq!(openai["key_source"], "environment");
    assert!(
        openai["key_error"]
            .as_str()
            .unwrap()
            .contains(MASTER_KEY_VARIABLE),
        "{openai}"
    );
    assert_eq!(openai["configured"], true);
    assert_eq!(
        ask(&hub, &user, model_of(ProviderKind::OpenAi)).await.0,
        "done"
    );
}

async fn token_of(hub: &Hub, provider: &str) -> String {
    hub.scalar(&format!(
        "SELECT encrypted_key FROM provider_credentials WHERE provider = '{provider}'"
    ))
    .await
}

fn keys_cli(db_url: &str, master: &str, args: &[&str]) -> Output {
    Command::new(cli_binary())
        .arg("keys")
        .args(args)
        .env("SPIN_VARIABLE_DB_URL", db_url)
        .env(MASTER_KEY_ENV, master)
        .output()
        .expect("running hub keys")
}

/// `hub keys rotate` re-encrypts under the first master key and refuses, changing nothing, when a
/// stored key does not decrypt; `hub keys generate-master-key` prints a usable key.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_rotates_the_stored_keys_under_the_first_master_key() {
    let hub = Hub::spawn(|o| o).await;
    let (admin, _) = hub.admin("root@example.com").await;
    put_key(&hub, &admin, "openai", FAKE_PROVIDER_KEY)
        .await
        .expect(200);
    put_key(&hub, &admin, "gemini", FAKE_PROVIDER_KEY)
        .await
        .expect(200);
    let before = token_of(&hub, "openai").await;

    let generated = keys_cli(&hub.db.url(), "", &["generate-master-key"]);
    assert!(generated.status.success());
    let new_key = String::from_utf8(generated.stdout)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(new_key.len(), 44);
    let new_only = MasterKeys::parse(&new_key).unwrap();

    // Without the key the tokens were made under: refused, nothing changed.
    let refused = keys_cli(&hub.db.url(), &new_key, &["rotate"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("gemini, openai") && stderr.contains(MASTER_KEY_VARIABLE),
        "{stderr}"
    );
    assert_eq!(token_of(&hub, "openai").await, before);
    // No master key at all: a usage error naming the variable.
    let missing = keys_cli(&hub.db.url(), " ", &["rotate"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains(MASTER_KEY_VARIABLE));

    let rotated = keys_cli(
        &hub.db.url(),
        &format!("{new_key}, {TEST_MASTER_KEY}"),
        &["rotate"],
    );
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let stdout = String::from_utf8_lossy(&rotated.stdout);
    assert!(stdout.contains("2 rotated"), "{stdout}");
    let after = token_of(&hub, "openai").await;
    assert_ne!(after, before);
    assert_eq!(
        new_only.decrypt(&after).unwrap().expose(),
        FAKE_PROVIDER_KEY
    );
    assert!(
        MasterKeys::parse(TEST_MASTER_KEY)
            .unwrap()
            .decrypt(&after)
            .is_err()
    );
    assert!(
        hub.audit_actions()
            .await
            .contains(&"admin.provider_keys_rotated".to_owned())
    );
    assert!(!hub.audit_text().await.contains(FAKE_PROVIDER_KEY));

    // The hub still runs with the old master key only: the stored key is reported, the
    // variable's key answers.
    let openai = provider(&hub, &admin, "openai").await;
    assert_eq!(openai["key_source"], "environment");
    assert!(openai["key_error"].is_string());
}

/// The keys component reaches the hosts the chat component reaches, and checks base URLs
/// against the same list: the three lists of spin.toml agree.
#[test]
fn the_keys_component_knows_the_chat_components_outbound_hosts() {
    let text = std::fs::read_to_string(workspace_root().join("spin.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let component = |id: &str| manifest["component"][id].as_table().unwrap().clone();
    let hosts = |id: &str| -> Vec<String> {
        component(id)["allowed_outbound_hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_owned())
            .filter(|h| !h.starts_with("postgres://"))
            .collect()
    };
    let chat = hosts("chat");
    assert!(chat.len() >= 6, "{chat:?}");
    assert_eq!(hosts("keys"), chat);
    let variable: Vec<String> = component("keys")["variables"]["provider_outbound_hosts"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    // The variable's template has no spaces inside `{{ }}` once split: compare without them.
    let normalise = |hosts: Vec<String>| -> Vec<String> {
        hosts
            .join(" ")
            .replace("{{ ", "{{")
            .replace(" }}", "}}")
            .split(' ')
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(normalise(variable), normalise(chat));
}
