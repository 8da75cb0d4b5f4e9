//! `prompt_templates`: a title and a body with `{{variable}}` placeholders (checked by
//! `hub-templates` before it is stored), and a description for some of the variables; global
//! (`owner_id` NULL, managed by admins) or a user's own. Visibility as for
//! [`crate::assistants`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::assistants::{ListQuery, json_column, visible_sql};
use crate::{Db, DbError, Owner, Param, Row};

/// A prompt template as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptTemplate {
    /// Its id (v7).
    pub id: Uuid,
    /// Its owner; `None` for a global template.
    pub owner_id: Option<Uuid>,
    /// Its title.
    pub title: String,
    /// Its body.
    pub body: String,
    /// The descriptions of some of its variables, by name.
    pub descriptions: BTreeMap<String, String>,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
}

impl PromptTemplate {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        let descriptions = json_column(&row, "descriptions")?;
        Ok(Self {
            id: row.get("id")?,
            owner_id: row.get("owner_id")?,
            title: row.get("title")?,
            body: row.get("body")?,
            descriptions,
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

const COLUMNS: &str = r#"id, owner_id, title, body, descriptions, created_by,
    created_at AT TIME ZONE 'UTC' AS created_at,
    updated_at AT TIME ZONE 'UTC' AS updated_at"#;

fn first(rows: &crate::Rows) -> Result<Option<PromptTemplate>, DbError> {
    rows.first().map(PromptTemplate::from_row).transpose()
}

/// A new template (validated by the caller).
#[derive(Debug, Clone, Copy)]
pub struct NewTemplate<'a> {
    /// Its owner; `None` for a global one.
    pub owner_id: Option<Uuid>,
    /// Title.
    pub title: &'a str,
    /// Body.
    pub body: &'a str,
    /// Descriptions of variables, by name.
    pub descriptions: &'a BTreeMap<String, String>,
    /// Who creates it.
    pub created_by: Uuid,
}

/// Stores a new template under a fresh v7 id.
pub fn insert(db: &dyn Db, new: &NewTemplate<'_>) -> Result<PromptTemplate, DbError> {
    let sql = format!(
        r#"
INSERT INTO prompt_templates (id, owner_id, title, body, descriptions, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING {COLUMNS}"#
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(Uuid::now_v7()),
            new.owner_id.into(),
            new.title.into(),
            new.body.into(),
            Param::Json(serde_json::json!(new.descriptions)),
            Param::Uuid(new.created_by),
        ],
    )?;
    first(&rows)?
        .ok_or_else(|| DbError::Other("INSERT INTO prompt_templates returned no row".to_owned()))
}

/// The template `id` if `viewer` may see it: a global one or their own.
pub fn find_visible(
    db: &dyn Db,
    id: Uuid,
    viewer: Owner,
) -> Result<Option<PromptTemplate>, DbError> {
    let sql = visible_sql(COLUMNS, "prompt_templates", false);
    first(&db.query(&sql, &[Param::Uuid(id), viewer.into()])?)
}

/// [`find_visible`], the row locked until the transaction ends.
pub fn lock_visible(
    db: &dyn Db,
    id: Uuid,
    viewer: Owner,
) -> Result<Option<PromptTemplate>, DbError> {
    let sql = visible_sql(COLUMNS, "prompt_templates", true);
    first(&db.query(&sql, &[Param::Uuid(id), viewer.into()])?)
}

/// A change of a template: each field `None` stays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TemplateChange<'a> {
    /// New title.
    pub title: Option<&'a str>,
    /// New body.
    pub body: Option<&'a str>,
    /// New descriptions.
    pub descriptions: Option<&'a BTreeMap<String, String>>,
}

/// Applies `change` to template `id`; the template after it (`None` when gone).
pub fn update(
    db: &dyn Db,
    id: Uuid,
    change: &TemplateChange<'_>,
) -> Result<Option<PromptTemplate>, DbError> {
    let sql = format!(
        r#"
UPDATE prompt_templates SET
    title = COALESCE($2::text, title),
    body = COALESCE($3::text, body),
    descriptions = COALESCE($4::jsonb, descriptions),
    updated_at = now()
WHERE id = $1
RETURNING {COLUMNS}"#
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(id),
            change.title.into(),
            change.body.into(),
            change
                .descriptions
                .map_or(Param::Null, |d| Param::Json(serde_json::json!(d))),
        ],
    )?;
    first(&rows)
}

/// Deletes template `id`; whether it existed.
pub fn delete(db: &dyn Db, id: Uuid) -> Result<bool, DbError> {
    Ok(db.execute(
        "DELETE FROM prompt_templates WHERE id = $1",
        &[Param::Uuid(id)],
    )? == 1)
}

/// The templates `viewer` sees (global and their own), newest first, as `query` says (the
/// search matches the title or the body).
pub fn list(db: &dyn Db, viewer: Owner, query: &ListQuery) -> Result<Vec<PromptTemplate>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM prompt_templates WHERE {} ORDER BY id DESC LIMIT $5",
        ListQuery::filter("title", "body")
    );
    let rows = db.query(&sql, &query.params(viewer))?;
    rows.iter().map(PromptTemplate::from_row).collect()
}
