//! Workflow tests against a small in-test target. The full scenarios run against
//! `volact-sim`'s simulated machines (crates/volact-sim/tests).

use super::*;
use crate::catalog::Channel;
use crate::key::ProductKey;
use crate::license::{LicenseStatus, Minutes};
use crate::srv::discovery::HostPort;

/// A target that records what was done to it and accepts one fixed CID per IID.
struct Recorder {
    machine: MachineInfo,
    products: Vec<TargetProduct>,
    log: Vec<String>,
    reachable: bool,
}

fn product(edition: &str, family: &str, channel: Channel, iid: &str) -> TargetProduct {
    TargetProduct {
        activation_id: format!("sku-{edition}"),
        application_id: WINDOWS_APPLICATION_ID.into(),
        name: format!("Windows(R), {edition} edition"),
        family: family.into(),
        edition_id: edition.into(),
        channel,
        license_status: LicenseStatus::OOBGrace,
        grace_remaining: Minutes::days(30),
        installation_id: Some(iid.into()),
        product_key_id: None,
        partial_product_key: Some("AAAAA".into()),
    }
}

fn recorder(name: &str, edition: &str, iid: &str) -> Recorder {
    Recorder {
        machine: MachineInfo {
            name: name.into(),
            network_type: NetworkType::Workgroup,
            network_name: "LAB".into(),
            os_version: "10.0.22631".into(),
            mac_addresses: vec![format!("00-15-5D-00-00-{:02X}", name.len())],
        },
        products: vec![product(edition, "Windows 11", Channel::Retail, iid)],
        log: Vec::new(),
        reachable: true,
    }
}

impl ActivationTarget for Recorder {
    fn machine(&mut self) -> Result<MachineInfo, TargetError> {
        if !self.reachable {
            return Err(TargetError::Unreachable {
                detail: "RPC server unavailable".into(),
            });
        }
        Ok(self.machine.clone())
    }
    fn products(&mut self) -> Result<Vec<TargetProduct>, TargetError> {
        Ok(self.products.clone())
    }
    fn install_product_key(&mut self, key: &ProductKey) -> Result<(), TargetError> {
        self.log.push(format!("ipk {}", key.partial()));
        self.products[0].channel = Channel::VolumeMak;
        self.products[0].partial_product_key = Some(key.partial().into());
        Ok(())
    }
    fn activate(&mut self, a: &str) -> Result<(), TargetError> {
        self.log.push(format!("ato {a}"));
        self.products[0].license_status = LicenseStatus::Licensed;
        Ok(())
    }
    fn deposit_confirmation_id(
        &mut self,
        a: &str,
        iid: &str,
        cid: &str,
    ) -> Result<(), TargetError> {
        self.log
            .push(format!("atp {a} {} {}", iid.len(), cid.len()));
        self.products[0].license_status = LicenseStatus::Licensed;
        Ok(())
    }
    fn set_kms_host(&mut self, h: Option<&HostPort>) -> Result<(), TargetError> {
        self.log.push(format!("skms {h:?}"));
        Ok(())
    }
    fn set_kms_lookup_domain(&mut self, d: Option<&str>) -> Result<(), TargetError> {
        self.log.push(format!("skms-domain {d:?}"));
        Ok(())
    }
    fn set_host_caching(&mut self, e: bool) -> Result<(), TargetError> {
        self.log.push(format!("hc {e}"));
        Ok(())
    }
    fn read_value(&mut self, _: LicensingValue) -> Result<Option<RegistryData>, TargetError> {
        Ok(None)
    }
    fn write_value(
        &mut self,
        v: LicensingValue,
        _: Option<&RegistryData>,
    ) -> Result<(), TargetError> {
        self.log.push(format!("reg {}", v.name()));
        Ok(())
    }
}

/// A pkey2009 MAK-shaped test key: the published "twin" of a GVLK group (see the MAK store
/// tests); its channel here is declared, not derived.
const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const IID: &str = "1293983-5153382-2212531-9034485-9770233-5825325-6654482-7228701-9393890";

fn mak(edition: Option<&str>) -> (ProductKey, KeyToInstall) {
    let key = ProductKey::parse(MAK).unwrap();
    let mut store = crate::mak::MakStore::new();
    let catalog = crate::catalog::UserCatalog::new();
    let entry = store
        .add(
            key.clone(),
            &catalog.classify(&key),
            Some(crate::mak::KeyKind::Mak),
            "lab",
            0,
        )
        .unwrap()
        .clone();
    let mut k = KeyToInstall::from_entry(&entry);
    k.edition = edition.map(str::to_owned);
    (key, k)
}

#[test]
fn a_mak_skips_retail_editions_and_wrong_editions_with_the_rule() {
    let (key, k) = mak(Some("Professional"));
    let mut a = recorder("PC1", "Professional", IID);
    let mut home = recorder("PC2", "Core", IID);
    let mut ent = recorder("PC3", "Enterprise", IID);
    let mut off = recorder("PC4", "Professional", IID);
    off.reachable = false;
    let mut targets: Vec<&mut dyn ActivationTarget> = vec![&mut a, &mut home, &mut ent, &mut off];
    let surveyed = survey(&mut targets);
    let plan = mak_plan(&k, Some("abc"), &surveyed, true);
    let rules: Vec<Option<&str>> = plan
        .machines
        .iter()
        .map(|m| m.skipped.as_ref().map(|s| s.rule.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            None,
            Some("mak-on-retail-edition"),
            Some("key-edition-mismatch"),
            Some("status-unknown")
        ]
    );
    let mut run = Run::new(plan);
    run.execute(Some(&key), &mut targets).unwrap();
    assert_eq!(run.count("done"), 1);
    assert_eq!(run.count("skipped"), 3);
    assert_eq!(run.online_activations(), 1);
    assert_eq!(a.log, ["ipk 6Q83G", "ato sku-Professional"]);
    assert!(home.log.is_empty() && ent.log.is_empty());
}

#[test]
fn a_run_without_the_key_fails_the_install_and_resumes_from_saved_state() {
    let (key, k) = mak(None);
    let mut a = recorder("PC1", "Professional", IID);
    let surveyed = survey(&mut [&mut a as &mut dyn ActivationTarget]);
    let mut run = Run::new(mak_plan(&k, None, &surveyed, true));
    run.execute(None, &mut [&mut a]).unwrap();
    assert!(matches!(
        run.progress[0].state,
        MachineState::Failed { action: 0, .. }
    ));
    let saved = run.to_json();
    assert!(
        !saved.contains(&key.reveal()),
        "the saved state holds no key"
    );
    let mut resumed = Run::from_json(&saved).unwrap();
    resumed.execute(Some(&key), &mut [&mut a]).unwrap();
    assert!(resumed.is_complete());
    assert_eq!(a.log, ["ipk 6Q83G", "ato sku-Professional"]);
}

#[test]
fn renderings_name_the_key_by_variable_and_every_slmgr_option() {
    let (key, k) = mak(None);
    let mut a = recorder("LAB-PC01", "Professional", IID);
    let surveyed = survey(&mut [&mut a as &mut dyn ActivationTarget]);
    let plan = mak_plan(&k, Some("abc"), &surveyed, true);
    for f in [Format::Slmgr, Format::PowerShell, Format::Json] {
        let text = plan.render(f);
        assert!(!text.contains(&key.reveal()), "{f:?} leaks the key");
        assert!(
            text.contains("6Q83G"),
            "{f:?} names the key by its last five"
        );
    }
    let cmd = plan.render(Format::Slmgr);
    assert!(cmd.contains("%SLMGR% LAB-PC01 /ipk %VOLACT_KEY%"));
    assert!(cmd.contains("%SLMGR% LAB-PC01 /ato sku-Professional"));
    let ps = plan.render(Format::PowerShell);
    assert!(
        ps.contains("-MethodName InstallProductKey -Arguments @{ProductKey = $env:VOLACT_KEY}")
    );
    assert!(ps.contains("-MethodName Activate"));
    assert_eq!(Plan::from_json(&plan.to_json()).unwrap(), plan);
}

#[test]
fn collected_cil_reads_back_with_stable_ids_and_every_field() {
    let mut a = recorder("PC1", "Professional", IID);
    let mut b = recorder("PC2", "Professional", IID);
    b.reachable = false;
    let surveyed = survey(&mut [&mut a as &mut dyn ActivationTarget, &mut b]);
    let (doc, left) = collect_cil(&surveyed, "Isolated Lab Group").unwrap();
    assert_eq!(left.len(), 1);
    let c = &doc.computers()[0];
    assert_eq!(c.name.as_deref(), Some("PC1"));
    assert_eq!(c.groups, ["Isolated Lab Group"]);
    assert_eq!(
        c.id.as_deref(),
        Some(run::computer_guid(&a.machine).as_str())
    );
    assert_eq!(
        c.products[0].get(crate::cil::Field::InstallationId),
        Some(IID)
    );
    assert_eq!(
        c.products[0].get(crate::cil::Field::LicenseStatus),
        Some("2")
    );
    // A reimaged machine under the same name gets the same Id.
    let mut again = recorder("pc1", "Professional", IID);
    assert_eq!(
        run::computer_guid(&again.machine().unwrap()),
        run::computer_guid(&a.machine)
    );
}

#[test]
fn phone_csv_answers_by_iid_digits_and_names_bad_lines() {
    let mut csv = PhoneCsv::parse("installation_id,confirmation_id\n1-2-3,4-5\n").unwrap();
    let ask = |iid: &str| CidRequest {
        installation_id: iid.into(),
        product_key_id: None,
        sku_id: None,
    };
    assert_eq!(
        csv.confirmation_id(&ask("123")),
        CidAnswer::Issued {
            confirmation_id: "4-5".into()
        }
    );
    assert_eq!(csv.confirmation_id(&ask("124")), CidAnswer::NotAvailable);
    assert_eq!(
        PhoneCsv::parse("1,2\n3,4,5\n").unwrap_err(),
        WorkflowError::CidCsv {
            line: 2,
            detail: "3 fields: expected installation_id,confirmation_id".into()
        }
    );
}

#[test]
fn the_proxy_steps_are_the_seeds_thirteen_and_note_step_9_3() {
    assert_eq!(proxy::PROXY_STEPS.len(), 13);
    for (i, s) in proxy::PROXY_STEPS.iter().enumerate() {
        assert_eq!(usize::from(s.number), i + 1);
    }
    assert!(
        proxy::PROXY_STEPS[8]
            .note
            .unwrap()
            .contains("must be selected")
    );
}

#[test]
fn a_gvlk_must_be_the_machines_editions() {
    let gvlk = ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43").unwrap(); // Enterprise
    let k = KeyToInstall::gvlk(&gvlk).unwrap();
    let pro = [product(
        "Professional",
        "Windows 11",
        Channel::VolumeGvlk,
        IID,
    )];
    let ent = [product(
        "Enterprise",
        "Windows 11",
        Channel::VolumeGvlk,
        IID,
    )];
    assert!(matches!(
        check_install(&k, Some(&pro)),
        Verdict::Skipped {
            rule: Rule::GvlkEditionMismatch,
            ..
        }
    ));
    assert!(check_install(&k, Some(&ent)).activation_id().is_some());
    let unknown = [product("Mystery", "Windows 11", Channel::VolumeGvlk, IID)];
    assert!(matches!(
        check_install(&k, Some(&unknown)),
        Verdict::Skipped {
            rule: Rule::EditionUnknown,
            ..
        }
    ));
}

#[test]
fn a_plan_naming_a_target_that_was_not_given_is_refused_before_any_action() {
    let (key, k) = mak(None);
    let mut a = recorder("PC1", "Professional", IID);
    let surveyed = survey(&mut [&mut a as &mut dyn ActivationTarget]);
    let mut plan = mak_plan(&k, None, &surveyed, true);
    plan.machines[0].index = 3;
    let mut run = Run::new(plan);
    let err = run.execute(Some(&key), &mut [&mut a]).unwrap_err();
    assert!(
        err.to_string()
            .contains("target #4, but 1 targets were given"),
        "{err}"
    );
    assert!(a.log.is_empty());
}

#[test]
fn a_mak_whose_pkeyconfig_names_an_unknown_edition_applies_to_that_edition_only() {
    // "EnterpriseTest" is the fictitious EditionId of the test pkeyconfig files: not in
    // volact's edition table, but the key's own configuration names it.
    let (_, k) = mak(Some("EnterpriseTest"));
    let named = [product(
        "EnterpriseTest",
        "Windows 11",
        Channel::Retail,
        IID,
    )];
    assert!(check_install(&k, Some(&named)).activation_id().is_some());
    let other = [product("Mystery", "Windows 11", Channel::Retail, IID)];
    assert!(matches!(
        check_install(&k, Some(&other)),
        Verdict::Skipped {
            rule: Rule::EditionUnknown,
            ..
        }
    ));
    // A declared MAK (no edition known) on an unknown edition is still not guessed.
    let (_, declared) = mak(None);
    assert!(matches!(
        check_install(&declared, Some(&named)),
        Verdict::Skipped {
            rule: Rule::EditionUnknown,
            ..
        }
    ));
    // A known retail edition stays refused whatever the key says.
    let (_, core) = mak(Some("Core"));
    let home = [product("Core", "Windows 11", Channel::Retail, IID)];
    assert!(matches!(
        check_install(&core, Some(&home)),
        Verdict::Skipped {
            rule: Rule::MakOnRetailEdition,
            ..
        }
    ));
}
