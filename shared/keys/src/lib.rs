//! Provider keys as plain Rust: the building blocks the keys feature's components share.
//!
//! - [`cipher`]: provider API keys encrypted at rest as Fernet tokens under the master key (the
//!   Spin variable [`MASTER_KEY_VARIABLE`]), readable and writable by Python's `cryptography`
//!   (`Fernet`/`MultiFernet`); key rotation; [`hint`] for display.
//! - [`outbound`]: the outbound-URL (SSRF) policy an admin-entered provider base URL must pass
//!   before it is stored: `https` only, no internal, private or metadata addresses in any
//!   spelling, and inside the component's `allowed_outbound_hosts`.
//!
//! No I/O: the callers read Spin variables, the database and the manifest, and pass the text in.
//!
//! # The master key
//!
//! [`MASTER_KEY_VARIABLE`] (`provider_keys_master_key`; in the environment
//! `SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY`) holds one or more Fernet keys, separated by commas
//! and/or whitespace. A Fernet key is 32 random bytes in url-safe base64 (44 characters ending in
//! `=`); make one with Python's `cryptography`:
//!
//! ```sh
//! python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
//! ```
//!
//! or with [`cipher::generate_master_key`] (the same format), or with any tool that prints 32
//! random bytes as url-safe base64 (`openssl rand -base64 32 | tr '+/' '-_'`). The first key
//! encrypts, every key decrypts: to rotate, put a new key first and keep the old one after it,
//! re-encrypt the stored tokens ([`MasterKeys::rotate`]), then drop the old key. Losing every key
//! makes the stored provider keys unreadable: the admins then enter them again.
//!
//! ```
//! use hub_keys::{MasterKeys, hint};
//!
//! let keys = MasterKeys::parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")?;
//! let token = keys.encrypt("sk-proj-abcdefghijklmnop");
//! assert_eq!(keys.decrypt(&token)?.expose(), "sk-proj-abcdefghijklmnop");
//! assert_eq!(hint("sk-proj-abcdefghijklmnop"), "mnop");
//! # Ok::<(), hub_keys::CipherError>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod cipher;
pub mod outbound;

pub use cipher::{
    CipherError, KeyProblem, MASTER_KEY_ENV, MASTER_KEY_VARIABLE, MasterKeys, generate_master_key,
    hint,
};
pub use hub_providers::SecretString;
pub use outbound::{
    AllowedHosts, BlockedKind, EXTRA_HOST_VARIABLE, OutboundError, OutboundPolicy, SafeBaseUrl,
    TRUSTED_HOSTS_VARIABLE,
};
