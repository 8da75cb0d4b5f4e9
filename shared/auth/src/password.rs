//! Argon2id password hashes in PHC string format, with OWASP's parameters.

use argon2::password_hash::{self, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::{AuthError, Password};

/// Memory cost: 19 MiB (OWASP's Password Storage Cheat Sheet, Argon2id option 2).
const MEMORY_KIB: u32 = 19 * 1024;
/// Iterations.
const ITERATIONS: u32 = 2;
/// Lanes.
const PARALLELISM: u32 = 1;

/// The hash of a password nobody knows, made with the same parameters: verifying against it
/// costs what verifying a real account costs, so that a login for an unknown email takes as long
/// as one for a known email.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$3q2+7wAAAAAAAAAAAAAAAA$1Ta0fN8Y9fCsjQPnMPrJwFAHW43eWAlCRv4iWxGXAlk";

/// A password hash as stored: the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

fn argon2() -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| AuthError::Crypto(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` with Argon2id (19 MiB, t=2, p=1) and a fresh 128-bit salt.
pub fn hash_password(password: &Password) -> Result<PasswordHash, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| AuthError::Crypto(format!("encoding the salt: {e}")))?;
    let hash = argon2()?
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(|e| AuthError::Crypto(format!("hashing: {e}")))?;
    Ok(PasswordHash(hash.to_string()))
}

/// A new random password for an account an administrator creates or resets: 18 bytes from the
/// system's random source as base64url (24 characters, 144 bits), to be changed at next login.
pub fn generate_password() -> Result<Password, AuthError> {
    use base64::Engine;
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Password::parse(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `candidate` (as typed; not length-checked, so that a login with a too short or too
/// long password is just a wrong password) matches the stored PHC string `stored`.
pub fn verify_password(candidate: &str, stored: &str) -> Result<bool, AuthError> {
    let parsed = password_hash::PasswordHash::new(stored)
        .map_err(|e| AuthError::MalformedHash(e.to_string()))?;
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return Err(AuthError::MalformedHash(format!(
            "algorithm {} is not argon2id",
            parsed.algorithm
        )));
    }
    // The longest password anyone can have set; a longer candidate cannot match and is not
    // worth hashing.
    if candidate.chars().count() > 128 {
        verify_dummy(candidate);
        return Ok(false);
    }
    match argon2()?.verify_password(candidate.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(e) => Err(AuthError::Crypto(format!("verifying: {e}"))),
    }
}

/// Spends the time of one verification on nothing: call it when there is no account to verify
/// against, so that the answer takes as long as a wrong password.
pub fn verify_dummy(candidate: &str) {
    // Cut to the longest valid password so that the cost does not depend on the input.
    let cut: String = candidate.chars().take(128).collect();
    if let (Ok(parsed), Ok(argon)) = (password_hash::PasswordHash::new(DUMMY_HASH), argon2()) {
        let _ = argon.verify_password(cut.as_bytes(), &parsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_random_and_valid() {
        let (a, b) = (generate_password().unwrap(), generate_password().unwrap());
        assert_eq!(a.expose().len(), 24);
        assert_ne!(a.expose(), b.expose());
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn hash_then_verify() {
        let password = Password::parse("correct horse battery staple").unwrap();
        let hash = hash_password(&password).unwrap();
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
        assert!(verify_password("correct horse battery staple", hash.as_str()).unwrap());
        assert!(!verify_password("correct horse battery stapl", hash.as_str()).unwrap());
        assert!(!verify_password("Correct horse battery staple", hash.as_str()).unwrap());
        assert!(!verify_password(&"x".repeat(10_000), hash.as_str()).unwrap());
        assert_eq!(format!("{hash:?}"), "PasswordHash(***)");
    }

    #[test]
    fn salts_differ() {
        let password = Password::parse("same password").unwrap();
        let a = hash_password(&password).unwrap();
        let b = hash_password(&password).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_or_foreign_hashes_are_errors() {
        assert!(matches!(
            verify_password("whatever1", "not a hash"),
            Err(AuthError::MalformedHash(_))
        ));
        let argon2i = "$argon2i$v=19$m=19456,t=2,p=1$3q2+7wAAAAAAAAAAAAAAAA$1Ta0fN8Y9fCsjQPnMPrJwFAHW43eWAlCRv4iWxGXAlk";
        assert!(matches!(
            verify_password("whatever1", argon2i),
            Err(AuthError::MalformedHash(_))
        ));
    }

    #[test]
    fn the_dummy_hash_has_the_real_parameters() {
        let parsed = password_hash::PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm, argon2::ARGON2ID_IDENT);
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, ITERATIONS, PARALLELISM)
        );
        assert!(!verify_password("anything at all", DUMMY_HASH).unwrap());
        verify_dummy("anything");
    }
}
