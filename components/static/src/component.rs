//! The Spin entry point: turns the incoming request into a [`Request`], asks
//! [`Site`] for the [`Reply`] and writes it out, streaming file bodies.

use std::fs::File;
use std::io::Read;

use futures::SinkExt;
use hub_http::log;
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;

use crate::serve::{Body, Reply, Request, Site};

/// Where spin.toml mounts `static/site` (`files = [{ source = "static/site", destination = "/" }]`).
const SITE_ROOT: &str = "/";

/// Size of the chunks a streamed file is written in.
const CHUNK_SIZE: usize = 64 * 1024;

#[http_component]
async fn handle(req: IncomingRequest, response_out: ResponseOutparam) {
    let headers = req.headers();
    let header = |name: &str| {
        let values: Vec<String> = headers
            .get(name)
            .into_iter()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    // Spin passes the path below the route in `spin-path-info`; without it (another
    // host), use the request's own path.
    let path = header("spin-path-info")
        .or_else(|| req.path_with_query())
        .unwrap_or_else(|| "/".to_owned());
    let method = req.method().to_string();
    let if_none_match = header("if-none-match");
    let accept_encoding = header("accept-encoding");

    let reply = Site::new(SITE_ROOT).reply(&Request {
        method: &method,
        path: &path,
        if_none_match: if_none_match.as_deref(),
        accept_encoding: accept_encoding.as_deref(),
    });
    send(reply, response_out).await;
}

/// Writes `reply` to the client.
async fn send(reply: Reply, response_out: ResponseOutparam) {
    let list: Vec<(String, Vec<u8>)> = reply
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
        .collect();
    let response = match Fields::from_list(&list) {
        Ok(fields) => OutgoingResponse::new(fields),
        Err(err) => {
            log::warn(
                "static",
                format_args!("invalid response headers {list:?}: {err:?}"),
            );
            OutgoingResponse::new(Fields::new())
        }
    };
    if response.set_status_code(reply.status).is_err() {
        log::warn(
            "static",
            format_args!("invalid status code {}", reply.status),
        );
    }
    // Taking the body before handing the response over; dropping the sink
    // finishes it, also when it stays empty.
    let mut body = response.take_body();
    response_out.set(response);

    match reply.body {
        Body::Empty => {}
        Body::Bytes(bytes) => {
            if let Err(err) = body.send(bytes).await {
                log::warn("static", format_args!("writing response body: {err:?}"));
            }
        }
        Body::File { path, len } => {
            let file = match File::open(&path) {
                Ok(file) => file,
                Err(err) => {
                    log::warn("static", format_args!("opening {}: {err}", path.display()));
                    return;
                }
            };
            // Never more than the announced length, even if the file grew.
            let mut reader = file.take(len);
            loop {
                let mut chunk = vec![0; CHUNK_SIZE];
                let read = match reader.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(err) => {
                        log::warn("static", format_args!("reading {}: {err}", path.display()));
                        return;
                    }
                };
                chunk.truncate(read);
                if let Err(err) = body.send(chunk).await {
                    log::warn(
                        "static",
                        format_args!("writing {}: {err:?}", path.display()),
                    );
                    return;
                }
            }
        }
    }
}
