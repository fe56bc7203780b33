//! The seed's MAK proxy activation of an isolated lab, all 13 steps, run by volact's
//! workflows against simulated machines (`volact-sim`):
//!
//! - in the lab (no Internet): survey ten workgroup machines and a retail one, install the
//!   MAK (the retail machine is skipped, with the rule), save the full CIL, export the proxy
//!   data onto the "USB stick";
//! - on the Internet side: Confirmation IDs from a simulated Microsoft;
//! - back in the lab: merge, save the CIL with CIDs *before* applying, apply; later reimage
//!   the machines and reactivate them from that file without using the MAK again, and see
//!   what happens to a machine whose hardware changed.
//!
//! Run: `cargo run -p volact-sim --example isolated_lab`
//! Every IID and CID here is fictitious: they mean nothing to Windows.

use volact_core::catalog::UserCatalog;
use volact_core::cil::{self, ExportMode, ExportOptions, MergeOptions};
use volact_core::key::ProductKey;
use volact_core::license::LicenseStatus;
use volact_core::mak::{KeyKind, MakStore};
use volact_core::workflow::{
    ActivationTarget, KeyToInstall, MachineState, Run, acquire, apply_plan, collect_cil, mak_plan,
    reapply_plan, survey,
};
use volact_sim::{SimulatedActivationService, SimulatedMachine, lab};

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

fn licensed(machines: &mut [SimulatedMachine]) -> usize {
    machines
        .iter_mut()
        .filter_map(|m| m.products().ok())
        .filter(|p| p[0].license_status == LicenseStatus::Licensed)
        .count()
}

fn state(run: &Run) -> String {
    ["done", "failed", "skipped"]
        .iter()
        .filter(|s| run.count(s) > 0)
        .map(|s| format!("{} {s}", run.count(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("volact-isolated-lab-{}", std::process::id()));
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb)?;
    println!("MAK proxy activation of an isolated lab (simulated; fictitious IIDs and CIDs)");

    // The administrator's pkeyconfig file: the only source that calls the key a MAK, and
    // the edition the lab's machines run.
    let mut catalog = UserCatalog::new();
    catalog.import_pkeyconfig(lab::PKEYCONFIG, lab::PKEYCONFIG_NAME)?;
    let classified = catalog.classify(&ProductKey::parse(lab::MAK)?);
    let edition = classified.edition.clone().unwrap_or_default();
    let service = SimulatedActivationService::new(); // Microsoft's side
    let mut machines = lab::machines(&service, &edition);

    // Steps 2-3: add the workgroup's computers and collect their status.
    let surveyed = survey(&mut lab::targets(&mut machines));
    let answered = surveyed.iter().filter(|s| s.answer().is_ok()).count();
    println!(
        " 2-3. workgroup {}: {answered} of {} computers answered",
        lab::WORKGROUP,
        surveyed.len()
    );

    // Step 4: add the MAK. Without a catalog the store refuses it (its type is unknown);
    // with the imported pkeyconfig it is a MAK of a known edition.
    let mut store = MakStore::new();
    let refused = store
        .add_text(lab::MAK, &UserCatalog::new(), None, "Isolated lab", NOW)
        .unwrap_err();
    println!(" 4. add the MAK without a catalog: refused ({refused})");
    let entry = store
        .add_text(lab::MAK, &catalog, None, "Isolated lab", NOW)?
        .clone();
    assert_eq!(entry.kind, KeyKind::Mak);
    println!(
        "    after importing {}: {} is a MAK for edition {edition} (store id {})",
        lab::PKEYCONFIG_NAME,
        entry.masked(),
        entry.id
    );
    service.register_mak(entry.key(), &edition, 25);

    // Step 5: install the MAK (overwrite); no CID request, no activation.
    let key = KeyToInstall::from_entry(&entry);
    let plan = mak_plan(&key, Some(&entry.id), &surveyed, false);
    println!(
        " 5. install the MAK on {} computers",
        plan.applicable().count()
    );
    for m in plan.machines.iter() {
        if let Some(s) = &m.skipped {
            println!("    skipped {} ({}): {}", m.machine, s.rule, s.reason);
        }
    }
    let saved = Run::new(plan).to_json();
    let mut run = Run::from_json(&saved)?;
    run.execute(Some(entry.key()), &mut lab::targets(&mut machines))?;
    println!(
        "    run saved as {} bytes of JSON (key in clear: {}), resumed: {}",
        saved.len(),
        if saved.contains(&entry.key().reveal()) {
            "YES"
        } else {
            "no"
        },
        state(&run)
    );

    // Step 6: the full CIL of the computers that received the MAK.
    let surveyed = survey(&mut lab::targets(&mut machines));
    let received = lab::received(&surveyed, &run);
    let (full, _) = collect_cil(&received, lab::GROUP)?;
    let full_path = dir.join("IsolatedLabGroup.cil");
    volact_io::save_cil(&full_path, &full)?;
    println!(
        " 6. {}: {} computers with an Installation ID",
        full_path.file_name().unwrap_or_default().to_string_lossy(),
        full.computers().len()
    );

    // Step 7: export without sensitive data, onto the stick.
    let export = cil::export(
        &full,
        ExportOptions::new(ExportMode::ProxyOnly, false, false)?,
    );
    let export_path = usb.join("IsolatedLabGroupSecureExport.cil");
    volact_io::save_cil_bytes(&export_path, &export)?;
    let text = String::from_utf8_lossy(&export);
    let bare_key = lab::MAK.replace('-', "");
    let leaks = ["LAB-PC", lab::WORKGROUP, lab::GROUP, lab::MAK, &bare_key]
        .iter()
        .filter(|s| text.contains(*s))
        .count();
    println!(
        " 7. {}: {} bytes; names, workgroup, group or key in it: {leaks}",
        export_path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy(),
        export.len()
    );

    // Steps 8-10: on the Internet side, CIDs from (simulated) Microsoft.
    let mut returned = volact_io::load_cil(&export_path)?;
    let report = acquire(&mut returned, &mut service.cid_source());
    let returned_path = usb.join("IsolatedLabGroupSecureExportwithCID.cil");
    volact_io::save_cil(&returned_path, &returned)?;
    println!(
        " 9. Confirmation IDs: {} written; the MAK has {} activations left (25 before)",
        report.written(),
        service.remaining(entry.key()).unwrap_or(0)
    );

    // Step 11: merge in the lab, and save before applying (11.6).
    let mut merged = volact_io::load_cil(&full_path)?;
    let back = volact_io::load_cil(&returned_path)?;
    let report = cil::merge(&mut merged, &back, MergeOptions::default());
    let with_cids = dir.join("IsolatedLabGroupwithCID.cil");
    volact_io::save_cil(&with_cids, &merged)?;
    println!(
        "11. merged: {} CIDs applied to their IIDs; {} saved before applying",
        report.count("applied"),
        with_cids.file_name().unwrap_or_default().to_string_lossy()
    );

    // Step 12: apply. LAB-PC07 goes off during the run; the run is saved and resumed.
    let surveyed = survey(&mut lab::targets(&mut machines));
    let mut run = Run::new(apply_plan(&merged, &surveyed));
    machines[6].set_reachable(false);
    run.execute(None, &mut lab::targets(&mut machines))?;
    println!("12. apply the CIDs: {} (LAB-PC07 is off)", state(&run));
    let saved = run.to_json();
    machines[6].set_reachable(true);
    let mut run = Run::from_json(&saved)?;
    run.execute(None, &mut lab::targets(&mut machines))?;
    println!(
        "    resumed from the saved run: {}; Licensed: {} of {}",
        state(&run),
        licensed(&mut machines),
        machines.len()
    );

    // Step 13: reimage the ten (same names, same hardware) and reactivate them from the file.
    for m in machines.iter_mut().take(lab::VOLUME_MACHINES) {
        m.reimage();
    }
    let stored = volact_io::load_cil(&with_cids)?;
    let surveyed = survey(&mut lab::targets(&mut machines));
    let mut run = Run::new(reapply_plan(
        &stored,
        &key,
        Some(&entry.id),
        &surveyed,
        true,
    ));
    run.execute(Some(entry.key()), &mut lab::targets(&mut machines))?;
    println!(
        "13. reimaged {}, reapplied with exact IID match: {}; Licensed: {}; activations left: {}",
        lab::VOLUME_MACHINES,
        state(&run),
        licensed(&mut machines),
        service.remaining(entry.key()).unwrap_or(0)
    );

    // A machine whose hardware changed: its stored CID no longer fits.
    let pc = &mut machines[2];
    pc.change_hardware();
    pc.reimage();
    let deposits = pc.deposit_attempts();
    for exact_iid in [true, false] {
        let surveyed = survey(&mut [pc as &mut dyn ActivationTarget]);
        let plan = reapply_plan(&stored, &key, Some(&entry.id), &surveyed, exact_iid);
        let mut run = Run::new(plan);
        run.execute(Some(entry.key()), &mut [pc as &mut dyn ActivationTarget])?;
        let p = &run.progress[0];
        let outcome = match &p.state {
            MachineState::Failed { error, .. } => format!("failed: {error}"),
            other => format!("{other:?}"),
        };
        println!(
            "    {} with new hardware, exact IID match {}: {outcome}",
            p.machine,
            if exact_iid { "on" } else { "off" }
        );
        for w in &p.warnings {
            println!("      warning: {w}");
        }
    }
    println!(
        "    deposits tried on {}: {} (exact IID match off only); activations left: {}",
        pc.name(),
        pc.deposit_attempts() - deposits,
        service.remaining(entry.key()).unwrap_or(0)
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
