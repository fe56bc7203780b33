use super::*;
use proptest::prelude::*;

const GLOBAL: &str = include_str!("../../../../../examples/kms/contoso-global.toml");
const SINGLE: &str = include_str!("../../../../../examples/kms/contoso-single-site.toml");

fn pw(p: &Plan, domain: &str) -> Vec<(String, u16, u16)> {
    p.domains[domain]
        .iter()
        .map(|r| {
            (
                r.host.split('.').next().unwrap_or("").to_string(),
                r.priority,
                r.weight,
            )
        })
        .collect()
}

fn err(text: &str) -> TopologyError {
    Topology::parse(text).unwrap_err()
}

#[test]
fn seed_global_scenario_done_when() {
    let p = Plan::from_toml(GLOBAL).unwrap();
    let s = |h: &str, a, b| (h.to_string(), a, b);
    assert_eq!(
        pw(&p, "east.contoso.com"),
        [
            s("kms-e1", 10, 75),
            s("kms-e2", 10, 25),
            s("kms-w1", 90, 75),
            s("kms-w2", 90, 25)
        ]
    );
    assert_eq!(
        pw(&p, "west.contoso.com"),
        [
            s("kms-w1", 10, 75),
            s("kms-w2", 10, 25),
            s("kms-e1", 90, 75),
            s("kms-e2", 90, 25)
        ]
    );
    let e1 = &p.hosts["kms-e1.east.contoso.com"];
    assert_eq!(
        e1.dns_domain_publish_list,
        ["east.contoso.com, 10, 75", "west.contoso.com, 90, 75"]
    );
    assert!(!e1.disable_dns_publishing);
    assert_eq!(
        p.hosts["kms-w2.west.contoso.com"].dns_domain_publish_list,
        ["west.contoso.com, 10, 25", "east.contoso.com, 90, 25"]
    );
    assert!(p.notes[0].contains("Table 5"));
    // JSON: the shape the CLI prints.
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(
        v["domains"]["east.contoso.com"][0],
        serde_json::json!({"host": "kms-e1.east.contoso.com", "port": 1688, "priority": 10, "weight": 75})
    );
    assert_eq!(
        v["hosts"]["kms-e2.east.contoso.com"]["disable_dns_publishing"],
        false
    );
    assert_eq!(
        v["hosts"]["kms-e2.east.contoso.com"]["dns_domain_publish_list"][1],
        "west.contoso.com, 90, 25"
    );
}

#[test]
fn seed_single_site_and_renderings() {
    let p = Plan::from_toml(SINGLE).unwrap();
    assert_eq!(p.domains["contoso.com"].len(), 2);
    assert_eq!(
        p.hosts["kms-2.contoso.com"].dns_domain_publish_list,
        ["contoso.com, 0, 50"]
    );
    assert_eq!(p.scavenging.ok, None);
    let zone = p.zone_fragment();
    assert!(zone.contains("_vlmcs._tcp.contoso.com. 3600 IN SRV 0 50 1688 kms-1.contoso.com.\n"));
    let ns = p.nsupdate_script();
    assert!(
        ns.contains("zone contoso.com.\nupdate delete _vlmcs._tcp.contoso.com. SRV\nupdate add")
    );
    assert!(ns.ends_with("send\n"));
    let ps = p.powershell();
    assert!(ps.contains(
        "Add-DnsServerResourceRecord -Srv -ZoneName 'contoso.com' -Name '_vlmcs._tcp' -DomainName 'kms-1.contoso.com' -Priority 0 -Weight 50 -Port 1688"
    ));
    let reg = p.registry_commands();
    assert!(reg.contains("/v DnsDomainPublishList /t REG_MULTI_SZ /d \"contoso.com, 0, 50\" /f"));
}

#[test]
fn zone_subdomain_name_disabled_host_port_and_scavenging() {
    let p = Plan::from_toml(
        r#"
        [settings]
        ttl = 600
        no_refresh_hours = 12
        refresh_hours = 12
        [[host]]
        name = "kms.branch.contoso.com"
        port = 1700
        [[host]]
        name = "spare.branch.contoso.com"
        [[site]]
        name = "b"
        hosts = [{ host = "kms.branch.contoso.com", weight = 0 }]
        [[site]]
        name = "s"
        hosts = [{ host = "spare.branch.contoso.com", weight = 0 }]
        [[domain]]
        name = "branch.contoso.com"
        zone = "contoso.com"
        site = "b"
        "#,
    )
    .unwrap();
    assert!(
        p.powershell()
            .contains("-ZoneName 'contoso.com' -Name '_vlmcs._tcp.branch'")
    );
    assert!(
        p.powershell()
            .contains("-Port 1700 -TimeToLive ([TimeSpan]::FromSeconds(600))")
    );
    let spare = &p.hosts["spare.branch.contoso.com"];
    assert!(spare.disable_dns_publishing && spare.dns_domain_publish_list.is_empty());
    assert!(
        p.registry_commands()
            .contains("DisableDnsPublishing /t REG_DWORD /d 1")
    );
    assert!(
        p.publish_lists()
            .contains("[spare.branch.contoso.com]\n; DisableDnsPublishing = 1\n")
    );
    assert_eq!(p.scavenging.ok, Some(false));
    assert!(p.scavenging.note.starts_with("WARNING"));
}

#[test]
fn publish_lists_text_is_each_hosts_value() {
    let text = Plan::from_toml(GLOBAL).unwrap().publish_lists();
    assert!(text.contains(
        "[kms-e1.east.contoso.com]\neast.contoso.com, 10, 75\nwest.contoso.com, 90, 75\n"
    ));
    assert!(text.contains(
        "[kms-w2.west.contoso.com]\nwest.contoso.com, 10, 25\neast.contoso.com, 90, 25\n"
    ));
    assert_eq!(text.matches('[').count(), 4);
}

#[test]
fn typed_errors_name_the_line() {
    let base = "[[host]]\nname = \"kms.a.example\"\n[[site]]\nname = \"s\"\nhosts = [{ host = \"kms.a.example\", weight = 1 }]\n";
    let dom = "[[domain]]\nname = \"a.example\"\nsite = \"s\"\n";
    assert!(Topology::parse(&format!("{base}{dom}")).is_ok());
    assert_eq!(err(base), TopologyError::NoDomains);
    assert!(matches!(
        err("x = 1"),
        TopologyError::Syntax { line: 1, .. }
    ));
    assert!(matches!(
        err("[[host]]\nname = 5\n"),
        TopologyError::Syntax { line: 2, .. }
    ));
    assert_eq!(
        err(&format!("{base}{dom}[[host]]\nname = \"KMS.a.example.\"\n")),
        TopologyError::Duplicate {
            line: 10,
            what: "host",
            name: "KMS.a.example".into(),
            first_line: 2
        }
    );
    assert!(matches!(
        err(&format!(
            "{base}[[site]]\nname = \"t\"\nhosts = [{{ host = \"nope.a.example\", weight = 1 }}]\n{dom}"
        )),
        TopologyError::UnknownHost { line: 8, .. }
    ));
    assert!(matches!(
        err(&format!(
            "{base}[[domain]]\nname = \"a.example\"\nsite = \"s\"\nfallback = [\"x\"]\n"
        )),
        TopologyError::UnknownSite { line: 9, .. }
    ));
    assert!(matches!(
        err(&format!(
            "{base}[[domain]]\nname = \"a.example\"\nsite = \"s\"\nfallback = [\"s\"]\n"
        )),
        TopologyError::SiteRepeated { .. }
    ));
    assert!(matches!(
        err(&base.replace("weight = 1", "weight = 70000")),
        TopologyError::OutOfRange {
            field: "weight",
            value: 70000,
            line: 5,
            ..
        }
    ));
    assert!(matches!(
        err(&format!("[settings]\npriorities = [90, 10]\n{base}{dom}")),
        TopologyError::PrioritiesNotAscending { line: 2 }
    ));
    assert!(matches!(
        err(&format!(
            "[settings]\npriorities = [5]\n{base}[[site]]\nname = \"t\"\nhosts = [{{ host = \"kms.a.example\", weight = 1 }}]\n"
        )),
        TopologyError::HostInSeveralSites { .. }
    ));
    assert!(matches!(
        err(&format!("{base}[[site]]\nname = \"e\"\nhosts = []\n{dom}")),
        TopologyError::EmptySite { line: 8, .. }
    ));
    assert!(matches!(
        err(&format!(
            "[settings]\npriorities = [5]\n{base}[[domain]]\nname = \"a.example\"\nsite = \"s\"\nfallback = [\"s2\"]\n[[site]]\nname = \"s2\"\nhosts = []\n"
        )),
        TopologyError::Syntax { .. } | TopologyError::EmptySite { .. }
    ));
    assert!(matches!(
        err(&base.replace(
            "kms.a.example\"\n[[site",
            "kms.a.example\"\nport = 0\n[[site"
        )),
        TopologyError::OutOfRange { field: "port", .. }
    ));
    assert!(matches!(
        err(&format!(
            "{base}[[domain]]\nname = \"b.example\"\nsite = \"s\"\n"
        )),
        TopologyError::HomeDomainNotPlanned { line: 2, .. }
    ));
    assert!(matches!(
        err(&format!(
            "{base}[[domain]]\nname = \"a.example\"\nzone = \"b.example\"\nsite = \"s\"\n"
        )),
        TopologyError::ZoneNotSuffix { .. }
    ));
    assert!(matches!(
        err("[[host]]\nname = \"kms\"\n"),
        TopologyError::Name { what: "host", .. }
    ));
    let msg = err(&base.replace("weight = 1", "weight = -1")).to_string();
    assert_eq!(msg, "line 5: weight = -1 is out of range (0 to 65535)");
}

#[test]
fn home_domain_must_include_the_host() {
    // kms.a.example publishes in b.example only, but a.example (its home) uses site t.
    let t = "[settings]\npriorities = [1]\n\
        [[host]]\nname = \"kms.a.example\"\n[[host]]\nname = \"k2.a.example\"\n\
        [[site]]\nname = \"s\"\nhosts = [{ host = \"kms.a.example\", weight = 1 }]\n\
        [[site]]\nname = \"t\"\nhosts = [{ host = \"k2.a.example\", weight = 1 }]\n\
        [[domain]]\nname = \"a.example\"\nsite = \"t\"\n\
        [[domain]]\nname = \"b.example\"\nsite = \"s\"\n";
    assert!(matches!(
        err(t),
        TopologyError::NotInHomeDomain { line: 4, .. }
    ));
}

/// A random topology: `n_sites` sites of 1–3 hosts, one domain per site (the hosts' home),
/// each preferring its own site and falling back to up to two others.
fn topology() -> impl Strategy<Value = (String, Vec<Vec<u16>>, Vec<Vec<usize>>)> {
    (1usize..5).prop_flat_map(|n| {
        (
            proptest::collection::vec(proptest::collection::vec(0u16..200, 1..4), n),
            proptest::collection::vec(
                proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 0..n.min(3)),
                n,
            ),
        )
            .prop_map(move |(weights, fallbacks)| {
                let mut text = String::from("[settings]\npriorities = [0, 10, 20, 30]\n");
                let mut tiers = Vec::new();
                for (s, ws) in weights.iter().enumerate() {
                    for h in 0..ws.len() {
                        text.push_str(&format!("[[host]]\nname = \"h{h}.d{s}.example\"\n"));
                    }
                }
                for (s, ws) in weights.iter().enumerate() {
                    let hs: Vec<String> = ws
                        .iter()
                        .enumerate()
                        .map(|(h, w)| format!("{{ host = \"h{h}.d{s}.example\", weight = {w} }}"))
                        .collect();
                    text.push_str(&format!(
                        "[[site]]\nname = \"s{s}\"\nhosts = [{}]\n",
                        hs.join(", ")
                    ));
                }
                for (s, fb) in fallbacks.iter().enumerate() {
                    let fb: Vec<usize> = fb.iter().copied().filter(|&f| f != s).collect();
                    let names: Vec<String> = fb.iter().map(|f| format!("\"s{f}\"")).collect();
                    text.push_str(&format!(
                        "[[domain]]\nname = \"d{s}.example\"\nsite = \"s{s}\"\nfallback = [{}]\n",
                        names.join(", ")
                    ));
                    tiers.push(std::iter::once(s).chain(fb).collect());
                }
                (text, weights, tiers)
            })
    })
}

proptest! {
    #[test]
    fn plans_follow_the_preference_order_and_split((text, weights, tiers) in topology()) {
        let p = Plan::from_toml(&text).unwrap();
        let prio = [0u16, 10, 20, 30];
        for (d, tier_sites) in tiers.iter().enumerate() {
            let recs = &p.domains[&format!("d{d}.example")];
            let mut want = Vec::new();
            for (i, &s) in tier_sites.iter().enumerate() {
                for (h, &w) in weights[s].iter().enumerate() {
                    want.push(PlannedRecord { host: format!("h{h}.d{s}.example"), port: 1688, priority: prio[i], weight: w });
                }
            }
            prop_assert_eq!(recs, &want);
            // Preferred (own-site) hosts sit strictly below every fallback host.
            let own = format!(".d{d}.example");
            let max_own = recs.iter().filter(|r| r.host.ends_with(&own)).map(|r| r.priority).max();
            let min_other = recs.iter().filter(|r| !r.host.ends_with(&own)).map(|r| r.priority).min();
            if let (Some(a), Some(b)) = (max_own, min_other) { prop_assert!(a < b); }
        }
        // The publish lists are exactly the transposition of the RRsets, home domain first.
        let mut from_hosts: Vec<(String, String, u16, u16)> = Vec::new();
        for (host, hp) in &p.hosts {
            let list = hp.publish_list().unwrap();
            prop_assert_eq!(list.lines(), hp.dns_domain_publish_list.clone());
            prop_assert_eq!(&list.entries()[0].domain, &hp.home_domain);
            for e in list.entries() {
                from_hosts.push((e.domain.clone(), host.clone(), e.priority, e.weight));
            }
        }
        let mut from_domains: Vec<(String, String, u16, u16)> = p.domains.iter()
            .flat_map(|(d, rs)| rs.iter().map(move |r| (d.clone(), r.host.clone(), r.priority, r.weight)))
            .collect();
        from_hosts.sort();
        from_domains.sort();
        prop_assert_eq!(from_hosts, from_domains);
    }
}
