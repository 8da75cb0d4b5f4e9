//! Prompt templates: a body of text with `{{variable}}` placeholders that a user fills in
//! before the text is sent to a model.
//!
//! A body is parsed once, when it is saved, into a [`Template`]: a list of [`Segment`]s (literal
//! text and variables). Everything else works on that list: [`Template::variables`] (what to ask
//! the user for), [`Template::check_descriptions`] (the descriptions stored next to the body),
//! [`Template::render`] (the filled text) and [`write_body`] (a body back from segments). The
//! crate does no I/O and builds for `wasm32-wasip2`.
//!
//! # Syntax
//!
//! - `{{name}}` is a placeholder. A name is `[A-Za-z_][A-Za-z0-9_]*`, at most
//!   [`MAX_NAME_CHARS`] characters; spaces and tabs around it inside the braces are allowed:
//!   `{{ name }}`. A placeholder closes on its own line.
//! - The same name may appear several times: it is one variable, asked for once and filled
//!   everywhere.
//! - Where more than two `{` follow each other, the last two open the placeholder and the ones
//!   before them are text: `{{{name}}}` renders as `{value}`.
//! - **Escapes.** A backslash right before `{{` makes those two braces literal text: `\{{name}}`
//!   renders as `{{name}}`, and `\{{{{name}}` as `{{` followed by the value (the escaped pair,
//!   then the placeholder that the next two open). To have a literal backslash right before
//!   `{{`, double it: `\\{{name}}` renders as `\value` and `\\\{{` as `\{{`. In general, `n`
//!   backslashes right before `{{` render as `n / 2` backslashes (rounded down), and the `{{`
//!   is literal text when `n` is odd.
//! - Everywhere else `\`, `{` and `}` are ordinary text, kept as written: `C:\temp`,
//!   `{"a": {"b": 1}}` and a `}}` outside a placeholder need no escape.
//!
//! [`write_body`] writes segments back as a body in this syntax, escaping what has to be.
//!
//! # Limits
//!
//! A body has at most [`MAX_BODY_CHARS`] characters and [`MAX_VARIABLES`] distinct variables;
//! a description at most [`MAX_DESCRIPTION_CHARS`] characters. Characters are Unicode scalar
//! values (`str::chars`), not bytes.
//!
//! # Errors
//!
//! [`Template::parse`] refuses a body with a [`ParseError`]: what is wrong ([`ParseErrorKind`],
//! whose `Display` is an English sentence for the user) and where ([`Position`]: 1-based line
//! and column, and the byte offset). Rendering refuses values that do not match the variables
//! with a [`RenderError`] that lists every missing and every unknown name; descriptions that do
//! not fit with a [`DescriptionError`].
//!
//! ```
//! use std::collections::BTreeMap;
//! use hub_templates::Template;
//!
//! let template = Template::parse("Translate {{ text }} into {{language}}.\nOnly {{language}}!")?;
//! assert_eq!(template.variables(), ["text", "language"]);
//!
//! let values = BTreeMap::from([("text", "bonjour"), ("language", "German")]);
//! assert_eq!(template.render(&values)?, "Translate bonjour into German.\nOnly German!");
//!
//! let error = Template::parse("Hello\n{{ first name }}").unwrap_err();
//! assert_eq!((error.position.line, error.position.column), (2, 9));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod parse;
mod values;
mod write;

pub use error::{DescriptionError, ParseError, ParseErrorKind, Position, RenderError};
pub use write::write_body;

/// Most characters a body may have.
pub const MAX_BODY_CHARS: usize = 20_000;

/// Most distinct variables a body may have.
pub const MAX_VARIABLES: usize = 30;

/// Most characters a variable name may have.
pub const MAX_NAME_CHARS: usize = 64;

/// Most characters a variable's description may have.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A piece of a parsed body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Literal text, escapes already resolved: rendered as it is.
    Text(String),
    /// A placeholder: replaced by the value of the variable of this name.
    Variable(String),
}

/// A parsed, valid template body.
///
/// The segments of a parsed body are in a normal form: no empty text, never two texts in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    body: String,
    segments: Vec<Segment>,
    variables: Vec<String>,
}

impl Template {
    /// Parses a body; see the crate documentation for the syntax and the limits.
    pub fn parse(body: &str) -> Result<Self, ParseError> {
        let (segments, variables) = parse::parse(body)?;
        Ok(Self {
            body: body.to_owned(),
            segments,
            variables,
        })
    }

    /// The body as written.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The body's text and placeholders, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The distinct variable names, in the order of their first appearance.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }
}

impl std::str::FromStr for Template {
    type Err = ParseError;

    fn from_str(body: &str) -> Result<Self, ParseError> {
        Self::parse(body)
    }
}

/// Whether `name` is a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`, at most
/// [`MAX_NAME_CHARS`] characters.
pub fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.len() <= MAX_NAME_CHARS
}
