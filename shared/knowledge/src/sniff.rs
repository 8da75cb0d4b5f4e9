//! The type of a file from its bytes.
//!
//! The content decides, never the declared name or media type: a PDF named `report.docx` is a
//! PDF and is read as one (refusing it would only make the user rename a file that reads
//! fine; the stored type is the sniffed one). The name's extension only tells Markdown from
//! plain text, which the bytes cannot.

use crate::{ExtractError, FileKind, Limits};

/// Where a PDF's `%PDF-` header may start: readers accept a little junk before it.
const PDF_HEADER_WINDOW: usize = 1024;
/// A text with more control characters than one in this many is binary data.
const CONTROL_SHARE: usize = 10;

/// The type of `bytes`, declared as `name`; an error when it is none of the supported ones
/// or breaks the size limit.
pub fn sniff(bytes: &[u8], name: &str, limits: &Limits) -> Result<FileKind, ExtractError> {
    Ok(classify(bytes, name, limits)?.0)
}

/// What [`classify`] found: the kind, and for text its decoded content.
pub(crate) enum Content {
    Binary,
    Text(String),
}

pub(crate) fn classify(
    bytes: &[u8],
    name: &str,
    limits: &Limits,
) -> Result<(FileKind, Content), ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limits.max_file_bytes {
        return Err(ExtractError::TooLarge {
            limit: limits.max_file_bytes,
        });
    }
    let head = &bytes[..bytes.len().min(PDF_HEADER_WINDOW)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok((FileKind::Pdf, Content::Binary));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // Which zips are DOCX files is for the DOCX reader to tell (it opens the archive).
        return Ok((FileKind::Docx, Content::Binary));
    }
    let text = decode_text(bytes)?;
    Ok((text_kind(name), Content::Text(text)))
}

/// Markdown when `name` ends in `.md` or `.markdown` (any case), plain text otherwise.
fn text_kind(name: &str) -> FileKind {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown") => FileKind::Markdown,
        _ => FileKind::Text,
    }
}

/// `bytes` as text: UTF-16 with a byte order mark, or UTF-8 (with or without one). Binary data
/// (a NUL, or many control characters) is [`ExtractError::Unsupported`]; text in another
/// encoding [`ExtractError::TextEncoding`].
fn decode_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        decode_utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        decode_utf16(rest, u16::from_be_bytes)?
    } else {
        let rest = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) if looks_binary(rest.iter().map(|&b| char::from(b))) => {
                return Err(ExtractError::Unsupported);
            }
            Err(_) => return Err(ExtractError::TextEncoding),
        }
    };
    if looks_binary(text.chars()) {
        return Err(ExtractError::Unsupported);
    }
    Ok(text)
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ExtractError> {
    let (pairs, rest) = bytes.as_chunks::<2>();
    if !rest.is_empty() {
        return Err(ExtractError::Unsupported);
    }
    char::decode_utf16(pairs.iter().map(|&pair| unit(pair)))
        .collect::<Result<String, _>>()
        .map_err(|_| ExtractError::Unsupported)
}

/// A NUL, or more than one control character (other than tab, line feed, carriage return and
/// form feed) in [`CONTROL_SHARE`] characters.
fn looks_binary(chars: impl Iterator<Item = char>) -> bool {
    let (mut total, mut control) = (0usize, 0usize);
    for c in chars {
        if c == '\0' {
            return true;
        }
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            control += 1;
        }
    }
    control * CONTROL_SHARE > total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(bytes: &[u8], name: &str) -> Result<FileKind, ExtractError> {
        sniff(bytes, name, &Limits::default())
    }

    #[test]
    fn the_bytes_decide_and_the_name_only_tells_markdown_from_text() {
        assert_eq!(kind(b"%PDF-1.7\n", "notes.docx"), Ok(FileKind::Pdf));
        assert_eq!(kind(b"junk%PDF-1.4", "a"), Ok(FileKind::Pdf));
        assert_eq!(kind(b"PK\x03\x04rest", "a.pdf"), Ok(FileKind::Docx));
        assert_eq!(kind(b"# Title", "README.MD"), Ok(FileKind::Markdown));
        assert_eq!(kind(b"# Title", "x.markdown"), Ok(FileKind::Markdown));
        assert_eq!(kind(b"# Title", "x.txt"), Ok(FileKind::Text));
        assert_eq!(kind(b"# Title", "md"), Ok(FileKind::Text));
    }

    #[test]
    fn text_is_utf8_or_utf16_with_a_bom() {
        assert_eq!(decode_text(b"\xef\xbb\xbfcaf\xc3\xa9"), Ok("café".into()));
        assert_eq!(decode_text(b"\xff\xfeh\0i\0"), Ok("hi".into()));
        assert_eq!(decode_text(b"\xfe\xff\0h\0i"), Ok("hi".into()));
        assert_eq!(decode_text(b"\xff\xfeh\0i"), Err(ExtractError::Unsupported));
        // An unpaired surrogate.
        assert_eq!(
            decode_text(b"\xff\xfe\x00\xd8"),
            Err(ExtractError::Unsupported)
        );
        assert_eq!(decode_text(b"K\xe4se"), Err(ExtractError::TextEncoding));
    }

    #[test]
    fn binary_data_is_refused() {
        assert_eq!(kind(b"", "a.txt"), Err(ExtractError::Empty));
        assert_eq!(kind(b"abc\0def", "a.txt"), Err(ExtractError::Unsupported));
        assert_eq!(
            kind(b"\x01\x02\x03abc", "a.txt"),
            Err(ExtractError::Unsupported)
        );
        assert_eq!(
            kind(b"\x01\xff\x03abc", "a.txt"),
            Err(ExtractError::Unsupported)
        );
        // A few escape sequences in a long text are fine (they are stripped later).
        assert_eq!(
            kind(b"\x1b[1mbold\x1b[0m and plain text here", "a.txt"),
            Ok(FileKind::Text)
        );
    }

    #[test]
    fn the_size_limit_holds() {
        let limits = Limits {
            max_file_bytes: 3,
            ..Limits::default()
        };
        assert_eq!(
            sniff(b"abcd", "a.txt", &limits),
            Err(ExtractError::TooLarge { limit: 3 })
        );
        assert_eq!(sniff(b"abc", "a.txt", &limits), Ok(FileKind::Text));
    }
}
