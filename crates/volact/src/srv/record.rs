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

/// Checks a DNS name as volact accepts it in a publish list, a topology or a KMS host name,
/// and returns it without its trailing dot.
///
/// Labels are 1–63 characters of ASCII letters, digits, `-` and `_`, and the whole name at
/// most 253 (RFC 1035 §2.3.4, written form without the root dot). The underscore is allowed
/// because Microsoft DNS accepts it and Active Directory names such as the seed's `KMS_E1`
/// use it (RFC 2181 §11: any octet is legal in a DNS label; the host-name rule of RFC 1123 is
/// stricter only for names that are looked up as host addresses).
pub(crate) fn check_dns_name(name: &str) -> Result<&str, &'static str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err("a name is empty");
    }
    if name.len() > 253 {
        return Err("a name is longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err("a name has an empty label (two dots in a row, or a leading dot)");
        }
        if label.len() > 63 {
            return Err("a label is longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("a name may hold only letters, digits, '-', '_' and '.'");
        }
    }
    Ok(name)
}

/// Whether two DNS names are the same name: ASCII case-insensitive, trailing dot ignored
/// (RFC 4343).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// A KMS record on port 1688, for tests.
#[cfg(test)]
pub(crate) fn rec(priority: u16, weight: u16, target: &str) -> SrvRecord {
    SrvRecord {
        priority,
        weight,
        port: KMS_PORT,
        target: target.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_lose_their_trailing_dot() {
        assert_eq!(check_dns_name("East.Contoso.com."), Ok("East.Contoso.com"));
        assert_eq!(check_dns_name("KMS_E1"), Ok("KMS_E1"));
        assert!(check_dns_name("").is_err());
        assert!(check_dns_name(".").is_err());
        assert!(check_dns_name("a..b").is_err());
        assert!(check_dns_name("a b.com").is_err());
        assert!(check_dns_name(&"a".repeat(64)).is_err());
        assert!(same_name("KMS.contoso.COM.", "kms.contoso.com"));
        assert_eq!(owner_name("contoso.com."), "_vlmcs._tcp.contoso.com");
    }
}
