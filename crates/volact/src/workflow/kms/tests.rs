use super::*;
use crate::catalog::UserCatalog;
use crate::fleet::{parse_csvlk, parse_product};
use crate::key::ProductKey;
use crate::license::{LicenseStatus, Minutes};
use crate::mak::{KeyKind, MakStore};
use crate::workflow::WINDOWS_APPLICATION_ID;
use crate::workflow::plan::Format;
use crate::workflow::target::{MachineInfo, NetworkType, TargetError, TargetProduct};

const GLOBAL: &str = include_str!("../../../../../examples/kms/contoso-global.toml");
const ENTERPRISE_GVLK: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";

fn entry(name: &str, family: &str, edition: &str, channel: Channel) -> Surveyed {
    Surveyed {
        machine: Some(MachineInfo {
            name: name.into(),
            network_type: NetworkType::Domain,
            network_name: "contoso.com".into(),
            os_version: "10.0".into(),
            mac_addresses: vec![],
        }),
        products: Some(vec![TargetProduct {
            activation_id: format!("sku-{edition}"),
            application_id: WINDOWS_APPLICATION_ID.into(),
            name: format!("Windows(R), {edition} edition"),
            family: family.into(),
            edition_id: edition.into(),
            channel,
            license_status: LicenseStatus::OOBGrace,
            grace_remaining: Minutes::days(30),
            installation_id: None,
            product_key_id: None,
            partial_product_key: None,
        }]),
        error: None,
    }
}

fn key(kind: KeyKind) -> KeyToInstall {
    let k = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G").unwrap();
    let mut store = MakStore::new();
    let e = store
        .add(
            k.clone(),
            &UserCatalog::new().classify(&k),
            Some(kind),
            "",
            0,
        )
        .unwrap()
        .clone();
    KeyToInstall::from_entry(&e)
}

fn rules(plan: &Plan) -> Vec<Option<&str>> {
    plan.machines
        .iter()
        .map(|m| m.skipped.as_ref().map(|s| s.rule.as_str()))
        .collect()
}

#[test]
fn table6_configures_each_edition_with_its_gvlk_and_skips_the_rest_before_installing() {
    let mut down = entry("PC4", "Windows 11", "Enterprise", Channel::Retail);
    down.machine = None;
    down.products = None;
    down.error = Some(TargetError::Unreachable {
        detail: "off".into(),
    });
    let surveyed = [
        entry("PC1", "Windows 11", "Enterprise", Channel::Retail),
        entry("PC2", "Windows 11", "Core", Channel::Retail),
        entry("PC3", "Windows 11", "Mystery", Channel::Retail),
        down,
    ];
    let plan = configure_plan(
        &surveyed,
        &ClientSettings::table6("http://contoso.com/help"),
    );
    assert_eq!(
        rules(&plan),
        [
            None,
            Some("no-gvlk"),
            Some("edition-unknown"),
            Some("status-unknown")
        ]
    );
    assert_eq!(
        plan.machines[0].actions,
        [
            Action::InstallGvlk {
                key: ENTERPRISE_GVLK.into(),
                edition: "Windows 11 Enterprise".into()
            },
            Action::ClearKmsHost,
            Action::ClearKmsLookupDomain,
            Action::SetHostCaching { enabled: false },
            Action::SetValue {
                value: LicensingValue::AlternateUrl,
                data: Some(RegistryData::String("http://contoso.com/help".into()))
            },
            Action::Activate {
                activation_id: "sku-Enterprise".into()
            },
        ]
    );
    let cmd = plan.render(Format::Slmgr);
    assert!(cmd.contains(&format!("%SLMGR% PC1 /ipk {ENTERPRISE_GVLK}")));
    assert!(cmd.contains("%SLMGR% PC1 /ckhc"));
    assert!(cmd.contains(
        "reg add \"\\\\PC1\\HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\\Activation\" /v AlternateURL /t REG_SZ /d \"http://contoso.com/help\" /f"
    ));
    let ps = plan.render(Format::PowerShell);
    assert!(
        ps.contains("DisableKeyManagementServiceHostCaching -Arguments @{DisableCaching = $true}")
    );
    assert!(ps.contains("ClearKeyManagementServiceMachine"));
    // A specific host instead: /skms, nothing cleared.
    let mut s = ClientSettings::table6("http://contoso.com/help");
    s.discovery = Discovery::Host(HostPort::parse("kms-e1.east.contoso.com:1688").unwrap());
    let plan = configure_plan(&surveyed[..1], &s);
    assert!(
        plan.render(Format::Slmgr)
            .contains("/skms kms-e1.east.contoso.com:1688")
    );
    assert!(!plan.machines[0].actions.contains(&Action::ClearKmsHost));
}

fn global_hosts() -> Vec<Surveyed> {
    ["KMS-W2", "kms-e1", "kms-e2.east.contoso.com", "KMS-W1"]
        .iter()
        .map(|n| {
            entry(
                n,
                "Windows Server 2022",
                "ServerDatacenter",
                Channel::Retail,
            )
        })
        .collect()
}

#[test]
fn the_global_deployment_follows_the_seeds_order_with_the_planned_publish_lists() {
    let t = Topology::parse(GLOBAL).unwrap();
    let csvlk = key(KeyKind::Csvlk);
    let groups = BTreeMap::from([
        ("east.contoso.com".to_owned(), "KMS_E".to_owned()),
        ("west.contoso.com".to_owned(), "KMS_W".to_owned()),
    ]);
    let serves = [
        parse_product("windows10").unwrap(),
        parse_product("windows7").unwrap(),
    ];
    let d = Deployment {
        key: &csvlk,
        key_id: Some("abc"),
        group: parse_csvlk("server2022").unwrap(),
        serves: &serves,
        security_groups: &groups,
    };
    let plan = deploy_plan(&t, &d, &global_hosts()).unwrap();
    let order: Vec<&str> = plan.machines.iter().map(|m| m.machine.as_str()).collect();
    assert_eq!(
        order,
        ["kms-e1", "kms-e2.east.contoso.com", "KMS-W1", "KMS-W2"]
    );
    let e1 = &plan.machines[0];
    assert_eq!(e1.index, 1);
    assert_eq!(
        e1.actions[1],
        Action::SetValue {
            value: LicensingValue::DnsDomainPublishList,
            data: Some(RegistryData::MultiString(vec![
                "east.contoso.com, 10, 75".into(),
                "west.contoso.com, 90, 75".into()
            ]))
        }
    );
    // The first host creates both records: both grants follow its activation, before any
    // other host activates; no later host grants again.
    let kinds: Vec<&str> = e1
        .actions
        .iter()
        .map(|a| match a {
            Action::Preflight { .. } => "firewall",
            Action::SetValue { .. } => "publish-list",
            Action::InstallKey { .. } => "ipk",
            Action::Activate { .. } => "ato",
            Action::GrantSrvRecord { .. } => "grant",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["firewall", "publish-list", "ipk", "ato", "grant", "grant"]
    );
    assert!(
        matches!(&e1.actions[4], Action::GrantSrvRecord { domain, group, hosts }
        if domain == "east.contoso.com" && group == "KMS_E" && hosts.len() == 4)
    );
    for m in &plan.machines[1..] {
        assert!(
            !m.actions
                .iter()
                .any(|a| matches!(a, Action::GrantSrvRecord { .. }))
        );
    }
    let cmd = plan.render(Format::Slmgr);
    assert!(cmd.contains("/v DnsDomainPublishList /t REG_MULTI_SZ /d \"east.contoso.com, 10, 75\\0west.contoso.com, 90, 75\" /f"));
    assert!(cmd.contains(
        "update-policy { grant kms-e1.east.contoso.com name _vlmcs._tcp.east.contoso.com. SRV;"
    ));
    assert!(cmd.contains(
        "netsh advfirewall firewall set rule group=\"Key Management Service\" new enable=yes"
    ));
    assert!(!cmd.contains("VKCF7-HV62C"));
}

#[test]
fn a_csvlk_that_does_not_cover_the_clients_a_seventh_host_or_a_wrong_key_is_refused() {
    let t = Topology::parse(GLOBAL).unwrap();
    let csvlk = key(KeyKind::Csvlk);
    let groups = BTreeMap::new();
    let serves = [parse_product("server2022").unwrap()];
    let d = Deployment {
        key: &csvlk,
        key_id: None,
        group: parse_csvlk("windows10").unwrap(),
        serves: &serves,
        security_groups: &groups,
    };
    let e = deploy_plan(&t, &d, &global_hosts())
        .unwrap_err()
        .to_string();
    assert!(e.contains("does not activate"), "{e}");
    // Seven hosts for one CSVLK.
    let mut text = String::new();
    let mut hosts = Vec::new();
    for i in 1..=7 {
        text += &format!("[[host]]\nname = \"kms-{i}.contoso.com\"\n");
        hosts.push(entry(
            &format!("kms-{i}"),
            "Windows Server 2022",
            "ServerStandard",
            Channel::Retail,
        ));
    }
    text += "[[site]]\nname = \"hq\"\nhosts = [";
    for i in 1..=7 {
        text += &format!("{{ host = \"kms-{i}.contoso.com\", weight = 10 }},");
    }
    text += "]\n[[domain]]\nname = \"contoso.com\"\nsite = \"hq\"\n";
    let seven = Topology::parse(&text).unwrap();
    let serves = [parse_product("windows10").unwrap()];
    let d = Deployment {
        serves: &serves,
        group: parse_csvlk("server2022").unwrap(),
        ..d
    };
    let e = deploy_plan(&seven, &d, &hosts).unwrap_err().to_string();
    assert!(
        e.contains("at most 6 hosts") && e.contains("kms-7.contoso.com would be the 7th"),
        "{e}"
    );
    // Six is fine.
    assert!(deploy_plan(&t, &d, &global_hosts()).is_ok());
    // A MAK is not a KMS host key.
    let mak = key(KeyKind::Mak);
    let e = deploy_plan(&t, &Deployment { key: &mak, ..d }, &global_hosts()).unwrap_err();
    assert!(e.to_string().contains("KMS hosts take a CSVLK"), "{e}");
    // A host the survey lacks.
    let e = deploy_plan(&t, &d, &global_hosts()[..3]).unwrap_err();
    assert!(e.to_string().contains("is not in the survey"), "{e}");
}

#[test]
fn conversion_to_mak_applies_to_kms_clients_only() {
    let k = key(KeyKind::Mak);
    let surveyed = [
        entry("PC1", "Windows 11", "Enterprise", Channel::VolumeGvlk),
        entry("PC2", "Windows 11", "Enterprise", Channel::Retail),
    ];
    let plan = convert_plan(&k, Some("abc"), &surveyed);
    assert_eq!(plan.kind, PlanKind::ConvertToMak);
    assert_eq!(rules(&plan), [None, Some("not-kms-client")]);
    assert!(matches!(
        plan.machines[0].actions[..],
        [Action::InstallKey { .. }, Action::Activate { .. }]
    ));
    assert!(
        plan.notes[0].contains("does not activate") || plan.notes[0].contains("without activating")
    );
}

#[test]
fn every_kms_plan_holds_the_rendering_invariants() {
    let t = Topology::parse(GLOBAL).unwrap();
    let csvlk = key(KeyKind::Csvlk);
    let groups = BTreeMap::new();
    let serves = [parse_product("windows10").unwrap()];
    let d = Deployment {
        key: &csvlk,
        key_id: None,
        group: parse_csvlk("server2022").unwrap(),
        serves: &serves,
        security_groups: &groups,
    };
    let clients = [entry("PC1", "Windows 11", "Enterprise", Channel::Retail)];
    for plan in [
        deploy_plan(&t, &d, &global_hosts()).unwrap(),
        configure_plan(&clients, &ClientSettings::table6("http://contoso.com/help")),
        convert_plan(&key(KeyKind::Mak), None, &clients),
    ] {
        // The fuzz target's checks: known command shapes only, JSON round trip.
        crate::fuzzing::workflow_plan(plan.to_json().as_bytes());
    }
}

#[test]
fn without_installing_the_gvlk_only_kms_clients_are_configured() {
    let surveyed = [
        entry("PC1", "Windows 11", "Enterprise", Channel::VolumeGvlk),
        entry("PC2", "Windows 11", "Core", Channel::Retail),
    ];
    let settings = ClientSettings {
        install_gvlk: false,
        ..ClientSettings::table6("http://contoso.com/help")
    };
    let plan = configure_plan(&surveyed, &settings);
    assert_eq!(rules(&plan), [None, Some("not-kms-client")]);
    assert!(
        !plan.machines[0]
            .actions
            .iter()
            .any(|a| matches!(a, Action::InstallGvlk { .. }))
    );
}

#[test]
fn settings_from_json_are_checked() {
    let bad_domain: ClientSettings =
        serde_json::from_str(r#"{"discovery":{"lookup_domain":"bad domain&x"}}"#).unwrap();
    assert!(
        bad_domain
            .check()
            .unwrap_err()
            .to_string()
            .contains("lookup domain")
    );
    let bad_url = ClientSettings {
        alternate_url: Some("http://x\n& del".into()),
        ..ClientSettings::default()
    };
    assert!(bad_url.check().is_err());
    assert!(
        ClientSettings::table6("http://contoso.com/help")
            .check()
            .is_ok()
    );
    let e = crate::workflow::api::plan(
        "kms-configure",
        &crate::workflow::api::PlanRequest {
            surveyed_json: "[]",
            options_json: r#"{"discovery":{"lookup_domain":"a..b"}}"#,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("lookup domain"), "{e}");
}
