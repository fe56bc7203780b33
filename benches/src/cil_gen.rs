//! Generated CIL files for the CIL benchmarks (`benches/benches/cil.rs`,
//! `benches/compare_cil.py`, the `gen_cil` binary).
//!
//! The full file follows the layout of the core's `lab()` test document: VAMT 2.0 vocabulary
//! (`SoftwareLicensingData Version="2.0"` › `Computers` › `Computer Id/Name/OSVersion/
//! OSEdition/NetworkType/NetworkName` › `MacAddresses/MacAddress`, `Groups/Group`,
//! `Products/Product` › `Sku Id/Name/ApplicationId`, then volact's canonical product fields),
//! two spaces of indentation per level, and a few things volact does not understand
//! sprinkled in (an `x:` namespace attribute and element, comments, a processing
//! instruction, some non-ASCII names), so the lossless paths are exercised too.
//!
//! Everything is **fictitious** and deterministic (fixed-seed [`SplitMix64`]): computer and
//! SKU GUIDs, names, MAC addresses, partial keys, ePIDs and IDs are random digits; IIDs
//! (9 groups of 7) and CIDs (8 groups of 6) get correct check digits from
//! `volact::ids::check_digit`, so they pass volact's checks but mean nothing to Windows. No
//! product key is generated: the files hold only the five-symbol `PartialProductKey`.
//!
//! Size: about 1.43 kB per computer with two products, so 100,000 × 2 is about 143 MB (the
//! issue's "122 MB" file carried fewer product fields; every field listed above is here, and
//! the performance targets are ratios to the input size, not absolute times).

use crate::SplitMix64;
use std::fmt::Write as _;
use volact_core::cil::{self, CilDocument, ExportMode, ExportOptions};
use volact_core::ids;
use volact_core::key::ALPHABET;

/// The seed of every generated CIL ("cil-gen").
const SEED: u64 = 0x6369_6C2D_6765_6E00;

/// Application IDs (the public licensing application GUIDs of Windows, Office 2010 and
/// Office 2013 and later).
const APP_WINDOWS: &str = "55c92734-d682-4d71-983e-d6ec3f16059f";
const APP_OFFICE14: &str = "59a52881-a989-479d-af46-f275c6370663";
const APP_OFFICE15: &str = "0ff1ce15-a989-479d-af46-f275c6370663";

/// The operating systems a computer runs: (OSVersion, OSEdition, product name).
const WINDOWS: [(&str, &str, &str); 4] = [
    ("6.1.7601", "Enterprise", "Windows 7 Enterprise"),
    ("10.0.19045", "Enterprise", "Windows 10 Enterprise"),
    ("10.0.22631", "Professional", "Windows 11 Pro"),
    (
        "10.0.20348",
        "ServerStandard",
        "Windows Server 2022 Standard",
    ),
];

/// The other products a computer may have, after its Windows: (name, application id).
const OTHERS: [(&str, &str); 4] = [
    ("Office 16 Professional Plus", APP_OFFICE15),
    ("Office 15 Visio Professional", APP_OFFICE15),
    ("Office 14 Professional Plus", APP_OFFICE14),
    ("Office 16 Project Professional", APP_OFFICE15),
];

/// A fixed, fictitious SKU GUID for product `index` (Windows 0..4, then the others).
fn sku_guid(index: usize) -> String {
    guid(&mut SplitMix64::new(SEED ^ (index as u64 + 1)))
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lowercase hex, version-4 shaped.
fn guid(rng: &mut SplitMix64) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFF,
        0x8000 | ((b >> 48) & 0x3FFF),
        b & 0xFFFF_FFFF_FFFF
    )
}

/// `groups` dashed groups of `len` digits, each ending in its check digit.
fn id_text(rng: &mut SplitMix64, groups: usize, len: usize) -> String {
    let mut out = String::with_capacity(groups * (len + 1));
    let mut data = Vec::with_capacity(len);
    for g in 0..groups {
        if g > 0 {
            out.push('-');
        }
        data.clear();
        data.extend((0..len - 1).map(|_| rng.below(10) as u8));
        out.extend(data.iter().map(|&d| char::from(b'0' + d)));
        out.push(char::from(b'0' + ids::check_digit(&data)));
    }
    out
}

/// An ePID `PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY`: volume channel (03), a real-looking
/// build and an install date that exists.
fn epid(rng: &mut SplitMix64) -> String {
    const LCIDS: [u32; 4] = [1033, 1031, 1036, 1041];
    const BUILDS: [&str; 3] = ["7601.0000", "19041.0000", "22621.0000"];
    format!(
        "{:05}-{:05}-{:03}-{:06}-03-{}-{}-{:03}{}",
        rng.below(100_000),
        rng.below(10_000),
        rng.below(1_000),
        rng.below(1_000_000),
        LCIDS[rng.below(LCIDS.len())],
        BUILDS[rng.below(BUILDS.len())],
        1 + rng.below(365),
        2015 + rng.below(10),
    )
}

/// Five symbols of the key alphabet (what `PartialProductKey` shows).
fn partial_key(rng: &mut SplitMix64) -> String {
    (0..5)
        .map(|_| char::from(ALPHABET[rng.below(ALPHABET.len())]))
        .collect()
}

/// A CIL of `computers` computers with `products_per_computer` products each (a Windows
/// product first, then Office products), UTF-8, deterministic.
///
/// ```
/// let full = volact_benches::cil_gen::generate_full(3, 2);
/// let doc = volact_core::cil::CilDocument::parse(&full).unwrap();
/// assert_eq!(doc.computers().len(), 3);
/// assert_eq!(doc.to_bytes(), full); // nothing is lost on a round trip
/// ```
pub fn generate_full(computers: usize, products_per_computer: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(SEED);
    let skus: Vec<String> = (0..WINDOWS.len() + OTHERS.len()).map(sku_guid).collect();
    let mut out = String::with_capacity(1024 + computers * (350 + 520 * products_per_computer));
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <!-- exported by VAMT (volact benchmark data: fictitious computers and IDs) -->\n\
         <SoftwareLicensingData Version=\"2.0\" xmlns:x=\"urn:example:ext\">\n  <Computers>\n",
    );
    for i in 0..computers {
        let os = rng.below(WINDOWS.len());
        let (os_version, os_edition, _) = WINDOWS[os];
        let id = guid(&mut rng);
        // One computer in 50 has a non-ASCII name (a lab in a German building).
        let name = if i % 50 == 7 {
            format!("LABOR-BÜRO-{i:06}")
        } else {
            format!("LAB-PC{i:06}")
        };
        let (net_type, net_name) = if i % 3 == 0 {
            ("Workgroup", "LAB")
        } else {
            ("Domain", "lab.example")
        };
        if i % 100 == 42 {
            out.push_str("    <!-- moved from OU=Staging,DC=lab,DC=example,DC=test -->\n");
        }
        let _ = write!(
            out,
            "    <Computer Id=\"{{{id}}}\" Name=\"{name}\" OSVersion=\"{os_version}\" OSEdition=\"{os_edition}\" NetworkType=\"{net_type}\" NetworkName=\"{net_name}\""
        );
        if i % 10 == 3 {
            let _ = write!(out, " x:rack=\"R{}\"", 1 + rng.below(40));
        }
        out.push_str(">\n      <MacAddresses>\n");
        for _ in 0..(1 + usize::from(i % 10 == 0)) {
            let m = rng.next_u64();
            let _ = writeln!(
                out,
                "        <MacAddress>00-15-5D-{:02X}-{:02X}-{:02X}</MacAddress>",
                m & 0xFF,
                (m >> 8) & 0xFF,
                (m >> 16) & 0xFF
            );
        }
        out.push_str("      </MacAddresses>\n");
        // Half the computers are in a group (the seed's two groups).
        match i % 4 {
            0 => out.push_str("      <Groups><Group>Core Network Group</Group></Groups>\n"),
            1 => out.push_str("      <Groups><Group>Isolated Lab Group</Group></Groups>\n"),
            _ => {}
        }
        out.push_str("      <Products>\n");
        for p in 0..products_per_computer {
            let (sku, name, app) = if p == 0 {
                (&skus[os], WINDOWS[os].2, APP_WINDOWS)
            } else {
                let o = (i + p - 1) % OTHERS.len();
                (&skus[WINDOWS.len() + o], OTHERS[o].0, OTHERS[o].1)
            };
            // Mostly waiting for activation: out-of-box grace (2) or notification (5); a few licensed (1).
            let status = [2, 5, 5, 2, 1][rng.below(5)];
            let _ = write!(
                out,
                "        <Product>\n          <Sku Id=\"{{{sku}}}\" Name=\"{name}\" ApplicationId=\"{app}\"/>\n\
                 \x20         <LicenseStatus>{status}</LicenseStatus>\n\
                 \x20         <ProductKeyType>Volume:MAK</ProductKeyType>\n\
                 \x20         <PartialProductKey>{}</PartialProductKey>\n\
                 \x20         <ProductKeyId>{}</ProductKeyId>\n\
                 \x20         <InstallationId>{}</InstallationId>\n",
                partial_key(&mut rng),
                epid(&mut rng),
                id_text(&mut rng, 9, 7),
            );
            if (i * products_per_computer + p) % 50 == 11 {
                out.push_str("          <x:note><![CDATA[reimaged <lab> build]]></x:note>\n");
            }
            out.push_str("        </Product>\n");
        }
        out.push_str("      </Products>\n    </Computer>\n");
    }
    out.push_str("  </Computers>\n  <?vamt keep?>\n</SoftwareLicensingData>\n");
    out.into_bytes()
}

/// The CID the "Microsoft clearinghouse" of these benchmarks returns for an IID: 8 dashed
/// groups of 6 digits with correct check digits, a function of the IID's digits only.
pub fn cid_for(iid: &str) -> String {
    // FNV-1a over the digits seeds the digits of the CID.
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in iid.bytes().filter(u8::is_ascii_digit) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    id_text(&mut SplitMix64::new(h), 8, 6)
}

/// The file that comes back from the proxy: the proxy-only export of `full`
/// (`volact::cil::export`, `ExportMode::ProxyOnly`), with a `PendingConfirmationId` ([`cid_for`]
/// its IID) added after every product's `InstallationId`.
pub fn generate_returned(full: &[u8]) -> Vec<u8> {
    let doc = CilDocument::parse(full).expect("a generated CIL parses");
    let proxy = cil::export(
        &doc,
        ExportOptions {
            mode: ExportMode::ProxyOnly,
            ..ExportOptions::default()
        },
    );
    drop(doc);
    let proxy = String::from_utf8(proxy).expect("a UTF-8 CIL exports as UTF-8");
    let mut out = String::with_capacity(proxy.len() + proxy.len() / 4);
    for line in proxy.split_inclusive('\n') {
        out.push_str(line);
        let trimmed = line.trim();
        if let Some(iid) = trimmed
            .strip_prefix("<InstallationId>")
            .and_then(|r| r.strip_suffix("</InstallationId>"))
        {
            let indent = &line[..line.len() - line.trim_start().len()];
            let _ = writeln!(
                out,
                "{indent}<PendingConfirmationId>{}</PendingConfirmationId>",
                cid_for(iid)
            );
        }
    }
    out.into_bytes()
}

/// The baseline of the CIL benchmarks: a bare quick-xml event read-and-write pass
/// (`quick_xml::Reader::from_str`, default configuration, every event written back by a
/// `quick_xml::Writer` into memory). Returns the copy and the number of events.
pub fn quickxml_copy(text: &str) -> Result<(Vec<u8>, usize), quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    let mut events = 0;
    loop {
        match reader.read_event()? {
            quick_xml::events::Event::Eof => break,
            event => {
                writer.write_event(event)?;
                events += 1;
            }
        }
    }
    Ok((writer.into_inner(), events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use volact_core::cil::{Field, MergeOptions};
    use volact_core::epid::Epid;

    #[test]
    fn the_full_file_is_a_lossless_well_formed_cil() {
        let full = generate_full(200, 2);
        assert_eq!(full, generate_full(200, 2), "deterministic");
        let doc = CilDocument::parse(&full).unwrap();
        assert_eq!(doc.to_bytes(), full);
        assert_eq!(doc.computers().len(), 200);
        let text = String::from_utf8(full.clone()).unwrap();
        for needle in [
            "<!--",
            "x:rack=",
            "<x:note>",
            "<?vamt",
            "BÜRO",
            "Core Network Group",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
        for c in doc.computers() {
            assert!(c.id.is_some() && c.name.is_some() && !c.mac_addresses.is_empty());
            assert_eq!(c.products.len(), 2);
            for p in &c.products {
                let iid = p.get(Field::InstallationId).unwrap();
                let check = ids::check(iid);
                assert!(check.is_valid() && check.digits == 63, "{iid}");
                Epid::parse(p.get(Field::ProductKeyId).unwrap()).unwrap();
                assert_eq!(p.get(Field::PartialProductKey).unwrap().len(), 5);
                assert!(p.sku_id().is_some());
            }
        }
        let validation = volact_core::cil::validate(&doc);
        assert!(
            validation
                .iter()
                .all(|f| f.severity != volact_core::cil::Severity::Error),
            "{validation:?}"
        );
    }

    #[test]
    fn about_1430_bytes_per_computer_with_two_products() {
        let per = generate_full(2_000, 2).len() / 2_000;
        assert!((1_350..=1_500).contains(&per), "{per}");
    }

    #[test]
    fn every_returned_cid_merges() {
        let full = generate_full(300, 3);
        let returned = generate_returned(&full);
        let text = String::from_utf8(returned.clone()).unwrap();
        assert!(!text.contains("LAB-PC") && !text.contains("lab.example"));
        let back = CilDocument::parse(&returned).unwrap();
        for p in back.computers().iter().flat_map(|c| &c.products) {
            let cid = p.get(Field::PendingConfirmationId).unwrap();
            let check = ids::check(cid);
            assert!(check.is_valid() && check.digits == 48, "{cid}");
            assert_eq!(cid, cid_for(p.get(Field::InstallationId).unwrap()));
        }
        let mut doc = CilDocument::parse(&full).unwrap();
        let report = cil::merge(&mut doc, &back, MergeOptions::default());
        assert_eq!(report.decisions.len(), 900);
        assert_eq!(report.count("applied"), 900);
    }

    #[test]
    fn the_quickxml_copy_is_exact_on_generated_files() {
        let full = generate_full(100, 2);
        let (copy, events) = quickxml_copy(std::str::from_utf8(&full).unwrap()).unwrap();
        assert_eq!(copy, full);
        assert!(events > 100 * 50, "{events}");
    }
}
