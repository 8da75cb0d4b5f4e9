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
    /// How a search found its results. Only `keyword` (PostgreSQL full-text search) so far;
    /// vector and hybrid search come with embeddings.
    pub enum SearchMode {
        /// Full-text search in German, English and exact words.
        Keyword = "keyword",
    }
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
    /// The rank (higher is better; comparable within one answer only).
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
