//! `volact srv …` and `volact probe` against the built binary; discovery, publishing and
//! withdrawal against a real bind9 on loopback (tests/dns/named.sh, started per test).

#[path = "../../volact-net/tests/support/mod.rs"]
mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::Named;

fn volact(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(args)
        .output()
        .expect("run volact")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/kms")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "volact failed: {}", stderr(out));
    serde_json::from_str(&stdout(out)).expect("one JSON value")
}

/// `(host label, priority, weight)` of a domain's planned records, in plan order.
fn planned(plan: &Value, domain: &str) -> Vec<(String, u64, u64)> {
    plan["domains"][domain]
        .as_array()
        .expect("domain in plan")
        .iter()
        .map(|r| {
            let host = r["host"].as_str().expect("host");
            (
                host.split('.').next().unwrap_or(host).to_owned(),
                r["priority"].as_u64().expect("priority"),
                r["weight"].as_u64().expect("weight"),
            )
        })
        .collect()
}

fn triples(v: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    v.iter().map(|&(h, p, w)| (h.to_owned(), p, w)).collect()
}

#[test]
fn global_plan_gives_each_domain_and_host_the_seed_values() {
    let plan = json(&volact(&[
        "srv",
        "plan",
        &example("contoso-global.toml"),
        "--json",
    ]));
    assert_eq!(
        planned(&plan, "east.contoso.com"),
        triples(&[
            ("kms-e1", 10, 75),
            ("kms-e2", 10, 25),
            ("kms-w1", 90, 75),
            ("kms-w2", 90, 25)
        ])
    );
    assert_eq!(
        planned(&plan, "west.contoso.com"),
        triples(&[
            ("kms-w1", 10, 75),
            ("kms-w2", 10, 25),
            ("kms-e1", 90, 75),
            ("kms-e2", 90, 25)
        ])
    );
    let e1 = &plan["hosts"]["kms-e1.east.contoso.com"];
    assert_eq!(
        e1["dns_domain_publish_list"],
        serde_json::json!(["east.contoso.com, 10, 75", "west.contoso.com, 90, 75"])
    );
    assert_eq!(e1["disable_dns_publishing"], false);

    let zone = stdout(&volact(&[
        "srv",
        "plan",
        &example("contoso-global.toml"),
        "--format",
        "zone",
    ]));
    assert_eq!(zone.matches(" IN SRV ").count(), 8, "{zone}");
    assert!(
        zone.contains("10 75 1688 kms-e1.east.contoso.com."),
        "{zone}"
    );
    let ps = stdout(&volact(&[
        "srv",
        "plan",
        &example("contoso-global.toml"),
        "--format",
        "powershell",
    ]));
    assert_eq!(ps.matches("Add-DnsServerResourceRecord").count(), 8, "{ps}");
}

#[test]
fn a_bad_topology_is_refused_naming_the_file_and_line() {
    let dir = tempdir("bad-topology");
    let path = dir.join("t.toml");
    std::fs::write(
        &path,
        "[[host]]\nname = \"kms.contoso.com\"\n\n[[site]]\nname = \"s\"\n\
         hosts = [{ host = \"other.contoso.com\", weight = 1 }]\n",
    )
    .expect("write topology");
    let out = volact(&["srv", "plan", path.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("t.toml") && err.contains("other.contoso.com"),
        "{err}"
    );
    assert!(err.contains("line"), "{err}");
}

const EAST: [&str; 4] = [
    "--record",
    "10 75 1688 kms-e1.east.contoso.com",
    "--record",
    "10 25 1688 kms-e2.east.contoso.com",
];

#[test]
fn order_is_reproducible_by_seed_and_first_choices_follow_the_weights() {
    let mut args = vec!["srv", "order", "--json", "--seed", "42"];
    args.extend(EAST);
    args.extend(["--record", "90 75 1688 kms-w1.west.contoso.com"]);
    let a = json(&volact(&args));
    let b = json(&volact(&args));
    assert_eq!(a, b, "same seed, same order");
    let order = a["order"].as_array().expect("order");
    assert_eq!(order.len(), 3);
    assert_eq!(order[2]["target"], "kms-w1.west.contoso.com");
    assert_eq!(a["seed"], 42);

    let mut args = vec!["srv", "order", "--json", "--draws", "20000", "--seed", "9"];
    args.extend(EAST);
    let counts: BTreeMap<String, u64> =
        serde_json::from_value(json(&volact(&args))["first_counts"].clone()).expect("counts");
    let e1 = counts["kms-e1.east.contoso.com"] as f64 / 20000.0;
    let e2 = counts["kms-e2.east.contoso.com"] as f64 / 20000.0;
    assert!(
        (e1 - 0.75).abs() < 0.02 && (e2 - 0.25).abs() < 0.02,
        "{counts:?}"
    );

    let out = volact(&["srv", "order", "--record", "10 75 1688"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected 4"), "{}", stderr(&out));
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("volact-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Publishes every entry of every host's planned publish list, as each host would.
fn publish_plan(named: &Named, plan: &Value) {
    let server = named.addr.to_string();
    let key = named.key_file();
    for (host, h) in plan["hosts"].as_object().expect("hosts") {
        for entry in h["dns_domain_publish_list"].as_array().expect("list") {
            let entry = entry.as_str().expect("entry");
            let parts: Vec<&str> = entry.split(", ").collect();
            let (domain, priority, weight) = (parts[0], parts[1], parts[2]);
            let out = volact(&[
                "srv",
                "publish",
                "--server",
                &server,
                "--zone",
                domain,
                "--domain",
                domain,
                "--host",
                host,
                "--priority",
                priority,
                "--weight",
                weight,
                "--tsig-key",
                key.to_str().expect("UTF-8 path"),
            ]);
            assert!(
                out.status.success(),
                "publish {host} in {domain}: {}",
                stderr(&out)
            );
        }
    }
}

fn discover(named: &Named, args: &[&str]) -> Value {
    let server = named.addr.to_string();
    let mut all = vec!["srv", "discover", "--server", &server, "--json"];
    all.extend(args);
    json(&volact(&all))
}

fn attempts(d: &Value) -> Vec<(String, u64)> {
    d["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| {
            let host = a["host"].as_str().expect("host");
            (
                host.split('.').next().unwrap_or(host).to_owned(),
                a["priority"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

#[test]
fn global_scenario_publish_then_discover_then_order() {
    let named = Named::start();
    let plan = json(&volact(&[
        "srv",
        "plan",
        &example("contoso-global.toml"),
        "--json",
    ]));
    publish_plan(&named, &plan);
    // An east client (Table 6: host caching off), and a west one, over many seeds: their own
    // site's two hosts first (priority 10), then the other site's (priority 90).
    let mut east_first = BTreeMap::new();
    for seed in 0..40 {
        let s = seed.to_string();
        let east = discover(
            &named,
            &["east.contoso.com", "--no-host-caching", "--seed", &s],
        );
        let order = attempts(&east);
        assert_eq!(order.len(), 4, "{east}");
        let mut sites: Vec<&str> = order.iter().map(|(h, _)| &h[..5]).collect();
        sites.dedup();
        assert_eq!(sites, ["kms-e", "kms-w"], "{east}");
        assert!(order.windows(2).all(|w| w[0].1 <= w[1].1), "{east}");
        *east_first.entry(order[0].0.clone()).or_insert(0) += 1;
        let west = attempts(&discover(
            &named,
            &["west.contoso.com", "--no-host-caching", "--seed", &s],
        ));
        assert!(west[0].0.starts_with("kms-w") && west[3].0.starts_with("kms-e"));
    }
    // 75/25 over 40 clients: the 75 host comes first more often (p of failing ≈ 0.0006).
    assert!(east_first["kms-e1"] > east_first.get("kms-e2").copied().unwrap_or(0) + 5);
}

#[test]
fn single_site_scenario_replaces_the_old_records() {
    let named = Named::start();
    let server = named.addr.to_string();
    let key = named.key_file();
    let key = key.to_str().expect("UTF-8 path");
    // The zone starts with two records at 0 0; withdraw them, both ways.
    let base = [
        "--server",
        &server,
        "--zone",
        "contoso.com",
        "--domain",
        "contoso.com",
    ];
    let mut w1 = vec!["srv", "withdraw"];
    w1.extend(base);
    w1.extend(["--host", "kms1.contoso.com", "--tsig-key", key]);
    let out = volact(&w1);
    assert!(stdout(&out).contains("withdrawn _vlmcs._tcp.contoso.com SRV 0 0 1688 kms1."));
    let mut w2 = vec!["srv", "withdraw"];
    w2.extend(base);
    w2.extend([
        "--host",
        "kms2.contoso.com",
        "--priority",
        "0",
        "--weight",
        "0",
    ]);
    w2.extend(["--tsig-key", key]);
    assert!(volact(&w2).status.success());
    let none = volact(&["srv", "discover", "contoso.com", "--server", &server]);
    assert_eq!(none.status.code(), Some(1), "{}", stdout(&none));

    let plan = json(&volact(&[
        "srv",
        "plan",
        &example("contoso-single-site.toml"),
        "--json",
    ]));
    publish_plan(&named, &plan);
    let found = discover(&named, &["contoso.com", "--seed", "5"]);
    let mut hosts: Vec<String> = attempts(&found).into_iter().map(|(h, _)| h).collect();
    hosts.sort();
    assert_eq!(hosts, ["kms-1", "kms-2"], "{found}");
}

#[test]
fn a_wrong_tsig_key_is_refused_with_a_clear_error() {
    let named = Named::start();
    let dir = tempdir("wrong-key");
    let key = dir.join("wrong.key");
    // The right key name with another secret: the server answers NOTAUTH/BADSIG.
    std::fs::write(
        &key,
        "key \"volact-test\" {\n\talgorithm hmac-sha256;\n\tsecret \
         \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\";\n};\n",
    )
    .expect("write key");
    let out = volact(&[
        "srv",
        "publish",
        "--server",
        &named.addr.to_string(),
        "--zone",
        "east.contoso.com",
        "--domain",
        "east.contoso.com",
        "--host",
        "kms-e1.east.contoso.com",
        "--tsig-key",
        key.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("BADSIG") && err.contains("volact-test"),
        "{err}"
    );
    assert!(
        !err.contains("AAAAAAAA"),
        "the secret must not be printed: {err}"
    );
}

#[test]
fn nxdomain_on_the_first_suffix_then_records_on_the_second() {
    let named = Named::start();
    let d = discover(
        &named,
        &[
            "nothere.contoso.com",
            "--search-list",
            "contoso.com",
            "--seed",
            "1",
        ],
    );
    let queries: Vec<(&str, &str)> = d["queries"]
        .as_array()
        .expect("queries")
        .iter()
        .map(|q| {
            (
                q["name"].as_str().expect("name"),
                q["outcome"].as_str().expect("outcome"),
            )
        })
        .collect();
    assert_eq!(
        queries,
        [
            ("_vlmcs._tcp.nothere.contoso.com", "nx_domain"),
            ("_vlmcs._tcp.contoso.com", "records")
        ]
    );
    assert_eq!(attempts(&d).len(), 2);
    assert!(
        d["attempts"]
            .as_array()
            .expect("attempts")
            .iter()
            .all(|a| a["source"]["domain"] == "contoso.com")
    );
}

#[test]
fn a_named_kms_host_turns_discovery_off() {
    // No server is asked at all: the blackhole would time out if discovery ran.
    let hole = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let server = hole.local_addr().expect("addr").to_string();
    let started = Instant::now();
    let out = volact(&[
        "srv",
        "discover",
        "contoso.com",
        "--server",
        &server,
        "--kms-name",
        "kms9.contoso.com:1700",
        "--json",
    ]);
    let d = json(&out);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(d["queries"].as_array().map(Vec::len), Some(0));
    assert_eq!(d["attempts"][0]["host"], "kms9.contoso.com");
    assert_eq!(d["attempts"][0]["port"], 1700);
    assert_eq!(d["attempts"].as_array().map(Vec::len), Some(1));
}

#[test]
fn an_unanswering_server_times_out_instead_of_hanging() {
    let hole = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let server = hole.local_addr().expect("addr").to_string();
    let started = Instant::now();
    let out = volact(&[
        "srv",
        "discover",
        "contoso.com",
        "--server",
        &server,
        "--timeout",
        "300",
        "--json",
    ]);
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(d["queries"][0]["outcome"], "failed");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn probe_tells_open_from_closed() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let open = listener.local_addr().expect("addr").to_string();
    let out = volact(&["probe", &open, "--timeout", "1000"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("open"));
    drop(listener);
    let out = volact(&["probe", &open, "--timeout", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("closed"), "{}", stdout(&out));
}

#[test]
fn unsigned_updates_work_where_the_zone_allows_them_and_are_refused_elsewhere() {
    let named = Named::start();
    let server = named.addr.to_string();
    let publish = |zone: &str, host: &str| {
        volact(&[
            "srv",
            "publish",
            "--server",
            &server,
            "--zone",
            zone,
            "--domain",
            zone,
            "--host",
            host,
            "--priority",
            "5",
            "--weight",
            "10",
        ])
    };
    // open.test takes updates from 127.0.0.1 without a key (tests/dns/zones/open.test.zone).
    let out = publish("open.test", "kms1.open.test");
    assert!(out.status.success(), "{}", stderr(&out));
    let found = discover(&named, &["open.test", "--seed", "1"]);
    assert_eq!(found["attempts"][0]["host"], "kms1.open.test", "{found}");
    assert_eq!(found["attempts"][0]["priority"], 5);
    // Every other test zone takes only the TSIG key: REFUSED, named in the message.
    let out = publish("east.contoso.com", "kms-e1.east.contoso.com");
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("REFUSED") && err.contains("east.contoso.com"),
        "{err}"
    );
}
