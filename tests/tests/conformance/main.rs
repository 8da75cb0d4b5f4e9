//! The runner conformance suite: `hub-runner` must behave as Spin does for everything the hub's
//! components rely on (routing, Spin's headers, streaming, outbound HTTP, Postgres types,
//! variables, limits, failures and bad input). Each test drives a real runner process hosting the
//! `hub-conformance` fixture component.
//!
//! Prerequisites (the test script builds them first):
//! `cargo build --release -p hub-runner`,
//! `cargo build --target wasm32-wasip2 --release -p hub-conformance`,
//! and a PostgreSQL with pgvector (`scripts/pg.sh start`, or `HUB_TEST_DB_URL`).

// Tests: a failed expectation panics.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod failures;
mod headers;
mod helpers;
mod outbound;
mod postgres;
mod routing;
mod streaming;
mod tick;
mod variables;
