//! Outbound HTTP: `allowed_outbound_hosts` (here through a `{{ variable }}` template) decides.

use crate::helpers::{encode, get_json, main_app};

#[tokio::test]
async fn allowed_host_is_reached() {
    let main = main_app();
    let target = main.upstream.url("/allowed/path?q=1");
    let reply = get_json(
        &main
            .app
            .url(&format!("/conf/outbound?url={}", encode(&target))),
    )
    .await;
    assert_eq!(reply["status"], 200, "{reply}");
    assert_eq!(
        reply["body"],
        main.upstream.expected_body("/allowed/path?q=1"),
        "{reply}"
    );
    assert!(
        main.upstream
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /allowed/path?q=1 ")),
        "{:?}",
        main.upstream.requests()
    );
}

#[tokio::test]
async fn denied_hosts_are_an_error_and_never_contacted() {
    let main = main_app();
    let port = main.upstream.addr().port();
    let denied = [
        // Another port on the same host.
        main.denied.url("/never"),
        // The allowed port under another host name.
        format!("http://localhost:{port}/never"),
        // Another scheme.
        format!("https://127.0.0.1:{port}/never"),
    ];
    for target in denied {
        let reply = get_json(
            &main
                .app
                .url(&format!("/conf/outbound?url={}", encode(&target))),
        )
        .await;
        let error = reply["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{target}: expected an error, got {reply}"));
        assert!(error.contains("HttpRequestDenied"), "{target}: {error}");
    }
    assert!(
        main.denied.requests().is_empty(),
        "{:?}",
        main.denied.requests()
    );
    assert!(
        !main
            .upstream
            .requests()
            .iter()
            .any(|r| r.contains("/never")),
        "{:?}",
        main.upstream.requests()
    );
}
