//! Cache-Control policy per file.

/// How long a browser may keep a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// Content-hashed asset: the name changes whenever the content does.
    Immutable,
    /// HTML entry points (and the SPA fallback): always revalidate, so a deploy
    /// is picked up on the next load.
    Revalidate,
    /// Anything else (favicon, robots.txt, ...): a few minutes.
    Short,
}

impl CachePolicy {
    /// The policy for a file at `relative` (its path in the site, `/`-separated).
    pub fn for_file(relative: &str) -> Self {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        let is_html = name.rsplit_once('.').is_some_and(|(_, ext)| {
            ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm")
        });
        if is_html {
            Self::Revalidate
        } else if relative.starts_with("assets/") || has_content_hash(name) {
            Self::Immutable
        } else {
            Self::Short
        }
    }

    /// The `Cache-Control` header value.
    pub fn header_value(self) -> &'static str {
        match self {
            Self::Immutable => "public, max-age=31536000, immutable",
            Self::Revalidate => "no-cache",
            Self::Short => "public, max-age=300",
        }
    }
}

/// Whether a file name carries a content hash as bundlers write them:
/// `index-D8b4DLOm.js`, `chunk.3f9a8b2c.js`, `main.3f9a8b2c.chunk.js`. A part of
/// the stem after a `-` or `.` counts as a hash if it is at least 8 characters of
/// `[A-Za-z0-9_]` with at least one digit (so `background-controls.js` is not
/// mistaken for one).
fn has_content_hash(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.split(['-', '.']).skip(1).any(|part| {
        part.len() >= 8
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && part.bytes().any(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_revalidates_everywhere() {
        assert_eq!(CachePolicy::for_file("index.html"), CachePolicy::Revalidate);
        assert_eq!(
            CachePolicy::for_file("docs/index.html"),
            CachePolicy::Revalidate
        );
        assert_eq!(
            CachePolicy::for_file("assets/page.html"),
            CachePolicy::Revalidate
        );
        assert_eq!(CachePolicy::Revalidate.header_value(), "no-cache");
    }

    #[test]
    fn assets_dir_and_hashed_names_are_immutable() {
        for rel in [
            "assets/logo.svg",
            "assets/index-D8b4DLOm.js",
            "index-D8b4DLOm.js",
            "chunk.3f9a8b2c.css",
            "static/main.3f9a8b2c.chunk.js",
            "font-a1b2c3d4e5.woff2",
        ] {
            assert_eq!(CachePolicy::for_file(rel), CachePolicy::Immutable, "{rel}");
        }
        assert_eq!(
            CachePolicy::Immutable.header_value(),
            "public, max-age=31536000, immutable"
        );
    }

    #[test]
    fn ordinary_names_get_a_short_cache() {
        for rel in [
            "app.js",
            "app.css",
            "favicon.ico",
            "robots.txt",
            "background-controls.js",
            "jquery-3.7.1.min.js",
            "img/photo-1234567.png",
            "manifest.webmanifest",
        ] {
            assert_eq!(CachePolicy::for_file(rel), CachePolicy::Short, "{rel}");
        }
        assert_eq!(CachePolicy::Short.header_value(), "public, max-age=300");
    }
}
