//! Provider API keys encrypted at rest: Fernet tokens under the master key.
//!
//! [Fernet](https://github.com/fernet/spec) is AES-128-CBC with PKCS#7 padding, authenticated by
//! HMAC-SHA256, in a url-safe base64 token that also carries the time it was made. The tokens are
//! the ones Python's `cryptography` makes and reads (`Fernet`, `MultiFernet`), so keys stored by
//! a Python tool decrypt here and the other way round (`tests/python_interop.rs` checks it live).
//! The format is the `fernet` crate's, over RustCrypto's AES, CBC, HMAC and SHA-2.
//!
//! [`MasterKeys`] is `MultiFernet`: parsed from the text of [`MASTER_KEY_VARIABLE`], the first key
//! encrypts and every key decrypts; [`MasterKeys::rotate`] re-encrypts a token under the first
//! key. Tokens have no time-to-live here: [`MasterKeys::decrypt`] accepts a token of any age.
//!
//! Nothing secret reaches `Debug` output or an error message: [`MasterKeys`] prints only how many
//! keys it has, decrypted keys come back as [`SecretString`] (whose `Debug` is `***`), and the
//! errors name the variable and the position of a bad entry, never its text.
//!
//! Two differences from Python, both on the strict side: a token whose timestamp lies more than
//! 60 seconds in the future is refused (the `fernet` crate checks the clock skew on every
//! decryption; Python only when a TTL is given), and [`MasterKeys::rotate`] gives the new token
//! the current time where Python's `MultiFernet.rotate` keeps the original timestamp.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use hub_providers::SecretString;

/// The Spin variable that holds the master key(s).
pub const MASTER_KEY_VARIABLE: &str = "provider_keys_master_key";

/// The environment variable through which the runner and `spin up` set [`MASTER_KEY_VARIABLE`].
pub const MASTER_KEY_ENV: &str = "SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY";

/// The length of a Fernet key in bytes (16 for HMAC-SHA256 signing, 16 for AES-128).
const KEY_BYTES: usize = 32;

/// Why encryption or decryption failed. No variant carries key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// The master-key variable is unset, empty or holds only separators.
    #[error(
        "the Spin variable `{MASTER_KEY_VARIABLE}` is not set or empty ({MASTER_KEY_ENV} in the \
         environment): set it to a Fernet key (32 random bytes in url-safe base64, e.g. from \
         `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
    )]
    MasterKeyMissing,
    /// One entry of the master-key variable is not a Fernet key.
    #[error(
        "entry {position} of {count} in the Spin variable `{MASTER_KEY_VARIABLE}` is not a Fernet \
         key: {problem} (keys are separated by commas or whitespace)"
    )]
    MasterKeyMalformed {
        /// The entry's position, from 1, among the non-empty entries.
        position: usize,
        /// How many entries the variable holds.
        count: usize,
        /// What is wrong with it.
        problem: KeyProblem,
    },
    /// No key of the master-key variable decrypts the token (wrong or removed key, damaged or
    /// truncated token, or not a Fernet token at all).
    #[error(
        "the stored token cannot be decrypted with any key of the Spin variable \
         `{MASTER_KEY_VARIABLE}`: it was encrypted under a key that is no longer listed there, \
         or it is damaged"
    )]
    UndecryptableToken,
    /// The token decrypted, but what it holds is not UTF-8 text.
    #[error("the stored token decrypts to bytes that are not UTF-8 text, not to an API key")]
    NotText,
    /// The system's random number generator failed.
    #[error("the random number generator failed: {0}")]
    Random(String),
}

/// What is wrong with one master-key entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    /// The entry holds characters outside base64.
    #[error("it is not base64 text")]
    NotBase64,
    /// The entry decodes to the wrong number of bytes.
    #[error("it decodes to {0} bytes, a Fernet key has 32")]
    WrongLength(usize),
}

/// The master keys: the first encrypts, all decrypt (Python's `MultiFernet`).
///
/// `Debug` shows only the number of keys.
#[derive(Clone)]
pub struct MasterKeys {
    keys: fernet::MultiFernet,
    count: usize,
}

impl MasterKeys {
    /// Parses the text of [`MASTER_KEY_VARIABLE`]: one or more Fernet keys (url-safe base64 of
    /// 32 bytes, with or without the `=` padding; the standard alphabet's `+` and `/` are taken
    /// as `-` and `_`, as Python does) separated by commas and/or whitespace.
    pub fn parse(text: &str) -> Result<Self, CipherError> {
        let entries: Vec<&str> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .collect();
        if entries.is_empty() {
            return Err(CipherError::MasterKeyMissing);
        }
        let count = entries.len();
        let mut fernets = Vec::with_capacity(count);
        for (index, entry) in entries.into_iter().enumerate() {
            let malformed = |problem| CipherError::MasterKeyMalformed {
                position: index + 1,
                count,
                problem,
            };
            let url_safe: String = entry
                .trim_end_matches('=')
                .chars()
                .map(|c| match c {
                    '+' => '-',
                    '/' => '_',
                    c => c,
                })
                .collect();
            let bytes = URL_SAFE_NO_PAD
                .decode(&url_safe)
                .map_err(|_| malformed(KeyProblem::NotBase64))?;
            if bytes.len() != KEY_BYTES {
                return Err(malformed(KeyProblem::WrongLength(bytes.len())));
            }
            let fernet = fernet::Fernet::new(&url_safe).ok_or(malformed(KeyProblem::NotBase64))?;
            fernets.push(fernet);
        }
        Ok(Self {
            keys: fernet::MultiFernet::new(fernets),
            count,
        })
    }

    /// How many keys the variable holds.
    pub fn key_count(&self) -> usize {
        self.count
    }

    /// Encrypts `plaintext` under the first key into a Fernet token (url-safe base64 text).
    ///
    /// Each call draws a fresh IV, so encrypting the same text twice gives different tokens.
    pub fn encrypt(&self, plaintext: &str) -> String {
        self.keys.encrypt(plaintext.as_bytes())
    }

    /// Decrypts a token made under any of the keys; tokens of any age are accepted.
    pub fn decrypt(&self, token: &str) -> Result<SecretString, CipherError> {
        let bytes = self
            .keys
            .decrypt(token.trim())
            .map_err(|_| CipherError::UndecryptableToken)?;
        String::from_utf8(bytes)
            .map(SecretString::from)
            .map_err(|_| CipherError::NotText)
    }

    /// Re-encrypts a token, made under any of the keys, under the first key.
    pub fn rotate(&self, token: &str) -> Result<String, CipherError> {
        let bytes = self
            .keys
            .decrypt(token.trim())
            .map_err(|_| CipherError::UndecryptableToken)?;
        Ok(self.keys.encrypt(&bytes))
    }
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeys")
            .field("keys", &self.count)
            .finish_non_exhaustive()
    }
}

/// A new random Fernet key, in the format of Python's `Fernet.generate_key()` (url-safe base64
/// with padding, 44 characters), for [`MASTER_KEY_VARIABLE`].
pub fn generate_master_key() -> Result<String, CipherError> {
    let mut bytes = [0u8; KEY_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| CipherError::Random(e.to_string()))?;
    Ok(URL_SAFE.encode(bytes))
}

/// The end of a provider key to show in place of the key (`…mnop`): its last 4 characters, the
/// last 2 when the key has fewer than 20 characters, none when it has fewer than 12 (showing part
/// of a short key gives too much of it away). Surrounding whitespace is not counted.
pub fn hint(key: &str) -> String {
    let key = key.trim();
    let length = key.chars().count();
    let shown = match length {
        0..12 => 0,
        12..20 => 2,
        _ => 4,
    };
    key.chars().skip(length - shown).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

    fn key_b() -> String {
        URL_SAFE.encode([7u8; 32])
    }

    #[test]
    fn round_trip_and_fresh_iv() {
        let keys = MasterKeys::parse(KEY_A).unwrap();
        let a = keys.encrypt("sk-ünïcödé-🔑");
        let b = keys.encrypt("sk-ünïcödé-🔑");
        assert_ne!(a, b, "every token has its own IV");
        assert_eq!(keys.decrypt(&a).unwrap().expose(), "sk-ünïcödé-🔑");
        assert_eq!(
            keys.decrypt(&format!(" {b}\n")).unwrap().expose(),
            "sk-ünïcödé-🔑"
        );
        assert_eq!(keys.decrypt(&keys.encrypt("")).unwrap().expose(), "");
    }

    #[test]
    fn separators_padding_and_standard_alphabet() {
        let b = key_b();
        for text in [
            format!("{KEY_A},{b}"),
            format!("  {KEY_A} ,\n {b}\t"),
            format!("{KEY_A},,{b},"),
            format!("{}\n{b}", KEY_A.trim_end_matches('=')),
            format!("{}\n{b}", KEY_A.replace('-', "+").replace('_', "/")),
        ] {
            let keys = MasterKeys::parse(&text).unwrap();
            assert_eq!(keys.key_count(), 2, "{text:?}");
            let only_a = MasterKeys::parse(KEY_A).unwrap();
            assert_eq!(only_a.decrypt(&keys.encrypt("x")).unwrap().expose(), "x");
        }
    }

    #[test]
    fn first_key_encrypts_all_decrypt_and_rotate_moves_to_the_first() {
        let old = MasterKeys::parse(KEY_A).unwrap();
        let new_only = MasterKeys::parse(&key_b()).unwrap();
        let both = MasterKeys::parse(&format!("{}, {KEY_A}", key_b())).unwrap();
        let token = old.encrypt("sk-old");
        assert_eq!(both.decrypt(&token).unwrap().expose(), "sk-old");
        assert_eq!(
            new_only.decrypt(&token).unwrap_err(),
            CipherError::UndecryptableToken
        );
        let rotated = both.rotate(&token).unwrap();
        assert_eq!(new_only.decrypt(&rotated).unwrap().expose(), "sk-old");
        assert_eq!(
            old.decrypt(&rotated).unwrap_err(),
            CipherError::UndecryptableToken
        );
        assert_eq!(
            new_only.rotate(&token).unwrap_err(),
            CipherError::UndecryptableToken
        );
    }

    #[test]
    fn missing_and_malformed_master_keys() {
        for text in ["", "   ", " , \n,"] {
            assert_eq!(
                MasterKeys::parse(text).unwrap_err(),
                CipherError::MasterKeyMissing
            );
        }
        let secret_looking = "not!base64-but-secret-material";
        let cases = [
            (
                format!("{KEY_A},{secret_looking}"),
                2,
                2,
                KeyProblem::NotBase64,
            ),
            (
                URL_SAFE.encode([1u8; 16]),
                1,
                1,
                KeyProblem::WrongLength(16),
            ),
            (
                format!("{KEY_A} {KEY_A} {}", URL_SAFE.encode([1u8; 33])),
                3,
                3,
                KeyProblem::WrongLength(33),
            ),
        ];
        for (text, position, count, problem) in cases {
            let err = MasterKeys::parse(&text).unwrap_err();
            assert_eq!(
                err,
                CipherError::MasterKeyMalformed {
                    position,
                    count,
                    problem
                }
            );
            let message = err.to_string();
            assert!(message.contains(MASTER_KEY_VARIABLE), "{message}");
            assert!(
                message.contains(&format!("entry {position} of {count}")),
                "{message}"
            );
            for entry in text.split([',', ' ']) {
                assert!(!message.contains(entry), "{message} shows {entry}");
            }
        }
        let missing = CipherError::MasterKeyMissing.to_string();
        assert!(missing.contains(MASTER_KEY_VARIABLE) && missing.contains(MASTER_KEY_ENV));
    }

    #[test]
    fn damaged_tokens_and_non_text() {
        let keys = MasterKeys::parse(KEY_A).unwrap();
        let token = keys.encrypt("sk-1234");
        let mut damaged = token.clone().into_bytes();
        let middle = damaged.len() / 2;
        damaged[middle] = if damaged[middle] == b'A' { b'B' } else { b'A' };
        let damaged = String::from_utf8(damaged).unwrap();
        for bad in [
            damaged.as_str(),
            &token[..token.len() - 8],
            "",
            "gAAAAA",
            "not a token",
        ] {
            assert_eq!(
                keys.decrypt(bad).unwrap_err(),
                CipherError::UndecryptableToken,
                "{bad:?}"
            );
        }
        let raw = fernet::Fernet::new(KEY_A).unwrap().encrypt(&[0xff, 0xfe]);
        assert_eq!(keys.decrypt(&raw).unwrap_err(), CipherError::NotText);
    }

    #[test]
    fn debug_output_and_errors_hold_no_secret() {
        let keys = MasterKeys::parse(&format!("{KEY_A} {}", key_b())).unwrap();
        let printed = format!("{keys:?} {keys:#?}");
        assert!(!printed.contains(&KEY_A[..10]), "{printed}");
        assert!(printed.contains("MasterKeys") && printed.contains('2'));
        let secret = keys.decrypt(&keys.encrypt("sk-live-secret")).unwrap();
        assert!(!format!("{secret:?}").contains("sk-live"));
        for err in [
            CipherError::UndecryptableToken,
            CipherError::NotText,
            CipherError::MasterKeyMissing,
        ] {
            assert!(!err.to_string().contains("sk-live"));
        }
    }

    #[test]
    fn generated_master_keys_parse_and_differ() {
        let a = generate_master_key().unwrap();
        let b = generate_master_key().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 44);
        assert!(a.ends_with('='));
        let keys = MasterKeys::parse(&a).unwrap();
        assert_eq!(keys.decrypt(&keys.encrypt("k")).unwrap().expose(), "k");
    }

    #[test]
    fn hints_show_little_of_short_keys() {
        for (key, expected) in [
            ("", ""),
            ("abc", ""),
            ("12345678901", ""),
            ("123456789012", "12"),
            ("1234567890123456789", "89"),
            ("12345678901234567890", "7890"),
            ("sk-proj-abcdefghijklmnopqrstuvwxyz", "wxyz"),
            ("  sk-proj-abcdefghijklmnopqrstuvwxyz\n", "wxyz"),
            ("ключ-ключ-ключ-ключ-ключ", "ключ"),
        ] {
            assert_eq!(hint(key), expected, "{key:?}");
        }
    }
}
