//! Content types by file extension.

/// The `Content-Type` for a file extension (lower-case, without the dot).
/// Unknown extensions are `application/octet-stream`, which browsers will not
/// render or execute (with `X-Content-Type-Options: nosniff`).
pub fn content_type(extension: Option<&str>) -> &'static str {
    match extension.unwrap_or_default() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// Whether a content type is worth compressing (text-like); only these are
/// looked up as precompressed `.br` / `.gz` siblings.
pub fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/manifest+json")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("application/wasm")
        || content_type.starts_with("image/svg+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_frontend_types() {
        let cases = [
            ("html", "text/html; charset=utf-8"),
            ("js", "text/javascript; charset=utf-8"),
            ("mjs", "text/javascript; charset=utf-8"),
            ("css", "text/css; charset=utf-8"),
            ("json", "application/json"),
            ("map", "application/json"),
            ("svg", "image/svg+xml"),
            ("png", "image/png"),
            ("jpg", "image/jpeg"),
            ("webp", "image/webp"),
            ("ico", "image/x-icon"),
            ("woff2", "font/woff2"),
            ("txt", "text/plain; charset=utf-8"),
            ("wasm", "application/wasm"),
            ("webmanifest", "application/manifest+json"),
        ];
        for (ext, expected) in cases {
            assert_eq!(content_type(Some(ext)), expected, "{ext}");
        }
    }

    #[test]
    fn unknown_or_missing_extension_is_octet_stream() {
        assert_eq!(content_type(Some("exe")), "application/octet-stream");
        assert_eq!(content_type(None), "application/octet-stream");
    }

    #[test]
    fn text_like_types_are_compressible_images_are_not() {
        assert!(is_compressible(content_type(Some("js"))));
        assert!(is_compressible(content_type(Some("svg"))));
        assert!(is_compressible(content_type(Some("wasm"))));
        assert!(!is_compressible(content_type(Some("png"))));
        assert!(!is_compressible(content_type(Some("woff2"))));
    }
}
