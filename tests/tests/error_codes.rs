//! The API's code lists (`hub_api::ErrorCode`, `StreamErrorCode`, `ChatEventName`) against
//! `docs/openapi.yaml`: the document's schemas list exactly the codes the hub sends, every code
//! the document names anywhere is one of them, and a code named under a response of some status
//! is a code sent with that status.

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use hub_api::{ChatEventName, ErrorCode, StreamErrorCode};
use hub_tests::openapi::{deref, document, walk};
use serde_json::Value;

/// The strings of the schema `components.schemas.<name>.enum`, in order.
fn schema_enum(doc: &Value, name: &str) -> Vec<String> {
    doc["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("schema {name} has no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Every code the document names under a property `code` (`enum` or `const`), with the JSON
/// pointer where it is named.
fn named_codes(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(value, "", &mut |at, key, child| {
        if key == "code" {
            let listed = child.get("enum").and_then(Value::as_array);
            for code in listed.into_iter().flatten().chain(child.get("const")) {
                out.push((code.as_str().unwrap().to_owned(), at.to_owned()));
            }
        }
    });
    out
}

/// The names of a list, in order.
fn names<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

#[test]
fn the_document_lists_exactly_the_codes_the_hub_sends() {
    let doc = document();
    assert_eq!(schema_enum(&doc, "ErrorCode"), names(ErrorCode::ALL));
    assert_eq!(
        schema_enum(&doc, "StreamErrorCode"),
        names(StreamErrorCode::ALL)
    );
    assert_eq!(
        schema_enum(&doc, "ChatEventName"),
        names(ChatEventName::ALL)
    );
    // The error body's code is the list.
    assert_eq!(
        doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
}

#[test]
fn every_code_the_document_names_is_one_of_the_lists() {
    let doc = document();
    let named = named_codes(&doc);
    assert!(named.len() > 20, "found only {named:?}");
    let known: BTreeSet<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .chain(StreamErrorCode::ALL.iter().map(|c| c.as_str()))
        .collect();
    for (code, path) in &named {
        assert!(known.contains(code.as_str()), "{path}: unknown code {code}");
    }
}

#[test]
fn codes_under_a_response_have_that_responses_status() {
    let doc = document();
    let mut checked = 0;
    for (route, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                let Ok(status) = status.parse::<u16>() else {
                    continue;
                };
                let response = deref(&doc, response);
                let Some(schema) = response.pointer("/content/application~1json/schema") else {
                    continue;
                };
                for (code, _) in named_codes(&expand(&doc, schema, 0)) {
                    let Some(code) = ErrorCode::parse(&code) else {
                        panic!("{method} {route} {status}: {code} is not an error answer's code");
                    };
                    assert_eq!(code.status(), status, "{method} {route}: {code}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} codes checked");
}

/// `schema` with every `$ref` replaced by its target (the `Error` schema's own `$ref` to the
/// full list is left out: it names every code, not this response's).
fn expand(doc: &Value, schema: &Value, depth: usize) -> Value {
    assert!(depth < 32, "schema nesting too deep");
    match schema {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                if target == "#/components/schemas/ErrorCode" {
                    return Value::Null;
                }
                return expand(doc, deref(doc, schema), depth + 1);
            }
            map.iter()
                .map(|(k, v)| (k.clone(), expand(doc, v, depth + 1)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        }
        Value::Array(items) => items.iter().map(|v| expand(doc, v, depth + 1)).collect(),
        other => other.clone(),
    }
}
