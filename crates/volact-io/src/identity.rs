//! File identity: whether two paths name the same file, so that a command can refuse (or
//! handle) an output path that names its own input.

use std::fs;
use std::path::Path;

/// Whether `a` and `b` name the same existing file.
///
/// On Unix this compares device and inode numbers, so it sees through symbolic links, hard
/// links, `..` and bind mounts. Elsewhere it compares the canonical paths
/// ([`fs::canonicalize`]), which sees through links and `..` but not through hard links.
/// When either path cannot be inspected (for instance it does not exist yet) the answer is
/// `false`: a file that does not exist is not the input of anything.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("volact-io-doc-same-{}", std::process::id()));
/// # std::fs::create_dir_all(dir.join("sub")).unwrap();
/// let input = dir.join("lab.cil");
/// volact_io::atomic::write(&input, b"<SoftwareLicensingData/>")?;
/// assert!(volact_io::same_file(&input, &dir.join("sub").join("..").join("lab.cil")));
/// assert!(!volact_io::same_file(&input, &dir.join("out.cil")));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), volact_io::IoError>(())
/// ```
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}
