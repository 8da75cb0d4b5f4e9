//! Headers sent with every response of the component.

/// The Content-Security-Policy: everything from our own origin, no inline
/// scripts, no plugins, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// Security headers added to every response, errors and 304s included.
/// (`Strict-Transport-Security` belongs to whatever terminates TLS.)
pub const SECURITY_HEADERS: [(&str, &str); 7] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_forbids_inline_scripts_framing_and_plugins() {
        let directives: Vec<&str> = CONTENT_SECURITY_POLICY.split("; ").collect();
        assert!(directives.contains(&"script-src 'self'"));
        assert!(directives.contains(&"object-src 'none'"));
        assert!(directives.contains(&"frame-ancestors 'none'"));
        assert!(directives.contains(&"default-src 'self'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-eval"));
        assert!(!CONTENT_SECURITY_POLICY.contains("  "));
    }

    #[test]
    fn names_are_lower_case_and_unique() {
        for (i, (name, _)) in SECURITY_HEADERS.iter().enumerate() {
            assert_eq!(*name, name.to_ascii_lowercase());
            assert!(SECURITY_HEADERS[i + 1..].iter().all(|(n, _)| n != name));
        }
    }
}
