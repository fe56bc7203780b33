//! A TCP reachability probe for a KMS host's port: does something accept connections there?
//!
//! It only opens and closes a TCP connection (the three-way handshake); it never sends a
//! byte, so it never speaks the KMS protocol. Microsoft's own troubleshooting advice is the
//! same check (`Test-NetConnection host -Port 1688`, `telnet host 1688`).

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;
use volact_core::srv::discovery::HostPort;

/// Why a probe could not tell whether the port is open.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// No answer (SYN-ACK or RST) within the timeout: filtered, or the host is down.
    #[error("no answer from {addr} within {timeout:?}: filtered or down")]
    Timeout {
        /// The address probed.
        addr: SocketAddr,
        /// The timeout.
        timeout: Duration,
    },
    /// The host or network is unreachable, or another socket error.
    #[error("cannot reach {addr}: {source}")]
    Unreachable {
        /// The address probed.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The target text is not `host[:port]` (or names only a port).
    #[error("KMS host to probe: {0}")]
    Target(String),
    /// The host name has no address (the system resolver's answer).
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// The name.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
}

/// `Ok(true)` when `addr` accepts a TCP connection within `timeout`, `Ok(false)` when it
/// refuses it (RST: the host is up, nothing listens), an error otherwise.
///
/// ```
/// use std::time::Duration;
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// assert!(volact_net::probe::probe(addr, Duration::from_secs(1)).unwrap());
/// ```
pub fn probe(addr: SocketAddr, timeout: Duration) -> Result<bool, ProbeError> {
    let timeout = timeout.max(Duration::from_millis(1));
    match TcpStream::connect_timeout(&addr, timeout) {
        Ok(stream) => {
            // Close at once: the probe must not look like a client that will speak.
            let _ = stream.shutdown(std::net::Shutdown::Both);
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Ok(false),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) =>
        {
            Err(ProbeError::Timeout { addr, timeout })
        }
        Err(source) => Err(ProbeError::Unreachable { addr, source }),
    }
}

/// [`probe`] for a host given by name or address, as discovery lists it: an IP address is
/// probed as is; a name is resolved by the system resolver (getaddrinfo, so `/etc/hosts`
/// counts; its wait is the system's, not `timeout`) and its addresses are probed in order
/// until one answers. `Ok(true)` when one accepts, `Ok(false)` when the last answering one
/// refuses, else the last error.
///
/// ```
/// use std::time::Duration;
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let port = listener.local_addr().unwrap().port();
/// assert!(volact_net::probe::probe_host("127.0.0.1", port, Duration::from_secs(1)).unwrap());
/// ```
pub fn probe_host(host: &str, port: u16, timeout: Duration) -> Result<bool, ProbeError> {
    let host = host.trim().trim_end_matches('.');
    // Bracketed or bare IP literals never reach the resolver.
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return probe(SocketAddr::new(ip, port), timeout);
    }
    let resolve_err = |source| ProbeError::Resolve {
        host: host.to_owned(),
        source,
    };
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(resolve_err)?
        .collect();
    let mut last = Err(resolve_err(io::Error::new(
        io::ErrorKind::NotFound,
        "no address",
    )));
    for addr in addrs {
        last = probe(addr, timeout);
        if matches!(last, Ok(true)) {
            break;
        }
    }
    last
}

/// [`probe_host`] for a `host[:port]` text as `slmgr /skms` takes it (`[IPv6]:port` too; port
/// 1688 when absent): the CLI's `volact probe` and the bindings' probe.
pub fn probe_target(text: &str, timeout: Duration) -> Result<bool, ProbeError> {
    let target = HostPort::parse(text).map_err(|e| ProbeError::Target(e.to_string()))?;
    let Some(host) = target.host() else {
        return Err(ProbeError::Target(format!(
            "{:?} names a port but no host",
            text.trim()
        )));
    };
    probe_host(host, target.port_or_default(), timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_host_takes_literals_and_names() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = Duration::from_secs(2);
        assert!(probe_host("127.0.0.1", port, t).unwrap());
        assert!(probe_host("localhost", port, t).unwrap());
        drop(listener);
        // Refused once nothing listens on the port (the loopback answers RST at once).
        assert!(!probe_host("127.0.0.1", port, t).unwrap());
        let e = probe_host("no-such-host.invalid", 1688, t).unwrap_err();
        assert!(matches!(e, ProbeError::Resolve { .. }), "{e}");
        assert!(e.to_string().contains("no-such-host.invalid"), "{e}");
    }

    #[test]
    fn probe_target_reads_host_and_port_like_slmgr_skms() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = Duration::from_secs(2);
        assert!(probe_target(&format!("127.0.0.1:{port}"), t).unwrap());
        assert!(probe_target(&format!("[::ffff:127.0.0.1]:{port}"), t).is_ok());
        assert!(matches!(
            probe_target(":1700", t),
            Err(ProbeError::Target(_))
        ));
        assert!(matches!(probe_target("a b", t), Err(ProbeError::Target(_))));
    }
}
