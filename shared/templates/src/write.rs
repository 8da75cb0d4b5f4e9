//! Segments back to a body: the inverse of parsing.

use crate::Segment;

/// A body that parses back to `segments`, in the syntax of the crate documentation: a
/// variable is written `{{name}}`, and text gets the escapes it needs to stay text (a `{{`
/// becomes `\{{`, backslashes right before braces are doubled, …). Text that needs none is
/// written as it is.
///
/// Parsing the result gives `segments` in normal form (empty texts left out, texts in a row
/// joined), provided the names are valid ([`is_valid_name`](crate::is_valid_name)) and the
/// result stays within the limits; `Template::parse(body)` and then `write_body` of its
/// segments give a body that renders the same.
pub fn write_body(segments: &[Segment]) -> String {
    let normal = normalise(segments);
    let mut out = String::new();
    for (index, segment) in normal.iter().enumerate() {
        match segment {
            Part::Text(text) => {
                let before_variable = matches!(normal.get(index + 1), Some(Part::Variable(_)));
                write_text(&mut out, text, before_variable);
            }
            Part::Variable(name) => {
                double_trailing_backslashes(&mut out);
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            }
        }
    }
    out
}

enum Part<'a> {
    Text(String),
    Variable(&'a str),
}

/// `segments` without empty texts and with texts in a row joined.
fn normalise(segments: &[Segment]) -> Vec<Part<'_>> {
    let mut parts = Vec::with_capacity(segments.len());
    for segment in segments {
        match (segment, parts.last_mut()) {
            (Segment::Text(text), _) if text.is_empty() => {}
            (Segment::Text(text), Some(Part::Text(last))) => last.push_str(text),
            (Segment::Text(text), _) => parts.push(Part::Text(text.clone())),
            (Segment::Variable(name), _) => parts.push(Part::Variable(name)),
        }
    }
    parts
}

/// Doubles the backslashes at the end of `out`, which are text, before braces that would
/// otherwise take them as escapes.
fn double_trailing_backslashes(out: &mut String) {
    let backslashes = out.len() - out.trim_end_matches('\\').len();
    out.extend(std::iter::repeat_n('\\', backslashes));
}

/// Writes `text`; `before_variable` when a placeholder follows it.
fn write_text(out: &mut String, text: &str, before_variable: bool) {
    let mut rest = text;
    while let Some(brace) = rest.find('{') {
        out.push_str(&rest[..brace]);
        let braces = rest[brace..].bytes().take_while(|&b| b == b'{').count();
        rest = &rest[brace + braces..];
        // Pairs are escaped; a lone `{` is text as it is, but the backslashes before it are
        // doubled when the `{{` of a placeholder follows it (a run of three).
        if braces >= 2 || (rest.is_empty() && before_variable) {
            double_trailing_backslashes(out);
            for _ in 0..braces / 2 {
                out.push_str("\\{{");
            }
        }
        if braces % 2 == 1 {
            out.push('{');
        }
    }
    out.push_str(rest);
}
