//! `volact cil …` end to end on files: the seed's isolated-lab flow and its refusals.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::test_id;

fn volact(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(args)
        .output()
        .expect("spawn volact")
}

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("volact-cli-cil-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn full_cil() -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<SoftwareLicensingData Version="2.0">
  <!-- isolated lab, saved by VAMT -->
  <Computers>
    <Computer Id="{{L1}}" Name="LAB-ALPHA" OSVersion="10.0.19045" OSEdition="Enterprise" NetworkType="Workgroup" NetworkName="ISOLATED">
      <MacAddresses><MacAddress>02-00-00-00-00-01</MacAddress></MacAddresses>
      <Groups><Group>Isolated Lab Group</Group></Groups>
      <Products>
        <Product>
          <Sku Id="{{W10}}" Name="Windows 10 Enterprise"/>
          <LicenseStatus>2</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <InstallationId>{}</InstallationId>
        </Product>
      </Products>
    </Computer>
    <Computer Id="{{L2}}" Name="LAB-BETA" NetworkType="Workgroup" NetworkName="ISOLATED">
      <Products>
        <Product>
          <Sku Id="{{W10}}" Name="Windows 10 Enterprise"/>
          <InstallationId>{}</InstallationId>
        </Product>
      </Products>
    </Computer>
  </Computers>
</SoftwareLicensingData>
"#,
        test_id(1, 9, 7),
        test_id(2, 9, 7)
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_isolated_lab_flow_end_to_end() {
    let dir = scratch("flow");
    let full = dir.join("lab.cil");
    std::fs::write(&full, full_cil()).unwrap();

    // 1. Show and validate the full file.
    let o = volact(&["cil", "show", path(&full), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["summary"]["computers"], 2);
    assert_eq!(
        v["computers"][0]["products"][0]["product_key_type"],
        "Volume:MAK"
    );
    assert_eq!(
        volact(&["cil", "validate", path(&full)]).status.code(),
        Some(0)
    );

    // 2. Proxy-only export carries nothing that identifies the lab.
    let export = dir.join("to-internet.cil");
    let o = volact(&[
        "cil",
        "export",
        path(&full),
        "-o",
        path(&export),
        "--proxy-only",
    ]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(&export).unwrap();
    for secret in [
        "LAB-ALPHA",
        "LAB-BETA",
        "ISOLATED",
        "02-00-00",
        "Isolated Lab",
        "10.0.19045",
    ] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert!(text.contains(&test_id(1, 9, 7)));

    // 3. CIDs come back as CSV (from VAMT or phone activation) and are added to the export.
    let csv = dir.join("cids.csv");
    std::fs::write(
        &csv,
        format!(
            "installation_id,confirmation_id\n{},{}\n{},{}\n",
            test_id(1, 9, 7).replace('-', " "),
            test_id(11, 8, 6),
            test_id(2, 9, 7),
            test_id(12, 8, 6)
        ),
    )
    .unwrap();
    let returned = dir.join("returned.cil");
    let report = dir.join("cids.json");
    let o = volact(&[
        "cil",
        "add-cids",
        path(&export),
        "--from",
        path(&csv),
        "-o",
        path(&returned),
        "--report",
        path(&report),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["rows"][0]["outcome"], "applied");

    // 4. Merge back into the full file: only the CIDs are added.
    let merged = dir.join("merged.cil");
    let report = dir.join("merge.json");
    let o = volact(&[
        "cil",
        "merge",
        path(&full),
        "--with",
        path(&returned),
        "-o",
        path(&merged),
        "--report",
        path(&report),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let outcomes: Vec<&str> = r["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["applied", "applied"]);
    let merged_text = std::fs::read_to_string(&merged).unwrap();
    let cid1: String = test_id(11, 8, 6).replace('-', "");
    assert!(merged_text.contains(&format!(
        "<PendingConfirmationId>{cid1}</PendingConfirmationId>"
    )));
    let stripped: String = merged_text
        .lines()
        .filter(|l| !l.contains("PendingConfirmationId"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(stripped, full_cil(), "nothing but the CIDs changed");

    // 5. Merging again changes nothing.
    let again = dir.join("again.cil");
    let o = volact(&[
        "cil",
        "merge",
        path(&merged),
        "--with",
        path(&returned),
        "-o",
        path(&again),
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("2 already present"), "{}", stdout(&o));
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&merged).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_cid_for_another_iid_is_refused_and_reported() {
    let dir = scratch("mismatch");
    let full = dir.join("lab.cil");
    std::fs::write(&full, full_cil()).unwrap();
    let returned = dir.join("returned.cil");
    std::fs::write(
        &returned,
        format!(
            r#"<SoftwareLicensingData><Computers><Computer Id="{{L1}}"><Products><Product><Sku Id="{{W10}}"/><InstallationId>{}</InstallationId><PendingConfirmationId>{}</PendingConfirmationId></Product></Products></Computer></Computers></SoftwareLicensingData>"#,
            test_id(99, 9, 7),
            test_id(98, 8, 6)
        ),
    )
    .unwrap();
    let out = dir.join("out.cil");
    let o = volact(&[
        "cil",
        "merge",
        path(&full),
        "--with",
        path(&returned),
        "-o",
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("iid_mismatch"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), full_cil());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_files_fail_with_the_file_and_the_place() {
    let dir = scratch("bad");
    let bad = dir.join("bad.cil");
    std::fs::write(
        &bad,
        "<SoftwareLicensingData><Computers></SoftwareLicensingData>",
    )
    .unwrap();
    let o = volact(&["cil", "show", path(&bad)]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.cil") && err.contains("line 1"), "{err}");
    let o = volact(&["cil", "show", path(&dir.join("missing.cil"))]);
    assert_eq!(o.status.code(), Some(3));
    // proxy-only and include-sensitive contradict each other.
    let o = volact(&[
        "cil",
        "export",
        path(&bad),
        "-o",
        "x",
        "--proxy-only",
        "--include-sensitive",
    ]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
