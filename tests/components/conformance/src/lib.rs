//! Test fixture for the runner conformance suite (`tests/tests/conformance`): one Spin HTTP
//! component that exercises each host interface `hub-runner` provides, so that the suite can
//! check the runner behaves as Spin does.
//!
//! The operation is the last segment of the request path, so the component answers on any route
//! the manifest gives it (`/conf/headers`, `/prec/items/:id/headers`, ...); a path whose last
//! segment is not an operation gets `headers`.
//!
//! | operation | what it does |
//! |-----------|--------------|
//! | `GET headers` | JSON of the method, uri and every request header |
//! | `GET sse?n=5&delay_ms=300` | streams `n` server-sent events, pausing between them |
//! | `GET`/`POST outbound?url=...` | outbound GET; `{"status","body"}` or `{"error"}` |
//! | `GET chain?target=c&path=/p` | outbound GET to `http://c.spin.internal/p` (service chaining) |
//! | `POST pg` | runs SQL steps on one `pg4::Connection` (see [`pg`]) |
//! | `GET var?name=x` | `{"value"}` or `{"error":{"kind","message"}}` |
//! | `GET trap` | panics |
//! | `GET alloc?mib=N` | allocates and touches N MiB |
//! | `GET spin?ms=N` | busy-loops N ms without yielding |
//! | `POST echo` | `{"length": <body bytes>}` |
//! | `GET file?path=/x` | the content of a file from the `files` mounts |

// A test fixture: panicking is one of the behaviours under test (`trap`), and a broken fixture
// should fail loudly rather than answer something plausible.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod outbound;
mod pg;
mod probes;
mod query;
mod respond;
mod sse;

/// The export: `#[http_component]` generates unsafe glue, allowed here and nowhere else.
#[allow(unsafe_code)]
mod entry {
    use spin_sdk::http::{IncomingRequest, Method, ResponseOutparam};

    use crate::query::Query;
    use crate::{outbound, pg, probes, respond, sse};

    #[spin_sdk::http_component]
    async fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path_with_query = request.path_with_query().unwrap_or_default();
        let (path, query) = match path_with_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), Query::parse(q)),
            None => (path_with_query.clone(), Query::default()),
        };
        let operation = path.rsplit('/').next().unwrap_or_default().to_owned();
        let method = request.method();
        match (method, operation.as_str()) {
            (Method::Get, "sse") => sse::stream(&query, out).await,
            (Method::Get | Method::Post, "outbound") => {
                respond::json(out, 200, &outbound::get(&query).await).await
            }
            (Method::Get, "chain") => respond::json(out, 200, &outbound::chain(&query).await).await,
            (Method::Post, "pg") => {
                let body = request.into_body().await.unwrap_or_default();
                let (status, value) = pg::run(&body);
                respond::json(out, status, &value).await;
            }
            (Method::Get, "var") => respond::json(out, 200, &probes::variable(&query)).await,
            (Method::Get, "trap") => probes::trap(),
            (Method::Get, "alloc") => respond::json(out, 200, &probes::alloc(&query)).await,
            (Method::Get, "spin") => respond::json(out, 200, &probes::busy_loop(&query)).await,
            (Method::Post, "echo") => {
                let value = probes::echo(request).await;
                respond::json(out, 200, &value).await;
            }
            (Method::Get, "file") => {
                let (status, value) = probes::file(&query);
                respond::json(out, status, &value).await;
            }
            _ => respond::json(out, 200, &probes::headers(&request)).await,
        }
    }
}
