//! The text of a file as [`crate::extract`] gives it: blocks (paragraphs and headings) in
//! reading order, each with its page when the file has pages.

use std::fmt;

use crate::ExtractError;

/// The type of a file, as sniffed from its bytes ([`crate::sniff`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A PDF (`%PDF-` header).
    Pdf,
    /// A Word document (a zip with `[Content_Types].xml` and `word/document.xml`).
    Docx,
    /// UTF-8 or UTF-16 text whose name ends in `.md` or `.markdown`.
    Markdown,
    /// Any other UTF-8 or UTF-16 text.
    Text,
}

impl FileKind {
    /// The stable name stored with a file: `pdf`, `docx`, `markdown`, `text`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Markdown => "markdown",
            Self::Text => "text",
        }
    }

    /// The media type to serve the file with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Text => "text/plain; charset=utf-8",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pdf => "PDF",
            Self::Docx => "DOCX",
            Self::Markdown => "Markdown",
            Self::Text => "text",
        })
    }
}

/// One paragraph or heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The text: control characters other than `\n` and `\t` removed, line ends `\n`, trimmed,
    /// never empty.
    pub text: String,
    /// The 1-based page of a PDF; `None` for files without pages.
    pub page: Option<u32>,
    /// The level of a heading, `None` for a paragraph: 0 for a document's title (the DOCX
    /// `Title` style), 1 to 9 for headings (`#` to `######` in Markdown).
    pub heading: Option<u8>,
}

/// The extracted text of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The file's type.
    pub kind: FileKind,
    /// The number of pages of a PDF (pages without text included), `None` otherwise.
    pub page_count: Option<u32>,
    /// The blocks in reading order; at least one.
    pub blocks: Vec<Block>,
}

impl Document {
    /// What stands between two blocks in [`Document::text`].
    pub const SEPARATOR: &'static str = "\n\n";

    /// The whole text: the blocks joined by [`Document::SEPARATOR`]. The byte ranges of
    /// [`crate::Chunk`]s point into it.
    pub fn text(&self) -> String {
        let len = self.blocks.iter().map(|b| b.text.len() + 2).sum();
        let mut text = String::with_capacity(len);
        for (i, block) in self.blocks.iter().enumerate() {
            if i > 0 {
                text.push_str(Self::SEPARATOR);
            }
            text.push_str(&block.text);
        }
        text
    }

    /// The number of characters of the blocks' text.
    pub fn char_count(&self) -> usize {
        self.blocks.iter().map(|b| b.text.chars().count()).sum()
    }
}

/// Collects blocks while counting their characters against the limit.
pub(crate) struct Builder {
    kind: FileKind,
    blocks: Vec<Block>,
    chars: u64,
    max_chars: u64,
}

impl Builder {
    pub(crate) fn new(kind: FileKind, max_chars: u64) -> Self {
        Self {
            kind,
            blocks: Vec::new(),
            chars: 0,
            max_chars,
        }
    }

    /// Adds a block of `text` (cleaned by [`clean`] and trimmed; nothing when that leaves it
    /// empty).
    pub(crate) fn push(
        &mut self,
        text: &str,
        page: Option<u32>,
        heading: Option<u8>,
    ) -> Result<(), ExtractError> {
        let cleaned = clean(text);
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            return Ok(());
        }
        self.count(trimmed)?;
        let text = if trimmed.len() == cleaned.len() {
            cleaned
        } else {
            trimmed.to_owned()
        };
        self.blocks.push(Block {
            text,
            page,
            heading,
        });
        Ok(())
    }

    /// Refuses early when `pending_bytes` of text not yet pushed would break the character
    /// limit whatever they hold (a character takes at most four bytes): bounds the memory of
    /// text gathered before it is split into blocks.
    pub(crate) fn guard(&self, pending_bytes: usize) -> Result<(), ExtractError> {
        let pending = u64::try_from(pending_bytes / 4).unwrap_or(u64::MAX);
        if self.chars.saturating_add(pending) > self.max_chars {
            return Err(self.too_much_text());
        }
        Ok(())
    }

    fn count(&mut self, text: &str) -> Result<(), ExtractError> {
        let chars = u64::try_from(text.chars().count()).unwrap_or(u64::MAX);
        self.chars = self.chars.saturating_add(chars);
        if self.chars > self.max_chars {
            return Err(self.too_much_text());
        }
        Ok(())
    }

    fn too_much_text(&self) -> ExtractError {
        ExtractError::TooMuchText {
            limit: self.max_chars,
        }
    }

    pub(crate) fn finish(self, page_count: Option<u32>) -> Result<Document, ExtractError> {
        if self.blocks.is_empty() {
            return Err(ExtractError::NoText { kind: self.kind });
        }
        Ok(Document {
            kind: self.kind,
            page_count,
            blocks: self.blocks,
        })
    }
}

/// `text` with line ends made `\n` (`\r\n`, `\r`, U+0085, U+2028, U+2029, form feed) and the
/// other control characters but `\t` removed, as well as byte order marks (U+FEFF).
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{c}' => out.push('\n'),
            '\t' => out.push('\t'),
            '\u{feff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_keeps_newlines_and_tabs_and_drops_other_controls() {
        assert_eq!(
            clean("a\r\nb\rc\u{2028}d\te\u{0}f\u{7}g\u{1b}[0mh\u{7f}i\u{feff}j\u{9f}"),
            "a\nb\nc\nd\tefg[0mhij"
        );
    }

    #[test]
    fn the_builder_counts_characters_not_bytes() {
        let mut builder = Builder::new(FileKind::Text, 3);
        assert_eq!(builder.push("äöü", None, None), Ok(()));
        assert_eq!(
            builder.push("x", None, None),
            Err(ExtractError::TooMuchText { limit: 3 })
        );
    }

    #[test]
    fn blank_blocks_are_dropped_and_none_means_no_text() {
        let mut builder = Builder::new(FileKind::Pdf, 100);
        assert_eq!(builder.push(" \n\u{0}\t ", Some(1), None), Ok(()));
        assert_eq!(
            builder.finish(Some(1)),
            Err(ExtractError::NoText {
                kind: FileKind::Pdf
            })
        );
    }
}
