//! A KMS host's `DnsDomainPublishList`: the domains it publishes its `_vlmcs._tcp` SRV record
//! in, each with the priority and weight of that record.
//!
//! The value is a `REG_MULTI_SZ` under
//! `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform`, one entry
//! per string, `domain_name, <priority>, <weight>`; priority and weight are optional and 0
//! when absent (facts.md §4.2, from "Registry Settings for Volume Activation", S9). Once the
//! value is set the host publishes in the listed domains only (DESIGN.md "KMS discovery"), so
//! a list should always name the host's own domain.
//!
//! [`PublishList::parse`] reads the value as text, one entry per line (`\n`, `\r\n`, or the
//! `\0` separators of a raw `REG_MULTI_SZ`); blank lines are skipped. The canonical form
//! ([`PublishList`]'s `Display`) writes every entry as `domain, priority, weight`.
//!
//! ```
//! use volact::srv::publish_list::PublishList;
//! let list = PublishList::parse("east.contoso.com, 10, 75\nwest.contoso.com,90,75\ncontoso.com")?;
//! assert_eq!(list.entries()[1].priority, 90);
//! assert_eq!(list.entries()[2].weight, 0); // absent means 0
//! assert_eq!(
//!     list.to_string(),
//!     "east.contoso.com, 10, 75\nwest.contoso.com, 90, 75\ncontoso.com, 0, 0"
//! );
//! # Ok::<(), volact::srv::publish_list::PublishListError>(())
//! ```

use super::record::{check_dns_name, same_name};
use std::fmt;

/// One `DnsDomainPublishList` entry: publish in `domain` with this priority and weight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PublishEntry {
    /// The domain the host registers `_vlmcs._tcp.<domain>` in (no trailing dot).
    pub domain: String,
    /// SRV priority: lower is preferred (RFC 2782).
    pub priority: u16,
    /// SRV weight: share within one priority (RFC 2782).
    pub weight: u16,
}

impl fmt::Display for PublishEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}, {}", self.domain, self.priority, self.weight)
    }
}

/// Which number of an entry is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PublishField {
    /// The second field.
    Priority,
    /// The third field.
    Weight,
}

impl fmt::Display for PublishField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PublishField::Priority => "priority",
            PublishField::Weight => "weight",
        })
    }
}

/// Why a text is not a `DnsDomainPublishList`. Lines are 1-based and count blank lines.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublishListError {
    /// More than three comma-separated fields.
    #[error(
        "line {line}: expected `domain, priority, weight`, found {found} comma-separated fields"
    )]
    FieldCount {
        /// The line.
        line: usize,
        /// How many fields it has.
        found: usize,
    },
    /// The domain is not a DNS name.
    #[error("line {line}: domain {domain:?}: {reason}")]
    Domain {
        /// The line.
        line: usize,
        /// The text given.
        domain: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A priority or weight that is not a number in 0..=65535 (SRV fields are 16-bit,
    /// RFC 2782).
    #[error("line {line}: {field} {value:?} is not a whole number from 0 to 65535")]
    Number {
        /// The line.
        line: usize,
        /// Which number.
        field: PublishField,
        /// The text given.
        value: String,
    },
    /// The same domain twice: a host has one record per domain.
    #[error("line {line}: domain {domain:?} is already listed on line {first_line}")]
    DuplicateDomain {
        /// The line of the repeat.
        line: usize,
        /// The domain.
        domain: String,
        /// The line it was first listed on.
        first_line: usize,
    },
}

/// A validated `DnsDomainPublishList`: every domain a DNS name, listed once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PublishList {
    entries: Vec<PublishEntry>,
}

fn number(text: &str, line: usize, field: PublishField) -> Result<u16, PublishListError> {
    let t = text.trim();
    if t.is_empty() {
        // "priority and weight are optional (0 if absent)" (S9).
        return Ok(0);
    }
    // Only ASCII digits: `str::parse` would also take a leading `+`.
    if t.bytes().all(|b| b.is_ascii_digit())
        && let Ok(v) = t.parse::<u16>()
    {
        return Ok(v);
    }
    Err(PublishListError::Number {
        line,
        field,
        value: t.to_string(),
    })
}

impl PublishList {
    /// Parses the value as text, one entry per line. See the [module docs](self).
    pub fn parse(text: &str) -> Result<Self, PublishListError> {
        let mut entries: Vec<(usize, PublishEntry)> = Vec::new();
        for (i, raw) in text.split(['\n', '\0']).enumerate() {
            let line = i + 1;
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let fields: Vec<&str> = raw.split(',').collect();
            if fields.len() > 3 {
                return Err(PublishListError::FieldCount {
                    line,
                    found: fields.len(),
                });
            }
            let given = fields[0].trim();
            let domain = check_dns_name(given).map_err(|reason| PublishListError::Domain {
                line,
                domain: given.to_string(),
                reason,
            })?;
            let priority = match fields.get(1) {
                Some(t) => number(t, line, PublishField::Priority)?,
                None => 0,
            };
            let weight = match fields.get(2) {
                Some(t) => number(t, line, PublishField::Weight)?,
                None => 0,
            };
            if let Some((first_line, _)) =
                entries.iter().find(|(_, e)| same_name(&e.domain, domain))
            {
                return Err(PublishListError::DuplicateDomain {
                    line,
                    domain: domain.to_string(),
                    first_line: *first_line,
                });
            }
            entries.push((
                line,
                PublishEntry {
                    domain: domain.to_string(),
                    priority,
                    weight,
                },
            ));
        }
        Ok(Self {
            entries: entries.into_iter().map(|(_, e)| e).collect(),
        })
    }

    /// Builds a list from entries, with the same checks as [`parse`](Self::parse); the line
    /// in an error is the entry's 1-based index.
    pub fn from_entries(entries: Vec<PublishEntry>) -> Result<Self, PublishListError> {
        let text: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        let list = Self::parse(&text.join("\n"))?;
        if list.entries.len() != entries.len() {
            // A domain that contained a comma or a newline split into other entries.
            return Err(PublishListError::FieldCount {
                line: 1,
                found: list.entries.len(),
            });
        }
        Ok(list)
    }

    /// The entries, in the order given.
    pub fn entries(&self) -> &[PublishEntry] {
        &self.entries
    }

    /// The canonical strings of the `REG_MULTI_SZ`, one per entry.
    pub fn lines(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.to_string()).collect()
    }

    /// The entry for `domain` (case-insensitive), if listed.
    pub fn get(&self, domain: &str) -> Option<&PublishEntry> {
        self.entries.iter().find(|e| same_name(&e.domain, domain))
    }
}

impl fmt::Display for PublishList {
    /// The canonical text: `domain, priority, weight` per entry, joined by `\n`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PublishList {
    type Err = PublishListError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seed_table5_host_values_parse() {
        // Table 5 of the seed writes host names where S9 says domain (facts.md §4.2); the
        // syntax is the same, and the underscore is accepted.
        let l =
            PublishList::parse("KMS_E1, 10, 75\r\nKMS_E2, 10, 25\r\nKMS_W1, 90, 75\r\n").unwrap();
        assert_eq!(l.entries().len(), 3);
        assert_eq!(
            l.entries()[1],
            PublishEntry {
                domain: "KMS_E2".into(),
                priority: 10,
                weight: 25
            }
        );
    }

    #[test]
    fn optional_numbers_are_zero_and_raw_multi_sz_separators_work() {
        let l = PublishList::parse("a.example\0b.example, 5\0c.example, , 7\0\0").unwrap();
        let v: Vec<(u16, u16)> = l.entries().iter().map(|e| (e.priority, e.weight)).collect();
        assert_eq!(v, [(0, 0), (5, 0), (0, 7)]);
        assert_eq!(
            l.to_string(),
            "a.example, 0, 0\nb.example, 5, 0\nc.example, 0, 7"
        );
        assert_eq!(PublishList::parse("").unwrap().entries().len(), 0);
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        assert_eq!(
            PublishList::parse("a.example\n\nb.example, 1, 2, 3"),
            Err(PublishListError::FieldCount { line: 3, found: 4 })
        );
        assert_eq!(
            PublishList::parse("a.example, 65536"),
            Err(PublishListError::Number {
                line: 1,
                field: PublishField::Priority,
                value: "65536".into()
            })
        );
        assert_eq!(
            PublishList::parse("a.example, 1, +2"),
            Err(PublishListError::Number {
                line: 1,
                field: PublishField::Weight,
                value: "+2".into()
            })
        );
        assert!(matches!(
            PublishList::parse("bad domain, 1"),
            Err(PublishListError::Domain { line: 1, .. })
        ));
        assert_eq!(
            PublishList::parse("a.example\nA.Example., 3"),
            Err(PublishListError::DuplicateDomain {
                line: 2,
                domain: "A.Example".into(),
                first_line: 1
            })
        );
        let e = PublishList::parse("x, 1, y").unwrap_err().to_string();
        assert_eq!(
            e,
            "line 1: weight \"y\" is not a whole number from 0 to 65535"
        );
    }

    #[test]
    fn from_entries_rejects_a_domain_that_would_split() {
        let bad = vec![PublishEntry {
            domain: "a.example, 1".into(),
            priority: 0,
            weight: 0,
        }];
        assert!(PublishList::from_entries(bad).is_err());
        let good = vec![PublishEntry {
            domain: "a.example".into(),
            priority: 1,
            weight: 2,
        }];
        assert_eq!(
            PublishList::from_entries(good).unwrap().lines(),
            ["a.example, 1, 2"]
        );
    }

    fn label() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_-]{1,12}"
    }

    proptest! {
        #[test]
        fn canonical_print_parses_back(
            entries in proptest::collection::vec(
                (proptest::collection::vec(label(), 1..4), any::<u16>(), any::<u16>()), 0..8)
        ) {
            let mut text = String::new();
            for (labels, p, w) in &entries {
                // Loose input: odd spacing, omitted zeros.
                let d = labels.join(".");
                match (p, w) {
                    (0, 0) => text.push_str(&format!("  {d}\r\n")),
                    (_, 0) => text.push_str(&format!("{d},{p}\n")),
                    _ => text.push_str(&format!("{d} ,  {p} , {w}\n\n")),
                }
            }
            if let Ok(list) = PublishList::parse(&text) {
                let again = PublishList::parse(&list.to_string());
                prop_assert_eq!(again.as_ref(), Ok(&list));
                prop_assert_eq!(list.entries().len(), entries.len());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,80}") {
            if let Ok(list) = PublishList::parse(&s) {
                prop_assert_eq!(PublishList::parse(&list.to_string()), Ok(list));
            }
        }
    }
}
