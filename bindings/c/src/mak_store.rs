//! The MAK store across the C ABI: the administrator's MAKs (and CSVLK and retail keys),
//! classified by a user catalog or declared, with remaining-activation snapshots
//! (`docs/mak-store.md`).
//!
//! Every rule is the core's (`volact_core::mak`) and every file goes through `volact_io`
//! (bounded read, owner-only atomic write, a store others can read refused), as for
//! `volact mak`. Keys never leave the library unmasked: entry JSON shows
//! `XXXXX-XXXXX-XXXXX-XXXXX-` and the last five characters, and no message holds a key.

use crate::error::{boundary, fail, key_result, volact_result};
use crate::strings::{text_arg, write_out, write_str};
use crate::user_catalog::volact_user_catalog;
use std::ffi::c_char;
use std::path::Path;
use volact_core::catalog::UserCatalog;
use volact_core::mak::{KeyKind, MakStore, MakStoreError};
use volact_io::{IoError, MakStoreFileError};

/// A MAK store (opaque). Create with `volact_mak_store_new` or `volact_mak_store_load`;
/// release with `volact_mak_store_free`. Calls taking a `const volact_mak_store *` only read
/// it; the others need the handle to themselves.
#[derive(Debug)]
pub struct volact_mak_store {
    pub(crate) store: MakStore,
}

/// `declared` of `volact_mak_store_add`: no declaration (the catalog must know the key).
pub const VOLACT_KEY_KIND_NONE: u32 = 0;
/// `declared`: a MAK (`Volume:MAK`).
pub const VOLACT_KEY_KIND_MAK: u32 = 1;
/// `declared`: a KMS host key (`Volume:CSVLK`).
pub const VOLACT_KEY_KIND_CSVLK: u32 = 2;
/// `declared`: a retail key (`Retail`).
pub const VOLACT_KEY_KIND_RETAIL: u32 = 3;

/// The result code of a store operation's refusal.
pub(crate) fn mak_store_result(e: &MakStoreError) -> volact_result {
    match e {
        MakStoreError::InvalidKey { source, .. } => key_result(source),
        MakStoreError::UnknownType { .. } => volact_result::MakUnknownType,
        MakStoreError::Gvlk { .. } => volact_result::MakGvlk,
        MakStoreError::Contradiction { .. } => volact_result::MakContradiction,
        MakStoreError::UnsupportedChannel { .. } => volact_result::MakUnsupportedChannel,
        MakStoreError::Duplicate { .. } => volact_result::MakDuplicate,
        MakStoreError::NotFound { .. } => volact_result::NotFound,
        MakStoreError::Ambiguous { .. } => volact_result::MakAmbiguous,
        MakStoreError::Json { .. } | MakStoreError::InvalidEntry { .. } => {
            volact_result::MakStoreFormat
        }
        MakStoreError::Version { .. } => volact_result::MakStoreVersion,
        _ => volact_result::MakStoreOther,
    }
}

fn mak_store_file_result(e: &MakStoreFileError) -> volact_result {
    match e {
        MakStoreFileError::Store { source, .. } => mak_store_result(source),
        MakStoreFileError::Exposed { .. } => volact_result::MakStoreExposed,
        MakStoreFileError::Io(IoError::TooLarge { .. }) | MakStoreFileError::Io(_) => {
            volact_result::Io
        }
        _ => volact_result::MakStoreOther,
    }
}

/// # Safety
/// `handle` NULL or a live handle.
pub(crate) unsafe fn borrow<'a>(
    handle: *const volact_mak_store,
) -> Result<&'a volact_mak_store, volact_result> {
    if handle.is_null() {
        return Err(fail(
            volact_result::NullParameter,
            "MAK store handle is NULL",
        ));
    }
    // SAFETY: a live handle per the caller contract.
    Ok(unsafe { &*handle })
}

/// # Safety
/// `handle` NULL or a live handle used by nothing else during the call.
unsafe fn borrow_mut<'a>(
    handle: *mut volact_mak_store,
) -> Result<&'a mut volact_mak_store, volact_result> {
    if handle.is_null() {
        return Err(fail(
            volact_result::NullParameter,
            "MAK store handle is NULL",
        ));
    }
    // SAFETY: a live, unshared handle per the caller contract.
    Ok(unsafe { &mut *handle })
}

/// # Safety
/// `out` NULL or writable.
unsafe fn hand_out(out: *mut *mut volact_mak_store, store: MakStore) -> volact_result {
    if out.is_null() {
        return fail(volact_result::NullParameter, "out is NULL");
    }
    let handle = Box::into_raw(Box::new(volact_mak_store { store }));
    // SAFETY: non-NULL and writable per the caller contract.
    unsafe { write_out(out, handle) }
}

/// Writes an entry's JSON after a change was applied: the change stands whatever the buffer
/// (read the entry again with `volact_mak_store_get`). The JSON and a NUL are written when
/// `cap > *out_n`, else `out` gets the empty string (when `cap > 0`).
///
/// # Safety
/// `out` valid for `cap` bytes or NULL with `cap` 0; `out_n` NULL or writable.
unsafe fn write_after_change(
    json: &str,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: caller contract.
    let written = unsafe { write_str(json, out, cap, out_n) };
    if written == volact_result::BufferTooSmall && cap > 0 && !out.is_null() {
        // SAFETY: non-NULL and at least one byte long.
        unsafe { *out = 0 };
    }
    volact_result::Ok
}

/// A new, empty MAK store.
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_new(out: *mut *mut volact_mak_store) -> volact_result {
    // SAFETY: caller contract.
    boundary(|| unsafe { hand_out(out, MakStore::new()) })
}

/// Reads a MAK store file (`path` UTF-8, without a NUL); **a missing file is an empty
/// store**, as for `volact mak`. `VOLACT_RESULT_MAK_STORE_EXPOSED` when its group or others
/// can read it (Unix: `chmod 600` it; the keys may have been seen),
/// `VOLACT_RESULT_MAK_STORE_FORMAT` / `_VERSION` for its contents, `VOLACT_RESULT_IO` when it
/// cannot be read. `*out` is written only on success.
///
/// # Safety
/// `path` valid for `path_len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_load(
    path: *const u8,
    path_len: usize,
    out: *mut *mut volact_mak_store,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let path = text_arg!(path, path_len);
        if out.is_null() {
            return fail(volact_result::NullParameter, "out is NULL");
        }
        match volact_io::load_mak_store(Path::new(path)) {
            // SAFETY: checked non-NULL.
            Ok(store) => unsafe { hand_out(out, store) },
            Err(e) => fail(mak_store_file_result(&e), e),
        }
    })
}

/// Saves the store (`path` UTF-8, without a NUL) atomically as an owner-only file (0600 on
/// Unix, in a directory created 0700 when missing). The file holds the keys in clear.
/// `VOLACT_RESULT_IO` when it cannot be written.
///
/// # Safety
/// `handle` a live handle; `path` valid for `path_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_save(
    handle: *const volact_mak_store,
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
        match volact_io::save_mak_store(Path::new(path), &h.store) {
            Ok(()) => volact_result::Ok,
            Err(e) => fail(mak_store_file_result(&e), e),
        }
    })
}

/// Adds a key the administrator owns. It is classified with `catalog` (a user catalog handle,
/// or NULL for the published GVLKs only); `declared` is `VOLACT_KEY_KIND_NONE` or the kind
/// the administrator declares for a key no catalog knows (`VOLACT_KEY_KIND_MAK`, `_CSVLK`,
/// `_RETAIL`; anything else is `VOLACT_RESULT_INVALID_ARGUMENT`). `now_unix` is the time
/// recorded as `added_at`.
///
/// Refusals: `VOLACT_RESULT_KEY_*` for an invalid key, `VOLACT_RESULT_MAK_GVLK`,
/// `_MAK_UNKNOWN_TYPE` (declare the kind), `_MAK_CONTRADICTION`, `_MAK_UNSUPPORTED_CHANNEL`,
/// `_MAK_DUPLICATE`; nothing changes and messages show keys masked.
///
/// On `VOLACT_RESULT_OK` **the store is changed** and the new entry's JSON (key masked; see
/// `volact_mak_store_list`) goes to `out` when it fits (`cap > *out_n`), else `out` gets the
/// empty string: do not add again, read it with `volact_mak_store_get`. `(NULL, 0, NULL)`
/// asks for nothing.
///
/// # Safety
/// `handle` a live handle used by nothing else during the call; `catalog` NULL or a live
/// catalog handle; texts valid for their lengths; `out` valid for `cap` bytes (or NULL with
/// 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn volact_mak_store_add(
    handle: *mut volact_mak_store,
    key: *const u8,
    key_len: usize,
    declared: u32,
    description: *const u8,
    description_len: usize,
    now_unix: i64,
    catalog: *const volact_user_catalog,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow_mut(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let key = text_arg!(key, key_len);
        // SAFETY: caller contract.
        let description = text_arg!(description, description_len);
        let declared = match declared {
            VOLACT_KEY_KIND_NONE => None,
            VOLACT_KEY_KIND_MAK => Some(KeyKind::Mak),
            VOLACT_KEY_KIND_CSVLK => Some(KeyKind::Csvlk),
            VOLACT_KEY_KIND_RETAIL => Some(KeyKind::Retail),
            other => {
                return fail(
                    volact_result::InvalidArgument,
                    format_args!(
                        "declared kind {other} is not VOLACT_KEY_KIND_NONE, _MAK, _CSVLK or _RETAIL"
                    ),
                );
            }
        };
        if out.is_null() && cap != 0 {
            return fail(volact_result::NullParameter, "out is NULL but cap is not 0");
        }
        let gvlks_only = UserCatalog::new();
        let catalog = if catalog.is_null() {
            &gvlks_only
        } else {
            // SAFETY: a live catalog handle per the caller contract.
            unsafe { &(*catalog).catalog }
        };
        let json = match h
            .store
            .add_text(key, catalog, declared, description, now_unix)
        {
            Ok(entry) => entry.to_json(),
            Err(e) => return fail(mak_store_result(&e), e),
        };
        // SAFETY: caller contract; out checked above.
        unsafe { write_after_change(&json, out, cap, out_n) }
    })
}

/// Removes the entry a selector names: its id, 4+ leading hex digits of it, the key's last
/// five characters, its masked form or the key. `VOLACT_RESULT_NOT_FOUND`,
/// `VOLACT_RESULT_MAK_AMBIGUOUS` (use the id).
///
/// # Safety
/// `handle` a live handle used by nothing else during the call; `selector` valid for
/// `selector_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_remove(
    handle: *mut volact_mak_store,
    selector: *const u8,
    selector_len: usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow_mut(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let selector = text_arg!(selector, selector_len);
        match h.store.remove(selector) {
            Ok(_) => volact_result::Ok,
            Err(e) => fail(mak_store_result(&e), e),
        }
    })
}

/// Records a remaining-activation count taken at `now_unix`: a snapshot in time, not a live
/// count. Snapshots stay in time order. Selectors as for `volact_mak_store_remove`.
///
/// # Safety
/// `handle` a live handle used by nothing else during the call; `selector` valid for
/// `selector_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_record_count(
    handle: *mut volact_mak_store,
    selector: *const u8,
    selector_len: usize,
    remaining: u32,
    now_unix: i64,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow_mut(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let selector = text_arg!(selector, selector_len);
        match h.store.record_count(selector, remaining, now_unix) {
            Ok(_) => volact_result::Ok,
            Err(e) => fail(mak_store_result(&e), e),
        }
    })
}

/// Records that `used` activations were spent at `now_unix` (a MAK independent run's
/// `volact_workflow_online_activations`): a new snapshot of the latest count less `used`.
/// `*out_recorded` (when not NULL) is set to 1, or to 0 when no count was ever recorded, so
/// there was nothing to decrement. Selectors as for `volact_mak_store_remove`.
///
/// # Safety
/// `handle` a live handle used by nothing else during the call; `selector` valid for
/// `selector_len` bytes; `out_recorded` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_record_activations(
    handle: *mut volact_mak_store,
    selector: *const u8,
    selector_len: usize,
    used: u32,
    now_unix: i64,
    out_recorded: *mut u32,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let h = match unsafe { borrow_mut(handle) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let selector = text_arg!(selector, selector_len);
        match h.store.record_activations(selector, used, now_unix) {
            Ok(entry) => {
                if !out_recorded.is_null() {
                    // SAFETY: checked non-NULL; writable by the caller contract.
                    unsafe { *out_recorded = u32::from(entry.is_some()) };
                }
                volact_result::Ok
            }
            Err(e) => fail(mak_store_result(&e), e),
        }
    })
}

/// Every entry as a JSON array, keys masked (text out, the usual protocol): objects
/// `{"id", "key", "partial", "kind", "source", "source_file", "edition", "product",
/// "description", "added_at", "added_at_unix", "remaining", "remaining_taken_at",
/// "snapshots": [{"remaining", "taken_at", "taken_at_unix"}]}` (`docs/mak-store.md`).
///
/// # Safety
/// `handle` a live handle; `out` valid for `cap` bytes (or NULL with 0); `out_n` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_list(
    handle: *const volact_mak_store,
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
        unsafe { write_str(&h.store.list_json(), out, cap, out_n) }
    })
}

/// The JSON of the entry a selector names (as in `volact_mak_store_list`; text out, the usual
/// protocol). `VOLACT_RESULT_NOT_FOUND`, `VOLACT_RESULT_MAK_AMBIGUOUS`.
///
/// # Safety
/// `handle` a live handle; `selector` valid for `selector_len` bytes; `out` valid for `cap`
/// bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_get(
    handle: *const volact_mak_store,
    selector: *const u8,
    selector_len: usize,
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
        let selector = text_arg!(selector, selector_len);
        match h.store.get(selector) {
            // SAFETY: caller contract.
            Ok(entry) => unsafe { write_str(&entry.to_json(), out, cap, out_n) },
            Err(e) => fail(mak_store_result(&e), e),
        }
    })
}

/// Releases a MAK store handle. NULL is allowed and does nothing.
///
/// # Safety
/// `handle` must come from this library and not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_mak_store_free(handle: *mut volact_mak_store) {
    let _ = boundary(|| {
        if !handle.is_null() {
            // SAFETY: the handle came from Box::into_raw in this library.
            drop(unsafe { Box::from_raw(handle) });
        }
        volact_result::Ok
    });
}
