//! The workflows across the C ABI: survey, plan, render, run, the full CIL, CID acquisition
//! and the proxy steps (`volact_core::workflow::api`), with the machines and the CID source
//! implemented by the caller as callback tables ([`crate::callbacks`]).
//!
//! No workflow logic lives here: each call borrows its arguments, hands them to the core and
//! copies the answer out.
//!
//! Output conventions (README, "Workflows"):
//! - Calls that never call back (plan, render, run_new, collect_cil, proxy_steps) are pure:
//!   the usual text-out protocol, `(NULL, 0, &n)` asks for the size and the second call
//!   gives the same text.
//! - Calls that call back (survey, run_execute, acquire) happen once: `VOLACT_RESULT_OK`
//!   means the callbacks ran, the output goes to the buffer when it fits (else the buffer
//!   gets the empty string), and it stays readable: `volact_workflow_last_output` for survey
//!   and run_execute (per thread), `volact_cil_last_report` for acquire (on the document).

use crate::callbacks::{CSource, CTarget, volact_cid_source_vtable, volact_target_vtable};
use crate::cil::{check_report_buffer, into_handle, keep_report, volact_cil_document};
use crate::error::{boundary, fail, volact_result};
use crate::mak_store::{borrow as borrow_store, mak_store_result, volact_mak_store};
use crate::strings::{text_arg, write_str};
use std::cell::RefCell;
use std::ffi::c_char;
use volact_core::cil::CilDocument;
use volact_core::key::ProductKey;
use volact_core::workflow::ActivationTarget;
use volact_core::workflow::WorkflowError;
use volact_core::workflow::api::{self, Foreign, PlanRequest};

/// The result code of a workflow failure.
pub(crate) fn workflow_result(e: &WorkflowError) -> volact_result {
    match e {
        WorkflowError::Input { .. } => volact_result::WorkflowInput,
        WorkflowError::PlanJson { .. } | WorkflowError::SurveyJson { .. } => {
            volact_result::WorkflowJson
        }
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
/// `mak-independent`, `proxy-install`, `proxy-apply`, `reapply`, `kms-configure`,
/// `kms-deploy`, `convert-to-mak`; each reads what it needs:
///
/// - `store` and `selector` (mak-independent, proxy-install, reapply, convert-to-mak: the
///   MAK; kms-deploy: the CSVLK): the MAK store entry to install (selectors as for
///   `volact_mak_store_get`). `store` NULL: no key (`selector` is not read).
/// - `cil` (proxy-apply: the merged CIL; reapply: the saved CIL with CIDs), or NULL.
/// - `kms_hosts` (preflight): `host[:port]` separated by commas, spaces or lines.
/// - `exact_iid` (reapply): require the machine's IID to equal the one the CID was issued
///   for (the seed's default: true).
/// - `options_json` (`(NULL, 0)`: none). kms-configure: the client settings, every field
///   optional (`{"install_gvlk": true, "discovery": "auto" | {"lookup_domain": "..."} |
///   {"host": "host:port"}, "host_caching": false, "alternate_url": "http://...",
///   "activate": true}`; none: the published GVLK, auto-discovery, activation). kms-deploy
///   (required): `{"topology": "<TOML text of volact_srv_plan>", "group": "server2022",
///   "serves": ["windows10", ...], "security_groups": {"east.contoso.com": "KMS_E"}}`.
///
/// The plan names the key by its store id and masked form, never in clear (a kms-configure
/// plan holds the published GVLKs, which Microsoft publishes). Machines a step does not apply
/// to are listed with `"skipped": {"rule", "reason"}` (e.g. `mak-on-retail-edition`,
/// `no-gvlk`, `not-kms-client`). `VOLACT_RESULT_WORKFLOW_INPUT` for an unknown kind, a missing
/// input or a deployment volact refuses (a CSVLK group that does not cover the clients
/// served, more than six hosts, a host not in the survey), `_WORKFLOW_JSON` for a survey or
/// options that are not JSON of the right shape, `VOLACT_RESULT_NOT_FOUND` /
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
    options_json: *const u8,
    options_json_len: usize,
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
        let options_json = text_arg!(options_json, options_json_len);
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
            options_json,
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

/// The online activations a saved run has made (each uses one activation of the MAK), for
/// `volact_mak_store_record_activations`. Written to `out_count` on success only.
///
/// # Safety
/// `run_json` valid for its length; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_online_activations(
    run_json: *const u8,
    run_json_len: usize,
    out_count: *mut u32,
) -> volact_result {
    boundary(|| {
        if out_count.is_null() {
            return volact_result::NullParameter;
        }
        // SAFETY: caller contract.
        let run = text_arg!(run_json, run_json_len);
        match api::online_activations(run) {
            Ok(n) => {
                // SAFETY: checked non-NULL; writable by the caller contract.
                unsafe { *out_count = u32::try_from(n).unwrap_or(u32::MAX) };
                volact_result::Ok
            }
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

/// The PowerShell collection script (text out, the usual protocol): run on a machine, it
/// prints one survey entry for it — the JSON `volact_workflow_plan` reads — for embedders
/// whose agents run scripts rather than implement `volact_target_vtable`.
///
/// # Safety
/// `buf` valid for `len` bytes (or NULL with 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_workflow_collect_script(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    // SAFETY: caller contract.
    boundary(|| unsafe { write_str(api::collect_script(), buf, len, out_n) })
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
