//! The seed's global KMS network (Tables 5 and 6), run by volact's workflows against simulated
//! machines (`volact-sim`), then judged by volact's fleet simulator:
//!
//! - plan the four hosts' `DnsDomainPublishList` from `examples/kms/contoso-global.toml`;
//! - deploy them in the seed's order with a CSVLK from the key store (KMS_E1 first, the
//!   grants of the `_vlmcs._tcp` records right after it), and read the values back;
//! - configure the clients as Table 6 says (host caching off, AlternateURL, the GVLK);
//! - build a fleet scenario from what the machines now hold and simulate it: which hosts
//!   activate which clients, and what happens when both east hosts are down.
//!
//! Run: `cargo run -p volact-sim --example global_kms`
//! The CSVLK is a published test key *declared* a CSVLK; nothing here reaches Microsoft.

use volact_core::fleet::{FleetReport, run_toml};
use volact_core::mak::MakStore;
use volact_core::srv::plan::{Topology, plan as srv_plan};
use volact_core::workflow::kms::{ClientSettings, Deployment, configure_plan, deploy_plan};
use volact_core::workflow::{
    Action, ActivationTarget, KeyToInstall, LicensingValue, RegistryData, Run, survey,
};
use volact_sim::global::{self, EAST, WEST};
use volact_sim::scenario::{HostEvent, ScenarioOptions, fleet_scenario};
use volact_sim::{SimulatedActivationService, SimulatedDns, SimulatedMachine};

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

fn targets(machines: &mut [SimulatedMachine]) -> Vec<&mut dyn ActivationTarget> {
    machines
        .iter_mut()
        .map(|m| m as &mut dyn ActivationTarget)
        .collect()
}

fn short(fqdn: &str) -> &str {
    fqdn.split('.').next().unwrap_or(fqdn)
}

fn print_hosts(report: &FleetReport) {
    for h in &report.hosts {
        println!(
            "      {:<7} requests {:>5}  activated/renewed {:>4}  over the WAN {:>4}",
            short(&h.name),
            h.requests,
            h.activated,
            h.wan_requests
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("The seed's global KMS network (simulated machines, then the fleet simulator)");
    let service = SimulatedActivationService::new(); // Microsoft's side
    let dns = SimulatedDns::new(); // Contoso's DNS server

    // 1. The srv planner: each host's DnsDomainPublishList (Table 5, per host).
    let topology = Topology::parse(global::TOPOLOGY)?;
    let planned = srv_plan(&topology);
    println!(" 1. planned publish lists (contoso-global.toml):");
    for (host, p) in &planned.hosts {
        println!(
            "      {:<7} {}",
            short(host),
            p.dns_domain_publish_list.join(" | ")
        );
    }

    // 2. The CSVLK: a key no catalog knows, so its kind is declared; Microsoft's record of
    //    it holds the group it was sold for.
    let entry = global::add_csvlk(&mut MakStore::new(), &service, NOW)?;
    println!(
        " 2. key store: {} added as a declared CSVLK, group {}",
        entry.key(),
        global::CSVLK_GROUP
    );

    // 3. Deploy the hosts, surveyed in the console's order (W2 first): the plan puts them in
    //    the seed's order.
    let mut hosts = global::hosts(&service, &dns);
    hosts.reverse();
    let surveyed = survey(&mut targets(&mut hosts));
    let key = KeyToInstall::from_entry(&entry);
    let (serves, groups) = (global::serves(), global::security_groups());
    let deployment = Deployment {
        key: &key,
        key_id: Some(&entry.id),
        group: global::csvlk_group(),
        serves: &serves,
        security_groups: &groups,
    };
    let mut deploy = Run::new(deploy_plan(&topology, &deployment, &surveyed)?);
    deploy.execute(Some(entry.key()), &mut targets(&mut hosts))?;
    println!(
        " 3. deploy: {} host done, the run waits: {}",
        deploy.count("done"),
        deploy.waiting.as_deref().unwrap_or("(not waiting)")
    );
    // The administrator makes the grants on the DNS server, then runs again.
    for a in &deploy.plan.machines[0].actions {
        if let Action::GrantSrvRecord { domain, hosts, .. } = a {
            dns.grant(domain, hosts);
        }
    }
    deploy.execute(Some(entry.key()), &mut targets(&mut hosts))?;
    hosts.reverse();
    println!(
        "    run again after the grants: {} hosts done; activated online in this order: {}",
        deploy.count("done"),
        service.kms_host_activations().join(", ")
    );
    for (m, p) in deploy.plan.machines.iter().zip(&deploy.progress) {
        for step in &p.manual {
            println!("      manual step with {}: {step}", m.machine);
        }
    }
    let mut same = 0;
    for h in &mut hosts {
        let expected = &planned.hosts[&h.fqdn()].dns_domain_publish_list;
        if h.read_value(LicensingValue::DnsDomainPublishList)?
            == Some(RegistryData::MultiString(expected.clone()))
        {
            same += 1;
        }
    }
    println!("      DnsDomainPublishList read back: {same} of 4 as planned");
    assert_eq!(same, 4);

    // DNS: the grants came before the other hosts activated, so no registration was refused.
    let refused: usize = hosts
        .iter()
        .map(|h| h.srv_registration_failures().len())
        .sum();
    println!("      DNS: {refused} SRV registrations refused");
    assert_eq!(refused, 0);
    for domain in [EAST, WEST] {
        let records: Vec<String> = dns
            .records(domain)
            .iter()
            .map(|r| format!("{} {} {}", short(&r.target), r.priority, r.weight))
            .collect();
        println!("      _vlmcs._tcp.{domain}: {}", records.join(", "));
    }

    // A seventh host for the same CSVLK, in one topology: refused before anything is done.
    let seventh = format!(
        "{}{}",
        global::TOPOLOGY,
        (1..=3)
            .map(|i| format!("[[host]]\nname = \"kms-n{i}.north.contoso.com\"\n"))
            .collect::<String>()
    );
    let seventh = Topology::parse(&seventh)?;
    match deploy_plan(&seventh, &deployment, &surveyed) {
        Err(e) => println!("      seven hosts for one CSVLK: refused ({e})"),
        Ok(_) => return Err("a seventh host for one CSVLK was planned".into()),
    }

    // 4. Table 6 on the clients.
    let mut clients = global::clients(&service, &dns);
    let surveyed = survey(&mut targets(&mut clients));
    let mut configure = Run::new(configure_plan(
        &surveyed,
        &ClientSettings::table6(global::HELP_URL),
    ));
    configure.execute(None, &mut targets(&mut clients))?;
    println!(
        " 4. Table 6: {} clients configured, {} skipped",
        configure.count("done"),
        configure.count("skipped")
    );
    for m in configure.plan.machines.iter() {
        if let Some(skip) = &m.skipped {
            println!(
                "      {} skipped, {}: {}",
                m.machine, skip.rule, skip.reason
            );
        }
    }
    let mut table6 = 0;
    for c in clients.iter_mut().take(2 * global::CLIENTS_PER_DOMAIN) {
        if !c.host_caching()
            && c.read_value(LicensingValue::AlternateUrl)?
                == Some(RegistryData::String(global::HELP_URL.into()))
        {
            table6 += 1;
        }
    }
    println!(
        "      read back: host caching off and AlternateURL = {} on {table6} clients; their requests found the hosts in DNS, the answer is the fleet simulator's",
        global::HELP_URL
    );

    // 5. The fleet simulator, on a scenario built from what the machines hold.
    let options = ScenarioOptions {
        seed: 2009,
        days: 90,
        install_over_days: 7,
    };
    let scenario = fleet_scenario(&mut hosts, &mut clients, &options, &[])?;
    let report = run_toml(&scenario.toml)?;
    println!(
        " 5. fleet scenario from the machines: {} hosts, groups {}; left out: {}",
        report.hosts.len(),
        scenario
            .groups
            .iter()
            .map(|(g, m)| format!("{g} ({})", m.len()))
            .collect::<Vec<_>>()
            .join(", "),
        scenario
            .left_out
            .iter()
            .map(|(m, why)| format!("{m} ({why})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "      {} days: {} of {} clients licensed, median first activation after {} h, WAN share {:.1} %",
        report.days,
        report.end_status.licensed,
        report.clients,
        report.first_activation.p50_minutes.unwrap_or(0) / 60,
        100.0 * report.wan_share
    );
    print_hosts(&report);

    // 6. Both east hosts down on days 20 to 50.
    let east: Vec<String> = hosts[..2].iter().map(|h| h.fqdn()).collect();
    let mut events = Vec::new();
    for h in &east {
        for (day, up) in [(20, false), (50, true)] {
            events.push(HostEvent {
                day,
                host: h.clone(),
                up,
            });
        }
    }
    let scenario = fleet_scenario(&mut hosts, &mut clients, &options, &events)?;
    let report = run_toml(&scenario.toml)?;
    let wan = |days: std::ops::Range<usize>| -> u64 {
        report.daily[days].iter().map(|d| d.wan_requests).sum()
    };
    println!(
        " 6. east hosts down on days 20-50: WAN requests {} before, {} during, {} after; {} of {} clients licensed at the end",
        wan(0..20),
        wan(20..50),
        wan(50..report.daily.len()),
        report.end_status.licensed,
        report.clients
    );
    print_hosts(&report);
    Ok(())
}
