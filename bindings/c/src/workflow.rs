//! The workflows across the C ABI: survey, plan, render, run, the full CIL, CID acquisition
//! and the proxy steps (`volact_core::workflow::api`), with the machines and the CID source
//! implemented by the caller as tables of callbacks.
//!
//! No workflow logic lives here. [`CTarget`] turns a [`volact_target_vtable`] into the core's
//! [`ForeignTarget`] and [`CSource`] a [`volact_cid_source_vtable`] into its
//! [`ForeignCidSource`]; the core's [`Foreign`] adapter parses what they return. This module
//! only moves text and bytes across, and turns a callback that fails, forgets to say why, or
//! answers something that is not UTF-8 into a `TargetError` rather than a crash.
//!
//! Output conventions (README, "Workflows"):
//! - Calls that never call back (plan, render, run_new, collect_cil, proxy_steps) are pure:
//!   the usual text-out protocol, `(NULL, 0, &n)` asks for the size and the second call
//!   gives the same text.
//! - Calls that call back (survey, run_execute, acquire) happen once: `VOLACT_RESULT_OK`
//!   means the callbacks ran, the output goes to the buffer when it fits (else the buffer
//!   gets the empty string), and it stays readable: `volact_workflow_last_output` for survey
//!   and run_execute (per thread), `volact_cil_last_report` for acquire (on the document).
//! - Callbacks hand text to volact through a `volact_sink`: append with `volact_sink_write`.

use crate::cil::{check_report_buffer, into_handle, keep_report, volact_cil_document};
use crate::error::{boundary, fail, volact_result};
use crate::mak_store::{borrow as borrow_store, mak_store_result, volact_mak_store};
use crate::strings::{text_arg, write_str};
use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use volact_core::cil::CilDocument;
use volact_core::key::ProductKey;
use volact_core::workflow::api::{self, Foreign, ForeignCidSource, ForeignTarget, PlanRequest};
use volact_core::workflow::{ActivationTarget, TargetError, WorkflowError};

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
struct CTarget<'a> {
    vt: &'a volact_target_vtable,
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
struct CSource<'a> {
    vt: &'a volact_cid_source_vtable,
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

/// The result code of a workflow failure.
pub(crate) fn workflow_result(e: &WorkflowError) -> volact_result {
    match e {
        WorkflowError::Input { .. } => volact_result::WorkflowInput,
        WorkflowError::PlanJson { .. } => volact_result::WorkflowJson,
        WorkflowError::CidCsv { .. } => volact_result::WorkflowCidCsv,
        _ => volact_result::WorkflowOther,
    }
}

/// Borrows the caller's array of target tables.
///
/// # Safety
/// `targets` valid for `n` tables, or NULL with `n` 0.
unsafe fn target_tables<'a>(
    targets: *const volact_target_vtable,
    n: usize,
) -> Result<&'a [volact_target_vtable], volact_result> {
    if n == 0 {
        return Ok(&[]);
    }
    if targets.is_null() {
        return Err(fail(
            volact_result::NullParameter,
            "targets is NULL but n_targets is not 0",
        ));
    }
    // SAFETY: non-NULL, and the caller vouches for `n` tables.
    Ok(unsafe { std::slice::from_raw_parts(targets, n) })
}

/// Runs `body` with the tables as the core's targets.
fn with_targets<R>(
    tables: &[volact_target_vtable],
    body: impl FnOnce(&mut [&mut dyn ActivationTarget]) -> R,
) -> R {
    let mut adapters: Vec<Foreign<CTarget<'_>>> =
        tables.iter().map(|vt| Foreign(CTarget { vt })).collect();
    let mut targets: Vec<&mut dyn ActivationTarget> = adapters
        .iter_mut()
        .map(|t| t as &mut dyn ActivationTarget)
        .collect();
    body(&mut targets)
}

/// The key a MAK store entry holds, for `store` and `selector` (`None` without a store).
///
/// # Safety
/// `store` NULL or a live handle; `selector` valid for `selector_len` bytes.
unsafe fn store_entry<'a>(
    store: *const volact_mak_store,
    selector: *const u8,
    selector_len: usize,
) -> Result<Option<&'a volact_core::mak::MakEntry>, volact_result> {
    if store.is_null() {
        return Ok(None);
    }
    // SAFETY: caller contract.
    let store = unsafe { borrow_store(store)? };
    // SAFETY: caller contract.
    let selector = unsafe { crate::strings::borrow_text(selector, selector_len)? };
    match store.store.get(selector) {
        Ok(entry) => Ok(Some(entry)),
        Err(e) => Err(fail(mak_store_result(&e), e)),
    }
}

thread_local! {
    /// The output of the last survey or run_execute on this thread.
    static LAST_OUTPUT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Refuses `(NULL, len > 0)` for the output of a call that happens once, before it runs.
fn check_once_buffer(buf: *mut c_char, len: usize) -> Result<(), volact_result> {
    if buf.is_null() && len != 0 {
        return Err(fail(
            volact_result::NullParameter,
            "buf is NULL but len is not 0",
        ));
    }
    Ok(())
}

/// Keeps the output of a call that happened (for `volact_workflow_last_output`) and copies
/// it out when it fits, else leaves the empty string in a non-empty buffer: `OK` either way.
///
/// # Safety
/// `buf` valid for `len` bytes (checked non-NULL when `len > 0`); `out_n` NULL or writable.
unsafe fn keep_output(
    text: String,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: forwarded caller contract.
    let written = unsafe { write_str(&text, buf, len, out_n) };
    if written == volact_result::BufferTooSmall && len > 0 {
        // SAFETY: non-NULL (checked before the call) and at least one byte long.
        unsafe { *buf = 0 };
    }
    LAST_OUTPUT.with(|o| *o.borrow_mut() = Some(text));
    volact_result::Ok
}

/// Surveys the targets (VAMT's "Refresh Computer Status"): calls each table's
/// `machine_json` and `products_json`, in order, and writes the survey JSON, an array with
/// one entry per target: `{"machine": {...}, "products": [...]}`, or `{"error": {"kind",
/// ...}}` for a target that failed (kinds `unreachable`, `access_denied`, `licensing` with
/// `code`, `no_such_product`, `other`; the text in `detail`, or `activation_id`).
///
/// **The targets are called once per call**, so the output does not follow the retry
/// protocol: `VOLACT_RESULT_OK` means the survey ran; `*out_n` (may be NULL) gets the JSON's
/// length and `buf` the JSON when `len > *out_n`, else the empty string (when `len > 0`).
/// Read it again with `volact_workflow_last_output`. A target's failure is data in the JSON,
/// not a result code.
///
/// # Safety
/// `targets` valid for `n_targets` tables (NULL with 0) whose callbacks are safe to call;
/// `buf` valid for `len` bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_survey(
    targets: *const volact_target_vtable,
    n_targets: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let tables = match unsafe { target_tables(targets, n_targets) } {
            Ok(t) => t,
            Err(r) => return r,
        };
        if let Err(r) = check_once_buffer(buf, len) {
            return r;
        }
        let json = with_targets(tables, |t| api::survey(t));
        // SAFETY: caller contract; buf checked above.
        unsafe { keep_output(json, buf, len, out_n) }
    })
}

/// Builds a plan from a survey and writes its JSON (text out, the usual protocol: nothing
/// is called back, the same inputs give the same plan). `kind` is one of `preflight`,
/// `mak-independent`, `proxy-install`, `proxy-apply`, `reapply`; each reads what it needs:
///
/// - `store` and `selector` (mak-independent, proxy-install, reapply): the MAK store entry
///   to install (selectors as for `volact_mak_store_get`). `store` NULL: no key
///   (`selector` is not read).
/// - `cil` (proxy-apply: the merged CIL; reapply: the saved CIL with CIDs), or NULL.
/// - `kms_hosts` (preflight): `host[:port]` separated by commas, spaces or lines.
/// - `exact_iid` (reapply): require the machine's IID to equal the one the CID was issued
///   for (the seed's default: true).
///
/// The plan names the key by its store id and masked form, never in clear. Machines a step
/// does not apply to are listed with `"skipped": {"rule", "reason"}` (e.g.
/// `mak-on-retail-edition`). `VOLACT_RESULT_WORKFLOW_INPUT` for an unknown kind or a missing
/// input, `_WORKFLOW_JSON` for a survey that is not one, `VOLACT_RESULT_NOT_FOUND` /
/// `_MAK_AMBIGUOUS` for the selector.
///
/// # Safety
/// Texts valid for their lengths; `store` and `cil` NULL or live handles; `buf` valid for
/// `len` bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn volact_workflow_plan(
    kind: *const u8,
    kind_len: usize,
    survey_json: *const u8,
    survey_json_len: usize,
    store: *const volact_mak_store,
    selector: *const u8,
    selector_len: usize,
    cil: *const volact_cil_document,
    kms_hosts: *const u8,
    kms_hosts_len: usize,
    exact_iid: bool,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let kind = text_arg!(kind, kind_len);
        // SAFETY: caller contract.
        let surveyed_json = text_arg!(survey_json, survey_json_len);
        // SAFETY: caller contract.
        let kms_hosts = text_arg!(kms_hosts, kms_hosts_len);
        // SAFETY: caller contract.
        let key = match unsafe { store_entry(store, selector, selector_len) } {
            Ok(k) => k,
            Err(r) => return r,
        };
        // SAFETY: a live handle per the caller contract.
        let cil = (!cil.is_null()).then(|| unsafe { (*cil).doc.to_bytes() });
        let request = PlanRequest {
            surveyed_json,
            key,
            cil: cil.as_deref(),
            kms_hosts,
            exact_iid,
        };
        match api::plan(kind, &request) {
            // SAFETY: caller contract.
            Ok(json) => unsafe { write_str(&json, buf, len, out_n) },
            Err(e) => fail(workflow_result(&e), e),
        }
    })
}

/// Renders a plan's JSON (text out, the usual protocol) as `format`: `slmgr` (a `.cmd` of
/// `cscript slmgr.vbs` lines), `powershell` (CIM sessions) or `json`. An install reads the
/// key from `%VOLACT_KEY%` / `$env:VOLACT_KEY`: a rendering never holds it.
/// `VOLACT_RESULT_WORKFLOW_INPUT` for another format, `_WORKFLOW_JSON` for a plan that is not
/// one.
///
/// # Safety
/// Texts valid for their lengths; `buf` valid for `len` bytes (or NULL with 0); `out_n` NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_render(
    plan_json: *const u8,
    plan_json_len: usize,
    format: *const u8,
    format_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let plan = text_arg!(plan_json, plan_json_len);
        // SAFETY: caller contract.
        let format = text_arg!(format, format_len);
        match api::render(plan, format) {
            // SAFETY: caller contract.
            Ok(text) => unsafe { write_str(&text, buf, len, out_n) },
            Err(e) => fail(workflow_result(&e), e),
        }
    })
}

/// A new run of a plan, as JSON (text out, the usual protocol): `{"plan", "progress":
/// [{"machine", "done", "state": "pending"|"done"|"failed"|"skipped", "warnings",
/// "installation_ids", "license_status"}]}`; save it between steps and pass it to
/// `volact_workflow_run_execute`.
///
/// # Safety
/// `plan_json` valid for its length; `buf` valid for `len` bytes (or NULL with 0); `out_n`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_run_new(
    plan_json: *const u8,
    plan_json_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let plan = text_arg!(plan_json, plan_json_len);
        match api::run_new(plan) {
            // SAFETY: caller contract.
            Ok(json) => unsafe { write_str(&json, buf, len, out_n) },
            Err(e) => fail(workflow_result(&e), e),
        }
    })
}

/// Runs a saved run's pending actions (and retries failed ones) on the targets the plan
/// was built from, in the same order, and writes the updated run's JSON. A machine stops at
/// its first failure, recorded as `"state": "failed", "action": N, "error": {"kind", ...}`
/// (the target error's kind, `code`, and `detail`); the others go on. `store` and `selector`
/// name the key the plan installs (NULL `store` when it installs none): it reaches the
/// targets' `install_product_key` only.
///
/// **The targets are called once per call**: the output works as in
/// `volact_workflow_survey` (`OK` means the run went; read the JSON again with
/// `volact_workflow_last_output`, and save it: it is the run's state). Everything is checked
/// before any target is called: `VOLACT_RESULT_WORKFLOW_JSON` for a run that is not one,
/// `_WORKFLOW_INPUT` for fewer targets than the plan's machines, the MAK store codes for the
/// selector, `NULL_PARAMETER` for `buf` NULL with a `len`.
///
/// # Safety
/// `run_json` and `selector` valid for their lengths; `store` NULL or a live handle;
/// `targets` valid for `n_targets` tables (NULL with 0) whose callbacks are safe to call;
/// `buf` valid for `len` bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn volact_workflow_run_execute(
    run_json: *const u8,
    run_json_len: usize,
    store: *const volact_mak_store,
    selector: *const u8,
    selector_len: usize,
    targets: *const volact_target_vtable,
    n_targets: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let run = text_arg!(run_json, run_json_len);
        // SAFETY: caller contract.
        let entry = match unsafe { store_entry(store, selector, selector_len) } {
            Ok(e) => e,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        let tables = match unsafe { target_tables(targets, n_targets) } {
            Ok(t) => t,
            Err(r) => return r,
        };
        if let Err(r) = check_once_buffer(buf, len) {
            return r;
        }
        let key: Option<&ProductKey> = entry.map(|e| e.key());
        // The core reads the run and counts the targets before it calls any.
        match with_targets(tables, |t| api::run_execute(run, key, t)) {
            // SAFETY: caller contract; buf checked above.
            Ok(json) => unsafe { keep_output(json, buf, len, out_n) },
            Err(e) => fail(workflow_result(&e), e),
        }
    })
}

/// The output of the last `volact_workflow_survey` or `volact_workflow_run_execute` that
/// succeeded on the calling thread (text out, the usual protocol: read it as often as
/// needed). `VOLACT_RESULT_NOT_FOUND` when neither has run on this thread.
///
/// # Safety
/// `buf` valid for `len` bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_last_output(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        let text = LAST_OUTPUT.with(|o| o.borrow().clone());
        match text {
            // SAFETY: caller contract.
            Some(text) => unsafe { write_str(&text, buf, len, out_n) },
            None => fail(
                volact_result::NotFound,
                "no output: neither volact_workflow_survey nor volact_workflow_run_execute has run on this thread",
            ),
        }
    })
}

/// Proxy steps 3 and 6: the full CIL of a survey's machines, in the group `group` (the
/// seed's "Isolated Lab Group"; empty: none), as a **new document handle** in `*out` (save
/// it with `volact_cil_save`, read it with `volact_cil_to_bytes`, free it with
/// `volact_cil_free`). Each computer's `Id` is derived from its name and network, so a
/// machine surveyed again gets the same one.
///
/// Machines that did not answer are left out and listed in `left_buf` as JSON
/// (`[{"rule": "unreachable", "reason"}]`), text out with the usual protocol: on
/// `VOLACT_RESULT_BUFFER_TOO_SMALL` nothing is created (call again; nothing is called back).
/// `(NULL, 0, NULL)` asks for no list. `*out` is written only on success.
///
/// # Safety
/// Texts valid for their lengths; `out` writable; `left_buf` valid for `left_len` bytes (or
/// NULL with 0); `left_n` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn volact_workflow_collect_cil(
    survey_json: *const u8,
    survey_json_len: usize,
    group: *const u8,
    group_len: usize,
    out: *mut *mut volact_cil_document,
    left_buf: *mut c_char,
    left_len: usize,
    left_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let surveyed = text_arg!(survey_json, survey_json_len);
        // SAFETY: caller contract.
        let group = text_arg!(group, group_len);
        if out.is_null() {
            return fail(volact_result::NullParameter, "out is NULL");
        }
        let (bytes, left) = match api::collect_cil(surveyed, group) {
            Ok(x) => x,
            Err(e) => return fail(workflow_result(&e), e),
        };
        let doc = match CilDocument::parse(&bytes) {
            Ok(d) => d,
            Err(e) => {
                return fail(
                    volact_result::WorkflowOther,
                    format_args!("the collected CIL did not read back (please report it): {e}"),
                );
            }
        };
        let wants_left = !(left_buf.is_null() && left_len == 0 && left_n.is_null());
        if wants_left {
            // SAFETY: caller contract.
            let r = unsafe { write_str(&left, left_buf, left_len, left_n) };
            if r != volact_result::Ok {
                return r;
            }
        }
        // SAFETY: checked non-NULL; writable per the caller contract.
        unsafe { *out = into_handle(doc) };
        volact_result::Ok
    })
}

/// Proxy step 9: asks `source` for a Confirmation ID for every product of `doc` that has an
/// Installation ID and no CID yet, and writes each valid answer into its
/// `PendingConfirmationId` (then merge or apply as usual). volact never makes a CID: they
/// come from the source.
///
/// **`doc` is changed and the source called once per call**, as for `volact_cil_add_cids`:
/// the report JSON (`{"rows": [{"computer", "product", "computer_id", "outcome", ...,
/// "warning"}]}`, outcomes `written`, `already_has_cid`, `refused` with `code` and
/// `detail`, `not_available`, `invalid_cid`, `invalid_iid`) is kept on `doc` for
/// `volact_cil_last_report`; `report_buf` gets it when `report_len > *report_n`, else the
/// empty string (when `report_len > 0`); `(NULL, 0, NULL)` asks for none. `VOLACT_RESULT_OK`
/// means the acquisition ran, whatever the source answered. Failures (NULL arguments,
/// `report_buf` NULL with a length) come before anything is asked.
///
/// # Safety
/// `doc` a live handle used by nothing else during the call; `source` a table whose callback
/// is safe to call; `report_buf` valid for `report_len` bytes (or NULL with 0); `report_n`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_acquire(
    doc: *mut volact_cil_document,
    source: *const volact_cid_source_vtable,
    report_buf: *mut c_char,
    report_len: usize,
    report_n: *mut usize,
) -> volact_result {
    boundary(|| {
        if doc.is_null() {
            return fail(volact_result::NullParameter, "document handle is NULL");
        }
        if source.is_null() {
            return fail(volact_result::NullParameter, "source is NULL");
        }
        if let Err(r) = check_report_buffer(report_buf, report_len) {
            return r;
        }
        // SAFETY: a live handle used by nothing else during the call, per the contract.
        let handle = unsafe { &mut *doc };
        // SAFETY: a live table per the caller contract.
        let mut source = Foreign(CSource {
            vt: unsafe { &*source },
        });
        let (bytes, report) = match api::acquire_cids(&handle.doc.to_bytes(), &mut source) {
            Ok(x) => x,
            Err(e) => return fail(workflow_result(&e), e),
        };
        match CilDocument::parse(&bytes) {
            Ok(changed) => handle.doc = changed,
            Err(e) => {
                return fail(
                    volact_result::WorkflowOther,
                    format_args!("the acquired CIL did not read back (please report it): {e}"),
                );
            }
        }
        // SAFETY: caller contract; report_buf checked above.
        unsafe { keep_report(handle, report, report_buf, report_len, report_n) }
    })
}

/// The seed's 13 MAK proxy activation steps as a JSON array (text out, the usual protocol):
/// `{"number", "title", "runs_on": "lab"|"internet", "volact", "note"}`.
///
/// # Safety
/// `buf` valid for `len` bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_proxy_steps(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: caller contract.
    boundary(|| unsafe { write_str(&api::proxy_steps_json(), buf, len, out_n) })
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
}
