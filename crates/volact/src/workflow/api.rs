//! The workflows as calls that take and return text and bytes: what the C ABI, Python and C#
//! call, so each binding only marshals (no logic in bindings). Surveys, plans and runs
//! travel as the JSON of [`Surveyed`], [`Plan`] and [`Run`].

use super::applicability::KeyToInstall;
use super::cid_source::{ConfirmationIdSource, acquire};
use super::plan::{Format, Plan};
use super::run::{self, Run, Surveyed, json_error};
use super::target::ActivationTarget;
use super::{WorkflowError, proxy};
use crate::cil::CilDocument;
use crate::key::ProductKey;
use crate::mak::MakEntry;
use crate::srv::discovery::HostPort;

/// The workflow a plan call builds, by name: `preflight`, `mak-independent`,
/// `proxy-install`, `proxy-apply`, `reapply`.
pub const PLAN_KINDS: [&str; 5] = [
    "preflight",
    "mak-independent",
    "proxy-install",
    "proxy-apply",
    "reapply",
];

/// Everything a plan call may need; each workflow reads the parts it uses and refuses a
/// missing one by name.
#[derive(Debug, Default)]
pub struct PlanRequest<'a> {
    /// The survey's JSON ([`Surveyed::list_to_json`]).
    pub surveyed_json: &'a str,
    /// The MAK store entry to install (mak-independent, proxy-install, reapply).
    pub key: Option<&'a MakEntry>,
    /// The merged CIL's bytes (proxy-apply, reapply).
    pub cil: Option<&'a [u8]>,
    /// KMS hosts for preflight, `host[:port]` separated by commas, spaces or lines.
    pub kms_hosts: &'a str,
    /// Reapply: require an exact IID match (the seed's default).
    pub exact_iid: bool,
}

fn need<T>(v: Option<T>, what: &str, kind: &str) -> Result<T, WorkflowError> {
    v.ok_or_else(|| WorkflowError::Input {
        detail: format!("the {kind} plan needs {what}"),
    })
}

fn cil(bytes: &[u8]) -> Result<CilDocument, WorkflowError> {
    CilDocument::parse(bytes).map_err(|e| WorkflowError::Input {
        detail: format!("CIL: {e}"),
    })
}

/// Builds the plan `kind` (one of [`PLAN_KINDS`]) and returns its JSON.
pub fn plan(kind: &str, request: &PlanRequest<'_>) -> Result<String, WorkflowError> {
    let surveyed = Surveyed::list_from_json(request.surveyed_json)?;
    let key = request
        .key
        .map(|e| (KeyToInstall::from_entry(e), e.id.as_str()));
    let plan = match kind {
        "preflight" => {
            let hosts = request
                .kms_hosts
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .map(|t| {
                    HostPort::parse(t).map_err(|e| WorkflowError::Input {
                        detail: format!("KMS host {t:?}: {e}"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            run::preflight_plan(&surveyed, &hosts)?
        }
        "mak-independent" | "proxy-install" => {
            let (k, id) = need(key, "a key from the MAK store", kind)?;
            run::mak_plan(&k, Some(id), &surveyed, kind == "mak-independent")
        }
        "proxy-apply" => {
            run::apply_plan(&cil(need(request.cil, "the merged CIL", kind)?)?, &surveyed)
        }
        "reapply" => {
            let (k, id) = need(key, "the MAK the CIDs were issued for", kind)?;
            let doc = cil(need(request.cil, "the saved CIL with CIDs", kind)?)?;
            run::reapply_plan(&doc, &k, Some(id), &surveyed, request.exact_iid)
        }
        other => {
            return Err(WorkflowError::Input {
                detail: format!("unknown plan {other:?}: one of {}", PLAN_KINDS.join(", ")),
            });
        }
    };
    Ok(plan.to_json())
}

/// Renders a plan's JSON as `slmgr`, `powershell` or `json`.
pub fn render(plan_json: &str, format: &str) -> Result<String, WorkflowError> {
    let format = Format::parse(format).ok_or_else(|| WorkflowError::Input {
        detail: format!("unknown format {format:?}: slmgr, powershell or json"),
    })?;
    Ok(Plan::from_json(plan_json)?.render(format))
}

/// Asks every target for its machine and products; the survey's JSON.
pub fn survey(targets: &mut [&mut dyn ActivationTarget]) -> String {
    Surveyed::list_to_json(&run::survey(targets))
}

/// A new run of a plan (its JSON), as JSON.
pub fn run_new(plan_json: &str) -> Result<String, WorkflowError> {
    Ok(Run::new(Plan::from_json(plan_json)?).to_json())
}

/// Runs a saved run's pending actions on the targets and returns the updated run's JSON.
/// `key` is the key the plan installs, when it installs one.
pub fn run_execute(
    run_json: &str,
    key: Option<&ProductKey>,
    targets: &mut [&mut dyn ActivationTarget],
) -> Result<String, WorkflowError> {
    let mut run = Run::from_json(run_json)?;
    run.execute(key, targets)?;
    Ok(run.to_json())
}

/// Proxy steps 3 and 6: the full CIL of a survey, and the JSON list of machines left out.
pub fn collect_cil(surveyed_json: &str, group: &str) -> Result<(Vec<u8>, String), WorkflowError> {
    let surveyed = Surveyed::list_from_json(surveyed_json)?;
    let (doc, left) = run::collect_cil(&surveyed, group)?;
    Ok((
        doc.to_bytes(),
        serde_json::to_string(&left).map_err(json_error)?,
    ))
}

/// Proxy step 9: fills `PendingConfirmationId` from a source; the new bytes and the
/// report's JSON.
pub fn acquire_cids(
    cil_bytes: &[u8],
    source: &mut dyn ConfirmationIdSource,
) -> Result<(Vec<u8>, String), WorkflowError> {
    let mut doc = cil(cil_bytes)?;
    let report = acquire(&mut doc, source);
    Ok((
        doc.to_bytes(),
        serde_json::to_string(&report).map_err(json_error)?,
    ))
}

/// The seed's 13 proxy steps as JSON.
pub fn proxy_steps_json() -> String {
    serde_json::to_string_pretty(&proxy::PROXY_STEPS).unwrap_or_default()
}
