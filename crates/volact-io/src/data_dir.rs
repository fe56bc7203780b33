//! Where volact keeps its data files (the user catalog, the MAK store): an explicit path,
//! else the file's own environment variable, else `$XDG_DATA_HOME/volact/<file>` (the XDG Base
//! Directory Specification), `~/.local/share/volact/<file>` when that is unset, and
//! `%LOCALAPPDATA%\volact\<file>` on Windows.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The path of data file `file`: `explicit`, else the variable `override_var`, else the data
/// directory. `None` when no rule gives a place. Empty variables count as unset.
pub(crate) fn data_file_path(
    explicit: Option<&Path>,
    override_var: &str,
    file: &str,
    env: impl Fn(&str) -> Option<OsString>,
) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_owned());
    }
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var(override_var) {
        return Some(p);
    }
    let data_dir = var("XDG_DATA_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local").join("share")))
        .or_else(|| var("LOCALAPPDATA"))?;
    Some(data_dir.join("volact").join(file))
}
