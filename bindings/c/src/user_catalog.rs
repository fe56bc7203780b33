//! The user catalog across the C ABI: what the administrator's own Microsoft pkeyconfig files
//! teach volact (MAK, retail, OEM and CSVLK configurations), and the classification of a key
//! against it and the published GVLKs.
//!
//! Every answer comes from `volact_core::catalog::UserCatalog` and every file goes through
//! `volact_io` (bounded read, atomic write), as for `volact catalog import-pkeyconfig` and
//! `volact key inspect --catalog`. The JSON texts are the core's: an `ImportReport` and a
//! `Classification` (`docs/pkeyconfig.md`).
//!
//! `volact_user_catalog_import_pkeyconfig` changes the catalog; like the CIL calls that change
//! a document, it applies the change first and keeps its report on the handle
//! (`volact_user_catalog_last_report`), so a report buffer that is too short never tempts a
//! caller into importing twice.

use crate::error::{
    boundary, fail, key_result, pkeyconfig_result, user_catalog_file_result, volact_result,
};
use crate::strings::{text_arg, write_out, write_str};
use std::ffi::c_char;
use std::path::Path;
use volact_core::catalog::UserCatalog;
use volact_core::key::ProductKey;

/// A user catalog (opaque): configurations and key ranges learnt from pkeyconfig files,
/// merged by `ActConfigId` (a later import replaces a configuration and its ranges). Create
/// with `volact_user_catalog_new` or `volact_user_catalog_load`; release with
/// `volact_user_catalog_free`.
///
/// Calls taking a `const volact_user_catalog *` only read it and may run on several threads at
/// once; `volact_user_catalog_import_pkeyconfig` and `volact_user_catalog_free` need the handle
/// to themselves.
#[derive(Debug)]
pub struct volact_user_catalog {
    pub(crate) catalog: UserCatalog,
    /// The report JSON of the last import into this handle.
    last_report: Option<String>,
}

/// Borrows a handle.
///
/// # Safety
/// `handle` NULL or a live handle.
unsafe fn borrow<'a>(
    handle: *const volact_user_catalog,
) -> Result<&'a volact_user_catalog, volact_result> {
    if handle.is_null() {
        return Err(fail(volact_result::NullParameter, "catalog handle is NULL"));
    }
    // SAFETY: a live handle per the caller contract.
    Ok(unsafe { &*handle })
}

/// Writes a new handle owning `catalog` through `out`.
///
/// # Safety
/// `out` NULL or writable.
unsafe fn hand_out(out: *mut *mut volact_user_catalog, catalog: UserCatalog) -> volact_result {
    if out.is_null() {
        return fail(volact_result::NullParameter, "out is NULL");
    }
    let handle = Box::into_raw(Box::new(volact_user_catalog {
        catalog,
        last_report: None,
    }));
    // SAFETY: non-NULL and writable per the caller contract.
    unsafe { write_out(out, handle) }
}

/// A new, empty user catalog: classification then knows the published GVLKs only.
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_new(
    out: *mut *mut volact_user_catalog,
) -> volact_result {
    // SAFETY: caller contract.
    boundary(|| unsafe { hand_out(out, UserCatalog::new()) })
}

/// Reads a user catalog file (`path` UTF-8, without a NUL), the JSON that
/// `volact catalog import-pkeyconfig` and `volact_user_catalog_save` write (at most 256 MiB).
///
/// - `VOLACT_RESULT_NOT_FOUND` when there is no file at `path` (start with
///   `volact_user_catalog_new` then, as the CLI does for its default location);
/// - `VOLACT_RESULT_USER_CATALOG_FORMAT` when it is not a volact user catalog (line and column
///   in the message), `VOLACT_RESULT_USER_CATALOG_VERSION` for another format or version;
/// - `VOLACT_RESULT_IO` when it cannot be read (a directory, no permission, too large).
///
/// Messages name the path. `*out` is written only on success.
///
/// # Safety
/// `path` valid for `path_len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_load(
    path: *const u8,
    path_len: usize,
    out: *mut *mut volact_user_catalog,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let path = text_arg!(path, path_len);
        if out.is_null() {
            return fail(volact_result::NullParameter, "out is NULL");
        }
        match volact_io::load_user_catalog(Path::new(path)) {
            // SAFETY: checked non-NULL.
            Ok(catalog) => unsafe { hand_out(out, catalog) },
            Err(e) => fail(user_catalog_file_result(&e), e),
        }
    })
}

/// Saves the catalog to a file (`path` UTF-8, without a NUL) as pretty JSON, atomically (a
/// temporary file beside the target, flushed, then renamed over it), creating its directory
/// when missing. `VOLACT_RESULT_IO` when it cannot be written (the message names the path).
///
/// # Safety
/// `handle` a live handle; `path` valid for `path_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_save(
    handle: *const volact_user_catalog,
    path: *const u8,
    path_len: usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let path = text_arg!(path, path_len);
        match volact_io::save_user_catalog(Path::new(path), &h.catalog) {
            Ok(()) => volact_result::Ok,
            Err(e) => fail(user_catalog_file_result(&e), e),
        }
    })
}

/// Parses a pkeyconfig file's bytes (`pkeyconfig*.xrm-ms`: UTF-8 or UTF-16, at most 64 MiB)
/// and imports it under `name` (usually the file name; it becomes `source_file` in
/// classifications). All or nothing: a file that cannot be read changes nothing and returns
/// its `VOLACT_RESULT_PKEYCONFIG_*` code (the message names the part, the byte offset or the
/// record and field); DTDs are refused and entities never expanded.
///
/// **The catalog is changed by the call**, and the report JSON (the core's `ImportReport`:
/// `{"file", "configurations", "key_ranges", "configurations_by_channel",
/// "key_ranges_by_channel", "replaced", "orphan_ranges"}`) is kept on the handle for
/// `volact_user_catalog_last_report`. So the report buffer does not follow the usual retry
/// protocol:
///
/// - `VOLACT_RESULT_OK` means the file was imported. Do not call again to get a bigger
///   report: read it with `volact_user_catalog_last_report`.
/// - `*report_n` (may be NULL) gets the report's length. The report and a NUL are written to
///   `report_buf` when `report_len > *report_n`; otherwise `report_buf` receives the empty
///   string (when `report_len > 0`).
/// - `(NULL, 0, NULL)` asks for no report.
///
/// Save the catalog with `volact_user_catalog_save`.
///
/// # Safety
/// `handle` a live handle used by nothing else during the call; `bytes` valid for `len`
/// bytes; `name` valid for `name_len` bytes; `report_buf` valid for `report_len` bytes (or
/// NULL with 0); `report_n` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn volact_user_catalog_import_pkeyconfig(
    handle: *mut volact_user_catalog,
    bytes: *const u8,
    len: usize,
    name: *const u8,
    name_len: usize,
    report_buf: *mut c_char,
    report_len: usize,
    report_n: *mut usize,
) -> volact_result {
    boundary(|| {
        if handle.is_null() {
            return fail(volact_result::NullParameter, "catalog handle is NULL");
        }
        // SAFETY: caller contract.
        let data = match unsafe { crate::strings::bytes(bytes, len) } {
            Ok(b) => b,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let name = text_arg!(name, name_len);
        if report_buf.is_null() && report_len != 0 {
            return fail(
                volact_result::NullParameter,
                "report_buf is NULL but report_len is not 0",
            );
        }
        // SAFETY: non-NULL; a live, unshared handle per the caller contract.
        let h = unsafe { &mut *handle };
        let report = match h.catalog.import_pkeyconfig(data, name) {
            Ok(r) => r.to_json(),
            Err(e) => return fail(pkeyconfig_result(&e), format_args!("{name}: {e}")),
        };
        // SAFETY: caller contract; report_buf checked above.
        let written = unsafe { write_str(&report, report_buf, report_len, report_n) };
        if written == volact_result::BufferTooSmall && report_len > 0 {
            // SAFETY: non-NULL (checked above) and at least one byte long.
            unsafe { *report_buf = 0 };
        }
        h.last_report = Some(report);
        volact_result::Ok
    })
}

/// The report JSON of the last `volact_user_catalog_import_pkeyconfig` on this handle (text
/// out, the usual protocol: read it as often as needed). `VOLACT_RESULT_NOT_FOUND` when
/// nothing has been imported into it.
///
/// # Safety
/// `handle` a live handle; `buf` valid for `len` bytes (or NULL with `len` 0); `out_n` NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_last_report(
    handle: *const volact_user_catalog,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        match &h.last_report {
            // SAFETY: caller contract.
            Some(report) => unsafe { write_str(report, buf, len, out_n) },
            None => fail(
                volact_result::NotFound,
                "no report: nothing has been imported into this catalog",
            ),
        }
    })
}

/// The number of configurations in the catalog (each with its key ranges).
///
/// # Safety
/// `handle` a live handle; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_configurations(
    handle: *const volact_user_catalog,
    out: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        unsafe { write_out(out, h.catalog.configurations().len()) }
    })
}

/// Classifies a product key (`key` as typed: any case, dashes and whitespace optional) and
/// writes the core's `Classification` JSON, the `classification` record of
/// `volact key inspect --json`: `{"source", "source_file", "channel", "channel_kind",
/// "edition", "description", "act_config_id", "part_number"}`. `source` is `gvlk` (a
/// published GVLK), `user_catalog` (a pkey2009 key whose group and serial fall in a valid
/// range of an imported file, named by `source_file`) or `unknown` (then every other field is
/// `null`: volact never guesses a key's type). The JSON never holds the key.
///
/// A text that is not a valid key returns its `VOLACT_RESULT_KEY_*` code (the message never
/// holds the key); nothing is written. Text out otherwise (see the conventions): the answer
/// is the same on a second call, so the usual size query works.
///
/// # Safety
/// `handle` a live handle; `key` valid for `key_len` bytes; `out` valid for `cap` bytes (or
/// NULL with `cap` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_classify(
    handle: *const volact_user_catalog,
    key: *const u8,
    key_len: usize,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let text = text_arg!(key, key_len);
        let key = match ProductKey::parse(text) {
            Ok(k) => k,
            Err(e) => return fail(key_result(&e), e),
        };
        let json = h.catalog.classify(&key).to_json();
        // SAFETY: caller contract.
        unsafe { write_str(&json, out, cap, out_n) }
    })
}

/// Releases a catalog handle. NULL is allowed and does nothing.
///
/// # Safety
/// `handle` must come from this library and not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_user_catalog_free(handle: *mut volact_user_catalog) {
    let _ = boundary(|| {
        if !handle.is_null() {
            // SAFETY: the handle came from Box::into_raw in this library.
            drop(unsafe { Box::from_raw(handle) });
        }
        volact_result::Ok
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::user_catalog_result;

    const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";

    fn data(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../crates/volact/tests/data/pkeyconfig")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn import(h: *mut volact_user_catalog, name: &str) -> volact_result {
        let bytes = data(name);
        unsafe {
            volact_user_catalog_import_pkeyconfig(
                h,
                bytes.as_ptr(),
                bytes.len(),
                name.as_ptr(),
                name.len(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
            )
        }
    }

    fn classify(h: *const volact_user_catalog, key: &str) -> Result<String, volact_result> {
        let mut buf = vec![0u8; 1024];
        let mut n = 0usize;
        let r = unsafe {
            volact_user_catalog_classify(
                h,
                key.as_ptr(),
                key.len(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut n,
            )
        };
        if r != volact_result::Ok {
            return Err(r);
        }
        buf.truncate(n);
        Ok(String::from_utf8(buf).unwrap())
    }

    #[test]
    fn hostile_files_map_to_their_codes() {
        use volact_result::*;
        let mut h = std::ptr::null_mut();
        assert_eq!(unsafe { volact_user_catalog_new(&mut h) }, Ok);
        for (file, code) in [
            ("hostile/not-xml.xrm-ms", PkeyconfigXml),
            ("hostile/dtd.xrm-ms", PkeyconfigDtd),
            ("hostile/undeclared-entity.xrm-ms", PkeyconfigDtd),
            ("hostile/deep.xrm-ms", PkeyconfigTooDeep),
            ("hostile/no-payload.xrm-ms", PkeyconfigNotPkeyconfig),
            ("hostile/wrong-root.xrm-ms", PkeyconfigNotPkeyconfig),
            ("hostile/bad-base64.xrm-ms", PkeyconfigBase64),
            ("hostile/truncated-base64.xrm-ms", PkeyconfigBase64),
            ("hostile/missing-group.xrm-ms", PkeyconfigMissingField),
            ("hostile/end-before-start.xrm-ms", PkeyconfigBadValue),
        ] {
            assert_eq!(import(h, file), code, "{file}");
        }
        let big = volact_core::catalog::PkeyConfigError::TooLarge {
            part: volact_core::catalog::pkeyconfig::Part::File,
            size: 2,
            limit: 1,
        };
        assert_eq!(pkeyconfig_result(&big), PkeyconfigTooLarge);
        let mut n = 7usize;
        assert_eq!(unsafe { volact_user_catalog_configurations(h, &mut n) }, Ok);
        assert_eq!(n, 0, "a refused file imports nothing");
        assert_eq!(import(h, "mak-retail-oem.xrm-ms"), Ok);
        let c = classify(h, TWIN).unwrap();
        assert!(c.contains(r#""channel_kind":"mak""#), "{c}");
        assert!(!c.contains("VKCF7"), "{c}");
        assert_eq!(
            classify(h, "VKCF7-HV62C-944TY-YJ9NF-6Q83H"),
            Err(KeyChecksum)
        );
        unsafe { volact_user_catalog_free(h) };
    }

    #[test]
    fn catalog_file_errors_map_to_their_codes() {
        let v = volact_core::catalog::UserCatalog::from_json(
            br#"{"format":"other","version":9,"configurations":[],"public_keys":[]}"#,
        )
        .unwrap_err();
        assert_eq!(user_catalog_result(&v), volact_result::UserCatalogVersion);
        let j = volact_core::catalog::UserCatalog::from_json(b"[]").unwrap_err();
        assert_eq!(user_catalog_result(&j), volact_result::UserCatalogFormat);
        let missing = std::env::temp_dir().join("volact-c-no-such-dir/catalog.json");
        let e = volact_io::load_user_catalog(&missing).unwrap_err();
        assert_eq!(user_catalog_file_result(&e), volact_result::NotFound);
        let dir = std::env::temp_dir();
        let e = volact_io::load_user_catalog(&dir).unwrap_err();
        assert_eq!(user_catalog_file_result(&e), volact_result::Io);
    }
}
