//! The KMS half of the seed as plans: configuring KMS clients ("Configure for KMS Activation"
//! and Table 6), deploying KMS hosts from a topology of the `srv` planner in the seed's
//! order, and converting KMS clients to MAK after setup.
//!
//! - [`configure_plan`]: per client, the published GVLK of its edition (a machine whose edition
//!   has none is skipped before anything is installed), auto-discovery (the host cleared, as
//!   VAMT does), a lookup domain, or a specific host and port; host caching; the
//!   `Activation\AlternateURL` help-desk value; then an activation attempt.
//! - [`deploy_plan`]: per host, the "Key Management Service" firewall exception, its
//!   `DnsDomainPublishList` (or `DisableDnsPublishing`) and listening port from the planner,
//!   the CSVLK and activation; after the first activation that publishes in a domain, the
//!   grant of Read, Write and Delete on that domain's `_vlmcs._tcp` record to the hosts'
//!   security group (the seed: "KMS_1 automatically publishes its SRV resource records … The
//!   IT administrator … changes its permissions to give KMS_Hosts Read, Write, and Delete
//!   permission to the record. The host KMS_2 is now activated"). A CSVLK whose group does not
//!   cover the served clients is refused, and so is a seventh host: "one CSVLK activates up
//!   to 6 KMS hosts" (facts.md §4.1, S5).
//! - [`convert_plan`]: KMS clients to MAK after setup: `slmgr /ipk` does not activate, so
//!   `/ato` follows (the seed, "Installing a MAK after operating system installation").

use super::WorkflowError;
use super::applicability::{KeyToInstall, check_install, windows_product};
use super::edition;
use super::plan::{Action, MachinePlan, Plan, PlanKind, Requirement, Skip};
use super::run::Surveyed;
use super::target::{LicensingValue, RegistryData};
use crate::catalog::Channel;
use crate::license::product::{ClientProduct, Csvlk};
use crate::srv::discovery::HostPort;
use crate::srv::plan::{Topology, plan as srv_plan};
use crate::srv::record::{KMS_PORT, same_name};
use std::collections::{BTreeMap, BTreeSet};

/// How many KMS hosts one CSVLK may activate (facts.md §4.1, S5).
pub const MAX_HOSTS_PER_CSVLK: usize = 6;

/// How a KMS client finds its host (VAMT's "KMS Configuration" dialog, the seed's step 5).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discovery {
    /// "Auto-Discover KMS host using DNS": any configured host is cleared first.
    Auto,
    /// DNS auto-discovery in this domain only (`slmgr /skms-domain`, Windows 8 and later).
    LookupDomain(String),
    /// "Use specific KMS host and port" (`slmgr /skms`).
    Host(HostPort),
}

/// What a KMS client is configured with. In JSON every field is optional: the GVLK is
/// installed, DNS auto-discovery, caching and the URL left alone, and activation attempted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSettings {
    /// Install the published GVLK of each machine's edition ("Install KMS Client Key
    /// (overwrite existing)").
    pub install_gvlk: bool,
    /// How the host is found.
    pub discovery: Discovery,
    /// KMS host caching (`/skhc` on, `/ckhc` off); `None` leaves it as it is.
    pub host_caching: Option<bool>,
    /// `Activation\AlternateURL`, the help-desk page activation problems point to.
    pub alternate_url: Option<String>,
    /// Attempt activation at the end (`slmgr /ato`).
    pub activate: bool,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            install_gvlk: true,
            discovery: Discovery::Auto,
            host_caching: None,
            alternate_url: None,
            activate: true,
        }
    }
}

impl ClientSettings {
    /// Checks what a program may send as JSON: a lookup domain must be a DNS name, and the
    /// help-desk URL one line of text (both end up in registry values and command lines).
    pub fn check(&self) -> Result<(), WorkflowError> {
        if let Discovery::LookupDomain(d) = &self.discovery {
            crate::srv::record::check_dns_name(d).map_err(|why| WorkflowError::Input {
                detail: format!("lookup domain {d:?}: {why}"),
            })?;
        }
        if let Some(url) = &self.alternate_url
            && (url.trim().is_empty() || url.chars().any(char::is_control))
        {
            return Err(WorkflowError::Input {
                detail: "AlternateURL must be one non-empty line of text".into(),
            });
        }
        Ok(())
    }

    /// The seed's Table 6: the GVLK installed, DNS auto-discovery, host caching disabled
    /// (`slmgr /ckhc`, so SRV priority and weight hold), and the help-desk URL.
    pub fn table6(alternate_url: &str) -> ClientSettings {
        ClientSettings {
            install_gvlk: true,
            discovery: Discovery::Auto,
            host_caching: Some(false),
            alternate_url: Some(alternate_url.to_owned()),
            activate: true,
        }
    }
}

/// Configures KMS clients. A machine whose edition has no published GVLK (a retail edition),
/// or whose edition volact does not know, is skipped with the reason before anything is
/// installed.
pub fn configure_plan(surveyed: &[Surveyed], settings: &ClientSettings) -> Plan {
    let machines = surveyed
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = s.name(i);
            let products = match s.answer() {
                Ok((_, p)) => p,
                Err(e) => return MachinePlan::skip(i, name, "status-unknown", format!("not reachable: {e}")),
            };
            let Some(p) = windows_product(products) else {
                return MachinePlan::skip(i,
                    name,
                    "no-windows-product",
                    "no Windows product with a key installed".into(),
                );
            };
            if !settings.install_gvlk && p.channel != Channel::VolumeGvlk {
                return MachinePlan::skip(
                    i,
                    name,
                    "not-kms-client",
                    format!(
                        "the Windows product runs a {} key, not a GVLK: configuring KMS discovery does nothing without installing the GVLK",
                        p.channel.product_key_type()
                    ),
                );
            }
            let mut actions = Vec::new();
            if settings.install_gvlk {
                match edition::gvlk_for(&p.family, &p.edition_id) {
                    Some(row) => actions.push(Action::InstallGvlk {
                        key: row.key.to_owned(),
                        edition: format!("{} {}", row.family, row.edition),
                    }),
                    None if edition::catalog_names(&p.edition_id).is_none() => {
                        return MachinePlan::skip(i,
                            name,
                            "edition-unknown",
                            format!("edition {:?} is not in volact's edition table", p.edition_id),
                        );
                    }
                    None => {
                        return MachinePlan::skip(i,
                            name,
                            "no-gvlk",
                            format!(
                                "Microsoft publishes no KMS client setup key for {} {}: not a volume edition",
                                p.family, p.edition_id
                            ),
                        );
                    }
                }
            }
            match &settings.discovery {
                Discovery::Auto => {
                    actions.push(Action::ClearKmsHost);
                    actions.push(Action::ClearKmsLookupDomain);
                }
                Discovery::LookupDomain(d) => {
                    actions.push(Action::ClearKmsHost);
                    actions.push(Action::SetKmsLookupDomain { domain: d.clone() });
                }
                Discovery::Host(h) => actions.push(Action::SetKmsHost { host: h.clone() }),
            }
            if let Some(enabled) = settings.host_caching {
                actions.push(Action::SetHostCaching { enabled });
            }
            if let Some(url) = &settings.alternate_url {
                actions.push(Action::SetValue {
                    value: LicensingValue::AlternateUrl,
                    data: Some(RegistryData::String(url.clone())),
                });
            }
            if settings.activate {
                actions.push(Action::Activate {
                    activation_id: p.activation_id.clone(),
                });
            }
            MachinePlan::new(i, name, actions)
        })
        .collect();
    let mut notes = vec![
        "configure for KMS activation: the published GVLK of each machine's edition (Microsoft's KMS client setup keys, facts.md §3), then the discovery settings".into(),
    ];
    if settings.host_caching == Some(false) {
        notes.push(
            "host caching disabled (slmgr /ckhc): each activation and renewal rediscovers the host, so SRV priority and weight decide (the seed's Table 6)".into(),
        );
    }
    Plan {
        kind: PlanKind::KmsConfigure,
        machines,
        notes,
    }
}

/// What a KMS host deployment needs besides the topology and the surveyed hosts.
#[derive(Clone, Debug)]
pub struct Deployment<'a> {
    /// The CSVLK (from the MAK store, kind CSVLK).
    pub key: &'a KeyToInstall,
    /// Its store id.
    pub key_id: Option<&'a str>,
    /// Its group, as the administrator declares it (facts.md §5.4): `server2022`, …
    pub group: Csvlk,
    /// The client products the hosts serve: the group must cover every one.
    pub serves: &'a [ClientProduct],
    /// Domain → the security group of the hosts that write its `_vlmcs._tcp` record (the
    /// seed's `KMS_E`, `KMS_W`); `KMS_Hosts` (the seed's single-site name) when not given.
    /// Domains compare as DNS names (case, trailing dot); one the plan publishes no record
    /// in is listed in the plan's notes as unused.
    pub security_groups: &'a BTreeMap<String, String>,
}

/// The security group name the seed's single-site scenario uses.
pub const DEFAULT_SECURITY_GROUP: &str = "KMS_Hosts";

/// Whether a surveyed machine is the host named `fqdn`: its name is the FQDN or its first
/// label (Windows computer names are the host part of the DNS name).
fn is_host(machine: &str, fqdn: &str) -> bool {
    let m = machine.trim_end_matches('.');
    let f = fqdn.trim_end_matches('.');
    m.eq_ignore_ascii_case(f)
        || f.split('.')
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(m))
}

/// The surveyed machine that is the host named `fqdn`. Computer names repeat across domains
/// (each site's `KMS1`), so when several machines have the host's first label, the one whose
/// name and domain make the FQDN is it; none or several of those is an error, never a guess.
fn find_host<'s>(
    surveyed: &'s [Surveyed],
    fqdn: &str,
) -> Result<(usize, &'s Surveyed), WorkflowError> {
    let named: Vec<(usize, &Surveyed)> = surveyed
        .iter()
        .enumerate()
        .filter(|(_, s)| s.machine.as_ref().is_some_and(|m| is_host(&m.name, fqdn)))
        .collect();
    if let [one] = named[..] {
        return Ok(one);
    }
    let full: Vec<(usize, &Surveyed)> = named
        .iter()
        .copied()
        .filter(|(_, s)| {
            s.machine.as_ref().is_some_and(|m| {
                let dotted = format!("{}.{}", m.name.trim_end_matches('.'), m.network_name);
                m.network_type == super::target::NetworkType::Domain && same_name(&dotted, fqdn)
            })
        })
        .collect();
    match (&named[..], &full[..]) {
        ([], _) => Err(WorkflowError::Input {
            detail: format!("the KMS host {fqdn} is not in the survey"),
        }),
        (_, [one]) => Ok(*one),
        _ => Err(WorkflowError::Input {
            detail: format!(
                "the KMS host {fqdn} could be any of the surveyed machines {}: survey it under its full DNS name",
                named
                    .iter()
                    .map(|(i, s)| s.name(*i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// Deploys the topology's KMS hosts in the seed's order. Refused: a key that is not a CSVLK,
/// a group that does not cover every served product, more hosts than one CSVLK may activate,
/// a planned host that was not surveyed (or did not answer), or that the survey cannot tell
/// apart from another (computer names that repeat across domains).
pub fn deploy_plan(
    topology: &Topology,
    d: &Deployment<'_>,
    surveyed: &[Surveyed],
) -> Result<Plan, WorkflowError> {
    if d.key.channel != Channel::VolumeCsvlk {
        return Err(WorkflowError::Input {
            detail: format!(
                "the key {} is a {} key: KMS hosts take a CSVLK (a KMS host key)",
                d.key.key().masked(),
                d.key.channel.kind()
            ),
        });
    }
    let uncovered: Vec<ClientProduct> = d
        .serves
        .iter()
        .copied()
        .filter(|p| !d.group.activates(*p))
        .collect();
    if !uncovered.is_empty() {
        return Err(WorkflowError::Input {
            detail: format!(
                "a {} CSVLK does not activate {} (facts.md §5.4, S5): choose a CSVLK whose group covers every client served",
                d.group.label(),
                uncovered
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if topology.hosts.len() > MAX_HOSTS_PER_CSVLK {
        return Err(WorkflowError::Input {
            detail: format!(
                "{} KMS hosts planned: one CSVLK activates at most {MAX_HOSTS_PER_CSVLK} hosts (facts.md §4.1, S5); host {} would be the {}th",
                topology.hosts.len(),
                topology.hosts[MAX_HOSTS_PER_CSVLK].name,
                MAX_HOSTS_PER_CSVLK + 1
            ),
        });
    }
    let planned = srv_plan(topology);
    let mut granted: BTreeSet<String> = BTreeSet::new();
    let mut machines = Vec::new();
    // Who publishes in each domain: the grant lists them all (hosts of another site that
    // publish there as a fallback need the rights too).
    let mut publishers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (domain, records) in &planned.domains {
        publishers.insert(
            domain.clone(),
            records.iter().map(|r| r.host.clone()).collect(),
        );
    }
    // Surveyed machine → the planned host it was matched to: one machine is one host.
    let mut matched: BTreeMap<usize, &str> = BTreeMap::new();
    for host in &topology.hosts {
        let (i, s) = find_host(surveyed, &host.name)?;
        if let Some(other) = matched.insert(i, &host.name) {
            return Err(WorkflowError::Input {
                detail: format!(
                    "the KMS hosts {other} and {} are both the surveyed machine {}: survey each host, under its full DNS name where computer names repeat",
                    host.name,
                    s.name(i)
                ),
            });
        }
        let products = s.answer().map_err(|e| WorkflowError::Input {
            detail: format!("the KMS host {} did not answer: {e}", host.name),
        })?;
        let verdict = check_install(d.key, Some(products.1));
        let Some(activation_id) = verdict.activation_id().map(str::to_owned) else {
            let reason = Skip::of(&verdict).map(|s| s.reason).unwrap_or_default();
            return Err(WorkflowError::Input {
                detail: format!("the CSVLK cannot go on {}: {reason}", host.name),
            });
        };
        let Some(hp) = planned.hosts.get(&host.name) else {
            return Err(WorkflowError::Input {
                detail: format!("the planner has no values for {}", host.name),
            });
        };
        let mut actions = vec![Action::Preflight {
            requirement: Requirement::KmsFirewallException,
        }];
        if hp.disable_dns_publishing {
            actions.push(Action::SetValue {
                value: LicensingValue::DisableDnsPublishing,
                data: Some(RegistryData::Dword(1)),
            });
        } else {
            actions.push(Action::SetValue {
                value: LicensingValue::DnsDomainPublishList,
                data: Some(RegistryData::MultiString(
                    hp.dns_domain_publish_list.clone(),
                )),
            });
        }
        if host.port != KMS_PORT {
            actions.push(Action::SetValue {
                value: LicensingValue::KeyManagementServiceListeningPort,
                data: Some(RegistryData::String(host.port.to_string())),
            });
        }
        actions.push(Action::InstallKey {
            key_masked: d.key.key().masked(),
            key_id: d.key_id.map(str::to_owned),
        });
        actions.push(Action::Activate { activation_id });
        // The first activation publishing in a domain creates its record: the grant follows
        // it, before any other host tries to update the record.
        let publishes_in: Vec<String> = hp
            .publish_list()
            .map(|l| l.entries().iter().map(|e| e.domain.clone()).collect())
            .unwrap_or_default();
        for domain in publishes_in {
            if granted.insert(domain.to_ascii_lowercase()) {
                actions.push(Action::GrantSrvRecord {
                    group: d
                        .security_groups
                        .iter()
                        .find(|(k, _)| same_name(k, &domain))
                        .map_or_else(|| DEFAULT_SECURITY_GROUP.to_owned(), |(_, g)| g.clone()),
                    hosts: publishers.get(&domain).cloned().unwrap_or_default(),
                    domain,
                });
            }
        }
        machines.push(MachinePlan::new(i, s.name(i), actions));
    }
    let mut notes = planned.notes.clone();
    notes.insert(
        0,
        format!(
            "KMS hosts in the seed's order: install the CSVLK, activate the first host so it publishes its SRV records, grant the hosts' security group Read, Write and Delete on each _vlmcs._tcp record, then activate the others; {} of at most {MAX_HOSTS_PER_CSVLK} hosts for this CSVLK",
            topology.hosts.len()
        ),
    );
    notes.push(
        "restart the Software Licensing service after changing DnsDomainPublishList or the listening port (S6)".into(),
    );
    // A group given for a domain this plan publishes nothing in is unused: said, not refused
    // (one map of every domain's group may serve several deployments), since a misspelt
    // domain would otherwise leave its record to the default group unnoticed.
    let unused: Vec<&str> = d
        .security_groups
        .keys()
        .filter(|k| !planned.domains.keys().any(|p| same_name(p, k)))
        .map(String::as_str)
        .collect();
    if !unused.is_empty() {
        notes.push(format!(
            "security groups given for domains this plan publishes no record in, unused: {}",
            unused.join(", ")
        ));
    }
    Ok(Plan {
        kind: PlanKind::KmsDeploy,
        machines,
        notes,
    })
}

/// Converts KMS clients to MAK after setup: install the MAK (it replaces the GVLK), then
/// activate, since `slmgr /ipk` does not activate by itself (installed through the UI, a MAK
/// tries once by itself; the seed). Machines that are not KMS clients are skipped.
pub fn convert_plan(key: &KeyToInstall, key_id: Option<&str>, surveyed: &[Surveyed]) -> Plan {
    let mut plan = super::run::mak_plan(key, key_id, surveyed, true);
    for (m, s) in plan.machines.iter_mut().zip(surveyed) {
        if m.skipped.is_some() {
            continue;
        }
        let kms_client = s
            .answer()
            .ok()
            .and_then(|(_, p)| windows_product(p))
            .is_some_and(|p| p.channel == Channel::VolumeGvlk);
        if !kms_client {
            m.actions.clear();
            m.skipped = Some(Skip {
                rule: "not-kms-client".into(),
                reason: "the Windows product is not on the Volume:GVLK channel: not a KMS client"
                    .into(),
            });
        }
    }
    plan.kind = PlanKind::ConvertToMak;
    plan.notes = vec![
        "convert KMS clients to MAK after setup: slmgr /ipk installs the MAK without activating, slmgr /ato activates it (the seed); through Control Panel the MAK activates once by itself".into(),
        "during setup instead: put the MAK in the answer file (volact unattend set-key), or install it on the reference image before sysprep /generalize so every installation uses MAK activation (the seed)".into(),
        "each activation uses one of the MAK's activations".into(),
    ];
    plan
}

#[cfg(test)]
mod tests;
