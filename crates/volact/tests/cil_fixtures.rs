//! The CIL fixtures (tests/data/cil, described in its README.md): every expectation there,
//! checked byte for byte where the README gives expected bytes.

use std::path::PathBuf;
use volact::cil::{
    self, CilDocument, CilError, Encoding, ExportMode, ExportOptions, Field, FindingKind,
    MergeOptions, Severity,
};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cil")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(name: &str) -> CilDocument {
    CilDocument::parse(&bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts equal bytes, showing the first differing line when they are not.
fn same(actual: &[u8], expected: &[u8], what: &str) {
    if actual != expected {
        let (a, e) = (text(actual), text(expected));
        let line = a
            .lines()
            .zip(e.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(a.lines().count().min(e.lines().count()));
        panic!(
            "{what}: differs at line {}\n actual: {:?}\n expect: {:?}",
            line + 1,
            a.lines().nth(line),
            e.lines().nth(line)
        );
    }
}

const LAB_SECRETS: [&str; 13] = [
    "LAB-SPEC01",
    "LAB-SPEC02",
    "LAB-ANALYZER",
    "LAB-CTRL07",
    "LAB-DATA02",
    "00-15-5D",
    "Isolated Lab Group",
    "NetworkName",
    "Workgroup",
    "6.1.7601",
    "10.0.19045",
    "MacAddress",
    "Group",
];

fn export_of(doc: &CilDocument, mode: ExportMode, include_sensitive: bool) -> Vec<u8> {
    cil::export(
        doc,
        ExportOptions {
            mode,
            include_sensitive,
            include_product_keys: false,
        },
    )
}

#[test]
fn lab_full_loads_validates_and_round_trips() {
    let doc = load("lab-full.cil");
    assert!(cil::validate(&doc).is_empty(), "{:?}", cil::validate(&doc));
    let s = cil::summarize(&doc);
    assert_eq!((s.computers, s.products), (5, 6));
    assert_eq!(s.by_license_status.get("2"), Some(&5));
    assert_eq!(s.by_license_status.get("5"), Some(&1));
    assert_eq!(s.by_key_type.get("Volume:MAK"), Some(&6));
    assert_eq!(
        (s.with_installation_id, s.pending_cids, s.applied_cids),
        (6, 0, 0)
    );
    same(&doc.to_bytes(), &bytes("lab-full.cil"), "save");
    same(
        &export_of(&doc, ExportMode::Standard, true),
        &bytes("lab-full.cil"),
        "export --include-sensitive",
    );
}

#[test]
fn lab_exports_match_and_hold_no_identifying_strings() {
    let doc = load("lab-full.cil");
    let standard = export_of(&doc, ExportMode::Standard, false);
    same(&standard, &bytes("lab-export.cil"), "export");
    let proxy = export_of(&doc, ExportMode::ProxyOnly, false);
    same(&proxy, &bytes("lab-proxy-only.cil"), "export --proxy-only");
    for out in [text(&standard), text(&proxy)] {
        for secret in LAB_SECRETS {
            assert!(!out.contains(secret), "{secret} leaked");
        }
        assert!(!out.contains("OSEdition="));
    }
}

#[test]
fn lab_merge_matches_and_is_idempotent() {
    let returned = load("lab-returned.cil");
    assert!(cil::validate(&returned).is_empty());
    let mut full = load("lab-full.cil");
    let r = cil::merge(&mut full, &returned, MergeOptions::default());
    assert_eq!(r.count("applied"), 6);
    assert!(
        r.decisions
            .iter()
            .all(|d| d.matched.map(|m| m.1) == Some("id"))
    );
    same(&full.to_bytes(), &bytes("lab-merged.cil"), "merge");
    let mut merged = load("lab-merged.cil");
    let again = cil::merge(&mut merged, &returned, MergeOptions::default());
    assert_eq!(again.count("already_present"), 6);
    same(&merged.to_bytes(), &bytes("lab-merged.cil"), "second merge");
}

#[test]
fn lab_merge_refuses_a_cid_issued_for_another_iid() {
    let mut full = load("lab-full.cil");
    let r = cil::merge(
        &mut full,
        &load("lab-returned-mismatch.cil"),
        MergeOptions::default(),
    );
    let names: Vec<&str> = r.decisions.iter().map(|d| d.outcome.name()).collect();
    assert_eq!(
        names,
        [
            "applied",
            "applied",
            "applied",
            "applied",
            "iid_mismatch",
            "applied"
        ]
    );
    same(
        &full.to_bytes(),
        &bytes("lab-merged-mismatch.cil"),
        "mismatch merge",
    );
}

#[test]
fn lab_csv_import_matches() {
    let mut doc = load("lab-full.cil");
    let csv = text(&bytes("lab-cids.csv"));
    let r = cil::add_cids(&mut doc, &csv, false);
    let rows: Vec<(usize, &str)> = r.rows.iter().map(|x| (x.line, x.outcome.name())).collect();
    assert_eq!(
        rows,
        [
            (2, "applied"),
            (3, "applied"),
            (4, "applied"),
            (5, "applied"),
            (6, "applied"),
            (7, "unknown_iid"),
            (8, "invalid_cid")
        ]
    );
    same(&doc.to_bytes(), &bytes("lab-added.cil"), "add-cids");
}

#[test]
fn lab_csv_import_warns_on_unconfirmed_check_digits_unless_strict() {
    let csv = text(&bytes("lab-cids-check-warning.csv"));
    let mut doc = load("lab-full.cil");
    let r = cil::add_cids(&mut doc, &csv, false);
    let rows: Vec<(usize, &str, bool)> = r
        .rows
        .iter()
        .map(|x| (x.line, x.outcome.name(), x.unconfirmed_check_failed))
        .collect();
    assert_eq!(rows, [(3, "applied", true), (4, "invalid_cid", false)]);
    same(
        &doc.to_bytes(),
        &bytes("lab-added-check-warning.cil"),
        "add-cids with a warning",
    );
    let findings = cil::validate(&load("lab-added-check-warning.cil"));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].severity, Severity::Warning);
    assert!(matches!(
        findings[0].kind,
        FindingKind::BadConfirmationId {
            unconfirmed_rule: true,
            ..
        }
    ));
    let mut strict = load("lab-full.cil");
    let r = cil::add_cids(&mut strict, &csv, true);
    assert_eq!(r.count("invalid_cid"), 2);
    same(&strict.to_bytes(), &bytes("lab-full.cil"), "strict import");
}

#[test]
fn extensions_survive_in_every_encoding() {
    let utf8 = load("extensions-utf8.cil");
    assert_eq!(utf8.computers().len(), 3);
    assert_eq!(
        utf8.computers()
            .iter()
            .map(|c| c.products.len())
            .sum::<usize>(),
        4
    );
    assert!(
        cil::validate(&utf8).is_empty(),
        "{:?}",
        cil::validate(&utf8)
    );
    let names: Vec<&str> = utf8
        .computers()
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    assert_eq!(names, ["Ünïcødé-PC", "会議室-01", "Café \"Annex\" PC"]);
    let a2 = &utf8.computers()[0].products[1];
    assert!(a2.get(Field::ConfirmationId).is_some());
    let returned = load("extensions-returned.cil");
    for (file, merged, encoding) in [
        (
            "extensions-utf8.cil",
            "extensions-utf8-merged.cil",
            Encoding::Utf8 { bom: false },
        ),
        (
            "extensions-utf16le.cil",
            "extensions-utf16le-merged.cil",
            Encoding::Utf16Le { bom: true },
        ),
        (
            "extensions-utf16be.cil",
            "extensions-utf16be-merged.cil",
            Encoding::Utf16Be { bom: true },
        ),
    ] {
        let mut doc = load(file);
        assert_eq!(doc.encoding(), encoding, "{file}");
        assert_eq!(doc.computers(), utf8.computers(), "{file}: same tree");
        same(&doc.to_bytes(), &bytes(file), file);
        let r = cil::merge(&mut doc, &returned, MergeOptions::default());
        let names: Vec<&str> = r.decisions.iter().map(|d| d.outcome.name()).collect();
        assert_eq!(
            names,
            ["applied", "already_present", "already_present"],
            "{file}"
        );
        same(&doc.to_bytes(), &bytes(merged), merged);
    }
}

#[test]
fn extensions_proxy_export_matches_in_every_encoding() {
    let expected = bytes("extensions-proxy-only.cil");
    same(
        &export_of(&load("extensions-utf8.cil"), ExportMode::ProxyOnly, false),
        &expected,
        "proxy-only export",
    );
    for file in ["extensions-utf16le.cil", "extensions-utf16be.cil"] {
        let out = export_of(&load(file), ExportMode::ProxyOnly, false);
        let doc = CilDocument::parse(&out).unwrap();
        assert!(matches!(
            doc.encoding(),
            Encoding::Utf16Le { bom: true } | Encoding::Utf16Be { bom: true }
        ));
        let as_utf8 = String::from_utf8(expected.clone()).unwrap();
        let utf16_text = match doc.encoding() {
            Encoding::Utf16Le { .. } => String::from_utf16(
                &out[2..]
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect::<Vec<_>>(),
            )
            .unwrap(),
            _ => String::from_utf16(
                &out[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect::<Vec<_>>(),
            )
            .unwrap(),
        };
        assert_eq!(
            utf16_text,
            as_utf8.replace("encoding=\"utf-8\"", "encoding=\"utf-16\""),
            "{file}"
        );
    }
}

#[test]
fn utf16_without_bom_keeps_its_form() {
    let doc = load("utf16le-without-bom.cil");
    assert_eq!(doc.encoding(), Encoding::Utf16Le { bom: false });
    assert_eq!(doc.computers().len(), 0);
    same(
        &doc.to_bytes(),
        &bytes("utf16le-without-bom.cil"),
        "BOM-less UTF-16",
    );
}

#[test]
fn aliases_read_and_rewrite_canonically() {
    let doc = load("aliases.cil");
    assert_eq!(doc.computers().len(), 5);
    for (i, c) in doc.computers().iter().enumerate() {
        let p = &c.products[0];
        assert!(p.get(Field::InstallationId).is_some(), "computer {i}");
    }
    let p = |i: usize| &doc.computers()[i].products[0];
    assert!(p(1).get(Field::PendingConfirmationId).is_some());
    assert!(p(3).get(Field::PendingConfirmationId).is_some());
    assert!(p(2).get(Field::ConfirmationId).is_some());
    assert!(p(4).get(Field::ConfirmationId).is_some());
    assert!(cil::validate(&doc).is_empty(), "{:?}", cil::validate(&doc));
    same(
        &doc.to_bytes(),
        &bytes("aliases-canonical.cil"),
        "alias rewrite",
    );
    let canonical = load("aliases-canonical.cil");
    assert_eq!(canonical.computers(), doc.computers());
    same(
        &canonical.to_bytes(),
        &bytes("aliases-canonical.cil"),
        "canonical round trip",
    );
}

fn kinds(name: &str) -> Vec<(Severity, FindingKind)> {
    cil::validate(&load(name))
        .into_iter()
        .map(|f| (f.severity, f.kind))
        .collect()
}

#[test]
fn invalid_files_give_their_findings() {
    for file in [
        "invalid/duplicate-computer-id.cil",
        "invalid/duplicate-computer-id-case.cil",
    ] {
        let f = cil::validate(&load(file));
        assert!(
            f.iter().any(|f| f.kind == FindingKind::DuplicateComputerId
                && f.computer == 1
                && f.severity == Severity::Error),
            "{file}: {f:?}"
        );
    }
    let k = kinds("invalid/cid-without-iid.cil");
    assert!(
        k.iter()
            .any(|(s, k)| *s == Severity::Error && matches!(k, FindingKind::CidWithoutIid(_)))
    );
    let k = kinds("invalid/bad-iid-check-digit.cil");
    assert!(
        k.iter().any(|(s, k)| *s == Severity::Error
            && matches!(k, FindingKind::BadInstallationId(d) if d.contains("group 4"))),
        "{k:?}"
    );
    let doc = load("invalid/license-status-9.cil");
    assert!(
        kinds("invalid/license-status-9.cil")
            .iter()
            .any(|(s, k)| *s == Severity::Error
                && matches!(k, FindingKind::UnknownLicenseStatus(v) if v == "9"))
    );
    same(
        &doc.to_bytes(),
        &bytes("invalid/license-status-9.cil"),
        "status 9 kept",
    );
    assert!(
        kinds("invalid/partial-key-mismatch.cil")
            .iter()
            .any(|(s, k)| *s == Severity::Error && *k == FindingKind::PartialKeyMismatch)
    );
    let k = kinds("invalid/key-type-mismatch.cil");
    assert!(
        k.iter().all(|(s, _)| *s == Severity::Warning)
            && k.iter()
                .any(|(_, k)| matches!(k, FindingKind::KeyTypeMismatch { .. })),
        "{k:?}"
    );
    let k = kinds("invalid/pending-cid-bad-check.cil");
    assert!(
        k.iter().all(|(s, _)| *s == Severity::Warning)
            && k.iter().any(|(_, k)| matches!(
                k,
                FindingKind::BadConfirmationId {
                    unconfirmed_rule: true,
                    ..
                }
            )),
        "{k:?}"
    );
    let doc = load("invalid/conflicting-duplicate-field.cil");
    let iid = doc.computers()[0].products[0]
        .get(Field::InstallationId)
        .unwrap()
        .to_owned();
    let k = kinds("invalid/conflicting-duplicate-field.cil");
    assert!(
        k.iter().any(|(s, k)| *s == Severity::Error
            && matches!(
                k,
                FindingKind::DuplicateField {
                    field: Field::InstallationId,
                    agree: false
                }
            )),
        "{k:?}"
    );
    same(
        &doc.to_bytes(),
        &bytes("invalid/conflicting-duplicate-field.cil"),
        "duplicate kept",
    );
    assert!(
        text(&bytes("invalid/conflicting-duplicate-field.cil"))
            .contains(&format!("<InstallationId>{iid}</InstallationId>")),
        "the element wins"
    );
}

#[test]
fn unreadable_files_give_typed_errors() {
    let err = |name: &str| CilDocument::parse(&bytes(name)).unwrap_err();
    let e = err("invalid/external-entity.cil");
    assert!(matches!(e, CilError::Value { .. }), "{e}");
    assert!(!e.to_string().contains("root:"));
    assert!(matches!(
        err("invalid/truncated.cil"),
        CilError::Xml { line, .. } if line > 1
    ));
    assert!(matches!(
        err("invalid/mismatched-end-tag.cil"),
        CilError::Xml { .. }
    ));
    assert!(matches!(
        err("invalid/deep-nesting.cil"),
        CilError::TooDeep { limit: 256, .. }
    ));
    assert!(matches!(
        err("invalid/wrong-root.cil"),
        CilError::NotCil { .. }
    ));
    let latin1 = bytes("invalid/latin1-declared.cil");
    let offset = latin1.iter().position(|&b| b == 0xE9).unwrap();
    assert!(
        matches!(err("invalid/latin1-declared.cil"), CilError::Encoding { offset: o, .. } if o == offset)
    );
}

/// `merge_bytes` (the streaming merge `volact cil merge` uses) gives every fixture merge's
/// expected bytes and the model's report, streamed where the file allows it.
#[test]
fn streaming_merge_matches_every_fixture_merge() {
    let cases = [
        (
            "lab-full.cil",
            "lab-returned.cil",
            Some("lab-merged.cil"),
            true,
        ),
        (
            "lab-merged.cil",
            "lab-returned.cil",
            Some("lab-merged.cil"),
            true,
        ),
        (
            "lab-full.cil",
            "lab-returned-mismatch.cil",
            Some("lab-merged-mismatch.cil"),
            true,
        ),
        // Escaped names and values, and a `Computer` in another default namespace: the model's.
        (
            "extensions-utf8.cil",
            "extensions-returned.cil",
            Some("extensions-utf8-merged.cil"),
            false,
        ),
        (
            "extensions-utf16le.cil",
            "extensions-returned.cil",
            Some("extensions-utf16le-merged.cil"),
            false,
        ),
        (
            "extensions-utf16be.cil",
            "extensions-returned.cil",
            Some("extensions-utf16be-merged.cil"),
            false,
        ),
        ("aliases.cil", "lab-returned.cil", None, false),
        ("utf16le-without-bom.cil", "lab-returned.cil", None, false),
    ];
    for (full, returned, expected, streams) in cases {
        let full_bytes = bytes(full);
        for force in [false, true] {
            let options = MergeOptions { force };
            let merged = cil::merge_bytes(
                &full_bytes,
                &bytes(returned),
                options,
                cil::Limits::default(),
            )
            .unwrap_or_else(|e| panic!("{full}: {e}"));
            let mut doc = load(full);
            let report = cil::merge(&mut doc, &load(returned), options);
            same(&merged.to_bytes(), &doc.to_bytes(), full);
            if let (Some(expected), false) = (expected, force) {
                same(&merged.to_bytes(), &bytes(expected), expected);
            }
            assert_eq!(merged.report(), &report, "{full}");
            assert_eq!(merged.is_streamed(), streams, "{full}");
        }
    }
}
