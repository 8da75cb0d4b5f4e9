//! The use cases of files: upload (extraction and chunking included), list, get, download,
//! delete.

use hub_assistants::paging;
use hub_db::Db;
use hub_db::knowledge::{self, FileContent, FileListQuery, KnowledgeFile, NewChunk, NewFile};
use hub_knowledge::{ChunkOptions, Document, ExtractError, Limits};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Caller, KnowledgeError, collections, visible_collection};

const WHAT: &str = "file";

/// The longest file name, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// How uploads are read: the limits of extraction (`max_file_bytes` is the upload's size
/// limit) and the chunk sizes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// The bounds of what one file may cost to read.
    pub limits: Limits,
    /// How its text is cut into chunks.
    pub chunking: ChunkOptions,
}

/// Whether a line of text a user named a file with is a character to drop: control characters
/// and the invisible ones that reorder text (a name shown as `report.pdf` that is `exe.pdf…`).
fn dropped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || c == '\u{feff}'
}

/// The name to store for a file uploaded as `raw`: its last path segment (`/` or `\`), without
/// control and bidirectional formatting characters, trimmed. At most [`MAX_NAME_CHARS`]
/// characters as sent; not empty after cleaning.
pub fn clean_name(raw: &str) -> Result<String, KnowledgeError> {
    if raw.chars().count() > MAX_NAME_CHARS {
        return Err(KnowledgeError::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|c| !dropped(*c)).collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        return Err(KnowledgeError::invalid(
            "name",
            "must name a file (not empty, not only a folder)",
        ));
    }
    Ok(trimmed.to_owned())
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// What an upload gave: a new file, or the one already stored with the same bytes there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    /// Stored now (201).
    Created(KnowledgeFile),
    /// The same bytes were already in that place: that file (200).
    Existing(KnowledgeFile),
}

/// What the text of a file gave: the file's fields and its chunks, or why it has none.
struct Outcome {
    kind: Option<&'static str>,
    status: &'static str,
    failure: Option<ExtractError>,
    page_count: Option<i32>,
    char_count: Option<i64>,
    chunks: Vec<NewChunk>,
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Extracts and chunks `bytes` (pure: no I/O).
fn read(bytes: &[u8], name: &str, settings: &Settings) -> Outcome {
    let kind = hub_knowledge::sniff(bytes, name, &settings.limits)
        .ok()
        .map(hub_knowledge::FileKind::as_str);
    match hub_knowledge::extract(bytes, name, &settings.limits) {
        Ok(document) => {
            let chunks = chunks(&document, &settings.chunking);
            Outcome {
                kind: Some(document.kind.as_str()),
                status: "ready",
                failure: None,
                page_count: document.page_count.map(to_i32),
                char_count: Some(i64::try_from(document.char_count()).unwrap_or(i64::MAX)),
                chunks,
            }
        }
        Err(failure) => Outcome {
            kind,
            status: "failed",
            failure: Some(failure),
            page_count: None,
            char_count: None,
            chunks: Vec::new(),
        },
    }
}

fn chunks(document: &Document, options: &ChunkOptions) -> Vec<NewChunk> {
    hub_knowledge::chunk(document, options)
        .into_iter()
        .map(|c| NewChunk {
            ordinal: to_i32(c.ordinal),
            text: c.text,
            page: c.page.map(to_i32),
            heading_path: c.heading_path,
            token_estimate: to_i32(c.token_estimate),
        })
        .collect()
}

/// Stores `bytes`, uploaded as `raw_name` into `collection_id` (or on their own), once per
/// place: extracted and chunked now, so the file is `ready` or `failed` with its reason. The
/// caller must be allowed to add files to the collection (their own; a global one: admins).
pub fn upload(
    db: &dyn Db,
    caller: Caller,
    raw_name: &str,
    collection_id: Option<Uuid>,
    bytes: &[u8],
    settings: &Settings,
) -> Result<Uploaded, KnowledgeError> {
    let limit = settings.limits.max_file_bytes;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(KnowledgeError::TooLarge { limit });
    }
    if bytes.is_empty() {
        return Err(KnowledgeError::invalid(
            "body",
            "is empty: a file of 0 bytes has no text",
        ));
    }
    let name = clean_name(raw_name)?;
    if let Some(id) = collection_id {
        let collection = visible_collection(db, caller, id, "collection_id")?;
        collections::check_edit(caller, collection.owner_id)?;
    }
    let sha256 = sha256_hex(bytes);
    if let Some(existing) = knowledge::find_duplicate(db, caller.owner, collection_id, &sha256)? {
        return Ok(Uploaded::Existing(existing));
    }
    let outcome = read(bytes, &name, settings);
    let reason = outcome.failure.as_ref().map(ToString::to_string);
    let new = NewFile {
        owner_id: caller.owner.user_id(),
        collection_id,
        name: &name,
        kind: outcome.kind,
        sha256: &sha256,
        content: bytes,
        status: outcome.status,
        reason_code: outcome.failure.as_ref().map(ExtractError::code),
        reason: reason.as_deref(),
        page_count: outcome.page_count,
        char_count: outcome.char_count,
        chunk_count: (outcome.status == "ready")
            .then(|| i32::try_from(outcome.chunks.len()).unwrap_or(i32::MAX)),
    };
    let created = hub_db::transaction_with(db, |tx| {
        let Some(file) = knowledge::insert_file(tx, &new)? else {
            return Ok::<_, KnowledgeError>(None);
        };
        knowledge::insert_chunks(tx, file.id, &outcome.chunks)?;
        Ok(Some(file))
    })?;
    match created {
        Some(file) => Ok(Uploaded::Created(file)),
        // Another upload of the same bytes to the same place won the race.
        None => knowledge::find_duplicate(db, caller.owner, collection_id, &sha256)?
            .map(Uploaded::Existing)
            .ok_or(KnowledgeError::NotFound(WHAT)),
    }
}

/// Whether the caller may delete `file`: its owner, or an admin when it is in a global
/// collection.
pub fn may_delete(caller: Caller, file: &KnowledgeFile) -> bool {
    file.owner_id == caller.owner.user_id() || (file.in_global_collection && caller.is_admin)
}

/// The file `id`, if the caller reads it.
pub fn get(db: &dyn Db, caller: Caller, id: Uuid) -> Result<KnowledgeFile, KnowledgeError> {
    knowledge::find_file(db, id, caller.owner)?.ok_or(KnowledgeError::NotFound(WHAT))
}

/// The name, type and bytes of file `id`, if the caller reads it.
pub fn content(db: &dyn Db, caller: Caller, id: Uuid) -> Result<FileContent, KnowledgeError> {
    knowledge::file_content(db, id, caller.owner)?.ok_or(KnowledgeError::NotFound(WHAT))
}

/// The list parameters of files, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListParams<'a> {
    /// `?collection_id=`: only this collection's files.
    pub collection_id: Option<&'a str>,
    /// `?limit=` (1-200, default 50).
    pub limit: Option<&'a str>,
    /// `?cursor=` from the previous page.
    pub cursor: Option<&'a str>,
}

/// A page of the files the caller reads (their own and those of global collections; with
/// `collection_id`, that collection's), newest first, and the cursor of the next page.
pub fn list(
    db: &dyn Db,
    caller: Caller,
    params: &ListParams<'_>,
) -> Result<(Vec<KnowledgeFile>, Option<String>), KnowledgeError> {
    let paged = paging::parse_list(&paging::ListParams {
        limit: params.limit,
        cursor: params.cursor,
        ..paging::ListParams::default()
    })?;
    let collection_id = crate::parse_id("collection_id", params.collection_id)?;
    if let Some(id) = collection_id {
        visible_collection(db, caller, id, "collection_id")?;
    }
    let query = FileListQuery {
        collection_id,
        after: paged.after,
        limit: paged.limit,
    };
    let rows = knowledge::list_files(db, caller.owner, &query)?;
    Ok(paging::page(rows, &paged, |f| f.id))
}

/// Deletes a file the caller may delete ([`may_delete`]) with its chunks; the file as it was.
pub fn delete(db: &dyn Db, caller: Caller, id: Uuid) -> Result<KnowledgeFile, KnowledgeError> {
    hub_db::transaction_with(db, |tx| {
        let before =
            knowledge::lock_file(tx, id, caller.owner)?.ok_or(KnowledgeError::NotFound(WHAT))?;
        if !may_delete(caller, &before) {
            return Err(KnowledgeError::Forbidden(WHAT));
        }
        knowledge::delete_file(tx, id)?;
        Ok(before)
    })
}

#[cfg(test)]
mod tests {
    use hub_db::Owner;
    use hub_db::testing::FakeDb;

    use super::*;

    #[test]
    fn names_lose_folders_control_and_reordering_characters() {
        assert_eq!(
            clean_name("C:\\Users\\me\\Bericht.pdf").unwrap(),
            "Bericht.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_name(" a\r\nb\"c\u{0}.txt ").unwrap(), "ab\"c.txt");
        assert_eq!(clean_name("fdp.\u{202e}txt.exe").unwrap(), "fdp.txt.exe");
        assert_eq!(
            clean_name("Häuser überall.md").unwrap(),
            "Häuser überall.md"
        );
        for bad in ["", " ", "a/", "..", "\r\n", &"n".repeat(256)] {
            let err = clean_name(bad).unwrap_err();
            assert!(
                matches!(err, KnowledgeError::Invalid { field: "name", .. }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_hash_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_api_lists_every_reason_code_of_extraction() {
        let api: Vec<&str> = hub_api::FileFailure::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(api, ExtractError::CODES);
        for kind in [
            hub_knowledge::FileKind::Pdf,
            hub_knowledge::FileKind::Docx,
            hub_knowledge::FileKind::Markdown,
            hub_knowledge::FileKind::Text,
        ] {
            assert!(hub_api::FileKind::parse(kind.as_str()).is_some(), "{kind}");
        }
    }

    #[test]
    fn refusals_come_before_the_database() {
        let db = FakeDb::new();
        let caller = Caller {
            owner: Owner::new(Uuid::now_v7()),
            is_admin: false,
        };
        let settings = Settings {
            limits: Limits {
                max_file_bytes: 3,
                ..Limits::default()
            },
            ..Settings::default()
        };
        let err = upload(&db, caller, "a.txt", None, b"abcd", &settings).unwrap_err();
        assert!(
            matches!(err, KnowledgeError::TooLarge { limit: 3 }),
            "{err}"
        );
        let err = upload(&db, caller, "", None, b"abc", &settings).unwrap_err();
        assert!(matches!(err, KnowledgeError::Invalid { field: "name", .. }));
        let err = upload(&db, caller, "a.txt", None, b"", &settings).unwrap_err();
        assert!(matches!(err, KnowledgeError::Invalid { field: "body", .. }));
        assert!(db.calls().is_empty());
    }

    #[test]
    fn extraction_gives_ready_or_failed() {
        let settings = Settings::default();
        let ready = read("# Haus\n\nDie Häuser.".as_bytes(), "a.md", &settings);
        assert_eq!((ready.kind, ready.status), (Some("markdown"), "ready"));
        assert!(!ready.chunks.is_empty());
        let failed = read(b"\x00\x01\x02\xff", "a.txt", &settings);
        assert_eq!((failed.kind, failed.status), (None, "failed"));
        assert_eq!(failed.failure.unwrap().code(), "unsupported_type");
        let empty = read(b"", "a.txt", &settings);
        assert_eq!(empty.failure.unwrap().code(), "empty");
    }
}
