//! A simulated Microsoft: the activation service that holds each MAK's remaining activations,
//! activates simulated machines online, and issues fictitious Confirmation IDs through
//! [`SimulatedCidSource`] (a [`ConfirmationIdSource`], as VAMT on an internet-connected host
//! is one for volact).
//!
//! A real IID carries the installed product key's data, and Microsoft decodes it to find
//! the MAK whose count an activation uses. The simulation's fictitious IIDs carry nothing,
//! so a [`SimulatedMachine`](crate::SimulatedMachine) tells the service which key its IID was
//! made with whenever the IID changes (the crate-private `register_iid`): that registration
//! stands for Microsoft decoding the IID.
//!
//! A MAK's count goes down once per **new** IID (an installation activated for the first
//! time), whether online or by a CID: issuing the CID of an IID again, as VAMT's "Reapply
//! Confirmation ID" relies on, uses no activation ("Reapplying the same CID conserves the
//! remaining activations on the MAK", research/vamt.md §5). Every ID here is fictitious
//! (see [`fictitious`]).
//!
//! The service also knows the CSVLKs (KMS host keys) registered with it, each with the group
//! the administrator declares (facts.md §5.4: many CSVLKs cannot be decoded), and activates
//! KMS hosts online, on at most six different computers (facts.md §4.1, S5; 0xC004C008 in
//! volact's error table: "it activates up to 10 times on up to six different computers"). A
//! computer is a hardware id; activating one again uses nothing. The ten activations are not
//! modelled apart: a simulated computer has one installation per key (its IID follows hardware
//! and key), so six computers are six installations. The service records the order in which
//! hosts were activated, which is what the seed's deployment order is about.

use crate::fictitious;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;
use volact_core::ids::InstallationId;
use volact_core::key::ProductKey;
use volact_core::license::product::Csvlk;
use volact_core::workflow::kms::MAX_HOSTS_PER_CSVLK;
use volact_core::workflow::{CidAnswer, CidRequest, ConfirmationIdSource};

/// The service's answer code when a MAK has no activation left: 0x7F, "MAK limit exceeded"
/// (research/vamt.md §5, from ActivationWs).
pub const MAK_LIMIT_EXCEEDED: u32 = 0x7F;
/// The service's answer code for an Installation ID that is not one: 0x90, "invalid IID"
/// (research/vamt.md §5).
pub const INVALID_IID: u32 = 0x90;

/// On how many different computers one CSVLK activates a KMS host (facts.md §4.1, S5).
pub const CSVLK_COMPUTERS: usize = MAX_HOSTS_PER_CSVLK;

/// What the service knows of one CSVLK (by fingerprint).
#[derive(Clone, Debug)]
struct CsvlkRecord {
    group: Csvlk,
    /// Hardware ids of the computers it activated.
    computers: HashSet<String>,
}

/// What the service knows of one MAK (by the key's fingerprint: it holds no key).
#[derive(Clone, Debug)]
struct MakRecord {
    edition_id: String,
    remaining: u32,
}

#[derive(Debug)]
struct State {
    /// The key of the keyed function that makes CIDs: only this service can issue them.
    secret: Vec<u8>,
    maks: HashMap<String, MakRecord>,
    /// IID digits → the fingerprint of the MAK it was made with.
    iids: HashMap<String, String>,
    /// IID digits already activated (online or by an issued CID).
    activated: HashSet<String>,
    csvlks: HashMap<String, CsvlkRecord>,
    /// Computer names of the KMS hosts activated, in order (first activations only).
    host_activations: Vec<String>,
}

/// Why the service did not activate an IID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not an Installation ID.
    InvalidIid,
    /// No registered MAK made this IID.
    UnknownIid,
    /// The MAK has no activation left.
    LimitExceeded,
    /// The CSVLK has activated its six computers.
    CsvlkLimit,
}

/// The simulated activation service. Cloning shares it: every machine and the CID source of
/// one simulation hold the same service.
#[derive(Clone)]
pub struct SimulatedActivationService {
    state: Rc<RefCell<State>>,
}

impl fmt::Debug for SimulatedActivationService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.borrow();
        f.debug_struct("SimulatedActivationService")
            .field("maks", &s.maks.len())
            .field("installation_ids", &s.iids.len())
            .field("activated", &s.activated.len())
            .finish()
    }
}

impl Default for SimulatedActivationService {
    fn default() -> Self {
        SimulatedActivationService::new()
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

impl SimulatedActivationService {
    /// A service with no MAK registered and the default secret.
    pub fn new() -> Self {
        SimulatedActivationService::with_seed(0)
    }

    /// A service whose CIDs are keyed by `seed`: two services with different seeds issue
    /// different CIDs for the same IID.
    pub fn with_seed(seed: u64) -> Self {
        let mut secret = b"volact-sim service secret ".to_vec();
        secret.extend_from_slice(&seed.to_le_bytes());
        SimulatedActivationService {
            state: Rc::new(RefCell::new(State {
                secret,
                maks: HashMap::new(),
                iids: HashMap::new(),
                activated: HashSet::new(),
                csvlks: HashMap::new(),
                host_activations: Vec::new(),
            })),
        }
    }

    /// Registers a MAK as sold for an edition (`EditionID`) with a number of activations
    /// (Microsoft's record of the licence). Registering it again sets the count.
    pub fn register_mak(&self, key: &ProductKey, edition_id: &str, activations: u32) {
        self.state.borrow_mut().maks.insert(
            key.fingerprint(),
            MakRecord {
                edition_id: edition_id.to_owned(),
                remaining: activations,
            },
        );
    }

    /// The activations a MAK has left; `None` when it is not registered.
    pub fn remaining(&self, key: &ProductKey) -> Option<u32> {
        self.state
            .borrow()
            .maks
            .get(&key.fingerprint())
            .map(|m| m.remaining)
    }

    /// How many distinct installations (IIDs) have been activated so far.
    pub fn activated_installations(&self) -> usize {
        self.state.borrow().activated.len()
    }

    /// The edition a registered MAK is for, by the key's fingerprint.
    pub(crate) fn mak_edition(&self, fingerprint: &str) -> Option<String> {
        self.state
            .borrow()
            .maks
            .get(fingerprint)
            .map(|m| m.edition_id.clone())
    }

    /// Records that `iid` was made with the key of this fingerprint — the simulation of
    /// Microsoft decoding the IID (see the module doc). Keys that are not registered MAKs
    /// are not recorded: the service answers nothing for them.
    pub(crate) fn register_iid(&self, iid: &str, key_fingerprint: &str) {
        let mut s = self.state.borrow_mut();
        if s.maks.contains_key(key_fingerprint) {
            s.iids.insert(digits(iid), key_fingerprint.to_owned());
        }
    }

    /// Activates an installation: the first time for an IID uses one activation of its MAK;
    /// later times use none. Returns the IID's CID.
    pub(crate) fn activate(&self, iid: &str) -> Result<String, Refusal> {
        if InstallationId::parse(iid).is_err() {
            return Err(Refusal::InvalidIid);
        }
        let iid = digits(iid);
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let fingerprint = s.iids.get(&iid).ok_or(Refusal::UnknownIid)?;
        let mak = s.maks.get_mut(fingerprint).ok_or(Refusal::UnknownIid)?;
        if !s.activated.contains(&iid) {
            if mak.remaining == 0 {
                return Err(Refusal::LimitExceeded);
            }
            mak.remaining -= 1;
            s.activated.insert(iid.clone());
        }
        Ok(fictitious::confirmation_id(&s.secret, &iid))
    }

    /// Whether `cid` is the CID of `iid` (what a machine checks on deposit). Reading it
    /// uses no activation, and only a CID the service issued can pass.
    pub(crate) fn accepts(&self, iid: &str, cid: &str) -> bool {
        let iid = digits(iid);
        let s = self.state.borrow();
        s.activated.contains(&iid)
            && digits(&fictitious::confirmation_id(&s.secret, &iid)) == digits(cid)
    }

    /// Registers a CSVLK with the group the administrator declares for it (Microsoft's
    /// record of the licence: which products its hosts may activate). Registering it again
    /// sets the group and forgets the hosts it activated.
    pub fn register_csvlk(&self, key: &ProductKey, group: Csvlk) {
        self.state.borrow_mut().csvlks.insert(
            key.fingerprint(),
            CsvlkRecord {
                group,
                computers: HashSet::new(),
            },
        );
    }

    /// How many different computers a registered CSVLK has activated as KMS hosts.
    pub fn csvlk_computers(&self, key: &ProductKey) -> Option<usize> {
        self.state
            .borrow()
            .csvlks
            .get(&key.fingerprint())
            .map(|c| c.computers.len())
    }

    /// The KMS hosts activated so far, by computer name, in the order of their first
    /// activation.
    pub fn kms_host_activations(&self) -> Vec<String> {
        self.state.borrow().host_activations.clone()
    }

    /// The declared group of a registered CSVLK, by the key's fingerprint.
    pub(crate) fn csvlk_group(&self, fingerprint: &str) -> Option<Csvlk> {
        self.state.borrow().csvlks.get(fingerprint).map(|c| c.group)
    }

    /// Activates a KMS host online: `computer` (a hardware id, named `name`) with the CSVLK
    /// of this fingerprint. See the module doc for the count.
    pub(crate) fn activate_kms_host(
        &self,
        fingerprint: &str,
        computer: &str,
        name: &str,
    ) -> Result<(), Refusal> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let c = s.csvlks.get_mut(fingerprint).ok_or(Refusal::UnknownIid)?;
        if c.computers.contains(computer) {
            return Ok(());
        }
        if c.computers.len() >= CSVLK_COMPUTERS {
            return Err(Refusal::CsvlkLimit);
        }
        c.computers.insert(computer.to_owned());
        s.host_activations.push(name.to_owned());
        Ok(())
    }

    /// A CID source on this service: what VAMT's "Acquire Confirmation IDs" reaches on an
    /// internet-connected host.
    pub fn cid_source(&self) -> SimulatedCidSource {
        SimulatedCidSource {
            service: self.clone(),
            asked: 0,
        }
    }
}

/// The simulated Microsoft as a [`ConfirmationIdSource`]: a fictitious 48-digit CID for an
/// IID made with a registered MAK, using one activation the first time that IID is asked.
#[derive(Clone, Debug)]
pub struct SimulatedCidSource {
    service: SimulatedActivationService,
    asked: usize,
}

impl SimulatedCidSource {
    /// How many requests the source has answered.
    pub fn requests(&self) -> usize {
        self.asked
    }
}

impl ConfirmationIdSource for SimulatedCidSource {
    fn confirmation_id(&mut self, request: &CidRequest) -> CidAnswer {
        self.asked += 1;
        match self.service.activate(&request.installation_id) {
            Ok(confirmation_id) => CidAnswer::Issued { confirmation_id },
            Err(Refusal::UnknownIid | Refusal::CsvlkLimit) => CidAnswer::NotAvailable,
            Err(Refusal::LimitExceeded) => CidAnswer::Refused {
                code: MAK_LIMIT_EXCEEDED,
                detail: "MAK activation limit exceeded (simulated service)".into(),
            },
            Err(Refusal::InvalidIid) => CidAnswer::Refused {
                code: INVALID_IID,
                detail: "invalid Installation ID (simulated service)".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";

    fn ask(source: &mut SimulatedCidSource, iid: &str) -> CidAnswer {
        source.confirmation_id(&CidRequest {
            installation_id: iid.to_owned(),
            product_key_id: None,
            sku_id: None,
        })
    }

    fn issued(answer: CidAnswer) -> String {
        match answer {
            CidAnswer::Issued { confirmation_id } => confirmation_id,
            other => panic!("expected a CID, got {other:?}"),
        }
    }

    #[test]
    fn a_cid_uses_one_activation_per_new_iid_and_the_same_iid_gets_the_same_cid_for_free() {
        let key = ProductKey::parse(MAK).unwrap();
        let service = SimulatedActivationService::new();
        service.register_mak(&key, "Enterprise", 2);
        let fp = key.fingerprint();
        let a = fictitious::installation_id("hw-a", &fp);
        let b = fictitious::installation_id("hw-b", &fp);
        service.register_iid(&a, &fp);
        service.register_iid(&b, &fp);
        let mut source = service.cid_source();
        let cid_a = issued(ask(&mut source, &a));
        assert_eq!(service.remaining(&key), Some(1));
        // Any grouping of the same IID is the same installation.
        assert_eq!(issued(ask(&mut source, &digits(&a))), cid_a);
        assert_eq!(service.remaining(&key), Some(1));
        let cid_b = issued(ask(&mut source, &b));
        assert_ne!(cid_a, cid_b);
        assert_eq!(service.remaining(&key), Some(0));
        assert!(volact_core::ids::ConfirmationId::parse(&cid_b).is_ok());
        assert!(service.accepts(&a, &cid_a));
        assert!(!service.accepts(&a, &cid_b));
        assert_eq!(service.activated_installations(), 2);
        assert_eq!(source.requests(), 3);
    }

    #[test]
    fn an_exhausted_mak_is_refused_with_0x7f_and_unknown_iids_are_not_available() {
        let key = ProductKey::parse(MAK).unwrap();
        let service = SimulatedActivationService::new();
        service.register_mak(&key, "Enterprise", 0);
        let fp = key.fingerprint();
        let iid = fictitious::installation_id("hw", &fp);
        service.register_iid(&iid, &fp);
        let mut source = service.cid_source();
        assert!(matches!(
            ask(&mut source, &iid),
            CidAnswer::Refused {
                code: MAK_LIMIT_EXCEEDED,
                ..
            }
        ));
        assert!(!service.accepts(&iid, &fictitious::confirmation_id(b"x", "1")));
        // An IID made with a key the service does not know (a GVLK, a retail image key).
        let other = fictitious::installation_id("hw", "not a registered MAK");
        service.register_iid(&other, "not a registered MAK");
        assert_eq!(ask(&mut source, &other), CidAnswer::NotAvailable);
        assert!(matches!(
            ask(&mut source, "123-456"),
            CidAnswer::Refused {
                code: INVALID_IID,
                ..
            }
        ));
        assert_eq!(service.remaining(&key), Some(0));
    }

    #[test]
    fn services_with_other_seeds_issue_other_cids() {
        let key = ProductKey::parse(MAK).unwrap();
        let fp = key.fingerprint();
        let iid = fictitious::installation_id("hw", &fp);
        let cids: Vec<String> = [1, 2]
            .into_iter()
            .map(|seed| {
                let s = SimulatedActivationService::with_seed(seed);
                s.register_mak(&key, "Enterprise", 1);
                s.register_iid(&iid, &fp);
                issued(ask(&mut s.cid_source(), &iid))
            })
            .collect();
        assert_ne!(cids[0], cids[1]);
    }
}
