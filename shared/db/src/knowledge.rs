//! `knowledge_collections`, `knowledge_files` and `knowledge_chunks`: what users upload to ask
//! about, and the full-text search over it.
//!
//! Who reads what is decided in every query's `WHERE` clause, retrieval included: a collection
//! is seen by everyone when it is global (`owner_id` NULL), else by its owner only; a file is
//! read by its owner, and by everyone when it is in a global collection. Another user's personal
//! collection or file is simply not found. Who may change what is `hub-knowledge-base`'s rule;
//! the writes here take an id the caller has checked.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::assistants::{ListQuery, json_column, visible_sql};
use crate::{Db, DbError, Owner, Param, Row, Rows};

/// A knowledge collection as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// Its id (v7).
    pub id: Uuid,
    /// Its owner; `None` for a global collection.
    pub owner_id: Option<Uuid>,
    /// Its name.
    pub name: String,
    /// What it holds (may be empty).
    pub description: String,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
}

impl Collection {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            owner_id: row.get("owner_id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            created_by: row.get("created_by")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }

    /// Whether it is global (everyone reads it, admins manage it).
    pub fn is_global(&self) -> bool {
        self.owner_id.is_none()
    }
}

const COLLECTION_COLUMNS: &str = r#"id, owner_id, name, description, created_by,
    created_at AT TIME ZONE 'UTC' AS created_at,
    updated_at AT TIME ZONE 'UTC' AS updated_at"#;

fn first_collection(rows: &Rows) -> Result<Option<Collection>, DbError> {
    rows.first().map(Collection::from_row).transpose()
}

/// Stores a new collection (validated by the caller) under a fresh v7 id; `owner_id` `None`
/// makes it global.
pub fn insert_collection(
    db: &dyn Db,
    owner_id: Option<Uuid>,
    name: &str,
    description: &str,
    created_by: Uuid,
) -> Result<Collection, DbError> {
    let sql = format!(
        "INSERT INTO knowledge_collections (id, owner_id, name, description, created_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLLECTION_COLUMNS}"
    );
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(Uuid::now_v7()),
            owner_id.into(),
            name.into(),
            description.into(),
            Param::Uuid(created_by),
        ],
    )?;
    first_collection(&rows)?
        .ok_or_else(|| DbError::Other("INSERT INTO knowledge_collections returned no row".into()))
}

/// The collection `id` if `viewer` sees it (a global one or their own).
pub fn find_collection(
    db: &dyn Db,
    id: Uuid,
    viewer: Owner,
) -> Result<Option<Collection>, DbError> {
    let sql = visible_sql(COLLECTION_COLUMNS, "knowledge_collections", false);
    first_collection(&db.query(&sql, &[Param::Uuid(id), viewer.into()])?)
}

/// [`find_collection`], the row locked until the transaction ends.
pub fn lock_collection(
    db: &dyn Db,
    id: Uuid,
    viewer: Owner,
) -> Result<Option<Collection>, DbError> {
    let sql = visible_sql(COLLECTION_COLUMNS, "knowledge_collections", true);
    first_collection(&db.query(&sql, &[Param::Uuid(id), viewer.into()])?)
}

/// Changes the name and the description (each `None` stays) of collection `id`; the collection
/// after the change.
pub fn update_collection(
    db: &dyn Db,
    id: Uuid,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<Option<Collection>, DbError> {
    let sql = format!(
        "UPDATE knowledge_collections SET name = COALESCE($2::text, name), \
         description = COALESCE($3::text, description), updated_at = now() \
         WHERE id = $1 RETURNING {COLLECTION_COLUMNS}"
    );
    first_collection(&db.query(&sql, &[Param::Uuid(id), name.into(), description.into()])?)
}

/// Deletes collection `id` with its files and their chunks; whether it existed.
pub fn delete_collection(db: &dyn Db, id: Uuid) -> Result<bool, DbError> {
    let sql = "DELETE FROM knowledge_collections WHERE id = $1";
    Ok(db.execute(sql, &[Param::Uuid(id)])? == 1)
}

/// The collections `viewer` sees (global and their own), newest first, as `query` says.
pub fn list_collections(
    db: &dyn Db,
    viewer: Owner,
    query: &ListQuery,
) -> Result<Vec<Collection>, DbError> {
    let sql = format!(
        "SELECT {COLLECTION_COLUMNS} FROM knowledge_collections WHERE {} \
         ORDER BY id DESC LIMIT $5",
        ListQuery::filter("name", "description")
    );
    let rows = db.query(&sql, &query.params(viewer))?;
    rows.iter().map(Collection::from_row).collect()
}

/// A knowledge file as stored, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeFile {
    /// Its id (v7).
    pub id: Uuid,
    /// Who uploaded it.
    pub owner_id: Uuid,
    /// Its collection, if any.
    pub collection_id: Option<Uuid>,
    /// Whether its collection is global (everyone reads the file, admins may delete it).
    pub in_global_collection: bool,
    /// Its (sanitised) name.
    pub name: String,
    /// Its sniffed type (`pdf`, `docx`, `markdown`, `text`), if any.
    pub kind: Option<String>,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// `processing`, `ready` or `failed`.
    pub status: String,
    /// Why it failed (a stable code).
    pub reason_code: Option<String>,
    /// Why it failed, for people.
    pub reason: Option<String>,
    /// Pages of a PDF.
    pub page_count: Option<i32>,
    /// Characters of its text.
    pub char_count: Option<i64>,
    /// Its chunks.
    pub chunk_count: Option<i32>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
}

impl KnowledgeFile {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get("id")?,
            owner_id: row.get("owner_id")?,
            collection_id: row.get("collection_id")?,
            in_global_collection: row.get("in_global_collection")?,
            name: row.get("name")?,
            kind: row.get("kind")?,
            size_bytes: row.get("size_bytes")?,
            sha256: row.get("sha256")?,
            status: row.get("status")?,
            reason_code: row.get("reason_code")?,
            reason: row.get("reason")?,
            page_count: row.get("page_count")?,
            char_count: row.get("char_count")?,
            chunk_count: row.get("chunk_count")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

/// The columns of a file `f` joined with its collection `k`.
const FILE_COLUMNS: &str = r#"f.id, f.owner_id, f.collection_id,
    (f.collection_id IS NOT NULL AND k.owner_id IS NULL) AS in_global_collection,
    f.name, f.kind, f.size_bytes, f.sha256, f.status, f.reason_code, f.reason,
    f.page_count, f.char_count, f.chunk_count,
    f.created_at AT TIME ZONE 'UTC' AS created_at,
    f.updated_at AT TIME ZONE 'UTC' AS updated_at"#;

/// The files `f` (with their collections `k`) that viewer `$1` reads: their own, and those of
/// global collections.
const READABLE: &str = "(f.owner_id = $1 OR (f.collection_id IS NOT NULL AND k.owner_id IS NULL))";

const FROM_FILES: &str =
    "knowledge_files f LEFT JOIN knowledge_collections k ON k.id = f.collection_id";

fn first_file(rows: &Rows) -> Result<Option<KnowledgeFile>, DbError> {
    rows.first().map(KnowledgeFile::from_row).transpose()
}

/// A new file with the outcome of its extraction (validated by the caller).
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    /// Who uploads it.
    pub owner_id: Uuid,
    /// Its collection, if any.
    pub collection_id: Option<Uuid>,
    /// Its sanitised name.
    pub name: &'a str,
    /// Its sniffed type.
    pub kind: Option<&'a str>,
    /// SHA-256 of `content`, lower-case hex.
    pub sha256: &'a str,
    /// The bytes.
    pub content: &'a [u8],
    /// `processing`, `ready` or `failed`.
    pub status: &'a str,
    /// Why it failed.
    pub reason_code: Option<&'a str>,
    /// Why it failed, for people.
    pub reason: Option<&'a str>,
    /// Pages of a PDF.
    pub page_count: Option<i32>,
    /// Characters of its text.
    pub char_count: Option<i64>,
    /// Its chunks.
    pub chunk_count: Option<i32>,
}

/// The file with `sha256` in the place a new one would go: in `collection_id`, or (without a
/// collection) among `owner`'s files on their own.
pub fn find_duplicate(
    db: &dyn Db,
    owner: Owner,
    collection_id: Option<Uuid>,
    sha256: &str,
) -> Result<Option<KnowledgeFile>, DbError> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM {FROM_FILES} WHERE f.sha256 = $2 AND \
         (f.collection_id = $3::uuid OR ($3::uuid IS NULL AND f.collection_id IS NULL \
         AND f.owner_id = $1))"
    );
    first_file(&db.query(&sql, &[owner.into(), sha256.into(), collection_id.into()])?)
}

/// Stores a new file under a fresh v7 id; `None` when the same bytes are already in that place
/// (a concurrent upload won: [`find_duplicate`] finds it).
pub fn insert_file(db: &dyn Db, new: &NewFile<'_>) -> Result<Option<KnowledgeFile>, DbError> {
    let sql = format!(
        r#"
WITH f AS (
    INSERT INTO knowledge_files (id, owner_id, collection_id, name, kind, size_bytes, sha256,
        content, status, reason_code, reason, page_count, char_count, chunk_count)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
    ON CONFLICT DO NOTHING
    RETURNING *
)
SELECT {FILE_COLUMNS} FROM f LEFT JOIN knowledge_collections k ON k.id = f.collection_id"#
    );
    let size = i64::try_from(new.content.len()).unwrap_or(i64::MAX);
    let rows = db.query(
        &sql,
        &[
            Param::Uuid(Uuid::now_v7()),
            Param::Uuid(new.owner_id),
            new.collection_id.into(),
            new.name.into(),
            new.kind.into(),
            Param::Int64(size),
            new.sha256.into(),
            Param::Bytes(new.content.to_vec()),
            new.status.into(),
            new.reason_code.into(),
            new.reason.into(),
            new.page_count.into(),
            new.char_count.into(),
            new.chunk_count.into(),
        ],
    )?;
    first_file(&rows)
}

/// A chunk of a file's text to store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewChunk {
    /// Its position, from 0.
    pub ordinal: i32,
    /// The text.
    pub text: String,
    /// The page of a PDF.
    pub page: Option<i32>,
    /// The headings above it, outermost first.
    pub heading_path: Vec<String>,
    /// Its estimated tokens.
    pub token_estimate: i32,
}

/// Stores the chunks of file `file_id` in one statement.
pub fn insert_chunks(db: &dyn Db, file_id: Uuid, chunks: &[NewChunk]) -> Result<u64, DbError> {
    if chunks.is_empty() {
        return Ok(0);
    }
    let sql = r#"
INSERT INTO knowledge_chunks (file_id, ordinal, text, page, heading_path, token_estimate)
SELECT $1, c.ordinal, c.text, c.page, COALESCE(c.heading_path, '[]'::jsonb), c.token_estimate
FROM jsonb_to_recordset($2::jsonb)
    AS c(ordinal integer, text text, page integer, heading_path jsonb, token_estimate integer)"#;
    db.execute(
        sql,
        &[Param::Uuid(file_id), Param::Json(serde_json::json!(chunks))],
    )
}

/// The file `id` if `viewer` reads it.
pub fn find_file(db: &dyn Db, id: Uuid, viewer: Owner) -> Result<Option<KnowledgeFile>, DbError> {
    let sql = format!("SELECT {FILE_COLUMNS} FROM {FROM_FILES} WHERE f.id = $2 AND {READABLE}");
    first_file(&db.query(&sql, &[viewer.into(), Param::Uuid(id)])?)
}

/// [`find_file`], the file's row locked until the transaction ends.
pub fn lock_file(db: &dyn Db, id: Uuid, viewer: Owner) -> Result<Option<KnowledgeFile>, DbError> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM {FROM_FILES} WHERE f.id = $2 AND {READABLE} FOR UPDATE OF f"
    );
    first_file(&db.query(&sql, &[viewer.into(), Param::Uuid(id)])?)
}

/// A file's bytes with what serving them needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    /// Its name.
    pub name: String,
    /// Its sniffed type, if any.
    pub kind: Option<String>,
    /// The bytes.
    pub content: Vec<u8>,
}

/// The name, type and bytes of file `id` if `viewer` reads it.
pub fn file_content(db: &dyn Db, id: Uuid, viewer: Owner) -> Result<Option<FileContent>, DbError> {
    let sql = format!(
        "SELECT f.name, f.kind, f.content FROM {FROM_FILES} WHERE f.id = $2 AND {READABLE}"
    );
    let rows = db.query(&sql, &[viewer.into(), Param::Uuid(id)])?;
    rows.first()
        .map(|row| {
            Ok(FileContent {
                name: row.get("name")?,
                kind: row.get("kind")?,
                content: row.get("content")?,
            })
        })
        .transpose()
}

/// Deletes file `id` and its chunks; whether it existed.
pub fn delete_file(db: &dyn Db, id: Uuid) -> Result<bool, DbError> {
    let sql = "DELETE FROM knowledge_files WHERE id = $1";
    Ok(db.execute(sql, &[Param::Uuid(id)])? == 1)
}

/// A page of the files a viewer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileListQuery {
    /// Only the files of this collection (one the viewer sees).
    pub collection_id: Option<Uuid>,
    /// Continue after this id (the last of the previous page).
    pub after: Option<Uuid>,
    /// Rows to read (one more than the page).
    pub limit: i64,
}

/// The files `viewer` reads (their own and those of global collections), newest first.
pub fn list_files(
    db: &dyn Db,
    viewer: Owner,
    query: &FileListQuery,
) -> Result<Vec<KnowledgeFile>, DbError> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM {FROM_FILES} WHERE {READABLE} \
         AND ($2::uuid IS NULL OR f.collection_id = $2::uuid) \
         AND ($3::uuid IS NULL OR f.id < $3::uuid) ORDER BY f.id DESC LIMIT $4"
    );
    let rows = db.query(
        &sql,
        &[
            viewer.into(),
            query.collection_id.into(),
            query.after.into(),
            Param::Int64(query.limit),
        ],
    )?;
    rows.iter().map(KnowledgeFile::from_row).collect()
}

/// A keyword search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the user typed (`websearch_to_tsquery` syntax: words, `"phrases"`, `or`, `-not`).
    pub text: String,
    /// Only the chunks of this collection's files.
    pub collection_id: Option<Uuid>,
    /// Most passages to return.
    pub limit: i64,
}

/// A passage a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// Its file.
    pub file_id: Uuid,
    /// The file's name.
    pub file_name: String,
    /// The file's collection.
    pub collection_id: Option<Uuid>,
    /// The chunk's ordinal.
    pub ordinal: i32,
    /// The page of a PDF.
    pub page: Option<i32>,
    /// The headings above it.
    pub heading_path: Vec<String>,
    /// An excerpt with the matches between `**`.
    pub snippet: String,
    /// The rank: the sum of `ts_rank_cd` in the three configurations.
    pub score: f64,
}

/// The chunks of ready files `viewer` reads that match `query` in the 'simple', 'german' or
/// 'english' configuration, best first (ties by file and ordinal).
pub fn search(db: &dyn Db, viewer: Owner, query: &SearchQuery) -> Result<Vec<SearchHit>, DbError> {
    let sql = format!(
        r#"
WITH q AS (
    SELECT websearch_to_tsquery('simple', $2) AS qs,
           websearch_to_tsquery('german', $2) AS qg,
           websearch_to_tsquery('english', $2) AS qe
), hits AS (
    SELECT c.file_id, c.ordinal, c.text, c.page, c.heading_path, f.name, f.collection_id,
           (ts_rank_cd(c.tsv_simple, q.qs) + ts_rank_cd(c.tsv_german, q.qg)
            + ts_rank_cd(c.tsv_english, q.qe))::float8 AS score,
           c.tsv_german @@ q.qg AS in_german,
           c.tsv_english @@ q.qe AS in_english
    FROM q, knowledge_chunks c
    JOIN knowledge_files f ON f.id = c.file_id
    LEFT JOIN knowledge_collections k ON k.id = f.collection_id
    WHERE (c.tsv_simple @@ q.qs OR c.tsv_german @@ q.qg OR c.tsv_english @@ q.qe)
      AND {READABLE}
      AND f.status = 'ready'
      AND ($3::uuid IS NULL OR f.collection_id = $3::uuid)
    ORDER BY score DESC, c.file_id, c.ordinal
    LIMIT $4
)
SELECT h.file_id, h.name AS file_name, h.collection_id, h.ordinal, h.page, h.heading_path,
       h.score,
       CASE WHEN h.in_german THEN ts_headline('german', h.text, q.qg, {HEADLINE})
            WHEN h.in_english THEN ts_headline('english', h.text, q.qe, {HEADLINE})
            ELSE ts_headline('simple', h.text, q.qs, {HEADLINE}) END AS snippet
FROM hits h, q
ORDER BY h.score DESC, h.file_id, h.ordinal"#
    );
    let rows = db.query(
        &sql,
        &[
            viewer.into(),
            query.text.as_str().into(),
            query.collection_id.into(),
            Param::Int64(query.limit),
        ],
    )?;
    rows.iter()
        .map(|row| {
            Ok(SearchHit {
                file_id: row.get("file_id")?,
                file_name: row.get("file_name")?,
                collection_id: row.get("collection_id")?,
                ordinal: row.get("ordinal")?,
                page: row.get("page")?,
                heading_path: json_column(&row, "heading_path")?,
                snippet: row.get("snippet")?,
                score: row.get("score")?,
            })
        })
        .collect()
}

/// The options of the snippets: matches between `**`, up to two fragments of 15-35 words.
const HEADLINE: &str = r#"'StartSel=**, StopSel=**, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;

    #[test]
    fn every_read_checks_access_in_sql() {
        let db = FakeDb::new();
        let viewer = Owner::new(Uuid::new_v4());
        let id = Uuid::now_v7();
        assert_eq!(find_file(&db, id, viewer).unwrap(), None);
        assert_eq!(lock_file(&db, id, viewer).unwrap(), None);
        assert_eq!(file_content(&db, id, viewer).unwrap(), None);
        let files = FileListQuery {
            collection_id: Some(id),
            after: None,
            limit: 3,
        };
        assert!(list_files(&db, viewer, &files).unwrap().is_empty());
        let query = SearchQuery {
            text: "Haus".into(),
            collection_id: None,
            limit: 10,
        };
        assert!(search(&db, viewer, &query).unwrap().is_empty());
        for (sql, params) in db.calls() {
            assert!(sql.contains(READABLE), "{sql}");
            assert_eq!(params[0], Param::Uuid(viewer.user_id()));
        }
        assert_eq!(find_collection(&db, id, viewer).unwrap(), None);
        let (sql, _) = db.calls().pop().unwrap();
        assert!(sql.contains("owner_id IS NULL OR owner_id = $2"), "{sql}");
    }

    #[test]
    fn no_chunks_no_statement() {
        let db = FakeDb::new();
        assert_eq!(insert_chunks(&db, Uuid::now_v7(), &[]).unwrap(), 0);
        assert!(db.calls().is_empty());
    }
}
