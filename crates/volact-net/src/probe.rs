//! A TCP reachability probe for a KMS host's port: does something accept connections there?
//!
//! It only opens and closes a TCP connection (the three-way handshake); it never sends a
//! byte, so it never speaks the KMS protocol. Microsoft's own troubleshooting advice is the
//! same check (`Test-NetConnection host -Port 1688`, `telnet host 1688`).

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

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
