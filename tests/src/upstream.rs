//! A tiny local HTTP/1.1 server standing in for an external service in outbound-HTTP tests.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Answers every request with `200` and the body `<name> saw <METHOD> <path>`, and records the
/// request lines it received. Runs on its own threads (usable from any test runtime); stops on drop.
#[derive(Debug)]
pub struct Upstream {
    addr: SocketAddr,
    name: String,
    requests: Arc<Mutex<Vec<String>>>,
    stopping: Arc<AtomicBool>,
}

impl Upstream {
    /// Starts a server on `127.0.0.1:<free port>`.
    pub fn start(name: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the upstream");
        let addr = listener.local_addr().expect("upstream address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        {
            let name = name.to_owned();
            let requests = requests.clone();
            let stopping = stopping.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let name = name.clone();
                    let requests = requests.clone();
                    std::thread::spawn(move || serve(stream, &name, &requests));
                }
            });
        }
        Self {
            addr,
            name: name.to_owned(),
            requests,
            stopping,
        }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The body it answers `path` with.
    pub fn expected_body(&self, path: &str) -> String {
        format!("{} saw GET {path}", self.name)
    }

    /// The request lines received so far (`GET /x HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn serve(stream: TcpStream, name: &str, requests: &Mutex<Vec<String>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers (requests in these tests have no body).
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let request_line = request_line.trim_end().to_owned();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let body = format!("{name} saw {method} {path}");
    requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(request_line.clone());
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}
