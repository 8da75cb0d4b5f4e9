//! `docs/openapi.yaml` in tests: the document, its `$ref`s and operations, its schemas as
//! validators, and the check of a real answer against the operation that gave it ([`Checker`]
//! drives the app and checks every answer it gets).

use std::collections::BTreeSet;

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use crate::{Answer, Hub, send_raw, workspace_root};

/// The keys of a path item that are operations.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document, as JSON.
pub fn document() -> Value {
    let path = workspace_root().join("docs/openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Calls `visit(pointer, key, value)` for every member of every object inside `value`, depth
/// first; `pointer` is the JSON pointer of the member (`at` is that of `value`).
pub fn walk(value: &Value, at: &str, visit: &mut impl FnMut(&str, &str, &Value)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                visit(&here, key, child);
                walk(child, &here, visit);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{at}/{i}"), visit);
            }
        }
        _ => {}
    }
}

/// The target of a local `$ref` (`#/...`).
pub fn resolve_ref<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// `value`, or what its `$ref` points to (followed to the end).
pub fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                value = resolve_ref(doc, r).unwrap_or_else(|| panic!("unresolved $ref {r}"));
            }
            None => return value,
        }
    }
    panic!("$ref chain too long")
}

/// A validator for `schema` (a schema of the document), its `#/components/...` refs resolving
/// against the document's components.
pub fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = json!({ "allOf": [schema] });
    root["components"] = doc["components"].clone();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"))
}

/// The errors of `value` against `schema` (a schema of the document), each with where it is.
fn schema_errors(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    validator(doc, schema)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// The operations of the document: (path, method, operation).
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths is an object") {
        let item = deref(doc, item);
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((path.clone(), method.to_owned(), op.clone()));
            }
        }
    }
    out
}

/// Asserts that `answer` is one the `method` operation of document path `doc_path` documents:
/// its status is documented, the headers the document requires are there and valid, and its
/// body is what the document says (none, or of a documented content type; JSON valid against
/// the schema). `is_head`: the answer to a HEAD request (no body whatever the document says).
pub fn assert_documented(
    doc: &Value,
    doc_path: &str,
    method: &str,
    answer: &Answer,
    is_head: bool,
) {
    let at = format!("{method} {doc_path} -> {}", answer.status);
    let body_text = String::from_utf8_lossy(&answer.bytes);
    let op = doc["paths"][doc_path]
        .get(method)
        .unwrap_or_else(|| panic!("{method} {doc_path} is not in the document"));
    let Some(response) = op["responses"].get(answer.status.to_string()) else {
        panic!("{at}: status not documented; body {body_text}");
    };
    let response = deref(doc, response);

    for (name, header) in response
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let header = deref(doc, header);
        let value = answer.header(name);
        if header["required"] == true {
            assert!(value.is_some(), "{at}: no {name} header");
        }
        if let (Some(value), Some(schema)) = (value, header.get("schema")) {
            let errors = schema_errors(doc, schema, &json!(value));
            assert!(
                errors.is_empty(),
                "{at}: header {name}: {value}: {errors:?}"
            );
        }
    }

    match response.get("content").and_then(Value::as_object) {
        None => assert!(
            answer.bytes.is_empty(),
            "{at}: undocumented body {body_text}"
        ),
        Some(_) if is_head => {
            assert!(answer.bytes.is_empty(), "{at}: HEAD with a body");
        }
        Some(content) => {
            let content_type = answer.header("content-type").unwrap_or_default();
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            let media = content
                .get(essence)
                .or_else(|| content.get("*/*"))
                .unwrap_or_else(|| panic!("{at}: undocumented content type {content_type}"));
            if essence == "application/json" {
                let errors = schema_errors(doc, &media["schema"], &answer.body);
                assert!(
                    errors.is_empty(),
                    "{at}: {} does not match: {errors:#?}",
                    answer.body
                );
            }
        }
    }
}

/// Drives a hub and checks every answer against the document, remembering what it saw.
#[derive(Debug)]
pub struct Checker {
    /// The app under test.
    pub hub: Hub,
    /// The document.
    pub doc: Value,
    /// (document path, method, status) of every answer checked.
    pub seen: BTreeSet<(String, String, u16)>,
    /// How many answers were checked.
    pub checks: usize,
}

impl Checker {
    /// A checker of `hub`'s answers against `docs/openapi.yaml`.
    pub fn new(hub: Hub) -> Self {
        Self {
            hub,
            doc: document(),
            seen: BTreeSet::new(),
            checks: 0,
        }
    }

    /// `http://<addr><path>` of the hub.
    pub fn url(&self, path: &str) -> String {
        self.hub.url(path)
    }

    /// Sends `request`, checks the answer against the `method` operation of document path
    /// `doc_path` ([`assert_documented`]; for a 405, `method` is an operation the path has: a 405
    /// is the answer to a method the path does not serve) and that its status is `expected`.
    pub async fn check(
        &mut self,
        doc_path: &str,
        method: &str,
        request: RequestBuilder,
        expected: u16,
    ) -> Answer {
        let (http, request) = request.build_split();
        let request = request.expect("building the request");
        let is_head = request.method() == Method::HEAD;
        let answer = send_raw(RequestBuilder::from_parts(http, request)).await;
        assert_documented(&self.doc, doc_path, method, &answer, is_head);
        assert_eq!(
            answer.status,
            expected,
            "{method} {doc_path}: body {}",
            String::from_utf8_lossy(&answer.bytes)
        );
        self.seen
            .insert((doc_path.to_owned(), method.to_owned(), answer.status));
        self.checks += 1;
        answer
    }

    /// Asserts that every operation of the document `paths` was checked at least once, and
    /// prints what was checked.
    pub fn assert_covered(&self, paths: &[&str]) {
        for (path, method, _) in operations(&self.doc) {
            if paths.contains(&path.as_str()) {
                assert!(
                    self.seen.iter().any(|(p, m, _)| *p == path && *m == method),
                    "{method} {path} was never exercised"
                );
            }
        }
        let summary: Vec<String> = self
            .seen
            .iter()
            .map(|(p, m, s)| format!("{} {p} {s}", m.to_ascii_uppercase()))
            .collect();
        eprintln!(
            "{} answers checked against docs/openapi.yaml:\n{}",
            self.checks,
            summary.join("\n")
        );
    }
}
