//! Support for the hub's integration tests (`tests/tests/*`): start the real `hub-runner` with a
//! manifest ([`spawn_app`]), give each test its own database ([`TestDb`]), stand in for
//! external HTTP services ([`Upstream`]), and check answers against `docs/openapi.yaml`
//! ([`openapi`]).
//!
//! Prerequisites: `cargo build --release -p hub-runner` (and `-p hub-cli` for the tests of the
//! `hub` tool), the components under test built with
//! `cargo build --target wasm32-wasip2 --release -p <component>`, and a PostgreSQL with pgvector
//! whose admin URL is `HUB_TEST_DB_URL` (default: what `scripts/pg.sh url` prints).
#![deny(missing_docs)]
// Test support: a failed precondition (no runner binary, no database) ends the test with a
// message saying what to do, which is what a panic is for here.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod api;
mod app;
pub mod bench;
mod cluster;
mod db;
mod fake_providers;
mod hub;
pub mod openapi;
mod paths;
pub mod schemathesis;
mod tempdir;
mod upstream;

pub use api::{Answer, Event, OpenStream, Stream, TEST_PASSWORD, UsageRow, send, send_raw};
pub use app::{App, AppOptions, Launch, launch, spawn_app};
pub use cluster::Cluster;
pub use db::TestDb;
pub use fake_providers::{
    FAKE_EMBEDDING_DIMENSION, FAKE_PROVIDER_KEY, FakeProviders, RecordedRequest, Scenario,
    XSS_TEXT, fake_embedding, mid_answer,
};
pub use hub::{
    Hub, TEST_JWT_SECRET, TEST_MASTER_KEY, TEST_TICK_SECRET, hub_manifest, migrate, model_of,
};
pub use paths::{cli_binary, runner_binary, wasm, workspace_root};
pub use tempdir::TempDir;
pub use upstream::Upstream;

/// An HTTP client for talking to a local runner: no proxy, no pooling across tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building an HTTP client")
}
