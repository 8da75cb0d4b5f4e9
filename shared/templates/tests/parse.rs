//! Parsing: segments, variables, escapes, the errors and their positions, the limits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hub_templates::{
    MAX_BODY_CHARS, MAX_NAME_CHARS, MAX_VARIABLES, ParseError, ParseErrorKind, Position, Segment,
    Template, is_valid_name, write_body,
};

fn text(text: &str) -> Segment {
    Segment::Text(text.to_owned())
}

fn var(name: &str) -> Segment {
    Segment::Variable(name.to_owned())
}

fn parse(body: &str) -> Template {
    Template::parse(body).unwrap_or_else(|e| panic!("{body:?}: {e}"))
}

fn error(body: &str) -> ParseError {
    match Template::parse(body) {
        Ok(template) => panic!("{body:?} was accepted: {template:?}"),
        Err(error) => error,
    }
}

/// The error's line, column and byte offset.
fn at(error: &ParseError) -> (usize, usize, usize) {
    let Position {
        line,
        column,
        offset,
    } = error.position;
    (line, column, offset)
}

/// Checks that `body` is refused at `place` (line, column, byte offset) for `kind`.
fn refused(body: &str, place: (usize, usize, usize), kind: ParseErrorKind) -> ParseError {
    let e = error(body);
    assert_eq!((at(&e), &e.kind), (place, &kind), "{body:?}");
    e
}

#[test]
fn placeholders_split_the_body_into_segments() {
    let template = parse("Dear {{name}},\nthanks for {{ item }} and\t{{\tname\t}}.");
    assert_eq!(
        template.segments(),
        [
            text("Dear "),
            var("name"),
            text(",\nthanks for "),
            var("item"),
            text(" and\t"),
            var("name"),
            text("."),
        ]
    );
    assert_eq!(template.variables(), ["name", "item"]);
    assert_eq!(
        template.body(),
        "Dear {{name}},\nthanks for {{ item }} and\t{{\tname\t}}."
    );
}

#[test]
fn variables_are_distinct_in_order_of_first_appearance() {
    let template = parse("{{b}}{{a}}{{b}} {{c}}{{a}}{{ b }}");
    assert_eq!(template.variables(), ["b", "a", "c"]);
    assert_eq!(template.segments().len(), 7);
}

#[test]
fn a_body_without_placeholders_is_one_text() {
    assert_eq!(parse("").segments(), []);
    assert!(parse("").variables().is_empty());
    assert_eq!(parse("just text").segments(), [text("just text")]);
    assert_eq!(
        "{{x}}".parse::<Template>().map(|t| t.variables().to_vec()),
        Ok(vec!["x".to_owned()])
    );
}

#[test]
fn names_follow_the_identifier_rule() {
    for name in ["a", "Z", "_", "_1", "snake_case", "camelCase", "x9_y"] {
        assert_eq!(parse(&format!("{{{{{name}}}}}")).variables(), [name]);
        assert!(is_valid_name(name), "{name}");
    }
    for name in [
        "",
        "1x",
        "a-b",
        "a b",
        "é",
        "a.b",
        &"a".repeat(MAX_NAME_CHARS + 1),
    ] {
        assert!(!is_valid_name(name), "{name}");
    }
}

#[test]
fn lone_braces_and_closing_pairs_are_text() {
    let body = "{\"a\": {\"b\": [1]}} } }} { x";
    assert_eq!(parse(body).segments(), [text(body)]);
    assert_eq!(parse("{{x}}}}").segments(), [var("x"), text("}}")]);
}

#[test]
fn in_a_run_of_braces_the_last_two_open_the_placeholder() {
    assert_eq!(
        parse("{{{x}}}").segments(),
        [text("{"), var("x"), text("}")]
    );
    assert_eq!(parse("{{{{{ x }}").segments(), [text("{{{"), var("x")]);
}

#[test]
fn a_backslash_before_double_braces_makes_them_text() {
    assert_eq!(parse("\\{{name}}").segments(), [text("{{name}}")]);
    assert_eq!(parse("a \\{{").segments(), [text("a {{")]);
    // The escaped pair, then the next two open a placeholder.
    assert_eq!(parse("\\{{{{name}}").segments(), [text("{{"), var("name")]);
    // The escaped pair, then a lone brace.
    assert_eq!(parse("\\{{{x}}").segments(), [text("{{{x}}")]);
}

#[test]
fn backslashes_before_double_braces_are_halved() {
    assert_eq!(parse("\\\\{{x}}").segments(), [text("\\"), var("x")]);
    assert_eq!(parse("\\\\\\{{x}}").segments(), [text("\\{{x}}")]);
    assert_eq!(parse("\\\\\\\\{{x}}").segments(), [text("\\\\"), var("x")]);
    assert_eq!(parse("\\\\\\\\\\{{").segments(), [text("\\\\{{")]);
}

#[test]
fn other_backslashes_are_text() {
    for body in ["C:\\temp\\", "\\{ \\} \\n", "\\", "\\\\", "a\\}}", "\\{x}"] {
        assert_eq!(parse(body).segments(), [text(body)], "{body:?}");
    }
    assert_eq!(
        parse("C:\\{{dir}}").segments(),
        [text("C:{{dir}}")],
        "one backslash escapes"
    );
}

#[test]
fn an_unclosed_placeholder_is_refused_at_its_braces() {
    let e = refused(
        "Hello {{name",
        (1, 7, 6),
        ParseErrorKind::Unclosed {
            placeholder: "{{name".to_owned(),
        },
    );
    assert_eq!(
        e.to_string(),
        "line 1, column 7: `{{name` is not closed by `}}` on the same line (write `\\{{` for literal braces)"
    );
    // A placeholder closes on its own line.
    refused(
        "a\n{{ name\r\n}}",
        (2, 1, 2),
        ParseErrorKind::Unclosed {
            placeholder: "{{ name".to_owned(),
        },
    );
    assert_eq!(at(&error("{{")), (1, 1, 0));
    assert_eq!(at(&error("x {{x}")), (1, 3, 2));
    assert_eq!(at(&error("{{{")), (1, 2, 1));
}

#[test]
fn an_empty_placeholder_is_refused() {
    for (body, place, placeholder) in [
        ("{{}}", (1, 1, 0), "{{}}"),
        ("ab\n {{ \t }}", (2, 2, 4), "{{ \t }}"),
    ] {
        let placeholder = placeholder.to_owned();
        refused(body, place, ParseErrorKind::Empty { placeholder });
    }
    assert!(
        error("{{}}")
            .to_string()
            .contains("has no variable name between its braces")
    );
}

#[test]
fn a_malformed_name_is_refused_at_the_offending_character() {
    let e = refused(
        "{{ 1x }}",
        (1, 4, 3),
        ParseErrorKind::InvalidNameStart {
            placeholder: "{{ 1x }}".to_owned(),
            found: '1',
        },
    );
    assert_eq!(
        e.kind.to_string(),
        "`{{ 1x }}` is not a valid placeholder: a variable name starts with a letter or an underscore, not `1`"
    );

    let e = refused(
        "{{a-b}}",
        (1, 4, 3),
        ParseErrorKind::InvalidNameChar {
            placeholder: "{{a-b}}".to_owned(),
            found: '-',
        },
    );
    assert!(
        e.to_string()
            .contains("only letters, digits and underscores, not `-`")
    );

    let e = refused(
        "{{a b}}",
        (1, 4, 3),
        ParseErrorKind::NameWithSpace {
            placeholder: "{{a b}}".to_owned(),
        },
    );
    assert!(e.to_string().contains("cannot contain spaces"));

    assert!(matches!(
        error("{{é}}").kind,
        ParseErrorKind::InvalidNameStart { found: 'é', .. }
    ));
    assert!(matches!(
        error("{{ab\r}}").kind,
        ParseErrorKind::InvalidNameChar { found: '\r', .. }
    ));
    // The `}}` need not close the placeholder for the name to be refused.
    assert!(matches!(
        error("{{ {{x}} }}").kind,
        ParseErrorKind::InvalidNameStart { found: '{', .. }
    ));
}

#[test]
fn positions_count_lines_and_characters_not_bytes() {
    // Two-byte, three-byte and four-byte characters before the error, on the third line.
    let body = "first line\nsecond: café\nnaïve € 😀 {{a-b}}";
    let e = error(body);
    assert_eq!(e.position.line, 3);
    assert_eq!(e.position.column, 14);
    assert_eq!(e.position.offset, body.find('-').unwrap());
    assert_eq!(e.position.offset, 44);
    assert!(e.to_string().starts_with("line 3, column 14: "));

    // A carriage return is a character of its line.
    let e = error("a\r\nb\r{{}}");
    assert_eq!(at(&e), (2, 3, 5));
}

#[test]
fn position_at_clamps_to_characters_and_the_end() {
    let body = "é\nx";
    assert_eq!(
        Position::at(body, 1),
        Position {
            line: 1,
            column: 1,
            offset: 0
        }
    );
    assert_eq!(
        Position::at(body, 99),
        Position {
            line: 2,
            column: 2,
            offset: 4
        }
    );
}

#[test]
fn long_placeholders_are_shortened_in_messages() {
    let body = format!("{{{{ a {} }}}}", "b".repeat(100));
    let message = error(&body).to_string();
    assert!(message.contains("…"), "{message}");
    assert!(message.len() < 200, "{message}");
}

#[test]
fn a_body_of_exactly_the_limit_is_accepted_and_one_more_character_refused() {
    // Counted in characters: `é` is two bytes.
    let body = "é".repeat(MAX_BODY_CHARS);
    assert_eq!(parse(&body).segments(), [text(&body)]);

    let body = format!("{{{{x}}}}\n{}", "é".repeat(MAX_BODY_CHARS - 6));
    assert_eq!(body.chars().count(), MAX_BODY_CHARS);
    assert_eq!(parse(&body).variables(), ["x"]);

    let body = format!("{}é", "é".repeat(MAX_BODY_CHARS));
    let e = refused(
        &body,
        (1, MAX_BODY_CHARS + 1, 2 * MAX_BODY_CHARS),
        ParseErrorKind::BodyTooLong {
            chars: MAX_BODY_CHARS + 1,
        },
    );
    assert_eq!(
        e.kind.to_string(),
        "the template has 20001 characters, more than the 20000 allowed"
    );

    // The length is checked before the syntax.
    let body = format!("{{{{}}}}{}", "x".repeat(MAX_BODY_CHARS));
    assert!(matches!(
        error(&body).kind,
        ParseErrorKind::BodyTooLong { .. }
    ));
}

fn with_variables(count: usize) -> String {
    (0..count)
        .map(|i| format!("{{{{v{i}}}}} and {{{{ v{i} }}}}\n"))
        .collect()
}

#[test]
fn exactly_the_limit_of_variables_is_accepted_and_one_more_refused() {
    let body = with_variables(MAX_VARIABLES);
    assert_eq!(parse(&body).variables().len(), MAX_VARIABLES);

    let body = with_variables(MAX_VARIABLES + 1);
    let e = refused(
        &body,
        (MAX_VARIABLES + 1, 1, body.find("{{v30}}").unwrap()),
        ParseErrorKind::TooManyVariables {
            name: format!("v{MAX_VARIABLES}"),
        },
    );
    assert!(e.to_string().contains("at most 30 variables"));
}

#[test]
fn a_name_of_exactly_the_limit_is_accepted_and_one_more_character_refused() {
    let name = "n".repeat(MAX_NAME_CHARS);
    assert_eq!(parse(&format!("{{{{{name}}}}}")).variables(), [name]);

    let name = "n".repeat(MAX_NAME_CHARS + 1);
    let body = format!("ab\ncd {{{{ {name} }}}}");
    let e = refused(&body, (2, 7, 9), ParseErrorKind::NameTooLong { name });
    assert!(
        e.to_string()
            .contains("has 65 characters, more than the 64 allowed")
    );
}

#[test]
fn write_body_escapes_what_would_not_stay_text() {
    let cases: &[(&[Segment], &str)] = &[
        (&[text("plain {x} }} \\n")], "plain {x} }} \\n"),
        (&[text("{{x}}")], "\\{{x}}"),
        (&[text("{{{")], "\\{{{"),
        (&[text("{"), var("x"), text("}")], "{{{x}}}"),
        (&[text("{{"), var("x")], "\\{{{{x}}"),
        (&[text("C:\\"), var("dir")], "C:\\\\{{dir}}"),
        (&[text("\\{"), var("x")], "\\\\{{{x}}"),
        (&[text("\\{{")], "\\\\\\{{"),
        (
            &[text("a"), text(""), text("b"), var("x"), var("x")],
            "ab{{x}}{{x}}",
        ),
    ];
    for (segments, body) in cases {
        assert_eq!(write_body(segments), *body, "{segments:?}");
        let parsed = parse(body);
        assert_eq!(write_body(parsed.segments()), *body);
    }
    assert_eq!(
        parse(&write_body(&[text("a"), text(""), text("b"), var("x")])).segments(),
        [text("ab"), var("x")]
    );
}
