//! The KMS fleet simulator across the C ABI: a scenario (TOML) in, the report (JSON) out.
//!
//! Everything is `volact_core::fleet`; the JSON is the `FleetReport` that
//! `volact simulate --json` prints.

use crate::error::{boundary, fail, volact_result};
use crate::strings::{text_arg, to_json, write_str};
use std::ffi::c_char;

/// Runs a fleet scenario (the TOML of `docs/fleet-simulation.md`) and writes its report as
/// JSON (`volact simulate --json`).
///
/// Returns `VOLACT_RESULT_FLEET_SCENARIO` for an invalid scenario (the last error names the
/// line), `VOLACT_RESULT_INVALID_UTF8`, `VOLACT_RESULT_NULL_PARAMETER`,
/// `VOLACT_RESULT_BUFFER_TOO_SMALL` with `*out_n` set to the bytes needed. A run is fully
/// determined by the scenario's seed, so asking for the size with `(NULL, 0)` and calling
/// again gives the same report; it does run the simulation twice, so for large scenarios pass
/// a generous buffer first.
///
/// # Safety
/// `toml` valid for `len` bytes; `out` valid for `cap` bytes (or NULL with `cap` 0);
/// `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_fleet_run(
    toml: *const u8,
    len: usize,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(toml, len);
        let report = match volact_core::fleet::run_toml(text) {
            Ok(r) => r,
            Err(e) => return fail(volact_result::FleetScenario, e),
        };
        let json = match to_json(&report) {
            Ok(json) => json,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        unsafe { write_str(&json, out, cap, out_n) }
    })
}
