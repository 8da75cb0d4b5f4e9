//! `/api/knowledge/files...` and `/api/knowledge/search`.

use hub_api::{
    EmbeddingState, FileEmbedding, FileFailure, FileKind, FileStatus, KnowledgeFileView,
    KnowledgeHit, KnowledgeSearchResults, Page, SearchMode,
};
use hub_component::audit::{AuditAction, record_change as record};
use hub_component::{embeddings, errors, json, log, no_content, timestamp};
use hub_db::Owner;
use hub_db::knowledge::{EmbeddingStatus, KnowledgeFile, SearchHit};
use hub_http::ApiError;
use hub_knowledge::Limits;
use hub_knowledge_base::files::{self, ListParams, Uploaded};
use hub_knowledge_base::search::{self, SearchParams};
use hub_knowledge_base::{Caller, Settings};
use serde_json::json;
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::{caller, param};

/// A file as `caller` sees it.
fn view(f: KnowledgeFile, caller: Caller) -> KnowledgeFileView {
    let embedding = FileEmbedding {
        status: match f.embedding_status() {
            EmbeddingStatus::None => EmbeddingState::None,
            EmbeddingStatus::Pending => EmbeddingState::Pending,
            EmbeddingStatus::Ready => EmbeddingState::Ready,
            EmbeddingStatus::Failed => EmbeddingState::Failed,
        },
        error: f.embed_error.clone(),
    };
    KnowledgeFileView {
        embedding,
        id: f.id,
        collection_id: f.collection_id,
        deletable: files::may_delete(caller, &f),
        kind: f.kind.as_deref().and_then(FileKind::parse),
        status: FileStatus::parse(&f.status).unwrap_or(FileStatus::Failed),
        reason_code: f.reason_code.as_deref().and_then(FileFailure::parse),
        name: f.name,
        size_bytes: f.size_bytes,
        sha256: f.sha256,
        reason: f.reason,
        page_count: f.page_count,
        char_count: f.char_count,
        chunk_count: f.chunk_count,
        created_at: timestamp(f.created_at),
        updated_at: timestamp(f.updated_at),
    }
}

/// The variable `name` as a number, `default` when it is not set; a value that is not a
/// positive number is logged and the default applies.
fn number<T: std::str::FromStr + PartialOrd + Default + Copy>(name: &str, default: T) -> T {
    match spin_sdk::variables::get(name) {
        Ok(text) if text.trim().is_empty() => default,
        Ok(text) => match text.trim().parse::<T>() {
            Ok(n) if n > T::default() => n,
            _ => {
                log::warn(
                    "upload",
                    format_args!("variable {name} is not a positive number; using the default"),
                );
                default
            }
        },
        Err(_) => default,
    }
}

/// The limits of the upload from the component's variables (`knowledge_max_file_bytes`,
/// `knowledge_max_pages`, `knowledge_max_chars`); the rest are hub-knowledge's defaults.
fn settings() -> Settings {
    let defaults = Limits::default();
    Settings {
        limits: Limits {
            max_file_bytes: number("knowledge_max_file_bytes", defaults.max_file_bytes),
            max_pages: number("knowledge_max_pages", defaults.max_pages),
            max_chars: number("knowledge_max_chars", defaults.max_chars),
            ..defaults
        },
        ..Settings::default()
    }
}

/// `GET /api/knowledge/files`.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let (collection_id, limit, cursor) = (
        param(req, "collection_id"),
        param(req, "limit"),
        param(req, "cursor"),
    );
    let params = ListParams {
        collection_id: collection_id.as_deref(),
        limit: limit.as_deref(),
        cursor: cursor.as_deref(),
    };
    let (items, next_cursor) = files::list(&db, caller, &params).map_err(errors::knowledge)?;
    Ok(json(
        200,
        &Page {
            items: items.into_iter().map(|f| view(f, caller)).collect(),
            next_cursor,
        },
    ))
}

/// The media type of an upload's body: the bytes as they are (the type is sniffed from them).
const UPLOAD_MEDIA_TYPE: &str = "application/octet-stream";

/// `POST /api/knowledge/files?name=…[&collection_id=…]` with the file's bytes as the body
/// (`application/octet-stream`): 201 with the new file, `ready` or `failed`; 200 with the file
/// already stored with the same bytes in that place.
pub fn upload(req: &Request) -> Result<Response, ApiError> {
    let (db, actor, caller) = caller(req)?;
    let content_type = hub_component::auth::header(req, "content-type");
    let essence = content_type
        .and_then(|t| t.split(';').next())
        .map(str::trim);
    if !essence.is_some_and(|e| e.eq_ignore_ascii_case(UPLOAD_MEDIA_TYPE)) {
        return Err(ApiError::unsupported_media_type(
            content_type,
            UPLOAD_MEDIA_TYPE,
        ));
    }
    let settings = settings();
    let limit = settings.limits.max_file_bytes;
    if u64::try_from(req.body().len()).unwrap_or(u64::MAX) > limit {
        return Err(ApiError::payload_too_large(limit));
    }
    let name = param(req, "name").ok_or_else(|| {
        ApiError::invalid_field("name", "is required: the file's name (`?name=`)")
    })?;
    let collection_id =
        hub_knowledge_base::parse_id("collection_id", param(req, "collection_id").as_deref())
            .map_err(errors::knowledge)?;
    let uploaded = files::upload(&db, caller, &name, collection_id, req.body(), &settings)
        .map_err(errors::knowledge)?;
    let (status, file) = match uploaded {
        Uploaded::Created(file) => (201, file),
        Uploaded::Existing(file) => (200, file),
    };
    if status == 201 && file.in_global_collection {
        let details = json!({
            "name": file.name, "kind": file.kind, "size_bytes": file.size_bytes,
            "sha256": file.sha256, "collection_id": file.collection_id, "status": file.status,
        });
        record(
            req,
            &db,
            actor,
            AuditAction::KnowledgeFileAdded,
            file.id,
            details,
        );
    }
    Ok(json(status, &view(file, caller)))
}

/// `GET /api/knowledge/files/{id}`.
pub fn get(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let found = files::get(&db, caller, id).map_err(errors::knowledge)?;
    Ok(json(200, &view(found, caller)))
}

/// `GET /api/knowledge/files/{id}/content`: the bytes as stored, as an attachment under the
/// file's name, with its sniffed media type (`application/octet-stream` when it has none).
pub fn content(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _, caller) = caller(req)?;
    let file = files::content(&db, caller, id).map_err(errors::knowledge)?;
    let media_type = match file.kind.as_deref() {
        Some("pdf") => hub_knowledge::FileKind::Pdf.media_type(),
        Some("docx") => hub_knowledge::FileKind::Docx.media_type(),
        Some("markdown") => hub_knowledge::FileKind::Markdown.media_type(),
        Some("text") => hub_knowledge::FileKind::Text.media_type(),
        _ => "application/octet-stream",
    };
    Ok(Response::builder()
        .status(200)
        .header("content-type", media_type)
        .header("content-disposition", hub_http::attachment(&file.name))
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "no-store")
        .body(file.content)
        .build())
}

/// `DELETE /api/knowledge/files/{id}` (204): its chunks go too.
pub fn delete(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, actor, caller) = caller(req)?;
    let before = files::delete(&db, caller, id).map_err(errors::knowledge)?;
    if before.in_global_collection {
        let details = json!({
            "name": before.name, "sha256": before.sha256, "collection_id": before.collection_id,
        });
        record(
            req,
            &db,
            actor,
            AuditAction::KnowledgeFileDeleted,
            id,
            details,
        );
    }
    Ok(no_content())
}

/// A hit as the API shows it, its snippet around the words of `query`.
fn hit(h: SearchHit, query: &str) -> KnowledgeHit {
    KnowledgeHit {
        snippet: hub_knowledge::headline(&h.text, query),
        file_id: h.file_id,
        file_name: h.file_name,
        collection_id: h.collection_id,
        ordinal: h.ordinal,
        page: h.page,
        heading_path: h.heading_path,
        score: h.score,
    }
}

/// `GET /api/knowledge/search?q=…[&collection_id=…][&limit=…]`: hybrid when an embedding model
/// is active and the query could be embedded, keyword search otherwise (the answer says which).
pub async fn search(req: &Request) -> Result<Response, ApiError> {
    let (db, user_id, caller) = caller(req)?;
    let (q, collection_id, limit) = (
        param(req, "q"),
        param(req, "collection_id"),
        param(req, "limit"),
    );
    let params = SearchParams {
        q: q.as_deref(),
        collection_id: collection_id.as_deref(),
        limit: limit.as_deref(),
    };
    let mut query = search::prepare(&db, caller, &params).map_err(errors::knowledge)?;
    let (db, embedded) = embeddings::embed_released(db, &query.text, "upload").await?;
    if let Some(embedded) = embedded {
        if let Err(e) =
            hub_db::usage::insert(&db, Owner::new(user_id), &embedded.usage_row(None, None))
        {
            log::warn("upload", format_args!("search usage not recorded: {e}"));
        }
        query.embedding = Some(embedded.query);
    }
    let mode = if query.embedding.is_some() {
        SearchMode::Hybrid
    } else {
        SearchMode::Keyword
    };
    let hits = search::run(&db, caller, &query).map_err(errors::knowledge)?;
    Ok(json(
        200,
        &KnowledgeSearchResults {
            mode,
            items: hits.into_iter().map(|h| hit(h, &query.text)).collect(),
        },
    ))
}
