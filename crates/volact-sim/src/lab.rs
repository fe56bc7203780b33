//! The seed's isolated lab ("MAK proxy activation", the Isolated Lab Group): what the
//! integration test `tests/isolated_lab.rs` and the example `isolated_lab` both start from.
//!
//! The MAK is the published "twin" test key `VKCF7-HV62C-944TY-YJ9NF-6Q83G` (facts.md §1.3:
//! group 3892, serial 1, not a GVLK). Only the fictitious pkeyconfig file of volact's tests
//! (`crates/volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms`) makes it a `Volume:MAK`, of
//! the fictitious edition `EnterpriseTest`: imported into a
//! [`UserCatalog`](volact_core::catalog::UserCatalog), it is the only reason volact calls the
//! key a MAK. It says nothing about what the key really is.

use crate::{SimulatedActivationService, SimulatedMachine};
use volact_core::workflow::{ActivationTarget, MachineState, Run, Surveyed};

/// The MAK of the lab (see the module doc).
pub const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
/// The fictitious pkeyconfig file that classifies [`MAK`] (volact's test data).
pub const PKEYCONFIG: &[u8] =
    include_bytes!("../../volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms");
/// The name [`PKEYCONFIG`] is imported under.
pub const PKEYCONFIG_NAME: &str = "mak-retail-oem.xrm-ms";
/// The lab's workgroup.
pub const WORKGROUP: &str = "LAB";
/// The VAMT group the seed names.
pub const GROUP: &str = "Isolated Lab Group";
/// The product family of every lab machine.
pub const FAMILY: &str = "Windows 11";
/// How many volume machines the lab has.
pub const VOLUME_MACHINES: usize = 10;
/// The retail machine's name: Windows 11 Home (`EditionID` `Core`), which a MAK cannot
/// activate (the seed, proxy step 5.4).
pub const RETAIL_MACHINE: &str = "LAB-PC11";

/// The lab: `LAB-PC01`…`LAB-PC10` running `edition_id`, then [`RETAIL_MACHINE`], all in
/// workgroup [`WORKGROUP`], none with Internet.
pub fn machines(service: &SimulatedActivationService, edition_id: &str) -> Vec<SimulatedMachine> {
    let mut lab: Vec<SimulatedMachine> = (1..=VOLUME_MACHINES)
        .map(|i| {
            SimulatedMachine::new(&format!("LAB-PC{i:02}"), FAMILY, edition_id, service)
                .in_workgroup(WORKGROUP)
        })
        .collect();
    lab.push(
        SimulatedMachine::new(RETAIL_MACHINE, FAMILY, "Core", service).in_workgroup(WORKGROUP),
    );
    lab
}

/// The machines as the targets the workflows take, in order.
pub fn targets(machines: &mut [SimulatedMachine]) -> Vec<&mut dyn ActivationTarget> {
    machines
        .iter_mut()
        .map(|m| m as &mut dyn ActivationTarget)
        .collect()
}

/// Proxy step 6.1, "select the computers that successfully received a MAK": the survey
/// entries of the machines whose run of the install plan is done.
pub fn received(surveyed: &[Surveyed], install: &Run) -> Vec<Surveyed> {
    surveyed
        .iter()
        .zip(&install.progress)
        .filter(|(_, p)| p.state == MachineState::Done)
        .map(|(s, _)| s.clone())
        .collect()
}
