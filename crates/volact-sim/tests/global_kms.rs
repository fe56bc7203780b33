//! The seed's global KMS scenario (Tables 5 and 6), end to end on simulated machines: four
//! hosts deployed from the srv planner's topology in the seed's order, clients configured as
//! Table 6 says, and then — from what the machines hold — the fleet simulator's verdict on
//! which hosts activate which clients, with and without the east hosts.

use std::collections::BTreeMap;
use volact_core::catalog::Channel;
use volact_core::fleet::{FleetReport, run_toml};
use volact_core::key::ProductKey;
use volact_core::license::LicenseStatus;
use volact_core::license::product::ClientProduct;
use volact_core::mak::{KeyKind, KindSource, MakEntry, MakStore};
use volact_core::srv::plan::{Topology, plan as srv_plan};
use volact_core::workflow::kms::{ClientSettings, Deployment, configure_plan, deploy_plan};
use volact_core::workflow::{
    Action, ActivationTarget, KeyToInstall, LicensingValue, MachineState, PlanKind, RegistryData,
    Run, check_install, survey,
};
use volact_sim::global::{self, EAST, WEST};
use volact_sim::machine::{CSVLK_LIMIT, KEY_INVALID, NO_KMS};
use volact_sim::scenario::{FleetScenario, HostEvent, ScenarioOptions, fleet_scenario};
use volact_sim::{SimulatedActivationService, SimulatedDns, SimulatedMachine};

/// 2026-01-01T00:00:00Z, when the administrator adds the CSVLK.
const NOW: i64 = 1_767_225_600;
const ENTERPRISE_GVLK: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";

fn targets(machines: &mut [SimulatedMachine]) -> Vec<&mut dyn ActivationTarget> {
    machines
        .iter_mut()
        .map(|m| m as &mut dyn ActivationTarget)
        .collect()
}

/// The CSVLK into the store, declared (no catalog knows it), and registered with the
/// simulated Microsoft under its declared group.
fn add_the_csvlk(service: &SimulatedActivationService) -> MakEntry {
    let entry = global::add_csvlk(&mut MakStore::new(), service, NOW).unwrap();
    assert_eq!(
        (entry.kind, &entry.source),
        (KeyKind::Csvlk, &KindSource::Declared)
    );
    entry
}

/// What `deploy_plan` needs besides the topology and the survey: the CSVLK, its declared
/// group, what the hosts serve and the seed's security groups.
struct HostKey {
    key: KeyToInstall,
    id: String,
    serves: Vec<ClientProduct>,
    groups: BTreeMap<String, String>,
}

impl HostKey {
    fn of(entry: &MakEntry) -> Self {
        HostKey {
            key: KeyToInstall::from_entry(entry),
            id: entry.id.clone(),
            serves: global::serves(),
            groups: global::security_groups(),
        }
    }

    fn deployment(&self) -> Deployment<'_> {
        Deployment {
            key: &self.key,
            key_id: Some(&self.id),
            group: global::csvlk_group(),
            serves: &self.serves,
            security_groups: &self.groups,
        }
    }
}

/// The global network after the seed's deployment and Table 6.
struct Network {
    service: SimulatedActivationService,
    dns: SimulatedDns,
    hosts: Vec<SimulatedMachine>,
    clients: Vec<SimulatedMachine>,
    entry: MakEntry,
    deploy: Run,
    configure: Run,
}

/// Runs a deployment to its end, running again after each stop for the SRV record grants
/// (the administrator's grants are not what these tests check; the DNS here takes them).
fn run_past_the_grants(run: &mut Run, entry: &MakEntry, hosts: &mut [SimulatedMachine]) {
    for _ in 0..8 {
        run.execute(Some(entry.key()), &mut targets(hosts)).unwrap();
        if run.waiting.is_none() {
            return;
        }
    }
    panic!("the run kept waiting: {}", run.to_json());
}

fn deploy_and_configure() -> Network {
    let service = SimulatedActivationService::new();
    let dns = SimulatedDns::new();
    let entry = add_the_csvlk(&service);
    let topology = Topology::parse(global::TOPOLOGY).unwrap();
    let planned = srv_plan(&topology);

    // The hosts as the administrator's console lists them, not in the seed's order: the
    // plan puts them in that order.
    let mut hosts = global::hosts(&service, &dns);
    hosts.reverse();
    let surveyed = survey(&mut targets(&mut hosts));
    let host_key = HostKey::of(&entry);
    let d = host_key.deployment();
    let plan = deploy_plan(&topology, &d, &surveyed).unwrap();
    assert_eq!(plan.kind, PlanKind::KmsDeploy);
    let order: Vec<&str> = plan.machines.iter().map(|m| m.machine.as_str()).collect();
    assert_eq!(order, ["KMS-E1", "KMS-E2", "KMS-W1", "KMS-W2"]);
    let mut deploy = Run::new(plan);
    deploy
        .execute(Some(entry.key()), &mut targets(&mut hosts))
        .unwrap();
    // The run stops after the first host: it created both records, and the others may write
    // to them only once the administrator has granted the hosts' groups (the seed's order).
    assert_eq!(deploy.count("done"), 1, "{}", deploy.to_json());
    let waiting = deploy
        .waiting
        .clone()
        .expect("the run waits for the grants");
    assert!(
        waiting.contains("grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com")
            && waiting.contains("_vlmcs._tcp.west.contoso.com"),
        "{waiting}"
    );
    assert_eq!(service.kms_host_activations(), ["KMS-E1"]);
    // The administrator makes the grants on the DNS server, then runs again.
    for a in &deploy.plan.machines[0].actions {
        if let Action::GrantSrvRecord { domain, hosts, .. } = a {
            dns.grant(domain, hosts);
        }
    }
    let saved = deploy.to_json();
    let mut deploy = Run::from_json(&saved).unwrap();
    deploy
        .execute(Some(entry.key()), &mut targets(&mut hosts))
        .unwrap();
    assert!(deploy.is_complete(), "{}", deploy.to_json());
    assert_eq!(deploy.waiting, None);
    hosts.reverse(); // back to the seed's order, for reading

    // Activated online in the seed's order, each once, with one CSVLK.
    assert_eq!(
        service.kms_host_activations(),
        ["KMS-E1", "KMS-E2", "KMS-W1", "KMS-W2"]
    );
    assert_eq!(service.csvlk_computers(entry.key()), Some(4));
    assert_eq!(deploy.online_activations(), 4);
    for h in &hosts {
        assert!(h.is_kms_host(), "{}", h.name());
        assert_eq!(h.channel(), &Channel::VolumeCsvlk);
        assert_eq!(h.kms_host_key_group(), Some(global::csvlk_group()));
    }

    // The grants are manual steps, recorded right after the first host's activation: KMS_1
    // created both records, so both grants follow it, and no later host has any.
    let e1 = &deploy.plan.machines[0];
    let tail: Vec<&Action> = e1.actions.iter().rev().take(3).rev().collect();
    assert!(matches!(tail[0], Action::Activate { .. }), "{tail:?}");
    assert!(
        matches!(tail[1], Action::GrantSrvRecord { domain, group, .. } if domain == EAST && group == "KMS_E")
    );
    assert!(
        matches!(tail[2], Action::GrantSrvRecord { domain, group, .. } if domain == WEST && group == "KMS_W")
    );
    let e1_manual = &deploy.progress[0].manual;
    assert_eq!(e1_manual.len(), 3, "{e1_manual:?}");
    assert!(
        e1_manual[0].contains("Key Management Service"),
        "{e1_manual:?}"
    );
    assert_eq!(
        e1_manual[1..],
        [
            "grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com",
            "grant KMS_W Read, Write and Delete on _vlmcs._tcp.west.contoso.com",
        ]
    );
    for (m, p) in deploy.plan.machines.iter().zip(&deploy.progress).skip(1) {
        assert!(
            !m.actions
                .iter()
                .any(|a| matches!(a, Action::GrantSrvRecord { .. }))
        );
        assert_eq!(
            p.manual.len(),
            1,
            "{}: the firewall exception only",
            m.machine
        );
    }

    // Each host's DnsDomainPublishList, read back, is the planner's.
    for h in &mut hosts {
        let fqdn = h.fqdn();
        let expected = &planned.hosts[&fqdn].dns_domain_publish_list;
        assert_eq!(
            h.read_value(LicensingValue::DnsDomainPublishList).unwrap(),
            Some(RegistryData::MultiString(expected.clone())),
            "{fqdn}"
        );
        assert_eq!(
            h.read_value(LicensingValue::DisableDnsPublishing).unwrap(),
            None
        );
    }

    // DNS: with the grants made before the other hosts activated, every registration
    // succeeded: both RRsets are the planner's.
    for h in &hosts {
        assert!(h.srv_registration_failures().is_empty(), "{}", h.name());
    }
    for (domain, records) in &planned.domains {
        let mut published: Vec<(String, u16, u16, u16)> = dns
            .records(domain)
            .into_iter()
            .map(|r| (r.target, r.port, r.priority, r.weight))
            .collect();
        let mut expected: Vec<(String, u16, u16, u16)> = records
            .iter()
            .map(|r| (r.host.clone(), r.port, r.priority, r.weight))
            .collect();
        published.sort();
        expected.sort();
        assert_eq!(published, expected, "{domain}");
    }

    // Table 6 on the clients.
    let mut clients = global::clients(&service, &dns);
    let surveyed = survey(&mut targets(&mut clients));
    let plan = configure_plan(&surveyed, &ClientSettings::table6(global::HELP_URL));
    assert_eq!(plan.kind, PlanKind::KmsConfigure);
    let home = clients.len() - 1;
    assert_eq!(plan.machines[home].machine, global::HOME_MACHINE);
    let skip = plan.machines[home]
        .skipped
        .as_ref()
        .expect("Home is skipped");
    assert_eq!(skip.rule, "no-gvlk");
    assert!(skip.reason.contains("Windows 11 Core"), "{}", skip.reason);
    assert!(plan.machines[home].actions.is_empty());
    let mut configure = Run::new(plan);
    configure.execute(None, &mut targets(&mut clients)).unwrap();
    assert!(configure.is_complete(), "{}", configure.to_json());
    assert_eq!(configure.count("done"), 2 * global::CLIENTS_PER_DOMAIN);
    assert_eq!(configure.count("skipped"), 1);

    Network {
        service,
        dns,
        hosts,
        clients,
        entry,
        deploy,
        configure,
    }
}

#[test]
fn the_hosts_are_deployed_in_the_seeds_order_with_the_planners_publish_lists() {
    let net = deploy_and_configure();
    assert!(net.deploy.is_complete());
    assert_eq!(net.service.csvlk_computers(net.entry.key()), Some(4));
    assert_eq!(net.dns.domains(), [EAST, WEST]);
}

#[test]
fn the_clients_are_configured_as_table6_says_and_their_requests_find_the_local_hosts_first() {
    let mut net = deploy_and_configure();
    let n = 2 * global::CLIENTS_PER_DOMAIN;
    for (c, p) in net.clients.iter_mut().zip(&net.configure.progress).take(n) {
        assert_eq!(p.state, MachineState::Done);
        assert!(!c.host_caching(), "{}: slmgr /ckhc", c.name());
        assert_eq!(
            c.read_value(LicensingValue::AlternateUrl).unwrap(),
            Some(RegistryData::String(global::HELP_URL.into()))
        );
        let w = &c.products().unwrap()[0];
        assert_eq!(w.channel, Channel::VolumeGvlk);
        assert_eq!(
            w.partial_product_key.as_deref(),
            Some(&ENTERPRISE_GVLK[24..])
        );
        assert_eq!(c.kms_host(), None, "auto-discovery: no host set by name");
        // The request reached the network's hosts; the KMS answer is the fleet simulator's,
        // so the product stays in grace (volact-sim's machine docs, `kms`).
        assert_eq!(w.license_status, LicenseStatus::OOBGrace);
        assert_eq!(p.license_status, Some(2));
        let requests = c.kms_requests();
        assert_eq!(requests.len(), 1);
        let order: Vec<&str> = requests[0]
            .attempts
            .iter()
            .map(|a| a.host.as_str())
            .collect();
        let home = c.network_name().to_owned();
        let (near, far) = if home == EAST {
            ("kms-e", "kms-w")
        } else {
            ("kms-w", "kms-e")
        };
        assert_eq!(order.len(), 4, "{order:?}");
        assert!(
            order[..2].iter().all(|h| h.starts_with(near)),
            "{home}: {order:?}"
        );
        assert!(
            order[2..].iter().all(|h| h.starts_with(far)),
            "{home}: {order:?}"
        );
    }
}

#[test]
fn the_home_edition_is_skipped_before_anything_is_installed() {
    let mut net = deploy_and_configure();
    let home = net.clients.last_mut().unwrap();
    assert_eq!(home.name(), global::HOME_MACHINE);
    assert_eq!(
        home.channel(),
        &Channel::Retail,
        "its image key is still there"
    );
    assert!(home.host_caching());
    assert_eq!(home.read_value(LicensingValue::AlternateUrl).unwrap(), None);
    assert!(home.kms_requests().is_empty());
    // Installing the Enterprise GVLK would be a GVLK/edition mismatch: volact's check says so,
    // and the simulated Windows refuses the key.
    let gvlk = ProductKey::parse(ENTERPRISE_GVLK).unwrap();
    let surveyed = survey(&mut [home as &mut dyn ActivationTarget]);
    let verdict = check_install(
        &KeyToInstall::gvlk(&gvlk).unwrap(),
        surveyed[0].products.as_deref(),
    );
    assert!(verdict.activation_id().is_none(), "{verdict:?}");
    let e = home.install_product_key(&gvlk).unwrap_err();
    assert_eq!(e.code(), Some(KEY_INVALID), "{e}");
}

fn fleet(net: &mut Network, events: &[HostEvent], days: u32) -> (FleetScenario, FleetReport) {
    let options = ScenarioOptions {
        seed: 2009,
        days,
        install_over_days: 7,
    };
    let s = fleet_scenario(&mut net.hosts, &mut net.clients, &options, events).unwrap();
    let report = run_toml(&s.toml).unwrap_or_else(|e| panic!("{e}\n{}", s.toml));
    (s, report)
}

fn host<'r>(report: &'r FleetReport, fqdn: &str) -> &'r volact_core::fleet::report::HostReport {
    report.hosts.iter().find(|h| h.name == fqdn).unwrap()
}

#[test]
fn the_fleet_simulator_activates_east_clients_on_east_hosts_and_west_clients_on_west_hosts() {
    let mut net = deploy_and_configure();
    let (s, report) = fleet(&mut net, &[], 90);
    // Built from the machines: four hosts, two client groups per domain, Home left out.
    assert_eq!(s.left_out.len(), 1);
    assert_eq!(s.left_out[0].0, global::HOME_MACHINE);
    assert!(s.toml.contains("host_caching = false"));
    let expected = BTreeMap::from([
        ("east-windows10".to_owned(), global::CLIENTS_PER_DOMAIN / 2),
        ("east-windows11".to_owned(), global::CLIENTS_PER_DOMAIN / 2),
        ("west-windows10".to_owned(), global::CLIENTS_PER_DOMAIN / 2),
        ("west-windows11".to_owned(), global::CLIENTS_PER_DOMAIN / 2),
    ]);
    let got: BTreeMap<String, usize> = s.groups.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    assert_eq!(got, expected);
    assert_eq!(
        report.end_status.licensed,
        2 * global::CLIENTS_PER_DOMAIN as u64
    );
    assert_eq!(report.wan_share, 0.0, "nobody crossed the WAN link");
    for h in &report.hosts {
        assert!(h.requests > 0 && h.activated > 0, "{}", h.name);
        assert_eq!(h.wan_requests, 0, "{}", h.name);
    }
    for (one, two) in [
        ("kms-e1.east.contoso.com", "kms-e2.east.contoso.com"),
        ("kms-w1.west.contoso.com", "kms-w2.west.contoso.com"),
    ] {
        let (a, b) = (host(&report, one).requests, host(&report, two).requests);
        assert!(a > 2 * b, "{one} {a} vs {two} {b}: 75/25");
    }
}

#[test]
fn with_both_east_hosts_down_the_east_clients_fall_back_to_the_west_hosts_and_come_home() {
    let mut net = deploy_and_configure();
    let (e1, e2) = (net.hosts[0].fqdn(), net.hosts[1].fqdn());
    let west: Vec<String> = net.hosts[2..].iter().map(|h| h.fqdn()).collect();
    let n = global::CLIENTS_PER_DOMAIN as u64;
    let event = |day, host: &String, up| HostEvent {
        day,
        host: host.clone(),
        up,
    };

    // Down from the start: the east clients' first activations cross the WAN to the west
    // hosts (priority 90 in their domain's RRset).
    let (_, report) = fleet(&mut net, &[event(0, &e1, false), event(0, &e2, false)], 40);
    assert_eq!(report.end_status.licensed, 2 * n);
    assert_eq!(host(&report, &e1).requests + host(&report, &e2).requests, 0);
    let wan: u64 = west.iter().map(|h| host(&report, h).wan_requests).sum();
    assert!(wan > 0 && report.wan_share > 0.0);
    // The west hosts counted the east clients too.
    let w1_count = host(&report, &west[0]).daily_count.iter().max().copied();
    assert!(w1_count > Some(n as u32), "{w1_count:?}");

    // Down on days 20 to 50, once every client is licensed: the east clients renew across
    // the WAN, then come home (host caching is off, Table 6).
    let (down, up) = (20, 50);
    let events = [
        event(down, &e1, false),
        event(down, &e2, false),
        event(up, &e1, true),
        event(up, &e2, true),
    ];
    let (_, report) = fleet(&mut net, &events, 80);
    assert_eq!(report.end_status.licensed, 2 * n);
    assert!(
        report.daily[..down as usize]
            .iter()
            .all(|d| d.wan_requests == 0)
    );
    assert!(
        report.daily[up as usize..]
            .iter()
            .all(|d| d.wan_requests == 0)
    );
    let during: u64 = report.daily[down as usize..up as usize]
        .iter()
        .map(|d| d.wan_requests)
        .sum();
    assert!(during > 0);
    for h in [&e1, &e2] {
        let r = host(&report, h);
        assert!(
            r.daily_requests[down as usize..up as usize]
                .iter()
                .all(|&x| x == 0)
        );
        assert!(
            r.daily_requests[up as usize..].iter().any(|&x| x > 0),
            "{h} is back"
        );
    }
    let west_wan: u64 = west.iter().map(|h| host(&report, h).wan_requests).sum();
    assert_eq!(west_wan, during, "every WAN request went to a west host");
}

#[test]
fn a_seventh_host_for_the_csvlk_is_refused_by_the_plan_and_by_the_activation_service() {
    let service = SimulatedActivationService::new();
    let dns = SimulatedDns::new();
    let entry = add_the_csvlk(&service);
    let host_key = HostKey::of(&entry);
    let d = host_key.deployment();
    // One topology of seven hosts: the plan refuses it before anything is touched.
    let north = r#"
[[host]]
name = "kms-n1.north.contoso.com"
[[host]]
name = "kms-n2.north.contoso.com"
[[host]]
name = "kms-n3.north.contoso.com"
[[site]]
name = "north"
hosts = [
  { host = "kms-n1.north.contoso.com", weight = 50 },
  { host = "kms-n2.north.contoso.com", weight = 30 },
  { host = "kms-n3.north.contoso.com", weight = 20 },
]
[[domain]]
name = "north.contoso.com"
site = "north"
"#;
    let seven = Topology::parse(&format!("{}{north}", global::TOPOLOGY)).unwrap();
    let mut hosts = global::hosts(&service, &dns);
    for i in 1..=3 {
        hosts.push(global::host(
            &format!("KMS-N{i}"),
            "north.contoso.com",
            &service,
            &dns,
        ));
    }
    let surveyed = survey(&mut targets(&mut hosts));
    let e = deploy_plan(&seven, &d, &surveyed).unwrap_err().to_string();
    assert!(
        e.contains("at most 6 hosts") && e.contains("kms-n3.north.contoso.com would be the 7th"),
        "{e}"
    );
    assert!(service.kms_host_activations().is_empty());

    // Two deployments of the same CSVLK, each within the limit: the plan sees one topology
    // at a time, so the seventh activation is refused by the activation service, 0xC004C008.
    let global_topology = Topology::parse(global::TOPOLOGY).unwrap();
    let plan = deploy_plan(&global_topology, &d, &surveyed[..4]).unwrap();
    let mut run = Run::new(plan);
    run_past_the_grants(&mut run, &entry, &mut hosts);
    assert!(run.is_complete());
    let north_only = Topology::parse(north).unwrap();
    let plan = deploy_plan(&north_only, &d, &surveyed).unwrap();
    let mut run = Run::new(plan);
    run_past_the_grants(&mut run, &entry, &mut hosts);
    assert_eq!(run.count("done"), 2);
    match &run.progress[2].state {
        MachineState::Failed { error, .. } => {
            assert_eq!(error.code(), Some(CSVLK_LIMIT), "{error}")
        }
        other => panic!("expected 0xC004C008, got {other:?}"),
    }
    assert_eq!(service.csvlk_computers(entry.key()), Some(6));
    assert!(!hosts[6].is_kms_host());
}

#[test]
fn clients_configured_before_any_host_is_deployed_fail_with_0xc004f074_and_resume_later() {
    let service = SimulatedActivationService::new();
    let dns = SimulatedDns::new();
    let entry = add_the_csvlk(&service);
    let mut clients = global::clients(&service, &dns);
    clients.truncate(4);
    let surveyed = survey(&mut targets(&mut clients));
    let plan = configure_plan(&surveyed, &ClientSettings::table6(global::HELP_URL));
    let mut run = Run::new(plan);
    run.execute(None, &mut targets(&mut clients)).unwrap();
    assert_eq!(run.count("failed"), 4);
    for p in &run.progress {
        match &p.state {
            MachineState::Failed { action, error } => {
                assert_eq!(*action, 5, "the settings are in; the activation failed");
                assert_eq!(error.code(), Some(NO_KMS), "{error}");
            }
            other => panic!("expected 0xC004F074, got {other:?}"),
        }
    }
    assert!(clients.iter().all(|c| !c.host_caching()));
    // The hosts are deployed (one is enough to be found): the saved run resumes.
    let saved = run.to_json();
    let mut hosts = global::hosts(&service, &dns);
    let surveyed = survey(&mut targets(&mut hosts));
    let host_key = HostKey::of(&entry);
    let d = host_key.deployment();
    let topology = Topology::parse(global::TOPOLOGY).unwrap();
    let mut deploy = Run::new(deploy_plan(&topology, &d, &surveyed).unwrap());
    deploy
        .execute(Some(entry.key()), &mut targets(&mut hosts))
        .unwrap();
    let mut run = Run::from_json(&saved).unwrap();
    run.execute(None, &mut targets(&mut clients)).unwrap();
    assert!(run.is_complete(), "{}", run.to_json());
    assert!(clients.iter().all(|c| c.kms_requests().len() == 1));
}

#[test]
fn hosts_with_the_same_computer_name_in_both_domains_are_told_apart_by_their_domain() {
    // Each site's administrator names its host KMS1: the computer names repeat, the DNS
    // names do not.
    let service = SimulatedActivationService::new();
    let dns = SimulatedDns::new();
    let entry = add_the_csvlk(&service);
    let topology = Topology::parse(
        &global::TOPOLOGY
            .replace("kms-e1.", "kms1.")
            .replace("kms-w1.", "kms1."),
    )
    .unwrap();
    let mut hosts: Vec<SimulatedMachine> = [
        ("KMS1", WEST),
        ("KMS-E2", EAST),
        ("KMS1", EAST),
        ("KMS-W2", WEST),
    ]
    .iter()
    .map(|(n, d)| global::host(n, d, &service, &dns))
    .collect();
    let surveyed = survey(&mut targets(&mut hosts));
    let host_key = HostKey::of(&entry);
    let d = host_key.deployment();
    let plan = deploy_plan(&topology, &d, &surveyed).unwrap();
    let indices: Vec<usize> = plan.machines.iter().map(|m| m.index).collect();
    assert_eq!(indices, [2, 1, 0, 3], "east KMS1 first, west KMS1 third");
    let mut run = Run::new(plan);
    run_past_the_grants(&mut run, &entry, &mut hosts);
    assert!(run.is_complete());
    assert_eq!(
        hosts[0]
            .read_value(LicensingValue::DnsDomainPublishList)
            .unwrap(),
        Some(RegistryData::MultiString(vec![
            "west.contoso.com, 10, 75".into(),
            "east.contoso.com, 90, 75".into()
        ]))
    );
    // The east KMS1 missing from the survey: the west one is not planned twice.
    let partial = [
        surveyed[0].clone(),
        surveyed[1].clone(),
        surveyed[3].clone(),
    ];
    let e = deploy_plan(&topology, &d, &partial)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "kms1.east.contoso.com and kms1.west.contoso.com are both the surveyed machine KMS1"
        ),
        "{e}"
    );
    // Domains known by their NetBIOS names only: which KMS1 is which cannot be told.
    let mut netbios: Vec<SimulatedMachine> = [("KMS1", "WEST"), ("KMS1", "EAST")]
        .iter()
        .map(|(n, d)| global::host(n, d, &service, &dns))
        .collect();
    let e = deploy_plan(&topology, &d, &survey(&mut targets(&mut netbios)))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("kms1.east.contoso.com could be any of the surveyed machines KMS1, KMS1"),
        "{e}"
    );
}

#[test]
fn security_groups_are_found_by_dns_name_and_one_for_a_domain_the_plan_lacks_is_noted() {
    let service = SimulatedActivationService::new();
    let dns = SimulatedDns::new();
    let entry = add_the_csvlk(&service);
    let topology = Topology::parse(global::TOPOLOGY).unwrap();
    let mut hosts = global::hosts(&service, &dns);
    let surveyed = survey(&mut targets(&mut hosts));
    let mut host_key = HostKey::of(&entry);
    host_key.groups = BTreeMap::from([
        ("East.Contoso.COM.".to_owned(), "KMS_E".to_owned()),
        ("west.contoso.com".to_owned(), "KMS_W".to_owned()),
    ]);
    let plan = deploy_plan(&topology, &host_key.deployment(), &surveyed).unwrap();
    let grants: Vec<(&str, &str)> = plan.machines[0]
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::GrantSrvRecord { domain, group, .. } => Some((domain.as_str(), group.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(grants, [(EAST, "KMS_E"), (WEST, "KMS_W")]);
    // A misspelt domain leaves the east record to the default group: the plan says the
    // group it was given is unused.
    host_key.groups = BTreeMap::from([("esat.contoso.com".to_owned(), "KMS_E".to_owned())]);
    let plan = deploy_plan(&topology, &host_key.deployment(), &surveyed).unwrap();
    assert!(
        plan.notes
            .iter()
            .any(|n| n.ends_with("publishes no record in, unused: esat.contoso.com")),
        "{:?}",
        plan.notes
    );
}
