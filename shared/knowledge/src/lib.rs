//! Knowledge files: what the upload component reads out of a file before it stores and
//! embeds it. Pure Rust without I/O, threads or C libraries, so that it runs inside a Spin
//! component (wasm32-wasip2) as well as natively.
//!
//! 1. [`sniff`]: the type from the bytes ([`FileKind`]); the name only tells Markdown from
//!    plain text (see the `sniff` module for why a PDF named `.docx` is read as a PDF).
//! 2. [`extract`]: the text as a [`Document`] of blocks (paragraphs and headings, with page
//!    numbers for PDFs), within [`Limits`]; every refusal is an [`ExtractError`] with a
//!    sentence for the user and a stable [`ExtractError::code`]. No input makes it panic
//!    (fuzzed: `fuzz/fuzz_targets/extract.rs`).
//! 3. [`chunk()`]: the document cut into [`Chunk`]s by tokens, with overlap, along paragraph,
//!    heading and page boundaries (the rules are in the `chunk` module).
//!
//! And for search results, [`headline`]: a chunk's passages around a query's words.
//!
//! What each limit protects against is on its `DEFAULT_*` constant.

mod chunk;
mod document;
mod docx;
mod error;
mod headline;
mod limits;
mod pdf;
mod plain;
mod sniff;

pub use chunk::{
    Chunk, ChunkOptions, DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS, DEFAULT_TARGET_TOKENS,
    MAX_HEADING_CHARS, chunk, estimate_tokens,
};
pub use document::{Block, Document, FileKind, clean};
pub use error::ExtractError;
pub use headline::headline;
pub use limits::{
    DEFAULT_MAX_CHARS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PAGES, DEFAULT_MAX_UNPACKED_BYTES,
    DEFAULT_MAX_ZIP_ENTRIES, Limits,
};
pub use sniff::sniff;

use sniff::Content;

/// The text of the file `bytes`, uploaded as `name`, within `limits`.
pub fn extract(bytes: &[u8], name: &str, limits: &Limits) -> Result<Document, ExtractError> {
    match sniff::classify(bytes, name, limits)? {
        (FileKind::Pdf, _) => pdf::extract(bytes, limits),
        (FileKind::Docx, _) => docx::extract(bytes, limits),
        (kind, Content::Text(text)) => plain::extract(&text, kind, limits),
        (_, Content::Binary) => Err(ExtractError::Unsupported),
    }
}
