//! SRV record values as KMS uses them, and the lookup interface discovery runs against.
//!
//! A KMS host publishes `_vlmcs._tcp.<domain> SRV priority weight 1688 host.` (facts.md §4.2,
//! RFC 2782). Targets are kept as absolute names without the trailing dot, in the case they
//! were given; `.` alone is RFC 2782's "service decidedly not available".

/// The owner label of every KMS SRV record: `_vlmcs._tcp.<domain>`.
pub const SERVICE: &str = "_vlmcs._tcp";

/// The KMS port a host listens on unless `KeyManagementServiceListeningPort` says otherwise
/// (facts.md §4.1).
pub const KMS_PORT: u16 = 1688;

/// One SRV record's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SrvRecord {
    /// Lower is preferred (RFC 2782).
    pub priority: u16,
    /// Relative share within one priority (RFC 2782).
    pub weight: u16,
    /// The port the host listens on.
    pub port: u16,
    /// The host name, without the trailing dot; `.` means no service.
    pub target: String,
}

/// What one SRV lookup of `_vlmcs._tcp.<domain>` came back with, as discovery needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SrvAnswer {
    /// Records were found (after any CNAME chain on the queried name was followed).
    /// `warnings` carries what a resolver noticed but did not refuse, such as a target that
    /// is an alias (RFC 2782 forbids it; Windows still uses it).
    Records {
        /// The SRV records, in wire order.
        records: Vec<SrvRecord>,
        /// Non-fatal observations, one sentence each.
        warnings: Vec<String>,
    },
    /// The only record's target is `.`: the service is decidedly not available (RFC 2782).
    NoService,
    /// The name exists but holds no SRV record (NOERROR, empty answer).
    NoData,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// No usable answer: timeout, SERVFAIL, REFUSED, a malformed response. The text says which.
    Failed(String),
}

/// A way to look up SRV records: `volact-net`'s stub resolver, or a fixed table in tests.
pub trait SrvLookup {
    /// Look up the SRV RRset at `owner` (for example `_vlmcs._tcp.contoso.com`).
    fn lookup_srv(&mut self, owner: &str) -> SrvAnswer;
}

/// The SRV owner name for a domain: `_vlmcs._tcp.<domain>` (trailing dot removed).
pub fn owner_name(domain: &str) -> String {
    format!("{SERVICE}.{}", domain.trim_end_matches('.'))
}
