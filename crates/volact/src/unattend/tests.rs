use super::*;

const MAK_FILE: &[u8] = include_bytes!("../../tests/data/unattend/mak-both-places.xml");
const GVLK_FILE: &[u8] = include_bytes!("../../tests/data/unattend/gvlk-specialize-only.xml");
const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const GVLK_ENTERPRISE: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
const GVLK_PRO: &str = "W269N-WFGWX-YVC9B-4J6C9-T83GX";

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// The bytes of `after` equal `before` with each (old, new) replaced in order, once.
fn only_replaced(before: &str, after: &str, edits: &[(&str, &str)]) {
    let mut expected = before.to_owned();
    let mut from = 0;
    for (old, new) in edits {
        let at = expected[from..].find(old).map(|i| i + from).unwrap();
        expected.replace_range(at..at + old.len(), new);
        from = at + new.len();
    }
    assert_eq!(after, expected);
}

#[test]
fn show_lists_both_places_and_the_key_in_a_command() {
    let f = UnattendFile::parse(MAK_FILE).unwrap();
    let r = f.report(&UserCatalog::new());
    let kinds: Vec<PlaceKind> = r.places.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PlaceKind::SetupUserData,
            PlaceKind::ShellSetup,
            PlaceKind::OtherText
        ]
    );
    assert_eq!(r.places[0].line, 8);
    assert_eq!(r.places[2].line, 27);
    for p in &r.places {
        assert_eq!(
            p.value,
            Value::Key {
                masked: "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G".into(),
                kind: "unknown".into(),
                editions: vec![]
            }
        );
    }
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("clear text"));
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains(MAK) && !json.contains(&MAK.replace('-', "")));
}

#[test]
fn set_key_changes_only_the_two_values() {
    let before = text(MAK_FILE);
    let key = ProductKey::parse(GVLK_PRO).unwrap();
    let after = text(
        &UnattendFile::parse(MAK_FILE)
            .unwrap()
            .set_key(&key)
            .unwrap(),
    );
    // The command line's key is not one setup reads for the product key: left alone.
    only_replaced(&before, &after, &[(MAK, GVLK_PRO), (MAK, GVLK_PRO)]);
    let r = UnattendFile::parse(after.as_bytes())
        .unwrap()
        .report(&UserCatalog::new());
    assert!(
        matches!(&r.places[0].value, Value::Key { kind, editions, .. } if kind == "gvlk" && editions.contains(&"Windows 11 Pro".to_owned()))
    );
}

#[test]
fn set_key_fills_an_empty_element_and_keeps_the_whitespace_around_a_value() {
    let before = text(GVLK_FILE);
    let key = ProductKey::parse(GVLK_PRO).unwrap();
    let after = text(
        &UnattendFile::parse(GVLK_FILE)
            .unwrap()
            .set_key(&key)
            .unwrap(),
    );
    only_replaced(
        &before,
        &after,
        &[
            ("<Key/>", &format!("<Key>{GVLK_PRO}</Key>")),
            (GVLK_ENTERPRISE, GVLK_PRO),
        ],
    );
}

#[test]
fn scrub_leaves_no_key_behind_and_nothing_else_changed() {
    let before = text(MAK_FILE);
    let out = UnattendFile::parse(MAK_FILE).unwrap().scrub().unwrap();
    let after = text(&out);
    only_replaced(
        &before,
        &after,
        &[(MAK, SCRUBBED), (MAK, SCRUBBED), (MAK, SCRUBBED)],
    );
    assert!(key_shapes(&after).is_empty());
    let r = UnattendFile::parse(&out)
        .unwrap()
        .report(&UserCatalog::new());
    assert!(r.places.iter().all(|p| p.value == Value::Scrubbed));
    assert!(r.warnings.is_empty());
    // Scrubbing again changes nothing.
    assert_eq!(UnattendFile::parse(&out).unwrap().scrub().unwrap(), out);
}

#[test]
fn utf16_files_are_written_back_in_utf16() {
    for le in [true, false] {
        let mut bytes = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text(GVLK_FILE).encode_utf16() {
            bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        let f = UnattendFile::parse(&bytes).unwrap();
        let out = f.scrub().unwrap();
        assert_eq!(&out[..2], &bytes[..2]);
        let (decoded, _) = decode(&out).unwrap();
        only_replaced(&text(GVLK_FILE), &decoded, &[(GVLK_ENTERPRISE, SCRUBBED)]);
    }
}

#[test]
fn hostile_files_are_typed_errors() {
    assert!(matches!(
        UnattendFile::parse(b"<!DOCTYPE x [<!ENTITY a \"b\">]><unattend/>"),
        Err(UnattendError::Dtd { .. })
    ));
    assert!(matches!(
        UnattendFile::parse(b"<SoftwareLicensingData/>"),
        Err(UnattendError::NotUnattend { .. })
    ));
    assert!(matches!(
        UnattendFile::parse(b"<unattend><settings>"),
        Err(UnattendError::Xml { .. })
    ));
    assert!(matches!(
        UnattendFile::parse(&[0xFF, 0xFE, 0x3C]),
        Err(UnattendError::Encoding { .. })
    ));
    let none =
        UnattendFile::parse(b"<unattend><settings pass=\"specialize\"/></unattend>").unwrap();
    let key = ProductKey::parse(GVLK_PRO).unwrap();
    assert_eq!(none.set_key(&key), Err(UnattendError::NoKeyPlace));
    let complex = b"<unattend><settings pass=\"specialize\"><component name=\"Microsoft-Windows-Shell-Setup\"><ProductKey><!-- c -->W269N-WFGWX-YVC9B-4J6C9-T83GX</ProductKey></component></settings></unattend>";
    assert!(matches!(
        UnattendFile::parse(complex).unwrap().set_key(&key),
        Err(UnattendError::ComplexValue { .. })
    ));
}

#[test]
fn key_shapes_need_whole_groups_with_or_without_dashes() {
    let t = "x VKCF7-HV62C-944TY-YJ9NF-6Q83G y AVKCF7-HV62C-944TY-YJ9NF-6Q83G VKCF7-HV62C-944TY-YJ9NF-6Q83G-";
    assert_eq!(key_shapes(t), [(2, 31)]);
    let t = "/ipk vkcf7hv62c944tyyj9nf6q83g & AVKCF7HV62C944TYYJ9NF6Q83G";
    assert_eq!(key_shapes(t), [(5, 30)]);
}

#[test]
fn a_dashless_key_in_a_command_is_scrubbed_and_errors_never_quote_a_key() {
    let file = format!(
        "<unattend><!-- /ipk {} --></unattend>",
        MAK.replace('-', "").to_lowercase()
    );
    let out = text(
        &UnattendFile::parse(file.as_bytes())
            .unwrap()
            .scrub()
            .unwrap(),
    );
    assert_eq!(
        out,
        format!("<unattend><!-- /ipk {SCRUBBED} --></unattend>")
    );
    let hostile = format!("<{MAK}/>");
    let e = UnattendFile::parse(hostile.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"), "{e}");
    assert!(
        !e.contains(MAK) && !e.contains(&MAK.replace('-', "")),
        "{e}"
    );
}

#[test]
fn a_mak_only_in_the_windows_pe_place_is_warned_about() {
    let file = format!(
        "<unattend><settings pass=\"windowsPE\"><component name=\"Microsoft-Windows-Setup\"><UserData><ProductKey><Key>{MAK}</Key></ProductKey></UserData></component></settings></unattend>"
    );
    let f = UnattendFile::parse(file.as_bytes()).unwrap();
    // Known as a MAK only through a catalog: without one its type is unknown, no warning.
    assert!(
        !f.report(&UserCatalog::new())
            .warnings
            .iter()
            .any(|w| w.contains("only selects the image"))
    );
    let mut catalog = UserCatalog::new();
    let xrm = include_bytes!("../../tests/data/pkeyconfig/mak-retail-oem.xrm-ms");
    catalog
        .import_pkeyconfig(xrm, "mak-retail-oem.xrm-ms")
        .unwrap();
    let r = f.report(&catalog);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("only selects the image")),
        "{:?}",
        r.warnings
    );
}
