//! The GVLK catalog across the C ABI.

use crate::error::{boundary, fail, volact_result};
use crate::strings::{text_arg, write_indices, write_out, write_str};
use std::ffi::{CString, c_char};
use std::sync::OnceLock;
use volact_core::catalog;

/// One published GVLK row. The strings are static, NUL-terminated and valid for the life
/// of the process; do not free them.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct volact_catalog_row {
    pub family: *const c_char,
    pub edition: *const c_char,
    /// The GVLK (public: Microsoft publishes these keys).
    pub key: *const c_char,
}

/// NUL-terminated copies of the catalog, made once: the core's rows are Rust strings.
fn c_rows() -> &'static [[CString; 3]] {
    static ROWS: OnceLock<Vec<[CString; 3]>> = OnceLock::new();
    ROWS.get_or_init(|| {
        catalog::rows()
            .iter()
            .map(|r| {
                // The catalog is generated from a CSV without NULs (checked by a test).
                [r.family, r.edition, r.key].map(|s| CString::new(s).unwrap_or_default())
            })
            .collect()
    })
}

/// How many rows the catalog has.
#[unsafe(no_mangle)]
pub extern "C" fn volact_catalog_len() -> usize {
    catalog::rows().len()
}

/// Row `index` of the catalog; `VOLACT_RESULT_NOT_FOUND` past the end.
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_catalog_row_get(
    index: usize,
    out: *mut volact_catalog_row,
) -> volact_result {
    boundary(|| match c_rows().get(index) {
        // SAFETY: caller contract; the pointers are to 'static CStrings.
        Some([family, edition, key]) => unsafe {
            write_out(
                out,
                volact_catalog_row {
                    family: family.as_ptr(),
                    edition: edition.as_ptr(),
                    key: key.as_ptr(),
                },
            )
        },
        None => fail(
            volact_result::NotFound,
            format_args!(
                "row {index} is past the end ({} rows)",
                catalog::rows().len()
            ),
        ),
    })
}

/// Rows whose `family edition` contains every word of `query` (case-insensitive), exact
/// names first. `*out_n` gets the count; `VOLACT_RESULT_BUFFER_TOO_SMALL` when `cap` is
/// smaller.
///
/// # Safety
/// `query` valid for `len` bytes; `indices` valid for `cap` elements; `out_n` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_catalog_gvlk(
    query: *const u8,
    len: usize,
    indices: *mut usize,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let q = text_arg!(query, len);
        let rows = catalog::rows();
        let found: Vec<usize> = catalog::gvlk(q)
            .into_iter()
            .filter_map(|r| rows.iter().position(|x| std::ptr::eq(x, r)))
            .collect();
        // SAFETY: caller contract.
        unsafe { write_indices(&found, indices, cap, out_n) }
    })
}

/// The label volact knows for a key group id; `VOLACT_RESULT_NOT_FOUND` for unknown groups.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_catalog_group_label(
    group_id: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| match catalog::group_label(group_id) {
        // SAFETY: caller contract.
        Some(label) => unsafe { write_str(label, buf, len, out_n) },
        None => fail(
            volact_result::NotFound,
            format_args!("group {group_id} is not one volact can name"),
        ),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalog_strings_hold_no_nul() {
        for r in volact_core::catalog::rows() {
            assert!(!(r.family.contains('\0') || r.edition.contains('\0') || r.key.contains('\0')));
        }
    }
}
