//! Application variables from the environment (`SPIN_VARIABLE_<NAME>`), defaults and `required`,
//! and the host side of `fermyon:spin/variables@2.0.0` for component variables.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Result, bail};

use crate::bindings::fermyon::spin::variables;
use crate::manifest::App;

/// Resolves application variables: `SPIN_VARIABLE_<UPPERCASE NAME>` from `env`, else the default.
/// A required variable without a value is an error naming it (and never its value).
pub fn resolve_app_variables(
    app: &App,
    env: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    let mut values = HashMap::new();
    let mut missing = Vec::new();
    for (name, var) in &app.variables {
        let key = format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase());
        match env.get(&key).or(var.default.as_ref()) {
            Some(v) => {
                values.insert(name.clone(), v.clone());
            }
            None if var.required => missing.push(format!("{name} (set {key})")),
            None => {}
        }
    }
    if !missing.is_empty() {
        missing.sort();
        bail!("required variables have no value: {}", missing.join(", "));
    }
    Ok(values)
}

/// One line per application variable for `hub-runner check`: where its value comes from, and the
/// value itself only when it is not secret.
pub fn describe(app: &App, values: &HashMap<String, String>) -> Vec<String> {
    let mut lines: Vec<String> = app
        .variables
        .iter()
        .map(|(name, var)| match values.get(name) {
            Some(_) if var.secret => format!("{name} = *** (secret)"),
            Some(v) => format!("{name} = {v:?}"),
            None => format!("{name} (unset)"),
        })
        .collect();
    lines.sort();
    lines
}

/// A component's variables, rendered once at start.
#[derive(Debug, Default, Clone)]
pub struct ComponentVariables {
    values: HashMap<String, Option<String>>,
}

impl ComponentVariables {
    /// Renders each of the component's templates against the application's values.
    pub fn new(
        component: &crate::manifest::Component,
        app_values: &HashMap<String, String>,
    ) -> Self {
        let values = component
            .variables
            .iter()
            .map(|(k, t)| (k.clone(), t.render(app_values)))
            .collect();
        Self { values }
    }

    fn get(&self, name: &str) -> Result<String, variables::Error> {
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(variables::Error::InvalidName(format!(
                "invalid variable name {name:?}: lowercase letters, digits and underscores"
            )));
        }
        match self.values.get(name) {
            Some(Some(v)) => Ok(v.clone()),
            Some(None) => Err(variables::Error::Undefined(format!(
                "variable {name:?} refers to an application variable that has no value"
            ))),
            None => Err(variables::Error::Undefined(format!(
                "no variable named {name:?} in this component's manifest entry"
            ))),
        }
    }
}

/// Per-request view used by the generated host trait.
pub struct VariablesState {
    vars: Arc<ComponentVariables>,
}

impl VariablesState {
    /// A view over one component's variables.
    pub fn new(vars: Arc<ComponentVariables>) -> Self {
        Self { vars }
    }
}

impl variables::Host for VariablesState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        Ok(self.vars.get(&name))
    }
}

/// Adds `fermyon:spin/variables` to the linker.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    get: fn(&mut T) -> &mut VariablesState,
) -> Result<()> {
    variables::add_to_linker::<T, wasmtime::component::HasSelf<VariablesState>>(linker, get)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;
    use std::path::Path;

    const APP: &str = r#"
spin_manifest_version = 2
[application]
name = "t"
[variables]
db_url = { required = true, secret = true }
region = { default = "eu" }
optional = { default = "" }
unset = { default = "", secret = true }
[[trigger.http]]
route = "/..."
component = "c"
[component.c]
source = "c.wasm"
[component.c.variables]
db = "{{ db_url }}"
where = "in-{{ region }}"
gone = "{{ unset }}"
"#;

    #[test]
    fn environment_overrides_default_and_required_is_enforced() {
        let app = manifest::parse(APP, Path::new("/")).unwrap();
        let err = resolve_app_variables(&app, &HashMap::new()).unwrap_err();
        assert!(
            err.to_string()
                .contains("db_url (set SPIN_VARIABLE_DB_URL)")
        );
        let env = HashMap::from([
            ("SPIN_VARIABLE_DB_URL".to_owned(), "pg://secret".to_owned()),
            ("SPIN_VARIABLE_REGION".to_owned(), "us".to_owned()),
        ]);
        let values = resolve_app_variables(&app, &env).unwrap();
        assert_eq!(values["region"], "us");
        let described = describe(&app, &values).join("\n");
        assert!(described.contains("db_url = *** (secret)"));
        assert!(!described.contains("pg://secret"));
        assert!(described.contains("region = \"us\""));

        let vars = ComponentVariables::new(&app.components["c"], &values);
        assert_eq!(vars.get("db").unwrap(), "pg://secret");
        assert_eq!(vars.get("where").unwrap(), "in-us");
        assert_eq!(vars.get("gone").unwrap(), "");
        assert!(matches!(
            vars.get("nope"),
            Err(variables::Error::Undefined(_))
        ));
        assert!(matches!(
            vars.get("Bad-Name"),
            Err(variables::Error::InvalidName(_))
        ));
    }
}
