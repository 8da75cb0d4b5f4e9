//! DOCX: a zip whose `word/document.xml` holds the paragraphs (`w:p`) and
//! `word/styles.xml` the paragraph styles that make some of them headings.
//!
//! The archive is bounded before and while it is read: the number of entries (counted from
//! the raw bytes before the `zip` crate reads its directory, then from that directory), the
//! sizes the entries declare, and the bytes actually inflated (a zip bomb lies in its
//! headers).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};
use zip::ZipArchive;

use crate::document::Builder;
use crate::{Document, ExtractError, FileKind, Limits};

const CONTENT_TYPES: &str = "[Content_Types].xml";
const DOCUMENT: &str = "word/document.xml";
const STYLES: &str = "word/styles.xml";
/// The WordprocessingML namespaces: transitional (what Word writes) and strict.
const NAMESPACES: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
/// Paragraphs nest (a text box inside a paragraph); deeper ones join the one that holds them.
const MAX_PARAGRAPH_NESTING: usize = 16;

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Document, ExtractError> {
    let too_many = ExtractError::TooManyEntries {
        limit: limits.max_zip_entries,
    };
    // Every entry of the central directory starts with this signature, so their count bounds
    // what the zip crate would read into memory.
    let signatures = bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count();
    if u64::try_from(signatures).unwrap_or(u64::MAX) > limits.max_zip_entries {
        return Err(too_many);
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| ExtractError::DocxDamaged)?;
    if u64::try_from(archive.len()).unwrap_or(u64::MAX) > limits.max_zip_entries {
        return Err(too_many);
    }
    if archive.index_for_name(CONTENT_TYPES).is_none() || archive.index_for_name(DOCUMENT).is_none()
    {
        return Err(ExtractError::Unsupported);
    }
    let mut unpacked_left = limits.max_unpacked_bytes;
    let styles = match archive.index_for_name(STYLES) {
        Some(_) => {
            let xml = read_part(&mut archive, STYLES, &mut unpacked_left, limits)?;
            // Headings are a nicety: a styles part that does not parse costs them only.
            heading_styles(&xml).unwrap_or_default()
        }
        None => HashMap::new(),
    };
    let xml = read_part(&mut archive, DOCUMENT, &mut unpacked_left, limits)?;
    paragraphs(&xml, &styles, limits)
}

/// The text of the entry `name`, counted against `unpacked_left`.
fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    unpacked_left: &mut u64,
    limits: &Limits,
) -> Result<String, ExtractError> {
    let too_large = ExtractError::TooLargeUnpacked {
        kind: FileKind::Docx,
        limit: limits.max_unpacked_bytes,
    };
    let entry = archive
        .by_name(name)
        .map_err(|_| ExtractError::DocxDamaged)?;
    if entry.size() > *unpacked_left {
        return Err(too_large);
    }
    let capacity = usize::try_from(entry.size().min(1 << 20)).unwrap_or(0);
    let mut data = Vec::with_capacity(capacity);
    entry
        .take(unpacked_left.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|_| ExtractError::DocxDamaged)?;
    let read = u64::try_from(data.len()).unwrap_or(u64::MAX);
    if read > *unpacked_left {
        return Err(too_large);
    }
    *unpacked_left -= read;
    let data = match data.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => data,
    };
    String::from_utf8(data).map_err(|_| ExtractError::DocxDamaged)
}

/// Whether `ns` is WordprocessingML's namespace.
fn is_word(ns: &ResolveResult<'_>) -> bool {
    matches!(ns, ResolveResult::Bound(ns) if NAMESPACES.contains(&ns.into_inner()))
}

/// The value of the element's attribute `key` (any prefix: `w:val`).
fn attribute(element: &BytesStart<'_>, key: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == key)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// The value of the element's `val` attribute (`w:val`).
fn val(element: &BytesStart<'_>) -> Option<String> {
    attribute(element, "val")
}

/// The level of a heading style: `Title` is 0, `heading N` (the built-in names, the same in
/// every language; the ids are translated, `Überschrift1` in German Word) and `HeadingN` ids
/// are N, and an outline level k (0-based) is k + 1.
fn heading_level(id: &str, name: Option<&str>, outline: Option<u8>) -> Option<u8> {
    let name = name.map(str::to_ascii_lowercase);
    if name.as_deref() == Some("title") || id == "Title" {
        return Some(0);
    }
    let numbered = name
        .as_deref()
        .and_then(|n| n.strip_prefix("heading "))
        .or_else(|| id.strip_prefix("Heading"))
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=9).contains(n));
    numbered.or_else(|| outline.filter(|k| *k < 9).map(|k| k + 1))
}

/// The paragraph styles of `styles.xml` that are headings: style id to level.
fn heading_styles(xml: &str) -> Result<HashMap<String, u8>, quick_xml::Error> {
    let mut reader = NsReader::from_str(xml);
    let mut styles = HashMap::new();
    // The paragraph style being read: its id, name and outline level.
    let mut current: Option<(String, Option<String>, Option<u8>)> = None;
    loop {
        let (ns, event) = reader.read_resolved_event()?;
        match event {
            Event::Start(e) | Event::Empty(e) if is_word(&ns) => {
                match e.local_name().into_inner() {
                    "style" => {
                        current = (attribute(&e, "type").as_deref() == Some("paragraph"))
                            .then(|| attribute(&e, "styleId"))
                            .flatten()
                            .map(|id| (id, None, None));
                    }
                    "name" => {
                        if let Some(style) = &mut current {
                            style.1 = val(&e);
                        }
                    }
                    "outlineLvl" => {
                        if let Some(style) = &mut current {
                            style.2 = val(&e).and_then(|v| v.parse().ok());
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) if is_word(&ns) && e.local_name().into_inner() == "style" => {
                if let Some((id, name, outline)) = current.take()
                    && let Some(level) = heading_level(&id, name.as_deref(), outline)
                {
                    styles.insert(id, level);
                }
            }
            Event::Eof => return Ok(styles),
            _ => {}
        }
    }
}

/// A paragraph being read.
#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    outline: Option<u8>,
}

/// The paragraphs of `document.xml`, in order.
fn paragraphs(
    xml: &str,
    styles: &HashMap<String, u8>,
    limits: &Limits,
) -> Result<Document, ExtractError> {
    let mut builder = Builder::new(FileKind::Docx, limits.max_chars);
    let mut reader = NsReader::from_str(xml);
    let mut open: Vec<Paragraph> = Vec::new();
    // Paragraphs nested deeper than MAX_PARAGRAPH_NESTING, merged into the innermost one.
    let mut merged = 0usize;
    // Inside `w:t` (text) or `w:pPr` (paragraph properties, whose `w:tab`s are tab stops).
    let (mut in_text, mut in_properties) = (false, false);
    // The bytes of the open paragraphs' text, not yet pushed.
    let mut pending = 0usize;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|_| ExtractError::DocxDamaged)?;
        let word = is_word(&ns);
        let mut added = 0;
        match event {
            Event::Start(e) if word => match e.local_name().into_inner() {
                "p" if open.len() < MAX_PARAGRAPH_NESTING => open.push(Paragraph::default()),
                "p" => merged += 1,
                "t" => in_text = true,
                "pPr" => in_properties = true,
                _ => {}
            },
            Event::Empty(e) if word => {
                let Some(paragraph) = open.last_mut() else {
                    continue;
                };
                let before = paragraph.text.len();
                match e.local_name().into_inner() {
                    "pStyle" if in_properties => paragraph.style = val(&e),
                    "outlineLvl" if in_properties => {
                        paragraph.outline = val(&e).and_then(|v| v.parse().ok());
                    }
                    "tab" if !in_properties => paragraph.text.push('\t'),
                    "br" | "cr" => paragraph.text.push('\n'),
                    "noBreakHyphen" => paragraph.text.push('-'),
                    _ => {}
                }
                added = paragraph.text.len() - before;
            }
            Event::End(e) if word => match e.local_name().into_inner() {
                "p" if merged > 0 => merged -= 1,
                "p" => {
                    if let Some(paragraph) = open.pop() {
                        pending = pending.saturating_sub(paragraph.text.len());
                        let level = paragraph
                            .style
                            .as_deref()
                            .and_then(|s| {
                                styles
                                    .get(s)
                                    .copied()
                                    .or_else(|| heading_level(s, None, None))
                            })
                            .or_else(|| paragraph.outline.filter(|k| *k < 9).map(|k| k + 1));
                        builder.push(&paragraph.text, None, level)?;
                    }
                }
                "t" => in_text = false,
                "pPr" => in_properties = false,
                _ => {}
            },
            Event::Text(text) if in_text => {
                if let Some(paragraph) = open.last_mut() {
                    let text = text.xml10_content();
                    paragraph.text.push_str(&text);
                    added = text.len();
                }
            }
            Event::CData(text) if in_text => {
                if let Some(paragraph) = open.last_mut() {
                    let text = text.xml10_content();
                    paragraph.text.push_str(&text);
                    added = text.len();
                }
            }
            Event::GeneralRef(reference) if in_text => {
                if let (Some(paragraph), Some(c)) = (open.last_mut(), entity(&reference)) {
                    paragraph.text.push(c);
                    added = c.len_utf8();
                }
            }
            Event::Eof => break,
            _ => {}
        }
        pending += added;
        builder.guard(pending)?;
    }
    builder.finish(None)
}

/// The character of a character reference or of one of XML's five predefined entities.
fn entity(reference: &BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c);
    }
    match &**reference {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_levels_from_names_ids_and_outline_levels() {
        assert_eq!(heading_level("Title", None, None), Some(0));
        assert_eq!(heading_level("Titel", Some("Title"), None), Some(0));
        assert_eq!(heading_level("Heading2", None, None), Some(2));
        assert_eq!(
            heading_level("berschrift1", Some("heading 1"), None),
            Some(1)
        );
        assert_eq!(
            heading_level("Custom", Some("My heading"), Some(2)),
            Some(3)
        );
        assert_eq!(heading_level("Custom", None, Some(9)), None);
        assert_eq!(heading_level("Heading10", None, None), None);
        assert_eq!(heading_level("Normal", Some("Normal"), None), None);
    }
}
