//! Knowledge (`/api/knowledge/...`): collections, uploaded files and keyword search over their
//! chunks.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Scope, non_null};

string_enum! {
    /// Where a file stands: `processing` (work still to do), `ready` (its text is searchable),
    /// `failed` (`reason_code` and `reason` say why).
    pub enum FileStatus {
        /// Extraction or embedding still to do.
        Processing = "processing",
        /// Extracted and chunked: its text is searchable.
        Ready = "ready",
        /// Its text could not be read; the file stays downloadable.
        Failed = "failed",
    }
}

string_enum! {
    /// The type of a file, sniffed from its bytes (never taken from the name or the header;
    /// the name only tells Markdown from plain text).
    pub enum FileKind {
        /// A PDF.
        Pdf = "pdf",
        /// A Word document.
        Docx = "docx",
        /// Markdown text (`.md`, `.markdown`).
        Markdown = "markdown",
        /// Plain text (UTF-8 or UTF-16 with a byte order mark).
        Text = "text",
    }
}

string_enum! {
    /// Why a file failed: a stable code (the sentence for people is `reason`).
    pub enum FileFailure {
        /// Zero bytes.
        Empty = "empty",
        /// Larger than the file size limit.
        TooLarge = "too_large",
        /// Not a PDF, DOCX, Markdown or text file.
        UnsupportedType = "unsupported_type",
        /// Text that is neither UTF-8 nor UTF-16 with a byte order mark.
        TextEncoding = "text_encoding",
        /// A PDF that opens only with a password.
        PdfEncrypted = "pdf_encrypted",
        /// A PDF that does not parse (truncated, corrupt).
        PdfDamaged = "pdf_damaged",
        /// More pages than the page limit.
        TooManyPages = "too_many_pages",
        /// A DOCX that does not read.
        DocxDamaged = "docx_damaged",
        /// A DOCX of more parts than the limit.
        TooManyEntries = "too_many_entries",
        /// A file that unpacks to more than the limit (a zip bomb).
        TooLargeUnpacked = "too_large_unpacked",
        /// More characters of text than the limit.
        TooMuchText = "too_much_text",
        /// No text at all (a scanned PDF without a text layer).
        NoText = "no_text",
    }
}

string_enum! {
    /// How a search found its results.
    pub enum SearchMode {
        /// Full-text search in German, English and exact words only (no embedding model is
        /// active, or embedding the query failed).
        Keyword = "keyword",
        /// Full-text search and vector search (the active embedding model), fused by
        /// reciprocal rank.
        Hybrid = "hybrid",
    }
}

string_enum! {
    /// Where a file stands with embeddings (its keyword search does not depend on them).
    pub enum EmbeddingState {
        /// No embedding model is active (or the file is not ready): keyword search only.
        None = "none",
        /// The background step still has to embed it with the active model.
        Pending = "pending",
        /// Its passages carry vectors of the active model.
        Ready = "ready",
        /// The background step gave up after repeated failures (`error` says why); keyword
        /// search still finds it.
        Failed = "failed",
    }
}

/// A file's embedding state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileEmbedding {
    /// Where it stands.
    pub status: EmbeddingState,
    /// The last failure, for people (also while `pending`, when a try failed).
    pub error: Option<String>,
}

/// The embedding model in use, as users see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActiveEmbeddingModel {
    /// Its id.
    pub model_id: String,
    /// Its name.
    pub display_name: String,
    /// The length of its vectors.
    pub dimension: i32,
}

/// The answer of `GET /api/knowledge/status`: how searches and answers find passages now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnowledgeStatus {
    /// `hybrid` when an embedding model is active, else `keyword`.
    pub mode: SearchMode,
    /// The active embedding model; `null`: keyword search only.
    pub embedding_model: Option<ActiveEmbeddingModel>,
}

/// An embedding model as admins manage it (`/api/admin/embedding-models`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EmbeddingModelView {
    /// The hub's id (for every provider but Azure OpenAI also the provider's).
    pub model_id: String,
    /// Its provider: `openai`, `gemini`, `mistral`, `azure_openai` or `openai_compatible`.
    pub provider: String,
    /// Its name.
    pub display_name: String,
    /// The length of its vectors: 256, 384, 512, 768, 1024 or 1536.
    pub dimension: i32,
    /// USD per million input tokens, a decimal string.
    pub input_price_per_million: String,
    /// Azure OpenAI: the deployment that serves it.
    pub azure_deployment: Option<String>,
    /// Whether files and questions are embedded with it.
    pub active: bool,
}

/// `PUT /api/admin/embedding-models/{model_id}`: adds or changes an embedding model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PutEmbeddingModel {
    /// `openai`, `gemini`, `mistral`, `azure_openai` or `openai_compatible`.
    pub provider: String,
    /// 1-100 characters.
    pub display_name: String,
    /// 256, 384, 512, 768, 1024 or 1536 (changing it for the active model re-embeds every file).
    pub dimension: i32,
    /// USD per million input tokens, a decimal string (0 to 1000000, at most 10 decimals);
    /// left out, 0.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub input_price_per_million: Option<String>,
    /// Azure OpenAI: the deployment (required there, refused elsewhere).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub azure_deployment: Option<String>,
}

/// The answer of `POST /api/knowledge/tick`: what one background step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnowledgeTick {
    /// Files embedded with the active model.
    pub embedded: u32,
    /// Files whose attempt failed (tried again later, up to five times).
    pub failed: u32,
    /// Whether files are still due (the step stopped at its time budget).
    pub more: bool,
}

/// A knowledge collection as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnowledgeCollectionView {
    /// Its id.
    pub id: Uuid,
    /// Personal or global.
    pub scope: Scope,
    /// Its name (1-100 characters).
    pub name: String,
    /// What it holds (at most 500 characters; may be empty).
    pub description: String,
    /// Whether the caller may change and delete it and add files (their own; global ones for
    /// admins).
    pub editable: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Its last change (RFC 3339, UTC).
    pub updated_at: String,
}

/// `POST /api/knowledge/collections`: a new collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateKnowledgeCollection {
    /// 1-100 characters.
    pub name: String,
    /// At most 500 characters; left out, empty.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<String>,
    /// Left out, `personal`; `global` only for administrators.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub scope: Option<Scope>,
}

/// `PATCH /api/knowledge/collections/{id}`: changes the fields it names (at least one). The
/// scope stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateKnowledgeCollection {
    /// 1-100 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// At most 500 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<String>,
}

/// An uploaded file as the caller sees it (never its bytes: `GET .../content` downloads them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnowledgeFileView {
    /// Its id.
    pub id: Uuid,
    /// Its collection; `null` for a file on its own.
    pub collection_id: Option<Uuid>,
    /// Its name as uploaded (without folders and control characters; 1-255 characters).
    pub name: String,
    /// Its type, sniffed from the bytes; `null` when they are none of the supported types.
    pub kind: Option<FileKind>,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// The SHA-256 of its bytes (64 lower-case hex digits).
    pub sha256: String,
    /// Where it stands.
    pub status: FileStatus,
    /// Why it failed (`failed` only).
    pub reason_code: Option<FileFailure>,
    /// Why it failed, for people (`failed` only).
    pub reason: Option<String>,
    /// The pages of a PDF (pages without text included).
    pub page_count: Option<i32>,
    /// The characters of its extracted text (`ready` only).
    pub char_count: Option<i64>,
    /// The chunks of its text (`ready` only).
    pub chunk_count: Option<i32>,
    /// Whether the caller may delete it (their own; in a global collection, also admins).
    pub deletable: bool,
    /// Where it stands with embeddings.
    pub embedding: FileEmbedding,
    /// When it was uploaded (RFC 3339, UTC).
    pub created_at: String,
    /// Its last change (RFC 3339, UTC).
    pub updated_at: String,
}

/// One passage a search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnowledgeHit {
    /// The file it is from.
    pub file_id: Uuid,
    /// The file's name.
    pub file_name: String,
    /// The file's collection, if any.
    pub collection_id: Option<Uuid>,
    /// The chunk's position in the file, from 0.
    pub ordinal: i32,
    /// The page of a PDF.
    pub page: Option<i32>,
    /// The headings above the passage, outermost first.
    pub heading_path: Vec<String>,
    /// A short excerpt with the matched words between `**` and `**`.
    pub snippet: String,
    /// The rank: the reciprocal rank fusion of the keyword and (in `hybrid` mode) the vector
    /// ranking (higher is better; comparable within one answer only).
    pub score: f64,
}

/// The answer of `GET /api/knowledge/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnowledgeSearchResults {
    /// How the results were found.
    pub mode: SearchMode,
    /// The passages, best first.
    pub items: Vec<KnowledgeHit>,
}
