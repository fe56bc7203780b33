//! Answer files (Unattend.xml, AutoUnattend.xml): read bounded, written atomically, and
//! written owner-only when they hold a product key.
//!
//! The core (`volact_core::unattend`) finds the key places and edits them, keeping every
//! other byte; this module is only where those files meet the disk:
//!
//! - [`load_unattend`] reads at most [`UNATTEND_READ_LIMIT`] bytes (the core's
//!   [`MAX_BYTES`]) and parses them, naming the file in every error; [`read_unattend`] also
//!   returns the bytes.
//! - [`save_unattend`] replaces a file atomically ([`atomic::write`]): a crash or a full disk
//!   leaves the old file or the new one, never half of either. Used for scrubbed files, which
//!   hold no key.
//! - [`save_unattend_with_key`] does the same as an owner-only file
//!   ([`atomic::write_owner_only`]: mode 0600 on Unix before a byte is written, whatever the
//!   old file's mode). "The MAK is stored in clear text in the Unattend.xml file" (the seed,
//!   "Installing a MAK during operating system installation"): a file `set-key` wrote holds
//!   the key in clear, exactly like the MAK store, so it gets the MAK store's protection.
//! - [`readable_by_others`]: whether a file's group or others can read it (Unix), so `show`
//!   can warn about a key in clear in such a file.

use crate::{IoError, atomic, read_limited};
use std::path::{Path, PathBuf};
use volact_core::unattend::{MAX_BYTES, UnattendError, UnattendFile};

/// The largest answer file volact reads: the core's [`MAX_BYTES`] (8 MiB; real ones are a
/// few kilobytes).
pub const UNATTEND_READ_LIMIT: u64 = MAX_BYTES as u64;

/// Why an answer file could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnattendFileError {
    /// Reading or writing the file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The file is not an answer file volact reads (not UTF-8/UTF-16, not well-formed XML, a
    /// DTD, another root element).
    #[error("{}: {source}", path.display())]
    Unattend {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: UnattendError,
    },
}

/// Reads and parses an answer file.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-unattend-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("Unattend.xml");
/// volact_io::save_unattend(&path, b"<unattend><!-- no key --></unattend>")?;
/// let file = volact_io::load_unattend(&path)?;
/// assert_eq!(file.scrub().unwrap(), b"<unattend><!-- no key --></unattend>");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::UnattendFileError>(())
/// ```
pub fn load_unattend(path: &Path) -> Result<UnattendFile, UnattendFileError> {
    read_unattend(path).map(|(_, file)| file)
}

/// [`load_unattend`], with the bytes it read (for checks on the text itself).
pub fn read_unattend(path: &Path) -> Result<(Vec<u8>, UnattendFile), UnattendFileError> {
    let bytes = read_limited(path, UNATTEND_READ_LIMIT)?;
    let file = UnattendFile::parse(&bytes).map_err(|source| UnattendFileError::Unattend {
        path: path.to_owned(),
        source,
    })?;
    Ok((bytes, file))
}

/// Writes an answer file that holds no key (a scrubbed one) atomically; an existing file
/// keeps its mode.
pub fn save_unattend(path: &Path, bytes: &[u8]) -> Result<(), UnattendFileError> {
    Ok(atomic::write(path, bytes)?)
}

/// Writes an answer file that holds a key in clear atomically as an owner-only file (0600 on
/// Unix, as the MAK store; elsewhere the directory's ACLs).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-unattend-key-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("Unattend.xml");
/// volact_io::save_unattend_with_key(&path, b"<unattend/>")?;
/// assert_eq!(volact_io::readable_by_others(&path), None);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::UnattendFileError>(())
/// ```
pub fn save_unattend_with_key(path: &Path, bytes: &[u8]) -> Result<(), UnattendFileError> {
    Ok(atomic::write_owner_only(path, bytes)?)
}

/// The file's permission bits when its group or others can read it (Unix); `None` when only
/// its owner can, when it cannot be inspected, and on other platforms (ACLs are not read).
pub fn readable_by_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] = include_bytes!("../../volact/tests/data/unattend/mak-both-places.xml");

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("volact-io-unattend-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn round_trip_keeps_the_bytes_and_errors_name_the_file() {
        let d = dir("round-trip");
        let path = d.join("Unattend.xml");
        std::fs::write(&path, FILE).unwrap();
        let f = load_unattend(&path).unwrap();
        let out = d.join("scrubbed.xml");
        save_unattend(&out, &f.scrub().unwrap()).unwrap();
        let scrubbed = std::fs::read(&out).unwrap();
        assert_eq!(scrubbed.len() + 3 * (29 - 22), FILE.len());
        std::fs::write(&path, b"<!DOCTYPE unattend><unattend/>").unwrap();
        let e = load_unattend(&path).unwrap_err().to_string();
        assert!(e.contains("Unattend.xml") && e.contains("DTD"), "{e}");
        let e = load_unattend(&d.join("missing.xml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.xml"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_file_larger_than_the_cores_limit_is_not_read() {
        let d = dir("large");
        let path = d.join("big.xml");
        std::fs::write(&path, vec![b' '; MAX_BYTES + 1]).unwrap();
        assert!(matches!(
            load_unattend(&path),
            Err(UnattendFileError::Io(IoError::TooLarge { .. }))
        ));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_file_with_a_key_is_owner_only_whatever_it_was() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("mode");
        let path = d.join("Unattend.xml");
        std::fs::write(&path, FILE).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(readable_by_others(&path), Some(0o644));
        save_unattend_with_key(&path, FILE).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(readable_by_others(&path), None);
        // A scrubbed file keeps the mode the target had.
        save_unattend(&path, b"<unattend/>").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
