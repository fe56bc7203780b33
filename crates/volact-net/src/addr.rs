//! Addresses as the CLI and the bindings take them, read here once so every front end
//! accepts the same texts:
//!
//! - [`parse_servers`]: DNS servers, `ip:port,ip:port` (`ip` alone means port 53);
//! - [`probe_target`]: a KMS host, `host[:port]` (port 1688 by default), resolved to an address
//!   with the system resolver (`std::net::ToSocketAddrs`: `/etc/hosts`, DNS through libc).
//!
//! ```
//! use volact_net::addr::parse_servers;
//! let s = parse_servers("127.0.0.1:5353, [::1]:53,192.0.2.1")?;
//! assert_eq!(s[2].to_string(), "192.0.2.1:53");
//! assert!(parse_servers("")?.is_empty());
//! # Ok::<(), volact_net::addr::AddrError>(())
//! ```

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use volact_core::srv::discovery::{HostPort, HostPortError};

/// The DNS port, for a server given without one.
pub const DNS_PORT: u16 = 53;

/// Why an address text cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddrError {
    /// An entry of a server list is not `ip`, `ip:port` or `[ipv6]:port`.
    #[error(
        "DNS server {index} of the list, {entry:?}: not an IP address with an optional port (`192.0.2.1`, `192.0.2.1:53`, `[2001:db8::1]:53`)"
    )]
    Server {
        /// 1-based position in the list.
        index: usize,
        /// The entry.
        entry: String,
    },
    /// The host text is not `host[:port]`.
    #[error("KMS host: {0}")]
    HostPort(#[from] HostPortError),
    /// `:port` names no host.
    #[error("KMS host {input:?}: names a port but no host")]
    NoHost {
        /// The text given.
        input: String,
    },
    /// The name has no address (or the system resolver failed).
    #[error("KMS host {host:?}: cannot resolve it to an address: {reason}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's reason.
        reason: String,
    },
}

/// Reads a comma-separated list of DNS servers (white space around entries is ignored, and
/// so are empty entries, so `""` is the empty list: the caller's cue to use the system's).
pub fn parse_servers(text: &str) -> Result<Vec<SocketAddr>, AddrError> {
    text.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .enumerate()
        .map(|(i, entry)| {
            entry
                .parse::<SocketAddr>()
                .or_else(|_| {
                    entry
                        .parse::<IpAddr>()
                        .map(|ip| SocketAddr::new(ip, DNS_PORT))
                })
                .map_err(|_| AddrError::Server {
                    index: i + 1,
                    entry: entry.to_owned(),
                })
        })
        .collect()
}

/// The address to probe for `host[:port]` (`[IPv6]:port` too; port 1688 when absent): the
/// first address the system resolver gives.
pub fn probe_target(text: &str) -> Result<SocketAddr, AddrError> {
    let hp = HostPort::parse(text)?;
    let Some(host) = hp.host() else {
        return Err(AddrError::NoHost {
            input: text.trim().to_owned(),
        });
    };
    let port = hp.port_or_default();
    let resolve_err = |reason: String| AddrError::Resolve {
        host: host.to_owned(),
        reason,
    };
    (host, port)
        .to_socket_addrs()
        .map_err(|e| resolve_err(e.to_string()))?
        .next()
        .ok_or_else(|| resolve_err("no address".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_lists() {
        let s = parse_servers(" 127.0.0.1:5300 ,,::1").unwrap();
        assert_eq!(
            s,
            [
                "127.0.0.1:5300".parse().unwrap(),
                "[::1]:53".parse().unwrap()
            ]
        );
        let e = parse_servers("127.0.0.1:53,dns.example").unwrap_err();
        assert!(matches!(e, AddrError::Server { index: 2, .. }), "{e}");
        assert!(e.to_string().contains("\"dns.example\""), "{e}");
        assert!(parse_servers("127.0.0.1:99999").is_err());
    }

    #[test]
    fn probe_targets() {
        assert_eq!(
            probe_target("127.0.0.1").unwrap(),
            "127.0.0.1:1688".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(probe_target("[::1]:1700").unwrap().port(), 1700);
        assert_eq!(probe_target("localhost:1700").unwrap().port(), 1700);
        assert!(matches!(
            probe_target(":1700"),
            Err(AddrError::NoHost { .. })
        ));
        assert!(matches!(probe_target("a b"), Err(AddrError::HostPort(_))));
        assert!(matches!(
            probe_target("no-such-host.invalid"),
            Err(AddrError::Resolve { .. })
        ));
    }
}
