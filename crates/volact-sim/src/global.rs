//! The seed's global network ("KMS implementation in a complex, global network", Tables 5
//! and 6): what the integration test `tests/global_kms.rs` and the example `global_kms` both
//! start from.
//!
//! - Two domains, `east.contoso.com` and `west.contoso.com`, each one side of the WAN link.
//! - Four KMS hosts, `KMS-E1`, `KMS-E2` in the east and `KMS-W1`, `KMS-W2` in the west
//!   (the seed's `KMS_E1`…: an underscore is not valid in a Windows computer name), running
//!   Windows Server 2022 Datacenter, with Internet access for their online activation; the
//!   srv planner's topology is `examples/kms/contoso-global.toml`.
//! - [`CLIENTS_PER_DOMAIN`] domain-joined Windows 10 and Windows 11 Enterprise clients per
//!   domain, whose DHCP puts both domains in their suffix search list, and one Windows 11
//!   Home (`Core`) machine in the east, for which Microsoft publishes no GVLK.
//! - The hosts' key: [`CSVLK`], the published "twin" test key `NJCF7-PW8QT-3324D-688JX-2YV66`
//!   (facts.md §1.3: group 3892, serial 1), **declared** a CSVLK of the
//!   [`CSVLK_GROUP`] group. Only the declaration makes it a KMS host key here: it says nothing
//!   about what the key really is, and nothing in the simulation reaches Microsoft.

use crate::{SimulatedActivationService, SimulatedDns, SimulatedMachine};
use std::collections::BTreeMap;
use volact_core::catalog::UserCatalog;
use volact_core::fleet::{parse_csvlk, parse_product};
use volact_core::license::product::{ClientProduct, Csvlk};
use volact_core::mak::{KeyKind, MakEntry, MakStore, MakStoreError};

/// The srv planner's topology of the global network (Table 5).
pub const TOPOLOGY: &str = include_str!("../../../examples/kms/contoso-global.toml");
/// The east domain.
pub const EAST: &str = "east.contoso.com";
/// The west domain.
pub const WEST: &str = "west.contoso.com";
/// The hosts' key (see the module doc).
pub const CSVLK: &str = "NJCF7-PW8QT-3324D-688JX-2YV66";
/// The group declared for [`CSVLK`]: Windows Server 2022's, which activates Windows 10 and
/// Windows 11 (S5).
pub const CSVLK_GROUP: &str = "server2022";
/// The KMS hosts in the seed's order, with their domains.
pub const HOSTS: [(&str, &str); 4] = [
    ("KMS-E1", EAST),
    ("KMS-E2", EAST),
    ("KMS-W1", WEST),
    ("KMS-W2", WEST),
];
/// The hosts' Windows.
pub const HOST_FAMILY: &str = "Windows Server 2022";
/// The hosts' edition.
pub const HOST_EDITION: &str = "ServerDatacenter";
/// Clients per domain. A host activates Windows clients once 25 distinct clients have asked
/// it in 30 days (S5); with host caching off each client asks both local hosts over time
/// (75/25), so 30 per domain take both hosts of a site past the threshold, while 20 would
/// leave every host below it and no client activated.
pub const CLIENTS_PER_DOMAIN: usize = 30;
/// The Windows 11 Home machine (no GVLK is published for `Core`).
pub const HOME_MACHINE: &str = "EAST-HOME1";
/// Table 6's help-desk URL.
pub const HELP_URL: &str = "http://contoso.com/help";

/// The declared group of [`CSVLK`].
pub fn csvlk_group() -> Csvlk {
    parse_csvlk(CSVLK_GROUP).expect("a group the fleet simulator knows")
}

/// The administrator adds [`CSVLK`] to the key store, declaring its kind (no catalog knows
/// it), and the simulated Microsoft's record of it holds [`CSVLK_GROUP`], the group it was
/// sold for. Returns the store's entry.
pub fn add_csvlk(
    store: &mut MakStore,
    service: &SimulatedActivationService,
    now: i64,
) -> Result<MakEntry, MakStoreError> {
    let entry = store
        .add_text(
            CSVLK,
            &UserCatalog::new(),
            Some(KeyKind::Csvlk),
            "KMS host key (declared: Windows Server 2022 group)",
            now,
        )?
        .clone();
    service.register_csvlk(entry.key(), csvlk_group());
    Ok(entry)
}

/// What the hosts serve: Windows 10 and Windows 11 clients.
pub fn serves() -> Vec<ClientProduct> {
    ["windows10", "windows11"]
        .iter()
        .filter_map(|p| parse_product(p))
        .collect()
}

/// The seed's security groups: `KMS_E` writes the east record, `KMS_W` the west one.
pub fn security_groups() -> BTreeMap<String, String> {
    BTreeMap::from([
        (EAST.to_owned(), "KMS_E".to_owned()),
        (WEST.to_owned(), "KMS_W".to_owned()),
    ])
}

/// Both domains, the machine's own first: what DHCP hands out in the seed.
fn search_list(domain: &str) -> [&'static str; 2] {
    if domain == EAST {
        [EAST, WEST]
    } else {
        [WEST, EAST]
    }
}

/// A KMS host of the network: Windows Server 2022 Datacenter named `name`, joined to
/// `domain`, on `dns`, with Internet.
pub fn host(
    name: &str,
    domain: &str,
    service: &SimulatedActivationService,
    dns: &SimulatedDns,
) -> SimulatedMachine {
    SimulatedMachine::new(name, HOST_FAMILY, HOST_EDITION, service)
        .in_domain(domain)
        .with_dns_suffix_search_list(&search_list(domain))
        .on_dns(dns)
        .with_internet(true)
}

/// The four KMS hosts of [`HOSTS`], in the seed's order.
pub fn hosts(service: &SimulatedActivationService, dns: &SimulatedDns) -> Vec<SimulatedMachine> {
    HOSTS
        .iter()
        .map(|(name, domain)| host(name, domain, service, dns))
        .collect()
}

/// The clients: `EAST-PC01`… then `WEST-PC01`… (odd numbers Windows 10 Enterprise, even
/// numbers Windows 11 Enterprise), then [`HOME_MACHINE`], all on `dns`.
pub fn clients(service: &SimulatedActivationService, dns: &SimulatedDns) -> Vec<SimulatedMachine> {
    let mut out = Vec::new();
    for (prefix, domain) in [("EAST", EAST), ("WEST", WEST)] {
        for i in 1..=CLIENTS_PER_DOMAIN {
            let family = if i % 2 == 1 {
                "Windows 10"
            } else {
                "Windows 11"
            };
            out.push(
                SimulatedMachine::new(&format!("{prefix}-PC{i:02}"), family, "Enterprise", service)
                    .in_domain(domain)
                    .with_dns_suffix_search_list(&search_list(domain))
                    .on_dns(dns),
            );
        }
    }
    out.push(
        SimulatedMachine::new(HOME_MACHINE, "Windows 11", "Core", service)
            .in_domain(EAST)
            .with_dns_suffix_search_list(&search_list(EAST))
            .on_dns(dns),
    );
    out
}
