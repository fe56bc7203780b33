//! Licensing: license states with their WMI values, KMS policy intervals, and the activation
//! error codes with cause and fix.
//!
//! Every answer comes from `volact_core::license`; this file converts its types into uniffi
//! records and its errors into [`VolactError`].

use super::*;
use volact_core::license::{self as core_license, error_code, policy};

/// A license state: `SoftwareLicensingProduct.LicenseStatus`, the WMI value as the enum
/// value (`LicenseStatus.OOB_GRACE.value == 2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
#[repr(u8)]
pub enum LicenseStatus {
    /// 0: no license.
    Unlicensed = 0,
    /// 1: activated.
    Licensed = 1,
    /// 2: out-of-box (initial) grace.
    OobGrace = 2,
    /// 3: out-of-tolerance grace (KMS activation expired, or hardware changed).
    OotGrace = 3,
    /// 4: non-genuine grace.
    NonGenuineGrace = 4,
    /// 5: notification.
    Notification = 5,
    /// 6: extended grace.
    ExtendedGrace = 6,
}

impl From<core_license::LicenseStatus> for LicenseStatus {
    fn from(s: core_license::LicenseStatus) -> Self {
        use core_license::LicenseStatus as C;
        match s {
            C::Unlicensed => LicenseStatus::Unlicensed,
            C::Licensed => LicenseStatus::Licensed,
            C::OOBGrace => LicenseStatus::OobGrace,
            C::OOTGrace => LicenseStatus::OotGrace,
            C::NonGenuineGrace => LicenseStatus::NonGenuineGrace,
            C::Notification => LicenseStatus::Notification,
            C::ExtendedGrace => LicenseStatus::ExtendedGrace,
        }
    }
}

impl From<LicenseStatus> for core_license::LicenseStatus {
    fn from(s: LicenseStatus) -> Self {
        use core_license::LicenseStatus as C;
        match s {
            LicenseStatus::Unlicensed => C::Unlicensed,
            LicenseStatus::Licensed => C::Licensed,
            LicenseStatus::OobGrace => C::OOBGrace,
            LicenseStatus::OotGrace => C::OOTGrace,
            LicenseStatus::NonGenuineGrace => C::NonGenuineGrace,
            LicenseStatus::Notification => C::Notification,
            LicenseStatus::ExtendedGrace => C::ExtendedGrace,
        }
    }
}

impl From<core_license::status::LicenseStatusError> for VolactError {
    fn from(e: core_license::status::LicenseStatusError) -> Self {
        VolactError::InvalidLicenseStatus {
            message: e.to_string(),
        }
    }
}

impl From<policy::PolicyError> for VolactError {
    fn from(e: policy::PolicyError) -> Self {
        let kind = match &e {
            policy::PolicyError::IntervalOutOfRange { .. } => "out_of_range",
            policy::PolicyError::NotMinutes { .. } => "not_minutes",
            _ => "other",
        };
        VolactError::InvalidPolicy {
            message: e.to_string(),
            kind: kind.to_owned(),
        }
    }
}

impl From<error_code::LookupError> for VolactError {
    fn from(e: error_code::LookupError) -> Self {
        match e {
            error_code::LookupError::Unknown { code } => VolactError::UnknownErrorCode {
                message: e.to_string(),
                code,
            },
            _ => VolactError::InvalidErrorCode {
                message: e.to_string(),
            },
        }
    }
}

/// The state for a WMI `LicenseStatus` value. Raises `VolactError.InvalidLicenseStatus`
/// outside 0–6.
#[uniffi::export]
pub fn license_status_from_wmi(value: u32) -> Result<LicenseStatus, VolactError> {
    Ok(core_license::LicenseStatus::from_wmi(value)?.into())
}

/// The WMI name: `Unlicensed`, `OOBGrace`, `OOTGrace`, ….
#[uniffi::export]
pub fn license_status_name(status: LicenseStatus) -> String {
    core_license::LicenseStatus::from(status).name().to_owned()
}

/// What `slmgr /dli` prints after `License Status: ` (`Initial grace period`, …).
#[uniffi::export]
pub fn license_status_dli_text(status: LicenseStatus) -> String {
    core_license::LicenseStatus::from(status)
        .dli_text()
        .to_owned()
}

/// An activation or renewal interval (`slmgr /sai`, `/sri`) checked: the minutes back for
/// 15 to 43,200. Raises `VolactError.InvalidPolicy` (`kind` `out_of_range`).
#[uniffi::export]
pub fn check_interval(minutes: u64) -> Result<u32, VolactError> {
    Ok(policy::Interval::new(minutes)?.into())
}

/// An interval read as `slmgr /sai <minutes>` takes it (whitespace around it ignored).
/// Raises `VolactError.InvalidPolicy` (`kind` `not_minutes` or `out_of_range`).
#[uniffi::export]
pub fn parse_interval(text: String) -> Result<u32, VolactError> {
    Ok(policy::Interval::parse(&text)?.into())
}

/// One activation error code of volact's table.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct ErrorExplanation {
    /// The HRESULT, unsigned (`0xC004F074`).
    pub code: u32,
    /// The code as every front end spells it: `0xC004F074`.
    pub hex: String,
    /// The message Windows shows.
    pub message: String,
    /// Who reports it: MAK, KMS client, KMS host.
    pub applies_to: String,
    /// The likely cause.
    pub cause: String,
    /// What to try, with the slmgr commands.
    pub fix: String,
    /// Where this comes from (a URL, or volact's research notes).
    pub source: String,
}

py_repr!(ErrorExplanation {
    code,
    hex,
    message,
    applies_to,
    cause,
    fix,
    source
});

impl From<&error_code::ErrorCode> for ErrorExplanation {
    fn from(e: &error_code::ErrorCode) -> Self {
        ErrorExplanation {
            code: e.code,
            hex: error_code::format_code(e.code),
            message: e.message.to_owned(),
            applies_to: e.applies_to.to_owned(),
            cause: e.cause.to_owned(),
            fix: e.fix.to_owned(),
            source: e.source.to_owned(),
        }
    }
}

/// The table entry for a code given as text: `0xC004F074`, `C004F074`, `3221549172` or
/// `-1073418124`. Raises `VolactError.InvalidErrorCode` (not a code) or
/// `VolactError.UnknownErrorCode` (not in the table).
#[uniffi::export]
pub fn explain(code: String) -> Result<ErrorExplanation, VolactError> {
    Ok(error_code::lookup(&code)?.into())
}

/// The record `volact explain --json` prints for a text, as JSON (also for unknown codes
/// and texts that are not codes: `"known": false` and the reason in `"error"`).
#[uniffi::export]
pub fn explain_json(code: String) -> String {
    crate::srv::to_json(&error_code::Explanation::of(&code))
}

/// Every code volact knows, in numeric order.
#[uniffi::export]
pub fn all_error_codes() -> Vec<ErrorExplanation> {
    error_code::all()
        .iter()
        .map(ErrorExplanation::from)
        .collect()
}
