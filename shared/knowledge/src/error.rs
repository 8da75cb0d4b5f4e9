//! Why a file yields no text: a message for the user and a stable reason code for each case.

use crate::FileKind;

/// Why [`crate::extract`] refused a file. [`ExtractError::code`] is the stable reason stored
/// with a failed file; `Display` is the sentence shown to its owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Zero bytes.
    #[error("The file is empty")]
    Empty,
    /// Over [`crate::Limits::max_file_bytes`].
    #[error("The file is larger than {}", megabytes(*limit))]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// None of the supported types (binary data, another archive or format).
    #[error("The file is not a PDF, DOCX, Markdown or text file")]
    Unsupported,
    /// Text that is neither UTF-8 nor UTF-16 with a byte order mark (e.g. Latin-1).
    #[error("The text file is not UTF-8 or UTF-16 encoded: save it as UTF-8")]
    TextEncoding,
    /// A PDF that opens only with a password.
    #[error("The PDF is encrypted")]
    PdfEncrypted,
    /// A PDF that does not parse (truncated, corrupt).
    #[error("The PDF is damaged")]
    PdfDamaged,
    /// Over [`crate::Limits::max_pages`].
    #[error("The document has more than {} pages", thousands(u64::from(*limit)))]
    TooManyPages {
        /// The limit.
        limit: u32,
    },
    /// A zip that does not read, or a DOCX whose parts do not parse.
    #[error("The DOCX file is damaged")]
    DocxDamaged,
    /// Over [`crate::Limits::max_zip_entries`].
    #[error("The DOCX file has more than {} parts", thousands(*limit))]
    TooManyEntries {
        /// The limit.
        limit: u64,
    },
    /// Over [`crate::Limits::max_unpacked_bytes`] (declared or actually inflated).
    #[error("The {kind} file unpacks to more than {}", megabytes(*limit))]
    TooLargeUnpacked {
        /// PDF or DOCX.
        kind: FileKind,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Over [`crate::Limits::max_chars`].
    #[error("The document has more than {} characters of text", thousands(*limit))]
    TooMuchText {
        /// The limit.
        limit: u64,
    },
    /// Nothing but whitespace after extraction.
    #[error("{}", no_text_message(*kind))]
    NoText {
        /// The file's type.
        kind: FileKind,
    },
}

impl ExtractError {
    /// Every reason code, for the API's lists and the tests.
    pub const CODES: &[&str] = &[
        "empty",
        "too_large",
        "unsupported_type",
        "text_encoding",
        "pdf_encrypted",
        "pdf_damaged",
        "too_many_pages",
        "docx_damaged",
        "too_many_entries",
        "too_large_unpacked",
        "too_much_text",
        "no_text",
    ];

    /// The stable reason code (snake case), one of [`Self::CODES`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::Unsupported => "unsupported_type",
            Self::TextEncoding => "text_encoding",
            Self::PdfEncrypted => "pdf_encrypted",
            Self::PdfDamaged => "pdf_damaged",
            Self::TooManyPages { .. } => "too_many_pages",
            Self::DocxDamaged => "docx_damaged",
            Self::TooManyEntries { .. } => "too_many_entries",
            Self::TooLargeUnpacked { .. } => "too_large_unpacked",
            Self::TooMuchText { .. } => "too_much_text",
            Self::NoText { .. } => "no_text",
        }
    }
}

fn no_text_message(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Pdf => "No text found (a scanned PDF?)",
        _ => "No text found in the file",
    }
}

/// `n` with a comma between groups of three digits: `2,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Bytes as a person writes them, in decimal units: `25 MB`, `2.5 MB`, `1 KB`, `999 bytes`.
fn megabytes(bytes: u64) -> String {
    if bytes.is_multiple_of(1_000_000) && bytes > 0 {
        format!("{} MB", thousands(bytes / 1_000_000))
    } else if bytes >= 1_000_000 {
        // Display only: precision loss above 2^53 bytes does not matter.
        #[allow(clippy::cast_precision_loss)]
        let mb = bytes as f64 / 1e6;
        format!("{mb:.1} MB")
    } else if bytes.is_multiple_of(1_000) && bytes > 0 {
        format!("{} KB", bytes / 1_000)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(500), "500");
        assert_eq!(thousands(2_000), "2,000");
        assert_eq!(thousands(2_000_000), "2,000,000");
        assert_eq!(megabytes(25_000_000), "25 MB");
        assert_eq!(megabytes(2_500_000), "2.5 MB");
        assert_eq!(megabytes(500_000), "500 KB");
        assert_eq!(megabytes(999), "999 bytes");
    }

    #[test]
    fn the_messages_name_the_limits() {
        assert_eq!(
            ExtractError::TooManyPages { limit: 500 }.to_string(),
            "The document has more than 500 pages"
        );
        assert_eq!(
            ExtractError::TooLargeUnpacked {
                kind: FileKind::Docx,
                limit: 50_000_000
            }
            .to_string(),
            "The DOCX file unpacks to more than 50 MB"
        );
        assert_eq!(
            ExtractError::NoText {
                kind: FileKind::Pdf
            }
            .to_string(),
            "No text found (a scanned PDF?)"
        );
    }
}
