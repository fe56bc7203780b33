//! uniffi bindings of volact for Python (`import volact`).
//!
//! Thin by design: every value is computed by the core crate (`volact_core`); this crate
//! only converts core types into uniffi records, objects and error enums, and (in
//! `workflow.rs`) adapts Python's `ActivationTarget` and `ConfirmationIdSource` objects to
//! the core's workflow traits. The Python package in `python/volact/__init__.py` re-exports
//! these and adds the list helper `check_keys` over [`check_keys_batch`].
//!
//! Key material stays masked across the boundary: [`ProductKey`] exports `Display`/`Debug`
//! (Python `str`/`repr`) as the core's masked forms, the records that carry the pkey2009
//! security value print it as `<hidden>` (with the other fields it rebuilds the key, which is
//! why the core's `Pkey2009` Debug hides it too), and error messages are the core errors'
//! `Display`, which never contain the key.

uniffi::setup_scaffolding!();

use std::fmt;
use std::sync::Arc;
use volact_core::{catalog, epid, ids, key};

#[macro_use]
mod repr;
mod activation_ids;
mod cil_document;
mod extended_pid;
mod fleet;
mod gvlk_catalog;
mod license;
mod mak_store;
mod product_key;
mod srv;
mod unattend;
mod user_catalog;
mod workflow;

pub use activation_ids::*;
pub use cil_document::*;
pub use extended_pid::*;
pub use gvlk_catalog::*;
pub use license::*;
pub use mak_store::*;
pub use product_key::*;
pub use srv::*;
pub use unattend::*;
pub use user_catalog::*;
pub use workflow::*;

/// Every error the bindings raise. In Python: `volact.VolactError.InvalidKey` and so on,
/// all subclasses of `volact.VolactError`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum VolactError {
    /// The text is not a valid product key.
    #[error("{message}")]
    InvalidKey {
        /// The core's message (never contains the key).
        message: String,
        /// 0-based character index into the text, where the error points at one. Python
        /// indexes `str` by code point and the core counts `char`s, so `text[position]` is
        /// the offending character.
        position: Option<u64>,
    },
    /// The text is not a valid Installation or Confirmation ID.
    #[error("{message}")]
    InvalidId {
        /// The core's message.
        message: String,
    },
    /// The text is not a valid extended product ID.
    #[error("{message}")]
    InvalidEpid {
        /// The core's message.
        message: String,
    },
    /// The blob holds no readable product key.
    #[error("{message}")]
    InvalidDigitalProductId {
        /// The core's message (a key error inside it is masked like any key error).
        message: String,
    },
    /// The bytes or the file are not a readable CIL document.
    #[error("{message}")]
    InvalidCil {
        /// The core's message (with the file's path when loading one).
        message: String,
        /// What is wrong: `not_cil` (another root element), `xml` (not well-formed),
        /// `encoding`, `too_large`, `too_deep`, `value` (a value that cannot be read).
        kind: String,
    },
    /// A file could not be read or written.
    #[error("{message}")]
    Io {
        /// The operation, the path and the system's reason.
        message: String,
    },
    /// The KMS topology TOML cannot be planned.
    #[error("{message}")]
    InvalidTopology {
        /// The core's message, naming the TOML line (`line 12: …`).
        message: String,
    },
    /// The text is not an SRV record value `priority weight port target`.
    #[error("{message}")]
    InvalidSrvRecord {
        /// The core's message.
        message: String,
    },
    /// The TSIG key file text cannot be read.
    #[error("{message}")]
    InvalidTsigKey {
        /// What is wrong, by line; never the secret.
        message: String,
    },
    /// A DNS update, lookup or TCP probe failed.
    #[error("{message}")]
    Network {
        /// What happened, naming the server, zone and key (never the secret).
        message: String,
        /// `tsig` (NOTAUTH with BADSIG/BADKEY/BADTIME), `refused`, `not_authoritative`,
        /// `not_zone`, `rcode`, `bad_response_signature`, `timeout`, `connection_refused`,
        /// `transport`, `no_answer`, `no_servers`, `resolv_conf`, `message`, `sign`,
        /// `clock`, `resolve`, `unreachable`, `other`.
        kind: String,
    },
    /// A `LicenseStatus` value outside 0–6.
    #[error("{message}")]
    InvalidLicenseStatus {
        /// The core's message, naming the value.
        message: String,
    },
    /// A KMS policy value is refused.
    #[error("{message}")]
    InvalidPolicy {
        /// The core's message.
        message: String,
        /// `out_of_range` (an interval outside 15 to 43,200 minutes), `not_minutes` (a text
        /// that is not a whole number of minutes), `other`.
        kind: String,
    },
    /// The text is not an activation error code (empty, not a number, more than 32 bits).
    #[error("{message}")]
    InvalidErrorCode {
        /// The core's message, quoting the text.
        message: String,
    },
    /// A fleet scenario that cannot be run (the message names the line).
    #[error("{message}")]
    InvalidScenario {
        /// The core's message.
        message: String,
    },
    /// A well-formed error code that is not in volact's table.
    #[error("{message}")]
    UnknownErrorCode {
        /// `0x12345678 is not in volact's table of activation error codes`.
        message: String,
        /// The code read from the text.
        code: u32,
    },
    /// The bytes are not a readable pkeyconfig file; nothing was imported.
    #[error("{message}")]
    InvalidPkeyconfig {
        /// The core's message: the file or payload, the byte offset or the record and field.
        message: String,
        /// `xml`, `encoding`, `dtd`, `entity` (DTDs and undeclared entities are refused),
        /// `too_large`, `too_deep`, `no_payload`, `not_pkeyconfig`, `base64`,
        /// `missing_field`, `bad_value`, `other`.
        kind: String,
    },
    /// The file is not a readable volact user catalog.
    #[error("{message}")]
    InvalidUserCatalog {
        /// The path and what is wrong (line and column).
        message: String,
        /// `format` (not JSON or not a catalog) or `version` (another format or version).
        kind: String,
    },
    /// The MAK store refused an operation; nothing changed.
    #[error("{message}")]
    MakRefused {
        /// The core's message (keys masked).
        message: String,
        /// `gvlk` (a published GVLK is not a MAK), `unknown_type` (no catalog knows the key:
        /// pass `declared`), `contradiction` (`declared` contradicts the catalog),
        /// `unsupported_channel` (OEM, evaluation…), `duplicate`, `not_found`, `ambiguous`
        /// (use the id).
        kind: String,
    },
    /// The file is not a readable MAK store.
    #[error("{message}")]
    InvalidMakStore {
        /// The path and what is wrong (keys masked, the file's values never quoted).
        message: String,
        /// `format` (not JSON, not the store's shape, an invalid entry) or `version`.
        kind: String,
    },
    /// The MAK store file can be read by its group or others: refused, as `ssh` refuses an
    /// exposed private key. `chmod 600` it (and consider the keys seen).
    #[error("{message}")]
    MakStoreExposed {
        /// The path, its mode and what to do.
        message: String,
    },
    /// A workflow that cannot be built or run: a plan, run or survey JSON that does not
    /// read, inputs that do not fit together (a plan that needs a key or a CIL without one,
    /// fewer targets than the plan's machines), a bad phone-activation CSV line.
    #[error("{message}")]
    Workflow {
        /// The core's message (line and column for JSON).
        message: String,
        /// `input`, `plan_json`, `cid_csv`, `other`.
        kind: String,
    },
    /// An Unattend.xml answer file that cannot be read, or changed as asked.
    #[error("{message}")]
    Unattend {
        /// The core's message (byte offset or line; key-shaped text masked).
        message: String,
        /// `encoding` (not UTF-8, or UTF-16 without a BOM), `xml` (not well-formed), `dtd`
        /// (a document type declaration: never processed), `not_unattend` (another root
        /// element), `too_large` (over 8 MiB), `no_key_place` (`set_key` found neither place
        /// setup reads a key from), `complex_value` (a place holds markup, not just text),
        /// `other`.
        kind: String,
    },
    /// Arguments that cannot be used together.
    #[error("{message}")]
    InvalidArgument {
        /// Which, and why.
        message: String,
    },
}

impl From<key::KeyError> for VolactError {
    fn from(e: key::KeyError) -> Self {
        VolactError::InvalidKey {
            position: e.position().map(to_u64),
            message: e.to_string(),
        }
    }
}

impl From<ids::IdError> for VolactError {
    fn from(e: ids::IdError) -> Self {
        VolactError::InvalidId {
            message: e.to_string(),
        }
    }
}

impl From<epid::EpidError> for VolactError {
    fn from(e: epid::EpidError) -> Self {
        VolactError::InvalidEpid {
            message: e.to_string(),
        }
    }
}

impl From<key::DigitalProductIdError> for VolactError {
    fn from(e: key::DigitalProductIdError) -> Self {
        VolactError::InvalidDigitalProductId {
            message: e.to_string(),
        }
    }
}

/// `usize` to the `u64` uniffi carries; lossless on every target Rust supports today.
fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `usize` counts that are small by construction (ID groups, digits, group indices).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
