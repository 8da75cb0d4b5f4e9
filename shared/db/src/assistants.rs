//! `assistants`: a system prompt with a name, an icon, optional model and temperature overrides
//! and conversation starters; global (`owner_id` NULL, managed by admins) or a user's own.
//!
//! A user sees the global ones and their own ([`find_visible`], [`list`]): another user's
//! personal assistant is simply not found. Who may change what is `hub-assistants`' rule; the
//! writes here take an id the caller has checked.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, DbError, Owner, Param, Row};

/// An assistant as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Assistant {
    /// Its id (v7).
    pub id: Uuid,
    /// Its owner; `None` for a global assistant.
    pub owner_id: Option<Uuid>,
    /// Its name.
    pub name: String,
    /// What it is for (may be empty).
    pub description: String,
    /// The name of its icon (`hub_api::AssistantIcon`).
    pub icon: String,
    /// The instruction put in front of every conversation with it.
    pub system_prompt: String,
    /// The model it answers with unless the user picks another.
    pub model_id: Option<String>,
    /// The temperature it answers with unless the user picks another.
    pub temperature: Option<f64>,
    /// Example prompts for an empty chat.
    pub starters: Vec<String>,
    /// The knowledge collections it retrieves from (those its owner sees; only global ones for
    /// a global assistant), ordered by id.
    pub collection_ids: Vec<Uuid>,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
}

impl Assistant {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let starters = json_column(&row, "starters")?;
        Ok(Self {
            id: row.get("id")?,
            owner_id: row.get("owner_id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            icon: row.get("icon")?,
            system_prompt: row.get("system_prompt")?,
            model_id: row.get("model_id")?,
            temperature: row.get("temperature")?,
            starters,
            collection_ids: json_column(&row, "collection_ids")?,
            created_by: row.get("created_by")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }

    /// Whether it is global (everyone's, managed by admins).
    pub fn is_global(&self) -> bool {
        self.owner_id.is_none()
    }
}

/// The columns of [`Assistant`] (of table `assistants`, also in `RETURNING`).
fn columns() -> String {
    format!(
        r#"id, owner_id, name, description, icon, system_prompt, model_id,
    temperature, starters, created_by,
    created_at AT TIME ZONE 'UTC' AS created_at,
    updated_at AT TIME ZONE 'UTC' AS updated_at,
    {} AS collection_ids"#,
        collections_column(COLLECTIONS, "assistants.id", "assistants.owner_id")
    )
}

/// The collections of an assistant.
const COLLECTIONS: Attachments = Attachments {
    table: "assistant_collections",
    key: "assistant_id",
};

/// A table that attaches knowledge collections to rows of another (chats, assistants).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attachments {
    /// The link table.
    pub table: &'static str,
    /// Its column naming the row the collections are attached to.
    pub key: &'static str,
}

/// Whether a row with owner column `owner` is one that `viewer` (an SQL expression) sees: a
/// global one (no owner) or their own. The visibility of assistants, templates and knowledge
/// collections.
pub(crate) fn visible_to(owner: &str, viewer: &str) -> String {
    format!("({owner} IS NULL OR {owner} = {viewer})")
}

/// A `jsonb` array of the ids of the collections `link` attaches to row `id` (an SQL
/// expression) that `viewer` (an SQL expression; NULL sees the global ones only) sees, ordered.
pub(crate) fn collections_column(link: Attachments, id: &str, viewer: &str) -> String {
    let Attachments { table, key } = link;
    let visible = visible_to("k.owner_id", viewer);
    format!(
        "COALESCE((SELECT jsonb_agg(l.collection_id ORDER BY l.collection_id) FROM {table} l \
         JOIN knowledge_collections k ON k.id = l.collection_id \
         WHERE l.{key} = {id} AND {visible}), '[]'::jsonb)"
    )
}

/// Replaces the collections `link` attaches to row `$1` of `parent` with those of
/// `collection_ids` that the row's owner (column `owner` of `parent`; NULL: global ones only)
/// sees; the ids attached, ordered. One statement: the caller compares the count with what it
/// asked for (inside a transaction, to undo a partial change).
pub(crate) fn replace_collections(
    db: &dyn Db,
    link: Attachments,
    parent: (&str, &str),
    id: Uuid,
    collection_ids: &[Uuid],
) -> Result<Vec<Uuid>, DbError> {
    let Attachments { table, key } = link;
    let (parent, owner) = parent;
    let visible = visible_to("k.owner_id", &format!("p.{owner}"));
    let sql = format!(
        r#"
WITH wanted AS (
    SELECT k.id FROM {parent} p, knowledge_collections k
    WHERE p.id = $1 AND {visible}
      AND k.id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)
), gone AS (
    DELETE FROM {table} WHERE {key} = $1 AND collection_id NOT IN (SELECT id FROM wanted)
), added AS (
    INSERT INTO {table} ({key}, collection_id) SELECT $1, id FROM wanted
    ON CONFLICT DO NOTHING
)
SELECT id FROM wanted ORDER BY id"#
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(id),
            Param::Json(serde_json::json!(collection_ids)),
        ],
    )?;
    rows.iter().map(|row| row.get("id")).collect()
}

/// Most knowledge collections an assistant may have.
pub const MAX_COLLECTIONS: usize = 10;

/// Replaces the collections of assistant `id` with those of `collection_ids` its owner sees
/// (global ones only for a global assistant); the ids attached, ordered.
pub fn set_collections(
    db: &dyn Db,
    id: Uuid,
    collection_ids: &[Uuid],
) -> Result<Vec<Uuid>, DbError> {
    replace_collections(
        db,
        COLLECTIONS,
        ("assistants", "owner_id"),
        id,
        collection_ids,
    )
}

/// A new assistant (validated by the caller).
#[derive(Debug, Clone, Copy)]
pub struct NewAssistant<'a> {
    /// Its owner; `None` for a global one.
    pub owner_id: Option<Uuid>,
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: &'a str,
    /// Icon name.
    pub icon: &'a str,
    /// System prompt.
    pub system_prompt: &'a str,
    /// Model override (an enabled model's id).
    pub model_id: Option<&'a str>,
    /// Temperature override.
    pub temperature: Option<f64>,
    /// Conversation starters.
    pub starters: &'a [String],
    /// Who creates it.
    pub created_by: Uuid,
}

/// A `jsonb` column read as `T`.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    column: &str,
) -> Result<T, DbError> {
    let value: serde_json::Value = row.get(column)?;
    serde_json::from_value(value).map_err(|e| DbError::Decode {
        column: column.to_owned(),
        problem: e.to_string(),
    })
}

/// The query of row `$1` of `table` if viewer `$2` sees it (a global one or their own),
/// `locked` until the transaction ends (a change reads what it changes).
pub(crate) fn visible_sql(columns: &str, table: &str, locked: bool) -> String {
    let lock = if locked { " FOR UPDATE" } else { "" };
    let visible = visible_to("owner_id", "$2");
    format!("SELECT {columns} FROM {table} WHERE id = $1 AND {visible}{lock}")
}

fn first(rows: &crate::Rows) -> Result<Option<Assistant>, DbError> {
    rows.first().map(Assistant::from_row).transpose()
}

/// Stores a new assistant under a fresh v7 id.
pub fn insert(db: &dyn Db, new: &NewAssistant<'_>) -> Result<Assistant, DbError> {
    let sql = format!(
        r#"
INSERT INTO assistants (id, owner_id, name, description, icon, system_prompt, model_id,
                        temperature, starters, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING {}"#,
        columns()
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(Uuid::now_v7()),
            new.owner_id.into(),
            new.name.into(),
            new.description.into(),
            new.icon.into(),
            new.system_prompt.into(),
            new.model_id.into(),
            new.temperature.into(),
            Param::Json(serde_json::json!(new.starters)),
            Param::Uuid(new.created_by),
        ],
    )?;
    first(&rows)?.ok_or_else(|| DbError::Other("INSERT INTO assistants returned no row".to_owned()))
}

/// The assistant `id` if `viewer` may see it: a global one or their own.
pub fn find_visible(db: &dyn Db, id: Uuid, viewer: Owner) -> Result<Option<Assistant>, DbError> {
    let sql = visible_sql(&columns(), "assistants", false);
    first(&db.query(&sql, &[Param::Uuid(id), viewer.into()])?)
}

/// [`find_visible`], the row locked until the transaction ends (a change reads what it changes).
pub fn lock_visible(db: &dyn Db, id: Uuid, viewer: Owner) -> Result<Option<Assistant>, DbError> {
    let sql = visible_sql(&columns(), "assistants", true);
    first(&db.query(&sql, &[Param::Uuid(id), viewer.into()])?)
}

/// A change of an assistant: each field `None` stays; `model_id` and `temperature` may be set
/// to `Some(None)` (no override).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AssistantChange<'a> {
    /// New name.
    pub name: Option<&'a str>,
    /// New description.
    pub description: Option<&'a str>,
    /// New icon.
    pub icon: Option<&'a str>,
    /// New system prompt.
    pub system_prompt: Option<&'a str>,
    /// New model override, or none.
    pub model_id: Option<Option<&'a str>>,
    /// New temperature override, or none.
    pub temperature: Option<Option<f64>>,
    /// New starters.
    pub starters: Option<&'a [String]>,
}

/// Applies `change` to assistant `id`; the assistant after it (`None` when gone).
pub fn update(
    db: &dyn Db,
    id: Uuid,
    change: &AssistantChange<'_>,
) -> Result<Option<Assistant>, DbError> {
    let sql = format!(
        r#"
UPDATE assistants SET
    name = COALESCE($2::text, name),
    description = COALESCE($3::text, description),
    icon = COALESCE($4::text, icon),
    system_prompt = COALESCE($5::text, system_prompt),
    model_id = CASE WHEN $6 THEN $7::text ELSE model_id END,
    temperature = CASE WHEN $8 THEN $9::float8 ELSE temperature END,
    starters = COALESCE($10::jsonb, starters),
    updated_at = now()
WHERE id = $1
RETURNING {}"#,
        columns()
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(id),
            change.name.into(),
            change.description.into(),
            change.icon.into(),
            change.system_prompt.into(),
            change.model_id.is_some().into(),
            change.model_id.flatten().into(),
            change.temperature.is_some().into(),
            change.temperature.flatten().into(),
            change
                .starters
                .map_or(Param::Null, |s| Param::Json(serde_json::json!(s))),
        ],
    )?;
    first(&rows)
}

/// Deletes assistant `id` (its chats stay, without it); whether it existed.
pub fn delete(db: &dyn Db, id: Uuid) -> Result<bool, DbError> {
    Ok(db.execute("DELETE FROM assistants WHERE id = $1", &[Param::Uuid(id)])? == 1)
}

/// A page of a list of what a user sees (assistants, prompt templates): newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// A `LIKE` pattern ([`crate::contains_pattern`]) the name or title, or the description,
    /// must match (case-insensitively).
    pub pattern: Option<String>,
    /// Only global ones (`Some(true)`), only the viewer's own (`Some(false)`), or both.
    pub global: Option<bool>,
    /// Continue after this id (the last of the previous page).
    pub after: Option<Uuid>,
    /// Rows to read (one more than the page, to know whether another follows).
    pub limit: i64,
}

impl ListQuery {
    /// The parameters `$2`.. of a list query (`$1` is the viewer).
    pub(crate) fn params(&self, viewer: Owner) -> Vec<Param> {
        vec![
            viewer.into(),
            self.global.map_or(Param::Null, Param::Bool),
            self.after.map_or(Param::Null, Param::Uuid),
            self.pattern.as_deref().into(),
            Param::Int64(self.limit),
        ]
    }

    /// The `WHERE` clause of a list query of `table`'s rows, `searched` the text column matched
    /// besides the description.
    pub(crate) fn filter(searched: &str, described: &str) -> String {
        format!(
            r#"(owner_id IS NULL OR owner_id = $1)
  AND ($2::bool IS NULL OR (owner_id IS NULL) = $2::bool)
  AND ($3::uuid IS NULL OR id < $3::uuid)
  AND ($4::text IS NULL OR {searched} ILIKE $4::text OR {described} ILIKE $4::text)"#
        )
    }
}

/// The assistants `viewer` sees (global and their own), newest first, as `query` says.
pub fn list(db: &dyn Db, viewer: Owner, query: &ListQuery) -> Result<Vec<Assistant>, DbError> {
    let sql = format!(
        "SELECT {} FROM assistants WHERE {} ORDER BY id DESC LIMIT $5",
        columns(),
        ListQuery::filter("name", "description")
    );
    let rows = db.query(&sql, &query.params(viewer))?;
    rows.iter().map(Assistant::from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;

    #[test]
    fn queries_restrict_to_what_the_viewer_sees() {
        let db = FakeDb::new();
        let viewer = Owner::new(Uuid::new_v4());
        let id = Uuid::now_v7();
        assert_eq!(find_visible(&db, id, viewer).unwrap(), None);
        assert_eq!(lock_visible(&db, id, viewer).unwrap(), None);
        let query = ListQuery {
            pattern: Some("%a%".to_owned()),
            global: Some(true),
            after: Some(id),
            limit: 51,
        };
        assert!(list(&db, viewer, &query).unwrap().is_empty());
        for (sql, params) in db.calls() {
            assert!(sql.contains("owner_id IS NULL OR owner_id = "), "{sql}");
            assert!(
                params.contains(&Param::Uuid(viewer.user_id())),
                "{params:?}"
            );
        }
        let (sql, params) = &db.calls()[2];
        assert!(sql.contains("ORDER BY id DESC LIMIT $5"), "{sql}");
        assert_eq!(
            params[1..],
            [
                Param::Bool(true),
                Param::Uuid(id),
                Param::Text("%a%".to_owned()),
                Param::Int64(51)
            ]
        );
    }
}
