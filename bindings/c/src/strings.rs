//! Text in and text out across the ABI.
//!
//! In: `(const uint8_t *ptr, size_t len)`, UTF-8, no NUL needed, borrowed for the call;
//! `(NULL, 0)` is the empty text.
//! Out: a caller buffer `(char *buf, size_t len, size_t *out_n)`. The text and a closing NUL
//! are written when `len` exceeds the text's length; `*out_n` (when not NULL) receives the
//! text's length without the NUL, also on `VOLACT_RESULT_BUFFER_TOO_SMALL` so the caller can
//! size a buffer and call again. Nothing is written to `buf` when it is too small.

use crate::error::{fail, volact_result};
use std::ffi::c_char;

/// Borrows a caller's text argument, or returns the failure from the enclosing export body.
/// Use inside a `// SAFETY:`-commented statement: the caller vouches for the pointer.
macro_rules! text_arg {
    ($ptr:expr, $len:expr) => {
        match unsafe { $crate::strings::borrow_text($ptr, $len) } {
            Ok(text) => text,
            Err(result) => return result,
        }
    };
}
pub(crate) use text_arg;

/// Borrows a caller's text.
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
pub(crate) unsafe fn borrow_text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, volact_result> {
    // (NULL, 0) is the empty text: C#'s `fixed` and .NET's LibraryImport pass NULL for
    // empty arrays.
    if ptr.is_null() && len == 0 {
        return Ok("");
    }
    if ptr.is_null() {
        return Err(fail(volact_result::NullParameter, "text pointer is NULL"));
    }
    // SAFETY: non-NULL, and the caller vouches for `len` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).map_err(|e| {
        fail(
            volact_result::InvalidUtf8,
            format_args!(
                "text is not UTF-8: invalid byte at offset {}",
                e.valid_up_to()
            ),
        )
    })
}

/// Borrows a caller's bytes.
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], volact_result> {
    if ptr.is_null() && len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(fail(volact_result::NullParameter, "byte pointer is NULL"));
    }
    // SAFETY: non-NULL, and the caller vouches for `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Copies `text` and a NUL into a caller buffer (conventions above).
///
/// A short buffer is the sizing protocol, not a failure of the input: it returns
/// `BufferTooSmall` without touching the last error message, so a caller can size its buffer
/// and retry, also when what it is reading is that very message.
///
/// # Safety
/// `buf` valid for writes of `len` bytes or NULL; `out_n` NULL or writable.
pub(crate) unsafe fn write_str(
    text: &str,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    if !out_n.is_null() {
        // SAFETY: non-NULL and writable per the caller contract.
        unsafe { *out_n = text.len() };
    }
    if len <= text.len() {
        return volact_result::BufferTooSmall;
    }
    if buf.is_null() {
        return fail(volact_result::NullParameter, "output buffer is NULL");
    }
    // SAFETY: `buf` holds at least text.len() + 1 bytes; the regions cannot overlap because
    // `text` is owned by Rust.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        *buf.add(text.len()) = 0;
    }
    volact_result::Ok
}

/// Copies bytes into a caller buffer: the strings' sizing protocol without the NUL.
/// `*out_n` (when not NULL) gets the byte count, also on `BufferTooSmall`; the bytes are
/// written when `len >= count`. A short buffer is not recorded as the last error.
///
/// # Safety
/// `buf` valid for writes of `len` bytes or NULL; `out_n` NULL or writable.
pub(crate) unsafe fn write_bytes(
    data: &[u8],
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    if !out_n.is_null() {
        // SAFETY: non-NULL and writable per the caller contract.
        unsafe { *out_n = data.len() };
    }
    if len < data.len() {
        return volact_result::BufferTooSmall;
    }
    if data.is_empty() {
        return volact_result::Ok;
    }
    if buf.is_null() {
        return fail(volact_result::NullParameter, "output buffer is NULL");
    }
    // SAFETY: `buf` holds at least data.len() bytes; `data` is owned by Rust, so the regions
    // cannot overlap.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len()) };
    volact_result::Ok
}

/// Writes a value through an out-pointer, or fails on NULL.
///
/// # Safety
/// `out` NULL or valid for a write of `T`.
/// `value` as compact JSON, or the recorded internal error: only maps with non-string keys
/// make serde_json fail, and the core's report types have none.
pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<String, volact_result> {
    serde_json::to_string(value).map_err(|e| {
        fail(
            volact_result::Panic,
            format_args!("internal error: cannot write JSON: {e}"),
        )
    })
}

pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) -> volact_result {
    if out.is_null() {
        return fail(volact_result::NullParameter, "out pointer is NULL");
    }
    // SAFETY: non-NULL and writable per the caller contract.
    unsafe { out.write(value) };
    volact_result::Ok
}

/// Copies indices into a caller array: `*out_n` gets the count; `BufferTooSmall` when
/// `cap` is short (nothing written to `out`).
///
/// # Safety
/// `out` valid for `cap` writes (or NULL with `cap` 0); `out_n` writable.
pub(crate) unsafe fn write_indices(
    items: &[usize],
    out: *mut usize,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    if out_n.is_null() {
        return fail(volact_result::NullParameter, "out_n is NULL");
    }
    // SAFETY: checked non-NULL above.
    unsafe { *out_n = items.len() };
    if items.is_empty() {
        return volact_result::Ok;
    }
    if cap < items.len() {
        // The sizing protocol, as for strings: not recorded as the last error.
        return volact_result::BufferTooSmall;
    }
    if out.is_null() {
        return fail(volact_result::NullParameter, "index array is NULL");
    }
    // SAFETY: `out` holds at least items.len() elements.
    unsafe { std::ptr::copy_nonoverlapping(items.as_ptr(), out, items.len()) };
    volact_result::Ok
}
