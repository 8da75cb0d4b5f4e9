//! The small probes: request headers, variables, traps, memory, CPU, request bodies and files.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use spin_sdk::http::IncomingRequest;
use spin_sdk::variables;

use crate::query::Query;

/// `GET headers`: the request as the component sees it.
pub fn headers(request: &IncomingRequest) -> Value {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in request.headers().entries() {
        let value = String::from_utf8_lossy(&value).into_owned();
        headers
            .entry(name)
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    json!({
        "method": request.method().to_string(),
        "uri": request.uri(),
        "path_with_query": request.path_with_query(),
        "headers": headers,
    })
}

/// `GET var?name=x`
pub fn variable(query: &Query) -> Value {
    let name = query.get("name").unwrap_or_default();
    match variables::get(name) {
        Ok(value) => json!({ "value": value }),
        Err(e) => {
            let (kind, message) = match e {
                variables::Error::InvalidName(m) => ("invalid_name", m),
                variables::Error::Undefined(m) => ("undefined", m),
                variables::Error::Provider(m) => ("provider", m),
                variables::Error::Other(m) => ("other", m),
            };
            json!({ "error": { "kind": kind, "message": message } })
        }
    }
}

/// `GET trap`
pub fn trap() -> ! {
    panic!("conformance fixture: deliberate trap");
}

/// `GET alloc?mib=N`: allocates N MiB and writes every page, so the memory is really used.
pub fn alloc(query: &Query) -> Value {
    let bytes = usize::try_from(query.number("mib", 1)).unwrap_or(usize::MAX) << 20;
    let mut block = vec![0u8; bytes];
    for (i, page) in block.chunks_mut(4096).enumerate() {
        page[0] = (i % 251) as u8;
    }
    let checksum: u64 = block.iter().step_by(4096).map(|b| u64::from(*b)).sum();
    json!({ "allocated_bytes": block.len(), "checksum": checksum })
}

/// `GET spin?ms=N`: keeps the CPU busy for N ms without calling into the host in between
/// (the clock is read only every few million iterations).
pub fn busy_loop(query: &Query) -> Value {
    let budget = Duration::from_millis(query.number("ms", 10));
    let started = Instant::now();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rounds: u64 = 0;
    while started.elapsed() < budget {
        for _ in 0..1_000_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
        }
        rounds += 1;
    }
    json!({ "rounds": rounds, "state": state, "elapsed_ms": started.elapsed().as_millis() as u64 })
}

/// `POST echo`: the body's length, or how reading it failed.
pub async fn echo(request: IncomingRequest) -> Value {
    match request.into_body().await {
        Ok(body) => json!({ "length": body.len() }),
        Err(e) => json!({ "error": format!("{e:?}") }),
    }
}

/// `GET file?path=/x`
pub fn file(query: &Query) -> (u16, Value) {
    let path = query.get("path").unwrap_or("/");
    match std::fs::read_to_string(path) {
        Ok(content) => (200, json!({ "content": content })),
        Err(e) => (404, json!({ "error": e.to_string() })),
    }
}
