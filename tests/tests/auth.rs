//! Accounts and tokens through the real app (`spin.toml`, the `auth` component, real PostgreSQL):
//! register, login, refresh, logout, `/me`, sessions; and everything a client may get wrong or
//! try on purpose: forged and stale tokens, replayed refresh tokens, brute force, malformed and
//! oversized bodies, SQL metacharacters, Unicode. Each case checks the documented JSON error and
//! that nothing changed that should not have.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hub_auth::{AUDIENCE, ISSUER};
use hub_tests::{Hub, TEST_JWT_SECRET, TEST_PASSWORD, send};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn claims(user: Uuid, session: Uuid, now: i64) -> Value {
    json!({
        "sub": user, "adm": false, "sid": session, "iss": ISSUER, "aud": AUDIENCE,
        "typ": "access", "iat": now, "nbf": now, "exp": now + 1800, "jti": Uuid::new_v4(),
    })
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// `header.claims.signature`, the signature an HMAC-SHA256 with `secret` whatever the header says.
fn forge(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = jsonwebtoken::EncodingKey::from_secret(secret);
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap();
    format!("{input}.{signature}")
}

/// The `sub` and `sid` of an access token (read without verification).
fn subject(access_token: &str) -> (Uuid, Uuid) {
    let payload = access_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (
        claims["sub"].as_str().unwrap().parse().unwrap(),
        claims["sid"].as_str().unwrap().parse().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn register_login_refresh_logout() {
    let hub = Hub::spawn(|o| o).await;

    // Register: 201, logged in at once.
    let registered = hub.register("ada@example.com", TEST_PASSWORD).await;
    assert_eq!(registered.status, 201, "{:?}", registered.body);
    assert_eq!(registered.body["token_type"], "Bearer");
    assert_eq!(registered.body["expires_in"], 1800);
    assert_eq!(registered.body["refresh_expires_in"], 7 * 24 * 3600);
    let user = &registered.body["user"];
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["display_name"], "ada");
    assert_eq!(user["is_admin"], false);
    assert_eq!(user["is_active"], true);
    assert!(
        user["created_at"].as_str().unwrap().ends_with('Z'),
        "{user}"
    );
    assert_eq!(registered.header("cache-control"), Some("no-store"));
    let first_refresh = registered.token("refresh_token");
    assert_eq!(first_refresh.len(), 43);

    // The stored password is an Argon2id hash; the refresh token only a hash.
    let hash: String = hub.scalar("SELECT password_hash FROM app_users").await;
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM refresh_tokens WHERE length(token_hash) = 32")
            .await,
        1
    );

    // /me with the access token.
    let me = hub
        .get("/api/auth/me", &registered.token("access_token"))
        .await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["email"], "ada@example.com");

    // Login: a second session.
    let logged_in = hub.login("ada@example.com", TEST_PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{:?}", logged_in.body);
    assert!(logged_in.body["user"]["last_login_at"].is_string());
    let access = logged_in.token("access_token");
    let sessions = hub.get("/api/auth/sessions", &access).await;
    assert_eq!(sessions.status, 200, "{:?}", sessions.body);
    let items = sessions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);

    // Refresh: new tokens, the old refresh token spent.
    let refreshed = hub.refresh(&logged_in.token("refresh_token")).await;
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    let second_refresh = refreshed.token("refresh_token");
    assert_ne!(second_refresh, logged_in.token("refresh_token"));
    let me = hub
        .get("/api/auth/me", &refreshed.token("access_token"))
        .await;
    assert_eq!(me.status, 200);

    // Logout: 204; the refresh token and the session's access tokens stop working at once.
    let out = hub.logout(&second_refresh).await;
    assert_eq!(out.status, 204);
    hub.refresh(&second_refresh)
        .await
        .assert_error(401, "invalid_refresh_token");
    let me = hub
        .get("/api/auth/me", &refreshed.token("access_token"))
        .await;
    me.assert_error(401, "unauthenticated");
    assert_eq!(me.header("www-authenticate"), Some("Bearer"));
    // The other session (from registration) is untouched.
    assert_eq!(hub.refresh(&first_refresh).await.status, 200);
    // Logout with an unknown token says nothing either way.
    let out = hub.logout("nope").await;
    assert_eq!(out.status, 204);

    let actions = hub.audit_actions().await;
    for expected in ["auth.register", "auth.login", "auth.logout"] {
        assert!(actions.iter().any(|a| a == expected), "{actions:?}");
    }
    let text = hub.audit_text().await;
    for secret in [TEST_PASSWORD, &first_refresh, &second_refresh, &access] {
        assert!(
            !text.contains(secret),
            "a secret is in the audit log: {text}"
        );
    }
    assert!(!hub.app.log().contains(TEST_PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let hub = Hub::spawn(|o| o).await;
    let first = hub.new_user("eve@example.com").await;
    let spent = first.token("refresh_token");
    let rotated = hub.refresh(&spent).await;
    assert_eq!(rotated.status, 200);
    let live = rotated.token("refresh_token");
    let access = rotated.token("access_token");
    assert_eq!(hub.get("/api/auth/me", &access).await.status, 200);

    // An attacker replays the spent token: refused, and the family ends.
    hub.refresh(&spent)
        .await
        .assert_error(401, "invalid_refresh_token");
    hub.refresh(&live)
        .await
        .assert_error(401, "invalid_refresh_token");
    hub.get("/api/auth/me", &access)
        .await
        .assert_error(401, "unauthenticated");
    assert_eq!(
        hub.scalar::<i64>(
            "SELECT count(*) FROM auth_sessions WHERE revoked_reason = 'reuse_detected'"
        )
        .await,
        1
    );
    assert!(
        hub.audit_actions()
            .await
            .contains(&"auth.refresh_reuse_detected".to_owned())
    );
    // A new login still works.
    let again = hub.login("eve@example.com", TEST_PASSWORD).await;
    assert_eq!(again.status, 200);

    // An expired refresh token is refused, without ending its session.
    hub.execute("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE rotated_at IS NULL").await;
    hub.refresh(&again.token("refresh_token"))
        .await
        .assert_error(401, "invalid_refresh_token");
    assert_eq!(
        hub.get("/api/auth/me", &again.token("access_token"))
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_refreshes_with_one_token_rotate_it_at_most_once() {
    let hub = Hub::spawn(|o| o).await;
    let token = hub
        .new_user("race@example.com")
        .await
        .token("refresh_token");
    let answers = futures::future::join_all((0..4).map(|_| hub.refresh(&token))).await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    assert!(ok <= 1, "{answers:?}");
    for a in answers.iter().filter(|a| a.status != 200) {
        a.assert_error(401, "invalid_refresh_token");
    }
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM refresh_tokens")
            .await,
        1 + i64::try_from(ok).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deactivated_user_is_refused_on_the_next_request() {
    let hub = Hub::spawn(|o| o).await;
    let session = hub.new_user("mallory@example.com").await;
    let access = session.token("access_token");
    assert_eq!(hub.get("/api/auth/me", &access).await.status, 200);

    hub.execute("UPDATE app_users SET is_active = false").await;
    let me = hub.get("/api/auth/me", &access).await;
    me.assert_error(401, "unauthenticated");
    assert_eq!(me.body["error"]["details"]["reason"], "session_ended");
    hub.refresh(&session.token("refresh_token"))
        .await
        .assert_error(401, "invalid_refresh_token");
    // The right password of a disabled account gets the same answer as a wrong one.
    hub.login("mallory@example.com", TEST_PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_stale_and_malformed_access_tokens_are_refused() {
    let hub = Hub::spawn(|o| o).await;
    let session = hub.new_user("tok@example.com").await;
    let (user, sid) = subject(&session.token("access_token"));
    let now = now();
    let secret = TEST_JWT_SECRET.as_bytes();
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let with = |key: &str, value: Value| {
        let mut c = claims(user, sid, now);
        c[key] = value;
        c
    };
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims(user, sid, now).to_string())
    );
    let valid = forge(&hs256, &claims(user, sid, now), secret);
    let mut tampered: Vec<String> = valid.split('.').map(str::to_owned).collect();
    tampered[1] = URL_SAFE_NO_PAD.encode(with("adm", json!(true)).to_string());
    let tampered = tampered.join(".");
    let cases: Vec<(&str, String)> = vec![
        ("alg none", unsigned),
        (
            "RS256 header, HMAC with the secret as the public key",
            forge(
                &json!({"alg": "RS256", "typ": "JWT"}),
                &claims(user, sid, now),
                secret,
            ),
        ),
        (
            "HS512 header",
            forge(
                &json!({"alg": "HS512", "typ": "JWT"}),
                &claims(user, sid, now),
                secret,
            ),
        ),
        (
            "another secret",
            forge(
                &hs256,
                &claims(user, sid, now),
                b"another-secret-of-sufficient-length-0123",
            ),
        ),
        (
            "expired",
            forge(&hs256, &with("exp", json!(now - 3600)), secret),
        ),
        (
            "not yet valid",
            forge(&hs256, &with("nbf", json!(now + 3600)), secret),
        ),
        (
            "wrong audience",
            forge(&hs256, &with("aud", json!("other-api")), secret),
        ),
        (
            "wrong issuer",
            forge(&hs256, &with("iss", json!("evil")), secret),
        ),
        (
            "refresh typ",
            forge(&hs256, &with("typ", json!("refresh")), secret),
        ),
        ("tampered claims", tampered),
        ("garbage", "not.a.jwt".to_owned()),
        (
            "valid signature, unknown session",
            forge(&hs256, &claims(user, Uuid::new_v4(), now), secret),
        ),
        (
            "valid signature, unknown user",
            forge(&hs256, &claims(Uuid::new_v4(), sid, now), secret),
        ),
    ];
    assert_eq!(hub.get("/api/auth/me", &valid).await.status, 200);
    for (case, token) in cases {
        let answer = hub.get("/api/auth/me", &token).await;
        assert_eq!(answer.status, 401, "{case}: {:?}", answer.body);
        answer.assert_error(401, "unauthenticated");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"), "{case}");
    }
    // Without a token, or with another scheme.
    let answer = send(hub.request(Method::GET, "/api/auth/me")).await;
    answer.assert_error(401, "unauthenticated");
    assert_eq!(answer.body["error"]["details"]["reason"], "missing");
    let answer = send(
        hub.request(Method::GET, "/api/auth/me")
            .header("authorization", "Basic dXNlcjpwYXNz"),
    )
    .await;
    answer.assert_error(401, "unauthenticated");
    let expired = forge(&hs256, &with("exp", json!(now - 3600)), secret);
    assert_eq!(
        hub.get("/api/auth/me", &expired).await.body["error"]["details"]["reason"],
        "expired"
    );
    // A forged admin claim changes nothing: the admin flag comes from the database.
    let forged_admin = forge(&hs256, &with("adm", json!(true)), secret);
    let answer = hub
        .post(
            "/api/auth/register",
            &forged_admin,
            json!({"email": "x@example.com", "password": TEST_PASSWORD}),
        )
        .await;
    answer.assert_error(403, "forbidden");
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_failures_do_not_reveal_whether_the_email_exists() {
    let hub = Hub::spawn(|o| o).await;
    // One known account per round: each stays within its free failures (3), and the address
    // within its own (10).
    const ROUNDS: usize = 5;
    for i in 0..ROUNDS {
        hub.new_user(&format!("known{i}@example.com")).await;
    }
    let mut unknown_times = Vec::new();
    let mut wrong_times = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..ROUNDS {
        let start = Instant::now();
        let a = hub
            .login(&format!("nobody{i}@example.com"), "wrong password")
            .await;
        unknown_times.push(start.elapsed());
        a.assert_error(401, "invalid_credentials");
        bodies.push(a.body);
        let start = Instant::now();
        let b = hub
            .login(&format!("known{i}@example.com"), "wrong password")
            .await;
        wrong_times.push(start.elapsed());
        b.assert_error(401, "invalid_credentials");
        bodies.push(b.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    unknown_times.sort();
    wrong_times.sort();
    let (unknown, wrong) = (unknown_times[ROUNDS / 2], wrong_times[ROUNDS / 2]);
    // Both verify an Argon2id hash: the unknown email is not answered much faster.
    assert!(
        unknown.as_secs_f64() > wrong.as_secs_f64() * 0.4,
        "unknown email {unknown:?} vs wrong password {wrong:?}"
    );
    let failures = hub
        .scalar::<i64>("SELECT count(*) FROM audit_logs WHERE action = 'auth.login_failed'")
        .await;
    assert_eq!(failures, 2 * i64::try_from(ROUNDS).unwrap());
    assert!(!hub.audit_text().await.contains("wrong password"));
}

#[tokio::test(flavor = "multi_thread")]
async fn brute_force_is_slowed_then_locked() {
    let hub = Hub::spawn(|o| o).await;
    hub.new_user("victim@example.com").await;

    // Three free failures: no block yet.
    for _ in 0..3 {
        hub.login("victim@example.com", "guess guess")
            .await
            .assert_error(401, "invalid_credentials");
    }
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM login_throttle WHERE blocked_until IS NOT NULL")
            .await,
        0
    );
    // With two more failures on record, the next one (the sixth) blocks the account for 4 s.
    hub.execute("UPDATE login_throttle SET failures = 5 WHERE scope = 'account'")
        .await;
    hub.login("victim@example.com", "guess guess")
        .await
        .assert_error(401, "invalid_credentials");
    // Blocked: even the right password is turned away, with Retry-After.
    let blocked = hub.login("victim@example.com", TEST_PASSWORD).await;
    blocked.assert_error(429, "rate_limited");
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=4).contains(&retry), "{retry}");
    // Case and whitespace do not make another account.
    hub.login("  VICTIM@example.com ", TEST_PASSWORD)
        .await
        .assert_error(429, "rate_limited");
    // 4.1 s later for the throttle (its timestamps moved back instead of waiting): the block
    // is over.
    hub.execute(
        "UPDATE login_throttle SET blocked_until = blocked_until - interval '4100 milliseconds', \
         last_failure_at = last_failure_at - interval '4100 milliseconds'",
    )
    .await;
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM login_throttle WHERE blocked_until > now()")
            .await,
        0
    );
    // After the delay, the right password works and clears the account's counter.
    assert_eq!(
        hub.login("victim@example.com", TEST_PASSWORD).await.status,
        200
    );
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM login_throttle WHERE scope = 'account'")
            .await,
        0
    );

    // Nine failures on record: the tenth locks the account for 15 minutes.
    hub.execute(
        "INSERT INTO login_throttle (scope, key, failures, last_failure_at)
             VALUES ('account', 'victim@example.com', 9, now())",
    )
    .await;
    hub.login("victim@example.com", "guess guess")
        .await
        .assert_error(401, "invalid_credentials");
    let locked = hub.login("victim@example.com", TEST_PASSWORD).await;
    locked.assert_error(429, "rate_limited");
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 800, "{retry}");
    assert_eq!(
        locked.body["error"]["details"]["retry_after_seconds"],
        retry
    );
    assert!(
        hub.audit_actions()
            .await
            .contains(&"auth.lockout".to_owned())
    );
    // Another account from the same address is not locked (its address count is low).
    hub.new_user("bystander@example.com").await;
    assert_eq!(
        hub.login("bystander@example.com", TEST_PASSWORD)
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_from_one_address_are_throttled_across_accounts() {
    let hub = Hub::spawn(|o| o).await;
    hub.execute(
        "INSERT INTO login_throttle (scope, key, failures, last_failure_at)
             VALUES ('address', '127.0.0.1', 49, now())",
    )
    .await;
    hub.login("someone@example.com", "guess guess")
        .await
        .assert_error(401, "invalid_credentials");
    let answer = hub.login("someone-else@example.com", "guess guess").await;
    answer.assert_error(429, "rate_limited");
    assert!(answer.header("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn email_case_and_whitespace_are_one_account() {
    let hub = Hub::spawn(|o| o).await;
    let created = hub.new_user("  Alice.Smith@Example.COM\t").await;
    assert_eq!(created.body["user"]["email"], "alice.smith@example.com");
    let again = hub.register("alice.smith@EXAMPLE.com", TEST_PASSWORD).await;
    again.assert_error(409, "email_taken");
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 1);
    assert_eq!(
        hub.login(" ALICE.SMITH@example.com ", TEST_PASSWORD)
            .await
            .status,
        200
    );
    // The password is checked as typed: no trimming.
    hub.login("alice.smith@example.com", &format!(" {TEST_PASSWORD}"))
        .await
        .assert_error(401, "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_bodies_get_the_documented_errors_and_change_nothing() {
    let hub = Hub::spawn(|o| o).await;
    let raw = |path: &str, content_type: &str, body: Vec<u8>| {
        hub.request(Method::POST, path)
            .header("content-type", content_type.to_owned())
            .body(body)
    };
    for path in [
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
    ] {
        send(raw(path, "application/json", b"{,}".to_vec()))
            .await
            .assert_error(400, "invalid_json");
        send(raw(path, "application/json", b"".to_vec()))
            .await
            .assert_error(400, "invalid_json");
        send(raw(path, "text/plain", b"{}".to_vec()))
            .await
            .assert_error(415, "unsupported_media_type");
        send(hub.request(Method::POST, path).body("{}"))
            .await
            .assert_error(415, "unsupported_media_type");
        send(raw(path, "application/json", b"{}".to_vec()))
            .await
            .assert_error(400, "invalid_input");
        send(raw(path, "application/json", b"[1, 2]".to_vec()))
            .await
            .assert_error(400, "invalid_input");
        let big = format!(
            "{{\"email\":\"a@example.com\",\"password\":\"{}\"}}",
            "x".repeat(1024 * 1024)
        );
        send(raw(path, "application/json", big.into_bytes()))
            .await
            .assert_error(413, "payload_too_large");
    }
    let answer = hub
        .post_anonymous("/api/auth/register", json!({"password": TEST_PASSWORD}))
        .await;
    answer.assert_error(400, "invalid_input");
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("email")
    );
    hub.post_anonymous(
        "/api/auth/register",
        json!({"email": "a@example.com", "password": TEST_PASSWORD, "role": "admin"}),
    )
    .await
    .assert_error(400, "invalid_input");
    hub.post_anonymous(
        "/api/auth/register",
        json!({"email": 5, "password": TEST_PASSWORD}),
    )
    .await
    .assert_error(400, "invalid_input");

    let field_errors = [
        (
            json!({"email": "not-an-email", "password": TEST_PASSWORD}),
            "email",
        ),
        (json!({"email": "", "password": TEST_PASSWORD}), "email"),
        (
            json!({"email": "a@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": "x".repeat(129)}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": TEST_PASSWORD, "display_name": "   "}),
            "display_name",
        ),
        (
            json!({"email": "a@example.com", "password": TEST_PASSWORD, "display_name": "n".repeat(101)}),
            "display_name",
        ),
        (
            json!({"email": "a@example.com", "password": TEST_PASSWORD, "display_name": "bell\u{7}"}),
            "display_name",
        ),
    ];
    for (body, field) in field_errors {
        let answer = hub.post_anonymous("/api/auth/register", body.clone()).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field, "{body}");
    }
    hub.post_anonymous(
        "/api/auth/login",
        json!({"email": "' OR '1'='1", "password": "x"}),
    )
    .await
    .assert_error(400, "invalid_input");

    // Methods and routes.
    let answer = send(hub.request(Method::GET, "/api/auth/login")).await;
    answer.assert_error(405, "method_not_allowed");
    assert_eq!(answer.header("allow"), Some("POST"));
    send(hub.request(Method::DELETE, "/api/auth/me"))
        .await
        .assert_error(405, "method_not_allowed");
    send(hub.request(Method::GET, "/api/auth/nothing-here"))
        .await
        .assert_error(404, "not_found");

    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 0);
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM auth_sessions")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_metacharacters_and_unicode_are_just_data() {
    let hub = Hub::spawn(|o| o).await;
    let cases = [
        (
            "o'reilly+test@example.com",
            "x'); DROP TABLE app_users; --\"\\",
            "Robert'); DROP TABLE app_users;--",
        ),
        (
            "a%_*@example.com",
            "%' OR 1=1; --  $1 $$ \\x00",
            "$1::text; SELECT pg_sleep(5)",
        ),
        ("jürgen@exämple.de", "pässwörd🔑🔑🔑", "Zoë 日本 🚀 Ñandú"),
    ];
    for (email, password, name) in cases {
        let answer = hub
            .post_anonymous(
                "/api/auth/register",
                json!({"email": email, "password": password, "display_name": name}),
            )
            .await;
        assert_eq!(answer.status, 201, "{email}: {:?}", answer.body);
        assert_eq!(answer.body["user"]["email"], email.to_lowercase());
        assert_eq!(answer.body["user"]["display_name"], name);
        let logged_in = hub.login(&email.to_uppercase(), password).await;
        assert_eq!(logged_in.status, 200, "{email}: {:?}", logged_in.body);
        let me = hub
            .get("/api/auth/me", &logged_in.token("access_token"))
            .await;
        assert_eq!(me.body["display_name"], name);
        // Wildcards are not patterns: a similar email is not this account.
        if email.contains(['%', '_']) {
            hub.login(&email.replace('%', "x").replace('_', "y"), password)
                .await
                .assert_error(401, "invalid_credentials");
        }
    }
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 3);
    let refresh_with_quotes = hub.refresh("' OR ''='").await;
    refresh_with_quotes.assert_error(401, "invalid_refresh_token");
    let names = hub
        .texts("SELECT display_name FROM app_users ORDER BY created_at")
        .await;
    assert_eq!(names[2], "Zoë 日本 🚀 Ñandú");
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_me_changes_the_name_and_the_password_ending_other_sessions() {
    let hub = Hub::spawn(|o| o).await;
    let here = hub.new_user("pat@example.com").await;
    let elsewhere = hub.login("pat@example.com", TEST_PASSWORD).await;
    let access = here.token("access_token");

    let renamed = hub
        .patch(
            "/api/auth/me",
            &access,
            json!({"display_name": "  Pat Q.  "}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["display_name"], "Pat Q.");

    hub.patch("/api/auth/me", &access, json!({"is_admin": true}))
        .await
        .assert_error(400, "invalid_input");
    hub.patch("/api/auth/me", &access, json!({"email": "new@example.com"}))
        .await
        .assert_error(400, "invalid_input");
    let answer = hub
        .patch(
            "/api/auth/me",
            &access,
            json!({"password": "new password 1"}),
        )
        .await;
    answer.assert_error(400, "invalid_input");
    assert_eq!(answer.body["error"]["details"]["field"], "current_password");
    let answer = hub
        .patch(
            "/api/auth/me",
            &access,
            json!({"password": "new password 1", "current_password": "not it at all"}),
        )
        .await;
    answer.assert_error(403, "invalid_current_password");
    hub.patch(
        "/api/auth/me",
        &access,
        json!({"password": "short", "current_password": TEST_PASSWORD}),
    )
    .await
    .assert_error(400, "invalid_input");
    let answer = send(
        hub.request(Method::PATCH, "/api/auth/me")
            .bearer_auth(&access)
            .header("content-type", "text/plain")
            .body("display_name=x"),
    )
    .await;
    answer.assert_error(415, "unsupported_media_type");
    // Nothing changed so far but the name.
    assert_eq!(
        hub.login("pat@example.com", TEST_PASSWORD).await.status,
        200
    );

    let changed = hub
        .patch(
            "/api/auth/me",
            &access,
            json!({"password": "new password 1", "current_password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    // This session goes on; the other one ended.
    assert_eq!(hub.get("/api/auth/me", &access).await.status, 200);
    assert_eq!(hub.refresh(&here.token("refresh_token")).await.status, 200);
    hub.get("/api/auth/me", &elsewhere.token("access_token"))
        .await
        .assert_error(401, "unauthenticated");
    hub.refresh(&elsewhere.token("refresh_token"))
        .await
        .assert_error(401, "invalid_refresh_token");
    hub.login("pat@example.com", TEST_PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    assert_eq!(
        hub.login("pat@example.com", "new password 1").await.status,
        200
    );
    let actions = hub.audit_actions().await;
    assert!(
        actions.contains(&"auth.password_changed".to_owned()),
        "{actions:?}"
    );
    assert!(!hub.audit_text().await.contains("new password 1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn another_users_session_is_not_found() {
    let hub = Hub::spawn(|o| o).await;
    let alice = hub.new_user("alice@example.com").await;
    let bob = hub.new_user("bob@example.com").await;
    let (_, alice_session) = subject(&alice.token("access_token"));
    let bob_access = bob.token("access_token");

    let path = format!("/api/auth/sessions/{alice_session}");
    let answer = hub.delete(&path, &bob_access).await;
    answer.assert_error(404, "not_found");
    let unknown = format!("/api/auth/sessions/{}", Uuid::new_v4());
    hub.delete(&unknown, &bob_access)
        .await
        .assert_error(404, "not_found");
    hub.delete("/api/auth/sessions/not-a-uuid", &bob_access)
        .await
        .assert_error(404, "not_found");
    // Alice is unaffected; she can end her own session.
    let alice_access = alice.token("access_token");
    assert_eq!(hub.get("/api/auth/me", &alice_access).await.status, 200);
    let listed = hub.get("/api/auth/sessions", &bob_access).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let answer = hub.delete(&path, &alice_access).await;
    assert_eq!(answer.status, 204);
    hub.get("/api/auth/me", &alice_access)
        .await
        .assert_error(401, "unauthenticated");
    assert_eq!(hub.get("/api/auth/me", &bob_access).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_registration_bootstrap_admin_and_admin_created_accounts() {
    let hub = Hub::spawn(|o| {
        o.variable("registration", "closed")
            .variable("bootstrap_admin_email", "Root@Example.com")
            .variable("bootstrap_admin_password", "bootstrap password")
    })
    .await;
    // Nobody can register themself, and the first admin does not come from registering.
    hub.register("first@example.com", TEST_PASSWORD)
        .await
        .assert_error(403, "registration_closed");
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM app_users WHERE email = 'first@example.com'")
            .await,
        0
    );

    let admin = hub.login("root@example.com", "bootstrap password").await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    assert_eq!(admin.body["user"]["is_admin"], true);
    let admin_access = admin.token("access_token");

    // The admin creates an account: 201 with the account, no tokens.
    let created = hub.post(
        "/api/auth/register",
        &admin_access,
        json!({"email": "staff@example.com", "password": TEST_PASSWORD, "display_name": "Staff"}),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["user"]["email"], "staff@example.com");
    assert!(created.body.get("access_token").is_none());
    let staff = hub.login("staff@example.com", TEST_PASSWORD).await;
    assert_eq!(staff.status, 200);
    assert_eq!(staff.body["user"]["is_admin"], false);

    // A non-admin cannot.
    hub.post(
        "/api/auth/register",
        &staff.token("access_token"),
        json!({"email": "other@example.com", "password": TEST_PASSWORD}),
    )
    .await
    .assert_error(403, "forbidden");
    // Only one admin, however often the bootstrap runs.
    assert_eq!(
        hub.login("root@example.com", "bootstrap password")
            .await
            .status,
        200
    );
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM app_users WHERE is_admin")
            .await,
        1
    );
    assert!(
        hub.audit_actions()
            .await
            .contains(&"auth.bootstrap_admin".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn open_registration_cannot_make_admins() {
    let hub = Hub::spawn(|o| o.variable("registration", "open")).await;
    hub.post_anonymous(
        "/api/auth/register",
        json!({"email": "sneaky@example.com", "password": TEST_PASSWORD, "is_admin": true}),
    )
    .await
    .assert_error(403, "forbidden");
    assert_eq!(hub.scalar::<i64>("SELECT count(*) FROM app_users").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_audit_log_never_fails_the_request() {
    let hub = Hub::spawn(|o| o).await;
    hub.execute("ALTER TABLE audit_logs RENAME TO audit_logs_elsewhere")
        .await;
    let registered = hub.new_user("quiet@example.com").await;
    assert_eq!(
        hub.login("quiet@example.com", TEST_PASSWORD).await.status,
        200
    );
    hub.login("quiet@example.com", "wrong password")
        .await
        .assert_error(401, "invalid_credentials");
    let out = hub.logout(&registered.token("refresh_token")).await;
    assert_eq!(out.status, 204);
    hub.app
        .logged("audit: could not record", Duration::from_secs(5))
        .await;
}
