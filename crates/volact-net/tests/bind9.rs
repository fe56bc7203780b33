//! volact-net against a real bind9 on loopback (tests/dns/named.sh): discovery, TCP
//! fallback, aliases, and TSIG-signed publishing and withdrawal.

mod support;

use std::net::IpAddr;
use std::time::Duration;

use support::Named;
use volact_core::srv::{SrvAnswer, SrvLookup, SrvRecord};
use volact_net::publish::UpdateError;
use volact_net::resolver::SrvOutcome;
use volact_net::{Publisher, Resolver, TsigKey};

fn resolver(named: &Named) -> Resolver {
    Resolver::new(vec![named.addr]).with_timeout(Duration::from_secs(2))
}

fn srv(priority: u16, weight: u16, target: &str) -> SrvRecord {
    SrvRecord {
        priority,
        weight,
        port: 1688,
        target: target.into(),
    }
}

fn records(r: &Resolver, owner: &str) -> Vec<SrvRecord> {
    let mut v: Vec<SrvRecord> = r
        .resolve_srv(owner)
        .unwrap()
        .targets
        .into_iter()
        .map(|t| t.record)
        .collect();
    v.sort_by(|a, b| (a.priority, a.weight, &a.target).cmp(&(b.priority, b.weight, &b.target)));
    v
}

#[test]
fn single_site_two_hosts_with_addresses() {
    let named = Named::start();
    let found = resolver(&named)
        .resolve_srv("_vlmcs._tcp.contoso.com")
        .unwrap();
    assert_eq!(found.outcome, SrvOutcome::Records);
    assert!(found.warnings.is_empty() && !found.via_tcp);
    let mut hosts: Vec<(String, Vec<IpAddr>)> = found
        .targets
        .iter()
        .map(|t| (t.record.target.clone(), t.addresses.clone()))
        .collect();
    hosts.sort();
    assert_eq!(
        hosts,
        [
            (
                "kms1.contoso.com".to_string(),
                vec!["192.0.2.11".parse().unwrap()]
            ),
            (
                "kms2.contoso.com".to_string(),
                vec!["192.0.2.12".parse().unwrap()]
            ),
        ]
    );
    let mut lookup = resolver(&named);
    assert!(matches!(
        lookup.lookup_srv("_vlmcs._tcp.contoso.com"),
        SrvAnswer::Records { records, .. } if records.len() == 2
    ));
    assert_eq!(
        lookup.lookup_srv("_vlmcs._tcp.nothere.contoso.com"),
        SrvAnswer::NxDomain
    );
    assert_eq!(
        lookup.lookup_srv("_vlmcs._tcp.none.test"),
        SrvAnswer::NoService
    );
    assert_eq!(lookup.lookup_srv("contoso.com"), SrvAnswer::NoData);
}

#[test]
fn publish_with_tsig_then_query() {
    let named = Named::start();
    let r = resolver(&named);
    assert_eq!(
        r.resolve_srv("_vlmcs._tcp.east.contoso.com")
            .unwrap()
            .outcome,
        SrvOutcome::NxDomain
    );
    let p = Publisher::new(named.addr, named.key());
    p.publish(
        "east.contoso.com",
        "east.contoso.com",
        &srv(10, 75, "kms-e1.east.contoso.com"),
    )
    .unwrap();
    p.publish(
        "east.contoso.com",
        "east.contoso.com",
        &srv(10, 25, "kms-e2.east.contoso.com"),
    )
    .unwrap();
    // Publishing again (the 24 h re-registration) adds nothing.
    p.publish(
        "east.contoso.com",
        "east.contoso.com",
        &srv(10, 75, "kms-e1.east.contoso.com"),
    )
    .unwrap();
    let found = r.resolve_srv("_vlmcs._tcp.east.contoso.com").unwrap();
    assert_eq!(found.targets.len(), 2);
    let e1 = found
        .targets
        .iter()
        .find(|t| t.record.target == "kms-e1.east.contoso.com")
        .unwrap();
    assert_eq!(e1.record, srv(10, 75, "kms-e1.east.contoso.com"));
    assert_eq!(e1.addresses, vec!["192.0.2.21".parse::<IpAddr>().unwrap()]);
    // A parent zone can hold a child domain's records too: contoso.com for a.contoso.com.
    p.publish(
        "contoso.com",
        "branch.contoso.com",
        &srv(0, 0, "kms1.contoso.com"),
    )
    .unwrap();
    assert_eq!(
        records(&r, "_vlmcs._tcp.branch.contoso.com"),
        [srv(0, 0, "kms1.contoso.com")]
    );
}

#[test]
fn withdraw_every_record_of_a_host_or_exactly_one() {
    let named = Named::start();
    let r = resolver(&named);
    let p = Publisher::new(named.addr, named.key());
    let zone = "west.contoso.com";
    for rec in [
        srv(0, 0, "kms-w1.west.contoso.com"),
        srv(20, 5, "kms-w1.west.contoso.com"),
        srv(0, 0, "kms-e1.east.contoso.com"),
        srv(5, 5, "kms-e1.east.contoso.com"),
    ] {
        p.publish(zone, zone, &rec).unwrap();
    }
    let removed = p
        .withdraw(zone, zone, "KMS-W1.west.contoso.com.", None)
        .unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(
        records(&r, "_vlmcs._tcp.west.contoso.com"),
        [
            srv(0, 0, "kms-e1.east.contoso.com"),
            srv(5, 5, "kms-e1.east.contoso.com")
        ]
    );
    p.withdraw(zone, zone, "kms-e1.east.contoso.com", Some((5, 5)))
        .unwrap();
    assert_eq!(
        records(&r, "_vlmcs._tcp.west.contoso.com"),
        [srv(0, 0, "kms-e1.east.contoso.com")]
    );
    // Nothing left for that host: nothing sent, nothing removed.
    assert!(
        p.withdraw(zone, zone, "kms-w1.west.contoso.com", None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn wrong_key_is_refused_with_a_clear_error() {
    let named = Named::start();
    let good = named.key();
    let wrong_secret = TsigKey::new(good.name(), good.algorithm(), vec![7; 32]);
    let rec = srv(0, 0, "kms-e1.east.contoso.com");
    let err = Publisher::new(named.addr, wrong_secret)
        .publish("east.contoso.com", "east.contoso.com", &rec)
        .unwrap_err();
    assert!(
        matches!(&err, UpdateError::Tsig { tsig, .. } if tsig == "BADSIG"),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("volact-test") && text.contains("east.contoso.com"),
        "{text}"
    );

    let unknown = TsigKey::new("nobody", good.algorithm(), good.secret().to_vec());
    let err = Publisher::new(named.addr, unknown)
        .publish("east.contoso.com", "east.contoso.com", &rec)
        .unwrap_err();
    assert!(
        matches!(&err, UpdateError::Tsig { tsig, .. } if tsig == "BADKEY"),
        "{err}"
    );

    // A zone the server does not serve.
    let err = Publisher::new(named.addr, good.clone())
        .publish("fabrikam.com", "fabrikam.com", &rec)
        .unwrap_err();
    assert!(
        matches!(
            err,
            UpdateError::NotAuthoritative { .. } | UpdateError::Refused { .. }
        ),
        "{err}"
    );
    // An owner outside the zone never leaves the process.
    let err = Publisher::new(named.addr, good)
        .publish("east.contoso.com", "west.contoso.com", &rec)
        .unwrap_err();
    assert!(matches!(err, UpdateError::Message(_)), "{err}");
}

#[test]
fn large_rrset_falls_back_to_tcp() {
    let named = Named::start();
    let found = resolver(&named)
        .resolve_srv("_vlmcs._tcp.big.test")
        .unwrap();
    assert!(found.via_tcp);
    assert_eq!(found.targets.len(), 40);
    assert!(found.targets.iter().all(|t| t.addresses.len() == 1));
}

#[test]
fn cname_on_the_name_is_followed_and_an_alias_target_warned() {
    let named = Named::start();
    let found = resolver(&named)
        .resolve_srv("_vlmcs._tcp.alias.test")
        .unwrap();
    assert_eq!(found.aliases, ["_vlmcs._tcp.alias.test"]);
    assert_eq!(found.targets.len(), 1);
    let t = &found.targets[0];
    assert_eq!(t.record.target, "kms-alias.alias.test");
    assert_eq!(t.canonical.as_deref(), Some("kms1.alias.test"));
    assert_eq!(t.addresses, vec!["192.0.2.41".parse::<IpAddr>().unwrap()]);
    assert!(
        found
            .warnings
            .iter()
            .any(|w| w.contains("RFC 2782 forbids")),
        "{:?}",
        found.warnings
    );
}
