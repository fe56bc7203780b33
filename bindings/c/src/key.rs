//! Product keys across the C ABI.

use crate::error::{boundary, dpid_result, fail, key_result, volact_result};
use crate::strings::{bytes, text_arg, write_indices, write_out, write_str};
use std::ffi::c_char;
use volact_core::catalog;
use volact_core::key::{self, Algorithm, DpidLayout, Pkey2009, ProductKey};

/// A valid product key (opaque). Create with `volact_product_key_parse` or
/// `volact_decode_digital_product_id`; release with `volact_product_key_free`.
#[derive(Debug)]
pub struct volact_product_key {
    key: ProductKey,
}

/// Key algorithm. `NONE` when a text does not parse.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum volact_algorithm {
    None = 0,
    Pkey2005 = 1,
    Pkey2009 = 2,
}

impl From<Algorithm> for volact_algorithm {
    fn from(a: Algorithm) -> Self {
        match a {
            Algorithm::Pkey2005 => volact_algorithm::Pkey2005,
            Algorithm::Pkey2009 => volact_algorithm::Pkey2009,
        }
    }
}

/// The decoded fields of a pkey2009 key (facts: group id bits 0–19, serial 20–49, security
/// 50–102, checksum 103–112, upgrade 113, extra 114).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct volact_pkey2009 {
    pub group_id: u32,
    pub serial: u32,
    pub security: u64,
    pub checksum: u16,
    pub upgrade: bool,
    pub extra: bool,
}

impl From<Pkey2009> for volact_pkey2009 {
    fn from(f: Pkey2009) -> Self {
        volact_pkey2009 {
            group_id: f.group_id,
            serial: f.serial,
            security: f.security,
            checksum: f.checksum,
            upgrade: f.upgrade,
            extra: f.extra,
        }
    }
}

/// What `volact_key_inspect` finds in a text, valid or not.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct volact_key_info {
    /// `VOLACT_RESULT_OK` for a valid key, else the `VOLACT_RESULT_KEY_*` reason.
    pub error: volact_result,
    /// 0-based character index the error points at; `SIZE_MAX` when it points nowhere.
    pub error_position: usize,
    /// The algorithm when the text passes the syntax rules.
    pub algorithm: volact_algorithm,
    /// Whether `fields` holds pkey2009 fields (also for a checksum mismatch).
    pub has_fields: bool,
    pub fields: volact_pkey2009,
}

/// Parses and verifies a product key (any case, dashes and ASCII whitespace anywhere).
/// On success `*key_out` receives a new handle; on failure it is untouched and the
/// `VOLACT_RESULT_KEY_*` code says why (details: `volact_last_error_message`).
///
/// # Safety
/// `text` valid for `len` bytes; `key_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_parse(
    text: *const u8,
    len: usize,
    key_out: *mut *mut volact_product_key,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        if key_out.is_null() {
            return fail(volact_result::NullParameter, "key_out is NULL");
        }
        match ProductKey::parse(input) {
            Ok(key) => {
                let handle = Box::into_raw(Box::new(volact_product_key { key }));
                // SAFETY: checked non-NULL.
                unsafe { *key_out = handle };
                volact_result::Ok
            }
            Err(e) => fail(key_result(&e), e),
        }
    })
}

/// Releases a key handle. NULL is allowed and does nothing.
///
/// # Safety
/// `key` must come from this library and not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_free(key: *mut volact_product_key) {
    let _ = boundary(|| {
        if !key.is_null() {
            // SAFETY: the handle came from Box::into_raw in this library.
            drop(unsafe { Box::from_raw(key) });
        }
        volact_result::Ok
    });
}

/// Borrows the key behind a handle.
///
/// # Safety
/// `key` NULL or a live handle.
unsafe fn borrow<'a>(key: *const volact_product_key) -> Result<&'a ProductKey, volact_result> {
    if key.is_null() {
        return Err(fail(volact_result::NullParameter, "key handle is NULL"));
    }
    // SAFETY: a live handle per the caller contract.
    Ok(unsafe { &(*key).key })
}

macro_rules! with_key {
    ($key:expr, |$k:ident| $body:expr) => {
        boundary(|| {
            // SAFETY: forwarded caller contract (a live handle or NULL).
            match unsafe { borrow($key) } {
                Ok($k) => $body,
                Err(r) => r,
            }
        })
    };
}

/// The key's algorithm.
///
/// # Safety
/// `key` a live handle; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_algorithm(
    key: *const volact_product_key,
    out: *mut volact_algorithm,
) -> volact_result {
    // SAFETY: caller contract.
    with_key!(key, |k| unsafe { write_out(out, k.algorithm().into()) })
}

/// The decoded pkey2009 fields; `VOLACT_RESULT_NOT_FOUND` for a pkey2005 key.
///
/// # Safety
/// `key` a live handle; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_pkey2009(
    key: *const volact_product_key,
    out: *mut volact_pkey2009,
) -> volact_result {
    with_key!(key, |k| match k.pkey2009() {
        // SAFETY: caller contract.
        Some(f) => unsafe { write_out(out, f.into()) },
        None => fail(
            volact_result::NotFound,
            "a pkey2005 key has no pkey2009 fields"
        ),
    })
}

/// Which string of a key to write.
#[derive(Clone, Copy)]
enum KeyText {
    Masked,
    Reveal,
    Partial,
    Fingerprint,
}

unsafe fn key_text(
    key: *const volact_product_key,
    which: KeyText,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    with_key!(key, |k| {
        let s = match which {
            KeyText::Masked => k.masked(),
            KeyText::Reveal => k.reveal(),
            KeyText::Partial => k.partial().to_owned(),
            KeyText::Fingerprint => k.fingerprint(),
        };
        // SAFETY: caller contract.
        unsafe { write_str(&s, buf, len, out_n) }
    })
}

/// The masked form `XXXXX-XXXXX-XXXXX-XXXXX-ABCDE` (30 bytes with the NUL).
///
/// # Safety
/// `key` a live handle; `buf` valid for `len` bytes; `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_masked(
    key: *const volact_product_key,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: forwarded.
    unsafe { key_text(key, KeyText::Masked, buf, len, out_n) }
}

/// The key itself, canonical (30 bytes with the NUL). The one call that reveals a key:
/// use it only where the user asked to see it.
///
/// # Safety
/// As `volact_product_key_masked`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_reveal(
    key: *const volact_product_key,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: forwarded.
    unsafe { key_text(key, KeyText::Reveal, buf, len, out_n) }
}

/// The last five symbols, as Windows shows them (6 bytes with the NUL).
///
/// # Safety
/// As `volact_product_key_masked`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_partial(
    key: *const volact_product_key,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: forwarded.
    unsafe { key_text(key, KeyText::Partial, buf, len, out_n) }
}

/// SHA-256 of the canonical form, lowercase hex (65 bytes with the NUL).
///
/// # Safety
/// As `volact_product_key_masked`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_fingerprint(
    key: *const volact_product_key,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: forwarded.
    unsafe { key_text(key, KeyText::Fingerprint, buf, len, out_n) }
}

/// The key's channel when volact knows it (`Volume:GVLK` for published GVLKs);
/// `VOLACT_RESULT_NOT_FOUND` otherwise: volact never guesses a channel.
///
/// # Safety
/// As `volact_product_key_masked`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_channel(
    key: *const volact_product_key,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    with_key!(key, |k| match catalog::channel(k) {
        // SAFETY: caller contract.
        Some(c) => unsafe { write_str(c, buf, len, out_n) },
        None => fail(
            volact_result::NotFound,
            "channel unknown: not a published GVLK"
        ),
    })
}

/// The catalog rows (indices for `volact_catalog_row_get`) that publish this key; one key
/// may stand in several rows. `*out_n` gets the count (0 for keys not in the catalog).
///
/// # Safety
/// `key` a live handle; `indices` valid for `cap` elements; `out_n` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_product_key_catalog_rows(
    key: *const volact_product_key,
    indices: *mut usize,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    with_key!(key, |k| {
        let rows = catalog::rows();
        let found: Vec<usize> = catalog::rows_for_key(k)
            .into_iter()
            .filter_map(|r| rows.iter().position(|x| std::ptr::eq(x, r)))
            .collect();
        // SAFETY: caller contract.
        unsafe { write_indices(&found, indices, cap, out_n) }
    })
}

/// Inspects a text, valid or not: fills `*out` and returns `VOLACT_RESULT_OK` whenever the
/// inspection ran; `out->error` carries the verdict (and the last error message its words).
///
/// # Safety
/// `text` valid for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_key_inspect(
    text: *const u8,
    len: usize,
    out: *mut volact_key_info,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        let r = key::inspect(input);
        let error = match &r.error {
            None => volact_result::Ok,
            Some(e) => fail(key_result(e), e),
        };
        let info = volact_key_info {
            error,
            error_position: r
                .error
                .as_ref()
                .and_then(|e| e.position())
                .unwrap_or(usize::MAX),
            algorithm: r.algorithm.map_or(volact_algorithm::None, Into::into),
            has_fields: r.fields.is_some(),
            fields: r.fields.map(Into::into).unwrap_or_default(),
        };
        // SAFETY: caller contract.
        unsafe { write_out(out, info) }
    })
}

/// The masked form of any text, key or not (what `volact key inspect` shows).
///
/// # Safety
/// `text` valid for `len` bytes; `buf` for `buf_len`; `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_key_masked_text(
    text: *const u8,
    len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        // SAFETY: caller contract.
        unsafe { write_str(&key::masked_text(input), buf, buf_len, out_n) }
    })
}

/// Checks one key per `\n`-separated line of `text`. Line `i`'s status goes to
/// `statuses[i]` (0 invalid, 1 valid pkey2005, 2 valid pkey2009, 3 checksum mismatch) and its
/// group id to `group_ids[i]` (0 when not pkey2009). An empty text has no lines. `*out_n`
/// gets the line count; `VOLACT_RESULT_BUFFER_TOO_SMALL` (nothing written) when `cap` is
/// smaller.
///
/// # Safety
/// `text` valid for `len` bytes; `statuses` and `group_ids` valid for `cap` elements;
/// `out_n` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_keys_check_batch(
    text: *const u8,
    len: usize,
    statuses: *mut u8,
    group_ids: *mut u32,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        if out_n.is_null() {
            return fail(volact_result::NullParameter, "out_n is NULL");
        }
        let packed = key::check_batch(input);
        let n = packed.len() / 5;
        // SAFETY: checked non-NULL.
        unsafe { *out_n = n };
        if n == 0 {
            return volact_result::Ok;
        }
        if cap < n {
            // The sizing protocol: not recorded as the last error.
            return volact_result::BufferTooSmall;
        }
        if statuses.is_null() || group_ids.is_null() {
            return fail(
                volact_result::NullParameter,
                "statuses or group_ids is NULL",
            );
        }
        let (status_bytes, group_bytes) = packed.split_at(n);
        // SAFETY: both arrays hold at least n elements.
        unsafe {
            std::ptr::copy_nonoverlapping(status_bytes.as_ptr(), statuses, n);
            for (i, g) in group_bytes.chunks_exact(4).enumerate() {
                *group_ids.add(i) = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
            }
        }
        volact_result::Ok
    })
}

/// Registry blob layouts for `volact_decode_digital_product_id`.
#[repr(u32)]
#[derive(Clone, Copy, Debug)]
pub enum volact_dpid_layout {
    /// `DigitalProductId`: key bytes at offset 52.
    DigitalProductId = 0,
    /// `DigitalProductId4`: key bytes at offset 808 (third-party sources only).
    DigitalProductId4 = 1,
}

/// Decodes the product key in a `DigitalProductId` (`layout` 0) or `DigitalProductId4`
/// (`layout` 1) registry blob into a new key handle.
///
/// # Safety
/// `blob` valid for `len` bytes; `key_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_decode_digital_product_id(
    blob: *const u8,
    len: usize,
    layout: u32,
    key_out: *mut *mut volact_product_key,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let data = match unsafe { bytes(blob, len) } {
            Ok(b) => b,
            Err(r) => return r,
        };
        let layout = match layout {
            0 => DpidLayout::DigitalProductId,
            1 => DpidLayout::DigitalProductId4,
            other => {
                return fail(
                    volact_result::InvalidArgument,
                    format_args!("unknown DigitalProductId layout {other}"),
                );
            }
        };
        if key_out.is_null() {
            return fail(volact_result::NullParameter, "key_out is NULL");
        }
        match key::decode_digital_product_id(data, layout) {
            Ok(key) => {
                // SAFETY: checked non-NULL.
                unsafe { *key_out = Box::into_raw(Box::new(volact_product_key { key })) };
                volact_result::Ok
            }
            Err(e) => fail(dpid_result(&e), e),
        }
    })
}
