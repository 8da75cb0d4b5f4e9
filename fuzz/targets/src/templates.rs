//! `hub-templates`: the prompt-template parser, its writer and its rendering.

use hub_templates::{
    MAX_BODY_CHARS, MAX_VARIABLES, ParseErrorKind, Position, Segment, Template, is_valid_name,
    write_body,
};

/// `Template::parse` over any body, then `write_body` and `Template::render` over what it
/// accepts.
///
/// Invariants: no panic; a refused body's position is a real place of it (a character
/// boundary, with the line and column of that offset) and only a body over the limit is
/// refused for its length; an accepted body has segments in normal form, at most
/// [`MAX_VARIABLES`] distinct valid names in order of first appearance, is written back to a
/// body that parses to the same segments, renders with values that look like placeholders to
/// its texts and those values verbatim, and refuses values that miss a variable or name an
/// unknown one, listing it.
pub fn template(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let template = match Template::parse(&body) {
        Ok(template) => template,
        Err(error) => {
            let offset = error.position.offset;
            assert!(
                offset <= body.len() && body.is_char_boundary(offset),
                "{error:?} in {body:?}"
            );
            assert_eq!(
                Position::at(&body, offset),
                error.position,
                "{error:?} in {body:?}"
            );
            let before = &body[..offset];
            assert_eq!(error.position.line, before.matches('\n').count() + 1);
            let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
            assert_eq!(
                error.position.column,
                before[line_start..].chars().count() + 1
            );
            assert_eq!(
                matches!(error.kind, ParseErrorKind::BodyTooLong { .. }),
                body.chars().count() > MAX_BODY_CHARS,
                "{error:?}"
            );
            return;
        }
    };

    let segments = template.segments();
    let mut names: Vec<&str> = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Text(text) => {
                assert!(!text.is_empty(), "an empty text in {body:?}");
                assert!(
                    !matches!(segments.get(index + 1), Some(Segment::Text(_))),
                    "two texts in a row in {body:?}"
                );
            }
            Segment::Variable(name) => {
                assert!(is_valid_name(name), "{name:?} in {body:?}");
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
    }
    assert_eq!(template.variables(), names, "{body:?}");
    assert!(names.len() <= MAX_VARIABLES);

    let written = write_body(segments);
    match Template::parse(&written) {
        Ok(again) => assert_eq!(again.segments(), segments, "{body:?} written {written:?}"),
        // Escapes may lengthen a body that was close to the limit.
        Err(error) => assert!(
            matches!(error.kind, ParseErrorKind::BodyTooLong { .. }),
            "{body:?} written {written:?}: {error}"
        ),
    }

    let value = |name: &str| format!("\\{{{{{name}}}}}");
    let values: Vec<(&str, String)> = names.iter().map(|&name| (name, value(name))).collect();
    let rendered = template
        .render(values.clone())
        .unwrap_or_else(|e| panic!("{body:?}: {e}"));
    let expected: String = segments
        .iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.clone(),
            Segment::Variable(name) => value(name),
        })
        .collect();
    assert_eq!(rendered, expected, "{body:?}");

    let mut values = values;
    if let Some((missing, _)) = values.pop() {
        values.push(("not-a-name", String::new()));
        let error = template
            .render(values)
            .err()
            .unwrap_or_else(|| panic!("{body:?} rendered without {missing}"));
        assert_eq!(error.missing, [missing], "{body:?}");
        assert_eq!(error.unknown, ["not-a-name"], "{body:?}");
        assert!(error.duplicated.is_empty(), "{body:?}");
    }
}
