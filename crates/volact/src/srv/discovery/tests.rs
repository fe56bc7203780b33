use super::*;
use crate::srv::random::SeededRandom;
use crate::srv::record::{SrvRecord, rec};
use std::collections::HashMap;

/// A DNS table: owner name → answer; anything else is NXDOMAIN. Records every name asked.
#[derive(Default)]
struct Table {
    answers: HashMap<String, SrvAnswer>,
    asked: Vec<String>,
}

impl Table {
    fn with(mut self, domain: &str, answer: SrvAnswer) -> Self {
        self.answers.insert(owner_name(domain), answer);
        self
    }
}

impl SrvLookup for Table {
    fn lookup_srv(&mut self, owner: &str) -> SrvAnswer {
        self.asked.push(owner.to_string());
        self.answers
            .get(owner)
            .cloned()
            .unwrap_or(SrvAnswer::NxDomain)
    }
}

fn records(recs: Vec<SrvRecord>) -> SrvAnswer {
    SrvAnswer::Records {
        records: recs,
        warnings: vec![],
    }
}

/// The seed's global scenario, east.contoso.com's RRset (Table 5).
fn east() -> SrvAnswer {
    records(vec![
        rec(90, 25, "kms-w2.west.contoso.com"),
        rec(10, 75, "kms-e1.east.contoso.com"),
        rec(90, 75, "kms-w1.west.contoso.com"),
        rec(10, 25, "kms-e2.east.contoso.com"),
    ])
}

fn hp(s: &str) -> Option<HostPort> {
    Some(HostPort::parse(s).unwrap())
}

fn run(config: &ClientConfig, dns: &mut Table) -> Discovery {
    discover(config, dns, &mut SeededRandom::new(9))
}

#[test]
fn host_port_forms_and_errors() {
    let p = |s: &str| HostPort::parse(s);
    assert_eq!(p("kms.contoso.com").unwrap().to_string(), "kms.contoso.com");
    assert_eq!(
        p(" kms.contoso.com.:1700 ").unwrap().to_string(),
        "kms.contoso.com:1700"
    );
    assert_eq!(p("10.0.0.5:1688").unwrap().host(), Some("10.0.0.5"));
    assert_eq!(p("[::1]").unwrap().port(), None);
    assert_eq!(p(":1700").unwrap().to_string(), ":1700");
    assert_eq!(p(""), Err(HostPortError::Empty));
    assert!(matches!(p("kms:0"), Err(HostPortError::Port { .. })));
    assert!(matches!(p("kms:65536"), Err(HostPortError::Port { .. })));
    assert!(matches!(p("kms:+5"), Err(HostPortError::Port { .. })));
    assert!(matches!(p("::1"), Err(HostPortError::BareIpv6 { .. })));
    assert!(matches!(p("[::1"), Err(HostPortError::Brackets { .. })));
    assert!(matches!(
        p("[::1]1688"),
        Err(HostPortError::Brackets { .. })
    ));
    assert!(matches!(p("[kms]:1688"), Err(HostPortError::Ipv6 { .. })));
    assert!(matches!(
        p("bad host:1688"),
        Err(HostPortError::Host { .. })
    ));
    // serde goes through the same parser.
    let h: HostPort = serde_json::from_str("\"[fd00::1]:1700\"").unwrap();
    assert_eq!(serde_json::to_string(&h).unwrap(), "\"[fd00::1]:1700\"");
    assert!(serde_json::from_str::<HostPort>("\"a b\"").is_err());
}

#[test]
fn a_named_host_is_the_only_attempt_and_sku_beats_app_beats_global() {
    let mut dns = Table::default().with("contoso.com", east());
    let mut c = ClientConfig {
        global_kms: hp("kms-g.contoso.com"),
        app_kms: hp("kms-a.contoso.com:1700"),
        sku_kms: hp(":1800"), // a port alone names no host
        cached_host: hp("kms-c.contoso.com"),
        primary_dns_suffix: Some("contoso.com".into()),
        ..ClientConfig::default()
    };
    let d = run(&c, &mut dns);
    assert_eq!(d.attempts.len(), 1);
    assert_eq!(
        (d.attempts[0].host.as_str(), d.attempts[0].port),
        ("kms-a.contoso.com", 1700)
    );
    assert_eq!(d.attempts[0].source, AttemptSource::AppKmsName);
    assert!(d.queries.is_empty() && dns.asked.is_empty());
    c.sku_kms = hp("kms-s.contoso.com");
    assert_eq!(
        run(&c, &mut dns).attempts[0].source,
        AttemptSource::SkuKmsName
    );
    c.sku_kms = None;
    c.app_kms = None;
    let d = run(&c, &mut dns);
    assert_eq!(
        (d.attempts[0].port, &d.attempts[0].source),
        (1688, &AttemptSource::GlobalKmsName)
    );
}

#[test]
fn cached_host_first_then_dns_without_repeating_it() {
    let mut dns = Table::default().with("east.contoso.com", east());
    let c = ClientConfig {
        cached_host: hp("KMS-E2.east.contoso.com"),
        primary_dns_suffix: Some("east.contoso.com".into()),
        ..ClientConfig::default()
    };
    let d = run(&c, &mut dns);
    let hosts: Vec<&str> = d.attempts.iter().map(|a| a.host.as_str()).collect();
    assert_eq!(hosts.len(), 4);
    assert_eq!(hosts[0], "KMS-E2.east.contoso.com");
    assert_eq!(d.attempts[0].source, AttemptSource::Cached);
    assert_eq!(hosts[1], "kms-e1.east.contoso.com"); // the only other priority-10 host
    assert_eq!(d.queries[0].records, 3);
    assert!(d.queries[0].notes[0].contains("cached host"));

    // Host caching off (Table 6: `slmgr /ckhc`): the cached host is not tried.
    let off = ClientConfig {
        host_caching: false,
        ..c
    };
    let d = run(&off, &mut dns);
    assert_eq!(d.attempts.len(), 4);
    assert!(
        d.attempts
            .iter()
            .all(|a| matches!(a.source, AttemptSource::Dns { .. }))
    );
    assert!(d.attempts[..2].iter().all(|a| a.priority == Some(10)));
}

#[test]
fn suffix_walk_stops_at_first_usable_answer_and_skips_misses() {
    let mut dns = Table::default()
        .with("corp.contoso.com", SrvAnswer::NoData)
        .with("lab.contoso.com", SrvAnswer::Failed("timeout".into()))
        .with("east.contoso.com", east())
        .with("west.contoso.com", east());
    let c = ClientConfig {
        primary_dns_suffix: Some("corp.contoso.com.".into()),
        suffix_search_list: vec![
            "CORP.contoso.com".into(), // the primary again: asked once
            "nx.contoso.com".into(),
            "lab.contoso.com".into(),
            "east.contoso.com".into(),
            "west.contoso.com".into(),
        ],
        ..ClientConfig::default()
    };
    let d = run(&c, &mut dns);
    let outcomes: Vec<(&str, QueryOutcome)> = d
        .queries
        .iter()
        .map(|q| (q.name.as_str(), q.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("_vlmcs._tcp.corp.contoso.com", QueryOutcome::NoData),
            ("_vlmcs._tcp.nx.contoso.com", QueryOutcome::NxDomain),
            ("_vlmcs._tcp.lab.contoso.com", QueryOutcome::Failed),
            ("_vlmcs._tcp.east.contoso.com", QueryOutcome::Records),
        ]
    );
    assert_eq!(d.queries[2].notes, ["timeout"]);
    assert_eq!(d.attempts.len(), 4);
    let domain = AttemptSource::Dns {
        domain: "east.contoso.com".into(),
    };
    assert!(d.attempts.iter().all(|a| a.source == domain));
}

#[test]
fn lookup_domain_replaces_the_suffix_list() {
    let mut dns = Table::default().with("west.contoso.com", east());
    let c = ClientConfig {
        lookup_domain: Some("west.contoso.com".into()),
        primary_dns_suffix: Some("east.contoso.com".into()),
        suffix_search_list: vec!["contoso.com".into()],
        ..ClientConfig::default()
    };
    let d = run(&c, &mut dns);
    assert_eq!(dns.asked, ["_vlmcs._tcp.west.contoso.com"]);
    assert_eq!(d.attempts.len(), 4);
    // Nothing found there: the client does not fall back to the suffix list (S4, S13).
    let mut empty = Table::default().with("east.contoso.com", east());
    assert!(run(&c, &mut empty).attempts.is_empty());
    assert_eq!(empty.asked.len(), 1);
}

#[test]
fn no_service_stops_the_walk_but_keeps_the_cached_host() {
    let mut dns = Table::default()
        .with("east.contoso.com", SrvAnswer::NoService)
        .with("west.contoso.com", east());
    let c = ClientConfig {
        cached_host: hp("kms-c.contoso.com"),
        suffix_search_list: vec!["east.contoso.com".into(), "west.contoso.com".into()],
        ..ClientConfig::default()
    };
    let d = run(&c, &mut dns);
    assert_eq!(d.queries.len(), 1);
    assert_eq!(d.queries[0].outcome, QueryOutcome::NoService);
    assert_eq!(d.attempts.len(), 1);
    assert_eq!(d.attempts[0].source, AttemptSource::Cached);
    // A Records answer holding only `.` is the same thing.
    let mut dns = Table::default().with("east.contoso.com", records(vec![rec(0, 0, ".")]));
    let d = run(
        &ClientConfig {
            cached_host: None,
            ..c
        },
        &mut dns,
    );
    assert!(d.attempts.is_empty());
    assert_eq!(d.queries[0].outcome, QueryOutcome::NoService);
}

#[test]
fn dot_among_real_records_is_ignored_and_warnings_are_logged() {
    let mut dns = Table::default().with(
        "contoso.com",
        SrvAnswer::Records {
            records: vec![rec(0, 0, "."), rec(0, 0, "kms.contoso.com.")],
            warnings: vec!["kms.contoso.com is an alias".into()],
        },
    );
    let c = ClientConfig {
        primary_dns_suffix: Some("contoso.com".into()),
        ..ClientConfig::default()
    };
    let d = run(&c, &mut dns);
    assert_eq!(d.attempts.len(), 1);
    assert_eq!(d.attempts[0].host, "kms.contoso.com");
    assert_eq!(d.queries[0].notes.len(), 2);
    assert!(d.queries[0].notes[1].contains('.'));
    // Empty Records counts as NoData and the walk goes on.
    let mut dns = Table::default().with("contoso.com", records(vec![]));
    let d = run(&c, &mut dns);
    assert_eq!(d.queries[0].outcome, QueryOutcome::NoData);
}

#[test]
fn json_shape() {
    let mut dns = Table::default().with(
        "east.contoso.com",
        records(vec![rec(10, 75, "kms-e1.east.contoso.com")]),
    );
    let c = ClientConfig {
        lookup_domain: Some("east.contoso.com".into()),
        ..ClientConfig::default()
    };
    let v = serde_json::to_value(run(&c, &mut dns)).unwrap();
    assert_eq!(
        v["attempts"][0],
        serde_json::json!({"host": "kms-e1.east.contoso.com", "port": 1688, "priority": 10, "weight": 75,
                           "source": {"kind": "dns", "domain": "east.contoso.com"}})
    );
    assert_eq!(v["queries"][0]["name"], "_vlmcs._tcp.east.contoso.com");
    assert_eq!(v["queries"][0]["outcome"], "records");
    let cfg: ClientConfig =
        serde_json::from_str(r#"{"global_kms": "kms:1700", "order": "legacy"}"#).unwrap();
    assert!(cfg.host_caching);
    assert_eq!(cfg.order, OrderMode::Legacy);
}
