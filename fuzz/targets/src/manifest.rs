//! The runner's manifest reader (`runner/src/manifest.rs`: `spin.toml` parsing and validation).

use std::collections::HashMap;
use std::path::Path;

use hub_runner::allowed_hosts::AllowedHosts;
use hub_runner::manifest::{self, Route};
use hub_runner::router::Router;

/// A request path that a route pattern matches: `:name` segments become `v`, a trailing
/// `/...` becomes `/a/b`.
fn path_for(route: &str) -> String {
    let route = route.strip_suffix("/...").unwrap_or(route);
    let mut path: String = route
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with(':') {
                "/v".to_owned()
            } else {
                format!("/{s}")
            }
        })
        .collect();
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// `manifest::parse` over any text, then what the runner does with an accepted manifest.
///
/// Invariants: no panic; an accepted manifest has at least one trigger and every trigger names
/// one of its components; the router builds from it (what `hub-runner check` accepts, `start`
/// serves) and routes a path made from every public route; the allowed hosts resolve or fail
/// with an error, with every variable's default (or a value for a required one).
pub fn manifest(data: &[u8]) {
    // The runner reads the manifest as UTF-8 text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(app) = manifest::parse(text, Path::new("/app")) else {
        return;
    };

    assert!(
        !app.triggers.is_empty(),
        "a manifest without triggers was accepted"
    );
    for trigger in &app.triggers {
        assert!(
            app.components.contains_key(&trigger.component),
            "trigger {:?} names an undefined component",
            trigger.route
        );
    }
    for component in app.components.values() {
        for mount in &component.files {
            assert!(
                mount.destination.starts_with('/'),
                "{:?}",
                mount.destination
            );
        }
    }

    let router = Router::build(&app)
        .unwrap_or_else(|e| panic!("an accepted manifest gives no router: {e:#}"));
    for trigger in &app.triggers {
        let Route::Path(route) = &trigger.route else {
            continue;
        };
        let path = path_for(route);
        let matched = router.route(&path);
        assert!(matched.is_some(), "{path:?} does not reach route {route:?}");
        if let Some(matched) = matched {
            let _ = matched.spin_headers("http://127.0.0.1:3000/", "127.0.0.1:1");
        }
    }
    for path in ["/", "/api/chats/1", "/a/b/c/", "//", "/%2e%2e/x"] {
        let _ = router.route(path);
    }

    let values: HashMap<String, String> = app
        .variables
        .iter()
        .map(|(name, variable)| {
            let value = variable
                .default
                .clone()
                .unwrap_or_else(|| "value".to_owned());
            (name.clone(), value)
        })
        .collect();
    for component in app.components.values() {
        if let Ok(hosts) = AllowedHosts::resolve(component, &values) {
            let _ = hosts.allows("https", "example.com", 443);
        }
    }
}
