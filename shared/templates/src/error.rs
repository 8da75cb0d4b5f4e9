//! The errors: where a body is wrong and why, and why values or descriptions do not fit a
//! template. Every `Display` is an English sentence that can be shown to the user.

use std::fmt;

use crate::{MAX_BODY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_VARIABLES};

/// A place in a body.
///
/// Lines are separated by `\n` and the column counts characters (Unicode scalar values) from
/// the start of the line; both start at 1. The offset counts bytes from the start of the body
/// (UTF-8), and is always at a character boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
    /// The byte offset, from 0.
    pub offset: usize,
}

impl Position {
    /// The position of byte `offset` of `body`. An offset inside a character is moved back to
    /// the start of that character; one past the end to the end.
    pub fn at(body: &str, offset: usize) -> Self {
        let mut offset = offset.min(body.len());
        while !body.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &body[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            offset,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why [`Template::parse`](crate::Template::parse) refused a body, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// Where: the first character over the limit, the `{{` of a placeholder, or the offending
    /// character of a name (see each [`ParseErrorKind`]).
    pub position: Position,
}

impl ParseError {
    pub(crate) fn new(body: &str, offset: usize, kind: ParseErrorKind) -> Self {
        Self {
            kind,
            position: Position::at(body, offset),
        }
    }
}

/// What is wrong with a body. Its `Display` is the message without the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The body has more than [`MAX_BODY_CHARS`] characters. At: the first character over.
    #[error("the template has {chars} characters, more than the {MAX_BODY_CHARS} allowed")]
    BodyTooLong {
        /// The body's length in characters.
        chars: usize,
    },
    /// A `{{` without a `}}` on the same line. At: the `{{`.
    #[error(
        "`{}` is not closed by `}}}}` on the same line (write `\\{{{{` for literal braces)",
        shorten(.placeholder)
    )]
    Unclosed {
        /// The text from the `{{` to the end of its line.
        placeholder: String,
    },
    /// A placeholder with no name: `{{}}`, `{{ }}`. At: the `{{`.
    #[error(
        "`{}` has no variable name between its braces (write `\\{{{{` for literal braces)",
        shorten(.placeholder)
    )]
    Empty {
        /// The placeholder, braces included.
        placeholder: String,
    },
    /// A name that starts with neither a letter nor an underscore: `{{ 1x }}`. At: that
    /// character.
    #[error(
        "`{}` is not a valid placeholder: a variable name starts with a letter or an underscore, not `{}`",
        shorten(.placeholder),
        .found.escape_debug()
    )]
    InvalidNameStart {
        /// The placeholder, braces included.
        placeholder: String,
        /// The character in question.
        found: char,
    },
    /// A name followed by more than spaces before the `}}`: `{{a b}}`. At: the first space
    /// after the name.
    #[error(
        "`{}` is not a valid placeholder: a variable name cannot contain spaces",
        shorten(.placeholder)
    )]
    NameWithSpace {
        /// The placeholder, braces included.
        placeholder: String,
    },
    /// A character other than a letter, a digit or an underscore in a name: `{{a-b}}`. At:
    /// that character.
    #[error(
        "`{}` is not a valid placeholder: a variable name has only letters, digits and underscores, not `{}`",
        shorten(.placeholder),
        .found.escape_debug()
    )]
    InvalidNameChar {
        /// The placeholder, braces included.
        placeholder: String,
        /// The character in question.
        found: char,
    },
    /// A name of more than [`MAX_NAME_CHARS`] characters. At: the name.
    #[error(
        "the variable name `{}` has {} characters, more than the {MAX_NAME_CHARS} allowed",
        shorten(.name),
        .name.chars().count()
    )]
    NameTooLong {
        /// The name.
        name: String,
    },
    /// More than [`MAX_VARIABLES`] distinct variables. At: the `{{` of the first one over.
    #[error("`{name}` is one variable too many: a template has at most {MAX_VARIABLES} variables")]
    TooManyVariables {
        /// The first name over the limit.
        name: String,
    },
}

/// Most characters of the body quoted in a message.
const QUOTE_CHARS: usize = 40;

/// `text`, cut to [`QUOTE_CHARS`] characters with an ellipsis when longer.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Writes the non-empty lists of names as `label `a`, `b`; label2 `c``.
fn write_lists(f: &mut fmt::Formatter<'_>, lists: &[(&str, &[String])]) -> fmt::Result {
    let mut first = true;
    for (label, names) in lists.iter().filter(|(_, names)| !names.is_empty()) {
        if !first {
            f.write_str("; ")?;
        }
        first = false;
        f.write_str(label)?;
        for (index, name) in names.iter().enumerate() {
            let separator = if index == 0 { " " } else { ", " };
            write!(f, "{separator}`{name}`")?;
        }
    }
    Ok(())
}

/// Why [`Template::render`](crate::Template::render) refused the values. Each list is in the
/// order of the template's variables (`missing`) or of the values given (the others), each
/// name once; at least one list is not empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RenderError {
    /// The variables without a value.
    pub missing: Vec<String>,
    /// The names given a value that are not variables of the template.
    pub unknown: Vec<String>,
    /// The names given more than one value.
    pub duplicated: Vec<String>,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_lists(
            f,
            &[
                ("no value for", &self.missing),
                ("not variables of this template:", &self.unknown),
                ("more than one value for", &self.duplicated),
            ],
        )
    }
}

/// Why [`Template::check_descriptions`](crate::Template::check_descriptions) refused the
/// descriptions. Each list is in the order of the descriptions given, each name once; at least
/// one list is not empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DescriptionError {
    /// The names described that are not variables of the template.
    pub unknown: Vec<String>,
    /// The names described more than once.
    pub duplicated: Vec<String>,
    /// The names whose description has more than [`MAX_DESCRIPTION_CHARS`] characters.
    pub too_long: Vec<String>,
}

impl fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let too_long = format!("descriptions longer than {MAX_DESCRIPTION_CHARS} characters for");
        write_lists(
            f,
            &[
                ("descriptions for names not in the template:", &self.unknown),
                ("more than one description for", &self.duplicated),
                (&too_long, &self.too_long),
            ],
        )
    }
}
