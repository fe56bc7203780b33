//! The KMS fleet simulator: a scenario (TOML) in, the report (JSON) out — the `FleetReport`
//! that `volact simulate --json` prints. The Python layer turns it into a dict.

use crate::VolactError;
use crate::srv::to_json;

impl From<volact_core::fleet::ScenarioError> for VolactError {
    fn from(e: volact_core::fleet::ScenarioError) -> Self {
        VolactError::InvalidScenario {
            message: e.to_string(),
        }
    }
}

/// Runs a fleet scenario (`docs/fleet-simulation.md`) and returns its report as JSON; the
/// same seed gives the same report. Raises `VolactError.InvalidScenario` naming the line.
#[uniffi::export]
pub fn run_scenario(toml: String) -> Result<String, VolactError> {
    Ok(to_json(&volact_core::fleet::run_toml(&toml)?))
}
