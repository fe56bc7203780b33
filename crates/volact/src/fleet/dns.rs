//! The simulated DNS: each host's `_vlmcs._tcp` records from its publish list, removed when
//! scavenged and registered again when the host starts; and the fast path of discovery.
//!
//! [`discover`](crate::srv::discovery::discover) allocates an answer, an ordered copy and a
//! log per call; a year of 100,000 clients makes millions of calls. Here the walk of the
//! client's domains is done once per (configuration, DNS state) and the RFC 2782 draw is
//! redone per attempt over record indices, consuming the same random draws in the same
//! order, so the hosts tried are the same as `discover`'s (tested in `fleet::tests`).

use super::scenario::HostSpec;
use crate::srv::discovery::{ClientConfig, search_domains};
use crate::srv::order::OrderMode;
use crate::srv::random::Random;
use crate::srv::record::same_name;
#[cfg(test)]
use crate::srv::record::{SrvAnswer, SrvLookup, SrvRecord, owner_name};

/// One record: which host, with what priority and weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rec {
    pub host: u32,
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
}

/// Every domain's records as published, and which hosts' records are currently in DNS.
#[derive(Clone, Debug)]
pub(crate) struct Dns {
    /// Domain (as first written) → every record any host publishes there.
    domains: Vec<(String, Vec<Rec>)>,
    /// Whether each host's records are in DNS.
    registered: Vec<bool>,
    /// Bumped on every change, so cached walks know they are stale.
    pub generation: u64,
}

impl Dns {
    pub fn new(hosts: &[HostSpec]) -> Self {
        let mut domains: Vec<(String, Vec<Rec>)> = Vec::new();
        for (i, h) in hosts.iter().enumerate() {
            for e in &h.publish {
                let rec = Rec {
                    host: i as u32,
                    priority: e.priority,
                    weight: e.weight,
                    port: h.port,
                };
                match domains.iter_mut().find(|(d, _)| same_name(d, &e.domain)) {
                    Some((_, v)) => v.push(rec),
                    None => domains.push((e.domain.clone(), vec![rec])),
                }
            }
        }
        let names: Vec<String> = hosts.iter().map(|h| h.name.to_ascii_lowercase()).collect();
        // The canonical order of `srv::order`: priority, weight, lower-cased target, port.
        for (_, v) in &mut domains {
            v.sort_by(|a, b| {
                (a.priority, a.weight, &names[a.host as usize], a.port).cmp(&(
                    b.priority,
                    b.weight,
                    &names[b.host as usize],
                    b.port,
                ))
            });
        }
        Dns {
            domains,
            registered: vec![true; hosts.len()],
            generation: 0,
        }
    }

    pub fn set_registered(&mut self, host: usize, on: bool) {
        if let Some(r) = self.registered.get_mut(host)
            && *r != on
        {
            *r = on;
            self.generation += 1;
        }
    }

    fn live(&self, records: &[Rec]) -> Vec<Rec> {
        records
            .iter()
            .filter(|r| self.registered.get(r.host as usize) == Some(&true))
            .copied()
            .collect()
    }

    /// The walk of `config`'s domains (a named host aside): the first domain with a host
    /// record, its live records in canonical order; empty when none has one.
    pub fn resolve(&self, config: &ClientConfig) -> Vec<Rec> {
        for d in search_domains(config) {
            if let Some((_, recs)) = self.domains.iter().find(|(n, _)| same_name(n, &d)) {
                let live = self.live(recs);
                if !live.is_empty() {
                    return live;
                }
            }
        }
        Vec::new()
    }

    /// A lookup view with the hosts' names, for checking against `discover`.
    #[cfg(test)]
    pub fn lookup<'a>(&'a self, hosts: &'a [HostSpec]) -> DnsView<'a> {
        DnsView { dns: self, hosts }
    }
}

/// [`Dns`] as an [`SrvLookup`]: what a resolver would answer now.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct DnsView<'a> {
    dns: &'a Dns,
    hosts: &'a [HostSpec],
}

#[cfg(test)]
impl SrvLookup for DnsView<'_> {
    fn lookup_srv(&mut self, owner: &str) -> SrvAnswer {
        let found = self
            .dns
            .domains
            .iter()
            .find(|(d, _)| same_name(&owner_name(d), owner));
        match found {
            None => SrvAnswer::NxDomain,
            Some((_, recs)) => {
                let records: Vec<SrvRecord> = self
                    .dns
                    .live(recs)
                    .iter()
                    .map(|r| SrvRecord {
                        priority: r.priority,
                        weight: r.weight,
                        port: r.port,
                        target: self.hosts[r.host as usize].name.clone(),
                    })
                    .collect();
                if records.is_empty() {
                    SrvAnswer::NoData
                } else {
                    SrvAnswer::Records {
                        records,
                        warnings: Vec::new(),
                    }
                }
            }
        }
    }
}

/// Orders `records` (canonical order) as [`order`](crate::srv::order::order) does, writing
/// indices into `out`, drawing from `rng` exactly as it does.
pub(crate) fn order_into(
    records: &[Rec],
    mode: OrderMode,
    rng: &mut dyn Random,
    out: &mut Vec<u32>,
    group: &mut Vec<u32>,
) {
    out.clear();
    match mode {
        OrderMode::Legacy => {
            out.extend(0..records.len() as u32);
            for i in (1..out.len()).rev() {
                let j = rng.up_to(i as u64) as usize;
                out.swap(i, j);
            }
        }
        OrderMode::Rfc2782 => {
            let mut start = 0;
            while start < records.len() {
                let p = records[start].priority;
                let end = start
                    + records[start..]
                        .iter()
                        .take_while(|r| r.priority == p)
                        .count();
                group.clear();
                group.extend(start as u32..end as u32);
                while !group.is_empty() {
                    // Weight-0 records first, stably (RFC 2782; as `order` does).
                    group.sort_by_key(|&i| records[i as usize].weight != 0);
                    let sum: u64 = group
                        .iter()
                        .map(|&i| u64::from(records[i as usize].weight))
                        .sum();
                    let pick = rng.up_to(sum);
                    let mut running = 0u64;
                    let mut chosen = group.len() - 1;
                    for (k, &i) in group.iter().enumerate() {
                        running += u64::from(records[i as usize].weight);
                        if running >= pick {
                            chosen = k;
                            break;
                        }
                    }
                    out.push(group.remove(chosen));
                }
                start = end;
            }
        }
    }
}
