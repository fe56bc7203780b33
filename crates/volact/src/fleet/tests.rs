use super::dns::{Dns, order_into};
use super::*;
use crate::srv::SeededRandom;
use crate::srv::discovery::{AttemptSource, ClientConfig, HostPort, discover};
use crate::srv::order::OrderMode;
use proptest::prelude::*;

const GLOBAL: &str = include_str!("../../../../examples/kms/global.scenario.toml");
const GLOBAL_EAST_DOWN: &str =
    include_str!("../../../../examples/kms/global-east-down.scenario.toml");
const SINGLE: &str = include_str!("../../../../examples/kms/single-site.scenario.toml");
const SINGLE_OUTAGE: &str =
    include_str!("../../../../examples/kms/single-site-outage.scenario.toml");
const CLONES: &str = include_str!("../../../../examples/kms/image-not-generalized.scenario.toml");

fn one_host(clients: u32, days: u32, extra: &str) -> String {
    format!(
        r#"
[simulation]
seed = 5
days = {days}
[[kms]]
host = "kms-1.contoso.com"
keys = ["windows7-server-b"]
[[clients]]
name = "c"
count = {clients}
product = "windows7"
domain = "contoso.com"
{extra}
"#
    )
}

fn run(text: &str) -> FleetReport {
    match run_toml(text) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn host<'a>(r: &'a FleetReport, name: &str) -> &'a report::HostReport {
    r.hosts.iter().find(|h| h.name == name).expect("host")
}

#[test]
fn examples_parse_and_sum_to_their_clients() {
    for text in [GLOBAL, GLOBAL_EAST_DOWN, SINGLE, SINGLE_OUTAGE, CLONES] {
        let r = run(text);
        for row in &r.daily {
            assert_eq!(row.status.total(), r.clients, "day {}", row.day);
        }
    }
}

#[test]
fn same_seed_same_report_and_another_seed_differs() {
    let a = run(GLOBAL);
    assert_eq!(a, run(GLOBAL));
    let other = run(&GLOBAL.replace("seed = 2009", "seed = 2010"));
    assert_ne!(a.hosts, other.hosts);
}

#[test]
fn twenty_four_clients_wait_and_twenty_five_activate() {
    let r24 = run(&one_host(24, 40, ""));
    assert_eq!(r24.end_status.licensed, 0);
    assert_eq!(r24.end_status.notification, 24);
    assert_eq!(host(&r24, "kms-1.contoso.com").daily_count[0], 24);
    assert_eq!(r24.notification.reasons[0].code, "0xC004F038");
    assert_eq!(r24.notification.reasons[0].first_day, 30);
    let r25 = run(&one_host(25, 40, ""));
    assert_eq!(r25.daily[0].status.licensed, 25);
    assert_eq!(r25.end_status.licensed, 25);
    assert_eq!(r25.first_activation.activated, 25);
    // The 25th activates at once; the other 24 on their 2-hour retry (S7, S10).
    assert_eq!(r25.first_activation.max_minutes, Some(120));
}

#[test]
fn east_down_sends_east_clients_west_and_the_wan_share_rises() {
    let base = run(GLOBAL);
    let down = run(GLOBAL_EAST_DOWN);
    // Priority fallback: nobody falls out of activation, the west hosts take the load.
    assert_eq!(down.notification.clients, 0);
    assert_eq!(down.end_status.licensed, down.clients);
    let west = |r: &FleetReport, d: usize| {
        host(r, "kms-w1.west.contoso.com").daily_requests[d]
            + host(r, "kms-w2.west.contoso.com").daily_requests[d]
    };
    let during = |r: &FleetReport| (61..150).map(|d| west(r, d)).sum::<u64>();
    assert!(
        during(&down) > 2 * during(&base),
        "{} vs {}",
        during(&down),
        during(&base)
    );
    for name in ["kms-e1.east.contoso.com", "kms-e2.east.contoso.com"] {
        assert_eq!(
            host(&down, name).daily_requests[61..150]
                .iter()
                .sum::<u64>(),
            0
        );
    }
    let wan = |r: &FleetReport| {
        let (w, t) = r.daily[61..150]
            .iter()
            .fold((0, 0), |(w, t), d| (w + d.wan_requests, t + d.requests));
        w as f64 / t as f64
    };
    assert!(
        wan(&down) > 0.5 && wan(&base) < 0.15,
        "{} {}",
        wan(&down),
        wan(&base)
    );
    assert!(down.wan_share > base.wan_share);
    // Back home after day 150: caching is off (Table 6), so priority 10 wins again.
    assert!(
        host(&down, "kms-e1.east.contoso.com").daily_requests[151..]
            .iter()
            .sum::<u64>()
            > 0
    );
    // 75/25 within the east site in the baseline (Table 5).
    let (e1, e2) = (
        host(&base, "kms-e1.east.contoso.com").requests as f64,
        host(&base, "kms-e2.east.contoso.com").requests as f64,
    );
    assert!((e1 / (e1 + e2) - 0.75).abs() < 0.05, "{e1} {e2}");
}

#[test]
fn host_caching_keeps_clients_on_the_host_that_worked() {
    let scenario = |caching: bool| {
        format!(
            "{}\nhost_caching = {caching}\n[[event]]\nday = 10\nkind = \"host_down\"\nhost = \
             \"kms-1.contoso.com\"\n[[event]]\nday = 20\nkind = \"host_up\"\nhost = \
             \"kms-1.contoso.com\"\n",
            SINGLE.replace("install_over_days = 14", "")
        )
    };
    let on = run(&scenario(true));
    let off = run(&scenario(false));
    // With caching on, the clients that moved to KMS_2 while KMS_1 was down stay there.
    let after = |r: &FleetReport, h| host(r, h).daily_requests[21..].iter().sum::<u64>();
    assert_eq!(after(&on, "kms-1.contoso.com"), 0);
    assert!(after(&on, "kms-2.contoso.com") > 0);
    // With caching off, every renewal draws again and KMS_1 gets its half back.
    let (k1, k2) = (
        after(&off, "kms-1.contoso.com"),
        after(&off, "kms-2.contoso.com"),
    );
    assert!(k1 > k2 / 2, "{k1} {k2}");
}

#[test]
fn clones_without_generalize_keep_the_count_at_one() {
    let r = run(CLONES);
    let h = host(&r, "kms-1.contoso.com");
    assert!(h.daily_count.iter().all(|&c| c == 1), "{:?}", h.daily_count);
    assert_eq!(r.shared_cmids.len(), 1);
    assert_eq!(r.shared_cmids[0].clients, 100);
    assert_eq!(r.notification.clients, 100);
    let reason = &r.notification.reasons[0];
    assert_eq!(reason.code, "0xC004F038");
    assert!(
        reason.cause.contains("sysprep /generalize"),
        "{}",
        reason.cause
    );
    assert_eq!((reason.first_day, reason.last_day), (30, 30));
    // The generalized version of the same image activates.
    let fixed = run(&CLONES.replace("image = \"not_generalized\"", ""));
    assert_eq!(fixed.end_status.licensed, 100);
    assert!(fixed.shared_cmids.is_empty());
}

#[test]
fn losing_every_host_ends_in_notification_on_day_210() {
    let r = run(&one_host(
        30,
        240,
        "[[event]]\nday = 1\nkind = \"host_down\"\nhost = \"kms-1.contoso.com\"",
    ));
    // Activated on day 0; validity 180 days (S5) then 30 days of OOT grace (S3, S20).
    assert_eq!(r.daily[179].status.licensed, 30);
    assert_eq!(r.daily[180].status.oot_grace, 30);
    assert_eq!(r.daily[210].status.notification, 30);
    assert_eq!(r.notification.clients, 30);
    let reason = &r.notification.reasons[0];
    assert_eq!(reason.code, "0xC004F074");
    assert_eq!(reason.first_day, 210);
    assert!(
        reason.message.to_lowercase().contains("kms"),
        "{}",
        reason.message
    );
}

#[test]
fn single_site_outage_recovers_when_a_host_returns() {
    let r = run(SINGLE_OUTAGE);
    assert!(r.daily[290].status.notification > 0);
    assert_eq!(r.end_status.licensed, 100);
    // KMS_2's record was scavenged: after day 300 every request goes to KMS_1.
    assert_eq!(
        host(&r, "kms-2.contoso.com").daily_requests[300..]
            .iter()
            .sum::<u64>(),
        0
    );
}

#[test]
fn events_key_change_and_clock_skew_give_their_errors() {
    let r = run(&one_host(
        30,
        60,
        "[[event]]\nday = 10\nkind = \"key_change\"\nhost = \"kms-1.contoso.com\"\n\
         keys = [\"windows10\"]\nkeys_activated = false\n\
         [[event]]\nday = 1\nkind = \"clock_skew\"\ngroup = \"c\"\nminutes = 600",
    ));
    let errors = &host(&r, "kms-1.contoso.com").errors;
    assert!(errors.contains_key("0xC004F06C"), "{errors:?}");
    assert!(errors.contains_key("0xC004F041"), "{errors:?}");
}

#[test]
fn a_host_that_cannot_serve_the_product_is_passed_over() {
    // Two hosts in one domain at the same priority: one holds a Windows 10 key (which does
    // not cover Server 2022, 0xC004F042), the other a Server 2022 key. Server clients keep
    // walking past the first "until an activated host with the right key answers" (S10).
    let text = r#"
[simulation]
seed = 11
days = 40
[[kms]]
host = "kms-client.contoso.com"
keys = ["windows10"]
[[kms]]
host = "kms-server.contoso.com"
keys = ["server2022"]
[[clients]]
name = "servers"
count = 12
product = "server2022"
domain = "contoso.com"
host_caching = false
"#;
    let r = run(text);
    let client_host = host(&r, "kms-client.contoso.com");
    let server_host = host(&r, "kms-server.contoso.com");
    assert!(
        client_host.errors.contains_key("0xC004F042"),
        "{:?}",
        client_host.errors
    );
    assert_eq!(client_host.activated, 0);
    assert!(server_host.activated > 0);
    // Everyone ends Licensed: nobody stopped at the host that could not serve them.
    assert_eq!(r.end_status.licensed, 12, "{:?}", r.end_status);
}

#[test]
fn parse_errors_name_the_line() {
    let bad = one_host(10, 30, "").replace("product = \"windows7\"", "product = \"windows99\"");
    match Scenario::parse(&bad) {
        Err(ScenarioError::Name { line, what, .. }) => assert_eq!((line, what), (11, "product")),
        other => panic!("{other:?}"),
    }
    let e = Scenario::parse(&one_host(
        10,
        30,
        "[[event]]\nday = 2\nkind = \"scavenge\"\nhost = \"kms-1.contoso.com\"",
    ));
    assert!(
        matches!(e, Err(ScenarioError::Event { line: 15, .. })),
        "{e:?}"
    );
    let e = Scenario::parse(&one_host(10, 0, ""));
    assert!(
        matches!(e, Err(ScenarioError::OutOfRange { line: 4, .. })),
        "{e:?}"
    );
    let e = Scenario::parse(&GLOBAL.replace("fallback = [\"west\"]", "fallback = [\"north\"]"));
    assert!(matches!(e, Err(ScenarioError::Topology(_))), "{e:?}");
    assert!(e.is_err_and(|e| e.to_string().contains("line ")));
    let e = Scenario::parse("[simulation]\ndays = 3\nbogus = 1\n");
    assert!(
        matches!(e, Err(ScenarioError::Syntax { line: 3, .. })),
        "{e:?}"
    );
}

#[test]
fn fast_ordering_matches_discover() {
    let s = Scenario::parse(GLOBAL).expect("global");
    let dns = Dns::new(&s.hosts);
    for group in &s.groups {
        for seed in 0..200u64 {
            for cached in [None, Some(0usize), Some(2)] {
                let mut config = group.config.clone();
                config.host_caching = true;
                config.cached_host = cached.map(|h| s.hosts[h].address.clone());
                let expected = discover(
                    &config,
                    &mut dns.lookup(&s.hosts),
                    &mut SeededRandom::new(seed),
                );
                let records = dns.resolve(&config);
                let (mut out, mut scratch) = (Vec::new(), Vec::new());
                order_into(
                    &records,
                    config.order,
                    &mut SeededRandom::new(seed),
                    &mut out,
                    &mut scratch,
                );
                let mut got: Vec<String> =
                    cached.iter().map(|&h| s.hosts[h].name.clone()).collect();
                got.extend(
                    out.iter()
                        .map(|&k| records[k as usize].host as usize)
                        .filter(|&h| Some(h) != cached)
                        .map(|h| s.hosts[h].name.clone()),
                );
                let want: Vec<String> = expected.attempts.iter().map(|a| a.host.clone()).collect();
                assert_eq!(got, want, "{} seed {seed}", group.name);
                if cached.is_some() {
                    assert_eq!(expected.attempts[0].source, AttemptSource::Cached);
                }
            }
        }
    }
}

#[test]
fn fast_ordering_matches_discover_in_legacy_mode_and_after_scavenging() {
    let s = Scenario::parse(GLOBAL).expect("global");
    let mut dns = Dns::new(&s.hosts);
    dns.set_registered(0, false);
    let config = ClientConfig {
        primary_dns_suffix: Some("east.contoso.com".into()),
        order: OrderMode::Legacy,
        cached_host: Some(HostPort::parse("kms-w1.west.contoso.com:1688").expect("hp")),
        ..ClientConfig::default()
    };
    for seed in 0..100 {
        let expected = discover(
            &config,
            &mut dns.lookup(&s.hosts),
            &mut SeededRandom::new(seed),
        );
        let records = dns.resolve(&config);
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        order_into(
            &records,
            config.order,
            &mut SeededRandom::new(seed),
            &mut out,
            &mut scratch,
        );
        let got: Vec<&str> = out
            .iter()
            .map(|&k| s.hosts[records[k as usize].host as usize].name.as_str())
            .filter(|&n| n != "kms-w1.west.contoso.com")
            .collect();
        let want: Vec<&str> = expected.attempts[1..]
            .iter()
            .map(|a| a.host.as_str())
            .collect();
        assert_eq!(got, want);
        assert!(!got.contains(&"kms-e1.east.contoso.com"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_small_scenarios_never_panic_and_rows_sum_up(
        seed: u64,
        days in 1u32..120,
        counts in proptest::collection::vec(0u32..40, 1..4),
        caching: bool,
        events in proptest::collection::vec((0u32..120, 0usize..7, 0usize..2), 0..6),
        spread in 0u32..30,
        products in proptest::collection::vec(0usize..4, 4),
    ) {
        let names = ["kms-a.x.test", "kms-b.y.test"];
        let product = ["windows7", "windows10", "server2008r2-c", "office2016"];
        let mut text = format!(
            "[simulation]\nseed = {}\ndays = {days}\n\
             [[kms]]\nhost = \"{}\"\nsite = \"x\"\nkeys = [\"windows7-server-b\", \"office2016\"]\n\
             publish = [\"x.test, 10, 50\", \"y.test, 90, 50\"]\n\
             [[kms]]\nhost = \"{}\"\nsite = \"y\"\nkeys = [\"server2022\"]\n",
            seed as i64, names[0], names[1]
        );
        for (g, c) in counts.iter().enumerate() {
            text += &format!(
                "[[clients]]\nname = \"g{g}\"\ncount = {c}\nproduct = \"{}\"\nsite = \"{}\"\n\
                 domain = \"{}\"\nsearch_list = [\"y.test\"]\nhost_caching = {caching}\n\
                 install_over_days = {spread}\nroam = {{ site = \"y\", share = 0.3 }}\n",
                product[products[g]], ["x", "y"][g % 2], ["x.test", "y.test"][g % 2]
            );
        }
        let kinds = ["host_down", "host_up", "wan_down", "wan_up", "key_change", "clock_skew", "host_down"];
        for (day, k, h) in events {
            text += &format!(
                "[[event]]\nday = {day}\nkind = \"{}\"\nhost = \"{}\"\nsites = [\"x\", \"y\"]\n\
                 keys = [\"windows10\"]\ngroup = \"g0\"\nminutes = 500\n",
                kinds[k], names[h]
            );
        }
        let r = run_toml(&text);
        prop_assert!(r.is_ok(), "{:?}\n{text}", r.err());
        let r = r.unwrap_or_default();
        prop_assert_eq!(r.daily.len(), days as usize);
        for row in &r.daily {
            prop_assert_eq!(row.status.total(), r.clients);
        }
        for h in &r.hosts {
            prop_assert_eq!(h.daily_count.len(), days as usize);
            prop_assert_eq!(h.daily_requests.iter().sum::<u64>(), h.requests);
        }
    }
}
