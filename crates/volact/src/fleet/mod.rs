//! The fleet simulator: KMS hosts and thousands of clients over months, in memory,
//! deterministic from a seed, event-driven.
//!
//! A [`Scenario`] (TOML; schema in `docs/fleet-simulation.md`) declares KMS hosts with their
//! key groups and DNS publication (a `[topology]` for the `srv` planner, or each host's
//! `DnsDomainPublishList`), client groups (count, product, domain and suffix search list,
//! host caching, travelling users, images deployed with or without `sysprep /generalize`),
//! events (host down/up, WAN link down/up, a key change, clock skew, a down host's SRV record
//! scavenged) and a duration. [`simulate`] runs it: a priority queue holds each client's next
//! attempt ([`KmsClient::next_attempt_at`](crate::license::client::KmsClient::next_attempt_at)),
//! never a day-by-day loop over every client; each attempt walks the client's discovery
//! order (the cached host, then DNS, as [`srv::discovery`](crate::srv::discovery) says) and
//! lets each reachable [`KmsHost`](crate::license::host::KmsHost) answer in turn "until an
//! activated host with the right key answers" (facts.md §4.3, S10): a host whose key is not
//! activated (0xC004F041) or does not cover the product (0xC004F042) is passed over; any other
//! answer ends the attempt.
//! The [`FleetReport`] gives clients by license state per day, requests and the count per
//! host per day, the share of requests that crossed between sites, the time to first
//! activation, and the clients that end in Notification with the error that put them there.
//!
//! The simulator models hosts and clients in memory only. It never answers a real
//! activation request and never generates a key or a Confirmation ID (DESIGN.md "Scope").
//!
//! ```
//! let report = volact::fleet::run_toml(r#"
//!     [simulation]
//!     seed = 1
//!     days = 40
//!     [[kms]]
//!     host = "kms-1.contoso.com"
//!     keys = ["windows7-server-b"]
//!     [[clients]]
//!     name = "desktops"
//!     count = 25
//!     product = "windows7"
//!     domain = "contoso.com"
//! "#)?;
//! // 25 client machines reach the threshold of 25 (S5): everyone is activated on day 0.
//! assert_eq!(report.daily[0].status.licensed, 25);
//! assert_eq!(report.hosts[0].daily_count[0], 25);
//! # Ok::<(), volact::fleet::ScenarioError>(())
//! ```

mod dns;
mod engine;
pub mod report;
mod scenario;

pub use engine::simulate;
pub use report::FleetReport;
pub use scenario::{
    ClientGroup, Event, EventKind, HostSpec, Image, MAX_CLIENTS, MAX_DAYS, MAX_ITEMS, Roam,
    Scenario, ScenarioError, parse_csvlk, parse_product,
};

/// Reads a scenario and runs it: [`Scenario::parse`] then [`simulate`].
pub fn run_toml(text: &str) -> Result<FleetReport, ScenarioError> {
    Scenario::parse(text).map(|s| simulate(&s))
}

#[cfg(test)]
mod tests;
