//! Loading and saving CIL files: the only way the CLI and the bindings touch them, so every
//! caller gets the same size limit and the same crash-safe write.

use crate::{IoError, atomic, read_limited};
use std::path::{Path, PathBuf};
use volact_core::cil::{CilDocument, CilError, Limits};

/// The largest CIL volact reads by default: 2 GiB, the core's span limit. A 100,000-computer
/// file is about 120 MB.
pub const CIL_READ_LIMIT: u64 = 2 << 30;

/// Why a CIL file could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CilFileError {
    /// Reading or writing the file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The file is not a readable CIL.
    #[error("{path}: {source}")]
    Cil {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: CilError,
    },
}

/// Reads and parses a CIL file.
pub fn load_cil(path: &Path) -> Result<CilDocument, CilFileError> {
    let bytes = read_limited(path, CIL_READ_LIMIT)?;
    let limits = Limits {
        max_bytes: CIL_READ_LIMIT as usize,
        ..Limits::default()
    };
    CilDocument::parse_owned(bytes, limits).map_err(|source| CilFileError::Cil {
        path: path.to_owned(),
        source,
    })
}

/// Writes bytes (a saved document or an export) to a CIL file atomically.
pub fn save_cil_bytes(path: &Path, bytes: &[u8]) -> Result<(), CilFileError> {
    Ok(atomic::write(path, bytes)?)
}

/// Saves a document atomically, in the encoding it was read in, streamed to the file
/// rather than assembled in memory first.
pub fn save_cil(path: &Path, doc: &CilDocument) -> Result<(), CilFileError> {
    Ok(atomic::write_with(path, |w| doc.write_to(w))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_save_round_trip_and_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("volact-io-cil-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.cil");
        let text = "<SoftwareLicensingData Version=\"2.0\"><!-- keep --><Computers/></SoftwareLicensingData>";
        std::fs::write(&path, text).unwrap();
        let doc = load_cil(&path).unwrap();
        let out = dir.join("b.cil");
        save_cil(&out, &doc).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
        std::fs::write(&path, "<Other/>").unwrap();
        let e = load_cil(&path).unwrap_err().to_string();
        assert!(e.contains("a.cil") && e.contains("not a CIL"), "{e}");
        let e = load_cil(&dir.join("missing.cil")).unwrap_err().to_string();
        assert!(e.contains("missing.cil"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
