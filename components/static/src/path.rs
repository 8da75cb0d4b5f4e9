//! Request path -> a path inside the site mount, or a reason to refuse it.
//!
//! Each `/`-separated segment is percent-decoded on its own, so `%2F` can never
//! introduce a separator. `.` and empty segments are dropped; `..`, NUL, control
//! characters, backslashes and a decoded `/` are refused outright rather than
//! "cleaned", so no spelling of a path can climb out of the mount.

use std::fmt;

/// The longest request path accepted, in bytes (before decoding).
const MAX_PATH_LEN: usize = 2048;

/// A validated path relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath {
    segments: Vec<String>,
    trailing_slash: bool,
}

/// Why a request path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// Longer than [`MAX_PATH_LEN`].
    TooLong(usize),
    /// A `%` not followed by two hex digits.
    BadEscape(String),
    /// Decodes to bytes that are not UTF-8.
    NotUtf8(String),
    /// A `..` segment.
    ParentSegment,
    /// NUL, a control character, a backslash or an encoded `/` in a segment.
    ForbiddenChar(String),
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong(len) => {
                write!(f, "path is {len} bytes long; the limit is {MAX_PATH_LEN}")
            }
            Self::BadEscape(seg) => write!(f, "invalid percent-escape in `{seg}`"),
            Self::NotUtf8(seg) => write!(f, "`{seg}` does not decode to UTF-8"),
            Self::ParentSegment => f.write_str("`..` segments are not allowed"),
            Self::ForbiddenChar(seg) => {
                write!(f, "forbidden character in `{}`", seg.escape_debug())
            }
        }
    }
}

impl SitePath {
    /// Parses the path of a request (a query or fragment, if present, is ignored).
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        let path = raw.split(['?', '#']).next().unwrap_or_default();
        if path.len() > MAX_PATH_LEN {
            return Err(PathError::TooLong(path.len()));
        }
        let mut segments = Vec::new();
        for raw_segment in path.split('/') {
            let segment = decode_segment(raw_segment)?;
            if segment
                .chars()
                .any(|c| c.is_control() || c == '\\' || c == '/')
            {
                return Err(PathError::ForbiddenChar(segment));
            }
            match segment.as_str() {
                "" | "." => {}
                ".." => return Err(PathError::ParentSegment),
                _ => segments.push(segment),
            }
        }
        let trailing_slash = path.ends_with('/') && !segments.is_empty();
        Ok(Self {
            segments,
            trailing_slash,
        })
    }

    /// The decoded segments, never empty strings, `.` or `..`.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The path relative to the site root, `/`-joined (`""` for the root).
    pub fn relative(&self) -> String {
        self.segments.join("/")
    }

    /// Whether the request named a directory (`/docs/`) or the root.
    pub fn is_directory_request(&self) -> bool {
        self.trailing_slash || self.segments.is_empty()
    }

    /// The last segment, if any.
    pub fn file_name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    /// The extension of the last segment (`js` for `app.js`; none for `.env`
    /// or `README`), lower-cased.
    pub fn extension(&self) -> Option<String> {
        self.file_name().and_then(extension_of)
    }

    /// Whether a segment is hidden (starts with `.`), other than `.well-known`.
    /// Hidden files are never served.
    pub fn is_hidden(&self) -> bool {
        self.segments
            .iter()
            .any(|s| s.starts_with('.') && s != ".well-known")
    }

    /// Whether the path is in the API's namespace (`/api`, `/api/...`, `/v1`,
    /// `/v1/...`): such a request reached the catch-all only because no API route
    /// matched it.
    pub fn is_api(&self) -> bool {
        matches!(
            self.segments.first().map(String::as_str),
            Some("api" | "v1")
        )
    }
}

/// Whether a raw (undecoded) request path is in the API's namespace; checked
/// before parsing, so even an unparseable `/api/...` path gets the API's 404.
pub fn is_api_path(raw: &str) -> bool {
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    ["/api", "/v1"].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The lower-cased extension of a file name: the part after the last `.`,
/// if that `.` is not the first character and the part is 1-16 ASCII
/// alphanumerics (`app.js` -> `js`; `.env`, `v1.2.x-notes`, `a.` -> none).
pub fn extension_of(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    let valid = !stem.is_empty()
        && (1..=16).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then(|| ext.to_ascii_lowercase())
}

fn decode_segment(segment: &str) -> Result<String, PathError> {
    if !segment.contains('%') {
        return Ok(segment.to_owned());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|b| hex_value(*b));
            let lo = bytes.get(i + 2).and_then(|b| hex_value(*b));
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(PathError::BadEscape(segment.to_owned())),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PathError::NotUtf8(segment.to_owned()))
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(raw: &str) -> String {
        SitePath::parse(raw).unwrap().relative()
    }

    #[test]
    fn plain_paths_map_to_relative_paths() {
        assert_eq!(rel("/"), "");
        assert_eq!(rel(""), "");
        assert_eq!(rel("/index.html"), "index.html");
        assert_eq!(rel("/assets/app-1a2b3c4d.js"), "assets/app-1a2b3c4d.js");
        assert_eq!(rel("/a/./b//c"), "a/b/c");
        assert_eq!(rel("//etc/passwd"), "etc/passwd");
        assert_eq!(rel("/chats/42?x=../../y#frag"), "chats/42");
    }

    #[test]
    fn percent_escapes_are_decoded_per_segment() {
        assert_eq!(rel("/my%20file.txt"), "my file.txt");
        assert_eq!(rel("/%C3%A4pfel"), "äpfel");
        assert_eq!(rel("/a+b"), "a+b");
    }

    #[test]
    fn parent_segments_are_refused_in_every_spelling() {
        for raw in [
            "/..",
            "/../etc/passwd",
            "/assets/../../secret",
            "/%2e%2e/secret",
            "/%2E%2E/secret",
            "/.%2e/secret",
            "/a/%2e%2e",
        ] {
            assert_eq!(SitePath::parse(raw), Err(PathError::ParentSegment), "{raw}");
        }
    }

    #[test]
    fn separators_nul_and_controls_inside_segments_are_refused() {
        for raw in [
            "/a%2F..%2Fb",
            "/a%2fb",
            "/..%5Csecret",
            "/a\\b",
            "/index.html%00.png",
            "/a%0Ab",
            "/a%7Fb",
        ] {
            assert!(
                matches!(SitePath::parse(raw), Err(PathError::ForbiddenChar(_))),
                "{raw}"
            );
        }
    }

    #[test]
    fn bad_escapes_non_utf8_and_huge_paths_are_refused() {
        assert!(matches!(
            SitePath::parse("/a%2"),
            Err(PathError::BadEscape(_))
        ));
        assert!(matches!(
            SitePath::parse("/a%zz"),
            Err(PathError::BadEscape(_))
        ));
        assert!(matches!(
            SitePath::parse("/%ff%fe"),
            Err(PathError::NotUtf8(_))
        ));
        let long = format!("/{}", "a".repeat(MAX_PATH_LEN));
        assert!(matches!(SitePath::parse(&long), Err(PathError::TooLong(_))));
    }

    #[test]
    fn directory_requests_and_extensions() {
        assert!(SitePath::parse("/").unwrap().is_directory_request());
        assert!(SitePath::parse("/docs/").unwrap().is_directory_request());
        assert!(!SitePath::parse("/docs").unwrap().is_directory_request());
        assert_eq!(
            SitePath::parse("/a/App.JS").unwrap().extension().as_deref(),
            Some("js")
        );
        assert_eq!(SitePath::parse("/chats/42").unwrap().extension(), None);
        assert_eq!(SitePath::parse("/").unwrap().extension(), None);
        assert_eq!(extension_of(".env"), None);
        assert_eq!(extension_of("a."), None);
        assert_eq!(extension_of("v1.2.x-notes"), None);
        assert_eq!(
            extension_of("site.webmanifest").as_deref(),
            Some("webmanifest")
        );
    }

    #[test]
    fn hidden_segments_except_well_known() {
        assert!(SitePath::parse("/.env").unwrap().is_hidden());
        assert!(SitePath::parse("/.git/config").unwrap().is_hidden());
        assert!(SitePath::parse("/%2Egit/config").unwrap().is_hidden());
        assert!(
            !SitePath::parse("/.well-known/security.txt")
                .unwrap()
                .is_hidden()
        );
        assert!(!SitePath::parse("/assets/app.js").unwrap().is_hidden());
    }

    #[test]
    fn api_namespace_is_recognised_raw_and_decoded() {
        for raw in [
            "/api",
            "/api/",
            "/api/nope",
            "/v1",
            "/v1/models",
            "/api?x=1",
        ] {
            assert!(is_api_path(raw), "{raw}");
            assert!(SitePath::parse(raw).unwrap().is_api(), "{raw}");
        }
        for raw in ["/apix", "/api.html", "/v10/x", "/assets/api/x", "/"] {
            assert!(!is_api_path(raw), "{raw}");
            assert!(!SitePath::parse(raw).unwrap().is_api(), "{raw}");
        }
        assert!(!is_api_path("/%61pi/x"));
        assert!(SitePath::parse("/%61pi/x").unwrap().is_api());
        assert!(SitePath::parse("//api/x").unwrap().is_api());
    }
}
