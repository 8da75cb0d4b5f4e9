//! Validated chat input: each type has a `parse()` that accepts exactly what the API accepts,
//! and an [`InputError`] naming the field and why otherwise.

use hub_db::chats::TITLE_MAX_CHARS;

/// Longest message accepted, in characters.
pub const MAX_CONTENT_CHARS: usize = 100_000;

/// Longest model id accepted, in characters (the ids of `app_model_config`).
pub const MAX_MODEL_ID_CHARS: usize = 128;

/// A field of the input is invalid; `reason` is safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {reason}")]
pub struct InputError {
    /// The field, as the API names it.
    pub field: &'static str,
    /// Why it is invalid.
    pub reason: String,
}

impl InputError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// A conversation's title: at most [`TITLE_MAX_CHARS`] characters as sent (the limit the API
/// documents), trimmed, not empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Checks and trims `text`.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(InputError::new("title", "must not be empty"));
        }
        if text.chars().count() > TITLE_MAX_CHARS {
            return Err(InputError::new(
                "title",
                format!("must be at most {TITLE_MAX_CHARS} characters"),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(InputError::new(
                "title",
                "must not contain control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The title.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's message: not blank, at most [`MAX_CONTENT_CHARS`], no NUL; kept exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent(String);

impl MessageContent {
    /// Checks `text`.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        if text.trim().is_empty() {
            return Err(InputError::new("content", "must not be empty"));
        }
        if text.chars().count() > MAX_CONTENT_CHARS {
            return Err(InputError::new(
                "content",
                format!("must be at most {MAX_CONTENT_CHARS} characters"),
            ));
        }
        if text.contains('\0') {
            return Err(InputError::new(
                "content",
                "must not contain NUL characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A sampling temperature the hub accepts: `0..=2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Temperature(f64);

impl Temperature {
    /// Checks `t`.
    pub fn parse(t: f64) -> Result<Self, InputError> {
        if t.is_finite() && (0.0..=hub_providers::MAX_TEMPERATURE).contains(&t) {
            Ok(Self(t))
        } else {
            Err(InputError::new(
                "temperature",
                format!("must be from 0 to {}", hub_providers::MAX_TEMPERATURE),
            ))
        }
    }

    /// The value.
    pub fn value(self) -> f64 {
        self.0
    }
}

/// A model id as a client names it: 1 to [`MAX_MODEL_ID_CHARS`] characters, no control
/// characters (NUL included) and no whitespace. Whether the model exists is the database's
/// question; this keeps anything the database would refuse away from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelId(String);

impl ModelId {
    /// Checks `id`.
    pub fn parse(id: &str) -> Result<Self, InputError> {
        let chars = id.chars().count();
        if chars == 0 || chars > MAX_MODEL_ID_CHARS {
            return Err(InputError::new(
                "model",
                format!("must be 1 to {MAX_MODEL_ID_CHARS} characters"),
            ));
        }
        if id.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(InputError::new(
                "model",
                "must not contain spaces or control characters",
            ));
        }
        Ok(Self(id.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Plan  ").unwrap().as_str(), "Plan");
        assert_eq!(Title::parse(" ").unwrap_err().field, "title");
        assert!(Title::parse(&"x".repeat(TITLE_MAX_CHARS)).is_ok());
        assert!(Title::parse(&"ü".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert!(Title::parse("a\u{0}b").is_err());
        // The limit counts what was sent, spaces included.
        assert!(Title::parse(&format!(" {}", "x".repeat(TITLE_MAX_CHARS))).is_err());
        assert!(Title::parse(&format!(" {} ", "x".repeat(TITLE_MAX_CHARS - 2))).is_ok());
    }

    #[test]
    fn content_is_checked_and_kept_as_typed() {
        assert_eq!(
            MessageContent::parse("  hi \n").unwrap().as_str(),
            "  hi \n"
        );
        assert_eq!(MessageContent::parse(" \n\t").unwrap_err().field, "content");
        assert!(MessageContent::parse(&"ä".repeat(MAX_CONTENT_CHARS)).is_ok());
        assert!(MessageContent::parse(&"ä".repeat(MAX_CONTENT_CHARS + 1)).is_err());
        assert!(MessageContent::parse("a\0b").is_err());
    }

    #[test]
    fn temperatures_are_bounded() {
        for ok in [0.0, 0.7, 2.0] {
            assert_eq!(Temperature::parse(ok).unwrap().value(), ok);
        }
        for bad in [-0.1, 2.01, f64::NAN, f64::INFINITY] {
            assert_eq!(Temperature::parse(bad).unwrap_err().field, "temperature");
        }
    }

    #[test]
    fn model_ids_never_carry_what_sql_refuses() {
        assert_eq!(
            ModelId::parse("gpt-4o-mini").unwrap().as_str(),
            "gpt-4o-mini"
        );
        assert!(ModelId::parse("models/gemini-2.5-flash:latest").is_ok());
        for bad in [
            "",
            "a\0b",
            "gpt 4",
            "x\n",
            &"m".repeat(MAX_MODEL_ID_CHARS + 1),
        ] {
            assert_eq!(ModelId::parse(bad).unwrap_err().field, "model", "{bad:?}");
        }
    }
}
