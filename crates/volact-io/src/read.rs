//! Bounded reads: a file is read into memory only if it is no larger than the caller expects.
//!
//! A CIL or Unattend file is a few megabytes at most. A wrong path (a disk image, a log, a
//! device such as `/dev/zero`) must come back as an error, not exhaust memory, so every read
//! in volact has a limit, and the reader stops one byte past it even when the size is not
//! known in advance or the file grows while it is read.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use crate::IoError;

/// The limit [`read`] applies: 64 MiB, far above any CIL or Unattend file (a CIL describes a
/// computer in a few kilobytes, twice that in UTF-16).
pub const DEFAULT_READ_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads a whole file of at most [`DEFAULT_READ_LIMIT`] bytes.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-read-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("lab.cil");
/// volact_io::atomic::write(&path, b"<SoftwareLicensingData/>")?;
/// assert_eq!(volact_io::read(&path)?, b"<SoftwareLicensingData/>");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::IoError>(())
/// ```
pub fn read(path: &Path) -> Result<Vec<u8>, IoError> {
    read_limited(path, DEFAULT_READ_LIMIT)
}

/// Reads a whole file of at most `max_bytes` bytes; a larger one is
/// [`IoError::TooLarge`] and is not read into memory.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-read-limited-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("big.bin");
/// volact_io::atomic::write(&path, &[0; 100])?;
/// assert_eq!(volact_io::read_limited(&path, 100)?.len(), 100);
/// assert!(matches!(
///     volact_io::read_limited(&path, 99),
///     Err(volact_io::IoError::TooLarge { size: 100, limit: 99, .. })
/// ));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::IoError>(())
/// ```
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, IoError> {
    let read_error = |source| IoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let too_large = |size| IoError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_bytes,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        // Windows cannot open a directory as a file; say why rather than "Access is denied".
        Err(_) if fs::metadata(path).is_ok_and(|metadata| metadata.is_dir()) => {
            return Err(IoError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        Err(error) => return Err(read_error(error)),
    };
    let metadata = file.metadata().map_err(read_error)?;
    if metadata.is_dir() {
        return Err(IoError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    // Only a regular file's length is its size; pipes and devices report 0.
    let known_size = metadata.is_file().then_some(metadata.len());
    if let Some(size) = known_size.filter(|&size| size > max_bytes) {
        return Err(too_large(size));
    }

    let capacity = usize::try_from(known_size.unwrap_or(0)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    // One byte past the limit tells "exactly at the limit" from "larger".
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > max_bytes {
        // The file grew since it was opened, or its size was not known.
        return Err(too_large(read.max(known_size.unwrap_or(0))));
    }
    Ok(bytes)
}
