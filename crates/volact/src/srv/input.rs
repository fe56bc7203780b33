//! Text forms the CLI and the bindings take for SRV data, read here once so every front end
//! accepts and refuses the same things with the same messages:
//!
//! - [`parse_records`]: SRV record values, one `priority weight port target` per line;
//! - [`parse_priority_weight`]: `priority weight` (or nothing) picking one record to withdraw;
//! - [`ClientConfig::from_json`]: a [`ClientConfig`] as JSON, the empty text meaning defaults.
//!
//! ```
//! use volact::srv::input::{parse_priority_weight, parse_records};
//! let rs = parse_records("10 75 1688 kms-e1.east.contoso.com.\n\n90 75 1688 kms-w1.west.contoso.com")?;
//! assert_eq!(rs.len(), 2);
//! assert_eq!(parse_priority_weight(" 10 75 ")?, Some((10, 75)));
//! assert_eq!(parse_priority_weight("")?, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::discovery::ClientConfig;
use super::record::{SrvRecord, SrvRecordError};

/// Why a list of SRV record values cannot be read: the first bad line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("SRV records, line {line}: {source}")]
pub struct RecordLinesError {
    /// 1-based line of the input.
    pub line: usize,
    /// What is wrong with it.
    pub source: SrvRecordError,
}

/// Reads SRV record values, one `priority weight port target` per line (zone-file
/// presentation, RFC 2782). Blank lines are skipped, so a trailing newline is fine.
pub fn parse_records(text: &str) -> Result<Vec<SrvRecord>, RecordLinesError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            l.parse().map_err(|source| RecordLinesError {
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// Why a `priority weight` text is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not `priority weight` (two integers from 0 to 65535) or empty")]
pub struct PriorityWeightError {
    /// The text given.
    pub text: String,
}

/// Reads `priority weight` (two integers 0..=65535 separated by white space); the empty (or
/// all-blank) text is `None`: "every record of the host", as a withdrawal takes it.
pub fn parse_priority_weight(text: &str) -> Result<Option<(u16, u16)>, PriorityWeightError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let err = || PriorityWeightError {
        text: text.to_owned(),
    };
    match fields[..] {
        [] => Ok(None),
        [p, w] => Ok(Some((
            p.parse().map_err(|_| err())?,
            w.parse().map_err(|_| err())?,
        ))),
        _ => Err(err()),
    }
}

/// Why a client configuration in JSON cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("client configuration JSON: {0}")]
pub struct ClientConfigError(#[from] serde_json::Error);

impl ClientConfig {
    /// Reads a configuration from JSON: an object with any of the fields of [`ClientConfig`]
    /// (`"lookup_domain"`, `"suffix_search_list"`, `"order": "legacy"`…), the others taking
    /// their defaults. The empty (or all-blank) text is the default configuration. Unknown
    /// fields are refused; the message gives line and column.
    ///
    /// ```
    /// use volact::srv::discovery::ClientConfig;
    /// let c = ClientConfig::from_json(r#"{"lookup_domain": "east.contoso.com"}"#)?;
    /// assert_eq!(c.lookup_domain.as_deref(), Some("east.contoso.com"));
    /// assert!(c.host_caching);
    /// assert_eq!(ClientConfig::from_json("")?, ClientConfig::default());
    /// assert!(ClientConfig::from_json(r#"{"lookup": "x"}"#).unwrap_err().to_string().contains("line 1"));
    /// # Ok::<(), volact::srv::input::ClientConfigError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, ClientConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        Ok(serde_json::from_str(text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lines_name_the_bad_line() {
        let e = parse_records("10 75 1688 a.example\n\n10 x 1688 b.example\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(matches!(
            e.source,
            SrvRecordError::Number {
                field: "weight",
                ..
            }
        ));
        assert!(
            e.to_string()
                .starts_with("SRV records, line 3: SRV weight \"x\""),
            "{e}"
        );
        assert_eq!(parse_records("").unwrap(), []);
        assert_eq!(parse_records("0 0 1688 .").unwrap()[0].target, ".");
    }

    #[test]
    fn priority_weight_is_two_numbers_or_nothing() {
        assert_eq!(parse_priority_weight("0 65535").unwrap(), Some((0, 65535)));
        assert_eq!(parse_priority_weight(" \t").unwrap(), None);
        for bad in ["10", "10 75 1688", "10 -1", "10 65536", "a b"] {
            let e = parse_priority_weight(bad).unwrap_err();
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn client_config_json_refuses_unknown_fields_and_bad_values() {
        let c = ClientConfig::from_json(
            r#"{"suffix_search_list": ["east.contoso.com"], "order": "legacy", "host_caching": false}"#,
        )
        .unwrap();
        assert_eq!(c.suffix_search_list, ["east.contoso.com"]);
        assert!(!c.host_caching);
        for bad in [
            r#"{"nope": 1}"#,
            r#"{"global_kms": "fd00::1"}"#,
            "[",
            "{\n\"order\": 3}",
        ] {
            let e = ClientConfig::from_json(bad).unwrap_err().to_string();
            assert!(e.contains("line ") && e.contains("column "), "{e}");
        }
    }
}
