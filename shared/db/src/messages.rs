//! `chat_messages`: the messages of a chat. Every query joins the chat and checks its owner.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::assistants::json_column;
use crate::{Db, DbError, FromValue, Owner, Param, Row, Value};

/// The error text of a failed answer whose caller gave none.
const UNKNOWN_ERROR: &str = "unknown error";

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A system prompt.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
}

impl Role {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

impl FromValue for Role {
    fn from_value(value: &Value) -> Result<Self, String> {
        match String::from_value(value)?.as_str() {
            "system" => Ok(Self::System),
            "user" => Ok(Self::User),
            "assistant" => Ok(Self::Assistant),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

/// How far a message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Whole (every user and system message; an answer that ended normally).
    Complete,
    /// Still streaming, or cut off (the client went away, the provider stopped mid-answer):
    /// the content is what was generated.
    Partial,
    /// The answer failed; the error text says why.
    Error,
}

impl Status {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Partial => "partial",
            Self::Error => "error",
        }
    }
}

impl FromValue for Status {
    fn from_value(value: &Value) -> Result<Self, String> {
        match String::from_value(value)?.as_str() {
            "complete" => Ok(Self::Complete),
            "partial" => Ok(Self::Partial),
            "error" => Ok(Self::Error),
            other => Err(format!("unknown status {other:?}")),
        }
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Its id (v7).
    pub id: Uuid,
    /// Its chat.
    pub chat_id: Uuid,
    /// Who wrote it.
    pub role: Role,
    /// The text (Markdown for answers).
    pub content: String,
    /// The model that answered (assistant messages).
    pub model: Option<String>,
    /// How far it got.
    pub status: Status,
    /// Why it failed or was cut off.
    pub error: Option<String>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// When it last changed (an answer: when it was finalised).
    pub updated_at: DateTime<Utc>,
    /// The passages an answer was given, as it cites them (empty for other messages).
    pub sources: Vec<Source>,
    /// The knowledge files attached to a user's message that its chat's owner reads.
    pub files: Vec<FileRef>,
}

/// A passage an answer was given: a chunk of a knowledge file, cited as `[index]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// Its number in the prompt, from 1.
    pub index: u32,
    /// The file.
    pub file_id: Uuid,
    /// The file's name.
    pub file_name: String,
    /// The file's collection, if any.
    pub collection_id: Option<Uuid>,
    /// The page of a PDF.
    pub page: Option<i32>,
    /// The headings above the chunk, outermost first.
    pub heading_path: Vec<String>,
    /// The chunk's ordinal in its file.
    pub ordinal: i32,
    /// The start of the chunk's text.
    pub snippet: String,
    /// How well it matched (the retrieval's fused score).
    pub score: f64,
}

/// A knowledge file as a message names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileRef {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

impl Message {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            chat_id: row.get("chat_id")?,
            role: row.get("role")?,
            content: row.get("content")?,
            model: row.get("model")?,
            status: row.get("status")?,
            error: row.get("error")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            sources: json_column(&row, "sources")?,
            files: json_column(&row, "files")?,
        })
    }
}

/// The files `f` that `viewer` (an SQL expression) reads:
/// `hub_db::knowledge`'s rule, for another placeholder or column than its `$1`.
pub(crate) fn readable_by(viewer: &str) -> String {
    crate::knowledge::READABLE.replace("$1", viewer)
}

/// The columns of [`Message`] but its files (table alias `m`), timestamps as UTC `timestamp`.
const MESSAGE_FIELDS: &str = r#"m.id, m.chat_id, m.role, m.content, m.model, m.status, m.error,
    m.created_at AT TIME ZONE 'UTC' AS created_at,
    m.updated_at AT TIME ZONE 'UTC' AS updated_at,
    m.sources"#;

/// The columns of [`Message`] (table alias `m`, its chat `c`), timestamps as UTC `timestamp`;
/// the attached files the chat's owner reads (one probe of `chat_message_files`' primary key).
fn message_columns() -> String {
    let readable = readable_by("c.user_id");
    format!(
        r#"{MESSAGE_FIELDS},
    COALESCE((
        SELECT jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name) ORDER BY f.name, f.id)
        FROM chat_message_files mf
        JOIN knowledge_files f ON f.id = mf.file_id
        WHERE mf.message_id = m.id AND {readable}
    ), '[]'::jsonb) AS files"#
    )
}

/// [`message_columns`] without looking for files, `files` empty: for answers (files are
/// attached to questions only) and for an exchange's history (the prompt has no use for them).
fn fileless_message_columns() -> String {
    format!("{MESSAGE_FIELDS}, '[]'::jsonb AS files")
}

/// The messages of chat `chat_id` of `owner`, oldest first (none when it is not theirs).
pub fn list(db: &dyn Db, chat_id: Uuid, owner: Owner) -> Result<Vec<Message>, DbError> {
    let sql = format!(
        r#"
SELECT {}
FROM chat_messages AS m
JOIN chats AS c ON c.id = m.chat_id
WHERE m.chat_id = $1 AND c.user_id = $2
ORDER BY m.created_at, m.id"#,
        message_columns()
    );
    let rows = db.query(&sql, &[Param::Uuid(chat_id), owner.into()])?;
    rows.iter().map(Message::from_row).collect()
}

/// The last `limit` messages of chat `chat_id` of `owner`, oldest first: the context sent to
/// a model (none when the chat is not theirs).
pub fn recent(
    db: &dyn Db,
    chat_id: Uuid,
    owner: Owner,
    limit: u32,
) -> Result<Vec<Message>, DbError> {
    let sql = format!(
        r#"
SELECT * FROM (
    SELECT {}
    FROM chat_messages AS m
    JOIN chats AS c ON c.id = m.chat_id
    WHERE m.chat_id = $1 AND c.user_id = $2
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT $3
) AS last
ORDER BY created_at, id"#,
        message_columns()
    );
    let rows = db.query(
        &sql,
        &[Param::Uuid(chat_id), owner.into(), i64::from(limit).into()],
    )?;
    rows.iter().map(Message::from_row).collect()
}

/// Deletes the messages of chat `chat_id` of `owner` that came after message `after` (to
/// answer it again); how many.
pub fn delete_after(db: &dyn Db, chat_id: Uuid, owner: Owner, after: Uuid) -> Result<u64, DbError> {
    const SQL: &str = r#"
DELETE FROM chat_messages AS m
USING chats AS c, chat_messages AS a
WHERE m.chat_id = $1 AND c.id = m.chat_id AND c.user_id = $2
  AND a.id = $3 AND a.chat_id = m.chat_id
  AND (m.created_at, m.id) > (a.created_at, a.id)"#;
    db.execute(
        SQL,
        &[Param::Uuid(chat_id), owner.into(), Param::Uuid(after)],
    )
}

/// Why an answer that stopped streaming without being finalised is not complete.
pub const INTERRUPTED: &str = "the answer was interrupted before it was complete";

/// Marks the answers of chat `chat_id` of `owner` that are still pending (`partial` without an
/// error) but have not changed for `stale_secs` seconds: their request ended without finalising
/// them (the host stopped it). They become `partial` with [`INTERRUPTED`], or `error` when
/// nothing was stored; how many.
pub fn interrupt_stale(
    db: &dyn Db,
    chat_id: Uuid,
    owner: Owner,
    stale_secs: u32,
) -> Result<u64, DbError> {
    const SQL: &str = r#"
UPDATE chat_messages AS m
SET status = CASE WHEN m.content = '' THEN 'error' ELSE 'partial' END,
    error = $4, updated_at = now()
FROM chats AS c
WHERE m.chat_id = $1 AND c.id = m.chat_id AND c.user_id = $2
  AND m.role = 'assistant' AND m.status = 'partial' AND m.error IS NULL
  AND m.updated_at < now() - make_interval(secs => $3)"#;
    db.execute(
        SQL,
        &[
            Param::Uuid(chat_id),
            owner.into(),
            Param::Float64(f64::from(stale_secs)),
            INTERRUPTED.into(),
        ],
    )
}

/// An exchange as [`open_exchange`] stored it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opened {
    /// The question as stored, without files (`None` when none was given, or the chat is not
    /// the owner's): [`attach_files`] attaches them.
    pub question: Option<Message>,
    /// The conversation the answer continues, oldest first: the last messages before it, the
    /// question included, the pending answer not; without their files (the prompt has no use
    /// for them).
    pub history: Vec<Message>,
    /// The pending answer as stored (`None` when the chat is not the owner's).
    pub answer: Option<Message>,
}

/// Opens an exchange in chat `chat_id` of `owner` in one statement: stores `question` (when
/// given; without it, the answer answers the history again) and the pending `answer`, marks
/// the chat active, and reads the last `history_limit` messages the answer continues.
///
/// The statement's transaction (the caller's, when it runs inside one) commits without
/// waiting for the write-ahead log to reach the disk (`synchronous_commit` off for that
/// transaction only): what an answer's first token waits for is PostgreSQL's memory, not an
/// fsync. The answer's own commit when it is finalised ([`finalize`], synchronous) flushes the
/// log up to itself, so everything of an exchange is on disk before it is reported done; a
/// database crash before that can lose the open exchange, whose stream then ends in an error.
pub fn open_exchange(
    db: &dyn Db,
    chat_id: Uuid,
    owner: Owner,
    question: Option<&str>,
    answer: &NewAnswer<'_>,
    history_limit: u32,
) -> Result<Opened, DbError> {
    // The statement reads one snapshot: the history it reads is what was there before, and
    // the question is added to it from its own insert.
    let sql = format!(
        r#"
WITH c AS (
    UPDATE chats SET updated_at = now()
    WHERE id = $1 AND user_id = $2
    RETURNING id, user_id
), q AS (
    INSERT INTO chat_messages (id, chat_id, role, content, status, sources)
    SELECT $3, c.id, 'user', $4, 'complete', '[]'::jsonb FROM c
    WHERE $4::text IS NOT NULL
    RETURNING *
), a AS (
    INSERT INTO chat_messages (id, chat_id, role, content, model, status, error, sources)
    SELECT $5, c.id, 'assistant', $6, $7, $8, $9, $10 FROM c
    RETURNING *
), earlier AS (
    SELECT m.* FROM chat_messages AS m, c
    WHERE m.chat_id = c.id
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT $11
), parts AS (
    SELECT 0 AS part, earlier.* FROM earlier
    UNION ALL SELECT 1, q.* FROM q
    UNION ALL SELECT 2, a.* FROM a
), durability AS (
    SELECT set_config('synchronous_commit', 'off', true) AS commit_mode
)
SELECT m.part, {}
FROM parts AS m, c, durability
ORDER BY m.part, m.created_at, m.id"#,
        fileless_message_columns()
    );
    let error = answer_error(answer.status, answer.error);
    let earlier = history_limit.saturating_sub(u32::from(question.is_some()));
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(chat_id),
            owner.into(),
            Param::Uuid(Uuid::now_v7()),
            question.into(),
            Param::Uuid(Uuid::now_v7()),
            answer.content.into(),
            answer.model.into(),
            answer.status.as_str().into(),
            error.into(),
            Param::Json(serde_json::json!(answer.sources)),
            i64::from(earlier).into(),
        ],
    )?;
    let mut opened = Opened::default();
    for row in rows.iter() {
        let part: i32 = row.get("part")?;
        let message = Message::from_row(row)?;
        match part {
            0 => opened.history.push(message),
            1 => {
                opened.history.push(message.clone());
                opened.question = Some(message);
            }
            _ => opened.answer = Some(message),
        }
    }
    Ok(opened)
}

/// Most files one message may have attached.
pub const MAX_FILES: usize = 10;

/// The ready knowledge files among the ids of the `jsonb` array `ids` (an SQL expression) that
/// viewer `$1` reads, as `id, name`.
fn ready_files_sql(ids: &str) -> String {
    format!(
        "SELECT f.id, f.name FROM knowledge_files f \
         WHERE f.id IN (SELECT jsonb_array_elements_text({ids}::jsonb)::uuid) \
         AND f.status = 'ready' AND {}",
        readable_by("$1")
    )
}

fn file_refs(rows: &crate::Rows) -> Result<Vec<FileRef>, DbError> {
    rows.iter()
        .map(|row| {
            Ok(FileRef {
                id: row.get("id")?,
                name: row.get("name")?,
            })
        })
        .collect()
}

/// Of `file_ids`, the ready knowledge files `viewer` reads (their own, and those of global
/// collections: `hub_db::knowledge`'s rule), ordered by name.
pub fn readable_files(
    db: &dyn Db,
    viewer: Owner,
    file_ids: &[Uuid],
) -> Result<Vec<FileRef>, DbError> {
    if file_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{} ORDER BY f.name, f.id", ready_files_sql("$2"));
    let ids = Param::Json(serde_json::json!(file_ids));
    file_refs(&db.query(&sql, &[viewer.into(), ids])?)
}

/// Attaches those of `file_ids` that are ready files `owner` reads to their user message
/// `message_id`; the files attached, ordered by name (none when the message is not theirs).
pub fn attach_files(
    db: &dyn Db,
    message_id: Uuid,
    owner: Owner,
    file_ids: &[Uuid],
) -> Result<Vec<FileRef>, DbError> {
    if file_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        r#"
WITH f AS ({}), q AS (
    SELECT m.id FROM chat_messages m JOIN chats c ON c.id = m.chat_id
    WHERE m.id = $2 AND c.user_id = $1 AND m.role = 'user'
), added AS (
    INSERT INTO chat_message_files (message_id, file_id)
    SELECT q.id, f.id FROM q, f
    ON CONFLICT DO NOTHING
)
SELECT f.id, f.name FROM f, q ORDER BY f.name, f.id"#,
        ready_files_sql("$3")
    );
    let params = [
        owner.into(),
        Param::Uuid(message_id),
        Param::Json(serde_json::json!(file_ids)),
    ];
    file_refs(&db.query(&sql, &params)?)
}

/// A new answer of a model.
#[derive(Debug, Clone, Copy)]
pub struct NewAnswer<'a> {
    /// The model that answers.
    pub model: &'a str,
    /// [`Status::Partial`] when stored as the answer starts (finalised later with
    /// [`finalize`]), else how it ended.
    pub status: Status,
    /// What there is of the answer so far (often empty).
    pub content: &'a str,
    /// Why it failed or was cut off.
    pub error: Option<&'a str>,
    /// The passages it is given (stored as the answer starts).
    pub sources: &'a [Source],
}

/// The error text stored with an answer of `status`: none when complete, always one when
/// failed (the table requires it).
fn answer_error(status: Status, error: Option<&str>) -> Option<&str> {
    match status {
        Status::Complete => None,
        Status::Error => Some(error.unwrap_or(UNKNOWN_ERROR)),
        Status::Partial => error,
    }
}

/// Finalises answer `id` of `owner` with its content, how it ended and why (an error text is
/// dropped for [`Status::Complete`]); the stored answer (`None` when there is no such answer).
pub fn finalize(
    db: &dyn Db,
    id: Uuid,
    owner: Owner,
    content: &str,
    status: Status,
    error: Option<&str>,
) -> Result<Option<Message>, DbError> {
    let sql = format!(
        r#"
UPDATE chat_messages AS m
SET content = $3, status = $4, error = $5, updated_at = now()
FROM chats AS c
WHERE m.id = $1 AND c.user_id = $2 AND c.id = m.chat_id AND m.role = 'assistant'
RETURNING {}"#,
        fileless_message_columns()
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(id),
            owner.into(),
            content.into(),
            status.as_str().into(),
            answer_error(status, error).into(),
        ],
    )?;
    rows.first().map(Message::from_row).transpose()
}

/// [`finalize`] and the answer's usage row in one statement (one commit): the row is stored
/// only with the answer. Refused as a whole when either part fails (a cost that is not a plain
/// decimal, a constraint): then store them one by one, so that a bad usage row never loses
/// the answer.
#[allow(clippy::too_many_arguments)]
pub fn finalize_with_usage(
    db: &dyn Db,
    id: Uuid,
    owner: Owner,
    content: &str,
    status: Status,
    error: Option<&str>,
    usage: &crate::usage::NewUsage<'_>,
) -> Result<Option<Message>, DbError> {
    let sql = format!(
        r#"
WITH m AS (
    UPDATE chat_messages AS m
    SET content = $3, status = $4, error = $5, updated_at = now()
    FROM chats AS c
    WHERE m.id = $1 AND c.user_id = $2 AND c.id = m.chat_id AND m.role = 'assistant'
    RETURNING {}
), u AS (
    INSERT INTO chat_token_usage ({})
    SELECT {} FROM m
)
SELECT * FROM m"#,
        fileless_message_columns(),
        crate::usage::COLUMNS,
        crate::usage::placeholders(6)
    );
    let mut params = vec![
        Param::Uuid(id),
        owner.into(),
        content.into(),
        status.as_str().into(),
        answer_error(status, error).into(),
    ];
    params.extend(crate::usage::row_params(Uuid::now_v7(), owner, usage)?);
    let rows = db.query(&sql, &params)?;
    rows.first().map(Message::from_row).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rows;
    use crate::testing::FakeDb;

    const MESSAGE_COLUMNS: [&str; 11] = [
        "id",
        "chat_id",
        "role",
        "content",
        "model",
        "status",
        "error",
        "created_at",
        "updated_at",
        "sources",
        "files",
    ];

    fn message_values(role: &str, status: &str) -> Vec<Value> {
        let when = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_micro_opt(10, 0, 0, 5))
            .unwrap();
        vec![
            Value::Uuid(Uuid::now_v7().to_string()),
            Value::Uuid(Uuid::now_v7().to_string()),
            Value::Text(role.into()),
            Value::Text("Hello".into()),
            Value::Null,
            Value::Text(status.into()),
            Value::Null,
            Value::DateTime(when),
            Value::DateTime(when),
            Value::Json(b"[]".to_vec()),
            Value::Json(b"[]".to_vec()),
        ]
    }

    fn message_rows(role: &str, status: &str) -> Rows {
        let columns = MESSAGE_COLUMNS.map(String::from).to_vec();
        Rows::new(columns, vec![message_values(role, status)])
    }

    #[test]
    fn list_checks_the_owner_in_the_same_query() {
        let db = FakeDb::new();
        db.push_rows(message_rows("user", "complete"));
        let (chat, owner) = (Uuid::now_v7(), Owner::new(Uuid::new_v4()));
        let messages = list(&db, chat, owner).unwrap();
        assert_eq!(messages[0].role, Role::User);
        assert_eq!(messages[0].status, Status::Complete);
        let (sql, params) = &db.calls()[0];
        assert!(
            sql.contains("WHERE m.chat_id = $1 AND c.user_id = $2"),
            "{sql}"
        );
        assert!(sql.contains("ORDER BY m.created_at, m.id"), "{sql}");
        assert_eq!(params, &[Param::Uuid(chat), Param::Uuid(owner.user_id())]);
    }

    #[test]
    fn unknown_stored_values_are_decode_errors() {
        let db = FakeDb::new();
        db.push_rows(message_rows("tool", "complete"));
        let err = list(&db, Uuid::now_v7(), Owner::new(Uuid::new_v4())).unwrap_err();
        assert_eq!(err.to_string(), "column \"role\": unknown role \"tool\"");
    }

    #[test]
    fn an_exchange_is_opened_in_one_statement_that_checks_the_owner() {
        let db = FakeDb::new();
        let (chat, owner) = (Uuid::now_v7(), Owner::new(Uuid::new_v4()));
        let answer = NewAnswer {
            model: "gpt-4o-mini",
            status: Status::Partial,
            content: "",
            error: None,
            sources: &[],
        };
        // No row back: not their chat.
        let opened = open_exchange(&db, chat, owner, Some("Hi"), &answer, 100).unwrap();
        assert_eq!(opened, Opened::default());
        // The statement's rows: the history (part 0), the question (1), the answer (2).
        let parts = [
            (0, "assistant", "complete"),
            (1, "user", "complete"),
            (2, "assistant", "partial"),
        ];
        let values = parts.map(|(part, role, status)| {
            let mut row = vec![Value::Int(part)];
            row.extend(message_values(role, status));
            row
        });
        let columns = ["part"].iter().chain(&MESSAGE_COLUMNS);
        db.push_rows(Rows::new(
            columns.map(|c| (*c).to_owned()).collect(),
            values.to_vec(),
        ));
        let opened = open_exchange(&db, chat, owner, Some("Hi"), &answer, 100).unwrap();
        let roles: Vec<Role> = opened.history.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Assistant, Role::User]);
        assert_eq!(opened.question.map(|q| q.role), Some(Role::User));
        assert_eq!(opened.answer.map(|a| a.status), Some(Status::Partial));

        let calls = db.calls();
        assert_eq!(calls.len(), 2);
        let (sql, params) = &calls[0];
        assert!(sql.contains("WHERE id = $1 AND user_id = $2"), "{sql}");
        assert!(
            sql.contains("set_config('synchronous_commit', 'off', true)"),
            "{sql}"
        );
        assert_eq!(
            params[..2],
            [Param::Uuid(chat), Param::Uuid(owner.user_id())]
        );
        assert_eq!(params[3], Param::Text("Hi".into()));
        assert_eq!(params[6], Param::Text("gpt-4o-mini".into()));
        assert_eq!(params[7], Param::Text("partial".into()));
        // The question takes one place of the history's.
        assert_eq!(params[10], Param::Int64(99));
        open_exchange(&db, chat, owner, None, &answer, 100).unwrap();
        let params = &db.calls()[2].1;
        assert_eq!(
            (&params[3], &params[10]),
            (&Param::Null, &Param::Int64(100))
        );
    }

    #[test]
    fn finalize_checks_the_owner_and_keeps_errors_consistent() {
        let db = FakeDb::new();
        let (id, owner) = (Uuid::now_v7(), Owner::new(Uuid::new_v4()));
        assert_eq!(
            finalize(&db, id, owner, "Done", Status::Complete, Some("ignored")).unwrap(),
            None
        );
        finalize(&db, id, owner, "", Status::Error, None).unwrap();
        finalize(
            &db,
            id,
            owner,
            "Hal",
            Status::Partial,
            Some("client disconnected"),
        )
        .unwrap();
        let calls = db.calls();
        let (sql, params) = &calls[0];
        assert!(sql.contains("WHERE m.id = $1 AND c.user_id = $2"), "{sql}");
        assert!(sql.contains("m.role = 'assistant'"), "{sql}");
        assert_eq!(
            params,
            &[
                Param::Uuid(id),
                Param::Uuid(owner.user_id()),
                Param::Text("Done".into()),
                Param::Text("complete".into()),
                Param::Null,
            ]
        );
        assert_eq!(calls[1].1[4], Param::Text("unknown error".into()));
        assert_eq!(calls[2].1[4], Param::Text("client disconnected".into()));
    }

    #[test]
    fn attached_files_are_read_and_attached_under_the_knowledge_rule() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        assert!(readable_files(&db, owner, &[]).unwrap().is_empty());
        assert!(db.calls().is_empty(), "no files, no statement");
        let file = Uuid::now_v7();
        readable_files(&db, owner, &[file]).unwrap();
        attach_files(&db, Uuid::now_v7(), owner, &[file]).unwrap();
        for (sql, params) in db.calls() {
            assert!(sql.contains(crate::knowledge::READABLE), "{sql}");
            assert!(sql.contains("f.status = 'ready'"), "{sql}");
            assert_eq!(params[0], Param::Uuid(owner.user_id()));
        }
        // Shown with a message: the chat owner's reading.
        list(&db, Uuid::now_v7(), owner).unwrap();
        let (sql, _) = db.calls().pop().unwrap();
        assert!(sql.contains(&readable_by("c.user_id")), "{sql}");
    }
}
