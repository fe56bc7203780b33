//! The topology file: reading the TOML and checking it into a [`Topology`]. The schema is in
//! the [parent module's docs](super).

use crate::srv::record::{KMS_PORT, check_dns_name, same_name};
use crate::toml_lines::Lines;
use serde::Deserialize;
use toml::Spanned;

/// Why a topology file cannot be planned. Lines are 1-based lines of the TOML text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// Not TOML, or not the schema (unknown key, wrong type, missing field).
    #[error("line {line}: {message}")]
    Syntax {
        /// Where the TOML reader stopped (1 when it did not say).
        line: usize,
        /// The reader's message.
        message: String,
    },
    /// A host, domain, home domain or zone that is not a DNS name, or an empty site name.
    #[error("line {line}: {what} {name:?}: {reason}")]
    Name {
        /// The line.
        line: usize,
        /// Which kind of name: `host`, `domain`, `home_domain`, `zone`, `site`.
        what: &'static str,
        /// The name given.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The same host, site or domain defined twice (DNS names compare case-insensitively).
    #[error("line {line}: {what} {name:?} is already defined on line {first_line}")]
    Duplicate {
        /// The line of the repeat.
        line: usize,
        /// `host`, `site` or `domain`.
        what: &'static str,
        /// The name.
        name: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// A number outside its range.
    #[error("line {line}: {field} = {value} is out of range ({range})")]
    OutOfRange {
        /// The line.
        line: usize,
        /// The key, e.g. `weight`, `port`, `settings.priorities`.
        field: &'static str,
        /// The value given.
        value: i64,
        /// The allowed range, in words.
        range: &'static str,
    },
    /// `settings.priorities` not strictly ascending: each tier must be less preferred.
    #[error(
        "line {line}: settings.priorities must be non-empty and strictly ascending (a later tier is a fallback, RFC 2782: lower is preferred)"
    )]
    PrioritiesNotAscending {
        /// The line.
        line: usize,
    },
    /// A domain with more tiers (its site plus fallbacks) than `settings.priorities` has.
    #[error(
        "line {line}: domain {domain:?} has {tiers} tiers but settings.priorities gives {priorities}"
    )]
    TooFewPriorities {
        /// The domain's line.
        line: usize,
        /// The domain.
        domain: String,
        /// Its site plus fallback sites.
        tiers: usize,
        /// How many priorities there are.
        priorities: usize,
    },
    /// A site lists a host that no `[[host]]` defines.
    #[error("line {line}: site {site:?} lists host {host:?}, which no [[host]] defines")]
    UnknownHost {
        /// The line.
        line: usize,
        /// The site.
        site: String,
        /// The host name.
        host: String,
    },
    /// A domain names a site that no `[[site]]` defines.
    #[error("line {line}: domain {domain:?} names site {site:?}, which no [[site]] defines")]
    UnknownSite {
        /// The line.
        line: usize,
        /// The domain.
        domain: String,
        /// The site name.
        site: String,
    },
    /// A site with no hosts: a domain preferring it would have no host at that tier.
    #[error("line {line}: site {site:?} has no hosts")]
    EmptySite {
        /// The line.
        line: usize,
        /// The site.
        site: String,
    },
    /// A host in two sites.
    #[error(
        "line {line}: host {host:?} is already in site {first_site:?}; a host belongs to one site"
    )]
    HostInSeveralSites {
        /// The line.
        line: usize,
        /// The host.
        host: String,
        /// The site it was first listed in.
        first_site: String,
    },
    /// A site that appears twice among a domain's site and fallbacks.
    #[error("line {line}: domain {domain:?} names site {site:?} twice")]
    SiteRepeated {
        /// The line.
        line: usize,
        /// The domain.
        domain: String,
        /// The site.
        site: String,
    },
    /// No `[[domain]]` at all.
    #[error("the topology plans no [[domain]]")]
    NoDomains,
    /// A publishing host whose home domain is not planned: the host publishes there in any
    /// case (S9: "the host's own domain is always published"), so the plan must say how.
    #[error(
        "line {line}: host {host:?} publishes in its home domain {home_domain:?}, which is not a planned [[domain]]; add it, or set home_domain"
    )]
    HomeDomainNotPlanned {
        /// The host's line.
        line: usize,
        /// The host.
        host: String,
        /// Its home domain.
        home_domain: String,
    },
    /// A publishing host that its home domain's plan does not include.
    #[error(
        "line {line}: host {host:?} publishes in its home domain {home_domain:?}, but that domain's site and fallbacks do not include it"
    )]
    NotInHomeDomain {
        /// The host's line.
        line: usize,
        /// The host.
        host: String,
        /// Its home domain.
        home_domain: String,
    },
    /// A zone that does not contain the domain.
    #[error("line {line}: domain {domain:?} is not inside zone {zone:?}")]
    ZoneNotSuffix {
        /// The line.
        line: usize,
        /// The domain.
        domain: String,
        /// The zone.
        zone: String,
    },
}

/// The topology as read, before checking. `pub(crate)` so a larger file (a fleet scenario's
/// `[topology]` table) can embed it and still get line numbers from the whole text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTopology {
    #[serde(default)]
    settings: Option<RawSettings>,
    #[serde(default)]
    host: Vec<RawHost>,
    #[serde(default)]
    site: Vec<RawSite>,
    #[serde(default)]
    domain: Vec<RawDomain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    priorities: Option<Spanned<Vec<Spanned<i64>>>>,
    ttl: Option<Spanned<i64>>,
    no_refresh_hours: Option<Spanned<i64>>,
    refresh_hours: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost {
    name: Spanned<String>,
    home_domain: Option<Spanned<String>>,
    port: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: Spanned<String>,
    hosts: Spanned<Vec<RawMember>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    host: Spanned<String>,
    weight: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    name: Spanned<String>,
    site: Spanned<String>,
    #[serde(default)]
    fallback: Vec<Spanned<String>>,
    zone: Option<Spanned<String>>,
}

/// Plan-wide settings (`[settings]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// The SRV priority of each tier: the domain's own site, then each fallback site.
    pub priorities: Vec<u16>,
    /// TTL in seconds for the rendered records. KMS's own TTL is undocumented (facts.md §7).
    pub ttl: u32,
    /// The zone's aging no-refresh interval, in hours, when given.
    pub no_refresh_hours: Option<u32>,
    /// The zone's aging refresh interval, in hours, when given.
    pub refresh_hours: Option<u32>,
}

/// A KMS host (`[[host]]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Host {
    /// Its FQDN: the SRV target.
    pub name: String,
    /// Its primary DNS suffix, where it publishes by default (S9).
    pub home_domain: String,
    /// `KeyManagementServiceListeningPort` (default 1688, facts.md §4.2).
    pub port: u16,
    /// Line of its `name`.
    pub line: usize,
}

/// A site (`[[site]]`): hosts and how the traffic splits between them (SRV weights).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Site {
    /// Its name.
    pub name: String,
    /// `(host name, weight)`, in the order given.
    pub hosts: Vec<(String, u16)>,
}

/// A domain whose `_vlmcs._tcp` RRset is planned (`[[domain]]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Domain {
    /// The domain.
    pub name: String,
    /// The DNS zone holding it (default: the domain itself).
    pub zone: String,
    /// Its site, then its fallback sites: tier `i` gets `settings.priorities[i]`.
    pub tiers: Vec<String>,
}

/// A checked topology: every reference resolves and every number is in range.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Topology {
    /// `[settings]`.
    pub settings: Settings,
    /// `[[host]]`, in file order.
    pub hosts: Vec<Host>,
    /// `[[site]]`, in file order.
    pub sites: Vec<Site>,
    /// `[[domain]]`, in file order.
    pub domains: Vec<Domain>,
}

/// Default tier priorities: the seed's global scenario uses 10 for the local hosts and 90 for
/// the remote ones (Table 5).
const DEFAULT_PRIORITIES: [u16; 2] = [10, 90];
const DEFAULT_TTL: u32 = 3600;

fn ranged<T: TryFrom<i64>>(
    v: &Spanned<i64>,
    lines: &Lines<'_>,
    field: &'static str,
    min: i64,
    range: &'static str,
) -> Result<T, TopologyError> {
    let value = *v.get_ref();
    T::try_from(value)
        .ok()
        .filter(|_| value >= min)
        .ok_or(TopologyError::OutOfRange {
            line: lines.of(v),
            field,
            value,
            range,
        })
}

fn name<'a>(
    s: &'a Spanned<String>,
    lines: &Lines<'_>,
    what: &'static str,
) -> Result<&'a str, TopologyError> {
    check_dns_name(s.get_ref().trim()).map_err(|reason| TopologyError::Name {
        line: lines.of(s),
        what,
        name: s.get_ref().clone(),
        reason,
    })
}

impl Topology {
    /// Reads and checks a topology file. See the [schema](super).
    pub fn parse(text: &str) -> Result<Self, TopologyError> {
        let lines = Lines(text);
        let raw: RawTopology = lines
            .parse()
            .map_err(|(line, message)| TopologyError::Syntax { line, message })?;
        Self::from_raw(&raw, text)
    }

    /// Checks a topology read from `text` (whose spans `raw` carries) into a [`Topology`].
    pub(crate) fn from_raw(raw: &RawTopology, text: &str) -> Result<Self, TopologyError> {
        let lines = Lines(text);
        let settings = settings(raw.settings.as_ref(), &lines)?;

        let mut hosts: Vec<Host> = Vec::new();
        for h in &raw.host {
            let n = name(&h.name, &lines, "host")?;
            if let Some(first) = hosts.iter().find(|o| same_name(&o.name, n)) {
                return Err(TopologyError::Duplicate {
                    line: lines.of(&h.name),
                    what: "host",
                    name: n.to_string(),
                    first_line: first.line,
                });
            }
            let home_domain = match &h.home_domain {
                Some(d) => name(d, &lines, "home_domain")?.to_string(),
                // The primary DNS suffix of `kms-e1.east.contoso.com` is `east.contoso.com`.
                None => match n.split_once('.') {
                    Some((_, d)) => d.to_string(),
                    None => {
                        return Err(TopologyError::Name {
                            line: lines.of(&h.name),
                            what: "host",
                            name: n.to_string(),
                            reason: "a single-label host needs home_domain (its primary DNS suffix)",
                        });
                    }
                },
            };
            let port = match &h.port {
                Some(p) => ranged(p, &lines, "port", 1, "1 to 65535")?,
                None => KMS_PORT,
            };
            hosts.push(Host {
                name: n.to_string(),
                home_domain,
                port,
                line: lines.of(&h.name),
            });
        }

        let mut sites: Vec<(Site, usize)> = Vec::new();
        for s in &raw.site {
            let site_line = lines.of(&s.name);
            let sname = s.get_name();
            if sname.is_empty() {
                return Err(TopologyError::Name {
                    line: site_line,
                    what: "site",
                    name: sname,
                    reason: "a site name is empty",
                });
            }
            if let Some((_, first_line)) = sites.iter().find(|(o, _)| o.name == sname) {
                return Err(TopologyError::Duplicate {
                    line: site_line,
                    what: "site",
                    name: sname,
                    first_line: *first_line,
                });
            }
            if s.hosts.get_ref().is_empty() {
                return Err(TopologyError::EmptySite {
                    line: lines.of(&s.hosts),
                    site: sname,
                });
            }
            let mut members = Vec::new();
            for m in s.hosts.get_ref() {
                let line = lines.of(&m.host);
                let given = m.host.get_ref().trim();
                let host = hosts
                    .iter()
                    .find(|h| same_name(&h.name, given))
                    .ok_or_else(|| TopologyError::UnknownHost {
                        line,
                        site: sname.clone(),
                        host: given.to_string(),
                    })?;
                let elsewhere = sites
                    .iter()
                    .map(|(o, _)| (&o.name, &o.hosts))
                    .chain(std::iter::once((&sname, &members)))
                    .find(|(_, hs)| hs.iter().any(|(h, _)| same_name(h, &host.name)))
                    .map(|(n, _)| n.clone());
                if let Some(first_site) = elsewhere {
                    return Err(TopologyError::HostInSeveralSites {
                        line,
                        host: host.name.clone(),
                        first_site,
                    });
                }
                let weight = ranged(&m.weight, &lines, "weight", 0, "0 to 65535")?;
                members.push((host.name.clone(), weight));
            }
            sites.push((
                Site {
                    name: sname,
                    hosts: members,
                },
                site_line,
            ));
        }
        let sites: Vec<Site> = sites.into_iter().map(|(s, _)| s).collect();

        let mut domains: Vec<(Domain, usize)> = Vec::new();
        for d in &raw.domain {
            let line = lines.of(&d.name);
            let dname = name(&d.name, &lines, "domain")?.to_string();
            if let Some((_, first_line)) = domains.iter().find(|(o, _)| same_name(&o.name, &dname))
            {
                return Err(TopologyError::Duplicate {
                    line,
                    what: "domain",
                    name: dname,
                    first_line: *first_line,
                });
            }
            let zone = match &d.zone {
                Some(z) => {
                    let z = name(z, &lines, "zone")?.to_string();
                    let inside = same_name(&dname, &z)
                        || dname.len() > z.len()
                            && dname.as_bytes()[dname.len() - z.len() - 1] == b'.'
                            && same_name(&dname[dname.len() - z.len()..], &z);
                    if !inside {
                        return Err(TopologyError::ZoneNotSuffix {
                            line,
                            domain: dname,
                            zone: z,
                        });
                    }
                    z
                }
                None => dname.clone(),
            };
            let mut tiers: Vec<String> = Vec::new();
            for s in std::iter::once(&d.site).chain(&d.fallback) {
                let sname = s.get_ref().trim().to_string();
                let sline = lines.of(s);
                if !sites.iter().any(|o| o.name == sname) {
                    return Err(TopologyError::UnknownSite {
                        line: sline,
                        domain: dname,
                        site: sname,
                    });
                }
                if tiers.contains(&sname) {
                    return Err(TopologyError::SiteRepeated {
                        line: sline,
                        domain: dname,
                        site: sname,
                    });
                }
                tiers.push(sname);
            }
            if tiers.len() > settings.priorities.len() {
                return Err(TopologyError::TooFewPriorities {
                    line,
                    domain: dname,
                    tiers: tiers.len(),
                    priorities: settings.priorities.len(),
                });
            }
            domains.push((
                Domain {
                    name: dname,
                    zone,
                    tiers,
                },
                line,
            ));
        }
        if domains.is_empty() {
            return Err(TopologyError::NoDomains);
        }
        let domains: Vec<Domain> = domains.into_iter().map(|(d, _)| d).collect();

        let topology = Topology {
            settings,
            hosts,
            sites,
            domains,
        };
        topology.check_home_domains()?;
        Ok(topology)
    }

    /// The site a host is in, if any.
    pub fn site_of(&self, host: &str) -> Option<&Site> {
        self.sites
            .iter()
            .find(|s| s.hosts.iter().any(|(h, _)| same_name(h, host)))
    }

    /// Whether a domain's tiers include a host.
    pub(super) fn domain_includes(&self, domain: &Domain, host: &str) -> bool {
        self.site_of(host)
            .is_some_and(|s| domain.tiers.contains(&s.name))
    }

    /// A host that publishes anywhere publishes in its home domain too (S9), and the plan
    /// lists it explicitly (DESIGN.md "KMS discovery"), so that domain must be planned with
    /// this host in it; otherwise the RRset would hold a record nobody planned.
    fn check_home_domains(&self) -> Result<(), TopologyError> {
        for h in &self.hosts {
            let publishes = self
                .domains
                .iter()
                .any(|d| self.domain_includes(d, &h.name));
            if !publishes {
                continue;
            }
            let home = self
                .domains
                .iter()
                .find(|d| same_name(&d.name, &h.home_domain));
            match home {
                None => {
                    return Err(TopologyError::HomeDomainNotPlanned {
                        line: h.line,
                        host: h.name.clone(),
                        home_domain: h.home_domain.clone(),
                    });
                }
                Some(d) if !self.domain_includes(d, &h.name) => {
                    return Err(TopologyError::NotInHomeDomain {
                        line: h.line,
                        host: h.name.clone(),
                        home_domain: h.home_domain.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl RawSite {
    fn get_name(&self) -> String {
        self.name.get_ref().trim().to_string()
    }
}

fn settings(raw: Option<&RawSettings>, lines: &Lines<'_>) -> Result<Settings, TopologyError> {
    let mut s = Settings {
        priorities: DEFAULT_PRIORITIES.to_vec(),
        ttl: DEFAULT_TTL,
        no_refresh_hours: None,
        refresh_hours: None,
    };
    let Some(raw) = raw else { return Ok(s) };
    if let Some(p) = &raw.priorities {
        let mut v: Vec<u16> = Vec::new();
        for x in p.get_ref() {
            v.push(ranged(x, lines, "settings.priorities", 0, "0 to 65535")?);
        }
        if v.is_empty() || v.windows(2).any(|w| w[0] >= w[1]) {
            return Err(TopologyError::PrioritiesNotAscending { line: lines.of(p) });
        }
        s.priorities = v;
    }
    if let Some(t) = &raw.ttl {
        // RFC 2181 §8: a TTL is at most 2^31 - 1 seconds.
        s.ttl = ranged(t, lines, "settings.ttl", 0, "0 to 2147483647")?;
        if s.ttl > i32::MAX as u32 {
            return Err(TopologyError::OutOfRange {
                line: lines.of(t),
                field: "settings.ttl",
                value: *t.get_ref(),
                range: "0 to 2147483647",
            });
        }
    }
    let hours = |v: &Option<Spanned<i64>>, field| match v {
        Some(h) => ranged(h, lines, field, 0, "0 to 4294967295 hours").map(Some),
        None => Ok(None),
    };
    s.no_refresh_hours = hours(&raw.no_refresh_hours, "settings.no_refresh_hours")?;
    s.refresh_hours = hours(&raw.refresh_hours, "settings.refresh_hours")?;
    Ok(s)
}
