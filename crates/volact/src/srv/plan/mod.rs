//! The topology planner: from sites, hosts and domains, each host's `DnsDomainPublishList`
//! and `DisableDnsPublishing`, and the `_vlmcs._tcp` SRV RRset every domain ends up with,
//! rendered as a zone-file fragment, an `nsupdate` script, PowerShell
//! `Add-DnsServerResourceRecord` lines and `reg add` commands.
//!
//! # Topology schema (TOML)
//!
//! ```toml
//! [settings]                 # optional
//! priorities = [10, 90]      # SRV priority of tier 1 (the domain's site), tier 2 (first fallback)…
//! ttl = 3600                 # seconds, for the rendered records (KMS's own TTL is undocumented)
//! no_refresh_hours = 168     # the zone's aging intervals, if known: checked against the
//! refresh_hours = 168        #   24-hour refresh of a KMS host's record
//!
//! [[host]]                   # one per KMS host
//! name = "kms-e1.east.contoso.com"   # FQDN: the SRV target
//! # home_domain = "east.contoso.com" # primary DNS suffix; default: name minus its first label
//! # port = 1688                      # KeyManagementServiceListeningPort
//!
//! [[site]]                   # hosts that sit together, and how traffic splits between them
//! name = "east"
//! hosts = [ { host = "kms-e1.east.contoso.com", weight = 75 },
//!           { host = "kms-e2.east.contoso.com", weight = 25 } ]
//!
//! [[domain]]                 # a domain whose clients look up _vlmcs._tcp.<name>
//! name = "east.contoso.com"
//! site = "east"              # preferred: tier 1
//! fallback = ["west"]        # then these sites, in order: tiers 2, 3, …
//! # zone = "contoso.com"     # the DNS zone holding it; default: the domain itself
//! ```
//!
//! # What the planner computes
//!
//! A domain's RRset holds, for tier `i` (its site, then each fallback site), one record per
//! host of that site with priority `settings.priorities[i]` and the host's weight in the site
//! (RFC 2782: lower priority preferred, weight splits load within a priority; Windows 7 /
//! 2008 R2+ clients honour both, facts.md §4.2). A host's `DnsDomainPublishList` is the
//! transposition: one entry per domain whose RRset holds it, its home domain first, because a
//! host publishes *its own* record in each listed domain (S9). The seed's Table 5 shows each
//! domain's RRset as if it were one registry value, with host names where S9 says domain
//! (facts.md §4.2); [`Plan::notes`] says so and each host's `explanation` gives the real value.
//!
//! Once `DnsDomainPublishList` is set a host publishes only in the listed domains (DESIGN.md
//! "KMS discovery"; Microsoft's pages disagree), so the home domain is always listed, and a
//! publishing host must be planned in its home domain. A host in no domain's RRset gets
//! `DisableDnsPublishing = 1`.
//!
//! ```
//! use volact::srv::plan::{plan, Topology};
//! let t = Topology::parse(r#"
//!     [[host]]
//!     name = "kms-1.contoso.com"
//!     [[site]]
//!     name = "hq"
//!     hosts = [{ host = "kms-1.contoso.com", weight = 100 }]
//!     [[domain]]
//!     name = "contoso.com"
//!     site = "hq"
//! "#)?;
//! let p = plan(&t);
//! assert_eq!(p.hosts["kms-1.contoso.com"].dns_domain_publish_list, ["contoso.com, 10, 100"]);
//! assert_eq!(p.domains["contoso.com"][0].priority, 10);
//! # Ok::<(), volact::srv::plan::TopologyError>(())
//! ```

mod render;
mod topology;

pub(crate) use topology::RawTopology;
pub use topology::{Domain, Host, Settings, Site, Topology, TopologyError};

use super::publish_list::{PublishEntry, PublishList, PublishListError};
use super::record::same_name;
use std::collections::BTreeMap;

/// How often a KMS host re-registers its SRV record: every 24 hours (facts.md §4.2, S6).
pub const HOST_REFRESH_HOURS: u32 = 24;

/// One SRV record of a domain's planned RRset.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PlannedRecord {
    /// The target host (FQDN).
    pub host: String,
    /// Its port.
    pub port: u16,
    /// SRV priority.
    pub priority: u16,
    /// SRV weight.
    pub weight: u16,
}

/// What one KMS host is configured with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HostPlan {
    /// Its primary DNS suffix.
    pub home_domain: String,
    /// The `DnsDomainPublishList` strings (`REG_MULTI_SZ`), home domain first; empty when
    /// publishing is disabled.
    pub dns_domain_publish_list: Vec<String>,
    /// `DisableDnsPublishing`: true for a host that no domain's RRset holds.
    pub disable_dns_publishing: bool,
    /// Why each entry is there, one sentence per entry.
    pub explanation: Vec<String>,
}

impl HostPlan {
    /// The publish list as a checked value.
    pub fn publish_list(&self) -> Result<PublishList, PublishListError> {
        PublishList::parse(&self.dns_domain_publish_list.join("\n"))
    }
}

/// The DNS aging constraint (facts.md §4.2, S6; the seed's DNS server runs scavenging).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Scavenging {
    /// How often a host refreshes its record: 24.
    pub host_refresh_hours: u32,
    /// The zone's no-refresh interval, if given.
    pub no_refresh_hours: Option<u32>,
    /// The zone's refresh interval, if given.
    pub refresh_hours: Option<u32>,
    /// Whether no-refresh + refresh exceeds 24 hours; `None` when the intervals are unknown.
    pub ok: Option<bool>,
    /// The constraint in words.
    pub note: String,
}

/// A computed plan. Serializes to `{domains, hosts, zones, ttl, scavenging, notes}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    /// Domain → its RRset, most preferred first.
    pub domains: BTreeMap<String, Vec<PlannedRecord>>,
    /// Host FQDN → its registry values.
    pub hosts: BTreeMap<String, HostPlan>,
    /// Domain → the DNS zone holding it.
    pub zones: BTreeMap<String, String>,
    /// TTL of the rendered records, seconds.
    pub ttl: u32,
    /// The scavenging check.
    pub scavenging: Scavenging,
    /// Plan-wide remarks: the Table 5 reading, client and ACL requirements, warnings.
    pub notes: Vec<String>,
}

/// Plans a checked topology. Never fails: [`Topology::parse`] has checked everything.
pub fn plan(t: &Topology) -> Plan {
    let mut domains = BTreeMap::new();
    let mut zones = BTreeMap::new();
    let mut notes = vec![
        "Each host's DnsDomainPublishList has one entry per domain it publishes in, with the \
         priority and weight of its own record there; a domain's RRset is the union of those \
         entries over all hosts. The seed's Table 5 instead shows each domain's whole RRset as \
         if it were one host's value, with host names where the registry value takes domains \
         (facts.md §4.2, S9, S12): set the per-host values below, not Table 5's."
            .to_string(),
        "Every publish list names the host's home domain explicitly: once DnsDomainPublishList \
         is set, a host may publish only in the listed domains (DESIGN.md \"KMS discovery\"). \
         Restart the Software Licensing service after changing it (S6)."
            .to_string(),
        "Several hosts registering one _vlmcs._tcp name need write rights on that record, for \
         example through a security group (S3, S12)."
            .to_string(),
        "Only Windows 7 / Server 2008 R2 and later clients honour priority and weight; older \
         clients pick any record (facts.md §4.2). With host caching on, a client keeps using \
         the host that last activated it, so disable it (`slmgr /ckhc`, Table 6) for the \
         split to hold (S3, S4)."
            .to_string(),
    ];
    for d in &t.domains {
        let mut records = Vec::new();
        for (tier, site_name) in d.tiers.iter().enumerate() {
            let priority = t.settings.priorities.get(tier).copied().unwrap_or(u16::MAX);
            let Some(site) = t.sites.iter().find(|s| s.name == *site_name) else {
                continue;
            };
            if site.hosts.iter().all(|(_, w)| *w == 0) && site.hosts.len() > 1 {
                notes.push(format!(
                    "{}: every host of site {:?} has weight 0; RFC 2782 clients then take the \
                     first record of that priority in the answer's order, so the DNS server's \
                     ordering decides, not an even split",
                    d.name, site.name
                ));
            }
            for (host, weight) in &site.hosts {
                let port = t
                    .hosts
                    .iter()
                    .find(|h| same_name(&h.name, host))
                    .map_or(super::record::KMS_PORT, |h| h.port);
                records.push(PlannedRecord {
                    host: host.clone(),
                    port,
                    priority,
                    weight: *weight,
                });
            }
        }
        domains.insert(d.name.clone(), records);
        zones.insert(d.name.clone(), d.zone.clone());
    }
    let mut hosts = BTreeMap::new();
    for h in &t.hosts {
        let mut entries: Vec<(PublishEntry, String)> = Vec::new();
        // Home domain first, then the others in file order.
        let mut ordered: Vec<&Domain> = t.domains.iter().collect();
        ordered.sort_by_key(|d| !same_name(&d.name, &h.home_domain));
        for d in ordered {
            let Some(r) = domains
                .get(&d.name)
                .and_then(|rs| rs.iter().find(|r| same_name(&r.host, &h.name)))
            else {
                continue;
            };
            let tier = if r.priority == t.settings.priorities.first().copied().unwrap_or(0) {
                "its preferred site".to_string()
            } else {
                "a fallback site".to_string()
            };
            let share: u32 = domains[&d.name]
                .iter()
                .filter(|o| o.priority == r.priority)
                .map(|o| u32::from(o.weight))
                .sum();
            let why = format!(
                "{}, {}, {}: clients in {} treat this host as {tier} (priority {}); it takes \
                 weight {} of {share} at that priority{}",
                d.name,
                r.priority,
                r.weight,
                d.name,
                r.priority,
                r.weight,
                if same_name(&d.name, &h.home_domain) {
                    " (its home domain, listed explicitly)"
                } else {
                    ""
                }
            );
            entries.push((
                PublishEntry {
                    domain: d.name.clone(),
                    priority: r.priority,
                    weight: r.weight,
                },
                why,
            ));
        }
        let disable = entries.is_empty();
        let explanation = if disable {
            vec!["no planned domain lists this host: DisableDnsPublishing = 1 keeps it out of DNS (S9)".to_string()]
        } else {
            entries.iter().map(|(_, w)| w.clone()).collect()
        };
        hosts.insert(
            h.name.clone(),
            HostPlan {
                home_domain: h.home_domain.clone(),
                dns_domain_publish_list: entries.iter().map(|(e, _)| e.to_string()).collect(),
                disable_dns_publishing: disable,
                explanation,
            },
        );
    }
    Plan {
        domains,
        hosts,
        zones,
        ttl: t.settings.ttl,
        scavenging: scavenging(&t.settings),
        notes,
    }
}

fn scavenging(s: &Settings) -> Scavenging {
    let sum = match (s.no_refresh_hours, s.refresh_hours) {
        (Some(a), Some(b)) => Some(u64::from(a) + u64::from(b)),
        _ => None,
    };
    let ok = sum.map(|v| v > u64::from(HOST_REFRESH_HOURS));
    let note = match (sum, ok) {
        (Some(v), Some(false)) => format!(
            "WARNING: the zone's no-refresh plus refresh interval is {v} h, not more than the \
             {HOST_REFRESH_HOURS} h a KMS host waits between refreshes of its record (S6): \
             scavenging can delete a live host's record. Lengthen the zone's aging intervals."
        ),
        (Some(v), _) => format!(
            "The zone's no-refresh plus refresh interval ({v} h) exceeds the {HOST_REFRESH_HOURS} h \
             refresh of a KMS host's record (S6), so scavenging keeps live hosts' records."
        ),
        _ => format!(
            "KMS hosts refresh their SRV record every {HOST_REFRESH_HOURS} h (S6); where the zone \
             scavenges stale records, its no-refresh plus refresh interval must exceed that, or \
             a live host's record is scavenged. Give settings.no_refresh_hours and \
             settings.refresh_hours to have this checked."
        ),
    };
    Scavenging {
        host_refresh_hours: HOST_REFRESH_HOURS,
        no_refresh_hours: s.no_refresh_hours,
        refresh_hours: s.refresh_hours,
        ok,
        note,
    }
}

impl Plan {
    /// Reads a topology and plans it.
    pub fn from_toml(text: &str) -> Result<Self, TopologyError> {
        Topology::parse(text).map(|t| plan(&t))
    }
}

#[cfg(test)]
mod tests;
