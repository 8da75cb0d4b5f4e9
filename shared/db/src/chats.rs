//! `chats`: conversations, each owned by one user; the chat list is keyset-paginated.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::assistants::{Attachments, collections_column, json_column, replace_collections};
use crate::{Db, DbError, Owner, Param, Row};

/// Longest title kept (the column's limit).
pub const TITLE_MAX_CHARS: usize = 200;
/// Page size of the chat list when the request names none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page of the chat list.
pub const MAX_PAGE_SIZE: u32 = 200;

/// A conversation as its owner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    /// Its id (v7).
    pub id: Uuid,
    /// Its title; `None` until named by the user or by auto-titling.
    pub title: Option<String>,
    /// The chosen model (`app_model_config.model_id`); `None`: the default model.
    pub model: Option<String>,
    /// The chosen temperature; `None`: the model's default.
    pub temperature: Option<f64>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The last activity (a new message).
    pub updated_at: DateTime<Utc>,
    /// The assistant it was started with; `None` without one (or once it is deleted).
    pub assistant: Option<ChatAssistant>,
    /// The knowledge collections attached to it (those its owner sees), ordered by id.
    pub collection_ids: Vec<Uuid>,
}

/// The assistant of a chat, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatAssistant {
    /// Its id.
    pub id: Uuid,
    /// Its name now.
    pub name: String,
    /// Its icon now.
    pub icon: String,
}

impl Chat {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            title: row.get("title")?,
            model: row.get("model")?,
            temperature: row.get("temperature")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            assistant: match row.get::<Option<Uuid>>("assistant_id")? {
                Some(id) => Some(ChatAssistant {
                    id,
                    name: row.get("assistant_name")?,
                    icon: row.get("assistant_icon")?,
                }),
                None => None,
            },
            collection_ids: json_column(&row, "collection_ids")?,
        })
    }
}

/// The collections of a chat.
const COLLECTIONS: Attachments = Attachments {
    table: "chat_collections",
    key: "chat_id",
};

/// The columns of [`Chat`], timestamps as UTC `timestamp` (Spin cannot read `timestamptz`), the
/// assistant's name and icon as they are now, the attached collections the owner sees (one
/// probe of `chat_collections`' primary key).
fn chat_columns() -> String {
    format!(
        r#"id, title, model, temperature,
    created_at AT TIME ZONE 'UTC' AS created_at,
    updated_at AT TIME ZONE 'UTC' AS updated_at,
    assistant_id,
    (SELECT a.name FROM assistants AS a WHERE a.id = chats.assistant_id) AS assistant_name,
    (SELECT a.icon FROM assistants AS a WHERE a.id = chats.assistant_id) AS assistant_icon,
    {} AS collection_ids"#,
        collections_column(COLLECTIONS, "chats.id", "chats.user_id")
    )
}

/// A new conversation (validated by the caller: title length, model enabled, temperature 0..=2).
#[derive(Debug, Clone, Copy, Default)]
pub struct NewChat<'a> {
    /// Its title, if the user gave one.
    pub title: Option<&'a str>,
    /// The chosen model, if any.
    pub model: Option<&'a str>,
    /// The chosen temperature, if any.
    pub temperature: Option<f64>,
    /// The assistant to chat with (one the owner sees, checked by the caller), if any.
    pub assistant_id: Option<Uuid>,
}

/// Creates a conversation of `owner` under a fresh v7 id; the chat.
pub fn create(db: &dyn Db, owner: Owner, chat: &NewChat<'_>) -> Result<Chat, DbError> {
    let sql = format!(
        r#"
INSERT INTO chats (id, user_id, title, model, temperature, assistant_id)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING {}"#,
        chat_columns()
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(Uuid::now_v7()),
            owner.into(),
            chat.title.into(),
            chat.model.into(),
            chat.temperature.into(),
            chat.assistant_id.map_or(Param::Null, Param::Uuid),
        ],
    )?;
    rows.first()
        .map(Chat::from_row)
        .transpose()?
        .ok_or_else(|| DbError::Other("INSERT INTO chats returned no row".to_owned()))
}

/// The conversation `id` of `owner` (`None` when missing or another user's).
pub fn find(db: &dyn Db, id: Uuid, owner: Owner) -> Result<Option<Chat>, DbError> {
    let sql = format!(
        "SELECT {} FROM chats WHERE id = $1 AND user_id = $2",
        chat_columns()
    );
    let rows = db.query(&sql, &[Param::Uuid(id), owner.into()])?;
    rows.first().map(Chat::from_row).transpose()
}

/// [`find`] with the ids of the knowledge files attached to the chat's messages that its owner
/// reads (hub_db::knowledge's rule): what an answer retrieves from besides the collections.
pub fn find_with_files(
    db: &dyn Db,
    id: Uuid,
    owner: Owner,
) -> Result<Option<(Chat, Vec<Uuid>)>, DbError> {
    let readable = crate::messages::readable_by("chats.user_id");
    let sql = format!(
        r#"
SELECT {},
    COALESCE((
        SELECT jsonb_agg(DISTINCT mf.file_id)
        FROM chat_messages m
        JOIN chat_message_files mf ON mf.message_id = m.id
        JOIN knowledge_files f ON f.id = mf.file_id
        WHERE m.chat_id = chats.id AND {readable}
    ), '[]'::jsonb) AS file_ids
FROM chats WHERE id = $1 AND user_id = $2"#,
        chat_columns()
    );
    let rows = db.query(&sql, &[Param::Uuid(id), owner.into()])?;
    rows.first()
        .map(|row| Ok((Chat::from_row(row)?, json_column(&row, "file_ids")?)))
        .transpose()
}

/// Most collections a chat may have.
pub const MAX_COLLECTIONS: usize = 10;

/// Replaces the collections of chat `id` of `owner` with those of `collection_ids` the owner
/// sees; the ids attached, ordered (`None` when the chat is not theirs). Run it in a
/// transaction and compare the count with what was asked for.
pub fn set_collections(
    db: &dyn Db,
    id: Uuid,
    owner: Owner,
    collection_ids: &[Uuid],
) -> Result<Option<Vec<Uuid>>, DbError> {
    const SQL: &str = "SELECT id FROM chats WHERE id = $1 AND user_id = $2 FOR UPDATE";
    if db.query(SQL, &[Param::Uuid(id), owner.into()])?.is_empty() {
        return Ok(None);
    }
    replace_collections(db, COLLECTIONS, ("chats", "user_id"), id, collection_ids).map(Some)
}

/// Renames a conversation of `owner`; the chat after the change (`None` when not theirs).
/// Renaming does not move the chat in the list.
pub fn rename(db: &dyn Db, id: Uuid, owner: Owner, title: &str) -> Result<Option<Chat>, DbError> {
    let sql = format!(
        r#"
UPDATE chats SET title = $3
WHERE id = $1 AND user_id = $2
RETURNING {}"#,
        chat_columns()
    );
    let rows = db.query(&sql, &[Param::Uuid(id), owner.into(), title.into()])?;
    rows.first().map(Chat::from_row).transpose()
}

/// A change of a conversation: each field `None` stays as it is; `model` and `temperature`
/// may be set to `Some(None)` (back to the default).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChatChange<'a> {
    /// A new title (validated by the caller).
    pub title: Option<&'a str>,
    /// A new model (an enabled model's id, checked by the caller) or the default.
    pub model: Option<Option<&'a str>>,
    /// A new temperature (0..=2, checked by the caller) or the model's default.
    pub temperature: Option<Option<f64>>,
}

/// Changes a conversation of `owner` as `change` says; the chat after the change (`None`
/// when not theirs). A change does not move the chat in the list.
pub fn update(
    db: &dyn Db,
    id: Uuid,
    owner: Owner,
    change: &ChatChange<'_>,
) -> Result<Option<Chat>, DbError> {
    let sql = format!(
        r#"
UPDATE chats SET
    title = CASE WHEN $3 THEN $4::text ELSE title END,
    model = CASE WHEN $5 THEN $6::text ELSE model END,
    temperature = CASE WHEN $7 THEN $8::float8 ELSE temperature END
WHERE id = $1 AND user_id = $2
RETURNING {}"#,
        chat_columns()
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(id),
            owner.into(),
            change.title.is_some().into(),
            change.title.into(),
            change.model.is_some().into(),
            change.model.flatten().into(),
            change.temperature.is_some().into(),
            change.temperature.flatten().into(),
        ],
    )?;
    rows.first().map(Chat::from_row).transpose()
}

/// Sets the title of a conversation of `owner` if it has none yet (auto-titling, which must
/// not overwrite a title the user chose meanwhile); whether it did. The title is cut to
/// [`TITLE_MAX_CHARS`].
pub fn set_title_if_unset(
    db: &dyn Db,
    id: Uuid,
    owner: Owner,
    title: &str,
) -> Result<bool, DbError> {
    const SQL: &str = r#"
UPDATE chats SET title = $3
WHERE id = $1 AND user_id = $2 AND title IS NULL"#;
    let title: String = title.trim().chars().take(TITLE_MAX_CHARS).collect();
    let title = title.trim_end();
    if title.is_empty() {
        return Ok(false);
    }
    Ok(db.execute(SQL, &[Param::Uuid(id), owner.into(), title.into()])? == 1)
}

/// Deletes a conversation of `owner` and its messages; whether there was one.
pub fn delete(db: &dyn Db, id: Uuid, owner: Owner) -> Result<bool, DbError> {
    const SQL: &str = "DELETE FROM chats WHERE id = $1 AND user_id = $2";
    Ok(db.execute(SQL, &[Param::Uuid(id), owner.into()])? == 1)
}

/// Where a page of the chat list continues: after the chat with this `updated_at` and `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last listed chat's `updated_at`.
    pub updated_at: DateTime<Utc>,
    /// The last listed chat's id.
    pub id: Uuid,
}

/// A `?cursor=` that is not one this module made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cursor {0:?}")]
pub struct InvalidCursor(pub String);

impl Cursor {
    /// The cursor after `chat`.
    pub fn after(chat: &Chat) -> Self {
        Self {
            updated_at: chat.updated_at,
            id: chat.id,
        }
    }

    /// The opaque text form: 16 hex digits of microseconds since the epoch, then the id's 32.
    pub fn encode(&self) -> String {
        // The bits of the (possibly negative) i64, as u64: decode reverses it exactly.
        let micros = self.updated_at.timestamp_micros() as u64;
        format!("{micros:016x}{}", self.id.simple())
    }

    /// Reads [`Cursor::encode`]'s form.
    pub fn decode(text: &str) -> Result<Self, InvalidCursor> {
        let invalid = || InvalidCursor(text.chars().take(64).collect());
        if text.len() != 48 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid());
        }
        let (micros, id) = text.split_at(16);
        let micros = u64::from_str_radix(micros, 16).map_err(|_| invalid())? as i64;
        let updated_at = DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(invalid)?;
        let id = Uuid::try_parse(id).map_err(|_| invalid())?;
        Ok(Self { updated_at, id })
    }
}

/// The page size for a requested `limit`: [`DEFAULT_PAGE_SIZE`] when none, else within
/// `1..=`[`MAX_PAGE_SIZE`].
pub fn page_size(limit: Option<u32>) -> u32 {
    limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
}

/// One page of the chat list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatPage {
    /// The chats, most recently active first.
    pub items: Vec<Chat>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// The conversations of `owner`, most recently active first (`updated_at`, then `id`,
/// descending), `limit` of them (clamped to `1..=`[`MAX_PAGE_SIZE`]) after `cursor`.
pub fn list(
    db: &dyn Db,
    owner: Owner,
    cursor: Option<&Cursor>,
    limit: u32,
) -> Result<ChatPage, DbError> {
    let sql = format!(
        r#"
SELECT {}
FROM chats
WHERE user_id = $1
  AND ($2::text IS NULL OR (updated_at, id) < ($2::text::timestamptz, $3))
ORDER BY updated_at DESC, id DESC
LIMIT $4"#,
        chat_columns()
    );
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    let rows = db.query(
        &sql,
        &[
            owner.into(),
            cursor.map(|c| c.updated_at).into(),
            cursor.map(|c| Param::Uuid(c.id)).unwrap_or(Param::Null),
            // One more than the page: whether there is a next page.
            Param::Int64(i64::from(limit) + 1),
        ],
    )?;
    let mut items = rows
        .iter()
        .map(Chat::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more {
        items.last().map(Cursor::after)
    } else {
        None
    };
    Ok(ChatPage { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    fn at(secs: i64, micros: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, micros * 1000).unwrap()
    }

    fn chat_rows(chats: &[(Uuid, DateTime<Utc>)]) -> Rows {
        Rows::new(
            [
                "id",
                "title",
                "model",
                "temperature",
                "created_at",
                "updated_at",
                "assistant_id",
                "assistant_name",
                "assistant_icon",
                "collection_ids",
            ]
            .map(String::from)
            .to_vec(),
            chats
                .iter()
                .map(|(id, when)| {
                    vec![
                        Value::Uuid(id.to_string()),
                        Value::Null,
                        Value::Text("gpt-4o-mini".into()),
                        Value::Float(0.7),
                        Value::DateTime(when.naive_utc()),
                        Value::DateTime(when.naive_utc()),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Json(b"[]".to_vec()),
                    ]
                })
                .collect(),
        )
    }

    #[test]
    fn cursors_round_trip_to_the_microsecond() {
        for when in [at(1_795_000_000, 123_456), at(0, 0), at(-86_400, 1)] {
            let cursor = Cursor {
                updated_at: when,
                id: Uuid::now_v7(),
            };
            let text = cursor.encode();
            assert_eq!(text.len(), 48);
            assert_eq!(Cursor::decode(&text), Ok(cursor));
        }
    }

    #[test]
    fn foreign_cursors_are_refused() {
        let good = Cursor {
            updated_at: at(1_795_000_000, 5),
            id: Uuid::now_v7(),
        }
        .encode();
        for bad in [
            "",
            "abc",
            &good[..47],
            &format!("{good}0"),
            &good.to_uppercase(),
            &format!("{}g", &good[..47]),
            // Microseconds beyond chrono's range.
            &format!("7fffffffffffffff{}", &good[16..]),
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
        let long = "x".repeat(10_000);
        assert_eq!(Cursor::decode(&long).unwrap_err().0.len(), 64);
    }

    #[test]
    fn page_sizes_default_and_are_clamped() {
        assert_eq!(page_size(None), 50);
        assert_eq!(page_size(Some(0)), 1);
        assert_eq!(page_size(Some(20)), 20);
        assert_eq!(page_size(Some(10_000)), 200);
    }

    #[test]
    fn the_first_page_has_no_cursor_and_asks_one_row_more() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        db.push_rows(chat_rows(&[
            (c, at(300, 0)),
            (b, at(200, 0)),
            (a, at(100, 0)),
        ]));
        let page = list(&db, owner, None, 2).unwrap();
        assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), [c, b]);
        assert_eq!(
            page.next,
            Some(Cursor {
                updated_at: at(200, 0),
                id: b
            })
        );
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("WHERE user_id = $1"), "{sql}");
        assert!(sql.contains("ORDER BY updated_at DESC, id DESC"), "{sql}");
        assert_eq!(
            params,
            &[
                Param::Uuid(owner.user_id()),
                Param::Null,
                Param::Null,
                Param::Int64(3)
            ]
        );
    }

    #[test]
    fn a_later_page_continues_after_the_cursor_and_the_last_has_none() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let a = Uuid::now_v7();
        db.push_rows(chat_rows(&[(a, at(100, 0))]));
        let cursor = Cursor {
            updated_at: at(200, 250),
            id: Uuid::now_v7(),
        };
        let page = list(&db, owner, Some(&cursor), 50).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.next, None);
        let (_, params) = &db.calls()[0];
        assert_eq!(params[1], Param::Text("1970-01-01T00:03:20.000250Z".into()));
        assert_eq!(params[2], Param::Uuid(cursor.id));

        // The limit is clamped defensively.
        list(&db, owner, None, 100_000).unwrap();
        list(&db, owner, None, 0).unwrap();
        let calls = db.calls();
        assert_eq!(calls[1].1[3], Param::Int64(201));
        assert_eq!(calls[2].1[3], Param::Int64(2));
    }

    #[test]
    fn every_single_chat_query_checks_the_owner() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let id = Uuid::now_v7();
        assert_eq!(find(&db, id, owner).unwrap(), None);
        assert_eq!(rename(&db, id, owner, "Plans").unwrap(), None);
        assert!(delete(&db, id, owner).unwrap());
        assert!(set_title_if_unset(&db, id, owner, "Plans").unwrap());
        for (sql, params) in db.calls() {
            assert!(sql.contains("WHERE id = $1 AND user_id = $2"), "{sql}");
            assert_eq!(params[..2], [Param::Uuid(id), Param::Uuid(owner.user_id())]);
        }
        assert!(db.statements()[3].contains("AND title IS NULL"));
    }

    #[test]
    fn create_uses_a_v7_id_and_the_owner() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let id = Uuid::now_v7();
        db.push_rows(chat_rows(&[(id, at(100, 0))]));
        let new = NewChat {
            title: None,
            model: Some("gpt-4o-mini"),
            temperature: Some(0.7),
            assistant_id: None,
        };
        let chat = create(&db, owner, &new).unwrap();
        assert_eq!(chat.id, id);
        assert_eq!(chat.temperature, Some(0.7));
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("AT TIME ZONE 'UTC'"), "{sql}");
        let Param::Uuid(new_id) = params[0] else {
            panic!("{params:?}")
        };
        assert_eq!(new_id.get_version_num(), 7);
        assert_eq!(
            params[1..],
            [
                Param::Uuid(owner.user_id()),
                Param::Null,
                Param::Text("gpt-4o-mini".into()),
                Param::Float64(0.7),
                Param::Null
            ]
        );
    }

    #[test]
    fn auto_titles_are_trimmed_cut_and_never_empty() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let id = Uuid::now_v7();
        assert!(!set_title_if_unset(&db, id, owner, "   ").unwrap());
        assert!(db.calls().is_empty());
        set_title_if_unset(&db, id, owner, &format!("  {}", "é".repeat(500))).unwrap();
        assert_eq!(db.calls()[0].1[2], Param::Text("é".repeat(200)));
    }
}
