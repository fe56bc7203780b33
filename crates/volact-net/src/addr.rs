//! DNS servers given as text, read here once so the CLI's `--server` and every binding accept
//! the same texts: `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port`, port 53 when none is given; one
//! at a time ([`parse_server`]), a list ([`parse_servers`]) or a comma-separated list
//! ([`parse_server_list`], the C ABI's form).
//!
//! Addresses only, no names: resolving the DNS server's own name would need a DNS server.

use std::net::{IpAddr, SocketAddr};

/// The DNS port, used when the text gives none.
pub const DNS_PORT: u16 = 53;

/// Why a text is not a DNS server address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerAddrError {
    /// Not `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port`.
    #[error(
        "DNS server {input:?}: expected an IP address with an optional port \
         (`192.0.2.53`, `192.0.2.53:5353`, `[2001:db8::53]:5353`)"
    )]
    Syntax {
        /// The text given.
        input: String,
    },
    /// Entry `index` (1-based) of a list is not a server address.
    #[error("DNS server {index} of the list: {source}")]
    InList {
        /// 1-based position in the list.
        index: usize,
        /// What is wrong with that entry.
        source: Box<ServerAddrError>,
    },
    /// The port is 0.
    #[error("DNS server {input:?}: port 0 is not a port a server listens on")]
    PortZero {
        /// The text given.
        input: String,
    },
}

/// Parses one DNS server address; surrounding whitespace is ignored.
///
/// ```
/// use volact_net::addr::parse_server;
/// assert_eq!(parse_server("127.0.0.1:5353")?.port(), 5353);
/// assert_eq!(parse_server("192.0.2.53")?.port(), 53);
/// assert_eq!(parse_server("[::1]")?.to_string(), "[::1]:53");
/// assert!(parse_server("ns.contoso.com").is_err());
/// # Ok::<(), volact_net::addr::ServerAddrError>(())
/// ```
pub fn parse_server(text: &str) -> Result<SocketAddr, ServerAddrError> {
    let t = text.trim();
    let syntax = || ServerAddrError::Syntax {
        input: text.to_owned(),
    };
    let addr = if let Ok(ip) = t.parse::<IpAddr>() {
        // A bare IPv6 address parses here too: its colons are the address's, not a port's.
        SocketAddr::new(ip, DNS_PORT)
    } else if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        SocketAddr::new(inner.parse::<IpAddr>().map_err(|_| syntax())?, DNS_PORT)
    } else {
        t.parse::<SocketAddr>().map_err(|_| syntax())?
    };
    if addr.port() == 0 {
        return Err(ServerAddrError::PortZero {
            input: text.to_owned(),
        });
    }
    Ok(addr)
}

/// Parses every server of a list, in order; the first bad one is the error, with its position.
pub fn parse_servers<S: AsRef<str>>(texts: &[S]) -> Result<Vec<SocketAddr>, ServerAddrError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            parse_server(t.as_ref()).map_err(|e| ServerAddrError::InList {
                index: i + 1,
                source: Box::new(e),
            })
        })
        .collect()
}

/// Parses a comma-separated list of servers. White space around entries and empty entries
/// are ignored, so `""` is the empty list: the caller's cue to use the system's servers.
///
/// ```
/// use volact_net::addr::parse_server_list;
/// let s = parse_server_list("127.0.0.1:5353, [::1]:53,192.0.2.1")?;
/// assert_eq!(s[2].to_string(), "192.0.2.1:53");
/// assert!(parse_server_list("")?.is_empty());
/// # Ok::<(), volact_net::addr::ServerAddrError>(())
/// ```
pub fn parse_server_list(text: &str) -> Result<Vec<SocketAddr>, ServerAddrError> {
    let entries: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    parse_servers(&entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_with_and_without_port() {
        assert_eq!(
            parse_server(" 127.0.0.1:5353 ").unwrap(),
            "127.0.0.1:5353".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(parse_server("10.0.0.1").unwrap().port(), 53);
        assert_eq!(parse_server("::1").unwrap().to_string(), "[::1]:53");
        assert_eq!(
            parse_server("[fd00::53]").unwrap().to_string(),
            "[fd00::53]:53"
        );
        assert_eq!(
            parse_server("[fd00::53]:5300").unwrap().to_string(),
            "[fd00::53]:5300"
        );
        assert_eq!(
            parse_servers(&["127.0.0.1:1", "127.0.0.2"]).unwrap(),
            vec![
                "127.0.0.1:1".parse::<SocketAddr>().unwrap(),
                "127.0.0.2:53".parse().unwrap()
            ]
        );
    }

    #[test]
    fn names_ports_and_junk_are_refused() {
        for bad in [
            "",
            "ns.contoso.com",
            "ns.contoso.com:53",
            "127.0.0.1:",
            "127.0.0.1:70000",
            "[::1",
            "1.2.3",
        ] {
            let e = parse_server(bad).unwrap_err();
            assert!(matches!(e, ServerAddrError::Syntax { .. }), "{bad}: {e}");
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
        assert!(matches!(
            parse_server("127.0.0.1:0"),
            Err(ServerAddrError::PortZero { .. })
        ));
        assert!(parse_servers(&["127.0.0.1", "nope"]).is_err());
    }

    #[test]
    fn comma_lists() {
        assert_eq!(
            parse_server_list(" 127.0.0.1:5300 ,,::1").unwrap(),
            [
                "127.0.0.1:5300".parse::<SocketAddr>().unwrap(),
                "[::1]:53".parse().unwrap()
            ]
        );
        let e = parse_server_list("127.0.0.1:53,dns.example").unwrap_err();
        assert!(e.to_string().contains("\"dns.example\""), "{e}");
        assert!(e.to_string().starts_with("DNS server 2 of the list"), "{e}");
        assert!(parse_server_list("127.0.0.1:99999").is_err());
    }
}
