//! # volact-io — the files of volume activation, written so that they survive a crash
//!
//! volact's core is pure; this crate is where its documents meet the file system. Everything
//! above it (CIL and Unattend files, the MAK store) reads and writes through these functions:
//!
//! - [`atomic`]: replace a file atomically, so a crash, a full disk or a pulled USB stick
//!   never leaves a half-written CIL behind ([`atomic::write`], [`atomic::write_with`]).
//! - [`read`] and [`read_limited`]: read a whole file, refusing one larger than expected.
//! - [`same_file`]: tell when an output path names the input.
//! - [`load_cil`] and [`save_cil`]: CIL files, bounded and atomic.
//! - [`import_pkeyconfig_files`], [`load_user_catalog`], [`save_user_catalog`]: the user
//!   catalog of key configurations learnt from pkeyconfig files, and where it lives.
//! - [`load_mak_store`], [`save_mak_store`], [`mak_store_path`]: the MAK store, written
//!   owner-only ([`atomic::write_owner_only`]).
//! - [`load_unattend`], [`save_unattend`], [`save_unattend_with_key`]: answer files, bounded,
//!   atomic, and owner-only when they hold a key in clear.
//!
//! Every failure is an [`IoError`] naming the operation and the path.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("volact-io-doc-crate-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let input = dir.join("lab.cil");
//! volact_io::atomic::write(&input, b"<SoftwareLicensingData/>")?;
//! let bytes = volact_io::read(&input)?;
//! let output = dir.join("export.cil");
//! assert!(!volact_io::same_file(&input, &output));
//! volact_io::atomic::write(&output, &bytes)?;
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), volact_io::IoError>(())
//! ```
#![forbid(unsafe_code)]

pub mod atomic;
mod cil;
mod data_dir;
mod error;
mod identity;
mod mak_store;
mod read;
mod unattend;
mod user_catalog;

pub use cil::{CIL_READ_LIMIT, CilFileError, load_cil, merge_cil_files, save_cil, save_cil_bytes};
pub use error::IoError;
pub use identity::same_file;
pub use mak_store::{
    MAK_STORE_READ_LIMIT, MakStoreFileError, load_mak_store, mak_store_path, mak_store_path_in,
    save_mak_store,
};
pub use read::{DEFAULT_READ_LIMIT, read, read_limited};
pub use unattend::{
    UNATTEND_READ_LIMIT, UnattendFileError, load_unattend, read_unattend, readable_by_others,
    save_unattend, save_unattend_with_key,
};
pub use user_catalog::{
    PKEYCONFIG_READ_LIMIT, USER_CATALOG_READ_LIMIT, UserCatalogFileError, import_pkeyconfig_files,
    load_user_catalog, load_user_catalog_or_empty, save_user_catalog, user_catalog_path,
    user_catalog_path_in,
};
