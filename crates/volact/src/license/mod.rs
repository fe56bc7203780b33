//! Licensing as a model: license states, KMS policy values, the KMS host's count, CSVLK
//! groups, a KMS client's timers as a state machine, and the activation error codes.
//!
//! Everything here is pure and built for simulation: no I/O, no clock (time is a
//! [`Minutes`] count from an epoch the caller chooses), no randomness except through
//! [`Random`](crate::srv::Random). The KMS host is a *model* for planning — volact never
//! answers activation requests on the wire, and never generates keys or Confirmation IDs.
//!
//! - [`status`]: `LicenseStatus` 0–6 as WMI and `slmgr /dli` show it.
//! - [`policy`]: thresholds, the count window, validity, renewal and retry intervals.
//! - [`product`]: what a client runs (Windows client, Windows Server, Office) and which
//!   products a KMS host key (CSVLK) may activate.
//! - [`host`]: [`KmsHost`](host::KmsHost), the sliding 30-day count of client machine IDs and
//!   the [`Response`](host::Response) a request gets.
//! - [`client`]: [`KmsClient`](client::KmsClient), grace, validity, renewal, host caching,
//!   the client machine ID and rearm.
//! - [`mak`]: what installing a MAK does about activation.
//! - [`error_code`]: the activation error codes an administrator meets, with cause and fix.
//!
//! Sources are cited as in `research/facts.md` (S3 Office KMS pages, S5 "KMS activation
//! planning", S7 "KMS general troubleshooting", S8 "Resolving common activation error
//! codes", S9 registry settings, S10 "KMS Activation Timing and Discovery", S11 WMI, S12
//! the seed, S13 slmgr.vbs, S20 Vista Volume Activation 2.0). `docs/licensing-model.md`
//! tells the whole story, including what is documented and what is volact's inference.
//!
//! ```
//! use volact::license::client::{AttemptOutcome, KmsClient};
//! use volact::license::host::KmsHost;
//! use volact::license::product::{ClientProduct, ClientRelease, Csvlk};
//! use volact::license::{Cmid, LicenseStatus, Minutes};
//!
//! let mut host = KmsHost::new(Csvlk::Windows10);
//! let win10 = ClientProduct::Windows(ClientRelease::Windows10);
//! let mut clients: Vec<KmsClient> =
//!     (0..25).map(|i| KmsClient::new(Cmid(i), win10, Minutes(0))).collect();
//! let name = "kms1.contoso.com".parse()?;
//! for c in &mut clients {
//!     let now = c.next_attempt_at();
//!     let response = host.handle(now, &c.request(now));
//!     c.on_attempt(now, AttemptOutcome::Answered { host: &name, response });
//! }
//! // The 25th request brought the count to 25: only the 25th client is activated so far.
//! assert_eq!(clients[24].status_at(Minutes(0)), LicenseStatus::Licensed);
//! assert_eq!(clients[0].status_at(Minutes(0)), LicenseStatus::OOBGrace);
//! // The others retry 2 hours later and are activated then.
//! assert_eq!(clients[0].next_attempt_at(), Minutes::hours(2));
//! # Ok::<(), volact::srv::discovery::HostPortError>(())
//! ```

pub mod client;
pub mod error_code;
pub mod host;
pub mod mak;
pub mod policy;
pub mod product;
pub mod status;

pub use status::LicenseStatus;

use std::fmt;

/// A point in time, or a duration, in whole minutes. Points count from an epoch the caller
/// chooses (a simulation's start, say); the model never reads a clock.
///
/// Minutes are the unit Windows itself uses for these timers (`VLActivationInterval`,
/// `VLRenewalInterval`, `GracePeriodRemaining`, facts.md §4.1, §5.2).
///
/// ```
/// use volact::license::Minutes;
/// assert_eq!(Minutes::days(7), Minutes(10_080));
/// assert_eq!(Minutes::days(180).to_string(), "259200 minutes (180 days)");
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Minutes(pub u64);

impl Minutes {
    /// `h` hours.
    pub const fn hours(h: u64) -> Self {
        Minutes(h * 60)
    }

    /// `d` days.
    pub const fn days(d: u64) -> Self {
        Minutes(d * 1440)
    }

    /// The sum, saturating at `u64::MAX` minutes (far beyond any simulation).
    pub const fn saturating_add(self, other: Minutes) -> Self {
        Minutes(self.0.saturating_add(other.0))
    }

    /// The difference, 0 when `other` is later.
    pub const fn saturating_sub(self, other: Minutes) -> Self {
        Minutes(self.0.saturating_sub(other.0))
    }

    /// Whole days, rounded down.
    pub const fn whole_days(self) -> u64 {
        self.0 / 1440
    }
}

impl std::ops::Add for Minutes {
    type Output = Minutes;
    /// Saturating, so a far-future deadline never wraps to the past.
    fn add(self, rhs: Minutes) -> Minutes {
        self.saturating_add(rhs)
    }
}

impl fmt::Display for Minutes {
    /// `slmgr /xpr`-like: minutes, then whole days.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} minutes ({} days)", self.0, self.whole_days())
    }
}

/// A client machine ID (CMID): the GUID a KMS client sends with every request and the host
/// counts (`SoftwareLicensingService.ClientMachineID`, facts.md §5.2).
///
/// Windows makes a new one when `sysprep /generalize` runs (unless `SkipRearm` is 1) and
/// on `slmgr /rearm` followed by a restart ("Windows activation - duplicate Client Machine
/// ID", Microsoft Learn, 2024; the seed generalizes its reference image before imaging).
/// Machines cloned from an image that was not generalized share one CMID, and the host
/// counts them once: the classic "count stuck" (KB 929829, cited by S7).
///
/// ```
/// use volact::license::Cmid;
/// let c = Cmid(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
/// assert_eq!(c.to_string(), "01234567-89ab-cdef-0123-456789abcdef");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cmid(pub u128);

impl Cmid {
    /// A fresh random (version 4) CMID from an injected source, as `sysprep /generalize`
    /// or a rearm would make one.
    pub fn random(rng: &mut dyn crate::srv::Random) -> Self {
        let v = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        // RFC 9562 version 4, variant 10.
        let v = (v & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
        Cmid(v)
    }
}

impl fmt::Display for Cmid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            v >> 96,
            (v >> 80) & 0xFFFF,
            (v >> 64) & 0xFFFF,
            (v >> 48) & 0xFFFF,
            v & 0xFFFF_FFFF_FFFF
        )
    }
}

impl serde::Serialize for Cmid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
