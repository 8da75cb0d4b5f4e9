//! Spin's `{{ variable }}` templates, as used in component variables and `allowed_outbound_hosts`.

use std::collections::HashMap;

use anyhow::{Result, bail};

/// A parsed template: literal text with `{{ name }}` references to application variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

impl Template {
    /// Parses `text`; `{{` must be closed by `}}` and hold a valid variable name.
    pub fn parse(text: &str) -> Result<Self> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                bail!("unclosed '{{{{' in {text:?}");
            };
            let name = after[..end].trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                bail!("invalid variable reference {:?} in {text:?}", &after[..end]);
            }
            parts.push(Part::Variable(name.to_owned()));
            rest = &after[end + 2..];
        }
        if rest.contains("}}") {
            bail!("unopened '}}}}' in {text:?}");
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(Self { parts })
    }

    /// The application variables this template refers to.
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable(v) => Some(v.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Expands the template; `None` when a referenced variable has no value.
    pub fn render(&self, values: &HashMap<String, String>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Variable(v) => out.push_str(values.get(v)?),
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_literals_and_variables() {
        let t = Template::parse("postgres://{{ db_host }}:{{port}}/x").unwrap();
        assert_eq!(t.references().collect::<Vec<_>>(), ["db_host", "port"]);
        let values = HashMap::from([
            ("db_host".to_owned(), "h".to_owned()),
            ("port".to_owned(), "5".to_owned()),
        ]);
        assert_eq!(t.render(&values).unwrap(), "postgres://h:5/x");
        assert_eq!(t.render(&HashMap::new()), None);
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(Template::parse("{{ open").is_err());
        assert!(Template::parse("{{ Upper }}").is_err());
        assert!(Template::parse("x }}").is_err());
        assert!(Template::parse("{{}}").is_err());
    }
}
