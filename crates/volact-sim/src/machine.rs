//! [`SimulatedMachine`]: one Windows machine with one Windows product, implementing
//! [`ActivationTarget`] by volact's licensing model.
//!
//! - Fresh from its image it runs the image's key: the edition's published GVLK where
//!   Microsoft publishes one (volume media install it, facts.md §3), else a retail key of
//!   which the simulation knows only a fictitious partial key. Its status is `OOBGrace` with
//!   the initial grace ([`INITIAL_GRACE`]).
//! - Installing a key (`slmgr /ipk`) puts the product back in `OOBGrace`, changes the IID and
//!   does not activate (`MakInstall::SlmgrIpk`, no automatic attempt). The simulated Windows
//!   knows the published GVLKs and the MAKs registered with its
//!   [`SimulatedActivationService`]; any other key, a MAK on an edition with no volume
//!   channel ([`has_volume_channel`]) or a key of another edition is refused.
//! - `activate` (`slmgr /ato`) needs the machine's Internet flag and a MAK with activations
//!   left; a deposited CID (`slmgr /atp`) must be the service's CID for the machine's
//!   **current** IID. Either makes the product `Licensed`.
//! - KMS (the [`kms`] submodule): a CSVLK registered with the service goes on a Windows
//!   Server edition (a client-group CSVLK on a client edition), and `activate` activates the
//!   host online, within the CSVLK's limits, then registers its SRV records in the
//!   machine's [`SimulatedDns`] as its `DnsDomainPublishList` says. A KMS client (a GVLK)
//!   finds its hosts there through volact's own discovery; `activate` then reports whether
//!   its request could reach a host, and leaves the KMS answer to volact's fleet simulator
//!   (see [`kms`] for why).
//! - [`SimulatedMachine::reimage`] is a fresh install on the same hardware (same name, same
//!   MACs): the image's key again, so reinstalling the same MAK gives the same IID back.
//!   [`SimulatedMachine::change_hardware`] gives it a new hardware id, hence a new IID.
//!
//! The simulation has no clock: grace periods are set, not counted down. Its IDs are
//! fictitious ([`fictitious`]).
//!
//! Error codes are those of volact's table ([`volact_core::license::error_code`]) or of
//! research/vamt.md, used for what they mean there:
//! - 0xC004F04D: the CID does not fit the IID (SLDepositOfflineConfirmationIdEx, vamt.md §5);
//! - 0xC004F02C: the CID is not one (offline activation data in the wrong format, S8);
//! - 0xC004F050: "the product key is invalid" (S8) for a key this Windows cannot take —
//!   unknown to it, of another edition, or a MAK on a retail edition. The table has no code
//!   of its own for "key of another edition"; this one's fix ("install the right key for
//!   this version") is the one that applies;
//! - 0xC004C020: the MAK has exceeded its activation limit (S8), on online activation;
//! - 0xC004C001: the activation server does not know the key (S8);
//! - 0xC004F074: no KMS host could be contacted (S8): none is named or found in DNS;
//! - 0xC004C008: the CSVLK could not be used: it has activated its six computers (S8).
//!
//! No Internet has no code in the table: it is a [`TargetError::Other`] that says so.

pub mod kms;

use crate::dns::SimulatedDns;
use crate::fictitious;
use crate::service::{Refusal, SimulatedActivationService};
use std::collections::HashMap;
use volact_core::catalog::Channel;
use volact_core::ids::{self, IdKind};
use volact_core::key::ProductKey;
use volact_core::license::policy::{INITIAL_GRACE, OOT_GRACE};
use volact_core::license::{LicenseStatus, Minutes};
use volact_core::srv::discovery::{Discovery, HostPort};
use volact_core::workflow::edition::{gvlk_for, has_volume_channel};
use volact_core::workflow::{
    ActivationTarget, LicensingValue, MachineInfo, NetworkType, RegistryData, TargetError,
    TargetProduct, WINDOWS_APPLICATION_ID,
};

/// 0xC004F04D: the Confirmation ID does not fit the Installation ID.
pub const CID_DOES_NOT_FIT: u32 = 0xC004_F04D;
/// 0xC004F02C: the offline activation data (the CID) is not in the right format.
pub const CID_FORMAT: u32 = 0xC004_F02C;
/// 0xC004F050: the product key is invalid (here: this Windows cannot take it).
pub const KEY_INVALID: u32 = 0xC004_F050;
/// 0xC004C020: the MAK has exceeded its activation limit.
pub const MAK_LIMIT: u32 = 0xC004_C020;
/// 0xC004C001: the activation server determined the product key is invalid.
pub const SERVER_KEY_INVALID: u32 = 0xC004_C001;
/// 0xC004F074: no Key Management Service could be contacted.
pub const NO_KMS: u32 = 0xC004_F074;
/// 0xC004C008: the activation server determined the product key (a CSVLK) could not be used.
pub const CSVLK_LIMIT: u32 = 0xC004_C008;

/// The key a machine runs, as the simulation knows it: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq)]
struct InstalledKey {
    /// The key's fingerprint, or a label for an image key the simulation has no key for.
    id: String,
    partial: String,
    channel: Channel,
    group: u32,
    serial: u32,
}

impl InstalledKey {
    fn of(key: &ProductKey, channel: Channel) -> Self {
        let (group, serial) = key.pkey2009().map_or((0, 0), |f| (f.group_id, f.serial));
        InstalledKey {
            id: key.fingerprint(),
            partial: key.partial().to_owned(),
            channel,
            group,
            serial,
        }
    }

    /// The key a fresh install from the edition's media has.
    fn image(family: &str, edition_id: &str) -> Self {
        if let Some(key) = gvlk_for(family, edition_id).and_then(|r| ProductKey::parse(r.key).ok())
        {
            return InstalledKey::of(&key, Channel::VolumeGvlk);
        }
        let label = format!("retail image key of {family} {edition_id}");
        InstalledKey {
            partial: fictitious::partial_key(&label),
            id: label,
            channel: Channel::Retail,
            group: 0,
            serial: 0,
        }
    }
}

/// A simulated Windows machine (see the module doc).
#[derive(Debug)]
pub struct SimulatedMachine {
    name: String,
    network_type: NetworkType,
    network_name: String,
    os_version: String,
    family: String,
    edition_id: String,
    hardware_generation: u32,
    service: SimulatedActivationService,
    internet: bool,
    reachable: bool,
    key: InstalledKey,
    status: LicenseStatus,
    grace: Minutes,
    lookup_domain: Option<String>,
    host_caching: bool,
    registry: HashMap<LicensingValue, RegistryData>,
    deposit_attempts: u32,
    deposits_accepted: u32,
    dns: SimulatedDns,
    suffix_search_list: Vec<String>,
    kms_requests: Vec<Discovery>,
    srv_failures: Vec<String>,
}

fn default_os_version(family: &str) -> &'static str {
    match family {
        "Windows 11" => "10.0.22631",
        "Windows 10" => "10.0.19045",
        _ => "10.0.20348",
    }
}

fn licensing(code: u32, detail: impl Into<String>) -> TargetError {
    TargetError::Licensing {
        code,
        detail: detail.into(),
    }
}

impl SimulatedMachine {
    /// A machine named `name` in the default workgroup `WORKGROUP`, fresh from the image of
    /// `family` (e.g. `Windows 11`) and `edition_id` (e.g. `Enterprise`, `Core`), without
    /// Internet, answering volact, and licensed through `service`.
    pub fn new(
        name: &str,
        family: &str,
        edition_id: &str,
        service: &SimulatedActivationService,
    ) -> Self {
        SimulatedMachine {
            name: name.to_owned(),
            network_type: NetworkType::Workgroup,
            network_name: "WORKGROUP".to_owned(),
            os_version: default_os_version(family).to_owned(),
            family: family.to_owned(),
            edition_id: edition_id.to_owned(),
            hardware_generation: 0,
            service: service.clone(),
            internet: false,
            reachable: true,
            key: InstalledKey::image(family, edition_id),
            status: LicenseStatus::OOBGrace,
            grace: INITIAL_GRACE,
            lookup_domain: None,
            host_caching: true,
            registry: HashMap::new(),
            deposit_attempts: 0,
            deposits_accepted: 0,
            dns: SimulatedDns::new(),
            suffix_search_list: Vec::new(),
            kms_requests: Vec::new(),
            srv_failures: Vec::new(),
        }
    }

    /// The machine in workgroup `name` (VAMT's "Workgroup" option, the seed's proxy step 2.3).
    pub fn in_workgroup(mut self, name: &str) -> Self {
        self.network_type = NetworkType::Workgroup;
        self.network_name = name.to_owned();
        self
    }

    /// The machine joined to the Active Directory domain `name`: its primary DNS suffix.
    pub fn in_domain(mut self, name: &str) -> Self {
        self.network_type = NetworkType::Domain;
        self.network_name = name.to_owned();
        self
    }

    /// The machine with or without Internet access.
    pub fn with_internet(mut self, internet: bool) -> Self {
        self.internet = internet;
        self
    }

    /// Gives or takes Internet access.
    pub fn set_internet(&mut self, internet: bool) {
        self.internet = internet;
    }

    /// Makes the machine answer volact or not (powered off, WMI blocked): when it does not,
    /// every [`ActivationTarget`] method fails with [`TargetError::Unreachable`].
    pub fn set_reachable(&mut self, reachable: bool) {
        self.reachable = reachable;
    }

    /// The computer name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fictitious hardware id.
    pub fn hardware_id(&self) -> String {
        fictitious::hardware_id(&self.name, self.hardware_generation)
    }

    /// The Windows product's current Installation ID (fictitious, 63 digits).
    pub fn installation_id(&self) -> String {
        fictitious::installation_id(&self.hardware_id(), &self.key.id)
    }

    /// The Windows product's license status.
    pub fn license_status(&self) -> LicenseStatus {
        self.status
    }

    /// The channel of the installed key.
    pub fn channel(&self) -> &Channel {
        &self.key.channel
    }

    /// The Activation ID of the machine's Windows product: fictitious, fixed per family and
    /// edition (real Activation IDs are Microsoft's SKU ids; these are not).
    pub fn activation_id(&self) -> String {
        fictitious::guid("activation id", &[&self.family, &self.edition_id])
    }

    /// The KMS host set by name (`slmgr /skms`), read back from the registry values.
    pub fn kms_host(&self) -> Option<HostPort> {
        let host = match self.registry.get(&LicensingValue::KeyManagementServiceName) {
            Some(RegistryData::String(h)) => h.clone(),
            _ => return None,
        };
        let text = match self.registry.get(&LicensingValue::KeyManagementServicePort) {
            Some(RegistryData::String(p)) => format!("{host}:{p}"),
            _ => host,
        };
        HostPort::parse(&text).ok()
    }

    /// The SRV lookup domain (`slmgr /skms-domain`).
    pub fn kms_lookup_domain(&self) -> Option<&str> {
        self.lookup_domain.as_deref()
    }

    /// Whether KMS host caching is on (`/skhc`, the default) or off (`/ckhc`).
    pub fn host_caching(&self) -> bool {
        self.host_caching
    }

    /// How many CID deposits were attempted on the machine (accepted or not).
    pub fn deposit_attempts(&self) -> u32 {
        self.deposit_attempts
    }

    /// How many CID deposits were accepted.
    pub fn deposits_accepted(&self) -> u32 {
        self.deposits_accepted
    }

    /// A fresh install on the same hardware, under the same name: the image's key, initial
    /// grace, licensing settings and registry values gone.
    pub fn reimage(&mut self) {
        self.key = InstalledKey::image(&self.family, &self.edition_id);
        self.status = LicenseStatus::OOBGrace;
        self.grace = INITIAL_GRACE;
        self.lookup_domain = None;
        self.host_caching = true;
        self.registry.clear();
        self.kms_requests.clear();
        self.srv_failures.clear();
        self.key_or_hardware_changed();
    }

    /// New hardware (a new motherboard, say): a new hardware id, so a new IID. An activated
    /// product goes out of tolerance (`OOTGrace`, 0xC004F00F "hardware ID binding is beyond
    /// level of tolerance", S8) with the out-of-tolerance grace.
    pub fn change_hardware(&mut self) {
        self.hardware_generation += 1;
        if self.status == LicenseStatus::Licensed {
            self.status = LicenseStatus::OOTGrace;
            self.grace = OOT_GRACE;
        }
        self.key_or_hardware_changed();
    }

    /// The IID changed: the service learns which key made it (the simulation of Microsoft
    /// decoding the IID; see [`crate::service`]).
    fn key_or_hardware_changed(&self) {
        self.service
            .register_iid(&self.installation_id(), &self.key.id);
    }

    fn answer(&self) -> Result<(), TargetError> {
        if self.reachable {
            Ok(())
        } else {
            Err(TargetError::Unreachable {
                detail: format!("{}: the RPC server is unavailable (simulated)", self.name),
            })
        }
    }

    fn check_product(&self, activation_id: &str) -> Result<(), TargetError> {
        if activation_id.eq_ignore_ascii_case(&self.activation_id()) {
            Ok(())
        } else {
            Err(TargetError::NoSuchProduct {
                activation_id: activation_id.to_owned(),
            })
        }
    }

    fn no_internet(&self) -> TargetError {
        TargetError::Other {
            detail: format!(
                "{}: no Internet connection, the activation server cannot be reached (simulated)",
                self.name
            ),
        }
    }

    /// What the simulated Windows makes of a key for its edition: the channel, or why not.
    fn accept_key(&self, key: &ProductKey) -> Result<Channel, TargetError> {
        let (family, edition) = (&self.family, &self.edition_id);
        if !volact_core::catalog::rows_for_key(key).is_empty() {
            let own = gvlk_for(family, edition).and_then(|r| ProductKey::parse(r.key).ok());
            return if own.as_ref() == Some(key) {
                Ok(Channel::VolumeGvlk)
            } else {
                Err(licensing(
                    KEY_INVALID,
                    format!("the KMS client setup key is not the one of {family} {edition}"),
                ))
            };
        }
        if let Some(group) = self.service.csvlk_group(&key.fingerprint()) {
            return self.accept_csvlk(group);
        }
        let Some(mak_edition) = self.service.mak_edition(&key.fingerprint()) else {
            return Err(licensing(
                KEY_INVALID,
                "the simulated licensing service does not know this key",
            ));
        };
        if has_volume_channel(family, edition) == Some(false) {
            return Err(licensing(
                KEY_INVALID,
                format!(
                    "{family} {edition} is a retail edition with no volume channel: a MAK cannot be installed"
                ),
            ));
        }
        if !mak_edition.eq_ignore_ascii_case(edition) {
            return Err(licensing(
                KEY_INVALID,
                format!("the MAK is for edition {mak_edition}, this machine runs {edition}"),
            ));
        }
        Ok(Channel::VolumeMak)
    }
}

impl ActivationTarget for SimulatedMachine {
    fn machine(&mut self) -> Result<MachineInfo, TargetError> {
        self.answer()?;
        Ok(MachineInfo {
            name: self.name.clone(),
            network_type: self.network_type,
            network_name: self.network_name.clone(),
            os_version: self.os_version.clone(),
            mac_addresses: vec![fictitious::mac_address(&self.name)],
        })
    }

    fn products(&mut self) -> Result<Vec<TargetProduct>, TargetError> {
        self.answer()?;
        let volume = matches!(
            self.key.channel,
            Channel::VolumeMak | Channel::VolumeGvlk | Channel::VolumeCsvlk
        );
        let build = self
            .os_version
            .rsplit('.')
            .next()
            .and_then(|b| b.parse().ok())
            .unwrap_or(0);
        Ok(vec![TargetProduct {
            activation_id: self.activation_id(),
            application_id: WINDOWS_APPLICATION_ID.to_owned(),
            name: format!("Windows(R), {} edition", self.edition_id),
            family: self.family.clone(),
            edition_id: self.edition_id.clone(),
            channel: self.key.channel.clone(),
            license_status: self.status,
            grace_remaining: if self.status == LicenseStatus::Licensed {
                Minutes(0)
            } else {
                self.grace
            },
            installation_id: Some(self.installation_id()),
            product_key_id: Some(fictitious::extended_pid(
                self.key.group,
                self.key.serial,
                if volume { 3 } else { 0 },
                build,
            )),
            partial_product_key: Some(self.key.partial.clone()),
        }])
    }

    fn install_product_key(&mut self, key: &ProductKey) -> Result<(), TargetError> {
        self.answer()?;
        let channel = self.accept_key(key)?;
        self.key = InstalledKey::of(key, channel);
        self.status = LicenseStatus::OOBGrace;
        self.grace = INITIAL_GRACE;
        self.key_or_hardware_changed();
        Ok(())
    }

    fn activate(&mut self, activation_id: &str) -> Result<(), TargetError> {
        self.answer()?;
        self.check_product(activation_id)?;
        match self.key.channel {
            Channel::VolumeGvlk => return self.request_kms_activation(),
            _ if !self.internet => return Err(self.no_internet()),
            Channel::VolumeMak => {}
            Channel::VolumeCsvlk => return self.activate_kms_host(),
            _ => {
                return Err(TargetError::Other {
                    detail: "the simulation activates only MAKs and KMS hosts online".into(),
                });
            }
        }
        match self.service.activate(&self.installation_id()) {
            Ok(_) => {
                self.status = LicenseStatus::Licensed;
                Ok(())
            }
            Err(Refusal::LimitExceeded) => Err(licensing(
                MAK_LIMIT,
                "the MAK has exceeded its activation limit (simulated service)",
            )),
            Err(Refusal::UnknownIid | Refusal::InvalidIid | Refusal::CsvlkLimit) => Err(licensing(
                SERVER_KEY_INVALID,
                "the simulated activation server does not know this key",
            )),
        }
    }

    fn deposit_confirmation_id(
        &mut self,
        activation_id: &str,
        installation_id: &str,
        confirmation_id: &str,
    ) -> Result<(), TargetError> {
        self.answer()?;
        self.check_product(activation_id)?;
        self.deposit_attempts += 1;
        let check = ids::check(confirmation_id);
        if check
            .format
            .is_none_or(|f| f.kind != IdKind::ConfirmationId)
        {
            return Err(licensing(
                CID_FORMAT,
                "the Confirmation ID is not in the right format",
            ));
        }
        let current = self.installation_id();
        let digits = |t: &str| -> String { t.chars().filter(char::is_ascii_digit).collect() };
        if digits(installation_id) != digits(&current) {
            return Err(licensing(
                CID_DOES_NOT_FIT,
                "the Installation ID given is not this product's current one",
            ));
        }
        if !self.service.accepts(&current, confirmation_id) {
            return Err(licensing(
                CID_DOES_NOT_FIT,
                "the Confirmation ID does not fit this product's Installation ID",
            ));
        }
        self.status = LicenseStatus::Licensed;
        self.deposits_accepted += 1;
        Ok(())
    }

    fn set_kms_host(&mut self, host: Option<&HostPort>) -> Result<(), TargetError> {
        self.answer()?;
        // slmgr /skms writes the two registry values; /ckms deletes them.
        self.registry
            .remove(&LicensingValue::KeyManagementServiceName);
        self.registry
            .remove(&LicensingValue::KeyManagementServicePort);
        if let Some(h) = host {
            if let Some(name) = h.host() {
                self.registry.insert(
                    LicensingValue::KeyManagementServiceName,
                    RegistryData::String(name.to_owned()),
                );
            }
            if let Some(port) = h.port() {
                self.registry.insert(
                    LicensingValue::KeyManagementServicePort,
                    RegistryData::String(port.to_string()),
                );
            }
        }
        Ok(())
    }

    fn set_kms_lookup_domain(&mut self, domain: Option<&str>) -> Result<(), TargetError> {
        self.answer()?;
        self.lookup_domain = domain.map(str::to_owned);
        Ok(())
    }

    fn set_host_caching(&mut self, enabled: bool) -> Result<(), TargetError> {
        self.answer()?;
        self.host_caching = enabled;
        Ok(())
    }

    fn read_value(&mut self, value: LicensingValue) -> Result<Option<RegistryData>, TargetError> {
        self.answer()?;
        Ok(self.registry.get(&value).cloned())
    }

    fn write_value(
        &mut self,
        value: LicensingValue,
        data: Option<&RegistryData>,
    ) -> Result<(), TargetError> {
        self.answer()?;
        match data {
            None => {
                self.registry.remove(&value);
            }
            Some(d) if d.kind() != value.kind() => {
                return Err(TargetError::Other {
                    detail: format!(
                        "{} is a {:?} value, not {:?}",
                        value.name(),
                        value.kind(),
                        d.kind()
                    ),
                });
            }
            Some(d) => {
                self.registry.insert(value, d.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
