//! Outbound HTTP: plain requests (`outbound?url=`) and service chaining (`chain?target=`).
//! Failures, a denied host included, come back as `{"error": ...}`, never as a trap.

use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};

use crate::query::Query;

/// `GET outbound?url=...`
pub async fn get(query: &Query) -> Value {
    match query.get("url") {
        Some(url) => send(url).await,
        None => json!({ "error": "missing url parameter" }),
    }
}

/// `GET chain?target=<component>&path=/p`: `http://<component>.spin.internal/p`.
pub async fn chain(query: &Query) -> Value {
    let Some(target) = query.get("target") else {
        return json!({ "error": "missing target parameter" });
    };
    let path = query.get("path").unwrap_or("/headers");
    send(&format!("http://{target}.spin.internal{path}")).await
}

async fn send(url: &str) -> Value {
    let request = Request::get(url).build();
    match spin_sdk::http::send::<_, Response>(request).await {
        Ok(response) => json!({
            "status": response.status(),
            "body": String::from_utf8_lossy(response.body()),
        }),
        Err(e) => json!({ "error": format!("{e:?}") }),
    }
}
