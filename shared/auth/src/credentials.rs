//! Validated account input: an email address, a password, a display name.

use std::fmt;

use crate::AuthError;

/// The longest email address accepted (RFC 5321's path limit less the brackets).
const EMAIL_MAX_CHARS: usize = 254;
/// Password length limits, in characters, as typed.
const PASSWORD_MIN_CHARS: usize = 8;
const PASSWORD_MAX_CHARS: usize = 128;
/// Display name length limit, in characters, after trimming.
const DISPLAY_NAME_MAX_CHARS: usize = 100;

/// An email address, normalised: surrounding whitespace removed, lower-cased. Two addresses that
/// differ only in case or surrounding whitespace are the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Trims, lower-cases and checks the shape `local@domain.tld`: one `@`, a local part of
    /// 1..=64 characters without whitespace, control characters or `"(),:;<>[\]`, a domain of
    /// dot-separated labels (letters, digits, `-`, not at either end of a label) with at least
    /// one dot, at most 254 characters in all (as sent, before trimming: the limit the API
    /// documents). Unicode letters are allowed.
    pub fn parse(input: &str) -> Result<Self, AuthError> {
        let invalid = |reason: &str| Err(AuthError::invalid("email", reason));
        if input.chars().count() > EMAIL_MAX_CHARS {
            return invalid("must be at most 254 characters");
        }
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return invalid("must not be empty");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid("must contain an @");
        };
        if domain.contains('@') {
            return invalid("must contain exactly one @");
        }
        if local.is_empty() || local.chars().count() > 64 {
            return invalid("the part before the @ must be 1 to 64 characters");
        }
        if local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"(),:;<>[\\]".contains(c))
        {
            return invalid("the part before the @ contains a character not allowed in an address");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return invalid(
                "the part before the @ must not start or end with a dot or have two in a row",
            );
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return invalid("the domain must contain a dot");
        }
        for label in labels {
            if label.is_empty() || label.chars().count() > 63 {
                return invalid("each part of the domain must be 1 to 63 characters");
            }
            if !label.chars().all(|c| c.is_alphanumeric() || c == '-')
                || label.starts_with('-')
                || label.ends_with('-')
            {
                return invalid(
                    "the domain may contain only letters, digits, dots and inner hyphens",
                );
            }
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@` (a default display name).
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 8..=128 characters, no control characters (NUL included: nobody types
/// them, and a password manager never generates them), nothing trimmed or normalised. Its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks the length (in characters, as typed).
    pub fn parse(input: &str) -> Result<Self, AuthError> {
        let chars = input.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(AuthError::invalid(
                "password",
                format!("must be at least {PASSWORD_MIN_CHARS} characters (got {chars})"),
            ));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(AuthError::invalid(
                "password",
                format!("must be at most {PASSWORD_MAX_CHARS} characters (got {chars})"),
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(AuthError::invalid(
                "password",
                "must not contain control characters",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// The password (to hash it).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A display name: at most 100 characters as sent (the limit the API documents), trimmed, not
/// empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims and checks.
    pub fn parse(input: &str) -> Result<Self, AuthError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(AuthError::invalid("display_name", "must not be empty"));
        }
        let chars = input.chars().count();
        if chars > DISPLAY_NAME_MAX_CHARS {
            return Err(AuthError::invalid(
                "display_name",
                format!("must be at most {DISPLAY_NAME_MAX_CHARS} characters (got {chars})"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(AuthError::invalid(
                "display_name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// A display name from an email address's local part (cut to the limit), for accounts
    /// created without one.
    pub fn from_email(email: &Email) -> Self {
        Self(
            email
                .local_part()
                .chars()
                .take(DISPLAY_NAME_MAX_CHARS)
                .collect(),
        )
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(err: AuthError) -> (String, String) {
        match err {
            AuthError::Invalid { field, reason } => (field.to_owned(), reason),
            other => panic!("not an Invalid: {other:?}"),
        }
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Alice.Smith@Example.COM \t\n").unwrap();
        assert_eq!(email.as_str(), "alice.smith@example.com");
        assert_eq!(email.local_part(), "alice.smith");
        assert_eq!(
            Email::parse("JÜRGEN@Exämple.DE").unwrap().as_str(),
            "jürgen@exämple.de"
        );
        assert_eq!(
            Email::parse("a+tag@sub.example.org").unwrap().as_str(),
            "a+tag@sub.example.org"
        );
    }

    #[test]
    fn invalid_emails_name_the_field() {
        for bad in [
            "",
            "   ",
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "a@b@example.com",
            "al ice@example.com",
            "alice@exa mple.com",
            "alice@-example.com",
            "alice@example..com",
            ".alice@example.com",
            "al..ice@example.com",
            "alice\u{0}@example.com",
            "'; DROP TABLE app_users; --@example.com",
            "<script>@example.com",
        ] {
            let (field, reason) = reason(Email::parse(bad).unwrap_err());
            assert_eq!(field, "email", "{bad:?}");
            assert!(!reason.is_empty());
        }
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(63));
        assert!(Email::parse(&long).is_ok());
        let too_long = format!(
            "{}@{}.{}.{}.com",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63)
        );
        assert!(Email::parse(&too_long).is_err());
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
        // The limit counts what was sent, surrounding whitespace included.
        assert!(Email::parse(&format!(" {long}")).is_ok());
        let at_limit = format!(
            "{}@{}.{}.{}.com",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(57)
        );
        assert_eq!(at_limit.chars().count(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        assert!(Email::parse(&format!("{at_limit} ")).is_err());
    }

    #[test]
    fn password_length_is_checked_as_typed() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        // Whitespace counts and is kept.
        let p = Password::parse(" 234567 ").unwrap();
        assert_eq!(p.expose(), " 234567 ");
        // Characters, not bytes.
        assert!(Password::parse("ééééééé").is_err());
        assert!(Password::parse(&"ü".repeat(128)).is_ok());
        let (field, reason) = reason(Password::parse(&"x".repeat(129)).unwrap_err());
        assert_eq!(field, "password");
        assert!(reason.contains("129"), "{reason}");
        for bad in ["pass\0word", "pass\tword", "password\n", "pass\u{7f}word"] {
            let err = Password::parse(bad).unwrap_err();
            assert!(
                matches!(&err, AuthError::Invalid { field: "password", reason } if reason.contains("control")),
                "{bad:?}: {err:?}"
            );
        }
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn display_name_is_trimmed_and_checked() {
        assert_eq!(
            DisplayName::parse("  Zoë 日本  ").unwrap().as_str(),
            "Zoë 日本"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"n".repeat(100)).is_ok());
        assert!(DisplayName::parse(&"n".repeat(101)).is_err());
        // The limit counts what was sent, spaces included.
        assert!(DisplayName::parse(&format!("{} ", "n".repeat(100))).is_err());
        let (field, _) = reason(DisplayName::parse("bad\u{7}name").unwrap_err());
        assert_eq!(field, "display_name");
        assert!(DisplayName::parse("new\nline").is_err());
        // SQL metacharacters are just characters.
        assert!(DisplayName::parse("Robert'); DROP TABLE app_users;--").is_ok());
    }

    #[test]
    fn display_name_from_email() {
        let email = Email::parse("bob@example.com").unwrap();
        assert_eq!(DisplayName::from_email(&email).as_str(), "bob");
    }
}
