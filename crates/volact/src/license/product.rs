//! What a KMS client runs, and which client products a KMS host key (CSVLK) may activate.
//!
//! Two generations of CSVLK rules (facts.md §5.4):
//!
//! - **Vista/7 era** (S19, the seed's "KMS B key"): keys come in groups **Client VL**,
//!   **Server Group A** (Web, HPC), **B** (Standard, Enterprise) and **C** (Datacenter,
//!   Itanium). A key activates its own group and every less inclusive one (Client VL <
//!   A < B < C), and a Windows 7 / 2008 R2 key also activates the Vista / 2008 generation.
//! - **2016 and later** (S5 "KMS activation planning", its "Activation versions" tables):
//!   "Volume License for Windows Server 2025/2022/2019/2016" and "Volume license for
//!   Windows 10", each with an explicit list of Windows versions it activates.
//!
//! Office has its own CSVLK per version: "activate a KMS host key for each version of
//! Office" (S3, "Configure a KMS host computer"). Whether a request can be served depends
//! only on the host's keys; many CSVLKs are pkey2005 keys whose group cannot be decoded
//! (facts.md §1.1, §5.4), so a scenario **declares** its host's key group.
//!
//! ```
//! use volact::license::product::*;
//! let b7 = Csvlk::Legacy { generation: LegacyGeneration::Windows7, group: LegacyGroup::ServerB };
//! assert!(b7.activates(ClientProduct::Windows(ClientRelease::Windows7)));
//! assert!(b7.activates(ClientProduct::Server { release: ServerRelease::Server2008, group: ServerGroup::A }));
//! assert!(!b7.activates(ClientProduct::Server { release: ServerRelease::Server2008R2, group: ServerGroup::C }));
//! ```

use super::policy::{CLIENT_OS_THRESHOLD, OFFICE_THRESHOLD, SERVER_THRESHOLD};
use std::fmt;

/// Windows client releases with volume (KMS client) editions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ClientRelease {
    /// Windows Vista Business / Enterprise.
    WindowsVista,
    /// Windows 7 Professional / Enterprise.
    Windows7,
    /// Windows 8 Pro / Enterprise: in none of the S5 tables, so no modelled key activates it.
    Windows8,
    /// Windows 8.1 Pro / Enterprise.
    Windows81,
    /// Windows 10 (Pro, Enterprise, Education, LTSB/LTSC…).
    Windows10,
    /// Windows 11 (Pro, Enterprise, Education…).
    Windows11,
}

/// Windows Server releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ServerRelease {
    /// Windows Server 2008.
    Server2008,
    /// Windows Server 2008 R2.
    Server2008R2,
    /// Windows Server 2012.
    Server2012,
    /// Windows Server 2012 R2.
    Server2012R2,
    /// Windows Server 2016.
    Server2016,
    /// Windows Server Semi-Annual Channel (1709 … 20H2).
    SemiAnnual,
    /// Windows Server 2019.
    Server2019,
    /// Windows Server 2022.
    Server2022,
    /// Windows Server 2025.
    Server2025,
}

/// The Vista/7-era volume group of a server edition (S19): A = Web, HPC; B = Standard,
/// Enterprise; C = Datacenter, Itanium. Newer CSVLKs activate "all editions" (S5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ServerGroup {
    /// Web, HPC / Compute Cluster.
    A,
    /// Standard, Enterprise.
    B,
    /// Datacenter, Itanium.
    C,
}

/// Office releases with volume editions activated by KMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum OfficeRelease {
    /// Office 2010.
    Office2010,
    /// Office 2013.
    Office2013,
    /// Office 2016.
    Office2016,
    /// Office 2019.
    Office2019,
    /// Office LTSC 2021.
    Office2021,
    /// Office LTSC 2024.
    Office2024,
}

/// What a KMS client asks to have activated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ClientProduct {
    /// A Windows client OS.
    Windows(ClientRelease),
    /// A Windows Server OS, with its edition's Vista/7-era group.
    Server {
        /// The release.
        release: ServerRelease,
        /// The edition's group (matters only to Vista/7-era keys).
        group: ServerGroup,
    },
    /// A volume edition of Office (also Project and Visio).
    Office(OfficeRelease),
}

/// The two counts a host keeps: one for Windows (client and server OSs together), one for
/// Office (S3, S5: Office requests count toward the Office threshold).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CountPool {
    /// Windows client and server operating systems, counted together.
    Windows,
    /// Office.
    Office,
}

impl ClientProduct {
    /// The count at which the product activates: 25 for a client OS, 5 for a server OS and
    /// for Office (facts.md §4.1).
    pub const fn threshold(self) -> u32 {
        match self {
            ClientProduct::Windows(_) => CLIENT_OS_THRESHOLD,
            ClientProduct::Server { .. } => SERVER_THRESHOLD,
            ClientProduct::Office(_) => OFFICE_THRESHOLD,
        }
    }

    /// The count this product's requests add to and are judged by.
    pub const fn pool(self) -> CountPool {
        match self {
            ClientProduct::Office(_) => CountPool::Office,
            _ => CountPool::Windows,
        }
    }
}

impl fmt::Display for ClientProduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientProduct::Windows(r) => write!(f, "{r:?}"),
            ClientProduct::Server { release, group } => write!(f, "{release:?} (group {group:?})"),
            ClientProduct::Office(r) => write!(f, "{r:?}"),
        }
    }
}

/// The generation of a Vista/7-era CSVLK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum LegacyGeneration {
    /// Windows Vista / Windows Server 2008.
    Vista,
    /// Windows 7 / Windows Server 2008 R2 (also activates the Vista generation).
    Windows7,
}

/// The group of a Vista/7-era CSVLK, least inclusive first (S19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum LegacyGroup {
    /// Client VL: Vista Business/Enterprise, Windows 7 Professional/Enterprise.
    ClientVl,
    /// Server Group A ("KMS A").
    ServerA,
    /// Server Group B ("KMS B"): the seed's key.
    ServerB,
    /// Server Group C ("KMS C").
    ServerC,
}

/// A KMS host key's group, as the scenario declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Csvlk {
    /// A Vista/7-era key (S19).
    Legacy {
        /// Vista/2008 or 7/2008 R2.
        generation: LegacyGeneration,
        /// Client VL, A, B or C.
        group: LegacyGroup,
    },
    /// "Volume license for Windows 10" (S5).
    Windows10,
    /// "Volume License for Windows Server 2016" (S5).
    Server2016,
    /// "Volume License for Windows Server 2019" (S5).
    Server2019,
    /// "Volume License for Windows Server 2022" (S5).
    Server2022,
    /// "Volume License for Windows Server 2025" (S5).
    Server2025,
    /// The Office KMS host key of one Office version (S3).
    Office(OfficeRelease),
}

impl Csvlk {
    /// Whether a host with this key may activate `product`. Sources in the module docs.
    pub fn activates(self, product: ClientProduct) -> bool {
        use ClientRelease as C;
        use ServerRelease as S;
        match (self, product) {
            (Csvlk::Office(k), ClientProduct::Office(p)) => k == p,
            (Csvlk::Office(_), _) | (_, ClientProduct::Office(_)) => false,
            (Csvlk::Legacy { generation, group }, p) => {
                let (needed, server_group) = match p {
                    ClientProduct::Windows(C::WindowsVista) => (LegacyGeneration::Vista, None),
                    ClientProduct::Windows(C::Windows7) => (LegacyGeneration::Windows7, None),
                    ClientProduct::Server {
                        release: S::Server2008,
                        group,
                    } => (LegacyGeneration::Vista, Some(group)),
                    ClientProduct::Server {
                        release: S::Server2008R2,
                        group,
                    } => (LegacyGeneration::Windows7, Some(group)),
                    _ => return false,
                };
                let group_ok = match server_group {
                    None => true,
                    Some(ServerGroup::A) => group >= LegacyGroup::ServerA,
                    Some(ServerGroup::B) => group >= LegacyGroup::ServerB,
                    Some(ServerGroup::C) => group >= LegacyGroup::ServerC,
                };
                generation >= needed && group_ok
            }
            (key, ClientProduct::Windows(r)) => match r {
                C::Windows7 | C::Windows81 | C::Windows10 => true,
                C::Windows11 => matches!(key, Csvlk::Server2022 | Csvlk::Server2025),
                C::WindowsVista | C::Windows8 => false,
            },
            (Csvlk::Windows10, ClientProduct::Server { .. }) => false,
            (key, ClientProduct::Server { release, .. }) => {
                let newest = match key {
                    Csvlk::Server2016 => S::SemiAnnual,
                    Csvlk::Server2019 => S::Server2019,
                    Csvlk::Server2022 => S::Server2022,
                    _ => S::Server2025,
                };
                release <= newest
            }
        }
    }

    /// The group's name as Microsoft's pages print it.
    pub fn label(self) -> &'static str {
        match self {
            Csvlk::Legacy {
                generation: LegacyGeneration::Vista,
                group,
            } => match group {
                LegacyGroup::ClientVl => "Windows Vista Client VL (KMS)",
                LegacyGroup::ServerA => "Windows Server 2008 Server Group A (KMS A)",
                LegacyGroup::ServerB => "Windows Server 2008 Server Group B (KMS B)",
                LegacyGroup::ServerC => "Windows Server 2008 Server Group C (KMS C)",
            },
            Csvlk::Legacy {
                generation: LegacyGeneration::Windows7,
                group,
            } => match group {
                LegacyGroup::ClientVl => "Windows 7 Client VL (KMS)",
                LegacyGroup::ServerA => "Windows Server 2008 R2 Server Group A (KMS A)",
                LegacyGroup::ServerB => "Windows Server 2008 R2 Server Group B (KMS B)",
                LegacyGroup::ServerC => "Windows Server 2008 R2 Server Group C (KMS C)",
            },
            Csvlk::Windows10 => "Volume license for Windows 10",
            Csvlk::Server2016 => "Volume License for Windows Server 2016",
            Csvlk::Server2019 => "Volume License for Windows Server 2019",
            Csvlk::Server2022 => "Volume License for Windows Server 2022",
            Csvlk::Server2025 => "Volume License for Windows Server 2025",
            Csvlk::Office(r) => match r {
                OfficeRelease::Office2010 => "Office 2010 KMS host key",
                OfficeRelease::Office2013 => "Office 2013 KMS host key",
                OfficeRelease::Office2016 => "Office 2016 KMS host key",
                OfficeRelease::Office2019 => "Office 2019 KMS host key",
                OfficeRelease::Office2021 => "Office LTSC 2021 KMS host key",
                OfficeRelease::Office2024 => "Office LTSC 2024 KMS host key",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(release: ServerRelease, group: ServerGroup) -> ClientProduct {
        ClientProduct::Server { release, group }
    }

    #[test]
    fn server_group_b_key_activates_win7_and_servers_a_b_not_c() {
        let b = Csvlk::Legacy {
            generation: LegacyGeneration::Windows7,
            group: LegacyGroup::ServerB,
        };
        for r in [ClientRelease::Windows7, ClientRelease::WindowsVista] {
            assert!(b.activates(ClientProduct::Windows(r)), "{r:?}");
        }
        for r in [ServerRelease::Server2008, ServerRelease::Server2008R2] {
            assert!(b.activates(server(r, ServerGroup::A)));
            assert!(b.activates(server(r, ServerGroup::B)));
            assert!(!b.activates(server(r, ServerGroup::C)));
        }
        assert!(!b.activates(ClientProduct::Windows(ClientRelease::Windows10)));
        assert!(!b.activates(server(ServerRelease::Server2012, ServerGroup::A)));
    }

    #[test]
    fn legacy_hierarchy_and_generations() {
        let vista_c = Csvlk::Legacy {
            generation: LegacyGeneration::Vista,
            group: LegacyGroup::ServerC,
        };
        assert!(vista_c.activates(server(ServerRelease::Server2008, ServerGroup::C)));
        assert!(!vista_c.activates(ClientProduct::Windows(ClientRelease::Windows7)));
        assert!(!vista_c.activates(server(ServerRelease::Server2008R2, ServerGroup::A)));
        let client_vl = Csvlk::Legacy {
            generation: LegacyGeneration::Windows7,
            group: LegacyGroup::ClientVl,
        };
        assert!(client_vl.activates(ClientProduct::Windows(ClientRelease::Windows7)));
        assert!(!client_vl.activates(server(ServerRelease::Server2008, ServerGroup::A)));
    }

    #[test]
    fn modern_tables() {
        let w10 = Csvlk::Windows10;
        assert!(w10.activates(ClientProduct::Windows(ClientRelease::Windows10)));
        assert!(w10.activates(ClientProduct::Windows(ClientRelease::Windows7)));
        assert!(!w10.activates(ClientProduct::Windows(ClientRelease::Windows11)));
        assert!(!w10.activates(server(ServerRelease::Server2016, ServerGroup::B)));
        let s2019 = Csvlk::Server2019;
        assert!(s2019.activates(server(ServerRelease::Server2008, ServerGroup::C)));
        assert!(s2019.activates(server(ServerRelease::Server2019, ServerGroup::B)));
        assert!(!s2019.activates(server(ServerRelease::Server2022, ServerGroup::B)));
        assert!(!s2019.activates(ClientProduct::Windows(ClientRelease::Windows11)));
        assert!(!Csvlk::Server2016.activates(server(ServerRelease::Server2019, ServerGroup::B)));
        assert!(Csvlk::Server2016.activates(server(ServerRelease::SemiAnnual, ServerGroup::B)));
        assert!(Csvlk::Server2022.activates(ClientProduct::Windows(ClientRelease::Windows11)));
        assert!(!Csvlk::Server2022.activates(server(ServerRelease::Server2025, ServerGroup::B)));
        assert!(Csvlk::Server2025.activates(server(ServerRelease::Server2025, ServerGroup::C)));
        assert!(!Csvlk::Server2025.activates(ClientProduct::Office(OfficeRelease::Office2024)));
    }

    #[test]
    fn office_keys_activate_their_own_version_only() {
        let k = Csvlk::Office(OfficeRelease::Office2019);
        assert!(k.activates(ClientProduct::Office(OfficeRelease::Office2019)));
        assert!(!k.activates(ClientProduct::Office(OfficeRelease::Office2016)));
        assert!(!k.activates(ClientProduct::Windows(ClientRelease::Windows10)));
        assert_eq!(
            ClientProduct::Office(OfficeRelease::Office2016).threshold(),
            5
        );
        assert_eq!(
            ClientProduct::Office(OfficeRelease::Office2016).pool(),
            CountPool::Office
        );
    }
}
