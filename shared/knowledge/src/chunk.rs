//! Chunking: the document cut into pieces of about `target_tokens` for embedding and citing.
//!
//! The rules, in order:
//! - A chunk holds whole blocks (paragraphs, headings) while they fit `target_tokens`; a block
//!   that does not fit starts the next chunk. A block longer than `max_tokens` is split at
//!   sentence ends (`.`, `!`, `?`, `…` followed by whitespace, a line break, `。！？`); a
//!   sentence still longer than `max_tokens` at whitespace, into parts of at most
//!   `target_tokens`; a run without whitespace longer than that hard, at a character
//!   boundary.
//! - A chunk never spans two pages of a PDF, so that a citation names one page.
//! - A heading starts a new chunk, unless the chunk so far holds headings only and the
//!   heading fits (a heading and its subheading stay together). Each chunk carries the path of headings above its
//!   first block (each cut to [`MAX_HEADING_CHARS`] characters).
//! - Overlap: a chunk that continues the text of the one before (same page, no heading in
//!   between) starts with the tail of that one, at most `overlap_tokens` long and never more
//!   than room under `max_tokens` allows: whole sentences when a sentence starts in that
//!   tail, else whole words, else (only within a run of text that was itself cut hard) a
//!   hard cut.
//! - No chunk is estimated above `max_tokens` ([`estimate_tokens`]). The same document and
//!   options always give the same chunks.
//!
//! Each chunk's text is the slice `range` of [`Document::text`], so chunks can be mapped back
//! into the document.

use std::ops::Range;

use crate::Document;

/// Chunks are about this long by default (tokens).
pub const DEFAULT_TARGET_TOKENS: u32 = 400;
/// The default overlap with the chunk before (tokens).
pub const DEFAULT_OVERLAP_TOKENS: u32 = 60;
/// No chunk is longer than this by default (tokens); within the input limits of every
/// embedding model the hub talks to.
pub const DEFAULT_MAX_TOKENS: u32 = 512;
/// A heading in a chunk's heading path is cut to this many characters.
pub const MAX_HEADING_CHARS: usize = 200;

/// Bytes of text per token in [`estimate_tokens`].
const BYTES_PER_TOKEN: usize = 4;
/// How far back (characters) a sentence's end is looked for before a word.
const LOOKBACK: usize = 32;
const TERMINATORS: [char; 4] = ['.', '!', '?', '…'];
/// Terminators that end a sentence without a following space (CJK).
const FULL_WIDTH_TERMINATORS: [char; 3] = ['。', '！', '？'];
/// What may stand between a terminator and the space after it: `He said "stop."`.
const CLOSERS: [char; 8] = ['"', '\'', ')', ']', '»', '«', '”', '’'];

/// The estimated number of tokens of `text`: one per four bytes, rounded up. The same rule
/// as the chat domain's estimate (`hub_conversation::estimate_tokens`), written here so that
/// this crate does not depend on the chat domain and its database and provider crates.
pub fn estimate_tokens(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(BYTES_PER_TOKEN)).unwrap_or(u32::MAX)
}

/// How to cut a document into chunks; see the module's rules. Values out of range are
/// brought into it: `max_tokens` at least 1, `target_tokens` between 1 and `max_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOptions {
    /// The size a chunk grows to with whole blocks.
    pub target_tokens: u32,
    /// The most tokens a chunk repeats from the one before.
    pub overlap_tokens: u32,
    /// The most tokens of any chunk, overlap included.
    pub max_tokens: u32,
}

impl Default for ChunkOptions {
    fn default() -> Self {
        Self {
            target_tokens: DEFAULT_TARGET_TOKENS,
            overlap_tokens: DEFAULT_OVERLAP_TOKENS,
            max_tokens: DEFAULT_MAX_TOKENS,
        }
    }
}

/// One chunk of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Its position among the document's chunks, from 0.
    pub ordinal: u32,
    /// The text, overlap included.
    pub text: String,
    /// Where `text` is in [`Document::text`] (bytes).
    pub range: Range<usize>,
    /// The page of a PDF.
    pub page: Option<u32>,
    /// The headings above the chunk, outermost first.
    pub heading_path: Vec<String>,
    /// [`estimate_tokens`] of `text`.
    pub token_estimate: u32,
}

/// Byte budgets from [`ChunkOptions`].
struct Budget {
    target: usize,
    overlap: usize,
    max: usize,
}

impl Budget {
    fn new(options: &ChunkOptions) -> Self {
        let max = usize::try_from(options.max_tokens.max(1)).unwrap_or(usize::MAX);
        let target = usize::try_from(options.target_tokens.clamp(1, options.max_tokens.max(1)))
            .unwrap_or(usize::MAX);
        let overlap = usize::try_from(options.overlap_tokens).unwrap_or(usize::MAX);
        Self {
            target: target.saturating_mul(BYTES_PER_TOKEN),
            overlap: overlap.saturating_mul(BYTES_PER_TOKEN),
            max: max.saturating_mul(BYTES_PER_TOKEN),
        }
    }
}

/// A piece of a block that is never cut: a whole block, or a part of a long one.
struct Piece {
    range: Range<usize>,
    block: usize,
    /// The block's first piece.
    first: bool,
}

/// A chunk before its overlap.
struct Draft {
    content: Range<usize>,
    page: Option<u32>,
    heading_path: Vec<String>,
    /// Holds something besides headings.
    body: bool,
    /// Starts at a page or a heading: no overlap.
    fresh: bool,
}

/// Cuts `document` into chunks by the module's rules.
pub fn chunk(document: &Document, options: &ChunkOptions) -> Vec<Chunk> {
    let budget = Budget::new(options);
    let text = document.text();
    let pieces = pieces(document, &text, &budget);
    let drafts = drafts(document, &pieces, &budget);
    let mut chunks = Vec::with_capacity(drafts.len());
    for (i, draft) in drafts.iter().enumerate() {
        let start = match i.checked_sub(1).map(|p| &drafts[p]) {
            Some(previous) if !draft.fresh => {
                overlap_start(&text, &previous.content, &draft.content, &budget)
            }
            _ => draft.content.start,
        };
        let range = start..draft.content.end;
        let chunk_text = text[range.clone()].to_owned();
        chunks.push(Chunk {
            ordinal: u32::try_from(i).unwrap_or(u32::MAX),
            token_estimate: estimate_tokens(&chunk_text),
            text: chunk_text,
            range,
            page: draft.page,
            heading_path: draft.heading_path.clone(),
        });
    }
    chunks
}

/// The blocks as pieces: each block whole when it fits `max`, else cut (module rules).
fn pieces(document: &Document, text: &str, budget: &Budget) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut offset = 0;
    for (block, b) in document.blocks.iter().enumerate() {
        let range = offset..offset + b.text.len();
        offset = range.end + Document::SEPARATOR.len();
        let mut ranges = Vec::new();
        if range.len() <= budget.max {
            ranges.push(range);
        } else {
            split_block(text, range, budget, &mut ranges);
        }
        for (i, range) in ranges.into_iter().enumerate() {
            pieces.push(Piece {
                range,
                block,
                first: i == 0,
            });
        }
    }
    pieces
}

/// Packs the pieces into chunks of whole pieces (module rules), before overlap.
fn drafts(document: &Document, pieces: &[Piece], budget: &Budget) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut headings: Vec<(u8, String)> = Vec::new();
    for piece in pieces {
        let block = &document.blocks[piece.block];
        let heading = block.heading.filter(|_| piece.first);
        if let Some(level) = heading {
            while headings.last().is_some_and(|(l, _)| *l >= level) {
                headings.pop();
            }
            headings.push((level, block.text.chars().take(MAX_HEADING_CHARS).collect()));
        }
        let path = || headings.iter().map(|(_, h)| h.clone()).collect();
        if let Some(current) = drafts.last_mut() {
            let fits = current.page == block.page
                && piece.range.end - current.content.start <= budget.target;
            if fits && heading.is_some() && !current.body {
                current.content.end = piece.range.end;
                current.heading_path = path();
                continue;
            }
            if fits && heading.is_none() {
                current.content.end = piece.range.end;
                current.body = true;
                continue;
            }
        }
        let fresh = heading.is_some()
            || drafts
                .last()
                .is_none_or(|current| current.page != block.page);
        drafts.push(Draft {
            content: piece.range.clone(),
            page: block.page,
            heading_path: path(),
            body: heading.is_none(),
            fresh,
        });
    }
    drafts
}

/// Where a chunk with content `current` starts when it repeats the tail of `previous`.
fn overlap_start(
    text: &str,
    previous: &Range<usize>,
    current: &Range<usize>,
    budget: &Budget,
) -> usize {
    let room = budget.max.saturating_sub(current.end - previous.end);
    let length = budget.overlap.min(room);
    let mut window = previous.end.saturating_sub(length).max(previous.start + 1);
    while window < previous.end && !text.is_char_boundary(window) {
        window += 1;
    }
    if length == 0 || window >= previous.end {
        return current.start;
    }
    let (mut word, mut any) = (None, None);
    for (i, c) in text[window..previous.end].char_indices() {
        let p = window + i;
        if c.is_whitespace() {
            continue;
        }
        if is_sentence_start(text, p) {
            return p;
        }
        if word.is_none() && follows_whitespace(text, p) {
            word = Some(p);
        }
        any = any.or(Some(p));
    }
    // A hard cut only where the text itself was cut hard (no whitespace between the chunks).
    let hard = any.filter(|_| current.start == previous.end);
    word.or(hard).unwrap_or(current.start)
}

fn follows_whitespace(text: &str, p: usize) -> bool {
    text[..p]
        .chars()
        .next_back()
        .is_some_and(char::is_whitespace)
}

/// Whether a sentence starts at `p` (a character that is not whitespace): after a line break,
/// after a terminator (and closing quotes) followed by whitespace, after a full-width
/// terminator, or at the start of the text.
fn is_sentence_start(text: &str, p: usize) -> bool {
    let mut before = text[..p].chars().rev().take(LOOKBACK);
    let Some(last) = before.next() else {
        return true;
    };
    if FULL_WIDTH_TERMINATORS.contains(&last) {
        return true;
    }
    if !last.is_whitespace() {
        return false;
    }
    let mut newline = last == '\n';
    let mut in_whitespace = true;
    let mut seen = 1;
    for c in before {
        seen += 1;
        if in_whitespace {
            if c.is_whitespace() {
                newline |= c == '\n';
                continue;
            }
            if newline {
                return true;
            }
            in_whitespace = false;
        }
        if CLOSERS.contains(&c) {
            continue;
        }
        return TERMINATORS.contains(&c) || FULL_WIDTH_TERMINATORS.contains(&c);
    }
    // The text starts with whitespace before `p`, or the lookback ran out.
    newline || (in_whitespace && seen < LOOKBACK)
}

/// Cuts the block at `range` into sentences, and those longer than `max` into words packed
/// into parts of at most `target`, and words longer than that hard.
fn split_block(text: &str, range: Range<usize>, budget: &Budget, out: &mut Vec<Range<usize>>) {
    let mut start = range.start;
    let sentence_end = |start: usize, end: usize, out: &mut Vec<Range<usize>>| {
        let end = start + text[start..end].trim_end().len();
        if end == start {
            return;
        }
        if end - start <= budget.max {
            out.push(start..end);
        } else {
            split_words(text, start..end, budget.target, out);
        }
    };
    for (i, c) in text[range.clone()].char_indices() {
        let p = range.start + i;
        if p > start && !c.is_whitespace() && is_sentence_start(text, p) {
            sentence_end(start, p, out);
            start = p;
        }
    }
    sentence_end(start, range.end, out);
}

/// Packs the words of `range` into parts of at most `limit` bytes; a longer word is cut
/// hard.
fn split_words(text: &str, range: Range<usize>, limit: usize, out: &mut Vec<Range<usize>>) {
    let mut part = range.start..range.start;
    for word in words(text, range) {
        if word.end - part.start <= limit {
            part.end = word.end;
            continue;
        }
        if !part.is_empty() {
            out.push(part.clone());
        }
        part = word.clone();
        while part.len() > limit {
            let mut cut = part.start + limit;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push(part.start..cut);
            part.start = cut;
        }
    }
    if !part.is_empty() {
        out.push(part);
    }
}

/// The runs of non-whitespace in `range`.
fn words(text: &str, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let base = range.start;
    let mut chars = text[range].char_indices().peekable();
    std::iter::from_fn(move || {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let (start, _) = *chars.peek()?;
        let mut end = start;
        while let Some((i, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
            end = i + c.len_utf8();
        }
        Some(base + start..base + end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_starts() {
        let text = "One. Two!  \"Three?\" Four\nfive e.g.x 六。七";
        let starts: Vec<&str> = text
            .char_indices()
            .filter(|&(p, c)| !c.is_whitespace() && is_sentence_start(text, p))
            .map(|(p, _)| &text[p..])
            .collect();
        assert_eq!(
            starts,
            [
                text,
                "Two!  \"Three?\" Four\nfive e.g.x 六。七",
                "\"Three?\" Four\nfive e.g.x 六。七",
                "Four\nfive e.g.x 六。七",
                "five e.g.x 六。七",
                "七",
            ]
        );
    }

    #[test]
    fn words_and_hard_cuts() {
        let text = "aa bbb  cccccccccc d";
        let mut out = Vec::new();
        split_words(text, 0..text.len(), 6, &mut out);
        let parts: Vec<&str> = out.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(parts, ["aa bbb", "cccccc", "cccc d"]);
        // Cuts fall on character boundaries.
        let text = "ääää";
        let mut out = Vec::new();
        split_words(text, 0..text.len(), 5, &mut out);
        let parts: Vec<&str> = out.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(parts, ["ää", "ää"]);
    }
}
