//! Unattend.xml answer files across the C ABI: show the product key places, set a key in
//! them, scrub every key (`volact_core::unattend`, as `volact unattend` does).
//!
//! The file is edited as text: outside the spans a call changes, the output is the input byte
//! for byte, in its encoding (UTF-8 with or without BOM, UTF-16 LE/BE with a BOM). DTDs are
//! refused. The three calls are pure (the same input gives the same output), so the bytes
//! come out with the sizing protocol of `volact_cil_to_bytes` and the report with the usual
//! text protocol.
//!
//! Keys: the report and every message show them masked. `volact_unattend_set_key` returns the
//! file with the key in clear (that is what setup reads); volact wipes its own copies.

use crate::error::{boundary, fail, key_result, unattend_result, volact_result};
use crate::strings::{bytes, text_arg, write_bytes, write_str};
use crate::user_catalog::volact_user_catalog;
use std::ffi::c_char;
use volact_core::catalog::UserCatalog;
use volact_core::key::ProductKey;
use volact_core::unattend::UnattendFile;

/// Parses the caller's answer file, or records the failure.
///
/// # Safety
/// `file` valid for `file_len` bytes.
unsafe fn parse(file: *const u8, file_len: usize) -> Result<UnattendFile, volact_result> {
    // SAFETY: caller contract.
    let data = unsafe { bytes(file, file_len)? };
    UnattendFile::parse(data).map_err(|e| fail(unattend_result(&e), e))
}

/// Overwrites bytes that held a key before they are freed.
fn wipe(mut data: Vec<u8>) {
    for b in &mut data {
        // SAFETY: a valid, exclusive reference; volatile so the wipe is not optimized out.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
}

/// The report of an answer file (text out, the usual protocol): `{"places": [{"kind",
/// "path", "line", "value": {"state": "empty"|"scrubbed"|"key"|"not_a_key", "masked",
/// "kind", "editions"}}], "warnings": [...]}`. `kind` of a place is `setup_user_data`
/// (windowsPE › Microsoft-Windows-Setup › UserData/ProductKey/Key), `shell_setup` (specialize
/// › Microsoft-Windows-Shell-Setup › ProductKey), `other_element` or `other_text` (key-shaped
/// text anywhere else: a command line, a comment). A key's `kind` is `gvlk`, or what
/// `catalog` knows (`mak`, `csvlk`, `retail`, ...), else `unknown`; `catalog` NULL: the
/// published GVLKs only. Keys are masked.
///
/// `VOLACT_RESULT_UNATTEND_*` (1300-1399) for a file volact cannot read.
///
/// # Safety
/// `file` valid for `file_len` bytes; `catalog` NULL or a live handle; `buf` valid for `len`
/// bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_unattend_show(
    file: *const u8,
    file_len: usize,
    catalog: *const volact_user_catalog,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let parsed = match unsafe { parse(file, file_len) } {
            Ok(f) => f,
            Err(r) => return r,
        };
        let empty;
        let catalog = if catalog.is_null() {
            empty = UserCatalog::new();
            &empty
        } else {
            // SAFETY: a live handle per the caller contract.
            unsafe { &(*catalog).catalog }
        };
        let json = parsed.report(catalog).to_json();
        // SAFETY: caller contract.
        unsafe { write_str(&json, buf, len, out_n) }
    })
}

/// The answer file with `key` in every place setup reads a product key from (both, when
/// both exist; an empty `<Key/>` is filled), every other byte unchanged, in the file's
/// encoding. Other key-shaped text (a command line, a comment) is left alone: scrub the file
/// after use.
///
/// Bytes out with the protocol of `volact_cil_to_bytes` (no NUL): `*out_n` (may be NULL)
/// gets the byte count, also on `VOLACT_RESULT_BUFFER_TOO_SMALL`; the bytes are written when
/// `len >= *out_n`; `(NULL, 0, &n)` asks for the size. The output holds the key in clear.
///
/// `VOLACT_RESULT_KEY_*` for a text that is not a valid key (the message never holds it),
/// `VOLACT_RESULT_UNATTEND_NO_KEY_PLACE` for a file without either place,
/// `_UNATTEND_COMPLEX_VALUE` for a place holding markup, the other `_UNATTEND_*` codes for a
/// file volact cannot read.
///
/// # Safety
/// `file` valid for `file_len` bytes; `key` valid for `key_len` bytes; `buf` valid for `len`
/// bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_unattend_set_key(
    file: *const u8,
    file_len: usize,
    key: *const u8,
    key_len: usize,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let key = text_arg!(key, key_len);
        let key = match ProductKey::parse(key) {
            Ok(k) => k,
            Err(e) => return fail(key_result(&e), e),
        };
        // SAFETY: caller contract.
        let parsed = match unsafe { parse(file, file_len) } {
            Ok(f) => f,
            Err(r) => return r,
        };
        match parsed.set_key(&key) {
            Ok(out) => {
                // SAFETY: caller contract.
                let r = unsafe { write_bytes(&out, buf, len, out_n) };
                wipe(out);
                r
            }
            Err(e) => fail(unattend_result(&e), e),
        }
    })
}

/// The answer file with every key — setup's two places, other `ProductKey` elements, and
/// key-shaped text anywhere (a `slmgr /ipk` command, a comment) — replaced by
/// `SENSITIVE*DATA*DELETED`, as setup does at its end; every other byte unchanged, in the
/// file's encoding. Empty places stay empty; scrubbing a scrubbed file changes nothing.
///
/// Bytes out as `volact_unattend_set_key`. `VOLACT_RESULT_UNATTEND_COMPLEX_VALUE` for a key
/// place holding markup, the other `_UNATTEND_*` codes for a file volact cannot read.
///
/// # Safety
/// `file` valid for `file_len` bytes; `buf` valid for `len` bytes (or NULL with 0); `out_n`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_unattend_scrub(
    file: *const u8,
    file_len: usize,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let parsed = match unsafe { parse(file, file_len) } {
            Ok(f) => f,
            Err(r) => return r,
        };
        match parsed.scrub() {
            // SAFETY: caller contract.
            Ok(out) => unsafe { write_bytes(&out, buf, len, out_n) },
            Err(e) => fail(unattend_result(&e), e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    const MAK_FILE: &[u8] =
        include_bytes!("../../../crates/volact/tests/data/unattend/mak-both-places.xml");

    #[test]
    fn bytes_follow_the_sizing_protocol() {
        let mut n = 0usize;
        let r = unsafe {
            volact_unattend_scrub(
                MAK_FILE.as_ptr(),
                MAK_FILE.len(),
                ptr::null_mut(),
                0,
                &mut n,
            )
        };
        assert_eq!(r, volact_result::BufferTooSmall);
        let mut out = vec![0u8; n];
        let r = unsafe {
            volact_unattend_scrub(
                MAK_FILE.as_ptr(),
                MAK_FILE.len(),
                out.as_mut_ptr(),
                n,
                ptr::null_mut(),
            )
        };
        assert_eq!(r, volact_result::Ok);
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("SENSITIVE*DATA*DELETED")
        );
    }

    #[test]
    fn a_bad_key_is_a_key_code_without_the_key() {
        let bad = "VKCF7-HV62C-944TY-YJ9NF-6Q83H";
        let mut n = 7usize;
        let r = unsafe {
            volact_unattend_set_key(
                MAK_FILE.as_ptr(),
                MAK_FILE.len(),
                bad.as_ptr(),
                bad.len(),
                ptr::null_mut(),
                0,
                &mut n,
            )
        };
        assert_eq!(r, volact_result::KeyChecksum);
        assert_eq!(n, 7);
        let mut msg = [0 as c_char; 512];
        let mut m = 0usize;
        unsafe { crate::error::volact_last_error_message(msg.as_mut_ptr(), msg.len(), &mut m) };
        let msg: Vec<u8> = msg[..m].iter().map(|c| *c as u8).collect();
        let msg = String::from_utf8(msg).unwrap();
        assert!(!msg.contains("HV62C") && !msg.contains("VKCF7"), "{msg}");
    }
}
