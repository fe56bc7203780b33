//! The user catalog file: what `volact catalog import-pkeyconfig` learnt from the
//! administrator's pkeyconfig files, kept as JSON for key inspection, the MAK store and the
//! applicability checks to consult.
//!
//! Location, first that applies: an explicit path (`--catalog FILE`), `$VOLACT_CATALOG`,
//! `$XDG_DATA_HOME/volact/catalog.json`, `$HOME/.local/share/volact/catalog.json`, and on
//! Windows `%LOCALAPPDATA%\volact\catalog.json`. The file holds no secrets (group ids,
//! descriptions, serial ranges), so it gets the ordinary permissions of its directory.

use crate::{IoError, atomic, read_limited};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use volact_core::catalog::{ImportReport, PkeyConfigError, UserCatalog, UserCatalogError};

/// The largest user catalog volact reads: 256 MiB (every Windows, Office and Visual Studio
/// pkeyconfig imported together is a few tens of MB).
pub const USER_CATALOG_READ_LIMIT: u64 = 256 << 20;

/// The largest pkeyconfig file volact reads: 64 MiB (Windows 11's largest is about 2 MB).
pub const PKEYCONFIG_READ_LIMIT: u64 = 64 << 20;

/// Why a user catalog could not be located, loaded, updated or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UserCatalogFileError {
    /// Reading or writing a file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The catalog file is not a readable user catalog.
    #[error("{}: {source}", path.display())]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: UserCatalogError,
    },
    /// A pkeyconfig file could not be read; nothing was imported.
    #[error("{}: {source}", path.display())]
    Pkeyconfig {
        /// The pkeyconfig file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: PkeyConfigError,
    },
    /// No `--catalog`, `$VOLACT_CATALOG`, `$XDG_DATA_HOME`, `$HOME` or `%LOCALAPPDATA%`.
    #[error(
        "no place for the user catalog: pass --catalog FILE or set VOLACT_CATALOG, XDG_DATA_HOME or HOME"
    )]
    NoLocation,
}

/// Where the user catalog lives, from an explicit path or the process environment.
pub fn user_catalog_path(explicit: Option<&Path>) -> Result<PathBuf, UserCatalogFileError> {
    user_catalog_path_in(explicit, |name| std::env::var_os(name))
}

/// [`user_catalog_path`] with the environment given as a lookup (for tests and embedders).
/// Empty variables count as unset.
pub fn user_catalog_path_in(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<PathBuf, UserCatalogFileError> {
    crate::data_dir::data_file_path(explicit, "VOLACT_CATALOG", "catalog.json", env)
        .ok_or(UserCatalogFileError::NoLocation)
}

/// Reads a user catalog file (it must exist).
pub fn load_user_catalog(path: &Path) -> Result<UserCatalog, UserCatalogFileError> {
    let bytes = read_limited(path, USER_CATALOG_READ_LIMIT)?;
    UserCatalog::from_json(&bytes).map_err(|source| UserCatalogFileError::Catalog {
        path: path.to_owned(),
        source,
    })
}

/// Reads a user catalog file, or an empty catalog when there is no file at the path.
pub fn load_user_catalog_or_empty(path: &Path) -> Result<UserCatalog, UserCatalogFileError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UserCatalog::new()),
        _ => load_user_catalog(path),
    }
}

/// Saves a user catalog atomically, creating its directory when missing.
pub fn save_user_catalog(path: &Path, catalog: &UserCatalog) -> Result<(), UserCatalogFileError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| IoError::Create {
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(atomic::write(path, catalog.to_json().as_bytes())?)
}

/// Imports pkeyconfig files into the catalog at `catalog_path` (created when missing), in
/// order, and saves it atomically. All or nothing: when any file cannot be read, the catalog
/// file is left as it was. Each file is imported under its file name.
pub fn import_pkeyconfig_files(
    catalog_path: &Path,
    files: &[PathBuf],
) -> Result<Vec<ImportReport>, UserCatalogFileError> {
    let mut catalog = load_user_catalog_or_empty(catalog_path)?;
    let mut reports = Vec::with_capacity(files.len());
    for file in files {
        let bytes = read_limited(file, PKEYCONFIG_READ_LIMIT)?;
        let name = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let report = catalog.import_pkeyconfig(&bytes, &name).map_err(|source| {
            UserCatalogFileError::Pkeyconfig {
                path: file.clone(),
                source,
            }
        })?;
        reports.push(report);
    }
    save_user_catalog(catalog_path, &catalog)?;
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use volact_core::catalog::Source;
    use volact_core::key::ProductKey;

    fn data(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../volact/tests/data/pkeyconfig")
            .join(name)
    }

    #[test]
    fn the_path_follows_flag_then_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let explicit = Path::new("/x/c.json");
        assert_eq!(
            user_catalog_path_in(Some(explicit), env(&[("VOLACT_CATALOG", "/v")])).unwrap(),
            explicit
        );
        let all = env(&[
            ("VOLACT_CATALOG", "/v.json"),
            ("XDG_DATA_HOME", "/xdg"),
            ("HOME", "/home/a"),
        ]);
        assert_eq!(
            user_catalog_path_in(None, all).unwrap(),
            Path::new("/v.json")
        );
        let xdg = env(&[
            ("VOLACT_CATALOG", ""),
            ("XDG_DATA_HOME", "/xdg"),
            ("HOME", "/h"),
        ]);
        assert_eq!(
            user_catalog_path_in(None, xdg).unwrap(),
            Path::new("/xdg/volact/catalog.json")
        );
        assert_eq!(
            user_catalog_path_in(None, env(&[("HOME", "/h")])).unwrap(),
            Path::new("/h/.local/share/volact/catalog.json")
        );
        assert!(matches!(
            user_catalog_path_in(None, env(&[])),
            Err(UserCatalogFileError::NoLocation)
        ));
    }

    #[test]
    fn import_saves_atomically_and_all_or_nothing() {
        let dir = std::env::temp_dir().join(format!("volact-io-usercat-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("nested").join("catalog.json");
        assert_eq!(
            load_user_catalog_or_empty(&path).unwrap(),
            UserCatalog::new()
        );
        let reports = import_pkeyconfig_files(
            &path,
            &[data("mak-retail-oem.xrm-ms"), data("csvlk.xrm-ms")],
        )
        .unwrap();
        assert_eq!(reports[0].source, "mak-retail-oem.xrm-ms");
        assert_eq!(reports[1].configurations, 1);
        let saved = std::fs::read(&path).unwrap();
        let catalog = load_user_catalog(&path).unwrap();
        let twin = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G").unwrap();
        assert_eq!(
            catalog.classify(&twin).source,
            Source::UserCatalog {
                file: "mak-retail-oem.xrm-ms".into()
            }
        );
        // A bad file among good ones: the catalog file is untouched.
        let e = import_pkeyconfig_files(
            &path,
            &[data("mak-newer.xrm-ms"), data("hostile/bad-base64.xrm-ms")],
        )
        .unwrap_err();
        assert!(e.to_string().contains("bad-base64.xrm-ms"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), saved);
        std::fs::write(&path, b"[]").unwrap();
        let e = load_user_catalog(&path).unwrap_err().to_string();
        assert!(
            e.contains("catalog.json") && e.contains("not a volact user catalog"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
