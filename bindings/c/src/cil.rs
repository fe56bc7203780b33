//! CIL documents (VAMT's Computer Information List) across the C ABI: load, parse, save,
//! summarize, validate, export, import CIDs from CSV, merge a returned file.
//!
//! Every answer comes from `volact_core::cil` and every file goes through `volact_io` (bounded
//! read, atomic write), exactly as for the CLI; the JSON texts are the ones `volact cil ...
//! --json` and `--report` print (`volact_core::cil::json`).
//!
//! The two calls that change a document (`volact_cil_add_cids`, `volact_cil_merge`) apply the
//! change first and keep their report on the changed handle, so a report buffer that is too
//! short never tempts a caller into applying the change twice (see `volact_cil_last_report`).

use crate::error::{boundary, cil_file_result, cil_result, fail, volact_result};
use crate::strings::{text_arg, write_bytes, write_out, write_str};
use std::ffi::c_char;
use std::path::Path;
use volact_core::cil::{
    self, CilDocument, ExportMode, ExportOptions, MergeOptions, Severity, json,
};

/// `volact_cil_export` mode: products and their licensing data (VAMT's `Export-VamtData`);
/// computer-identifying data only with `include_sensitive`.
pub const VOLACT_CIL_EXPORT_STANDARD: u32 = 0;
/// `volact_cil_export` mode: only what Confirmation ID acquisition needs (computer `Id`,
/// `Sku`, `ProductKeyId`, `InstallationId`, the CIDs), VAMT's "proxy activation data only".
pub const VOLACT_CIL_EXPORT_PROXY_ONLY: u32 = 1;

/// A CIL document (opaque), kept losslessly: comments, CDATA, processing instructions,
/// unknown elements and attributes, namespaces and the encoding (UTF-8 or UTF-16, BOM) are
/// written back unchanged. Create with `volact_cil_parse`, `volact_cil_load` or
/// `volact_cil_export`; release with `volact_cil_free`.
///
/// Calls taking a `const volact_cil_document *` only read it and may run on several threads
/// at once; `volact_cil_add_cids`, `volact_cil_merge` (on `full`) and `volact_cil_free` need
/// the handle to themselves.
#[derive(Debug)]
pub struct volact_cil_document {
    pub(crate) doc: CilDocument,
    /// The report JSON of the last `volact_cil_add_cids` or `volact_cil_merge` on this handle.
    last_report: Option<String>,
}

/// Counts over a CIL document (what `volact cil show` prints; the full summary with the
/// counts by license status and key type is in `volact_cil_document_json`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct volact_cil_summary {
    /// Computers.
    pub computers: usize,
    /// Products, over all computers.
    pub products: usize,
    /// Products with an `InstallationId`.
    pub with_installation_id: usize,
    /// Products with a `PendingConfirmationId` (obtained, not yet deposited).
    pub pending_cids: usize,
    /// Products with a `ConfirmationId` (deposited).
    pub applied_cids: usize,
}

/// A new handle owning `doc`.
pub(crate) fn into_handle(doc: CilDocument) -> *mut volact_cil_document {
    Box::into_raw(Box::new(volact_cil_document {
        doc,
        last_report: None,
    }))
}

/// Borrows a handle.
///
/// # Safety
/// `doc` NULL or a live handle.
unsafe fn borrow<'a>(
    doc: *const volact_cil_document,
    what: &str,
) -> Result<&'a volact_cil_document, volact_result> {
    if doc.is_null() {
        return Err(fail(
            volact_result::NullParameter,
            format_args!("{what} is NULL"),
        ));
    }
    // SAFETY: a live handle per the caller contract.
    Ok(unsafe { &*doc })
}

/// Borrows a handle for a change.
///
/// # Safety
/// `doc` NULL or a live handle that nothing else uses during the call.
unsafe fn borrow_mut<'a>(
    doc: *mut volact_cil_document,
    what: &str,
) -> Result<&'a mut volact_cil_document, volact_result> {
    if doc.is_null() {
        return Err(fail(
            volact_result::NullParameter,
            format_args!("{what} is NULL"),
        ));
    }
    // SAFETY: a live, unshared handle per the caller contract.
    Ok(unsafe { &mut *doc })
}

macro_rules! with_doc {
    ($doc:expr, |$d:ident| $body:expr) => {
        boundary(|| {
            // SAFETY: forwarded caller contract (a live handle or NULL).
            match unsafe { borrow($doc, "document handle") } {
                Ok(handle) => {
                    let $d = &handle.doc;
                    $body
                }
                Err(r) => r,
            }
        })
    };
}

/// Writes a new handle through `out` (checked non-NULL by the caller).
///
/// # Safety
/// `out` non-NULL and writable.
unsafe fn hand_out(out: *mut *mut volact_cil_document, doc: CilDocument) -> volact_result {
    // SAFETY: non-NULL and writable per the function contract.
    unsafe { *out = into_handle(doc) };
    volact_result::Ok
}

/// Refuses `(NULL, len > 0)` for an optional report buffer, before anything is changed.
pub(crate) fn check_report_buffer(buf: *mut c_char, len: usize) -> Result<(), volact_result> {
    if buf.is_null() && len != 0 {
        return Err(fail(
            volact_result::NullParameter,
            "report_buf is NULL but report_len is not 0",
        ));
    }
    Ok(())
}

/// Keeps the report on the handle and copies it out when it fits; a report that does not fit
/// leaves the empty string in a non-empty buffer (never stale text) and is still `OK`: the
/// change has been made and must not be repeated.
///
/// # Safety
/// `buf` valid for `len` bytes, or NULL with `len` 0; `out_n` NULL or writable.
pub(crate) unsafe fn keep_report(
    handle: &mut volact_cil_document,
    report: String,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: forwarded caller contract.
    let written = unsafe { write_str(&report, buf, len, out_n) };
    if written == volact_result::BufferTooSmall && len > 0 {
        // SAFETY: non-NULL (checked before the change) and at least one byte long.
        unsafe { *buf = 0 };
    }
    handle.last_report = Some(report);
    volact_result::Ok
}

/// Parses a CIL from bytes (UTF-8 with or without BOM, UTF-16 LE/BE; a DTD is kept but never
/// processed, external entities are never resolved). On success `*out` receives a new handle;
/// on failure it is untouched and the `VOLACT_RESULT_CIL_*` code says why (line and column in
/// `volact_last_error_message`). The bytes are only borrowed for the call.
///
/// # Safety
/// `bytes` valid for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_parse(
    bytes: *const u8,
    len: usize,
    out: *mut *mut volact_cil_document,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let data = match unsafe { crate::strings::bytes(bytes, len) } {
            Ok(b) => b,
            Err(r) => return r,
        };
        if out.is_null() {
            return fail(volact_result::NullParameter, "out is NULL");
        }
        match CilDocument::parse(data) {
            // SAFETY: checked non-NULL.
            Ok(doc) => unsafe { hand_out(out, doc) },
            Err(e) => fail(cil_result(&e), e),
        }
    })
}

/// Reads and parses a CIL file (`path` is UTF-8, without a NUL). Files over 2 GiB are
/// refused unread (`VOLACT_RESULT_CIL_TOO_LARGE`); a file that cannot be read is
/// `VOLACT_RESULT_IO`; otherwise as `volact_cil_parse`. Messages name the path.
///
/// # Safety
/// `path` valid for `path_len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_load(
    path: *const u8,
    path_len: usize,
    out: *mut *mut volact_cil_document,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let path = text_arg!(path, path_len);
        if out.is_null() {
            return fail(volact_result::NullParameter, "out is NULL");
        }
        match volact_io::load_cil(Path::new(path)) {
            // SAFETY: checked non-NULL.
            Ok(doc) => unsafe { hand_out(out, doc) },
            Err(e) => fail(cil_file_result(&e), e),
        }
    })
}

/// Releases a document handle. NULL is allowed and does nothing.
///
/// # Safety
/// `doc` must come from this library and not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_free(doc: *mut volact_cil_document) {
    let _ = boundary(|| {
        if !doc.is_null() {
            // SAFETY: the handle came from Box::into_raw in this library.
            drop(unsafe { Box::from_raw(doc) });
        }
        volact_result::Ok
    });
}

/// Saves the document to a file (`path` UTF-8, without a NUL) in the encoding it was read in,
/// atomically: a temporary file beside the target, flushed, then renamed over it, so a crash
/// or a full disk never leaves a half-written file. `VOLACT_RESULT_IO` when it cannot be
/// written (the message names the path).
///
/// # Safety
/// `doc` a live handle; `path` valid for `path_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_save(
    doc: *const volact_cil_document,
    path: *const u8,
    path_len: usize,
) -> volact_result {
    with_doc!(doc, |d| {
        // SAFETY: caller contract.
        let path = text_arg!(path, path_len);
        match volact_io::save_cil(Path::new(path), d) {
            Ok(()) => volact_result::Ok,
            Err(e) => fail(cil_file_result(&e), e),
        }
    })
}

/// The document's bytes, as `volact_cil_save` writes them (its encoding and BOM; everything
/// volact does not understand unchanged). **Bytes, not text: no NUL is written**, and the
/// buffer needs `*out_n` bytes, not one more. `*out_n` (may be NULL) gets the byte count,
/// also on `VOLACT_RESULT_BUFFER_TOO_SMALL` (nothing written); pass `(NULL, 0, &n)` to ask.
/// Each call serializes the document anew (linear in its size).
///
/// # Safety
/// `doc` a live handle; `buf` valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_to_bytes(
    doc: *const volact_cil_document,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: caller contract.
    with_doc!(doc, |d| unsafe {
        write_bytes(&d.to_bytes(), buf, len, out_n)
    })
}

/// Counts of computers, products, IIDs and CIDs.
///
/// # Safety
/// `doc` a live handle; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_summarize(
    doc: *const volact_cil_document,
    out: *mut volact_cil_summary,
) -> volact_result {
    with_doc!(doc, |d| {
        let s = cil::summarize(d);
        let summary = volact_cil_summary {
            computers: s.computers,
            products: s.products,
            with_installation_id: s.with_installation_id,
            pending_cids: s.pending_cids,
            applied_cids: s.applied_cids,
        };
        // SAFETY: caller contract.
        unsafe { write_out(out, summary) }
    })
}

/// The document as the JSON object `volact cil show --json` prints: `encoding`, `version`,
/// `summary` (with counts by license status and key type) and every computer with its
/// products. Full product keys never appear (`has_product_key` says whether there is one).
/// Text out (see the conventions); each call builds the JSON anew.
///
/// # Safety
/// `doc` a live handle; `buf` valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_document_json(
    doc: *const volact_cil_document,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: caller contract.
    with_doc!(doc, |d| unsafe {
        write_str(&json::document_json(d), buf, len, out_n)
    })
}

/// Validates the document and writes the findings as the JSON `volact cil validate --json`
/// prints: `{"valid", "errors", "findings": [{"severity", "computer", "computer_id",
/// "product", "message"}]}` (IID/CID check digits, duplicate computer Ids, CIDs without an
/// IID, key type against partial key, unknown license status values). A document with
/// findings is still `VOLACT_RESULT_OK`: the verdict is in the JSON, and the counts in
/// `volact_cil_validate_counts`.
///
/// # Safety
/// As `volact_cil_document_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_validate_json(
    doc: *const volact_cil_document,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    with_doc!(doc, |d| {
        let text = json::findings_json(&cil::validate(d));
        // SAFETY: caller contract.
        unsafe { write_str(&text, buf, len, out_n) }
    })
}

/// Validates the document and counts its findings: `*errors_out` those of severity error
/// (the document is valid when it is 0), `*warnings_out` the warnings. Both pointers are
/// required.
///
/// # Safety
/// `doc` a live handle; `errors_out` and `warnings_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_validate_counts(
    doc: *const volact_cil_document,
    errors_out: *mut usize,
    warnings_out: *mut usize,
) -> volact_result {
    with_doc!(doc, |d| {
        if errors_out.is_null() || warnings_out.is_null() {
            return fail(
                volact_result::NullParameter,
                "errors_out or warnings_out is NULL",
            );
        }
        let findings = cil::validate(d);
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        // SAFETY: both checked non-NULL; writable per the caller contract.
        unsafe {
            *errors_out = errors;
            *warnings_out = findings.len() - errors;
        }
        volact_result::Ok
    })
}

/// Exports the document into a new handle, as `volact cil export` writes it (the document's
/// encoding): an **allow-list**, so content volact does not understand is dropped.
///
/// - `mode` `VOLACT_CIL_EXPORT_STANDARD` (0): products and licensing data; computer names,
///   OS, network names, MAC addresses and groups only with `include_sensitive`
///   (`NetworkType` becomes `None` without it).
/// - `mode` `VOLACT_CIL_EXPORT_PROXY_ONLY` (1): computer `Id`, `Sku`, `ProductKeyId`,
///   `InstallationId` and the CIDs only. `include_sensitive` must be false.
/// - Full product keys only with `include_product_keys`.
///
/// `VOLACT_RESULT_INVALID_ARGUMENT` for another `mode`, or proxy-only with
/// `include_sensitive` (the CLI refuses that pair too). Save the result with
/// `volact_cil_save`, or read it with `volact_cil_to_bytes`; free it with `volact_cil_free`.
///
/// # Safety
/// `doc` a live handle; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_export(
    doc: *const volact_cil_document,
    mode: u32,
    include_sensitive: bool,
    include_product_keys: bool,
    out: *mut *mut volact_cil_document,
) -> volact_result {
    with_doc!(doc, |d| {
        let mode = match mode {
            VOLACT_CIL_EXPORT_STANDARD => ExportMode::Standard,
            VOLACT_CIL_EXPORT_PROXY_ONLY => ExportMode::ProxyOnly,
            other => {
                return fail(
                    volact_result::InvalidArgument,
                    format_args!("unknown CIL export mode {other} (0 standard, 1 proxy-only)"),
                );
            }
        };
        let options = match ExportOptions::new(mode, include_sensitive, include_product_keys) {
            Ok(o) => o,
            Err(e) => return fail(volact_result::InvalidArgument, e),
        };
        if out.is_null() {
            return fail(volact_result::NullParameter, "out is NULL");
        }
        match CilDocument::parse(&cil::export(d, options)) {
            // SAFETY: checked non-NULL.
            Ok(exported) => unsafe { hand_out(out, exported) },
            Err(e) => fail(
                cil_result(&e),
                format_args!("the export could not be read back (please report it): {e}"),
            ),
        }
    })
}

/// Imports Confirmation IDs from CSV text, one `installation_id,confirmation_id` per line
/// (any grouping; blank lines and a header line are skipped), as `volact cil add-cids`:
/// sets `PendingConfirmationId` on every product with that IID, never replaces a different
/// CID, and refuses malformed IIDs and CIDs. A 48-digit CID whose check digits fail is
/// imported with a warning (`unconfirmed_check_failed`), or refused with `strict`.
///
/// **The document is changed by the call**, and the report JSON (`{"rows": [{"line",
/// "installation_id", "outcome", "detail", "unconfirmed_check_failed"}]}`, outcomes
/// `applied`, `already_present`, `conflict`, `unknown_iid`, `invalid_iid`, `invalid_cid`,
/// `malformed`) is kept on the handle for `volact_cil_last_report`. So the report buffer
/// does not follow the usual retry protocol:
///
/// - `VOLACT_RESULT_OK` means the CSV was processed (rows refused are in the report, not
///   in the result). Do not call again to get a bigger report: read it with
///   `volact_cil_last_report`.
/// - `*report_n` (may be NULL) gets the report's length. The report and a NUL are written
///   to `report_buf` when `report_len > *report_n`; otherwise `report_buf` receives the
///   empty string (when `report_len > 0`).
/// - `(NULL, 0, NULL)` asks for no report.
///
/// Any failure (NULL handle, CSV not UTF-8, `report_buf` NULL with a length) is reported
/// before the document is touched.
///
/// # Safety
/// `doc` a live handle used by nothing else during the call; `csv` valid for `csv_len`
/// bytes; `report_buf` valid for `report_len` bytes (or NULL with 0); `report_n` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_add_cids(
    doc: *mut volact_cil_document,
    csv: *const u8,
    csv_len: usize,
    strict: bool,
    report_buf: *mut c_char,
    report_len: usize,
    report_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let handle = match unsafe { borrow_mut(doc, "document handle") } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let csv = text_arg!(csv, csv_len);
        if let Err(r) = check_report_buffer(report_buf, report_len) {
            return r;
        }
        let report = json::cid_report_json(&cil::add_cids(&mut handle.doc, csv, strict));
        // SAFETY: caller contract; report_buf checked above.
        unsafe { keep_report(handle, report, report_buf, report_len, report_n) }
    })
}

/// Merges the CIDs of a returned CIL (e.g. a proxy-only export that came back with CIDs)
/// into `full`, as `volact cil merge`: computers are matched by `Id`, then name plus network
/// name, then MAC address; a CID is applied (as `PendingConfirmationId`) only to the product
/// with the same SKU and the same IID it was issued for; a different CID already present is
/// replaced only with `force`. Merging the same file again changes nothing and reports
/// `already_present`.
///
/// **`full` is changed by the call**; the report JSON (`{"decisions":
/// [{"returned_computer", "returned_product", "computer_id", "matched_computer",
/// "matched_by", "sku_id", "installation_id", "outcome", "detail",
/// "unconfirmed_check_failed"}]}`, outcomes `applied`, `already_present`, `replaced`,
/// `conflict`, `iid_mismatch`, `no_iid`, `no_such_computer`, `ambiguous`,
/// `no_such_product`, `invalid_cid`) is kept on `full` for `volact_cil_last_report`. The
/// report buffer works as in `volact_cil_add_cids`: `VOLACT_RESULT_OK` means the merge was
/// made, whether or not the report fitted. `returned` is only read; it may be `full` itself.
///
/// # Safety
/// `full` a live handle used by nothing else during the call; `returned` a live handle;
/// `report_buf` valid for `report_len` bytes (or NULL with 0); `report_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_merge(
    full: *mut volact_cil_document,
    returned: *const volact_cil_document,
    force: bool,
    report_buf: *mut c_char,
    report_len: usize,
    report_n: *mut usize,
) -> volact_result {
    boundary(|| {
        if returned.is_null() {
            return fail(volact_result::NullParameter, "returned is NULL");
        }
        if let Err(r) = check_report_buffer(report_buf, report_len) {
            return r;
        }
        // One handle as both arguments: merge a copy, so `full` is never aliased.
        let copy = std::ptr::eq(full.cast_const(), returned).then(|| {
            // SAFETY: non-NULL (checked), a live handle per the caller contract.
            unsafe { (*returned).doc.clone() }
        });
        // SAFETY: caller contract; when `returned` is the same handle it is not read below.
        let handle = match unsafe { borrow_mut(full, "full") } {
            Ok(h) => h,
            Err(r) => return r,
        };
        let options = MergeOptions { force };
        let report = match &copy {
            Some(copy) => cil::merge(&mut handle.doc, copy, options),
            // SAFETY: a live handle distinct from `full`.
            None => cil::merge(&mut handle.doc, unsafe { &(*returned).doc }, options),
        };
        let report = json::merge_report_json(&report);
        // SAFETY: caller contract; report_buf checked above.
        unsafe { keep_report(handle, report, report_buf, report_len, report_n) }
    })
}

/// The report JSON of the last `volact_cil_add_cids` or `volact_cil_merge` (as `full`) on
/// this handle (text out, the usual protocol: read it as often as needed).
/// `VOLACT_RESULT_NOT_FOUND` when neither has run on it.
///
/// # Safety
/// `doc` a live handle; `buf` valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_cil_last_report(
    doc: *const volact_cil_document,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let handle = match unsafe { borrow(doc, "document handle") } {
            Ok(h) => h,
            Err(r) => return r,
        };
        match &handle.last_report {
            // SAFETY: caller contract.
            Some(report) => unsafe { write_str(report, buf, len, out_n) },
            None => fail(
                volact_result::NotFound,
                "no report: neither volact_cil_add_cids nor volact_cil_merge has changed this document",
            ),
        }
    })
}
