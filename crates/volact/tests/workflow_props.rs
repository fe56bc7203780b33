//! Property tests of the MAK workflows on generated surveys: hostile names and editions,
//! unreachable machines, targets that fail at random. The fuzz checks (`volact::fuzzing::
//! survey`, `workflow_plan`) hold every invariant of plans and renderings; here they run on
//! structured inputs the fuzzer reaches only slowly, and a run's resumption is checked.

use proptest::prelude::*;
use volact::catalog::{Channel, UserCatalog};
use volact::key::ProductKey;
use volact::license::{LicenseStatus, Minutes};
use volact::mak::{KeyKind, MakStore};
use volact::srv::discovery::HostPort;
use volact::workflow::{
    ActivationTarget, KeyToInstall, LicensingValue, MachineInfo, MachineState, NetworkType,
    RegistryData, Run, Surveyed, TargetError, TargetProduct, WINDOWS_APPLICATION_ID, mak_plan,
    survey,
};

const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";

fn product(edition: String, family: String) -> TargetProduct {
    TargetProduct {
        activation_id: "2de67392-b7a7-462a-b1ca-108dd189f588".into(),
        application_id: WINDOWS_APPLICATION_ID.into(),
        name: format!("Windows(R), {edition} edition"),
        family,
        edition_id: edition,
        channel: Channel::Retail,
        license_status: LicenseStatus::OOBGrace,
        grace_remaining: Minutes::days(30),
        installation_id: Some("1".repeat(63)),
        product_key_id: None,
        partial_product_key: None,
    }
}

fn entry() -> prop::strategy::BoxedStrategy<Surveyed> {
    let name = prop_oneof![
        "[A-Z]{3}-PC[0-9]{2}",
        any::<String>(),
        Just("PC1\r\n%SLMGR% evil & del *".to_owned()),
        Just("a'; Remove-Item C:\\ -Recurse; '".to_owned()),
    ];
    let edition = prop_oneof![
        Just("Enterprise".to_owned()),
        Just("Professional".to_owned()),
        Just("Core".to_owned()),
        any::<String>(),
    ];
    let family = prop_oneof![
        Just("Windows 11".to_owned()),
        Just("Windows 7".to_owned()),
        any::<String>(),
    ];
    (name, edition, family, any::<bool>())
        .prop_map(|(name, edition, family, up)| {
            if up {
                Surveyed {
                    machine: Some(MachineInfo {
                        name,
                        network_type: NetworkType::Workgroup,
                        network_name: "LAB".into(),
                        os_version: "10.0".into(),
                        mac_addresses: vec![],
                    }),
                    products: Some(vec![product(edition, family)]),
                    error: None,
                }
            } else {
                Surveyed {
                    machine: None,
                    products: None,
                    error: Some(TargetError::Unreachable { detail: name }),
                }
            }
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every invariant of the `survey` fuzz check holds on generated surveys.
    #[test]
    fn surveys_hold_the_fuzz_invariants(list in prop::collection::vec(entry(), 0..8)) {
        volact::fuzzing::survey(Surveyed::list_to_json(&list).as_bytes());
    }
}

/// A target that fails its next `failures` operations, then succeeds.
struct Flaky {
    failures: u32,
    calls: Vec<&'static str>,
}

impl Flaky {
    fn step(&mut self, what: &'static str) -> Result<(), TargetError> {
        if self.failures > 0 {
            self.failures -= 1;
            return Err(TargetError::Licensing {
                code: 0xC004_C003,
                detail: "blocked".into(),
            });
        }
        self.calls.push(what);
        Ok(())
    }
}

impl ActivationTarget for Flaky {
    fn machine(&mut self) -> Result<MachineInfo, TargetError> {
        Ok(MachineInfo {
            name: "PC".into(),
            network_type: NetworkType::Workgroup,
            network_name: "LAB".into(),
            os_version: "10.0".into(),
            mac_addresses: vec![],
        })
    }
    fn products(&mut self) -> Result<Vec<TargetProduct>, TargetError> {
        Ok(vec![product("Enterprise".into(), "Windows 11".into())])
    }
    fn install_product_key(&mut self, _: &ProductKey) -> Result<(), TargetError> {
        self.step("ipk")
    }
    fn activate(&mut self, _: &str) -> Result<(), TargetError> {
        self.step("ato")
    }
    fn deposit_confirmation_id(&mut self, _: &str, _: &str, _: &str) -> Result<(), TargetError> {
        self.step("atp")
    }
    fn set_kms_host(&mut self, _: Option<&HostPort>) -> Result<(), TargetError> {
        self.step("skms")
    }
    fn set_kms_lookup_domain(&mut self, _: Option<&str>) -> Result<(), TargetError> {
        self.step("skms-domain")
    }
    fn set_host_caching(&mut self, _: bool) -> Result<(), TargetError> {
        self.step("hc")
    }
    fn read_value(&mut self, _: LicensingValue) -> Result<Option<RegistryData>, TargetError> {
        Ok(None)
    }
    fn write_value(
        &mut self,
        _: LicensingValue,
        _: Option<&RegistryData>,
    ) -> Result<(), TargetError> {
        self.step("reg")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// However often the targets fail, running the saved run again (through its JSON) until
    /// it completes performs each action exactly once per machine, in order.
    #[test]
    fn a_saved_run_resumes_until_every_action_ran_once(failures in prop::collection::vec(0u32..4, 1..6)) {
        let key = ProductKey::parse(MAK).unwrap();
        let mut store = MakStore::new();
        let entry = store
            .add(key.clone(), &UserCatalog::new().classify(&key), Some(KeyKind::Mak), "", 0)
            .unwrap()
            .clone();
        let mut machines: Vec<Flaky> = failures
            .iter()
            .map(|&f| Flaky { failures: f, calls: vec![] })
            .collect();
        let mut targets: Vec<&mut dyn ActivationTarget> =
            machines.iter_mut().map(|m| m as &mut dyn ActivationTarget).collect();
        let list = survey(&mut targets);
        let mut saved = Run::new(mak_plan(&KeyToInstall::from_entry(&entry), None, &list, true)).to_json();
        let mut rounds = 0;
        loop {
            let mut run = Run::from_json(&saved).unwrap();
            run.execute(Some(&key), &mut targets).unwrap();
            saved = run.to_json();
            if run.is_complete() {
                prop_assert_eq!(run.online_activations(), failures.len());
                break;
            }
            let failed = run.progress.iter().any(|p| matches!(p.state, MachineState::Failed { .. }));
            prop_assert!(failed, "an incomplete run has a failed machine");
            rounds += 1;
            prop_assert!(rounds <= 8, "no progress");
        }
        drop(targets);
        for m in &machines {
            prop_assert_eq!(&m.calls, &vec!["ipk", "ato"]);
        }
    }
}
