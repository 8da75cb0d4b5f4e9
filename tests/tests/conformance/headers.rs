//! The headers Spin adds to every request a component receives.

use std::net::SocketAddr;

use crate::helpers::main_app;

async fn headers_for(path: &str, extra: &[(&str, &str)]) -> serde_json::Value {
    let main = main_app();
    let mut request = hub_tests::client().get(main.app.url(path));
    for (k, v) in extra {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn wildcard_route_headers_are_spins() {
    let main = main_app();
    let body = headers_for("/conf/headers?x=1&y=two%20words", &[]).await;
    let h = &body["headers"];
    let base = &main.app.base_url;
    assert_eq!(
        h["spin-full-url"],
        format!("{base}/conf/headers?x=1&y=two%20words"),
        "{h}"
    );
    assert_eq!(h["spin-path-info"], "/headers", "{h}");
    assert_eq!(h["spin-matched-route"], "/conf/...", "{h}");
    assert_eq!(h["spin-raw-component-route"], "/conf/...", "{h}");
    assert_eq!(h["spin-component-route"], "/conf", "{h}");
    assert_eq!(h["spin-base-path"], "/", "{h}");
    let client: SocketAddr = h["spin-client-addr"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|e| panic!("spin-client-addr is not ip:port ({e}): {h}"));
    assert!(client.ip().is_loopback() && client.port() != 0, "{h}");
    assert_eq!(body["method"], "GET");
    assert_eq!(body["path_with_query"], "/conf/headers?x=1&y=two%20words");
}

#[tokio::test]
async fn exact_and_param_route_headers_are_spins() {
    let body = headers_for("/prec/items/special", &[]).await;
    let h = &body["headers"];
    assert_eq!(h["spin-matched-route"], "/prec/items/special", "{h}");
    assert_eq!(h["spin-raw-component-route"], "/prec/items/special", "{h}");
    assert_eq!(h["spin-component-route"], "/prec/items/special", "{h}");
    assert_eq!(h["spin-path-info"], "", "{h}");

    let body = headers_for("/prec/items/7", &[]).await;
    let h = &body["headers"];
    assert_eq!(h["spin-matched-route"], "/prec/items/:id", "{h}");
    assert_eq!(h["spin-component-route"], "/prec/items/:id", "{h}");
    assert_eq!(h["spin-path-match-id"], "7", "{h}");
}

#[tokio::test]
async fn clients_cannot_forge_spin_headers() {
    let forged = [
        ("spin-path-info", "/forged"),
        ("spin-full-url", "http://evil.example/"),
        ("spin-matched-route", "/forged/..."),
        ("spin-component-route", "/forged"),
        ("spin-raw-component-route", "/forged/..."),
        ("spin-base-path", "/forged"),
        ("spin-client-addr", "6.6.6.6:6"),
    ];
    let body = headers_for("/conf/headers", &forged).await;
    let h = &body["headers"];
    for (name, value) in forged {
        assert_ne!(h[name], value, "{name} was taken from the client: {h}");
        assert!(
            !h[name].as_str().unwrap_or_default().contains(value),
            "{name} kept the forged value: {h}"
        );
    }
    assert_eq!(h["spin-path-info"], "/headers", "{h}");
}

#[tokio::test]
async fn full_url_follows_the_host_header() {
    let body = headers_for("/conf/headers?a=b", &[("host", "app.example.test:8443")]).await;
    assert_eq!(
        body["headers"]["spin-full-url"], "http://app.example.test:8443/conf/headers?a=b",
        "{body}"
    );
}

#[tokio::test]
async fn client_headers_reach_the_component() {
    let body = headers_for(
        "/conf/headers",
        &[("x-custom", "abc"), ("accept", "text/plain")],
    )
    .await;
    assert_eq!(body["headers"]["x-custom"], "abc", "{body}");
    assert_eq!(body["headers"]["accept"], "text/plain", "{body}");
}
