use super::*;
use crate::SimulatedCidSource;
use volact_core::epid::Epid;
use volact_core::ids::InstallationId;
use volact_core::workflow::{CidAnswer, CidRequest, ConfirmationIdSource};

const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const ENTERPRISE_GVLK: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";

fn setup(edition: &str, activations: u32) -> (SimulatedActivationService, ProductKey) {
    let service = SimulatedActivationService::new();
    let key = ProductKey::parse(MAK).unwrap();
    service.register_mak(&key, edition, activations);
    (service, key)
}

fn product(m: &mut SimulatedMachine) -> TargetProduct {
    m.products().unwrap().remove(0)
}

fn code(e: TargetError) -> u32 {
    e.code()
        .unwrap_or_else(|| panic!("expected a licensing error, got {e:?}"))
}

fn cid_for(source: &mut SimulatedCidSource, iid: &str) -> String {
    match source.confirmation_id(&CidRequest {
        installation_id: iid.to_owned(),
        product_key_id: None,
        sku_id: None,
    }) {
        CidAnswer::Issued { confirmation_id } => confirmation_id,
        other => panic!("no CID: {other:?}"),
    }
}

#[test]
fn a_fresh_machine_runs_its_images_key_in_initial_grace_with_a_valid_iid() {
    let (service, _) = setup("Enterprise", 1);
    let mut ent =
        SimulatedMachine::new("PC1", "Windows 11", "Enterprise", &service).in_workgroup("LAB");
    let info = ent.machine().unwrap();
    assert_eq!(info.network_type, NetworkType::Workgroup);
    assert_eq!(info.network_name, "LAB");
    assert_eq!(info.os_version, "10.0.22631");
    assert_eq!(info.mac_addresses, [fictitious::mac_address("PC1")]);
    let p = product(&mut ent);
    // Volume media install the edition's published GVLK.
    assert_eq!(p.channel, Channel::VolumeGvlk);
    assert_eq!(p.partial_product_key.as_deref(), Some("2YT43"));
    assert_eq!(p.license_status, LicenseStatus::OOBGrace);
    assert_eq!(p.grace_remaining, INITIAL_GRACE);
    assert_eq!(p.application_id, WINDOWS_APPLICATION_ID);
    assert_eq!(
        (p.family.as_str(), p.edition_id.as_str()),
        ("Windows 11", "Enterprise")
    );
    let iid = p.installation_id.unwrap();
    assert_eq!(InstallationId::parse(&iid).unwrap().format().digits(), 63);
    let epid = Epid::parse(&p.product_key_id.unwrap()).unwrap();
    assert_eq!((epid.group_id, epid.channel_name()), (3290, Some("Volume")));
    // Home has no GVLK: a retail image key, of which only a fictitious partial is known.
    let mut home = SimulatedMachine::new("PC2", "Windows 11", "Core", &service);
    let h = product(&mut home);
    assert_eq!(h.channel, Channel::Retail);
    assert_eq!(home.machine().unwrap().network_name, "WORKGROUP");
    assert_ne!(
        h.activation_id,
        ent.activation_id(),
        "one Activation ID per edition"
    );
    assert_eq!(
        SimulatedMachine::new("PC3", "Windows 11", "Core", &service).activation_id(),
        h.activation_id
    );
}

#[test]
fn installing_a_mak_resets_grace_changes_the_iid_and_the_iid_follows_hardware_and_key() {
    let (service, key) = setup("Enterprise", 1);
    let mut pc = SimulatedMachine::new("PC1", "Windows 11", "Enterprise", &service);
    let image_iid = pc.installation_id();
    pc.install_product_key(&key).unwrap();
    let p = product(&mut pc);
    assert_eq!(p.channel, Channel::VolumeMak);
    assert_eq!(p.license_status, LicenseStatus::OOBGrace);
    assert_eq!(p.grace_remaining, INITIAL_GRACE);
    assert_eq!(p.partial_product_key.as_deref(), Some("6Q83G"));
    let epid = Epid::parse(&p.product_key_id.unwrap()).unwrap();
    assert_eq!((epid.group_id, epid.serial), (3892, 1));
    let mak_iid = p.installation_id.unwrap();
    assert_ne!(mak_iid, image_iid);
    // The same hardware and key give the same IID after a fresh install.
    pc.reimage();
    assert_eq!(pc.installation_id(), image_iid);
    assert_eq!(pc.channel(), &Channel::VolumeGvlk);
    pc.install_product_key(&key).unwrap();
    assert_eq!(pc.installation_id(), mak_iid);
    // Other hardware: another IID, and another machine's differs too.
    let hw = pc.hardware_id();
    pc.change_hardware();
    assert_ne!(pc.hardware_id(), hw);
    assert_ne!(pc.installation_id(), mak_iid);
    let mut other = SimulatedMachine::new("PC2", "Windows 11", "Enterprise", &service);
    other.install_product_key(&key).unwrap();
    assert_ne!(other.installation_id(), mak_iid);
}

#[test]
fn keys_this_windows_cannot_take_are_refused_and_nothing_changes() {
    let (service, key) = setup("Enterprise", 1);
    let mut home = SimulatedMachine::new("HOME", "Windows 11", "Core", &service);
    let before = product(&mut home);
    let e = home.install_product_key(&key).unwrap_err();
    assert_eq!(code(e.clone()), KEY_INVALID);
    assert!(e.to_string().contains("retail edition"), "{e}");
    assert_eq!(product(&mut home), before);
    // A MAK of another edition.
    let mut pro = SimulatedMachine::new("PRO", "Windows 11", "Professional", &service);
    let e = pro.install_product_key(&key).unwrap_err();
    assert!(e.to_string().contains("for edition Enterprise"), "{e}");
    // A key the simulated service does not know.
    let stranger = SimulatedActivationService::new();
    let mut pc = SimulatedMachine::new("PC", "Windows 11", "Enterprise", &stranger);
    assert_eq!(code(pc.install_product_key(&key).unwrap_err()), KEY_INVALID);
    // A GVLK fits its own edition only, and then needs a KMS host the simulation lacks.
    let gvlk = ProductKey::parse(ENTERPRISE_GVLK).unwrap();
    assert_eq!(
        code(pro.install_product_key(&gvlk).unwrap_err()),
        KEY_INVALID
    );
    pc.install_product_key(&gvlk).unwrap();
    assert_eq!(pc.channel(), &Channel::VolumeGvlk);
    let act = pc.activation_id();
    assert_eq!(code(pc.activate(&act).unwrap_err()), NO_KMS);
}

#[test]
fn online_activation_needs_the_internet_and_an_activation_left() {
    let (service, key) = setup("Enterprise", 1);
    let mut a = SimulatedMachine::new("A", "Windows 11", "Enterprise", &service);
    a.install_product_key(&key).unwrap();
    let act = a.activation_id();
    let e = a.activate(&act).unwrap_err();
    assert!(matches!(e, TargetError::Other { ref detail } if detail.contains("no Internet")));
    assert_eq!(service.remaining(&key), Some(1));
    a.set_internet(true);
    assert!(matches!(
        a.activate("0000"),
        Err(TargetError::NoSuchProduct { .. })
    ));
    a.activate(&act).unwrap();
    assert_eq!(a.license_status(), LicenseStatus::Licensed);
    assert_eq!(product(&mut a).grace_remaining, Minutes(0));
    assert_eq!(service.remaining(&key), Some(0));
    // The same installation again uses nothing; a new one finds the MAK used up.
    a.activate(&act).unwrap();
    let mut b =
        SimulatedMachine::new("B", "Windows 11", "Enterprise", &service).with_internet(true);
    b.install_product_key(&key).unwrap();
    assert_eq!(code(b.activate(&act).unwrap_err()), MAK_LIMIT);
    assert_eq!(b.license_status(), LicenseStatus::OOBGrace);
}

#[test]
fn a_deposit_takes_only_the_cid_of_the_current_iid() {
    let (service, key) = setup("Enterprise", 5);
    let mut source = service.cid_source();
    let mut pc = SimulatedMachine::new("PC", "Windows 11", "Enterprise", &service);
    let mut other = SimulatedMachine::new("OTHER", "Windows 11", "Enterprise", &service);
    pc.install_product_key(&key).unwrap();
    other.install_product_key(&key).unwrap();
    let act = pc.activation_id();
    let iid = pc.installation_id();
    let cid = cid_for(&mut source, &iid);
    let others = cid_for(&mut source, &other.installation_id());
    assert_eq!(
        code(pc.deposit_confirmation_id(&act, &iid, &others).unwrap_err()),
        CID_DOES_NOT_FIT
    );
    assert_eq!(
        code(pc.deposit_confirmation_id(&act, &iid, "12345").unwrap_err()),
        CID_FORMAT
    );
    assert_eq!(
        code(
            pc.deposit_confirmation_id(&act, &other.installation_id(), &cid)
                .unwrap_err()
        ),
        CID_DOES_NOT_FIT
    );
    assert_eq!(pc.license_status(), LicenseStatus::OOBGrace);
    assert_eq!((pc.deposit_attempts(), pc.deposits_accepted()), (3, 0));
    pc.deposit_confirmation_id(&act, &iid, &cid).unwrap();
    assert_eq!(pc.license_status(), LicenseStatus::Licensed);
    assert_eq!(pc.deposits_accepted(), 1);
    assert_eq!(service.remaining(&key), Some(3));
    // New hardware: out of tolerance, and the stored CID no longer fits.
    pc.change_hardware();
    assert_eq!(pc.license_status(), LicenseStatus::OOTGrace);
    assert_eq!(product(&mut pc).grace_remaining, OOT_GRACE);
    let now = pc.installation_id();
    assert_eq!(
        code(pc.deposit_confirmation_id(&act, &now, &cid).unwrap_err()),
        CID_DOES_NOT_FIT
    );
    // The right digits for an IID the service never activated do not pass either: only a
    // CID the service issued does (the default service's secret is seed 0).
    let mut fresh = SimulatedMachine::new("FRESH", "Windows 11", "Enterprise", &service);
    fresh.install_product_key(&key).unwrap();
    let fresh_iid = fresh.installation_id();
    let made_up =
        fictitious::confirmation_id(b"volact-sim service secret \0\0\0\0\0\0\0\0", &fresh_iid);
    assert_eq!(
        code(
            fresh
                .deposit_confirmation_id(&act, &fresh_iid, &made_up)
                .unwrap_err()
        ),
        CID_DOES_NOT_FIT
    );
}

#[test]
fn an_unreachable_machine_answers_nothing() {
    let (service, key) = setup("Enterprise", 1);
    let mut pc = SimulatedMachine::new("PC", "Windows 11", "Enterprise", &service);
    pc.set_reachable(false);
    let act = pc.activation_id();
    let host = HostPort::parse("kms1.lab.test").unwrap();
    let results = [
        pc.machine().map(drop),
        pc.products().map(drop),
        pc.install_product_key(&key),
        pc.activate(&act),
        pc.deposit_confirmation_id(&act, "1", "2"),
        pc.set_kms_host(Some(&host)),
        pc.set_kms_lookup_domain(None),
        pc.set_host_caching(false),
        pc.read_value(LicensingValue::AlternateUrl).map(drop),
        pc.write_value(LicensingValue::ActivationManual, None),
    ];
    for r in results {
        assert!(matches!(r, Err(TargetError::Unreachable { .. })), "{r:?}");
    }
    assert_eq!(pc.channel(), &Channel::VolumeGvlk);
    assert_eq!(pc.deposit_attempts(), 0);
    pc.set_reachable(true);
    assert!(pc.machine().is_ok());
}

#[test]
fn kms_settings_and_registry_values_are_stored_read_back_and_gone_after_reimage() {
    let (service, _) = setup("Enterprise", 1);
    let mut pc = SimulatedMachine::new("PC", "Windows 11", "Enterprise", &service);
    pc.set_kms_host(Some(&HostPort::parse("kms1.lab.test:1700").unwrap()))
        .unwrap();
    assert_eq!(pc.kms_host().unwrap().to_string(), "kms1.lab.test:1700");
    assert_eq!(
        pc.read_value(LicensingValue::KeyManagementServiceName)
            .unwrap(),
        Some(RegistryData::String("kms1.lab.test".into()))
    );
    assert_eq!(
        pc.read_value(LicensingValue::KeyManagementServicePort)
            .unwrap(),
        Some(RegistryData::String("1700".into()))
    );
    pc.set_kms_host(Some(&HostPort::parse("kms2.lab.test").unwrap()))
        .unwrap();
    assert_eq!(
        pc.read_value(LicensingValue::KeyManagementServicePort)
            .unwrap(),
        None,
        "a host without a port clears the old port"
    );
    pc.set_kms_lookup_domain(Some("lab.test")).unwrap();
    pc.set_host_caching(false).unwrap();
    assert_eq!(pc.kms_lookup_domain(), Some("lab.test"));
    assert!(!pc.host_caching());
    let url = RegistryData::String("https://help.lab.test".into());
    pc.write_value(LicensingValue::AlternateUrl, Some(&url))
        .unwrap();
    assert_eq!(
        pc.read_value(LicensingValue::AlternateUrl).unwrap(),
        Some(url)
    );
    let e = pc
        .write_value(
            LicensingValue::ActivationManual,
            Some(&RegistryData::String("1".into())),
        )
        .unwrap_err();
    assert!(e.to_string().contains("Dword"), "{e}");
    assert_eq!(
        pc.read_value(LicensingValue::ActivationManual).unwrap(),
        None
    );
    pc.write_value(LicensingValue::AlternateUrl, None).unwrap();
    assert_eq!(pc.read_value(LicensingValue::AlternateUrl).unwrap(), None);
    pc.reimage();
    assert_eq!(pc.kms_host(), None);
    assert_eq!(pc.kms_lookup_domain(), None);
    assert!(pc.host_caching());
    pc.set_kms_host(Some(&HostPort::parse("kms1.lab.test").unwrap()))
        .unwrap();
    pc.set_kms_host(None).unwrap();
    assert_eq!(pc.kms_host(), None);
}
