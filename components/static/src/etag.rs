//! Entity tags and `If-None-Match`.

use std::time::{SystemTime, UNIX_EPOCH};

/// A strong ETag from the exact bytes served: length and 64-bit FNV-1a hash.
/// Not a security property, only change detection.
pub fn from_content(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{:x}-{hash:016x}\"", bytes.len())
}

/// A weak ETag from size and modification time, for files too large to hash
/// per request. `None` when the mount reports no usable mtime (e.g. the epoch,
/// as some packaging normalises it), since size alone would hide changes.
pub fn from_metadata(len: u64, modified: Option<SystemTime>) -> Option<String> {
    let since_epoch = modified?.duration_since(UNIX_EPOCH).ok()?;
    if since_epoch.is_zero() {
        return None;
    }
    Some(format!(
        "W/\"{len:x}-{:x}.{:x}\"",
        since_epoch.as_secs(),
        since_epoch.subsec_nanos()
    ))
}

/// Whether an `If-None-Match` header value matches `etag` (weak comparison,
/// as RFC 9110 prescribes for `If-None-Match`).
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    let wanted = opaque(etag);
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || (!candidate.is_empty() && opaque(candidate) == wanted))
}

fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn content_etag_is_quoted_and_changes_with_content() {
        let a = from_content(b"<html>a</html>");
        let b = from_content(b"<html>b</html>");
        assert!(a.starts_with('"') && a.ends_with('"'), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, from_content(b"<html>a</html>"));
    }

    #[test]
    fn metadata_etag_is_weak_and_absent_without_a_real_mtime() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 5);
        let tag = from_metadata(10, Some(t)).unwrap();
        assert!(tag.starts_with("W/\""), "{tag}");
        assert_ne!(Some(tag), from_metadata(11, Some(t)));
        assert_eq!(from_metadata(10, Some(UNIX_EPOCH)), None);
        assert_eq!(from_metadata(10, None), None);
    }

    #[test]
    fn if_none_match_lists_weak_tags_and_star() {
        let tag = "\"a-1\"";
        assert!(matches("\"a-1\"", tag));
        assert!(matches("W/\"a-1\"", tag));
        assert!(matches("\"x\", \"a-1\"", tag));
        assert!(matches("*", tag));
        assert!(matches("\"a-1\"", "W/\"a-1\""));
        assert!(!matches("\"a-2\"", tag));
        assert!(!matches("", tag));
        assert!(!matches("a-1", tag));
    }
}
