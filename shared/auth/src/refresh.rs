//! Opaque refresh tokens: 256 random bits, base64url; stored only as their SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::AuthError;

/// Lifetime of a refresh token: 7 days (each rotation issues a new one).
pub const REFRESH_TOKEN_TTL_SECS: i64 = 7 * 24 * 3600;

/// A refresh token just generated: give it to the client once, store [`RefreshToken::hash`].
/// Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl RefreshToken {
    /// 32 bytes from the system's random source, base64url without padding (43 characters).
    pub fn generate() -> Result<Self, AuthError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The token, for the response.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: its SHA-256.
    pub fn hash(&self) -> [u8; 32] {
        hash_refresh_token(&self.0)
    }
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(***)")
    }
}

/// The SHA-256 of a presented refresh token (whatever the client sent: an unknown value simply
/// matches no stored hash). A slow hash is not needed: the input has 256 bits of entropy.
pub fn hash_refresh_token(presented: &str) -> [u8; 32] {
    Sha256::digest(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_chars_and_unique() {
        let a = RefreshToken::generate().unwrap();
        let b = RefreshToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(), 32);
        assert_eq!(format!("{a:?}"), "RefreshToken(***)");
    }

    #[test]
    fn hash_is_sha256_of_the_text() {
        let token = RefreshToken::generate().unwrap();
        assert_eq!(token.hash(), hash_refresh_token(token.expose()));
        // The SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(hash_refresh_token("abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
    }
}
