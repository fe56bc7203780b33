//! A KMS host as a model: its keys, its count of client machine IDs, and the response a
//! request gets. Pure code for planning and simulation: volact never answers activation
//! requests on the wire.
//!
//! The count (facts.md §4.1; S5 "KMS activation planning", S7, S3 for Office):
//! - one count for Windows, cumulative across client and server operating systems, and one
//!   for Office;
//! - of the distinct client machine IDs (CMIDs) seen in the past 30 days, the requester
//!   included: "the host adds the machine ID to its count and then returns the current
//!   count value in its response" (S5);
//! - the host stores only the 50 most recent contacts (S5), and the count never exceeds
//!   twice the highest threshold requested: 50 once a client OS (threshold 25) has asked,
//!   10 with servers only or for Office (S7, S3). volact reads "requested" as "among the
//!   contacts still in the window";
//! - a request activates when the count meets the product's threshold (25 client OS,
//!   5 server OS and Office).
//!
//! Order of checks, volact's reading where Microsoft is silent: a request for a product
//! none of the host's keys may activate gets 0xC004F042 (S8); one whose key is not
//! activated gets 0xC004F041 (S8); one whose timestamp is too far from the host's clock
//! gets 0xC004F06C (S8; the limit is a parameter, see
//! [`CLOCK_SKEW_FOLKLORE`](super::policy::CLOCK_SKEW_FOLKLORE)). None of these is counted:
//! only a request the host can serve adds its CMID.
//!
//! Cost: a request is O(log 50) plus a move of at most 50 entries, and allocates nothing
//! once a pool has seen 50 CMIDs. Memory is fixed per host.
//!
//! ```
//! use volact::license::host::{KmsHost, KmsRequest};
//! use volact::license::product::{ClientProduct, ClientRelease, Csvlk};
//! use volact::license::{Cmid, LicenseStatus, Minutes};
//! let mut host = KmsHost::new(Csvlk::Server2022);
//! let request = |i| KmsRequest {
//!     cmid: Cmid(i),
//!     product: ClientProduct::Windows(ClientRelease::Windows11),
//!     client_time: Minutes(0),
//!     status: LicenseStatus::OOBGrace,
//! };
//! for i in 0..24 {
//!     assert_eq!(host.handle(Minutes(0), &request(i)).error_code(), Some(0xC004F038));
//! }
//! assert!(host.handle(Minutes(0), &request(24)).is_activated()); // the 25th
//! ```

use super::policy::{CLOCK_SKEW_FOLKLORE, CMID_CACHE, COUNT_WINDOW, Intervals};
use super::product::{ClientProduct, CountPool, Csvlk};
use super::{Cmid, LicenseStatus, Minutes};
use std::collections::VecDeque;

/// One activation request, as the model needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KmsRequest {
    /// The client machine ID.
    pub cmid: Cmid,
    /// What the client wants activated.
    pub product: ClientProduct,
    /// The client's clock when it sent the request (UTC, S8 0xC004F06C).
    pub client_time: Minutes,
    /// The client's license state, for the host's per-state counters (S11).
    pub status: LicenseStatus,
}

/// What a host answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// Activated (or renewed): the count met the threshold.
    Activated {
        /// The count the host returned.
        count: u32,
        /// The host's intervals, which replace the client's (S9, S10).
        intervals: Intervals,
    },
    /// 0xC004F038: the count is below the product's threshold.
    CountTooLow {
        /// The count the host returned.
        count: u32,
        /// The product's threshold.
        required: u32,
        /// The host's intervals, which replace the client's.
        intervals: Intervals,
    },
    /// 0xC004F042: none of the host's keys may activate the product.
    ProductNotSupported,
    /// 0xC004F041: the host's key for the product is not activated.
    HostNotActivated,
    /// 0xC004F06C: the client's clock is too far from the host's.
    TimestampInvalid,
}

impl Response {
    /// Whether the client is activated.
    pub const fn is_activated(&self) -> bool {
        matches!(self, Response::Activated { .. })
    }

    /// The HRESULT the client reports, `None` on success (S8).
    pub const fn error_code(&self) -> Option<u32> {
        match self {
            Response::Activated { .. } => None,
            Response::CountTooLow { .. } => Some(0xC004_F038),
            Response::ProductNotSupported => Some(0xC004_F042),
            Response::HostNotActivated => Some(0xC004_F041),
            Response::TimestampInvalid => Some(0xC004_F06C),
        }
    }

    /// The host's intervals, carried by the responses that report a count.
    pub const fn intervals(&self) -> Option<Intervals> {
        match self {
            Response::Activated { intervals, .. } | Response::CountTooLow { intervals, .. } => {
                Some(*intervals)
            }
            _ => None,
        }
    }
}

/// A key installed on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct HostKey {
    /// The declared group.
    pub csvlk: Csvlk,
    /// Whether the key itself is activated with Microsoft (`slmgr /ato` on the host).
    pub activated: bool,
}

/// The WMI request counters of a host (`KeyManagementServiceTotalRequests`,
/// `…FailedRequests`, and one per license state of the requester; S11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct HostCounters {
    /// Every request.
    pub total: u64,
    /// Requests not activated.
    pub failed: u64,
    /// Requests by the requester's `LicenseStatus` (index = WMI value).
    pub by_status: [u64; 7],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Contact {
    cmid: Cmid,
    last_seen: Minutes,
    threshold: u32,
}

/// The most recent contacts of one pool, oldest first, at most [`CMID_CACHE`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Contacts {
    seen: VecDeque<Contact>,
}

impl Contacts {
    /// Index of the first contact still in the window at `now`: last seen less than 30
    /// days ago (a CMID last seen exactly 30 days ago has dropped out).
    fn first_live(&self, now: Minutes) -> usize {
        self.seen
            .partition_point(|c| c.last_seen.saturating_add(COUNT_WINDOW) <= now)
    }

    fn record(&mut self, now: Minutes, cmid: Cmid, threshold: u32) {
        if let Some(i) = self.seen.iter().position(|c| c.cmid == cmid) {
            self.seen.remove(i);
        }
        let expired = self.first_live(now);
        self.seen.drain(..expired);
        if self.seen.len() >= CMID_CACHE {
            self.seen.pop_front();
        }
        // Requests usually come in time order, so this is the back; a caller replaying
        // out of order still keeps the queue sorted.
        let at = self.seen.partition_point(|c| c.last_seen <= now);
        self.seen.insert(
            at,
            Contact {
                cmid,
                last_seen: now,
                threshold,
            },
        );
    }

    fn count(&self, now: Minutes) -> u32 {
        let live = self.seen.range(self.first_live(now)..);
        let cap = live.clone().map(|c| c.threshold).max().unwrap_or(0) * 2;
        (live.len() as u32).min(cap)
    }
}

/// A KMS host: its keys, its policy, its two counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsHost {
    /// The keys installed, each with its declared group (Windows and Office keys side by
    /// side, S3).
    pub keys: Vec<HostKey>,
    /// The intervals the host hands to clients (`/sai`, `/sri` on the host; S4, S9).
    pub intervals: Intervals,
    /// The largest clock difference accepted; [`CLOCK_SKEW_FOLKLORE`] (4 hours,
    /// undocumented) by default.
    pub clock_skew_limit: Minutes,
    windows: Contacts,
    office: Contacts,
    counters: HostCounters,
}

impl KmsHost {
    /// A host with one activated key and the default policy.
    pub fn new(csvlk: Csvlk) -> Self {
        Self::with_keys(vec![HostKey {
            csvlk,
            activated: true,
        }])
    }

    /// A host with these keys and the default policy.
    pub fn with_keys(keys: Vec<HostKey>) -> Self {
        KmsHost {
            keys,
            intervals: Intervals::default(),
            clock_skew_limit: CLOCK_SKEW_FOLKLORE,
            windows: Contacts::default(),
            office: Contacts::default(),
            counters: HostCounters::default(),
        }
    }

    fn pool(&self, pool: CountPool) -> &Contacts {
        match pool {
            CountPool::Windows => &self.windows,
            CountPool::Office => &self.office,
        }
    }

    /// The current count of a pool at `now`, as `slmgr /dli` shows it on the host.
    pub fn count(&self, pool: CountPool, now: Minutes) -> u32 {
        self.pool(pool).count(now)
    }

    /// The request counters so far.
    pub fn counters(&self) -> &HostCounters {
        &self.counters
    }

    /// Answers one request at host time `now`. See the module docs for the rules.
    pub fn handle(&mut self, now: Minutes, request: &KmsRequest) -> Response {
        let response = self.decide(now, request);
        self.counters.total += 1;
        if !response.is_activated() {
            self.counters.failed += 1;
        }
        self.counters.by_status[request.status as usize] += 1;
        response
    }

    fn decide(&mut self, now: Minutes, request: &KmsRequest) -> Response {
        let product = request.product;
        let key = self
            .keys
            .iter()
            .filter(|k| k.csvlk.activates(product))
            .max_by_key(|k| k.activated);
        match key {
            None => return Response::ProductNotSupported,
            Some(k) if !k.activated => return Response::HostNotActivated,
            Some(_) => {}
        }
        let skew = request.client_time.0.abs_diff(now.0);
        if skew > self.clock_skew_limit.0 {
            return Response::TimestampInvalid;
        }
        let threshold = product.threshold();
        let contacts = match product.pool() {
            CountPool::Windows => &mut self.windows,
            CountPool::Office => &mut self.office,
        };
        contacts.record(now, request.cmid, threshold);
        let count = contacts.count(now);
        if count >= threshold {
            Response::Activated {
                count,
                intervals: self.intervals,
            }
        } else {
            Response::CountTooLow {
                count,
                required: threshold,
                intervals: self.intervals,
            }
        }
    }
}

#[cfg(test)]
mod tests;
