//! The C ABI of volact: `libvolact.so` / `libvolact.a` and `include/volact.h`.
//!
//! Conventions (after rustls-ffi, see `bindings/c/README.md`):
//! - Every fallible call returns a [`volact_result`]; `VOLACT_RESULT_OK` is 0 and the numbers
//!   of the others are never reused.
//! - Strings come in as borrowed `(const uint8_t *ptr, size_t len)` UTF-8 without a NUL;
//!   strings go out into caller buffers (see [`strings`]).
//! - Out-parameters are written only on success (documented exceptions: the needed length
//!   on `VOLACT_RESULT_BUFFER_TOO_SMALL`, and the info structs of the check calls).
//! - Every pointer is checked for NULL; every export catches panics and returns
//!   `VOLACT_RESULT_PANIC`.
//! - Opaque handles have `_free`, which accepts NULL.
//! - The detailed message of the last failure on the calling thread (with positions; never
//!   a key) is available from [`volact_last_error_message`].
//!
//! No logic lives here: every answer comes from the core crate.

#![allow(non_camel_case_types)]

mod callbacks;
mod catalog;
mod cil;
mod epid;
mod error;
mod fleet;
mod ids;
mod key;
mod license;
mod mak_store;
mod srv;
mod strings;
mod unattend;
mod user_catalog;
mod workflow;

pub use callbacks::*;
pub use catalog::*;
pub use cil::*;
pub use epid::*;
pub use error::*;
pub use ids::*;
pub use key::*;
pub use license::*;
pub use mak_store::*;
pub use srv::*;
pub use unattend::*;
pub use user_catalog::*;
pub use workflow::*;

/// Major version of this C API (semver of the volact crates).
pub const VOLACT_VERSION_MAJOR: u32 = 0;
/// Minor version.
pub const VOLACT_VERSION_MINOR: u32 = 1;
/// Patch version.
pub const VOLACT_VERSION_PATCH: u32 = 0;

/// The library version as a static NUL-terminated string, e.g. `"0.1.0"`; compare with the
/// `VOLACT_VERSION_*` macros of the header you compiled against.
#[unsafe(no_mangle)]
pub extern "C" fn volact_version() -> *const std::ffi::c_char {
    static VERSION: &std::ffi::CStr = c"0.1.0";
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_string_matches_the_crate_and_the_macros() {
        let v = unsafe { std::ffi::CStr::from_ptr(super::volact_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(
            format!(
                "{}.{}.{}",
                super::VOLACT_VERSION_MAJOR,
                super::VOLACT_VERSION_MINOR,
                super::VOLACT_VERSION_PATCH
            ),
            env!("CARGO_PKG_VERSION")
        );
    }
}
