//! Spin's routing: precedence, parameters, private routes and unknown routes.

use crate::helpers::{get, get_json, main_app};

/// The route that answered `path`, and the whole header map.
async fn matched(path: &str) -> (String, serde_json::Value) {
    let body = get_json(&main_app().app.url(path)).await;
    let headers = body["headers"].clone();
    let route = headers["spin-matched-route"]
        .as_str()
        .unwrap_or_else(|| panic!("no spin-matched-route for {path}: {body}"))
        .to_owned();
    (route, headers)
}

#[tokio::test]
async fn exact_beats_param_beats_wildcard_and_longest_prefix_wins() {
    let cases = [
        ("/prec/items/special", "/prec/items/special"),
        ("/prec/items/42", "/prec/items/:id"),
        ("/prec/items/42/more", "/prec/items/..."),
        ("/prec/items", "/prec/items/..."),
        ("/prec/items/", "/prec/items/..."),
        ("/prec/other", "/prec/..."),
        ("/prec", "/prec/..."),
        ("/prec/exact", "/prec/exact"),
        // An exact route does not match below itself; the shorter wildcard takes it.
        ("/prec/exact/below", "/prec/..."),
        // A param matches one segment only.
        ("/prec/users/ann/posts/7", "/prec/users/:user/posts/:post"),
        ("/prec/users/ann/posts/7/x", "/prec/..."),
    ];
    let mut wrong = Vec::new();
    for (path, expected) in cases {
        let (route, _) = matched(path).await;
        if route != expected {
            wrong.push(format!("{path}: matched {route}, expected {expected}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "routing differs from Spin's:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn params_and_wildcard_tail_are_passed_in_headers() {
    let (_, h) = matched("/prec/users/ann/posts/7").await;
    assert_eq!(h["spin-path-match-user"], "ann", "{h}");
    assert_eq!(h["spin-path-match-post"], "7", "{h}");
    assert_eq!(h["spin-path-info"], "", "{h}");

    let (_, h) = matched("/prec/items/42").await;
    assert_eq!(h["spin-path-match-id"], "42", "{h}");

    let (_, h) = matched("/prec/items/a/b/").await;
    assert_eq!(h["spin-path-info"], "/a/b/", "{h}");
    assert!(h.get("spin-path-match-id").is_none(), "{h}");

    let (_, h) = matched("/prec/items").await;
    assert_eq!(h["spin-path-info"], "", "{h}");
}

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let main = main_app();
    for path in ["/", "/nope", "/conference", "/pre"] {
        let reply = get(&main.app.url(path)).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert!(
            reply.content_type.starts_with("application/json"),
            "{path}: {}",
            reply.content_type
        );
        let body = reply.json();
        assert_eq!(body["error"]["code"], "not_found", "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn private_component_is_unreachable_from_outside() {
    let main = main_app();
    // No public route leads to `backend`: neither its name as a path ...
    for path in ["/backend", "/backend/headers"] {
        let reply = get(&main.app.url(path)).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    }
    // ... nor its service-chaining host name.
    let reply = hub_tests::client()
        .get(main.app.url("/headers"))
        .header("host", "backend.spin.internal")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 404);
}

#[tokio::test]
async fn private_component_is_reachable_through_service_chaining() {
    let main = main_app();
    let reply = get_json(
        &main
            .app
            .url("/conf/chain?target=backend&path=/some/where/headers"),
    )
    .await;
    assert_eq!(reply["status"], 200, "{reply}");
    let inner: serde_json::Value = serde_json::from_str(reply["body"].as_str().unwrap()).unwrap();
    assert_eq!(inner["path_with_query"], "/some/where/headers", "{inner}");
    assert_eq!(
        inner["headers"]["spin-path-info"], "/some/where/headers",
        "{inner}"
    );
    assert_eq!(
        inner["headers"]["spin-full-url"], "http://backend.spin.internal/some/where/headers",
        "{inner}"
    );

    // A component that does not exist is an error for the caller, not a crash.
    let reply = get_json(&main.app.url("/conf/chain?target=ghost")).await;
    assert!(reply["error"].is_string(), "{reply}");
    // And the caller keeps serving.
    get_json(&main.app.url("/conf/headers")).await;
}

#[tokio::test]
async fn service_chaining_needs_allowed_outbound_hosts() {
    // The limits app's component has no `allowed_outbound_hosts` at all.
    let app = crate::helpers::limits_app();
    let reply = get_json(&app.url("/chain?target=conf&path=/headers")).await;
    let error = reply["error"]
        .as_str()
        .unwrap_or_else(|| panic!("chaining was allowed: {reply}"));
    assert!(error.contains("HttpRequestDenied"), "{error}");
}
