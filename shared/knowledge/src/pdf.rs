//! PDF: the text layer of each page through `lopdf`, paragraphs split at blank lines, each
//! block carrying its page number.
//!
//! `lopdf` returns errors for what it cannot read, bounds the nesting of objects and the
//! decompression of streams (both set here from [`Limits`]), and is fuzzed through this
//! module (`fuzz/fuzz_targets/extract.rs`).

use lopdf::xref::XrefRecovery;
use lopdf::{DecompressError, LoadOptions};

use crate::document::Builder;
use crate::{Document, ExtractError, FileKind, Limits};

/// How far from the end of the file `%%EOF` may stand.
const END_MARKER_WINDOW: usize = 1024;

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Document, ExtractError> {
    let unpacked_limit = usize::try_from(limits.max_unpacked_bytes).unwrap_or(usize::MAX);
    let options = LoadOptions {
        max_decompressed_size: Some(unpacked_limit),
        ..LoadOptions::default()
    };
    let pdf = lopdf::Document::load_mem_with_options(bytes, options)
        .map_err(|e| load_error(&e, limits))?;
    if pdf.is_encrypted() && pdf.encryption_state.is_none() {
        return Err(ExtractError::PdfEncrypted);
    }
    // A file cut short (an interrupted upload) loses its cross-reference table and its
    // `%%EOF`: lopdf rebuilds the table from what is left, which would silently lose pages.
    if pdf.xref_recovery == Some(XrefRecovery::Reconstructed) && !has_end_marker(bytes) {
        return Err(ExtractError::PdfDamaged);
    }
    let pages = pdf.get_pages();
    if pages.is_empty() {
        return Err(ExtractError::PdfDamaged);
    }
    let page_count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    if page_count > limits.max_pages {
        return Err(ExtractError::TooManyPages {
            limit: limits.max_pages,
        });
    }
    let mut builder = Builder::new(FileKind::Pdf, limits.max_chars);
    // What the pages' content streams may still unpack to, all pages together.
    let mut unpacked_left = unpacked_limit;
    let mut unreadable = 0usize;
    for (&number, &page_id) in &pages {
        let content = match pdf.get_page_content_with_limit(page_id, unpacked_left) {
            Ok(content) => content,
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                return Err(too_large_unpacked(limits));
            }
            Err(_) => {
                unreadable += 1;
                continue;
            }
        };
        unpacked_left = unpacked_left.saturating_sub(content.len());
        // The text of a page, font by font; parts in fonts that do not decode are left out.
        let mut text = String::new();
        for part in pdf
            .extract_text_chunks_with_limit(&[number], content.len().saturating_add(1))
            .into_iter()
            .flatten()
        {
            builder.guard(text.len() + part.len())?;
            text.push_str(&part);
        }
        for paragraph in paragraphs(&text) {
            builder.push(paragraph, Some(number), None)?;
        }
    }
    if unreadable > 0 && unreadable == pages.len() {
        return Err(ExtractError::PdfDamaged);
    }
    builder.finish(Some(page_count))
}

fn load_error(error: &lopdf::Error, limits: &Limits) -> ExtractError {
    match error {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ExtractError::PdfEncrypted,
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
            too_large_unpacked(limits)
        }
        _ => ExtractError::PdfDamaged,
    }
}

/// Whether the file ends with `%%EOF` (some writers add a little after it).
fn has_end_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(END_MARKER_WINDOW)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

fn too_large_unpacked(limits: &Limits) -> ExtractError {
    ExtractError::TooLargeUnpacked {
        kind: FileKind::Pdf,
        limit: limits.max_unpacked_bytes,
    }
}

/// The parts of a page's text between blank lines.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (paragraph, after) = split_at_blank_line(rest);
            rest = after;
            if !paragraph.trim().is_empty() {
                return Some(paragraph);
            }
        }
    })
}

/// `text` before and after its first blank line (a line of whitespace only).
fn split_at_blank_line(text: &str) -> (&str, &str) {
    let mut line_start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            let next = i + 1;
            if line_start > 0 && text[line_start..i].trim().is_empty() {
                return (&text[..line_start], &text[next..]);
            }
            line_start = next;
        }
    }
    (text, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines() {
        let parts: Vec<&str> = paragraphs("a\nb\n\nc\n \t \nd\n\n\n").collect();
        assert_eq!(parts, ["a\nb\n", "c\n", "d\n"]);
        assert_eq!(paragraphs("\n\n").count(), 0);
    }
}
