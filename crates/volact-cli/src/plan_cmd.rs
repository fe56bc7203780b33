//! `volact plan KIND`: a workflow's plan for the surveyed machines, rendered as `slmgr.vbs`
//! lines, PowerShell (CIM) or JSON; `collect-script` prints the collection script whose
//! outputs are the surveys.
//!
//! Thin: the plans are `volact::workflow::api::plan` and `render`, the survey files are
//! read by `volact::workflow::inventory::read_survey`. The KMS plans' options are handed over
//! as the JSON `api::PlanRequest::options_json` takes: kms-configure's flags become the core's
//! `workflow::kms::ClientSettings`, kms-deploy's the topology text, the CSVLK group, the
//! served products and the security groups. Skipped machines are listed on standard error
//! with their rule and reason (the JSON holds them too). Exit status: 0 with a plan (skipped
//! machines included); 1 when the MAK store has no such key or the inputs do not fit together
//! (a CSVLK group that does not cover the served products, a seventh KMS host); 2 for a
//! missing or misplaced option; 3 when a file cannot be read or written, or a survey, CIL or
//! topology file is not valid.

use crate::Verdict;
use crate::mak_cmd::StoreArg;
use clap::{Args, ValueEnum};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use volact_core::mak::MakEntry;
use volact_core::srv::discovery::HostPort;
use volact_core::srv::plan::Topology;
use volact_core::workflow::api::{self, PlanInputs};
use volact_core::workflow::kms::{ClientSettings, Discovery};
use volact_core::workflow::{Format, Surveyed, inventory};

#[derive(Args, Debug)]
pub(crate) struct PlanArgs {
    /// The plan to build.
    #[arg(value_enum, value_name = "KIND")]
    kind: PlanKind,
    /// Survey files: the collection script's outputs (`volact plan collect-script`), each
    /// holding one entry, an array or several; machines are planned in the order given.
    #[arg(long = "survey", value_name = "FILE", num_args = 1..)]
    survey: Vec<PathBuf>,
    #[command(flatten)]
    key: KeyArgs,
    /// The CIL with CIDs, merged back in the lab (proxy-apply, reapply):
    /// `volact proxy merge` writes it.
    #[arg(long, value_name = "FILE")]
    cil: Option<PathBuf>,
    /// A KMS host each machine must reach over TCP (preflight): `host`, `host:port` or
    /// `[v6]:port`; repeat or list several.
    #[arg(long = "kms", value_name = "HOST[:PORT]", num_args = 1..)]
    kms: Vec<String>,
    #[command(flatten)]
    exact: ExactArg,
    /// The rendering: `slmgr` (a .cmd of `cscript slmgr.vbs COMPUTER /option` lines),
    /// `powershell` (CIM sessions) or `json` (the plan, for programs and `volact` bindings).
    /// Required for every kind but collect-script.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<RenderFormat>,
    #[command(flatten)]
    output: OutputArg,
    // Last: their help headings apply to what follows them.
    #[command(flatten)]
    client: ClientArgs,
    /// The KMS hosts' topology, in `volact srv plan`'s TOML (hosts, sites with weights,
    /// domains with fallbacks), e.g. examples/kms/contoso-global.toml.
    #[arg(long, value_name = "FILE", help_heading = DEPLOY_HEADING)]
    topology: Option<PathBuf>,
    #[command(flatten)]
    deploy: DeploySpec,
}

/// The MAK to install, from the MAK store.
#[derive(Args, Debug, Default)]
pub(crate) struct KeyArgs {
    /// The key to install, from the MAK store: its id (or 4+ leading hex digits of it) or
    /// its last five characters, as `volact mak list` shows. Plans name it masked and read
    /// it from %VOLACT_KEY% / $env:VOLACT_KEY when they run; they never hold it.
    #[arg(long, value_name = "ID")]
    pub(crate) mak: Option<String>,
    #[command(flatten)]
    pub(crate) store: StoreArg,
}

/// The seed's "Require exact IID match" (step 13.7), on unless turned off.
#[derive(Args, Debug, Default)]
pub(crate) struct ExactArg {
    /// Reapply: deposit a stored CID even where the machine's Installation ID changed
    /// (hardware changed); Windows may not activate (the seed, step 13.7). By default a
    /// machine whose IID changed is refused.
    #[arg(long)]
    pub(crate) no_exact_iid: bool,
}

const CLIENT_HEADING: &str = "KMS client options (kms-configure)";
const DEPLOY_HEADING: &str = "KMS host options (kms-deploy)";

/// kms-configure: how each KMS client is configured (VAMT's "Configure for KMS Activation",
/// the seed's Table 6). The flags become the core's `ClientSettings`, handed over as its JSON.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = CLIENT_HEADING)]
pub(crate) struct ClientArgs {
    /// How clients find their KMS host: `auto` (DNS auto-discovery; a host set before is
    /// cleared, as VAMT does), `dns-domain=FQDN` (auto-discovery in that domain only, `slmgr
    /// /skms-domain`, Windows 8 and later) or `host=HOST[:PORT]` (that host, `slmgr /skms`;
    /// IPv6 as `[v6]:port`). Default: auto.
    #[arg(
        long,
        value_name = "auto|dns-domain=FQDN|host=HOST[:PORT]",
        value_parser = parse_discovery,
        conflicts_with_all = ["lookup_domain", "kms_host"]
    )]
    pub(crate) discovery: Option<Discovery>,
    /// The same as `--discovery dns-domain=FQDN`.
    #[arg(long, value_name = "FQDN", value_parser = parse_domain, conflicts_with = "kms_host")]
    pub(crate) lookup_domain: Option<String>,
    /// The same as `--discovery host=HOST[:PORT]`.
    #[arg(long, value_name = "HOST[:PORT]", value_parser = parse_host)]
    pub(crate) kms_host: Option<HostPort>,
    /// KMS host caching: `off` (`slmgr /ckhc`: every activation and renewal rediscovers the
    /// host, so SRV priority and weight decide) or `on` (`slmgr /skhc`, Windows' default).
    /// Left as it is when not given.
    #[arg(long, value_enum, value_name = "on|off")]
    pub(crate) host_caching: Option<Switch>,
    /// `Activation\AlternateURL`: the page users with activation problems are sent to (the
    /// seed's Table 6: http://contoso.com/help).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub(crate) alternate_url: Option<String>,
    /// The seed's Table 6 in one option: DNS auto-discovery, host caching off (`/ckhc`) and
    /// URL as `Activation\AlternateURL`.
    #[arg(
        long,
        value_name = "URL",
        value_parser = parse_url,
        conflicts_with_all = ["discovery", "lookup_domain", "kms_host", "host_caching", "alternate_url"]
    )]
    pub(crate) table6: Option<String>,
    /// Do not install the published GVLK (the clients run one already): only discovery,
    /// caching, the URL and activation.
    #[arg(long)]
    pub(crate) no_gvlk: bool,
    /// Do not attempt activation at the end (`slmgr /ato`).
    #[arg(long)]
    pub(crate) no_activate: bool,
}

/// On or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

impl ClientArgs {
    /// The first flag given, as the command line spells it (for "does not take").
    fn given(&self) -> Option<&'static str> {
        [
            (self.discovery.is_some(), "--discovery"),
            (self.lookup_domain.is_some(), "--lookup-domain"),
            (self.kms_host.is_some(), "--kms-host"),
            (self.host_caching.is_some(), "--host-caching"),
            (self.alternate_url.is_some(), "--alternate-url"),
            (self.table6.is_some(), "--table6"),
            (self.no_gvlk, "--no-gvlk"),
            (self.no_activate, "--no-activate"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }

    /// The core's client settings these flags describe: its defaults (or its Table 6
    /// preset) with each given flag applied.
    pub(crate) fn settings(&self) -> ClientSettings {
        let mut s = match &self.table6 {
            Some(url) => ClientSettings::table6(url),
            None => ClientSettings::default(),
        };
        if let Some(d) = &self.discovery {
            s.discovery = d.clone();
        } else if let Some(domain) = &self.lookup_domain {
            s.discovery = Discovery::LookupDomain(domain.clone());
        } else if let Some(host) = &self.kms_host {
            s.discovery = Discovery::Host(host.clone());
        }
        if let Some(caching) = self.host_caching {
            s.host_caching = Some(caching == Switch::On);
        }
        if let Some(url) = &self.alternate_url {
            s.alternate_url = Some(url.clone());
        }
        s.install_gvlk = !self.no_gvlk;
        s.activate = !self.no_activate;
        s
    }
}

/// `auto`, `dns-domain=FQDN` or `host=HOST[:PORT]`.
fn parse_discovery(text: &str) -> Result<Discovery, String> {
    match text.split_once('=') {
        None if text.eq_ignore_ascii_case("auto") => Ok(Discovery::Auto),
        Some((kind, value)) if kind.eq_ignore_ascii_case("dns-domain") => {
            parse_domain(value).map(Discovery::LookupDomain)
        }
        Some((kind, value)) if kind.eq_ignore_ascii_case("host") => {
            parse_host(value).map(Discovery::Host)
        }
        _ => Err("expected auto, dns-domain=FQDN or host=HOST[:PORT]".into()),
    }
}

/// A DNS domain for `slmgr /skms-domain`: labels of letters, digits, `-` and `_`, each 1 to
/// 63 characters, 253 in all; a trailing dot is dropped.
fn parse_domain(text: &str) -> Result<String, String> {
    let domain = text.trim().trim_end_matches('.');
    let labels_ok = domain.split('.').all(|l| {
        (1..=63).contains(&l.len())
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if domain.is_empty() || domain.len() > 253 || !labels_ok {
        return Err(format!(
            "{domain:?} is not a DNS domain name (letters, digits, - and _ in dot-separated labels)"
        ));
    }
    Ok(domain.to_owned())
}

/// A KMS host, `host`, `host:port` or `[v6]:port` (the core's `HostPort`), naming a host.
fn parse_host(text: &str) -> Result<HostPort, String> {
    let h = HostPort::parse(text).map_err(|e| e.to_string())?;
    if h.host().is_none() {
        return Err("name the KMS host, not only the port".into());
    }
    Ok(h)
}

/// A URL for `Activation\AlternateURL`: one word of printable text.
fn parse_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if url.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"')
    {
        return Err("expected a URL such as http://contoso.com/help".into());
    }
    Ok(url.to_owned())
}

/// kms-deploy: the CSVLK and what it must activate. `volact kms deploy` takes these too.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = DEPLOY_HEADING)]
pub(crate) struct DeploySpec {
    /// The CSVLK (KMS host key) from the MAK store (`volact mak add KEY --type csvlk`): its
    /// id (or 4+ leading hex digits of it) or its last five characters. Plans name it masked
    /// and read it from %VOLACT_KEY% / $env:VOLACT_KEY when they run.
    #[arg(long, value_name = "ID")]
    pub(crate) csvlk: Option<String>,
    /// The CSVLK's group, as your volume licensing agreement names it: `windows10`,
    /// `server2016`, `server2019`, `server2022`, `server2025`, `vista-server-b`,
    /// `windows7-client-vl`, …, `office2021` (the names `volact simulate` takes).
    #[arg(long, value_name = "NAME", value_parser = parse_group)]
    pub(crate) group: Option<String>,
    /// The client products the hosts serve: the group must activate every one. `windows7`,
    /// `windows10`, `windows11`, `server2019`, `server2022-c`, `office2021`, …; comma-separated
    /// or repeated.
    #[arg(long, value_name = "PRODUCT,...", value_delimiter = ',', value_parser = parse_served)]
    pub(crate) serves: Vec<String>,
    /// The security group of the hosts that publish in DOMAIN: it gets Read, Write and Delete
    /// on `_vlmcs._tcp.DOMAIN` after the first host has published (the seed's KMS_E, KMS_W);
    /// repeat per domain. Default: KMS_Hosts, the seed's single-site name.
    #[arg(long = "security-group", value_name = "DOMAIN=GROUP", value_parser = parse_security_group)]
    pub(crate) security_groups: Vec<(String, String)>,
}

impl DeploySpec {
    fn given(&self) -> Option<&'static str> {
        [
            (self.csvlk.is_some(), "--csvlk"),
            (self.group.is_some(), "--group"),
            (!self.serves.is_empty(), "--serves"),
            (!self.security_groups.is_empty(), "--security-group"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

fn parse_group(text: &str) -> Result<String, String> {
    volact_core::fleet::parse_csvlk(text)
        .map(|_| text.trim().to_owned())
        .ok_or_else(|| {
            "expected a CSVLK group: windows10, server2016, server2019, server2022, server2025, vista-client-vl, vista-server-a|b|c, windows7-client-vl, windows7-server-a|b|c, office2010 … office2024".into()
        })
}

fn parse_served(text: &str) -> Result<String, String> {
    volact_core::fleet::parse_product(text)
        .map(|_| text.trim().to_owned())
        .ok_or_else(|| {
            "expected a product: windows-vista, windows7, windows8, windows8.1, windows10, windows11, server2008 … server2025 (with -a or -c for those groups), office2010 … office2024".into()
        })
}

fn parse_security_group(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((domain, group)) if !group.trim().is_empty() => {
            Ok((parse_domain(domain)?, group.trim().to_owned()))
        }
        _ => Err("expected DOMAIN=GROUP, e.g. east.contoso.com=KMS_E".into()),
    }
}

/// Where a rendering goes.
#[derive(Args, Debug, Default)]
pub(crate) struct OutputArg {
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

/// The plans, as `volact::workflow::api::PLAN_KINDS` names them, and the collection script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanKind {
    /// What each machine needs before remote management (run on the machine itself): the
    /// WMI firewall exception; on workgroup machines LocalAccountTokenFilterPolicy and the
    /// network-discovery exception; TCP to each --kms host.
    Preflight,
    /// MAK independent activation: install the MAK (overwrite existing) and activate
    /// online; retail editions are skipped with the reason.
    MakIndependent,
    /// Proxy step 5: install the MAK and read the new Installation ID; no activation.
    ProxyInstall,
    /// Proxy step 12: deposit the CIDs of the merged CIL (--cil) on each machine.
    ProxyApply,
    /// Proxy step 13: reinstall the MAK on reimaged machines and reapply the stored CIDs
    /// of --cil, without online activation.
    Reapply,
    /// Configure KMS clients (VAMT's "Configure for KMS Activation"): the published GVLK of
    /// each machine's edition, discovery (--discovery), host caching, AlternateURL, then
    /// activation; --table6 URL is the seed's Table 6. Machines whose edition has no GVLK
    /// are skipped before anything is installed.
    KmsConfigure,
    /// Deploy the KMS hosts of --topology with the CSVLK --csvlk in the seed's order:
    /// firewall exception, DnsDomainPublishList, CSVLK, activation, and the SRV record grant
    /// after the first publishing activation. Refused when --group does not activate every
    /// --serves product, or for more than 6 hosts.
    KmsDeploy,
    /// Convert KMS clients to MAK after setup: install the MAK (--mak) and activate;
    /// machines that are not KMS clients (not on the Volume:GVLK channel) are skipped.
    ConvertToMak,
    /// Print the PowerShell collection script whose output is a --survey file.
    CollectScript,
}

impl PlanKind {
    /// The kind's name as the command line spells it (and `api::PLAN_KINDS`).
    pub(crate) fn name(self) -> String {
        value_name(self)
    }

    /// Which of --mak, --cil, --kms and --no-exact-iid the plan takes, and whether it takes
    /// the KMS client options or the KMS host ones.
    fn takes(self) -> Takes {
        let (mak, cil, kms, exact) = match self {
            PlanKind::Preflight => (false, false, true, false),
            PlanKind::MakIndependent | PlanKind::ProxyInstall | PlanKind::ConvertToMak => {
                (true, false, false, false)
            }
            PlanKind::ProxyApply => (false, true, false, false),
            PlanKind::Reapply => (true, true, false, true),
            PlanKind::KmsConfigure | PlanKind::KmsDeploy | PlanKind::CollectScript => {
                (false, false, false, false)
            }
        };
        Takes {
            mak,
            cil,
            kms,
            exact,
            client: self == PlanKind::KmsConfigure,
            deploy: self == PlanKind::KmsDeploy,
        }
    }
}

struct Takes {
    mak: bool,
    cil: bool,
    kms: bool,
    exact: bool,
    client: bool,
    deploy: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RenderFormat {
    /// `cscript slmgr.vbs COMPUTER /option` lines (a .cmd file).
    Slmgr,
    /// PowerShell with CIM sessions (SoftwareLicensingService/SoftwareLicensingProduct).
    Powershell,
    /// The plan as JSON.
    Json,
}

/// A value's name as clap spells it.
fn value_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// One plan request as the CLI took it, from `volact plan` or a `volact proxy` alias.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) kind: PlanKind,
    pub(crate) survey: &'a [PathBuf],
    pub(crate) key: &'a KeyArgs,
    pub(crate) cil: Option<&'a Path>,
    pub(crate) kms: &'a [String],
    pub(crate) no_exact_iid: bool,
    /// kms-configure's options.
    pub(crate) client: &'a ClientArgs,
    /// kms-deploy's topology file and options.
    pub(crate) topology: Option<&'a Path>,
    pub(crate) deploy: &'a DeploySpec,
    pub(crate) format: Option<RenderFormat>,
    pub(crate) output: Option<&'a Path>,
}

pub(crate) fn run(args: &PlanArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    plan(
        &Request {
            kind: args.kind,
            survey: &args.survey,
            key: &args.key,
            cil: args.cil.as_deref(),
            kms: &args.kms,
            no_exact_iid: args.exact.no_exact_iid,
            client: &args.client,
            topology: args.topology.as_deref(),
            deploy: &args.deploy,
            format: args.format,
            output: args.output.output.as_deref(),
        },
        out,
    )
}

/// A usage error: the message on standard error, exit status 2 (as clap's own).
fn usage(message: String) -> io::Result<Verdict> {
    eprintln!("volact: {message}");
    Ok(Verdict::Usage)
}

/// Builds, reports and writes one plan.
pub(crate) fn plan(r: &Request<'_>, out: &mut dyn Write) -> io::Result<Verdict> {
    let kind = r.kind.name();
    let takes = r.kind.takes();
    let client = r.client.given();
    let deploy = r.deploy.given();
    for (given, taken, option) in [
        (r.key.mak.is_some(), takes.mak, "--mak"),
        (r.cil.is_some(), takes.cil, "--cil"),
        (!r.kms.is_empty(), takes.kms, "--kms"),
        (r.no_exact_iid, takes.exact, "--no-exact-iid"),
        (
            !r.survey.is_empty(),
            r.kind != PlanKind::CollectScript,
            "--survey",
        ),
        (client.is_some(), takes.client, client.unwrap_or_default()),
        (r.topology.is_some(), takes.deploy, "--topology"),
        (deploy.is_some(), takes.deploy, deploy.unwrap_or_default()),
    ] {
        if given && !taken {
            return usage(format!("the {kind} plan does not take {option}"));
        }
    }
    if r.kind == PlanKind::CollectScript {
        if r.format.is_some_and(|f| f != RenderFormat::Powershell) {
            return usage("the collection script is PowerShell only".into());
        }
        return write_out(r.output, inventory::collect_script(), out, || {
            "the collection script".to_owned()
        });
    }
    let Some(format) = r.format else {
        return usage(format!(
            "the {kind} plan needs --format slmgr, powershell or json"
        ));
    };
    if r.survey.is_empty() {
        return usage(format!(
            "the {kind} plan needs --survey FILE...: the outputs of `volact plan collect-script` run on each machine"
        ));
    }
    if takes.mak && r.key.mak.is_none() {
        return usage(format!(
            "the {kind} plan needs --mak ID: the key to install, from the MAK store (`volact mak list` shows the ids)"
        ));
    }
    if takes.cil && r.cil.is_none() {
        return usage(format!(
            "the {kind} plan needs --cil FILE: the CIL with CIDs merged back in the lab (`volact proxy merge`)"
        ));
    }
    if takes.deploy {
        for (missing, what) in [
            (
                r.topology.is_none(),
                "--topology FILE: the KMS hosts' topology (`volact srv plan`'s TOML)",
            ),
            (
                r.deploy.csvlk.is_none(),
                "--csvlk ID: the KMS host key, from the MAK store (`volact mak list` shows the ids)",
            ),
            (
                r.deploy.group.is_none(),
                "--group NAME: the CSVLK's group, e.g. server2022",
            ),
            (
                r.deploy.serves.is_empty(),
                "--serves PRODUCT,...: the client products the hosts activate, e.g. windows10,windows11",
            ),
        ] {
            if missing {
                return usage(format!("the {kind} plan needs {what}"));
            }
        }
    }
    let options = if takes.client {
        serde_json::to_string(&r.client.settings()).map_err(io::Error::other)?
    } else if takes.deploy {
        match deploy_options(r)? {
            Ok(json) => json,
            Err(message) => return usage(message),
        }
    } else {
        String::new()
    };

    let surveyed = read_surveys(r.survey)?;
    let selector = r.key.mak.as_deref().or(r.deploy.csvlk.as_deref());
    let entry = match selector {
        None => None,
        Some(selector) => match mak_entry(&r.key.store, selector)? {
            Ok(e) => Some(e),
            Err(message) => {
                eprintln!("volact: {message}");
                return Ok(Verdict::SomeInvalid);
            }
        },
    };
    let cil = match r.cil {
        None => None,
        Some(p) => Some(crate::cil_cmd::load(p)?),
    };
    let kms_hosts = r.kms.join(",");
    let inputs = PlanInputs {
        surveyed: &surveyed,
        key: entry.as_ref(),
        cil: cil.as_ref(),
        kms_hosts: &kms_hosts,
        exact_iid: !r.no_exact_iid,
        options_json: &options,
    };
    let parsed = match api::build(&kind, &inputs) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("volact: {e}");
            return Ok(Verdict::SomeInvalid);
        }
    };
    let skipped: Vec<_> = parsed
        .machines
        .iter()
        .filter_map(|m| m.skipped.as_ref().map(|s| (m, s)))
        .collect();
    for (m, s) in &skipped {
        eprintln!("volact: skipped {} ({}): {}", m.machine, s.rule, s.reason);
    }
    let format_name = value_name(format);
    let text = parsed.render(
        Format::parse(&format_name)
            .ok_or_else(|| io::Error::other(format!("volact cannot render {format_name}")))?,
    );
    write_out(r.output, &text, out, || {
        format!(
            "the {kind} plan ({}) for {} machines, {} skipped",
            value_name(format),
            parsed.machines.len(),
            skipped.len()
        )
    })
}

/// kms-deploy's options JSON: the topology file's text (checked here first, so a broken file
/// is named with its line, as `volact srv plan` names it), the group, the served products and
/// the security groups; or, as the inner error, a usage message.
fn deploy_options(r: &Request<'_>) -> io::Result<Result<String, String>> {
    let Some(path) = r.topology else {
        return Ok(Err("the kms-deploy plan needs --topology FILE".into()));
    };
    let bytes = volact_io::read(path).map_err(|e| io::Error::other(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not UTF-8 text: {e}", path.display()),
        )
    })?;
    Topology::parse(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })?;
    let mut groups = serde_json::Map::new();
    for (domain, group) in &r.deploy.security_groups {
        if groups
            .insert(domain.clone(), serde_json::Value::String(group.clone()))
            .is_some()
        {
            return Ok(Err(format!(
                "--security-group names {domain} twice: one group per domain"
            )));
        }
    }
    let options = serde_json::json!({
        "topology": text,
        "group": r.deploy.group.as_deref().unwrap_or_default(),
        "serves": r.deploy.serves,
        "security_groups": groups,
    });
    Ok(Ok(options.to_string()))
}

/// Writes a rendering to the file (atomically, then a line saying what was written) or to
/// standard output.
fn write_out(
    output: Option<&Path>,
    text: &str,
    out: &mut dyn Write,
    what: impl FnOnce() -> String,
) -> io::Result<Verdict> {
    let mut text = text.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match output {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            volact_io::atomic::write(path, text.as_bytes())
                .map_err(|e| io::Error::other(e.to_string()))?;
            writeln!(out, "wrote {} to {}", what(), path.display())?;
        }
    }
    Ok(Verdict::AllValid)
}

/// Reads survey files in order; an invalid one fails naming the file, line and column.
pub(crate) fn read_surveys(paths: &[PathBuf]) -> io::Result<Vec<Surveyed>> {
    let mut all = Vec::new();
    for path in paths {
        let bytes = volact_io::read(path).map_err(|e| io::Error::other(e.to_string()))?;
        let entries = inventory::read_survey(&bytes)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
        all.extend(entries);
    }
    Ok(all)
}

/// The store entry a selector names, or why there is none (the store itself failing is an
/// I/O error).
fn mak_entry(store: &StoreArg, selector: &str) -> io::Result<Result<MakEntry, String>> {
    let (path, mak_store) = crate::mak_cmd::load_store(store)?;
    Ok(mak_store
        .get(selector)
        .cloned()
        .map_err(|e| format!("{e} (in {})", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI's kinds are the core's plan kinds, spelled the same, plus the script.
    #[test]
    fn the_kinds_are_the_cores() {
        let names: Vec<String> = PlanKind::value_variants()
            .iter()
            .map(|k| k.name())
            .filter(|n| n != "collect-script")
            .collect();
        assert_eq!(names, api::PLAN_KINDS);
        let formats: Vec<String> = RenderFormat::value_variants()
            .iter()
            .map(|f| value_name(*f))
            .collect();
        assert_eq!(formats, ["slmgr", "powershell", "json"]);
    }
}
