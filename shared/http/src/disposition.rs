//! `Content-Disposition` for downloads under names users chose (RFC 6266, RFC 8187).

/// The characters RFC 8187 lets stand unencoded in an extended value (`attr-char`).
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

/// `attachment; filename="<ascii>"; filename*=UTF-8''<encoded>` for a file named `name`, safe
/// whatever the name holds: the quoted fallback for old clients keeps printable ASCII only
/// (no quote, backslash, CR, LF or other control character; anything else becomes `_`), and
/// the extended value percent-encodes every byte of the UTF-8 name but `attr-char`s. A name
/// that leaves nothing is `download`.
pub fn attachment(name: &str) -> String {
    let fallback: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let fallback = match fallback.trim() {
        "" => "download",
        trimmed => trimmed,
    };
    let mut encoded = String::with_capacity(name.len() * 3);
    for &b in name.as_bytes() {
        if is_attr_char(b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    if encoded.is_empty() {
        encoded.push_str("download");
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_cannot_break_out_of_the_header() {
        assert_eq!(
            attachment("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        let value = attachment("a\"b\r\nSet-Cookie: x=1\\.pdf");
        assert_eq!(
            value,
            "attachment; filename=\"abSet-Cookie: x=1.pdf\"; \
             filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%3D1%5C.pdf"
        );
        assert!(!value.contains(['\r', '\n']));
        assert_eq!(
            attachment("Häuser €.txt"),
            "attachment; filename=\"H_user _.txt\"; filename*=UTF-8''H%C3%A4user%20%E2%82%AC.txt"
        );
        assert_eq!(
            attachment("\r\n"),
            "attachment; filename=\"download\"; filename*=UTF-8''%0D%0A"
        );
        assert_eq!(
            attachment(""),
            "attachment; filename=\"download\"; filename*=UTF-8''download"
        );
    }
}
