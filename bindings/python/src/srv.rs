//! KMS discovery over DNS: topology planning, RFC 2782 ordering, the client's discovery
//! order against a real DNS server, TSIG-signed publishing and withdrawal, and the TCP probe.
//!
//! The core's `srv` module plans, orders and discovers; `volact-net` does the wire. This
//! file converts their types into uniffi records and objects and their errors into
//! [`VolactError`]; the JSON texts are the core types' serde forms, the same as the CLI's.
//!
//! TSIG secrets cross the boundary only as the key file's text, an argument: it is parsed by
//! `volact_net::TsigKey::parse` (whose errors never quote the secret) and never stored in a
//! returned value, so no `repr()` or error can show it.

use super::*;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;
use volact_core::srv::{self as core_srv, discovery, order, plan, random::SeededRandom};
use volact_net::{ResolveError, UpdateError, addr, probe as net_probe, transport};

impl From<plan::TopologyError> for VolactError {
    fn from(e: plan::TopologyError) -> Self {
        VolactError::InvalidTopology {
            message: e.to_string(),
        }
    }
}

impl From<core_srv::SrvRecordError> for VolactError {
    fn from(e: core_srv::SrvRecordError) -> Self {
        VolactError::InvalidSrvRecord {
            message: e.to_string(),
        }
    }
}

impl From<discovery::HostPortError> for VolactError {
    fn from(e: discovery::HostPortError) -> Self {
        VolactError::InvalidArgument {
            message: e.to_string(),
        }
    }
}

impl From<addr::ServerAddrError> for VolactError {
    fn from(e: addr::ServerAddrError) -> Self {
        VolactError::InvalidArgument {
            message: e.to_string(),
        }
    }
}

impl From<volact_net::KeyFileError> for VolactError {
    fn from(e: volact_net::KeyFileError) -> Self {
        // KeyFileError's messages name the key and the line, never the secret.
        VolactError::InvalidTsigKey {
            message: e.to_string(),
        }
    }
}

impl From<ResolveError> for VolactError {
    fn from(e: ResolveError) -> Self {
        VolactError::Network {
            kind: resolve_kind(&e).to_owned(),
            message: e.to_string(),
        }
    }
}

impl From<UpdateError> for VolactError {
    fn from(e: UpdateError) -> Self {
        let kind = match &e {
            UpdateError::Message(_) => "message",
            UpdateError::Refused { .. } => "refused",
            UpdateError::Tsig { .. } => "tsig",
            UpdateError::NotAuthoritative { .. } => "not_authoritative",
            UpdateError::NotZone { .. } => "not_zone",
            UpdateError::Rcode { .. } => "rcode",
            UpdateError::BadResponseSignature { .. } => "bad_response_signature",
            UpdateError::Sign { .. } => "sign",
            UpdateError::Clock => "clock",
            UpdateError::Transport { source, .. } => transport_kind(source),
            UpdateError::Lookup(l) => resolve_kind(l),
            _ => "other",
        };
        VolactError::Network {
            kind: kind.to_owned(),
            message: e.to_string(),
        }
    }
}

impl From<net_probe::ProbeError> for VolactError {
    fn from(e: net_probe::ProbeError) -> Self {
        if let net_probe::ProbeError::Target(_) = e {
            return VolactError::InvalidArgument {
                message: e.to_string(),
            };
        }
        let kind = match &e {
            net_probe::ProbeError::Timeout { .. } => "timeout",
            net_probe::ProbeError::Resolve { .. } => "resolve",
            _ => "unreachable",
        };
        VolactError::Network {
            kind: kind.to_owned(),
            message: e.to_string(),
        }
    }
}

/// The `kind` of a transport failure: `timeout` (nothing within the deadline),
/// `connection_refused` (nothing listens there), else `transport`.
fn transport_kind(e: &transport::TransportError) -> &'static str {
    match e {
        transport::TransportError::Timeout { .. } => "timeout",
        transport::TransportError::Refused { .. } => "connection_refused",
        _ => "transport",
    }
}

fn resolve_kind(e: &ResolveError) -> &'static str {
    match e {
        ResolveError::ResolvConf { .. } => "resolv_conf",
        ResolveError::NoServers => "no_servers",
        ResolveError::Message(_) => "message",
        ResolveError::NoAnswer {
            timed_out: true, ..
        } => "timeout",
        ResolveError::NoAnswer { .. } => "no_answer",
        _ => "other",
    }
}

// ---------------------------------------------------------------------------------------
// Records and ordering

/// One SRV record value: `priority weight port target`. `str()` is the zone-file
/// presentation (`10 75 1688 kms-e1.east.contoso.com.`); `SrvRecord.parse(text)` reads it.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct SrvRecord {
    /// Lower is preferred (RFC 2782).
    pub priority: u16,
    /// Relative share within one priority.
    pub weight: u16,
    /// The port the host listens on (1688 for KMS).
    pub port: u16,
    /// The host name without the trailing dot; `.` means "no service".
    pub target: String,
}

impl fmt::Debug for SrvRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SrvRecord(")?;
        repr::PyRepr::py_repr(&core_srv::SrvRecord::from(self.clone()).to_string(), f)?;
        f.write_str(")")
    }
}

impl fmt::Display for SrvRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&core_srv::SrvRecord::from(self.clone()), f)
    }
}

impl repr::PyRepr for SrvRecord {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<core_srv::SrvRecord> for SrvRecord {
    fn from(r: core_srv::SrvRecord) -> Self {
        SrvRecord {
            priority: r.priority,
            weight: r.weight,
            port: r.port,
            target: r.target,
        }
    }
}

impl From<SrvRecord> for core_srv::SrvRecord {
    fn from(r: SrvRecord) -> Self {
        core_srv::SrvRecord {
            priority: r.priority,
            weight: r.weight,
            port: r.port,
            target: r.target,
        }
    }
}

fn core_records(records: Vec<SrvRecord>) -> Vec<core_srv::SrvRecord> {
    records.into_iter().map(Into::into).collect()
}

/// Reads `priority weight port target` (zone-file presentation). Raises
/// `VolactError.InvalidSrvRecord`. In Python also `SrvRecord.parse(text)`.
#[uniffi::export]
pub fn parse_srv_record(text: String) -> Result<SrvRecord, VolactError> {
    Ok(text.parse::<core_srv::SrvRecord>()?.into())
}

/// How a client orders the records it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum OrderMode {
    /// RFC 2782: priority ascending, a weighted draw within a priority (Windows 7 / 2008 R2+).
    Rfc2782,
    /// A uniform shuffle that ignores priority and weight (Vista / 2008 clients).
    Legacy,
}

impl From<OrderMode> for order::OrderMode {
    fn from(m: OrderMode) -> Self {
        match m {
            OrderMode::Rfc2782 => order::OrderMode::Rfc2782,
            OrderMode::Legacy => order::OrderMode::Legacy,
        }
    }
}

impl From<order::OrderMode> for OrderMode {
    fn from(m: order::OrderMode) -> Self {
        match m {
            order::OrderMode::Rfc2782 => OrderMode::Rfc2782,
            order::OrderMode::Legacy => OrderMode::Legacy,
        }
    }
}

/// `None` is the core's default mode (RFC 2782).
fn order_mode(mode: Option<OrderMode>) -> order::OrderMode {
    mode.map(Into::into).unwrap_or_default()
}

/// The core's seeded generator; without a seed, one drawn from the OS-seeded `RandomState`
/// (fresh per call), so unseeded orderings differ from run to run as a client's do.
fn rng(seed: Option<u64>) -> SeededRandom {
    SeededRandom::new(seed.unwrap_or_else(|| {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    }))
}

/// The order a client in `mode` tries the records in (`.` targets left out). The same
/// `seed` gives the same order; `None` draws fresh randomness. `mode` `None` is RFC 2782.
#[uniffi::export(default(mode = None, seed = None))]
pub fn order_srv_records(
    records: Vec<SrvRecord>,
    mode: Option<OrderMode>,
    seed: Option<u64>,
) -> Vec<SrvRecord> {
    order::order(&core_records(records), order_mode(mode), &mut rng(seed))
        .into_iter()
        .map(Into::into)
        .collect()
}

/// How often each target comes first over `draws` orderings; every host target appears.
#[uniffi::export(default(mode = None, draws = 10000, seed = None))]
pub fn first_counts(
    records: Vec<SrvRecord>,
    mode: Option<OrderMode>,
    draws: u64,
    seed: Option<u64>,
) -> HashMap<String, u64> {
    order::first_counts(
        &core_records(records),
        order_mode(mode),
        draws,
        &mut rng(seed),
    )
    .into_iter()
    .collect()
}

// ---------------------------------------------------------------------------------------
// Planning

/// One SRV record of a domain's planned RRset.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct PlannedRecord {
    /// The KMS host: the SRV target.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The tier's priority.
    pub priority: u16,
    /// The host's weight in its site.
    pub weight: u16,
}

py_repr!(PlannedRecord {
    host,
    port,
    priority,
    weight
});

impl From<&plan::PlannedRecord> for PlannedRecord {
    fn from(r: &plan::PlannedRecord) -> Self {
        PlannedRecord {
            host: r.host.clone(),
            port: r.port,
            priority: r.priority,
            weight: r.weight,
        }
    }
}

/// What one KMS host is configured with.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct HostPlan {
    /// The host's primary DNS suffix.
    pub home_domain: String,
    /// `DnsDomainPublishList` entries, `domain, priority, weight`, home domain first.
    pub dns_domain_publish_list: Vec<String>,
    /// `DisableDnsPublishing = 1`: the host is in no domain's RRset.
    pub disable_dns_publishing: bool,
    /// Why, in sentences.
    pub explanation: Vec<String>,
}

py_repr!(HostPlan {
    home_domain,
    dns_domain_publish_list,
    disable_dns_publishing,
    explanation
});

impl From<&plan::HostPlan> for HostPlan {
    fn from(h: &plan::HostPlan) -> Self {
        HostPlan {
            home_domain: h.home_domain.clone(),
            dns_domain_publish_list: h.dns_domain_publish_list.clone(),
            disable_dns_publishing: h.disable_dns_publishing,
            explanation: h.explanation.clone(),
        }
    }
}

/// The DNS aging check: a host refreshes its record every 24 h.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct ScavengingCheck {
    /// 24.
    pub host_refresh_hours: u32,
    /// The zone's no-refresh interval, if given.
    pub no_refresh_hours: Option<u32>,
    /// The zone's refresh interval, if given.
    pub refresh_hours: Option<u32>,
    /// Whether records survive scavenging; `None` when the intervals are not given.
    pub ok: Option<bool>,
    /// The verdict in a sentence.
    pub note: String,
}

py_repr!(ScavengingCheck {
    host_refresh_hours,
    no_refresh_hours,
    refresh_hours,
    ok,
    note
});

/// A computed plan (`volact srv plan`). Immutable.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct SrvPlan(plan::Plan);

impl fmt::Debug for SrvPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SrvPlan(domains={}, hosts={}, ttl={})",
            self.0.domains.len(),
            self.0.hosts.len(),
            self.0.ttl
        )
    }
}

/// Plans a topology TOML (schema: docs/kms-discovery.md). Raises
/// `VolactError.InvalidTopology`, whose message names the TOML line.
#[uniffi::export]
pub fn plan_topology(toml: String) -> Result<Arc<SrvPlan>, VolactError> {
    Ok(Arc::new(SrvPlan(plan::Plan::from_toml(&toml)?)))
}

#[uniffi::export]
impl SrvPlan {
    /// The plan as JSON, `{domains, hosts, zones, ttl, scavenging, notes}`: the
    /// `volact srv plan --json` document.
    pub fn json(&self) -> String {
        to_json(&self.0)
    }

    /// Domain → its planned RRset, tier 1 first.
    pub fn domains(&self) -> HashMap<String, Vec<PlannedRecord>> {
        self.0
            .domains
            .iter()
            .map(|(d, rs)| (d.clone(), rs.iter().map(PlannedRecord::from).collect()))
            .collect()
    }

    /// Host → its registry settings.
    pub fn hosts(&self) -> HashMap<String, HostPlan> {
        self.0
            .hosts
            .iter()
            .map(|(h, p)| (h.clone(), HostPlan::from(p)))
            .collect()
    }

    /// Domain → the DNS zone that holds it.
    pub fn zones(&self) -> HashMap<String, String> {
        self.0.zones.clone().into_iter().collect()
    }

    /// The TTL of the rendered records, seconds.
    pub fn ttl(&self) -> u32 {
        self.0.ttl
    }

    /// The DNS aging check.
    pub fn scavenging(&self) -> ScavengingCheck {
        let s = &self.0.scavenging;
        ScavengingCheck {
            host_refresh_hours: s.host_refresh_hours,
            no_refresh_hours: s.no_refresh_hours,
            refresh_hours: s.refresh_hours,
            ok: s.ok,
            note: s.note.clone(),
        }
    }

    /// What the plan wants the reader to know (e.g. Table 5 per domain vs per host).
    pub fn notes(&self) -> Vec<String> {
        self.0.notes.clone()
    }

    /// The RRsets as zone-file lines.
    pub fn zone(&self) -> String {
        self.0.zone_fragment()
    }

    /// An `nsupdate` script replacing each domain's RRset with the plan.
    pub fn nsupdate(&self) -> String {
        self.0.nsupdate_script()
    }

    /// PowerShell `Add-DnsServerResourceRecord -Srv` lines.
    pub fn powershell(&self) -> String {
        self.0.powershell()
    }

    /// `reg add` commands for each host.
    pub fn registry(&self) -> String {
        self.0.registry_commands()
    }
}

/// Compact JSON of a core value. Serializing these plain structs cannot fail; if serde ever
/// did, an empty object is a safer answer than a panic across the FFI.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{}"))
}

// ---------------------------------------------------------------------------------------
// Discovery

/// What a KMS client is configured with, as far as choosing a host goes. Host fields take
/// `host`, `host:port`, `[IPv6]:port` or `:port` (slmgr /skms). All fields have defaults;
/// `ClientConfig.from_json(text)` reads the CLI's JSON form.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct ClientConfig {
    /// SKU-specific `KeyManagementServiceName[:Port]`.
    #[uniffi(default = None)]
    pub sku_kms: Option<String>,
    /// Application-specific `KeyManagementServiceName[:Port]`.
    #[uniffi(default = None)]
    pub app_kms: Option<String>,
    /// Global `KeyManagementServiceName[:Port]`.
    #[uniffi(default = None)]
    pub global_kms: Option<String>,
    /// The host that last activated this client.
    #[uniffi(default = None)]
    pub cached_host: Option<String>,
    /// `KeyManagementServiceHostCaching` (`/ckhc` turns it off).
    #[uniffi(default = true)]
    pub host_caching: bool,
    /// `/skms-domain`: the only domain asked.
    #[uniffi(default = None)]
    pub lookup_domain: Option<String>,
    /// The primary DNS suffix.
    #[uniffi(default = None)]
    pub primary_dns_suffix: Option<String>,
    /// The DNS suffix search list, in order.
    #[uniffi(default = [])]
    pub suffix_search_list: Vec<String>,
    /// How the SRV records are ordered; `None` is RFC 2782.
    #[uniffi(default = None)]
    pub order: Option<OrderMode>,
}

py_repr!(ClientConfig {
    sku_kms,
    app_kms,
    global_kms,
    cached_host,
    host_caching,
    lookup_domain,
    primary_dns_suffix,
    suffix_search_list,
    order
});

impl repr::PyRepr for OrderMode {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrderMode::Rfc2782 => "OrderMode.RFC2782",
            OrderMode::Legacy => "OrderMode.LEGACY",
        })
    }
}

impl TryFrom<ClientConfig> for discovery::ClientConfig {
    type Error = VolactError;
    fn try_from(c: ClientConfig) -> Result<Self, VolactError> {
        let host = |h: Option<String>| h.as_deref().map(discovery::HostPort::parse).transpose();
        Ok(discovery::ClientConfig {
            sku_kms: host(c.sku_kms)?,
            app_kms: host(c.app_kms)?,
            global_kms: host(c.global_kms)?,
            cached_host: host(c.cached_host)?,
            host_caching: c.host_caching,
            lookup_domain: c.lookup_domain,
            primary_dns_suffix: c.primary_dns_suffix,
            suffix_search_list: c.suffix_search_list,
            order: order_mode(c.order),
        })
    }
}

impl From<discovery::ClientConfig> for ClientConfig {
    fn from(c: discovery::ClientConfig) -> Self {
        let host = |h: Option<discovery::HostPort>| h.map(|h| h.to_string());
        ClientConfig {
            sku_kms: host(c.sku_kms),
            app_kms: host(c.app_kms),
            global_kms: host(c.global_kms),
            cached_host: host(c.cached_host),
            host_caching: c.host_caching,
            lookup_domain: c.lookup_domain,
            primary_dns_suffix: c.primary_dns_suffix,
            suffix_search_list: c.suffix_search_list,
            order: Some(c.order.into()),
        }
    }
}

/// Reads a client configuration from JSON: the core's serde form (every key optional,
/// unknown keys refused; `order` is `"rfc2782"` or `"legacy"`). Raises
/// `VolactError.InvalidArgument`. In Python also `ClientConfig.from_json(text)`.
#[uniffi::export]
pub fn client_config_from_json(json: String) -> Result<ClientConfig, VolactError> {
    serde_json::from_str::<discovery::ClientConfig>(&json)
        .map(ClientConfig::from)
        .map_err(|e| VolactError::InvalidArgument {
            message: format!("client configuration JSON: {e}"),
        })
}

/// One host the client tries, in order.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct DiscoveryAttempt {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// SRV priority, for a DNS host.
    pub priority: Option<u16>,
    /// SRV weight, for a DNS host.
    pub weight: Option<u16>,
    /// Where it came from: `sku_kms_name`, `app_kms_name`, `global_kms_name`, `cached`,
    /// `dns` (the JSON's `source.kind`).
    pub source: String,
    /// For `dns`: the domain whose records it came from.
    pub domain: Option<String>,
}

py_repr!(DiscoveryAttempt {
    host,
    port,
    priority,
    weight,
    source,
    domain
});

impl From<&discovery::Attempt> for DiscoveryAttempt {
    fn from(a: &discovery::Attempt) -> Self {
        let (source, domain) = match &a.source {
            discovery::AttemptSource::SkuKmsName => ("sku_kms_name", None),
            discovery::AttemptSource::AppKmsName => ("app_kms_name", None),
            discovery::AttemptSource::GlobalKmsName => ("global_kms_name", None),
            discovery::AttemptSource::Cached => ("cached", None),
            discovery::AttemptSource::Dns { domain } => ("dns", Some(domain.clone())),
        };
        DiscoveryAttempt {
            host: a.host.clone(),
            port: a.port,
            priority: a.priority,
            weight: a.weight,
            source: source.to_owned(),
            domain,
        }
    }
}

/// One DNS name asked, with its outcome.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct DiscoveryQuery {
    /// `_vlmcs._tcp.<domain>`.
    pub name: String,
    /// `records`, `no_service`, `no_data`, `nx_domain` or `failed` (the JSON's names).
    pub outcome: String,
    /// How many records were used from it.
    pub records: u64,
    /// Resolver warnings, the failure text, and what discovery made of odd answers.
    pub notes: Vec<String>,
}

py_repr!(DiscoveryQuery {
    name,
    outcome,
    records,
    notes
});

impl From<&discovery::QueryLog> for DiscoveryQuery {
    fn from(q: &discovery::QueryLog) -> Self {
        let outcome = match q.outcome {
            discovery::QueryOutcome::Records => "records",
            discovery::QueryOutcome::NoService => "no_service",
            discovery::QueryOutcome::NoData => "no_data",
            discovery::QueryOutcome::NxDomain => "nx_domain",
            discovery::QueryOutcome::Failed => "failed",
        };
        DiscoveryQuery {
            name: q.name.clone(),
            outcome: outcome.to_owned(),
            records: to_u64(q.records),
            notes: q.notes.clone(),
        }
    }
}

/// The result of `discover_kms`: the hosts in the order tried, and the DNS names asked.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Discovery(discovery::Discovery);

impl fmt::Debug for Discovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Discovery(attempts=")?;
        let hosts: Vec<String> = self
            .0
            .attempts
            .iter()
            .map(|a| match a.host.contains(':') {
                true => format!("[{}]:{}", a.host, a.port), // IPv6, as slmgr /skms writes it
                false => format!("{}:{}", a.host, a.port),
            })
            .collect();
        repr::PyRepr::py_repr(&hosts, f)?;
        write!(f, ", queries={})", self.0.queries.len())
    }
}

#[uniffi::export]
impl Discovery {
    /// The hosts the client tries, in order.
    pub fn attempts(&self) -> Vec<DiscoveryAttempt> {
        self.0.attempts.iter().map(DiscoveryAttempt::from).collect()
    }

    /// Every SRV lookup made, in order.
    pub fn queries(&self) -> Vec<DiscoveryQuery> {
        self.0.queries.iter().map(DiscoveryQuery::from).collect()
    }

    /// `{attempts, queries}` as JSON: the `volact srv discover --json` document.
    pub fn json(&self) -> String {
        to_json(&self.0)
    }
}

/// The resolver for `servers` (`ip`, `ip:port`; port 53 by default), or `/etc/resolv.conf`'s
/// when `None`; `timeout_ms` per try.
fn resolver(
    servers: Option<Vec<String>>,
    timeout_ms: u32,
) -> Result<volact_net::Resolver, VolactError> {
    let r = match servers {
        Some(list) => volact_net::Resolver::new(addr::parse_servers(&list)?),
        None => volact_net::Resolver::from_system()?,
    };
    Ok(r.with_timeout(Duration::from_millis(u64::from(timeout_ms))))
}

/// The KMS hosts a client with `config` tries, in order, asking real DNS: `servers`
/// (`["127.0.0.1:5353"]`) or `/etc/resolv.conf`'s when `None`. `timeout_ms` bounds each try
/// (two rounds over the servers per name). A failed lookup is a `failed` query, not an
/// error; errors are bad arguments and an unreadable resolv.conf.
#[uniffi::export(default(servers = None, timeout_ms = 2000, seed = None))]
pub fn discover_kms(
    config: ClientConfig,
    servers: Option<Vec<String>>,
    timeout_ms: u32,
    seed: Option<u64>,
) -> Result<Arc<Discovery>, VolactError> {
    let config = discovery::ClientConfig::try_from(config)?;
    let mut dns = resolver(servers, timeout_ms)?;
    Ok(Arc::new(Discovery(discovery::discover(
        &config,
        &mut dns,
        &mut rng(seed),
    ))))
}

// ---------------------------------------------------------------------------------------
// Publishing and probing

fn publisher(
    server: &str,
    tsig_key: &str,
    timeout_ms: u32,
) -> Result<volact_net::Publisher, VolactError> {
    let server = addr::parse_server(server)?;
    let key = volact_net::TsigKey::parse(tsig_key)?;
    Ok(volact_net::Publisher::new(server, key)
        .with_timeout(Duration::from_millis(u64::from(timeout_ms))))
}

/// Adds `record` at `_vlmcs._tcp.<domain>` in `zone` by an RFC 2136 update to `server`
/// (`ip[:port]`), signed with the TSIG key whose BIND key file text is `tsig_key`. Raises
/// `VolactError.Network` (`.kind`: `tsig`, `refused`, `timeout`, …),
/// `VolactError.InvalidTsigKey`, `VolactError.InvalidArgument`.
#[uniffi::export(default(ttl = 3600, timeout_ms = 5000))]
pub fn publish_srv(
    server: String,
    zone: String,
    domain: String,
    record: SrvRecord,
    tsig_key: String,
    ttl: u32,
    timeout_ms: u32,
) -> Result<(), VolactError> {
    publisher(&server, &tsig_key, timeout_ms)?
        .with_ttl(ttl)
        .publish(&zone, &domain, &record.into())?;
    Ok(())
}

/// Removes `host`'s record(s) at `_vlmcs._tcp.<domain>`: with `priority` and `weight`,
/// exactly `priority weight 1688 host`; without, every record targeting `host` (read from
/// `server` first). Returns what was deleted (empty: nothing was there, nothing sent).
#[uniffi::export(default(priority = None, weight = None, timeout_ms = 5000))]
#[allow(clippy::too_many_arguments)] // one per Python keyword argument
pub fn withdraw_srv(
    server: String,
    zone: String,
    domain: String,
    host: String,
    tsig_key: String,
    priority: Option<u16>,
    weight: Option<u16>,
    timeout_ms: u32,
) -> Result<Vec<SrvRecord>, VolactError> {
    let exact = match (priority, weight) {
        (Some(p), Some(w)) => Some((p, w)),
        (None, None) => None,
        _ => {
            return Err(VolactError::InvalidArgument {
                message: "withdraw_srv: give both priority and weight, or neither".into(),
            });
        }
    };
    let gone = publisher(&server, &tsig_key, timeout_ms)?.withdraw(&zone, &domain, &host, exact)?;
    Ok(gone.into_iter().map(Into::into).collect())
}

/// Whether `host_port` (`host`, `host:port`, `[IPv6]:port`; port 1688 by default) accepts a
/// TCP connection within `timeout_ms`: `True` open, `False` refused. Connect and close only;
/// not a byte of KMS is sent. Raises `VolactError.Network` (`timeout`, `unreachable`,
/// `resolve`) when it cannot tell.
#[uniffi::export(default(timeout_ms = 2000))]
pub fn probe(host_port: String, timeout_ms: u32) -> Result<bool, VolactError> {
    Ok(net_probe::probe_target(
        &host_port,
        Duration::from_millis(u64::from(timeout_ms)),
    )?)
}
