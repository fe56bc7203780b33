//! Atomic file replacement: after a write, the target holds either its old contents or the
//! complete new contents, never part of either.
//!
//! # Why
//!
//! The files volact writes are ones an administrator cannot easily recreate. A Computer
//! Information List (CIL) carries the Installation IDs out of an isolated lab and the
//! Confirmation IDs back in on removable media (MAK proxy activation); VAMT owns those files and
//! reads them back later. A crash, a full USB stick or a drive pulled out halfway through a plain
//! `std::fs::write` truncates the old file first and leaves a half-written one behind: the
//! previous list is gone and the new one does not parse. Writing a temporary file beside the
//! target and renaming it over the target means a reader, or the machine after a power cut,
//! sees one whole file or the other.
//!
//! # How
//!
//! 1. Symbolic links are followed, as `std::fs::write` follows them: the link stays a link and
//!    the file it names is replaced. A directory, a device, a pipe or a socket is refused, and
//!    so is a read-only file (`std::fs::write` refuses it too, and Windows cannot rename over
//!    it), on every platform alike.
//! 2. A temporary file `.<name>.volact-<pid>-<counter>.tmp` is created in the target's
//!    directory (the same file system, so the rename cannot turn into a copy) with
//!    `create_new`, so it is never someone else's file and concurrent writers never share one.
//! 3. On Unix it is created with the existing target's mode, narrowed by the umask, and then
//!    given the exact mode, before any content is written: a 0600 file's replacement is never
//!    readable by others, not even for a moment. Setting the exact mode is best effort, because
//!    file systems like FAT on a USB stick refuse `chmod`.
//! 4. The contents go through a [`BufWriter`], are flushed, and the file is `sync_all`ed, so
//!    the data is on disk before the name points at it.
//! 5. The file is closed and renamed over the target: `rename(2)` replaces atomically on POSIX;
//!    on Windows `std::fs::rename` is `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`.
//! 6. On Unix the directory is `fsync`ed so that the rename itself survives a crash (best
//!    effort: some file systems cannot sync a directory, and the new contents are already
//!    complete either way).
//!
//! On any error, and if the writer closure panics, the temporary file is removed and the
//! target is untouched.
//!
//! # Limits
//!
//! - Owner, group, ACLs, extended attributes and Windows file attributes are not copied: the
//!   replacement belongs to the writing user and gets the directory's defaults, as with any
//!   editor that saves by renaming. A new file gets the default mode, as with `std::fs::write`.
//! - Other hard links to the old file keep the old contents: a rename replaces a name.
//! - With several concurrent writers the last rename wins; every result is one writer's whole
//!   contents. On Windows a rename can fail while another process holds the target open
//!   without `FILE_SHARE_DELETE`, and the directory cannot be flushed through `std`.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::IoError;

/// Replaces the file at `path` with `bytes`, atomically (see the [module docs](self)).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-write-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("lab.cil");
/// volact_io::atomic::write(&path, b"<SoftwareLicensingData/>")?;
/// assert_eq!(std::fs::read(&path).unwrap(), b"<SoftwareLicensingData/>");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::IoError>(())
/// ```
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    write_with(path, |out| out.write_all(bytes))
}

/// Replaces the file at `path` with what `contents` writes, atomically (see the
/// [module docs](self)).
///
/// `contents` writes into a buffered writer, so large outputs stream to disk without being
/// assembled in memory. If it returns an error (wrap your own with [`io::Error::other`]) or
/// panics, nothing is replaced and the error comes back as [`IoError::Write`].
///
/// ```
/// use std::io::Write;
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-write-with-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("lab.cil");
/// volact_io::atomic::write(&path, b"old")?;
///
/// // A writer that fails halfway leaves the old file as it was.
/// let result = volact_io::atomic::write_with(&path, |out| {
///     out.write_all(b"<SoftwareLicensingData>")?;
///     Err(std::io::Error::other("the export was cancelled"))
/// });
/// assert!(matches!(result, Err(volact_io::IoError::Write { .. })));
/// assert_eq!(std::fs::read(&path).unwrap(), b"old");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::IoError>(())
/// ```
pub fn write_with<F>(path: &Path, contents: F) -> Result<(), IoError>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    write_target(path, Target::resolve(path)?, contents)
}

/// Replaces the file at `path` with `bytes`, atomically, as an owner-only file: on Unix the
/// temporary file is created with mode 0600 before anything is written, and the replacement
/// keeps it whatever the old file's mode was (for files holding secrets, like the MAK
/// store). Elsewhere it is [`write`]: the file gets its directory's ACLs.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-private-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("maks.json");
/// volact_io::atomic::write_owner_only(&path, b"{}")?;
/// # #[cfg(unix)]
/// # {
/// use std::os::unix::fs::PermissionsExt;
/// assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
/// # }
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::IoError>(())
/// ```
pub fn write_owner_only(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let target = owner_only(Target::resolve(path)?);
    write_target(path, target, |out| out.write_all(bytes))
}

/// The target with mode 0600 in place of its own, for the temporary file to get.
#[cfg(unix)]
fn owner_only(mut target: Target) -> Target {
    use std::os::unix::fs::PermissionsExt;
    target.permissions = Some(Permissions::from_mode(0o600));
    target
}

/// Only the read-only flag is portable, and read-only targets are refused already.
#[cfg(not(unix))]
fn owner_only(target: Target) -> Target {
    target
}

fn write_target<F>(path: &Path, target: Target, contents: F) -> Result<(), IoError>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    // Declared before the writer, so on every early return the file is closed before the
    // guard removes it (Windows cannot delete an open file).
    let (file, temp) = create_temp(path, &target)?;
    let write_error = |source| IoError::Write {
        path: path.to_path_buf(),
        source,
    };

    let mut out = BufWriter::with_capacity(BUFFER_SIZE, file);
    if let Err(source) = contents(&mut out) {
        // Discard what is still buffered: the temporary file is removed anyway.
        drop(out.into_parts());
        return Err(write_error(source));
    }
    let file = out
        .into_inner()
        .map_err(|error| write_error(error.into_error()))?;
    file.sync_all().map_err(|source| IoError::Sync {
        path: path.to_path_buf(),
        source,
    })?;
    drop(file);

    fs::rename(&temp.path, &target.path).map_err(|source| IoError::Rename {
        from: temp.path.clone(),
        to: target.path.clone(),
        source,
    })?;
    temp.keep();
    sync_directory(&target.path);
    Ok(())
}

/// Large enough that a CIL streams in few system calls; `write_all` of a larger slice goes
/// straight through.
const BUFFER_SIZE: usize = 64 * 1024;

/// Linux's limit on links followed while resolving one path (`MAXSYMLINKS`).
const MAX_LINK_HOPS: usize = 40;

/// How much of the target's name goes into the temporary name: a 255-byte name plus the
/// suffix would exceed the file system's limit.
const MAX_NAME_CHARS: usize = 64;

/// Names tried before giving up when the temporary names exist already (stale files of a
/// crashed process whose pid was reused).
const CREATE_ATTEMPTS: usize = 100;

/// The file a write replaces: the given path with symbolic links followed, and its
/// permissions when it exists.
struct Target {
    path: PathBuf,
    permissions: Option<Permissions>,
}

impl Target {
    fn resolve(given: &Path) -> Result<Target, IoError> {
        let inspect_error = |source| IoError::Metadata {
            path: given.to_path_buf(),
            source,
        };
        let mut path = given.to_path_buf();
        for _ in 0..=MAX_LINK_HOPS {
            let metadata = match fs::symlink_metadata(&path) {
                Ok(metadata) => metadata,
                // A new file, or a dangling link: the write creates the file it names.
                Err(error) if error.kind() == io::ErrorKind::NotFound => {
                    return Ok(Target {
                        path,
                        permissions: None,
                    });
                }
                Err(error) => return Err(inspect_error(error)),
            };
            let kind = metadata.file_type();
            if kind.is_symlink() {
                let link = fs::read_link(&path).map_err(inspect_error)?;
                // A relative link is relative to the directory holding it; `join` keeps an
                // absolute one as it is.
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
                continue;
            }
            let given = given.to_path_buf();
            return if kind.is_dir() {
                Err(IoError::IsDirectory { path: given })
            } else if !kind.is_file() {
                Err(IoError::NotAFile { path: given })
            } else if metadata.permissions().readonly() {
                Err(IoError::ReadOnly { path: given })
            } else {
                Ok(Target {
                    path,
                    permissions: Some(metadata.permissions()),
                })
            };
        }
        Err(inspect_error(io::Error::other(
            "too many levels of symbolic links",
        )))
    }
}

/// A temporary file that is removed when dropped, unless kept.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// The file has been renamed into place: there is nothing left to remove.
    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            // Best effort: the caller is already getting the error that brought us here.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Creates a fresh temporary file beside `target`, with the target's permissions.
fn create_temp(given: &Path, target: &Target) -> Result<(File, TempFile), IoError> {
    let create_error = |source| IoError::Create {
        path: given.to_path_buf(),
        source,
    };
    let Some(name) = target.path.file_name() else {
        return Err(create_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path names no file",
        )));
    };
    let name: String = name
        .to_string_lossy()
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    let dir = target.path.parent().unwrap_or(Path::new(""));

    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    restrict_new_file(&mut options, target.permissions.as_ref());

    for _ in 0..CREATE_ATTEMPTS {
        let path = dir.join(temp_name(&name));
        match options.open(&path) {
            Ok(file) => {
                let temp = TempFile { path, keep: false };
                copy_permissions(&file, target.permissions.as_ref());
                return Ok((file, temp));
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(create_error(error)),
        }
    }
    Err(create_error(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no unused temporary file name",
    )))
}

/// `.<name>.volact-<pid>-<counter>.tmp`: hidden on Unix, recognisable everywhere, and unique
/// among the threads of this process (the counter) and among processes (the pid).
fn temp_name(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.volact-{}-{counter}.tmp", std::process::id())
}

/// Creates the temporary file no more accessible than the target it replaces (the umask can
/// only narrow the mode further).
#[cfg(unix)]
fn restrict_new_file(options: &mut OpenOptions, permissions: Option<&Permissions>) {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(permissions) = permissions {
        options.mode(permissions.mode() & 0o777);
    }
}

#[cfg(not(unix))]
fn restrict_new_file(_: &mut OpenOptions, _: Option<&Permissions>) {}

/// Gives the temporary file the target's exact mode (the bits the umask removed, set-id and
/// sticky bits). Best effort: FAT and some network file systems refuse `chmod`, and the file
/// is already no more accessible than the target.
#[cfg(unix)]
fn copy_permissions(file: &File, permissions: Option<&Permissions>) {
    if let Some(permissions) = permissions {
        let _ = file.set_permissions(permissions.clone());
    }
}

/// On other platforms the only portable permission is the read-only flag, and read-only
/// targets are refused.
#[cfg(not(unix))]
fn copy_permissions(_: &File, _: Option<&Permissions>) {}

/// Makes the rename durable: on Unix a rename is an update of the directory, which has its
/// own `fsync`. Best effort, because the new contents are complete either way.
#[cfg(unix)]
fn sync_directory(target: &Path) {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_directory(_: &Path) {}
