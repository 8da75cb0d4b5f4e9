//! A provider API key that stays out of logs and error messages.

use std::fmt;

/// A secret string, such as a provider API key.
///
/// `Debug` prints `***` and there is no `Display`, so a key cannot end up in a log line or an
/// error message by accident; [`SecretString::expose`] is the one, greppable way to read it
/// (when the request header is built).
///
/// ```
/// use hub_providers::SecretString;
///
/// let key = SecretString::new("sk-live-1234");
/// assert_eq!(format!("{key:?}"), "***");
/// assert_eq!(key.expose(), "sk-live-1234");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Call it only where the secret must leave the process (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (an unset key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for SecretString {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret_also_inside_other_types() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Config {
            key: SecretString,
        }
        let config = Config {
            key: SecretString::new("sk-proj-abcdef"),
        };
        let printed = format!("{config:?} {config:#?}");
        assert!(!printed.contains("sk-proj"), "{printed}");
        assert!(printed.contains("***"));
    }

    #[test]
    fn expose_returns_the_secret() {
        let key = SecretString::from("k-1");
        assert_eq!(key.expose(), "k-1");
        assert!(!key.is_empty());
        assert!(SecretString::new("").is_empty());
    }
}
