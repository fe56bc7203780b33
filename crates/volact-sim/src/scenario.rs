//! A fleet scenario ([`volact_core::fleet`]) built from what simulated machines hold, so the
//! KMS answer a [`SimulatedMachine`] leaves open (see [`crate::machine`]'s `kms` docs) is
//! given by volact's fleet simulator, for the machines as they were actually configured.
//!
//! Everything is read back from the machines, never copied from a plan: through
//! [`ActivationTarget`] (the computer name and domain, the Windows product and its status,
//! `DnsDomainPublishList`, `DisableDnsPublishing`, `KeyManagementServiceListeningPort`,
//! `KeyManagementServiceName`/`Port`) and, for what that trait does not read, the simulated
//! machine itself (KMS host caching, the lookup domain, the DHCP suffix search list, the
//! declared group of the installed CSVLK, the machine's DNS name).
//!
//! - A **host** is a machine with a CSVLK installed: `keys` is the CSVLK's declared group,
//!   `keys_activated` whether the host is `Licensed`, `publish` its `DnsDomainPublishList`
//!   (`[]` when `DisableDnsPublishing` is 1; left out when neither is set, so the fleet uses
//!   the home domain at priority 0, weight 0, as Windows does).
//! - A **client** is a machine whose Windows product runs a GVLK. Identical clients (same
//!   network, product and discovery settings) make one `[[clients]]` group. Other machines
//!   are left out, with the reason.
//! - **Sites**: each machine's network (its domain, or its workgroup) is one site. In the
//!   seed's global network each domain is one side of the WAN link, so a request between a
//!   client and a host of different domains is one the fleet report counts as WAN traffic.
//!
//! The scenario is TOML text for [`volact_core::fleet::run_toml`]: it can be printed, saved
//! and run again with `volact simulate`.

use crate::SimulatedMachine;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use volact_core::catalog::Channel;
use volact_core::fleet::{parse_csvlk, parse_product};
use volact_core::license::LicenseStatus;
use volact_core::license::product::Csvlk;
use volact_core::workflow::applicability::windows_product;
use volact_core::workflow::{
    ActivationTarget, LicensingValue, NetworkType, RegistryData, TargetError,
};

/// The simulation's length, seed and deployment spread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioOptions {
    /// Every draw of the fleet simulator follows from it.
    pub seed: u64,
    /// Days simulated.
    pub days: u32,
    /// Clients are installed evenly over this many days from day 0.
    pub install_over_days: u32,
}

/// A host going down or coming back at the start of a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostEvent {
    /// The day.
    pub day: u32,
    /// The host's DNS name ([`SimulatedMachine::fqdn`]).
    pub host: String,
    /// `false`: it stops answering; `true`: it answers again.
    pub up: bool,
}

/// The scenario, and the machines it leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetScenario {
    /// The scenario file.
    pub toml: String,
    /// Computer name and why it is not in the scenario.
    pub left_out: Vec<(String, String)>,
    /// Client group name → the computer names in it.
    pub groups: BTreeMap<String, Vec<String>>,
}

/// The name `clients.product` takes for a Windows family and `EditionID`, when the fleet
/// simulator models it. Windows Server groups (A: Web, HPC; C: Datacenter; B: the rest)
/// matter for 2008 and 2008 R2 only.
pub fn fleet_product(family: &str, edition_id: &str) -> Option<String> {
    let server_group = match edition_id {
        "ServerWeb" | "ServerHPC" => "a",
        "ServerDatacenter" => "c",
        _ => "b",
    };
    let name = match family {
        "Windows Vista" => "windows-vista".to_owned(),
        "Windows 7" => "windows7".to_owned(),
        "Windows 8" => "windows8".to_owned(),
        "Windows 8.1" => "windows8.1".to_owned(),
        f if f == "Windows 10" || f.starts_with("Windows 10 ") => "windows10".to_owned(),
        f if f == "Windows 11" || f.starts_with("Windows 11 ") => "windows11".to_owned(),
        f => {
            let release = f
                .strip_prefix("Windows Server ")?
                .replace(' ', "")
                .to_lowercase();
            format!("server{release}-{server_group}")
        }
    };
    parse_product(&name).map(|_| name)
}

/// The names `kms.keys` takes, one per CSVLK group the fleet simulator knows.
const CSVLK_NAMES: &[&str] = &[
    "vista-client-vl",
    "vista-server-a",
    "vista-server-b",
    "vista-server-c",
    "windows7-client-vl",
    "windows7-server-a",
    "windows7-server-b",
    "windows7-server-c",
    "windows10",
    "server2016",
    "server2019",
    "server2022",
    "server2025",
    "office2010",
    "office2013",
    "office2016",
    "office2019",
    "office2021",
    "office2024",
];

/// The name `kms.keys` takes for a CSVLK group ([`parse_csvlk`]'s inverse).
pub fn csvlk_name(group: Csvlk) -> Option<&'static str> {
    CSVLK_NAMES
        .iter()
        .copied()
        .find(|n| parse_csvlk(n) == Some(group))
}

/// A TOML basic string.
fn q(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// One `[[clients]]` group's settings: identical clients share them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ClientKey {
    site: String,
    domain: Option<String>,
    product: String,
    host_caching: bool,
    lookup_domain: Option<String>,
    kms_name: Option<String>,
    search_list: Vec<String>,
}

fn string_value(
    m: &mut SimulatedMachine,
    value: LicensingValue,
) -> Result<Option<String>, TargetError> {
    Ok(match m.read_value(value)? {
        Some(RegistryData::String(s)) => Some(s),
        _ => None,
    })
}

fn host_block(m: &mut SimulatedMachine, out: &mut String) -> Result<Option<String>, TargetError> {
    let info = m.machine()?;
    let products = m.products()?;
    let Some(p) = windows_product(&products) else {
        return Ok(Some("no Windows product".into()));
    };
    if p.channel != Channel::VolumeCsvlk {
        return Ok(Some("not a KMS host: no CSVLK installed".into()));
    }
    let Some(keys) = m.kms_host_key_group().and_then(csvlk_name) else {
        return Ok(Some(
            "the CSVLK's declared group is not one the fleet simulator knows".into(),
        ));
    };
    let activated = p.license_status == LicenseStatus::Licensed;
    let _ = writeln!(out, "[[kms]]");
    let _ = writeln!(out, "host = {}", q(&m.fqdn()));
    let _ = writeln!(out, "site = {}", q(&info.network_name));
    let _ = writeln!(out, "keys = [{}]", q(keys));
    let _ = writeln!(out, "keys_activated = {activated}");
    let disabled =
        m.read_value(LicensingValue::DisableDnsPublishing)? == Some(RegistryData::Dword(1));
    match m.read_value(LicensingValue::DnsDomainPublishList)? {
        _ if disabled => {
            let _ = writeln!(out, "publish = []");
        }
        Some(RegistryData::MultiString(lines)) => {
            let _ = writeln!(out, "publish = {}", list(&lines));
        }
        _ => {}
    }
    if let Some(port) = string_value(m, LicensingValue::KeyManagementServiceListeningPort)? {
        let _ = writeln!(out, "port = {}", port.trim());
    }
    out.push('\n');
    Ok(None)
}

fn client_key(m: &mut SimulatedMachine) -> Result<Result<ClientKey, String>, TargetError> {
    let info = m.machine()?;
    let products = m.products()?;
    let Some(p) = windows_product(&products) else {
        return Ok(Err("no Windows product".into()));
    };
    if p.channel != Channel::VolumeGvlk {
        return Ok(Err(format!(
            "not a KMS client: its Windows product runs a {} key",
            p.channel.product_key_type()
        )));
    }
    let Some(product) = fleet_product(&p.family, &p.edition_id) else {
        return Ok(Err(format!(
            "{} {} is not a product the fleet simulator models",
            p.family, p.edition_id
        )));
    };
    let kms_name = match string_value(m, LicensingValue::KeyManagementServiceName)? {
        Some(host) => Some(
            match string_value(m, LicensingValue::KeyManagementServicePort)? {
                Some(port) => format!("{host}:{}", port.trim()),
                None => host,
            },
        ),
        None => None,
    };
    Ok(Ok(ClientKey {
        site: info.network_name.clone(),
        domain: (info.network_type == NetworkType::Domain).then(|| info.network_name.clone()),
        product,
        host_caching: m.host_caching(),
        lookup_domain: m.kms_lookup_domain().map(str::to_owned),
        kms_name,
        search_list: m.dns_suffix_search_list().to_vec(),
    }))
}

/// The fleet scenario of these machines (see the module doc): `hosts` are looked at as KMS
/// hosts, `clients` as KMS clients; `events` are appended as `host_down` / `host_up`.
pub fn fleet_scenario(
    hosts: &mut [SimulatedMachine],
    clients: &mut [SimulatedMachine],
    options: &ScenarioOptions,
    events: &[HostEvent],
) -> Result<FleetScenario, TargetError> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Built by volact-sim from what the simulated machines hold (read back, not planned).\n\n[simulation]\nseed = {}\ndays = {}\n",
        options.seed, options.days
    );
    let mut left_out = Vec::new();
    for m in hosts.iter_mut() {
        if let Some(why) = host_block(m, &mut out)? {
            left_out.push((m.name().to_owned(), why));
        }
    }
    let mut groups: BTreeMap<ClientKey, Vec<String>> = BTreeMap::new();
    for m in clients.iter_mut() {
        match client_key(m)? {
            Ok(k) => groups.entry(k).or_default().push(m.name().to_owned()),
            Err(why) => left_out.push((m.name().to_owned(), why)),
        }
    }
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, members) in &groups {
        let label = k
            .site
            .split('.')
            .next()
            .unwrap_or(&k.site)
            .to_ascii_lowercase();
        let base = format!("{label}-{}", k.product);
        let mut name = base.clone();
        let mut n = 1;
        while names.contains_key(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        let _ = writeln!(out, "[[clients]]");
        let _ = writeln!(out, "name = {}", q(&name));
        let _ = writeln!(out, "count = {}", members.len());
        let _ = writeln!(out, "product = {}", q(&k.product));
        let _ = writeln!(out, "site = {}", q(&k.site));
        if let Some(d) = &k.domain {
            let _ = writeln!(out, "domain = {}", q(d));
        }
        if !k.search_list.is_empty() {
            let _ = writeln!(out, "search_list = {}", list(&k.search_list));
        }
        let _ = writeln!(out, "host_caching = {}", k.host_caching);
        if let Some(d) = &k.lookup_domain {
            let _ = writeln!(out, "lookup_domain = {}", q(d));
        }
        if let Some(h) = &k.kms_name {
            let _ = writeln!(out, "kms_name = {}", q(h));
        }
        let _ = writeln!(out, "install_over_days = {}\n", options.install_over_days);
        names.insert(name, members.clone());
    }
    for e in events {
        let kind = if e.up { "host_up" } else { "host_down" };
        let _ = writeln!(
            out,
            "[[event]]\nday = {}\nkind = {}\nhost = {}\n",
            e.day,
            q(kind),
            q(&e.host)
        );
    }
    Ok(FleetScenario {
        toml: out,
        left_out,
        groups: names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_key_groups_map_to_the_fleet_names() {
        assert_eq!(
            fleet_product("Windows 11", "Enterprise").as_deref(),
            Some("windows11")
        );
        assert_eq!(
            fleet_product("Windows 10 LTSC 2021", "EnterpriseS").as_deref(),
            Some("windows10")
        );
        assert_eq!(
            fleet_product("Windows Server 2008 R2", "ServerWeb").as_deref(),
            Some("server2008r2-a")
        );
        assert_eq!(
            fleet_product("Windows Server 2022", "ServerDatacenter").as_deref(),
            Some("server2022-c")
        );
        assert_eq!(fleet_product("Windows XP", "Professional"), None);
        assert_eq!(fleet_product("Windows Server 1999", "ServerStandard"), None);
        for name in CSVLK_NAMES {
            let group = parse_csvlk(name).unwrap();
            assert_eq!(csvlk_name(group), Some(*name));
        }
    }

    #[test]
    fn the_scenario_holds_what_the_machines_hold_and_the_fleet_simulator_reads_it() {
        use crate::{SimulatedActivationService, SimulatedDns};
        use volact_core::fleet::Scenario;
        use volact_core::key::ProductKey;
        use volact_core::srv::discovery::HostPort;

        let service = SimulatedActivationService::new();
        let dns = SimulatedDns::new();
        let key = ProductKey::parse(crate::global::CSVLK).unwrap();
        service.register_csvlk(&key, parse_csvlk("server2025").unwrap());
        let server = |name: &str| {
            SimulatedMachine::new(name, "Windows Server 2025", "ServerStandard", &service)
                .in_domain("contoso.com")
                .on_dns(&dns)
                .with_internet(true)
        };
        let (mut a, mut b, c) = (server("KMS-A"), server("KMS-B"), server("FILE-1"));
        for h in [&mut a, &mut b] {
            h.install_product_key(&key).unwrap();
        }
        let act = a.activation_id();
        a.activate(&act).unwrap(); // b is installed, not activated
        a.write_value(
            LicensingValue::KeyManagementServiceListeningPort,
            Some(&RegistryData::String("1700".into())),
        )
        .unwrap();
        b.write_value(
            LicensingValue::DisableDnsPublishing,
            Some(&RegistryData::Dword(1)),
        )
        .unwrap();
        let client = |name: &str| {
            SimulatedMachine::new(name, "Windows 10", "Professional", &service).on_dns(&dns)
        };
        let mut named = client("PC-1").in_domain("contoso.com");
        named
            .set_kms_host(Some(&HostPort::parse("kms-a.contoso.com:1700").unwrap()))
            .unwrap();
        let mut lab = client("LAB-1").in_workgroup("LAB");
        lab.set_kms_lookup_domain(Some("contoso.com")).unwrap();
        let mut hosts = vec![a, b, c];
        let mut clients = vec![named, lab, client("LAB-2").in_workgroup("LAB")];
        clients[2]
            .set_kms_lookup_domain(Some("contoso.com"))
            .unwrap();
        let options = ScenarioOptions {
            seed: 7,
            days: 30,
            install_over_days: 0,
        };
        let down = HostEvent {
            day: 3,
            host: "kms-a.contoso.com".into(),
            up: false,
        };
        let s = fleet_scenario(&mut hosts, &mut clients, &options, &[down]).unwrap();
        assert_eq!(
            s.left_out,
            [(
                "FILE-1".to_owned(),
                "not a KMS host: no CSVLK installed".to_owned()
            )]
        );
        assert!(
            s.toml
                .contains("keys = [\"server2025\"]\nkeys_activated = true")
        );
        assert!(s.toml.contains("keys_activated = false\npublish = []"));
        assert!(s.toml.contains("port = 1700"));
        assert!(s.toml.contains("kms_name = \"kms-a.contoso.com:1700\""));
        assert_eq!(s.groups["lab-windows10"], ["LAB-1", "LAB-2"]);
        assert_eq!(s.groups["contoso-windows10"], ["PC-1"]);
        let parsed = Scenario::parse(&s.toml).unwrap_or_else(|e| panic!("{e}\n{}", s.toml));
        assert_eq!(parsed.hosts.len(), 2);
        assert_eq!(parsed.hosts[0].port, 1700);
        assert!(parsed.hosts[1].publish.is_empty());
        assert_eq!(parsed.client_count(), 3);
        assert_eq!(parsed.events.len(), 1);
        let lab = parsed
            .groups
            .iter()
            .find(|g| g.name == "lab-windows10")
            .unwrap();
        assert_eq!(lab.config.primary_dns_suffix, None, "a workgroup machine");
        assert_eq!(lab.config.lookup_domain.as_deref(), Some("contoso.com"));
        assert!(lab.config.host_caching);
    }

    #[test]
    fn strings_are_quoted_for_toml() {
        assert_eq!(q("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
        assert_eq!(list(&["x".into(), "y".into()]), "[\"x\", \"y\"]");
    }
}
