//! The use cases of collections: list, get, create, change, delete.

use hub_api::Scope;
use hub_assistants::input::{self, Kind};
use hub_assistants::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, paging};
use hub_db::Db;
use hub_db::assistants::ListQuery;
use hub_db::knowledge::{self, Collection};
use uuid::Uuid;

use crate::{Caller, KnowledgeError};

const WHAT: &str = "collection";

fn name(text: &str) -> Result<String, KnowledgeError> {
    Ok(input::text("name", text, Kind::Line, MAX_NAME_CHARS)?)
}

fn description(text: &str) -> Result<String, KnowledgeError> {
    let kind = Kind::Text { required: false };
    Ok(
        input::text("description", text, kind, MAX_DESCRIPTION_CHARS)?
            .trim()
            .to_owned(),
    )
}

/// 403 unless the caller may change a collection owned by `owner_id`.
pub(crate) fn check_edit(caller: Caller, owner_id: Option<Uuid>) -> Result<(), KnowledgeError> {
    if caller.may_edit(owner_id) {
        Ok(())
    } else {
        Err(KnowledgeError::Forbidden(WHAT))
    }
}

pub use paging::ListParams;

/// Checks the list parameters (`?q=` matches the name or the description, `?scope=`,
/// `?limit=`, `?cursor=`: the rules of the assistants' lists).
pub fn parse_list(params: &ListParams<'_>) -> Result<ListQuery, KnowledgeError> {
    Ok(paging::parse_list(params)?)
}

/// A page of the collections the caller sees and the cursor of the next page.
pub fn list(
    db: &dyn Db,
    caller: Caller,
    query: &ListQuery,
) -> Result<(Vec<Collection>, Option<String>), KnowledgeError> {
    let rows = knowledge::list_collections(db, caller.owner, query)?;
    Ok(paging::page(rows, query, |c| c.id))
}

/// The collection `id`, if the caller sees it.
pub fn get(db: &dyn Db, caller: Caller, id: Uuid) -> Result<Collection, KnowledgeError> {
    knowledge::find_collection(db, id, caller.owner)?.ok_or(KnowledgeError::NotFound(WHAT))
}

/// Creates a collection: the caller's own, or (`scope` global) a global one if the caller is an
/// admin.
pub fn create(
    db: &dyn Db,
    caller: Caller,
    name_text: &str,
    description_text: Option<&str>,
    scope: Option<Scope>,
) -> Result<Collection, KnowledgeError> {
    let owner_id = match scope.unwrap_or(Scope::Personal) {
        Scope::Personal => Some(caller.owner.user_id()),
        Scope::Global if caller.is_admin => None,
        Scope::Global => return Err(KnowledgeError::Forbidden(WHAT)),
    };
    let name = name(name_text)?;
    let description = description_text.map(description).transpose()?;
    Ok(knowledge::insert_collection(
        db,
        owner_id,
        &name,
        description.as_deref().unwrap_or_default(),
        caller.owner.user_id(),
    )?)
}

/// Changes the name and description (`None`: unchanged; at least one) of a collection the caller
/// may change; the collection before and after.
pub fn update(
    db: &dyn Db,
    caller: Caller,
    id: Uuid,
    new_name: Option<&str>,
    new_description: Option<&str>,
) -> Result<(Collection, Collection), KnowledgeError> {
    if new_name.is_none() && new_description.is_none() {
        return Err(KnowledgeError::invalid("body", "names no field to change"));
    }
    let new_name = new_name.map(name).transpose()?;
    let new_description = new_description.map(description).transpose()?;
    hub_db::transaction_with(db, |tx| {
        let before = knowledge::lock_collection(tx, id, caller.owner)?
            .ok_or(KnowledgeError::NotFound(WHAT))?;
        check_edit(caller, before.owner_id)?;
        let after =
            knowledge::update_collection(tx, id, new_name.as_deref(), new_description.as_deref())?
                .ok_or(KnowledgeError::NotFound(WHAT))?;
        Ok((before, after))
    })
}

/// Deletes a collection the caller may change, with its files and their chunks; the collection
/// as it was.
pub fn delete(db: &dyn Db, caller: Caller, id: Uuid) -> Result<Collection, KnowledgeError> {
    hub_db::transaction_with(db, |tx| {
        let before = knowledge::lock_collection(tx, id, caller.owner)?
            .ok_or(KnowledgeError::NotFound(WHAT))?;
        check_edit(caller, before.owner_id)?;
        knowledge::delete_collection(tx, id)?;
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

    #[test]
    fn only_admins_create_global_collections_and_input_is_checked_first() {
        let db = FakeDb::new();
        let err = create(&db, caller(false), "Policies", None, Some(Scope::Global)).unwrap_err();
        assert!(
            matches!(err, KnowledgeError::Forbidden("collection")),
            "{err}"
        );
        let err = create(&db, caller(true), " \n", None, None).unwrap_err();
        assert!(
            matches!(err, KnowledgeError::Invalid { field: "name", .. }),
            "{err}"
        );
        let long = "d".repeat(MAX_DESCRIPTION_CHARS + 1);
        let err = create(&db, caller(true), "A", Some(&long), None).unwrap_err();
        assert!(matches!(
            err,
            KnowledgeError::Invalid {
                field: "description",
                ..
            }
        ));
        let err = update(&db, caller(true), Uuid::now_v7(), None, None).unwrap_err();
        assert!(matches!(err, KnowledgeError::Invalid { field: "body", .. }));
        assert!(db.calls().is_empty());
    }
}
