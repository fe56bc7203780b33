//! Plan KMS SRV publishing for the seed's global scenario, then see which hosts a client in
//! each domain would try, in order: from the plan itself (an in-memory DNS), or from a real
//! DNS server when one is given.
//!
//! Run: `cargo run -p volact-net --example kms_discovery [TOPOLOGY.toml] [IP:PORT]`

use std::collections::BTreeMap;
use volact_core::srv::discovery::{ClientConfig, discover};
use volact_core::srv::plan::Plan;
use volact_core::srv::{SeededRandom, SrvAnswer, SrvLookup, SrvRecord};

/// The plan's RRsets as a DNS would serve them once every host has published.
struct Planned(BTreeMap<String, Vec<SrvRecord>>);

impl SrvLookup for Planned {
    fn lookup_srv(&mut self, owner: &str) -> SrvAnswer {
        match self.0.get(owner) {
            Some(records) => SrvAnswer::Records {
                records: records.clone(),
                warnings: Vec::new(),
            },
            None => SrvAnswer::NxDomain,
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "examples/kms/contoso-global.toml".to_owned());
    let server = args.next();
    let plan = Plan::from_toml(&std::fs::read_to_string(&path)?)?;

    println!("Each host's DnsDomainPublishList:");
    for (host, h) in &plan.hosts {
        println!("  {host}: {}", h.dns_domain_publish_list.join(" | "));
    }

    let mut dns: Box<dyn SrvLookup> = match &server {
        Some(addr) => Box::new(volact_net::Resolver::new(vec![
            volact_net::addr::parse_server(addr)?,
        ])),
        None => Box::new(Planned(
            plan.domains
                .iter()
                .map(|(domain, records)| {
                    let rrset = records
                        .iter()
                        .map(|r| SrvRecord {
                            priority: r.priority,
                            weight: r.weight,
                            port: r.port,
                            target: r.host.clone(),
                        })
                        .collect();
                    (volact_core::srv::record::owner_name(domain), rrset)
                })
                .collect(),
        )),
    };
    for domain in plan.domains.keys() {
        // Table 6: host caching off, so every activation follows priority and weight.
        let config = ClientConfig {
            primary_dns_suffix: Some(domain.clone()),
            host_caching: false,
            ..ClientConfig::default()
        };
        let found = discover(&config, dns.as_mut(), &mut SeededRandom::new(2026));
        let order: Vec<String> = found
            .attempts
            .iter()
            .map(|a| {
                format!(
                    "{} ({}/{})",
                    a.host,
                    a.priority.unwrap_or(0),
                    a.weight.unwrap_or(0)
                )
            })
            .collect();
        println!("A client in {domain} tries: {}", order.join(", "));
    }
    Ok(())
}
