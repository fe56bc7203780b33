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
///
/// It reads and prints the zone-file presentation of the RDATA, `priority weight port target`
/// (RFC 2782 "The format of the SRV RR"):
///
/// ```
/// use volact::srv::SrvRecord;
/// let r: SrvRecord = "10 75 1688 kms-e1.east.contoso.com.".parse()?;
/// assert_eq!((r.priority, r.weight, r.port), (10, 75, 1688));
/// assert_eq!(r.target, "kms-e1.east.contoso.com");
/// assert_eq!(r.to_string(), "10 75 1688 kms-e1.east.contoso.com.");
/// assert!("10 75 1688 .".parse::<SrvRecord>()?.target == ".");
/// # Ok::<(), volact::srv::record::SrvRecordError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
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

/// Why a `priority weight port target` text is not an SRV record value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrvRecordError {
    /// Not four fields separated by white space.
    #[error("an SRV record value has {found} fields; expected 4: priority weight port target")]
    FieldCount {
        /// How many fields the text had.
        found: usize,
    },
    /// A number field is not an integer in 0..=65535.
    #[error("SRV {field} {text:?} is not an integer from 0 to 65535")]
    Number {
        /// `priority`, `weight` or `port`.
        field: &'static str,
        /// The text found.
        text: String,
    },
    /// The target is not a DNS name.
    #[error("SRV target {text:?}: {reason}")]
    Target {
        /// The text found.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl std::str::FromStr for SrvRecord {
    type Err = SrvRecordError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [priority, weight, port, target] = fields[..] else {
            return Err(SrvRecordError::FieldCount {
                found: fields.len(),
            });
        };
        let number = |field: &'static str, text: &str| {
            text.parse::<u16>().map_err(|_| SrvRecordError::Number {
                field,
                text: text.to_owned(),
            })
        };
        let target = if target == "." {
            ".".to_owned()
        } else {
            check_dns_name(target)
                .map_err(|reason| SrvRecordError::Target {
                    text: target.to_owned(),
                    reason,
                })?
                .to_owned()
        };
        Ok(SrvRecord {
            priority: number("priority", priority)?,
            weight: number("weight", weight)?,
            port: number("port", port)?,
            target,
        })
    }
}

impl std::fmt::Display for SrvRecord {
    /// The presentation form, target absolute (with its trailing dot).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dot = if self.target.ends_with('.') { "" } else { "." };
        write!(
            f,
            "{} {} {} {}{dot}",
            self.priority, self.weight, self.port, self.target
        )
    }
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

    #[test]
    fn record_values_parse_with_typed_errors() {
        assert_eq!(
            "0 0 1688 kms1.contoso.com".parse::<SrvRecord>(),
            Ok(rec(0, 0, "kms1.contoso.com"))
        );
        assert_eq!(
            "1 2 3".parse::<SrvRecord>(),
            Err(SrvRecordError::FieldCount { found: 3 })
        );
        assert_eq!(
            "1 2 70000 a.b".parse::<SrvRecord>(),
            Err(SrvRecordError::Number {
                field: "port",
                text: "70000".into()
            })
        );
        assert!(matches!(
            "-1 2 3 a.b".parse::<SrvRecord>(),
            Err(SrvRecordError::Number {
                field: "priority",
                ..
            })
        ));
        assert!(matches!(
            "1 2 3 a..b".parse::<SrvRecord>(),
            Err(SrvRecordError::Target { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn printed_records_parse_back(
            priority: u16, weight: u16, port: u16,
            target in "[a-z0-9_-]{1,20}(\\.[a-z0-9-]{1,20}){0,3}|\\.",
        ) {
            let r = SrvRecord { priority, weight, port, target };
            proptest::prop_assert_eq!(r.to_string().parse::<SrvRecord>(), Ok(r));
        }

        #[test]
        fn any_text_parses_or_errs_without_panicking(text in "\\PC{0,60}") {
            let _ = text.parse::<SrvRecord>();
        }
    }
}
