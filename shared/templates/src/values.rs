//! What fills a template: the values of its variables, and the descriptions of them stored
//! next to the body. Both are pairs of a name and a text, checked against the variables the
//! same way.

use std::collections::BTreeMap;

use crate::error::{DescriptionError, RenderError};
use crate::{MAX_DESCRIPTION_CHARS, Segment, Template};

/// Pairs of a name and a text, by name.
struct ByName<'a> {
    texts: BTreeMap<&'a str, &'a str>,
    /// The names that are not variables, each once, in the order given.
    unknown: Vec<String>,
    /// The names given more than once, each once, in the order given.
    duplicated: Vec<String>,
}

fn push_once(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|known| known == name) {
        names.push(name.to_owned());
    }
}

impl Template {
    fn by_name<'a, K: AsRef<str>, V: AsRef<str>>(&self, pairs: &'a [(K, V)]) -> ByName<'a> {
        let mut by_name = ByName {
            texts: BTreeMap::new(),
            unknown: Vec::new(),
            duplicated: Vec::new(),
        };
        for (name, text) in pairs {
            let name = name.as_ref();
            if by_name.texts.insert(name, text.as_ref()).is_some() {
                push_once(&mut by_name.duplicated, name);
            }
            if !self.variables().iter().any(|variable| variable == name) {
                push_once(&mut by_name.unknown, name);
            }
        }
        by_name
    }

    /// The body with each placeholder replaced by the value of its variable.
    ///
    /// `values` are pairs of a variable name and its value: a `&BTreeMap` or `&HashMap` of
    /// strings, a list of pairs, …. Each variable needs exactly one value, and only variables
    /// may have one: otherwise the [`RenderError`] lists every variable without a value, every
    /// name that is not a variable and every name given twice. Values are inserted verbatim:
    /// a `{{x}}` in a value stays as it is. The result is not limited in size beyond the body
    /// and the values.
    pub fn render<K, V>(
        &self,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Result<String, RenderError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs: Vec<(K, V)> = values.into_iter().collect();
        let ByName {
            texts,
            unknown,
            duplicated,
        } = self.by_name(&pairs);
        let missing: Vec<String> = self
            .variables()
            .iter()
            .filter(|name| !texts.contains_key(name.as_str()))
            .cloned()
            .collect();
        if !(missing.is_empty() && unknown.is_empty() && duplicated.is_empty()) {
            return Err(RenderError {
                missing,
                unknown,
                duplicated,
            });
        }
        let mut out = String::new();
        for segment in self.segments() {
            out.push_str(match segment {
                Segment::Text(text) => text,
                Segment::Variable(name) => texts.get(name.as_str()).copied().unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Checks the descriptions of variables that the caller stores next to the body: pairs of
    /// a variable name and its description, like the values of [`render`](Self::render).
    /// Descriptions are optional, so a variable may have none; but every name described must
    /// be a variable, described once, in at most [`MAX_DESCRIPTION_CHARS`] characters.
    /// Otherwise the [`DescriptionError`] lists every name in question.
    pub fn check_descriptions<K, V>(
        &self,
        descriptions: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(), DescriptionError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs: Vec<(K, V)> = descriptions.into_iter().collect();
        let ByName {
            unknown,
            duplicated,
            ..
        } = self.by_name(&pairs);
        let mut too_long = Vec::new();
        for (name, description) in &pairs {
            if description.as_ref().chars().count() > MAX_DESCRIPTION_CHARS {
                push_once(&mut too_long, name.as_ref());
            }
        }
        if unknown.is_empty() && duplicated.is_empty() && too_long.is_empty() {
            Ok(())
        } else {
            Err(DescriptionError {
                unknown,
                duplicated,
                too_long,
            })
        }
    }
}
