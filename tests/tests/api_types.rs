//! The frontend's API types (`static/src/api/types.gen.ts`) are generated from hub-api's Rust
//! types; this test fails when the committed file differs from what the Rust types render,
//! and rewrites it with `UPDATE_API_TYPES=1`.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use hub_tests::workspace_root;

const REGENERATE: &str = "UPDATE_API_TYPES=1 cargo test -p hub-tests --test api_types";

#[test]
fn generated_typescript_matches_the_rust_types() {
    let path = workspace_root().join("static/src/api/types.gen.ts");
    let expected = hub_api::typescript::declarations();
    if std::env::var_os("UPDATE_API_TYPES").is_some_and(|v| v != "0") {
        std::fs::write(&path, &expected)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected {
        let first_difference = committed
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(expected.lines().count()));
        panic!(
            "{} is out of date with the Rust types of hub-api (first difference at line {}).\n\
             Regenerate it with:\n    {REGENERATE}\n\n--- expected ---\n{expected}",
            path.display(),
            first_difference + 1,
        );
    }
}

#[test]
fn every_declaration_is_exported_once() {
    let text = hub_api::typescript::declarations();
    let mut names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("export type "))
        .map(|l| l.split([' ', '<']).next().unwrap_or(""))
        .collect();
    let count = names.len();
    assert!(count >= 20, "only {count} declarations:\n{text}");
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "a type is declared twice:\n{text}");
    for name in [
        "ChatDetail",
        "AuthTokens",
        "ErrorEvent",
        "UsageTotals",
        "Page",
    ] {
        assert!(names.contains(&name), "{name} missing:\n{text}");
    }
}
