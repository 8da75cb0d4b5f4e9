//! The parser: one pass over the body, from the syntax of the crate documentation to
//! segments in normal form and the distinct variable names.

use crate::error::{ParseError, ParseErrorKind};
use crate::{MAX_BODY_CHARS, MAX_NAME_CHARS, MAX_VARIABLES, Segment};

/// Spaces allowed around a name inside the braces.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// How many bytes equal to `b` follow each other from `start`.
fn run(bytes: &[u8], start: usize, b: u8) -> usize {
    bytes[start..].iter().take_while(|&&x| x == b).count()
}

/// The segments of `body` and its distinct variable names in order of first appearance.
pub(crate) fn parse(body: &str) -> Result<(Vec<Segment>, Vec<String>), ParseError> {
    if let Some((over, _)) = body.char_indices().nth(MAX_BODY_CHARS) {
        let chars = MAX_BODY_CHARS + body[over..].chars().count();
        return Err(ParseError::new(
            body,
            over,
            ParseErrorKind::BodyTooLong { chars },
        ));
    }
    let mut parser = Parser {
        body,
        bytes: body.as_bytes(),
        text: String::new(),
        segments: Vec::new(),
        variables: Vec::new(),
    };
    parser.run()?;
    Ok((parser.segments, parser.variables))
}

struct Parser<'a> {
    body: &'a str,
    bytes: &'a [u8],
    /// Text read since the last placeholder.
    text: String,
    segments: Vec<Segment>,
    variables: Vec<String>,
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), ParseError> {
        let (body, bytes) = (self.body, self.bytes);
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => {
                    let n = run(bytes, i, b'\\');
                    let after = i + n;
                    if bytes[after..].starts_with(b"{{") {
                        // Escapes: half the backslashes, and an odd one out makes `{{` text.
                        self.text.push_str(&body[i..i + n / 2]);
                        if n % 2 == 1 {
                            self.text.push_str("{{");
                            i = after + 2;
                        } else {
                            i = after;
                        }
                    } else {
                        self.text.push_str(&body[i..after]);
                        i = after;
                    }
                }
                b'{' => {
                    let k = run(bytes, i, b'{');
                    if k >= 2 {
                        // The last two braces of a run open the placeholder.
                        self.text.push_str(&body[i..i + k - 2]);
                        i = self.placeholder(i + k - 2)?;
                    } else {
                        self.text.push('{');
                        i += 1;
                    }
                }
                _ => {
                    let end = bytes[i..]
                        .iter()
                        .position(|&b| b == b'\\' || b == b'{')
                        .map_or(bytes.len(), |next| i + next);
                    self.text.push_str(&body[i..end]);
                    i = end;
                }
            }
        }
        self.flush_text();
        Ok(())
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            self.segments
                .push(Segment::Text(std::mem::take(&mut self.text)));
        }
    }

    fn error(&self, offset: usize, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.body, offset, kind)
    }

    /// Reads the placeholder whose `{{` is at `open`; returns the offset after its `}}`.
    fn placeholder(&mut self, open: usize) -> Result<usize, ParseError> {
        let (body, bytes) = (self.body, self.bytes);
        let skip_blanks = |mut p: usize| {
            while p < bytes.len() && is_blank(bytes[p]) {
                p += 1;
            }
            p
        };
        let name_start = skip_blanks(open + 2);
        let mut name_end = name_start;
        if name_end < bytes.len() && is_name_start(bytes[name_end]) {
            name_end += 1;
            while name_end < bytes.len() && is_name_char(bytes[name_end]) {
                name_end += 1;
            }
        }
        let p = skip_blanks(name_end);
        if bytes[p..].starts_with(b"}}") {
            let close = p + 2;
            if name_start == name_end {
                let placeholder = body[open..close].to_owned();
                return Err(self.error(open, ParseErrorKind::Empty { placeholder }));
            }
            self.variable(open, name_start, &body[name_start..name_end])?;
            return Ok(close);
        }

        // Not a placeholder: unclosed unless a `}}` follows on the line, else a bad name.
        let line_end = bytes[open..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |newline| open + newline);
        let Some(close) = body[p..line_end].find("}}").map(|at| p + at + 2) else {
            let placeholder = body[open..line_end].trim_end_matches('\r').to_owned();
            return Err(self.error(open, ParseErrorKind::Unclosed { placeholder }));
        };
        let placeholder = body[open..close].to_owned();
        // `p` is before the `}}`, just after ASCII bytes: a character starts there.
        let found = body[p..].chars().next().unwrap_or('}');
        Err(if name_start == name_end {
            self.error(p, ParseErrorKind::InvalidNameStart { placeholder, found })
        } else if p > name_end {
            self.error(name_end, ParseErrorKind::NameWithSpace { placeholder })
        } else {
            self.error(p, ParseErrorKind::InvalidNameChar { placeholder, found })
        })
    }

    /// Adds the variable `name`, whose placeholder opens at `open` and name starts at `at`.
    fn variable(&mut self, open: usize, at: usize, name: &str) -> Result<(), ParseError> {
        if name.len() > MAX_NAME_CHARS {
            let name = name.to_owned();
            return Err(self.error(at, ParseErrorKind::NameTooLong { name }));
        }
        if !self.variables.iter().any(|known| known == name) {
            if self.variables.len() == MAX_VARIABLES {
                let name = name.to_owned();
                return Err(self.error(open, ParseErrorKind::TooManyVariables { name }));
            }
            self.variables.push(name.to_owned());
        }
        self.flush_text();
        self.segments.push(Segment::Variable(name.to_owned()));
        Ok(())
    }
}
