//! The event loop: a priority queue of each client's next attempt, the scenario's events
//! interleaved in time order, and per-day results kept incrementally.
//!
//! Cost: one queue entry per client (memory grows with clients, not with events); an
//! attempt is a queue pop and push (O(log clients)), at most a few hosts' answers, and O(1)
//! bookkeeping. The daily status counts are not sampled client by client: a client's
//! state is a step function of time between two of its attempts (the license model
//! computes it from two deadlines), so each attempt adds the change of its future steps to a
//! per-day difference array, and a prefix sum at the end gives every day's counts — exact,
//! in O(attempts + days) instead of O(clients × days).

use super::dns::{Dns, Rec, order_into};
use super::report::{
    DayRow, FirstActivation, FleetReport, HostReport, NotificationSummary, SharedCmid,
    StatusCounts, hex_code, reason,
};
use super::scenario::{EventKind, Image, Scenario};
use crate::license::client::{AttemptOutcome, KmsClient};
use crate::license::host::KmsHost;
use crate::license::host::Response;
use crate::license::product::CountPool;
use crate::license::{Cmid, LicenseStatus, Minutes};
use crate::srv::discovery::{ClientConfig, HostPort};
use crate::srv::random::SeededRandom;
use crate::srv::record::same_name;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

const NONE: u32 = u32::MAX;
const DAY: u64 = 1440;
/// Columns of the difference array: not deployed, then the states a KMS client goes through.
const COLUMNS: usize = 6;

fn column(s: LicenseStatus) -> usize {
    match s {
        LicenseStatus::Licensed => 1,
        LicenseStatus::OOBGrace => 2,
        LicenseStatus::OOTGrace => 3,
        LicenseStatus::Notification => 4,
        _ => 5,
    }
}

/// SplitMix64's finaliser: a well-mixed 64-bit hash of a 64-bit value.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether client `i` is away on `day`: a fixed draw per (seed, client, day), so the
/// answer does not depend on how often the client tries.
fn away(seed: u64, i: usize, day: u64, share_ppm: u32) -> bool {
    let h = mix(seed ^ mix((i as u64) << 24 ^ day.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    h % 1_000_000 < u64::from(share_ppm)
}

/// A client's future states from `from`, assuming no further attempt: up to four
/// (start, state) steps before `end`.
struct Steps {
    at: [u64; 4],
    state: [u8; 4],
    len: usize,
}

impl Steps {
    fn of(c: &KmsClient, from: Minutes, end: Minutes) -> Self {
        let mut s = Steps {
            at: [0; 4],
            state: [0; 4],
            len: 0,
        };
        let mut t = from;
        while s.len < 4 {
            s.at[s.len] = t.0;
            s.state[s.len] = column(c.status_at(t)) as u8;
            s.len += 1;
            match c.next_status_change_after(t) {
                Some(n) if n < end => t = n,
                _ => break,
            }
        }
        s
    }

    fn same(&self, o: &Steps) -> bool {
        self.len == o.len && self.at[..self.len] == o.at[..o.len] && self.state == o.state
    }

    /// Adds `sign` × these steps to the per-day difference array.
    fn apply(&self, diff: &mut [[i64; COLUMNS]], days: usize, sign: i64) {
        for k in 0..self.len {
            let from = (self.at[k] / DAY) as usize;
            let to = if k + 1 < self.len {
                (self.at[k + 1] / DAY) as usize
            } else {
                days
            };
            let col = usize::from(self.state[k]);
            if from < to && to <= days {
                diff[from][col] += sign;
                diff[to][col] -= sign;
            }
        }
    }
}

struct HostState {
    model: KmsHost,
    port: HostPort,
    site: usize,
    up: bool,
    report: HostReport,
    errors: BTreeMap<u32, u64>,
}

/// Runs a scenario to its end. Deterministic: the same scenario gives the same report.
pub fn simulate(s: &Scenario) -> FleetReport {
    let days = s.days as usize;
    let end = Minutes::days(u64::from(s.days));
    let n_sites = s.sites.len().max(1);

    let mut hosts: Vec<HostState> = s
        .hosts
        .iter()
        .map(|h| {
            let mut model = KmsHost::with_keys(h.keys.clone());
            model.intervals = h.intervals;
            HostState {
                model,
                port: h.address.clone(),
                site: h.site,
                up: true,
                report: HostReport {
                    name: h.name.clone(),
                    site: s.sites.get(h.site).cloned().unwrap_or_default(),
                    daily_requests: vec![0; days],
                    daily_count: Vec::with_capacity(days),
                    daily_office_count: Vec::with_capacity(days),
                    ..HostReport::default()
                },
                errors: BTreeMap::new(),
            }
        })
        .collect();
    let mut dns = Dns::new(&s.hosts);
    let mut wan_down = vec![false; n_sites * n_sites];

    // Clients, contiguous per group.
    let total = s.client_count() as usize;
    let mut clients: Vec<KmsClient> = Vec::with_capacity(total);
    let mut group_of: Vec<u32> = Vec::with_capacity(total);
    let mut rngs: Vec<SeededRandom> = Vec::with_capacity(total);
    let mut installed: Vec<u64> = Vec::with_capacity(total);
    let mut group_start: Vec<usize> = Vec::with_capacity(s.groups.len() + 1);
    let mut shared_cmids = Vec::new();
    for (g, group) in s.groups.iter().enumerate() {
        group_start.push(clients.len());
        // The reference machine the group was imaged from: its CMID is what every copy
        // carries until `sysprep /generalize` gives the copy its own.
        let mut group_rng = SeededRandom::new(mix(s.seed ^ mix(g as u64 + 1)));
        let reference = Cmid::random(&mut group_rng);
        let count = u64::from(group.count);
        for k in 0..count {
            let i = clients.len();
            let mut rng = SeededRandom::new(mix(s.seed.wrapping_add(mix(i as u64 + 1))));
            let at = group.install_at + Minutes(group.install_spread.0 * k / count.max(1));
            let mut c = KmsClient::new(reference, group.product, at);
            if group.image == Image::Generalized {
                // A fresh copy has rearms left, so this cannot fail; if it did, the copy
                // would keep the shared CMID and the report would show the stuck count.
                let _ = c.generalize(at, false, &mut rng);
            }
            c.clock_offset = group.clock_offset;
            clients.push(c);
            group_of.push(g as u32);
            rngs.push(rng);
            installed.push(at.0);
        }
        if group.image == Image::NotGeneralized && count > 1 {
            shared_cmids.push(SharedCmid {
                group: group.name.clone(),
                cmid: reference.to_string(),
                clients: count,
                note: "imaged without sysprep /generalize: one CMID, counted once by the host, \
                       so the count does not rise and clients get 0xC004F038 (KB 929829)"
                    .into(),
            });
        }
    }
    group_start.push(clients.len());

    let mut diff = vec![[0i64; COLUMNS]; days + 1];
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::with_capacity(total);
    for (i, c) in clients.iter().enumerate() {
        let at = installed[i];
        let deployed_day = ((at / DAY) as usize).min(days);
        if deployed_day > 0 {
            diff[0][0] += 1;
            diff[deployed_day][0] -= 1;
        }
        if Minutes(at) < end {
            Steps::of(c, Minutes(at), end).apply(&mut diff, days, 1);
            heap.push(Reverse((at, i as u32)));
        }
    }

    let mut cached: Vec<u32> = vec![NONE; total];
    let mut last_error: Vec<u32> = vec![0; total];
    let mut first_activation: Vec<u32> = vec![NONE; total];
    let mut daily: Vec<DayRow> = (0..days)
        .map(|d| DayRow {
            day: d as u32,
            ..DayRow::default()
        })
        .collect();
    // (DNS generation, records) per (group, away), refreshed when DNS changes.
    let mut walks: Vec<Option<(u64, Vec<Rec>)>> = vec![None; s.groups.len() * 2];
    let mut order: Vec<u32> = Vec::new();
    let mut scratch: Vec<u32> = Vec::new();
    let mut candidates: Vec<usize> = Vec::new();
    let mut next_event = 0usize;
    let mut next_sample = 0usize;
    let mut attempts = 0u64;

    let sample = |hosts: &mut Vec<HostState>, next_sample: &mut usize, before: u64| {
        // Day d is sampled at its last minute, once everything up to then has happened.
        while *next_sample < days && (*next_sample as u64 + 1) * DAY - 1 < before {
            let t = Minutes((*next_sample as u64 + 1) * DAY - 1);
            for h in hosts.iter_mut() {
                h.report
                    .daily_count
                    .push(h.model.count(CountPool::Windows, t));
                h.report
                    .daily_office_count
                    .push(h.model.count(CountPool::Office, t));
            }
            *next_sample += 1;
        }
    };

    loop {
        let t_client = heap.peek().map(|Reverse((t, _))| *t);
        let t_event = s.events.get(next_event).map(|e| e.at.0);
        let t = match (t_client, t_event) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => break,
        };
        if t >= end.0 {
            break;
        }
        sample(&mut hosts, &mut next_sample, t);
        // Events at a minute happen before the attempts of that minute.
        if t_event == Some(t) {
            if let Some(e) = s.events.get(next_event) {
                apply_event(
                    &e.kind,
                    &mut hosts,
                    &mut dns,
                    &mut wan_down,
                    n_sites,
                    &mut clients,
                    &group_start,
                );
            }
            next_event += 1;
            continue;
        }
        let Some(Reverse((_, i))) = heap.pop() else {
            break;
        };
        let i = i as usize;
        attempts += 1;
        let g = group_of[i] as usize;
        let group = &s.groups[g];
        let day = t / DAY;
        let is_away = group
            .roam
            .as_ref()
            .is_some_and(|r| away(s.seed, i, day, r.share_ppm));
        let (site, config) = match (&group.roam, is_away) {
            (Some(r), true) => (r.site, &r.config),
            _ => (group.site, &group.config),
        };
        let reachable = |hosts: &[HostState], h: usize| {
            hosts[h].up && (hosts[h].site == site || !wan_down[site * n_sites + hosts[h].site])
        };

        // The client walks its hosts "until an activated host with the right key answers"
        // (facts.md §4.3, S10): a host that is unreachable, whose key is not activated
        // (0xC004F041) or does not cover the product (0xC004F042) is passed over and the next
        // tried; any other answer (activated, count too low, timestamp) ends the attempt. The
        // cached host comes first; discovery runs only when it does not settle the attempt.
        let named = named_host(config);
        let cached_host = if named.is_none() && config.host_caching {
            cached[i]
        } else {
            NONE
        };
        candidates.clear();
        match named {
            Some(named) => candidates.extend(
                hosts
                    .iter()
                    .position(|h| {
                        h.port.host().is_some_and(|n| same_name(n, named.0))
                            && h.port.port_or_default() == named.1
                    })
                    .filter(|&h| reachable(&hosts, h)),
            ),
            None if cached_host != NONE && reachable(&hosts, cached_host as usize) => {
                candidates.push(cached_host as usize);
            }
            None => {}
        }
        let mut discovered = named.is_some();
        let mut next = 0usize;
        let mut answered: Option<(usize, Response)> = None;
        loop {
            if next == candidates.len() {
                if discovered {
                    break;
                }
                discovered = true;
                let slot = g * 2 + usize::from(is_away);
                let fresh = matches!(&walks[slot], Some((gen_, _)) if *gen_ == dns.generation);
                if !fresh {
                    walks[slot] = Some((dns.generation, dns.resolve(config)));
                }
                let records: &[Rec] = walks[slot].as_ref().map_or(&[], |(_, r)| r);
                order_into(
                    records,
                    config.order,
                    &mut rngs[i],
                    &mut order,
                    &mut scratch,
                );
                candidates.extend(
                    order
                        .iter()
                        .map(|&k| records[k as usize].host as usize)
                        .filter(|&h| h as u32 != cached_host && reachable(&hosts, h)),
                );
                continue;
            }
            let h = candidates[next];
            next += 1;
            let request = clients[i].request(Minutes(t));
            let hs = &mut hosts[h];
            let response = hs.model.handle(Minutes(t), &request);
            let row = &mut daily[day as usize];
            row.requests += 1;
            hs.report.requests += 1;
            hs.report.daily_requests[day as usize] += 1;
            if hs.site != site {
                row.wan_requests += 1;
                hs.report.wan_requests += 1;
            }
            match response.error_code() {
                None => hs.report.activated += 1,
                Some(code) => *hs.errors.entry(code).or_default() += 1,
            }
            let cannot_serve = matches!(
                response,
                Response::ProductNotSupported | Response::HostNotActivated
            );
            answered = Some((h, response));
            if !cannot_serve {
                break;
            }
        }

        let client = &mut clients[i];
        let before = Steps::of(client, Minutes(t), end);
        let never_activated = client.licensed_until().is_none();
        let report = match answered {
            Some((h, response)) => {
                if response.is_activated() {
                    cached[i] = h as u32;
                }
                client.on_attempt(
                    Minutes(t),
                    AttemptOutcome::Answered {
                        host: &hosts[h].port,
                        response,
                    },
                )
            }
            None => {
                daily[day as usize].unreachable += 1;
                client.on_attempt(Minutes(t), AttemptOutcome::NoHostReachable)
            }
        };
        last_error[i] = report.error_code.unwrap_or(0);
        if report.activated && never_activated {
            first_activation[i] = u32::try_from(t.saturating_sub(installed[i])).unwrap_or(NONE - 1);
        }
        let after = Steps::of(client, Minutes(t), end);
        if !before.same(&after) {
            before.apply(&mut diff, days, -1);
            after.apply(&mut diff, days, 1);
        }
        if report.next_attempt < end {
            heap.push(Reverse((report.next_attempt.0, i as u32)));
        }
    }
    sample(&mut hosts, &mut next_sample, end.0);

    // Prefix sums: each day's counts.
    let mut running = [0i64; COLUMNS];
    for (d, row) in daily.iter_mut().enumerate() {
        for (r, x) in running.iter_mut().zip(diff[d]) {
            *r += x;
        }
        let v = |k: usize| running[k].max(0) as u64;
        row.status = StatusCounts {
            not_deployed: v(0),
            licensed: v(1),
            oob_grace: v(2),
            oot_grace: v(3),
            notification: v(4),
            other: v(5),
        };
    }

    let requests: u64 = daily.iter().map(|r| r.requests).sum();
    let wan: u64 = daily.iter().map(|r| r.wan_requests).sum();
    let last = Minutes(end.0.saturating_sub(1));
    FleetReport {
        seed: s.seed,
        days: s.days,
        clients: total as u64,
        attempts,
        requests,
        wan_share: if requests == 0 {
            0.0
        } else {
            wan as f64 / requests as f64
        },
        end_status: daily.last().map(|r| r.status).unwrap_or_default(),
        notification: notification(s, &clients, &group_of, &installed, &last_error, last),
        first_activation: first_activation_summary(&first_activation, &installed, end),
        daily,
        hosts: hosts
            .into_iter()
            .map(|mut h| {
                h.report.errors = h.errors.iter().map(|(c, n)| (hex_code(*c), *n)).collect();
                h.report
            })
            .collect(),
        shared_cmids,
    }
}

/// The host named by `KeyManagementServiceName`, if any: naming one turns discovery off.
fn named_host(config: &ClientConfig) -> Option<(&str, u16)> {
    [&config.sku_kms, &config.app_kms, &config.global_kms]
        .into_iter()
        .flatten()
        .find_map(|hp| hp.host().map(|h| (h, hp.port_or_default())))
}

fn apply_event(
    kind: &EventKind,
    hosts: &mut [HostState],
    dns: &mut Dns,
    wan_down: &mut [bool],
    n_sites: usize,
    clients: &mut [KmsClient],
    group_start: &[usize],
) {
    match kind {
        EventKind::HostDown { host } => {
            if let Some(h) = hosts.get_mut(*host) {
                h.up = false;
            }
        }
        EventKind::HostUp { host } => {
            if let Some(h) = hosts.get_mut(*host) {
                h.up = true;
                // The service registers its records when it starts (S6).
                dns.set_registered(*host, true);
            }
        }
        EventKind::Scavenge { host } => dns.set_registered(*host, false),
        EventKind::WanDown { a, b } | EventKind::WanUp { a, b } => {
            let down = matches!(kind, EventKind::WanDown { .. });
            for k in [a * n_sites + b, b * n_sites + a] {
                if let Some(w) = wan_down.get_mut(k) {
                    *w = down;
                }
            }
        }
        EventKind::KeyChange { host, keys } => {
            if let Some(h) = hosts.get_mut(*host) {
                h.model.keys = keys.clone();
            }
        }
        EventKind::ClockSkew { group, minutes } => {
            let range = group_start.get(*group).copied().unwrap_or(0)
                ..group_start.get(group + 1).copied().unwrap_or(0);
            for c in clients.get_mut(range).into_iter().flatten() {
                c.clock_offset = *minutes;
            }
        }
    }
}

fn notification(
    s: &Scenario,
    clients: &[KmsClient],
    group_of: &[u32],
    installed: &[u64],
    last_error: &[u32],
    last: Minutes,
) -> NotificationSummary {
    let mut by_code: BTreeMap<u32, super::report::NotificationReason> = BTreeMap::new();
    let mut total = 0;
    for (i, c) in clients.iter().enumerate() {
        if c.status_at(last) != LicenseStatus::Notification {
            continue;
        }
        total += 1;
        let entered = match c.licensed_until() {
            Some(u) => u + c.timers.oot_grace,
            None => Minutes(installed[i]) + c.timers.initial_grace,
        };
        let day = u32::try_from(entered.whole_days()).unwrap_or(u32::MAX);
        let r = by_code
            .entry(last_error[i])
            .or_insert_with(|| reason(last_error[i]));
        r.clients += 1;
        r.first_day = r.first_day.min(day);
        r.last_day = r.last_day.max(day);
        let name = s
            .groups
            .get(group_of[i] as usize)
            .map_or_else(String::new, |g| g.name.clone());
        *r.groups.entry(name).or_default() += 1;
    }
    let mut reasons: Vec<_> = by_code.into_values().collect();
    reasons.sort_by(|a, b| b.clients.cmp(&a.clients).then(a.code.cmp(&b.code)));
    NotificationSummary {
        clients: total,
        reasons,
    }
}

fn first_activation_summary(first: &[u32], installed: &[u64], end: Minutes) -> FirstActivation {
    let mut times: Vec<u64> = first
        .iter()
        .filter(|&&m| m != NONE)
        .map(|&m| u64::from(m))
        .collect();
    times.sort_unstable();
    let deployed = installed.iter().filter(|&&t| t < end.0).count() as u64;
    let pct =
        |p: u64| (!times.is_empty()).then(|| times[((times.len() as u64 - 1) * p / 100) as usize]);
    let mut histogram = Vec::new();
    for &m in &times {
        let d = (m / DAY) as usize;
        if histogram.len() <= d {
            histogram.resize(d + 1, 0);
        }
        histogram[d] += 1;
    }
    FirstActivation {
        activated: times.len() as u64,
        never_activated: deployed.saturating_sub(times.len() as u64),
        p50_minutes: pct(50),
        p90_minutes: pct(90),
        max_minutes: times.last().copied(),
        histogram_days: histogram,
    }
}
