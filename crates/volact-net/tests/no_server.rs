//! Failure paths that need no DNS server: nothing listening, a server that never answers,
//! stray responses (a tiny fake UDP server, used only here), and the TCP probe.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::rdata::SRV;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use volact_net::Resolver;
use volact_net::probe::{ProbeError, probe};
use volact_net::resolver::{ResolveError, SrvOutcome};

const OWNER: &str = "_vlmcs._tcp.contoso.com";

#[test]
fn a_port_where_nothing_listens_fails_fast() {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let started = Instant::now();
    let err = Resolver::new(vec![port])
        .with_timeout(Duration::from_secs(3))
        .resolve_srv(OWNER)
        .unwrap_err();
    assert!(matches!(err, ResolveError::NoAnswer { .. }), "{err}");
    assert!(err.to_string().contains("refused"), "{err}");
    // ICMP port unreachable comes back at once: no waiting for the 2 × 3 s timeouts.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_blackhole_times_out_within_the_deadline() {
    let hole = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = hole.local_addr().unwrap();
    let started = Instant::now();
    let err = Resolver::new(vec![addr])
        .with_timeout(Duration::from_millis(300))
        .with_attempts(2)
        .resolve_srv(OWNER)
        .unwrap_err();
    let took = started.elapsed();
    assert!(err.to_string().contains("no answer from"), "{err}");
    assert!(took >= Duration::from_millis(600), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    drop(hole);
}

/// Answers each query with the given variants of a response, in order.
fn fake_server(variants: Vec<fn(&Message) -> Message>) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            for make in &variants {
                let _ = socket.send_to(&make(&q).to_vec().unwrap(), from);
            }
        }
    });
    addr
}

fn answer_to(q: &Message, id: u16, qname: &str) -> Message {
    let mut m = Message::new(id, MessageType::Response, OpCode::Query);
    m.add_query(Query::query(
        Name::from_ascii(qname).unwrap(),
        RecordType::SRV,
    ));
    m.add_answer(Record::from_rdata(
        Name::from_ascii(qname).unwrap(),
        60,
        RData::SRV(SRV::new(
            0,
            0,
            1688,
            Name::from_ascii(if id == q.metadata.id {
                "192.0.2.1."
            } else {
                "spoofed.example."
            })
            .unwrap(),
        )),
    ));
    m
}

fn wrong_id(q: &Message) -> Message {
    answer_to(q, q.metadata.id.wrapping_add(1), "_vlmcs._tcp.contoso.com.")
}
fn wrong_question(q: &Message) -> Message {
    let mut m = answer_to(q, q.metadata.id, "_vlmcs._tcp.fabrikam.com.");
    m.answers[0].data = RData::SRV(SRV::new(
        0,
        0,
        1688,
        Name::from_ascii("spoofed.example.").unwrap(),
    ));
    m
}
fn right(q: &Message) -> Message {
    answer_to(q, q.metadata.id, "_vlmcs._tcp.contoso.com.")
}

#[test]
fn responses_with_a_wrong_id_or_question_are_ignored() {
    let addr = fake_server(vec![wrong_id, wrong_question, right]);
    let found = Resolver::new(vec![addr])
        .with_timeout(Duration::from_secs(2))
        .with_attempts(1)
        .resolve_srv(OWNER)
        .unwrap();
    assert_eq!(found.outcome, SrvOutcome::Records);
    // The target is an IP-literal-looking name so no address lookup leaves for the network.
    assert_eq!(found.targets[0].record.target, "192.0.2.1");

    let only_wrong = fake_server(vec![wrong_id, wrong_question]);
    let err = Resolver::new(vec![only_wrong])
        .with_timeout(Duration::from_millis(300))
        .with_attempts(1)
        .resolve_srv(OWNER)
        .unwrap_err();
    assert!(err.to_string().contains("ignored 2 unmatched"), "{err}");
}

#[test]
fn probe_open_closed_and_silent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap();
    assert!(probe(open, Duration::from_secs(1)).unwrap());
    drop(listener);
    assert!(!probe(open, Duration::from_secs(1)).unwrap());
    // TEST-NET-1 (RFC 5737) is never routed: no answer within the timeout, or (in a sandbox
    // that rejects it) an immediate refusal or "unreachable"; never open, never a hang.
    let started = Instant::now();
    let silent: SocketAddr = "192.0.2.1:1688".parse().unwrap();
    match probe(silent, Duration::from_millis(300)) {
        Ok(false) | Err(ProbeError::Timeout { .. } | ProbeError::Unreachable { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
}
