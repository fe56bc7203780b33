//! The MAK store file: the administrator's MAKs (and CSVLK and retail keys) with their
//! descriptions and remaining-activation snapshots (`volact_core::mak`).
//!
//! Location, first that applies: an explicit path (`--store FILE`), `$VOLACT_MAK_STORE`,
//! `$XDG_DATA_HOME/volact/maks.json`, `$HOME/.local/share/volact/maks.json`, and on Windows
//! `%LOCALAPPDATA%\volact\maks.json`.
//!
//! The file holds the keys in clear, so on Unix it is written owner-only (0600, atomically:
//! the temporary file is 0600 before a byte is written) in a directory created 0700, and a
//! store file that group or others can read is **refused** on load, the way `ssh` refuses
//! a private key others can read: the keys may have been seen, and the administrator should
//! know. `chmod 600 FILE` and load again. On Windows the file gets its directory's ACLs (the
//! per-user `%LOCALAPPDATA%` by default).

use crate::{IoError, atomic, read_limited};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use volact_core::mak::{MakStore, MakStoreError};

/// The largest MAK store volact reads: 16 MiB (an entry is well under 1 KiB).
pub const MAK_STORE_READ_LIMIT: u64 = 16 << 20;

/// Why the MAK store could not be located, loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MakStoreFileError {
    /// Reading or writing a file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The file is not a readable MAK store.
    #[error("{}: {source}", path.display())]
    Store {
        /// The store file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: MakStoreError,
    },
    /// The file can be read by its group or by others (Unix).
    #[error(
        "{}: the MAK store holds keys in clear but its mode {mode:04o} lets others read it; run `chmod 600 {}` (and consider the keys seen)",
        path.display(),
        path.display()
    )]
    Exposed {
        /// The store file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// No `--store`, `$VOLACT_MAK_STORE`, `$XDG_DATA_HOME`, `$HOME` or `%LOCALAPPDATA%`.
    #[error(
        "no place for the MAK store: pass --store FILE or set VOLACT_MAK_STORE, XDG_DATA_HOME or HOME"
    )]
    NoLocation,
}

/// Where the MAK store lives, from an explicit path or the process environment.
pub fn mak_store_path(explicit: Option<&Path>) -> Result<PathBuf, MakStoreFileError> {
    mak_store_path_in(explicit, |name| std::env::var_os(name))
}

/// [`mak_store_path`] with the environment given as a lookup (for tests and embedders).
/// Empty variables count as unset.
pub fn mak_store_path_in(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<PathBuf, MakStoreFileError> {
    crate::data_dir::data_file_path(explicit, "VOLACT_MAK_STORE", "maks.json", env)
        .ok_or(MakStoreFileError::NoLocation)
}

/// Reads the MAK store at `path`; a missing file is an empty store. Refuses a file others
/// can read (Unix; see the module docs).
pub fn load_mak_store(path: &Path) -> Result<MakStore, MakStoreFileError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(MakStore::new()),
        Ok(m) => check_private(path, &m)?,
        Err(_) => {} // read_limited reports it with the path
    }
    let bytes = read_limited(path, MAK_STORE_READ_LIMIT)?;
    MakStore::from_file_json(&bytes).map_err(|source| MakStoreFileError::Store {
        path: path.to_owned(),
        source,
    })
}

#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata) -> Result<(), MakStoreFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if metadata.is_file() && mode & 0o077 != 0 {
        return Err(MakStoreFileError::Exposed {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path, _: &std::fs::Metadata) -> Result<(), MakStoreFileError> {
    Ok(())
}

/// Saves the MAK store atomically as an owner-only file, creating its directory (0700 on
/// Unix) when missing.
pub fn save_mak_store(path: &Path, store: &MakStore) -> Result<(), MakStoreFileError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|source| IoError::Create {
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(atomic::write_owner_only(
        path,
        store.to_file_json().as_bytes(),
    )?)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use volact_core::catalog::UserCatalog;
    use volact_core::mak::KeyKind;

    const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";

    #[test]
    fn the_path_follows_flag_then_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let explicit = Path::new("/x/m.json");
        assert_eq!(
            mak_store_path_in(Some(explicit), env(&[("VOLACT_MAK_STORE", "/v")])).unwrap(),
            explicit
        );
        assert_eq!(
            mak_store_path_in(
                None,
                env(&[("VOLACT_MAK_STORE", "/v.json"), ("HOME", "/h")])
            )
            .unwrap(),
            Path::new("/v.json")
        );
        assert_eq!(
            mak_store_path_in(
                None,
                env(&[
                    ("VOLACT_MAK_STORE", ""),
                    ("XDG_DATA_HOME", "/xdg"),
                    ("HOME", "/h")
                ])
            )
            .unwrap(),
            Path::new("/xdg/volact/maks.json")
        );
        assert_eq!(
            mak_store_path_in(None, env(&[("HOME", "/h")])).unwrap(),
            Path::new("/h/.local/share/volact/maks.json")
        );
        assert!(matches!(
            mak_store_path_in(None, env(&[])),
            Err(MakStoreFileError::NoLocation)
        ));
    }

    #[test]
    fn saved_owner_only_loaded_back_and_exposed_files_refused() {
        let dir = std::env::temp_dir().join(format!("volact-io-makstore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("nested").join("maks.json");
        assert!(load_mak_store(&path).unwrap().is_empty());
        let mut store = MakStore::new();
        store
            .add_text(TWIN, &UserCatalog::new(), Some(KeyKind::Mak), "lab", 1)
            .unwrap();
        save_mak_store(&path, &store).unwrap();
        assert_eq!(load_mak_store(&path).unwrap(), store);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = load_mak_store(&path).unwrap_err();
            assert!(
                matches!(e, MakStoreFileError::Exposed { mode: 0o644, .. }),
                "{e}"
            );
            assert!(e.to_string().contains("chmod 600"), "{e}");
            // Saving again narrows it back.
            save_mak_store(&path, &store).unwrap();
            assert_eq!(mode(&path), 0o600);
        }
        std::fs::write(&path, b"[]").unwrap();
        let e = load_mak_store(&path).unwrap_err().to_string();
        assert!(e.contains("not a volact MAK store"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
