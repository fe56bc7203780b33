//! # volact — Windows volume activation administration, from any platform
//!
//! The pure core of volact: value types for the things a volume-activation administrator
//! handles, each validated when it is built, so holding one means it is well formed.
//!
//! - [`key`]: product keys (pkey2009 decoding and checksum, pkey2005 syntax, masking,
//!   fingerprints, `DigitalProductId` registry blobs).
//! - [`ids`]: Installation IDs and Confirmation IDs with their per-group check digits.
//! - [`epid`]: extended product IDs (`ProductKeyID`, slmgr's "Extended PID").
//! - [`catalog`]: Microsoft's published KMS client setup keys (GVLKs) and key group labels.
//! - [`mak`]: the MAK store model — the administrator's own keys, classified or declared, with
//!   remaining-activation snapshots.
//!
//! The core does no I/O, reads no clock and draws no randomness. It never generates keys or
//! Confirmation IDs: volact administers licensing, it does not bypass it.
//!
//! ```
//! use volact::key::ProductKey;
//! let key = ProductKey::parse("nppr9-fwdcx-d2c8j-h872k-2yt43")?;
//! assert_eq!(key.to_string(), "XXXXX-XXXXX-XXXXX-XXXXX-2YT43"); // masked by default
//! assert_eq!(key.pkey2009().unwrap().group_id, 3290);
//! assert_eq!(volact::catalog::rows_for_key(&key).len(), 2); // Windows 10 and 11 Enterprise
//! # Ok::<(), volact::key::KeyError>(())
//! ```
#![forbid(unsafe_code)]

pub mod catalog;
pub mod cil;
pub mod epid;
pub mod fleet;
pub mod ids;
pub mod key;
pub mod license;
pub mod mak;
pub mod srv;
mod toml_lines;
pub mod unattend;
pub mod workflow;

/// Entry points for fuzz targets and their corpus replay in `cargo test`: each runs one
/// parser on arbitrary bytes and checks its invariants. Not part of the stable API.
#[doc(hidden)]
pub mod fuzzing;
