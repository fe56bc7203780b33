//! The callback tables through which the caller implements the machines
//! (`volact_target_vtable`) and the Confirmation ID source (`volact_cid_source_vtable`) of a
//! workflow, and the sink through which callbacks hand text to volact.
//!
//! [`CTarget`] turns a table into the core's [`ForeignTarget`] and [`CSource`] into its
//! [`ForeignCidSource`]; the core's `Foreign` adapter parses what they return. No logic
//! beyond that: this module moves text across, and turns a callback that fails, forgets to
//! say why, names no kind volact knows, or answers something that is not UTF-8 into a
//! `TargetError` rather than a crash.

use crate::error::{boundary, fail, volact_result};
use std::ffi::{c_char, c_void};
use volact_core::workflow::TargetError;
use volact_core::workflow::api::{ForeignCidSource, ForeignTarget};

/// `volact_target_error.kind`: the machine did not answer (offline, WMI blocked).
pub const VOLACT_TARGET_ERROR_UNREACHABLE: u32 = 0;
/// `kind`: remote administration was refused (credentials, UAC remote restrictions).
pub const VOLACT_TARGET_ERROR_ACCESS_DENIED: u32 = 1;
/// `kind`: the licensing service returned an HRESULT, given in `code` (e.g. 0xC004F04D).
pub const VOLACT_TARGET_ERROR_LICENSING: u32 = 2;
/// `kind`: no product with the Activation ID; `detail` holds the Activation ID.
pub const VOLACT_TARGET_ERROR_NO_SUCH_PRODUCT: u32 = 3;
/// `kind`: anything else (also what an unknown kind number reads as).
pub const VOLACT_TARGET_ERROR_OTHER: u32 = 4;
/// The size of `volact_target_error.detail` and `volact_cid_refusal.detail`, NUL included.
pub const VOLACT_DETAIL_LEN: usize = 256;

/// The most a callback may write into one `volact_sink`.
const SINK_LIMIT: usize = 64 << 20;

/// Why a target's callback failed: filled by the callback when it returns non-zero. volact
/// sets it to `{VOLACT_TARGET_ERROR_OTHER, 0, ""}` before each call.
///
/// `detail` is UTF-8 text, NUL-terminated within its 256 bytes (without a NUL, all 256 are
/// read). A kind volact does not know reads as `VOLACT_TARGET_ERROR_OTHER`; a detail that is
/// not UTF-8 makes the error `other` with a note saying so.
#[repr(C)]
#[derive(Debug)]
pub struct volact_target_error {
    /// `VOLACT_TARGET_ERROR_*`.
    pub kind: u32,
    /// The HRESULT, for `VOLACT_TARGET_ERROR_LICENSING`; otherwise ignored.
    pub code: u32,
    /// What the target saw.
    pub detail: [c_char; VOLACT_DETAIL_LEN],
}

/// Why a CID source refused an Installation ID: filled by the callback when it returns
/// non-zero. volact sets it to `{0, ""}` before each call; `detail` as in
/// `volact_target_error`.
#[repr(C)]
#[derive(Debug)]
pub struct volact_cid_refusal {
    /// The service's code (e.g. 0x7F: the MAK's activations are used up).
    pub code: u32,
    /// The service's text.
    pub detail: [c_char; VOLACT_DETAIL_LEN],
}

/// Where a callback writes text for volact (opaque): append to it with `volact_sink_write`,
/// any number of times. It lives only during the callback it is passed to: never keep it.
#[derive(Debug, Default)]
pub struct volact_sink {
    data: Vec<u8>,
    full: bool,
}

/// One Windows machine, implemented by the caller (over WMI/CIM, an agent, a simulation):
/// the C face of the core's `ActivationTarget`. volact calls these on the calling thread,
/// during the call that was given the table, never after; `user` is passed back unchanged.
///
/// Every callback returns 0 on success; on failure it fills `*err` and returns non-zero.
/// A NULL callback fails with `VOLACT_TARGET_ERROR_OTHER` when volact needs it (a survey
/// needs only `machine_json` and `products_json`).
///
/// Text volact passes is UTF-8 `(text, len)`, also NUL-terminated (`text[len] == 0`),
/// borrowed for the callback. Text the callback returns goes into `out` with
/// `volact_sink_write`; text that is not UTF-8 fails the operation (`other`).
#[repr(C)]
#[derive(Debug)]
pub struct volact_target_vtable {
    /// The caller's pointer, passed to every callback.
    pub user: *mut c_void,
    /// The machine as JSON: `{"name", "network_type": "Domain"|"Workgroup",
    /// "network_name", "os_version", "mac_addresses": [...]}`.
    pub machine_json: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            out: *mut volact_sink,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// The products with a key installed, as a JSON array of `{"activation_id",
    /// "application_id", "name", "family", "edition_id", "channel" (e.g. "Volume:MAK"),
    /// "license_status" (0-6), "grace_remaining" (minutes), "installation_id",
    /// "product_key_id", "partial_product_key"}` (the last three may be null).
    pub products_json: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            out: *mut volact_sink,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Installs the key (`slmgr /ipk`). The one place a key leaves volact in clear: volact
    /// zeroes its copy after the call; do not keep it.
    pub install_product_key: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            key: *const c_char,
            key_len: usize,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Activates a product online (`slmgr /ato ActID`).
    pub activate: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            activation_id: *const c_char,
            activation_id_len: usize,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Deposits the CID issued for the IID (`slmgr /atp CID ActID`).
    pub deposit_confirmation_id: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            activation_id: *const c_char,
            activation_id_len: usize,
            installation_id: *const c_char,
            installation_id_len: usize,
            confirmation_id: *const c_char,
            confirmation_id_len: usize,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Sets the KMS host (`host`, `host:port`, `[v6]:port`, `:port`; `slmgr /skms`), or
    /// clears it when `host` is NULL (`/ckms`).
    pub set_kms_host: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            host: *const c_char,
            host_len: usize,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Sets the SRV lookup domain (`/skms-domain`), or clears it when `domain` is NULL.
    pub set_kms_lookup_domain: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            domain: *const c_char,
            domain_len: usize,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Enables (`/skhc`) or disables (`/ckhc`) KMS host caching.
    pub set_host_caching: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            enabled: bool,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Reads a licensing registry value by name (e.g. `AlternateURL`): its data as JSON
    /// (`{"String":"..."}`, `{"MultiString":[...]}`, `{"Dword":1}`) into `out`, or nothing
    /// when the value is not set.
    pub read_value: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            name: *const c_char,
            name_len: usize,
            out: *mut volact_sink,
            err: *mut volact_target_error,
        ) -> i32,
    >,
    /// Writes a licensing registry value (data as JSON, as above), or deletes it when
    /// `data_json` is NULL.
    pub write_value: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            name: *const c_char,
            name_len: usize,
            data_json: *const c_char,
            data_json_len: usize,
            err: *mut volact_target_error,
        ) -> i32,
    >,
}

/// A supplier of Confirmation IDs, implemented by the caller (its licensed service, a file
/// of CIDs Microsoft issued): the C face of the core's `ConfirmationIdSource`. Called on the
/// calling thread during `volact_workflow_acquire` only.
#[repr(C)]
#[derive(Debug)]
pub struct volact_cid_source_vtable {
    /// The caller's pointer, passed back unchanged.
    pub user: *mut c_void,
    /// The answer for one Installation ID (`product_key_id` and `sku_id` are empty when the
    /// CIL has none; texts as for the target callbacks). Return 0 with the CID written into
    /// `out` (any grouping), 0 with nothing written when the source has nothing for this IID,
    /// or non-zero with `*refusal` filled when the service refused. NULL: nothing is
    /// available for any IID.
    pub confirmation_id: Option<
        unsafe extern "C" fn(
            user: *mut c_void,
            installation_id: *const c_char,
            installation_id_len: usize,
            product_key_id: *const c_char,
            product_key_id_len: usize,
            sku_id: *const c_char,
            sku_id_len: usize,
            out: *mut volact_sink,
            refusal: *mut volact_cid_refusal,
        ) -> i32,
    >,
}

/// Appends `len` bytes to a sink, from inside the callback the sink was passed to.
/// `VOLACT_RESULT_WORKFLOW_SINK_FULL` past 64 MiB in all (the callback's answer is then
/// refused, whatever it returns).
///
/// # Safety
/// `sink` the pointer a callback was given, used during that callback only; `data` valid
/// for `len` bytes (or NULL with 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_sink_write(
    sink: *mut volact_sink,
    data: *const u8,
    len: usize,
) -> volact_result {
    boundary(|| {
        if sink.is_null() {
            return fail(volact_result::NullParameter, "sink is NULL");
        }
        // SAFETY: caller contract.
        let data = match unsafe { crate::strings::bytes(data, len) } {
            Ok(d) => d,
            Err(r) => return r,
        };
        // SAFETY: a live sink, used by nothing else during the callback.
        let sink = unsafe { &mut *sink };
        if sink.full || data.len() > SINK_LIMIT - sink.data.len() {
            sink.full = true;
            return fail(
                volact_result::WorkflowSinkFull,
                format_args!("a callback wrote more than {} MiB", SINK_LIMIT >> 20),
            );
        }
        sink.data.extend_from_slice(data);
        volact_result::Ok
    })
}

/// The text of a `detail` field, up to its NUL (or all of it); `None` when not UTF-8.
fn detail_text(detail: &[c_char; VOLACT_DETAIL_LEN]) -> Option<String> {
    let bytes: Vec<u8> = detail
        .iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect();
    String::from_utf8(bytes).ok()
}

/// Text for a callback: the bytes and a NUL, so C code may also read it as a C string.
fn c_text(text: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(text.len() + 1);
    v.extend_from_slice(text.as_bytes());
    v.push(0);
    v
}

/// The `(text, len)` pair of an optional [`c_text`]: `(NULL, 0)` for `None`.
fn c_arg(text: Option<&[u8]>) -> (*const c_char, usize) {
    match text {
        Some(t) => (t.as_ptr().cast(), t.len() - 1),
        None => (std::ptr::null(), 0),
    }
}

fn missing(op: &str) -> TargetError {
    TargetError::Other {
        detail: format!("the target has no {op} callback"),
    }
}

/// A [`volact_target_vtable`] as the core's [`ForeignTarget`].
#[derive(Debug)]
pub(crate) struct CTarget<'a> {
    pub(crate) vt: &'a volact_target_vtable,
}

impl CTarget<'_> {
    /// Runs one callback with a fresh error struct; its status as a `Result`.
    fn status(
        op: &str,
        call: impl FnOnce(*mut volact_target_error) -> i32,
    ) -> Result<(), TargetError> {
        let mut err = volact_target_error {
            kind: VOLACT_TARGET_ERROR_OTHER,
            code: 0,
            detail: [0; VOLACT_DETAIL_LEN],
        };
        if call(&mut err) == 0 {
            return Ok(());
        }
        Err(match detail_text(&err.detail) {
            Some(d) if d.is_empty() => TargetError::from_parts(
                err.kind,
                err.code,
                format!("the target's {op} failed without a detail"),
            ),
            Some(d) => TargetError::from_parts(err.kind, err.code, d),
            None => TargetError::Other {
                detail: format!("the target's {op} failed with a detail that is not UTF-8"),
            },
        })
    }

    /// Runs one callback that answers through a sink: `None` when it wrote nothing.
    fn text(
        op: &str,
        call: impl FnOnce(*mut volact_sink, *mut volact_target_error) -> i32,
    ) -> Result<Option<String>, TargetError> {
        let mut sink = volact_sink::default();
        Self::status(op, |err| call(&mut sink, err))?;
        if sink.full {
            return Err(TargetError::Other {
                detail: format!(
                    "the target's {op} answer is larger than {} MiB",
                    SINK_LIMIT >> 20
                ),
            });
        }
        if sink.data.is_empty() {
            return Ok(None);
        }
        String::from_utf8(sink.data)
            .map(Some)
            .map_err(|_| TargetError::Other {
                detail: format!("the target's {op} answer is not UTF-8"),
            })
    }

    /// A callback that takes one optional text.
    fn with_text(
        &self,
        op: &str,
        f: Option<
            unsafe extern "C" fn(
                *mut c_void,
                *const c_char,
                usize,
                *mut volact_target_error,
            ) -> i32,
        >,
        text: Option<&str>,
    ) -> Result<(), TargetError> {
        let f = f.ok_or_else(|| missing(op))?;
        let owned = text.map(c_text);
        let (ptr, len) = c_arg(owned.as_deref());
        // SAFETY: the caller vouches for its callbacks; `ptr` lives for the call.
        Self::status(op, |err| unsafe { f(self.vt.user, ptr, len, err) })
    }
}

impl ForeignTarget for CTarget<'_> {
    fn machine_json(&mut self) -> Result<String, TargetError> {
        let f = self
            .vt
            .machine_json
            .ok_or_else(|| missing("machine_json"))?;
        // SAFETY: the caller vouches for its callbacks; the sink lives for the call.
        Self::text("machine_json", |out, err| unsafe {
            f(self.vt.user, out, err)
        })
        .map(Option::unwrap_or_default)
    }

    fn products_json(&mut self) -> Result<String, TargetError> {
        let f = self
            .vt
            .products_json
            .ok_or_else(|| missing("products_json"))?;
        // SAFETY: as above.
        Self::text("products_json", |out, err| unsafe {
            f(self.vt.user, out, err)
        })
        .map(Option::unwrap_or_default)
    }

    fn install_product_key(&mut self, key: &str) -> Result<(), TargetError> {
        let f = self
            .vt
            .install_product_key
            .ok_or_else(|| missing("install_product_key"))?;
        let mut owned = c_text(key);
        let (ptr, len) = c_arg(Some(&owned));
        // SAFETY: the caller vouches for its callbacks; `owned` lives for the call.
        let result = Self::status("install_product_key", |err| unsafe {
            f(self.vt.user, ptr, len, err)
        });
        for b in &mut owned {
            // SAFETY: a valid, exclusive reference; volatile so the wipe is not optimized out.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
        result
    }

    fn activate(&mut self, activation_id: &str) -> Result<(), TargetError> {
        self.with_text("activate", self.vt.activate, Some(activation_id))
    }

    fn deposit_confirmation_id(
        &mut self,
        activation_id: &str,
        installation_id: &str,
        confirmation_id: &str,
    ) -> Result<(), TargetError> {
        let f = self
            .vt
            .deposit_confirmation_id
            .ok_or_else(|| missing("deposit_confirmation_id"))?;
        let (a, i, c) = (
            c_text(activation_id),
            c_text(installation_id),
            c_text(confirmation_id),
        );
        let ((ap, al), (ip, il), (cp, cl)) = (c_arg(Some(&a)), c_arg(Some(&i)), c_arg(Some(&c)));
        // SAFETY: the caller vouches for its callbacks; the texts live for the call.
        Self::status("deposit_confirmation_id", |err| unsafe {
            f(self.vt.user, ap, al, ip, il, cp, cl, err)
        })
    }

    fn set_kms_host(&mut self, host: Option<&str>) -> Result<(), TargetError> {
        self.with_text("set_kms_host", self.vt.set_kms_host, host)
    }

    fn set_kms_lookup_domain(&mut self, domain: Option<&str>) -> Result<(), TargetError> {
        self.with_text(
            "set_kms_lookup_domain",
            self.vt.set_kms_lookup_domain,
            domain,
        )
    }

    fn set_host_caching(&mut self, enabled: bool) -> Result<(), TargetError> {
        let f = self
            .vt
            .set_host_caching
            .ok_or_else(|| missing("set_host_caching"))?;
        // SAFETY: the caller vouches for its callbacks.
        Self::status("set_host_caching", |err| unsafe {
            f(self.vt.user, enabled, err)
        })
    }

    fn read_value(&mut self, name: &str) -> Result<Option<String>, TargetError> {
        let f = self.vt.read_value.ok_or_else(|| missing("read_value"))?;
        let n = c_text(name);
        let (np, nl) = c_arg(Some(&n));
        // SAFETY: the caller vouches for its callbacks; the name and sink live for the call.
        Self::text("read_value", |out, err| unsafe {
            f(self.vt.user, np, nl, out, err)
        })
    }

    fn write_value(&mut self, name: &str, data_json: Option<&str>) -> Result<(), TargetError> {
        let f = self.vt.write_value.ok_or_else(|| missing("write_value"))?;
        let n = c_text(name);
        let d = data_json.map(c_text);
        let ((np, nl), (dp, dl)) = (c_arg(Some(&n)), c_arg(d.as_deref()));
        // SAFETY: the caller vouches for its callbacks; the texts live for the call.
        Self::status("write_value", |err| unsafe {
            f(self.vt.user, np, nl, dp, dl, err)
        })
    }
}

/// A [`volact_cid_source_vtable`] as the core's [`ForeignCidSource`].
#[derive(Debug)]
pub(crate) struct CSource<'a> {
    pub(crate) vt: &'a volact_cid_source_vtable,
}

impl ForeignCidSource for CSource<'_> {
    fn confirmation_id(
        &mut self,
        installation_id: &str,
        product_key_id: &str,
        sku_id: &str,
    ) -> Result<Option<String>, (u32, String)> {
        let Some(f) = self.vt.confirmation_id else {
            return Ok(None);
        };
        let (i, p, s) = (
            c_text(installation_id),
            c_text(product_key_id),
            c_text(sku_id),
        );
        let ((ip, il), (pp, pl), (sp, sl)) = (c_arg(Some(&i)), c_arg(Some(&p)), c_arg(Some(&s)));
        let mut sink = volact_sink::default();
        let mut refusal = volact_cid_refusal {
            code: 0,
            detail: [0; VOLACT_DETAIL_LEN],
        };
        // SAFETY: the caller vouches for its callback; texts, sink and refusal live for it.
        let rc = unsafe {
            f(
                self.vt.user,
                ip,
                il,
                pp,
                pl,
                sp,
                sl,
                &mut sink,
                &mut refusal,
            )
        };
        if rc != 0 {
            let detail = detail_text(&refusal.detail)
                .unwrap_or_else(|| "(the source's detail is not UTF-8)".to_owned());
            return Err((refusal.code, detail));
        }
        if sink.full {
            return Err((
                0,
                format!(
                    "the source's answer is larger than {} MiB",
                    SINK_LIMIT >> 20
                ),
            ));
        }
        if sink.data.is_empty() {
            return Ok(None);
        }
        // Bytes that are not UTF-8 are not a CID: acquisition reports them as invalid_cid.
        Ok(Some(String::from_utf8_lossy(&sink.data).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_numbers_are_the_cores() {
        let kinds = [
            VOLACT_TARGET_ERROR_UNREACHABLE,
            VOLACT_TARGET_ERROR_ACCESS_DENIED,
            VOLACT_TARGET_ERROR_LICENSING,
            VOLACT_TARGET_ERROR_NO_SUCH_PRODUCT,
            VOLACT_TARGET_ERROR_OTHER,
        ];
        for (name, n) in TargetError::KINDS.iter().zip(kinds) {
            assert_eq!(
                TargetError::from_parts(n, 0, String::new()).kind_name(),
                *name
            );
        }
        assert_eq!(kinds.len(), TargetError::KINDS.len());
    }

    unsafe extern "C" fn bad_detail(
        _: *mut c_void,
        _: *mut volact_sink,
        err: *mut volact_target_error,
    ) -> i32 {
        // SAFETY: volact passes a valid error struct.
        let err = unsafe { &mut *err };
        err.kind = 77;
        err.detail = [0xFFu8 as c_char; VOLACT_DETAIL_LEN];
        1
    }

    unsafe extern "C" fn not_utf8(
        _: *mut c_void,
        out: *mut volact_sink,
        _: *mut volact_target_error,
    ) -> i32 {
        // SAFETY: the sink volact passed.
        unsafe { volact_sink_write(out, [0xC3u8, 0x28].as_ptr(), 2) };
        0
    }

    fn table() -> volact_target_vtable {
        volact_target_vtable {
            user: std::ptr::null_mut(),
            machine_json: None,
            products_json: None,
            install_product_key: None,
            activate: None,
            deposit_confirmation_id: None,
            set_kms_host: None,
            set_kms_lookup_domain: None,
            set_host_caching: None,
            read_value: None,
            write_value: None,
        }
    }

    #[test]
    fn garbage_from_callbacks_becomes_other() {
        let mut vt = table();
        vt.machine_json = Some(bad_detail);
        vt.products_json = Some(not_utf8);
        let mut t = CTarget { vt: &vt };
        assert!(matches!(
            t.machine_json(),
            Err(TargetError::Other { detail }) if detail.contains("not UTF-8")
        ));
        assert!(matches!(
            t.products_json(),
            Err(TargetError::Other { detail }) if detail.contains("not UTF-8")
        ));
        assert!(matches!(
            t.activate("x"),
            Err(TargetError::Other { detail }) if detail.contains("no activate callback")
        ));
    }

    /// What the KMS and registry callbacks below were given, one line each.
    type Log = Vec<String>;

    /// # Safety
    /// `user` is a `Log`; `text` NULL or valid for `len` bytes.
    unsafe fn record(user: *mut c_void, op: &str, text: *const c_char, len: usize) {
        // SAFETY: the tests pass a Log as `user`.
        let log = unsafe { &mut *user.cast::<Log>() };
        if text.is_null() {
            log.push(format!("{op} NULL {len}"));
        } else {
            // SAFETY: volact passes `len` bytes and a NUL after them.
            let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), len + 1) };
            log.push(format!("{op} {:?}", bytes));
        }
    }

    unsafe extern "C" fn kms_host(
        user: *mut c_void,
        host: *const c_char,
        len: usize,
        _: *mut volact_target_error,
    ) -> i32 {
        // SAFETY: as `record` needs.
        unsafe { record(user, "skms", host, len) };
        0
    }

    unsafe extern "C" fn caching(
        user: *mut c_void,
        enabled: bool,
        _: *mut volact_target_error,
    ) -> i32 {
        // SAFETY: the tests pass a Log as `user`.
        unsafe { &mut *user.cast::<Log>() }.push(format!("hc {enabled}"));
        0
    }

    unsafe extern "C" fn value(
        user: *mut c_void,
        name: *const c_char,
        len: usize,
        out: *mut volact_sink,
        _: *mut volact_target_error,
    ) -> i32 {
        // SAFETY: as `record` needs.
        unsafe { record(user, "read", name, len) };
        // AlternateURL is set; anything else is not.
        // SAFETY: volact passes `len` readable bytes.
        if unsafe { std::slice::from_raw_parts(name.cast::<u8>(), len) } == b"AlternateURL" {
            let data = br#"{"String":"https://help.example"}"#;
            // SAFETY: the sink volact passed.
            unsafe { volact_sink_write(out, data.as_ptr(), data.len()) };
        }
        0
    }

    unsafe extern "C" fn write(
        user: *mut c_void,
        name: *const c_char,
        len: usize,
        data: *const c_char,
        data_len: usize,
        _: *mut volact_target_error,
    ) -> i32 {
        // SAFETY: as `record` needs.
        unsafe {
            record(user, "write", name, len);
            record(user, "data", data, data_len);
        }
        0
    }

    #[test]
    fn texts_reach_callbacks_with_a_nul_and_none_as_null() {
        let mut log: Log = Vec::new();
        let mut vt = table();
        vt.user = (&mut log as *mut Log).cast();
        vt.set_kms_host = Some(kms_host);
        vt.set_kms_lookup_domain = Some(kms_host);
        vt.set_host_caching = Some(caching);
        vt.read_value = Some(value);
        vt.write_value = Some(write);
        let mut t = CTarget { vt: &vt };
        t.set_kms_host(Some("kms1:1688")).unwrap();
        t.set_kms_host(None).unwrap();
        t.set_host_caching(false).unwrap();
        assert_eq!(
            t.read_value("AlternateURL").unwrap().as_deref(),
            Some(r#"{"String":"https://help.example"}"#)
        );
        assert_eq!(t.read_value("KeyManagementServiceName").unwrap(), None);
        t.write_value("Manual", Some("{\"Dword\":1}")).unwrap();
        t.write_value("Manual", None).unwrap();
        assert_eq!(
            log,
            [
                format!("skms {:?}", b"kms1:1688\0"),
                "skms NULL 0".to_owned(),
                "hc false".to_owned(),
                format!("read {:?}", b"AlternateURL\0"),
                format!("read {:?}", b"KeyManagementServiceName\0"),
                format!("write {:?}", b"Manual\0"),
                format!("data {:?}", b"{\"Dword\":1}\0"),
                format!("write {:?}", b"Manual\0"),
                "data NULL 0".to_owned(),
            ]
        );
    }
}
