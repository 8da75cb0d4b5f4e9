//! The chunking rules (see the crate's `chunk` module), one test each, and a property test of
//! the invariants over generated documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hub_knowledge::{Block, Chunk, ChunkOptions, Document, FileKind, chunk, estimate_tokens};
use proptest::prelude::*;

fn paragraph(text: &str) -> Block {
    Block {
        text: text.to_owned(),
        page: None,
        heading: None,
    }
}

fn heading(level: u8, text: &str) -> Block {
    Block {
        heading: Some(level),
        ..paragraph(text)
    }
}

fn on_page(page: u32, text: &str) -> Block {
    Block {
        page: Some(page),
        ..paragraph(text)
    }
}

fn doc(blocks: Vec<Block>) -> Document {
    let kind = if blocks.iter().any(|b| b.page.is_some()) {
        FileKind::Pdf
    } else {
        FileKind::Markdown
    };
    Document {
        kind,
        page_count: blocks.iter().filter_map(|b| b.page).max(),
        blocks,
    }
}

fn options(target_tokens: u32, overlap_tokens: u32, max_tokens: u32) -> ChunkOptions {
    ChunkOptions {
        target_tokens,
        overlap_tokens,
        max_tokens,
    }
}

fn texts(chunks: &[Chunk]) -> Vec<&str> {
    chunks.iter().map(|c| c.text.as_str()).collect()
}

/// A sentence of exactly `bytes` bytes: `Sentence n xxxx.`
fn sentence(n: usize, bytes: usize) -> String {
    let mut s = format!("Sentence {n} ");
    s.push_str(&"x".repeat(bytes - s.len() - 1));
    s.push('.');
    s
}

#[test]
fn whole_paragraphs_fill_a_chunk_up_to_the_target() {
    // 40 bytes = 10 tokens each; target 25 tokens (100 bytes): two paragraphs and their
    // separator fit, a third does not.
    let blocks = (0..5).map(|n| paragraph(&sentence(n, 40))).collect();
    let document = doc(blocks);
    let chunks = chunk(&document, &options(25, 0, 50));
    assert_eq!(
        texts(&chunks),
        [
            format!("{}\n\n{}", sentence(0, 40), sentence(1, 40)),
            format!("{}\n\n{}", sentence(2, 40), sentence(3, 40)),
            sentence(4, 40),
        ]
    );
    assert_eq!(
        chunks.iter().map(|c| c.token_estimate).collect::<Vec<_>>(),
        [21, 21, 10]
    );
    assert_eq!(
        chunks.iter().map(|c| c.ordinal).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn a_paragraph_over_the_target_but_within_the_maximum_stays_whole() {
    let long = sentence(1, 160); // 40 tokens
    let document = doc(vec![paragraph("Short."), paragraph(&long)]);
    let chunks = chunk(&document, &options(20, 0, 50));
    assert_eq!(texts(&chunks), ["Short.", long.as_str()]);
}

#[test]
fn a_paragraph_over_the_maximum_is_split_at_sentences() {
    let sentences: Vec<String> = (0..6).map(|n| sentence(n, 40)).collect();
    let document = doc(vec![paragraph(&sentences.join(" "))]);
    let chunks = chunk(&document, &options(25, 0, 30));
    assert_eq!(
        texts(&chunks),
        [
            format!("{} {}", sentences[0], sentences[1]),
            format!("{} {}", sentences[2], sentences[3]),
            format!("{} {}", sentences[4], sentences[5]),
        ]
    );
}

#[test]
fn a_sentence_over_the_maximum_is_split_at_whitespace_then_hard() {
    let words = "word ".repeat(30); // 150 bytes, no sentence end
    let document = doc(vec![paragraph(words.trim_end())]);
    let chunks = chunk(&document, &options(5, 0, 10));
    // Parts of at most 20 bytes (the target) ending at a word.
    let mut expected = vec!["word word word word"; 7];
    expected.push("word word");
    assert_eq!(texts(&chunks), expected);
    let run = "y".repeat(100);
    let chunks = chunk(&document_of(&run), &options(5, 0, 10));
    assert_eq!(
        chunks.iter().map(|c| c.text.len()).collect::<Vec<_>>(),
        [20, 20, 20, 20, 20]
    );
}

fn document_of(text: &str) -> Document {
    doc(vec![paragraph(text)])
}

#[test]
fn overlap_repeats_whole_sentences_of_the_chunk_before() {
    let sentences: Vec<String> = (0..4).map(|n| sentence(n, 40)).collect();
    let document = doc(vec![paragraph(&sentences.join(" "))]);
    // Two sentences and a space (81 bytes) fit the target (84); overlap up to 12 tokens
    // (48 bytes), but the maximum (124 bytes) leaves room for 42: the last sentence.
    let chunks = chunk(&document, &options(21, 12, 31));
    assert_eq!(
        texts(&chunks),
        [
            format!("{} {}", sentences[0], sentences[1]),
            format!("{} {} {}", sentences[1], sentences[2], sentences[3]),
        ]
    );
    assert_eq!(chunks[1].token_estimate, 31);
}

#[test]
fn overlap_falls_back_to_whole_words() {
    let words = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
    let document = doc(vec![paragraph(words), paragraph("lambda mu")]);
    let chunks = chunk(&document, &options(15, 3, 20));
    // Overlap up to 3 tokens (12 bytes): the last two words.
    assert_eq!(texts(&chunks), [words, "iota kappa\n\nlambda mu"]);
}

#[test]
fn overlap_never_pushes_a_chunk_over_the_maximum() {
    let a = sentence(0, 40);
    // 19 tokens: with the separator, room for 2 bytes under the maximum of 20 tokens, too
    // little for a word.
    let b = sentence(1, 76);
    let document = doc(vec![paragraph(&a), paragraph(&b)]);
    let chunks = chunk(&document, &options(10, 10, 20));
    assert_eq!(texts(&chunks), [a.as_str(), b.as_str()]);
}

#[test]
fn chunks_never_cross_a_page_and_have_no_overlap_across_one() {
    let document = doc(vec![
        on_page(1, "First page text."),
        on_page(1, "More of page one."),
        on_page(3, "Third page."),
    ]);
    let chunks = chunk(&document, &options(100, 20, 200));
    assert_eq!(
        texts(&chunks),
        ["First page text.\n\nMore of page one.", "Third page."]
    );
    assert_eq!(
        chunks.iter().map(|c| c.page).collect::<Vec<_>>(),
        [Some(1), Some(3)]
    );
}

#[test]
fn a_heading_starts_a_chunk_and_keeps_its_subheadings() {
    let document = doc(vec![
        heading(1, "Guide"),
        paragraph("Intro."),
        heading(2, "Setup"),
        heading(3, "Linux"),
        paragraph("Install it."),
        heading(2, "Use"),
        paragraph("Run it."),
        heading(1, "Appendix"),
    ]);
    let chunks = chunk(&document, &options(100, 20, 200));
    assert_eq!(
        texts(&chunks),
        [
            "Guide\n\nIntro.",
            "Setup\n\nLinux\n\nInstall it.",
            "Use\n\nRun it.",
            "Appendix"
        ]
    );
    let paths: Vec<Vec<&str>> = chunks
        .iter()
        .map(|c| c.heading_path.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        paths,
        [
            vec!["Guide"],
            vec!["Guide", "Setup", "Linux"],
            vec!["Guide", "Use"],
            vec!["Appendix"]
        ]
    );
}

#[test]
fn headings_in_the_path_are_cut() {
    let long = "H".repeat(500);
    let document = doc(vec![heading(1, &long), paragraph("Body.")]);
    let chunks = chunk(&document, &ChunkOptions::default());
    assert_eq!(chunks[0].heading_path, ["H".repeat(200)]);
}

#[test]
fn options_out_of_range_are_brought_into_it() {
    let document = document_of("abcdefghij");
    for options in [
        options(0, 0, 0),
        options(9, 9, 1),
        options(u32::MAX, u32::MAX, 1),
    ] {
        let chunks = chunk(&document, &options);
        assert!(chunks.iter().all(|c| c.token_estimate <= 1), "{chunks:?}");
        assert_eq!(chunks.last().unwrap().range.end, 10);
    }
    assert!(chunk(&doc(Vec::new()), &ChunkOptions::default()).is_empty());
}

#[test]
fn the_estimate_is_four_bytes_a_token() {
    assert_eq!(estimate_tokens(""), 0);
    assert_eq!(estimate_tokens("abcd"), 1);
    assert_eq!(estimate_tokens("abcde"), 2);
    assert_eq!(estimate_tokens("äö"), 1);
}

/// The invariants every chunking keeps.
fn check(document: &Document, options: &ChunkOptions, chunks: &[Chunk]) {
    let text = document.text();
    let max = options.max_tokens.max(1);
    let mut previous: Option<&Chunk> = None;
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.ordinal as usize, i);
        assert_eq!(text[c.range.clone()], c.text, "the text is its range");
        assert!(!c.text.trim().is_empty());
        assert_eq!(c.token_estimate, estimate_tokens(&c.text));
        assert!(c.token_estimate <= max, "{c:?} over {max}");
        if let Some(p) = previous {
            assert!(c.range.start > p.range.start && c.range.end > p.range.end);
            // Nothing but whitespace is left out between two chunks.
            if c.range.start > p.range.end {
                assert!(text[p.range.end..c.range.start].trim().is_empty());
            }
        } else {
            assert_eq!(c.range.start, 0);
        }
        // All of it on one page.
        let mut offset = 0;
        for block in &document.blocks {
            let range = offset..offset + block.text.len();
            offset = range.end + Document::SEPARATOR.len();
            if range.start < c.range.end && c.range.start < range.end {
                assert_eq!(block.page, c.page, "{c:?}");
            }
        }
        previous = Some(c);
    }
    assert_eq!(chunks.last().map_or(0, |c| c.range.end), text.len());
}

fn block_strategy() -> impl Strategy<Value = Block> {
    let text = prop_oneof![
        "[a-zäöü]{1,12}( [a-zA-Z0-9äöü,]{1,12}){0,60}[.!?]?",
        "([A-Z][a-z ]{0,30}[.!?…] ){1,20}",
        "[a-z]{1,400}",
        "[^\\x00-\\x1f]{1,200}",
        "[a-z .\\n。]{1,300}",
    ];
    (text, 0u32..3, prop::option::of(0u8..4)).prop_filter_map(
        "blocks are trimmed and not empty",
        |(text, page, heading)| {
            let text = hub_knowledge::clean(&text).trim().to_owned();
            (!text.is_empty()).then_some(Block {
                text,
                page: Some(page),
                heading,
            })
        },
    )
}

fn document_strategy() -> impl Strategy<Value = Document> {
    (
        prop::collection::vec(block_strategy(), 0..30),
        any::<bool>(),
    )
        .prop_map(|(mut blocks, paged)| {
            // Pages never go back; a document without pages has none at all.
            let mut page = 1;
            for block in &mut blocks {
                page += block.page.unwrap_or(0) / 2;
                block.page = paged.then_some(page);
            }
            doc(blocks)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn chunks_cover_the_text_in_order_within_the_maximum(
        document in document_strategy(),
        target in 0u32..80,
        overlap in 0u32..40,
        max in 0u32..120,
    ) {
        let options = options(target, overlap, max);
        let chunks = chunk(&document, &options);
        check(&document, &options, &chunks);
        prop_assert_eq!(chunks, chunk(&document, &options), "deterministic");
    }
}
