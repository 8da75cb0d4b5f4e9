//! Authentication for the hub, as plain Rust (no Spin; the database only through `hub-db`'s
//! trait), so that all of it unit-tests natively and every component shares one implementation:
//!
//! - [`Email`], [`Password`], [`DisplayName`]: validated account input, each with a `parse()`;
//! - [`hash_password`] / [`verify_password`]: Argon2id with OWASP's parameters
//!   (19 MiB, 2 iterations, 1 lane), and [`verify_dummy`] for the timing of unknown accounts;
//! - [`JwtKeys`]: HS256 access tokens ([`AccessClaims`]) with a fixed algorithm and every claim
//!   checked (`iss`, `aud`, `typ`, `exp`, `nbf`);
//! - [`RefreshToken`]: opaque 256-bit refresh tokens, stored only as their SHA-256;
//! - [`ThrottlePolicy`]: how failed logins slow down and then lock an account or an address;
//! - [`UserContext`]: who a verified request is from; [`bearer_token`] and [`client_ip`] read the
//!   request's credentials and address.
//!
//! - the use cases around a login over `hub-db`'s [`hub_db::Db`]: [`start_session`],
//!   [`check_throttle`], [`record_failure`] (with [`ClientInfo`], where a request came from).
//!
//! The SQL (users, sessions, the throttle counters, the audit log) lives in `hub-db`; the request
//! side (headers, variables, HTTP errors) in `hub-component`.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod context;
mod credentials;
mod error;
mod jwt;
mod password;
mod refresh;
mod session;
mod throttle;

pub use context::{UserContext, bearer_token, client_ip};
pub use credentials::{DisplayName, Email, Password};
pub use error::AuthError;
pub use jwt::{
    ACCESS_TOKEN_TTL_SECS, AUDIENCE, AccessClaims, ISSUER, IssuedAccessToken, JwtKeys,
    MIN_SECRET_BYTES, TOKEN_TYPE,
};
pub use password::{PasswordHash, generate_password, hash_password, verify_dummy, verify_password};
pub use refresh::{REFRESH_TOKEN_TTL_SECS, RefreshToken, hash_refresh_token};
pub use session::{
    ClientInfo, FailureCount, Lockout, check_throttle, record_failure, start_session,
};
pub use throttle::{ThrottlePolicy, Verdict};
