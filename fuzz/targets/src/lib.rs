//! The bodies of the hub's fuzz targets: one `pub fn <target>(data: &[u8])` per parser that
//! reads outside input, each checking its invariants by panicking.
//!
//! Two callers share them: the cargo-fuzz binaries (`fuzz/fuzz_targets/<target>.rs`, run by
//! `scripts/fuzz.sh`), and the test `tests/replay.rs`, which replays every file of
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through the same function as part of
//! `cargo test`. [`TARGETS`] lists them; `tests/README.md` says how to add one.
#![allow(
    clippy::panic,
    reason = "a fuzz target reports a broken invariant by panicking"
)]

mod http;
mod knowledge;
mod manifest;
mod providers;
mod split;
mod static_path;
mod templates;

pub use http::{json_body, query};
pub use knowledge::extract;
pub use manifest::manifest;
pub use providers::{
    response_anthropic, response_azure, response_compatible, response_gemini, response_mistral,
    response_openai, response_xai, sse, stream_anthropic, stream_azure, stream_compatible,
    stream_gemini, stream_mistral, stream_openai, stream_xai,
};
pub use static_path::static_path;
pub use templates::template;

/// Percent-encodes every byte but the unreserved ones (RFC 3986), as a client would.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One fuzz target: its name (of its binary, `fuzz/fuzz_targets/<name>.rs`, and of its
/// folders under `fuzz/corpus/` and `fuzz/regressions/`) and its body.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Runs one input; panics when an invariant does not hold.
    pub run: fn(&[u8]),
}

macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        &[$(Target { name: stringify!($name), run: $name }),*]
    };
}

/// Every target.
pub const TARGETS: &[Target] = targets![
    sse,
    stream_openai,
    stream_anthropic,
    stream_gemini,
    stream_mistral,
    stream_xai,
    stream_azure,
    stream_compatible,
    response_openai,
    response_anthropic,
    response_gemini,
    response_mistral,
    response_xai,
    response_azure,
    response_compatible,
    json_body,
    query,
    static_path,
    manifest,
    template,
    extract,
];
