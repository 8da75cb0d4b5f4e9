//! The bounds on what one uploaded file may cost to read.

/// Largest file accepted, in bytes (25 MB). Protects the upload's memory and the database: the
/// whole file is held in memory while it is read, and a PDF parser keeps several copies of it.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 25_000_000;

/// Most pages a PDF may have (500). Protects time: each page is decoded on its own, and a
/// crafted file can declare many small pages that each cost a content-stream parse.
pub const DEFAULT_MAX_PAGES: u32 = 500;

/// Most characters of text a file may yield (2,000,000, about 500,000 tokens). Protects the
/// chunks and embeddings that follow: a small compressed file can hold a great deal of text,
/// and every chunk of it costs an embedding call and a row.
pub const DEFAULT_MAX_CHARS: u64 = 2_000_000;

/// Most bytes the compressed parts of one file may unpack to together (50 MB): the XML parts
/// read from a DOCX, and each compressed stream of a PDF. Protects memory against
/// decompression bombs, where a few kilobytes inflate to gigabytes.
pub const DEFAULT_MAX_UNPACKED_BYTES: u64 = 50_000_000;

/// Most entries a DOCX (a zip) may list (2,000; a real document has a few dozen). Protects
/// memory and time against an archive of millions of empty entries: the whole list is read
/// before any entry is.
pub const DEFAULT_MAX_ZIP_ENTRIES: u64 = 2_000;

/// The bounds [`crate::extract`] keeps to; [`Limits::default`] holds the `DEFAULT_*` values,
/// and the upload component may override them from its variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// [`DEFAULT_MAX_FILE_BYTES`].
    pub max_file_bytes: u64,
    /// [`DEFAULT_MAX_PAGES`].
    pub max_pages: u32,
    /// [`DEFAULT_MAX_CHARS`].
    pub max_chars: u64,
    /// [`DEFAULT_MAX_UNPACKED_BYTES`].
    pub max_unpacked_bytes: u64,
    /// [`DEFAULT_MAX_ZIP_ENTRIES`].
    pub max_zip_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            max_chars: DEFAULT_MAX_CHARS,
            max_unpacked_bytes: DEFAULT_MAX_UNPACKED_BYTES,
            max_zip_entries: DEFAULT_MAX_ZIP_ENTRIES,
        }
    }
}
