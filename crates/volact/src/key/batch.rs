//! Bulk key checks with a compact result, for callers across a slow boundary.
//!
//! uniffi lowers list elements one at a time in Python (about 0.1 M strings/s), so the
//! Python and C batch calls take one newline-separated text and get back a packed buffer
//! (research/toolchain.md §5).

use super::Syntax;

/// What [`check_batch`] says of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum BatchStatus {
    /// Not a key: bad length, character, or `N` placement.
    Invalid = 0,
    /// A syntactically valid pkey2005 key (no offline checksum exists).
    ValidPkey2005 = 1,
    /// A valid pkey2009 key.
    ValidPkey2009 = 2,
    /// A pkey2009 key whose checksum fails; its group id is still reported.
    ChecksumMismatch = 3,
}

impl BatchStatus {
    /// The status for a status byte, as [`check_batch`] writes them.
    pub fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            0 => BatchStatus::Invalid,
            1 => BatchStatus::ValidPkey2005,
            2 => BatchStatus::ValidPkey2009,
            3 => BatchStatus::ChecksumMismatch,
            _ => return None,
        })
    }
}

/// Checks one key per line (`\n`-separated; a trailing `\r` is whitespace and ignored).
/// An empty text holds no lines; otherwise a text with `k` newlines holds `k + 1` lines,
/// blank ones included (they are `Invalid`), so results line up with the caller's list.
///
/// Returns `n` status bytes ([`BatchStatus`]) followed by `n` little-endian `u32` group ids
/// (0 where the line does not decode as pkey2009).
///
/// ```
/// use volact::key::{check_batch, BatchStatus};
/// let out = check_batch("NPPR9-FWDCX-D2C8J-H872K-2YT43\nnot a key");
/// assert_eq!(out[0], BatchStatus::ValidPkey2009 as u8);
/// assert_eq!(out[1], BatchStatus::Invalid as u8);
/// assert_eq!(u32::from_le_bytes(out[2..6].try_into().unwrap()), 3290);
/// ```
pub fn check_batch(text: &str) -> Vec<u8> {
    if text.is_empty() {
        return Vec::new();
    }
    let n = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = vec![0u8; n * 5];
    let (statuses, groups) = out.split_at_mut(n);
    let mut rest = text;
    for (status, group) in statuses.iter_mut().zip(groups.chunks_exact_mut(4)) {
        // Most lines are a canonical dashed key: when the 30th byte is the newline, checking
        // the 29 before it is cheaper than a general search for the next newline.
        let b = rest.as_bytes();
        let line_end = match b.get(29) {
            Some(b'\n') if !b[..29].contains(&b'\n') => 29,
            _ => rest.find('\n').unwrap_or(rest.len()),
        };
        let (line, next) = rest.split_at(line_end);
        rest = next.get(1..).unwrap_or("");
        let (s, g) = check_line(line);
        *status = s as u8;
        group.copy_from_slice(&g.to_le_bytes());
    }
    out
}

#[inline]
fn check_line(line: &str) -> (BatchStatus, u32) {
    match Syntax::parse(line) {
        Err(_) => (BatchStatus::Invalid, 0),
        Ok(syntax) => match syntax.decode() {
            None => (BatchStatus::ValidPkey2005, 0),
            Some((fields, computed)) if fields.checksum == computed => {
                (BatchStatus::ValidPkey2009, fields.group_id)
            }
            Some((fields, _)) => (BatchStatus::ChecksumMismatch, fields.group_id),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The batch output built line by line with `str::split`, as the reference.
    fn reference(text: &str) -> Vec<u8> {
        if text.is_empty() {
            return Vec::new();
        }
        let results: Vec<(BatchStatus, u32)> = text.split('\n').map(check_line).collect();
        let mut out: Vec<u8> = results.iter().map(|&(s, _)| s as u8).collect();
        for &(_, g) in &results {
            out.extend_from_slice(&g.to_le_bytes());
        }
        out
    }

    proptest! {
        #[test]
        fn batch_equals_checking_each_line(
            lines in proptest::collection::vec(
                prop_oneof![
                    // Published keys, whole or cut, so that lines of 29 bytes and newlines
                    // at and around the 30th byte are common.
                    (0usize..167, 0usize..=31).prop_map(|(row, len)| {
                        let key = crate::catalog::rows()[row].key;
                        key[..len.min(key.len())].to_owned()
                    }),
                    "[BCDFGHJKMPQRTVWXY2346789N\\-\r\n]{0,35}",
                ],
                0..8,
            )
        ) {
            let text = lines.join("\n");
            prop_assert_eq!(check_batch(&text), reference(&text));
        }
    }
}
