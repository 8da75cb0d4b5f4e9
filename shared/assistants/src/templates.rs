//! The use cases of prompt templates: list, get, create, change, delete, render. A body is
//! parsed by `hub-templates` whenever it is saved or rendered, so what is stored always parses.

use std::collections::BTreeMap;

use hub_api::Scope;
use hub_db::Db;
use hub_db::assistants::ListQuery;
use hub_db::prompt_templates::{self, NewTemplate, PromptTemplate, TemplateChange};
use hub_templates::Template;
use uuid::Uuid;

use crate::input::{self, Kind};
use crate::{AssistantError, Caller, MAX_TITLE_CHARS, MAX_VALUE_CHARS, paging};

const WHAT: &str = "template";

/// A page of the templates the caller sees and the cursor of the next page.
pub fn list(
    db: &dyn Db,
    caller: Caller,
    query: &ListQuery,
) -> Result<(Vec<PromptTemplate>, Option<String>), AssistantError> {
    let rows = prompt_templates::list(db, caller.owner, query)?;
    Ok(paging::page(rows, query, |t| t.id))
}

/// The template `id`, if the caller sees it.
pub fn get(db: &dyn Db, caller: Caller, id: Uuid) -> Result<PromptTemplate, AssistantError> {
    prompt_templates::find_visible(db, id, caller.owner)?.ok_or(AssistantError::NotFound(WHAT))
}

/// A body, parsed (a malformed one is refused with its position).
pub fn parse_body(body: &str) -> Result<Template, AssistantError> {
    if body.trim().is_empty() {
        return Err(AssistantError::invalid("body", "must not be empty"));
    }
    if body.contains('\0') {
        return Err(AssistantError::invalid(
            "body",
            "must not contain NUL characters",
        ));
    }
    Template::parse(body).map_err(AssistantError::Template)
}

/// The descriptions to store: those of variables of `template`, blank ones left out.
fn descriptions(
    template: &Template,
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, AssistantError> {
    template
        .check_descriptions(given)
        .map_err(AssistantError::Descriptions)?;
    given
        .iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(name, text)| {
            let kind = Kind::Text { required: false };
            let text = input::text(
                "descriptions",
                text,
                kind,
                hub_templates::MAX_DESCRIPTION_CHARS,
            )?;
            Ok((name.clone(), text.trim().to_owned()))
        })
        .collect()
}

fn title(text: &str) -> Result<String, AssistantError> {
    input::text("title", text, Kind::Line, MAX_TITLE_CHARS)
}

/// What a user sends to create a template.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// Title.
    pub title: &'a str,
    /// Body.
    pub body: &'a str,
    /// Descriptions of variables.
    pub descriptions: Option<&'a BTreeMap<String, String>>,
    /// Personal (left out) or global (admins).
    pub scope: Option<Scope>,
}

/// Creates a template: the caller's own, or a global one if the caller is an admin.
pub fn create(
    db: &dyn Db,
    caller: Caller,
    draft: &Draft<'_>,
) -> Result<PromptTemplate, AssistantError> {
    let owner_id = caller.owner_for(draft.scope.unwrap_or(Scope::Personal), WHAT)?;
    let title = title(draft.title)?;
    let template = parse_body(draft.body)?;
    let descriptions = descriptions(&template, draft.descriptions.unwrap_or(&BTreeMap::new()))?;
    Ok(prompt_templates::insert(
        db,
        &NewTemplate {
            owner_id,
            title: &title,
            body: template.body(),
            descriptions: &descriptions,
            created_by: caller.owner.user_id(),
        },
    )?)
}

/// What a user sends to change a template (`None`: unchanged).
#[derive(Debug, Clone, Copy, Default)]
pub struct Change<'a> {
    /// New title.
    pub title: Option<&'a str>,
    /// New body.
    pub body: Option<&'a str>,
    /// New descriptions.
    pub descriptions: Option<&'a BTreeMap<String, String>>,
}

/// Changes a template the caller may change; the template before and after. A new body
/// without new descriptions keeps those of the variables it still has.
pub fn update(
    db: &dyn Db,
    caller: Caller,
    id: Uuid,
    change: &Change<'_>,
) -> Result<(PromptTemplate, PromptTemplate), AssistantError> {
    if change.title.is_none() && change.body.is_none() && change.descriptions.is_none() {
        return Err(AssistantError::invalid("body", "names no field to change"));
    }
    let new_title = change.title.map(title).transpose()?;
    let new_body = change.body.map(parse_body).transpose()?;
    hub_db::transaction_with(db, |tx| {
        let before = prompt_templates::lock_visible(tx, id, caller.owner)?
            .ok_or(AssistantError::NotFound(WHAT))?;
        caller.check_edit(before.owner_id, WHAT)?;
        let template = match &new_body {
            Some(template) => template.clone(),
            None => parse_body(&before.body)?,
        };
        let new_descriptions = match (change.descriptions, &new_body) {
            (Some(given), _) => Some(descriptions(&template, given)?),
            (None, Some(_)) => Some(
                before
                    .descriptions
                    .iter()
                    .filter(|(name, _)| template.variables().contains(name))
                    .map(|(name, text)| (name.clone(), text.clone()))
                    .collect(),
            ),
            (None, None) => None,
        };
        let after = prompt_templates::update(
            tx,
            id,
            &TemplateChange {
                title: new_title.as_deref(),
                body: new_body.as_ref().map(Template::body),
                descriptions: new_descriptions.as_ref(),
            },
        )?
        .ok_or(AssistantError::NotFound(WHAT))?;
        Ok((before, after))
    })
}

/// Deletes a template the caller may delete; the template as it was.
pub fn delete(db: &dyn Db, caller: Caller, id: Uuid) -> Result<PromptTemplate, AssistantError> {
    hub_db::transaction_with(db, |tx| {
        let before = prompt_templates::lock_visible(tx, id, caller.owner)?
            .ok_or(AssistantError::NotFound(WHAT))?;
        caller.check_edit(before.owner_id, WHAT)?;
        prompt_templates::delete(tx, id)?;
        Ok(before)
    })
}

/// The variables of a stored template with their descriptions, in order of appearance.
pub fn variables(template: &PromptTemplate) -> Vec<(String, Option<String>)> {
    match Template::parse(&template.body) {
        Ok(parsed) => parsed
            .variables()
            .iter()
            .map(|name| (name.clone(), template.descriptions.get(name).cloned()))
            .collect(),
        // Stored bodies were parsed when saved; one that no longer parses has none to offer.
        Err(_) => Vec::new(),
    }
}

/// The text of template `id` (one the caller sees) with `values` filled in: every variable
/// needs exactly one value, and only variables may have one.
pub fn render(
    db: &dyn Db,
    caller: Caller,
    id: Uuid,
    values: &BTreeMap<String, String>,
) -> Result<String, AssistantError> {
    for value in values.values() {
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(AssistantError::invalid(
                "values",
                format!("each value must be at most {MAX_VALUE_CHARS} characters"),
            ));
        }
        if value.contains('\0') {
            return Err(AssistantError::invalid(
                "values",
                "must not contain NUL characters",
            ));
        }
    }
    let stored = get(db, caller, id)?;
    let template = parse_body(&stored.body)?;
    template.render(values).map_err(AssistantError::Values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_parsed_with_positions_and_descriptions_checked() {
        let err = parse_body("Hallo\n{{ first name }}").unwrap_err();
        let AssistantError::Template(e) = err else {
            panic!("{err}")
        };
        assert_eq!((e.position.line, e.position.column), (2, 9));
        assert!(matches!(
            parse_body(" "),
            Err(AssistantError::Invalid { field: "body", .. })
        ));
        let template = parse_body("Übersetze {{text}} nach {{ language }}.").unwrap();
        let given = BTreeMap::from([
            ("text".to_owned(), " Der Text ".to_owned()),
            ("language".to_owned(), "  ".to_owned()),
        ]);
        let kept = descriptions(&template, &given).unwrap();
        assert_eq!(
            kept,
            BTreeMap::from([("text".to_owned(), "Der Text".to_owned())])
        );
        let unknown = BTreeMap::from([("other".to_owned(), "x".to_owned())]);
        assert!(matches!(
            descriptions(&template, &unknown),
            Err(AssistantError::Descriptions(_))
        ));
    }
}
