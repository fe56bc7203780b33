//! One DNS exchange with one server: UDP first, TCP when the answer is truncated (RFC 1035
//! §4.2, RFC 7766 §5), every socket operation bounded by a deadline so nothing hangs.
//!
//! A UDP datagram is accepted only if it comes from the server's address and port, decodes,
//! and carries our id and our question (RFC 5452 §4.1, §9.1); anything else is dropped and
//! we keep listening until the deadline, so a stray or spoofed datagram cannot end the wait
//! early or be mistaken for the answer.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use volact_core::srv::message::{self, Question, Response};

/// The largest UDP datagram we read: a DNS message can be at most 65535 bytes.
const MAX_DATAGRAM: usize = 65_535;

/// A fresh, unpredictable 16-bit message id (RFC 5452 §9.2). `RandomState` is seeded from
/// the OS once per thread and its hash of a counter and the clock is not guessable from
/// outside, which is all a query id needs, without a random-number crate.
pub(crate) fn random_id() -> u16 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(d) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    let v = h.finish();
    (v ^ (v >> 16) ^ (v >> 32) ^ (v >> 48)) as u16
}

/// Why one exchange with one server failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Nothing acceptable arrived before the deadline.
    #[error("no answer from {server} within {waited:?}{ignored}")]
    Timeout {
        /// The server asked.
        server: SocketAddr,
        /// How long we waited.
        waited: Duration,
        /// ", ignored N unmatched responses" when some were dropped, else empty.
        ignored: String,
    },
    /// The server's host said nothing listens there (ICMP port unreachable or TCP RST).
    #[error("{server} refused the connection: no DNS server listens there")]
    Refused {
        /// The server asked.
        server: SocketAddr,
    },
    /// A socket operation failed.
    #[error("{op} with {server} failed: {source}")]
    Io {
        /// What we were doing ("UDP send", "TCP connect"…).
        op: &'static str,
        /// The server.
        server: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The TCP answer was malformed or not ours (TCP has no stray datagrams to skip).
    #[error("bad TCP answer from {server}: {problem}")]
    BadTcpAnswer {
        /// The server.
        server: SocketAddr,
        /// What was wrong.
        problem: String,
    },
}

/// An accepted answer: the decoded response, its bytes (for TSIG verification), and
/// whether it came over TCP.
#[derive(Debug)]
pub(crate) struct Exchanged {
    pub response: Response,
    pub bytes: Vec<u8>,
    pub via_tcp: bool,
}

/// Send `query` (whose id is `id` and question `question`) to `server` over UDP and wait up
/// to `timeout`; on a truncated answer, ask again over TCP within the same deadline.
pub(crate) fn exchange(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    question: &Question,
    timeout: Duration,
) -> Result<Exchanged, TransportError> {
    let deadline = Instant::now() + timeout;
    let (response, bytes) = udp(server, query, id, question, deadline, timeout)?;
    if response.truncated {
        let (response, bytes) = tcp(server, query, id, question, deadline, timeout)?;
        return Ok(Exchanged {
            response,
            bytes,
            via_tcp: true,
        });
    }
    Ok(Exchanged {
        response,
        bytes,
        via_tcp: false,
    })
}

fn io_err(op: &'static str, server: SocketAddr) -> impl FnOnce(io::Error) -> TransportError {
    move |source| match source.kind() {
        io::ErrorKind::ConnectionRefused => TransportError::Refused { server },
        _ => TransportError::Io { op, server, source },
    }
}

fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}

fn udp(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    question: &Question,
    deadline: Instant,
    timeout: Duration,
) -> Result<(Response, Vec<u8>), TransportError> {
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).map_err(io_err("UDP bind", server))?;
    // Connecting makes the kernel drop datagrams from other peers and report ICMP port
    // unreachable as ConnectionRefused, so a dead server fails fast instead of timing out.
    socket
        .connect(server)
        .map_err(io_err("UDP connect", server))?;
    socket.send(query).map_err(io_err("UDP send", server))?;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut ignored = 0usize;
    let timed_out = |ignored: usize| TransportError::Timeout {
        server,
        waited: timeout,
        ignored: if ignored == 0 {
            String::new()
        } else {
            format!(", ignored {ignored} unmatched response(s)")
        },
    };
    loop {
        let Some(left) = remaining(deadline) else {
            return Err(timed_out(ignored));
        };
        socket
            .set_read_timeout(Some(left))
            .map_err(io_err("UDP set timeout", server))?;
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(got) => got,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out(ignored));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err("UDP receive", server)(e)),
        };
        // Belt and braces: the connected socket already filters by peer.
        if from != server {
            ignored += 1;
            continue;
        }
        let bytes = &buf[..n];
        match message::parse_response(bytes) {
            Ok(r) if r.matches(id, question).is_ok() => return Ok((r, bytes.to_vec())),
            _ => ignored += 1,
        }
    }
}

fn tcp(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    question: &Question,
    deadline: Instant,
    timeout: Duration,
) -> Result<(Response, Vec<u8>), TransportError> {
    let timeout_err = || TransportError::Timeout {
        server,
        waited: timeout,
        ignored: " (over TCP after a truncated UDP answer)".into(),
    };
    let left = remaining(deadline).ok_or_else(timeout_err)?;
    let mut stream =
        TcpStream::connect_timeout(&server, left).map_err(io_err("TCP connect", server))?;
    let len = u16::try_from(query.len()).map_err(|_| TransportError::BadTcpAnswer {
        server,
        problem: "query longer than 65535 bytes".into(),
    })?;
    let mut framed = Vec::with_capacity(query.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(query);
    let left = remaining(deadline).ok_or_else(timeout_err)?;
    stream
        .set_write_timeout(Some(left))
        .map_err(io_err("TCP set timeout", server))?;
    stream
        .write_all(&framed)
        .map_err(io_err("TCP send", server))?;
    let mut len_buf = [0u8; 2];
    read_exact_by(&mut stream, &mut len_buf, deadline, timeout, server)?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(len_buf))];
    read_exact_by(&mut stream, &mut body, deadline, timeout, server)?;
    let bad = |problem: String| TransportError::BadTcpAnswer { server, problem };
    let response = message::parse_response(&body).map_err(|e| bad(e.to_string()))?;
    response
        .matches(id, question)
        .map_err(|e| bad(e.to_string()))?;
    Ok((response, body))
}

/// `read_exact` that gives up at `deadline` even when the peer trickles bytes.
fn read_exact_by(
    stream: &mut TcpStream,
    mut buf: &mut [u8],
    deadline: Instant,
    timeout: Duration,
    server: SocketAddr,
) -> Result<(), TransportError> {
    while !buf.is_empty() {
        let Some(left) = remaining(deadline) else {
            return Err(TransportError::Timeout {
                server,
                waited: timeout,
                ignored: " (reading the TCP answer)".into(),
            });
        };
        stream
            .set_read_timeout(Some(left))
            .map_err(io_err("TCP set timeout", server))?;
        match stream.read(buf) {
            Ok(0) => {
                return Err(TransportError::BadTcpAnswer {
                    server,
                    problem: "connection closed before the whole answer arrived".into(),
                });
            }
            Ok(n) => buf = &mut buf[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(io_err("TCP receive", server)(e)),
        }
    }
    Ok(())
}
