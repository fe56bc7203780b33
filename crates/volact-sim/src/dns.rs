//! A simulated Microsoft DNS server holding the `_vlmcs._tcp` SRV records KMS hosts register
//! by secure dynamic update, and answering KMS clients' lookups
//! (an [`SrvLookup`], so volact's own [`discover`](volact_core::srv::discovery::discover)
//! walks it).
//!
//! Why it keeps an owner per record name: in a zone that takes secure dynamic updates (the
//! seed's "Microsoft DNS in its default configuration"), the computer that creates a name owns
//! it, and another computer cannot add its record under that name until the administrator
//! grants it rights. That is the seed's single-site step: "KMS_1 automatically publishes its
//! SRV resource records … The IT administrator … changes its permissions to give KMS_Hosts
//! Read, Write, and Delete permission to the record. The host KMS_2 is now activated" — and
//! the global one: "This group is given Read, Write, and Delete rights to the record
//! _vlmcs._tcp.east.contoso.com". So [`SimulatedDns::register`] refuses a host that neither
//! created the name nor was granted it, as the real server refuses the update (the host logs
//! the failure and tries again at its next registration, S6), and [`SimulatedDns::grant`] is
//! the administrator's step on the DNS server.
//!
//! Cloning shares the server, as every machine of one network asks the same DNS.
//!
//! ```
//! use volact_core::srv::SrvRecord;
//! use volact_sim::SimulatedDns;
//!
//! let dns = SimulatedDns::new();
//! let e1: SrvRecord = "10 75 1688 kms-e1.east.contoso.com.".parse().unwrap();
//! let e2: SrvRecord = "10 25 1688 kms-e2.east.contoso.com.".parse().unwrap();
//! dns.register("east.contoso.com", e1).unwrap(); // creates the name: KMS_E1 owns it
//! assert!(dns.register("east.contoso.com", e2.clone()).is_err()); // not granted yet
//! dns.grant("east.contoso.com", &["kms-e1.east.contoso.com".into(), "kms-e2.east.contoso.com".into()]);
//! dns.register("east.contoso.com", e2).unwrap();
//! assert_eq!(dns.records("east.contoso.com").len(), 2);
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;
use volact_core::srv::{SrvAnswer, SrvLookup, SrvRecord};

/// The SRV owner-name prefix KMS uses (`_vlmcs._tcp.<domain>`).
const SERVICE: &str = "_vlmcs._tcp.";

fn name_key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// One `_vlmcs._tcp.<domain>` name.
#[derive(Debug)]
struct Node {
    /// The host whose update created the name.
    creator: String,
    /// Hosts the administrator gave Read, Write and Delete on it.
    granted: BTreeSet<String>,
    /// One record per host, in registration order.
    records: Vec<SrvRecord>,
}

impl Node {
    fn may_write(&self, host: &str) -> bool {
        self.creator == host || self.granted.contains(host)
    }
}

/// Why the DNS server refused a host's update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateRefused {
    /// The domain whose `_vlmcs._tcp` name the host tried to write.
    pub domain: String,
    /// The host that tried.
    pub host: String,
    /// The host that owns the name.
    pub owner: String,
}

impl fmt::Display for UpdateRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DNS refused {}'s update of _vlmcs._tcp.{}: the name belongs to {}, and no one granted {} Write on it (simulated secure dynamic update)",
            self.host, self.domain, self.owner, self.host
        )
    }
}

impl std::error::Error for UpdateRefused {}

/// The simulated DNS server (see the module doc).
#[derive(Clone, Default)]
pub struct SimulatedDns {
    zones: Rc<RefCell<BTreeMap<String, Node>>>,
}

impl fmt::Debug for SimulatedDns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatedDns")
            .field("names", &self.zones.borrow().len())
            .finish()
    }
}

impl SimulatedDns {
    /// A server with no KMS record.
    pub fn new() -> Self {
        SimulatedDns::default()
    }

    /// A host's registration of its own record (`record.target`) under
    /// `_vlmcs._tcp.<domain>`: creates the name (the host then owns it) or, when the host may
    /// write it, replaces the host's earlier record there. Refused otherwise.
    pub fn register(&self, domain: &str, record: SrvRecord) -> Result<(), UpdateRefused> {
        let host = name_key(&record.target);
        let mut zones = self.zones.borrow_mut();
        let node = zones.entry(name_key(domain)).or_insert_with(|| Node {
            creator: host.clone(),
            granted: BTreeSet::new(),
            records: Vec::new(),
        });
        if !node.may_write(&host) {
            return Err(UpdateRefused {
                domain: name_key(domain),
                host,
                owner: node.creator.clone(),
            });
        }
        match node
            .records
            .iter_mut()
            .find(|r| name_key(&r.target) == host)
        {
            Some(r) => *r = record,
            None => node.records.push(record),
        }
        Ok(())
    }

    /// The administrator's grant of Read, Write and Delete on `_vlmcs._tcp.<domain>` to a
    /// security group whose members are `hosts` (FQDNs). A name no host created yet is
    /// created empty, owned by nobody, so the grant alone decides who may write it.
    pub fn grant(&self, domain: &str, hosts: &[String]) {
        let mut zones = self.zones.borrow_mut();
        let node = zones.entry(name_key(domain)).or_insert_with(|| Node {
            creator: String::new(),
            granted: BTreeSet::new(),
            records: Vec::new(),
        });
        node.granted.extend(hosts.iter().map(|h| name_key(h)));
    }

    /// The records under `_vlmcs._tcp.<domain>`, in registration order.
    pub fn records(&self, domain: &str) -> Vec<SrvRecord> {
        self.zones
            .borrow()
            .get(&name_key(domain))
            .map(|n| n.records.clone())
            .unwrap_or_default()
    }

    /// The domains with at least one record, sorted.
    pub fn domains(&self) -> Vec<String> {
        self.zones
            .borrow()
            .iter()
            .filter(|(_, n)| !n.records.is_empty())
            .map(|(d, _)| d.clone())
            .collect()
    }

    /// Whether some record anywhere names `host` (a KMS host that has registered).
    pub fn has_host(&self, host: &str) -> bool {
        let host = name_key(host);
        self.zones
            .borrow()
            .values()
            .any(|n| n.records.iter().any(|r| name_key(&r.target) == host))
    }
}

impl SrvLookup for SimulatedDns {
    fn lookup_srv(&mut self, owner: &str) -> SrvAnswer {
        let owner = name_key(owner);
        let Some(domain) = owner.strip_prefix(SERVICE) else {
            return SrvAnswer::NxDomain;
        };
        match self.zones.borrow().get(domain) {
            Some(n) if !n.records.is_empty() => SrvAnswer::Records {
                records: n.records.clone(),
                warnings: Vec::new(),
            },
            // A name the grant created before any host registered exists without records.
            Some(_) => SrvAnswer::NoData,
            None => SrvAnswer::NxDomain,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(text: &str) -> SrvRecord {
        text.parse().unwrap()
    }

    #[test]
    fn the_creator_owns_the_name_and_others_write_only_after_the_grant() {
        let dns = SimulatedDns::new();
        dns.register(
            "East.Contoso.com.",
            rec("10 75 1688 KMS-E1.east.contoso.com."),
        )
        .unwrap();
        // The owner updates its own record in place: still one record.
        dns.register(
            "east.contoso.com",
            rec("10 80 1688 kms-e1.east.contoso.com."),
        )
        .unwrap();
        assert_eq!(
            dns.records("east.contoso.com"),
            [rec("10 80 1688 kms-e1.east.contoso.com.")]
        );
        let e = dns
            .register(
                "east.contoso.com",
                rec("90 75 1688 kms-w1.west.contoso.com."),
            )
            .unwrap_err();
        assert_eq!(e.owner, "kms-e1.east.contoso.com");
        assert!(
            e.to_string()
                .contains("no one granted kms-w1.west.contoso.com"),
            "{e}"
        );
        dns.grant("east.contoso.com", &["KMS-W1.west.contoso.com".into()]);
        dns.register(
            "east.contoso.com",
            rec("90 75 1688 kms-w1.west.contoso.com."),
        )
        .unwrap();
        assert_eq!(dns.records("east.contoso.com").len(), 2);
        assert!(dns.has_host("kms-w1.west.contoso.com"));
        assert!(!dns.has_host("kms-w2.west.contoso.com"));
    }

    #[test]
    fn lookups_answer_records_nodata_or_nxdomain() {
        let mut dns = SimulatedDns::new();
        dns.grant("west.contoso.com", &["kms-w1.west.contoso.com".into()]);
        assert_eq!(
            dns.lookup_srv("_vlmcs._tcp.west.contoso.com"),
            SrvAnswer::NoData
        );
        assert_eq!(
            dns.lookup_srv("_vlmcs._tcp.east.contoso.com"),
            SrvAnswer::NxDomain
        );
        assert_eq!(dns.lookup_srv("west.contoso.com"), SrvAnswer::NxDomain);
        dns.register(
            "west.contoso.com",
            rec("10 75 1688 kms-w1.west.contoso.com."),
        )
        .unwrap();
        assert!(matches!(
            dns.lookup_srv("_VLMCS._tcp.west.contoso.com."),
            SrvAnswer::Records { records, .. } if records.len() == 1
        ));
        assert_eq!(dns.domains(), ["west.contoso.com"]);
    }
}
