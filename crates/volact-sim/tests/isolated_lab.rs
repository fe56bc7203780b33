//! The seed's MAK proxy activation of an isolated lab (steps 2–13), end to end: volact's
//! workflows against ten simulated workgroup machines and a retail one, with a simulated
//! Microsoft on the Internet side. Every IID and CID is fictitious (volact-sim's docs).

use volact_core::catalog::{Channel, UserCatalog};
use volact_core::cil::{self, CilDocument, ExportMode, ExportOptions, Field, MergeOptions};
use volact_core::key::ProductKey;
use volact_core::license::LicenseStatus;
use volact_core::mak::{KeyKind, KindSource, MakEntry, MakStore, MakStoreError};
use volact_core::workflow::{
    AcquireOutcome, Action, ActivationTarget, KeyToInstall, MachineState, PlanKind, Run,
    TargetError, acquire, apply_plan, collect_cil, mak_plan, reapply_plan, survey,
};
use volact_sim::{SimulatedActivationService, SimulatedMachine, lab};

/// 2026-01-01T00:00:00Z, when the administrator adds the MAK.
const NOW: i64 = 1_767_225_600;
/// The activations Microsoft's record gives the MAK.
const ACTIVATIONS: u32 = 25;
/// 0xC004F04D: the CID does not fit the IID.
const CID_DOES_NOT_FIT: u32 = 0xC004_F04D;

/// The lab after proxy step 12.
struct Lab {
    service: SimulatedActivationService,
    key: ProductKey,
    entry: MakEntry,
    store: MakStore,
    machines: Vec<SimulatedMachine>,
    /// IsolatedLabGroupwithCID.cil, saved at step 11.6 before anything was applied.
    saved_with_cids: Vec<u8>,
}

fn statuses(machines: &mut [SimulatedMachine]) -> Vec<LicenseStatus> {
    machines
        .iter_mut()
        .map(|m| m.products().expect("the machine answers")[0].license_status)
        .collect()
}

fn volume_licensed(machines: &mut [SimulatedMachine]) -> bool {
    statuses(&mut machines[..lab::VOLUME_MACHINES])
        .iter()
        .all(|s| *s == LicenseStatus::Licensed)
}

/// The key in any form it could leak: dashed, bare, lower case.
fn assert_no_key(text: &str, key: &ProductKey, what: &str) {
    let dashed = key.reveal();
    let bare: String = dashed.chars().filter(|c| *c != '-').collect();
    let lower = text.to_ascii_lowercase();
    for form in [dashed, bare] {
        assert!(
            !lower.contains(&form.to_ascii_lowercase()),
            "{what} holds the key"
        );
    }
}

/// Step 4: the MAK into the store, classified through the imported pkeyconfig.
fn add_the_mak(key: &ProductKey) -> (MakStore, MakEntry) {
    let mut catalog = UserCatalog::new();
    catalog
        .import_pkeyconfig(lab::PKEYCONFIG, lab::PKEYCONFIG_NAME)
        .expect("the fictitious pkeyconfig imports");
    let mut store = MakStore::new();
    let entry = store
        .add_text(lab::MAK, &catalog, None, "Isolated lab MAK", NOW)
        .expect("the catalog classifies the key")
        .clone();
    assert_eq!(entry.kind, KeyKind::Mak);
    assert_eq!(
        entry.source,
        KindSource::UserCatalog {
            file: lab::PKEYCONFIG_NAME.into()
        }
    );
    assert_eq!(entry.key(), key);
    // A count taken before the lab (on a host with Internet): a snapshot in time.
    store.record_count(&entry.id, ACTIVATIONS, NOW).unwrap();
    (store, entry)
}

/// Steps 2–12 of the seed, asserting as they go.
fn proxy_activate() -> Lab {
    let key = ProductKey::parse(lab::MAK).unwrap();
    let (store, entry) = add_the_mak(&key);
    let edition = entry
        .edition
        .clone()
        .expect("the pkeyconfig names the edition");
    let service = SimulatedActivationService::new();
    service.register_mak(&key, &edition, ACTIVATIONS);
    let mut machines = lab::machines(&service, &edition);

    // Steps 2–3: add the workgroup's computers, collect their status.
    let surveyed = survey(&mut lab::targets(&mut machines));
    assert!(surveyed.iter().all(|s| s.answer().is_ok()));
    assert!(
        statuses(&mut machines)
            .iter()
            .all(|s| *s == LicenseStatus::OOBGrace)
    );

    // Step 5: install the MAK (overwrite), no CID request, no activation.
    let k = KeyToInstall::from_entry(&entry);
    let plan = mak_plan(&k, Some(&entry.id), &surveyed, false);
    assert_eq!(plan.kind, PlanKind::ProxyInstall);
    assert_eq!(plan.applicable().count(), lab::VOLUME_MACHINES);
    let retail = plan.machines.last().unwrap();
    assert_eq!(retail.machine, lab::RETAIL_MACHINE);
    let skip = retail
        .skipped
        .as_ref()
        .expect("the retail machine is skipped");
    assert_eq!(skip.rule, "mak-on-retail-edition");
    assert!(skip.reason.contains("Windows 11 Core"), "{}", skip.reason);
    assert!(
        plan.machines
            .iter()
            .flat_map(|m| &m.actions)
            .all(|a| !matches!(a, Action::Activate { .. }))
    );
    // The run is saved before it starts and resumed from the saved state.
    let saved = Run::new(plan).to_json();
    assert_no_key(&saved, &key, "the saved run");
    let mut run = Run::from_json(&saved).unwrap();
    run.execute(Some(entry.key()), &mut lab::targets(&mut machines))
        .unwrap();
    assert!(run.is_complete());
    assert_eq!((run.count("done"), run.count("skipped")), (10, 1));
    assert_eq!(run.online_activations(), 0);
    for (m, p) in machines
        .iter()
        .zip(&run.progress)
        .take(lab::VOLUME_MACHINES)
    {
        assert_eq!(m.channel(), &Channel::VolumeMak);
        assert_eq!(p.installation_ids[0].1, m.installation_id(), "step 3 again");
    }
    assert_eq!(machines[lab::VOLUME_MACHINES].channel(), &Channel::Retail);
    assert_eq!(service.remaining(&key), Some(ACTIVATIONS));

    // Step 6: the full CIL of the computers that received the MAK.
    let surveyed = survey(&mut lab::targets(&mut machines));
    let received = lab::received(&surveyed, &run);
    let (full, left_out) = collect_cil(&received, lab::GROUP).unwrap();
    assert!(left_out.is_empty());
    assert_eq!(full.computers().len(), lab::VOLUME_MACHINES);
    for (c, m) in full.computers().iter().zip(&machines) {
        assert_eq!(c.name.as_deref(), Some(m.name()));
        assert_eq!(c.groups, [lab::GROUP]);
        let iid = m.installation_id();
        assert_eq!(c.products[0].get(Field::InstallationId), Some(iid.as_str()));
    }
    let full_bytes = full.to_bytes(); // IsolatedLabGroup.cil

    // Step 7: the secure export, proxy activation data only.
    let options = ExportOptions::new(ExportMode::ProxyOnly, false, false).unwrap();
    let export = cil::export(&full, options);
    let text = String::from_utf8(export.clone()).unwrap();
    assert!(
        !text.to_ascii_uppercase().contains("LAB-PC"),
        "computer names"
    );
    assert!(!text.contains(lab::WORKGROUP), "the workgroup");
    assert!(!text.contains(lab::GROUP), "the group");
    for m in &mut machines {
        for mac in m.machine().unwrap().mac_addresses {
            let bare: String = mac.chars().filter(char::is_ascii_hexdigit).collect();
            assert!(
                !text.contains(&mac) && !text.contains(&bare),
                "a MAC address"
            );
        }
    }
    assert_no_key(&text, &key, "the export");

    // Steps 8–10: on the Internet side, the CIDs from (simulated) Microsoft.
    let mut returned = CilDocument::parse(&export).unwrap();
    assert!(returned.computers().iter().all(|c| c.name.is_none()));
    let mut source = service.cid_source();
    let report = acquire(&mut returned, &mut source);
    assert_eq!(report.written(), lab::VOLUME_MACHINES);
    assert!(report.rows.iter().all(|r| r.warning.is_none()));
    assert_eq!(service.remaining(&key), Some(ACTIVATIONS - 10));
    let returned_bytes = returned.to_bytes(); // IsolatedLabGroupSecureExportwithCID.cil

    // Step 11: back in the lab, merge into the full CIL and save before applying (11.6).
    let mut merged = CilDocument::parse(&full_bytes).unwrap();
    let returned = CilDocument::parse(&returned_bytes).unwrap();
    let report = cil::merge(&mut merged, &returned, MergeOptions::default());
    assert_eq!(report.count("applied"), lab::VOLUME_MACHINES);
    assert_eq!(
        cil::validate(&merged),
        [],
        "every IID, CID, partial key and status is well formed"
    );
    let saved_with_cids = merged.to_bytes();
    assert_no_key(
        &String::from_utf8_lossy(&saved_with_cids),
        &key,
        "the CIL with CIDs",
    );

    // Step 12: apply the CIDs. One machine is off at first: the run is saved, and resumed
    // once it is back.
    let surveyed = survey(&mut lab::targets(&mut machines));
    let plan = apply_plan(&merged, &surveyed);
    assert_eq!(plan.kind, PlanKind::ProxyApply);
    assert_eq!(plan.applicable().count(), lab::VOLUME_MACHINES);
    assert_eq!(
        plan.machines[lab::VOLUME_MACHINES]
            .skipped
            .as_ref()
            .map(|s| s.rule.as_str()),
        Some("not-in-cil")
    );
    machines[6].set_reachable(false);
    let mut run = Run::new(plan);
    run.execute(None, &mut lab::targets(&mut machines)).unwrap();
    assert_eq!(run.count("failed"), 1);
    assert!(matches!(
        run.progress[6].state,
        MachineState::Failed {
            error: TargetError::Unreachable { .. },
            ..
        }
    ));
    let saved = run.to_json();
    machines[6].set_reachable(true);
    let mut run = Run::from_json(&saved).unwrap();
    run.execute(None, &mut lab::targets(&mut machines)).unwrap();
    assert!(run.is_complete());
    assert_eq!(run.count("done"), lab::VOLUME_MACHINES);
    assert!(volume_licensed(&mut machines));
    assert_eq!(
        statuses(&mut machines)[lab::VOLUME_MACHINES],
        LicenseStatus::OOBGrace
    );
    assert!(machines.iter().take(10).all(|m| m.deposits_accepted() == 1));
    assert_eq!(service.remaining(&key), Some(ACTIVATIONS - 10));

    Lab {
        service,
        key,
        entry,
        store,
        machines,
        saved_with_cids,
    }
}

#[test]
fn proxy_activation_licenses_the_ten_volume_machines_and_uses_ten_activations() {
    let mut lab = proxy_activate();
    assert!(volume_licensed(&mut lab.machines));
    assert_eq!(lab.service.remaining(&lab.key), Some(ACTIVATIONS - 10));
    assert_eq!(lab.service.activated_installations(), 10);
}

#[test]
fn reimaged_machines_are_reactivated_from_the_saved_cil_without_using_the_mak() {
    let mut lab = proxy_activate();
    let store_before = lab.store.clone();
    // Step 13.1: redeploy Windows under the same names, on the same hardware.
    for m in lab.machines.iter_mut().take(lab::VOLUME_MACHINES) {
        m.reimage();
        assert_eq!(m.license_status(), LicenseStatus::OOBGrace);
        assert_eq!(m.channel(), &Channel::Retail);
    }
    // Steps 13.3–13.9: open IsolatedLabGroupwithCID.cil, reinstall the same MAK, reapply
    // with an exact IID match.
    let doc = CilDocument::parse(&lab.saved_with_cids).unwrap();
    let surveyed = survey(&mut lab::targets(&mut lab.machines));
    let k = KeyToInstall::from_entry(&lab.entry);
    let plan = reapply_plan(&doc, &k, Some(&lab.entry.id), &surveyed, true);
    assert_eq!(plan.kind, PlanKind::Reapply);
    assert_eq!(plan.applicable().count(), lab::VOLUME_MACHINES);
    let mut run = Run::new(plan);
    run.execute(Some(lab.entry.key()), &mut lab::targets(&mut lab.machines))
        .unwrap();
    assert!(run.is_complete(), "{}", run.to_json());
    assert_no_key(&run.to_json(), &lab.key, "the saved reapply run");
    assert!(volume_licensed(&mut lab.machines));
    assert!(
        lab.machines
            .iter()
            .take(10)
            .all(|m| m.deposits_accepted() == 2)
    );
    assert_eq!(run.online_activations(), 0);
    assert_eq!(lab.service.remaining(&lab.key), Some(ACTIVATIONS - 10));
    assert_eq!(
        lab.store, store_before,
        "the MAK store's snapshots are untouched"
    );
}

#[test]
fn new_hardware_is_refused_with_exact_iid_match_and_fails_with_0xc004f04d_without_it() {
    let mut lab = proxy_activate();
    let doc = CilDocument::parse(&lab.saved_with_cids).unwrap();
    let k = KeyToInstall::from_entry(&lab.entry);
    let pc = &mut lab.machines[2];
    pc.change_hardware();
    assert_eq!(pc.license_status(), LicenseStatus::OOTGrace);
    pc.reimage();
    let attempts = pc.deposit_attempts();

    let reapply = |pc: &mut SimulatedMachine, exact_iid: bool| -> Run {
        let surveyed = survey(&mut [pc as &mut dyn ActivationTarget]);
        let plan = reapply_plan(&doc, &k, Some(&lab.entry.id), &surveyed, exact_iid);
        assert_eq!(plan.applicable().count(), 1, "matched by name");
        let mut run = Run::new(plan);
        run.execute(
            Some(lab.entry.key()),
            &mut [pc as &mut dyn ActivationTarget],
        )
        .unwrap();
        run
    };

    // Exact IID match (the seed's default): refused before the deposit.
    let run = reapply(pc, true);
    match &run.progress[0].state {
        MachineState::Failed {
            action: 1,
            error: TargetError::Other { detail },
        } => assert!(detail.contains("exact IID match"), "{detail}"),
        other => panic!("expected the deposit refused, got {other:?}"),
    }
    assert_eq!(pc.deposit_attempts(), attempts, "nothing was deposited");
    assert!(run.progress[0].warnings.is_empty());

    // Without it: attempted with a warning, and Windows refuses the CID.
    let run = reapply(pc, false);
    assert!(
        run.plan
            .notes
            .iter()
            .any(|n| n.contains("exact IID match is off"))
    );
    let progress = &run.progress[0];
    assert!(
        progress
            .warnings
            .iter()
            .any(|w| w.contains("Installation ID changed")),
        "{:?}",
        progress.warnings
    );
    match &progress.state {
        MachineState::Failed { action: 1, error } => {
            assert_eq!(error.code(), Some(CID_DOES_NOT_FIT), "{error}");
        }
        other => panic!("expected 0xC004F04D, got {other:?}"),
    }
    assert_eq!(pc.deposit_attempts(), attempts + 1);
    assert_eq!(pc.license_status(), LicenseStatus::OOBGrace);
    assert_eq!(lab.service.remaining(&lab.key), Some(ACTIVATIONS - 10));
}

#[test]
fn the_store_refuses_the_key_until_its_type_is_declared_or_a_pkeyconfig_classifies_it() {
    let empty = UserCatalog::new();
    let mut store = MakStore::new();
    let e = store
        .add_text(lab::MAK, &empty, None, "Isolated lab MAK", NOW)
        .unwrap_err();
    assert!(matches!(e, MakStoreError::UnknownType { .. }), "{e}");
    assert!(!e.to_string().contains(lab::MAK));
    assert!(store.is_empty());
    let declared = store
        .add_text(lab::MAK, &empty, Some(KeyKind::Mak), "declared", NOW)
        .unwrap();
    assert_eq!(declared.source, KindSource::Declared);
    assert_eq!(declared.edition, None, "a declaration knows no edition");
    // Through the pkeyconfig, the edition is known: the fictitious `EnterpriseTest`.
    let (_, entry) = add_the_mak(&ProductKey::parse(lab::MAK).unwrap());
    assert_eq!(entry.edition.as_deref(), Some("EnterpriseTest"));
}

#[test]
fn the_pkeyconfigs_edition_is_the_one_the_machines_must_run() {
    // Why the lab runs the fictitious `EnterpriseTest`: the MAK is for that edition, and a
    // plan skips machines of any other.
    let (_, entry) = add_the_mak(&ProductKey::parse(lab::MAK).unwrap());
    let service = SimulatedActivationService::new();
    let mut enterprise = SimulatedMachine::new("PC", lab::FAMILY, "Enterprise", &service);
    let surveyed = survey(&mut [&mut enterprise as &mut dyn ActivationTarget]);
    let plan = mak_plan(&KeyToInstall::from_entry(&entry), None, &surveyed, false);
    let skip = plan.machines[0].skipped.as_ref().expect("skipped");
    assert_eq!(skip.rule, "key-edition-mismatch");
    assert!(skip.reason.contains("EnterpriseTest"), "{}", skip.reason);
}

#[test]
fn the_simulated_microsoft_has_nothing_for_a_key_it_does_not_know() {
    // A fresh Enterprise machine runs the published GVLK: no MAK, nothing to issue.
    let service = SimulatedActivationService::new();
    let mut pc = SimulatedMachine::new("X", lab::FAMILY, "Enterprise", &service);
    let surveyed = survey(&mut [&mut pc as &mut dyn ActivationTarget]);
    let (mut doc, _) = collect_cil(&surveyed, "").unwrap();
    let mut source = service.cid_source();
    let report = acquire(&mut doc, &mut source);
    assert_eq!(report.rows[0].outcome, AcquireOutcome::NotAvailable);
    assert_eq!(source.requests(), 1);
    assert_eq!(service.activated_installations(), 0);
}
