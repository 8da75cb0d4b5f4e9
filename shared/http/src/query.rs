//! Query strings: `a=1&b=x%2Fy`, percent-decoded, `+` as a space (as HTML forms send them).

/// The value of parameter `name` in `query` (the part after `?`), decoded; the first one.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

/// Decodes `%XX` escapes and `+` (as a space); an invalid escape stays as it is, and bytes
/// that are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex_digit(bytes.get(i + 1)), hex_digit(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of an ASCII hex digit (and nothing else: `u8::from_str_radix` would also take a
/// sign, so that `%+1` became byte 1).
fn hex_digit(byte: Option<&u8>) -> Option<u8> {
    let digit = char::from(*byte?).to_digit(16)?;
    u8::try_from(digit).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_found_and_decoded() {
        let q = "limit=5&cursor=a%2Bb%3D&x&name=J%C3%BCrgen+M&bad=%zz&end=%4";
        assert_eq!(query_param(q, "limit").as_deref(), Some("5"));
        assert_eq!(query_param(q, "cursor").as_deref(), Some("a+b="));
        assert_eq!(query_param(q, "x").as_deref(), Some(""));
        assert_eq!(query_param(q, "name").as_deref(), Some("Jürgen M"));
        assert_eq!(query_param(q, "bad").as_deref(), Some("%zz"));
        assert_eq!(query_param(q, "end").as_deref(), Some("%4"));
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param("", "limit"), None);
        assert_eq!(percent_decode("%ff%41"), "\u{fffd}A");
    }

    #[test]
    fn an_escape_is_two_hex_digits_and_nothing_else() {
        // A sign is no hex digit (found by fuzzing: `%+3` decoded to byte 3).
        assert_eq!(percent_decode("J%+3%C3%BCrgen"), "J% 3\u{fc}rgen");
        assert_eq!(percent_decode("%-1%+f%+"), "%-1% f% ");
        assert_eq!(percent_decode("%4a%4A%"), "JJ%");
        assert_eq!(percent_decode("%\u{e9}1"), "%\u{e9}1");
    }
}
