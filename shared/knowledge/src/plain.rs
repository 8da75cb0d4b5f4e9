//! Plain text and Markdown: paragraphs split at blank lines; in Markdown, ATX headings (`#`
//! to `######` at the start of a line) outside fenced code blocks are headings.

use crate::document::{Builder, clean};
use crate::{Document, ExtractError, FileKind, Limits};

pub(crate) fn extract(
    text: &str,
    kind: FileKind,
    limits: &Limits,
) -> Result<Document, ExtractError> {
    let mut builder = Builder::new(kind, limits.max_chars);
    let text = clean(text);
    let markdown = kind == FileKind::Markdown;
    let mut paragraph = String::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.split('\n') {
        if markdown {
            if let Some((fence_char, fence_len)) = fence {
                paragraph.push_str(line);
                paragraph.push('\n');
                if closes_fence(line, fence_char, fence_len) {
                    fence = None;
                }
                continue;
            }
            if let Some(opened) = opens_fence(line) {
                fence = Some(opened);
                paragraph.push_str(line);
                paragraph.push('\n');
                continue;
            }
            if let Some((level, title)) = atx_heading(line) {
                flush(&mut builder, &mut paragraph)?;
                builder.push(title, None, Some(level))?;
                continue;
            }
        }
        if line.trim().is_empty() {
            flush(&mut builder, &mut paragraph)?;
        } else {
            paragraph.push_str(line);
            paragraph.push('\n');
        }
    }
    flush(&mut builder, &mut paragraph)?;
    builder.finish(None)
}

fn flush(builder: &mut Builder, paragraph: &mut String) -> Result<(), ExtractError> {
    let result = builder.push(paragraph, None, None);
    paragraph.clear();
    result
}

/// Up to three spaces of indentation.
fn unindent(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3).then_some(rest)
}

/// `# Title ##` → `(1, "Title")`: one to six `#`, then a space or the end of the line; the
/// closing run of `#` is dropped.
fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let rest = unindent(line)?;
    let title = rest.trim_start_matches('#');
    let level = rest.len() - title.len();
    if !(1..=6).contains(&level) || !(title.is_empty() || title.starts_with([' ', '\t'])) {
        return None;
    }
    let title = title.trim();
    let without_closing = title.trim_end_matches('#');
    let title = if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        without_closing.trim_end()
    } else {
        title
    };
    Some((u8::try_from(level).ok()?, title))
}

/// A line of three or more backticks or tildes opens a fenced code block.
fn opens_fence(line: &str) -> Option<(char, usize)> {
    let rest = unindent(line)?;
    let fence_char = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = rest.len() - rest.trim_start_matches(fence_char).len();
    (len >= 3).then_some((fence_char, len))
}

fn closes_fence(line: &str, fence_char: char, fence_len: usize) -> bool {
    let Some(rest) = unindent(line) else {
        return false;
    };
    let after = rest.trim_start_matches(fence_char);
    rest.len() - after.len() >= fence_len && after.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str, kind: FileKind) -> Vec<(Option<u8>, String)> {
        extract(text, kind, &Limits::default())
            .map(|d| d.blocks.into_iter().map(|b| (b.heading, b.text)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn atx_headings() {
        assert_eq!(atx_heading("# Title"), Some((1, "Title")));
        assert_eq!(atx_heading("###   Deep  ###  "), Some((3, "Deep")));
        assert_eq!(atx_heading("## C#"), Some((2, "C#")));
        assert_eq!(atx_heading("   ## x"), Some((2, "x")));
        assert_eq!(atx_heading("    ## code"), None);
        assert_eq!(atx_heading("#hashtag"), None);
        assert_eq!(atx_heading("####### seven"), None);
        assert_eq!(atx_heading("#"), Some((1, "")));
    }

    #[test]
    fn markdown_headings_and_paragraphs() {
        let text = "# Guide\nIntro line one\nline two\n\n## Setup\n```sh\n# not a heading\n\necho\n```\nAfter\n\n\n### Done";
        assert_eq!(
            blocks(text, FileKind::Markdown),
            vec![
                (Some(1), "Guide".into()),
                (None, "Intro line one\nline two".into()),
                (Some(2), "Setup".into()),
                (None, "```sh\n# not a heading\n\necho\n```\nAfter".into()),
                (Some(3), "Done".into()),
            ]
        );
    }

    #[test]
    fn plain_text_has_paragraphs_and_no_headings() {
        assert_eq!(
            blocks("# not\r\nmarked\r\n \r\nsecond\u{7}", FileKind::Text),
            vec![(None, "# not\nmarked".into()), (None, "second".into())]
        );
    }

    #[test]
    fn the_character_limit_holds() {
        let limits = Limits {
            max_chars: 5,
            ..Limits::default()
        };
        assert_eq!(
            extract("abcdef", FileKind::Text, &limits),
            Err(ExtractError::TooMuchText { limit: 5 })
        );
    }
}
