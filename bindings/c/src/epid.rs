//! Extended product IDs across the C ABI.

use crate::error::{boundary, epid_result, fail, volact_result};
use crate::strings::{text_arg, write_out};
use volact_core::epid::Epid;

/// The fields of `PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct volact_epid {
    pub platform: u32,
    pub group_id: u32,
    /// `SSS-SSSSSS` as one 9-digit number.
    pub serial: u32,
    pub channel: u8,
    pub lcid: u32,
    pub build: u32,
    pub build_revision: u32,
    /// Day of the year the key was installed, 1..=366.
    pub install_day: u16,
    pub install_year: u16,
}

/// Parses an ePID. On failure `*out` is untouched and the `VOLACT_RESULT_EPID_*` code
/// names the problem (details, with the field and position: `volact_last_error_message`).
///
/// # Safety
/// `text` valid for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_epid_parse(
    text: *const u8,
    len: usize,
    out: *mut volact_epid,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        match Epid::parse(input) {
            Ok(e) => {
                let value = volact_epid {
                    platform: e.platform,
                    group_id: e.group_id,
                    serial: e.serial,
                    channel: e.channel,
                    lcid: e.lcid,
                    build: e.build,
                    build_revision: e.build_revision,
                    install_day: e.install_day,
                    install_year: e.install_year,
                };
                // SAFETY: caller contract.
                unsafe { write_out(out, value) }
            }
            Err(e) => fail(epid_result(&e), e),
        }
    })
}
