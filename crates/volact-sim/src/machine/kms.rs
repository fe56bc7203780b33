//! KMS on a [`SimulatedMachine`]: the host side (a CSVLK, its online activation, SRV
//! registration in the machine's [`SimulatedDns`]) and the client side (finding a host).
//!
//! **Host.** A CSVLK registered with the
//! [`SimulatedActivationService`](crate::SimulatedActivationService) (its group declared)
//! installs on a Windows Server edition when its group is a server group, on a Windows client
//! edition when it is the Windows 10 or Client VL group (facts.md §5.4; which host OS each key
//! supports in detail is not modelled, as volact's applicability does not model it either).
//! `activate` needs the Internet, uses one of the CSVLK's six computers at the service
//! (0xC004C008 past them; [`crate::service`]), and makes the product `Licensed`.
//! The activated host then registers `_vlmcs._tcp` records as the Software Licensing service
//! does at start and every 24 hours (S6): in each domain of its `DnsDomainPublishList` with
//! that priority and weight, or in its home domain at priority 0, weight 0 when the value is
//! not set, or nowhere when `DisableDnsPublishing` is 1 (facts.md §4.2, S9); on the port of
//! `KeyManagementServiceListeningPort` (default 1688). A registration the DNS server refuses
//! (no grant on a name another host created) is kept in
//! [`SimulatedMachine::srv_registration_failures`], as the real host logs it, and is tried
//! again by [`SimulatedMachine::restart_licensing_service`].
//!
//! **Client.** With a GVLK installed, `activate` does what a KMS client does before it sends
//! a request: it finds its hosts with volact's [`discover`] — a host named by
//! `KeyManagementServiceName`, else DNS in the lookup domain, or the primary DNS suffix (the
//! AD domain) then the suffix search list, RFC 2782 order (Vista: shuffled). No host:
//! 0xC004F074. Found: the discovery is recorded ([`SimulatedMachine::kms_requests`]) and
//! `activate` returns `Ok` **with the product still in grace**.
//!
//! Why not answer the request here: whether a KMS host activates a client depends on the
//! host's count of distinct clients over 30 days (25 for Windows clients), its key group,
//! and which host priority and weight send the client to — what volact's fleet simulator
//! ([`volact_core::fleet`]) models over days and thousands of machines. A second, smaller
//! model here would be either a copy of it or a different answer; and marking the client
//! `Licensed` would let a test pass on a KMS activation nothing checked. So the simulated
//! machine checks only what the machine itself decides (is a host reachable through its own
//! settings and the DNS it sees), and a test that wants the verdict builds a fleet scenario
//! from what the machines hold ([`crate::scenario`]).

use super::{CSVLK_LIMIT, NO_KMS, SimulatedMachine, licensing};
use crate::dns::SimulatedDns;
use crate::service::Refusal;
use sha2::{Digest, Sha256};
use volact_core::catalog::Channel;
use volact_core::license::LicenseStatus;
use volact_core::license::product::{Csvlk, LegacyGroup};
use volact_core::srv::SrvRecord;
use volact_core::srv::discovery::{ClientConfig, Discovery, discover};
use volact_core::srv::order::OrderMode;
use volact_core::srv::publish_list::{PublishEntry, PublishList};
use volact_core::srv::random::SeededRandom;
use volact_core::srv::record::KMS_PORT;
use volact_core::workflow::{LicensingValue, NetworkType, RegistryData, TargetError};

impl SimulatedMachine {
    /// The machine on the network whose DNS server is `dns` (shared with the other machines
    /// of the network). A machine not put on one has a DNS of its own, empty.
    pub fn on_dns(mut self, dns: &SimulatedDns) -> Self {
        self.dns = dns.clone();
        self
    }

    /// The DNS suffix search list the network's DHCP hands the machine (the seed: "DHCP
    /// servers are configured to add east.contoso.com and west.contoso.com to the DNS suffix
    /// search list for all clients").
    pub fn with_dns_suffix_search_list(mut self, list: &[&str]) -> Self {
        self.suffix_search_list = list.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// The DNS suffix search list.
    pub fn dns_suffix_search_list(&self) -> &[String] {
        &self.suffix_search_list
    }

    /// The domain (or workgroup) name the machine reports.
    pub fn network_name(&self) -> &str {
        &self.network_name
    }

    /// The machine's DNS name: the computer name in lower case, followed by its domain when
    /// it is joined to one (its primary DNS suffix).
    pub fn fqdn(&self) -> String {
        let name = self.name.to_ascii_lowercase();
        match self.network_type {
            NetworkType::Domain => format!("{name}.{}", self.network_name.to_ascii_lowercase()),
            NetworkType::Workgroup => name,
        }
    }

    /// The declared group of the CSVLK installed, when a CSVLK is.
    pub fn kms_host_key_group(&self) -> Option<Csvlk> {
        (self.key.channel == Channel::VolumeCsvlk)
            .then(|| self.service.csvlk_group(&self.key.id))
            .flatten()
    }

    /// Whether the machine is an activated KMS host: a CSVLK installed and activated.
    pub fn is_kms_host(&self) -> bool {
        self.key.channel == Channel::VolumeCsvlk && self.status == LicenseStatus::Licensed
    }

    /// Every discovery a KMS client activation request made, in order.
    pub fn kms_requests(&self) -> &[Discovery] {
        &self.kms_requests
    }

    /// SRV registrations the DNS server refused, as the host logs them.
    pub fn srv_registration_failures(&self) -> &[String] {
        &self.srv_failures
    }

    /// Restarts the Software Licensing service: an activated KMS host registers its SRV
    /// records again (it does so at start and every 24 hours, S6), with the registry values
    /// as they are now. Does nothing on another machine.
    pub fn restart_licensing_service(&mut self) {
        if self.is_kms_host() {
            self.register_srv_records();
        }
    }

    pub(super) fn accept_csvlk(&self, group: Csvlk) -> Result<Channel, TargetError> {
        let server_os = self.family.starts_with("Windows Server");
        let fits = match group {
            Csvlk::Server2016 | Csvlk::Server2019 | Csvlk::Server2022 | Csvlk::Server2025 => {
                server_os
            }
            Csvlk::Legacy { group, .. } => server_os == (group != LegacyGroup::ClientVl),
            Csvlk::Windows10 => !server_os,
            Csvlk::Office(_) => false,
        };
        if fits {
            Ok(Channel::VolumeCsvlk)
        } else {
            Err(licensing(
                super::KEY_INVALID,
                format!(
                    "a {} CSVLK does not install on {} {} (simulated: server groups on Windows Server, client groups on client Windows, no Office product here)",
                    group.label(),
                    self.family,
                    self.edition_id
                ),
            ))
        }
    }

    pub(super) fn activate_kms_host(&mut self) -> Result<(), TargetError> {
        let refused = self
            .service
            .activate_kms_host(&self.key.id, &self.hardware_id(), &self.name);
        match refused {
            Ok(()) => {
                self.status = LicenseStatus::Licensed;
                self.register_srv_records();
                Ok(())
            }
            Err(Refusal::CsvlkLimit) => Err(licensing(
                CSVLK_LIMIT,
                "the CSVLK has exceeded its activation limit: it has activated 6 computers already (simulated service)",
            )),
            Err(_) => Err(licensing(
                super::SERVER_KEY_INVALID,
                "the simulated activation server does not know this key",
            )),
        }
    }

    /// Where the host registers: its publish list, its home domain by default, or nowhere.
    fn publish_entries(&self) -> Result<Vec<PublishEntry>, String> {
        if self.registry.get(&LicensingValue::DisableDnsPublishing) == Some(&RegistryData::Dword(1))
        {
            return Ok(Vec::new());
        }
        match self.registry.get(&LicensingValue::DnsDomainPublishList) {
            Some(RegistryData::MultiString(lines)) => PublishList::parse(&lines.join("\n"))
                .map(|l| l.entries().to_vec())
                .map_err(|e| format!("DnsDomainPublishList is not valid: {e}")),
            Some(_) => Err("DnsDomainPublishList is not a REG_MULTI_SZ".into()),
            None => Ok(match self.network_type {
                NetworkType::Domain => vec![PublishEntry {
                    domain: self.network_name.clone(),
                    priority: 0,
                    weight: 0,
                }],
                NetworkType::Workgroup => Vec::new(),
            }),
        }
    }

    fn register_srv_records(&mut self) {
        let port = match self
            .registry
            .get(&LicensingValue::KeyManagementServiceListeningPort)
        {
            Some(RegistryData::String(p)) => p.trim().parse().unwrap_or(KMS_PORT),
            _ => KMS_PORT,
        };
        let entries = match self.publish_entries() {
            Ok(e) => e,
            Err(e) => {
                self.srv_failures.push(e);
                return;
            }
        };
        let target = self.fqdn();
        for e in entries {
            let record = SrvRecord {
                priority: e.priority,
                weight: e.weight,
                port,
                target: target.clone(),
            };
            if let Err(refused) = self.dns.register(&e.domain, record) {
                self.srv_failures.push(refused.to_string());
            }
        }
    }

    /// The machine's settings as far as finding a KMS host goes.
    fn client_config(&self) -> ClientConfig {
        ClientConfig {
            global_kms: self.kms_host(),
            host_caching: self.host_caching,
            lookup_domain: self.lookup_domain.clone(),
            primary_dns_suffix: (self.network_type == NetworkType::Domain)
                .then(|| self.network_name.clone()),
            suffix_search_list: self.suffix_search_list.clone(),
            order: if self.family == "Windows Vista" {
                OrderMode::Legacy
            } else {
                OrderMode::Rfc2782
            },
            ..ClientConfig::default()
        }
    }

    pub(super) fn request_kms_activation(&mut self) -> Result<(), TargetError> {
        // The RFC 2782 draw of each request: fixed by the machine and the request's number.
        let mut h = Sha256::new();
        h.update(b"volact-sim kms order\0");
        h.update(self.name.to_ascii_lowercase().as_bytes());
        h.update((self.kms_requests.len() as u64).to_le_bytes());
        let d = h.finalize();
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&d[..8]);
        let mut rng = SeededRandom::new(u64::from_le_bytes(seed));
        let mut dns = self.dns.clone();
        let found = discover(&self.client_config(), &mut dns, &mut rng);
        // A named host is tried whatever DNS holds: it is reachable only if it is a KMS host
        // of this network (one that registered records).
        let reachable = found.attempts.iter().any(|a| self.dns.has_host(&a.host));
        if !reachable {
            let asked: Vec<&str> = found.queries.iter().map(|q| q.name.as_str()).collect();
            let named = found.attempts.first().map(|a| a.host.as_str());
            return Err(licensing(
                NO_KMS,
                match named {
                    Some(h) => format!(
                        "no KMS host could be contacted: {h} is not a KMS host of this network (simulated)"
                    ),
                    None => format!(
                        "no KMS host could be contacted: no _vlmcs._tcp record in {asked:?} (simulated)"
                    ),
                },
            ));
        }
        self.kms_requests.push(found);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
