//! `GET /api/models`: the models users may choose (A5), and the provider settings of this
//! component (its Spin variables).

use std::ops::RangeInclusive;
use std::time::Duration;

use hub_api::ModelList;
use hub_component::auth::authenticate;
use hub_component::{database, errors, json};
use hub_conversation::models;
use hub_http::ApiError;
use spin_sdk::http::{Request, Response};

use crate::views;

/// `GET /api/models`: the enabled models whose provider is configured (a key, and the base URL
/// where one is needed), and the default one among them.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    authenticate(req, &db)?;
    let items = models::offered(&db, &settings).map_err(errors::chat)?;
    Ok(json(
        200,
        &ModelList {
            default_model: items
                .iter()
                .find(|m| m.is_default)
                .map(|m| m.model_id.clone()),
            items: items.iter().map(views::model).collect(),
        },
    ))
}

pub use hub_component::setting as settings;

/// A duration setting: the component variable `name` in whole seconds within `range`, else
/// `default` seconds.
pub fn seconds(name: &str, range: RangeInclusive<u64>, default: u64) -> Duration {
    let secs = settings(name)
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| range.contains(s))
        .unwrap_or(default);
    Duration::from_secs(secs)
}
