//! Extraction of real files (tests/fixtures, made by fpdf2 and python-docx: see its README)
//! and of the malicious corpus: each hostile input ends as a typed error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};

use hub_knowledge::{
    ChunkOptions, Document, ExtractError, FileKind, Limits, chunk, extract, sniff,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(bytes: &[u8], name: &str) -> Result<Document, ExtractError> {
    extract(bytes, name, &Limits::default())
}

/// Each block as (page, heading level, text).
fn blocks(document: &Document) -> Vec<(Option<u32>, Option<u8>, &str)> {
    document
        .blocks
        .iter()
        .map(|b| (b.page, b.heading, b.text.as_str()))
        .collect()
}

const WORD_CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

/// A zip of `(name, content)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A DOCX with `body` (WordprocessingML inside `w:body`) and optionally a styles part.
fn docx(body: &str, styles: Option<&str>) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", WORD_CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ];
    let styles = styles.map(|s| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{s}</w:styles>"#
        )
    });
    if let Some(styles) = &styles {
        entries.push(("word/styles.xml", styles.as_bytes()));
    }
    zip_of(&entries)
}

/// Overwrites the uncompressed size `name` declares in its local header and in the central
/// directory with `size`: a zip bomb's lie.
fn declare_size(zip: &mut [u8], name: &str, size: u32, local: bool, central: bool) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" if local => (i + 22, i + 26, i + 30),
            b"PK\x01\x02" if central => (i + 24, i + 28, i + 46),
            _ => continue,
        };
        let len = usize::from(u16::from_le_bytes([zip[name_len_at], zip[name_len_at + 1]]));
        if zip.get(name_at..name_at + len) == Some(name.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, usize::from(local) + usize::from(central), "{name}");
}

#[test]
fn a_multipage_pdf_keeps_its_page_numbers() {
    let document = read(&fixture("multipage.pdf"), "orchard.pdf").unwrap();
    assert_eq!(document.kind, FileKind::Pdf);
    assert_eq!(document.page_count, Some(4));
    assert_eq!(
        blocks(&document),
        [
            (
                Some(1),
                None,
                "Orchard report\nThe first page is about apples. Apples grow in the orchard near \
                 the river.\nGröße und Qualität: the harvest was good."
            ),
            (
                Some(2),
                None,
                "The second page is about bananas. Bananas need a warm climate."
            ),
            // Page 3 holds drawings only.
            (
                Some(4),
                None,
                "The fourth page is about cherries. Cherries ripen in June."
            ),
        ]
    );
    let options = ChunkOptions {
        target_tokens: 15,
        overlap_tokens: 5,
        max_tokens: 20,
    };
    let chunks = chunk(&document, &options);
    assert!(chunks.len() > 3, "{chunks:?}");
    for c in &chunks {
        // Each chunk lies within the text of its page.
        let page: Vec<&str> = document
            .blocks
            .iter()
            .filter(|b| b.page == c.page)
            .map(|b| b.text.as_str())
            .collect();
        assert!(page.join(Document::SEPARATOR).contains(&c.text), "{c:?}");
    }
    let pages: Vec<u32> = chunks.iter().filter_map(|c| c.page).collect();
    assert!(pages.windows(2).all(|w| w[0] <= w[1]), "{pages:?}");
    assert!(pages.contains(&4) && !pages.contains(&3), "{pages:?}");
}

#[test]
fn a_pdf_named_docx_is_read_as_the_pdf_it_is() {
    let pdf = fixture("multipage.pdf");
    assert_eq!(
        sniff(&pdf, "report.docx", &Limits::default()),
        Ok(FileKind::Pdf)
    );
    assert_eq!(read(&pdf, "report.docx"), read(&pdf, "report.pdf"));
}

#[test]
fn an_encrypted_pdf_is_refused_unless_it_opens_without_a_password() {
    let error = read(&fixture("encrypted.pdf"), "secret.pdf").unwrap_err();
    assert_eq!(error, ExtractError::PdfEncrypted);
    assert_eq!(error.code(), "pdf_encrypted");
    assert_eq!(error.to_string(), "The PDF is encrypted");
    // Only an owner password (permissions): readers open it without asking.
    let document = read(&fixture("owner-only.pdf"), "permissions.pdf").unwrap();
    assert_eq!(
        blocks(&document),
        [(
            Some(1),
            None,
            "This text is readable without a password only when none is set."
        )]
    );
}

#[test]
fn a_pdf_without_a_text_layer_has_no_text() {
    let error = read(&fixture("scanned.pdf"), "scan.pdf").unwrap_err();
    assert_eq!(
        error,
        ExtractError::NoText {
            kind: FileKind::Pdf
        }
    );
    assert_eq!(error.to_string(), "No text found (a scanned PDF?)");
}

#[test]
fn a_truncated_or_broken_pdf_is_damaged() {
    let pdf = fixture("multipage.pdf");
    for percent in [5, 20, 50, 70, 90, 99] {
        let cut = &pdf[..pdf.len() * percent / 100];
        assert_eq!(
            read(cut, "cut.pdf"),
            Err(ExtractError::PdfDamaged),
            "cut at {percent}%"
        );
    }
    assert_eq!(
        read(b"%PDF-1.7\n%%EOF\n", "tiny.pdf"),
        Err(ExtractError::PdfDamaged)
    );
    let error = read(b"%PDF-1.4\nthis is no pdf at all", "x.pdf").unwrap_err();
    assert_eq!(error.code(), "pdf_damaged");
    assert_eq!(error.to_string(), "The PDF is damaged");
}

#[test]
fn the_page_limit_holds() {
    let limits = Limits {
        max_pages: 3,
        ..Limits::default()
    };
    let error = extract(&fixture("multipage.pdf"), "a.pdf", &limits).unwrap_err();
    assert_eq!(error, ExtractError::TooManyPages { limit: 3 });
    assert_eq!(error.to_string(), "The document has more than 3 pages");
    let limits = Limits {
        max_pages: 4,
        ..Limits::default()
    };
    assert!(extract(&fixture("multipage.pdf"), "a.pdf", &limits).is_ok());
}

#[test]
fn docx_headings_come_through_with_their_levels_and_paths() {
    let document = read(&fixture("headings.docx"), "policy.docx").unwrap();
    assert_eq!(document.kind, FileKind::Docx);
    assert_eq!(document.page_count, None);
    assert_eq!(
        blocks(&document),
        [
            (None, Some(0), "Travel policy"),
            (
                None,
                None,
                "This policy applies to every employee who travels for work."
            ),
            (None, Some(1), "Booking"),
            (
                None,
                None,
                "Book trains & flights through the portal <travel>."
            ),
            (
                None,
                None,
                "Hotels: up to 120 € per night.\nExceptions need approval.\tAsk your manager."
            ),
            (None, Some(2), "Long trips"),
            (
                None,
                None,
                "Trips over two weeks need a plan. Käse, Größe, Übung."
            ),
            (None, None, "Pack light"),
            (None, None, "Cell one"),
            (None, None, "Cell two"),
            (None, Some(1), "Expenses"),
            (None, None, "Submit receipts within 30 days."),
        ]
    );
    let chunks = chunk(&document, &ChunkOptions::default());
    let paths: Vec<(&str, Vec<&str>)> = chunks
        .iter()
        .map(|c| {
            (
                c.text.split('\n').next().unwrap(),
                c.heading_path.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            ("Travel policy", vec!["Travel policy"]),
            ("Booking", vec!["Travel policy", "Booking"]),
            ("Long trips", vec!["Travel policy", "Booking", "Long trips"]),
            ("Expenses", vec!["Travel policy", "Expenses"]),
        ]
    );
}

#[test]
fn docx_heading_styles_are_found_by_name_in_any_language_and_by_outline_level() {
    // German Word names its heading style ids "berschrift1"; the style's name stays
    // "heading 1". Another prefix than `w:` binds the same namespace.
    let styles = r#"<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Eigene"><w:name w:val="Eigene"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style><w:style w:type="character" w:styleId="Heading9"><w:name w:val="heading 9"/></w:style>"#;
    let body = r#"<w:p><w:pPr><w:pStyle w:val="berschrift1"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Einleitung</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="Eigene"/></w:pPr><w:r><w:t xml:space="preserve">Drei </w:t></w:r><w:r><w:t>&amp; mehr &#x263A;</w:t></w:r></w:p><w:p><w:r><w:delText>gelöscht</w:delText><w:instrText>PAGE</w:instrText><w:t>Text</w:t><w:noBreakHyphen/><w:t>teil</w:t></w:r></w:p><x:p xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><x:pPr><x:outlineLvl x:val="1"/></x:pPr><x:r><x:t>Zwei</x:t></x:r></x:p><w:p><w:pPr><w:pStyle w:val="Unbekannt"/></w:pPr><w:r><w:t>Normal</w:t></w:r></w:p>"#;
    let document = read(&docx(body, Some(styles)), "bericht.docx").unwrap();
    assert_eq!(
        blocks(&document),
        [
            (None, Some(1), "Einleitung"),
            (None, Some(3), "Drei & mehr ☺"),
            (None, None, "Text-teil"),
            (None, Some(2), "Zwei"),
            (None, None, "Normal"),
        ]
    );
    // Without a styles part the built-in ids still count.
    let body = r#"<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Scope</w:t></w:r></w:p><w:p><w:r><w:t>Body</w:t></w:r></w:p>"#;
    let document = read(&docx(body, None), "a.docx").unwrap();
    assert_eq!(
        blocks(&document),
        [(None, Some(2), "Scope"), (None, None, "Body")]
    );
}

#[test]
fn a_docx_without_text_or_with_broken_xml() {
    assert_eq!(
        read(&docx("<w:p/>", None), "a.docx"),
        Err(ExtractError::NoText {
            kind: FileKind::Docx
        })
    );
    assert_eq!(
        read(&docx("<w:p><w:t>open", None), "a.docx"),
        Err(ExtractError::DocxDamaged)
    );
    let latin1 = zip_of(&[
        ("[Content_Types].xml", WORD_CONTENT_TYPES.as_bytes()),
        ("word/document.xml", b"<w:document>K\xe4se</w:document>"),
    ]);
    assert_eq!(read(&latin1, "a.docx"), Err(ExtractError::DocxDamaged));
    let docx = fixture("headings.docx");
    assert_eq!(
        read(&docx[..docx.len() / 2], "cut.docx"),
        Err(ExtractError::DocxDamaged)
    );
}

/// `<w:p><w:r><w:t>aaaa…</w:t></w:r></w:p>` of `text_bytes`, which deflate compresses about
/// a thousandfold.
fn bomb_document(text_bytes: usize) -> Vec<u8> {
    let mut xml = br#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#.to_vec();
    xml.resize(xml.len() + text_bytes, b'a');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    xml
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_size() {
    let document = bomb_document(60_000_000);
    let bomb = zip_of(&[
        ("[Content_Types].xml", WORD_CONTENT_TYPES.as_bytes()),
        ("word/document.xml", &document),
    ]);
    assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
    let error = read(&bomb, "bomb.docx").unwrap_err();
    assert_eq!(
        error,
        ExtractError::TooLargeUnpacked {
            kind: FileKind::Docx,
            limit: 50_000_000
        }
    );
    assert_eq!(
        error.to_string(),
        "The DOCX file unpacks to more than 50 MB"
    );
    assert_eq!(error.code(), "too_large_unpacked");
}

#[test]
fn a_zip_bomb_that_lies_about_its_size_is_refused() {
    // A smaller limit keeps the test fast; the checks are the same at any size.
    let limits = Limits {
        max_unpacked_bytes: 1_000_000,
        ..Limits::default()
    };
    let document = bomb_document(3_000_000);
    let bomb = zip_of(&[
        ("[Content_Types].xml", WORD_CONTENT_TYPES.as_bytes()),
        ("word/document.xml", &document),
    ]);
    // A lie in the local header only: the directory's size counts, and is over the limit.
    let mut lying = bomb.clone();
    declare_size(&mut lying, "word/document.xml", 1_000, true, false);
    assert_eq!(
        extract(&lying, "bomb.docx", &limits),
        Err(ExtractError::TooLargeUnpacked {
            kind: FileKind::Docx,
            limit: 1_000_000
        })
    );
    // A lie in the directory (and in both): inflating stops at the declared size, where the
    // checksum fails, whatever the limit; more than the limit would be refused while counting.
    for local in [false, true] {
        let mut lying = bomb.clone();
        declare_size(&mut lying, "word/document.xml", 1_000, local, true);
        for max_unpacked_bytes in [1_000_000, 100_000_000] {
            let limits = Limits {
                max_unpacked_bytes,
                ..limits
            };
            assert_eq!(
                extract(&lying, "bomb.docx", &limits),
                Err(ExtractError::DocxDamaged)
            );
        }
    }
}

#[test]
fn a_zip_of_too_many_entries_is_refused_before_it_is_read() {
    let names: Vec<String> = (0..2_001).map(|i| format!("word/media/{i}.bin")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", WORD_CONTENT_TYPES.as_bytes()),
        ("word/document.xml", b"<w:document/>"),
    ];
    entries.extend(names.iter().map(|n| (n.as_str(), &b""[..])));
    let error = read(&zip_of(&entries), "many.docx").unwrap_err();
    assert_eq!(error, ExtractError::TooManyEntries { limit: 2_000 });
    assert_eq!(error.to_string(), "The DOCX file has more than 2,000 parts");
}

#[test]
fn a_zip_that_is_not_a_docx_is_unsupported() {
    let zip = zip_of(&[("notes.txt", b"hello"), ("word/other.xml", b"<x/>")]);
    assert_eq!(read(&zip, "notes.docx"), Err(ExtractError::Unsupported));
    let error = read(b"PK\x03\x04 not really a zip", "a.docx").unwrap_err();
    assert_eq!(error, ExtractError::DocxDamaged);
}

#[test]
fn an_empty_file_and_a_too_large_one() {
    let error = read(b"", "empty.pdf").unwrap_err();
    assert_eq!(error, ExtractError::Empty);
    assert_eq!(error.to_string(), "The file is empty");
    assert_eq!(error.code(), "empty");
    let limits = Limits {
        max_file_bytes: 1_000,
        ..Limits::default()
    };
    let error = extract(&fixture("multipage.pdf"), "a.pdf", &limits).unwrap_err();
    assert_eq!(error, ExtractError::TooLarge { limit: 1_000 });
    assert_eq!(error.to_string(), "The file is larger than 1 KB");
    assert_eq!(
        read(b"  \n\t\n", "blank.txt"),
        Err(ExtractError::NoText {
            kind: FileKind::Text
        })
    );
}

/// xorshift64: the same "random" bytes on every run.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn random_bytes_are_refused_with_a_typed_error() {
    for seed in 1..=20 {
        let bytes = random_bytes(seed, 4096);
        let error = read(&bytes, "random.txt").unwrap_err();
        assert_eq!(error, ExtractError::Unsupported, "seed {seed}");
        // Behind a PDF header and a zip signature they reach the PDF and DOCX readers.
        for prefix in [&b"%PDF-1.7\n"[..], b"PK\x03\x04"] {
            let mut bytes = prefix.to_vec();
            bytes.extend(random_bytes(seed, 4096));
            let error = read(&bytes, "random.bin").unwrap_err();
            assert!(ExtractError::CODES.contains(&error.code()), "{error:?}");
        }
    }
}

#[test]
fn a_10_mb_line_without_spaces_is_refused_by_default_and_chunked_when_allowed() {
    let line = "x".repeat(10_000_000);
    let error = read(line.as_bytes(), "line.txt").unwrap_err();
    assert_eq!(error, ExtractError::TooMuchText { limit: 2_000_000 });
    assert_eq!(
        error.to_string(),
        "The document has more than 2,000,000 characters of text"
    );
    let limits = Limits {
        max_chars: 20_000_000,
        ..Limits::default()
    };
    let document = extract(line.as_bytes(), "line.txt", &limits).unwrap();
    assert_eq!(document.blocks.len(), 1);
    let chunks = chunk(&document, &ChunkOptions::default());
    // Hard cuts of 400 tokens (1,600 bytes), each after the first with 60 tokens of overlap.
    assert_eq!(chunks.len(), 6_250);
    assert!(chunks.iter().all(|c| c.token_estimate <= 512));
    assert_eq!(chunks[0].text.len(), 1_600);
    assert_eq!(chunks[1].text.len(), 1_600 + 240);
    assert_eq!(chunks.last().unwrap().range.end, 10_000_000);
}

#[test]
fn control_characters_are_stripped_from_text() {
    let text = "Bell\u{7} and escape\u{1b}[1m codes\u{8}.\r\nTabs\tstay.\u{c}Form feed\u{feff}";
    let document = read(text.as_bytes(), "a.txt").unwrap();
    assert_eq!(
        blocks(&document),
        [(
            None,
            None,
            "Bell and escape[1m codes.\nTabs\tstay.\nForm feed"
        )]
    );
    // Mostly control characters: binary.
    assert_eq!(
        read(b"\x01\x02\x03\x04\x05\x06abc", "a.txt"),
        Err(ExtractError::Unsupported)
    );
    assert_eq!(read(b"a\0b", "a.txt"), Err(ExtractError::Unsupported));
}

#[test]
fn utf16_text_with_a_byte_order_mark() {
    let text = "Grüße aus Köln 😀\nzweite Zeile";
    let mut le = vec![0xff, 0xfe];
    let mut be = vec![0xfe, 0xff];
    for unit in text.encode_utf16() {
        le.extend(unit.to_le_bytes());
        be.extend(unit.to_be_bytes());
    }
    for bytes in [le, be] {
        let document = read(&bytes, "gruss.txt").unwrap();
        assert_eq!(blocks(&document), [(None, None, text)]);
    }
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    assert_eq!(blocks(&read(&bom, "a.txt").unwrap()), [(None, None, text)]);
    let error = read(b"K\xe4se", "latin1.txt").unwrap_err();
    assert_eq!(error, ExtractError::TextEncoding);
    assert_eq!(error.code(), "text_encoding");
}

#[test]
fn markdown_headings_and_their_paths() {
    let text = "# Handbook\n\nWelcome.\n\n## Setup\nInstall it.\n\n```\n# comment\n```\n\n## Use\n\nRun it.";
    let document = read(text.as_bytes(), "handbook.md").unwrap();
    assert_eq!(document.kind, FileKind::Markdown);
    assert_eq!(
        blocks(&document),
        [
            (None, Some(1), "Handbook"),
            (None, None, "Welcome."),
            (None, Some(2), "Setup"),
            (None, None, "Install it."),
            (None, None, "```\n# comment\n```"),
            (None, Some(2), "Use"),
            (None, None, "Run it."),
        ]
    );
    let paths: Vec<Vec<String>> = chunk(&document, &ChunkOptions::default())
        .into_iter()
        .map(|c| c.heading_path)
        .collect();
    assert_eq!(
        paths,
        [
            vec!["Handbook".to_owned()],
            vec!["Handbook".to_owned(), "Setup".to_owned()],
            vec!["Handbook".to_owned(), "Use".to_owned()],
        ]
    );
    // The same text named .txt: paragraphs only.
    let document = read(text.as_bytes(), "handbook.txt").unwrap();
    assert_eq!(document.kind, FileKind::Text);
    assert!(document.blocks.iter().all(|b| b.heading.is_none()));
}

#[test]
fn every_reason_code_is_distinct() {
    let mut codes = ExtractError::CODES.to_vec();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), ExtractError::CODES.len());
}
