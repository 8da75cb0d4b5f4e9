//! The site's files on disk: what a path names, and its precompressed siblings.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::encoding::{self, Encoding};

/// A file that exists in the mount.
#[derive(Debug)]
pub struct Found {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub len: u64,
    /// When it last changed, where the file system says.
    pub modified: Option<SystemTime>,
}

/// The best precompressed sibling of `path` the client accepts, if one exists.
pub fn precompressed(
    path: &Path,
    accept_encoding: Option<&str>,
) -> io::Result<Option<(Found, Encoding)>> {
    for enc in encoding::preferred(accept_encoding) {
        let mut sibling = path.as_os_str().to_owned();
        sibling.push(enc.file_suffix());
        if let Entry::File(found) = stat(Path::new(&sibling))? {
            return Ok(Some((found, enc)));
        }
    }
    Ok(None)
}

/// What a path names.
pub enum Entry {
    /// A file.
    File(Found),
    /// A directory.
    Dir,
    /// Nothing (or nothing servable).
    Missing,
}

/// What is at `path`: symlinks are followed (the WASI preopen keeps them
/// inside the mount); "not there" in any spelling is `Missing`, other I/O
/// errors are errors.
pub fn stat(path: &Path) -> io::Result<Entry> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(Entry::File(Found {
            path: path.to_owned(),
            len: meta.len(),
            modified: meta.modified().ok(),
        })),
        Ok(meta) if meta.is_dir() => Ok(Entry::Dir),
        Ok(_) => Ok(Entry::Missing),
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::NotFound
                    | io::ErrorKind::NotADirectory
                    | io::ErrorKind::InvalidFilename
                    | io::ErrorKind::InvalidInput
            ) =>
        {
            Ok(Entry::Missing)
        }
        Err(err) => Err(io::Error::new(
            err.kind(),
            format!("stat {}: {err}", path.display()),
        )),
    }
}
