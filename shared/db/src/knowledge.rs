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
    /// The embedding model its chunks' vectors come from, if any.
    pub embedding_model: Option<String>,
    /// Failed embedding attempts with the active model.
    pub embed_attempts: i32,
    /// The last embedding failure, for people.
    pub embed_error: Option<String>,
    /// The active embedding model (the same for every file; `None`: keyword search only).
    pub active_embedding_model: Option<String>,
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
            embedding_model: row.get("embedding_model")?,
            embed_attempts: row.get("embed_attempts")?,
            embed_error: row.get("embed_error")?,
            active_embedding_model: row.get("active_embedding_model")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }

    /// Where the file stands with embeddings.
    pub fn embedding_status(&self) -> EmbeddingStatus {
        match &self.active_embedding_model {
            _ if self.status != "ready" => EmbeddingStatus::None,
            None => EmbeddingStatus::None,
            Some(active) if self.embedding_model.as_ref() == Some(active) => EmbeddingStatus::Ready,
            Some(_) if self.chunk_count == Some(0) => EmbeddingStatus::Ready,
            Some(_) if self.embed_attempts >= MAX_EMBED_ATTEMPTS => EmbeddingStatus::Failed,
            Some(_) => EmbeddingStatus::Pending,
        }
    }
}

/// Where a file stands with embeddings (its keyword search does not depend on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddingStatus {
    /// No embedding model is active (or the file is not ready): keyword search only.
    None,
    /// The background step still has to embed it with the active model.
    Pending,
    /// Its chunks carry vectors of the active model.
    Ready,
    /// The background step gave up after [`MAX_EMBED_ATTEMPTS`] failures.
    Failed,
}

impl EmbeddingStatus {
    /// The API's name of it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
}

/// Failed attempts after which the background step stops embedding a file (until the admin
/// chooses a model again).
pub const MAX_EMBED_ATTEMPTS: i32 = 5;

/// The columns of a file `f` joined with its collection `k`.
const FILE_COLUMNS: &str = r#"f.id, f.owner_id, f.collection_id,
    (f.collection_id IS NOT NULL AND k.owner_id IS NULL) AS in_global_collection,
    f.name, f.kind, f.size_bytes, f.sha256, f.status, f.reason_code, f.reason,
    f.page_count, f.char_count, f.chunk_count,
    f.embedding_model, f.embed_attempts, f.embed_error,
    (SELECT model_id FROM embedding_models WHERE active) AS active_embedding_model,
    f.created_at AT TIME ZONE 'UTC' AS created_at,
    f.updated_at AT TIME ZONE 'UTC' AS updated_at"#;

/// The files `f` that viewer `$1` reads: their own, and those of global collections (the
/// collection read by its key, and only for a file that is not the viewer's: no join, so a
/// statement that names the rule several times, like the search, plans and runs faster).
pub(crate) const READABLE: &str = "(f.owner_id = $1 OR EXISTS (SELECT 1 FROM knowledge_collections g \
     WHERE g.id = f.collection_id AND g.owner_id IS NULL))";

pub(crate) const FROM_FILES: &str =
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

/// A question's vector, from the active embedding model.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryEmbedding {
    /// The model it comes from: only chunks of files embedded with it are compared.
    pub model_id: String,
    /// The vector (its length is one of `embedding_models::DIMENSIONS`).
    pub vector: Vec<f32>,
}

/// A search over everything the viewer reads (or one collection of it).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// What the user typed (`websearch_to_tsquery` syntax: words, `"phrases"`, `or`, `-not`).
    pub text: String,
    /// The text's vector; `None`: keyword search only.
    pub embedding: Option<QueryEmbedding>,
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
    /// The chunk's whole text.
    pub text: String,
    /// The reciprocal rank fusion score: the sum of 1 / (60 + rank) over the keyword ranking
    /// and the vector ranking the chunk is in.
    pub score: f64,
}

/// The passages of ready files that `viewer` reads matching `query`, best first.
pub fn search(db: &dyn Db, viewer: Owner, query: &SearchQuery) -> Result<Vec<SearchHit>, DbError> {
    let scope = "($4::uuid IS NULL OR f.collection_id = $4::uuid)";
    let extra = [query.collection_id.into()];
    fused(
        db,
        viewer,
        Keywords::Search(&query.text),
        query.embedding.as_ref(),
        scope,
        &extra,
        query.limit,
    )
}

/// What a chat message retrieves from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrievalQuery<'a> {
    /// The question (the keyword side).
    pub text: &'a str,
    /// The question's vector; `None`: keyword only.
    pub embedding: Option<&'a QueryEmbedding>,
    /// The scope: these collections' files ...
    pub collection_ids: &'a [Uuid],
    /// ... and these files.
    pub file_ids: &'a [Uuid],
    /// Most chunks to return.
    pub limit: i64,
}

/// A chunk retrieved for a question (a [`SearchHit`]: its text goes into the prompt, its
/// snippet and place into the citation).
pub type Retrieved = SearchHit;

/// The chunks of ready files in the scope that `viewer` reads, best first (reciprocal rank
/// fusion of the vector and the keyword ranking). An empty scope retrieves nothing, without a
/// statement.
pub fn retrieve(
    db: &dyn Db,
    viewer: Owner,
    query: &RetrievalQuery<'_>,
) -> Result<Vec<Retrieved>, DbError> {
    if query.collection_ids.is_empty() && query.file_ids.is_empty() {
        return Ok(Vec::new());
    }
    let scope = "(f.collection_id = ANY($4::text::uuid[]) OR f.id = ANY($5::text::uuid[]))";
    let extra = [
        Param::Text(uuid_array(query.collection_ids)),
        Param::Text(uuid_array(query.file_ids)),
    ];
    fused(
        db,
        viewer,
        Keywords::Question(query.text),
        query.embedding,
        scope,
        &extra,
        query.limit,
    )
}

/// What the keyword ranking looks for.
#[derive(Debug, Clone, Copy)]
enum Keywords<'a> {
    /// What a user typed into the search box: web search syntax, every word required.
    Search(&'a str),
    /// A chat question: its exact words all together (a name, a code) in the 'simple'
    /// configuration, or any of its words stemmed in German and English, stop words of either
    /// language left out (each configuration knows only its own: "the" is no German stop
    /// word). The rank prefers chunks with more of the words.
    Question(&'a str),
}

impl Keywords<'_> {
    /// `$2` (the 'simple' configuration's text) and `$3` (the stemmed configurations').
    fn params(self) -> [Param; 2] {
        match self {
            Self::Search(text) => [text.into(), text.into()],
            Self::Question(text) => [text.into(), Param::Text(words(text))],
        }
    }

    /// The text of the stemmed configurations' queries, from `$3`.
    fn stemmed_sql(self) -> &'static str {
        match self {
            Self::Search(_) => "$3::text",
            Self::Question(_) => {
                "(SELECT coalesce(string_agg(w, ' or '), '') \
                 FROM regexp_split_to_table($3, ' ') w \
                 WHERE to_tsvector('english', w) <> ''::tsvector \
                   AND to_tsvector('german', w) <> ''::tsvector)"
            }
        }
    }
}

/// A question's words (runs of letters and digits), space-separated: at most 64.
fn words(text: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(64)
        .collect();
    words.join(" ")
}

/// A PostgreSQL array literal of ids (`{…,…}`; a uuid needs no quoting).
fn uuid_array(ids: &[Uuid]) -> String {
    let items: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("{{{}}}", items.join(","))
}

/// How many candidates each ranking contributes to the fusion.
const CANDIDATES: i64 = 50;
/// Up to this many chunks in scope the vector ranking is exact (every chunk's distance,
/// sorted: a few milliseconds); above it, the HNSW index answers, each candidate checked
/// against the scope by its file's primary key (pgvector's iterative scan goes on until enough
/// candidates pass). The check is a scalar subquery: an `EXISTS` there may be planned as a
/// hashed subplan, which reads every file of the scope first (2.7 ms for 5,000 files, growing
/// with the reader's files) where the index hands over a few dozen candidates. Two plans in one
/// statement, gated by the scope's size (its chunks counted up to this many plus one, so a
/// large scope stops counting after a few files): the planner cannot know a scope's size from
/// the statement, and left alone it joins the scope first and sorts every chunk of a large
/// one. The scope is not materialised: every use reads the files it needs by key instead of
/// all the reader's files (a search over everything they read).
const EXACT_UP_TO: i64 = 1000;
/// Reciprocal rank fusion's constant (the usual 60: the top ranks matter, none dominates).
const RRF_K: i64 = 60;

/// The fused search: `$1` the viewer, `$2` and `$3` the [`Keywords`], `$4`… the `scope` filter's parameters
/// (`extra`), then the limit and, with an embedding, its vector and model. The scope and the
/// access rule are applied to the files first; both rankings read only chunks of those files
/// (the vector ranking exactly for a small scope, through the HNSW index for a large one:
/// [`EXACT_UP_TO`]).
fn fused(
    db: &dyn Db,
    viewer: Owner,
    keywords: Keywords<'_>,
    embedding: Option<&QueryEmbedding>,
    scope: &str,
    extra: &[Param],
    limit: i64,
) -> Result<Vec<SearchHit>, DbError> {
    let mut params = vec![viewer.into()];
    params.extend(keywords.params());
    params.extend_from_slice(extra);
    let at = params.len();
    params.push(Param::Int64(limit));
    let limit_param = at + 1;
    let vector = match embedding {
        Some(e) => {
            let dim = e.vector.len();
            let known = crate::embedding_models::DIMENSIONS
                .iter()
                .any(|&d| usize::try_from(d).is_ok_and(|d| d == dim));
            if !known {
                return Err(DbError::Other(format!(
                    "a query vector of {dim} dimensions has no index"
                )));
            }
            params.push(Param::Text(vector_literal(&e.vector)));
            params.push(e.model_id.as_str().into());
            let (v, m) = (at + 2, at + 3);
            format!(
                r#"
, vscope AS NOT MATERIALIZED (
    SELECT id, chunk_count FROM scope WHERE embedding_model = ${m}
), vsize AS (
    SELECT count(*) AS n
    FROM (SELECT FROM vscope s, generate_series(1, s.chunk_count) LIMIT {EXACT_UP_TO} + 1) x
), ann AS (
    SELECT c.file_id, c.ordinal,
           (c.embedding::halfvec({dim})) <=> ${v}::text::halfvec({dim}) AS d
    FROM knowledge_chunks c
    WHERE (SELECT n FROM vsize) > {EXACT_UP_TO}
      AND vector_dims(c.embedding) = {dim}
      AND (SELECT true FROM vscope s WHERE s.id = c.file_id) IS TRUE
    ORDER BY d LIMIT {CANDIDATES}
), exact AS (
    SELECT c.file_id, c.ordinal,
           ((c.embedding::vector({dim})) <=> ${v}::text::vector({dim})) + 0 AS d
    FROM knowledge_chunks c JOIN vscope s ON s.id = c.file_id
    WHERE (SELECT n FROM vsize) <= {EXACT_UP_TO} AND vector_dims(c.embedding) = {dim}
    ORDER BY d LIMIT {CANDIDATES}
), vec AS (
    SELECT file_id, ordinal, row_number() OVER (ORDER BY d, file_id, ordinal) AS rank
    FROM (SELECT * FROM ann UNION ALL SELECT * FROM exact) v
)"#
            )
        }
        None => String::new(),
    };
    let vector_ranks = if embedding.is_some() {
        " UNION ALL SELECT file_id, ordinal, rank FROM vec"
    } else {
        ""
    };
    let stemmed = keywords.stemmed_sql();
    let sql = format!(
        r#"
WITH scope AS NOT MATERIALIZED (
    SELECT f.id, f.name, f.collection_id, f.embedding_model, f.chunk_count
    FROM knowledge_files f
    WHERE {READABLE} AND f.status = 'ready' AND {scope}
), q AS (
    SELECT websearch_to_tsquery('simple', $2) AS qs,
           websearch_to_tsquery('german', k.t) AS qg,
           websearch_to_tsquery('english', k.t) AS qe
    FROM (SELECT {stemmed} AS t) k
), kw AS (
    SELECT file_id, ordinal, row_number() OVER (ORDER BY score DESC, file_id, ordinal) AS rank
    FROM (
        SELECT c.file_id, c.ordinal,
               CASE WHEN c.tsv_english @@ q.qe THEN ts_rank(c.tsv_english, q.qe)
                    WHEN c.tsv_german @@ q.qg THEN ts_rank(c.tsv_german, q.qg)
                    ELSE ts_rank(c.tsv_simple, q.qs) END AS score
        FROM q, knowledge_chunks c JOIN scope s ON s.id = c.file_id
        WHERE c.tsv_simple @@ q.qs OR c.tsv_german @@ q.qg OR c.tsv_english @@ q.qe
        ORDER BY score DESC LIMIT {CANDIDATES}
    ) k
){vector}, fused AS (
    SELECT file_id, ordinal, sum(1.0 / ({RRF_K} + rank))::float8 AS score
    FROM (SELECT file_id, ordinal, rank FROM kw{vector_ranks}) ranks
    GROUP BY file_id, ordinal
    ORDER BY score DESC, file_id, ordinal
    LIMIT ${limit_param}
)
SELECT c.file_id, f.name AS file_name, f.collection_id, c.ordinal, c.page, c.heading_path,
       c.text, h.score
FROM fused h
JOIN knowledge_chunks c ON c.file_id = h.file_id AND c.ordinal = h.ordinal
JOIN knowledge_files f ON f.id = h.file_id
ORDER BY h.score DESC, h.file_id, h.ordinal"#
    );
    let rows = db.query(&sql, &params)?;
    rows.iter()
        .map(|row| {
            Ok(SearchHit {
                file_id: row.get("file_id")?,
                file_name: row.get("file_name")?,
                collection_id: row.get("collection_id")?,
                ordinal: row.get("ordinal")?,
                page: row.get("page")?,
                heading_path: json_column(&row, "heading_path")?,
                text: row.get("text")?,
                score: row.get("score")?,
            })
        })
        .collect()
}

/// pgvector's text form of a vector (`[1,2.5,-3]`); non-finite numbers become 0 (providers'
/// vectors are checked before they get here).
pub fn vector_literal(vector: &[f32]) -> String {
    let mut text = String::with_capacity(vector.len() * 12 + 2);
    text.push('[');
    for (i, x) in vector.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let x = if x.is_finite() { *x } else { 0.0 };
        text.push_str(&x.to_string());
    }
    text.push(']');
    text
}

/// A file the background step claimed to embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingClaim {
    /// The file.
    pub file_id: Uuid,
    /// Who uploaded it (the usage is theirs).
    pub owner_id: Uuid,
    /// The active model it is embedded with.
    pub model_id: String,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// Claims the next file due for embedding with the active model `model_id` (nothing when
/// another model became active meanwhile), for `lease_secs` seconds:
/// a ready file whose vectors are not of that model, not given up on, not claimed or backing
/// off. `FOR UPDATE SKIP LOCKED`: concurrent steps claim different files; the lease keeps a
/// claimed file from the next steps until it runs out, so a step that dies leaves it to a
/// later one. Its old vectors stop counting at once (`embedding_model` NULL). `None` when
/// nothing is due or no model is active.
pub fn claim_embedding(
    db: &dyn Db,
    model_id: &str,
    lease_secs: i64,
) -> Result<Option<EmbeddingClaim>, DbError> {
    let sql = format!(
        r#"
WITH active AS (
    SELECT model_id FROM embedding_models WHERE active AND model_id = $2
), due AS (
    SELECT f.id FROM knowledge_files f, active a
    WHERE f.status = 'ready' AND f.chunk_count > 0
      AND f.embedding_model IS DISTINCT FROM a.model_id
      AND f.embed_attempts < {MAX_EMBED_ATTEMPTS}
      AND (f.embed_after IS NULL OR f.embed_after <= now())
    ORDER BY f.embed_after NULLS FIRST, f.id
    LIMIT 1
    FOR UPDATE OF f SKIP LOCKED
)
UPDATE knowledge_files f
SET embed_after = now() + make_interval(secs => $1), embedding_model = NULL
FROM due, active
WHERE f.id = due.id
RETURNING f.id, f.owner_id, active.model_id, f.embed_attempts"#
    );
    #[allow(clippy::cast_precision_loss)]
    let rows = db.query(&sql, &[Param::Float64(lease_secs as f64), model_id.into()])?;
    rows.first()
        .map(|row| {
            Ok(EmbeddingClaim {
                file_id: row.get("id")?,
                owner_id: row.get("owner_id")?,
                model_id: row.get("model_id")?,
                attempts: row.get("embed_attempts")?,
            })
        })
        .transpose()
}

/// A chunk to embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkText {
    /// Its ordinal.
    pub ordinal: i32,
    /// Its text.
    pub text: String,
}

/// The chunks of file `file_id` from ordinal `from` on, at most `limit`, in order.
pub fn chunk_texts(
    db: &dyn Db,
    file_id: Uuid,
    from: i32,
    limit: i64,
) -> Result<Vec<ChunkText>, DbError> {
    let sql = "SELECT ordinal, text FROM knowledge_chunks WHERE file_id = $1 AND ordinal >= $2 \
               ORDER BY ordinal LIMIT $3";
    let rows = db.query(
        sql,
        &[
            Param::Uuid(file_id),
            Param::Int32(from),
            Param::Int64(limit),
        ],
    )?;
    rows.iter()
        .map(|row| {
            Ok(ChunkText {
                ordinal: row.get("ordinal")?,
                text: row.get("text")?,
            })
        })
        .collect()
}

/// Stores the vectors of file `file_id`'s chunks (`(ordinal, vector)`) in one statement.
pub fn store_embeddings(
    db: &dyn Db,
    file_id: Uuid,
    vectors: &[(i32, Vec<f32>)],
) -> Result<u64, DbError> {
    if vectors.is_empty() {
        return Ok(0);
    }
    let rows: Vec<serde_json::Value> = vectors
        .iter()
        .map(|(ordinal, v)| serde_json::json!({ "ordinal": ordinal, "e": vector_literal(v) }))
        .collect();
    let sql = r#"
UPDATE knowledge_chunks c SET embedding = v.e::vector
FROM jsonb_to_recordset($2::jsonb) AS v(ordinal integer, e text)
WHERE c.file_id = $1 AND c.ordinal = v.ordinal"#;
    db.execute(sql, &[Param::Uuid(file_id), Param::Json(rows.into())])
}

/// Renews the claim on file `file_id` for `lease_secs` seconds (a large file takes a while).
pub fn extend_embedding_claim(db: &dyn Db, file_id: Uuid, lease_secs: i64) -> Result<(), DbError> {
    let sql = "UPDATE knowledge_files SET embed_after = now() + make_interval(secs => $2) \
               WHERE id = $1";
    #[allow(clippy::cast_precision_loss)]
    let lease = lease_secs as f64;
    db.execute(sql, &[Param::Uuid(file_id), Param::Float64(lease)])
        .map(drop)
}

/// Records that file `file_id`'s chunks now carry vectors of `model_id`.
pub fn finish_embedding(db: &dyn Db, file_id: Uuid, model_id: &str) -> Result<(), DbError> {
    let sql = "UPDATE knowledge_files SET embedding_model = $2, embed_attempts = 0, \
               embed_error = NULL, embed_after = NULL WHERE id = $1";
    db.execute(sql, &[Param::Uuid(file_id), model_id.into()])
        .map(drop)
}

/// Records a failed attempt to embed file `file_id` (`error` for people, at most 500
/// characters): not tried again for `retry_secs` seconds; given up after
/// [`MAX_EMBED_ATTEMPTS`].
pub fn fail_embedding(
    db: &dyn Db,
    file_id: Uuid,
    error: &str,
    retry_secs: i64,
) -> Result<(), DbError> {
    let error: String = error.chars().take(500).collect();
    let sql = "UPDATE knowledge_files SET embed_attempts = embed_attempts + 1, embed_error = $2, \
               embed_after = now() + make_interval(secs => $3) WHERE id = $1";
    #[allow(clippy::cast_precision_loss)]
    let retry = retry_secs as f64;
    db.execute(
        sql,
        &[Param::Uuid(file_id), error.into(), Param::Float64(retry)],
    )
    .map(drop)
}

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
            embedding: None,
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
    fn a_question_is_split_into_its_words() {
        assert_eq!(words("When do cherries ripen?"), "When do cherries ripen");
        assert_eq!(words("salt or pepper -x \"y\""), "salt or pepper x y");
        assert_eq!(words(" ?! "), "");
    }

    #[test]
    fn no_chunks_no_statement() {
        let db = FakeDb::new();
        assert_eq!(insert_chunks(&db, Uuid::now_v7(), &[]).unwrap(), 0);
        assert!(db.calls().is_empty());
    }
}
