//! Spin's HTTP routing: which component answers a path, and the `spin-*` headers it is given.
//!
//! Precedence is Spin's own, because it uses the same matcher Spin uses (`routefinder`): segment by
//! segment, an exact segment beats a `:param`, which beats a trailing wildcard (`/...`); among
//! wildcards the longer prefix wins. A later manifest entry for the same route replaces an earlier
//! one. Private routes are not routable from outside.

use anyhow::{Result, anyhow};

use crate::manifest::{App, Route};

/// Checks that a route pattern is one Spin accepts.
pub fn validate_route(route: &str) -> Result<()> {
    let based = with_base("/", route);
    parse_spec(&based).map(|_| ()).map_err(|e| anyhow!("{e}"))
}

fn with_base(base: &str, route: &str) -> String {
    let base = base.strip_suffix('/').unwrap_or(base);
    let route = if route.starts_with('/') {
        route.to_owned()
    } else {
        format!("/{route}")
    };
    let route = route.strip_suffix('/').unwrap_or(&route).to_owned();
    format!("{base}{route}")
}

fn parse_spec(based: &str) -> Result<(routefinder::RouteSpec, Option<String>), String> {
    if based.contains("/.../") || (based.contains("...") && !based.ends_with("/...")) {
        return Err(format!(
            "'...' is allowed only as the last segment: {based:?}"
        ));
    }
    if let Some(prefix) = based.strip_suffix("/...") {
        Ok((
            format!("{prefix}/*").as_str().try_into()?,
            Some(prefix.to_owned()),
        ))
    } else if let Some(prefix) = based.strip_suffix("/*") {
        Ok((based.try_into()?, Some(prefix.to_owned())))
    } else {
        Ok((based.try_into()?, None))
    }
}

#[derive(Debug, Clone)]
struct Entry {
    component: String,
    based_route: String,
    raw_route: String,
    wildcard: bool,
}

/// The routing table.
#[derive(Debug)]
pub struct Router {
    inner: routefinder::Router<Entry>,
}

/// The result of routing a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The component id.
    pub component: String,
    /// `spin-matched-route`: the route with the base applied.
    pub matched_route: String,
    /// `spin-raw-component-route`: the route as written.
    pub raw_route: String,
    /// `spin-component-route`: the raw route without a trailing `/...`.
    pub component_route: String,
    /// `spin-path-info`: what a trailing wildcard matched (with a leading `/`), else empty.
    pub path_info: String,
    /// Named `:param` captures.
    pub params: Vec<(String, String)>,
}

impl Router {
    /// Builds the table from the app's public routes.
    pub fn build(app: &App) -> Result<Self> {
        let mut by_route: indexmap_lite::OrderedMap<Entry> = indexmap_lite::OrderedMap::default();
        for t in &app.triggers {
            let Route::Path(raw) = &t.route else { continue };
            let based = with_base(&app.base, raw);
            let wildcard = based.ends_with("/...") || based.ends_with("/*");
            by_route.insert(
                raw.clone(),
                Entry {
                    component: t.component.clone(),
                    based_route: based,
                    raw_route: raw.clone(),
                    wildcard,
                },
            );
        }
        let mut inner = routefinder::Router::new();
        for entry in by_route.into_values() {
            let (spec, _) = parse_spec(&entry.based_route).map_err(|e| {
                anyhow!(
                    "route {} of component {}: {e}",
                    entry.based_route,
                    entry.component
                )
            })?;
            inner.add(spec, entry).map_err(|e| anyhow!("{e}"))?;
        }
        Ok(Self { inner })
    }

    /// Routes a request path (without query).
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let m = self.inner.best_match(path)?;
        let entry = m.handler();
        let captures = m.captures();
        let path_info = if entry.wildcard {
            match (captures.wildcard().unwrap_or_default(), path.ends_with('/')) {
                ("", false) => String::new(),
                ("", true) => "/".to_owned(),
                (w, false) => format!("/{w}"),
                (w, true) => format!("/{w}/"),
            }
        } else {
            String::new()
        };
        let params = captures
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let component_route = entry
            .raw_route
            .strip_suffix("/...")
            .unwrap_or(&entry.raw_route)
            .to_owned();
        Some(RouteMatch {
            component: entry.component.clone(),
            matched_route: entry.based_route.clone(),
            raw_route: entry.raw_route.clone(),
            component_route,
            path_info,
            params,
        })
    }
}

impl RouteMatch {
    /// A match for a request reached through service chaining (private or not).
    pub fn chained(component: &str, path: &str) -> Self {
        Self {
            component: component.to_owned(),
            matched_route: "/...".to_owned(),
            raw_route: "/...".to_owned(),
            component_route: String::new(),
            path_info: path.to_owned(),
            params: Vec::new(),
        }
    }

    /// The headers Spin sets for the component (names lowercase, as Spin sends them).
    pub fn spin_headers(&self, full_url: &str, client_addr: &str) -> Vec<(String, String)> {
        let mut headers = vec![
            ("spin-path-info".to_owned(), self.path_info.clone()),
            ("spin-full-url".to_owned(), full_url.to_owned()),
            ("spin-matched-route".to_owned(), self.matched_route.clone()),
            ("spin-base-path".to_owned(), "/".to_owned()),
            (
                "spin-raw-component-route".to_owned(),
                self.raw_route.clone(),
            ),
            (
                "spin-component-route".to_owned(),
                self.component_route.clone(),
            ),
            ("spin-client-addr".to_owned(), client_addr.to_owned()),
        ];
        for (name, value) in &self.params {
            headers.push((
                format!(
                    "spin-path-match-{}",
                    name.to_ascii_lowercase().replace('_', "-")
                ),
                value.clone(),
            ));
        }
        headers
    }
}

/// Keeps the last entry per key while preserving first-insertion order (Spin's duplicate-route rule).
mod indexmap_lite {
    #[derive(Debug)]
    pub struct OrderedMap<V> {
        keys: Vec<String>,
        values: std::collections::HashMap<String, V>,
    }

    impl<V> Default for OrderedMap<V> {
        fn default() -> Self {
            Self {
                keys: Vec::new(),
                values: std::collections::HashMap::new(),
            }
        }
    }

    impl<V> OrderedMap<V> {
        pub fn insert(&mut self, key: String, value: V) {
            if self.values.insert(key.clone(), value).is_none() {
                self.keys.push(key);
            }
        }

        pub fn into_values(mut self) -> impl Iterator<Item = V> {
            self.keys
                .into_iter()
                .filter_map(move |k| self.values.remove(&k))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;
    use std::collections::HashMap;
    use std::path::Path;

    fn params_map(m: &RouteMatch) -> HashMap<&str, &str> {
        m.params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn app(routes: &[(&str, &str)]) -> App {
        let mut text = String::from("spin_manifest_version = 2\n[application]\nname = \"t\"\n");
        let mut comps = std::collections::BTreeSet::new();
        for (route, comp) in routes {
            text.push_str(&format!(
                "[[trigger.http]]\nroute = \"{route}\"\ncomponent = \"{comp}\"\n"
            ));
            comps.insert(*comp);
        }
        for c in comps {
            text.push_str(&format!("[component.{c}]\nsource = \"{c}.wasm\"\n"));
        }
        manifest::parse(&text, Path::new("/")).unwrap()
    }

    #[test]
    fn precedence_exact_then_param_then_longest_wildcard() {
        let r = Router::build(&app(&[
            ("/...", "fallback"),
            ("/api/...", "api"),
            ("/api/chats/:id", "chat"),
            ("/api/chats/new", "new"),
        ]))
        .unwrap();
        assert_eq!(r.route("/api/chats/new").unwrap().component, "new");
        let m = r.route("/api/chats/42").unwrap();
        assert_eq!(m.component, "chat");
        assert_eq!(params_map(&m)["id"], "42");
        assert_eq!(r.route("/api/chats/42/x").unwrap().component, "api");
        let m = r.route("/api/x/y/").unwrap();
        assert_eq!(
            (m.component.as_str(), m.path_info.as_str()),
            ("api", "/x/y/")
        );
        assert_eq!(r.route("/api").unwrap().component, "api");
        let m = r.route("/index.html").unwrap();
        assert_eq!(
            (m.component.as_str(), m.path_info.as_str()),
            ("fallback", "/index.html")
        );
        assert_eq!(m.component_route, "");
    }

    #[test]
    fn exact_route_does_not_match_subpaths_and_no_route_is_none() {
        let r = Router::build(&app(&[("/api/health", "admin")])).unwrap();
        assert!(r.route("/api/health").is_some());
        assert!(r.route("/api/health/x").is_none());
        assert!(r.route("/").is_none());
    }

    #[test]
    fn later_duplicate_replaces_earlier() {
        let r = Router::build(&app(&[("/a", "one"), ("/a", "two")])).unwrap();
        assert_eq!(r.route("/a").unwrap().component, "two");
    }

    #[test]
    fn headers_carry_params() {
        let r = Router::build(&app(&[("/users/:user_id/...", "u")])).unwrap();
        let m = r.route("/users/7/files/a").unwrap();
        let h = m.spin_headers("http://h/users/7/files/a", "1.2.3.4:5");
        let get = |n: &str| h.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("spin-path-match-user-id"), Some("7"));
        assert_eq!(get("spin-path-info"), Some("/files/a"));
        assert_eq!(get("spin-component-route"), Some("/users/:user_id"));
        assert_eq!(get("spin-matched-route"), Some("/users/:user_id/..."));
        assert_eq!(get("spin-client-addr"), Some("1.2.3.4:5"));
    }
}
