//! Outbound HTTP: `allowed_outbound_hosts` (here through a `{{ variable }}` template) decides.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{AppOptions, encode, get_json, main_app, spawn_app};

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

/// A keep-alive HTTP/1.1 server that answers every request with the number of the connection it
/// came on (`connection <n>`, from 0); returns its port and the count of accepted connections.
async fn keep_alive_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                loop {
                    // The request head (GETs: no body).
                    let mut line = String::new();
                    loop {
                        line.clear();
                        match stream.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => break,
                            Ok(_) => {}
                        }
                    }
                    let body = format!("connection {n}");
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream
                        .get_mut()
                        .write_all(response.as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (port, accepted)
}

/// Three sequential outbound requests from the component to one keep-alive server, through a
/// runner started with `args`: the connection each was served on, and the connections accepted.
async fn three_outbound_requests(args: &[&str]) -> (Vec<String>, usize) {
    let (port, accepted) = keep_alive_server().await;
    let app = spawn_app(
        AppOptions::new(
            r#"
spin_manifest_version = 2
[application]
name = "pooling"
[variables]
port = { required = true }
[[trigger.http]]
route = "/conf/..."
component = "conf"
[component.conf]
source = "${wasm:hub_conformance}"
allowed_outbound_hosts = ["http://127.0.0.1:{{ port }}"]
"#,
        )
        .variable("port", port.to_string())
        .args(args.iter().copied()),
    );
    let target = format!("http://127.0.0.1:{port}/pooled");
    let mut served = Vec::new();
    for _ in 0..3 {
        let reply = get_json(&app.url(&format!("/conf/outbound?url={}", encode(&target)))).await;
        assert_eq!(reply["status"], 200, "{reply}");
        served.push(reply["body"].as_str().unwrap_or_default().to_owned());
    }
    (served, accepted.load(Ordering::SeqCst))
}

#[tokio::test]
async fn outbound_connections_are_pooled() {
    let (served, accepted) = three_outbound_requests(&[]).await;
    assert_eq!(served, ["connection 0"; 3]);
    assert_eq!(accepted, 1, "one connection for all three requests");
}

#[tokio::test]
async fn outbound_pooling_can_be_disabled() {
    let (served, accepted) = three_outbound_requests(&["--no-outbound-pooling"]).await;
    assert_eq!(served, ["connection 0", "connection 1", "connection 2"]);
    assert_eq!(accepted, 3);
}
