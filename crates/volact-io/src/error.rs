//! The one error type of the crate: which operation failed, on which path, and why.

use std::io;
use std::path::PathBuf;

/// A file operation that failed, naming the operation and the path the caller gave.
///
/// Messages read like the ones administrators know from other tools, for example
/// `cannot write /media/usb/lab.cil: No space left on device`. The underlying
/// [`io::Error`] is also the [`source`](std::error::Error::source), so a caller can match on
/// its [`kind`](io::Error::kind).
///
/// The temporary file an atomic write goes through is an implementation detail: errors name
/// the target path, except [`IoError::Rename`], which names both ends of the rename.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The path's metadata could not be read (before writing: is it a directory, a
    /// symbolic link, read-only?).
    #[error("cannot inspect {}: {source}", path.display())]
    Metadata {
        /// The path given.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The temporary file beside the target could not be created (the directory is missing
    /// or not writable, the path names no file, ...).
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The target path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Writing the contents failed, or the writer closure returned an error.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The target path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Flushing the contents to stable storage failed; the target was not replaced.
    #[error("cannot sync {} to disk: {source}", path.display())]
    Sync {
        /// The target path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The finished temporary file could not be renamed over the target; the target was not
    /// replaced.
    #[error("cannot replace {} with {}: {source}", to.display(), from.display())]
    Rename {
        /// The temporary file (already removed when this error is returned).
        from: PathBuf,
        /// The target path.
        to: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The path names a directory, where a file was expected.
    #[error("cannot use {}: it is a directory", path.display())]
    IsDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The path names something that is neither a file nor a directory (a device, a pipe,
    /// a socket): replacing it by renaming a regular file over it would be wrong.
    #[error("cannot replace {}: it is not a regular file", path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },
    /// The target is read-only: the write is refused, as `std::fs::write` would refuse it,
    /// on every platform (a rename could replace it on Unix but not on Windows).
    #[error("cannot write {}: the file is read-only", path.display())]
    ReadOnly {
        /// The target path.
        path: PathBuf,
    },
    /// Opening or reading a file failed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path given.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is larger than the caller's limit; it was not read into memory.
    #[error("cannot read {}: at least {size} bytes, more than the limit of {limit}", path.display())]
    TooLarge {
        /// The path given.
        path: PathBuf,
        /// The file's size, or for a file whose size is not known in advance (a pipe, a
        /// device), the number of bytes seen before reading stopped: a lower bound.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
}
