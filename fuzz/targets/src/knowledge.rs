//! `hub-knowledge`: type sniffing, extraction of PDF, DOCX, Markdown and text, and chunking.

use hub_knowledge::{
    ChunkOptions, Document, ExtractError, FileKind, Limits, chunk, estimate_tokens,
};

/// Limits small enough that every run is fast, large enough for the seeds.
const LIMITS: Limits = Limits {
    max_file_bytes: 1_000_000,
    max_pages: 50,
    max_chars: 200_000,
    max_unpacked_bytes: 4_000_000,
    max_zip_entries: 200,
};

const OPTIONS: ChunkOptions = ChunkOptions {
    target_tokens: 40,
    overlap_tokens: 8,
    max_tokens: 60,
};

/// `hub_knowledge::extract` of any bytes, declared as Markdown and as text, then `chunk` of
/// what it accepts.
///
/// Invariants: no panic; a refusal has one of the listed reason codes and a message; an
/// accepted document has blocks of trimmed, non-empty text without control characters but
/// `\n` and `\t`, within the character limit, with pages (1 to the page count) exactly for a
/// PDF; its chunks are slices of its text in order, cover it, stay on one page and within
/// `max_tokens`.
pub fn extract(data: &[u8]) {
    for name in ["upload.md", "upload.txt"] {
        match hub_knowledge::extract(data, name, &LIMITS) {
            Ok(document) => check_document(&document),
            Err(error) => check_error(&error),
        }
    }
}

fn check_error(error: &ExtractError) {
    assert!(ExtractError::CODES.contains(&error.code()), "{error:?}");
    assert!(!error.to_string().is_empty());
}

fn check_document(document: &Document) {
    assert!(!document.blocks.is_empty());
    let chars = document.char_count();
    assert!(chars as u64 <= LIMITS.max_chars, "{chars} characters");
    for block in &document.blocks {
        let text = &block.text;
        assert!(!text.is_empty() && text.trim() == text, "{block:?}");
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{block:?}"
        );
        match (document.kind, block.page, document.page_count) {
            (FileKind::Pdf, Some(page), Some(count)) => assert!((1..=count).contains(&page)),
            (FileKind::Pdf, ..) => panic!("a PDF block without a page: {block:?}"),
            (_, page, count) => assert!(page.is_none() && count.is_none(), "{block:?}"),
        }
    }
    let text = document.text();
    let chunks = chunk(document, &OPTIONS);
    let mut end = 0;
    let mut start = None;
    for c in &chunks {
        assert_eq!(text[c.range.clone()], c.text);
        assert!(c.token_estimate == estimate_tokens(&c.text));
        assert!(c.token_estimate <= OPTIONS.max_tokens, "{c:?}");
        assert!(start.is_none_or(|s| c.range.start > s), "{c:?}");
        assert!(c.range.start <= end || text[end..c.range.start].trim().is_empty());
        assert!(c.range.end > end || end == 0);
        start = Some(c.range.start);
        end = c.range.end;
    }
    assert_eq!(end, text.len());
}
