//! Plans: per-machine sequences of typed actions, rendered for embedders that execute through
//! their own agents as `slmgr.vbs` command lines or PowerShell (CIM), or as JSON; and
//! executed by [`run`](super::run) against [`ActivationTarget`](super::ActivationTarget)s.
//!
//! A plan never holds a key in clear: an install action names the key by its store id and
//! masked form, and renderings read it from a variable the administrator sets
//! (`%VOLACT_KEY%` / `$env:VOLACT_KEY`), so a rendered script can be reviewed, logged and
//! shared without leaking the MAK.

use super::applicability::Verdict;
use super::target::{LicensingValue, RegistryData};
use crate::srv::discovery::HostPort;
use std::fmt::Write as _;

/// One thing to do on one machine. Each maps to one `slmgr.vbs` option or one CIM method
/// (facts.md §4.4, §5.2).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// `slmgr /ipk`: install the key (replacing the current one). Names the key, never holds
    /// it.
    InstallKey {
        /// The key's masked form (`XXXXX-…-6Q83G`).
        key_masked: String,
        /// The key's store id (fingerprint prefix), when it comes from the MAK store.
        key_id: Option<String>,
    },
    /// `slmgr /ipk GVLK`: install a published KMS client setup key. GVLKs are public
    /// (Microsoft publishes them, facts.md §3), so the plan holds this one in clear; running it
    /// refuses any key that is not in the catalog.
    InstallGvlk {
        /// The GVLK.
        key: String,
        /// The family and edition it is published for, e.g. `Windows 11 Enterprise`.
        edition: String,
    },
    /// `slmgr /ato ActID`: activate online now.
    Activate {
        /// The product's Activation ID.
        activation_id: String,
    },
    /// `slmgr /dti ActID`: read the Installation ID (proxy step 3, "Refresh Computer
    /// Status").
    ReadInstallationId {
        /// The product's Activation ID.
        activation_id: String,
    },
    /// `slmgr /atp CID ActID`: deposit the CID issued for `installation_id`. With
    /// `exact_iid`, the machine's current IID must equal `installation_id` first (the seed's
    /// "Require exact IID match", step 13.7); without it the deposit is attempted anyway,
    /// with a warning that activation may fail.
    DepositCid {
        /// The product's Activation ID.
        activation_id: String,
        /// The IID the CID was issued for.
        installation_id: String,
        /// The CID.
        confirmation_id: String,
        /// Whether the machine's IID must match first.
        exact_iid: bool,
    },
    /// `slmgr /skms host[:port]`.
    SetKmsHost {
        /// The host and port.
        host: HostPort,
    },
    /// `slmgr /ckms`.
    ClearKmsHost,
    /// `slmgr /skms-domain FQDN`.
    SetKmsLookupDomain {
        /// The domain.
        domain: String,
    },
    /// `slmgr /ckms-domain`.
    ClearKmsLookupDomain,
    /// `slmgr /skhc` (`true`) or `/ckhc` (`false`).
    SetHostCaching {
        /// Whether caching is on.
        enabled: bool,
    },
    /// Write (or, with `None`, delete) a licensing registry value.
    SetValue {
        /// The value.
        value: LicensingValue,
        /// Its data, or `None` to delete it.
        data: Option<RegistryData>,
    },
    /// A preflight requirement, run on the machine itself before remote management works.
    /// Not done through the target: a run records it as a manual step.
    Preflight {
        /// What is needed.
        requirement: Requirement,
    },
    /// Give the KMS hosts' security group Read, Write and Delete on the `_vlmcs._tcp` record
    /// of `domain`, so every host can update the record the first one created (the seed: "The
    /// IT administrator accesses the DNS server, locates the RR for _vlmcs._tcp.contoso.com,
    /// and changes its permissions to give KMS_Hosts Read, Write, and Delete"). Done on the
    /// DNS server: a run records it as a manual step.
    GrantSrvRecord {
        /// The domain of the record.
        domain: String,
        /// The hosts' security group (the seed's `KMS_Hosts`, `KMS_E`, `KMS_W`).
        group: String,
        /// The hosts that must be able to update it (FQDNs), for BIND's `update-policy`.
        hosts: Vec<String>,
    },
}

/// What a machine needs before VAMT-style remote management works (the seed, steps 2 and
/// 4.5's notes; research/vamt.md §7).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "requirement", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Requirement {
    /// The WMI firewall exception (the seed, independent step 2, proxy step 1.3).
    WmiFirewallException,
    /// `LocalAccountTokenFilterPolicy` = 1 on a workgroup machine, so a local administrator
    /// can act remotely under UAC (the seed's note to step 4.5; vamt.md §7).
    LocalAccountTokenFilterPolicy,
    /// The network-discovery firewall exception, for workgroup discovery (the seed, proxy
    /// step 2.3's note).
    NetworkDiscoveryException,
    /// TCP to a KMS host's port (1688 by default; facts.md §4.3).
    KmsReachable {
        /// The host and port.
        host: HostPort,
    },
    /// The "Key Management Service" firewall exception on a KMS host (the seed: "The Key
    /// Management Service firewall exception needs to be enabled").
    KmsFirewallException,
}

impl Requirement {
    /// The requirement in words, for run reports.
    pub fn describe(&self) -> String {
        match self {
            Requirement::WmiFirewallException => "enable the WMI firewall exception".into(),
            Requirement::LocalAccountTokenFilterPolicy => {
                "set LocalAccountTokenFilterPolicy = 1 (workgroup machine)".into()
            }
            Requirement::NetworkDiscoveryException => {
                "enable the network-discovery firewall exception".into()
            }
            Requirement::KmsReachable { host } => format!(
                "allow TCP {} to the KMS host {}",
                host.port_or_default(),
                host.host().unwrap_or("")
            ),
            Requirement::KmsFirewallException => {
                "enable the Key Management Service firewall exception".into()
            }
        }
    }
}

/// One machine's part of a plan.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MachinePlan {
    /// The machine's position in the list of targets the plan was built from.
    pub index: usize,
    /// The computer name.
    pub machine: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
    /// Why the machine is skipped, when it is (VAMT's asterisk); then `actions` is empty.
    pub skipped: Option<Skip>,
}

impl MachinePlan {
    /// A machine with its actions.
    pub fn new(index: usize, machine: String, actions: Vec<Action>) -> MachinePlan {
        MachinePlan {
            index,
            machine,
            actions,
            skipped: None,
        }
    }

    /// A skipped machine, with the rule's stable name and the reason.
    pub fn skip(index: usize, machine: String, rule: &str, reason: String) -> MachinePlan {
        MachinePlan {
            index,
            machine,
            actions: Vec::new(),
            skipped: Some(Skip {
                rule: rule.to_owned(),
                reason,
            }),
        }
    }
}

/// A skipped machine's rule and reason (from an [`applicability`](super::applicability)
/// verdict, or a workflow's own check).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skip {
    /// The rule's stable name, e.g. `mak-on-retail-edition`.
    pub rule: String,
    /// Why, for this machine.
    pub reason: String,
}

impl Skip {
    /// The skip of a `Skipped` verdict.
    pub fn of(verdict: &Verdict) -> Option<Skip> {
        match verdict {
            Verdict::Skipped { rule, reason } => Some(Skip {
                rule: rule.name().to_owned(),
                reason: reason.clone(),
            }),
            Verdict::Applicable { .. } => None,
        }
    }
}

/// Which workflow a plan carries out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PlanKind {
    /// What each machine needs before remote management.
    Preflight,
    /// MAK independent activation: install the MAK (overwrite), activate now.
    MakIndependent,
    /// Proxy step 5: install the MAK, no activation (the machines have no Internet).
    ProxyInstall,
    /// Proxy step 12: deposit the CIDs of the merged CIL.
    ProxyApply,
    /// Proxy step 13: reinstall the MAK on reimaged machines and reapply stored CIDs.
    Reapply,
    /// Configure KMS clients (host, lookup domain, caching, registry values).
    KmsConfigure,
    /// Deploy KMS hosts from a topology, in the seed's order.
    KmsDeploy,
    /// Convert KMS clients to MAK after setup: install the MAK, then activate.
    ConvertToMak,
}

impl PlanKind {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            PlanKind::Preflight => "preflight",
            PlanKind::MakIndependent => "mak-independent",
            PlanKind::ProxyInstall => "proxy-install",
            PlanKind::ProxyApply => "proxy-apply",
            PlanKind::Reapply => "reapply",
            PlanKind::KmsConfigure => "kms-configure",
            PlanKind::KmsDeploy => "kms-deploy",
            PlanKind::ConvertToMak => "convert-to-mak",
        }
    }
}

/// A plan: what to do on each machine, and notes for the administrator.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// The workflow.
    pub kind: PlanKind,
    /// One entry per target, in target order.
    pub machines: Vec<MachinePlan>,
    /// Notes that hold for the whole plan (sources, warnings).
    pub notes: Vec<String>,
}

/// How to render a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `cscript slmgr.vbs COMPUTER /option …` lines, per machine (a `.cmd` file).
    Slmgr,
    /// PowerShell with CIM sessions (`SoftwareLicensingService`/`SoftwareLicensingProduct`).
    PowerShell,
    /// The plan as JSON.
    Json,
}

impl Format {
    /// Reads `slmgr`, `powershell` or `json`.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "slmgr" | "cmd" => Some(Format::Slmgr),
            "powershell" | "ps" | "ps1" => Some(Format::PowerShell),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl Plan {
    /// The plan as JSON (one document, pretty-printed).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a plan from its JSON.
    pub fn from_json(text: &str) -> Result<Plan, super::WorkflowError> {
        serde_json::from_str(text).map_err(|e| super::WorkflowError::PlanJson {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        })
    }

    /// The machines that are not skipped.
    pub fn applicable(&self) -> impl Iterator<Item = &MachinePlan> {
        self.machines.iter().filter(|m| m.skipped.is_none())
    }

    /// Renders the plan.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Slmgr => self.render_slmgr(),
            Format::PowerShell => self.render_powershell(),
        }
    }

    fn key_hint(&self) -> Option<String> {
        self.machines
            .iter()
            .flat_map(|m| &m.actions)
            .find_map(|a| match a {
                Action::InstallKey { key_masked, .. } => Some(comment(key_masked)),
                _ => None,
            })
    }

    fn render_slmgr(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "@echo off");
        let _ = writeln!(
            out,
            "rem volact plan: {} (slmgr.vbs, facts.md §4.4)",
            self.kind.name()
        );
        if let Some(k) = self.key_hint() {
            let _ = writeln!(
                out,
                "rem Set VOLACT_KEY to the key {k} before running: the plan never holds it."
            );
            let _ = writeln!(
                out,
                "if not defined VOLACT_KEY (echo set VOLACT_KEY first & exit /b 1)"
            );
        }
        let _ = writeln!(
            out,
            "set SLMGR=cscript //nologo %SystemRoot%\\System32\\slmgr.vbs"
        );
        for note in &self.notes {
            let _ = writeln!(out, "rem note: {}", comment(note));
        }
        for m in &self.machines {
            let _ = writeln!(out);
            let name = machine_arg(&m.machine);
            if let Some(s) = &m.skipped {
                let _ = writeln!(
                    out,
                    "rem {}: skipped ({}): {}",
                    comment(&m.machine),
                    comment(&s.rule),
                    comment(&s.reason)
                );
                continue;
            }
            let _ = writeln!(out, "rem {name}");
            for a in &m.actions {
                let _ = writeln!(out, "{}", slmgr_line(&name, a));
            }
        }
        out
    }

    fn render_powershell(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# volact plan: {} (PowerShell, CIM SoftwareLicensingService/SoftwareLicensingProduct; facts.md §5.2)",
            self.kind.name()
        );
        let _ = writeln!(out, "$ErrorActionPreference = 'Stop'");
        if let Some(k) = self.key_hint() {
            let _ = writeln!(
                out,
                "# Set $env:VOLACT_KEY to the key {k} before running: the plan never holds it."
            );
            let _ = writeln!(
                out,
                "if (-not $env:VOLACT_KEY) {{ throw 'set $env:VOLACT_KEY first' }}"
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "# note: {}", comment(note));
        }
        for m in &self.machines {
            let _ = writeln!(out);
            let name = ps_quote(&machine_arg(&m.machine));
            if let Some(s) = &m.skipped {
                let _ = writeln!(
                    out,
                    "# {}: skipped ({}): {}",
                    comment(&m.machine),
                    comment(&s.rule),
                    comment(&s.reason)
                );
                continue;
            }
            let preflight = m
                .actions
                .iter()
                .all(|a| matches!(a, Action::Preflight { .. }));
            if preflight {
                // Preflight runs on the machine itself: remote management is what it enables.
                let _ = writeln!(out, "# run on {} itself, elevated", comment(&m.machine));
                for a in &m.actions {
                    let _ = writeln!(out, "{}", ps_line(a));
                }
                continue;
            }
            let _ = writeln!(out, "$s = New-CimSession -ComputerName {name}");
            let _ = writeln!(
                out,
                "$svc = Get-CimInstance -CimSession $s -ClassName SoftwareLicensingService"
            );
            for a in &m.actions {
                let _ = writeln!(out, "{}", ps_line(a));
            }
            let _ = writeln!(out, "Remove-CimSession $s");
        }
        out
    }
}

/// A command-line argument for `cmd`: names are plain, anything else quoted with `"` (which
/// cannot itself appear in a Windows computer name, so it is dropped).
fn cmd_arg(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !matches!(c, '"' | '\r' | '\n' | '%' | '^' | '&' | '|' | '<' | '>'))
        .collect();
    if clean
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:[]".contains(c))
        && !clean.is_empty()
    {
        clean
    } else {
        format!("\"{clean}\"")
    }
}

/// Text for a comment line: control characters (line breaks above all, which would start a
/// new command) become spaces; `%` and `^` are dropped, because `cmd` expands `%` even in a
/// `rem` line (a stray `%~` aborts the script) and `^` at a line's end joins the next line.
fn comment(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '%' | '^'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A computer name as a command argument: Windows names are letters, digits, `-`, `_` and
/// `.` (NetBIOS and DNS rules); anything else is dropped, so a hostile name cannot add a
/// command.
fn machine_arg(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    if clean.is_empty() {
        "unnamed".to_owned()
    } else {
        clean
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A PowerShell single-quoted string.
fn ps_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''").replace(['\r', '\n'], " "))
}

fn slmgr_line(machine: &str, a: &Action) -> String {
    let s = format!("%SLMGR% {machine}");
    match a {
        Action::InstallKey { key_masked, .. } => {
            format!(
                "rem the key {}\n%SLMGR% {machine} /ipk %VOLACT_KEY%",
                comment(key_masked)
            )
        }
        Action::InstallGvlk { key, edition } => {
            format!(
                "rem the published GVLK of {}\n{s} /ipk {}",
                comment(edition),
                gvlk_text(key)
            )
        }
        Action::Activate { activation_id } => format!("{s} /ato {}", cmd_arg(activation_id)),
        Action::ReadInstallationId { activation_id } => {
            format!("{s} /dti {}", cmd_arg(activation_id))
        }
        Action::DepositCid {
            activation_id,
            installation_id,
            confirmation_id,
            exact_iid,
        } => {
            let check = if *exact_iid {
                format!(
                    "rem exact IID match: run slmgr.vbs {machine} /dti {} and go on only if it shows {}",
                    cmd_arg(activation_id),
                    digits(installation_id)
                )
            } else {
                "rem exact IID match off: the stored CID may not fit this machine's IID; activation may fail"
                    .to_owned()
            };
            // slmgr /atp takes the CID without separators.
            let cid: String = confirmation_id
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            format!("{check}\n{s} /atp {cid} {}", cmd_arg(activation_id))
        }
        Action::SetKmsHost { host } => format!("{s} /skms {}", cmd_arg(&host.to_string())),
        Action::ClearKmsHost => format!("{s} /ckms"),
        Action::SetKmsLookupDomain { domain } => format!("{s} /skms-domain {}", cmd_arg(domain)),
        Action::ClearKmsLookupDomain => format!("{s} /ckms-domain"),
        Action::SetHostCaching { enabled: true } => format!("{s} /skhc"),
        Action::SetHostCaching { enabled: false } => format!("{s} /ckhc"),
        Action::SetValue { value, data } => reg_line(machine, *value, data.as_ref()),
        Action::Preflight { requirement } => preflight_cmd(requirement),
        Action::GrantSrvRecord {
            domain,
            group,
            hosts,
        } => format!(
            "rem on the DNS server: give {} Read, Write and Delete on _vlmcs._tcp.{} (Windows DNS: run the PowerShell rendering there; BIND: update-policy {{ {} }};)",
            comment(group),
            comment(domain),
            hosts
                .iter()
                .map(|h| format!(
                    "grant {} name _vlmcs._tcp.{}. SRV;",
                    comment(h),
                    comment(domain)
                ))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// A GVLK as it goes into a command: only key symbols and dashes (a plan read from JSON may
/// hold anything; running it checks the catalog).
fn gvlk_text(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

const SPP_KEY: &str =
    r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform";

fn reg_line(machine: &str, value: LicensingValue, data: Option<&RegistryData>) -> String {
    let (sub, name) = value.path();
    let key = if sub.is_empty() {
        format!("\\\\{machine}\\{SPP_KEY}")
    } else {
        format!("\\\\{machine}\\{SPP_KEY}\\{sub}")
    };
    match data {
        None => format!("reg delete \"{key}\" /v {name} /f"),
        Some(RegistryData::String(v)) => {
            format!(
                "reg add \"{key}\" /v {name} /t REG_SZ /d \"{}\" /f",
                cmd_text(v)
            )
        }
        Some(RegistryData::MultiString(lines)) => {
            let joined: Vec<String> = lines.iter().map(|l| cmd_text(l)).collect();
            format!(
                "reg add \"{key}\" /v {name} /t REG_MULTI_SZ /d \"{}\" /f",
                joined.join("\\0")
            )
        }
        Some(RegistryData::Dword(n)) => {
            format!("reg add \"{key}\" /v {name} /t REG_DWORD /d {n} /f")
        }
    }
}

/// Text inside a `cmd` double-quoted argument: quotes and line breaks dropped, `%` doubled.
fn cmd_text(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\r' | '\n'))
        .collect::<String>()
        .replace('%', "%%")
}

fn preflight_cmd(r: &Requirement) -> String {
    match r {
        Requirement::WmiFirewallException => {
            "netsh advfirewall firewall set rule group=\"Windows Management Instrumentation (WMI)\" new enable=yes"
                .into()
        }
        Requirement::LocalAccountTokenFilterPolicy => {
            "reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System /v LocalAccountTokenFilterPolicy /t REG_DWORD /d 1 /f"
                .into()
        }
        Requirement::NetworkDiscoveryException => {
            "netsh advfirewall firewall set rule group=\"Network Discovery\" new enable=yes".into()
        }
        Requirement::KmsFirewallException => {
            "netsh advfirewall firewall set rule group=\"Key Management Service\" new enable=yes"
                .into()
        }
        Requirement::KmsReachable { host } => format!(
            "powershell -NoProfile -Command \"if (-not (Test-NetConnection -ComputerName {} -Port {}).TcpTestSucceeded) {{ exit 1 }}\"",
            ps_quote(host.host().unwrap_or("")),
            host.port_or_default()
        ),
    }
}

fn product_of(activation_id: &str) -> String {
    format!(
        "$p = Get-CimInstance -CimSession $s -ClassName SoftwareLicensingProduct -Filter \"ID='{}'\"",
        activation_id
            .chars()
            .filter(|c| c.is_ascii_hexdigit() || "-{}".contains(*c))
            .collect::<String>()
    )
}

fn ps_line(a: &Action) -> String {
    let svc = |method: &str, args: Option<String>| match args {
        Some(args) => format!(
            "Invoke-CimMethod -InputObject $svc -MethodName {method} -Arguments @{{{args}}} | Out-Null"
        ),
        None => format!("Invoke-CimMethod -InputObject $svc -MethodName {method} | Out-Null"),
    };
    match a {
        Action::InstallKey { key_masked, .. } => format!(
            "# the key {}\n{}",
            comment(key_masked),
            svc("InstallProductKey", Some("ProductKey = $env:VOLACT_KEY".into()))
        ),
        Action::InstallGvlk { key, edition } => format!(
            "# the published GVLK of {}\n{}",
            comment(edition),
            svc(
                "InstallProductKey",
                Some(format!("ProductKey = '{}'", gvlk_text(key)))
            )
        ),
        Action::GrantSrvRecord { domain, group, .. } => {
            let d: String = domain
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-.".contains(*c))
                .collect();
            format!(
                "# on a DNS server of {d}: give {} Read, Write and Delete on the record (the seed)\nInvoke-Command -ComputerName (Resolve-DnsName -Type SOA -Name {} | Select-Object -First 1).PrimaryServer -ScriptBlock {{ $r = Get-DnsServerResourceRecord -ZoneName {} -Name '_vlmcs._tcp' -RRType Srv | Select-Object -First 1; $path = 'AD:\\' + $r.DistinguishedName; $acl = Get-Acl -Path $path; $id = New-Object System.Security.Principal.NTAccount({}); $acl.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($id, 'GenericRead,GenericWrite,Delete', 'Allow'))); Set-Acl -Path $path -AclObject $acl }}",
                comment(group),
                ps_quote(&d),
                ps_quote(&d),
                ps_quote(group)
            )
        }
        Action::Activate { activation_id } => format!(
            "{}\nInvoke-CimMethod -InputObject $p -MethodName Activate | Out-Null",
            product_of(activation_id)
        ),
        Action::ReadInstallationId { activation_id } => format!(
            "{}\n$p.OfflineInstallationId",
            product_of(activation_id)
        ),
        Action::DepositCid {
            activation_id,
            installation_id,
            confirmation_id,
            exact_iid,
        } => {
            let iid: String = installation_id.chars().filter(char::is_ascii_digit).collect();
            let cid: String = confirmation_id.chars().filter(char::is_ascii_digit).collect();
            let check = if *exact_iid {
                format!(
                    "if ($p.OfflineInstallationId -ne '{iid}') {{ throw 'exact IID match: the IID changed (hardware or key); not applying the stored CID' }}\n"
                )
            } else {
                format!(
                    "if ($p.OfflineInstallationId -ne '{iid}') {{ Write-Warning 'IID changed: applying the stored CID anyway; activation may fail' }}\n"
                )
            };
            format!(
                "{}\n{check}Invoke-CimMethod -InputObject $p -MethodName DepositOfflineConfirmationId -Arguments @{{InstallationId = $p.OfflineInstallationId; ConfirmationId = '{cid}'}} | Out-Null",
                product_of(activation_id)
            )
        }
        Action::SetKmsHost { host } => {
            let mut lines = Vec::new();
            if let Some(h) = host.host() {
                lines.push(svc(
                    "SetKeyManagementServiceMachine",
                    Some(format!("MachineName = {}", ps_quote(h))),
                ));
            }
            if let Some(port) = host.port() {
                lines.push(svc(
                    "SetKeyManagementServicePort",
                    Some(format!("PortNumber = [uint32]{port}")),
                ));
            }
            lines.join("\n")
        }
        Action::ClearKmsHost => format!(
            "{}\n{}",
            svc("ClearKeyManagementServiceMachine", None),
            svc("ClearKeyManagementServicePort", None)
        ),
        Action::SetKmsLookupDomain { domain } => svc(
            "SetKeyManagementServiceLookupDomain",
            Some(format!("LookupDomain = {}", ps_quote(domain))),
        ),
        Action::ClearKmsLookupDomain => svc("ClearKeyManagementServiceLookupDomain", None),
        Action::SetHostCaching { enabled } => svc(
            "DisableKeyManagementServiceHostCaching",
            Some(format!("DisableCaching = ${}", !enabled)),
        ),
        Action::SetValue { value, data } => {
            let (sub, name) = value.path();
            let path = if sub.is_empty() {
                format!("HKLM:\\{}", &SPP_KEY[5..])
            } else {
                format!("HKLM:\\{}\\{sub}", &SPP_KEY[5..])
            };
            let body = match data {
                None => format!(
                    "Remove-ItemProperty -Path {} -Name {name} -ErrorAction SilentlyContinue",
                    ps_quote(&path)
                ),
                Some(d) => {
                    let (kind, v) = match d {
                        RegistryData::String(t) => ("String", ps_quote(t)),
                        RegistryData::MultiString(l) => (
                            "MultiString",
                            format!(
                                "@({})",
                                l.iter().map(|x| ps_quote(x)).collect::<Vec<_>>().join(", ")
                            ),
                        ),
                        RegistryData::Dword(n) => ("DWord", n.to_string()),
                    };
                    format!(
                        "New-Item -Path {p} -Force | Out-Null; New-ItemProperty -Path {p} -Name {name} -PropertyType {kind} -Value {v} -Force | Out-Null",
                        p = ps_quote(&path)
                    )
                }
            };
            format!("Invoke-Command -ComputerName $s.ComputerName -ScriptBlock {{ {body} }}")
        }
        Action::Preflight { requirement } => match requirement {
            Requirement::WmiFirewallException => {
                "Enable-NetFirewallRule -DisplayGroup 'Windows Management Instrumentation (WMI)'".into()
            }
            Requirement::LocalAccountTokenFilterPolicy => "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' -Name LocalAccountTokenFilterPolicy -PropertyType DWord -Value 1 -Force | Out-Null".into(),
            Requirement::NetworkDiscoveryException => {
                "Enable-NetFirewallRule -DisplayGroup 'Network Discovery'".into()
            }
            Requirement::KmsFirewallException => {
                "Enable-NetFirewallRule -DisplayGroup 'Key Management Service'".into()
            }
            Requirement::KmsReachable { host } => format!(
                "if (-not (Test-NetConnection -ComputerName {} -Port {}).TcpTestSucceeded) {{ throw 'TCP {} to the KMS host is blocked' }}",
                ps_quote(host.host().unwrap_or("")),
                host.port_or_default(),
                host.port_or_default()
            ),
        },
    }
}
