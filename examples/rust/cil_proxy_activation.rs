//! The seed's MAK proxy activation for an isolated lab, with CIL files carried on removable
//! media:
//!
//! 1. In the lab, VAMT has collected Installation IDs into a full CIL (`lab-full.cil`).
//! 2. A proxy-only export goes onto the USB stick: nothing that identifies the lab leaves.
//! 3. On the Internet-connected side, Confirmation IDs come back (VAMT, phone activation or
//!    your own service; here a CSV standing for them) and are added to the exported file.
//! 4. Back in the lab, the returned file is merged into the full one: a CID is applied only
//!    to the product with the same SKU and the IID it was issued for.
//!
//! Run: `cargo run -p volact-io --example cil_proxy_activation`
//! The IIDs and CIDs in the fixture files are fictitious (they mean nothing to Windows).

use volact_core::cil::{self, CilDocument, ExportMode, ExportOptions, MergeOptions};

const FULL: &[u8] = include_bytes!("../../crates/volact/tests/data/cil/lab-full.cil");
const CIDS: &str = include_str!("../../crates/volact/tests/data/cil/lab-cids.csv");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("volact-proxy-example-{}", std::process::id()));
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb)?;

    // 1. The lab's full CIL.
    let full_path = dir.join("lab-full.cil");
    volact_io::atomic::write(&full_path, FULL)?;
    let full = volact_io::load_cil(&full_path)?;
    let s = cil::summarize(&full);
    println!(
        "1. lab: {} computers, {} products, {} with an Installation ID",
        s.computers, s.products, s.with_installation_id
    );

    // 2. Proxy-only export onto the stick.
    let export = cil::export(
        &full,
        ExportOptions {
            mode: ExportMode::ProxyOnly,
            ..ExportOptions::default()
        },
    );
    let export_path = usb.join("lab-proxy.cil");
    volact_io::save_cil_bytes(&export_path, &export)?;
    let leaked = full
        .computers()
        .iter()
        .filter_map(|c| c.name.as_deref())
        .any(|name| String::from_utf8_lossy(&export).contains(name));
    println!(
        "2. exported {} bytes of proxy activation data; computer names in it: {}",
        export.len(),
        if leaked { "YES" } else { "none" }
    );

    // 3. CIDs come back and are added to the exported file.
    let mut returned = volact_io::load_cil(&export_path)?;
    let added = cil::add_cids(&mut returned, CIDS, false);
    let returned_path = usb.join("lab-returned.cil");
    volact_io::save_cil(&returned_path, &returned)?;
    println!(
        "3. CIDs added: {} applied, {} unknown IIDs, {} malformed",
        added.count("applied"),
        added.count("unknown_iid"),
        added.count("invalid_cid")
    );

    // 4. Merge back into the full file, in the lab.
    let mut merged: CilDocument = volact_io::load_cil(&full_path)?;
    let back = volact_io::load_cil(&returned_path)?;
    let report = cil::merge(&mut merged, &back, MergeOptions::default());
    volact_io::save_cil(&dir.join("lab-merged.cil"), &merged)?;
    for d in &report.decisions {
        println!(
            "4. computer {} product {}: {}",
            d.computer_id.as_deref().unwrap_or("?"),
            d.returned_product + 1,
            d.outcome.name()
        );
    }
    let again = cil::merge(&mut merged, &back, MergeOptions::default());
    println!(
        "   merging again: {} already present, nothing changed",
        again.count("already_present")
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
