use super::*;
use crate::ids::check_digit;
use proptest::prelude::*;

/// An ID of `groups` groups of `len` digits with correct check digits, built from a seed
/// (test data only; these IDs mean nothing to Windows).
fn test_id(seed: u64, groups: usize, len: usize) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..groups)
        .map(|_| {
            let data: Vec<u8> = (0..len - 1)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((x >> 33) % 10) as u8
                })
                .collect();
            let mut g: String = data.iter().map(|d| char::from(b'0' + d)).collect();
            g.push(char::from(b'0' + check_digit(&data)));
            g
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn iid(seed: u64) -> String {
    test_id(seed, 9, 7)
}

fn cid(seed: u64) -> String {
    test_id(seed, 8, 6)
}

fn lab(extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- exported by VAMT -->
<SoftwareLicensingData Version="2.0" xmlns:x="urn:example:ext">
  <Computers>
    <Computer Id="{{A1}}" Name="LAB-PC1" OSVersion="6.1.7601" OSEdition="Enterprise" NetworkType="Workgroup" NetworkName="LAB" x:rack="R1">
      <MacAddresses>
        <MacAddress>00-15-5D-01-02-03</MacAddress>
      </MacAddresses>
      <Groups><Group>Isolated Lab Group</Group></Groups>
      <Products>
        <Product>
          <Sku Id="{{S1}}" Name="Windows 7 Enterprise" ApplicationId="55c92734-d682-4d71-983e-d6ec3f16059f"/>
          <LicenseStatus>2</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <InstallationId>{iid1}</InstallationId>
          <x:note><![CDATA[keep <me>]]></x:note>
        </Product>
        <Product>
          <Sku Id="{{S2}}" Name="Office 2016"/>
          <InstallationId>{iid2}</InstallationId>
        </Product>
      </Products>
    </Computer>
    <Computer Id="{{A2}}" Name="LAB-PC2" NetworkType="Workgroup" NetworkName="LAB">
      <MacAddresses><MacAddress>00-15-5D-0A-0B-0C</MacAddress></MacAddresses>
      <Products>
        <Product><Sku Id="{{S1}}"/><InstallationId>{iid3}</InstallationId></Product>
      </Products>
    </Computer>{extra}
  </Computers>
  <?vamt keep?>
</SoftwareLicensingData>
"#,
        iid1 = iid(1),
        iid2 = iid(2),
        iid3 = iid(3),
    )
}

fn parse(text: &str) -> CilDocument {
    CilDocument::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn text(doc: &CilDocument) -> String {
    String::from_utf8(doc.to_bytes()).unwrap()
}

#[test]
fn a_canonical_document_round_trips_byte_for_byte() {
    let src = lab("");
    assert_eq!(text(&parse(&src)), src);
}

#[test]
fn the_model_reads_the_vamt_vocabulary() {
    let doc = parse(&lab(""));
    let c = &doc.computers()[0];
    assert_eq!(c.id.as_deref(), Some("{A1}"));
    assert_eq!(c.name.as_deref(), Some("LAB-PC1"));
    assert_eq!(c.network_name.as_deref(), Some("LAB"));
    assert_eq!(c.mac_addresses, vec!["00-15-5D-01-02-03"]);
    assert_eq!(c.groups, vec!["Isolated Lab Group"]);
    assert_eq!(c.products.len(), 2);
    let p = &c.products[0];
    assert_eq!(p.sku_id(), Some("{S1}"));
    assert_eq!(p.get(Field::LicenseStatus), Some("2"));
    assert_eq!(p.get(Field::InstallationId), Some(iid(1).as_str()));
    assert_eq!(doc.version(), Some("2.0"));
}

#[test]
fn aliases_and_attributes_become_canonical_elements() {
    let src = format!(
        r#"<SoftwareLicensingData><Computers><Computer Id="{{A}}"><Products>
    <Product IID="{}" pendingcid="{}">
      <Sku Id="{{S}}"/>
      <CID>{}</CID>
    </Product></Products></Computer></Computers></SoftwareLicensingData>"#,
        iid(7),
        cid(8),
        cid(9)
    );
    let doc = parse(&src);
    let p = &doc.computers()[0].products[0];
    assert_eq!(p.get(Field::InstallationId), Some(iid(7).as_str()));
    assert_eq!(p.get(Field::PendingConfirmationId), Some(cid(8).as_str()));
    assert_eq!(p.get(Field::ConfirmationId), Some(cid(9).as_str()));
    let out = text(&doc);
    assert!(out.contains("<Product>"), "{out}");
    assert!(
        out.contains(&format!("<ConfirmationId>{}</ConfirmationId>", cid(9))),
        "{out}"
    );
    assert!(
        out.contains(&format!("<InstallationId>{}</InstallationId>", iid(7))),
        "{out}"
    );
    assert!(!out.contains("CID>") || out.contains("ConfirmationId>"));
    // The canonical form reads back the same, and is stable.
    let again = parse(&out);
    assert_eq!(again.computers(), doc.computers());
    assert_eq!(text(&again), out);
}

#[test]
fn merge_applies_cids_by_sku_and_iid_and_changes_nothing_else() {
    let full_src = lab("");
    let mut full = parse(&full_src);
    let returned = parse(&format!(
        r#"<SoftwareLicensingData Version="2.0"><Computers>
  <Computer Id="{{a1}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
    <Product><Sku Id="{{S2}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
  </Products></Computer>
  <Computer Id="{{A2}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
  </Products></Computer>
  <Computer Id="{{A9}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
  </Products></Computer>
</Computers></SoftwareLicensingData>"#,
        iid(1),
        cid(11),
        iid(2),
        cid(12),
        iid(99), // not the IID of LAB-PC2's product: refused
        cid(13),
        iid(4),
        cid(14),
    ));
    let report = merge(&mut full, &returned, MergeOptions::default());
    let outcomes: Vec<&str> = report.decisions.iter().map(|d| d.outcome.name()).collect();
    assert_eq!(
        outcomes,
        ["applied", "applied", "iid_mismatch", "no_such_computer"]
    );
    assert_eq!(report.decisions[0].matched, Some((0, "id")));
    let out = text(&full);
    // Exactly two PendingConfirmationId elements were added, and nothing else changed.
    let added_1 = format!(
        "\n          <PendingConfirmationId>{}</PendingConfirmationId>",
        digits_of(&cid(11))
    );
    let added_2 = format!(
        "\n          <PendingConfirmationId>{}</PendingConfirmationId>",
        digits_of(&cid(12))
    );
    assert_eq!(out.replace(&added_1, "").replace(&added_2, ""), full_src);
    // Idempotent.
    let before = out.clone();
    let again = merge(&mut full, &returned, MergeOptions::default());
    assert_eq!(again.count("already_present"), 2);
    assert_eq!(text(&full), before);
}

#[test]
fn a_different_cid_is_kept_unless_forced() {
    let mut full = parse(&lab(""));
    full.set_field(0, 0, Field::PendingConfirmationId, &digits_of(&cid(20)));
    let returned = parse(&format!(
        r#"<SoftwareLicensingData><Computers><Computer Id="{{A1}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><ConfirmationId>{}</ConfirmationId></Product>
</Products></Computer></Computers></SoftwareLicensingData>"#,
        iid(1),
        cid(21)
    ));
    let r = merge(&mut full, &returned, MergeOptions::default());
    assert!(matches!(
        r.decisions[0].outcome,
        MergeOutcome::Conflict { .. }
    ));
    assert_eq!(
        full.computers()[0].products[0].get(Field::PendingConfirmationId),
        Some(digits_of(&cid(20)).as_str())
    );
    let r = merge(&mut full, &returned, MergeOptions { force: true });
    assert!(matches!(
        r.decisions[0].outcome,
        MergeOutcome::Replaced { .. }
    ));
    assert_eq!(
        full.computers()[0].products[0].get(Field::PendingConfirmationId),
        Some(digits_of(&cid(21)).as_str())
    );
}

#[test]
fn computers_match_by_name_then_mac_and_ambiguity_is_reported() {
    let mut full = parse(&lab(r#"
    <Computer Name="TWIN" NetworkName="LAB"><Products/></Computer>
    <Computer Name="TWIN" NetworkName="LAB"><Products/></Computer>"#));
    let returned = parse(&format!(
        r#"<SoftwareLicensingData><Computers>
  <Computer Name="lab-pc1" NetworkName="lab"><Products><Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><CID>{}</CID></Product></Products></Computer>
  <Computer><MacAddresses><MacAddress>00155d0a0b0c</MacAddress></MacAddresses><Products><Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><CID>{}</CID></Product></Products></Computer>
  <Computer Name="TWIN" NetworkName="LAB"><Products><Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><CID>{}</CID></Product></Products></Computer>
</Computers></SoftwareLicensingData>"#,
        iid(1),
        cid(1),
        iid(3),
        cid(3),
        iid(5),
        cid(5)
    ));
    let r = merge(&mut full, &returned, MergeOptions::default());
    assert_eq!(r.decisions[0].matched, Some((0, "name")));
    assert_eq!(r.decisions[1].matched, Some((1, "mac")));
    assert_eq!(r.decisions[0].outcome, MergeOutcome::Applied);
    assert_eq!(r.decisions[1].outcome, MergeOutcome::Applied);
    assert_eq!(
        r.decisions[2].outcome,
        MergeOutcome::Ambiguous { candidates: 2 }
    );
}

#[test]
fn malformed_cids_are_refused_and_unconfirmed_failures_warned() {
    let mut full = parse(&lab(""));
    let mut bad_check = cid(30).into_bytes();
    bad_check[5] = if bad_check[5] == b'0' { b'1' } else { b'0' };
    let bad_check = String::from_utf8(bad_check).unwrap();
    let returned = parse(&format!(
        r#"<SoftwareLicensingData><Computers><Computer Id="{{A1}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><CID>12345</CID></Product>
    <Product><Sku Id="{{S2}}"/><InstallationId>{}</InstallationId><CID>{}</CID></Product>
</Products></Computer></Computers></SoftwareLicensingData>"#,
        iid(1),
        iid(2),
        bad_check
    ));
    let r = merge(&mut full, &returned, MergeOptions::default());
    assert_eq!(r.decisions[0].outcome.name(), "invalid_cid");
    assert_eq!(r.decisions[1].outcome, MergeOutcome::Applied);
    assert!(r.decisions[1].unconfirmed_check_failed);
}

#[test]
fn csv_import_sets_pending_cids_by_iid() {
    let mut doc = parse(&lab(""));
    let csv = format!(
        "installation_id,confirmation_id\n{},{}\n\n{} , {}\n{},{}\n{},12345\nnot,a,row\n",
        iid(1).replace('-', " "),
        cid(41),
        digits_of(&iid(3)),
        cid(43),
        iid(77),
        cid(44),
        iid(2),
    );
    let r = add_cids(&mut doc, &csv, false);
    let names: Vec<&str> = r.rows.iter().map(|row| row.outcome.name()).collect();
    assert_eq!(
        names,
        [
            "applied",
            "applied",
            "unknown_iid",
            "invalid_cid",
            "malformed"
        ]
    );
    assert_eq!(r.rows[0].line, 2);
    assert_eq!(
        doc.computers()[1].products[0].get(Field::PendingConfirmationId),
        Some(digits_of(&cid(43)).as_str())
    );
    let again = add_cids(&mut doc, &csv, false);
    assert_eq!(again.rows[0].outcome, CidOutcome::AlreadyPresent);
}

#[test]
fn exports_keep_only_their_allow_list() {
    let doc = parse(&lab(""));
    let proxy = String::from_utf8(export(
        &doc,
        ExportOptions {
            mode: ExportMode::ProxyOnly,
            ..ExportOptions::default()
        },
    ))
    .unwrap();
    for secret in [
        "LAB-PC1",
        "LAB",
        "6.1.7601",
        "OSEdition",
        "00-15-5D",
        "Isolated",
        "rack",
        "R1",
        "keep",
        "Volume:MAK",
        "LicenseStatus",
        "vamt",
    ] {
        assert!(!proxy.contains(secret), "{secret} leaked: {proxy}");
    }
    assert!(proxy.contains(&iid(1)) && proxy.contains("{S1}") && proxy.contains("{A2}"));
    let standard = String::from_utf8(export(&doc, ExportOptions::default())).unwrap();
    assert!(standard.contains("NetworkType=\"None\"") && standard.contains("Volume:MAK"));
    assert!(!standard.contains("LAB-PC1") && !standard.contains("00-15-5D"));
    let sensitive = String::from_utf8(export(
        &doc,
        ExportOptions {
            include_sensitive: true,
            ..ExportOptions::default()
        },
    ))
    .unwrap();
    assert!(sensitive.contains("LAB-PC1") && sensitive.contains("Isolated Lab Group"));
    assert!(
        !sensitive.contains("rack"),
        "unknown content never exported"
    );
    // An export is itself a CIL that reads back with the same computers and IIDs.
    let back = parse(&proxy);
    assert_eq!(back.computers().len(), 2);
    assert_eq!(
        back.computers()[0].products[0].get(Field::InstallationId),
        Some(iid(1).as_str())
    );
}

#[test]
fn validation_names_each_problem_and_where() {
    let src = format!(
        r#"<SoftwareLicensingData><Computers>
  <Computer Id="{{D}}"><Products>
    <Product><Sku Id="{{S}}"/><LicenseStatus>9</LicenseStatus><InstallationId>{}</InstallationId></Product>
    <Product><Sku Id="{{S}}"/><ConfirmationId>{}</ConfirmationId></Product>
    <Product><Sku Id="{{S}}"/><PartialProductKey>2YT43</PartialProductKey><ProductKey>NPPR9-FWDCX-D2C8J-H872K-2YT43</ProductKey><ProductKeyType>Volume:MAK</ProductKeyType></Product>
  </Products></Computer>
  <Computer Id="{{d}}"><Products><Product><PartialProductKey>AAAAA</PartialProductKey></Product></Products></Computer>
</Computers></SoftwareLicensingData>"#,
        iid(1).replacen('1', "2", 1).replacen('2', "3", 1),
        cid(5),
    );
    let doc = parse(&src);
    let findings = validate(&doc);
    let kinds: Vec<String> = findings
        .iter()
        .map(|f| format!("{}:{:?}:{}", f.computer, f.product, f.message()))
        .collect();
    let has = |needle: &str| kinds.iter().any(|k| k.contains(needle));
    assert!(has("0:Some(0):LicenseStatus \"9\""), "{kinds:#?}");
    assert!(
        has("0:Some(1):ConfirmationId without an InstallationId"),
        "{kinds:#?}"
    );
    assert!(
        has("0:Some(2):the product key is a published KMS client setup key"),
        "{kinds:#?}"
    );
    assert!(has("1:None:another computer has the same Id"), "{kinds:#?}");
    assert!(
        has("1:Some(0):PartialProductKey does not match"),
        "{kinds:#?}"
    );
    assert!(has("1:Some(0):product has no Sku Id"), "{kinds:#?}");
    // The key never appears in a finding.
    assert!(!format!("{findings:?}").contains("NPPR9"));
    let s = summarize(&doc);
    assert_eq!((s.computers, s.products, s.applied_cids), (2, 4, 1));
}

#[test]
fn not_a_cil_and_bad_values_are_typed_errors() {
    assert!(matches!(
        CilDocument::parse(b"<Other/>"),
        Err(CilError::NotCil { root }) if root == "Other"
    ));
    let e = CilDocument::parse(
        b"<!DOCTYPE S [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><SoftwareLicensingData><Computers><Computer Id=\"{A}\"><Products><Product><InstallationId>&e;</InstallationId></Product></Products></Computer></Computers></SoftwareLicensingData>",
    )
    .unwrap_err();
    assert!(
        matches!(
            &e,
            CilError::Value {
                computer: 0,
                product: Some(0),
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("InstallationId"), "{e}");
}

#[test]
fn product_keys_stay_masked_in_debug() {
    let doc = parse(
        r#"<SoftwareLicensingData><Computers><Computer Id="{A}"><Products><Product><ProductKey>NPPR9-FWDCX-D2C8J-H872K-2YT43</ProductKey></Product></Products></Computer></Computers></SoftwareLicensingData>"#,
    );
    let shown = format!("{:?}", doc.computers());
    assert!(
        !shown.contains("NPPR9") && shown.contains("2YT43"),
        "{shown}"
    );
    assert_eq!(doc.computers()[0].products[0].get(Field::ProductKey), None);
}

// Properties.

fn name_strategy() -> impl Strategy<Value = String> {
    "Ext[A-Za-z0-9]{0,6}"
}

fn value_strategy() -> impl Strategy<Value = String> {
    // Text with characters that need escaping and non-ASCII.
    "[A-Za-z0-9 &<>\"'é会-]{0,12}"
}

/// A random CIL with unknown extensions at every level and random secrets.
fn doc_strategy() -> impl Strategy<Value = (String, Vec<String>)> {
    proptest::collection::vec(
        (
            name_strategy(),
            value_strategy(),
            name_strategy(),
            value_strategy(),
            0u64..1000,
        ),
        1..5,
    )
    .prop_map(|computers| {
        let mut secrets = Vec::new();
        let mut s = String::from("<?xml version=\"1.0\"?>\n<SoftwareLicensingData Version=\"2.0\">\n <Computers>");
        for (i, (ext, ext_value, name, network, seed)) in computers.into_iter().enumerate() {
            let secret_name = format!("SECRETNAME{i}{name}");
            let secret_ext = format!("SECRETEXT{i}{ext}");
            secrets.push(secret_name.clone());
            secrets.push(secret_ext.clone());
            s.push_str(&format!(
                "\n  <Computer Id=\"{{C{i}}}\" Name=\"{}\" NetworkName=\"{}\" {ext}=\"{}\">\n   <!-- {} -->\n   <{secret_ext}>{}</{secret_ext}>\n   <Products>\n    <Product><Sku Id=\"{{S}}\"/><InstallationId>{}</InstallationId><{ext}>{}</{ext}></Product>\n   </Products>\n  </Computer>",
                xml::escape_attr(&secret_name),
                xml::escape_attr(&format!("SECRETNET{network}")),
                xml::escape_attr(&ext_value),
                ext_value.replace("--", "- -").replace('-', "_"),
                xml::escape_text(&ext_value),
                iid(seed),
                xml::escape_text(&ext_value),
            ));
            secrets.push(format!("SECRETNET{network}"));
        }
        s.push_str("\n </Computers>\n</SoftwareLicensingData>\n");
        (s, secrets)
    })
}

proptest! {
    #[test]
    fn write_read_is_stable_and_lossless((src, _) in doc_strategy()) {
        let doc = CilDocument::parse(src.as_bytes()).unwrap();
        let once = text(&doc);
        prop_assert_eq!(&once, &src);
        let twice = text(&parse(&once));
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn merge_is_idempotent((src, _) in doc_strategy(), seed in 0u64..1000) {
        let mut full = parse(&src);
        let proxy = export(&full, ExportOptions { mode: ExportMode::ProxyOnly, ..Default::default() });
        // Bring back a CID for every product of the proxy export.
        let mut returned = CilDocument::parse(&proxy).unwrap();
        let n = returned.computers().len();
        for ci in 0..n {
            returned.set_field(ci, 0, Field::PendingConfirmationId, &cid(seed + ci as u64));
        }
        let first = merge(&mut full, &returned, MergeOptions::default());
        prop_assert_eq!(first.count("applied"), n);
        let after_first = text(&full);
        let second = merge(&mut full, &returned, MergeOptions::default());
        prop_assert_eq!(second.count("already_present"), n);
        prop_assert_eq!(text(&full), after_first);
    }

    #[test]
    fn csv_import_never_panics_and_keeps_the_document_loadable(csv in "\\PC{0,300}|([0-9 ,\"#-]{0,80}\n){0,6}") {
        let mut doc = parse(&lab(""));
        let before = doc.computers().len();
        let report = add_cids(&mut doc, &csv, false);
        prop_assert!(report.rows.len() <= csv.lines().count());
        let again = CilDocument::parse(&doc.to_bytes()).unwrap();
        prop_assert_eq!(again.computers().len(), before);
    }

    #[test]
    fn exports_never_contain_what_the_allow_list_excludes((src, secrets) in doc_strategy(), proxy in any::<bool>()) {
        let doc = parse(&src);
        let mode = if proxy { ExportMode::ProxyOnly } else { ExportMode::Standard };
        let out = String::from_utf8(export(&doc, ExportOptions { mode, ..Default::default() })).unwrap();
        for secret in &secrets {
            prop_assert!(!out.contains(secret.as_str()), "{} leaked", secret);
        }
    }
}

// The streaming merge against the model.

/// The model path's answer: the merged bytes and report, or the error of the first file
/// that does not load (the returned one first, as the CLI reads it).
fn model_merge(
    full: &[u8],
    returned: &[u8],
    options: MergeOptions,
) -> Result<(Vec<u8>, MergeReport), MergeInputError> {
    let back = CilDocument::parse(returned).map_err(MergeInputError::Returned)?;
    let mut doc = CilDocument::parse(full).map_err(MergeInputError::Full)?;
    let report = merge(&mut doc, &back, options);
    Ok((doc.to_bytes(), report))
}

/// Asserts that `merge_bytes` gives the model's bytes, report or error; returns whether it
/// streamed.
fn same_as_model(full: &[u8], returned: &[u8], options: MergeOptions) -> bool {
    let expected = model_merge(full, returned, options);
    let got = merge_bytes(full, returned, options, Limits::default());
    match (expected, got) {
        (Ok((bytes, report)), Ok(merged)) => {
            assert_eq!(
                String::from_utf8_lossy(&merged.to_bytes()),
                String::from_utf8_lossy(&bytes),
                "output differs (streamed: {})",
                merged.is_streamed()
            );
            assert_eq!(merged.report(), &report);
            merged.is_streamed()
        }
        (Err(e), Err(g)) => {
            assert_eq!(g, e);
            false
        }
        (e, g) => panic!("model {:?} but merge_bytes {:?}", e.map(|x| x.1), g),
    }
}

/// A small deterministic generator for the streaming-merge property: every knob the merge
/// rules and the splicing depend on, plus the things the streaming path must decline.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A random full file and a returned file that refers to it (and to things it lacks).
fn random_pair(seed: u64, hard: bool) -> (Vec<u8>, Vec<u8>) {
    let mut g = Gen(seed);
    let rare = |g: &mut Gen| hard && g.one_in(12);
    let indents = ["\n      ", "\n\t\t", "", " ", "\n  "];
    let mut full = String::from(
        "<?xml version=\"1.0\"?>\n<SoftwareLicensingData Version=\"2.0\" xmlns:x=\"urn:x\">\n  <Computers>",
    );
    let mut returned = String::from("<SoftwareLicensingData><Computers>");
    for _ in 0..g.below(5) {
        let id = g.pick(&["{A0}", "{A1}", "{a1}", "A2", "{A3}"]);
        let name = g.pick(&["PC1", "pc1", "PC2", "TWIN"]);
        let net = g.pick(&["LAB", "lab", "DOM"]);
        let mac = g.pick(&["00-15-5D-01-02-03", "00155d010203", "00-15-5D-0A-0B-0C"]);
        let mut attrs = String::new();
        if !g.one_in(5) {
            attrs += &format!(" Id=\"{id}\"");
        }
        if !g.one_in(3) {
            attrs += &format!(" Name=\"{name}\" NetworkName=\"{net}\"");
        }
        if g.one_in(4) {
            attrs += " x:rack=\"R1\"";
        }
        if rare(&mut g) {
            attrs += " Name=\"&amp;\"";
        }
        full += &format!("\n    <Computer{attrs}>");
        if g.one_in(2) {
            full += &format!("\n      <MacAddresses><MacAddress>{mac}</MacAddress></MacAddresses>");
        }
        if g.one_in(3) {
            full += "\n      <Groups><Group>G</Group></Groups><!-- c -->";
        }
        if rare(&mut g) {
            full += "\n      <MacAddresses><MacAddress>00<!--x-->11</MacAddress></MacAddresses>";
        }
        full += "\n      <Products>";
        let mut own: Vec<(&str, u64)> = Vec::new();
        for _ in 0..g.below(4) {
            let ind = g.pick(&indents);
            let sku = g.pick(&["{S1}", "{s1}", "{S2}"]);
            let iid_seed = g.below(4);
            own.push((sku, iid_seed));
            if g.one_in(10) {
                full += &format!("{ind}<Product/>");
                continue;
            }
            let product_attrs = if rare(&mut g) {
                format!(" IID=\"{}\"", iid(iid_seed))
            } else if g.one_in(8) {
                " x:a=\"1\" other=\"2\"".into()
            } else {
                String::new()
            };
            full += &format!("{ind}<Product{product_attrs}>");
            let mut children: Vec<String> = Vec::new();
            if !g.one_in(6) {
                children.push(format!("<Sku Id=\"{sku}\" Name=\"n\"/>"));
            }
            if g.one_in(2) {
                children.push("<LicenseStatus>2</LicenseStatus>".into());
            }
            if !g.one_in(8) {
                let element = if rare(&mut g) {
                    g.pick(&["IID", "installationid"])
                } else {
                    "InstallationId"
                };
                children.push(format!("<{element}>{}</{element}>", iid(iid_seed)));
            }
            match g.below(8) {
                0 => children.push(format!(
                    "<PendingConfirmationId>{}</PendingConfirmationId>",
                    cid(g.below(3))
                )),
                1 => children.push("<PendingConfirmationId/>".into()),
                2 => children.push("<PendingConfirmationId a=\"1\" />".into()),
                3 => children.push(format!(
                    "<ConfirmationId>{}</ConfirmationId>",
                    cid(g.below(3))
                )),
                4 => children.push("<PendingConfirmationId>  </PendingConfirmationId>".into()),
                _ => {}
            }
            if g.one_in(4) {
                children.push("<x:note><![CDATA[<keep>]]></x:note>".into());
            }
            if g.one_in(6) {
                children.push("<!-- note -->".into());
            }
            if rare(&mut g) {
                children.push(
                    g.pick(&[
                        "<LicenseStatus>&amp;</LicenseStatus>",
                        "<ProductKeyType><![CDATA[x]]></ProductKeyType>",
                        "<LicenseStatus>1</LicenseStatus>",
                        "<Sku xmlns=\"urn:x\" Id=\"{S1}\"/>",
                        "<LicenseStatus>&bogus;</LicenseStatus>",
                    ])
                    .to_owned(),
                );
            }
            // Mostly canonical order, sometimes shuffled.
            if g.one_in(5) {
                let n = children.len();
                for i in (1..n).rev() {
                    let j = g.below(i as u64 + 1) as usize;
                    children.swap(i, j);
                }
            }
            let child_ind = g.pick(&indents);
            for c in children {
                full += child_ind;
                full += &c;
            }
            full += &format!("{ind}</Product>");
        }
        full += "\n      </Products>\n    </Computer>";
        // The returned side: this computer by one of its keys, or a stranger.
        let key = match g.below(5) {
            0 => format!(" Id=\"{id}\""),
            1 => format!(" Name=\"{name}\" NetworkName=\"{net}\""),
            2 => String::new(),
            3 => " Id=\"{A9}\"".into(),
            _ => format!(" Id=\"{id}\" Name=\"{name}\""),
        };
        returned += &format!("<Computer{key}>");
        if g.one_in(3) {
            returned += &format!("<MacAddresses><MacAddress>{mac}</MacAddress></MacAddresses>");
        }
        returned += "<Products>";
        for _ in 0..g.below(4) {
            // Mostly one of this computer's own products, so that many CIDs apply.
            let (sku, iid_seed) = match own.len() {
                n if n > 0 && !g.one_in(4) => own[g.below(n as u64) as usize],
                _ => (g.pick(&["{S1}", "{s1}", "{S2}", "{S3}"]), g.below(5)),
            };
            returned += &format!("<Product><Sku Id=\"{sku}\"/>");
            if !g.one_in(8) {
                let element = if g.one_in(6) { "IID" } else { "InstallationId" };
                returned += &format!("<{element}>{}</{element}>", iid(iid_seed));
            }
            let value = match g.below(10) {
                0 => "12345".to_owned(),
                1 => String::new(),
                _ => cid(g.below(4)),
            };
            let element = g.pick(&[
                "PendingConfirmationId",
                "ConfirmationId",
                "CID",
                "PendingConfirmationId",
            ]);
            if !value.is_empty() || g.one_in(2) {
                returned += &format!("<{element}>{value}</{element}>");
            }
            returned += "</Product>";
        }
        returned += "</Products></Computer>";
    }
    full += "\n  </Computers>\n  <?vamt keep?>\n</SoftwareLicensingData>\n";
    returned += "</Computers></SoftwareLicensingData>";
    let mut full = full.into_bytes();
    if hard && g.one_in(6) {
        let encoding = [
            Encoding::Utf8 { bom: true },
            Encoding::Utf16Le { bom: true },
            Encoding::Utf16Be { bom: false },
        ][g.below(3) as usize];
        full = xml::encode(&String::from_utf8_lossy(&full), encoding);
    }
    if hard && g.one_in(20) {
        full.truncate(full.len() / 2); // malformed: the model's error
    }
    (full, returned.into_bytes())
}

#[test]
fn streaming_merge_equals_the_model_on_the_lab_documents() {
    let full = lab("");
    let returned = format!(
        r#"<SoftwareLicensingData Version="2.0"><Computers>
  <Computer Id="{{a1}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
    <Product><Sku Id="{{S2}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
  </Products></Computer>
  <Computer Id="{{A2}}"><Products>
    <Product><Sku Id="{{S1}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product>
  </Products></Computer>
</Computers></SoftwareLicensingData>"#,
        iid(1),
        cid(11),
        iid(2),
        cid(12),
        iid(3),
        cid(13),
    );
    for force in [false, true] {
        assert!(same_as_model(
            full.as_bytes(),
            returned.as_bytes(),
            MergeOptions { force }
        ));
    }
    // Merging the merged file again: everything already present, nothing changes.
    let once = merge_bytes(
        full.as_bytes(),
        returned.as_bytes(),
        MergeOptions::default(),
        Limits::default(),
    )
    .unwrap()
    .to_bytes();
    assert!(same_as_model(
        &once,
        returned.as_bytes(),
        MergeOptions::default()
    ));
    // Declined files still give the model's answer.
    let aliased = full.replace("InstallationId>", "IID>");
    assert!(!same_as_model(
        aliased.as_bytes(),
        returned.as_bytes(),
        MergeOptions::default()
    ));
    let utf16 = xml::encode(&full, Encoding::Utf16Le { bom: true });
    assert!(!same_as_model(
        &utf16,
        returned.as_bytes(),
        MergeOptions::default()
    ));
    assert!(matches!(
        merge_bytes(
            b"<a/>",
            returned.as_bytes(),
            MergeOptions::default(),
            Limits::default()
        ),
        Err(MergeInputError::Full(CilError::NotCil { .. }))
    ));
    assert!(matches!(
        merge_bytes(
            full.as_bytes(),
            b"<x",
            MergeOptions::default(),
            Limits::default()
        ),
        Err(MergeInputError::Returned(CilError::Xml { .. }))
    ));
}

#[test]
fn streaming_merge_equals_the_model_on_many_random_pairs() {
    // Deterministic and many: most pairs stream, the hard knobs exercise the declines.
    let (mut streamed, mut changed) = (0, 0);
    let n = 3000;
    for seed in 0..n {
        let (full, returned) = random_pair(seed, seed % 2 == 1);
        let force = seed % 3 == 0;
        let hard = seed % 2 == 1;
        if same_as_model(&full, &returned, MergeOptions { force }) {
            streamed += 1;
        } else {
            // Only the hard knobs may send a pair to the model.
            assert!(hard, "seed {seed} did not stream");
        }
        // And the merged result merged again (existing CIDs, conflicts, already present).
        if let Ok((once, report)) = model_merge(&full, &returned, MergeOptions { force }) {
            changed += report.count("applied") + report.count("replaced");
            same_as_model(&once, &returned, MergeOptions { force: !force });
        }
    }
    assert!(streamed > n / 3, "only {streamed} of {n} streamed");
    // The splices are exercised: many CIDs are set, not only refused.
    assert!(changed > 400, "only {changed} CIDs set");
}

proptest! {
    #[test]
    fn streaming_merge_equals_the_model(seed in any::<u64>(), hard in any::<bool>(), force in any::<bool>()) {
        let (full, returned) = random_pair(seed, hard);
        same_as_model(&full, &returned, MergeOptions { force });
    }

    #[test]
    fn streaming_merge_equals_the_model_on_random_documents((src, _) in doc_strategy(), seed in 0u64..1000) {
        let full = parse(&src);
        let proxy = export(&full, ExportOptions { mode: ExportMode::ProxyOnly, ..Default::default() });
        let mut returned = CilDocument::parse(&proxy).unwrap();
        for ci in 0..returned.computers().len() {
            returned.set_field(ci, 0, Field::PendingConfirmationId, &cid(seed + ci as u64));
        }
        let returned = returned.to_bytes();
        // Escaped attribute values go to the model; either way the answer is the model's.
        same_as_model(src.as_bytes(), &returned, MergeOptions::default());
    }
}
