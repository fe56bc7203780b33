use super::*;
use crate::catalog::{Channel, Source, UserCatalog};
use crate::key::ProductKey;
use proptest::prelude::*;

macro_rules! data {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/data/pkeyconfig/", $name)).as_slice()
    };
}

const MAK_RETAIL_OEM: &[u8] = data!("mak-retail-oem.xrm-ms");
const CSVLK: &[u8] = data!("csvlk.xrm-ms");
const UTF16: &[u8] = data!("utf16.xrm-ms");
const NEWER: &[u8] = data!("mak-newer.xrm-ms");

/// A published key that is not a GVLK: the Enterprise GVLK's "twin" (facts.md §1.3), group
/// 3892 serial 1. The test files give group 3892 a fictitious MAK configuration.
const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";

#[test]
fn reads_configurations_ranges_and_public_keys() {
    let p = parse(MAK_RETAIL_OEM).unwrap();
    assert_eq!(p.configurations.len(), 3);
    assert_eq!(p.key_ranges.len(), 5);
    assert_eq!(p.public_keys.len(), 2);
    let mak = &p.configurations[0];
    assert_eq!(mak.act_config_id, "{0f1c7e57-0000-4000-8000-00000000a001}");
    assert_eq!(mak.ref_group_id, 3892);
    assert_eq!(mak.edition_id, "EnterpriseTest");
    assert_eq!(mak.product_key_type, "Volume:MAK");
    assert!(!mak.is_randomized);
    assert!(p.configurations[2].is_randomized);
    let r = &p.key_ranges[1];
    assert_eq!(
        (
            r.part_number.as_str(),
            r.eula_type.as_str(),
            r.is_valid,
            r.start,
            r.end
        ),
        ("X00-00002", "Volume", false, 100, 199)
    );
    assert_eq!(p.public_keys[0].algorithm_id, "msft:rm/algorithm/pkey/2009");
}

#[test]
fn reads_utf8_bom_and_utf16_files_and_payloads() {
    let p = parse(CSVLK).unwrap();
    assert_eq!(p.configurations[0].product_key_type, "Volume:CSVLK");
    let p = parse(UTF16).unwrap();
    assert_eq!(
        p.configurations[0].act_config_id,
        "{73111121-5638-40f6-bc11-f1d7b0d64300}"
    );
    assert_eq!(
        p.configurations[0].product_description,
        "Win 10 RTM Enterprise Volume:GVLK"
    );
}

fn err(name: &str) -> PkeyConfigError {
    let path = format!(
        "{}/tests/data/pkeyconfig/hostile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(&std::fs::read(&path).unwrap()).unwrap_err()
}

#[test]
fn hostile_files_are_typed_errors_with_positions() {
    assert!(matches!(
        err("bad-base64.xrm-ms"),
        PkeyConfigError::Base64 {
            payload: 0,
            offset: 40,
            ..
        }
    ));
    assert!(matches!(
        err("truncated-base64.xrm-ms"),
        PkeyConfigError::Base64 { .. }
    ));
    assert!(matches!(
        err("dtd.xrm-ms"),
        PkeyConfigError::Dtd {
            part: Part::File,
            offset: 38
        }
    ));
    assert!(matches!(
        err("entity-in-payload.xrm-ms"),
        PkeyConfigError::Dtd {
            part: Part::Payload(0),
            offset: 0
        }
    ));
    let e = err("undeclared-entity.xrm-ms");
    assert!(
        matches!(&e, PkeyConfigError::Entity { name, .. } if name == "e"),
        "{e:?}"
    );
    assert!(matches!(
        err("deep.xrm-ms"),
        PkeyConfigError::TooDeep { limit: 64, .. }
    ));
    assert_eq!(err("no-payload.xrm-ms"), PkeyConfigError::NoPayload);
    assert!(matches!(
        err("wrong-root.xrm-ms"),
        PkeyConfigError::NotProductKeyConfiguration { .. }
    ));
    let e = err("missing-group.xrm-ms");
    assert_eq!(
        e,
        PkeyConfigError::MissingField {
            part: Part::Payload(0),
            record: "Configuration",
            index: 0,
            field: "RefGroupId"
        }
    );
    assert_eq!(
        e.to_string(),
        "pkeyConfigData payload 1: Configuration 1 has no <RefGroupId>"
    );
    assert!(matches!(
        err("end-before-start.xrm-ms"),
        PkeyConfigError::BadField { field: "End", .. }
    ));
    assert!(matches!(
        err("not-xml.xrm-ms"),
        PkeyConfigError::Xml {
            part: Part::File,
            ..
        }
    ));
}

#[test]
fn size_limits_hold_for_the_file_and_the_payload() {
    let small = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with_limits(MAK_RETAIL_OEM, small),
        Err(PkeyConfigError::TooLarge {
            part: Part::File,
            ..
        })
    ));
    // A large payload of zero bytes: decoded, and refused as holding no document.
    let mut file = b"<licenseGroup><infoBin name=\"pkeyConfigData\">".to_vec();
    file.extend(std::iter::repeat_n(b'A', 1 << 20));
    file.extend_from_slice(b"</infoBin></licenseGroup>");
    assert!(matches!(
        parse(&file),
        Err(PkeyConfigError::NotProductKeyConfiguration {
            part: Part::Payload(0),
            ..
        })
    ));
}

#[test]
fn base64_is_strict_and_round_trips() {
    for len in 0..40 {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let text = encode_base64_for_tests(&bytes);
        assert_eq!(base64_decode(&text).unwrap(), bytes);
        let wrapped: String = text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % 7 == 6).then_some('\n').into_iter().chain([c]))
            .collect();
        assert_eq!(base64_decode(&wrapped).unwrap(), bytes);
    }
    assert_eq!(base64_decode("QQ=="), Ok(b"A".to_vec()));
    assert!(
        base64_decode("QR==").is_err(),
        "non-zero bits before padding"
    );
    assert!(base64_decode("QQ==QQ==").is_err());
    assert!(base64_decode("Q===").is_err());
    assert!(base64_decode("QQ=").is_err());
    assert!(base64_decode("Q-==").is_err());
}

#[test]
fn a_mak_known_only_through_an_imported_pkeyconfig_is_classified() {
    let twin = ProductKey::parse(TWIN).unwrap();
    let mut catalog = UserCatalog::new();
    assert_eq!(catalog.classify(&twin).source, Source::Unknown);
    let report = catalog
        .import_pkeyconfig(MAK_RETAIL_OEM, "mak-retail-oem.xrm-ms")
        .unwrap();
    assert_eq!(report.configurations, 3);
    assert_eq!(report.key_ranges, 4);
    assert_eq!(report.orphan_ranges, 1);
    assert_eq!(report.configurations_by_channel["Volume:MAK"], 1);
    assert_eq!(report.key_ranges_by_channel["Volume:MAK"], 2);
    let c = catalog.classify(&twin);
    assert_eq!(
        c.source,
        Source::UserCatalog {
            file: "mak-retail-oem.xrm-ms".into()
        }
    );
    assert_eq!(c.channel, Some(Channel::VolumeMak));
    assert_eq!(c.edition.as_deref(), Some("EnterpriseTest"));
    assert_eq!(c.part_number.as_deref(), Some("X00-00001"));
    assert_eq!(
        c.act_config_id.as_deref(),
        Some("{0f1c7e57-0000-4000-8000-00000000a001}")
    );
    // The lookup itself: the invalid range classifies nothing; outside every range: nothing.
    assert!(catalog.lookup(3892, 1).is_some());
    assert!(catalog.lookup(3892, 150).is_none());
    assert!(catalog.lookup(3892, 200).is_none());
    assert_eq!(
        catalog
            .lookup(900001, 5)
            .unwrap()
            .0
            .configuration
            .product_key_type,
        "Retail"
    );
    assert_eq!(
        Channel::parse(
            &catalog
                .lookup(900002, 5)
                .unwrap()
                .0
                .configuration
                .product_key_type
        ),
        Channel::Oem("DM".into())
    );
    assert_eq!(
        catalog.algorithm_of(3892),
        Some("msft:rm/algorithm/pkey/2009")
    );
}

#[test]
fn later_imports_replace_a_configuration_and_its_ranges() {
    let twin = ProductKey::parse(TWIN).unwrap();
    let mut catalog = UserCatalog::new();
    catalog.import_pkeyconfig(MAK_RETAIL_OEM, "a").unwrap();
    let report = catalog.import_pkeyconfig(NEWER, "b").unwrap();
    assert_eq!(report.replaced, ["{0f1c7e57-0000-4000-8000-00000000a001}"]);
    // The newer file's only range is 500..=599: serial 1 is no longer known.
    assert_eq!(catalog.classify(&twin).source, Source::Unknown);
    assert_eq!(catalog.lookup(3892, 550).unwrap().0.source, "b");
    assert_eq!(catalog.configurations().len(), 3);
    // Importing the same file again replaces everything it holds, changing nothing.
    let before = catalog.clone();
    let again = catalog.import_pkeyconfig(NEWER, "b").unwrap();
    assert_eq!(again.replaced.len(), 1);
    assert_eq!(catalog, before);
}

#[test]
fn gvlks_come_first_and_are_enriched_by_the_user_catalog() {
    let gvlk = ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43").unwrap();
    let mut catalog = UserCatalog::new();
    let c = catalog.classify(&gvlk);
    assert_eq!(c.source, Source::Gvlk);
    assert_eq!(c.channel, Some(Channel::VolumeGvlk));
    assert_eq!(c.act_config_id, None);
    catalog.import_pkeyconfig(UTF16, "utf16.xrm-ms").unwrap();
    let c = catalog.classify(&gvlk);
    assert_eq!(c.source, Source::Gvlk);
    assert_eq!(
        c.act_config_id.as_deref(),
        Some("{73111121-5638-40f6-bc11-f1d7b0d64300}")
    );
    // pkey2005 keys cannot be decoded: unknown unless published.
    let csvlk_like = ProductKey::parse("BBBBB-BBBBB-BBBBB-BBBBB-BBBBB").unwrap();
    assert_eq!(catalog.classify(&csvlk_like).source, Source::Unknown);
}

#[test]
fn the_catalog_survives_json_and_refuses_other_versions() {
    let mut catalog = UserCatalog::new();
    catalog.import_pkeyconfig(MAK_RETAIL_OEM, "a").unwrap();
    catalog.import_pkeyconfig(CSVLK, "c").unwrap();
    let json = catalog.to_json();
    assert_eq!(UserCatalog::from_json(json.as_bytes()).unwrap(), catalog);
    let other = json.replace("\"version\": 1", "\"version\": 2");
    assert!(matches!(
        UserCatalog::from_json(other.as_bytes()),
        Err(crate::catalog::UserCatalogError::Version { version: 2, .. })
    ));
    assert!(matches!(
        UserCatalog::from_json(b"{"),
        Err(crate::catalog::UserCatalogError::Json { line: 1, .. })
    ));
}

#[test]
fn channels_round_trip_through_their_product_key_type() {
    for t in [
        "Retail",
        "Retail:TB:Eval",
        "OEM:DM",
        "OEM:NONSLP",
        "Volume:GVLK",
        "Volume:MAK",
        "Volume:CSVLK",
        "VT:IA",
    ] {
        assert_eq!(Channel::parse(t).product_key_type(), t);
    }
    assert_eq!(Channel::parse("Volume:MAK").kind(), "mak");
}

proptest! {
    #[test]
    fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&data);
    }

    #[test]
    fn mutated_files_never_panic(at in 0usize..4273, byte in any::<u8>()) {
        let mut data = MAK_RETAIL_OEM.to_vec();
        if let Some(b) = data.get_mut(at) {
            *b = byte;
        }
        let _ = parse(&data);
    }

    #[test]
    fn lookup_agrees_with_the_ranges(group in prop_oneof![Just(3892u32), Just(900001), Just(900002), 0u32..1 << 20],
                                      serial in 0u32..1_100_000) {
        let mut catalog = UserCatalog::new();
        catalog.import_pkeyconfig(MAK_RETAIL_OEM, "a").unwrap();
        let expected = catalog.configurations().iter().any(|c| {
            c.configuration.ref_group_id == group && c.key_ranges.iter().any(|r| r.is_valid && r.start <= serial && serial <= r.end)
        });
        let found = catalog.lookup(group, serial);
        prop_assert_eq!(found.is_some(), expected);
        if let Some((c, r)) = found {
            prop_assert_eq!(c.configuration.ref_group_id, group);
            prop_assert!(r.covers(serial));
        }
    }
}

#[test]
fn classification_and_report_json_have_every_field_and_no_key() {
    let mut catalog = UserCatalog::new();
    let report = catalog
        .import_pkeyconfig(MAK_RETAIL_OEM, "mak-retail-oem.xrm-ms")
        .unwrap();
    let r: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(r["file"], "mak-retail-oem.xrm-ms");
    assert_eq!(r["configurations"], report.configurations);
    assert_eq!(r["key_ranges"], report.key_ranges);
    assert_eq!(r["configurations_by_channel"]["Volume:MAK"], 1);
    assert_eq!(r["orphan_ranges"], 1);
    assert!(r["replaced"].as_array().unwrap().is_empty());
    assert_eq!(r.as_object().unwrap().len(), 7);

    let twin = ProductKey::parse(TWIN).unwrap();
    let c = catalog.classify(&twin);
    let text = c.to_json();
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(j["source"], "user_catalog");
    assert_eq!(j["source_file"], "mak-retail-oem.xrm-ms");
    assert_eq!(j["channel"], "Volume:MAK");
    assert_eq!(j["channel_kind"], "mak");
    assert_eq!(
        j["act_config_id"],
        c.act_config_id.clone().unwrap().as_str()
    );
    assert_eq!(j["part_number"], c.part_number.clone().unwrap().as_str());
    assert!(!text.contains("VKCF7") && !text.contains("6Q83G"), "{text}");

    let gvlk = ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43").unwrap();
    let j: serde_json::Value = serde_json::from_str(&catalog.classify(&gvlk).to_json()).unwrap();
    assert_eq!(
        (j["source"].as_str(), j["channel_kind"].as_str()),
        (Some("gvlk"), Some("gvlk"))
    );
    assert!(j["source_file"].is_null());

    let unknown = UserCatalog::new().classify(&twin);
    assert_eq!(unknown.source_file(), None);
    let j: serde_json::Value = serde_json::from_str(&unknown.to_json()).unwrap();
    assert_eq!(j["source"], "unknown");
    let fields: Vec<&String> = j.as_object().unwrap().keys().collect();
    assert_eq!(fields.len(), 8);
    assert!(
        j.as_object()
            .unwrap()
            .iter()
            .all(|(k, v)| k == "source" || v.is_null())
    );
}
