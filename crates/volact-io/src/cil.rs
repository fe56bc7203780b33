//! Loading and saving CIL files: the only way the CLI and the bindings touch them, so every
//! caller gets the same size limit and the same crash-safe write.

use crate::{IoError, atomic, read_limited};
use std::path::{Path, PathBuf};
use volact_core::cil::{CilDocument, CilError, Limits, MergeOptions, MergeReport, merge_bytes};

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

/// Merges the CIDs of the returned CIL file into the full one and saves the result to
/// `output` atomically (which may be the full file itself): `volact cil merge`. The files
/// are read on two threads and merged by [`merge_bytes`], which streams whenever it can
/// be exact, so a large merge needs about the memory of its two inputs; the output and the
/// report are those of [`load_cil`], [`volact_core::cil::merge`] and [`save_cil`].
pub fn merge_cil_files(
    full: &Path,
    returned: &Path,
    output: &Path,
    options: MergeOptions,
) -> Result<MergeReport, CilFileError> {
    let (returned_bytes, full_bytes) = std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("volact-read-returned".into())
            .spawn_scoped(s, || read_limited(returned, CIL_READ_LIMIT));
        let full_bytes = read_limited(full, CIL_READ_LIMIT);
        let returned_bytes = match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => read_limited(returned, CIL_READ_LIMIT),
        };
        (returned_bytes, full_bytes)
    });
    // The returned file's errors first, as `volact cil merge` always reported them.
    let returned_bytes = returned_bytes?;
    let full_bytes = full_bytes?;
    let limits = Limits {
        max_bytes: CIL_READ_LIMIT as usize,
        ..Limits::default()
    };
    let merged = merge_bytes(&full_bytes, &returned_bytes, options, limits).map_err(|e| {
        CilFileError::Cil {
            path: if e.is_returned() { returned } else { full }.to_owned(),
            source: e.into_cil_error(),
        }
    })?;
    drop(returned_bytes);
    atomic::write_with(output, |w| merged.write_to(w))?;
    Ok(merged.into_report())
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

    #[test]
    fn merge_files_equals_load_merge_save_and_names_the_bad_file() {
        let dir = std::env::temp_dir().join(format!("volact-io-cil-merge-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let iid = "070846984606199354110900862045444713121295109842549701";
        let cid = "013254-154732-336045-270141-281307-094314-283051-016734";
        let full = dir.join("full.cil");
        let returned = dir.join("returned.cil");
        std::fs::write(&full, format!("<SoftwareLicensingData><Computers><Computer Id=\"{{1}}\"><Products>\n  <Product>\n    <Sku Id=\"{{s}}\"/>\n    <InstallationId>{iid}</InstallationId>\n  </Product></Products></Computer></Computers></SoftwareLicensingData>")).unwrap();
        std::fs::write(&returned, format!("<SoftwareLicensingData><Computers><Computer Id=\"{{1}}\"><Products><Product><Sku Id=\"{{s}}\"/><InstallationId>{iid}</InstallationId><PendingConfirmationId>{cid}</PendingConfirmationId></Product></Products></Computer></Computers></SoftwareLicensingData>")).unwrap();
        let out = dir.join("out.cil");
        let report = merge_cil_files(&full, &returned, &out, MergeOptions::default()).unwrap();
        let mut doc = load_cil(&full).unwrap();
        let expected = volact_core::cil::merge(
            &mut doc,
            &load_cil(&returned).unwrap(),
            MergeOptions::default(),
        );
        assert_eq!(report, expected);
        assert_eq!(std::fs::read(&out).unwrap(), doc.to_bytes());
        assert_eq!(report.count("applied"), 1);
        std::fs::write(&returned, "<Other/>").unwrap();
        let e = merge_cil_files(&full, &returned, &out, MergeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("returned.cil") && e.contains("not a CIL"), "{e}");
        let e = merge_cil_files(
            &dir.join("missing.cil"),
            &full,
            &out,
            MergeOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("missing.cil"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
