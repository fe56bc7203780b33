//! Installation and Confirmation IDs across the C ABI.

use crate::error::{boundary, fail, id_result, volact_result};
use crate::strings::{text_arg, write_out, write_str};
use std::ffi::c_char;
use volact_core::ids::{self, IdKind};

/// Installation ID or Confirmation ID; `UNKNOWN` when the digit count fits no layout.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum volact_id_kind {
    Unknown = 0,
    InstallationId = 1,
    ConfirmationId = 2,
}

/// What `volact_id_check` finds in a text.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct volact_id_info {
    /// `VOLACT_RESULT_OK` for a valid ID, else the `VOLACT_RESULT_ID_*` reason.
    pub error: volact_result,
    /// 0-based character index of an invalid character; `SIZE_MAX` otherwise.
    pub error_position: usize,
    pub kind: volact_id_kind,
    /// Digits found.
    pub digits: usize,
    /// Groups and digits per group; 0 when the layout is unknown.
    pub groups: usize,
    pub group_len: usize,
    /// Bit `i` set when group `i` (0-based) has a wrong check digit.
    pub bad_groups_mask: u32,
    /// Whether the check-digit rule is confirmed for this layout (false for 48-digit
    /// Confirmation IDs, and when the layout is unknown): callers importing a CID from
    /// Microsoft can warn rather than refuse when it is false.
    pub rule_confirmed: bool,
}

/// Checks an ID text: fills `*out` and returns `VOLACT_RESULT_OK` whenever the check ran;
/// `out->error` carries the verdict.
///
/// # Safety
/// `text` valid for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_id_check(
    text: *const u8,
    len: usize,
    out: *mut volact_id_info,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        let c = ids::check(input);
        let error = match &c.error {
            None => volact_result::Ok,
            Some(e) => fail(id_result(e), e),
        };
        let position = match &c.error {
            Some(ids::IdError::InvalidCharacter { position, .. }) => *position,
            _ => usize::MAX,
        };
        let info = volact_id_info {
            error,
            error_position: position,
            kind: match c.format.map(|f| f.kind) {
                None => volact_id_kind::Unknown,
                Some(IdKind::InstallationId) => volact_id_kind::InstallationId,
                Some(IdKind::ConfirmationId) => volact_id_kind::ConfirmationId,
            },
            digits: c.digits,
            groups: c.format.map_or(0, |f| f.groups),
            group_len: c.format.map_or(0, |f| f.group_len),
            bad_groups_mask: c.bad_groups.iter().fold(0, |m, &g| m | (1 << g)),
            rule_confirmed: c.format.is_some_and(|f| f.rule_confirmed),
        };
        // SAFETY: caller contract.
        unsafe { write_out(out, info) }
    })
}

/// The canonical form of an ID (groups joined by `-`) whenever its layout is known, even
/// with wrong check digits; otherwise the `VOLACT_RESULT_ID_*` error.
///
/// # Safety
/// `text` valid for `len` bytes; `buf` for `buf_len`; `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_id_canonical(
    text: *const u8,
    len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let input = text_arg!(text, len);
        let c = ids::check(input);
        match (&c.canonical, &c.error) {
            // SAFETY: caller contract.
            (Some(canonical), _) => unsafe { write_str(canonical, buf, buf_len, out_n) },
            (None, Some(e)) => fail(id_result(e), e),
            (None, None) => fail(volact_result::IdOther, "no canonical form"),
        }
    })
}
