//! A blocking stub resolver (RFC 1123 §6.1.3.1) for KMS discovery: it asks the configured
//! recursive servers, in order, for SRV, A and AAAA records.
//!
//! - Servers, search list, timeout and attempts come from `/etc/resolv.conf` (read as glibc
//!   does, [`volact_core::srv::resolv_conf`]) unless given.
//! - Each try is UDP with EDNS0 ([`EDNS_PAYLOAD`], RFC 6891); a truncated answer is asked
//!   again over TCP. Each try waits at most `timeout`; the servers are tried in turn,
//!   `attempts` rounds, so a lookup takes at most `timeout × servers × attempts`.
//! - Only a response from the server's address with our random id and our question is
//!   accepted ([`crate::transport`]).
//! - A CNAME chain on the queried name is followed, at most [`MAX_CNAME_CHAIN`] aliases.
//! - SRV targets must not be aliases (RFC 2782); a target that is one is still used, as
//!   Windows does, and reported as a warning. Target addresses come from the additional
//!   section when the server sent them, else from A and AAAA queries.
//!
//! Names given to it are absolute: discovery builds each `_vlmcs._tcp.<domain>` itself from
//! the domains it chooses (the search list is exposed for that, [`Resolver::search`]).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use volact_core::srv::message::{
    self, EDNS_PAYLOAD, MAX_CNAME_CHAIN, MessageError, QueryType, Question, Rcode, Response,
};
use volact_core::srv::resolv_conf::ResolvConf;
use volact_core::srv::{SrvAnswer, SrvLookup, SrvRecord};

use crate::transport::{self, TransportError};

/// Where the system's resolver configuration lives.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// Why a lookup failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// `/etc/resolv.conf` could not be read.
    #[error("cannot read {path}: {source}")]
    ResolvConf {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The resolver has no server to ask.
    #[error("no DNS server configured")]
    NoServers,
    /// The name could not be put in a query.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// No server gave a usable answer; `tries` lists what each try ran into.
    #[error("no usable answer for {question}: {}", tries.join("; "))]
    NoAnswer {
        /// The question.
        question: String,
        /// One entry per try: the transport error or the error RCODE.
        tries: Vec<String>,
        /// Whether every try ran out of time (no server answered at all), so a front end
        /// can report a timeout rather than a failure of another kind.
        timed_out: bool,
    },
}

/// One accepted answer and where it came from.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The server that answered.
    pub server: SocketAddr,
    /// Whether it came over TCP (the UDP answer was truncated).
    pub via_tcp: bool,
    /// The decoded response.
    pub response: Response,
}

/// What an SRV lookup found, before mapping to the core's [`SrvAnswer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SrvOutcome {
    /// Usable records, in [`SrvResolution::targets`].
    Records,
    /// The only record's target is `.`: service decidedly not available (RFC 2782).
    NoService,
    /// The name exists without SRV records.
    NoData,
    /// The name does not exist.
    NxDomain,
}

/// An SRV target with its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrvTarget {
    /// The SRV record.
    pub record: SrvRecord,
    /// Its IPv4 and IPv6 addresses (answer/additional section first, else looked up).
    pub addresses: Vec<IpAddr>,
    /// When the target is an alias: the canonical name it points to (RFC 2782 forbids this).
    pub canonical: Option<String>,
    /// Why addresses could not be found, when they could not.
    pub address_error: Option<String>,
}

/// The full result of an SRV lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrvResolution {
    /// The name asked for.
    pub owner: String,
    /// The aliases followed from `owner` to the name holding the records.
    pub aliases: Vec<String>,
    /// What was found.
    pub outcome: SrvOutcome,
    /// The records with their addresses, in wire order (empty unless `Records`).
    pub targets: Vec<SrvTarget>,
    /// Non-fatal observations, one sentence each.
    pub warnings: Vec<String>,
    /// Whether any answer needed TCP.
    pub via_tcp: bool,
}

impl SrvResolution {
    /// The core's view: what discovery needs.
    pub fn to_answer(&self) -> SrvAnswer {
        match self.outcome {
            SrvOutcome::Records => SrvAnswer::Records {
                records: self.targets.iter().map(|t| t.record.clone()).collect(),
                warnings: self.warnings.clone(),
            },
            SrvOutcome::NoService => SrvAnswer::NoService,
            SrvOutcome::NoData => SrvAnswer::NoData,
            SrvOutcome::NxDomain => SrvAnswer::NxDomain,
        }
    }
}

/// A stub resolver over blocking `std::net` sockets.
#[derive(Clone, Debug)]
pub struct Resolver {
    servers: Vec<SocketAddr>,
    search: Vec<String>,
    timeout: Duration,
    attempts: u32,
}

impl Resolver {
    /// A resolver asking `servers` in order, 2 s per try, 2 rounds, no search list.
    pub fn new(servers: Vec<SocketAddr>) -> Self {
        Self {
            servers,
            search: Vec::new(),
            timeout: Duration::from_secs(2),
            attempts: 2,
        }
    }

    /// A resolver configured from `/etc/resolv.conf`.
    pub fn from_system() -> Result<Self, ResolveError> {
        let text =
            std::fs::read_to_string(RESOLV_CONF).map_err(|source| ResolveError::ResolvConf {
                path: RESOLV_CONF.into(),
                source,
            })?;
        Ok(Self::from_resolv_conf(&ResolvConf::parse(&text)))
    }

    /// A resolver configured from parsed `resolv.conf` settings.
    pub fn from_resolv_conf(conf: &ResolvConf) -> Self {
        Self {
            servers: conf.servers_or_default(),
            search: conf.search.clone(),
            timeout: Duration::from_secs(u64::from(conf.timeout_secs)),
            attempts: conf.attempts,
        }
    }

    /// Wait at most `timeout` for each try (at least 1 ms).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Make `attempts` rounds over the servers (at least 1).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Replace the search list.
    pub fn with_search(mut self, search: Vec<String>) -> Self {
        self.search = search;
        self
    }

    /// The servers, in the order they are asked.
    pub fn servers(&self) -> &[SocketAddr] {
        &self.servers
    }

    /// The search list (`search`/`domain` of resolv.conf): the domains a client tries.
    pub fn search(&self) -> &[String] {
        &self.search
    }

    /// Ask for `name`/`qtype` until a server gives an answer whose RCODE is NOERROR or
    /// NXDOMAIN; SERVFAIL, REFUSED and the like move on to the next server, as glibc does.
    pub fn query(&self, name: &str, qtype: QueryType) -> Result<Answer, ResolveError> {
        if self.servers.is_empty() {
            return Err(ResolveError::NoServers);
        }
        let question = Question::new(name, qtype);
        let mut tries = Vec::new();
        let mut timed_out = true;
        for _ in 0..self.attempts {
            for &server in &self.servers {
                let id = transport::random_id();
                let bytes = message::query(id, name, qtype, Some(EDNS_PAYLOAD))?;
                match transport::exchange(server, &bytes, id, &question, self.timeout) {
                    Ok(x) if matches!(x.response.rcode, Rcode::NoError | Rcode::NxDomain) => {
                        return Ok(Answer {
                            server,
                            via_tcp: x.via_tcp,
                            response: x.response,
                        });
                    }
                    Ok(x) => {
                        timed_out = false;
                        tries.push(format!("{server} answered {}", x.response.rcode));
                    }
                    Err(e) => {
                        timed_out &= matches!(e, TransportError::Timeout { .. });
                        tries.push(e.to_string());
                    }
                }
            }
        }
        Err(ResolveError::NoAnswer {
            question: question.to_string(),
            tries,
            timed_out,
        })
    }

    /// Look up the SRV RRset at `owner` (e.g. `_vlmcs._tcp.contoso.com`), following a CNAME
    /// chain on it, and find each target's addresses.
    pub fn resolve_srv(&self, owner: &str) -> Result<SrvResolution, ResolveError> {
        let mut aliases: Vec<String> = Vec::new();
        let mut name = owner.trim_end_matches('.').to_owned();
        let mut via_tcp = false;
        let mut warnings = Vec::new();
        // Each round asks for the current name; a server that answers with only the first
        // link(s) of a chain (another zone's data) makes us ask again at the end of it.
        let (answer, canonical) = loop {
            let answer = self.query(&name, QueryType::Srv)?;
            via_tcp |= answer.via_tcp;
            let (chain, canonical) = answer.response.cname_chain(&name)?;
            aliases.extend(chain);
            if aliases.len() > MAX_CNAME_CHAIN {
                return Err(MessageError::CnameChain {
                    name: owner.to_owned(),
                    problem: format!("is longer than {MAX_CNAME_CHAIN} aliases"),
                }
                .into());
            }
            let unresolved = answer.response.rcode == Rcode::NoError
                && canonical != name
                && answer.response.srv_records(&canonical).is_empty();
            if !unresolved {
                break (answer, canonical);
            }
            name = canonical;
        };
        if !aliases.is_empty() {
            warnings.push(format!(
                "{} is an alias ({} → {canonical}); followed",
                owner.trim_end_matches('.'),
                aliases.join(" → ")
            ));
        }
        let mut resolution = SrvResolution {
            owner: owner.trim_end_matches('.').to_owned(),
            aliases,
            outcome: SrvOutcome::NoData,
            targets: Vec::new(),
            warnings,
            via_tcp,
        };
        if answer.response.rcode == Rcode::NxDomain {
            resolution.outcome = SrvOutcome::NxDomain;
            return Ok(resolution);
        }
        let records = answer.response.srv_records(&canonical);
        if records.is_empty() {
            return Ok(resolution);
        }
        if records.len() == 1 && records[0].target == "." {
            resolution.outcome = SrvOutcome::NoService;
            return Ok(resolution);
        }
        resolution.outcome = SrvOutcome::Records;
        for record in records {
            if record.target == "." {
                resolution.warnings.push(
                    "a `.` target next to other records is meaningless (RFC 2782); ignored".into(),
                );
                continue;
            }
            let target = self.target(&answer.response, record);
            if let Some(c) = &target.canonical {
                resolution.warnings.push(format!(
                    "SRV target {} is an alias of {c}: RFC 2782 forbids aliases as targets; used anyway",
                    target.record.target
                ));
            }
            resolution.targets.push(target);
        }
        Ok(resolution)
    }

    /// The A and AAAA addresses of `host`, following a CNAME chain, and the canonical name
    /// when `host` is an alias. An IP literal is returned as is.
    pub fn addresses(&self, host: &str) -> Result<(Vec<IpAddr>, Option<String>), ResolveError> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok((vec![ip], None));
        }
        let mut out = Vec::new();
        let mut canonical = None;
        let mut errors = Vec::new();
        for qtype in [QueryType::A, QueryType::Aaaa] {
            match self.query(host, qtype) {
                Ok(a) => {
                    let (chain, end) = a.response.cname_chain(host)?;
                    if !chain.is_empty() {
                        canonical = Some(end.clone());
                    }
                    for ip in a.response.addresses(&end) {
                        if !out.contains(&ip) {
                            out.push(ip);
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        match errors.into_iter().next() {
            // One family failing (e.g. a server that times out on AAAA) is not fatal.
            Some(e) if out.is_empty() => Err(e),
            _ => Ok((out, canonical)),
        }
    }

    fn target(&self, response: &Response, record: SrvRecord) -> SrvTarget {
        let from_response = response.addresses(&record.target);
        let alias_in_response = response.cname_of(&record.target).map(str::to_owned);
        if !from_response.is_empty() {
            return SrvTarget {
                record,
                addresses: from_response,
                canonical: alias_in_response,
                address_error: None,
            };
        }
        match self.addresses(&record.target) {
            Ok((addresses, canonical)) => SrvTarget {
                record,
                address_error: addresses
                    .is_empty()
                    .then(|| "no A or AAAA record".to_owned()),
                addresses,
                canonical: canonical.or(alias_in_response),
            },
            Err(e) => SrvTarget {
                record,
                addresses: Vec::new(),
                canonical: alias_in_response,
                address_error: Some(e.to_string()),
            },
        }
    }
}

impl SrvLookup for Resolver {
    fn lookup_srv(&mut self, owner: &str) -> SrvAnswer {
        match self.resolve_srv(owner) {
            Ok(r) => r.to_answer(),
            Err(e) => SrvAnswer::Failed(e.to_string()),
        }
    }
}
