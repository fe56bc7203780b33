//! Result codes, the panic boundary and the per-thread last error message.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use volact_core::{epid::EpidError, ids::IdError, key::DigitalProductIdError, key::KeyError};

/// The outcome of a call. Numbers are grouped by domain and never reused; a new error gets
/// a new number.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum volact_result {
    Ok = 0,
    /// A bug in volact: a panic was caught at the boundary. Please report it.
    Panic = 1,
    /// A required pointer argument was NULL.
    NullParameter = 2,
    /// A text argument was not UTF-8.
    InvalidUtf8 = 3,
    /// The output buffer is too small; `*out_n` holds the length needed.
    BufferTooSmall = 4,
    /// An enum-like argument had an unknown value.
    InvalidArgument = 5,
    /// The thing asked for does not exist (no pkey2009 fields, unknown group, index past end).
    NotFound = 6,
    KeyInvalidCharacter = 100,
    KeyLength = 101,
    KeyMultipleN = 102,
    KeyNInLastPosition = 103,
    KeyChecksum = 104,
    KeyOther = 199,
    IdInvalidCharacter = 200,
    IdLength = 201,
    IdCheckDigit = 202,
    IdWrongKind = 203,
    IdOther = 299,
    EpidFieldCount = 300,
    EpidField = 301,
    EpidDay = 302,
    EpidOther = 399,
    DpidTooShort = 400,
    DpidOutOfRange = 401,
    DpidKey = 402,
    DpidOther = 499,
}

impl volact_result {
    fn description(self) -> &'static str {
        use volact_result::*;
        match self {
            Ok => "ok",
            Panic => "internal error (a panic was caught); please report it",
            NullParameter => "a required pointer argument was NULL",
            InvalidUtf8 => "a text argument is not valid UTF-8",
            BufferTooSmall => "the output buffer is too small",
            InvalidArgument => "an argument has an unknown value",
            NotFound => "not found",
            KeyInvalidCharacter => "product key: invalid character",
            KeyLength => "product key: wrong length",
            KeyMultipleN => "product key: more than one N",
            KeyNInLastPosition => "product key: N in the last position",
            KeyChecksum => "product key: checksum mismatch",
            KeyOther => "product key: invalid",
            IdInvalidCharacter => "ID: invalid character",
            IdLength => "ID: no layout has this many digits",
            IdCheckDigit => "ID: check digit wrong",
            IdWrongKind => {
                "ID: Installation ID where a Confirmation ID was expected, or the reverse"
            }
            IdOther => "ID: invalid",
            EpidFieldCount => "ePID: wrong number of fields",
            EpidField => "ePID: malformed field",
            EpidDay => "ePID: install day out of range",
            EpidOther => "ePID: invalid",
            DpidTooShort => "DigitalProductId: blob too short",
            DpidOutOfRange => "DigitalProductId: key bytes out of range",
            DpidKey => "DigitalProductId: stored key is invalid",
            DpidOther => "DigitalProductId: invalid",
        }
    }
}

pub(crate) fn key_result(e: &KeyError) -> volact_result {
    match e {
        KeyError::InvalidCharacter { .. } => volact_result::KeyInvalidCharacter,
        KeyError::Length { .. } => volact_result::KeyLength,
        KeyError::MultipleN { .. } => volact_result::KeyMultipleN,
        KeyError::NInLastPosition { .. } => volact_result::KeyNInLastPosition,
        KeyError::Checksum { .. } => volact_result::KeyChecksum,
        _ => volact_result::KeyOther,
    }
}

pub(crate) fn id_result(e: &IdError) -> volact_result {
    match e {
        IdError::InvalidCharacter { .. } => volact_result::IdInvalidCharacter,
        IdError::Length { .. } => volact_result::IdLength,
        IdError::CheckDigit { .. } => volact_result::IdCheckDigit,
        IdError::WrongKind { .. } => volact_result::IdWrongKind,
        _ => volact_result::IdOther,
    }
}

pub(crate) fn epid_result(e: &EpidError) -> volact_result {
    match e {
        EpidError::FieldCount { .. } => volact_result::EpidFieldCount,
        EpidError::Field { .. } => volact_result::EpidField,
        EpidError::Day { .. } => volact_result::EpidDay,
        _ => volact_result::EpidOther,
    }
}

pub(crate) fn dpid_result(e: &DigitalProductIdError) -> volact_result {
    match e {
        DigitalProductIdError::TooShort { .. } => volact_result::DpidTooShort,
        DigitalProductIdError::OutOfRange { .. } => volact_result::DpidOutOfRange,
        DigitalProductIdError::Key(_) => volact_result::DpidKey,
        _ => volact_result::DpidOther,
    }
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the detailed message of a failure and returns its code.
pub(crate) fn fail(code: volact_result, message: impl std::fmt::Display) -> volact_result {
    LAST_ERROR.with(|m| *m.borrow_mut() = message.to_string());
    code
}

/// Runs an export body, turning a panic into `VOLACT_RESULT_PANIC`.
pub(crate) fn boundary(body: impl FnOnce() -> volact_result) -> volact_result {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|_| fail(volact_result::Panic, volact_result::Panic.description()))
}

/// Writes the static description of a result code into `buf` (see the string conventions
/// in `volact.h`). Unknown codes get "unknown result code".
///
/// # Safety
/// `buf` must be valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_result_message(
    result: u32,
    buf: *mut std::ffi::c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        let text = ALL
            .iter()
            .find(|r| **r as u32 == result)
            .map_or("unknown result code", |r| r.description());
        // SAFETY: forwarded caller contract.
        unsafe { crate::strings::write_str(text, buf, len, out_n) }
    })
}

/// Writes the detailed message of the last failed call on this thread (with positions and
/// reasons; never a key) into `buf`. Empty when nothing has failed yet.
///
/// # Safety
/// `buf` must be valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_last_error_message(
    buf: *mut std::ffi::c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        let text = LAST_ERROR.with(|m| m.borrow().clone());
        // SAFETY: forwarded caller contract.
        unsafe { crate::strings::write_str(&text, buf, len, out_n) }
    })
}

const ALL: [volact_result; 26] = {
    use volact_result::*;
    [
        Ok,
        Panic,
        NullParameter,
        InvalidUtf8,
        BufferTooSmall,
        InvalidArgument,
        NotFound,
        KeyInvalidCharacter,
        KeyLength,
        KeyMultipleN,
        KeyNInLastPosition,
        KeyChecksum,
        KeyOther,
        IdInvalidCharacter,
        IdLength,
        IdCheckDigit,
        IdWrongKind,
        IdOther,
        EpidFieldCount,
        EpidField,
        EpidDay,
        EpidOther,
        DpidTooShort,
        DpidOutOfRange,
        DpidKey,
        DpidOther,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_description() {
        let mut seen: Vec<&str> = ALL.iter().map(|r| r.description()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 26);
    }

    #[test]
    fn a_panic_becomes_a_result() {
        let r = boundary(|| panic!("boom"));
        assert_eq!(r, volact_result::Panic);
    }
}
