//! Workflows: VAMT's and `slmgr.vbs`'s operations as plans of typed actions, run against
//! machines through [`ActivationTarget`], with Confirmation IDs arriving through
//! [`ConfirmationIdSource`].
//!
//! - [`target`]: the [`ActivationTarget`] trait an embedder implements (WMI/CIM, an agent).
//! - [`cid_source`]: [`ConfirmationIdSource`] and the two lookups volact ships (a CIL returned
//!   by VAMT, a phone-activation CSV); [`acquire`] is proxy step 9.
//! - [`edition`]: `EditionID` against the published GVLK tables.
//! - [`applicability`]: which machines an action applies to, and why the others are skipped.
//! - [`plan`]: per-machine actions, rendered as `slmgr.vbs` lines, PowerShell or JSON.
//! - [`run`]: survey, the plan builders (preflight, MAK independent, proxy install, the full
//!   CIL, apply, reapply) and [`Run`], a plan's progress that can be saved and resumed.
//! - [`proxy`]: the seed's 13 proxy-activation steps and what volact does for each.
//!
//! The core never talks to a machine: every effect goes through the trait. It never creates
//! IDs or keys; `volact-sim` (unpublished) simulates machines and a CID source for tests.

pub mod api;
pub mod applicability;
pub mod cid_source;
pub mod edition;
pub mod inventory;
pub mod kms;
pub mod plan;
pub mod proxy;
pub mod run;
pub mod target;

pub use applicability::{KeyToInstall, Rule, Verdict, check_install};
pub use cid_source::{
    AcquireOutcome, AcquireReport, AcquireRow, CidAnswer, CidRequest, ConfirmationIdSource,
    PhoneCsv, ReturnedCil, acquire,
};
pub use plan::{Action, Format, MachinePlan, Plan, PlanKind, Requirement, Skip};
pub use run::{
    ComputerIndex, MachineProgress, MachineState, MatchedBy, Run, Surveyed, apply_plan,
    collect_cil, mak_plan, match_computer, preflight_plan, reapply_plan, survey,
};
pub use target::{
    ActivationTarget, LicensingValue, MachineInfo, NetworkType, RegistryData, RegistryKind,
    TargetError, TargetProduct, WINDOWS_APPLICATION_ID,
};

/// Why a workflow cannot be built or run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// A phone-activation CSV line that is not `installation_id,confirmation_id`.
    #[error("CID CSV line {line}: {detail}")]
    CidCsv {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// A plan or saved run that is not valid JSON of the right shape.
    #[error("plan JSON line {line}, column {column}: {detail}")]
    PlanJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        detail: String,
    },
    /// A survey that is not valid JSON of the survey shape (position in the survey text).
    #[error("survey JSON line {line}, column {column}: {detail}")]
    SurveyJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        detail: String,
    },
    /// Inputs that do not fit together.
    #[error("{detail}")]
    Input {
        /// What is wrong.
        detail: String,
    },
}

#[cfg(test)]
mod tests;
