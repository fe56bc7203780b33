//! Workflows (`volact_core::workflow`): survey machines, plan MAK independent and proxy
//! activation, render plans as `slmgr.vbs` or PowerShell, run them against machines Python
//! implements, and carry CIDs through a CIL.
//!
//! Everything is the core's `workflow::api`: this module only adapts Python objects to its
//! [`ForeignTarget`](api::ForeignTarget) and [`ForeignCidSource`](api::ForeignCidSource)
//! traits (which the core's [`Foreign`](api::Foreign) turns into an `ActivationTarget` and a
//! `ConfirmationIdSource`) and converts errors. Surveys, plans, runs and reports cross as the
//! core's JSON; CILs as bytes.
//!
//! Errors from Python: a callback raises [`TargetError`] (or [`CidSourceError`]); any other
//! exception reaches Rust as uniffi's `UnexpectedUniFFICallbackError` (the generated Python
//! catches every `Exception` in a callback and passes its `repr()`), which the `From`
//! impls below turn into an error for that one machine (`other`) or that one product
//! (refused, code 0), so a run goes on with the other machines instead of panicking.

use super::*;
use volact_core::workflow::{self as core_wf, api};

impl From<core_wf::WorkflowError> for VolactError {
    fn from(e: core_wf::WorkflowError) -> Self {
        let kind = match &e {
            core_wf::WorkflowError::CidCsv { .. } => "cid_csv",
            core_wf::WorkflowError::PlanJson { .. } | core_wf::WorkflowError::SurveyJson { .. } => {
                "plan_json"
            }
            core_wf::WorkflowError::Input { .. } => "input",
            _ => "other",
        };
        VolactError::Workflow {
            message: e.to_string(),
            kind: kind.to_owned(),
        }
    }
}

/// What a Python [`ActivationTarget`] raises when an operation fails; the run records it
/// against that machine and goes on with the others (VAMT's "Status of Last Action"). In
/// Python: `raise volact.TargetError.Licensing(code=0xC004F04D, detail="...")`. The variant
/// is the kind (`TargetError::KINDS` in the core), read through `TargetError::from_parts`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TargetError {
    /// The machine did not answer (offline, WMI blocked by the firewall).
    #[error("unreachable: {detail}")]
    Unreachable {
        /// What the target saw.
        detail: String,
    },
    /// Remote administration was refused (credentials, UAC remote restrictions).
    #[error("access denied: {detail}")]
    AccessDenied {
        /// What the target saw.
        detail: String,
    },
    /// The licensing service returned an HRESULT (e.g. 0xC004F04D).
    #[error("licensing error 0x{code:08X}: {detail}")]
    Licensing {
        /// The HRESULT, as an unsigned 32-bit number.
        code: u32,
        /// What the target saw.
        detail: String,
    },
    /// No product with this Activation ID on the machine.
    #[error("no product with Activation ID {activation_id}")]
    NoSuchProduct {
        /// The Activation ID asked for.
        activation_id: String,
    },
    /// Anything else; also every exception that is not a `TargetError`.
    #[error("{detail}")]
    Other {
        /// What the target saw (for an unexpected exception: its `repr()`).
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TargetError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TargetError::Other {
            detail: format!("the Python target raised {}", e.reason),
        }
    }
}

/// The core's number for a kind name (`TargetError::KINDS`); an unknown name is `other`.
fn kind_number(name: &str) -> u32 {
    core_wf::TargetError::KINDS
        .iter()
        .position(|k| *k == name)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(u32::MAX)
}

impl From<TargetError> for core_wf::TargetError {
    fn from(e: TargetError) -> Self {
        let (kind, code, detail) = match e {
            TargetError::Unreachable { detail } => ("unreachable", 0, detail),
            TargetError::AccessDenied { detail } => ("access_denied", 0, detail),
            TargetError::Licensing { code, detail } => ("licensing", code, detail),
            TargetError::NoSuchProduct { activation_id } => ("no_such_product", 0, activation_id),
            TargetError::Other { detail } => ("other", 0, detail),
        };
        core_wf::TargetError::from_parts(kind_number(kind), code, detail)
    }
}

/// A refusal a Python [`ConfirmationIdSource`] raises: `raise
/// volact.CidSourceError.Refused(code=0x7F, detail="MAK activation limit exceeded")`.
/// Any other exception becomes a refusal with code 0 and the exception's `repr()`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CidSourceError {
    /// The service refused to issue a CID for this Installation ID.
    #[error("refused (0x{code:X}): {detail}")]
    Refused {
        /// The service's code (e.g. 0x7F limit exceeded, 0x67 key blocked, 0x90 bad IID).
        code: u32,
        /// Its text.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CidSourceError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CidSourceError::Refused {
            code: 0,
            detail: format!("the Python CID source raised {}", e.reason),
        }
    }
}

/// One Windows machine, implemented in Python (over WMI/CIM, an agent, or a fake in tests):
/// subclass `volact.ActivationTarget` and implement the methods a workflow uses. A method
/// fails by raising [`TargetError`]; any other exception fails it as `other`.
///
/// The machine and products are JSON, in the core's shapes (`docs/mak-workflows.md`):
/// `machine_json` → `{"name", "network_type": "Domain"|"Workgroup", "network_name",
/// "os_version", "mac_addresses": [...]}`; `products_json` → a list of `{"activation_id",
/// "application_id", "name", "family", "edition_id", "channel": "Retail"|"Volume:MAK"|…,
/// "license_status": 0-6, "grace_remaining": minutes, "installation_id",
/// "product_key_id", "partial_product_key"}` (the last three may be null).
#[uniffi::export(foreign)]
pub trait ActivationTarget: Send + Sync {
    /// The machine, as JSON.
    fn machine_json(&self) -> Result<String, TargetError>;
    /// The products that have a key installed, as a JSON list.
    fn products_json(&self) -> Result<String, TargetError>;
    /// `slmgr /ipk`: installs the key, given in clear (the one place it leaves volact).
    fn install_product_key(&self, key: String) -> Result<(), TargetError>;
    /// `slmgr /ato`: activates the product online.
    fn activate(&self, activation_id: String) -> Result<(), TargetError>;
    /// `slmgr /atp`: deposits the CID issued for the IID.
    fn deposit_confirmation_id(
        &self,
        activation_id: String,
        installation_id: String,
        confirmation_id: String,
    ) -> Result<(), TargetError>;
    /// `slmgr /skms host[:port]`, or `/ckms` for `None`.
    fn set_kms_host(&self, host: Option<String>) -> Result<(), TargetError>;
    /// `slmgr /skms-domain`, or `/ckms-domain` for `None`.
    fn set_kms_lookup_domain(&self, domain: Option<String>) -> Result<(), TargetError>;
    /// `slmgr /skhc` (`True`) or `/ckhc` (`False`).
    fn set_host_caching(&self, enabled: bool) -> Result<(), TargetError>;
    /// A licensing registry value by name (e.g. `AlternateURL`), as JSON (`{"String": "…"}`,
    /// `{"MultiString": [...]}`, `{"Dword": 1}`), or `None` when unset.
    fn read_value(&self, name: String) -> Result<Option<String>, TargetError>;
    /// Writes (data as JSON, as above) or deletes (`None`) a licensing registry value.
    fn write_value(&self, name: String, data_json: Option<String>) -> Result<(), TargetError>;
}

/// A supplier of Confirmation IDs, implemented in Python (the embedder's licensed service,
/// say): subclass `volact.ConfirmationIdSource`. Return the CID, `None` when there is none
/// for this IID, or raise [`CidSourceError`] when the service refused.
#[uniffi::export(foreign)]
pub trait ConfirmationIdSource: Send + Sync {
    /// The CID for one IID (`product_key_id` and `sku_id` are `""` when the CIL has none).
    fn confirmation_id(
        &self,
        installation_id: String,
        product_key_id: String,
        sku_id: String,
    ) -> Result<Option<String>, CidSourceError>;
}

/// A Python target as the core's `ForeignTarget`.
struct PyTarget(Arc<dyn ActivationTarget>);

impl fmt::Debug for PyTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyTarget")
    }
}

fn core_err(e: TargetError) -> core_wf::TargetError {
    e.into()
}

impl api::ForeignTarget for PyTarget {
    fn machine_json(&mut self) -> Result<String, core_wf::TargetError> {
        self.0.machine_json().map_err(core_err)
    }
    fn products_json(&mut self) -> Result<String, core_wf::TargetError> {
        self.0.products_json().map_err(core_err)
    }
    fn install_product_key(&mut self, key: &str) -> Result<(), core_wf::TargetError> {
        self.0.install_product_key(key.to_owned()).map_err(core_err)
    }
    fn activate(&mut self, activation_id: &str) -> Result<(), core_wf::TargetError> {
        self.0.activate(activation_id.to_owned()).map_err(core_err)
    }
    fn deposit_confirmation_id(
        &mut self,
        activation_id: &str,
        installation_id: &str,
        confirmation_id: &str,
    ) -> Result<(), core_wf::TargetError> {
        self.0
            .deposit_confirmation_id(
                activation_id.to_owned(),
                installation_id.to_owned(),
                confirmation_id.to_owned(),
            )
            .map_err(core_err)
    }
    fn set_kms_host(&mut self, host: Option<&str>) -> Result<(), core_wf::TargetError> {
        self.0
            .set_kms_host(host.map(str::to_owned))
            .map_err(core_err)
    }
    fn set_kms_lookup_domain(&mut self, domain: Option<&str>) -> Result<(), core_wf::TargetError> {
        self.0
            .set_kms_lookup_domain(domain.map(str::to_owned))
            .map_err(core_err)
    }
    fn set_host_caching(&mut self, enabled: bool) -> Result<(), core_wf::TargetError> {
        self.0.set_host_caching(enabled).map_err(core_err)
    }
    fn read_value(&mut self, name: &str) -> Result<Option<String>, core_wf::TargetError> {
        self.0.read_value(name.to_owned()).map_err(core_err)
    }
    fn write_value(
        &mut self,
        name: &str,
        data_json: Option<&str>,
    ) -> Result<(), core_wf::TargetError> {
        self.0
            .write_value(name.to_owned(), data_json.map(str::to_owned))
            .map_err(core_err)
    }
}

/// A Python CID source as the core's `ForeignCidSource`.
struct PyCidSource(Arc<dyn ConfirmationIdSource>);

impl fmt::Debug for PyCidSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyCidSource")
    }
}

impl api::ForeignCidSource for PyCidSource {
    fn confirmation_id(
        &mut self,
        installation_id: &str,
        product_key_id: &str,
        sku_id: &str,
    ) -> Result<Option<String>, (u32, String)> {
        self.0
            .confirmation_id(
                installation_id.to_owned(),
                product_key_id.to_owned(),
                sku_id.to_owned(),
            )
            .map_err(|CidSourceError::Refused { code, detail }| (code, detail))
    }
}

/// Runs `f` over the Python targets adapted to the core's `ActivationTarget`, in order.
fn with_targets<R>(
    targets: Vec<Arc<dyn ActivationTarget>>,
    f: impl FnOnce(&mut [&mut dyn core_wf::ActivationTarget]) -> R,
) -> R {
    let mut adapted: Vec<api::Foreign<PyTarget>> = targets
        .into_iter()
        .map(|t| api::Foreign(PyTarget(t)))
        .collect();
    let mut refs: Vec<&mut dyn core_wf::ActivationTarget> = adapted
        .iter_mut()
        .map(|t| t as &mut dyn core_wf::ActivationTarget)
        .collect();
    f(&mut refs)
}

/// The MAK store entry `mak` selects (a copy: no lock is held while Python code runs).
/// `mak` without a store is refused; no `mak` is no key.
fn selected_entry(
    store: Option<&MakStore>,
    mak: Option<&str>,
) -> Result<Option<volact_core::mak::MakEntry>, VolactError> {
    match (store, mak) {
        (_, None) => Ok(None),
        (None, Some(_)) => Err(VolactError::InvalidArgument {
            message: "mak selects a key from a MakStore: pass store too".to_owned(),
        }),
        (Some(store), Some(selector)) => Ok(Some(store.lock().get(selector)?.clone())),
    }
}

/// A full CIL collected from a survey (proxy steps 3 and 6).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct CollectedCil {
    /// The CIL's bytes (UTF-8): keep this file, it maps CIDs back to computers.
    pub cil: Vec<u8>,
    /// The machines left out (they did not answer), as a JSON list of `{"rule", "reason"}`.
    pub left_out_json: String,
}

impl fmt::Debug for CollectedCil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CollectedCil(cil=<{} bytes>, left_out_json=",
            self.cil.len()
        )?;
        repr::PyRepr::py_repr(&self.left_out_json, f)?;
        f.write_str(")")
    }
}

impl fmt::Display for CollectedCil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A CIL with the CIDs a source gave (proxy step 9), and the report of every answer.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct AcquiredCil {
    /// The CIL's new bytes, with `PendingConfirmationId` filled where a CID was written.
    pub cil: Vec<u8>,
    /// The report as JSON: `{"rows": [{"computer", "product", "computer_id", "outcome",
    /// ..., "warning"}]}`, outcomes `written`, `already_has_cid`, `refused` (with `code`
    /// and `detail`), `not_available`, `invalid_cid`, `invalid_iid`.
    pub report_json: String,
}

impl fmt::Debug for AcquiredCil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AcquiredCil(cil=<{} bytes>, report_json=",
            self.cil.len()
        )?;
        repr::PyRepr::py_repr(&self.report_json, f)?;
        f.write_str(")")
    }
}

impl fmt::Display for AcquiredCil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Asks every target for its machine and products (VAMT's "Refresh Computer Status"); the
/// survey as JSON, one entry per target in order: `{"machine", "products"}` or `{"error":
/// {"kind", ...}}` for a target that failed.
#[uniffi::export]
pub fn workflow_survey(targets: Vec<Arc<dyn ActivationTarget>>) -> String {
    with_targets(targets, |t| api::survey(t))
}

/// Builds a plan and returns its JSON. `kind`: `preflight` (needs `kms_hosts`, `host[:port]`
/// separated by commas or spaces, may be empty), `mak-independent` and `proxy-install` (need
/// `store` and `mak`, a selector of the key to install), `proxy-apply` (needs `cil`, the
/// merged CIL's bytes), `reapply` (needs `store`, `mak` and `cil`; `exact_iid` is the seed's
/// "Require exact IID match"), `kms-configure` (`options`: the client settings JSON, every
/// field optional, e.g. `{"discovery": "auto", "host_caching": false, "alternate_url":
/// "…"}`; `None` installs each edition's GVLK with DNS auto-discovery and activates),
/// `kms-deploy` (`store` and `mak` select the CSVLK; `options`: `{"topology": TOML text,
/// "group": "server2022", "serves": ["windows10", …], "security_groups": {domain: group}}`),
/// `convert-to-mak` (`store` and `mak` select the MAK). The plan never holds a key from the
/// store, only its masked form and id (a published GVLK is public and appears in clear).
/// Raises `VolactError.Workflow` (`kind` `input`, `plan_json`: also for `options` that do
/// not read), `VolactError.MakRefused` (`not_found`, `ambiguous`),
/// `VolactError.InvalidArgument` (`mak` without `store`).
#[uniffi::export(default(
    store = None,
    mak = None,
    cil = None,
    kms_hosts = "",
    exact_iid = true,
    options = None
))]
#[allow(clippy::too_many_arguments)] // uniffi keyword arguments, each with its default
pub fn workflow_plan(
    kind: String,
    survey_json: String,
    store: Option<Arc<MakStore>>,
    mak: Option<String>,
    cil: Option<Vec<u8>>,
    kms_hosts: String,
    exact_iid: bool,
    options: Option<String>,
) -> Result<String, VolactError> {
    let entry = selected_entry(store.as_deref(), mak.as_deref())?;
    let request = api::PlanRequest {
        surveyed_json: &survey_json,
        key: entry.as_ref(),
        cil: cil.as_deref(),
        kms_hosts: &kms_hosts,
        exact_iid,
        options_json: options.as_deref().unwrap_or(""),
    };
    Ok(api::plan(&kind, &request)?)
}

/// Renders a plan's JSON as `slmgr` (a `.cmd` of `slmgr.vbs` lines), `powershell` (CIM) or
/// `json`. Install actions read the key from `%VOLACT_KEY%` / `$env:VOLACT_KEY`: a rendering
/// never holds it. Raises `VolactError.Workflow`.
#[uniffi::export]
pub fn workflow_render(plan_json: String, format: String) -> Result<String, VolactError> {
    Ok(api::render(&plan_json, &format)?)
}

/// A new run of a plan: its progress, nothing done yet, as JSON (save it to resume).
/// Raises `VolactError.Workflow`.
#[uniffi::export]
pub fn workflow_run_new(plan_json: String) -> Result<String, VolactError> {
    Ok(api::run_new(&plan_json)?)
}

/// Runs a saved run's pending (and failed) actions on `targets` — the ones the plan was
/// built from, in the same order — and returns the updated run's JSON. A machine stops at
/// its first failure, recorded in its progress (`"state": "failed"`, `"error": {"kind",
/// "code", "detail"}`); the others go on. `store` and `mak` give the key the plan installs;
/// it reaches only the targets' `install_product_key`. Raises `VolactError.Workflow`
/// (fewer targets than machines, a bad run), `VolactError.MakRefused`,
/// `VolactError.InvalidArgument`.
#[uniffi::export(default(store = None, mak = None))]
pub fn workflow_run_execute(
    run_json: String,
    targets: Vec<Arc<dyn ActivationTarget>>,
    store: Option<Arc<MakStore>>,
    mak: Option<String>,
) -> Result<String, VolactError> {
    let entry = selected_entry(store.as_deref(), mak.as_deref())?;
    let key = entry.as_ref().map(volact_core::mak::MakEntry::key);
    Ok(with_targets(targets, |t| {
        api::run_execute(&run_json, key, t)
    })?)
}

/// The online activations a saved run has made (each uses one activation of the MAK): pass
/// it to `MakStore.record_activations`. Raises `VolactError.Workflow`.
#[uniffi::export]
pub fn workflow_online_activations(run_json: String) -> Result<u32, VolactError> {
    let n = api::online_activations(&run_json)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Proxy steps 3 and 6: the full CIL of a survey's machines in one group (`""`: none), and
/// the machines left out. Raises `VolactError.Workflow`.
#[uniffi::export]
pub fn workflow_collect_cil(
    survey_json: String,
    group: String,
) -> Result<CollectedCil, VolactError> {
    let (cil, left_out_json) = api::collect_cil(&survey_json, &group)?;
    Ok(CollectedCil { cil, left_out_json })
}

/// Proxy step 9: asks `source` for a CID for every product of the CIL that has an IID and
/// no CID, and writes each valid answer into `PendingConfirmationId`. Raises
/// `VolactError.Workflow` (`input`) when the bytes are not a readable CIL.
#[uniffi::export]
pub fn workflow_acquire(
    cil: Vec<u8>,
    source: Arc<dyn ConfirmationIdSource>,
) -> Result<AcquiredCil, VolactError> {
    let mut source = api::Foreign(PyCidSource(source));
    let (cil, report_json) = api::acquire_cids(&cil, &mut source)?;
    Ok(AcquiredCil { cil, report_json })
}

/// The PowerShell collection script: run on a machine, it prints one survey entry for it
/// (the JSON `workflow_plan` reads), for agents that run scripts rather than implement
/// `ActivationTarget`.
#[uniffi::export]
pub fn workflow_collect_script() -> String {
    api::collect_script().to_owned()
}

/// The seed's 13 MAK proxy activation steps, each with what volact does for it, as JSON:
/// a list of `{"number", "title", "runs_on": "lab"|"internet", "volact", "note"}`.
#[uniffi::export]
pub fn proxy_steps() -> String {
    api::proxy_steps_json()
}
