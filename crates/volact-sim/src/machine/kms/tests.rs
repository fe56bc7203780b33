use super::*;
use crate::SimulatedActivationService;
use crate::machine::KEY_INVALID;
use volact_core::fleet::parse_csvlk;
use volact_core::key::ProductKey;
use volact_core::srv::discovery::{AttemptSource, HostPort};
use volact_core::workflow::ActivationTarget;

/// The published "twin" test key, declared a CSVLK (see `crate::global`).
const CSVLK: &str = "NJCF7-PW8QT-3324D-688JX-2YV66";
const EAST: &str = "east.contoso.com";

fn setup(group: &str) -> (SimulatedActivationService, SimulatedDns, ProductKey) {
    let service = SimulatedActivationService::new();
    let key = ProductKey::parse(CSVLK).unwrap();
    service.register_csvlk(&key, parse_csvlk(group).unwrap());
    (service, SimulatedDns::new(), key)
}

fn server(name: &str, s: &SimulatedActivationService, dns: &SimulatedDns) -> SimulatedMachine {
    SimulatedMachine::new(name, "Windows Server 2022", "ServerDatacenter", s)
        .in_domain(EAST)
        .on_dns(dns)
        .with_internet(true)
}

fn client(name: &str, s: &SimulatedActivationService, dns: &SimulatedDns) -> SimulatedMachine {
    SimulatedMachine::new(name, "Windows 11", "Enterprise", s)
        .in_domain(EAST)
        .on_dns(dns)
}

fn code(e: TargetError) -> u32 {
    e.code()
        .unwrap_or_else(|| panic!("expected a licensing error, got {e:?}"))
}

fn publish(m: &mut SimulatedMachine, lines: &[&str]) {
    let data = RegistryData::MultiString(lines.iter().map(|l| (*l).to_owned()).collect());
    m.write_value(LicensingValue::DnsDomainPublishList, Some(&data))
        .unwrap();
}

/// Installs the CSVLK and activates: the host's first activation.
fn activate_host(m: &mut SimulatedMachine, key: &ProductKey) -> Result<(), TargetError> {
    m.install_product_key(key)?;
    let act = m.activation_id();
    m.activate(&act)
}

#[test]
fn a_csvlk_goes_on_the_windows_its_declared_group_is_for() {
    let (service, dns, key) = setup("server2022");
    let mut host = server("KMS-1", &service, &dns);
    host.install_product_key(&key).unwrap();
    assert_eq!(host.channel(), &Channel::VolumeCsvlk);
    assert_eq!(host.kms_host_key_group(), parse_csvlk("server2022"));
    assert!(!host.is_kms_host(), "installed, not activated");
    let mut pc = client("PC1", &service, &dns);
    let e = pc.install_product_key(&key).unwrap_err();
    assert!(
        e.to_string().contains("does not install on Windows 11"),
        "{e}"
    );
    assert_eq!(code(e), KEY_INVALID);
    assert_eq!(pc.channel(), &Channel::VolumeGvlk, "nothing changed");
    // A Windows 10 group key is a client-OS host key; an Office key is not Windows'.
    service.register_csvlk(&key, parse_csvlk("windows10").unwrap());
    pc.install_product_key(&key).unwrap();
    let mut other = server("KMS-2", &service, &dns);
    assert_eq!(
        code(other.install_product_key(&key).unwrap_err()),
        KEY_INVALID
    );
    service.register_csvlk(&key, parse_csvlk("office2024").unwrap());
    assert_eq!(
        code(other.install_product_key(&key).unwrap_err()),
        KEY_INVALID
    );
}

#[test]
fn a_host_activates_online_and_registers_its_publish_list_on_its_listening_port() {
    let (service, dns, key) = setup("server2022");
    let mut host = server("KMS-E1", &service, &dns);
    host.set_internet(false);
    host.install_product_key(&key).unwrap();
    let act = host.activation_id();
    let e = host.activate(&act).unwrap_err();
    assert!(matches!(e, TargetError::Other { .. }), "no Internet: {e:?}");
    assert!(service.kms_host_activations().is_empty());
    host.set_internet(true);
    publish(
        &mut host,
        &["east.contoso.com, 10, 75", "west.contoso.com, 90, 75"],
    );
    host.write_value(
        LicensingValue::KeyManagementServiceListeningPort,
        Some(&RegistryData::String("1700".into())),
    )
    .unwrap();
    host.activate(&act).unwrap();
    assert!(host.is_kms_host());
    assert_eq!(host.license_status(), LicenseStatus::Licensed);
    assert_eq!(host.fqdn(), "kms-e1.east.contoso.com");
    let rec = |p, w| SrvRecord {
        priority: p,
        weight: w,
        port: 1700,
        target: "kms-e1.east.contoso.com".into(),
    };
    assert_eq!(dns.records(EAST), [rec(10, 75)]);
    assert_eq!(dns.records("west.contoso.com"), [rec(90, 75)]);
    assert!(host.srv_registration_failures().is_empty());
    assert_eq!(service.kms_host_activations(), ["KMS-E1"]);
}

#[test]
fn without_a_publish_list_a_host_registers_in_its_home_domain_and_disabled_it_registers_nowhere() {
    let (service, dns, key) = setup("server2022");
    let mut a = server("KMS-A", &service, &dns);
    activate_host(&mut a, &key).unwrap();
    assert_eq!(
        dns.records(EAST),
        [SrvRecord {
            priority: 0,
            weight: 0,
            port: 1688,
            target: "kms-a.east.contoso.com".into()
        }]
    );
    let mut b = server("KMS-B", &service, &dns).in_domain("west.contoso.com");
    b.write_value(
        LicensingValue::DisableDnsPublishing,
        Some(&RegistryData::Dword(1)),
    )
    .unwrap();
    publish(&mut b, &["west.contoso.com, 10, 50"]);
    activate_host(&mut b, &key).unwrap();
    assert!(b.is_kms_host());
    assert!(dns.records("west.contoso.com").is_empty());
    assert!(!dns.has_host("kms-b.west.contoso.com"));
}

#[test]
fn a_second_host_registers_only_after_the_grant_and_its_next_registration() {
    let (service, dns, key) = setup("server2022");
    let mut one = server("KMS-1", &service, &dns);
    let mut two = server("KMS-2", &service, &dns);
    activate_host(&mut one, &key).unwrap();
    activate_host(&mut two, &key).unwrap();
    assert!(two.is_kms_host(), "activation does not depend on DNS");
    assert_eq!(two.srv_registration_failures().len(), 1);
    assert!(two.srv_registration_failures()[0].contains("belongs to kms-1.east.contoso.com"));
    assert_eq!(dns.records(EAST).len(), 1);
    dns.grant(
        EAST,
        &[
            "kms-1.east.contoso.com".into(),
            "kms-2.east.contoso.com".into(),
        ],
    );
    two.restart_licensing_service();
    assert_eq!(dns.records(EAST).len(), 2);
    // A machine that is not an activated host registers nothing when restarted.
    let mut pc = client("PC1", &service, &dns).in_domain("north.contoso.com");
    pc.restart_licensing_service();
    assert!(dns.records("north.contoso.com").is_empty());
}

#[test]
fn one_csvlk_activates_six_computers_and_the_seventh_gets_0xc004c008() {
    let (service, dns, key) = setup("server2022");
    let mut hosts: Vec<SimulatedMachine> = (1..=7)
        .map(|i| server(&format!("KMS-{i}"), &service, &dns))
        .collect();
    for h in &mut hosts[..6] {
        activate_host(h, &key).unwrap();
    }
    assert_eq!(service.csvlk_computers(&key), Some(6));
    let e = activate_host(&mut hosts[6], &key).unwrap_err();
    assert_eq!(code(e.clone()), CSVLK_LIMIT, "{e}");
    assert_eq!(hosts[6].license_status(), LicenseStatus::OOBGrace);
    assert!(!dns.has_host("kms-7.east.contoso.com"));
    // A host activated before may activate again (a reinstall on the same hardware).
    hosts[0].reimage();
    activate_host(&mut hosts[0], &key).unwrap();
    assert_eq!(
        service.kms_host_activations(),
        ["KMS-1", "KMS-2", "KMS-3", "KMS-4", "KMS-5", "KMS-6"]
    );
    // A key the service does not know as a CSVLK or MAK is refused at install.
    let twin = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G").unwrap();
    assert_eq!(
        code(hosts[6].install_product_key(&twin).unwrap_err()),
        KEY_INVALID
    );
}

#[test]
fn a_kms_client_needs_a_host_it_can_find_and_stays_in_grace_for_the_fleet_simulator() {
    let (service, dns, key) = setup("server2022");
    let mut pc = client("PC1", &service, &dns).with_dns_suffix_search_list(&[EAST]);
    let act = pc.activation_id();
    // No host yet: 0xC004F074, nothing recorded.
    let e = pc.activate(&act).unwrap_err();
    assert_eq!(code(e.clone()), NO_KMS);
    assert!(
        e.to_string().contains("_vlmcs._tcp.east.contoso.com"),
        "{e}"
    );
    assert!(pc.kms_requests().is_empty());
    let mut host = server("KMS-1", &service, &dns);
    activate_host(&mut host, &key).unwrap();
    pc.activate(&act).unwrap();
    assert_eq!(
        pc.license_status(),
        LicenseStatus::OOBGrace,
        "the fleet decides"
    );
    let r = &pc.kms_requests()[0];
    assert_eq!(r.attempts[0].host, "kms-1.east.contoso.com");
    assert_eq!(
        r.attempts[0].source,
        AttemptSource::Dns {
            domain: EAST.into()
        }
    );
    // A host set by name is the only one tried: a KMS host of this network or nothing.
    pc.set_kms_host(Some(&HostPort::parse("kms-9.east.contoso.com").unwrap()))
        .unwrap();
    let e = pc.activate(&act).unwrap_err();
    assert!(
        e.to_string()
            .contains("kms-9.east.contoso.com is not a KMS host"),
        "{e}"
    );
    pc.set_kms_host(Some(
        &HostPort::parse("KMS-1.east.contoso.com:1688").unwrap(),
    ))
    .unwrap();
    pc.activate(&act).unwrap();
    assert_eq!(pc.kms_requests()[1].attempts.len(), 1);
    // A lookup domain where no host registers, and a workgroup machine with no suffix.
    pc.set_kms_host(None).unwrap();
    pc.set_kms_lookup_domain(Some("west.contoso.com")).unwrap();
    assert_eq!(code(pc.activate(&act).unwrap_err()), NO_KMS);
    let mut lab = SimulatedMachine::new("LAB1", "Windows 11", "Enterprise", &service).on_dns(&dns);
    let act = lab.activation_id();
    assert_eq!(code(lab.activate(&act).unwrap_err()), NO_KMS);
    // A reimage forgets the requests.
    pc.reimage();
    assert!(pc.kms_requests().is_empty());
}
