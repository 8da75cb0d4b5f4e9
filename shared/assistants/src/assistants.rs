//! The use cases of assistants: list, get, create, change, delete.

use hub_api::{AssistantIcon, Scope};
use hub_db::assistants::{self, Assistant, AssistantChange, ListQuery, NewAssistant};
use hub_db::{Db, models};
use uuid::Uuid;

use crate::input::{self, Kind};
use crate::{
    AssistantError, Caller, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_SYSTEM_PROMPT_CHARS, paging,
};

const WHAT: &str = "assistant";

/// The longest model id (as `hub-conversation` accepts).
const MAX_MODEL_ID_CHARS: usize = 128;

/// A page of the assistants the caller sees and the cursor of the next page.
pub fn list(
    db: &dyn Db,
    caller: Caller,
    query: &ListQuery,
) -> Result<(Vec<Assistant>, Option<String>), AssistantError> {
    let rows = assistants::list(db, caller.owner, query)?;
    Ok(paging::page(rows, query, |a| a.id))
}

/// The assistant `id`, if the caller sees it.
pub fn get(db: &dyn Db, caller: Caller, id: Uuid) -> Result<Assistant, AssistantError> {
    assistants::find_visible(db, id, caller.owner)?.ok_or(AssistantError::NotFound(WHAT))
}

/// A model override: an enabled model's id.
fn model(db: &dyn Db, id: &str) -> Result<String, AssistantError> {
    let chars = id.chars().count();
    if chars == 0
        || chars > MAX_MODEL_ID_CHARS
        || id.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(AssistantError::invalid(
            "model",
            format!("must be 1 to {MAX_MODEL_ID_CHARS} characters without spaces"),
        ));
    }
    match models::find_enabled(db, id)? {
        Some(_) => Ok(id.to_owned()),
        None => Err(AssistantError::UnknownModel(id.chars().take(200).collect())),
    }
}

/// Knowledge collections, without repeats (ordered), at most [`assistants::MAX_COLLECTIONS`].
fn collections(ids: &[Uuid]) -> Result<Vec<Uuid>, AssistantError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > assistants::MAX_COLLECTIONS {
        return Err(AssistantError::invalid(
            "collection_ids",
            format!("must name at most {}", assistants::MAX_COLLECTIONS),
        ));
    }
    Ok(ids)
}

/// Attaches `ids` to assistant `id` (inside the caller's transaction): each must be a
/// collection the assistant's owner sees, a global one for a global assistant.
fn attach(db: &dyn Db, id: Uuid, ids: &[Uuid]) -> Result<Vec<Uuid>, AssistantError> {
    let attached = assistants::set_collections(db, id, ids)?;
    if attached.len() != ids.len() {
        return Err(AssistantError::invalid(
            "collection_ids",
            "must name knowledge collections the assistant's users can see \
             (global ones for a global assistant)",
        ));
    }
    Ok(attached)
}

fn temperature(t: f64) -> Result<f64, AssistantError> {
    if t.is_finite() && (0.0..=2.0).contains(&t) {
        Ok(t)
    } else {
        Err(AssistantError::invalid(
            "temperature",
            "must be from 0 to 2",
        ))
    }
}

fn name(text: &str) -> Result<String, AssistantError> {
    input::text("name", text, Kind::Line, MAX_NAME_CHARS)
}

fn description(text: &str) -> Result<String, AssistantError> {
    let kind = Kind::Text { required: false };
    input::text("description", text, kind, MAX_DESCRIPTION_CHARS).map(|d| d.trim().to_owned())
}

fn system_prompt(text: &str) -> Result<String, AssistantError> {
    let kind = Kind::Text { required: true };
    input::text("system_prompt", text, kind, MAX_SYSTEM_PROMPT_CHARS)
}

/// What a user sends to create an assistant.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// Name.
    pub name: &'a str,
    /// Description (left out: empty).
    pub description: Option<&'a str>,
    /// Icon (left out: `sparkles`).
    pub icon: Option<AssistantIcon>,
    /// System prompt.
    pub system_prompt: &'a str,
    /// Model override.
    pub model: Option<&'a str>,
    /// Temperature override.
    pub temperature: Option<f64>,
    /// Conversation starters.
    pub starters: &'a [String],
    /// Personal (left out) or global (admins).
    pub scope: Option<Scope>,
    /// Knowledge collections its chats retrieve from.
    pub collection_ids: &'a [Uuid],
}

/// Creates an assistant: the caller's own, or a global one if the caller is an admin.
pub fn create(db: &dyn Db, caller: Caller, draft: &Draft<'_>) -> Result<Assistant, AssistantError> {
    let owner_id = caller.owner_for(draft.scope.unwrap_or(Scope::Personal), WHAT)?;
    let name = name(draft.name)?;
    let description = draft.description.map(description).transpose()?;
    let system_prompt = system_prompt(draft.system_prompt)?;
    let starters = input::starters(draft.starters)?;
    let temperature = draft.temperature.map(temperature).transpose()?;
    let model = draft.model.map(|m| model(db, m)).transpose()?;
    let collection_ids = collections(draft.collection_ids)?;
    let new = NewAssistant {
        owner_id,
        name: &name,
        description: description.as_deref().unwrap_or_default(),
        icon: draft.icon.unwrap_or(AssistantIcon::Sparkles).as_str(),
        system_prompt: &system_prompt,
        model_id: model.as_deref(),
        temperature,
        starters: &starters,
        created_by: caller.owner.user_id(),
    };
    if collection_ids.is_empty() {
        return Ok(assistants::insert(db, &new)?);
    }
    hub_db::transaction_with(db, |tx| {
        let mut created = assistants::insert(tx, &new)?;
        created.collection_ids = attach(tx, created.id, &collection_ids)?;
        Ok(created)
    })
}

/// What a user sends to change an assistant (`None`: unchanged; `Some(None)`: no override).
#[derive(Debug, Clone, Copy, Default)]
pub struct Change<'a> {
    /// New name.
    pub name: Option<&'a str>,
    /// New description.
    pub description: Option<&'a str>,
    /// New icon.
    pub icon: Option<AssistantIcon>,
    /// New system prompt.
    pub system_prompt: Option<&'a str>,
    /// New model override, or none.
    pub model: Option<Option<&'a str>>,
    /// New temperature override, or none.
    pub temperature: Option<Option<f64>>,
    /// New starters.
    pub starters: Option<&'a [String]>,
    /// New knowledge collections (replacing the list).
    pub collection_ids: Option<&'a [Uuid]>,
}

/// Changes an assistant the caller may change; the assistant before and after.
pub fn update(
    db: &dyn Db,
    caller: Caller,
    id: Uuid,
    change: &Change<'_>,
) -> Result<(Assistant, Assistant), AssistantError> {
    let Change {
        name: new_name,
        description: new_description,
        icon,
        system_prompt: new_prompt,
        model: new_model,
        temperature: new_temperature,
        starters: new_starters,
        collection_ids: new_collections,
    } = *change;
    if new_name.is_none()
        && new_description.is_none()
        && icon.is_none()
        && new_prompt.is_none()
        && new_model.is_none()
        && new_temperature.is_none()
        && new_starters.is_none()
        && new_collections.is_none()
    {
        return Err(AssistantError::invalid("body", "names no field to change"));
    }
    let new_name = new_name.map(name).transpose()?;
    let new_description = new_description.map(description).transpose()?;
    let new_prompt = new_prompt.map(system_prompt).transpose()?;
    let new_starters = new_starters.map(input::starters).transpose()?;
    let new_collections = new_collections.map(collections).transpose()?;
    let new_temperature = match new_temperature {
        Some(Some(t)) => Some(Some(temperature(t)?)),
        other => other,
    };
    let new_model = match new_model {
        Some(Some(m)) => Some(Some(model(db, m)?)),
        Some(None) => Some(None),
        None => None,
    };
    hub_db::transaction_with(db, |tx| {
        let before = assistants::lock_visible(tx, id, caller.owner)?
            .ok_or(AssistantError::NotFound(WHAT))?;
        caller.check_edit(before.owner_id, WHAT)?;
        let after = assistants::update(
            tx,
            id,
            &AssistantChange {
                name: new_name.as_deref(),
                description: new_description.as_deref(),
                icon: icon.map(AssistantIcon::as_str),
                system_prompt: new_prompt.as_deref(),
                model_id: new_model.as_ref().map(Option::as_deref),
                temperature: new_temperature,
                starters: new_starters.as_deref(),
            },
        )?
        .ok_or(AssistantError::NotFound(WHAT))?;
        let mut after = after;
        if let Some(ids) = &new_collections {
            after.collection_ids = attach(tx, id, ids)?;
        }
        Ok((before, after))
    })
}

/// Deletes an assistant the caller may delete; the assistant as it was. Its chats stay, without
/// it.
pub fn delete(db: &dyn Db, caller: Caller, id: Uuid) -> Result<Assistant, AssistantError> {
    hub_db::transaction_with(db, |tx| {
        let before = assistants::lock_visible(tx, id, caller.owner)?
            .ok_or(AssistantError::NotFound(WHAT))?;
        caller.check_edit(before.owner_id, WHAT)?;
        assistants::delete(tx, id)?;
        Ok(before)
    })
}

#[cfg(test)]
mod tests {
    use hub_db::Owner;
    use hub_db::testing::FakeDb;

    use super::*;

    fn caller(is_admin: bool) -> Caller {
        Caller {
            owner: Owner::new(Uuid::now_v7()),
            is_admin,
        }
    }

    fn draft(scope: Option<Scope>) -> Draft<'static> {
        Draft {
            name: "Tutor",
            description: None,
            icon: None,
            system_prompt: "Explain simply.",
            model: None,
            temperature: None,
            starters: &[],
            scope,
            collection_ids: &[],
        }
    }

    #[test]
    fn only_admins_create_global_assistants() {
        let db = FakeDb::new();
        let err = create(&db, caller(false), &draft(Some(Scope::Global))).unwrap_err();
        assert!(
            matches!(err, AssistantError::Forbidden("assistant")),
            "{err}"
        );
        assert!(db.calls().is_empty());
    }

    #[test]
    fn input_is_checked_before_the_database() {
        let db = FakeDb::new();
        let long = "p".repeat(MAX_SYSTEM_PROMPT_CHARS + 1);
        for (draft, field) in [
            (
                Draft {
                    name: " ",
                    ..draft(None)
                },
                "name",
            ),
            (
                Draft {
                    system_prompt: &long,
                    ..draft(None)
                },
                "system_prompt",
            ),
            (
                Draft {
                    temperature: Some(2.5),
                    ..draft(None)
                },
                "temperature",
            ),
            (
                Draft {
                    model: Some("a b"),
                    ..draft(None)
                },
                "model",
            ),
        ] {
            let err = create(&db, caller(true), &draft).unwrap_err();
            assert!(
                matches!(err, AssistantError::Invalid { field: f, .. } if f == field),
                "{err}"
            );
        }
        assert!(db.calls().is_empty());
        let err = update(&db, caller(false), Uuid::now_v7(), &Change::default()).unwrap_err();
        assert!(matches!(err, AssistantError::Invalid { field: "body", .. }));
    }

    #[test]
    fn who_may_edit() {
        let user = caller(false);
        let admin = caller(true);
        assert!(user.may_edit(Some(user.owner.user_id())));
        assert!(!user.may_edit(None));
        assert!(admin.may_edit(None));
        assert!(!admin.may_edit(Some(user.owner.user_id())));
    }
}
