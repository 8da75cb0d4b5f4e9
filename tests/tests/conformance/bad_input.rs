//! Bad input: manifests the runner must refuse at start, and oversize request bodies.

use crate::helpers::{AppOptions, Launch, MAIN_MAX_BODY_MIB, launch, main_app, post};

const VALID: &str = r#"
spin_manifest_version = 2
[application]
name = "bad"
[variables]
api_key = { required = true, secret = true }
[[trigger.http]]
route = "/..."
component = "conf"
[component.conf]
source = "${wasm:hub_conformance}"
allowed_outbound_hosts = ["https://api.example.com"]
[component.conf.variables]
key = "{{ api_key }}"
"#;

/// Starts the runner on `manifest` (with `api_key` set unless `without_api_key`), expects it to
/// exit non-zero, and returns its stderr.
fn refused(manifest: &str, without_api_key: bool) -> String {
    let mut options = AppOptions::new(manifest);
    if !without_api_key {
        options = options.variable("api_key", "k");
    }
    match launch(options) {
        Launch::Ready(app) => panic!(
            "hub-runner started on a bad manifest:\n{manifest}\nlog:\n{}",
            app.stop()
        ),
        Launch::Exited { status, stderr, .. } => {
            assert!(!status.success(), "exited with success: {stderr}");
            stderr
        }
    }
}

fn assert_names(stderr: &str, expected: &[&str]) {
    for e in expected {
        assert!(
            stderr.contains(e),
            "the message does not name {e:?}:\n{stderr}"
        );
    }
}

#[test]
fn the_valid_manifest_starts() {
    // The baseline the malformed ones are derived from must itself be accepted.
    match launch(AppOptions::new(VALID).variable("api_key", "k")) {
        Launch::Ready(app) => drop(app),
        Launch::Exited { stderr, .. } => panic!("the valid manifest was refused:\n{stderr}"),
    }
}

#[test]
fn manifest_that_is_not_toml_is_refused() {
    let stderr = refused(&VALID.replace("[application]", "[application"), false);
    assert_names(&stderr, &["invalid manifest", "spin.toml"]);
}

#[test]
fn manifest_of_another_version_is_refused() {
    let stderr = refused(
        &VALID.replace("spin_manifest_version = 2", "spin_manifest_version = 1"),
        false,
    );
    assert_names(&stderr, &["spin_manifest_version"]);
}

#[test]
fn manifest_with_unknown_key_is_refused() {
    let stderr = refused(
        &VALID.replace("name = \"bad\"", "name = \"bad\"\nbogus_key = 1"),
        false,
    );
    assert_names(&stderr, &["bogus_key"]);
}

#[test]
fn route_to_undefined_component_is_refused() {
    let stderr = refused(
        &VALID.replace("component = \"conf\"", "component = \"ghost\""),
        false,
    );
    assert_names(&stderr, &["ghost"]);
}

#[test]
fn malformed_route_is_refused() {
    let stderr = refused(
        &VALID.replace("route = \"/...\"", "route = \"/a/.../b\""),
        false,
    );
    assert_names(&stderr, &["/a/.../b"]);
}

#[test]
fn missing_required_variable_is_refused() {
    let stderr = refused(VALID, true);
    assert_names(&stderr, &["api_key", "SPIN_VARIABLE_API_KEY"]);
}

#[test]
fn undefined_variable_reference_is_refused() {
    let stderr = refused(&VALID.replace("{{ api_key }}", "{{ apikey }}"), false);
    assert_names(&stderr, &["apikey"]);
}

#[test]
fn malformed_allowed_outbound_host_is_refused() {
    let stderr = refused(
        &VALID.replace("https://api.example.com", "api.example.com"),
        false,
    );
    assert_names(&stderr, &["api.example.com", "scheme"]);
}

#[test]
fn missing_component_source_is_refused() {
    let stderr = refused(
        &VALID.replace("${wasm:hub_conformance}", "${dir}/missing.wasm"),
        false,
    );
    assert_names(&stderr, &["missing.wasm", "does not exist"]);
}

#[test]
fn invalid_component_source_is_refused() {
    let manifest = VALID.replace("${wasm:hub_conformance}", "not-wasm.wasm");
    let options = AppOptions::new(manifest)
        .variable("api_key", "k")
        .file("not-wasm.wasm", "this is not WebAssembly");
    match launch(options) {
        Launch::Ready(app) => panic!("started with a bogus .wasm: {}", app.stop()),
        Launch::Exited { status, stderr, .. } => {
            assert!(!status.success());
            assert_names(&stderr, &["conf", "not-wasm.wasm"]);
        }
    }
}

#[tokio::test]
async fn oversize_body_is_a_413_and_a_large_one_passes() {
    let main = main_app();
    let limit = MAIN_MAX_BODY_MIB << 20;
    let reply = post(&main.app.url("/conf/echo"), vec![b'a'; limit + 1]).await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    assert!(
        reply.content_type.starts_with("application/json"),
        "{}",
        reply.content_type
    );
    assert_eq!(
        reply.json()["error"]["code"],
        "payload_too_large",
        "{}",
        reply.text
    );

    let reply = post(&main.app.url("/conf/echo"), vec![b'a'; limit]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["length"], limit, "{}", reply.text);
}

#[tokio::test]
async fn oversize_streamed_body_is_a_413() {
    // No content-length: the limit must hold while the body streams in. The client is still
    // sending long after the limit (64 times it): it must read the 413, not a reset connection.
    let main = main_app();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..(MAIN_MAX_BODY_MIB * 64 * 16))
        .map(|_| Ok(vec![b'b'; 64 * 1024]))
        .collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let reply = post(&main.app.url("/conf/echo"), body).await;
    assert_eq!(reply.status, 413, "{}", reply.text);
}
