//! What a simulation produces: [`FleetReport`], serializable for `--json`, CSV and charts.

use crate::license::error_code::explain;
use serde::Serialize;
use std::collections::BTreeMap;

/// Clients by license state at the end of one day (minute 1439 of it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Not yet installed (staggered deployment).
    pub not_deployed: u64,
    /// LicenseStatus 1.
    pub licensed: u64,
    /// LicenseStatus 2, initial grace.
    pub oob_grace: u64,
    /// LicenseStatus 3, out-of-tolerance grace.
    pub oot_grace: u64,
    /// LicenseStatus 5.
    pub notification: u64,
    /// Any other state (0, 4, 6): the model never enters them; kept so rows always sum up.
    pub other: u64,
}

impl StatusCounts {
    /// Every client, whatever its state.
    pub fn total(&self) -> u64 {
        self.not_deployed
            + self.licensed
            + self.oob_grace
            + self.oot_grace
            + self.notification
            + self.other
    }
}

/// One day of the simulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DayRow {
    /// Day index from 0.
    pub day: u32,
    /// Clients by state at the end of the day.
    pub status: StatusCounts,
    /// Activation and renewal requests hosts received that day.
    pub requests: u64,
    /// Of those, requests whose client was on another site than the host (over the WAN).
    pub wan_requests: u64,
    /// Attempts that reached no host (0xC004F074).
    pub unreachable: u64,
}

/// One KMS host over the simulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HostReport {
    /// Its FQDN.
    pub name: String,
    /// Its site.
    pub site: String,
    /// Requests received.
    pub requests: u64,
    /// Requests that activated or renewed the client.
    pub activated: u64,
    /// Requests from another site (over the WAN).
    pub wan_requests: u64,
    /// Failed requests by error code (`0xC004F038`…).
    pub errors: BTreeMap<String, u64>,
    /// Requests per day.
    pub daily_requests: Vec<u64>,
    /// The Windows count at the end of each day (`slmgr /dli` on the host).
    pub daily_count: Vec<u32>,
    /// The Office count at the end of each day.
    pub daily_office_count: Vec<u32>,
}

/// How long clients took to be activated the first time, from installation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FirstActivation {
    /// Clients activated at least once.
    pub activated: u64,
    /// Clients installed but never activated.
    pub never_activated: u64,
    /// Median, minutes (None when none activated).
    pub p50_minutes: Option<u64>,
    /// 90th percentile, minutes.
    pub p90_minutes: Option<u64>,
    /// Slowest, minutes.
    pub max_minutes: Option<u64>,
    /// Clients by whole days from installation to first activation (index = days).
    pub histogram_days: Vec<u64>,
}

/// One reason clients end the simulation in Notification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotificationReason {
    /// The error of their last activation attempt, `0xC004F074`; `none` if never tried.
    pub code: String,
    /// Windows' message for it (S8), from `volact explain`.
    pub message: String,
    /// The likely cause (S8, S7), from `volact explain`.
    pub cause: String,
    /// What to try.
    pub fix: String,
    /// How many clients.
    pub clients: u64,
    /// Of which, per client group.
    pub groups: BTreeMap<String, u64>,
    /// The earliest day one of them entered Notification.
    pub first_day: u32,
    /// The latest.
    pub last_day: u32,
}

/// Clients that end in Notification (LicenseStatus 5, reason 0xC004F009 "grace period
/// expired", S8), grouped by the error that kept them from activating.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NotificationSummary {
    /// Clients in Notification at the end.
    pub clients: u64,
    /// By cause, most clients first.
    pub reasons: Vec<NotificationReason>,
}

/// A client group whose machines share one CMID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedCmid {
    /// The group.
    pub group: String,
    /// The shared client machine ID.
    pub cmid: String,
    /// How many machines share it.
    pub clients: u64,
    /// Why it matters.
    pub note: String,
}

/// The result of a simulation. Serializes to `{seed, days, clients, attempts, requests,
/// wan_share, daily, hosts, first_activation, notification, shared_cmids, end_status}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FleetReport {
    /// The scenario's seed.
    pub seed: u64,
    /// Days simulated.
    pub days: u32,
    /// Clients simulated.
    pub clients: u64,
    /// Activation and renewal attempts processed (events of the queue).
    pub attempts: u64,
    /// Requests hosts received.
    pub requests: u64,
    /// Share of requests that crossed between sites (0.0 when there were none).
    pub wan_share: f64,
    /// One row per day.
    pub daily: Vec<DayRow>,
    /// One entry per host, in scenario order.
    pub hosts: Vec<HostReport>,
    /// Time to first activation.
    pub first_activation: FirstActivation,
    /// Who ends in Notification, and why.
    pub notification: NotificationSummary,
    /// Groups imaged without `sysprep /generalize`.
    pub shared_cmids: Vec<SharedCmid>,
    /// Clients by state at the end (the last day's row).
    pub end_status: StatusCounts,
}

/// Formats an HRESULT as `0xC004F074`.
pub fn hex_code(code: u32) -> String {
    format!("0x{code:08X}")
}

/// A reason entry for `code` (0 = never attempted), with `volact explain`'s text.
pub(crate) fn reason(code: u32) -> NotificationReason {
    let (message, cause, fix) = match explain(code) {
        Some(e) => (
            e.message.to_string(),
            e.cause.to_string(),
            e.fix.to_string(),
        ),
        None if code == 0 => (
            "no activation attempt was made".to_string(),
            "the client was installed too late in the simulation to try".to_string(),
            String::new(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    NotificationReason {
        code: if code == 0 {
            "none".into()
        } else {
            hex_code(code)
        },
        message,
        cause,
        fix,
        clients: 0,
        groups: BTreeMap::new(),
        first_day: u32::MAX,
        last_day: 0,
    }
}
