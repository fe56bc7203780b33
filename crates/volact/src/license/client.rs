//! A KMS client's licensing behaviour over time, as a state machine for simulation.
//!
//! The timeline (facts.md §4.1, §5.3):
//!
//! - **Initial grace** (OOBGrace): 30 days from installation or rearm; the client tries to
//!   activate at once and retries every activation interval, 120 minutes by default (S7, S10).
//! - **Licensed**: an activation is valid for 180 days and the client renews every renewal
//!   interval, 7 days by default; each success restarts the 180 days, like a DHCP lease
//!   (S5, S10). A failed renewal is retried every activation interval (S10).
//! - **Out-of-tolerance grace** (OOTGrace): 30 days once the validity lapses, then
//!   **Notification** (reason 0xC004F009, S8). Documented for Office (S3) and, as RFM after
//!   210 days, for Vista (S20); for Windows 7 and later **an inference**, so the lengths are
//!   parameters ([`ClientTimers`]).
//! - Pre-SP1 Windows Vista entered **Reduced Functionality Mode** where later versions enter
//!   Notification; RFM "only applies to the pre-SP1 version of Windows Vista" (the seed,
//!   S12; S20). [`EndOfGrace`] says which.
//! - The host's intervals replace the client's after the first response (S9, S10).
//! - The host that activated the client is cached and tried first next time while host
//!   caching is on (S4, S10); the order of attempts is [`srv::discovery`](crate::srv::discovery).
//!
//! The status is computed from two stored deadlines, so it changes without events: a
//! simulator schedules only [`next_attempt_at`](KmsClient::next_attempt_at).
//!
//! ```
//! use volact::license::client::{AttemptOutcome, KmsClient};
//! use volact::license::product::{ClientProduct, ServerGroup, ServerRelease};
//! use volact::license::{Cmid, LicenseStatus, Minutes};
//! let product = ClientProduct::Server { release: ServerRelease::Server2022, group: ServerGroup::B };
//! let mut c = KmsClient::new(Cmid(1), product, Minutes(0));
//! assert_eq!(c.status_at(Minutes::days(29)), LicenseStatus::OOBGrace);
//! assert_eq!(c.status_at(Minutes::days(30)), LicenseStatus::Notification);
//! let r = c.on_attempt(Minutes(0), AttemptOutcome::NoHostReachable);
//! assert_eq!(r.error_code, Some(0xC004F074));
//! assert_eq!(r.next_attempt, Minutes(120));
//! ```

use super::host::{KmsRequest, Response};
use super::policy::{ClientTimers, Intervals};
use super::product::ClientProduct;
use super::{Cmid, LicenseStatus, Minutes};
use crate::srv::Random;
use crate::srv::discovery::{ClientConfig, Discovery, HostPort, discover};
use crate::srv::record::SrvLookup;

/// What happens when every grace period has run out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EndOfGrace {
    /// Notification (LicenseStatus 5): Windows Vista SP1 and later, Server 2008 and later,
    /// Office (S12, S20, S3).
    #[default]
    Notification,
    /// Reduced Functionality Mode: pre-SP1 Windows Vista only (S12, S20). WMI still reads
    /// the state as [`LicenseStatus::Notification`] in this model; which value a pre-SP1
    /// Vista reported is not in the sources.
    ReducedFunctionality,
}

/// What came of one activation attempt: the first host that answered, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome<'a> {
    /// A host answered; its answer decides the attempt.
    Answered {
        /// The host, as the client would cache it.
        host: &'a HostPort,
        /// What it answered.
        response: Response,
    },
    /// No host could be reached: 0xC004F074 (S8).
    NoHostReachable,
}

/// What [`KmsClient::on_attempt`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct AttemptReport {
    /// Whether the client is now activated (or renewed).
    pub activated: bool,
    /// The HRESULT of a failure (S8).
    pub error_code: Option<u32>,
    /// The status just before.
    pub before: LicenseStatus,
    /// The status just after.
    pub after: LicenseStatus,
    /// When the client tries next.
    pub next_attempt: Minutes,
}

/// Why a rearm cannot happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RearmError {
    /// The rearm count is used up (`RemainingWindowsReArmCount` 0; facts.md §5.2).
    #[error("no rearms left (RemainingWindowsReArmCount is 0)")]
    NoneLeft,
}

/// A KMS client (a volume edition with a GVLK installed).
///
/// The public fields are its configuration; the rest is state the transitions keep. About
/// 120 bytes plus the cached host's name: a simulator keeps one per machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsClient {
    /// The client machine ID. A clone made with `Clone` shares it, as an image deployed
    /// without `sysprep /generalize` does.
    pub cmid: Cmid,
    /// What it runs.
    pub product: ClientProduct,
    /// Grace and validity lengths.
    pub timers: ClientTimers,
    /// Its own intervals, used until a host answers.
    pub client_intervals: Intervals,
    /// Its clock minus the true time, in minutes (a skewed clock; S8 0xC004F06C).
    pub clock_offset: i64,
    /// `RemainingWindowsReArmCount`. 1000 by default, as observed on Windows 8 and later
    /// (S3, S18); Vista allowed 3 to 5 (S20): set it for the OS modelled.
    pub rearms_left: u32,
    /// RFM (pre-SP1 Vista) or Notification.
    pub end_of_grace: EndOfGrace,
    grace_start: Minutes,
    licensed_until: Option<Minutes>,
    host_intervals: Option<Intervals>,
    cached_host: Option<HostPort>,
    next_attempt: Minutes,
}

impl KmsClient {
    /// A client installed at `installed_at`, in initial grace, trying to activate at once.
    pub fn new(cmid: Cmid, product: ClientProduct, installed_at: Minutes) -> Self {
        KmsClient {
            cmid,
            product,
            timers: ClientTimers::default(),
            client_intervals: Intervals::default(),
            clock_offset: 0,
            rearms_left: 1000,
            end_of_grace: EndOfGrace::Notification,
            grace_start: installed_at,
            licensed_until: None,
            host_intervals: None,
            cached_host: None,
            next_attempt: installed_at,
        }
    }

    /// The license state at `now`, from the stored deadlines.
    pub fn status_at(&self, now: Minutes) -> LicenseStatus {
        match self.licensed_until {
            Some(until) if now < until => LicenseStatus::Licensed,
            Some(until) if now < until + self.timers.oot_grace => LicenseStatus::OOTGrace,
            Some(_) => LicenseStatus::Notification,
            None if now < self.grace_start + self.timers.initial_grace => LicenseStatus::OOBGrace,
            None => LicenseStatus::Notification,
        }
    }

    /// `LicenseStatusReason` at `now`: 0xC004F009 "grace period expired" in Notification
    /// (S8), else none.
    pub fn status_reason_at(&self, now: Minutes) -> Option<u32> {
        (self.status_at(now) == LicenseStatus::Notification).then_some(0xC004_F009)
    }

    /// Whether the machine is in Reduced Functionality Mode (pre-SP1 Vista only).
    pub fn reduced_functionality_at(&self, now: Minutes) -> bool {
        self.end_of_grace == EndOfGrace::ReducedFunctionality
            && self.status_at(now) == LicenseStatus::Notification
    }

    /// The next moment after `now` at which the status changes by itself, if any.
    pub fn next_status_change_after(&self, now: Minutes) -> Option<Minutes> {
        let deadlines = match self.licensed_until {
            Some(until) => [Some(until), Some(until + self.timers.oot_grace)],
            None => [Some(self.grace_start + self.timers.initial_grace), None],
        };
        deadlines.into_iter().flatten().find(|&d| d > now)
    }

    /// When the current activation lapses (`slmgr /xpr`), if the client was ever activated.
    pub fn licensed_until(&self) -> Option<Minutes> {
        self.licensed_until
    }

    /// When the client next tries to activate or renew.
    pub fn next_attempt_at(&self) -> Minutes {
        self.next_attempt
    }

    /// The intervals in force: the last host's, else the client's own.
    pub fn intervals(&self) -> Intervals {
        self.host_intervals.unwrap_or(self.client_intervals)
    }

    /// The intervals the last host handed over, if a host has answered.
    pub fn host_intervals(&self) -> Option<Intervals> {
        self.host_intervals
    }

    /// The host that last activated the client.
    pub fn cached_host(&self) -> Option<&HostPort> {
        self.cached_host.as_ref()
    }

    /// The request the client sends at true time `now`.
    pub fn request(&self, now: Minutes) -> KmsRequest {
        KmsRequest {
            cmid: self.cmid,
            product: self.product,
            client_time: Minutes(now.0.saturating_add_signed(self.clock_offset)),
            status: self.status_at(now),
        }
    }

    /// The hosts this client tries, in order: `config` (its site's registry and DNS
    /// settings) with this client's cached host, through [`discover`].
    pub fn discover(
        &self,
        config: &ClientConfig,
        dns: &mut dyn SrvLookup,
        rng: &mut dyn Random,
    ) -> Discovery {
        if config.cached_host == self.cached_host {
            return discover(config, dns, rng);
        }
        let mut config = config.clone();
        config.cached_host = self.cached_host.clone();
        discover(&config, dns, rng)
    }

    /// Applies the outcome of the attempt made at `now`.
    pub fn on_attempt(&mut self, now: Minutes, outcome: AttemptOutcome<'_>) -> AttemptReport {
        let before = self.status_at(now);
        let (activated, error_code) = match outcome {
            AttemptOutcome::Answered { host, response } => {
                if let Some(i) = response.intervals() {
                    self.host_intervals = Some(i);
                }
                if response.is_activated() {
                    self.licensed_until = Some(now + self.timers.validity);
                    if self.cached_host.as_ref() != Some(host) {
                        self.cached_host = Some(host.clone());
                    }
                }
                (response.is_activated(), response.error_code())
            }
            AttemptOutcome::NoHostReachable => (false, Some(0xC004_F074)),
        };
        let i = self.intervals();
        let wait = if activated { i.renewal } else { i.activation };
        self.next_attempt = now + wait.minutes();
        AttemptReport {
            activated,
            error_code,
            before,
            after: self.status_at(now),
            next_attempt: self.next_attempt,
        }
    }

    /// `slmgr /rearm` at `now` (and the restart after it): back to initial grace with a new
    /// CMID (facts.md §4.4; "Windows activation - duplicate Client Machine ID"), one rearm
    /// used. The next attempt is at once. The cached host and the host's intervals stay:
    /// the sources do not say a rearm clears them.
    pub fn rearm(&mut self, now: Minutes, rng: &mut dyn Random) -> Result<(), RearmError> {
        self.rearms_left = self
            .rearms_left
            .checked_sub(1)
            .ok_or(RearmError::NoneLeft)?;
        self.cmid = Cmid::random(rng);
        self.grace_start = now;
        self.licensed_until = None;
        self.next_attempt = now;
        Ok(())
    }

    /// `sysprep /generalize` at `now`: runs a rearm, which gives the image a new CMID,
    /// unless `skip_rearm` (`SkipRearm` = 1), which keeps the CMID and the timers — so
    /// every machine deployed from the image shares one CMID (facts.md §4.4, the seed, and
    /// "Windows activation - duplicate Client Machine ID"). Deploy copies with `Clone` and
    /// call this on each copy to model a generalized image.
    pub fn generalize(
        &mut self,
        now: Minutes,
        skip_rearm: bool,
        rng: &mut dyn Random,
    ) -> Result<(), RearmError> {
        if skip_rearm {
            Ok(())
        } else {
            self.rearm(now, rng)
        }
    }
}

#[cfg(test)]
mod tests;
