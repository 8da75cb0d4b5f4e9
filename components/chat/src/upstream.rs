//! Sending a provider request through Spin's outbound HTTP: `hub_component::upstream`, shared
//! with the keys component's provider tests.

pub use hub_component::upstream::{ERROR_BODY_LIMIT, headers, read_body, send};
