//! Property tests: parsing any string, and bodies built from segments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hub_templates::{
    MAX_VARIABLES, ParseErrorKind, Position, Segment, Template, is_valid_name, write_body,
};
use proptest::prelude::*;

/// Text rich in what the syntax cares about: braces, backslashes, blanks, line breaks, and
/// characters of several UTF-8 lengths.
fn tricky_text() -> impl Strategy<Value = String> {
    "[{}\\\\ \t\r\na_1é€😀-]{0,24}"
}

/// Names, often the same ones.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "_", "name", "Z9"]).prop_map(str::to_owned),
        "[A-Za-z_][A-Za-z0-9_]{0,12}",
    ]
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        tricky_text().prop_map(Segment::Text),
        name().prop_map(Segment::Variable),
    ]
}

/// `segments` in normal form: no empty text, no two texts in a row.
fn normal(segments: &[Segment]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for segment in segments {
        match (segment, out.last_mut()) {
            (Segment::Text(text), _) if text.is_empty() => {}
            (Segment::Text(text), Some(Segment::Text(last))) => last.push_str(text),
            (segment, _) => out.push(segment.clone()),
        }
    }
    out
}

/// The distinct names of `segments`, in order of first appearance.
fn names(segments: &[Segment]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for segment in segments {
        if let Segment::Variable(name) = segment
            && !names.contains(name)
        {
            names.push(name.clone());
        }
    }
    names
}

/// What rendering `segments` with `value` of each name gives, written independently.
fn expected(segments: &[Segment], value: impl Fn(&str) -> String) -> String {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.clone(),
            Segment::Variable(name) => value(name),
        })
        .collect()
}

/// The line and column of byte `offset`, counted character by character.
fn line_and_column(body: &str, offset: usize) -> (usize, usize) {
    let (mut line, mut column) = (1, 1);
    for (at, c) in body.char_indices() {
        if at >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// The invariants of any parse: a valid template in normal form, or an error at a real place.
fn check(body: &str) {
    match Template::parse(body) {
        Ok(template) => {
            let segments = template.segments();
            assert_eq!(normal(segments), segments, "{body:?}");
            assert_eq!(template.variables(), names(segments), "{body:?}");
            assert!(template.variables().len() <= MAX_VARIABLES);
            assert!(template.variables().iter().all(|name| is_valid_name(name)));
            // Written back, the body gives the same segments.
            let written = write_body(segments);
            assert_eq!(
                Template::parse(&written).map(|t| t.segments().to_vec()),
                Ok(segments.to_vec()),
                "{body:?} written as {written:?}"
            );
        }
        Err(error) => {
            let Position {
                line,
                column,
                offset,
            } = error.position;
            assert!(
                offset <= body.len() && body.is_char_boundary(offset),
                "{error:?}"
            );
            assert_eq!((line, column), line_and_column(body, offset), "{body:?}");
            assert!(!error.kind.to_string().is_empty());
            if !matches!(error.kind, ParseErrorKind::BodyTooLong { .. }) {
                assert!(offset < body.len(), "{body:?}: {error:?}");
            }
        }
    }
}

proptest! {
    #[test]
    fn parsing_any_string_never_panics_and_reports_a_real_place(body in any::<String>()) {
        check(&body);
    }

    #[test]
    fn parsing_tricky_strings_never_panics_and_reports_a_real_place(
        parts in prop::collection::vec(
            prop_oneof![tricky_text(), "\\{\\{ ?[a-z1 -]{0,3} ?\\}?\\}?"],
            0..8,
        )
    ) {
        check(&parts.concat());
    }

    #[test]
    fn a_body_written_from_segments_parses_back_to_them(
        segments in prop::collection::vec(segment(), 0..12)
    ) {
        let body = write_body(&segments);
        let template = Template::parse(&body).map_err(|e| TestCaseError::fail(format!("{body:?}: {e}")))?;
        prop_assert_eq!(template.segments(), normal(&segments));
        prop_assert_eq!(template.variables(), names(&segments));
    }

    #[test]
    fn rendering_with_every_value_gives_the_texts_and_values_in_order(
        segments in prop::collection::vec(segment(), 0..12),
        values in prop::collection::vec(".{0,8}", 12),
    ) {
        let body = write_body(&segments);
        let template = Template::parse(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let value = |name: &str| {
            let index = template.variables().iter().position(|n| n == name).unwrap_or_default();
            // Values that look like placeholders must stay as they are.
            format!("{}{{{{{name}}}}}", values[index % values.len()])
        };
        let given: Vec<(String, String)> = template
            .variables()
            .iter()
            .map(|name| (name.clone(), value(name)))
            .collect();
        let rendered = template.render(given.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(rendered, expected(&segments, value));
    }

    #[test]
    fn rendering_leaves_no_double_brace_the_body_did_not_escape(
        parts in prop::collection::vec(("[^{\\\\]{0,10}", name()), 0..8),
        tail in "[^{\\\\]{0,10}",
    ) {
        // Written by hand: plain text (no `{`, no backslash) and placeholders.
        let body: String = parts
            .iter()
            .map(|(text, name)| format!("{text}{{{{ {name} }}}}"))
            .chain([tail])
            .collect();
        let template = Template::parse(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let given: Vec<(&str, &str)> = template.variables().iter().map(|n| (n.as_str(), "v")).collect();
        let rendered = template.render(given).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!rendered.contains("{{"), "{} -> {}", body, rendered);
        let names: Vec<String> = parts.iter().map(|(_, name)| name.clone()).collect();
        let mut distinct: Vec<String> = Vec::new();
        for name in names {
            if !distinct.contains(&name) {
                distinct.push(name);
            }
        }
        prop_assert_eq!(template.variables(), distinct);
    }

    #[test]
    fn rendering_refuses_and_lists_every_missing_and_unknown_name(
        segments in prop::collection::vec(segment(), 0..12),
        keep in prop::collection::vec(any::<bool>(), 12),
        extra in prop::collection::vec("[a-z]{1,3}-", 0..3),
    ) {
        let template = Template::parse(&write_body(&segments)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut given: Vec<(String, String)> = template
            .variables()
            .iter()
            .zip(&keep)
            .filter(|(_, keep)| **keep)
            .map(|(name, _)| (name.clone(), String::new()))
            .collect();
        let missing: Vec<String> = template
            .variables()
            .iter()
            .zip(&keep)
            .filter(|(_, keep)| !**keep)
            .map(|(name, _)| name.clone())
            .collect();
        let mut unknown: Vec<String> = Vec::new();
        for name in extra {
            if !unknown.contains(&name) {
                unknown.push(name.clone());
            }
            given.push((name, String::new()));
        }
        match template.render(given.clone()) {
            Ok(_) => prop_assert!(missing.is_empty() && unknown.is_empty()),
            Err(error) => {
                prop_assert_eq!(error.missing, missing);
                prop_assert_eq!(error.unknown, unknown);
            }
        }
    }
}
