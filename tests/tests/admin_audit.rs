//! The audit log for admins (`/api/admin/audit`, `.csv`, `/verify`) and its hash chain, through
//! the real app: admin-only, filters and keyset pages, the CSV export, a chain that holds under
//! concurrent writers and breaks at the right seq when a row is changed, deleted, reordered or
//! cut from the end — as the verify route and `hub audit verify` both report — and PostgreSQL's
//! hash (the migration's backfill) agreeing with the Rust one.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use hub_tests::{Hub, cli_binary, send_raw};
use reqwest::Method;
use serde_json::{Value, json};

/// `GET /api/admin/audit?<query>`: the page.
async fn page(hub: &Hub, token: &str, query: &str) -> Value {
    hub.get(&format!("/api/admin/audit?{query}"), token)
        .await
        .expect(200)
}

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

fn seqs(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect()
}

/// The verify route's report.
async fn verify(hub: &Hub, token: &str) -> Value {
    hub.get("/api/admin/audit/verify", token).await.expect(200)
}

/// `hub audit verify` on the hub's database: (exit code, stdout).
fn cli_verify(hub: &Hub) -> (i32, String) {
    let out = Command::new(cli_binary())
        .args(["audit", "verify"])
        .env("SPIN_VARIABLE_DB_URL", hub.db.url())
        .output()
        .expect("running hub audit verify");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Asserts that both the route and the CLI report the chain broken at `seq` with `problem`.
async fn assert_broken(hub: &Hub, token: &str, seq: i64, problem: &str) {
    let report = verify(hub, token).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["broken"]["seq"], seq, "{report}");
    assert_eq!(report["broken"]["problem"], problem, "{report}");
    assert_eq!(report["checked"], seq - 1, "{report}");
    let (code, out) = cli_verify(hub);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.starts_with(&format!("audit chain BROKEN at seq {seq} ({problem})")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_audit_route_is_admin_only() {
    let hub = Hub::spawn(|o| o).await;
    let user = hub.user("user@example.com").await;
    for path in [
        "/api/admin/audit",
        "/api/admin/audit.csv",
        "/api/admin/audit/verify",
    ] {
        let anonymous = send_raw(hub.request(Method::GET, path)).await;
        anonymous.assert_error(401, "unauthenticated");
        hub.get(path, "not-a-token")
            .await
            .assert_error(401, "unauthenticated");
        hub.get(path, &user).await.assert_error(403, "forbidden");
    }
    let (token, _) = hub.admin("boss@example.com").await;
    for path in [
        "/api/admin/audit",
        "/api/admin/audit.csv",
        "/api/admin/audit/verify",
    ] {
        let answer = send_raw(hub.request(Method::GET, path).bearer_auth(&token)).await;
        assert_eq!(answer.status, 200, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_filters_pages_newest_first_and_refuses_bad_input() {
    let hub = Hub::spawn(|o| o).await;
    let (token, admin_id) = hub.admin("boss@example.com").await;
    let user = hub.user("user@example.com").await;
    let chat = hub.chat(&user, json!({})).await;
    hub.login("user@example.com", "wrong password").await;
    hub.login("boss@example.com", hub_tests::TEST_PASSWORD)
        .await;

    // Everything, newest first: the admin's login is the last event.
    let all = page(&hub, &token, "").await;
    let everything = actions(&all);
    assert_eq!(
        everything,
        [
            "auth.login",
            "auth.login_failed",
            "chat.created",
            "auth.register",
            "auth.register"
        ]
    );
    let all_seqs = seqs(&all);
    assert_eq!(all_seqs, [5, 4, 3, 2, 1]);
    assert_eq!(all["next_cursor"], Value::Null);
    let login = &all["items"][0];
    assert_eq!(login["actor_id"], admin_id.as_str());
    assert_eq!(login["actor_email"], "boss@example.com");
    assert_eq!(login["hash"].as_str().unwrap().len(), 64);
    assert!(login["created_at"].as_str().unwrap().ends_with('Z'));

    // Each filter.
    let failed = page(&hub, &token, "action=auth.login_failed").await;
    assert_eq!(actions(&failed), ["auth.login_failed"]);
    assert_eq!(failed["items"][0]["target"], "user@example.com");
    let by_admin = page(&hub, &token, &format!("actor={admin_id}")).await;
    assert_eq!(actions(&by_admin), ["auth.login", "auth.register"]);
    let on_chat = page(&hub, &token, &format!("target={chat}")).await;
    assert_eq!(actions(&on_chat), ["chat.created"]);
    let combined = page(&hub, &token, &format!("action=auth.login&actor={admin_id}")).await;
    assert_eq!(seqs(&combined), [5]);
    // A time range: everything is from today; nothing before 2000 or after 2999.
    assert_eq!(seqs(&page(&hub, &token, "from=2000-01-01").await).len(), 5);
    assert!(seqs(&page(&hub, &token, "until=2000-01-01T00:00:00Z").await).is_empty());
    assert!(seqs(&page(&hub, &token, "from=2999-01-01&until=2999-01-02").await).is_empty());

    // Keyset pages of 2 cover everything once, in order.
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let p = page(&hub, &token, &query).await;
        seen.extend(seqs(&p));
        match p["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, all_seqs);

    // Bad input: 400 naming the field, never a 500.
    for (query, field) in [
        ("action=auth.exploded", "action"),
        ("actor=not-a-uuid", "actor"),
        ("target=a%01b", "target"),
        ("from=yesterday", "from"),
        ("until=2026-13-01", "until"),
        ("from=2026-12-02&until=2026-12-01", "until"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=s0", "cursor"),
        ("cursor=bogus", "cursor"),
    ] {
        let answer = hub.get(&format!("/api/admin/audit?{query}"), &token).await;
        answer.assert_error(400, "invalid_input");
        assert_eq!(answer.body["error"]["details"]["field"], field, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_export_has_the_same_filters_and_neutralises_formulas() {
    let hub = Hub::spawn(|o| o).await;
    let (token, _) = hub.admin("boss@example.com").await;
    // A user agent that a spreadsheet would run as a formula.
    let agent = "=HYPERLINK(\"http://evil.example\",\"x\")";
    send_raw(
        hub.request(Method::POST, "/api/auth/login")
            .header("user-agent", agent)
            .json(&json!({"email": "nobody@example.com", "password": "wrong password"})),
    )
    .await;

    let answer = send_raw(
        hub.request(Method::GET, "/api/admin/audit.csv?action=auth.login_failed")
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        answer
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(answer.header("x-next-cursor"), None);
    let text = String::from_utf8(answer.bytes.clone()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "seq,id,created_at,action,actor_id,actor_email,target,client_addr,user_agent,details,hash"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[1].contains(",auth.login_failed,,,nobody@example.com,"),
        "{text}"
    );
    assert!(
        lines[1].contains(r#","'=HYPERLINK(""http://evil.example"",""x"")","#),
        "{text}"
    );

    // Paging the export: one row, then the cursor for the rest.
    let first = send_raw(
        hub.request(Method::GET, "/api/admin/audit.csv?limit=1")
            .bearer_auth(&token),
    )
    .await;
    let cursor = first.header("x-next-cursor").unwrap().to_owned();
    let rest = send_raw(
        hub.request(
            Method::GET,
            &format!("/api/admin/audit.csv?limit=1&cursor={cursor}"),
        )
        .bearer_auth(&token),
    )
    .await;
    let rest = String::from_utf8(rest.bytes).unwrap();
    assert!(rest.contains(",auth.register,"), "{rest}");
    hub.get("/api/admin/audit.csv?action=nope", &token)
        .await
        .assert_error(400, "invalid_input");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chain_holds_after_concurrent_writers() {
    let hub = Hub::spawn(|o| o).await;
    let (token, _) = hub.admin("boss@example.com").await;
    let user = hub.user("user@example.com").await;
    // 40 requests at once, each writing an audit row.
    let writers = (0..40).map(|i| {
        let (hub, user) = (&hub, &user);
        async move { hub.chat(user, json!({"title": format!("chat {i}")})).await }
    });
    futures::future::join_all(writers).await;

    let rows: i64 = hub.scalar("SELECT count(*) FROM audit_logs").await;
    assert_eq!(rows, 42);
    // seq is 1..=n without gaps or duplicates, and the head is the last row.
    assert_eq!(
        hub.scalar::<i64>("SELECT max(seq) FROM audit_logs").await,
        rows
    );
    assert_eq!(
        hub.scalar::<i64>("SELECT seq FROM audit_chain_head").await,
        rows
    );
    let report = verify(&hub, &token).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["checked"], rows);
    assert_eq!(report["head_seq"], rows);
    assert_eq!(report["broken"], Value::Null);
    let (code, out) = cli_verify(&hub);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with(&format!(
            "audit chain ok: {rows} rows checked; head seq {rows} hash {}",
            report["head_hash"].as_str().unwrap()
        )),
        "{out}"
    );

    // PostgreSQL's hash (what the migration chained the older rows with) is the Rust one.
    let disagreeing: i64 = hub
        .scalar(
            "SELECT count(*) FROM audit_logs WHERE hash <> audit_row_hash(seq, id, actor_id, \
             action, target, client_addr, user_agent, details, created_at, prev_hash)",
        )
        .await;
    assert_eq!(disagreeing, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_deleted_reordered_or_cut_row_is_found_at_its_seq() {
    let hub = Hub::spawn(|o| o).await;
    let (token, _) = hub.admin("boss@example.com").await;
    let user = hub.user("user@example.com").await;
    for i in 0..4 {
        hub.chat(&user, json!({"title": format!("chat {i}")})).await;
    }
    // seq 1, 2: registrations; 3..=6: chats.
    assert_eq!(verify(&hub, &token).await["checked"], 6);
    hub.execute("CREATE TABLE saved AS SELECT * FROM audit_logs")
        .await;
    let restore = "DELETE FROM audit_logs; INSERT INTO audit_logs SELECT * FROM saved; \
                   UPDATE audit_chain_head SET seq = 6, hash = (SELECT hash FROM saved WHERE seq = 6)";

    // A changed detail.
    hub.execute("UPDATE audit_logs SET details = '{\"model\": \"forged\"}' WHERE seq = 4")
        .await;
    assert_broken(&hub, &token, 4, "hash_mismatch").await;
    hub.execute(restore).await;
    assert_eq!(verify(&hub, &token).await["ok"], true);

    // A changed time, actor or action is as visible.
    hub.execute("UPDATE audit_logs SET created_at = created_at - interval '1 day' WHERE seq = 2")
        .await;
    assert_broken(&hub, &token, 2, "hash_mismatch").await;
    hub.execute(restore).await;

    // A deleted row.
    hub.execute("DELETE FROM audit_logs WHERE seq = 3").await;
    assert_broken(&hub, &token, 3, "missing").await;
    hub.execute(restore).await;

    // A deleted row with the later ones renumbered.
    hub.execute(
        "DELETE FROM audit_logs WHERE seq = 3; \
         UPDATE audit_logs SET seq = seq - 1 WHERE seq > 3",
    )
    .await;
    assert_broken(&hub, &token, 3, "prev_hash_mismatch").await;
    hub.execute(restore).await;

    // Two rows swapped.
    hub.execute(
        "UPDATE audit_logs SET seq = 100 WHERE seq = 4; \
         UPDATE audit_logs SET seq = 4 WHERE seq = 5; \
         UPDATE audit_logs SET seq = 5 WHERE seq = 100",
    )
    .await;
    assert_broken(&hub, &token, 4, "prev_hash_mismatch").await;
    hub.execute(restore).await;

    // The last row removed: the head still names it.
    hub.execute("DELETE FROM audit_logs WHERE seq = 6").await;
    assert_broken(&hub, &token, 6, "head_mismatch").await;
    hub.execute(restore).await;

    // Restored, the chain holds and goes on.
    hub.chat(&user, json!({})).await;
    let report = verify(&hub, &token).await;
    assert_eq!(
        (report["ok"].clone(), report["checked"].clone()),
        (json!(true), json!(7))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_chain_head_never_fails_the_request() {
    let hub = Hub::spawn(|o| o).await;
    let user = hub.user("user@example.com").await;
    hub.execute("DELETE FROM audit_chain_head").await;
    let answer = hub.post("/api/chats", &user, json!({})).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    hub.app
        .logged(
            "audit: could not record chat.created",
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        hub.scalar::<i64>("SELECT count(*) FROM audit_logs").await,
        1
    );
}
