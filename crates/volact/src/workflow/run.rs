//! Building plans from what the targets report, and running them with state that can be
//! saved between steps.
//!
//! - [`survey`]: VAMT's "Refresh Computer Status" — each target's machine and products.
//! - Plan builders: [`preflight_plan`], [`mak_plan`] (independent activation, or proxy step 5
//!   without activation), [`collect_cil`] (proxy steps 3 and 6: the full CIL),
//!   [`apply_plan`] (step 12) and [`reapply_plan`] (step 13).
//! - [`Run`]: a plan's progress per machine, serializable, so a run interrupted (a machine
//!   offline, the operator gone home) resumes where it stopped; [`Run::execute`] does the
//!   pending actions.

use super::WorkflowError;
use super::applicability::{KeyToInstall, check_install};
use super::cid_source::digits;
use super::plan::{Action, MachinePlan, Plan, PlanKind, Requirement, Skip};
use super::target::{ActivationTarget, MachineInfo, NetworkType, TargetError, TargetProduct};
use crate::cil::xml::{escape_attr, escape_text};
use crate::cil::{CilDocument, Computer, Field};
use crate::key::ProductKey;
use crate::license::LicenseStatus;
use crate::srv::discovery::HostPort;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;

/// What one target reported, or why it could not: one entry of a survey, and the JSON
/// shape of an inventory file (`{"machine": {...}, "products": [...]}`, or `{"error": {...}}`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Surveyed {
    /// The machine, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineInfo>,
    /// Its products, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<TargetProduct>>,
    /// Why it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TargetError>,
}

impl Surveyed {
    /// The computer name, or `#N` (1-based) for a target that did not say.
    pub fn name(&self, index: usize) -> String {
        match &self.machine {
            Some(m) => m.name.clone(),
            None => format!("#{}", index + 1),
        }
    }

    /// The machine and its products, or the error (a missing part is an error too).
    pub fn answer(&self) -> Result<(&MachineInfo, &[TargetProduct]), TargetError> {
        match (&self.machine, &self.products, &self.error) {
            (_, _, Some(e)) => Err(e.clone()),
            (Some(m), Some(p), None) => Ok((m, p)),
            _ => Err(TargetError::Other {
                detail: "the survey holds no machine or no products".into(),
            }),
        }
    }

    /// Reads a survey: one entry, an array, or several of either (the collection script's
    /// outputs joined), UTF-8 or UTF-16 with its mark; errors name the line and column. The
    /// one survey reader, shared with the CLI ([`inventory::read_survey`]).
    ///
    /// [`inventory::read_survey`]: super::inventory::read_survey
    pub fn list_from_json(text: &str) -> Result<Vec<Surveyed>, WorkflowError> {
        super::inventory::read_survey(text.as_bytes())
    }

    /// A survey as JSON.
    pub fn list_to_json(list: &[Surveyed]) -> String {
        serde_json::to_string_pretty(list).unwrap_or_default()
    }
}

pub(crate) fn json_error(e: serde_json::Error) -> WorkflowError {
    WorkflowError::PlanJson {
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    }
}

/// VAMT's "Refresh Computer Status": asks every target for its machine and products.
pub fn survey(targets: &mut [&mut dyn ActivationTarget]) -> Vec<Surveyed> {
    targets
        .iter_mut()
        .map(|t| match t.machine().and_then(|m| Ok((m, t.products()?))) {
            Ok((m, p)) => Surveyed {
                machine: Some(m),
                products: Some(p),
                error: None,
            },
            Err(e) => Surveyed {
                machine: None,
                products: None,
                error: Some(e),
            },
        })
        .collect()
}

/// What each machine needs before remote management: the WMI exception everywhere, and on
/// workgroup machines `LocalAccountTokenFilterPolicy` and the network-discovery exception;
/// TCP to each KMS host (hosts given without a name are refused).
pub fn preflight_plan(
    surveyed: &[Surveyed],
    kms_hosts: &[HostPort],
) -> Result<Plan, WorkflowError> {
    if let Some(h) = kms_hosts.iter().find(|h| h.host().is_none()) {
        return Err(WorkflowError::Input {
            detail: format!("KMS host {h} names no host"),
        });
    }
    let machines = surveyed
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut actions = vec![Action::Preflight {
                requirement: Requirement::WmiFirewallException,
            }];
            // A machine that does not answer yet is treated as a workgroup machine: the
            // two extra settings are harmless on a domain member and needed otherwise.
            let workgroup = s
                .machine
                .as_ref()
                .is_none_or(|m| m.network_type == NetworkType::Workgroup);
            if workgroup {
                actions.push(Action::Preflight {
                    requirement: Requirement::LocalAccountTokenFilterPolicy,
                });
                actions.push(Action::Preflight {
                    requirement: Requirement::NetworkDiscoveryException,
                });
            }
            actions.extend(kms_hosts.iter().map(|h| Action::Preflight {
                requirement: Requirement::KmsReachable { host: h.clone() },
            }));
            MachinePlan::new(i, s.name(i), actions)
        })
        .collect();
    Ok(Plan {
        kind: PlanKind::Preflight,
        machines,
        notes: vec![
            "run on each machine itself, elevated: remote management is what these settings enable (the seed, step 2)".into(),
        ],
    })
}

/// MAK independent activation (`activate`: install with overwrite, then activate now; the
/// seed's step 6) or proxy step 5 (install only). Machines the key does not apply to are
/// listed with the rule and reason.
pub fn mak_plan(
    key: &KeyToInstall,
    key_id: Option<&str>,
    surveyed: &[Surveyed],
    activate: bool,
) -> Plan {
    let machines = surveyed
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let answer = s.answer();
            if let Err(e) = &answer {
                return MachinePlan::skip(
                    i,
                    s.name(i),
                    "status-unknown",
                    format!("not reachable: {e}"),
                );
            }
            let verdict = check_install(key, answer.ok().map(|(_, p)| p));
            match verdict.activation_id() {
                None => {
                    let skip = Skip::of(&verdict).unwrap_or(Skip {
                        rule: "status-unknown".into(),
                        reason: String::new(),
                    });
                    MachinePlan::skip(i, s.name(i), &skip.rule, skip.reason)
                }
                Some(act) => {
                    let mut actions = vec![Action::InstallKey {
                        key_masked: key.key().masked(),
                        key_id: key_id.map(str::to_owned),
                    }];
                    if activate {
                        actions.push(Action::Activate {
                            activation_id: act.to_owned(),
                        });
                    } else {
                        // Step 3 again after step 5: the IID changes with the key.
                        actions.push(Action::ReadInstallationId {
                            activation_id: act.to_owned(),
                        });
                    }
                    MachinePlan::new(i, s.name(i), actions)
                }
            }
        })
        .collect();
    let mut notes = vec![
        "install MAK (overwrite existing): the key replaces the one installed (slmgr /ipk)".into(),
    ];
    if activate {
        notes.push(
            "activate now contacts Microsoft over the Internet and uses one activation of the MAK per machine".into(),
        );
    } else {
        notes.push(
            "proxy step 5: the machines have no Internet; do not activate, do not get CIDs here (steps 5.5, 5.6)".into(),
        );
    }
    Plan {
        kind: if activate {
            PlanKind::MakIndependent
        } else {
            PlanKind::ProxyInstall
        },
        machines,
        notes,
    }
}

/// Proxy steps 3 and 6: the full CIL of the surveyed machines in one group (the seed's
/// "Isolated Lab Group"). Computers that did not answer are left out and listed.
///
/// VAMT gives each computer a GUID when it is first discovered; volact derives it from the
/// computer name and network (SHA-256, as an RFC 9562 version 8 UUID), so the same machine
/// surveyed again — reimaged under the same name, as the seed's step 13 does — gets the same
/// `Id`.
pub fn collect_cil(
    surveyed: &[Surveyed],
    group: &str,
) -> Result<(CilDocument, Vec<Skip>), WorkflowError> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SoftwareLicensingData Version=\"2.0\">\n  <Computers>\n",
    );
    let mut left_out = Vec::new();
    for (i, s) in surveyed.iter().enumerate() {
        let (m, products) = match s.answer() {
            Ok(x) => x,
            Err(e) => {
                left_out.push(Skip {
                    rule: "unreachable".into(),
                    reason: format!("{}: {e}", s.name(i)),
                });
                continue;
            }
        };
        let edition = super::applicability::windows_product(products)
            .map(|p| p.edition_id.clone())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    <Computer Id=\"{}\" Name=\"{}\" OSVersion=\"{}\" OSEdition=\"{}\" NetworkType=\"{}\" NetworkName=\"{}\">",
            computer_guid(m),
            escape_attr(&m.name),
            escape_attr(&m.os_version),
            escape_attr(&edition),
            m.network_type.as_str(),
            escape_attr(&m.network_name)
        );
        if !m.mac_addresses.is_empty() {
            out.push_str("      <MacAddresses>\n");
            for mac in &m.mac_addresses {
                let _ = writeln!(out, "        <MacAddress>{}</MacAddress>", escape_text(mac));
            }
            out.push_str("      </MacAddresses>\n");
        }
        if !group.is_empty() {
            let _ = writeln!(
                out,
                "      <Groups>\n        <Group>{}</Group>\n      </Groups>",
                escape_text(group)
            );
        }
        out.push_str("      <Products>\n");
        for p in products {
            out.push_str("        <Product>\n");
            let _ = writeln!(
                out,
                "          <Sku Id=\"{}\" Name=\"{}\" ApplicationId=\"{}\"/>",
                escape_attr(&p.activation_id),
                escape_attr(&p.name),
                escape_attr(&p.application_id)
            );
            let mut field = |f: Field, v: Option<&str>| {
                if let Some(v) = v {
                    let _ = writeln!(
                        out,
                        "          <{0}>{1}</{0}>",
                        f.canonical(),
                        escape_text(v)
                    );
                }
            };
            field(
                Field::LicenseStatus,
                Some(&p.license_status.to_wmi().to_string()),
            );
            field(Field::ProductKeyType, Some(&p.channel.product_key_type()));
            field(Field::PartialProductKey, p.partial_product_key.as_deref());
            field(Field::ProductKeyId, p.product_key_id.as_deref());
            field(Field::InstallationId, p.installation_id.as_deref());
            out.push_str("        </Product>\n");
        }
        out.push_str("      </Products>\n    </Computer>\n");
    }
    out.push_str("  </Computers>\n</SoftwareLicensingData>\n");
    // Everything written above is escaped and well formed; a failure to read it back is a
    // bug, reported as an error rather than a panic.
    let doc = CilDocument::parse(out.as_bytes()).map_err(|e| WorkflowError::Input {
        detail: format!("the collected CIL did not read back: {e}"),
    })?;
    Ok((doc, left_out))
}

/// The stable computer `Id` volact gives a surveyed machine: a version 8 UUID over the
/// lower-cased name, network type and network name.
pub fn computer_guid(m: &MachineInfo) -> String {
    let mut h = Sha256::new();
    h.update(b"volact computer id\0");
    h.update(m.name.to_lowercase().as_bytes());
    h.update(b"\0");
    h.update(m.network_type.as_str().as_bytes());
    h.update(b"\0");
    h.update(m.network_name.to_lowercase().as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0F) | 0x80; // version 8
    b[8] = (b[8] & 0x3F) | 0x80; // variant 10
    let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// How a surveyed machine was matched to a computer of a CIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The computer name (the seed redeploys with the same names, step 13.1).
    Name,
    /// A MAC address, when no computer has the name.
    MacAddress,
}

/// The computers of a CIL indexed for matching surveyed machines: by lower-case name, and
/// by normalised MAC address (hex digits, upper case). Built once per plan, so matching a
/// survey of `n` machines is linear rather than `n` scans of the document.
#[derive(Debug)]
pub struct ComputerIndex<'d> {
    computers: &'d [Computer],
    by_name: HashMap<String, usize>,
    by_mac: HashMap<String, Vec<usize>>,
}

fn mac_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_uppercase()
}

impl<'d> ComputerIndex<'d> {
    /// Indexes a document's computers (the first of equal names wins, as a scan would).
    pub fn new(doc: &'d CilDocument) -> Self {
        let computers = doc.computers();
        let mut by_name = HashMap::new();
        let mut by_mac: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in computers.iter().enumerate() {
            if let Some(n) = &c.name {
                by_name.entry(n.to_lowercase()).or_insert(i);
            }
            for mac in &c.mac_addresses {
                let list = by_mac.entry(mac_key(mac)).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        ComputerIndex {
            computers,
            by_name,
            by_mac,
        }
    }

    /// The computer a machine is: by name first (case-insensitive), then by a MAC address,
    /// only when exactly one computer shares one.
    pub fn find(&self, m: &MachineInfo) -> Option<(&'d Computer, MatchedBy)> {
        if let Some(&i) = self.by_name.get(&m.name.to_lowercase()) {
            return Some((&self.computers[i], MatchedBy::Name));
        }
        let mut hits: Vec<usize> = m
            .mac_addresses
            .iter()
            .filter_map(|mac| self.by_mac.get(&mac_key(mac)))
            .flatten()
            .copied()
            .collect();
        hits.sort_unstable();
        hits.dedup();
        match hits.as_slice() {
            [i] => Some((&self.computers[*i], MatchedBy::MacAddress)),
            _ => None,
        }
    }
}

/// The computer of `doc` a machine is: by name first, then by a shared MAC address (only
/// when exactly one computer shares one). For many machines, build a [`ComputerIndex`] once.
pub fn match_computer<'d>(
    doc: &'d CilDocument,
    m: &MachineInfo,
) -> Option<(&'d Computer, MatchedBy)> {
    ComputerIndex::new(doc).find(m)
}

/// The CID a product holds: pending (not yet deposited) first, else the deposited one.
fn stored_cid(p: &crate::cil::Product) -> Option<&str> {
    p.get(Field::PendingConfirmationId)
        .or_else(|| p.get(Field::ConfirmationId))
}

/// Proxy step 12: deposit, on each machine, the CIDs the merged CIL holds for it. The IIDs
/// were collected from these very machines in step 3, so the exact IID match is on.
pub fn apply_plan(doc: &CilDocument, surveyed: &[Surveyed]) -> Plan {
    cid_plan(PlanKind::ProxyApply, doc, surveyed, None, true)
}

/// Proxy step 13: reinstall the MAK (step 13.5) and reapply the stored CIDs to reimaged
/// machines, matched by name first. With `exact_iid` (the default, step 13.7) a machine whose
/// IID changed is refused when the action runs; without it the deposit is attempted with a
/// warning. No online activation: the MAK's count is untouched ("Reapplying the same CID
/// conserves the remaining activations", research/vamt.md §5).
pub fn reapply_plan(
    doc: &CilDocument,
    key: &KeyToInstall,
    key_id: Option<&str>,
    surveyed: &[Surveyed],
    exact_iid: bool,
) -> Plan {
    cid_plan(
        PlanKind::Reapply,
        doc,
        surveyed,
        Some((key, key_id)),
        exact_iid,
    )
}

fn cid_plan(
    kind: PlanKind,
    doc: &CilDocument,
    surveyed: &[Surveyed],
    key: Option<(&KeyToInstall, Option<&str>)>,
    exact_iid: bool,
) -> Plan {
    let mut notes = Vec::new();
    let index = ComputerIndex::new(doc);
    let machines = surveyed
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = s.name(i);
            let (m, products) = match s.answer() {
                Ok(x) => x,
                Err(e) => {
                    return MachinePlan::skip(i, name, "status-unknown", format!("not reachable: {e}"));
                }
            };
            let Some((computer, by)) = index.find(m) else {
                return MachinePlan::skip(i,
                    name,
                    "not-in-cil",
                    "no computer of the CIL has this name or one of its MAC addresses".into(),
                );
            };
            if by == MatchedBy::MacAddress {
                notes.push(format!(
                    "{name}: matched by MAC address to the CIL's computer {:?}",
                    computer.name.as_deref().unwrap_or("")
                ));
            }
            let mut actions = Vec::new();
            if let Some((k, id)) = key {
                // The seed's step 13.5: the previously used MAK. A different key makes a
                // different IID, so the stored CIDs cannot fit.
                let stored_partial = computer
                    .products
                    .iter()
                    .find(|p| stored_cid(p).is_some())
                    .and_then(|p| p.get(Field::PartialProductKey));
                if let Some(partial) = stored_partial
                    && !partial.eq_ignore_ascii_case(k.key().partial())
                {
                    if exact_iid {
                        return MachinePlan::skip(i,
                            name,
                            "different-key",
                            format!(
                                "the CIL's CIDs were issued for the key ending {partial}, not {}",
                                k.key().partial()
                            ),
                        );
                    }
                    notes.push(format!(
                        "{name}: the stored CIDs were issued for the key ending {partial}; activation may fail"
                    ));
                }
                actions.push(Action::InstallKey {
                    key_masked: k.key().masked(),
                    key_id: id.map(str::to_owned),
                });
            }
            for p in &computer.products {
                let (Some(sku), Some(iid), Some(cid)) =
                    (p.sku_id(), p.get(Field::InstallationId), stored_cid(p))
                else {
                    continue;
                };
                if !products
                    .iter()
                    .any(|tp| tp.activation_id.eq_ignore_ascii_case(sku))
                {
                    continue;
                }
                actions.push(Action::DepositCid {
                    activation_id: sku.to_owned(),
                    installation_id: iid.to_owned(),
                    confirmation_id: cid.to_owned(),
                    exact_iid,
                });
            }
            if !actions.iter().any(|a| matches!(a, Action::DepositCid { .. })) {
                return MachinePlan::skip(i,
                    name,
                    "no-cid",
                    "the CIL holds no CID for a product this machine has".into(),
                );
            }
            MachinePlan::new(i, name, actions)
        })
        .collect();
    if kind == PlanKind::Reapply {
        notes.push(
            "reapplying stored CIDs does not activate online: the MAK's remaining count is untouched".into(),
        );
        if !exact_iid {
            notes.push(
                "require exact IID match is off: a machine whose hardware changed gets the stored CID anyway, and Windows may not activate (the seed, step 13.7)".into(),
            );
        }
    }
    Plan {
        kind,
        machines,
        notes,
    }
}

/// Where one machine's run stands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MachineState {
    /// Actions remain.
    Pending,
    /// Every action succeeded.
    Done,
    /// An action failed; running again retries it.
    Failed {
        /// 0-based index of the failed action.
        action: usize,
        /// What the target said, or volact's own refusal.
        error: TargetError,
    },
    /// Not applicable (the plan's reason).
    Skipped,
}

/// One machine's progress.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MachineProgress {
    /// The machine.
    pub machine: String,
    /// How many actions are done.
    pub done: usize,
    /// The state.
    #[serde(flatten)]
    pub state: MachineState,
    /// Warnings raised while running (e.g. an IID that changed, exact match off).
    pub warnings: Vec<String>,
    /// Installation IDs read by `ReadInstallationId` actions, by Activation ID.
    pub installation_ids: Vec<(String, String)>,
    /// The Windows product's license status after the last run, when read.
    pub license_status: Option<u32>,
    /// Steps volact cannot perform through the target (preflight settings on the machine
    /// itself, DNS record permissions on the DNS server): counted as done, listed here for
    /// the administrator to carry out from the rendered plan.
    #[serde(default)]
    pub manual: Vec<String>,
}

/// A plan and its progress: serializable, so it can be saved between steps and resumed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    /// The plan.
    pub plan: Plan,
    /// One entry per machine of the plan.
    pub progress: Vec<MachineProgress>,
    /// Set when the run stopped for a manual step that the machines after it depend on (the
    /// seed grants the SRV record permissions after the first KMS host's activation and
    /// before the others'): what to do. Running again means it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<String>,
}

impl Run {
    /// A run of `plan` with nothing done yet.
    pub fn new(plan: Plan) -> Run {
        let progress = plan
            .machines
            .iter()
            .map(|m| MachineProgress {
                machine: m.machine.clone(),
                done: 0,
                state: if m.skipped.is_some() {
                    MachineState::Skipped
                } else if m.actions.is_empty() {
                    MachineState::Done
                } else {
                    MachineState::Pending
                },
                warnings: Vec::new(),
                installation_ids: Vec::new(),
                license_status: None,
                manual: Vec::new(),
            })
            .collect();
        Run {
            plan,
            progress,
            waiting: None,
        }
    }

    /// The run as JSON (the saved state).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a saved run.
    pub fn from_json(text: &str) -> Result<Run, WorkflowError> {
        let run: Run = serde_json::from_str(text).map_err(json_error)?;
        if run.progress.len() != run.plan.machines.len()
            || run
                .progress
                .iter()
                .zip(&run.plan.machines)
                .any(|(p, m)| p.done > m.actions.len())
        {
            return Err(WorkflowError::Input {
                detail: "the saved run's progress does not fit its plan".into(),
            });
        }
        Ok(run)
    }

    /// Whether every applicable machine is done.
    pub fn is_complete(&self) -> bool {
        self.progress
            .iter()
            .all(|p| matches!(p.state, MachineState::Done | MachineState::Skipped))
    }

    /// How many machines are in a state with this name (`pending`, `done`, `failed`,
    /// `skipped`).
    pub fn count(&self, state: &str) -> usize {
        self.progress
            .iter()
            .filter(|p| {
                state
                    == match p.state {
                        MachineState::Pending => "pending",
                        MachineState::Done => "done",
                        MachineState::Failed { .. } => "failed",
                        MachineState::Skipped => "skipped",
                    }
            })
            .count()
    }

    /// Online activations that succeeded (each uses one activation of a MAK).
    pub fn online_activations(&self) -> usize {
        self.plan
            .machines
            .iter()
            .zip(&self.progress)
            .map(|(m, p)| {
                // `take`, not a slice: a `Run` built by hand may claim more done than planned.
                m.actions
                    .iter()
                    .take(p.done)
                    .filter(|a| matches!(a, Action::Activate { .. }))
                    .count()
            })
            .sum()
    }

    /// Runs every pending action (and retries failed ones) on the targets, in plan order;
    /// a machine stops at its first failure and the others go on. `key` is the key the
    /// plan's install actions name (its masked form must match); `targets` are those the
    /// plan was built from, in the same order.
    pub fn execute(
        &mut self,
        key: Option<&ProductKey>,
        targets: &mut [&mut dyn ActivationTarget],
    ) -> Result<(), WorkflowError> {
        // A plan read from JSON may name any index: check them all before touching a target.
        if let Some(m) = self.plan.machines.iter().find(|m| m.index >= targets.len()) {
            return Err(WorkflowError::Input {
                detail: format!(
                    "the plan's machine {:?} is target #{}, but {} targets were given",
                    m.machine,
                    m.index + 1,
                    targets.len()
                ),
            });
        }
        // Running again is the administrator's word that the awaited step was done.
        self.waiting = None;
        let mut pause = None;
        for (m, progress) in self.plan.machines.iter().zip(self.progress.iter_mut()) {
            if matches!(progress.state, MachineState::Done | MachineState::Skipped) {
                continue;
            }
            let target = &mut *targets[m.index];
            progress.state = MachineState::Pending;
            while progress.done < m.actions.len() {
                let action = &m.actions[progress.done];
                match perform(action, key, target, progress) {
                    Ok(()) => progress.done += 1,
                    Err(error) => {
                        progress.state = MachineState::Failed {
                            action: progress.done,
                            error,
                        };
                        break;
                    }
                }
            }
            let finished_now =
                progress.done == m.actions.len() && progress.state != MachineState::Done;
            if progress.done == m.actions.len() {
                progress.state = MachineState::Done;
            }
            progress.license_status = target.products().ok().and_then(|ps| {
                super::applicability::windows_product(&ps).map(|p| p.license_status.to_wmi())
            });
            // The other hosts may update the SRV record only once the grant is made: stop
            // here and let the administrator run again after it (the seed's order).
            let grants: Vec<String> = m
                .actions
                .iter()
                .filter_map(|a| match a {
                    Action::GrantSrvRecord { domain, group, .. } => Some(format!(
                        "grant {group} Read, Write and Delete on _vlmcs._tcp.{domain}"
                    )),
                    _ => None,
                })
                .collect();
            if finished_now && !grants.is_empty() {
                pause = Some(format!(
                    "{} before the next hosts activate, then run again",
                    grants.join("; ")
                ));
                break;
            }
        }
        if self
            .progress
            .iter()
            .any(|p| matches!(p.state, MachineState::Pending | MachineState::Failed { .. }))
        {
            self.waiting = pause;
        }
        Ok(())
    }
}

fn find_product(
    target: &mut dyn ActivationTarget,
    activation_id: &str,
) -> Result<TargetProduct, TargetError> {
    target
        .products()?
        .into_iter()
        .find(|p| p.activation_id.eq_ignore_ascii_case(activation_id))
        .ok_or_else(|| TargetError::NoSuchProduct {
            activation_id: activation_id.to_owned(),
        })
}

fn perform(
    action: &Action,
    key: Option<&ProductKey>,
    target: &mut dyn ActivationTarget,
    progress: &mut MachineProgress,
) -> Result<(), TargetError> {
    match action {
        Action::InstallKey { key_masked, .. } => {
            let key =
                key.filter(|k| k.masked() == *key_masked)
                    .ok_or_else(|| TargetError::Other {
                        detail: format!("the plan installs the key {key_masked}; it was not given"),
                    })?;
            target.install_product_key(key)
        }
        Action::Activate { activation_id } => target.activate(activation_id),
        Action::ReadInstallationId { activation_id } => {
            let p = find_product(target, activation_id)?;
            let iid = p.installation_id.ok_or_else(|| TargetError::Other {
                detail: format!("product {activation_id} shows no Installation ID"),
            })?;
            progress
                .installation_ids
                .retain(|(a, _)| !a.eq_ignore_ascii_case(activation_id));
            progress.installation_ids.push((activation_id.clone(), iid));
            Ok(())
        }
        Action::DepositCid {
            activation_id,
            installation_id,
            confirmation_id,
            exact_iid,
        } => {
            let p = find_product(target, activation_id)?;
            let current = p.installation_id.unwrap_or_default();
            let same = digits(&current) == digits(installation_id);
            if !same && *exact_iid {
                return Err(TargetError::Other {
                    detail: "exact IID match: the machine's Installation ID is not the one the CID was issued for (hardware or key changed); not applied".into(),
                });
            }
            let warning = "Installation ID changed: the stored CID was applied anyway (exact IID match off); activation may fail";
            if !same && !progress.warnings.iter().any(|w| w == warning) {
                progress.warnings.push(warning.to_owned());
            }
            target.deposit_confirmation_id(activation_id, &current, confirmation_id)
        }
        Action::SetKmsHost { host } => target.set_kms_host(Some(host)),
        Action::ClearKmsHost => target.set_kms_host(None),
        Action::SetKmsLookupDomain { domain } => target.set_kms_lookup_domain(Some(domain)),
        Action::ClearKmsLookupDomain => target.set_kms_lookup_domain(None),
        Action::SetHostCaching { enabled } => target.set_host_caching(*enabled),
        Action::SetValue { value, data } => target.write_value(*value, data.as_ref()),
        Action::InstallGvlk { key, .. } => {
            // Only a published GVLK may travel in clear in a plan; anything else is refused.
            match ProductKey::parse(key) {
                Ok(k) if crate::catalog::channel(&k).is_some() => target.install_product_key(&k),
                _ => Err(TargetError::Other {
                    detail: "the plan's key is not a published GVLK; refusing to install it".into(),
                }),
            }
        }
        Action::Preflight { requirement } => {
            let what = requirement.describe();
            if !progress.manual.contains(&what) {
                progress.manual.push(what);
            }
            Ok(())
        }
        Action::GrantSrvRecord { domain, group, .. } => {
            let what = format!("grant {group} Read, Write and Delete on _vlmcs._tcp.{domain}");
            if !progress.manual.contains(&what) {
                progress.manual.push(what);
            }
            Ok(())
        }
    }
}

/// The license status of every surveyed Windows product, for reports.
pub fn windows_status(s: &Surveyed) -> Option<LicenseStatus> {
    s.answer()
        .ok()
        .and_then(|(_, ps)| super::applicability::windows_product(ps).map(|p| p.license_status))
}
