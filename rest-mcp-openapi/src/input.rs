//! Reading spec documents from disk or a stream: regular files only, and never more than
//! a byte limit. A FIFO or a device (`/dev/zero`) is refused before it is opened, so a
//! load can neither hang on a pipe nor read without end.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Default largest spec document, in bytes (64 MiB; GitHub's spec is 13 MB).
pub const DEFAULT_MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

/// Why a spec document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadSpecError {
    /// The path names something other than a regular file.
    #[error("cannot read the spec {}: it is {kind}, not a regular file", path.display())]
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// What it is instead (`a directory`, `a FIFO (named pipe)`, ...).
        kind: &'static str,
    },
    /// The document is larger than the limit.
    #[error("the spec {} is larger than {}, the most read", path.display(), size_text(*.limit))]
    TooLarge {
        /// The path as given (`-` for stdin).
        path: PathBuf,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Reading failed.
    #[error("cannot read the spec {}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A byte count for messages: `64 MiB` when it is a whole number of MiB, else `N bytes`.
pub fn size_text(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

impl ReadSpecError {
    /// The message followed by its cause, on one line.
    pub fn with_cause(&self) -> String {
        match self {
            ReadSpecError::Io { source, .. } => format!("{self}: {source}"),
            _ => self.to_string(),
        }
    }
}

/// What a file that is not a regular file is, for messages.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Read the regular file at `path` (symlinks followed), at most `limit` bytes. Anything
/// else is refused from its metadata, before it is opened.
pub fn read_regular_file(path: &Path, limit: usize) -> Result<Vec<u8>, ReadSpecError> {
    let io = |source| ReadSpecError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(ReadSpecError::NotAFile {
            path: path.to_path_buf(),
            kind: kind_of(metadata.file_type()),
        });
    }
    if metadata.len() > limit as u64 {
        return Err(ReadSpecError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Checked again on the open file: the path may have been replaced in between.
    let opened = file.metadata().map_err(io)?;
    if !opened.is_file() {
        return Err(ReadSpecError::NotAFile {
            path: path.to_path_buf(),
            kind: kind_of(opened.file_type()),
        });
    }
    read_bounded(file, path, limit)
}

/// Read `reader` to its end, refusing more than `limit` bytes; `path` names it in errors.
pub fn read_bounded(
    reader: impl Read,
    path: &Path,
    limit: usize,
) -> Result<Vec<u8>, ReadSpecError> {
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ReadSpecError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() > limit {
        return Err(ReadSpecError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = std::env::temp_dir().join(format!("rest-mcp-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("spec.json");
        std::fs::write(&file, b"{\"a\": 1}").expect("write");
        assert_eq!(read_regular_file(&file, 8).expect("at the limit").len(), 8);
        assert!(matches!(
            read_regular_file(&file, 7),
            Err(ReadSpecError::TooLarge { limit: 7, .. })
        ));
        let error = read_regular_file(&dir, 100).expect_err("a directory");
        assert!(error.to_string().contains("a directory"), "{error}");
        #[cfg(unix)]
        {
            let error = read_regular_file(Path::new("/dev/zero"), 100).expect_err("a device");
            assert!(error.to_string().contains("character device"), "{error}");
        }
        let endless = std::io::repeat(b'x');
        assert!(matches!(
            read_bounded(endless, Path::new("-"), 1000),
            Err(ReadSpecError::TooLarge { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
