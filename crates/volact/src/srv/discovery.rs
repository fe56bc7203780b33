//! The order in which a KMS client tries hosts: [`discover`].
//!
//! The steps (facts.md §4.3, from "KMS Activation Timing and Discovery", S10, the slmgr
//! reference S4, and the KMS DNS troubleshooting page S6):
//!
//! 1. A host named by `KeyManagementServiceName[:Port]`, SKU-specific, else application-
//!    specific, else global, is the **only** host tried: naming a host turns auto-discovery
//!    off (S4 `/skms`, DESIGN.md "KMS discovery"). A level set to `:port` only names no host
//!    (slmgr `/skms :port` sets the port alone), so the next level is looked at.
//! 2. With auto-discovery, the cached host from the last success, when host caching is on
//!    (the default; `/ckhc` turns it off, S4).
//! 3. DNS: `_vlmcs._tcp.<domain>` in the `/skms-domain` lookup domain only, or else in the
//!    primary DNS suffix followed by the DNS suffix search list (S6; S4/S13: the lookup domain
//!    "ignores the suffix list"). The records are ordered by [`order`](super::order::order);
//!    a host that fails is dropped and the next tried (S3, S6), so the order *is* the
//!    sequence of attempts.
//!
//! How the suffix list is walked — volact's reading, documented in `docs/kms-discovery.md`:
//! - The walk stops at the first domain whose answer holds at least one usable host (S6: the
//!   primary suffix, and "if not found" the suffix search list).
//! - NXDOMAIN, NoData and a failed lookup go on to the next domain: the records were not found.
//! - An answer whose only target is `.` ([`SrvAnswer::NoService`]) stops the walk and yields
//!   no DNS host: RFC 2782 says the service is "decidedly not available" in that domain, which
//!   is an answer, not a miss, and an administrator publishes `.` precisely to keep clients
//!   in that domain from using KMS. A cached host tried before DNS stays in the list.
//! - A `.` record among real ones is ignored, with a note in the query log.
//! - A DNS host equal to the cached host (same name, case-insensitive, and port) is not tried
//!   twice: the cached attempt stays where it is.
//!
//! ```
//! use volact::srv::discovery::{discover, AttemptSource, ClientConfig};
//! use volact::srv::{SeededRandom, SrvAnswer, SrvLookup, SrvRecord};
//!
//! struct Fixed;
//! impl SrvLookup for Fixed {
//!     fn lookup_srv(&mut self, owner: &str) -> SrvAnswer {
//!         if owner == "_vlmcs._tcp.east.contoso.com" {
//!             let r = SrvRecord { priority: 10, weight: 75, port: 1688, target: "kms-e1.east.contoso.com".into() };
//!             SrvAnswer::Records { records: vec![r], warnings: vec![] }
//!         } else {
//!             SrvAnswer::NxDomain
//!         }
//!     }
//! }
//! let config = ClientConfig {
//!     primary_dns_suffix: Some("corp.contoso.com".into()),
//!     suffix_search_list: vec!["east.contoso.com".into(), "west.contoso.com".into()],
//!     ..ClientConfig::default()
//! };
//! let d = discover(&config, &mut Fixed, &mut SeededRandom::new(1));
//! assert_eq!(d.queries.len(), 2); // corp (NXDOMAIN), then east (found): west is not asked
//! assert_eq!(d.attempts[0].host, "kms-e1.east.contoso.com");
//! assert_eq!(d.attempts[0].source, AttemptSource::Dns { domain: "east.contoso.com".into() });
//! ```

use super::order::{OrderMode, is_no_service, order};
use super::random::Random;
use super::record::{KMS_PORT, SrvAnswer, SrvLookup, check_dns_name, owner_name, same_name};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Why a text is not a `KeyManagementServiceName[:Port]` value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostPortError {
    /// Nothing given.
    #[error("empty KMS host: give `host`, `host:port`, `[IPv6]:port` or `:port`")]
    Empty,
    /// A `[` without its `]`, or something other than `:port` after the `]`.
    #[error("{input:?}: an IPv6 address is written `[address]` or `[address]:port`")]
    Brackets {
        /// The text given.
        input: String,
    },
    /// Brackets around something that is not an IPv6 address.
    #[error("{input:?}: {inner:?} inside brackets is not an IPv6 address")]
    Ipv6 {
        /// The text given.
        input: String,
        /// What was inside the brackets.
        inner: String,
    },
    /// An IPv6 address without brackets: its colons cannot be told from a port's.
    #[error("{input:?}: an IPv6 address must be in brackets, `[address]:port` (slmgr /skms)")]
    BareIpv6 {
        /// The text given.
        input: String,
    },
    /// The host part is not a DNS name or an IPv4 address.
    #[error("{input:?}: host {host:?}: {reason}")]
    Host {
        /// The text given.
        input: String,
        /// The host part.
        host: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The port is not a number in 1..=65535.
    #[error("{input:?}: port {port:?} is not a whole number from 1 to 65535")]
    Port {
        /// The text given.
        input: String,
        /// The port part.
        port: String,
    },
}

/// A `KeyManagementServiceName` / `KeyManagementServicePort` pair as slmgr `/skms` takes it:
/// `host`, `host:port`, `[IPv6]`, `[IPv6]:port` or `:port` (facts.md §4.4, S4, S13).
///
/// ```
/// use volact::srv::discovery::HostPort;
/// let h = HostPort::parse("[fd00::1688]:1700")?;
/// assert_eq!((h.host(), h.port()), (Some("fd00::1688"), Some(1700)));
/// assert_eq!(h.to_string(), "[fd00::1688]:1700");
/// assert_eq!(HostPort::parse(":1700")?.host(), None); // the port alone: names no host
/// assert!(HostPort::parse("fd00::1").is_err()); // IPv6 needs brackets
/// # Ok::<(), volact::srv::discovery::HostPortError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostPort {
    host: Option<String>,
    port: Option<u16>,
}

impl HostPort {
    /// Parses `host`, `host:port`, `[IPv6]`, `[IPv6]:port` or `:port`; surrounding whitespace
    /// is ignored and a trailing dot on a name is dropped.
    pub fn parse(input: &str) -> Result<Self, HostPortError> {
        let text = input.trim();
        let owned = || text.to_string();
        if text.is_empty() {
            return Err(HostPortError::Empty);
        }
        let port = |p: &str| match p.parse::<u16>() {
            Ok(n) if n != 0 && p.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(HostPortError::Port {
                input: owned(),
                port: p.to_string(),
            }),
        };
        if let Some(rest) = text.strip_prefix('[') {
            let (inner, after) = rest
                .split_once(']')
                .ok_or_else(|| HostPortError::Brackets { input: owned() })?;
            if inner.parse::<Ipv6Addr>().is_err() {
                return Err(HostPortError::Ipv6 {
                    input: owned(),
                    inner: inner.to_string(),
                });
            }
            let port = match after {
                "" => None,
                _ => {
                    Some(port(after.strip_prefix(':').ok_or_else(|| {
                        HostPortError::Brackets { input: owned() }
                    })?)?)
                }
            };
            return Ok(Self {
                host: Some(inner.to_string()),
                port,
            });
        }
        if let Some(p) = text.strip_prefix(':') {
            if p.contains(':') {
                return Err(HostPortError::BareIpv6 { input: owned() });
            }
            return Ok(Self {
                host: None,
                port: Some(port(p)?),
            });
        }
        let (host, p) = match text.split_once(':') {
            Some((_, p)) if p.contains(':') => {
                return Err(HostPortError::BareIpv6 { input: owned() });
            }
            Some((h, p)) => (h, Some(port(p)?)),
            None => (text, None),
        };
        let host = if host.parse::<Ipv4Addr>().is_ok() {
            host
        } else {
            check_dns_name(host).map_err(|reason| HostPortError::Host {
                input: owned(),
                host: host.to_string(),
                reason,
            })?
        };
        Ok(Self {
            host: Some(host.to_string()),
            port: p,
        })
    }

    /// The host name or address (IPv6 without brackets), if one is named.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The port, if one is given (the client then uses 1688, facts.md §4.3).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port the client connects to: the given one or 1688.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(KMS_PORT)
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Some(h) if h.contains(':') => write!(f, "[{h}]")?,
            Some(h) => f.write_str(h)?,
            None => {}
        }
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

impl std::str::FromStr for HostPort {
    type Err = HostPortError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for HostPort {
    type Error = HostPortError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<HostPort> for String {
    fn from(h: HostPort) -> String {
        h.to_string()
    }
}

/// What a KMS client is configured with, as far as choosing a host goes (facts.md §4.3).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// `KeyManagementServiceName[:Port]` under `…\<AppID>\<SKUID>` (`slmgr /skms … <ActID>`).
    pub sku_kms: Option<HostPort>,
    /// `KeyManagementServiceName[:Port]` under `…\<AppID>`.
    pub app_kms: Option<HostPort>,
    /// `KeyManagementServiceName[:Port]` under `…\SoftwareProtectionPlatform`.
    pub global_kms: Option<HostPort>,
    /// The host that last activated this client (`DiscoveredKeyManagementServiceMachineName`
    /// and port, facts.md §5.2).
    pub cached_host: Option<HostPort>,
    /// `KeyManagementServiceHostCaching`: on by default; `/ckhc` turns it off (S4).
    pub host_caching: bool,
    /// `/skms-domain` (`KeyManagementServiceLookupDomain`, Windows 8+): the only domain asked.
    pub lookup_domain: Option<String>,
    /// The primary DNS suffix (or AD domain; DHCP option 15 for a workgroup machine, S6).
    pub primary_dns_suffix: Option<String>,
    /// The DNS suffix search list, in order.
    pub suffix_search_list: Vec<String>,
    /// How the SRV records are ordered.
    pub order: OrderMode,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            sku_kms: None,
            app_kms: None,
            global_kms: None,
            cached_host: None,
            host_caching: true,
            lookup_domain: None,
            primary_dns_suffix: None,
            suffix_search_list: Vec::new(),
            order: OrderMode::default(),
        }
    }
}

/// Where an attempt's host came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttemptSource {
    /// The SKU-specific `KeyManagementServiceName`.
    SkuKmsName,
    /// The application-specific `KeyManagementServiceName`.
    AppKmsName,
    /// The global `KeyManagementServiceName`.
    GlobalKmsName,
    /// The cached host (host caching on).
    Cached,
    /// An SRV record of `_vlmcs._tcp.<domain>`.
    Dns {
        /// The domain whose records it came from.
        domain: String,
    },
}

/// One host the client tries, in order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The SRV priority, for a DNS host.
    pub priority: Option<u16>,
    /// The SRV weight, for a DNS host.
    pub weight: Option<u16>,
    /// Where it came from.
    pub source: AttemptSource,
}

/// What one SRV lookup came back with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryOutcome {
    /// At least one host record: the walk stops here.
    Records,
    /// Only `.`: no KMS in this domain; the walk stops with no DNS host.
    NoService,
    /// The name exists without SRV records.
    NoData,
    /// The name does not exist.
    NxDomain,
    /// No usable answer.
    Failed,
}

/// One DNS name asked, with its outcome.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct QueryLog {
    /// The name asked: `_vlmcs._tcp.<domain>`.
    pub name: String,
    /// What came back.
    pub outcome: QueryOutcome,
    /// How many records were used from it.
    pub records: usize,
    /// Resolver warnings, the failure text, and what discovery made of odd answers.
    pub notes: Vec<String>,
}

/// The result of [`discover`]: the hosts in the order tried, and the DNS names asked.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Discovery {
    /// The hosts the client tries, in order; the client stops at the first that activates it.
    pub attempts: Vec<Attempt>,
    /// Every SRV lookup made, in order.
    pub queries: Vec<QueryLog>,
}

/// The KMS hosts a client with `config` tries, in order, with every DNS query it makes.
/// See the [module docs](self) for the rules and their sources.
pub fn discover(config: &ClientConfig, dns: &mut dyn SrvLookup, rng: &mut dyn Random) -> Discovery {
    let mut out = Discovery::default();
    let named = [
        (&config.sku_kms, AttemptSource::SkuKmsName),
        (&config.app_kms, AttemptSource::AppKmsName),
        (&config.global_kms, AttemptSource::GlobalKmsName),
    ];
    for (level, source) in named {
        if let Some(hp) = level
            && let Some(host) = hp.host()
        {
            out.attempts.push(Attempt {
                host: host.to_string(),
                port: hp.port_or_default(),
                priority: None,
                weight: None,
                source,
            });
            return out;
        }
    }
    let cached = match (&config.cached_host, config.host_caching) {
        (Some(hp), true) => hp.host().map(|h| (h.to_string(), hp.port_or_default())),
        _ => None,
    };
    if let Some((host, port)) = &cached {
        out.attempts.push(Attempt {
            host: host.clone(),
            port: *port,
            priority: None,
            weight: None,
            source: AttemptSource::Cached,
        });
    }
    for domain in search_domains(config) {
        let mut log = QueryLog {
            name: owner_name(&domain),
            outcome: QueryOutcome::Failed,
            records: 0,
            notes: Vec::new(),
        };
        let answer = dns.lookup_srv(&log.name);
        let stop = match answer {
            SrvAnswer::Records { records, warnings } => {
                log.notes.extend(warnings);
                let dots = records.iter().filter(|r| is_no_service(r)).count();
                if dots == records.len() && dots > 0 {
                    log.outcome = QueryOutcome::NoService;
                    true
                } else if records.is_empty() {
                    log.outcome = QueryOutcome::NoData;
                    false
                } else {
                    if dots > 0 {
                        log.notes.push(format!(
                            "{dots} record(s) with target `.` ignored: RFC 2782 uses `.` only \
                             as the sole record, to say there is no service"
                        ));
                    }
                    log.outcome = QueryOutcome::Records;
                    for r in order(&records, config.order, rng) {
                        let is_cached = cached
                            .as_ref()
                            .is_some_and(|(h, p)| same_name(h, &r.target) && *p == r.port);
                        if is_cached {
                            log.notes.push(format!(
                                "{}:{} is the cached host, already tried first",
                                r.target, r.port
                            ));
                            continue;
                        }
                        log.records += 1;
                        out.attempts.push(Attempt {
                            host: r.target.trim_end_matches('.').to_string(),
                            port: r.port,
                            priority: Some(r.priority),
                            weight: Some(r.weight),
                            source: AttemptSource::Dns {
                                domain: domain.clone(),
                            },
                        });
                    }
                    true
                }
            }
            SrvAnswer::NoService => {
                log.outcome = QueryOutcome::NoService;
                true
            }
            SrvAnswer::NoData => {
                log.outcome = QueryOutcome::NoData;
                false
            }
            SrvAnswer::NxDomain => {
                log.outcome = QueryOutcome::NxDomain;
                false
            }
            SrvAnswer::Failed(why) => {
                log.notes.push(why);
                false
            }
        };
        if log.outcome == QueryOutcome::NoService {
            log.notes.push(
                "the service is decidedly not available here (RFC 2782): no DNS host is tried \
                 and no further domain is asked"
                    .to_string(),
            );
        }
        out.queries.push(log);
        if stop {
            break;
        }
    }
    out
}

/// The domains asked, in order: the lookup domain alone, else the primary suffix then the
/// search list, each once (a suffix repeated in the list is not asked twice).
pub(crate) fn search_domains(config: &ClientConfig) -> Vec<String> {
    let clean = |d: &String| d.trim().trim_end_matches('.').to_string();
    if let Some(d) = config
        .lookup_domain
        .as_ref()
        .map(clean)
        .filter(|d| !d.is_empty())
    {
        return vec![d];
    }
    let mut out: Vec<String> = Vec::new();
    for d in config
        .primary_dns_suffix
        .iter()
        .chain(&config.suffix_search_list)
        .map(clean)
    {
        if !d.is_empty() && !out.iter().any(|o| same_name(o, &d)) {
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests;
