//! The scenario file: reading the TOML and checking it into a [`Scenario`]. The schema is in
//! `docs/fleet-simulation.md` and the [module docs](super).

use crate::license::Minutes;
use crate::license::host::HostKey;
use crate::license::policy::{Interval, Intervals};
use crate::license::product::{
    ClientProduct, ClientRelease, Csvlk, LegacyGeneration, LegacyGroup, OfficeRelease, ServerGroup,
    ServerRelease,
};
use crate::srv::discovery::{ClientConfig, HostPort};
use crate::srv::order::OrderMode;
use crate::srv::plan::{RawTopology, Topology, TopologyError, plan};
use crate::srv::publish_list::{PublishEntry, PublishList};
use crate::srv::record::{KMS_PORT, check_dns_name, same_name};
use crate::toml_lines::Lines;
use serde::Deserialize;
use toml::Spanned;

/// The largest simulation accepted: beyond these a scenario is refused rather than allowed
/// to exhaust memory (memory grows with clients and days, never with events).
pub const MAX_CLIENTS: u64 = 5_000_000;
/// Ten years.
pub const MAX_DAYS: u64 = 3650;
/// Hosts, client groups, sites and events, each.
pub const MAX_ITEMS: usize = 10_000;

/// Why a scenario cannot be simulated. Lines are 1-based lines of the TOML text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// Not TOML, or not the schema (unknown key, wrong type, missing field).
    #[error("line {line}: {message}")]
    Syntax {
        /// Where the TOML reader stopped (1 when it did not say).
        line: usize,
        /// The reader's message.
        message: String,
    },
    /// The `[topology]` table is not a valid topology (the `srv plan` schema).
    #[error("[topology]: {0}")]
    Topology(#[from] TopologyError),
    /// A number outside its range.
    #[error("line {line}: {field} = {value} is out of range ({range})")]
    OutOfRange {
        /// The line.
        line: usize,
        /// The key.
        field: &'static str,
        /// The value given, as written.
        value: String,
        /// The allowed range, in words.
        range: &'static str,
    },
    /// A name (host, domain, site, product, key group, event kind…) that is not valid or
    /// not known.
    #[error("line {line}: {what} {name:?}: {reason}")]
    Name {
        /// The line.
        line: usize,
        /// What kind of name.
        what: &'static str,
        /// The name given.
        name: String,
        /// What is wrong, and what is accepted.
        reason: String,
    },
    /// The same host or client group declared twice.
    #[error("line {line}: {what} {name:?} is declared twice")]
    Duplicate {
        /// The line of the repeat.
        line: usize,
        /// `kms` or `clients`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// An event that cannot happen as written.
    #[error("line {line}: event {kind}: {reason}")]
    Event {
        /// The line.
        line: usize,
        /// The event's kind.
        kind: String,
        /// Why.
        reason: String,
    },
    /// Too large to simulate in memory.
    #[error("the scenario has {what} {value}; at most {max} are simulated")]
    TooLarge {
        /// What: `clients`, `days`, `events`…
        what: &'static str,
        /// How many were asked for.
        value: u64,
        /// The limit.
        max: u64,
    },
}

/// A checked scenario: every reference resolves and every number is in range.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Scenario {
    /// Every draw (CMIDs, SRV ordering, roaming days) follows from this.
    pub seed: u64,
    /// How long the simulation runs, from day 0.
    pub days: u32,
    /// Network sites, in order of first mention.
    pub sites: Vec<String>,
    /// KMS hosts.
    pub hosts: Vec<HostSpec>,
    /// Client groups.
    pub groups: Vec<ClientGroup>,
    /// Events, sorted by time (file order within one minute).
    pub events: Vec<Event>,
}

/// One KMS host of the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostSpec {
    /// Its FQDN (the SRV target).
    pub name: String,
    /// Its port.
    pub port: u16,
    /// Name and port, as a client caches it.
    pub address: HostPort,
    /// Its network site (index into [`Scenario::sites`]).
    pub site: usize,
    /// The keys installed at the start.
    pub keys: Vec<HostKey>,
    /// The intervals it hands to clients.
    pub intervals: Intervals,
    /// Where it registers `_vlmcs._tcp` records (its `DnsDomainPublishList`, or the plan's,
    /// or its home domain at priority 0 weight 0 by default; facts.md §4.2).
    pub publish: Vec<PublishEntry>,
}

/// How the machines of a group were deployed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Image {
    /// Each machine has its own CMID (installed from media, or imaged after
    /// `sysprep /generalize`, as the seed does).
    #[default]
    Generalized,
    /// Cloned from an image that was not generalized: every machine shares one CMID, and
    /// the host counts them once (KB 929829; "Windows activation - duplicate Client
    /// Machine ID").
    NotGeneralized,
}

/// Travelling users: part of the days spent on another site's network.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Roam {
    /// The site visited (index into [`Scenario::sites`]).
    pub site: usize,
    /// The client configuration while there: the visited network's DHCP suffix search list;
    /// the primary DNS suffix (the AD domain) stays the home one unless given.
    pub config: ClientConfig,
    /// The share of days away, in millionths.
    pub share_ppm: u32,
}

/// A group of identical clients.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ClientGroup {
    /// Its name, for the report.
    pub name: String,
    /// How many machines.
    pub count: u32,
    /// What they run.
    pub product: ClientProduct,
    /// Their home network site (index into [`Scenario::sites`]).
    pub site: usize,
    /// Their discovery settings at home.
    pub config: ClientConfig,
    /// Travelling, if they do.
    pub roam: Option<Roam>,
    /// How they were deployed.
    pub image: Image,
    /// The first machine is installed at this time.
    pub install_at: Minutes,
    /// Installations spread evenly over this long.
    pub install_spread: Minutes,
    /// Their clock minus the true time, minutes.
    pub clock_offset: i64,
}

/// What happens at an event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// The host stops answering; its SRV records stay until scavenged.
    HostDown {
        /// Index into [`Scenario::hosts`].
        host: usize,
    },
    /// The host answers again and re-registers any scavenged record at service start.
    HostUp {
        /// Index into [`Scenario::hosts`].
        host: usize,
    },
    /// The WAN link between two sites fails: neither side reaches the other's hosts.
    WanDown {
        /// Index into [`Scenario::sites`].
        a: usize,
        /// Index into [`Scenario::sites`].
        b: usize,
    },
    /// The WAN link between two sites is back.
    WanUp {
        /// Index into [`Scenario::sites`].
        a: usize,
        /// Index into [`Scenario::sites`].
        b: usize,
    },
    /// The host's keys are replaced (a new CSVLK, activated or not yet).
    KeyChange {
        /// Index into [`Scenario::hosts`].
        host: usize,
        /// The keys from now on.
        keys: Vec<HostKey>,
    },
    /// A client group's clocks are set off by `minutes`.
    ClockSkew {
        /// Index into [`Scenario::groups`].
        group: usize,
        /// The new offset.
        minutes: i64,
    },
    /// DNS scavenging deletes the (down) host's stale SRV records.
    Scavenge {
        /// Index into [`Scenario::hosts`].
        host: usize,
    },
}

/// One event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: Minutes,
    /// What.
    pub kind: EventKind,
    /// Its line in the file.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    simulation: RawSimulation,
    topology: Option<RawTopology>,
    #[serde(default)]
    kms: Vec<RawKms>,
    #[serde(default)]
    clients: Vec<RawClients>,
    #[serde(default)]
    event: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    #[serde(default)]
    seed: Option<Spanned<i64>>,
    days: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKms {
    host: Spanned<String>,
    site: Option<Spanned<String>>,
    keys: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    keys_activated: Option<bool>,
    publish: Option<Spanned<Vec<String>>>,
    port: Option<Spanned<i64>>,
    activation_interval: Option<Spanned<i64>>,
    renewal_interval: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClients {
    name: Spanned<String>,
    count: Spanned<i64>,
    product: Spanned<String>,
    site: Option<Spanned<String>>,
    domain: Option<Spanned<String>>,
    #[serde(default)]
    search_list: Vec<Spanned<String>>,
    lookup_domain: Option<Spanned<String>>,
    kms_name: Option<Spanned<String>>,
    host_caching: Option<bool>,
    order: Option<OrderMode>,
    roam: Option<RawRoam>,
    image: Option<Spanned<String>>,
    install_day: Option<Spanned<i64>>,
    install_over_days: Option<Spanned<i64>>,
    clock_offset_minutes: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoam {
    share: Spanned<f64>,
    site: Option<Spanned<String>>,
    domain: Option<Spanned<String>>,
    search_list: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    day: Spanned<i64>,
    #[serde(default)]
    hour: Option<Spanned<i64>>,
    kind: Spanned<String>,
    host: Option<Spanned<String>>,
    sites: Option<Spanned<Vec<String>>>,
    group: Option<Spanned<String>>,
    minutes: Option<Spanned<i64>>,
    keys: Option<Spanned<Vec<Spanned<String>>>>,
    keys_activated: Option<bool>,
}

fn ranged(
    v: &Spanned<i64>,
    lines: &Lines<'_>,
    field: &'static str,
    min: i64,
    max: i64,
    range: &'static str,
) -> Result<i64, ScenarioError> {
    let value = *v.get_ref();
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ScenarioError::OutOfRange {
            line: lines.of(v),
            field,
            value: value.to_string(),
            range,
        })
    }
}

fn dns_name(
    s: &Spanned<String>,
    lines: &Lines<'_>,
    what: &'static str,
) -> Result<String, ScenarioError> {
    check_dns_name(s.get_ref().trim())
        .map(str::to_string)
        .map_err(|reason| ScenarioError::Name {
            line: lines.of(s),
            what,
            name: s.get_ref().clone(),
            reason: reason.to_string(),
        })
}

/// Product names accepted in `clients.product`.
const PRODUCTS: &str = "windows-vista, windows7, windows8, windows8.1, windows10, windows11, \
    server2008-a|b|c, server2008r2-a|b|c, server2012, server2012r2, server2016, server-sac, \
    server2019, server2022, server2025 (server editions take -a, -b or -c, default b), \
    office2010 … office2024";

/// Parses a product name as `clients.product` takes it.
pub fn parse_product(text: &str) -> Option<ClientProduct> {
    let t = text.trim().to_ascii_lowercase();
    let windows = |r| Some(ClientProduct::Windows(r));
    match t.as_str() {
        "windows-vista" | "vista" => return windows(ClientRelease::WindowsVista),
        "windows7" => return windows(ClientRelease::Windows7),
        "windows8" => return windows(ClientRelease::Windows8),
        "windows8.1" | "windows81" => return windows(ClientRelease::Windows81),
        "windows10" => return windows(ClientRelease::Windows10),
        "windows11" => return windows(ClientRelease::Windows11),
        _ => {}
    }
    if let Some(office) = t.strip_prefix("office") {
        let r = match office {
            "2010" => OfficeRelease::Office2010,
            "2013" => OfficeRelease::Office2013,
            "2016" => OfficeRelease::Office2016,
            "2019" => OfficeRelease::Office2019,
            "2021" => OfficeRelease::Office2021,
            "2024" => OfficeRelease::Office2024,
            _ => return None,
        };
        return Some(ClientProduct::Office(r));
    }
    let (release, group) = match t.rsplit_once('-') {
        Some((r, g @ ("a" | "b" | "c"))) => (r, g),
        _ => (t.as_str(), "b"),
    };
    let release = match release {
        "server2008" => ServerRelease::Server2008,
        "server2008r2" => ServerRelease::Server2008R2,
        "server2012" => ServerRelease::Server2012,
        "server2012r2" => ServerRelease::Server2012R2,
        "server2016" => ServerRelease::Server2016,
        "server-sac" => ServerRelease::SemiAnnual,
        "server2019" => ServerRelease::Server2019,
        "server2022" => ServerRelease::Server2022,
        "server2025" => ServerRelease::Server2025,
        _ => return None,
    };
    let group = match group {
        "a" => ServerGroup::A,
        "c" => ServerGroup::C,
        _ => ServerGroup::B,
    };
    Some(ClientProduct::Server { release, group })
}

/// Key group names accepted in `kms.keys`.
const CSVLKS: &str = "vista-client-vl, vista-server-a|b|c, windows7-client-vl, \
    windows7-server-a|b|c (the seed's \"KMS B key\" is windows7-server-b), windows10, \
    server2016, server2019, server2022, server2025, office2010 … office2024";

/// Parses a CSVLK group as `kms.keys` takes it (declared, as facts.md §5.4 requires).
pub fn parse_csvlk(text: &str) -> Option<Csvlk> {
    let t = text.trim().to_ascii_lowercase();
    let legacy = |generation, rest: &str| {
        let group = match rest {
            "client-vl" => LegacyGroup::ClientVl,
            "server-a" => LegacyGroup::ServerA,
            "server-b" => LegacyGroup::ServerB,
            "server-c" => LegacyGroup::ServerC,
            _ => return None,
        };
        Some(Csvlk::Legacy { generation, group })
    };
    if let Some(rest) = t.strip_prefix("vista-") {
        return legacy(LegacyGeneration::Vista, rest);
    }
    if let Some(rest) = t.strip_prefix("windows7-") {
        return legacy(LegacyGeneration::Windows7, rest);
    }
    match t.as_str() {
        "windows10" => Some(Csvlk::Windows10),
        "server2016" => Some(Csvlk::Server2016),
        "server2019" => Some(Csvlk::Server2019),
        "server2022" => Some(Csvlk::Server2022),
        "server2025" => Some(Csvlk::Server2025),
        _ => match parse_product(&t) {
            Some(ClientProduct::Office(r)) if t.starts_with("office") => Some(Csvlk::Office(r)),
            _ => None,
        },
    }
}

fn keys(
    raw: &Spanned<Vec<Spanned<String>>>,
    activated: bool,
    lines: &Lines<'_>,
) -> Result<Vec<HostKey>, ScenarioError> {
    if raw.get_ref().is_empty() {
        return Err(ScenarioError::Name {
            line: lines.of(raw),
            what: "keys",
            name: String::new(),
            reason: format!("a KMS host needs at least one CSVLK group: {CSVLKS}"),
        });
    }
    raw.get_ref()
        .iter()
        .map(|k| {
            parse_csvlk(k.get_ref())
                .map(|csvlk| HostKey { csvlk, activated })
                .ok_or_else(|| ScenarioError::Name {
                    line: lines.of(k),
                    what: "CSVLK group",
                    name: k.get_ref().clone(),
                    reason: format!("not a known group; one of: {CSVLKS}"),
                })
        })
        .collect()
}

struct Sites(Vec<String>);

impl Sites {
    fn index(&mut self, name: &str) -> usize {
        match self.0.iter().position(|s| s == name) {
            Some(i) => i,
            None => {
                self.0.push(name.to_string());
                self.0.len() - 1
            }
        }
    }
    fn known(&self, s: &Spanned<String>, lines: &Lines<'_>) -> Result<usize, ScenarioError> {
        let name = s.get_ref().trim();
        self.0
            .iter()
            .position(|o| o == name)
            .ok_or_else(|| ScenarioError::Name {
                line: lines.of(s),
                what: "site",
                name: name.to_string(),
                reason: format!("no KMS host or client group is in it; sites: {:?}", self.0),
            })
    }
}

fn interval(
    v: &Option<Spanned<i64>>,
    lines: &Lines<'_>,
    field: &'static str,
    default: Interval,
) -> Result<Interval, ScenarioError> {
    match v {
        None => Ok(default),
        Some(s) => {
            let m = ranged(
                s,
                lines,
                field,
                15,
                43_200,
                "15 to 43200 minutes (slmgr /sai, /sri)",
            )?;
            // In range by the check above.
            Interval::new(m as u64).map_err(|_| ScenarioError::OutOfRange {
                line: lines.of(s),
                field,
                value: m.to_string(),
                range: "15 to 43200 minutes",
            })
        }
    }
}

impl Scenario {
    /// Reads and checks a scenario file.
    ///
    /// ```
    /// use volact::fleet::Scenario;
    /// let s = Scenario::parse(r#"
    ///     [simulation]
    ///     days = 60
    ///     [[kms]]
    ///     host = "kms-1.contoso.com"
    ///     keys = ["windows7-server-b"]
    ///     [[clients]]
    ///     name = "desktops"
    ///     count = 30
    ///     product = "windows7"
    ///     domain = "contoso.com"
    /// "#)?;
    /// assert_eq!(s.hosts[0].publish[0].domain, "contoso.com"); // its home domain, 0, 0
    /// assert_eq!(s.groups[0].count, 30);
    /// # Ok::<(), volact::fleet::ScenarioError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let lines = Lines(text);
        let raw: RawScenario = lines
            .parse()
            .map_err(|(line, message)| ScenarioError::Syntax { line, message })?;
        let sim = &raw.simulation;
        let seed = match &sim.seed {
            // Any 64-bit pattern is a seed; TOML integers are signed.
            Some(s) => *s.get_ref() as u64,
            None => 0,
        };
        let days = ranged(
            &sim.days,
            &lines,
            "simulation.days",
            1,
            MAX_DAYS as i64,
            "1 to 3650 days",
        )? as u32;
        for (what, n) in [
            ("kms hosts", raw.kms.len()),
            ("client groups", raw.clients.len()),
            ("events", raw.event.len()),
        ] {
            if n > MAX_ITEMS {
                return Err(ScenarioError::TooLarge {
                    what,
                    value: n as u64,
                    max: MAX_ITEMS as u64,
                });
            }
        }
        let topology = match &raw.topology {
            Some(t) => Some(Topology::from_raw(t, text)?),
            None => None,
        };
        let planned = topology.as_ref().map(plan);
        let mut sites = Sites(Vec::new());

        let mut hosts: Vec<HostSpec> = Vec::new();
        for k in &raw.kms {
            let name = dns_name(&k.host, &lines, "kms.host")?;
            if hosts.iter().any(|h| same_name(&h.name, &name)) {
                return Err(ScenarioError::Duplicate {
                    line: lines.of(&k.host),
                    what: "kms",
                    name,
                });
            }
            let topo_host = topology
                .as_ref()
                .and_then(|t| t.hosts.iter().find(|h| same_name(&h.name, &name)));
            let site = match (&k.site, topology.as_ref().and_then(|t| t.site_of(&name))) {
                (Some(s), _) => s.get_ref().trim().to_string(),
                (None, Some(s)) => s.name.clone(),
                (None, None) => "default".to_string(),
            };
            if site.is_empty() {
                return Err(ScenarioError::Name {
                    line: lines.of(&k.host),
                    what: "site",
                    name: site,
                    reason: "a site name is empty".into(),
                });
            }
            let port = match (&k.port, topo_host) {
                (Some(p), _) => ranged(p, &lines, "kms.port", 1, 65535, "1 to 65535")? as u16,
                (None, Some(h)) => h.port,
                (None, None) => KMS_PORT,
            };
            let publish = match &k.publish {
                Some(list) => PublishList::parse(&list.get_ref().join("\n"))
                    .map_err(|e| ScenarioError::Name {
                        line: lines.of(list),
                        what: "kms.publish",
                        name: name.clone(),
                        reason: e.to_string(),
                    })?
                    .entries()
                    .to_vec(),
                None => match planned.as_ref().and_then(|p| {
                    p.hosts
                        .iter()
                        .find(|(n, _)| same_name(n, &name))
                        .map(|(_, h)| h)
                }) {
                    Some(h) => h
                        .publish_list()
                        .map(|l| l.entries().to_vec())
                        .unwrap_or_default(),
                    // Automatic publishing: the home domain, priority 0 and weight 0
                    // (facts.md §4.2).
                    None => match name.split_once('.') {
                        Some((_, home)) => vec![PublishEntry {
                            domain: home.to_string(),
                            priority: 0,
                            weight: 0,
                        }],
                        None => Vec::new(),
                    },
                },
            };
            let intervals = Intervals {
                activation: interval(
                    &k.activation_interval,
                    &lines,
                    "kms.activation_interval",
                    Interval::ACTIVATION_DEFAULT,
                )?,
                renewal: interval(
                    &k.renewal_interval,
                    &lines,
                    "kms.renewal_interval",
                    Interval::RENEWAL_DEFAULT,
                )?,
            };
            let address =
                HostPort::parse(&format!("{name}:{port}")).map_err(|e| ScenarioError::Name {
                    line: lines.of(&k.host),
                    what: "kms.host",
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
            hosts.push(HostSpec {
                site: sites.index(&site),
                address,
                name,
                port,
                keys: keys(&k.keys, k.keys_activated.unwrap_or(true), &lines)?,
                intervals,
                publish,
            });
        }

        let mut groups: Vec<ClientGroup> = Vec::new();
        let mut total: u64 = 0;
        for c in &raw.clients {
            let name = c.name.get_ref().trim().to_string();
            if groups.iter().any(|g| g.name == name) {
                return Err(ScenarioError::Duplicate {
                    line: lines.of(&c.name),
                    what: "clients",
                    name,
                });
            }
            let count = ranged(
                &c.count,
                &lines,
                "clients.count",
                0,
                MAX_CLIENTS as i64,
                "0 to 5000000",
            )? as u32;
            total += u64::from(count);
            if total > MAX_CLIENTS {
                return Err(ScenarioError::TooLarge {
                    what: "clients",
                    value: total,
                    max: MAX_CLIENTS,
                });
            }
            let product =
                parse_product(c.product.get_ref()).ok_or_else(|| ScenarioError::Name {
                    line: lines.of(&c.product),
                    what: "product",
                    name: c.product.get_ref().clone(),
                    reason: format!("not a known product; one of: {PRODUCTS}"),
                })?;
            let domain = c
                .domain
                .as_ref()
                .map(|d| dns_name(d, &lines, "clients.domain"))
                .transpose()?;
            let domain_site = |d: &str| {
                topology.as_ref().and_then(|t| {
                    t.domains
                        .iter()
                        .find(|x| same_name(&x.name, d))
                        .and_then(|x| x.tiers.first().cloned())
                })
            };
            let site_name = match (&c.site, domain.as_deref().and_then(domain_site)) {
                (Some(s), _) => s.get_ref().trim().to_string(),
                (None, Some(s)) => s,
                (None, None) => sites.0.first().cloned().unwrap_or_else(|| "default".into()),
            };
            let site = sites.index(&site_name);
            let mut search_list = Vec::new();
            for s in &c.search_list {
                search_list.push(dns_name(s, &lines, "clients.search_list")?);
            }
            let kms_name = match &c.kms_name {
                Some(n) => Some(
                    HostPort::parse(n.get_ref()).map_err(|e| ScenarioError::Name {
                        line: lines.of(n),
                        what: "clients.kms_name",
                        name: n.get_ref().clone(),
                        reason: e.to_string(),
                    })?,
                ),
                None => None,
            };
            // Vista and Server 2008 ignore priority and weight (facts.md §4.2).
            let legacy = matches!(
                product,
                ClientProduct::Windows(ClientRelease::WindowsVista)
                    | ClientProduct::Server {
                        release: ServerRelease::Server2008,
                        ..
                    }
            );
            let config = ClientConfig {
                global_kms: kms_name,
                host_caching: c.host_caching.unwrap_or(true),
                lookup_domain: c
                    .lookup_domain
                    .as_ref()
                    .map(|d| dns_name(d, &lines, "clients.lookup_domain"))
                    .transpose()?,
                primary_dns_suffix: domain.clone(),
                suffix_search_list: search_list,
                order: c.order.unwrap_or(if legacy {
                    OrderMode::Legacy
                } else {
                    OrderMode::Rfc2782
                }),
                ..ClientConfig::default()
            };
            let roam = match &c.roam {
                None => None,
                Some(r) => {
                    let share = *r.share.get_ref();
                    if !(0.0..=1.0).contains(&share) {
                        return Err(ScenarioError::OutOfRange {
                            line: lines.of(&r.share),
                            field: "clients.roam.share",
                            value: share.to_string(),
                            range: "0.0 to 1.0 (the share of days away)",
                        });
                    }
                    let rdomain = r
                        .domain
                        .as_ref()
                        .map(|d| dns_name(d, &lines, "clients.roam.domain"))
                        .transpose()?;
                    let rsite = match (&r.site, rdomain.as_deref().and_then(domain_site)) {
                        (Some(s), _) => s.get_ref().trim().to_string(),
                        (None, Some(s)) => s,
                        (None, None) => {
                            return Err(ScenarioError::Name {
                                line: lines.of(&r.share),
                                what: "clients.roam",
                                name: name.clone(),
                                reason: "give roam.site, or roam.domain of a [topology] domain"
                                    .into(),
                            });
                        }
                    };
                    let mut config = config.clone();
                    if let Some(list) = &r.search_list {
                        config.suffix_search_list = list
                            .iter()
                            .map(|s| dns_name(s, &lines, "clients.roam.search_list"))
                            .collect::<Result<_, _>>()?;
                    }
                    Some(Roam {
                        site: sites.index(&rsite),
                        config,
                        share_ppm: (share * 1_000_000.0).round() as u32,
                    })
                }
            };
            let image = match c.image.as_ref().map(|i| i.get_ref().trim()) {
                None | Some("generalized") => Image::Generalized,
                Some("not_generalized") => Image::NotGeneralized,
                Some(other) => {
                    return Err(ScenarioError::Name {
                        line: c.image.as_ref().map_or(1, |i| lines.of(i)),
                        what: "clients.image",
                        name: other.to_string(),
                        reason: "one of: generalized, not_generalized".into(),
                    });
                }
            };
            let day = |v: &Option<Spanned<i64>>, field| match v {
                Some(d) => ranged(d, &lines, field, 0, MAX_DAYS as i64, "0 to 3650 days"),
                None => Ok(0),
            };
            let clock_offset = match &c.clock_offset_minutes {
                Some(m) => ranged(
                    m,
                    &lines,
                    "clients.clock_offset_minutes",
                    -5_256_000,
                    5_256_000,
                    "within ±10 years of minutes",
                )?,
                None => 0,
            };
            groups.push(ClientGroup {
                name,
                count,
                product,
                site,
                config,
                roam,
                image,
                install_at: Minutes::days(day(&c.install_day, "clients.install_day")? as u64),
                install_spread: Minutes::days(day(
                    &c.install_over_days,
                    "clients.install_over_days",
                )? as u64),
                clock_offset,
            });
        }

        let mut events = Vec::new();
        for e in &raw.event {
            events.push(event(e, &lines, &hosts, &groups, &sites)?);
        }
        // Stable: file order within one minute.
        events.sort_by_key(|e| e.at);
        check_scavenging(&events, &hosts)?;

        Ok(Scenario {
            seed,
            days,
            sites: sites.0,
            hosts,
            groups,
            events,
        })
    }

    /// How many clients in all.
    pub fn client_count(&self) -> u64 {
        self.groups.iter().map(|g| u64::from(g.count)).sum()
    }
}

fn event(
    e: &RawEvent,
    lines: &Lines<'_>,
    hosts: &[HostSpec],
    groups: &[ClientGroup],
    sites: &Sites,
) -> Result<Event, ScenarioError> {
    let line = lines.of(&e.kind);
    let kind = e.kind.get_ref().trim();
    let fail = |reason: String| ScenarioError::Event {
        line,
        kind: kind.to_string(),
        reason,
    };
    let day = ranged(&e.day, lines, "event.day", 0, MAX_DAYS as i64, "0 to 3650")?;
    let hour = match &e.hour {
        Some(h) => ranged(h, lines, "event.hour", 0, 23, "0 to 23")?,
        None => 0,
    };
    let at = Minutes::days(day as u64) + Minutes::hours(hour as u64);
    let host = || -> Result<usize, ScenarioError> {
        let h = e
            .host
            .as_ref()
            .ok_or_else(|| fail("needs host = \"<a [[kms]] host>\"".into()))?;
        hosts
            .iter()
            .position(|x| same_name(&x.name, h.get_ref()))
            .ok_or_else(|| ScenarioError::Name {
                line: lines.of(h),
                what: "event.host",
                name: h.get_ref().clone(),
                reason: "not a [[kms]] host".into(),
            })
    };
    let pair = || -> Result<(usize, usize), ScenarioError> {
        let s = e
            .sites
            .as_ref()
            .ok_or_else(|| fail("needs sites = [\"<site>\", \"<site>\"]".into()))?;
        let [a, b] = s.get_ref().as_slice() else {
            return Err(fail("a WAN link joins exactly two sites".into()));
        };
        let idx = |n: &String| {
            let span = Spanned::new(s.span(), n.clone());
            sites.known(&span, lines)
        };
        let (a, b) = (idx(a)?, idx(b)?);
        if a == b {
            return Err(fail("a WAN link joins two different sites".into()));
        }
        Ok((a, b))
    };
    let kind_value = match kind {
        "host_down" => EventKind::HostDown { host: host()? },
        "host_up" => EventKind::HostUp { host: host()? },
        "scavenge" => EventKind::Scavenge { host: host()? },
        "wan_down" => {
            let (a, b) = pair()?;
            EventKind::WanDown { a, b }
        }
        "wan_up" => {
            let (a, b) = pair()?;
            EventKind::WanUp { a, b }
        }
        "key_change" => {
            let k = e
                .keys
                .as_ref()
                .ok_or_else(|| fail("needs keys = [\"<CSVLK group>\", …]".into()))?;
            EventKind::KeyChange {
                host: host()?,
                keys: keys(k, e.keys_activated.unwrap_or(true), lines)?,
            }
        }
        "clock_skew" => {
            let g = e
                .group
                .as_ref()
                .ok_or_else(|| fail("needs group = \"<a [[clients]] name>\"".into()))?;
            let group = groups
                .iter()
                .position(|x| x.name == g.get_ref().trim())
                .ok_or_else(|| ScenarioError::Name {
                    line: lines.of(g),
                    what: "event.group",
                    name: g.get_ref().clone(),
                    reason: "not a [[clients]] group".into(),
                })?;
            let m = e
                .minutes
                .as_ref()
                .ok_or_else(|| fail("needs minutes = <clock offset>".into()))?;
            let minutes = ranged(
                m,
                lines,
                "event.minutes",
                -5_256_000,
                5_256_000,
                "within ±10 years of minutes",
            )?;
            EventKind::ClockSkew { group, minutes }
        }
        other => {
            return Err(ScenarioError::Name {
                line,
                what: "event.kind",
                name: other.to_string(),
                reason: "one of: host_down, host_up, wan_down, wan_up, key_change, \
                         clock_skew, scavenge"
                    .into(),
            });
        }
    };
    Ok(Event {
        at,
        kind: kind_value,
        line,
    })
}

/// Scavenging deletes only stale records; a live host refreshes its record every 24 hours
/// (facts.md §4.2, S6), so a `scavenge` event is accepted only while its host is down.
fn check_scavenging(events: &[Event], hosts: &[HostSpec]) -> Result<(), ScenarioError> {
    let mut down = vec![false; hosts.len()];
    for e in events {
        match e.kind {
            EventKind::HostDown { host } => down[host] = true,
            EventKind::HostUp { host } => down[host] = false,
            EventKind::Scavenge { host } if !down[host] => {
                return Err(ScenarioError::Event {
                    line: e.line,
                    kind: "scavenge".into(),
                    reason: format!(
                        "{} is up then: a live KMS host refreshes its SRV record every 24 h \
                         (S6), so scavenging removes only a down host's record",
                        hosts[host].name
                    ),
                });
            }
            _ => {}
        }
    }
    Ok(())
}
