//! `docs/openapi.yaml` against the real app: the document is structurally valid OpenAPI 3.1
//! (required fields, every `$ref` resolves, every operation has responses, every schema is valid
//! JSON Schema 2020-12); every route of `spin.toml` is covered by a path; and every operation is
//! driven through the statuses it can cheaply give, one test per group of routes, each real
//! response checked against the document with `hub_tests::openapi` (status documented, body valid
//! against the schema of that operation and status, required headers present and valid).

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use hub_tests::openapi::{Checker, deref, document, operations, resolve_ref, validator, walk};
use hub_tests::{Hub, TEST_PASSWORD, client, workspace_root};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use uuid::Uuid;

/// Every `$ref` in `value`, with the JSON pointer of the object that holds it.
fn collect_refs(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(value, "", &mut |at, key, child| {
        if key == "$ref"
            && let Some(r) = child.as_str()
        {
            let holder = at.rsplit_once('/').map_or("", |(holder, _)| holder);
            out.push((holder.to_owned(), r.to_owned()));
        }
    });
    out
}

#[test]
fn document_is_structurally_valid_openapi_3_1() {
    let doc = document();
    let version = doc["openapi"].as_str().expect("openapi is a string");
    assert!(version.starts_with("3.1."), "openapi: {version}");
    assert!(doc["info"]["title"].is_string(), "info.title");
    assert!(doc["info"]["version"].is_string(), "info.version");
    let paths = doc["paths"].as_object().expect("paths is an object");
    assert!(!paths.is_empty());

    // Every $ref is local and resolves.
    let refs = collect_refs(&doc);
    assert!(!refs.is_empty());
    for (at, r) in &refs {
        assert!(r.starts_with("#/"), "{at}: non-local $ref {r}");
        assert!(
            resolve_ref(&doc, r).is_some(),
            "{at}: $ref {r} resolves to nothing"
        );
    }

    // Every component schema is valid JSON Schema 2020-12 and compiles with its refs.
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    for (name, schema) in schemas {
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            panic!("components.schemas.{name} is not valid JSON Schema 2020-12: {e}");
        }
        validator(&doc, schema);
    }
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("components.securitySchemes");
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");

    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with('/'), "path {path}");
        let item = deref(&doc, item);
        let ops = operations(&doc)
            .into_iter()
            .filter(|(p, _, _)| p == path)
            .collect::<Vec<_>>();
        assert!(!ops.is_empty(), "{path} has no operation");

        // Every template parameter is declared, in the path, required.
        let templated: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        for (_, method, op) in &ops {
            let declared: BTreeSet<String> = item
                .get("parameters")
                .into_iter()
                .chain(op.get("parameters"))
                .flat_map(|list| list.as_array().expect("parameters is an array"))
                .map(|p| deref(&doc, p))
                .filter(|p| p["in"] == "path")
                .map(|p| {
                    assert_eq!(p["required"], true, "{path}: path parameter not required");
                    p["name"].as_str().expect("parameter name").to_owned()
                })
                .collect();
            assert_eq!(declared, templated, "{method} {path}: path parameters");
        }

        for (_, method, op) in ops {
            let at = format!("{method} {path}");
            let id = op["operationId"].as_str().expect("operationId");
            assert!(
                operation_ids.insert(id.to_owned()),
                "{at}: operationId {id} twice"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{at}: no responses");
            for (status, response) in responses {
                let valid_key = status == "default"
                    || (status.len() == 3
                        && status.starts_with(['1', '2', '3', '4', '5'])
                        && status[1..].chars().all(|c| c.is_ascii_digit()));
                assert!(valid_key, "{at}: response key {status}");
                let response = deref(&doc, response);
                assert!(
                    response["description"].is_string(),
                    "{at} {status}: description"
                );
                for media in response
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|c| c.values())
                {
                    if let Some(schema) = media.get("schema") {
                        validator(&doc, schema);
                    }
                }
            }
            if let Some(body) = op.get("requestBody") {
                let body = deref(&doc, body);
                let content = body["content"].as_object().expect("requestBody.content");
                assert!(!content.is_empty(), "{at}: requestBody without content");
                for media in content.values() {
                    validator(&doc, &media["schema"]);
                }
            }
            for requirement in op
                .get("security")
                .or(doc.get("security"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for scheme in requirement
                    .as_object()
                    .expect("security requirement")
                    .keys()
                {
                    assert!(
                        schemes.contains_key(scheme),
                        "{at}: unknown scheme {scheme}"
                    );
                }
            }
        }
    }
}

/// The routes of `spin.toml`'s HTTP triggers.
fn spin_routes() -> Vec<String> {
    let text = std::fs::read_to_string(workspace_root().join("spin.toml")).expect("spin.toml");
    let mut routes = Vec::new();
    let mut in_trigger = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_trigger = line == "[[trigger.http]]";
        } else if in_trigger
            && let Some(value) = line.strip_prefix("route")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            routes.push(value.trim().trim_matches('"').to_owned());
        }
    }
    routes
}

/// The trigger route Spin sends `path` to: an exact route, else the longest wildcard prefix.
fn spin_route_for<'a>(routes: &'a [String], path: &str) -> Option<&'a String> {
    if let Some(exact) = routes.iter().find(|r| !r.ends_with("/...") && *r == path) {
        return Some(exact);
    }
    routes
        .iter()
        .filter_map(|r| r.strip_suffix("...").map(|prefix| (r, prefix)))
        .filter(|(_, prefix)| path.starts_with(prefix) || path == prefix.trim_end_matches('/'))
        .max_by_key(|(_, prefix)| prefix.len())
        .map(|(r, _)| r)
}

#[test]
fn every_spin_route_is_covered_by_the_document() {
    let doc = document();
    let routes = spin_routes();
    assert!(routes.len() >= 3, "{routes:?}");
    let mut served: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
    for path in doc["paths"].as_object().unwrap().keys() {
        let route = spin_route_for(&routes, path)
            .unwrap_or_else(|| panic!("no spin.toml route serves {path}"));
        served.entry(route).or_default().push(path);
    }
    for route in &routes {
        assert!(
            served.contains_key(route),
            "spin.toml route {route} has no path in docs/openapi.yaml"
        );
    }
}

// The document paths each response test below drives, asserting that it drove every operation
// of them.
const HEALTH: &[&str] = &["/api/health"];
const AUTH_TOKENS: &[&str] = &[
    "/api/auth/register",
    "/api/auth/login",
    "/api/auth/refresh",
    "/api/auth/logout",
];
const AUTH_ME: &[&str] = &["/api/auth/me"];
const AUTH_SESSIONS: &[&str] = &["/api/auth/sessions", "/api/auth/sessions/{id}"];
const CHATS: &[&str] = &["/api/chats", "/api/chats/{id}"];
const MESSAGES: &[&str] = &["/api/chats/{id}/messages"];
const MODELS_AND_USAGE: &[&str] = &["/api/models", "/api/usage/me"];
const STATIC: &[&str] = &["/{path}"];
const AUDIT: &[&str] = &[
    "/api/admin/audit",
    "/api/admin/audit.csv",
    "/api/admin/audit/verify",
];
const ADMIN: &[&str] = &[
    "/api/admin/users",
    "/api/admin/users/{id}",
    "/api/admin/users/{id}/password-reset",
    "/api/admin/costs",
    "/api/admin/costs.csv",
    "/api/admin/stats",
    "/api/admin/models",
    "/api/admin/models/{model_id}",
];
const KEYS: &[&str] = &[
    "/api/admin/providers",
    "/api/admin/providers/{provider}",
    "/api/admin/providers/{provider}/key",
    "/api/admin/providers/{provider}/test",
];
const ASSISTANTS: &[&str] = &[
    "/api/assistants",
    "/api/assistants/{id}",
    "/api/templates",
    "/api/templates/{id}",
    "/api/templates/{id}/render",
];
const KNOWLEDGE: &[&str] = &[
    "/api/knowledge/collections",
    "/api/knowledge/collections/{id}",
    "/api/knowledge/files",
    "/api/knowledge/files/{id}",
    "/api/knowledge/files/{id}/content",
    "/api/knowledge/search",
];
const EMBEDDINGS: &[&str] = &[
    "/api/knowledge/status",
    "/api/knowledge/tick",
    "/api/admin/embedding-models",
    "/api/admin/embedding-models/{model_id}",
    "/api/admin/embedding-models/{model_id}/activate",
    "/api/admin/embedding-models/deactivate",
];
const ROUTE_GROUPS: [&[&str]; 14] = [
    ADMIN,
    ASSISTANTS,
    KNOWLEDGE,
    EMBEDDINGS,
    KEYS,
    HEALTH,
    AUTH_TOKENS,
    AUTH_ME,
    AUTH_SESSIONS,
    CHATS,
    MESSAGES,
    MODELS_AND_USAGE,
    STATIC,
    AUDIT,
];

/// With every response test asserting that it drove every operation of its group, this makes
/// every operation of the document driven at least once.
#[test]
fn every_documented_path_is_in_one_route_group() {
    let doc = document();
    let paths = doc["paths"].as_object().expect("paths is an object");
    for path in paths.keys() {
        let groups = ROUTE_GROUPS
            .iter()
            .filter(|g| g.contains(&path.as_str()))
            .count();
        assert_eq!(groups, 1, "{path} is in {groups} route groups");
    }
    for path in ROUTE_GROUPS.iter().copied().flatten() {
        assert!(paths.contains_key(*path), "{path} is not in the document");
    }
}

/// `method url` with `token` and a JSON `body`, each if given.
fn send(method: Method, url: &str, token: Option<&str>, body: Option<Value>) -> RequestBuilder {
    let mut request = client().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request
}

fn json_post(url: String, body: &Value) -> RequestBuilder {
    client().post(url).json(body)
}

fn raw(method: Method, url: String, content_type: &str, body: Vec<u8>) -> RequestBuilder {
    client()
        .request(method, url)
        .header("content-type", content_type.to_owned())
        .body(body)
}

fn too_big() -> Vec<u8> {
    format!(
        "{{\"email\":\"a@example.com\",\"password\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    )
    .into_bytes()
}

/// The body-parsing errors every JSON route gives: 400 (malformed, wrong shape), 413, 415;
/// `path` is the document's path, `real` the one requested (its parameters filled in).
async fn bad_bodies(c: &mut Checker, path: &str, real: &str, method: Method, token: Option<&str>) {
    let doc_method = method.as_str().to_ascii_lowercase();
    let with_token = |r: RequestBuilder| match token {
        Some(t) => r.bearer_auth(t),
        None => r,
    };
    let url = c.url(real);
    let cases: [(&str, Vec<u8>, u16); 5] = [
        ("application/json", b"{,}".to_vec(), 400),
        ("application/json", b"{\"nope\":1}".to_vec(), 400),
        ("application/json", b"[1]".to_vec(), 400),
        ("text/plain", b"{}".to_vec(), 415),
        ("application/json", too_big(), 413),
    ];
    for (content_type, body, status) in cases {
        let request = with_token(raw(method.clone(), url.clone(), content_type, body));
        c.check(path, &doc_method, request, status).await;
    }
}

/// A new account with [`TEST_PASSWORD`], registered and logged in again through checked
/// requests: the access tokens of its two sessions (registration, login).
async fn checked_account(c: &mut Checker, email: &str) -> (String, String) {
    let body = json!({"email": email, "password": TEST_PASSWORD});
    let register = json_post(c.url("/api/auth/register"), &body);
    let registered = c.check("/api/auth/register", "post", register, 201).await;
    let login = json_post(c.url("/api/auth/login"), &body);
    let logged_in = c.check("/api/auth/login", "post", login, 200).await;
    (
        registered.token("access_token"),
        logged_in.token("access_token"),
    )
}

/// Creates a global item at `path` as `admin` (201), checks that `user` (403) and no token (401)
/// cannot; the new item's id.
async fn create_global(
    c: &mut Checker,
    path: &str,
    admin: &str,
    user: &str,
    body: Value,
) -> String {
    let url = c.url(path);
    let created = c
        .check(
            path,
            "post",
            send(Method::POST, &url, Some(admin), Some(body.clone())),
            201,
        )
        .await;
    c.check(
        path,
        "post",
        send(Method::POST, &url, Some(user), Some(body.clone())),
        403,
    )
    .await;
    c.check(
        path,
        "post",
        send(Method::POST, &url, None, Some(body)),
        401,
    )
    .await;
    created.body["id"].as_str().unwrap().to_owned()
}

/// A user (`staff@example.com`) and an admin (`boss@example.com`) registered and logged in through
/// checked requests; their access tokens.
async fn staff_and_boss(c: &mut Checker) -> (String, String) {
    let (user, _) = checked_account(c, "staff@example.com").await;
    let (admin, _) = checked_account(c, "boss@example.com").await;
    c.hub
        .execute("UPDATE app_users SET is_admin = true WHERE email = 'boss@example.com'")
        .await;
    (user, admin)
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let path = "/api/health";
    let url = c.url(path);
    c.check(path, "get", client().get(&url), 200).await;
    c.check(path, "get", client().post(&url), 405).await;
    c.check(path, "head", client().head(&url), 200).await;
    c.assert_covered(HEALTH);
}

#[tokio::test(flavor = "multi_thread")]
async fn register_login_refresh_and_logout_answers_match_the_document() {
    let hub = Hub::spawn(|o| {
        o.variable("bootstrap_admin_email", "root@example.com")
            .variable("bootstrap_admin_password", "bootstrap password")
    })
    .await;
    let mut c = Checker::new(hub);

    // POST /api/auth/register
    let path = "/api/auth/register";
    let url = c.url(path);
    let alice = json!({"email": "alice@example.com", "password": TEST_PASSWORD});
    let registered = c
        .check(path, "post", json_post(url.clone(), &alice), 201)
        .await;
    let alice_access = registered.token("access_token");
    let alice_refresh = registered.token("refresh_token");
    c.check(path, "post", json_post(url.clone(), &alice), 409)
        .await;
    let short = json!({"email": "b@example.com", "password": "short"});
    c.check(path, "post", json_post(url.clone(), &short), 400)
        .await;
    let sneaky = json!({"email": "c@example.com", "password": TEST_PASSWORD, "is_admin": true});
    c.check(path, "post", json_post(url.clone(), &sneaky), 403)
        .await;
    let forged = json_post(url.clone(), &sneaky).bearer_auth("not-a-token");
    c.check(path, "post", forged, 401).await;
    let by_user = json_post(url.clone(), &sneaky).bearer_auth(&alice_access);
    c.check(path, "post", by_user, 403).await;
    bad_bodies(&mut c, path, path, Method::POST, None).await;
    c.check(path, "post", client().get(&url), 405).await;

    // POST /api/auth/login
    let path = "/api/auth/login";
    let url = c.url(path);
    let root = json!({"email": "root@example.com", "password": "bootstrap password"});
    let admin = c
        .check(path, "post", json_post(url.clone(), &root), 200)
        .await;
    let admin_access = admin.token("access_token");
    c.check(path, "post", json_post(url.clone(), &alice), 200)
        .await;
    let wrong = json!({"email": "alice@example.com", "password": "wrong password"});
    c.check(path, "post", json_post(url.clone(), &wrong), 401)
        .await;
    let bad_email = json!({"email": "no-at-sign", "password": TEST_PASSWORD});
    c.check(path, "post", json_post(url.clone(), &bad_email), 400)
        .await;
    c.hub
        .execute(
            "INSERT INTO login_throttle (scope, key, failures, last_failure_at, blocked_until)
             VALUES ('account', 'locked@example.com', 10, now(), now() + interval '15 minutes')",
        )
        .await;
    let locked = json!({"email": "locked@example.com", "password": TEST_PASSWORD});
    c.check(path, "post", json_post(url.clone(), &locked), 429)
        .await;
    bad_bodies(&mut c, path, path, Method::POST, None).await;
    c.check(path, "post", client().delete(&url), 405).await;

    // An admin creates an account (the other 201 shape).
    let staff = json!({"email": "staff@example.com", "password": TEST_PASSWORD, "is_admin": false});
    let created = json_post(c.url("/api/auth/register"), &staff).bearer_auth(&admin_access);
    let created = c.check("/api/auth/register", "post", created, 201).await;
    assert!(created.body.get("access_token").is_none());

    // POST /api/auth/refresh
    let path = "/api/auth/refresh";
    let url = c.url(path);
    let body = json!({"refresh_token": alice_refresh});
    let rotated = c
        .check(path, "post", json_post(url.clone(), &body), 200)
        .await;
    let alice_refresh = rotated.token("refresh_token");
    let unknown = json!({"refresh_token": "nope"});
    c.check(path, "post", json_post(url.clone(), &unknown), 401)
        .await;
    bad_bodies(&mut c, path, path, Method::POST, None).await;
    c.check(path, "post", client().get(&url), 405).await;

    // POST /api/auth/logout
    let path = "/api/auth/logout";
    let url = c.url(path);
    let body = json!({"refresh_token": alice_refresh});
    c.check(path, "post", json_post(url.clone(), &body), 204)
        .await;
    c.check(path, "post", json_post(url.clone(), &unknown), 204)
        .await;
    bad_bodies(&mut c, path, path, Method::POST, None).await;
    c.check(path, "post", client().get(&url), 405).await;
    c.assert_covered(AUTH_TOKENS);
}

#[tokio::test(flavor = "multi_thread")]
async fn me_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (alice_access, _) = checked_account(&mut c, "alice@example.com").await;
    let path = "/api/auth/me";
    let url = c.url(path);
    let me = client().get(&url).bearer_auth(&alice_access);
    c.check(path, "get", me, 200).await;
    c.check(path, "get", client().get(&url), 401).await;
    let garbage = client().get(&url).bearer_auth("a.b.c");
    c.check(path, "get", garbage, 401).await;
    let rename = json!({"display_name": "Alice A."});
    let patch = client()
        .patch(&url)
        .bearer_auth(&alice_access)
        .json(&rename);
    let patched = c.check(path, "patch", patch, 200).await;
    assert_eq!(patched.body["display_name"], "Alice A.");
    let nothing = client()
        .patch(&url)
        .bearer_auth(&alice_access)
        .json(&json!({}));
    c.check(path, "patch", nothing, 200).await;
    let half = json!({"current_password": TEST_PASSWORD});
    let patch = client().patch(&url).bearer_auth(&alice_access).json(&half);
    c.check(path, "patch", patch, 400).await;
    let wrong_current = json!({"password": "a new password", "current_password": "wrong one"});
    let patch = client()
        .patch(&url)
        .bearer_auth(&alice_access)
        .json(&wrong_current);
    c.check(path, "patch", patch, 403).await;
    let patch = client().patch(&url).json(&rename);
    c.check(path, "patch", patch, 401).await;
    bad_bodies(&mut c, path, path, Method::PATCH, Some(&alice_access)).await;
    c.check(path, "get", client().put(&url), 405).await;

    // A password change while the account is throttled: 429.
    c.hub
        .execute(
            "INSERT INTO login_throttle (scope, key, failures, last_failure_at, blocked_until)
             VALUES ('account', 'alice@example.com', 10, now(), now() + interval '15 minutes')
             ON CONFLICT (scope, key) DO UPDATE SET blocked_until = EXCLUDED.blocked_until",
        )
        .await;
    let change = json!({"password": "a new password", "current_password": TEST_PASSWORD});
    let patch = client()
        .patch(&url)
        .bearer_auth(&alice_access)
        .json(&change);
    c.check(path, "patch", patch, 429).await;
    c.assert_covered(AUTH_ME);
}

#[tokio::test(flavor = "multi_thread")]
async fn session_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (alice_access, alice_second_access) = checked_account(&mut c, "alice@example.com").await;

    // GET /api/auth/sessions
    let path = "/api/auth/sessions";
    let url = c.url(path);
    let listed = client().get(&url).bearer_auth(&alice_access);
    let listed = c.check(path, "get", listed, 200).await.body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    c.check(path, "get", client().get(&url), 401).await;
    c.check(path, "get", client().post(&url), 405).await;

    // DELETE /api/auth/sessions/{id}: end alice's second session.
    let path = "/api/auth/sessions/{id}";
    let second_id = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap();
    let url = c.url(&format!("/api/auth/sessions/{second_id}"));
    c.check(path, "delete", client().delete(&url), 401).await;
    let revoke = client().delete(&url).bearer_auth(&alice_access);
    c.check(path, "delete", revoke, 204).await;
    let again = client().delete(&url).bearer_auth(&alice_access);
    c.check(path, "delete", again, 404).await;
    let other = c.url(&format!("/api/auth/sessions/{}", Uuid::new_v4()));
    let other = client().delete(other).bearer_auth(&alice_access);
    c.check(path, "delete", other, 404).await;
    let not_uuid = client()
        .delete(c.url("/api/auth/sessions/not-a-uuid"))
        .bearer_auth(&alice_access);
    c.check(path, "delete", not_uuid, 404).await;
    c.check(path, "delete", client().get(&url), 405).await;
    // The revoked session's token is refused.
    let me = client()
        .get(c.url("/api/auth/me"))
        .bearer_auth(&alice_second_access);
    c.check("/api/auth/me", "get", me, 401).await;
    c.assert_covered(AUTH_SESSIONS);
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (token, _) = checked_account(&mut c, "staff@example.com").await;
    let authed = |r: RequestBuilder| r.bearer_auth(&token);

    // GET and POST /api/chats
    let path = "/api/chats";
    let url = c.url(path);
    let created = authed(json_post(
        url.clone(),
        &json!({"title": "Plan", "temperature": 0.5}),
    ));
    let chat = c.check(path, "post", created, 201).await.body;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let unknown = authed(json_post(url.clone(), &json!({"model": "nope"})));
    c.check(path, "post", unknown, 400).await;
    c.check(path, "post", json_post(url.clone(), &json!({})), 401)
        .await;
    bad_bodies(&mut c, path, path, Method::POST, Some(&token)).await;
    c.check(path, "get", authed(client().get(&url)), 200).await;
    let paged = authed(client().get(c.url("/api/chats?limit=1")));
    c.check(path, "get", paged, 200).await;
    let bad_limit = authed(client().get(c.url("/api/chats?limit=0")));
    c.check(path, "get", bad_limit, 400).await;
    c.check(path, "get", client().get(&url), 401).await;
    c.check(path, "get", authed(client().put(&url)), 405).await;

    // GET, PATCH and DELETE /api/chats/{id}, the chat holding a question and its answer.
    let streamed = c
        .hub
        .stream(&chat_id, &token, json!({"content": "Hallo"}))
        .await;
    assert_eq!(streamed.last().name, "done");
    let path = "/api/chats/{id}";
    let url = c.url(&format!("/api/chats/{chat_id}"));
    let detail = c.check(path, "get", authed(client().get(&url)), 200).await;
    assert_eq!(detail.body["messages"].as_array().unwrap().len(), 2);
    let rename = authed(
        client()
            .patch(&url)
            .json(&json!({"title": "Neu", "model": null})),
    );
    c.check(path, "patch", rename, 200).await;
    let nothing = authed(client().patch(&url).json(&json!({})));
    c.check(path, "patch", nothing, 400).await;
    let real = format!("/api/chats/{chat_id}");
    bad_bodies(&mut c, path, &real, Method::PATCH, Some(&token)).await;
    c.check(
        path,
        "patch",
        client().patch(&url).json(&json!({"title": "x"})),
        401,
    )
    .await;
    let other = c.url(&format!("/api/chats/{}", Uuid::new_v4()));
    c.check(path, "get", authed(client().get(&other)), 404)
        .await;
    let not_uuid = authed(client().get(c.url("/api/chats/not-a-uuid")));
    c.check(path, "get", not_uuid, 404).await;
    c.check(path, "get", client().get(&url), 401).await;
    c.check(path, "get", authed(client().post(&url)), 405).await;
    let patch_missing = authed(client().patch(&other).json(&json!({"title": "x"})));
    c.check(path, "patch", patch_missing, 404).await;
    c.check(path, "delete", authed(client().delete(&url)), 204)
        .await;
    c.check(path, "delete", authed(client().delete(&url)), 404)
        .await;
    c.check(path, "delete", client().delete(&url), 401).await;
    c.assert_covered(CHATS);
}

#[tokio::test(flavor = "multi_thread")]
async fn message_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (token, _) = checked_account(&mut c, "staff@example.com").await;
    let authed = |r: RequestBuilder| r.bearer_auth(&token);
    let new_chat = |body: Value| authed(json_post(c.url("/api/chats"), &body));
    let chat = new_chat(json!({"title": "Plan", "temperature": 0.5}));
    let empty_chat = new_chat(json!({}));
    let chat = c.check("/api/chats", "post", chat, 201).await.body;
    let chat_id = chat["id"].as_str().unwrap();

    let path = "/api/chats/{id}/messages";
    let url = c.url(&format!("/api/chats/{chat_id}/messages"));
    let send = authed(json_post(url.clone(), &json!({"content": "Hallo"})));
    let streamed = c.check(path, "post", send, 200).await;
    let body = String::from_utf8_lossy(&streamed.bytes).into_owned();
    assert!(body.starts_with("event: message_start\n"), "{body}");
    assert!(body.contains("\nevent: done\n"), "{body}");
    let unknown = authed(json_post(
        url.clone(),
        &json!({"content": "x", "model": "nope"}),
    ));
    c.check(path, "post", unknown, 400).await;
    let real = format!("/api/chats/{chat_id}/messages");
    bad_bodies(&mut c, path, &real, Method::POST, Some(&token)).await;
    let empty_chat = c.check("/api/chats", "post", empty_chat, 201).await.body;
    let empty_url = c.url(&format!(
        "/api/chats/{}/messages",
        empty_chat["id"].as_str().unwrap()
    ));
    let regenerate = authed(json_post(empty_url, &json!({"regenerate": true})));
    c.check(path, "post", regenerate, 409).await;
    let missing = c.url(&format!("/api/chats/{}/messages", Uuid::new_v4()));
    let missing = authed(json_post(missing, &json!({"content": "x"})));
    c.check(path, "post", missing, 404).await;
    c.check(path, "post", json_post(url.clone(), &json!({})), 401)
        .await;
    c.check(path, "post", authed(client().get(&url)), 405).await;
    c.assert_covered(MESSAGES);
}

#[tokio::test(flavor = "multi_thread")]
async fn model_and_usage_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (token, _) = checked_account(&mut c, "staff@example.com").await;
    let authed = |r: RequestBuilder| r.bearer_auth(&token);

    // GET /api/models
    let path = "/api/models";
    let url = c.url(path);
    c.check(path, "get", authed(client().get(&url)), 200).await;
    c.check(path, "get", client().get(&url), 401).await;
    c.check(path, "get", authed(client().post(&url)), 405).await;

    // GET /api/usage/me, after one answer.
    let chat = c.hub.chat(&token, json!({})).await;
    let streamed = c
        .hub
        .stream(&chat, &token, json!({"content": "Hallo"}))
        .await;
    assert_eq!(streamed.last().name, "done");
    let path = "/api/usage/me";
    let url = c.url(path);
    let usage = c.check(path, "get", authed(client().get(&url)), 200).await;
    assert!(usage.body["requests"].as_i64().unwrap() >= 1);
    let week = authed(client().get(c.url("/api/usage/me?period=week")));
    c.check(path, "get", week, 200).await;
    let bad = authed(client().get(c.url("/api/usage/me?period=year")));
    c.check(path, "get", bad, 400).await;
    c.check(path, "get", client().get(&url), 401).await;
    c.check(path, "get", authed(client().delete(&url)), 405)
        .await;
    c.assert_covered(MODELS_AND_USAGE);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (user, admin) = staff_and_boss(&mut c).await;
    for path in AUDIT {
        let url = c.url(path);
        c.check(path, "get", client().get(&url).bearer_auth(&admin), 200)
            .await;
        c.check(path, "get", client().get(&url), 401).await;
        c.check(path, "get", client().get(&url).bearer_auth(&user), 403)
            .await;
        c.check(path, "get", client().post(&url).bearer_auth(&admin), 405)
            .await;
    }
    for path in ["/api/admin/audit", "/api/admin/audit.csv"] {
        let filtered = c.url(&format!("{path}?action=auth.login&limit=1"));
        let page = c
            .check(
                path,
                "get",
                client().get(&filtered).bearer_auth(&admin),
                200,
            )
            .await;
        if path == "/api/admin/audit" {
            assert_eq!(page.body["items"][0]["action"], "auth.login");
            assert!(page.body["next_cursor"].is_string(), "{:?}", page.body);
        } else {
            assert!(page.header("x-next-cursor").is_some());
        }
        let bad = c.url(&format!("{path}?from=not-a-time"));
        c.check(path, "get", client().get(&bad).bearer_auth(&admin), 400)
            .await;
    }
    // A broken chain is a finding, documented like a sound one.
    c.hub
        .execute("UPDATE audit_logs SET target = 'forged' WHERE seq = 1")
        .await;
    let path = "/api/admin/audit/verify";
    let report = c
        .check(
            path,
            "get",
            client().get(c.url(path)).bearer_auth(&admin),
            200,
        )
        .await;
    assert_eq!(report.body["broken"]["problem"], "hash_mismatch");
    c.assert_covered(AUDIT);
}

/// Users, costs, statistics and models of the admin console: every operation's success, 401,
/// 403, 405 and its refusals.
#[tokio::test(flavor = "multi_thread")]
async fn admin_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (user, admin) = staff_and_boss(&mut c).await;
    let boss: String = c
        .hub
        .scalar("SELECT id::text FROM app_users WHERE email = 'boss@example.com'")
        .await;
    // The account the admin changes, resets and deletes (the staff user's token stays live).
    let staff = c.hub.new_user("target@example.com").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let model = json!({"id": "meta-llama/Llama-3.1-8B", "provider": "openai_compatible",
        "display_name": "Llama", "input_price_per_million": "0.05",
        "output_price_per_million": "0.08"});
    // (document path, real path, method, body, status as admin)
    let cases: Vec<(&str, String, Method, Option<Value>, u16)> = vec![
        (
            "/api/admin/users",
            "/api/admin/users?sort=email&limit=1".into(),
            Method::GET,
            None,
            200,
        ),
        (
            "/api/admin/users",
            "/api/admin/users?sort=nope".into(),
            Method::GET,
            None,
            400,
        ),
        (
            "/api/admin/users",
            "/api/admin/users".into(),
            Method::POST,
            Some(json!({"email": "new@example.com"})),
            201,
        ),
        (
            "/api/admin/users",
            "/api/admin/users".into(),
            Method::POST,
            Some(json!({"email": "new@example.com"})),
            409,
        ),
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{staff}"),
            Method::GET,
            None,
            200,
        ),
        (
            "/api/admin/users/{id}",
            "/api/admin/users/00000000-0000-4000-8000-000000000000".into(),
            Method::GET,
            None,
            404,
        ),
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{staff}"),
            Method::PATCH,
            Some(json!({"display_name": "Staff"})),
            200,
        ),
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{staff}"),
            Method::PATCH,
            Some(json!({})),
            400,
        ),
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{boss}"),
            Method::PATCH,
            Some(json!({"is_admin": false})),
            403,
        ),
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{boss}"),
            Method::DELETE,
            None,
            403,
        ),
        (
            "/api/admin/users/{id}/password-reset",
            format!("/api/admin/users/{staff}/password-reset"),
            Method::POST,
            Some(json!({})),
            200,
        ),
        (
            "/api/admin/users/{id}/password-reset",
            format!("/api/admin/users/{staff}/password-reset"),
            Method::POST,
            Some(json!({"password": "x"})),
            400,
        ),
        (
            "/api/admin/costs",
            "/api/admin/costs?period=week".into(),
            Method::GET,
            None,
            200,
        ),
        (
            "/api/admin/costs",
            "/api/admin/costs?period=year".into(),
            Method::GET,
            None,
            400,
        ),
        (
            "/api/admin/costs.csv",
            "/api/admin/costs.csv".into(),
            Method::GET,
            None,
            200,
        ),
        (
            "/api/admin/costs.csv",
            "/api/admin/costs.csv?period=custom".into(),
            Method::GET,
            None,
            400,
        ),
        (
            "/api/admin/stats",
            "/api/admin/stats".into(),
            Method::GET,
            None,
            200,
        ),
        (
            "/api/admin/models",
            "/api/admin/models".into(),
            Method::GET,
            None,
            200,
        ),
        (
            "/api/admin/models",
            "/api/admin/models".into(),
            Method::POST,
            Some(model.clone()),
            201,
        ),
        (
            "/api/admin/models",
            "/api/admin/models".into(),
            Method::POST,
            Some(model),
            409,
        ),
        (
            "/api/admin/models",
            "/api/admin/models".into(),
            Method::POST,
            Some(json!({"id": "a b"})),
            400,
        ),
        (
            "/api/admin/models/{model_id}",
            "/api/admin/models/meta-llama%2FLlama-3.1-8B".into(),
            Method::PATCH,
            Some(json!({"is_default": true})),
            200,
        ),
        (
            "/api/admin/models/{model_id}",
            "/api/admin/models/meta-llama%2FLlama-3.1-8B".into(),
            Method::PATCH,
            Some(json!({"enabled": false})),
            409,
        ),
        (
            "/api/admin/models/{model_id}",
            "/api/admin/models/gpt-4o".into(),
            Method::PATCH,
            Some(json!({"input_price_per_million": "-1"})),
            400,
        ),
        (
            "/api/admin/models/{model_id}",
            "/api/admin/models/none".into(),
            Method::PATCH,
            Some(json!({"enabled": true})),
            404,
        ),
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{staff}"),
            Method::DELETE,
            None,
            204,
        ),
    ];
    for (path, real, method, body, status) in cases {
        let url = c.url(&real);
        let doc_method = method.as_str().to_ascii_lowercase();
        let request = send(method.clone(), &url, Some(&admin), body.clone());
        c.check(path, &doc_method, request, status).await;
        let anonymous = send(method.clone(), &url, None, body.clone());
        c.check(path, &doc_method, anonymous, 401).await;
        let refused = send(method.clone(), &url, Some(&user), body);
        if status != 204 {
            c.check(path, &doc_method, refused, 403).await;
        }
    }
    for (path, real, method) in [
        (
            "/api/admin/users/{id}",
            format!("/api/admin/users/{boss}"),
            "get",
        ),
        ("/api/admin/stats", "/api/admin/stats".to_owned(), "get"),
    ] {
        let url = c.url(&real);
        c.check(
            path,
            method,
            send(Method::PUT, &url, Some(&admin), None),
            405,
        )
        .await;
    }
    bad_bodies(
        &mut c,
        "/api/admin/users",
        "/api/admin/users",
        Method::POST,
        Some(&admin),
    )
    .await;
    c.assert_covered(ADMIN);
}

/// Assistants and prompt templates: every operation's success, 400, 401, 403, 404, 405.
#[tokio::test(flavor = "multi_thread")]
async fn assistants_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (user, admin) = staff_and_boss(&mut c).await;
    for (path, create, change) in [
        (
            "/api/assistants",
            json!({"name": "Jurist", "system_prompt": "Du bist Jurist.", "icon": "scale",
                   "model": "gpt-4o-mini", "temperature": 0.3, "starters": ["Frage?"],
                   "scope": "global"}),
            json!({"description": "Recht", "model": null}),
        ),
        (
            "/api/templates",
            json!({"title": "Übersetzen", "body": "Übersetze {{text}} nach {{sprache}}.",
                   "descriptions": {"sprache": "Zielsprache"}, "scope": "global"}),
            json!({"title": "Übersetzung"}),
        ),
    ] {
        let url = c.url(path);
        let id = create_global(&mut c, path, &admin, &user, create).await;
        bad_bodies(&mut c, path, path, Method::POST, Some(&user)).await;
        c.check(path, "get", send(Method::GET, &url, Some(&user), None), 200)
            .await;
        let paged = c.url(&format!("{path}?limit=1&scope=global&q=e"));
        c.check(
            path,
            "get",
            send(Method::GET, &paged, Some(&user), None),
            200,
        )
        .await;
        let bad = c.url(&format!("{path}?cursor=nope"));
        c.check(path, "get", send(Method::GET, &bad, Some(&user), None), 400)
            .await;
        c.check(path, "get", send(Method::GET, &url, None, None), 401)
            .await;
        c.check(path, "get", send(Method::PUT, &url, Some(&user), None), 405)
            .await;

        let one = format!("{path}/{{id}}");
        let real = format!("{path}/{id}");
        let url = c.url(&real);
        c.check(&one, "get", send(Method::GET, &url, Some(&user), None), 200)
            .await;
        c.check(&one, "get", send(Method::GET, &url, None, None), 401)
            .await;
        let missing = c.url(&format!("{path}/{}", Uuid::new_v4()));
        c.check(
            &one,
            "get",
            send(Method::GET, &missing, Some(&user), None),
            404,
        )
        .await;
        c.check(
            &one,
            "get",
            send(Method::POST, &url, Some(&user), None),
            405,
        )
        .await;
        c.check(
            &one,
            "patch",
            send(Method::PATCH, &url, Some(&user), Some(change.clone())),
            403,
        )
        .await;
        c.check(
            &one,
            "patch",
            send(Method::PATCH, &url, Some(&admin), Some(change)),
            200,
        )
        .await;
        c.check(
            &one,
            "patch",
            send(Method::PATCH, &url, Some(&admin), Some(json!({}))),
            400,
        )
        .await;
        bad_bodies(&mut c, &one, &real, Method::PATCH, Some(&admin)).await;
        if path == "/api/templates" {
            let render = "/api/templates/{id}/render";
            let real_render = format!("{real}/render");
            let render_url = c.url(&real_render);
            let values = json!({"values": {"text": "Hallo", "sprache": "Englisch"}});
            c.check(
                render,
                "post",
                send(Method::POST, &render_url, Some(&user), Some(values)),
                200,
            )
            .await;
            let missing_values = json!({"values": {"text": "Hallo"}});
            c.check(
                render,
                "post",
                send(Method::POST, &render_url, Some(&user), Some(missing_values)),
                400,
            )
            .await;
            let bad_template = json!({"title": "T", "body": "{{ a b }}"});
            let templates = c.url(path);
            c.check(
                path,
                "post",
                send(Method::POST, &templates, Some(&user), Some(bad_template)),
                400,
            )
            .await;
            bad_bodies(&mut c, render, &real_render, Method::POST, Some(&user)).await;
            c.check(
                render,
                "post",
                send(Method::GET, &render_url, Some(&user), None),
                405,
            )
            .await;
        }
        c.check(
            &one,
            "delete",
            send(Method::DELETE, &url, Some(&user), None),
            403,
        )
        .await;
        c.check(
            &one,
            "delete",
            send(Method::DELETE, &url, Some(&admin), None),
            204,
        )
        .await;
        c.check(
            &one,
            "delete",
            send(Method::DELETE, &url, Some(&admin), None),
            404,
        )
        .await;
    }
    c.assert_covered(ASSISTANTS);
}

/// Knowledge collections, files and search: every operation's success, 400, 401, 403, 404, 405,
/// 413 and 415, an upload `ready`, one `failed`, a duplicate (200) and a download.
#[tokio::test(flavor = "multi_thread")]
async fn knowledge_answers_match_the_document() {
    let mut c =
        Checker::new(Hub::spawn(|o| o.variable("knowledge_max_file_bytes", "100000")).await);
    let (user, admin) = staff_and_boss(&mut c).await;
    let bytes = |method: Method, url: &str, token: Option<&str>, body: &[u8]| {
        let mut request = client()
            .request(method, url)
            .header("content-type", "application/octet-stream")
            .body(body.to_vec());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
    };
    let [collections, collection, files, file, content, search] = [
        KNOWLEDGE[0],
        KNOWLEDGE[1],
        KNOWLEDGE[2],
        KNOWLEDGE[3],
        KNOWLEDGE[4],
        KNOWLEDGE[5],
    ];

    // Collections.
    let url = c.url(collections);
    let global = json!({"name": "Handbuch", "description": "Für alle", "scope": "global"});
    let collection_id = create_global(&mut c, collections, &admin, &user, global).await;
    let blank = json!({"name": " "});
    c.check(
        collections,
        "post",
        send(Method::POST, &url, Some(&user), Some(blank)),
        400,
    )
    .await;
    bad_bodies(&mut c, collections, collections, Method::POST, Some(&user)).await;
    for query in ["", "?limit=1&scope=global&q=hand"] {
        let listed = c.url(&format!("{collections}{query}"));
        c.check(
            collections,
            "get",
            send(Method::GET, &listed, Some(&user), None),
            200,
        )
        .await;
    }
    let bad = c.url(&format!("{collections}?cursor=nope"));
    c.check(
        collections,
        "get",
        send(Method::GET, &bad, Some(&user), None),
        400,
    )
    .await;
    c.check(collections, "get", send(Method::GET, &url, None, None), 401)
        .await;
    c.check(
        collections,
        "get",
        send(Method::PUT, &url, Some(&user), None),
        405,
    )
    .await;
    let real = format!("/api/knowledge/collections/{collection_id}");
    let one = c.url(&real);
    c.check(
        collection,
        "get",
        send(Method::GET, &one, Some(&user), None),
        200,
    )
    .await;
    c.check(collection, "get", send(Method::GET, &one, None, None), 401)
        .await;
    let missing = c.url(&format!("/api/knowledge/collections/{}", Uuid::new_v4()));
    c.check(
        collection,
        "get",
        send(Method::GET, &missing, Some(&user), None),
        404,
    )
    .await;
    c.check(
        collection,
        "get",
        send(Method::POST, &one, Some(&user), None),
        405,
    )
    .await;
    let change = json!({"description": "Für alle Mitarbeitenden"});
    c.check(
        collection,
        "patch",
        send(Method::PATCH, &one, Some(&user), Some(change.clone())),
        403,
    )
    .await;
    c.check(
        collection,
        "patch",
        send(Method::PATCH, &one, Some(&admin), Some(change)),
        200,
    )
    .await;
    c.check(
        collection,
        "patch",
        send(Method::PATCH, &one, Some(&admin), Some(json!({}))),
        400,
    )
    .await;
    bad_bodies(&mut c, collection, &real, Method::PATCH, Some(&admin)).await;

    // Files: ready, failed, the same again, refusals.
    let base = c.url("");
    let upload = |name: &str, collection: Option<&str>| {
        let mut url = format!("{base}{files}?name={name}");
        if let Some(collection) = collection {
            url.push_str(&format!("&collection_id={collection}"));
        }
        url
    };
    let text = "# Urlaub\n\nUrlaubsanträge gehen an die Personalabteilung.".as_bytes();
    let ready_url = upload("urlaub.md", Some(&collection_id));
    let ready = c
        .check(
            files,
            "post",
            bytes(Method::POST, &ready_url, Some(&admin), text),
            201,
        )
        .await;
    assert_eq!(ready.body["status"], "ready");
    let file_id = ready.body["id"].as_str().unwrap().to_owned();
    c.check(
        files,
        "post",
        bytes(Method::POST, &ready_url, Some(&admin), text),
        200,
    )
    .await;
    c.check(
        files,
        "post",
        bytes(Method::POST, &ready_url, Some(&user), text),
        403,
    )
    .await;
    let failed = c
        .check(
            files,
            "post",
            bytes(
                Method::POST,
                &upload("x.bin", None),
                Some(&user),
                b"\x00\x01\x02\x03",
            ),
            201,
        )
        .await;
    assert_eq!(failed.body["reason_code"], "unsupported_type");
    for (url, body) in [
        (c.url(files), &b"abc"[..]),
        (upload("a.txt", Some("nope")), b"abc"),
        (upload("a.txt", Some(&Uuid::new_v4().to_string())), b"abc"),
        (upload("a.txt", None), b""),
    ] {
        c.check(
            files,
            "post",
            bytes(Method::POST, &url, Some(&user), body),
            400,
        )
        .await;
    }
    let big = vec![b'a'; 100_001];
    c.check(
        files,
        "post",
        bytes(Method::POST, &upload("big.txt", None), Some(&user), &big),
        413,
    )
    .await;
    let as_json = send(
        Method::POST,
        &upload("a.txt", None),
        Some(&user),
        Some(json!({})),
    );
    c.check(files, "post", as_json, 415).await;
    c.check(
        files,
        "post",
        bytes(Method::POST, &upload("a.txt", None), None, b"abc"),
        401,
    )
    .await;
    for query in ["", "?limit=1", &format!("?collection_id={collection_id}")] {
        let listed = c.url(&format!("{files}{query}"));
        c.check(
            files,
            "get",
            send(Method::GET, &listed, Some(&user), None),
            200,
        )
        .await;
    }
    let bad = c.url(&format!("{files}?collection_id={}", Uuid::new_v4()));
    c.check(
        files,
        "get",
        send(Method::GET, &bad, Some(&user), None),
        400,
    )
    .await;
    let files_url = c.url(files);
    c.check(files, "get", send(Method::GET, &files_url, None, None), 401)
        .await;
    c.check(
        files,
        "get",
        send(Method::PUT, &files_url, Some(&user), None),
        405,
    )
    .await;

    let real = format!("/api/knowledge/files/{file_id}");
    let one = c.url(&real);
    c.check(file, "get", send(Method::GET, &one, Some(&user), None), 200)
        .await;
    c.check(file, "get", send(Method::GET, &one, None, None), 401)
        .await;
    let missing = c.url(&format!("/api/knowledge/files/{}", Uuid::new_v4()));
    c.check(
        file,
        "get",
        send(Method::GET, &missing, Some(&user), None),
        404,
    )
    .await;
    c.check(
        file,
        "get",
        send(Method::PATCH, &one, Some(&user), None),
        405,
    )
    .await;
    let download = c.url(&format!("{real}/content"));
    let got = c
        .check(
            content,
            "get",
            send(Method::GET, &download, Some(&user), None),
            200,
        )
        .await;
    assert_eq!(got.bytes, text);
    let failed_download = c.url(&format!(
        "/api/knowledge/files/{}/content",
        failed.body["id"].as_str().unwrap()
    ));
    c.check(
        content,
        "get",
        send(Method::GET, &failed_download, Some(&user), None),
        200,
    )
    .await;
    c.check(
        content,
        "get",
        send(Method::GET, &download, None, None),
        401,
    )
    .await;
    let missing_content = c.url(&format!("/api/knowledge/files/{}/content", Uuid::new_v4()));
    c.check(
        content,
        "get",
        send(Method::GET, &missing_content, Some(&user), None),
        404,
    )
    .await;
    c.check(
        content,
        "get",
        send(Method::DELETE, &download, Some(&user), None),
        405,
    )
    .await;

    // Search.
    for query in [
        "?q=Personalabteilung",
        &format!("?q=Urlaub&limit=1&collection_id={collection_id}"),
    ] {
        let url = c.url(&format!("{search}{query}"));
        let found = c
            .check(
                search,
                "get",
                send(Method::GET, &url, Some(&user), None),
                200,
            )
            .await;
        assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{query}");
    }
    for query in [
        "",
        "?q=a&limit=0",
        &format!("?q=a&collection_id={}", Uuid::new_v4()),
    ] {
        let url = c.url(&format!("{search}{query}"));
        c.check(
            search,
            "get",
            send(Method::GET, &url, Some(&user), None),
            400,
        )
        .await;
    }
    let url = c.url(&format!("{search}?q=a"));
    c.check(search, "get", send(Method::GET, &url, None, None), 401)
        .await;
    c.check(
        search,
        "get",
        send(Method::POST, &url, Some(&user), None),
        405,
    )
    .await;

    // Deletes.
    c.check(
        file,
        "delete",
        send(Method::DELETE, &one, Some(&user), None),
        403,
    )
    .await;
    c.check(
        file,
        "delete",
        send(Method::DELETE, &one, Some(&admin), None),
        204,
    )
    .await;
    c.check(
        file,
        "delete",
        send(Method::DELETE, &one, Some(&admin), None),
        404,
    )
    .await;
    let one = c.url(&format!("/api/knowledge/collections/{collection_id}"));
    c.check(
        collection,
        "delete",
        send(Method::DELETE, &one, Some(&user), None),
        403,
    )
    .await;
    c.check(
        collection,
        "delete",
        send(Method::DELETE, &one, Some(&admin), None),
        204,
    )
    .await;
    c.check(
        collection,
        "delete",
        send(Method::DELETE, &one, Some(&admin), None),
        404,
    )
    .await;
    c.assert_covered(KNOWLEDGE);
}

/// The providers of the keys component: every operation's success, 401, 403, 404, 405 and its
/// refusals.
#[tokio::test(flavor = "multi_thread")]
async fn keys_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    c.hub.enable_all_models().await;
    let (user, admin) = staff_and_boss(&mut c).await;
    let (list, one, key, test) = (KEYS[0], KEYS[1], KEYS[2], KEYS[3]);
    // (document path, real path, method, body, status as admin)
    let cases: Vec<(&str, &str, Method, Option<Value>, u16)> = vec![
        (list, "/api/admin/providers", Method::GET, None, 200),
        (
            one,
            "/api/admin/providers/azure_openai",
            Method::GET,
            None,
            200,
        ),
        (one, "/api/admin/providers/azure", Method::GET, None, 404),
        (
            one,
            "/api/admin/providers/azure_openai",
            Method::PATCH,
            Some(json!({"api_version": "2024-10-21"})),
            200,
        ),
        (
            one,
            "/api/admin/providers/azure_openai",
            Method::PATCH,
            Some(json!({"base_url": "https://10.0.0.1"})),
            400,
        ),
        (
            key,
            "/api/admin/providers/openai/key",
            Method::PUT,
            Some(json!({"api_key": hub_tests::FAKE_PROVIDER_KEY})),
            200,
        ),
        (
            key,
            "/api/admin/providers/openai/key",
            Method::PUT,
            Some(json!({"api_key": " "})),
            400,
        ),
        (
            key,
            "/api/admin/providers/nope/key",
            Method::PUT,
            Some(json!({"api_key": "sk-1"})),
            404,
        ),
        (
            test,
            "/api/admin/providers/openai/test",
            Method::POST,
            None,
            200,
        ),
        (
            test,
            "/api/admin/providers/mistral/test",
            Method::POST,
            None,
            200,
        ),
        (
            test,
            "/api/admin/providers/nope/test",
            Method::POST,
            None,
            404,
        ),
        (one, "/api/admin/providers/openai", Method::GET, None, 200),
        (
            key,
            "/api/admin/providers/openai/key",
            Method::DELETE,
            None,
            204,
        ),
    ];
    for (path, real, method, body, status) in cases {
        let url = c.url(real);
        let doc_method = method.as_str().to_ascii_lowercase();
        let request = send(method.clone(), &url, Some(&admin), body.clone());
        c.check(path, &doc_method, request, status).await;
        let anonymous = send(method.clone(), &url, None, body.clone());
        c.check(path, &doc_method, anonymous, 401).await;
        let refused = send(method.clone(), &url, Some(&user), body);
        c.check(path, &doc_method, refused, 403).await;
    }
    for (path, real, method, doc_method) in [
        (list, "/api/admin/providers", Method::POST, "get"),
        (one, "/api/admin/providers/openai", Method::PUT, "get"),
        (key, "/api/admin/providers/openai/key", Method::GET, "put"),
        (
            test,
            "/api/admin/providers/openai/test",
            Method::GET,
            "post",
        ),
    ] {
        let url = c.url(real);
        c.check(
            path,
            doc_method,
            send(method, &url, Some(&admin), None),
            405,
        )
        .await;
    }
    bad_bodies(
        &mut c,
        key,
        "/api/admin/providers/openai/key",
        Method::PUT,
        Some(&admin),
    )
    .await;
    bad_bodies(
        &mut c,
        one,
        "/api/admin/providers/azure_openai",
        Method::PATCH,
        Some(&admin),
    )
    .await;
    c.assert_covered(KEYS);
}

/// The embed component: the knowledge status, the background step and the embedding models.
#[tokio::test(flavor = "multi_thread")]
async fn embeddings_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let (user, admin) = staff_and_boss(&mut c).await;
    let (status, tick, list, one, activate, deactivate) = (
        EMBEDDINGS[0],
        EMBEDDINGS[1],
        EMBEDDINGS[2],
        EMBEDDINGS[3],
        EMBEDDINGS[4],
        EMBEDDINGS[5],
    );
    let local = json!({"provider": "openai_compatible", "display_name": "Local", "dimension": 768});
    // (document path, real path, method, body, status as admin)
    let cases: Vec<(&str, &str, Method, Option<Value>, u16)> = vec![
        (list, "/api/admin/embedding-models", Method::GET, None, 200),
        (
            one,
            "/api/admin/embedding-models/local",
            Method::PUT,
            Some(local),
            200,
        ),
        (
            one,
            "/api/admin/embedding-models/local",
            Method::PUT,
            Some(json!({"provider": "xai", "display_name": "x", "dimension": 768})),
            400,
        ),
        (
            activate,
            "/api/admin/embedding-models/local/activate",
            Method::POST,
            None,
            200,
        ),
        (
            activate,
            "/api/admin/embedding-models/nope/activate",
            Method::POST,
            None,
            404,
        ),
        (
            one,
            "/api/admin/embedding-models/local",
            Method::DELETE,
            None,
            409,
        ),
        (
            deactivate,
            "/api/admin/embedding-models/deactivate",
            Method::POST,
            None,
            200,
        ),
        (
            one,
            "/api/admin/embedding-models/local",
            Method::DELETE,
            None,
            204,
        ),
        (
            one,
            "/api/admin/embedding-models/local",
            Method::DELETE,
            None,
            404,
        ),
        (
            one,
            "/api/admin/embedding-models/bad%20id",
            Method::DELETE,
            None,
            404,
        ),
    ];
    for (path, real, method, body, status) in cases {
        let url = c.url(real);
        let doc_method = method.as_str().to_ascii_lowercase();
        let refused = send(method.clone(), &url, Some(&user), body.clone());
        c.check(path, &doc_method, refused, 403).await;
        let anonymous = send(method.clone(), &url, None, body.clone());
        c.check(path, &doc_method, anonymous, 401).await;
        let request = send(method.clone(), &url, Some(&admin), body);
        c.check(path, &doc_method, request, status).await;
    }
    let url = c.url("/api/knowledge/status");
    c.check(
        status,
        "get",
        send(Method::GET, &url, Some(&user), None),
        200,
    )
    .await;
    c.check(status, "get", send(Method::GET, &url, None, None), 401)
        .await;
    let url = c.url("/api/knowledge/tick");
    let secret = Some(hub_tests::TEST_TICK_SECRET);
    c.check(tick, "post", send(Method::POST, &url, secret, None), 200)
        .await;
    c.check(
        tick,
        "post",
        send(Method::POST, &url, Some(&admin), None),
        401,
    )
    .await;
    for (path, real, method, doc_method) in [
        (status, "/api/knowledge/status", Method::POST, "get"),
        (tick, "/api/knowledge/tick", Method::GET, "post"),
        (list, "/api/admin/embedding-models", Method::POST, "get"),
        (one, "/api/admin/embedding-models/local", Method::GET, "put"),
        (
            activate,
            "/api/admin/embedding-models/local/activate",
            Method::GET,
            "post",
        ),
        (
            deactivate,
            "/api/admin/embedding-models/deactivate",
            Method::GET,
            "post",
        ),
    ] {
        let url = c.url(real);
        c.check(
            path,
            doc_method,
            send(method, &url, Some(&admin), None),
            405,
        )
        .await;
    }
    bad_bodies(
        &mut c,
        one,
        "/api/admin/embedding-models/local",
        Method::PUT,
        Some(&admin),
    )
    .await;
    c.assert_covered(EMBEDDINGS);
}

/// The static component: the frontend, and the JSON 404 of unknown API routes.
#[tokio::test(flavor = "multi_thread")]
async fn static_answers_match_the_document() {
    let mut c = Checker::new(Hub::spawn(|o| o).await);
    let path = "/{path}";
    let index = c.check(path, "get", client().get(c.url("/")), 200).await;
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let asset = c
        .check(path, "get", client().get(c.url("/favicon.svg")), 200)
        .await;
    let etag = asset.header("etag").unwrap().to_owned();
    let cached = client()
        .get(c.url("/favicon.svg"))
        .header("if-none-match", etag);
    c.check(path, "get", cached, 304).await;
    c.check(path, "get", client().get(c.url("/chats/123")), 200)
        .await;
    c.check(path, "head", client().head(c.url("/")), 200).await;
    let missing = c
        .check(path, "get", client().get(c.url("/missing.js")), 404)
        .await;
    assert!(
        missing
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    c.check(path, "head", client().head(c.url("/missing.js")), 404)
        .await;
    c.check(path, "get", client().get(c.url("/%zz")), 400).await;
    for api in ["/api/nope", "/v1/models", "/api/auth/nope"] {
        let answer = c.check(path, "get", client().get(c.url(api)), 404).await;
        assert_eq!(answer.body["error"]["code"], "not_found");
    }
    c.check(path, "post", client().post(c.url("/api/nope/chats")), 404)
        .await;
    c.check(path, "put", client().put(c.url("/api/auth/me/x")), 404)
        .await;
    c.check(path, "patch", client().patch(c.url("/v1/chat")), 404)
        .await;
    c.check(path, "delete", client().delete(c.url("/api/x")), 404)
        .await;
    c.check(path, "post", client().post(c.url("/index.html")), 405)
        .await;
    c.check(path, "put", client().put(c.url("/")), 405).await;
    c.check(path, "patch", client().patch(c.url("/favicon.svg")), 405)
        .await;
    c.check(path, "delete", client().delete(c.url("/chats")), 405)
        .await;
    c.assert_covered(STATIC);
}

#[test]
fn the_schemas_refuse_what_the_document_does_not_allow() {
    let doc = document();
    let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let valid = |name: &str, value: Value| validator(&doc, &schema(name)).is_valid(&value);
    assert!(valid(
        "Error",
        json!({"error": {"code": "not_found", "message": "no"}})
    ));
    assert!(!valid("Error", json!({"error": {"code": "not_found"}})));
    assert!(!valid(
        "Error",
        json!({"error": {"code": "x", "message": "y", "extra": 1}})
    ));
    let user = json!({
        "id": Uuid::new_v4(), "email": "a@example.com", "display_name": "A", "is_admin": false,
        "is_active": true, "created_at": "2026-11-27T10:15:00Z", "last_login_at": null,
        "must_change_password": false,
    });
    assert!(valid("User", user.clone()));
    let mut stale = user.clone();
    stale["created_at"] = json!("yesterday");
    assert!(!valid("User", stale));
    let mut bad_id = user.clone();
    bad_id["id"] = json!("42");
    assert!(!valid("User", bad_id));
    let mut extra = user;
    extra["password_hash"] = json!("x");
    assert!(!valid("User", extra));
    assert!(!valid(
        "UnauthenticatedError",
        json!({"error": {"code": "unauthenticated", "message": "no"}})
    ));
    let chat = json!({
        "id": Uuid::new_v4(), "title": null, "model": null, "temperature": 0.7,
        "created_at": "2026-11-27T10:15:00Z", "updated_at": "2026-11-27T10:15:00Z",
        "assistant": null, "collection_ids": [],
    });
    assert!(valid("ChatSummary", chat.clone()));
    let mut no_collections = chat.clone();
    no_collections
        .as_object_mut()
        .unwrap()
        .remove("collection_ids");
    assert!(!valid("ChatSummary", no_collections));
    let mut with_assistant = chat.clone();
    with_assistant["assistant"] = json!({"id": Uuid::new_v4(), "name": "Jurist", "icon": "scale"});
    assert!(valid("ChatSummary", with_assistant.clone()));
    with_assistant["assistant"]["icon"] = json!("rocket");
    assert!(!valid("ChatSummary", with_assistant));
    let mut detail = chat.clone();
    detail["messages"] = json!([]);
    assert!(valid("ChatDetail", detail.clone()));
    assert!(!valid("ChatSummary", detail.clone()));
    detail["owner"] = json!("someone");
    assert!(!valid("ChatDetail", detail));
    let mut hot = chat;
    hot["temperature"] = json!(2.5);
    assert!(!valid("ChatSummary", hot));
    assert!(!valid("Money", json!({"amount": 0.5, "currency": "USD"})));
    assert!(!valid("UpdateChat", json!({})));
    let eleven: Vec<Uuid> = (0..11).map(|_| Uuid::new_v4()).collect();
    assert!(!valid("UpdateChat", json!({"collection_ids": eleven})));
    assert!(!valid(
        "SendMessage",
        json!({"content": "x", "file_ids": eleven})
    ));
    let source = json!({
        "index": 1, "file_id": Uuid::new_v4(), "file_name": "a.pdf", "collection_id": null,
        "page": 3, "heading_path": ["Kapitel"], "ordinal": 0, "snippet": "Text", "score": 0.03,
    });
    assert!(valid("SourcesEvent", json!({"sources": [source.clone()]})));
    assert!(!valid("SourcesEvent", json!({"sources": []})));
    let mut unnumbered = source;
    unnumbered["index"] = json!(0);
    assert!(!valid("MessageSource", unnumbered));
}
