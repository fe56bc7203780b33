//! `LicenseStatus`: the seven license states of the Software Protection Platform.
//!
//! The WMI property `SoftwareLicensingProduct.LicenseStatus` and the `License Status:` line
//! of `slmgr /dli` (facts.md §5.1, from S11 WMI, S13 slmgr.vbs and published outputs S18):
//!
//! | value | state | `slmgr /dli` |
//! |---|---|---|
//! | 0 | Unlicensed | Unlicensed |
//! | 1 | Licensed | Licensed |
//! | 2 | OOBGrace | Initial grace period |
//! | 3 | OOTGrace | Additional grace period (KMS license expired or hardware out of tolerance) |
//! | 4 | NonGenuineGrace | Non-genuine grace period |
//! | 5 | Notification | Notification |
//! | 6 | ExtendedGrace | Extended grace period |
//!
//! ```
//! use volact::license::LicenseStatus;
//! let s = LicenseStatus::from_wmi(3)?;
//! assert_eq!(s, LicenseStatus::OOTGrace);
//! assert_eq!(s.to_wmi(), 3);
//! assert!(s.dli_text().starts_with("Additional grace period"));
//! assert!(LicenseStatus::from_wmi(7).is_err());
//! # Ok::<(), volact::license::status::LicenseStatusError>(())
//! ```

use std::fmt;

/// A license state (facts.md §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[repr(u8)]
pub enum LicenseStatus {
    /// 0: no license (for example the product key was uninstalled, `slmgr /upk`, S4).
    Unlicensed = 0,
    /// 1: activated; a KMS client shows how long the volume activation lasts.
    Licensed = 1,
    /// 2: out-of-box (initial) grace: installed, not yet activated.
    OOBGrace = 2,
    /// 3: out-of-tolerance grace: the KMS activation expired, or the hardware changed too much.
    OOTGrace = 3,
    /// 4: non-genuine grace.
    NonGenuineGrace = 4,
    /// 5: notification: a grace period ran out (reason 0xC004F009) or the copy is not
    /// genuine (0xC004F200).
    Notification = 5,
    /// 6: extended grace.
    ExtendedGrace = 6,
}

/// A WMI `LicenseStatus` value outside 0–6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseStatusError {
    /// The value is not one of the seven states.
    #[error("license status {value} is not a LicenseStatus value (0 to 6)")]
    OutOfRange {
        /// The value given.
        value: u32,
    },
}

impl LicenseStatus {
    /// All seven, in WMI order.
    pub const ALL: [LicenseStatus; 7] = [
        LicenseStatus::Unlicensed,
        LicenseStatus::Licensed,
        LicenseStatus::OOBGrace,
        LicenseStatus::OOTGrace,
        LicenseStatus::NonGenuineGrace,
        LicenseStatus::Notification,
        LicenseStatus::ExtendedGrace,
    ];

    /// The state for a WMI `LicenseStatus` value.
    pub fn from_wmi(value: u32) -> Result<Self, LicenseStatusError> {
        usize::try_from(value)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or(LicenseStatusError::OutOfRange { value })
    }

    /// The WMI `LicenseStatus` value.
    pub const fn to_wmi(self) -> u32 {
        self as u32
    }

    /// The WMI name (`OOBGrace`, …), as the KMS host's per-state request counters use it
    /// (`KeyManagementServiceOOBGraceRequests`, facts.md §5.1).
    pub const fn name(self) -> &'static str {
        match self {
            LicenseStatus::Unlicensed => "Unlicensed",
            LicenseStatus::Licensed => "Licensed",
            LicenseStatus::OOBGrace => "OOBGrace",
            LicenseStatus::OOTGrace => "OOTGrace",
            LicenseStatus::NonGenuineGrace => "NonGenuineGrace",
            LicenseStatus::Notification => "Notification",
            LicenseStatus::ExtendedGrace => "ExtendedGrace",
        }
    }

    /// What `slmgr /dli` prints after `License Status: ` (facts.md §5.1, S13).
    pub const fn dli_text(self) -> &'static str {
        match self {
            LicenseStatus::Unlicensed => "Unlicensed",
            LicenseStatus::Licensed => "Licensed",
            LicenseStatus::OOBGrace => "Initial grace period",
            LicenseStatus::OOTGrace => {
                "Additional grace period (KMS license expired or hardware out of tolerance)"
            }
            LicenseStatus::NonGenuineGrace => "Non-genuine grace period",
            LicenseStatus::Notification => "Notification",
            LicenseStatus::ExtendedGrace => "Extended grace period",
        }
    }
}

impl fmt::Display for LicenseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<u32> for LicenseStatus {
    type Error = LicenseStatusError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::from_wmi(value)
    }
}

impl From<LicenseStatus> for u32 {
    fn from(s: LicenseStatus) -> u32 {
        s.to_wmi()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wmi_values_round_trip_and_eight_is_refused() {
        for v in 0..7u32 {
            let s = LicenseStatus::from_wmi(v).unwrap();
            assert_eq!(s.to_wmi(), v);
            assert_eq!(LicenseStatus::try_from(u32::from(s)), Ok(s));
        }
        for v in [7, 8, 255, u32::MAX] {
            assert_eq!(
                LicenseStatus::from_wmi(v),
                Err(LicenseStatusError::OutOfRange { value: v })
            );
        }
        assert!(
            LicenseStatus::from_wmi(9)
                .unwrap_err()
                .to_string()
                .contains('9')
        );
    }

    #[test]
    fn dli_wording() {
        assert_eq!(LicenseStatus::OOBGrace.dli_text(), "Initial grace period");
        assert_eq!(LicenseStatus::Notification.dli_text(), "Notification");
        assert_eq!(LicenseStatus::ExtendedGrace.to_string(), "ExtendedGrace");
    }
}
