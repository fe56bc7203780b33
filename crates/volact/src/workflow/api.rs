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
pub const PLAN_KINDS: [&str; 8] = [
    "preflight",
    "mak-independent",
    "proxy-install",
    "proxy-apply",
    "reapply",
    "kms-configure",
    "kms-deploy",
    "convert-to-mak",
];

/// The options of `kms-deploy` (`PlanRequest::options_json`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployOptions {
    /// The topology TOML (`volact srv plan`'s schema).
    topology: String,
    /// The CSVLK's group: `server2022`, `windows10`, … (`volact simulate`'s key names).
    group: String,
    /// The client products served: `windows10`, `windows11`, `server2019`, …
    serves: Vec<String>,
    /// Domain → the hosts' security group.
    #[serde(default)]
    security_groups: std::collections::BTreeMap<String, String>,
}

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
    /// `kms-configure`: the client settings as JSON ([`ClientSettings`](super::kms::ClientSettings),
    /// every field optional; empty: the defaults). `kms-deploy`: `{"topology": TOML text,
    /// "group": "server2022", "serves": ["windows10", …], "security_groups": {domain:
    /// group}}`.
    pub options_json: &'a str,
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
    let doc = request.cil.map(cil).transpose()?;
    let inputs = PlanInputs {
        surveyed: &surveyed,
        key: request.key,
        cil: doc.as_ref(),
        kms_hosts: request.kms_hosts,
        exact_iid: request.exact_iid,
        options_json: request.options_json,
    };
    Ok(build(kind, &inputs)?.to_json())
}

/// What [`build`] takes: [`PlanRequest`] with the survey and the CIL already read (the CLI
/// reads them with its own file errors and hands them over without a second parse).
#[derive(Debug, Default)]
pub struct PlanInputs<'a> {
    /// The survey.
    pub surveyed: &'a [Surveyed],
    /// As [`PlanRequest::key`].
    pub key: Option<&'a MakEntry>,
    /// The merged CIL (proxy-apply, reapply).
    pub cil: Option<&'a CilDocument>,
    /// As [`PlanRequest::kms_hosts`].
    pub kms_hosts: &'a str,
    /// As [`PlanRequest::exact_iid`].
    pub exact_iid: bool,
    /// As [`PlanRequest::options_json`].
    pub options_json: &'a str,
}

/// Builds the plan `kind` (one of [`PLAN_KINDS`]) from read inputs.
pub fn build(kind: &str, request: &PlanInputs<'_>) -> Result<Plan, WorkflowError> {
    let surveyed = request.surveyed;
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
            run::preflight_plan(surveyed, &hosts)?
        }
        "mak-independent" | "proxy-install" => {
            let (k, id) = need(key, "a key from the MAK store", kind)?;
            run::mak_plan(&k, Some(id), surveyed, kind == "mak-independent")
        }
        "proxy-apply" => run::apply_plan(need(request.cil, "the merged CIL", kind)?, surveyed),
        "reapply" => {
            let (k, id) = need(key, "the MAK the CIDs were issued for", kind)?;
            let doc = need(request.cil, "the saved CIL with CIDs", kind)?;
            run::reapply_plan(doc, &k, Some(id), surveyed, request.exact_iid)
        }
        "kms-configure" => {
            let settings: super::kms::ClientSettings = if request.options_json.trim().is_empty() {
                super::kms::ClientSettings::default()
            } else {
                serde_json::from_str(request.options_json).map_err(|e| options_error(kind, &e))?
            };
            settings.check()?;
            super::kms::configure_plan(surveyed, &settings)
        }
        "kms-deploy" => {
            let (k, id) = need(key, "the CSVLK from the MAK store", kind)?;
            let o: DeployOptions =
                serde_json::from_str(request.options_json).map_err(|e| options_error(kind, &e))?;
            let topology = crate::srv::plan::Topology::parse(&o.topology).map_err(|e| {
                WorkflowError::Input {
                    detail: format!("topology: {e}"),
                }
            })?;
            let group =
                crate::fleet::parse_csvlk(&o.group).ok_or_else(|| WorkflowError::Input {
                    detail: format!("unknown CSVLK group {:?}", o.group),
                })?;
            let serves = o
                .serves
                .iter()
                .map(|p| {
                    crate::fleet::parse_product(p).ok_or_else(|| WorkflowError::Input {
                        detail: format!("unknown product {p:?}"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let d = super::kms::Deployment {
                key: &k,
                key_id: Some(id),
                group,
                serves: &serves,
                security_groups: &o.security_groups,
            };
            super::kms::deploy_plan(&topology, &d, surveyed)?
        }
        "convert-to-mak" => {
            let (k, id) = need(key, "a MAK from the MAK store", kind)?;
            super::kms::convert_plan(&k, Some(id), surveyed)
        }
        other => {
            return Err(WorkflowError::Input {
                detail: format!("unknown plan {other:?}: one of {}", PLAN_KINDS.join(", ")),
            });
        }
    };
    Ok(plan)
}

fn options_error(kind: &str, e: &serde_json::Error) -> WorkflowError {
    WorkflowError::PlanJson {
        line: e.line(),
        column: e.column(),
        detail: format!("{kind} options: {e}"),
    }
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

/// The online activations a saved run has made (each uses one activation of the MAK); pass
/// it to [`MakStore::record_activations`](crate::mak::MakStore::record_activations).
pub fn online_activations(run_json: &str) -> Result<usize, WorkflowError> {
    Ok(Run::from_json(run_json)?.online_activations())
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

/// The PowerShell collection script whose output is one survey entry for the machine it runs
/// on ([`inventory::collect_script`](super::inventory::collect_script)).
pub fn collect_script() -> &'static str {
    super::inventory::collect_script()
}

/// The seed's 13 proxy steps as JSON.
pub fn proxy_steps_json() -> String {
    serde_json::to_string_pretty(&proxy::PROXY_STEPS).unwrap_or_default()
}

/// A target as foreign code implements it (the C vtable, Python's and C#'s interfaces): the
/// machine and products come back as JSON ([`MachineInfo`](super::MachineInfo) and a list
/// of [`TargetProduct`](super::TargetProduct) in their serde shapes), everything else as
/// plain text. [`Foreign`] turns it into an [`ActivationTarget`]; the parsing lives here, once,
/// not in each binding.
pub trait ForeignTarget {
    /// The machine, as JSON.
    fn machine_json(&mut self) -> Result<String, super::TargetError>;
    /// The products, as a JSON array.
    fn products_json(&mut self) -> Result<String, super::TargetError>;
    /// Installs the key (given in clear: this is the one place it leaves volact).
    fn install_product_key(&mut self, key: &str) -> Result<(), super::TargetError>;
    /// Activates a product online.
    fn activate(&mut self, activation_id: &str) -> Result<(), super::TargetError>;
    /// Deposits a CID.
    fn deposit_confirmation_id(
        &mut self,
        activation_id: &str,
        installation_id: &str,
        confirmation_id: &str,
    ) -> Result<(), super::TargetError>;
    /// Sets (`host`, `host:port`, `[v6]:port`, `:port`) or clears (`None`) the KMS host.
    fn set_kms_host(&mut self, host: Option<&str>) -> Result<(), super::TargetError>;
    /// Sets or clears the lookup domain.
    fn set_kms_lookup_domain(&mut self, domain: Option<&str>) -> Result<(), super::TargetError>;
    /// Enables or disables host caching.
    fn set_host_caching(&mut self, enabled: bool) -> Result<(), super::TargetError>;
    /// Reads a licensing value by name (e.g. `AlternateURL`): its data as JSON
    /// (`{"String":"…"}`, `{"MultiString":[…]}`, `{"Dword":1}`), or `None` when unset.
    fn read_value(&mut self, name: &str) -> Result<Option<String>, super::TargetError>;
    /// Writes (data as JSON, as above) or deletes (`None`) a licensing value.
    fn write_value(
        &mut self,
        name: &str,
        data_json: Option<&str>,
    ) -> Result<(), super::TargetError>;
}

/// An [`ActivationTarget`] over a [`ForeignTarget`].
#[derive(Debug)]
pub struct Foreign<T>(pub T);

fn bad_json(what: &str, e: &serde_json::Error) -> super::TargetError {
    super::TargetError::Other {
        detail: format!("the target's {what} JSON is not valid: {e}"),
    }
}

impl<T: ForeignTarget> ActivationTarget for Foreign<T> {
    fn machine(&mut self) -> Result<super::MachineInfo, super::TargetError> {
        let text = self.0.machine_json()?;
        serde_json::from_str(&text).map_err(|e| bad_json("machine", &e))
    }
    fn products(&mut self) -> Result<Vec<super::TargetProduct>, super::TargetError> {
        let text = self.0.products_json()?;
        serde_json::from_str(&text).map_err(|e| bad_json("products", &e))
    }
    fn install_product_key(&mut self, key: &ProductKey) -> Result<(), super::TargetError> {
        let text = key.reveal();
        let result = self.0.install_product_key(&text);
        // The one copy of the key in clear volact made for the foreign side: overwritten
        // before it is freed (black_box keeps the writes from being optimised away).
        let mut bytes = text.into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
        result
    }
    fn activate(&mut self, activation_id: &str) -> Result<(), super::TargetError> {
        self.0.activate(activation_id)
    }
    fn deposit_confirmation_id(
        &mut self,
        activation_id: &str,
        installation_id: &str,
        confirmation_id: &str,
    ) -> Result<(), super::TargetError> {
        self.0
            .deposit_confirmation_id(activation_id, installation_id, confirmation_id)
    }
    fn set_kms_host(&mut self, host: Option<&HostPort>) -> Result<(), super::TargetError> {
        self.0.set_kms_host(host.map(|h| h.to_string()).as_deref())
    }
    fn set_kms_lookup_domain(&mut self, domain: Option<&str>) -> Result<(), super::TargetError> {
        self.0.set_kms_lookup_domain(domain)
    }
    fn set_host_caching(&mut self, enabled: bool) -> Result<(), super::TargetError> {
        self.0.set_host_caching(enabled)
    }
    fn read_value(
        &mut self,
        value: super::LicensingValue,
    ) -> Result<Option<super::RegistryData>, super::TargetError> {
        match self.0.read_value(value.name())? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| bad_json("registry value", &e)),
        }
    }
    fn write_value(
        &mut self,
        value: super::LicensingValue,
        data: Option<&super::RegistryData>,
    ) -> Result<(), super::TargetError> {
        let json = data.map(|d| serde_json::to_string(d).unwrap_or_default());
        self.0.write_value(value.name(), json.as_deref())
    }
}

/// A CID source as foreign code implements it: `Ok(Some(cid))`, `Ok(None)` when it has
/// nothing for the IID, or `Err((code, detail))` when the service refused.
pub trait ForeignCidSource {
    /// The answer for one IID (`product_key_id` and `sku_id` empty when the file has none).
    fn confirmation_id(
        &mut self,
        installation_id: &str,
        product_key_id: &str,
        sku_id: &str,
    ) -> Result<Option<String>, (u32, String)>;
}

impl<T: ForeignCidSource> ConfirmationIdSource for Foreign<T> {
    fn confirmation_id(&mut self, r: &super::CidRequest) -> super::CidAnswer {
        match self.0.confirmation_id(
            &r.installation_id,
            r.product_key_id.as_deref().unwrap_or(""),
            r.sku_id.as_deref().unwrap_or(""),
        ) {
            Ok(Some(confirmation_id)) => super::CidAnswer::Issued { confirmation_id },
            Ok(None) => super::CidAnswer::NotAvailable,
            Err((code, detail)) => super::CidAnswer::Refused { code, detail },
        }
    }
}
