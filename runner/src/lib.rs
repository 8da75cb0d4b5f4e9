//! `hub-runner`: hosts the hub's Spin components on one machine without the Spin CLI.
//!
//! It reads the same `spin.toml`, runs the same `.wasm` files with the interfaces Spin gives them
//! (wasi:http in and out, `spin:postgres@4.0.0`, variables, files), routes like Spin and adds the
//! headers Spin adds. Nothing in a component may depend on it: what runs here runs under `spin up`.
//!
//! The Spin it mirrors is Spin 3.4+ and 4.1+ (manifest version 2, `spin:postgres@4.0.0`): among
//! other things a query that matches no row answers an empty result. Spin 4.0.0–4.0.2 deadlock
//! there instead (spinframework/spin issue 3671, fixed by pull request 3673 for 4.1), which is why
//! the hub does not run on those versions. `docs/architecture.md` lists what else it mirrors.

//!
//! The binary (`src/main.rs`) only calls [`cli::main`]. Without the default `host` feature the
//! library is just the manifest model, which needs no wasmtime: [`manifest`] (reading and
//! validating `spin.toml`), [`template`], [`router`] and [`allowed_hosts`]; the fuzz targets
//! (`fuzz/`) build it that way.

pub mod allowed_hosts;
pub mod manifest;
pub mod router;
pub mod template;

#[cfg(feature = "host")]
pub mod cli;

// The host itself: reached only through `cli`.
#[cfg(feature = "host")]
mod bindings;
#[cfg(feature = "host")]
mod body_limit;
#[cfg(feature = "host")]
mod host;
#[cfg(feature = "host")]
mod migrate;
#[cfg(feature = "host")]
mod outbound_client;
#[cfg(feature = "host")]
mod outbound_http;
#[cfg(feature = "host")]
mod pg;
#[cfg(feature = "host")]
mod server;
#[cfg(feature = "host")]
mod variables;
