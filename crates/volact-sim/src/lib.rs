//! # volact-sim — simulated Windows machines and a simulated Microsoft, for tests and examples
//!
//! **Unpublished** (`publish = false`), and never a dependency of a published crate: volact
//! itself never makes keys, Installation IDs or Confirmation IDs (DESIGN.md, scope). This
//! crate stands in for what volact talks to, so the workflows can run end to end:
//!
//! - [`SimulatedMachine`]: a Windows machine behind
//!   [`ActivationTarget`](volact_core::workflow::ActivationTarget), following volact's
//!   licensing model (grace after a key install, `Licensed` after online activation or a
//!   Confirmation ID deposit, IIDs that follow hardware and key).
//! - [`SimulatedActivationService`]: Microsoft's side — each MAK's remaining activations,
//!   each CSVLK's KMS hosts (at most six) — and [`SimulatedCidSource`], its
//!   [`ConfirmationIdSource`](volact_core::workflow::ConfirmationIdSource).
//! - [`SimulatedDns`]: the customer's DNS server, where activated KMS hosts register their
//!   `_vlmcs._tcp` records (secure dynamic update: a record name written by one host needs
//!   the administrator's grant for the others) and where KMS clients find them.
//! - [`scenario`]: a fleet scenario built from what the machines hold, so volact's fleet
//!   simulator decides what a simulated KMS client's request leads to.
//! - [`lab`]: the seed's isolated lab (ten workgroup machines and a retail one); [`global`]:
//!   the seed's global KMS network (four hosts, two domains).
//!
//! **Every ID here is fictitious.** IIDs, CIDs, Activation IDs, hardware ids, MAC addresses
//! and ePIDs have the layout of the real ones (so volact's validation accepts them) and are
//! SHA-256 output otherwise ([`fictitious`]): they mean nothing to Windows or to Microsoft's
//! activation services, and nothing in this crate can produce an ID that does. The only keys
//! used are published ones (GVLKs, the "twin" test keys of facts.md §1.3, one declared a MAK,
//! the other a CSVLK).
//!
//! ```
//! use volact_core::key::ProductKey;
//! use volact_core::license::LicenseStatus;
//! use volact_core::workflow::ActivationTarget;
//! use volact_sim::{SimulatedActivationService, SimulatedMachine};
//!
//! let service = SimulatedActivationService::new();
//! let mak = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G")?;
//! service.register_mak(&mak, "Enterprise", 5);
//! let mut pc = SimulatedMachine::new("PC1", "Windows 11", "Enterprise", &service).with_internet(true);
//! pc.install_product_key(&mak).unwrap();
//! assert_eq!(pc.license_status(), LicenseStatus::OOBGrace);
//! let act = pc.activation_id();
//! pc.activate(&act).unwrap();
//! assert_eq!(pc.license_status(), LicenseStatus::Licensed);
//! assert_eq!(service.remaining(&mak), Some(4));
//! # Ok::<(), volact_core::key::KeyError>(())
//! ```
#![forbid(unsafe_code)]

pub mod dns;
pub mod fictitious;
pub mod global;
pub mod lab;
pub mod machine;
pub mod scenario;
pub mod service;

pub use dns::SimulatedDns;
pub use machine::SimulatedMachine;
pub use service::{SimulatedActivationService, SimulatedCidSource};
