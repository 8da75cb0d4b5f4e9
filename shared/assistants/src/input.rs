//! The checks of what users send: lengths in characters, no control characters where a person
//! would not type them (line breaks and tabs are allowed in the long texts), never NUL.

use crate::AssistantError;

/// Longest assistant name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest assistant description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest system prompt.
pub const MAX_SYSTEM_PROMPT_CHARS: usize = 20_000;
/// Most conversation starters.
pub const MAX_STARTERS: usize = 4;
/// Longest conversation starter.
pub const MAX_STARTER_CHARS: usize = 300;
/// Longest template title.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest value of a template variable (a message's limit).
pub const MAX_VALUE_CHARS: usize = 100_000;

/// How a text may look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line: trimmed, no control characters, not empty.
    Line,
    /// Free text: line breaks and tabs allowed, kept as written; `required`: not blank.
    Text {
        /// Whether a blank text is refused.
        required: bool,
    },
}

/// `value` checked as `kind`, at most `max` characters: the text to store.
pub fn text(
    field: &'static str,
    value: &str,
    kind: Kind,
    max: usize,
) -> Result<String, AssistantError> {
    if value.chars().count() > max {
        return Err(AssistantError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    match kind {
        Kind::Line => {
            let trimmed = value.trim();
            if trimmed.is_empty() {
                return Err(AssistantError::invalid(field, "must not be empty"));
            }
            if trimmed.chars().any(char::is_control) {
                return Err(AssistantError::invalid(
                    field,
                    "must not contain control characters",
                ));
            }
            Ok(trimmed.to_owned())
        }
        Kind::Text { required } => {
            if required && value.trim().is_empty() {
                return Err(AssistantError::invalid(field, "must not be empty"));
            }
            if value
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(AssistantError::invalid(
                    field,
                    "must not contain control characters other than line breaks and tabs",
                ));
            }
            Ok(value.to_owned())
        }
    }
}

/// Conversation starters: at most [`MAX_STARTERS`], each one line of 1 to
/// [`MAX_STARTER_CHARS`] characters.
pub(crate) fn starters(list: &[String]) -> Result<Vec<String>, AssistantError> {
    if list.len() > MAX_STARTERS {
        return Err(AssistantError::invalid(
            "starters",
            format!("must be at most {MAX_STARTERS}"),
        ));
    }
    list.iter()
        .map(|s| text("starters", s, Kind::Line, MAX_STARTER_CHARS))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_bounded_and_clean() {
        assert_eq!(text("name", "  Tutor ", Kind::Line, 10).unwrap(), "Tutor");
        for bad in ["", "   ", "a\tb", &"x".repeat(11)] {
            assert!(text("name", bad, Kind::Line, 10).is_err(), "{bad:?}");
        }
        let required = Kind::Text { required: true };
        assert_eq!(
            text("system_prompt", " a\n\tb ", required, 10).unwrap(),
            " a\n\tb "
        );
        assert!(text("system_prompt", " \n", required, 10).is_err());
        assert!(text("system_prompt", "a\0b", required, 10).is_err());
        assert_eq!(
            text("d", "", Kind::Text { required: false }, 10).unwrap(),
            ""
        );
        // Characters, not bytes.
        assert!(text("name", &"ä".repeat(10), Kind::Line, 10).is_ok());
    }

    #[test]
    fn at_most_four_starters() {
        let four: Vec<String> = (0..4).map(|i| format!("Frage {i}")).collect();
        assert_eq!(starters(&four).unwrap().len(), 4);
        let five: Vec<String> = (0..5).map(|i| format!("Frage {i}")).collect();
        let err = starters(&five).unwrap_err();
        assert!(matches!(
            err,
            AssistantError::Invalid {
                field: "starters",
                ..
            }
        ));
        assert!(starters(&[String::new()]).is_err());
        assert!(starters(&["x".repeat(MAX_STARTER_CHARS + 1)]).is_err());
    }
}
