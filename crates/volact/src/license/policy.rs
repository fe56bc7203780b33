//! KMS policy values: thresholds, the count window, validity, renewal and retry intervals.
//!
//! All documented (facts.md §4.1): S5 "KMS activation planning", S7 "KMS general
//! troubleshooting", S9 "Registry Settings for Volume Activation", S10 "KMS Activation
//! Timing and Discovery", S4 the slmgr reference (`/sai`, `/sri`, `/sprt`), S3 for Office.
//! The one exception is the clock-skew limit: see [`CLOCK_SKEW_FOLKLORE`].
//!
//! ```
//! use volact::license::policy::{Interval, Intervals, PolicyError};
//! let i = Interval::parse("10080")?;
//! assert_eq!(i, Intervals::default().renewal);
//! assert_eq!(Interval::new(14), Err(PolicyError::IntervalOutOfRange { minutes: 14 }));
//! # Ok::<(), PolicyError>(())
//! ```

use super::Minutes;

/// Client operating systems activate at a count of 25 or more (S5, S7, S8 0xC004F038).
pub const CLIENT_OS_THRESHOLD: u32 = 25;
/// Server operating systems activate at a count of 5 or more (S5, S8 0xC004F038).
pub const SERVER_THRESHOLD: u32 = 5;
/// Volume editions of Office activate at 5 or more: "at least four prior activation
/// requests" (S3, S5).
pub const OFFICE_THRESHOLD: u32 = 5;
/// The host counts distinct client machine IDs seen in the past 30 days (S5).
pub const COUNT_WINDOW: Minutes = Minutes::days(30);
/// The host stores the 50 most recent contacts (S5); the count never exceeds twice the
/// threshold (50, or 10 for servers only and for Office, S7, S3).
pub const CMID_CACHE: usize = 50;
/// An activation is valid for 180 days, renewed like a DHCP lease (S5, S10).
pub const VALIDITY: Minutes = Minutes::days(180);
/// Initial (out-of-box) grace of a KMS client: 30 days (S7).
pub const INITIAL_GRACE: Minutes = Minutes::days(30);
/// Out-of-tolerance grace after the validity lapses: 30 days (S3 for Office; for Vista,
/// RFM after 210 = 180 + 30 days, S20).
pub const OOT_GRACE: Minutes = Minutes::days(30);
/// The port a KMS host listens on by default (S4 `/sprt`, S5).
pub const KMS_PORT: u16 = crate::srv::record::KMS_PORT;
/// The clock-skew limit volact uses by default: **folklore, not documented**. Microsoft
/// says only that 0xC004F06C means the client's time is "too different" from the host's
/// (S8); "±4 hours" is the figure repeated in forums (facts.md §4.1 [L], §7). Keep it a
/// parameter ([`KmsHost::clock_skew_limit`](super::host::KmsHost::clock_skew_limit)).
pub const CLOCK_SKEW_FOLKLORE: Minutes = Minutes::hours(4);

/// A validated activation or renewal interval: 15 to 43,200 minutes (30 days), the range
/// `slmgr /sai` and `/sri` and the registry accept (S4, S9, S11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(into = "u32")]
pub struct Interval(u32);

/// Why a policy value is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// An interval outside 15..=43,200 minutes.
    #[error(
        "interval of {minutes} minutes is outside {}..={} minutes (slmgr /sai and /sri)",
        Interval::MIN.0,
        Interval::MAX.0
    )]
    IntervalOutOfRange {
        /// The minutes given.
        minutes: u64,
    },
    /// A text that is not a decimal number of minutes.
    #[error("interval {input:?} is not a whole number of minutes")]
    NotMinutes {
        /// The text given.
        input: String,
    },
    /// A port of 0.
    #[error("port 0 cannot be listened on: a KMS port is 1 to 65535 (default 1688)")]
    PortZero,
}

impl Interval {
    /// 15 minutes, the shortest interval.
    pub const MIN: Interval = Interval(15);
    /// 43,200 minutes (30 days), the longest.
    pub const MAX: Interval = Interval(43_200);
    /// The default activation (retry) interval: 120 minutes (S4, S9, S10).
    pub const ACTIVATION_DEFAULT: Interval = Interval(120);
    /// The default renewal interval: 10,080 minutes, 7 days (S4, S5, S9).
    pub const RENEWAL_DEFAULT: Interval = Interval(10_080);

    /// An interval of `minutes`, refused outside 15..=43,200.
    pub fn new(minutes: u64) -> Result<Self, PolicyError> {
        match u32::try_from(minutes) {
            Ok(m) if (Self::MIN.0..=Self::MAX.0).contains(&m) => Ok(Interval(m)),
            _ => Err(PolicyError::IntervalOutOfRange { minutes }),
        }
    }

    /// Reads a decimal number of minutes, as `slmgr /sai <minutes>` takes it; surrounding
    /// whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PolicyError::NotMinutes {
                input: text.to_string(),
            });
        }
        // All digits: only too many of them fails, and that is out of range.
        let minutes = t.parse::<u64>().unwrap_or(u64::MAX);
        Self::new(minutes)
    }

    /// The length.
    pub const fn minutes(self) -> Minutes {
        Minutes(self.0 as u64)
    }
}

impl From<Interval> for u32 {
    fn from(i: Interval) -> u32 {
        i.0
    }
}

impl std::str::FromStr for Interval {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, PolicyError> {
        Self::parse(s)
    }
}

/// The two intervals a KMS client follows: `VLActivationInterval` (retry while not
/// activated, and after a failed renewal) and `VLRenewalInterval` (renew while activated).
/// A client starts with its own; the host's replace them after the first response (S9, S10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Intervals {
    /// Retry interval: 120 minutes by default.
    pub activation: Interval,
    /// Renewal interval: 7 days by default.
    pub renewal: Interval,
}

impl Default for Intervals {
    fn default() -> Self {
        Intervals {
            activation: Interval::ACTIVATION_DEFAULT,
            renewal: Interval::RENEWAL_DEFAULT,
        }
    }
}

/// The lengths of a KMS client's license periods.
///
/// Initial grace and validity are documented for every KMS client (S5, S7). The 30-day
/// out-of-tolerance grace and the Notification state after it are documented for Office
/// (S3) and, as 180 + 30 = 210 days to RFM, for Windows Vista (S20); for Windows 7 and
/// later they are **volact's inference** from those and from LicenseStatus 3 reading
/// "KMS license expired" (facts.md §5.1), hence parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ClientTimers {
    /// Out-of-box grace from installation (or rearm): 30 days.
    pub initial_grace: Minutes,
    /// How long one activation or renewal lasts: 180 days.
    pub validity: Minutes,
    /// Out-of-tolerance grace once the validity lapses: 30 days (inferred for Windows 7+).
    pub oot_grace: Minutes,
}

impl Default for ClientTimers {
    fn default() -> Self {
        ClientTimers {
            initial_grace: INITIAL_GRACE,
            validity: VALIDITY,
            oot_grace: OOT_GRACE,
        }
    }
}

/// A KMS listening port (`slmgr /sprt`, `KeyManagementServiceListeningPort`; S4, S9):
/// any nonzero port.
pub fn listening_port(port: u16) -> Result<u16, PolicyError> {
    if port == 0 {
        Err(PolicyError::PortZero)
    } else {
        Ok(port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_defaults() {
        let d = Intervals::default();
        assert_eq!(d.activation.minutes(), Minutes(120));
        assert_eq!(d.renewal.minutes(), Minutes::days(7));
        assert_eq!(VALIDITY, Minutes(259_200));
        assert_eq!(KMS_PORT, 1688);
        assert_eq!(CMID_CACHE as u32, 2 * CLIENT_OS_THRESHOLD);
        let t = ClientTimers::default();
        assert_eq!(
            (t.initial_grace, t.oot_grace),
            (Minutes::days(30), Minutes::days(30))
        );
    }

    #[test]
    fn invalid_intervals_are_typed_errors() {
        assert_eq!(Interval::new(15).map(u32::from), Ok(15));
        assert_eq!(Interval::new(43_200).map(u32::from), Ok(43_200));
        for bad in [0, 14, 43_201, u64::from(u32::MAX) + 1, u64::MAX] {
            assert_eq!(
                Interval::new(bad),
                Err(PolicyError::IntervalOutOfRange { minutes: bad })
            );
        }
        assert_eq!(
            Interval::parse(" 2h"),
            Err(PolicyError::NotMinutes {
                input: " 2h".into()
            })
        );
        assert!(matches!(
            Interval::parse(""),
            Err(PolicyError::NotMinutes { .. })
        ));
        assert!(matches!(
            Interval::parse("-20"),
            Err(PolicyError::NotMinutes { .. })
        ));
        assert!(matches!(
            Interval::parse("99999999999999999999999"),
            Err(PolicyError::IntervalOutOfRange { .. })
        ));
        let e = Interval::parse("7").unwrap_err().to_string();
        assert!(e.contains('7') && e.contains("15..=43200"), "{e}");
        assert_eq!(listening_port(0), Err(PolicyError::PortZero));
        assert_eq!(listening_port(1688), Ok(1688));
    }

    proptest! {
        #[test]
        fn parse_agrees_with_new(m in 0u64..100_000) {
            prop_assert_eq!(Interval::parse(&m.to_string()), Interval::new(m));
        }
    }
}
