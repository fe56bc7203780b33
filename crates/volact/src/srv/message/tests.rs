use std::net::Ipv4Addr;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, SRV};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use super::update::{Update, records_with_target};
use super::*;

fn n(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

fn srv(prio: u16, weight: u16, target: &str) -> SrvRecord {
    SrvRecord {
        priority: prio,
        weight,
        port: 1688,
        target: target.into(),
    }
}

/// A response as bind would send it for the SRV query of `_vlmcs._tcp.contoso.com`.
fn response(id: u16, qname: &str, answers: Vec<Record>, additionals: Vec<Record>) -> Vec<u8> {
    let mut m = Message::new(id, MessageType::Response, OpCode::Query);
    m.metadata.authoritative = true;
    m.add_query(Query::query(n(qname), RecordType::SRV));
    m.add_answers(answers);
    m.add_additionals(additionals);
    m.to_vec().unwrap()
}

#[test]
fn query_has_question_rd_and_edns() {
    let bytes = query(
        0xBEEF,
        "_vlmcs._tcp.contoso.com",
        QueryType::Srv,
        Some(1232),
    )
    .unwrap();
    let m = Message::from_vec(&bytes).unwrap();
    assert_eq!(m.metadata.id, 0xBEEF);
    assert!(m.metadata.recursion_desired);
    assert_eq!(m.queries[0].name, n("_vlmcs._tcp.contoso.com."));
    assert_eq!(m.queries[0].query_type, RecordType::SRV);
    assert_eq!(m.edns.as_ref().map(|e| e.max_payload()), Some(1232));
    let plain = query(1, "contoso.com.", QueryType::A, None).unwrap();
    assert!(Message::from_vec(&plain).unwrap().edns.is_none());
}

#[test]
fn bad_names_are_typed_errors() {
    let long = "a".repeat(64);
    for bad in ["", "a..b", long.as_str()] {
        assert!(
            matches!(
                query(1, bad, QueryType::Srv, None),
                Err(MessageError::BadName { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn parses_srv_cname_and_additional_addresses() {
    let owner = "_vlmcs._tcp.contoso.com.";
    let bytes = response(
        9,
        owner,
        vec![
            Record::from_rdata(n(owner), 60, RData::CNAME(CNAME(n("kms.contoso.com.")))),
            Record::from_rdata(
                n("kms.contoso.com."),
                3600,
                RData::SRV(SRV::new(0, 100, 1688, n("KMS1.contoso.com."))),
            ),
        ],
        vec![Record::from_rdata(
            n("kms1.contoso.com."),
            3600,
            RData::A(A(Ipv4Addr::new(10, 0, 0, 1))),
        )],
    );
    let r = parse_response(&bytes).unwrap();
    assert_eq!(r.rcode, Rcode::NoError);
    assert!(r.authoritative && !r.truncated);
    r.matches(9, &Question::new("_VLMCS._tcp.contoso.com", QueryType::Srv))
        .unwrap();
    let (aliases, canonical) = r.cname_chain(owner).unwrap();
    assert_eq!(aliases, vec!["_vlmcs._tcp.contoso.com".to_string()]);
    assert_eq!(canonical, "kms.contoso.com");
    assert_eq!(
        r.srv_records(&canonical),
        vec![srv(0, 100, "KMS1.contoso.com")]
    );
    assert_eq!(
        r.addresses("kms1.contoso.com"),
        vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))]
    );
}

#[test]
fn mismatched_id_or_question_is_reported() {
    let bytes = response(5, "_vlmcs._tcp.contoso.com.", vec![], vec![]);
    let r = parse_response(&bytes).unwrap();
    let q = Question::new("_vlmcs._tcp.contoso.com", QueryType::Srv);
    assert!(matches!(
        r.matches(6, &q),
        Err(Mismatch::Id {
            expected: 6,
            got: 5
        })
    ));
    let other = Question::new("_vlmcs._tcp.fabrikam.com", QueryType::Srv);
    assert!(matches!(
        r.matches(5, &other),
        Err(Mismatch::Question { .. })
    ));
    let other_type = Question::new("_vlmcs._tcp.contoso.com", QueryType::A);
    assert!(r.matches(5, &other_type).is_err());
}

#[test]
fn cname_loops_and_long_chains_are_errors() {
    let loop_bytes = response(
        1,
        "a.test.",
        vec![
            Record::from_rdata(n("a.test."), 1, RData::CNAME(CNAME(n("b.test.")))),
            Record::from_rdata(n("b.test."), 1, RData::CNAME(CNAME(n("a.test.")))),
        ],
        vec![],
    );
    let r = parse_response(&loop_bytes).unwrap();
    assert!(matches!(
        r.cname_chain("a.test"),
        Err(MessageError::CnameChain { .. })
    ));
    let chain: Vec<Record> = (0..10)
        .map(|i| {
            Record::from_rdata(
                n(&format!("c{i}.test.")),
                1,
                RData::CNAME(CNAME(n(&format!("c{}.test.", i + 1)))),
            )
        })
        .collect();
    let r = parse_response(&response(1, "c0.test.", chain, vec![])).unwrap();
    assert!(matches!(
        r.cname_chain("c0.test"),
        Err(MessageError::CnameChain { .. })
    ));
}

#[test]
fn queries_rcodes_and_garbage() {
    let q = query(3, "x.test", QueryType::A, None).unwrap();
    assert_eq!(parse_response(&q), Err(MessageError::NotAResponse));
    assert!(matches!(
        parse_response(&[1, 2, 3]),
        Err(MessageError::Decode(_))
    ));
    let mut m = Message::new(3, MessageType::Response, OpCode::Query);
    m.metadata.response_code = ResponseCode::NXDomain;
    m.metadata.truncation = true;
    let r = parse_response(&m.to_vec().unwrap()).unwrap();
    assert_eq!(r.rcode, Rcode::NxDomain);
    assert!(r.truncated);
    assert_eq!(r.rcode.to_string(), "NXDOMAIN");
    for code in 0..12 {
        assert_eq!(Rcode::from_code(code).code(), code);
    }
    assert_eq!(tsig_error_name(16), "BADSIG");
}

#[test]
fn publish_is_an_unconditional_add() {
    let u = Update::publish(
        77,
        "contoso.com",
        "_vlmcs._tcp.contoso.com.",
        &srv(10, 50, "kms2.contoso.com"),
        3600,
    )
    .unwrap();
    let m = Message::from_vec(&u.to_bytes().unwrap()).unwrap();
    assert_eq!(m.metadata.id, 77);
    assert_eq!(m.metadata.op_code, OpCode::Update);
    assert_eq!(m.queries[0].name, n("contoso.com."));
    assert_eq!(m.queries[0].query_type, RecordType::SOA);
    assert!(m.answers.is_empty(), "no prerequisite");
    let add = &m.authorities[0];
    assert_eq!(add.dns_class, DNSClass::IN);
    assert_eq!(add.ttl, 3600);
    assert_eq!(
        add.data,
        RData::SRV(SRV::new(10, 50, 1688, n("kms2.contoso.com.")))
    );
}

#[test]
fn withdraw_deletes_each_record_by_rdata() {
    let records = [srv(0, 0, "kms1.contoso.com"), srv(5, 5, "kms1.contoso.com")];
    let u = Update::withdraw(8, "contoso.com", "_vlmcs._tcp.contoso.com", &records).unwrap();
    let m = Message::from_vec(&u.to_bytes().unwrap()).unwrap();
    assert_eq!(m.authorities.len(), 2);
    assert!(
        m.authorities
            .iter()
            .all(|r| r.dns_class == DNSClass::NONE && r.ttl == 0)
    );
    assert!(matches!(
        Update::withdraw(8, "contoso.com", "_vlmcs._tcp.contoso.com", &[]),
        Err(MessageError::NothingToDelete { .. })
    ));
}

#[test]
fn zone_check_is_ours_not_a_panic() {
    let rec = srv(0, 0, "kms1.contoso.com");
    for (zone, owner) in [
        ("fabrikam.com", "_vlmcs._tcp.contoso.com"),
        ("east.contoso.com", "_vlmcs._tcp.contoso.com"),
        ("ntoso.com", "_vlmcs._tcp.contoso.com"),
    ] {
        assert_eq!(
            Update::publish(1, zone, owner, &rec, 60).unwrap_err(),
            MessageError::OutsideZone {
                owner: owner.into(),
                zone: zone.into()
            }
        );
        assert!(Update::withdraw(1, zone, owner, std::slice::from_ref(&rec)).is_err());
    }
    // The zone itself and its root are fine.
    assert!(Update::publish(1, "CONTOSO.com.", "_vlmcs._tcp.contoso.com", &rec, 60).is_ok());
    assert!(Update::publish(1, ".", "_vlmcs._tcp.contoso.com", &rec, 60).is_ok());
}

#[test]
fn records_with_target_ignores_case_and_dot() {
    let set = [
        srv(0, 0, "kms1.contoso.com"),
        srv(1, 0, "KMS1.contoso.com."),
        srv(0, 0, "kms2.contoso.com"),
    ];
    assert_eq!(records_with_target(&set, "kms1.contoso.com").len(), 2);
}
