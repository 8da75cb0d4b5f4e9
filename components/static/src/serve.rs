//! What to answer to a request: the whole behaviour of the component, on a
//! plain directory, without any Spin type (so it tests natively on a temp dir).

use std::fs;
use std::io;
use std::path::PathBuf;

use hub_http::{ApiError, ErrorCode};

use crate::cache::CachePolicy;
use crate::etag;
use crate::files::{Entry, Found, precompressed, stat};
use crate::headers::SECURITY_HEADERS;
use crate::mime;
use crate::path::{self, SitePath, extension_of};

/// Files up to this size are read whole, which gives them a content-hash ETag;
/// larger ones are streamed from disk with a size+mtime ETag.
pub const INLINE_LIMIT: u64 = 1024 * 1024;

/// The methods the component answers.
const ALLOWED_METHODS: [&str; 2] = ["GET", "HEAD"];

/// The parts of a request the component looks at.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `GET`, `HEAD`, ...
    pub method: &'a str,
    /// The request path (Spin's `spin-path-info`), possibly with a query.
    pub path: &'a str,
    /// The `If-None-Match` header, if any.
    pub if_none_match: Option<&'a str>,
    /// The `Accept-Encoding` header, if any.
    pub accept_encoding: Option<&'a str>,
}

/// A response body.
#[derive(Debug, PartialEq, Eq)]
pub enum Body {
    /// No body (HEAD, 304).
    Empty,
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// The first `len` bytes of a file, to be streamed by the caller.
    File {
        /// The file in the mount.
        path: PathBuf,
        /// Its length when it was looked at (and the `Content-Length` sent).
        len: u64,
    },
}

/// A response: status, headers (lower-case names) and body. Every reply carries
/// the [`SECURITY_HEADERS`], and `content-length` when it has a body.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
}

impl Reply {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The built frontend, mounted at `root`.
#[derive(Debug, Clone)]
pub struct Site {
    root: PathBuf,
}

/// What a request path resolved to.
#[derive(Debug)]
enum Resolved {
    /// A file, and the path inside the site that decides its cache policy.
    File { file: Found, relative: String },
    /// Nothing to serve.
    NotFound,
}

impl Site {
    /// A site whose files live under `root` (`/` inside the component).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The complete answer to `req`.
    pub fn reply(&self, req: &Request<'_>) -> Reply {
        let mut reply = match self.reply_to_get(req) {
            Ok(reply) => reply,
            Err(err) => error_reply(&err),
        };
        reply.headers.extend(
            SECURITY_HEADERS
                .iter()
                .map(|(name, value)| (*name, (*value).to_owned())),
        );
        let len = match &reply.body {
            Body::Empty => None,
            Body::Bytes(bytes) => Some(bytes.len() as u64),
            Body::File { len, .. } => Some(*len),
        };
        if req.method == "HEAD" {
            // No content-length either: the host checks it against the bytes written.
            reply.body = Body::Empty;
        } else if let Some(len) = len {
            reply.headers.push(("content-length", len.to_string()));
        }
        reply
    }

    /// The reply as for GET (HEAD drops the body afterwards).
    fn reply_to_get(&self, req: &Request<'_>) -> Result<Reply, ApiError> {
        if path::is_api_path(req.path) {
            return Err(no_api_route(req));
        }
        if !ALLOWED_METHODS.contains(&req.method) {
            return Err(ApiError::method_not_allowed(req.method, &ALLOWED_METHODS));
        }
        let site_path = SitePath::parse(req.path)
            .map_err(|err| ApiError::new(ErrorCode::InvalidPath, err.to_string()))?;
        if site_path.is_api() {
            return Err(no_api_route(req));
        }
        match self.resolve(&site_path).map_err(ApiError::internal)? {
            Resolved::File { file, relative } => self.file_reply(req, file, &relative),
            Resolved::NotFound => Ok(not_found()),
        }
    }

    /// Maps a path to the file to serve: the file itself; a directory's
    /// `index.html`; `index.html` for an extension-less path (SPA route) or a
    /// directory without one; nothing for a missing file with an extension.
    fn resolve(&self, site_path: &SitePath) -> io::Result<Resolved> {
        let relative = site_path.relative();
        let target = self.root.join(&relative);
        if !site_path.is_hidden() {
            match stat(&target)? {
                Entry::File(file) => return Ok(Resolved::File { file, relative }),
                Entry::Dir => {
                    let index = format!("{relative}/index.html");
                    if let Entry::File(file) = stat(&target.join("index.html"))? {
                        return Ok(Resolved::File {
                            file,
                            relative: index,
                        });
                    }
                    return self.spa_fallback();
                }
                Entry::Missing => {}
            }
        }
        if site_path.is_directory_request() || site_path.extension().is_none() {
            self.spa_fallback()
        } else {
            Ok(Resolved::NotFound)
        }
    }

    fn spa_fallback(&self) -> io::Result<Resolved> {
        Ok(match stat(&self.root.join("index.html"))? {
            Entry::File(file) => Resolved::File {
                file,
                relative: "index.html".to_owned(),
            },
            Entry::Dir | Entry::Missing => Resolved::NotFound,
        })
    }

    /// 200 (or 304) with the file, or a precompressed sibling if the client
    /// accepts it.
    fn file_reply(
        &self,
        req: &Request<'_>,
        file: Found,
        relative: &str,
    ) -> Result<Reply, ApiError> {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        let content_type = mime::content_type(extension_of(name).as_deref());
        let compressible = mime::is_compressible(content_type);
        let (file, encoding) = if compressible {
            precompressed(&file.path, req.accept_encoding)
                .map_err(ApiError::internal)?
                .map_or((file, None), |(found, enc)| (found, Some(enc)))
        } else {
            (file, None)
        };

        let (etag, body) = if file.len <= INLINE_LIMIT {
            let bytes = fs::read(&file.path).map_err(|err| {
                ApiError::internal(format!("reading {}: {err}", file.path.display()))
            })?;
            (Some(etag::from_content(&bytes)), Body::Bytes(bytes))
        } else {
            let etag = etag::from_metadata(file.len, file.modified);
            let body = Body::File {
                path: file.path,
                len: file.len,
            };
            (etag, body)
        };

        let mut headers = vec![(
            "cache-control",
            CachePolicy::for_file(relative).header_value().to_owned(),
        )];
        if compressible {
            headers.push(("vary", "Accept-Encoding".to_owned()));
        }
        if let Some(etag) = &etag {
            headers.push(("etag", etag.clone()));
        }
        let not_modified = etag
            .as_deref()
            .zip(req.if_none_match)
            .is_some_and(|(etag, inm)| etag::matches(inm, etag));
        if not_modified {
            return Ok(Reply {
                status: 304,
                headers,
                body: Body::Empty,
            });
        }
        headers.push(("content-type", content_type.to_owned()));
        if let Some(encoding) = encoding {
            headers.push(("content-encoding", encoding.token().to_owned()));
        }
        Ok(Reply {
            status: 200,
            headers,
            body,
        })
    }
}

fn no_api_route(req: &Request<'_>) -> ApiError {
    let path = req.path.split('?').next().unwrap_or_default();
    ApiError::not_found(format!("no API route for {} {path}", req.method))
}

/// A missing asset: a plain 404, never `index.html` (a script tag pointing at a
/// stale chunk must fail loudly, not receive HTML).
fn not_found() -> Reply {
    Reply {
        status: 404,
        headers: vec![
            ("content-type", "text/plain; charset=utf-8".to_owned()),
            ("cache-control", "no-cache".to_owned()),
        ],
        body: Body::Bytes(b"Not Found\n".to_vec()),
    }
}

fn error_reply(err: &ApiError) -> Reply {
    Reply {
        status: err.status(),
        headers: err.headers(),
        body: Body::Bytes(err.body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A throwaway site directory under the system temp dir.
    struct TempSite {
        root: PathBuf,
    }

    impl TempSite {
        fn new(files: &[(&str, &[u8])]) -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let root = std::env::temp_dir().join(format!(
                "hub-static-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&root);
            fs::create_dir_all(&root).unwrap();
            for (rel, content) in files {
                let path = root.join(rel);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, content).unwrap();
            }
            Self { root }
        }

        fn site(&self) -> Site {
            Site::new(&self.root)
        }
    }

    impl Drop for TempSite {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.root);
        }
    }

    const INDEX: &[u8] = b"<!doctype html><title>AI Hub</title>";

    fn standard_site() -> TempSite {
        TempSite::new(&[
            ("index.html", INDEX),
            ("app.js", b"console.log(1)"),
            ("assets/index-D8b4DLOm.js", b"export{}"),
            ("assets/index-D8b4DLOm.js.br", b"BROTLI"),
            ("assets/index-D8b4DLOm.js.gz", b"GZIP"),
            ("favicon.ico", b"ICO"),
            ("docs/index.html", b"<p>docs</p>"),
            ("empty-dir/.keep", b""),
            (".env", b"SECRET=1"),
            (".well-known/security.txt", b"Contact: x"),
        ])
    }

    fn get(site: &Site, path: &str) -> Reply {
        site.reply(&Request {
            method: "GET",
            path,
            if_none_match: None,
            accept_encoding: None,
        })
    }

    fn body(reply: &Reply) -> &[u8] {
        match &reply.body {
            Body::Bytes(bytes) => bytes,
            other => panic!("expected bytes, got {other:?}"),
        }
    }

    fn error_code(reply: &Reply) -> String {
        let value: Value = serde_json::from_slice(body(reply)).unwrap();
        value["error"]["code"].as_str().unwrap().to_owned()
    }

    #[test]
    fn serves_index_for_root_with_html_type_and_no_cache() {
        let t = standard_site();
        let reply = get(&t.site(), "/");
        assert_eq!(reply.status, 200);
        assert_eq!(body(&reply), INDEX);
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(reply.header("cache-control"), Some("no-cache"));
        assert_eq!(
            reply.header("content-length"),
            Some(INDEX.len().to_string().as_str())
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }

    #[test]
    fn serves_files_with_their_type_and_cache_policy() {
        let t = standard_site();
        let reply = get(&t.site(), "/app.js");
        assert_eq!(reply.status, 200);
        assert_eq!(body(&reply), b"console.log(1)");
        assert_eq!(
            reply.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
        assert_eq!(reply.header("vary"), Some("Accept-Encoding"));

        let reply = get(&t.site(), "/assets/index-D8b4DLOm.js");
        assert_eq!(body(&reply), b"export{}");
        assert_eq!(
            reply.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(reply.header("content-encoding"), None);

        let reply = get(&t.site(), "/favicon.ico");
        assert_eq!(reply.header("content-type"), Some("image/x-icon"));
        assert_eq!(reply.header("vary"), None);
    }

    #[test]
    fn spa_routes_fall_back_to_index() {
        let t = standard_site();
        for path in [
            "/chats",
            "/chats/0195-abc",
            "/settings/profile/",
            "/empty-dir",
            "/.env",
        ] {
            let reply = get(&t.site(), path);
            assert_eq!(reply.status, 200, "{path}");
            assert_eq!(body(&reply), INDEX, "{path}");
            assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        }
    }

    #[test]
    fn missing_assets_are_plain_404_not_index() {
        let t = standard_site();
        for path in [
            "/assets/index-OLDHASH1.js",
            "/missing.css",
            "/img/logo.png",
            "/app.js/x.js",
        ] {
            let reply = get(&t.site(), path);
            assert_eq!(reply.status, 404, "{path}");
            assert_eq!(body(&reply), b"Not Found\n");
            assert_eq!(
                reply.header("content-type"),
                Some("text/plain; charset=utf-8")
            );
        }
    }

    #[test]
    fn directories_serve_their_index_and_are_never_listed() {
        let t = standard_site();
        let reply = get(&t.site(), "/docs/");
        assert_eq!(body(&reply), b"<p>docs</p>");
        let reply = get(&t.site(), "/docs");
        assert_eq!(body(&reply), b"<p>docs</p>");
        let reply = get(&t.site(), "/assets/");
        assert_eq!(body(&reply), INDEX);
    }

    #[test]
    fn hidden_files_are_not_served_but_well_known_is() {
        let t = standard_site();
        let reply = get(&t.site(), "/.env");
        assert_ne!(body(&reply), b"SECRET=1");
        let reply = get(&t.site(), "/.well-known/security.txt");
        assert_eq!(body(&reply), b"Contact: x");
    }

    #[test]
    fn api_paths_get_the_json_404_whatever_the_method() {
        let t = standard_site();
        for (method, path) in [
            ("GET", "/api"),
            ("GET", "/api/nope"),
            ("POST", "/api/chats/x"),
            ("GET", "/v1/models"),
            ("GET", "/%61pi/x"),
            ("DELETE", "/api/%zz"),
        ] {
            let reply = t.site().reply(&Request {
                method,
                path,
                if_none_match: None,
                accept_encoding: None,
            });
            assert_eq!(reply.status, 404, "{method} {path}");
            assert_eq!(reply.header("content-type"), Some("application/json"));
            assert_eq!(error_code(&reply), "not_found");
            assert!(reply.header("content-security-policy").is_some());
        }
    }

    #[test]
    fn other_methods_are_405_with_allow() {
        let t = standard_site();
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
            let reply = t.site().reply(&Request {
                method,
                path: "/index.html",
                if_none_match: None,
                accept_encoding: None,
            });
            assert_eq!(reply.status, 405, "{method}");
            assert_eq!(reply.header("allow"), Some("GET, HEAD"));
            assert_eq!(error_code(&reply), "method_not_allowed");
        }
    }

    #[test]
    fn head_has_the_headers_of_get_but_no_body() {
        let t = standard_site();
        let reply = t.site().reply(&Request {
            method: "HEAD",
            path: "/app.js",
            if_none_match: None,
            accept_encoding: None,
        });
        let get_reply = get(&t.site(), "/app.js");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, Body::Empty);
        assert_eq!(reply.header("content-length"), None);
        assert_eq!(reply.header("etag"), get_reply.header("etag"));
        assert_eq!(
            reply.header("content-type"),
            get_reply.header("content-type")
        );
    }

    #[test]
    fn traversal_attempts_never_leave_the_mount() {
        let outer = TempSite::new(&[("secret.txt", b"TOP SECRET"), ("site/index.html", INDEX)]);
        let site = Site::new(outer.root.join("site"));
        for path in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/..%5csecret.txt",
            "/index.html%00",
            "/a/../../secret.txt",
        ] {
            let reply = get(&site, path);
            assert_ne!(body(&reply), b"TOP SECRET", "{path}");
            assert_eq!(reply.status, 400, "{path}");
            assert_eq!(error_code(&reply), "invalid_path", "{path}");
        }
        // Absolute-looking paths stay relative to the mount.
        let reply = get(&site, "//secret.txt");
        assert_eq!(reply.status, 404);
    }

    #[test]
    fn etag_round_trip_gives_304_without_body() {
        let t = standard_site();
        let first = get(&t.site(), "/app.js");
        let etag = first.header("etag").unwrap().to_owned();
        let reply = t.site().reply(&Request {
            method: "GET",
            path: "/app.js",
            if_none_match: Some(&etag),
            accept_encoding: None,
        });
        assert_eq!(reply.status, 304);
        assert_eq!(reply.body, Body::Empty);
        assert_eq!(reply.header("etag"), Some(etag.as_str()));
        assert_eq!(reply.header("content-length"), None);
        assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
        assert!(reply.header("content-security-policy").is_some());

        let stale = t.site().reply(&Request {
            method: "GET",
            path: "/app.js",
            if_none_match: Some("\"0-0000000000000000\""),
            accept_encoding: None,
        });
        assert_eq!(stale.status, 200);
    }

    #[test]
    fn fallback_index_revalidates_with_its_etag() {
        let t = standard_site();
        let etag = get(&t.site(), "/chats/1")
            .header("etag")
            .unwrap()
            .to_owned();
        assert_eq!(get(&t.site(), "/").header("etag"), Some(etag.as_str()));
        fs::write(
            t.root.join("index.html"),
            b"<!doctype html><title>AI Hub 2</title>",
        )
        .unwrap();
        let reply = t.site().reply(&Request {
            method: "GET",
            path: "/chats/1",
            if_none_match: Some(&etag),
            accept_encoding: None,
        });
        assert_eq!(reply.status, 200, "a changed index must not be a 304");
    }

    #[test]
    fn precompressed_variants_follow_accept_encoding() {
        let t = standard_site();
        let with = |accept| {
            t.site().reply(&Request {
                method: "GET",
                path: "/assets/index-D8b4DLOm.js",
                if_none_match: None,
                accept_encoding: Some(accept),
            })
        };
        let reply = with("gzip, deflate, br");
        assert_eq!(body(&reply), b"BROTLI");
        assert_eq!(reply.header("content-encoding"), Some("br"));
        assert_eq!(
            reply.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(reply.header("vary"), Some("Accept-Encoding"));
        let reply = with("gzip");
        assert_eq!(body(&reply), b"GZIP");
        assert_eq!(reply.header("content-encoding"), Some("gzip"));
        let reply = with("identity");
        assert_eq!(body(&reply), b"export{}");
        // Different bytes, different tags.
        assert_ne!(with("br").header("etag"), with("identity").header("etag"));
        // No sibling: the plain file.
        let reply = t.site().reply(&Request {
            method: "GET",
            path: "/app.js",
            if_none_match: None,
            accept_encoding: Some("br"),
        });
        assert_eq!(body(&reply), b"console.log(1)");
        assert_eq!(reply.header("content-encoding"), None);
    }

    #[test]
    fn large_files_are_streamed_not_read() {
        let big = vec![b'x'; (INLINE_LIMIT + 1) as usize];
        let t = TempSite::new(&[("index.html", INDEX), ("big.wasm", &big)]);
        let reply = get(&t.site(), "/big.wasm");
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.body,
            Body::File {
                path: t.root.join("big.wasm"),
                len: INLINE_LIMIT + 1
            }
        );
        assert_eq!(
            reply.header("content-length"),
            Some((INLINE_LIMIT + 1).to_string().as_str())
        );
        assert_eq!(reply.header("content-type"), Some("application/wasm"));
        assert!(reply.header("etag").unwrap().starts_with("W/"));
    }

    #[test]
    fn without_index_html_routes_are_404() {
        let t = TempSite::new(&[("app.js", b"1")]);
        assert_eq!(get(&t.site(), "/").status, 404);
        assert_eq!(get(&t.site(), "/chats").status, 404);
        assert_eq!(get(&t.site(), "/app.js").status, 200);
    }

    #[test]
    fn every_reply_carries_the_security_headers() {
        let t = standard_site();
        let replies = [
            get(&t.site(), "/"),
            get(&t.site(), "/missing.js"),
            get(&t.site(), "/api/x"),
            get(&t.site(), "/%2e%2e/x"),
        ];
        for reply in &replies {
            for (name, value) in SECURITY_HEADERS {
                assert_eq!(
                    reply.header(name),
                    Some(value),
                    "{name} on {}",
                    reply.status
                );
            }
        }
    }
}
