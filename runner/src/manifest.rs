//! Reading `spin.toml` (manifest version 2) into the application model the runner hosts.
//!
//! Only what Spin itself accepts is accepted here; features of the manifest that the runner does
//! not implement (key-value stores, SQLite, non-HTTP triggers, glob `files`) are refused at start
//! with a message naming them, rather than silently ignored.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;

use crate::template::Template;

/// The raw TOML shape. Unknown top-level keys are an error, as in Spin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    spin_manifest_version: toml::Value,
    application: RawApplication,
    #[serde(default)]
    variables: BTreeMap<String, RawVariable>,
    #[serde(default)]
    trigger: BTreeMap<String, Vec<RawTrigger>>,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplication {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    trigger: Option<RawAppTrigger>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppTrigger {
    #[serde(default)]
    http: Option<RawAppHttp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppHttp {
    #[serde(default)]
    base: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariable {
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    #[serde(default)]
    id: Option<String>,
    route: RawRoute,
    component: String,
    #[serde(default)]
    executor: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRoute {
    Path(String),
    Private(RawPrivate),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivate {
    private: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    source: RawSource,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
    #[serde(default)]
    files: Vec<RawFiles>,
    #[serde(default)]
    exclude_files: Vec<String>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    allowed_http_hosts: Option<toml::Value>,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    ai_models: Vec<String>,
    #[serde(default)]
    build: Option<RawBuild>,
    #[serde(default)]
    tool: Option<toml::Value>,
    #[serde(default)]
    dependencies_inherit_configuration: Option<bool>,
    #[serde(default)]
    dependencies: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSource {
    Local(String),
    Remote(#[allow(dead_code, reason = "only its presence matters: refused")] toml::Value),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawFiles {
    Pattern(String),
    Mount { source: String, destination: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "read so that `spin build` keys are validated, used by Spin only"
)]
struct RawBuild {
    command: toml::Value,
    #[serde(default)]
    workdir: Option<String>,
    #[serde(default)]
    watch: Vec<String>,
}

/// An application variable (`[variables]`).
#[derive(Debug, Clone)]
pub struct Variable {
    /// Default value, if any.
    pub default: Option<String>,
    /// Must be provided (no default allowed).
    pub required: bool,
    /// Never logged or shown.
    pub secret: bool,
}

/// How a trigger is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A public route pattern, e.g. `/api/chats/:id` or `/...`.
    Path(String),
    /// Reachable only through service chaining (`http://<component>.spin.internal`).
    Private,
}

/// An HTTP trigger: a route bound to a component.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// The route as written in the manifest.
    pub route: Route,
    /// The component id.
    pub component: String,
}

/// A directory (or file) made visible to the guest.
#[derive(Debug, Clone)]
pub struct FileMount {
    /// Absolute host path.
    pub source: PathBuf,
    /// Path inside the guest.
    pub destination: String,
}

/// One component as the runner hosts it.
#[derive(Debug, Clone)]
pub struct Component {
    /// Its id (the `[component.<id>]` key).
    pub id: String,
    /// Absolute path of the `.wasm` file.
    pub source: PathBuf,
    /// Component variables: name -> template over application variables.
    pub variables: HashMap<String, Template>,
    /// Environment variables visible to the guest.
    pub environment: Vec<(String, String)>,
    /// Mounted files.
    pub files: Vec<FileMount>,
    /// `allowed_outbound_hosts` entries, possibly templated.
    pub allowed_outbound_hosts: Vec<Template>,
}

/// The application: what `spin up` would run.
#[derive(Debug, Clone)]
pub struct App {
    /// `[application].name`.
    pub name: String,
    /// `[application].version`.
    pub version: Option<String>,
    /// The HTTP base path (default `/`).
    pub base: String,
    /// Application variables.
    pub variables: HashMap<String, Variable>,
    /// HTTP triggers in manifest order.
    pub triggers: Vec<Trigger>,
    /// Components by id.
    pub components: BTreeMap<String, Component>,
}

fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}

fn valid_component_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Reads and validates the manifest at `path`. Relative paths in it are resolved against its folder.
pub fn load(path: &Path) -> Result<App> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read manifest {}", path.display()))?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    parse(&text, &dir).with_context(|| format!("invalid manifest {}", path.display()))
}

/// Parses manifest text; `dir` is the folder relative paths are resolved against.
pub fn parse(text: &str, dir: &Path) -> Result<App> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure!(
        raw.spin_manifest_version.as_integer() == Some(2),
        "spin_manifest_version must be 2, found {}",
        raw.spin_manifest_version
    );
    let _ = (&raw.application.description, &raw.application.authors);
    ensure!(
        !raw.application.name.trim().is_empty(),
        "application.name is empty"
    );

    let mut variables = HashMap::new();
    for (name, var) in raw.variables {
        ensure!(
            valid_variable_name(&name),
            "variable name {name:?} is invalid: lowercase letters, digits and single underscores, starting with a letter"
        );
        let _ = &var.description;
        if var.required && var.default.is_some() {
            bail!("variable {name:?} is required and has a default: choose one");
        }
        if !var.required && var.default.is_none() {
            bail!("variable {name:?} needs a default or `required = true`");
        }
        variables.insert(
            name,
            Variable {
                default: var.default,
                required: var.required,
                secret: var.secret,
            },
        );
    }

    let mut triggers = Vec::new();
    for (kind, list) in raw.trigger {
        ensure!(
            kind == "http",
            "trigger type {kind:?} is not supported by the local runner (only http)"
        );
        for t in list {
            let _ = &t.id;
            if t.executor.is_some() {
                bail!(
                    "trigger for component {:?}: a custom executor is not supported (components use wasi:http)",
                    t.component
                );
            }
            let route = match t.route {
                RawRoute::Path(p) => {
                    crate::router::validate_route(&p)
                        .with_context(|| format!("route {p:?} of component {:?}", t.component))?;
                    Route::Path(p)
                }
                RawRoute::Private(RawPrivate { private: true }) => Route::Private,
                RawRoute::Private(RawPrivate { private: false }) => bail!(
                    "route of component {:?} must be a string pattern or {{ private = true }}",
                    t.component
                ),
            };
            triggers.push(Trigger {
                route,
                component: t.component,
            });
        }
    }

    let mut components = BTreeMap::new();
    for (id, c) in raw.component {
        ensure!(
            valid_component_id(&id),
            "component id {id:?} is invalid: lowercase letters and digits in dash-separated words"
        );
        let _ = (&c.description, &c.build, &c.tool, &c.exclude_files);
        let source = match c.source {
            RawSource::Local(s) => dir.join(s),
            RawSource::Remote(_) => bail!(
                "component {id:?}: remote sources (url/registry) are not supported by the local runner; build the component and point `source` at the .wasm file"
            ),
        };
        for (what, list) in [
            ("key_value_stores", &c.key_value_stores),
            ("sqlite_databases", &c.sqlite_databases),
            ("ai_models", &c.ai_models),
        ] {
            ensure!(
                list.is_empty(),
                "component {id:?} uses {what}, which the local runner does not provide"
            );
        }
        ensure!(
            c.allowed_http_hosts.is_none(),
            "component {id:?}: `allowed_http_hosts` is not valid in manifest version 2; use `allowed_outbound_hosts`"
        );
        ensure!(
            c.dependencies.is_none() && c.dependencies_inherit_configuration.is_none(),
            "component {id:?}: component dependencies are not supported by the local runner"
        );

        let mut comp_vars = HashMap::new();
        for (name, value) in c.variables {
            ensure!(
                valid_variable_name(&name),
                "component {id:?}: variable name {name:?} is invalid"
            );
            let template = Template::parse(&value)
                .with_context(|| format!("component {id:?}: variable {name:?}"))?;
            for reference in template.references() {
                ensure!(
                    variables.contains_key(reference),
                    "component {id:?}: variable {name:?} refers to undefined application variable {reference:?}"
                );
            }
            comp_vars.insert(name, template);
        }

        let mut hosts = Vec::new();
        for entry in c.allowed_outbound_hosts {
            let template = Template::parse(&entry).with_context(|| {
                format!("component {id:?}: allowed_outbound_hosts entry {entry:?}")
            })?;
            for reference in template.references() {
                ensure!(
                    variables.contains_key(reference),
                    "component {id:?}: allowed_outbound_hosts entry {entry:?} refers to undefined variable {reference:?}"
                );
            }
            if template.references().next().is_none() {
                crate::allowed_hosts::AllowedHost::parse(&entry).with_context(|| {
                    format!("component {id:?}: allowed_outbound_hosts entry {entry:?}")
                })?;
            }
            hosts.push(template);
        }

        let mut files = Vec::new();
        for f in c.files {
            match f {
                RawFiles::Mount {
                    source,
                    destination,
                } => {
                    ensure!(
                        destination.starts_with('/'),
                        "component {id:?}: files destination {destination:?} must be absolute"
                    );
                    files.push(FileMount {
                        source: dir.join(source),
                        destination,
                    });
                }
                RawFiles::Pattern(p) => {
                    ensure!(
                        !p.contains(['*', '?', '[']),
                        "component {id:?}: glob pattern {p:?} in `files` is not supported by the local runner; use {{ source = \"dir\", destination = \"/\" }}"
                    );
                    let destination = format!("/{}", p.trim_start_matches('/'));
                    files.push(FileMount {
                        source: dir.join(&p),
                        destination,
                    });
                }
            }
        }

        components.insert(
            id.clone(),
            Component {
                id,
                source,
                variables: comp_vars,
                environment: c.environment.into_iter().collect(),
                files,
                allowed_outbound_hosts: hosts,
            },
        );
    }

    for t in &triggers {
        ensure!(
            components.contains_key(&t.component),
            "trigger route {:?} refers to undefined component {:?}",
            t.route,
            t.component
        );
    }
    ensure!(!triggers.is_empty(), "the manifest has no [[trigger.http]]");

    let base = raw
        .application
        .trigger
        .and_then(|t| t.http)
        .and_then(|h| h.base)
        .unwrap_or_else(|| "/".to_owned());
    ensure!(
        base == "/",
        "application.trigger.http.base {base:?} is not supported (Spin 3 and later have no application-wide base path): put the prefix in each route"
    );

    Ok(App {
        name: raw.application.name,
        version: raw.application.version,
        base,
        variables,
        triggers,
        components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
spin_manifest_version = 2
[application]
name = "t"
[variables]
db_url = { required = true, secret = true }
region = { default = "eu" }
[[trigger.http]]
route = "/api/..."
component = "api"
[[trigger.http]]
route = { private = true }
component = "api"
[component.api]
source = "api.wasm"
allowed_outbound_hosts = ["https://{{ region }}.example.com", "postgres://localhost:5432"]
files = [{ source = "site", destination = "/" }]
[component.api.variables]
db = "{{ db_url }}"
"#;

    #[test]
    fn parses_a_valid_manifest() {
        let app = parse(MINIMAL, Path::new("/app")).unwrap();
        assert_eq!(app.name, "t");
        assert_eq!(app.triggers.len(), 2);
        assert_eq!(app.triggers[1].route, Route::Private);
        let api = &app.components["api"];
        assert_eq!(api.source, PathBuf::from("/app/api.wasm"));
        assert_eq!(api.files[0].source, PathBuf::from("/app/site"));
        assert!(app.variables["db_url"].secret);
    }

    fn error_of(text: &str) -> String {
        format!("{:#}", parse(text, Path::new("/")).unwrap_err())
    }

    #[test]
    fn names_the_problem() {
        assert!(
            error_of("spin_manifest_version = 1\n[application]\nname='x'").contains("must be 2")
        );
        assert!(
            error_of(&MINIMAL.replace("component = \"api\"\n[[", "component = \"nope\"\n[["))
                .contains("undefined component \"nope\"")
        );
        assert!(
            error_of(&MINIMAL.replace("{{ db_url }}", "{{ dburl }}"))
                .contains("undefined application variable \"dburl\"")
        );
        assert!(
            error_of(&MINIMAL.replace("postgres://localhost:5432", "localhost")).contains("scheme")
        );
        assert!(
            error_of(&MINIMAL.replace("route = \"/api/...\"", "route = \"api/.../x\""))
                .contains("route")
        );
        assert!(
            error_of(&MINIMAL.replace("[application]", "[application]\nbogus = 1"))
                .contains("bogus")
        );
        assert!(error_of("this is = not toml =").contains("expected"));
    }
}
