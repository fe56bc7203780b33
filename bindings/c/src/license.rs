//! Licensing across the C ABI: license states from their WMI value, KMS policy intervals,
//! and the activation error codes with cause and fix.
//!
//! Every answer comes from `volact_core::license`; the JSON of `volact_explain` is the core's
//! `error_code::Explanation`, the record `volact explain --json` prints.

use crate::error::{boundary, fail, volact_result};
use crate::strings::{text_arg, to_json, write_out, write_str};
use std::ffi::{CString, c_char};
use std::sync::OnceLock;
use volact_core::license::LicenseStatus;
use volact_core::license::error_code::{self, Explanation, LookupError};
use volact_core::license::policy::{Interval, PolicyError};

/// The license states, `SoftwareLicensingProduct.LicenseStatus` (the WMI numbers).
#[repr(u32)]
#[derive(Clone, Copy, Debug)]
pub enum volact_license_status {
    /// 0: no license.
    Unlicensed = 0,
    /// 1: activated.
    Licensed = 1,
    /// 2: out-of-box (initial) grace.
    OobGrace = 2,
    /// 3: out-of-tolerance grace (KMS activation expired, or hardware changed).
    OotGrace = 3,
    /// 4: non-genuine grace.
    NonGenuineGrace = 4,
    /// 5: notification.
    Notification = 5,
    /// 6: extended grace.
    ExtendedGrace = 6,
}

/// One activation error code of volact's table. The strings are static, NUL-terminated UTF-8,
/// valid for the life of the process; do not free them.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct volact_error_code {
    /// The HRESULT.
    pub code: u32,
    /// The code as every front end spells it: `0xC004F074`.
    pub hex: *const c_char,
    /// The message Windows shows.
    pub message: *const c_char,
    /// Who reports it: MAK, KMS client, KMS host.
    pub applies_to: *const c_char,
    /// The likely cause.
    pub cause: *const c_char,
    /// What to try, with the slmgr commands.
    pub fix: *const c_char,
    /// Where this comes from (a URL, or volact's research notes).
    pub source: *const c_char,
}

fn status_arg(value: u32) -> Result<LicenseStatus, volact_result> {
    LicenseStatus::from_wmi(value).map_err(|e| fail(volact_result::LicenseStatusValue, e))
}

pub(crate) fn policy_result(e: &PolicyError) -> volact_result {
    match e {
        PolicyError::IntervalOutOfRange { .. } => volact_result::LicenseIntervalRange,
        PolicyError::NotMinutes { .. } => volact_result::LicenseIntervalText,
        _ => volact_result::LicenseOther,
    }
}

pub(crate) fn lookup_result(e: &LookupError) -> volact_result {
    match e {
        LookupError::Parse(_) => volact_result::LicenseErrorCodeText,
        LookupError::Unknown { .. } => volact_result::LicenseErrorCodeUnknown,
        _ => volact_result::LicenseOther,
    }
}

/// NUL-terminated copies of the table, made once: the core's strings are Rust strings.
fn c_table() -> &'static [(u32, [CString; 6])] {
    static TABLE: OnceLock<Vec<(u32, [CString; 6])>> = OnceLock::new();
    TABLE.get_or_init(|| {
        error_code::all()
            .iter()
            .map(|e| {
                let texts = [
                    error_code::format_code(e.code),
                    e.message.to_owned(),
                    e.applies_to.to_owned(),
                    e.cause.to_owned(),
                    e.fix.to_owned(),
                    e.source.to_owned(),
                ];
                // The table is text without NULs (checked by a test).
                (e.code, texts.map(|s| CString::new(s).unwrap_or_default()))
            })
            .collect()
    })
}

/// Writes entry `index` of the C table.
///
/// # Safety
/// `out` NULL or writable.
unsafe fn write_entry(index: usize, out: *mut volact_error_code) -> volact_result {
    match c_table().get(index) {
        // SAFETY: caller contract; the pointers are to 'static CStrings.
        Some((code, [hex, message, applies_to, cause, fix, source])) => unsafe {
            write_out(
                out,
                volact_error_code {
                    code: *code,
                    hex: hex.as_ptr(),
                    message: message.as_ptr(),
                    applies_to: applies_to.as_ptr(),
                    cause: cause.as_ptr(),
                    fix: fix.as_ptr(),
                    source: source.as_ptr(),
                },
            )
        },
        None => fail(
            volact_result::NotFound,
            format_args!(
                "error code {index} is past the end ({} codes)",
                error_code::all().len()
            ),
        ),
    }
}

/// The WMI name of a `LicenseStatus` value (`Unlicensed`, `OOBGrace`, …) into `buf` with the
/// string protocol. A value outside 0–6 is `VOLACT_RESULT_LICENSE_STATUS_VALUE`.
///
/// # Safety
/// `buf` valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_license_status_name(
    value: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| match status_arg(value) {
        // SAFETY: caller contract.
        Ok(s) => unsafe { write_str(s.name(), buf, len, out_n) },
        Err(r) => r,
    })
}

/// What `slmgr /dli` prints after `License Status: ` for a `LicenseStatus` value (`Initial
/// grace period`, …). A value outside 0–6 is `VOLACT_RESULT_LICENSE_STATUS_VALUE`.
///
/// # Safety
/// `buf` valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_license_status_dli_text(
    value: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| match status_arg(value) {
        // SAFETY: caller contract.
        Ok(s) => unsafe { write_str(s.dli_text(), buf, len, out_n) },
        Err(r) => r,
    })
}

/// Checks an activation or renewal interval (`slmgr /sai`, `/sri`): `VOLACT_RESULT_OK` for
/// 15 to 43,200 minutes, `VOLACT_RESULT_LICENSE_INTERVAL_RANGE` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn volact_policy_check_interval(minutes: u64) -> volact_result {
    boundary(|| match Interval::new(minutes) {
        Ok(_) => volact_result::Ok,
        Err(e) => fail(policy_result(&e), e),
    })
}

/// Reads an interval as `slmgr /sai <minutes>` takes it (a decimal number of minutes,
/// surrounding whitespace ignored) into `*out_minutes`. Not a number:
/// `VOLACT_RESULT_LICENSE_INTERVAL_TEXT`; outside 15 to 43,200:
/// `VOLACT_RESULT_LICENSE_INTERVAL_RANGE`.
///
/// # Safety
/// `text` valid for `len` bytes; `out_minutes` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_policy_parse_interval(
    text: *const u8,
    len: usize,
    out_minutes: *mut u32,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let t = text_arg!(text, len);
        match Interval::parse(t) {
            // SAFETY: caller contract.
            Ok(i) => unsafe { write_out(out_minutes, u32::from(i)) },
            Err(e) => fail(policy_result(&e), e),
        }
    })
}

/// Explains an activation error code given as text (`0xC004F074`, `C004F074`, `3221549172`
/// or `-1073418124`): writes the JSON record `volact explain --json` prints for it, `{"input",
/// "known", "code", "message", "applies_to", "cause", "fix", "source", "error"}`, into `out`
/// with the string protocol. Not a code: `VOLACT_RESULT_LICENSE_ERROR_CODE_TEXT`; a code
/// volact does not know: `VOLACT_RESULT_LICENSE_ERROR_CODE_UNKNOWN` (nothing written).
///
/// # Safety
/// `code` valid for `len` bytes; `out` valid for `cap` bytes (or NULL with `cap` 0);
/// `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_explain(
    code: *const u8,
    len: usize,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(code, len);
        if let Err(e) = error_code::lookup(text) {
            return fail(lookup_result(&e), e);
        }
        let json = match to_json(&Explanation::of(text)) {
            Ok(json) => json,
            Err(r) => return r,
        };
        // SAFETY: caller contract.
        unsafe { write_str(&json, out, cap, out_n) }
    })
}

/// Looks an activation error code given as text up in the table and writes its entry to
/// `*out`. Errors as for `volact_explain`.
///
/// # Safety
/// `code` valid for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_explain_lookup(
    code: *const u8,
    len: usize,
    out: *mut volact_error_code,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(code, len);
        match error_code::lookup(text) {
            Ok(e) => {
                // Found in the table, so found in its C copy (same order).
                let index = error_code::all()
                    .iter()
                    .position(|x| x.code == e.code)
                    .unwrap_or(usize::MAX);
                // SAFETY: caller contract.
                unsafe { write_entry(index, out) }
            }
            Err(e) => fail(lookup_result(&e), e),
        }
    })
}

/// How many error codes volact's table holds.
#[unsafe(no_mangle)]
pub extern "C" fn volact_explain_count() -> usize {
    error_code::all().len()
}

/// Entry `index` of the table (in numeric order of the codes); `VOLACT_RESULT_NOT_FOUND` past
/// the end.
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_explain_get(
    index: usize,
    out: *mut volact_error_code,
) -> volact_result {
    // SAFETY: caller contract.
    boundary(|| unsafe { write_entry(index, out) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_strings_hold_no_nul() {
        for e in error_code::all() {
            for s in [e.message, e.applies_to, e.cause, e.fix, e.source] {
                assert!(!s.contains('\0'), "{:#X}", e.code);
            }
        }
        assert_eq!(c_table().len(), error_code::all().len());
    }

    #[test]
    fn the_enum_has_the_wmi_numbers() {
        use volact_license_status::*;
        let c = [
            Unlicensed,
            Licensed,
            OobGrace,
            OotGrace,
            NonGenuineGrace,
            Notification,
            ExtendedGrace,
        ];
        assert_eq!(c.len(), LicenseStatus::ALL.len());
        for (c, s) in c.iter().zip(LicenseStatus::ALL) {
            assert_eq!(*c as u32, s.to_wmi());
        }
    }

    #[test]
    fn errors_map_to_their_codes() {
        assert_eq!(
            policy_result(&PolicyError::PortZero),
            volact_result::LicenseOther
        );
        let e = error_code::lookup("nope").unwrap_err();
        assert_eq!(lookup_result(&e), volact_result::LicenseErrorCodeText);
        let e = error_code::lookup("0x1").unwrap_err();
        assert_eq!(lookup_result(&e), volact_result::LicenseErrorCodeUnknown);
    }
}
