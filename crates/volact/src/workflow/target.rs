//! [`ActivationTarget`]: what volact needs from one Windows machine, implemented by the
//! embedding product over WMI/CIM, its own agent, or (in tests) `volact-sim`.
//!
//! The operations are exactly the ones VAMT and `slmgr.vbs` perform (facts.md §4.4, §5.2;
//! research/vamt.md §6): read the machine and its `SoftwareLicensingProduct`s, install a key
//! (`InstallProductKey`, which silently replaces the key), activate online (`Activate`),
//! deposit a CID (`DepositOfflineConfirmationId(IID, CID)`), set or clear the KMS host and
//! lookup domain, host caching, and the licensing registry values the seed uses.

use crate::catalog::Channel;
use crate::key::ProductKey;
use crate::license::{LicenseStatus, Minutes};
use crate::srv::discovery::HostPort;
use std::fmt;

/// How a machine is joined: VAMT's `NetworkType` (research/vamt.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum NetworkType {
    /// A member of an Active Directory domain.
    Domain,
    /// A workgroup machine: needs `LocalAccountTokenFilterPolicy` for remote administration.
    Workgroup,
}

impl NetworkType {
    /// `Domain` or `Workgroup`, as a CIL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkType::Domain => "Domain",
            NetworkType::Workgroup => "Workgroup",
        }
    }
}

/// The machine as VAMT's "Add Computers" and "Refresh Computer Status" see it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MachineInfo {
    /// The computer name (the seed redeploys reimaged machines under the same names).
    pub name: String,
    /// Domain or workgroup.
    pub network_type: NetworkType,
    /// The domain or workgroup name.
    pub network_name: String,
    /// The OS version, e.g. `10.0.22631`.
    pub os_version: String,
    /// MAC addresses, used by CIL merges to tell workgroup machines apart.
    pub mac_addresses: Vec<String>,
}

/// One `SoftwareLicensingProduct` that has a key installed (facts.md §5.2).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetProduct {
    /// `ID`: the Activation ID (SKU id) that `slmgr /ato`, `/dti`, `/atp` take.
    pub activation_id: String,
    /// `ApplicationID`: Windows `55c92734-d682-4d71-983e-d6ec3f16059f` (facts.md §4.3).
    pub application_id: String,
    /// `Name`, e.g. `Windows(R), Professional edition`.
    pub name: String,
    /// The product family as Microsoft's key tables head it, e.g. `Windows 11`.
    pub family: String,
    /// The Windows `EditionID` (pkeyconfig `EditionId`), e.g. `Professional`.
    pub edition_id: String,
    /// `ProductKeyChannel`: `Retail`, `OEM:DM`, `Volume:GVLK`, `Volume:MAK`, …
    #[serde(with = "channel_text")]
    pub channel: Channel,
    /// `LicenseStatus`.
    #[serde(with = "status_number")]
    pub license_status: LicenseStatus,
    /// `GracePeriodRemaining`, in minutes.
    pub grace_remaining: Minutes,
    /// `OfflineInstallationId`: the IID for proxy or phone activation.
    pub installation_id: Option<String>,
    /// `ProductKeyID`: the extended product ID.
    pub product_key_id: Option<String>,
    /// `PartialProductKey`: the last five key symbols.
    pub partial_product_key: Option<String>,
}

impl fmt::Debug for TargetProduct {
    /// The IID is a machine fingerprint: shown by length only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetProduct")
            .field("activation_id", &self.activation_id)
            .field("name", &self.name)
            .field("family", &self.family)
            .field("edition_id", &self.edition_id)
            .field("channel", &self.channel.product_key_type())
            .field("license_status", &self.license_status)
            .field("grace_remaining", &self.grace_remaining)
            .field(
                "installation_id",
                &self
                    .installation_id
                    .as_ref()
                    .map(|i| format!("<{} chars>", i.len())),
            )
            .field("partial_product_key", &self.partial_product_key)
            .finish()
    }
}

/// The Windows application id: `slmgr.vbs` and WMI (facts.md §4.3, S13).
pub const WINDOWS_APPLICATION_ID: &str = "55c92734-d682-4d71-983e-d6ec3f16059f";

/// The licensing registry values the seed and its Table 6 set, under
/// `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform` (facts.md
/// §4.2, §4.3; S9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LicensingValue {
    /// `KeyManagementServiceName` (REG_SZ): a KMS host set by name.
    KeyManagementServiceName,
    /// `KeyManagementServicePort` (REG_SZ): its port (default 1688).
    KeyManagementServicePort,
    /// `DnsDomainPublishList` (REG_MULTI_SZ, KMS host): `domain, priority, weight` lines.
    DnsDomainPublishList,
    /// `DisableDnsPublishing` (DWORD, KMS host): 1 stops SRV publishing.
    DisableDnsPublishing,
    /// `KeyManagementServiceListeningPort` (REG_SZ, KMS host): the port it listens on
    /// (default 1688; `slmgr /sprt`).
    KeyManagementServiceListeningPort,
    /// `Activation\AlternateURL` (REG_SZ): the help-desk URL Table 6 sets on clients.
    AlternateUrl,
    /// `Activation\Manual` (DWORD): 1 disables automatic activation (MAK and hosts).
    ActivationManual,
}

impl LicensingValue {
    /// Every value.
    pub const ALL: [LicensingValue; 7] = [
        LicensingValue::KeyManagementServiceName,
        LicensingValue::KeyManagementServicePort,
        LicensingValue::DnsDomainPublishList,
        LicensingValue::DisableDnsPublishing,
        LicensingValue::KeyManagementServiceListeningPort,
        LicensingValue::AlternateUrl,
        LicensingValue::ActivationManual,
    ];

    /// The path under `SoftwareProtectionPlatform` (a subkey and `\`, or nothing) and the
    /// value name.
    pub fn path(self) -> (&'static str, &'static str) {
        match self {
            LicensingValue::KeyManagementServiceName => ("", "KeyManagementServiceName"),
            LicensingValue::KeyManagementServicePort => ("", "KeyManagementServicePort"),
            LicensingValue::DnsDomainPublishList => ("", "DnsDomainPublishList"),
            LicensingValue::DisableDnsPublishing => ("", "DisableDnsPublishing"),
            LicensingValue::KeyManagementServiceListeningPort => {
                ("", "KeyManagementServiceListeningPort")
            }
            LicensingValue::AlternateUrl => ("Activation", "AlternateURL"),
            LicensingValue::ActivationManual => ("Activation", "Manual"),
        }
    }

    /// The value's registry type.
    pub fn kind(self) -> RegistryKind {
        match self {
            LicensingValue::KeyManagementServiceName
            | LicensingValue::KeyManagementServicePort
            | LicensingValue::KeyManagementServiceListeningPort
            | LicensingValue::AlternateUrl => RegistryKind::String,
            LicensingValue::DnsDomainPublishList => RegistryKind::MultiString,
            LicensingValue::DisableDnsPublishing | LicensingValue::ActivationManual => {
                RegistryKind::Dword
            }
        }
    }

    /// The value's name, e.g. `AlternateURL`.
    pub fn name(self) -> &'static str {
        self.path().1
    }

    /// Reads a value name (`KeyManagementServiceName`, `Activation\AlternateURL`,
    /// case-insensitive; the subkey may be left out).
    pub fn parse(text: &str) -> Option<LicensingValue> {
        let name = text.rsplit('\\').next().unwrap_or(text);
        LicensingValue::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(name))
    }
}

/// A registry value's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RegistryKind {
    /// `REG_SZ`.
    String,
    /// `REG_MULTI_SZ`.
    MultiString,
    /// `REG_DWORD`.
    Dword,
}

/// A registry value's data.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RegistryData {
    /// `REG_SZ`.
    String(String),
    /// `REG_MULTI_SZ`.
    MultiString(Vec<String>),
    /// `REG_DWORD`.
    Dword(u32),
}

impl RegistryData {
    /// The data's type.
    pub fn kind(&self) -> RegistryKind {
        match self {
            RegistryData::String(_) => RegistryKind::String,
            RegistryData::MultiString(_) => RegistryKind::MultiString,
            RegistryData::Dword(_) => RegistryKind::Dword,
        }
    }
}

/// Why an operation on a target failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetError {
    /// The machine did not answer (offline, WMI blocked by the firewall: the seed's
    /// preflight).
    #[error("unreachable: {detail}")]
    Unreachable {
        /// What the embedder saw.
        detail: String,
    },
    /// Remote administration was refused (credentials, or UAC remote restrictions on a
    /// workgroup machine without `LocalAccountTokenFilterPolicy`).
    #[error("access denied: {detail}")]
    AccessDenied {
        /// What the embedder saw.
        detail: String,
    },
    /// The licensing service returned an error code (an HRESULT such as 0xC004F04D).
    #[error("licensing error 0x{code:08X}: {detail}")]
    Licensing {
        /// The HRESULT, as `volact explain` reads it.
        code: u32,
        /// What the embedder saw.
        detail: String,
    },
    /// No product with this Activation ID on the machine.
    #[error("no product with Activation ID {activation_id}")]
    NoSuchProduct {
        /// The Activation ID asked for.
        activation_id: String,
    },
    /// Anything else the embedder reports.
    #[error("{detail}")]
    Other {
        /// What the embedder saw.
        detail: String,
    },
}

impl TargetError {
    /// The stable kind names, in the order foreign implementations number them (C
    /// `VOLACT_TARGET_ERROR_*`, Python and C# enums): 0 unreachable, 1 access_denied,
    /// 2 licensing, 3 no_such_product, 4 other.
    pub const KINDS: [&'static str; 5] = [
        "unreachable",
        "access_denied",
        "licensing",
        "no_such_product",
        "other",
    ];

    /// The kind's stable name (one of [`TargetError::KINDS`]).
    pub fn kind_name(&self) -> &'static str {
        match self {
            TargetError::Unreachable { .. } => "unreachable",
            TargetError::AccessDenied { .. } => "access_denied",
            TargetError::Licensing { .. } => "licensing",
            TargetError::NoSuchProduct { .. } => "no_such_product",
            TargetError::Other { .. } => "other",
        }
    }

    /// The error a foreign implementation reports: a kind number (see
    /// [`TargetError::KINDS`]; an unknown number reads as `other`), the HRESULT for
    /// `licensing`, and the text (for `no_such_product`, the Activation ID).
    pub fn from_parts(kind: u32, code: u32, detail: String) -> TargetError {
        match kind {
            0 => TargetError::Unreachable { detail },
            1 => TargetError::AccessDenied { detail },
            2 => TargetError::Licensing { code, detail },
            3 => TargetError::NoSuchProduct {
                activation_id: detail,
            },
            _ => TargetError::Other { detail },
        }
    }

    /// The licensing HRESULT, when there is one.
    pub fn code(&self) -> Option<u32> {
        match self {
            TargetError::Licensing { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// What volact needs from one Windows machine. An embedding product implements it over
/// WMI/CIM (`SoftwareLicensingService`, `SoftwareLicensingProduct`) or its own agent; the C,
/// Python and C# bindings let foreign code implement it. Every method may fail with a
/// [`TargetError`]; the workflows record the failure against the machine and go on with the
/// others, as VAMT's "Status of Last Action" column does.
pub trait ActivationTarget {
    /// The machine's name, network and addresses.
    fn machine(&mut self) -> Result<MachineInfo, TargetError>;

    /// The products with a key installed (VAMT's "Refresh Computer Status").
    fn products(&mut self) -> Result<Vec<TargetProduct>, TargetError>;

    /// Installs a key, replacing the one installed for its edition (`slmgr /ipk`,
    /// `SoftwareLicensingService.InstallProductKey`). Does not activate.
    fn install_product_key(&mut self, key: &ProductKey) -> Result<(), TargetError>;

    /// Online activation of one product (`slmgr /ato ActID`,
    /// `SoftwareLicensingProduct.Activate`).
    fn activate(&mut self, activation_id: &str) -> Result<(), TargetError>;

    /// Deposits a CID for the IID it was issued for (`slmgr /atp CID ActID`,
    /// `SoftwareLicensingProduct.DepositOfflineConfirmationId`); 0xC004F04D when they do not
    /// belong together.
    fn deposit_confirmation_id(
        &mut self,
        activation_id: &str,
        installation_id: &str,
        confirmation_id: &str,
    ) -> Result<(), TargetError>;

    /// Sets (`Some`: `slmgr /skms`) or clears (`None`: `/ckms`) the KMS host and port.
    fn set_kms_host(&mut self, host: Option<&HostPort>) -> Result<(), TargetError>;

    /// Sets (`/skms-domain`) or clears (`/ckms-domain`) the SRV lookup domain.
    fn set_kms_lookup_domain(&mut self, domain: Option<&str>) -> Result<(), TargetError>;

    /// Enables (`/skhc`, the default) or disables (`/ckhc`) KMS host caching.
    fn set_host_caching(&mut self, enabled: bool) -> Result<(), TargetError>;

    /// Reads a licensing registry value; `None` when it is not set.
    fn read_value(&mut self, value: LicensingValue) -> Result<Option<RegistryData>, TargetError>;

    /// Writes (`Some`) or deletes (`None`) a licensing registry value.
    fn write_value(
        &mut self,
        value: LicensingValue,
        data: Option<&RegistryData>,
    ) -> Result<(), TargetError>;
}

/// `Channel` as its `ProductKeyType` text in JSON.
mod channel_text {
    use crate::catalog::Channel;
    pub fn serialize<S: serde::Serializer>(c: &Channel, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&c.product_key_type())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Channel, D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        Ok(Channel::parse(&text))
    }
}

/// `LicenseStatus` as its WMI number in JSON.
mod status_number {
    use crate::license::LicenseStatus;
    pub fn serialize<S: serde::Serializer>(v: &LicenseStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(v.to_wmi())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<LicenseStatus, D::Error> {
        let n: u32 = serde::Deserialize::deserialize(d)?;
        LicenseStatus::from_wmi(n).map_err(serde::de::Error::custom)
    }
}
